"""Local logs: a report over generated Claude Code trees, first run and after appending 1 MB.

    python benchmarks/bench_local.py                     # 100 MB and 1 GB trees
    python benchmarks/bench_local.py --sizes 100 --repeat 3

Trees are generated once under ``benchmarks/out/claude-<N>mb`` (``gen_logs.py``) and reused;
each run appends ``--append-mb`` to them, so they grow a little every time. Every run uses a
fresh, empty store. The token totals of every run are checked against the generator's truth
and, when ``ccusage`` is on PATH, against ``ccusage claude daily --json --offline``.

Targets (issue 18): first run no slower than ccusage with peak memory under 200 MB at 1 GB;
the run after appending 1 MB within 0.25 s. ``--base`` runs another installation's aiusage (the
code before a change) on its own fresh store in the same loop, for before/after ratios.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
from collections import defaultdict
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import gen_logs
from harness import AIUSAGE, OUT, Run, isolated, machine, median, run, table

MB = 1 << 20
FIELDS = gen_logs.TOKEN_FIELDS
CCUSAGE_FIELDS = {
    "input_tokens": "inputTokens",
    "output_tokens": "outputTokens",
    "cache_read_tokens": "cacheReadTokens",
    "cache_write_tokens": "cacheCreationTokens",
}
Days = dict[str, dict[str, int]]


def tree_for(size_mb: int, seed: int) -> Path:
    tree = OUT / f"claude-{size_mb}mb"
    if not (tree / "manifest.json").exists():
        shutil.rmtree(tree, ignore_errors=True)
        tree.mkdir(parents=True)
        print(f"generating a {size_mb} MB Claude Code tree in {tree} ...", flush=True)
        gen_logs.create(tree, size_mb, 0, 90, seed)
    return tree


def manifest(tree: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((tree / "manifest.json").read_text())
    return data


def warm(tree: Path) -> None:
    """Read every file once, so that every tool and run starts from the same page cache."""
    for path in tree.rglob("*.jsonl"):
        with path.open("rb") as handle:
            while handle.read(8 * MB):
                pass


def aiusage_days(result: Run) -> Days:
    document = json.loads(result.stdout)
    days: Days = defaultdict(lambda: dict.fromkeys(FIELDS, 0))
    for record in document["records"]:
        if record["provider"] == "claude" and record["source"] == "local":
            bucket = days[record["start"][:10]]
            for name in FIELDS:
                bucket[name] += record[name] or 0
    return dict(days)


def ccusage_days(result: Run) -> Days:
    document = json.loads(result.stdout)
    return {
        row["date"]: {name: row[key] for name, key in CCUSAGE_FIELDS.items()}
        for row in document["daily"]
    }


def total(days: Days) -> dict[str, int]:
    return {name: sum(day[name] for day in days.values()) for name in FIELDS}


def agreement(days: Days, truth: Days) -> str:
    """ "exact" when every day and field agree; else the difference of the grand totals."""
    nonzero = {d: v for d, v in days.items() if any(v.values())}
    if nonzero == {d: v for d, v in truth.items() if any(v.values())}:
        return "exact"
    ours, theirs = total(days), total(truth)
    diff = ", ".join(f"{n} {ours[n] - theirs[n]:+,}" for n in FIELDS if ours[n] != theirs[n])
    return f"DIFFERS ({diff or 'per day only'})"


def report_command(since: str, binary: Path = AIUSAGE) -> list[str | Path]:
    until = (datetime.now(UTC) + timedelta(days=1)).strftime("%Y-%m-%d")
    return [
        binary,
        "report",
        "--source",
        "local",
        "--provider",
        "claude",
        "--since",
        since[:10],
        "--until",
        until,
        "--by",
        "day",
        "--format",
        "json",
    ]


def checked(result: Run, label: str) -> Run:
    if result.code != 0:
        raise SystemExit(f"{label} exited {result.code}: {result.stderr.decode()[-2000:]}")
    return result


def bench_tree(size_mb: int, args: argparse.Namespace, rows: list[list[object]]) -> dict[str, Any]:
    tree = tree_for(size_mb, args.seed)
    facts = manifest(tree)
    size = facts["claude"]["bytes"]
    command = report_command(facts["since"])
    ccusage = shutil.which("ccusage") if not args.no_ccusage else None
    cc_command: list[str | Path] = [
        ccusage or "ccusage",
        "claude",
        "daily",
        "--json",
        "--offline",
        "--timezone",
        "UTC",
    ]
    label = f"{size / MB:,.0f} MB"
    warm(tree)
    truth = facts["claude"]["truth"]["days"]
    firsts: list[Run] = []
    ccs: list[Run] = []
    bases: list[Run] = []
    second: Run | None = None
    cc_second: Run | None = None
    for attempt in range(args.repeat):
        last = attempt == args.repeat - 1
        with isolated(CLAUDE_CONFIG_DIR=str(tree / "claude")) as env:
            first = checked(run(command, env), "aiusage first run")
            firsts.append(first)
            first_check = agreement(aiusage_days(first), truth)
            if args.base:
                with isolated(CLAUDE_CONFIG_DIR=str(tree / "claude")) as base_env:
                    old = report_command(facts["since"], args.base.resolve())
                    bases.append(checked(run(old, base_env), "base first run"))
                    base_check = agreement(aiusage_days(bases[-1]), truth)
            if ccusage:
                cc = checked(run(cc_command, env), "ccusage")
                ccs.append(cc)
                cc_check = agreement(ccusage_days(cc), truth)
                both = "exact" if ccusage_days(cc) == aiusage_days(first) else "DIFFERS"
            if last:
                facts = gen_logs.append(tree, args.append_mb)
                truth = facts["claude"]["truth"]["days"]
                warm(tree)
                second = checked(run(command, env), "aiusage second run")
                second_check = agreement(aiusage_days(second), truth)
                if ccusage:
                    cc_second = checked(run(cc_command, env), "ccusage second run")
    assert second is not None
    first_wall = median([r.wall for r in firsts])
    first_rss = max(r.max_rss_mb for r in firsts)
    rows.append(
        [
            label,
            "aiusage",
            "first",
            f"{first_wall:.2f} s",
            f"{size / MB / first_wall:,.0f}",
            f"{first_rss:.0f} MB",
            first_check,
        ]
    )
    appended = facts["last_append_bytes"] / MB
    rows.append(
        [
            label,
            "aiusage",
            f"+{appended:.1f} MB",
            f"{second.wall:.2f} s",
            "—",
            f"{second.max_rss_mb:.0f} MB",
            second_check,
        ]
    )
    if bases:
        base_wall = median([r.wall for r in bases])
        rows.append(
            [
                label,
                "aiusage (base)",
                "first",
                f"{base_wall:.2f} s",
                f"{size / MB / base_wall:,.0f}",
                f"{max(r.max_rss_mb for r in bases):.0f} MB",
                base_check,
            ]
        )
    result = {
        "size_mb": size / MB,
        "first": first_wall,
        "second": second.wall,
        "rss": max(first_rss, second.max_rss_mb),
        "runs": len(firsts),
    }
    if bases:
        result["base"] = median([r.wall for r in bases])
    if ccs:
        cc_wall = median([r.wall for r in ccs])
        rows.append(
            [
                label,
                "ccusage",
                "first",
                f"{cc_wall:.2f} s",
                f"{size / MB / cc_wall:,.0f}",
                f"{max(r.max_rss_mb for r in ccs):.0f} MB",
                f"{cc_check}; vs aiusage: {both}",
            ]
        )
        assert cc_second is not None
        rows.append(
            [
                label,
                "ccusage",
                f"+{appended:.1f} MB",
                f"{cc_second.wall:.2f} s",
                "—",
                f"{cc_second.max_rss_mb:.0f} MB",
                agreement(ccusage_days(cc_second), truth),
            ]
        )
        result["ccusage"] = cc_wall
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[100, 1000], help="tree sizes, MB")
    parser.add_argument("--repeat", type=int, default=1, help="first runs per tree (median)")
    parser.add_argument("--append-mb", type=float, default=1.0)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--no-ccusage", action="store_true", help="do not run ccusage")
    parser.add_argument("--base", type=Path, help="another aiusage, run beside this one")
    args = parser.parse_args(argv)
    print(f"machine: {machine()}")
    print(f"aiusage: {AIUSAGE}; ccusage: {shutil.which('ccusage') or 'not installed'}\n")
    rows: list[list[object]] = []
    results = [bench_tree(size, args, rows) for size in args.sizes]
    print(table(["tree", "tool", "run", "wall", "MB/s", "peak memory", "tokens vs truth"], rows))
    print()
    summary = []
    for r in results:
        tree = f"{r['size_mb']:,.0f} MB"
        summary.append(
            [
                tree,
                "run after appending 1 MB ≤ 0.25 s",
                f"{r['second']:.2f} s ({r['first'] / r['second']:.1f}x faster than the first)",
                "met" if r["second"] <= 0.25 else "MISSED",
            ]
        )
        if "base" in r:
            summary.append([tree, "first run: this / base", f"{r['first'] / r['base']:.2f}x", "—"])
        if "ccusage" in r:
            ratio = r["first"] / r["ccusage"]
            summary.append(
                [
                    tree,
                    "first run no slower than ccusage",
                    f"{ratio:.2f}x ccusage's time",
                    "met" if ratio <= 1 else "MISSED",
                ]
            )
        if r["size_mb"] >= 900:
            summary.append(
                [
                    tree,
                    "peak memory < 200 MB",
                    f"{r['rss']:.0f} MB",
                    "met" if r["rss"] < 200 else "MISSED",
                ]
            )
    print(table(["tree", "target", "measured", "verdict"], summary))
    print(f"\nload average after the runs: {', '.join(f'{v:.1f}' for v in os.getloadavg())}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
