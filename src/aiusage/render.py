"""Rich tables and JSON/CSV documents, all rendered from the same ``Report``."""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from rich.console import Console
from rich.panel import Panel
from rich.table import Table

from aiusage.models import GroupBy, KeyCheck, Report, UsageRecord, format_utc
from aiusage.render_activity import activity_table

CSV_FIELDS = (
    "provider",
    "source",
    "start",
    "end",
    "model",
    "scope",
    "product",
    "input_tokens",
    "output_tokens",
    "cache_read_tokens",
    "cache_write_tokens",
    "requests",
    "cost_usd",
    "cost_kind",
)
NONE = "—"
FREE_TEXT_HEADERS = ("Model", "Project", "User", "Product")
NUMBER_HEADERS = ("Input", "Output", "Cache read", "Cache write", "Requests", "Cost (USD)")


@dataclass
class Row:
    """Records summed under one label; cost keeps track of how much of it is known and how."""

    input_tokens: int = 0
    output_tokens: int = 0
    cache_read_tokens: int = 0
    cache_write_tokens: int = 0
    requests: int | None = None
    cost: Decimal = Decimal(0)
    kinds: set[str] = field(default_factory=set)
    unpriced: bool = False

    def add(self, record: UsageRecord) -> None:
        self.input_tokens += record.input_tokens
        self.output_tokens += record.output_tokens
        self.cache_read_tokens += record.cache_read_tokens
        self.cache_write_tokens += record.cache_write_tokens
        if record.requests is not None:
            self.requests = (self.requests or 0) + record.requests
        if record.cost_usd is None:
            self.unpriced = self.unpriced or record.total_tokens > 0
        else:
            self.cost += record.cost_usd
            self.kinds.add(record.cost_kind or "")

    def merge(self, other: Row) -> None:
        self.input_tokens += other.input_tokens
        self.output_tokens += other.output_tokens
        self.cache_read_tokens += other.cache_read_tokens
        self.cache_write_tokens += other.cache_write_tokens
        if other.requests is not None:
            self.requests = (self.requests or 0) + other.requests
        self.cost += other.cost
        self.kinds |= other.kinds
        self.unpriced = self.unpriced or other.unpriced


def money(row: Row) -> str:
    """``$1.23`` reported, ``~$1.23`` estimated (in part), ``+?`` where a model has no price."""
    if not row.kinds:
        return "?" if row.unpriced else NONE
    text = f"${row.cost.quantize(Decimal('0.01'))}"
    if "estimated" in row.kinds:
        text = "~" + text
    return text + ("+?" if row.unpriced else "")


def _label(record: UsageRecord, group_by: GroupBy) -> tuple[str, ...]:
    what = record.model or (f"({record.product})" if record.product else NONE)
    if group_by == "provider":
        return (record.provider, record.source)
    if group_by == "day":
        return (record.start.strftime("%Y-%m-%d"), record.provider, record.source)
    if group_by in ("project", "user"):
        return (record.provider, record.source, record.scope or NONE)
    if group_by == "product":
        return (record.provider, record.source, record.product or NONE)
    return (record.provider, record.source, what)


_HEADERS: dict[GroupBy, tuple[str, ...]] = {
    "provider": ("Provider", "Source"),
    "model": ("Provider", "Source", "Model"),
    "day": ("Day (UTC)", "Provider", "Source"),
    "project": ("Provider", "Source", "Project"),
    "user": ("Provider", "Source", "User"),
    "product": ("Provider", "Source", "Product"),
}


def group_rows(records: Iterable[UsageRecord], group_by: GroupBy) -> dict[tuple[str, ...], Row]:
    rows: dict[tuple[str, ...], Row] = defaultdict(Row)
    for record in records:
        rows[_label(record, group_by)].add(record)
    return dict(sorted(rows.items()))


def _count(value: int, compact: bool) -> str:
    if not compact or value < 10_000:
        return f"{value:,}"
    for size, unit in ((10**12, "T"), (10**9, "B"), (10**6, "M"), (10**3, "K")):
        if value >= size:
            return f"{value / size:.1f}{unit}"
    return f"{value:,}"  # pragma: no cover - the loop always returns


