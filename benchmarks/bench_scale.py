"""Scale: reports over a store holding a year of hourly API history (about a million records).

    python benchmarks/bench_scale.py [--runs 3]
    python benchmarks/bench_scale.py --base /work/base/.venv/bin/aiusage --base-store /work/store-1m

The store is generated once by ``gen_store.py`` under ``benchmarks/out/store-1m-<dimension>``
(about a minute) with the generator's printed totals beside it (``expected.txt``); every run
reads a working copy, because opening a store may migrate it. Each command is run ``--runs``
times, interleaved with the others and with ``aiusage --version``; wall time and peak resident
memory (GNU time) are printed, and the totals of each command's CSV output are checked against
the generator's: the group rows (and, with ``--breakdown``, the per-model rows) must add up to
exactly its input tokens and dollars.

``--base`` runs the old code's only way to read the whole year (``--granularity 1h --by project
--format json``, every record through Python objects) on a copy of ``--base-store`` (a store
written by that code), interleaved with the same command of this tree, for the *before* figure.

Targets (issue 18): ``report --offline --by month`` ≤ 1 s and ``--by day --breakdown`` ≤ 2 s,
peak RSS ≤ 300 MB.
"""

from __future__ import annotations

import argparse
import csv
import io
import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from harness import AIUSAGE, OUT, Run, isolated, machine, median, ms, run, table

HERE = Path(__file__).resolve().parent
SINCE, UNTIL = "2025-12-01", "2026-12-01"
PERIOD = ["--offline", "--since", SINCE, "--until", UNTIL, "--granularity", "1h"]
# An admin-shaped dummy: the Claude source counts as configured, and --offline sends nothing.
DUMMY_KEY = "sk-ant-admin01-bench"


@dataclass(frozen=True)
class Expected:
    records: int
    input_tokens: int
    dollars: Decimal


def expected_from(text: str) -> Expected:
    match = re.search(r"(\d+) records .* input tokens (\d+), reported dollars ([\d.]+)", text)
    if not match:
        raise SystemExit(f"cannot read the generator's totals from: {text!r}")
    return Expected(int(match[1]), int(match[2]), Decimal(match[3]))


def generated(dimension: str) -> tuple[Path, Expected]:
    """The generated store for ``dimension`` and the generator's totals (generated once)."""
    folder = OUT / f"store-1m-{dimension}"
    facts = folder / "expected.txt"
    if not facts.exists():
        shutil.rmtree(folder, ignore_errors=True)
        print(f"generating a year of hourly records in {folder} ...", flush=True)
        done = subprocess.run(
            [sys.executable, str(HERE / "gen_store.py"), str(folder), "--dimension", dimension],
            capture_output=True,
            text=True,
            check=False,
        )
        if done.returncode != 0:
            raise SystemExit(f"gen_store.py failed: {done.stderr[-2000:]}")
        facts.write_text(done.stdout)
        print(done.stdout.strip(), flush=True)
    return folder / "aiusage.sqlite3", expected_from(facts.read_text())


def check_csv(result: Run, expected: Expected) -> str:
    """Compare the CSV's group rows (and per-model rows) with the generator's totals."""
    rows = list(csv.DictReader(io.StringIO(result.stdout.decode())))
    groups = [r for r in rows if not r["model"]]
    models = [r for r in rows if r["model"]]
    verdicts = []
    for name, part in (("groups", groups), ("per-model rows", models)):
        if not part:
            continue
        tokens = sum(int(r["input_tokens"]) for r in part)
        dollars = sum((Decimal(r["cost_usd"]) for r in part), Decimal(0))
        if tokens == expected.input_tokens and dollars == expected.dollars:
            verdicts.append(f"{name} exact")
        else:
            verdicts.append(
                f"{name} DIFFER (input {tokens - expected.input_tokens:+}, "
                f"dollars {dollars - expected.dollars:+})"
            )
    return ", ".join(verdicts) or "NO ROWS"


def check_json(result: Run, expected: Expected) -> str:
    import json

    document = json.loads(result.stdout)
    records = document["records"]
    tokens = sum(r["input_tokens"] for r in records)
    dollars = sum((Decimal(str(r["cost_usd"])) for r in records), Decimal(0))
    exact = (
        len(records) == expected.records
        and tokens == expected.input_tokens
        and dollars == expected.dollars
    )
    return f"{len(records)} records, " + ("exact" if exact else "DIFFER")


