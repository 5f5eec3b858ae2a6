"""The ``aiusage`` console script: ``aiusage statusline`` without loading Typer, the rest via
``cli``.

Claude Code runs the status line after every answer (target: 100 ms, benchmarks/
bench_statusline.py); importing ``aiusage.cli`` alone loads Typer and its Click, ~40 ms.
"""

from __future__ import annotations

import sys


def main() -> None:
    if sys.argv[1:] == ["statusline"]:
        from aiusage.commands.statusline import main as statusline

        raise SystemExit(statusline())
    from aiusage.cli import main as cli_main

    cli_main()
