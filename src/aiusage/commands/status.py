"""``aiusage status [--provider NAME]... [--watch [SECONDS]] [--check] [--format table|json]``
and the Typer entry of ``aiusage statusline``.

Imported on every start of the CLI: Rich, pydantic and the status package load only when the
command runs.
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Annotated

import typer

from aiusage.commands.options import ListFormat, ProviderChoice, provider_names
from aiusage.commands.runtime import run_command
from aiusage.errors import UsageError

if TYPE_CHECKING:
    from rich.console import Console

DEFAULT_WATCH = 10
MIN_WATCH = 2
CHECK_FAILED = 3  # status --check: a budget is exceeded or a window is at its warn level


def watch_interval(extra: list[str]) -> int | None:
    """``--watch [SECONDS]`` from the arguments Typer left over (it has no optional values).

    Raises:
        UsageError: an unknown argument, or SECONDS not a whole number of at least 2.
    """
    interval: int | None = None
    index = 0
    while index < len(extra):
        arg = extra[index]
        if arg == "--watch" or arg.startswith("--watch="):
            value = arg.partition("=")[2] if "=" in arg else None
            if value is None and index + 1 < len(extra) and not extra[index + 1].startswith("-"):
                index += 1
                value = extra[index]
            if value is None:
                interval = DEFAULT_WATCH
            elif not value.isdigit() or int(value) < MIN_WATCH:
                raise UsageError(
                    f"--watch takes a whole number of seconds, at least {MIN_WATCH}, not {value!r}"
                )
            else:
                interval = int(value)
        else:
            raise UsageError(f"status does not take {arg!r}; see `aiusage status --help`")
        index += 1
    return interval


def status_command(
    ctx: typer.Context,
    provider: Annotated[
        list[ProviderChoice] | None,
        typer.Option(metavar="NAME", case_sensitive=False, help="Only this provider (repeatable)."),
    ] = None,
    check: Annotated[
        bool,
        typer.Option(
            "--check",
            help="Exit 3 when a budget is exceeded or a plan window is at or above its warn "
            "level (for cron and CI).",
        ),
    ] = False,
    output_format: Annotated[
        ListFormat,
        typer.Option("--format", case_sensitive=False, help="table or json (aiusage.status/1)."),
    ] = ListFormat.table,
) -> None:
    """Where you stand now: plan windows with resets and pace, the current 5-hour block, and
    this month's spend against your budget.

    --watch [SECONDS] redraws every SECONDS (default 10, at least 2) until Ctrl-C.
    """

    def body(stdout: Console, stderr: Console) -> int:
        interval = watch_interval(list(ctx.args))
        if interval is not None and output_format == ListFormat.json:
            raise UsageError("--watch draws a screen; it cannot be combined with --format json")
        from aiusage.status.run import run_status

        return run_status(
            providers=provider_names(provider),
            output_format=output_format.value,
            check=check,
            watch=interval,
            stdout=stdout,
            stderr=stderr,
        )

    run_command(body)


STATUS_SETTINGS = {"allow_extra_args": True, "ignore_unknown_options": True}


def statusline_command() -> None:
    """Claude Code's status line: reads its JSON on stdin, keeps the plan windows, prints one
    line. Always exits 0. Set it as statusLine.command in Claude Code's settings.json."""
    from aiusage.commands.statusline import run_statusline

    raise typer.Exit(run_statusline(sys.stdin, sys.stdout))
