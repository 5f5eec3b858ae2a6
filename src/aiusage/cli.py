"""The Typer app: wiring only. Maps ``AiUsageError`` to exit codes; no HTTP, SQL or arithmetic."""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Annotated

import typer

from aiusage import __version__
from aiusage.commands.cursor import cursor_app
from aiusage.commands.options import (
    GranularityChoice,
    GroupChoice,
    ListFormat,
    ProviderChoice,
    ReportFormat,
    SourceChoice,
)
from aiusage.errors import AiUsageError, UsageError

if TYPE_CHECKING:
    from rich.console import Console

# Start-up budget (benchmarks/bench_startup.py): rich and logging are imported only by the
# commands that use them, so `--version` and `--help` load neither.
app = typer.Typer(
    name="aiusage",
    help="How much you use and spend on Claude, OpenAI, Gemini and Cursor, in one report.",
    context_settings={"help_option_names": ["-h", "--help"]},
    pretty_exceptions_show_locals=False,
    no_args_is_help=True,
    rich_markup_mode=None,
)


def _consoles() -> tuple[Console, Console]:
    from rich.console import Console

    no_color = bool(os.environ.get("NO_COLOR"))
    return Console(no_color=no_color), Console(stderr=True, no_color=no_color)


def _exit_for(error: AiUsageError, stderr: Console) -> typer.Exit:
    stderr.print(f"aiusage: {error.message}", markup=False, highlight=False, soft_wrap=True)
    return typer.Exit(2 if isinstance(error, UsageError) else 1)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"aiusage {__version__}")
        raise typer.Exit()


@app.callback()
def main_options(
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Show the version.")
    ] = False,
    debug: Annotated[bool, typer.Option("--debug", help="Log what happens to stderr.")] = False,
) -> None:
    """How much you use and spend on AI services."""
    if debug:
        import logging

        logging.basicConfig(level=logging.DEBUG, format="%(levelname)s %(name)s: %(message)s")
        # httpcore logs raw header traffic at DEBUG; headers carry keys.
        logging.getLogger("httpcore").setLevel(logging.INFO)


@app.command()
def report(
    since: Annotated[
        str | None,
        typer.Option(
            metavar="WHEN",
            help="Start: 2026-10-01, an ISO date-time, 90m/24h/7d/4w, today or month "
            "[default: 30 days ago].",
        ),
    ] = None,
    until: Annotated[
        str | None, typer.Option(metavar="WHEN", help="End, exclusive [default: now].")
    ] = None,
    provider: Annotated[
        list[ProviderChoice] | None,
        typer.Option(
            metavar="NAME", help="Only this provider (repeatable): claude, openai, gemini, cursor."
        ),
    ] = None,
    source: Annotated[
        list[SourceChoice] | None,
        typer.Option(
            metavar="KIND", help="Only this kind of source (repeatable): api, local, manual."
        ),
    ] = None,
    by: Annotated[
        GroupChoice,
        typer.Option(
            help="How rows are grouped; project, user (Claude only) and product also ask the "
            "vendors to split."
        ),
    ] = GroupChoice.model,
    granularity: Annotated[
        GranularityChoice, typer.Option(help="Bucket width asked of the vendors.")
    ] = GranularityChoice.day,
    output_format: Annotated[
        ReportFormat, typer.Option("--format", help="table, json or csv.")
    ] = ReportFormat.table,
    refresh: Annotated[bool, typer.Option("--refresh", help="Ignore cached answers.")] = False,
    offline: Annotated[
        bool, typer.Option("--offline", help="Never use the network; report from the store.")
    ] = False,
) -> None:
    """Usage and cost per provider and model over a period."""
    from aiusage.commands.report import run_report

    stdout, stderr = _consoles()
    try:
        if refresh and offline:
            raise UsageError("--refresh and --offline cannot be used together")
        code = run_report(
            since=since,
            until=until,
            providers=[p.value for p in provider or []],
            sources=[s.value for s in source or []],
            group_by=by.value,
            granularity=granularity.value,
            output_format=output_format.value,
            refresh=refresh,
            offline=offline,
            stdout=stdout,
            stderr=stderr,
        )
    except AiUsageError as error:
        raise _exit_for(error, stderr) from None
    raise typer.Exit(code)


@app.command("test-keys")
def test_keys(
    provider: Annotated[
        list[ProviderChoice] | None,
        typer.Option(metavar="NAME", help="Only this provider (repeatable)."),
    ] = None,
    output_format: Annotated[
        ListFormat, typer.Option("--format", help="table or json.")
    ] = ListFormat.table,
) -> None:
    """Check every configured credential, with a fix for each failure."""
    from aiusage.commands.test_keys import run_test_keys

    stdout, stderr = _consoles()
    try:
        code = run_test_keys(
            providers=[p.value for p in provider or []],
            output_format=output_format.value,
            stdout=stdout,
        )
    except AiUsageError as error:
        raise _exit_for(error, stderr) from None
    raise typer.Exit(code)


app.add_typer(cursor_app, name="cursor")


def main() -> None:
    app()
