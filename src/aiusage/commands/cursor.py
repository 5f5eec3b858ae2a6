"""``aiusage cursor set|show|clear``: Cursor usage of an individual plan, typed in by hand."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import TYPE_CHECKING, Annotated

import typer

from aiusage.commands.options import ListFormat
from aiusage.commands.runtime import console, exit_for, open_store
from aiusage.errors import AiUsageError, UsageError
from aiusage.render.format import NONE, usd

if TYPE_CHECKING:
    from rich.table import Table

    from aiusage.sources.manual.cursor import ManualEntry

cursor_app = typer.Typer(
    help="Cursor usage of an individual plan, entered by hand from the Cursor dashboard.",
    context_settings={"help_option_names": ["-h", "--help"]},
    no_args_is_help=True,
    rich_markup_mode=None,
)


def _value(value: Decimal | int | None, money: bool) -> str:
    if value is None:
        return NONE
    return usd(Decimal(value)) if money else f"{value:,}"


def _of(used: Decimal | int | None, limit: Decimal | int | None, money: bool) -> str:
    """``$12.40 of $20.00 (62%)``; just the used amount when there is no limit."""
    if limit is None:
        return _value(used, money)
    if used is None:
        return f"{NONE} of {_value(limit, money)}"
    percent = f" ({Decimal(used) * 100 / Decimal(limit):.0f}%)" if limit else ""
    return f"{_value(used, money)} of {_value(limit, money)}{percent}"


def _cycle(entry: ManualEntry) -> str:
    return f"{entry.cycle_start:%Y-%m-%d} → {entry.cycle_end:%Y-%m-%d}"


def entry_table(entry: ManualEntry) -> Table:
    from rich.table import Table

    from aiusage.terminal_text import plain

    table = Table(title="Cursor (entered by hand)", show_header=False)
    table.add_column("What")
    table.add_column("Value")
    table.add_row("Entered (UTC)", f"{entry.observed_at:%Y-%m-%d %H:%M}")
    table.add_row("Plan", plain(entry.plan or NONE))  # the store's text: never markup
    table.add_row("Included usage", _of(entry.used_usd, entry.included_usd, True))
    table.add_row("On-demand", usd(entry.on_demand_usd))
    if entry.fast_requests is not None or entry.fast_limit is not None:
        table.add_row("Fast requests", _of(entry.fast_requests, entry.fast_limit, False))
    if entry.premium_requests is not None or entry.premium_limit is not None:
        table.add_row("Premium requests", _of(entry.premium_requests, entry.premium_limit, False))
    table.add_row("Cycle (UTC)", _cycle(entry))
    return table


def history_table(entries: list[ManualEntry]) -> Table:
    from rich.table import Table

    from aiusage.terminal_text import plain

    table = Table(title="Cursor entries, oldest first")
    for header in ("Entered (UTC)", "Plan", "Included usage", "On-demand", "Requests", "Cycle"):
        table.add_column(header)
    for e in entries:
        requests = [
            f"{label} {_of(used, limit, False)}"
            for label, used, limit in (
                ("fast", e.fast_requests, e.fast_limit),
                ("premium", e.premium_requests, e.premium_limit),
            )
            if used is not None
        ]
        table.add_row(
            f"{e.observed_at:%Y-%m-%d %H:%M}",
            plain(e.plan or NONE),
            _of(e.used_usd, e.included_usd, True),
            usd(e.on_demand_usd),
            ", ".join(requests) or NONE,
            _cycle(e),
        )
    return table


@cursor_app.command("set")
def set_entry(
    plan: Annotated[
        str | None,
        typer.Option(
            metavar="NAME",
            help="free, pro, pro-plus, ultra, teams or enterprise (kept from last time).",
        ),
    ] = None,
    used_usd: Annotated[
        str | None,
        typer.Option(metavar="USD", help="Included usage used so far this cycle, in dollars."),
    ] = None,
    included_usd: Annotated[
        str | None,
        typer.Option(
            metavar="USD", help="Dollars the plan includes (default: Pro 20, Pro+ 70, Ultra 400)."
        ),
    ] = None,
    on_demand_usd: Annotated[
        str | None,
        typer.Option(metavar="USD", help="On-demand (pay-as-you-go) spend this cycle, in dollars."),
    ] = None,
    fast_requests: Annotated[
        str | None, typer.Option(metavar="N", help="Fast requests used (request-based plans).")
    ] = None,
    fast_limit: Annotated[
        str | None, typer.Option(metavar="N", help="Fast requests included.")
    ] = None,
    premium_requests: Annotated[
        str | None, typer.Option(metavar="N", help="Premium requests used (request-based plans).")
    ] = None,
    premium_limit: Annotated[
        str | None, typer.Option(metavar="N", help="Premium requests included.")
    ] = None,
    cycle_start: Annotated[
        str | None,
        typer.Option(
            metavar="DATE",
            help="Start of the billing cycle (default: the current one, or this month).",
        ),
    ] = None,
    cycle_end: Annotated[
        str | None,
        typer.Option(
            metavar="DATE", help="End of the billing cycle (default: one month after start)."
        ),
    ] = None,
) -> None:
    """Record what the Cursor dashboard shows now, as a new dated entry."""
    from aiusage.models import utc_now
    from aiusage.sources.manual.cursor import EntryInput, add_entry

    given = EntryInput(
        plan=plan,
        used_usd=used_usd,
        included_usd=included_usd,
        on_demand_usd=on_demand_usd,
        fast_requests=fast_requests,
        fast_limit=fast_limit,
        premium_requests=premium_requests,
        premium_limit=premium_limit,
        cycle_start=cycle_start,
        cycle_end=cycle_end,
    )
    try:
        with open_store() as store:
            entry = add_entry(store, given, utc_now())
    except AiUsageError as error:
        raise exit_for(error) from None
    console().print(entry_table(entry))


@cursor_app.command("show")
def show(
    all_entries: Annotated[
        bool, typer.Option("--history", help="Every entry, oldest first.")
    ] = False,
    output_format: Annotated[
        ListFormat, typer.Option("--format", help="table or json.")
    ] = ListFormat.table,
) -> None:
    """Show the latest entry (or all of them)."""
    from aiusage.sources.manual.cursor import history

    try:
        with open_store() as store:
            entries = history(store)
    except AiUsageError as error:
        raise exit_for(error) from None
    chosen = entries if all_entries else entries[-1:]
    if output_format == ListFormat.json:
        documents = [json.loads(e.model_dump_json()) for e in chosen]
        body = documents if all_entries else (documents[0] if documents else None)
        from aiusage.terminal_text import write_stdout

        write_stdout(json.dumps(body, indent=2) + "\n")
        return
    if not entries:
        console().print(
            "No Cursor entry yet. Add one with: aiusage cursor set --plan pro --used-usd 12.40",
            markup=False,
        )
        return
    console().print(history_table(entries) if all_entries else entry_table(entries[-1]))


@cursor_app.command("clear")
def clear(
    yes: Annotated[bool, typer.Option("--yes", "-y", help="Do not ask for confirmation.")] = False,
) -> None:
    """Delete every Cursor entry (asks first)."""
    from aiusage.sources.manual import cursor as cursor_manual

    try:
        with open_store() as store:
            count = len(cursor_manual.history(store))
            if count == 0:
                console().print("No Cursor entries to delete.")
                return
            if not yes:
                try:
                    agreed = typer.confirm(f"Delete all {count} Cursor entries?", default=False)
                except typer.Abort:
                    raise UsageError(
                        "no answer to the confirmation; pass --yes to delete without asking"
                    ) from None
                if not agreed:
                    console().print("Nothing deleted.")
                    return
            deleted = cursor_manual.clear(store)
    except AiUsageError as error:
        raise exit_for(error) from None
    console().print(f"Deleted {deleted} Cursor entries.")
