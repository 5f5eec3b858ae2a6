"""The verdicts of ``aiusage test-keys`` as a table, with the fix for each failure below it."""

from __future__ import annotations

from collections.abc import Iterable

from rich.console import Console
from rich.table import Table
from rich.text import Text

from aiusage.models import KeyCheck
from aiusage.terminal_text import plain

_COLOURS = {"ok": "green", "missing": "dim"}


def render_key_checks(checks: Iterable[KeyCheck], console: Console) -> None:
    """A table of verdicts, then one line with the fix for each credential that is not ok.

    The fixes are full sentences: below the table they stay readable on a narrow terminal.
    """
    table = Table(title="Credentials")
    table.add_column("Provider", no_wrap=True)
    table.add_column("Variable", no_wrap=True, overflow="fold")
    table.add_column("Status", no_wrap=True)
    table.add_column("Detail")
    checks = list(checks)
    for c in checks:
        colour = _COLOURS.get(c.status, "red")
        table.add_row(
            c.provider, plain(c.credential), Text(c.status, style=colour), plain(c.detail)
        )
    console.print(table)
    for c in checks:
        if c.status != "ok" and c.hint:
            line = Text()
            line.append(plain(c.credential, style="bold"))
            line.append(": ")
            line.append(plain(c.hint))
            console.print(line, highlight=False)
