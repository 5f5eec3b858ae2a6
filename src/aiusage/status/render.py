"""The status screen: one block per provider, from the same document as ``--format json``.

Vendor and log text (window names of per-feature buckets, details, error messages) goes through
``terminal_text.plain``: never markup, control characters shown as escapes.
"""

from __future__ import annotations

from datetime import datetime, timedelta, tzinfo
from decimal import Decimal

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text

from aiusage.models import PROVIDER_NAMES
from aiusage.render.format import usd
from aiusage.status.document import Block, Budget, Spend, StatusDocument, Window
from aiusage.terminal_text import plain

BAR_WIDTH = 16
TITLES = {"claude": "Claude", "openai": "OpenAI / Codex", "gemini": "Gemini", "cursor": "Cursor"}
WINDOW_LABELS = {
    "five_hour": "5-hour",
    "seven_day": "7-day",
    "spend_limit": "spend limit",
    "billing_cycle": "billing cycle",
    "on_demand": "on-demand",
    "individual_cap": "personal cap",
    "spend_control": "spend control",
    "credits": "credits",
}
SOURCE_LABELS = {
    "statusline": "status line",
    "app-server": "codex app-server",
    "rollout-log": "Codex logs",
    "cursor-live": "Cursor app",
    "manual": "entered by hand",
    "api": "admin API",
}
SPEND_LABELS = {"api": "billed", "manual": "entered by hand", "local": "estimated from local logs"}
STATUSLINE_HINT = (
    "Claude plan windows: set `aiusage statusline` as Claude Code's statusLine.command "
    "(see the README)"
)


