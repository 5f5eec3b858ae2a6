"""The Typer app: wiring only. Maps ``AiUsageError`` to exit codes; no HTTP, SQL or arithmetic."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from aiusage import __version__
from aiusage.commands.app_group import AiUsageGroup
from aiusage.commands.budget import budget_app
from aiusage.commands.cursor import cursor_app
from aiusage.commands.metrics_options import ExportFormat, LabelSplit
from aiusage.commands.options import (
    GranularityChoice,
    GroupChoice,
    ListFormat,
    ProviderChoice,
    ReportFormat,
    SourceChoice,
    provider_names,
)
from aiusage.commands.runtime import run_command
from aiusage.commands.status import STATUS_SETTINGS, status_command, statusline_command
from aiusage.errors import UsageError

if TYPE_CHECKING:
    from rich.console import Console

# Start-up budget (benchmarks/bench_startup.py): rich and logging are imported only by the
# commands that use them, so `--version` and `--help` load neither.
app = typer.Typer(
    name="aiusage",
    cls=AiUsageGroup,
    help="How much you use and spend on Claude, OpenAI, Gemini and Cursor, in one report.",
    context_settings={"help_option_names": ["-h", "--help"]},
    pretty_exceptions_show_locals=False,
    no_args_is_help=True,
    rich_markup_mode=None,
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"aiusage {__version__}")
        raise typer.Exit()


@app.callback()
def main_options(
    version: Annotated[
        bool,
        typer.Option("--version", "-V", callback=_version, is_eager=True, help="Show the version."),
    ] = False,
    debug: Annotated[
        bool, typer.Option("--debug", help="Log what happens to stderr (here or after a command).")
    ] = False,
    verbose: Annotated[
        bool,
        typer.Option("--verbose", help="Show every detail: limits, set-up text (here or after)."),
    ] = False,
) -> None:
    """How much you use and spend on AI services."""
    from aiusage.diagnostics import configure_logging

    # Libraries log at WARNING only (hpack logs HTTP/2 headers, keys included, at DEBUG);
    # every line is redacted by value. AIUSAGE_DEBUG=2 opens the libraries' DEBUG too.
    configure_logging(debug)


@app.command()
def report(
    ctx: typer.Context,
    since: Annotated[
        str | None,
        typer.Option(
            metavar="WHEN",
            help="Start: 2026-10-01 or 20261001, 2026-10-01T09:00 (in the time zone unless it "
            "has an offset), 90m/24h/7d/4w, today, yesterday, week, month or year "
            "[default: 30 days ago].",
        ),
    ] = None,
    until: Annotated[
        str | None, typer.Option(metavar="WHEN", help="End, exclusive [default: now].")
    ] = None,
    timezone: Annotated[
        str | None,
        typer.Option(
            "--timezone",
            metavar="ZONE",
            help="Days, weeks and months in this zone: an IANA name (Europe/Berlin), UTC or "
            "local [default: AIUSAGE_TIMEZONE, else the system's].",
        ),
    ] = None,
    provider: Annotated[
        list[ProviderChoice] | None,
        typer.Option(
            metavar="NAME",
            case_sensitive=False,
            help="Only this provider (repeatable): claude, openai, gemini, cursor "
            "(anthropic and google work too).",
        ),
    ] = None,
    source: Annotated[
        list[SourceChoice] | None,
        typer.Option(
            metavar="KIND",
            case_sensitive=False,
            help="Only this kind of source (repeatable): api, local, manual.",
        ),
    ] = None,
    by: Annotated[
        GroupChoice,
        typer.Option(
            case_sensitive=False,
            help="Rows per provider, model, day, week, month, hour, session (local logs), "
            "project, user or product.",
        ),
    ] = GroupChoice.model,
    breakdown: Annotated[
        bool, typer.Option("--breakdown", help="Add a row per model under each row.")
    ] = False,
    granularity: Annotated[
        GranularityChoice,
        typer.Option(case_sensitive=False, help="Bucket width asked of the vendors."),
    ] = GranularityChoice.day,
    output_format: Annotated[
        ReportFormat, typer.Option("--format", case_sensitive=False, help="table, json or csv.")
    ] = ReportFormat.table,
    as_json: Annotated[bool, typer.Option("--json", help="Same as --format json.")] = False,
    refresh: Annotated[bool, typer.Option("--refresh", help="Ignore cached answers.")] = False,
    offline: Annotated[
        bool, typer.Option("--offline", help="Never use the network; report from the store.")
    ] = False,
) -> None:
    """Usage and cost per provider and model over a period, in your time zone."""
    from aiusage.commands.report import ReportRequest, run_report

    def body(stdout: Console, stderr: Console) -> int:
        if refresh and offline:
            raise UsageError("--refresh and --offline cannot be used together")
        if as_json and output_format not in (ReportFormat.table, ReportFormat.json):
            raise UsageError(f"--json and --format {output_format.value} cannot be used together")
        return run_report(
            ReportRequest(
                since=since,
                until=until,
                timezone=timezone,
                providers=provider_names(provider),
                sources=[s.value for s in source or []],
                group_by=by.value,
                breakdown=breakdown,
                granularity=granularity.value,
                output_format="json" if as_json else output_format.value,
                refresh=refresh,
                offline=offline,
                verbose=bool(ctx.find_root().params.get("verbose")),
            ),
            stdout=stdout,
            stderr=stderr,
        )

    run_command(body)


@app.command("test-keys")
def test_keys(
    provider: Annotated[
        list[ProviderChoice] | None,
        typer.Option(metavar="NAME", case_sensitive=False, help="Only this provider (repeatable)."),
    ] = None,
    output_format: Annotated[
        ListFormat, typer.Option("--format", case_sensitive=False, help="table or json.")
    ] = ListFormat.table,
) -> None:
    """Check every configured credential, with a fix for each failure."""
    from aiusage.commands.test_keys import run_test_keys

    def body(stdout: Console, stderr: Console) -> int:
        return run_test_keys(
            providers=provider_names(provider),
            output_format=output_format.value,
            stdout=stdout,
        )

    run_command(body)


@app.command()
def export(
    output_format: Annotated[
        ExportFormat, typer.Option("--format", help="prometheus (text 0.0.4) or openmetrics.")
    ] = ExportFormat.prometheus,
    output: Annotated[
        Path | None,
        typer.Option(
            metavar="FILE",
            help="Write to this file atomically (for node_exporter's textfile collector).",
        ),
    ] = None,
    push_url: Annotated[
        str | None,
        typer.Option("--push", metavar="URL", help="Push to this Prometheus Pushgateway."),
    ] = None,
    instance: Annotated[
        str | None,
        typer.Option(metavar="NAME", help="The instance label of a push [default: host name]."),
    ] = None,
    by: Annotated[
        LabelSplit | None,
        typer.Option(
            help="Add a project or user label (off by default: they can hold folder paths "
            "and e-mail addresses)."
        ),
    ] = None,
    offline: Annotated[
        bool, typer.Option("--offline", help="Never use the network; export the store.")
    ] = False,
) -> None:
    """Prometheus/OpenMetrics metrics of everything the store holds, once."""
    from aiusage.commands.export import run_export

    def body(_: Console, stderr: Console) -> int:
        return run_export(
            output_format=output_format.value,
            output=output,
            push_url=push_url,
            instance=instance,
            offline=offline,
            split=None if by is None else by.value,
            stderr=stderr,
        )

    run_command(body)


@app.command()
def serve(
    host: Annotated[
        str,
        typer.Option(
            metavar="ADDRESS", help="Address to listen on; anything but loopback is said aloud."
        ),
    ] = "127.0.0.1",
    port: Annotated[
        int, typer.Option(metavar="PORT", min=0, max=65535, help="Port to listen on.")
    ] = 9464,
    by: Annotated[
        LabelSplit | None,
        typer.Option(
            help="Add a project or user label (off by default: they can hold folder paths "
            "and e-mail addresses)."
        ),
    ] = None,
) -> None:
    """A Prometheus exporter: scrapes answered from the store, refreshed in the background."""
    from aiusage.commands.serve import run_serve

    def body(_: Console, stderr: Console) -> int:
        return run_serve(
            host=host, port=port, split=None if by is None else by.value, stderr=stderr
        )

    run_command(body)


app.add_typer(cursor_app, name="cursor")
app.command(
    "status", context_settings=STATUS_SETTINGS, options_metavar="[OPTIONS] [--watch [SECONDS]]"
)(status_command)
app.command("statusline")(statusline_command)
app.add_typer(budget_app, name="budget")


def main() -> None:
    app()
