"""The AI code activity tables (Cursor): per UTC day and user, and their commits."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from rich import box
from rich.console import Group
from rich.table import Table

from aiusage.models import CodeActivity
from aiusage.render.format import NONE
from aiusage.terminal_text import plain

# Counts of a day row, in column order, with their headers.
DAY_COUNTS = (
    ("lines_added", "Lines"),
    ("accepted_lines_added", "Acc."),
    ("tabs_accepted", "Tabs"),
    ("composer_requests", "Comp."),
    ("chat_requests", "Chat"),
    ("agent_requests", "Agent"),
    ("usage_based_requests", "Paid"),
)
DAY_CAPTION = (
    "Lines added; Acc.: lines accepted from AI suggestions; Tabs: Tab completions accepted; "
    "requests by kind: Comp. composer, Chat, Agent, Paid usage-based"
)
COMMIT_COUNTS = (
    ("commits", "Commits"),
    ("lines_added", "Lines"),
    ("ai_lines_added", "AI lines"),
    ("human_lines_added", "Human lines"),
)

Totals = dict[str, int | None]


def _add(totals: Totals, name: str, value: int | None) -> None:
    if value is not None:
        totals[name] = (totals.get(name) or 0) + value
    else:
        totals.setdefault(name, None)


def _cell(value: int | None) -> str:
    return NONE if value is None else f"{value:,}"


def _table(
    title: str,
    columns: tuple[tuple[str, str], ...],
    rows: dict[tuple[str, str], Totals],
    caption: str | None = None,
) -> Table:
    table = Table(title=title, caption=caption, box=box.SIMPLE_HEAD, pad_edge=False)
    table.add_column("Day (UTC)", no_wrap=True)
    table.add_column("User", overflow="fold", min_width=12)
    for _, header in columns:
        table.add_column(header, justify="right", no_wrap=True, min_width=len(header))
    grand: Totals = {}
    for (day, user), totals in sorted(rows.items()):
        table.add_row(day, plain(user), *(_cell(totals.get(name)) for name, _ in columns))
        for name, _ in columns:
            if name in totals:
                _add(grand, name, totals[name])
    table.add_section()
    table.add_row("Total", "", *(_cell(grand.get(name)) for name, _ in columns), style="bold")
    return table


def activity_table(activity: Iterable[CodeActivity]) -> Group:
    """Lines, Tab completions and requests by kind per day and user; then commits, if any."""
    days: dict[tuple[str, str], Totals] = defaultdict(dict)
    commits: dict[tuple[str, str], Totals] = defaultdict(dict)
    for item in activity:
        key = (item.start.strftime("%Y-%m-%d"), item.user or NONE)
        if item.commit is None:
            for name, _ in DAY_COUNTS:
                _add(days[key], name, getattr(item, name))
        else:
            _add(commits[key], "commits", 1)
            for name, _ in COMMIT_COUNTS[1:]:
                _add(commits[key], name, getattr(item, name))
    tables = []
    if days:
        tables.append(_table("Cursor AI code activity", DAY_COUNTS, days, DAY_CAPTION))
    if commits:
        tables.append(_table("Cursor AI code in commits", COMMIT_COUNTS, commits))
    return Group(*tables)
