"""What every command uses at run time: its two consoles, the exit for an error, the store.

Rich, the settings and the store are imported on use: the CLI imports the command modules on
every start (benchmarks/bench_startup.py), and ``--version`` needs none of them.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, NoReturn

import typer

from aiusage.errors import AiUsageError, UsageError

if TYPE_CHECKING:
    from rich.console import Console

    from aiusage.store import Store


def console(stderr: bool = False) -> Console:
    """The console for data (stdout) or for problems (``stderr=True``)."""
    from aiusage.terminal_text import make_console

    return make_console(stderr=stderr)


def consoles() -> tuple[Console, Console]:
    """The stdout and the stderr console of one command."""
    return console(), console(stderr=True)


def exit_for(error: AiUsageError, stderr: Console | None = None) -> typer.Exit:
    """Print the error's one line on stderr; the exit to raise: 2 for a usage error, else 1."""
    from aiusage.terminal_text import plain

    (stderr or console(stderr=True)).print(plain(f"aiusage: {error.message}"), soft_wrap=True)
    return typer.Exit(2 if isinstance(error, UsageError) else 1)


def run_command(body: Callable[[Console, Console], int]) -> NoReturn:
    """Run a command's body with its stdout and stderr consoles; exit with the code it returns,
    or with the exit of the ``AiUsageError`` it raised (its one line on stderr)."""
    stdout, stderr = consoles()
    try:
        code = body(stdout, stderr)
    except AiUsageError as error:
        raise exit_for(error, stderr) from None
    raise typer.Exit(code)


@contextmanager
def open_store() -> Iterator[Store]:
    """The store the settings point at, closed when the command is done with it."""
    from aiusage.settings import load_settings
    from aiusage.store import Store

    path = load_settings().store_path
    store = Store.open(path)
    try:
        yield store
    except sqlite3.Error as exc:
        # A full disk or a lost permission mid-command: one line with the path, never a
        # traceback; the transaction rolled back, so nothing stored is lost.
        from aiusage.store.database import store_failure

        raise store_failure(path, exc) from None
    finally:
        store.close()
