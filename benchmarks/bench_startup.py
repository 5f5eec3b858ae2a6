"""Start-up: ``aiusage --version`` and ``aiusage --help``, median of many runs.

    python benchmarks/bench_startup.py [--runs 40]

Target: under 150 ms. The interpreter's own start (``python -c pass``) is printed as the floor;
``--imports`` lists the slowest imports of ``--version`` (``python -X importtime``).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from harness import AIUSAGE, isolated, machine, median, ms, quantile, repeat, run, table

TARGET = 0.150


def importtime(env: dict[str, str], top: int = 15) -> str:
    """The slowest imports, by cumulative time, of the ``--version`` path."""
    result = run([sys.executable, "-X", "importtime", str(AIUSAGE), "--version"], env)
    rows: list[tuple[int, int, str]] = []
    for line in result.stderr.decode().splitlines():
        if not line.startswith("import time:") or "cumulative" in line:
            continue
        own, cumulative, name = line.removeprefix("import time:").split("|")
        rows.append((int(cumulative), int(own), name.rstrip()))
    rows.sort(reverse=True)
    return table(
        ["module", "cumulative", "self"],
        [
            (
                f"`{name.strip()}` (depth {(len(name) - len(name.lstrip())) // 2})",
                f"{c / 1000:.1f} ms",
                f"{o / 1000:.1f} ms",
            )
            for c, o, name in rows[:top]
        ],
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=40)
    parser.add_argument("--imports", action="store_true", help="also list the slowest imports")
    args = parser.parse_args(argv)
    print(f"machine: {machine()}\n")
    commands: dict[str, list[str | Path]] = {
        "python -c pass (floor)": [sys.executable, "-c", "pass"],
        "aiusage --version": [AIUSAGE, "--version"],
        "aiusage --help": [AIUSAGE, "--help"],
        "aiusage report --help": [AIUSAGE, "report", "--help"],
    }
    rows = []
    missed = False
    with isolated() as env:
        for label, command in commands.items():
            repeat(command, env, 3)  # warm the page cache and .pyc files
            walls = [r.wall for r in repeat(command, env, args.runs)]
            middle = median(walls)
            verdict = "—"
            if label.startswith("aiusage"):
                verdict = "met" if middle < TARGET else "MISSED"
                missed = missed or middle >= TARGET
            rows.append(
                (label, ms(middle), ms(min(walls)), ms(quantile(walls, 0.9)), ms(TARGET), verdict)
            )
        print(table(["command", "median", "min", "p90", "target", "verdict"], rows))
        if args.imports:
            print("\nslowest imports of `aiusage --version` (python -X importtime):\n")
            print(importtime(env))
    return 1 if missed else 0


if __name__ == "__main__":
    raise SystemExit(main())
