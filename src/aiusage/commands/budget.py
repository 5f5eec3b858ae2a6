"""``aiusage budget set [--provider NAME] --monthly USD [--warn PERCENT] | show | clear``.

Imported on every start of the CLI: Rich and the store load only when a subcommand runs.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Annotated, cast

import typer

from aiusage.commands.options import ListFormat, ProviderChoice, provider_names
from aiusage.commands.runtime import console, exit_for, open_store
from aiusage.errors import AiUsageError

if TYPE_CHECKING:
    from aiusage.sources.manual.budget import BudgetEntry
    from aiusage.status.document import BudgetProvider

budget_app = typer.Typer(
    help="Monthly spending budgets, overall or per provider; `status` measures spend against "
    "them and `status --check` exits 3 when one is exceeded.",
    context_settings={"help_option_names": ["-h", "--help"]},
    no_args_is_help=True,
    rich_markup_mode=None,
)


def _name(provider: ProviderChoice | None) -> BudgetProvider:
    return "all" if provider is None else cast("BudgetProvider", provider_names([provider])[0])


def _describe(entry: BudgetEntry) -> str:
    who = "all providers" if entry.provider == "all" else entry.provider
    if entry.monthly_usd is None:
        return f"{who}: cleared"
    return f"{who}: ${entry.monthly_usd:,.2f} a month, warn at {entry.warn_percent or 80:g} %"


@budget_app.command("set")
def set_budget(
    monthly: Annotated[
        str, typer.Option("--monthly", metavar="USD", help="The monthly budget in dollars.")
    ],
    provider: Annotated[
        ProviderChoice | None,
        typer.Option(
            metavar="NAME",
            case_sensitive=False,
            help="Only this provider (default: all providers together).",
        ),
    ] = None,
    warn: Annotated[
        str | None,
        typer.Option(
            metavar="PERCENT",
            help="Warn (and fail `status --check` for plan windows) at this percentage "
            "[default: 80].",
        ),
    ] = None,
) -> None:
    """Set a monthly budget (a new dated entry; the history is kept)."""
    from aiusage.models import utc_now
    from aiusage.sources.manual import budget

    try:
        amount = budget.parse_monthly(monthly)
        percent = budget.parse_warn(warn)
        with open_store() as store:
            entry = budget.set_budget(store, _name(provider), amount, percent, utc_now())
    except AiUsageError as error:
        raise exit_for(error) from None
    console().print(f"Budget set. {_describe(entry)}", markup=False, highlight=False)


@budget_app.command("show")
def show(
    all_entries: Annotated[
        bool, typer.Option("--history", help="Every entry, oldest first.")
    ] = False,
    output_format: Annotated[
        ListFormat, typer.Option("--format", case_sensitive=False, help="table or json.")
    ] = ListFormat.table,
) -> None:
    """Show the budgets in force (or the whole history)."""
    from aiusage.sources.manual import budget

    try:
        with open_store() as store:
            entries = budget.history(store) if all_entries else budget.current_budgets(store)
    except AiUsageError as error:
        raise exit_for(error) from None
    if output_format == ListFormat.json:
        from aiusage.terminal_text import write_stdout

        documents = [json.loads(e.model_dump_json()) for e in entries]
        write_stdout(json.dumps(documents, indent=2) + "\n")
        return
    stdout = console()
    if not entries:
        stdout.print(
            "No budget set. Set one with: aiusage budget set --monthly 200",
            markup=False,
            highlight=False,
        )
        return
    for entry in entries:
        stamp = f"{entry.set_at:%Y-%m-%d %H:%M} UTC  " if all_entries else ""
        stdout.print(f"{stamp}{_describe(entry)}", markup=False, highlight=False)


@budget_app.command("clear")
def clear(
    provider: Annotated[
        ProviderChoice | None,
        typer.Option(
            metavar="NAME",
            case_sensitive=False,
            help="Only this provider's budget (default: every budget).",
        ),
    ] = None,
) -> None:
    """Clear budgets (kept in the history as a dated entry)."""
    from aiusage.models import utc_now
    from aiusage.sources.manual import budget

    try:
        with open_store() as store:
            chosen: list[BudgetProvider] = [] if provider is None else [_name(provider)]
            cleared = budget.clear_budgets(store, chosen, utc_now())
    except AiUsageError as error:
        raise exit_for(error) from None
    if not cleared:
        console().print("No budget to clear.", markup=False, highlight=False)
        return
    names = ", ".join("all providers" if p == "all" else p for p in cleared)
    console().print(f"Cleared: {names}.", markup=False, highlight=False)