def _numbers(row: Row, compact: bool = False) -> list[str]:
    return [
        _count(row.input_tokens, compact),
        _count(row.output_tokens, compact),
        _count(row.cache_read_tokens, compact),
        _count(row.cache_write_tokens, compact),
        NONE if row.requests is None else _count(row.requests, compact),
        money(row),
    ]


SHORT_NUMBER_HEADERS = ("In", "Out", "Cache rd", "Cache wr", "Reqs", "Cost $")
# Each column costs its padding (2) and a border (1) besides its text; the table one more border.
_COLUMN_OVERHEAD = 3
_MIN_FREE_TEXT = 20
_MIN_FREE_TEXT_COMPACT = 12


@dataclass
class _Layout:
    """The cells of the usage table, label columns first, before they become a Rich table."""

    headers: tuple[str, ...]
    number_headers: tuple[str, ...]
    labels: list[list[str]]
    figures: list[list[str]]
    totals: int  # the last ``totals`` rows are totals

    def widths(self, free_text_cap: int) -> list[int]:
        cells = [label + figure for label, figure in zip(self.labels, self.figures, strict=True)]
        columns = [
            [row[i] for row in cells] for i in range(len(self.headers + self.number_headers))
        ]
        widths = [
            max([len(header), *(len(cell) for cell in column)])
            for header, column in zip(self.headers + self.number_headers, columns, strict=True)
        ]
        for index, header in enumerate(self.headers):
            if header in FREE_TEXT_HEADERS:
                widths[index] = min(widths[index], free_text_cap)
        return widths


def _layout(report: Report, compact: bool) -> _Layout:
    group_by = report.group_by
    headers = _HEADERS[group_by]
    rows = group_rows(report.records, group_by)
    totals: dict[str, Row] = defaultdict(Row)
    for label, row in rows.items():
        totals[label[headers.index("Source")]].merge(row)
    labels: list[list[str]] = [list(label) for label in rows]
    figures = [_numbers(row, compact) for row in rows.values()]
    for source, total in sorted(totals.items()):
        total_label = ["Total", *[""] * (len(headers) - 1)]
        total_label[headers.index("Source")] = source
        labels.append(total_label)
        figures.append(_numbers(total, compact))
    return _Layout(
        headers=headers,
        number_headers=SHORT_NUMBER_HEADERS if compact else NUMBER_HEADERS,
        labels=labels,
        figures=figures,
        totals=len(totals),
    )


def usage_table(report: Report, width: int | None = None) -> tuple[Table, bool]:
    """The usage table, and whether it was made compact to fit ``width``.

    Figures are never cut. When the exact counts do not fit the terminal, the table drops its
    column borders and shows counts as ``181.7M`` (the caller says so; the JSON and CSV
    documents always hold the exact counts).
    """
    layout = _layout(report, compact=False)
    widths = layout.widths(_MIN_FREE_TEXT)
    columns = len(widths)
    compact = width is not None and sum(widths) + _COLUMN_OVERHEAD * columns + 1 > width
    title = f"Usage {format_utc(report.since)} → {format_utc(report.until)}"
    if compact:
        layout = _layout(report, compact=True)
        widths = layout.widths(_MIN_FREE_TEXT_COMPACT)
        table = Table(
            title=title,
            box=None,
            padding=(0, 1, 0, 0),
            pad_edge=False,
            show_edge=False,
        )
    else:
        table = Table(title=title)
    for header, column_width in zip(layout.headers, widths, strict=False):
        if header in FREE_TEXT_HEADERS:
            # Model ids and project paths are what the user compares with the vendor's
            # dashboard: wrap them rather than cut them short.
            table.add_column(header, overflow="fold", min_width=column_width)
        else:
            table.add_column(header, no_wrap=True, min_width=column_width)
    for header, column_width in zip(layout.number_headers, widths[len(layout.headers) :],
                                    strict=True):  # fmt: skip
        table.add_column(header, justify="right", no_wrap=True, min_width=column_width)
    first_total = len(layout.labels) - layout.totals
    for index, (label, figures) in enumerate(zip(layout.labels, layout.figures, strict=True)):
        if index >= first_total:
            table.add_section()
        table.add_row(*label, *figures, style="bold" if index >= first_total else None)
    return table, compact