def working_copy(store: Path, name: str) -> Path:
    """A copy of the store in a fresh folder (the reports may migrate it on open)."""
    folder = OUT / "scale-work" / name
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    shutil.copy2(store, folder / "aiusage.sqlite3")
    return folder


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--base", type=Path, help="the old aiusage, for the before figure")
    parser.add_argument("--base-store", type=Path, help="a store written by the old code")
    parser.add_argument(
        "--json", action="store_true", help="also time --by project --format json (every record)"
    )
    args = parser.parse_args(argv)
    print(f"machine: {machine()}\n")
    none_store, expected = generated("none")
    project_store, project_expected = generated("project")
    # label -> (binary, store folder, arguments, expected totals, checker or None)
    commands: dict[str, tuple[Path, Path, list[str], Expected, object]] = {}
    month = working_copy(none_store, "none")
    project = working_copy(project_store, "project")
    commands["aiusage --version"] = (AIUSAGE, month, ["--version"], expected, None)
    commands["report --by month (table)"] = (
        AIUSAGE, month, ["report", *PERIOD, "--by", "month"], expected, None,
    )  # fmt: skip
    commands["report --by month --format csv"] = (
        AIUSAGE, month, ["report", *PERIOD, "--by", "month", "--format", "csv"], expected,
        check_csv,
    )  # fmt: skip
    commands["report --by day --breakdown (table)"] = (
        AIUSAGE, month, ["report", *PERIOD, "--by", "day", "--breakdown"], expected, None,
    )  # fmt: skip
    commands["report --by day --breakdown --format csv"] = (
        AIUSAGE, month, ["report", *PERIOD, "--by", "day", "--breakdown", "--format", "csv"],
        expected, check_csv,
    )  # fmt: skip
    commands["report --by project --format csv (project history)"] = (
        AIUSAGE, project, ["report", *PERIOD, "--by", "project", "--format", "csv"],
        project_expected, check_csv,
    )  # fmt: skip
    if args.json or args.base:
        commands["after: report --by project --format json (every record)"] = (
            AIUSAGE, project, ["report", *PERIOD, "--by", "project", "--format", "json"],
            project_expected, check_json,
        )  # fmt: skip
    if args.base:
        if not args.base_store:
            raise SystemExit("--base needs --base-store, a store written by that code")
        old = working_copy(args.base_store / "aiusage.sqlite3", "base")
        commands["before: report --by project --format json (every record)"] = (
            args.base.resolve(), old, ["report", *PERIOD, "--by", "project", "--format", "json"],
            project_expected, check_json,
        )  # fmt: skip
    walls: dict[str, list[float]] = {label: [] for label in commands}
    peaks: dict[str, float] = dict.fromkeys(commands, 0.0)
    checks: dict[str, str] = {}
    with isolated(ANTHROPIC_ADMIN_KEY=DUMMY_KEY) as env:
        # One small report per store first: it migrates the copy and warms the page cache.
        for binary, folder, *_ in commands.values():
            warm = ["report", "--offline", "--since", "2026-11-30", "--until", UNTIL]
            run([binary, *warm, "--granularity", "1h"], {**env, "AIUSAGE_HOME": str(folder)})
        for attempt in range(args.runs):
            for label, (binary, folder, words, facts, checker) in commands.items():
                result = run([binary, *words], {**env, "AIUSAGE_HOME": str(folder)})
                if result.code != 0:
                    raise SystemExit(f"{label} exited {result.code}: {result.stderr[-2000:]!r}")
                if attempt == 0 and callable(checker):
                    checks[label] = checker(result, facts)
                walls[label].append(result.wall)
                peaks[label] = max(peaks[label], result.max_rss_mb)
    load = ", ".join(f"{value:.1f}" for value in os.getloadavg())
    version = median(walls["aiusage --version"])
    rows = [
        (
            label,
            ms(median(values)),
            ms(min(values)),
            f"{median(values) / version:.1f}x",
            f"{peaks[label]:.0f} MB",
            checks.get(label, "—"),
        )
        for label, values in walls.items()
    ]
    print(
        f"store: {expected.records:,} records ({SINCE} to {UNTIL}, hourly); "
        f"commands: aiusage {' '.join(PERIOD)} ...; runs: {args.runs}; load average: {load}\n"
    )
    print(table(["command", "median", "min", "× --version", "peak RSS", "totals"], rows))
    targets = [
        ("report --by month (table)", 1.0),
        ("report --by day --breakdown (table)", 2.0),
    ]
    verdicts = []
    for label, limit in targets:
        value = median(walls[label])
        met = value <= limit and peaks[label] <= 300
        verdicts.append(
            (label, f"≤ {limit:.0f} s, ≤ 300 MB", f"{value:.2f} s, {peaks[label]:.0f} MB",
             "met" if met else "MISSED")
        )  # fmt: skip
    old = "before: report --by project --format json (every record)"
    new = "after: report --by project --format json (every record)"
    if old in walls and new in walls:
        ratio = median(walls[new]) / median(walls[old])
        verdicts.append(("every record as JSON: after / before", "—", f"{ratio:.2f}x", "—"))
    print()
    print(table(["target", "limit", "measured", "verdict"], verdicts))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