def duration(span: timedelta) -> str:
    """``3h 12m``, ``2d 4h``, ``45m``, ``<1m``."""
    minutes = int(span.total_seconds() // 60)
    if minutes < 1:
        return "<1m"
    days, rest = divmod(minutes, 24 * 60)
    hours, mins = divmod(rest, 60)
    if days:
        return f"{days}d {hours}h"
    return f"{hours}h {mins:02d}m" if hours else f"{mins}m"


def clock(moment: datetime, now: datetime, zone: tzinfo) -> str:
    """Local time: ``16:40`` today, ``Thu 06:00`` within a week, else the date."""
    local, today = moment.astimezone(zone), now.astimezone(zone)
    if local.date() == today.date():
        return f"{local:%H:%M}"
    if timedelta(0) < local - today < timedelta(days=6):
        return f"{local:%a %H:%M}"
    return f"{local:%Y-%m-%d %H:%M}"


def _usd(value: Decimal | None) -> str:
    return usd(value, missing="n/a")


def tokens(count: int | Decimal) -> str:
    value = Decimal(count)
    for size, suffix in ((Decimal(10**9), "B"), (Decimal(10**6), "M"), (Decimal(10**3), "k")):
        if value >= size:
            return f"{value / size:.1f}".removesuffix(".0") + suffix
    return f"{value:.0f}"


def bar(ratio: Decimal | None, style: str) -> Text:
    if ratio is None:
        return Text("·" * BAR_WIDTH, style="dim")
    filled = min(BAR_WIDTH, max(0, round(min(ratio, Decimal(1)) * BAR_WIDTH)))
    return Text("█" * filled, style=style) + Text("░" * (BAR_WIDTH - filled), style="dim")


def _heading(window: Window) -> Text:
    """The title of a group of windows: where they were read, and their model if any."""
    source = SOURCE_LABELS.get(window.source, window.source)
    if window.model:
        return plain(window.model, style="bold") + Text(f" ({source})", style="bold")
    return Text(source[:1].upper() + source[1:], style="bold")


def _label(window: Window) -> Text:
    return plain(WINDOW_LABELS.get(window.window, window.window))


def pace_text(window: Window, now: datetime, zone: tzinfo) -> str:
    if window.pace is None:
        return ""
    if window.used_ratio is not None and window.used_ratio >= 1:
        return "at the limit until it resets"
    points = (window.pace * 100).quantize(Decimal("1"))
    if points > 0:
        text = f"{points} % ahead of pace"
        if window.limit_at is not None:
            text += f" — at this rate you hit the limit at {clock(window.limit_at, now, zone)}"
        return text
    if points < 0:
        return f"{-points} % behind pace"
    return "on pace"


def window_rows(
    window: Window, now: datetime, zone: tzinfo, show_source: bool = True
) -> list[tuple[Text, Text]]:
    """The window's line, what it was read from and when, and its pace when there is one."""
    source = SOURCE_LABELS.get(window.source, window.source) if show_source else ""
    ratio = window.used_ratio
    if window.window == "credits":
        where = Text(f"  ({source})", "dim") if source else Text("")
        return [(_label(window), plain(window.detail or "n/a") + where)]
    style = "red" if window.warn or (ratio or 0) >= 1 else "green"
    if window.pace is not None and window.pace > 0 and style == "green":
        style = "yellow"
    line = bar(ratio, style) + Text(" ")
    if window.expired:
        line += Text("expired", style="dim")
        if window.resets_at is not None:
            line += Text(f" (reset at {clock(window.resets_at, now, zone)})", style="dim")
    elif ratio is None:
        line += Text("n/a")
    else:
        line += Text(f"{(ratio * 100).quantize(Decimal('1')):>3} %", style="bold")
        if window.resets_at is not None:
            left = duration(window.resets_at - now)
            line += Text(f"  resets {clock(window.resets_at, now, zone)} (in {left})")
    about = Text(source, style="dim")
    if window.observed_at is not None:
        read_from = f" ({source})" if source else ""
        about = Text(f"read {duration(now - window.observed_at)} ago{read_from}", style="dim")
    if window.detail:
        about += Text(" · ") + plain(window.detail)
    rows = [(_label(window), line), (Text(""), about)]
    pace = pace_text(window, now, zone) if not window.stale else ""
    if pace:
        rows.append((Text(""), Text(pace, style="italic")))
    return rows


def block_row(block: Block, now: datetime, zone: tzinfo) -> tuple[Text, Text]:
    span = f"{clock(block.start, now, zone)}–{clock(block.end, now, zone)}"
    parts = [span, f"{tokens(block.tokens)} tokens", f"{_usd(block.cost_usd)} est."]
    if block.burn_tokens_per_min is not None:
        parts.append(f"{tokens(block.burn_tokens_per_min)} tokens/min")
    if block.burn_usd_per_hour is not None:
        parts.append(f"{_usd(block.burn_usd_per_hour)}/h")
    text = " · ".join(parts)
    if block.projected_cost_usd is not None:
        text += f" → {_usd(block.projected_cost_usd)} by {clock(block.end, now, zone)}"
    line = Text(text)
    if block.unpriced:
        line += Text(" · not priced: ") + plain(", ".join(block.unpriced))
    return Text("5-hour block"), line


def spend_text(spend: Spend | None, budget: Budget | None) -> Text:
    if spend is None and budget is None:
        return Text("n/a")
    line = Text()
    if spend is not None:
        kind = " + ".join(SPEND_LABELS[source] for source in spend.sources)
        line += Text(f"{_usd(spend.spent_usd)} ", style="bold") + Text(kind)
    else:
        line += Text("$0.00 (nothing recorded)")
    if budget is not None:
        share = budget.spent_usd * 100 / budget.monthly_usd
        style = "red bold" if budget.over else ("yellow" if budget.warn else "")
        over = " — over budget" if budget.over else ""
        line += Text(f" of {_usd(budget.monthly_usd)} budget ({share:.0f} %){over}", style=style)
    projected = spend.projected_usd if spend else budget.projected_usd if budget else None
    line += Text(f" → {_usd(projected)} by month end")
    if spend is not None and spend.unpriced:
        line += Text(" · not priced: ") + plain(", ".join(spend.unpriced))
    return line


def _section(title: str, rows: list[tuple[Text, Text]]) -> Table:
    table = Table.grid(padding=(0, 2))
    table.add_column(min_width=14)
    table.add_column()
    for label, value in rows:
        table.add_row(label, value)
    table.title = title
    table.title_justify = "left"
    table.title_style = "bold"
    return table


def render_status(document: StatusDocument, zone: tzinfo) -> RenderableType:
    """Every provider with something to show, then the overall budget and spend."""
    now = document.generated_at
    spend = {s.provider: s for s in document.spend}
    budgets = {b.provider: b for b in document.budgets}
    parts: list[RenderableType] = []
    for provider in PROVIDER_NAMES:
        rows: list[tuple[Text, Text]] = []
        mine = [w for w in document.windows if w.provider == provider]
        groups = {(w.source, w.model) for w in mine}
        group: tuple[str, str | None] | None = None
        for window in mine:
            if len(groups) > 1 and (window.source, window.model) != group:
                group = (window.source, window.model)
                rows.append((Text(""), _heading(window)))
            rows += window_rows(window, now, zone, show_source=len(groups) == 1)
        rows += [block_row(b, now, zone) for b in document.blocks if b.provider == provider]
        rows += [
            (plain(SOURCE_LABELS.get(e.source, e.source)), plain(e.message, style="red"))
            for e in document.errors
            if e.provider == provider
        ]
        if provider in spend or provider in budgets:
            rows.append(
                (Text("this month"), spend_text(spend.get(provider), budgets.get(provider)))
            )
        if rows:
            parts.append(_section(TITLES[provider], rows))
    if "all" in spend or "all" in budgets:
        parts.append(
            _section(
                "All providers",
                [(Text("this month"), spend_text(spend.get("all"), budgets.get("all")))],
            )
        )
    has_claude = any(w.provider == "claude" and w.source == "statusline" for w in document.windows)
    if not has_claude and (
        any(b.provider == "claude" for b in document.blocks) or "claude" in spend
    ):
        parts.append(Text(STATUSLINE_HINT, style="dim"))
    if not parts:
        parts.append(
            Text(
                "Nothing to show yet. Set `aiusage statusline` as Claude Code's status line, use "
                "Codex, enter Cursor figures with `aiusage cursor set`, or configure an admin key "
                "(see `aiusage report`)."
            )
        )
    parts.append(Text(f"as of {clock(now, now, zone)} ({document.timezone})", style="dim"))
    return Group(*_spaced(parts))


def _spaced(parts: list[RenderableType]) -> list[RenderableType]:
    spaced: list[RenderableType] = []
    for part in parts:
        if spaced:
            spaced.append(Text(""))
        spaced.append(part)
    return spaced
