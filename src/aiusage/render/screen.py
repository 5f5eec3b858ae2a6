"""The report as a person reads it in a terminal: warnings, the usage table, then short notes.

The first screen answers "how much?": the table ends with its totals, and what follows is at
most a few one-line notes (estimates, what was left out to fit, limits, what is not set up),
so that in an 80×24 terminal the totals stay in view. ``--verbose`` adds the full limits
table and the set-up text of each provider that is not configured.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC
from decimal import Decimal

from rich.console import Console
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from aiusage.grouping import with_rows
from aiusage.models import Period, Report
from aiusage.periods import describe_period, period_ends
from aiusage.render.activity import activity_table
from aiusage.render.format import NONE, usd
from aiusage.render.usage import build_rows, usage_table
from aiusage.terminal_text import plain, visible
from aiusage.zones import zone_named


def title_of(report: Report) -> str:
    period = Period(since=report.since, until=report.until)
    return f"Usage {describe_period(period, zone_named(report.timezone).tz, report.timezone)}"


def _line(console: Console, *parts: tuple[str, str]) -> None:
    """One line of our words (style, text) and data; never parsed as markup."""
    text = Text()
    for style, part in parts:
        text.append(part, style=style)
    console.print(text, soft_wrap=False, overflow="fold")


def limits_line(report: Report, width: int) -> str | None:
    """The limits in one line, fullest first, pointing to ``aiusage status`` for the rest.

    A reading whose reset has passed says "expired" after the current ones: its percentage
    belongs to a window that is over, and showing it would pass an old figure off as now.
    """
    if not report.quotas:
        return None
    current: list[tuple[Decimal, str]] = []
    expired: list[str] = []
    for quota in report.quotas:
        label = f"{quota.provider} {visible(quota.name)}"
        if quota.resets_at is not None and quota.resets_at <= report.generated_at:
            expired.append(f"{label} expired")
        elif (percent := quota.percent) is not None:
            current.append((percent, f"{label} {percent:.0f}%"))
    items = [item for _, item in sorted(current, key=lambda pair: -pair[0])] + expired
    suffix = " — details: aiusage status"
    shown: list[str] = []
    for item in items:
        candidate = "Limits: " + ", ".join([*shown, item])
        rest = len(report.quotas) - len(shown) - 1
        more = f" (+{rest} more)" if rest else ""
        if len(candidate) + len(more) + len(suffix) > width and shown:
            break
        shown.append(item)
    rest = len(report.quotas) - len(shown)
    if not shown:
        return f"Limits: {rest} readings{suffix}"
    more = f" (+{rest} more)" if rest else ""
    return f"Limits: {', '.join(shown)}{more}{suffix}"


def quota_table(report: Report) -> Table:
    table = Table(title="Limits and allowances", title_justify="left")
    zone = zone_named(report.timezone)
    headers = ("Provider", "Source", "Limit", "Scope", "Used", "Limit", "%", "Resets")
    for index, header in enumerate(headers):
        numeric = header in ("Used", "%") or index == 5
        title = f"Resets ({zone.name})" if header == "Resets" else header
        table.add_column(title, justify="right" if numeric else "left", overflow="fold")
    for q in report.quotas:
        percent = q.percent
        table.add_row(
            q.provider,
            q.source,
            plain(q.name + (" (estimate)" if q.estimated else "")),
            plain(q.scope or NONE),
            _amount(q.used, q.unit),
            _amount(q.limit, q.unit) if q.limit is not None else "no limit",
            NONE if percent is None else f"{percent:.0f}%",
            NONE if q.resets_at is None else f"{q.resets_at.astimezone(zone.tz):%b %d %H:%M}",
        )
    return table


def _amount(value: Decimal | None, unit: str) -> str:
    if value is None:
        return NONE
    if unit == "usd":
        return usd(value)
    if unit == "percent":
        return f"{value:.0f}%"
    return f"{value.normalize():,f} {visible(unit)}".rstrip()


def _getting_started(console: Console, setup_hints: dict[str, str]) -> None:
    lines = "\n".join(f"• {name}: {hint}" for name, hint in setup_hints.items())
    console.print(
        Panel(
            Text(
                "No provider is configured yet and no local logs were found.\n"
                f"{lines}\nPut the variables in the environment or in a .env file, then run "
                "`aiusage test-keys`."
            ),
            title="Getting started",
        )
    )


NOTHING_LOCAL = "No local logs (Claude Code, Codex, Gemini CLI) or manual entries were found."
SESSION_NOTE = (
    "--by session splits local logs only (Claude Code, Codex, Gemini CLI); API rows show —"
)


def _notes(report: Report, shape_notes: list[str], width: int) -> list[str]:
    notes: list[str] = []
    if any(g.cost_kind in ("estimated", "mixed") for g in report.groups):
        notes.append("~ estimated from published prices, not billed amounts")
    if shape_notes:
        note = f"Shortened to fit: {', '.join(shape_notes)}"
        full = f"{note} (exact: --format csv)"
        notes.append(full if len(full) <= width else note)
    zone = zone_named(report.timezone)
    for covered in report.coverage:
        span = Period(since=covered.since, until=covered.until)
        if covered.bucket_zone == "UTC" and not zone.is_utc:
            since, until = period_ends(span, UTC)
            notes.append(
                f"{covered.provider} {covered.source}: whole UTC days {since} – {until} "
                "(its dollars exist per UTC day only)"
            )
        else:
            since, until = period_ends(span, zone.tz)
            notes.append(
                f"{covered.provider} {covered.source}: whole vendor buckets {since} – {until}"
            )
    if report.group_by == "session" and not any(g.source == "local" for g in report.groups):
        notes.append(SESSION_NOTE)
    return notes


def render_table(
    report: Report,
    console: Console,
    setup_hints: dict[str, str],
    *,
    verbose: bool = False,
    read_from: Sequence[str] = (),
    sources_found: bool | None = None,
) -> None:
    """Print the whole report: warnings, the usage table with its totals, then short notes.

    ``read_from`` names what was read (log folders, APIs) for the "no usage" line;
    ``sources_found`` says whether any source exists at all (None: judge from the report).
    """
    report = with_rows(report)
    width = console.width
    found = sources_found if sources_found is not None else bool(read_from)
    nothing = not report.records and not report.quotas and not report.errors
    if nothing and not found and len(report.not_configured) == len(setup_hints):
        if setup_hints:
            _getting_started(console, setup_hints)
        else:  # only local sources were asked for
            _line(console, ("", NOTHING_LOCAL))
        if report.group_by == "session":
            _line(console, ("dim", SESSION_NOTE))
        return
    for w in report.warnings:
        _line(console, ("yellow", "warning "), ("", f"{w.provider} {w.source}: "),
              ("", visible(w.message)))  # fmt: skip
    if report.groups:
        rows = build_rows(
            report.groups, report.totals, report.group_by, report.breakdown, report.timezone
        )
        plain = console.color_system is None and console.encoding.lower().startswith("utf")
        table, shape = usage_table(rows, width, title_of(report), plain)
        console.print(table)
        notes = _notes(report, shape.left_out(), width)
    else:
        notes = _notes(report, [], width)
        if not report.errors:
            period = Period(since=report.since, until=report.until)
            since, until = period_ends(period, zone_named(report.timezone).tz)
            where = f"; read: {', '.join(visible(r) for r in read_from)}" if read_from else ""
            _line(
                console,
                ("", f"No usage between {since} and {until} ({report.timezone}{where})."),
            )
    for note in notes:
        _line(console, ("dim", note))
    if verbose and report.quotas:
        console.print(quota_table(report))
    elif (limits := limits_line(report, width)) is not None:
        _line(console, ("", limits))
    if report.cursor_activity and verbose:
        console.print(activity_table(report.cursor_activity))
    elif report.cursor_activity:
        _line(console, ("dim", "Cursor AI code activity: aiusage report --verbose"))
    for e in report.errors:
        _line(console, ("bold red", "error "), ("", f"{e.provider} {e.source} [{e.kind}]: "),
              ("", visible(e.message)))  # fmt: skip
    if report.not_configured:
        if verbose:
            lines = "\n".join(
                f"{name}: {setup_hints.get(name, '')}" for name in report.not_configured
            )
            console.print(Panel(Text(lines), title="Not configured"))
        else:
            names = ", ".join(report.not_configured)
            _line(console, ("dim", f"APIs not set up: {names} — aiusage test-keys"))
