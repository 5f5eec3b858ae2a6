"""The top-level command group: global flags anywhere, help without arguments, quiet pipes."""

from __future__ import annotations

import os
import sys
from typing import TYPE_CHECKING, Any

import typer
from typer._click.exceptions import ClickException, UsageError
from typer.core import TyperGroup

if TYPE_CHECKING:
    # Typer 0.29 carries its own copy of Click; its groups take that copy's Context.
    from typer._click.core import Context

# Flags of the top level that are also accepted after the subcommand (`aiusage report --debug`).
GLOBAL_FLAGS = ("--debug", "--verbose")


def hoist_global_flags(args: list[str]) -> list[str]:
    """Move the global flags found after the subcommand to the front (never past ``--``)."""
    end = args.index("--") if "--" in args else len(args)
    flags = [arg for arg in args[:end] if arg in GLOBAL_FLAGS]
    rest = [arg for arg in args[:end] if arg not in GLOBAL_FLAGS]
    return [*dict.fromkeys(flags), *rest, *args[end:]]


def silence_stdout() -> None:
    """Point stdout at the null device: the reader has gone (``aiusage report | head``)."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):
        pass  # stdout is no real file (tests): nothing is flushed to it at exit


class CommandLineError(ClickException):
    """A wrong command line, said the way every aiusage error is: what is wrong comes first."""

    exit_code = 2

    def show(self, file: Any = None) -> None:
        typer.echo(f"aiusage: {self.message}", err=True)


def plain_usage_error(error: UsageError) -> CommandLineError:
    """Click's usage error as one line: ``invalid value for '--by': 'x' is not one of …``."""
    message = error.format_message().replace("Value error, ", "")
    message = message[:1].lower() + message[1:]
    command = error.ctx.command_path if error.ctx is not None else "aiusage"
    return CommandLineError(f"{message.rstrip('.')} (see {command} -h)")


class AiUsageGroup(TyperGroup):
    """Help when called bare (exit 0); a reader that went away ends the command with 0."""

    def parse_args(self, ctx: Context, args: list[str]) -> list[str]:
        try:
            if not args and not ctx.resilient_parsing:
                typer.echo(ctx.get_help())
                ctx.exit(0)
            return super().parse_args(ctx, hoist_global_flags(args))
        except UsageError as error:
            raise plain_usage_error(error) from None
        except BrokenPipeError:
            silence_stdout()
            ctx.exit(0)

    def invoke(self, ctx: Context) -> Any:
        try:
            try:
                return super().invoke(ctx)
            finally:
                # Flushed here, so that a closed pipe is ours to handle, not Click's (exit 1).
                sys.stdout.flush()
        except UsageError as error:
            raise plain_usage_error(error) from None
        except BrokenPipeError:
            silence_stdout()
            ctx.exit(0)
