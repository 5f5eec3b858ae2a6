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


def _numbers(row: Row) -> list[str]:
    return [
        f"{row.input_tokens:,}",
        f"{row.output_tokens:,}",
        f"{row.cache_read_tokens:,}",
        f"{row.cache_write_tokens:,}",
        NONE if row.requests is None else f"{row.requests:,}",
        money(row),
    ]


def usage_table(report: Report) -> Table:
    group_by = report.group_by
    title = f"Usage {format_utc(report.since)} → {format_utc(report.until)}"
    table = Table(title=title, show_footer=False)
    for header in _HEADERS[group_by]:
        table.add_column(header)
    for header in ("Input", "Output", "Cache read", "Cache write", "Requests", "Cost (USD)"):
        table.add_column(header, justify="right")
    rows = group_rows(report.records, group_by)
    totals: dict[str, Row] = defaultdict(Row)
    for label, row in rows.items():
        table.add_row(*label, *_numbers(row))
        source = label[2] if group_by == "day" else label[1]
        totals[source].merge(row)
    width = len(_HEADERS[group_by])
    for source, total in sorted(totals.items()):
        table.add_section()
        padding = [""] * (width - 1)
        table.add_row(f"Total ({source})", *padding, *_numbers(total), style="bold")
    return table


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
        console.print(usage_table(report))
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