def quota_table(report: Report) -> Table:
    table = Table(title="Limits and allowances")
    for header in ("Provider", "Source", "Limit", "Scope", "Used", "Limit", "%", "Resets (UTC)"):
        table.add_column(header, justify="right" if header in ("Used", "Limit", "%") else "left")
    for q in report.quotas:
        percent = q.percent
        table.add_row(
            q.provider,
            q.source,
            q.name + (" (estimate)" if q.estimated else ""),
            q.scope or NONE,
            _amount(q.used, q.unit),
            _amount(q.limit, q.unit) if q.limit is not None else "no limit",
            NONE if percent is None else f"{percent:.0f}%",
            NONE if q.resets_at is None else format_utc(q.resets_at),
        )
    return table


def _amount(value: Decimal | None, unit: str) -> str:
    if value is None:
        return NONE
    if unit == "usd":
        return f"${value.quantize(Decimal('0.01'))}"
    if unit == "percent":
        return f"{value:.0f}%"
    return f"{value.normalize():,f}"


def render_table(report: Report, console: Console, setup_hints: dict[str, str]) -> None:
    """Print the whole report as Rich tables and panels."""
    nothing = not report.records and not report.quotas and not report.errors
    if nothing and report.not_configured and len(report.not_configured) == len(setup_hints):
        lines = "\n".join(f"• {name}: {hint}" for name, hint in setup_hints.items())
        console.print(
            Panel(
                "No provider is configured yet and no local logs were found.\n"
                f"{lines}\nPut the variables in the environment or in a .env file, then run "
                "`aiusage test-keys`.",
                title="Getting started",
            )
        )
        return
    if report.records:
        table, compact = usage_table(report, console.width)
        console.print(table)
        if compact:
            console.print(
                "Token counts are abbreviated to fit the terminal (K, M, B); widen it, or use "
                "--format json or csv for exact figures."
            )
        if any(r.cost_kind == "estimated" for r in report.records):
            console.print("~ estimated from published prices (genai-prices), not billed amounts")
    elif not report.errors:
        console.print("No usage in this period.")
    if report.quotas:
        console.print(quota_table(report))
    if report.cursor_activity:
        console.print(activity_table(report.cursor_activity))
    for w in report.warnings:
        console.print(f"[yellow]warning[/] {w.provider} {w.source}: {w.message}")
    if report.errors:
        lines = "\n".join(f"{e.provider} {e.source} [{e.kind}]: {e.message}" for e in report.errors)
        console.print(Panel(lines, title="Errors", border_style="red"))
    if report.not_configured:
        lines = "\n".join(f"{name}: {setup_hints.get(name, '')}" for name in report.not_configured)
        console.print(Panel(lines, title="Not configured"))


def render_json(report: Report) -> str:
    return report.model_dump_json(by_alias=True, indent=2)


def render_csv(report: Report) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=CSV_FIELDS, lineterminator="\n")
    writer.writeheader()
    for record in report.records:
        row = record.model_dump(mode="json")
        # CSV keeps the exact decimal text of the money, not a float.
        row["cost_usd"] = "" if record.cost_usd is None else str(record.cost_usd)
        writer.writerow({k: "" if row[k] is None else row[k] for k in CSV_FIELDS})
    return out.getvalue()


def render_key_checks(checks: Iterable[KeyCheck], console: Console) -> None:
    """A table of verdicts, then one line with the fix for each credential that is not ok.

    The fixes are full sentences: below the table they stay readable on a narrow terminal.
    """
    table = Table(title="Credentials")
    table.add_column("Provider", no_wrap=True)
    table.add_column("Variable", no_wrap=True, overflow="fold")
    table.add_column("Status", no_wrap=True)
    table.add_column("Detail")
    colours = {"ok": "green", "missing": "dim"}
    checks = list(checks)
    for c in checks:
        colour = colours.get(c.status, "red")
        table.add_row(c.provider, c.credential, f"[{colour}]{c.status}[/]", c.detail)
    console.print(table)
    for c in checks:
        if c.status != "ok" and c.hint:
            console.print(f"[bold]{c.credential}[/]: {c.hint}", highlight=False)
