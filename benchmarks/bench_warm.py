"""Warm commands: ``aiusage report`` and ``aiusage status`` served from the store, interleaved.

    python benchmarks/bench_warm.py [--runs 30] [--base /work/base/.venv/bin/aiusage]
                                    [--imports]

Every provider is configured against the fake vendors (``tests/e2e/fake_vendors.py``, run in
this process); one cold ``aiusage report`` fills the store, then every command below runs
``--runs`` times, interleaved (one run of each in turn), so that load on the shared machine hits
every row alike. A warm report must send no request to the fake; the script checks it.

With ``--base`` the same commands of another installation (for instance a checkout of the code
before a change, with its own store) run in the same loop, so before and after see the same load.

Targets (issue 18): warm ``report`` and ``status`` ≤ 2x ``aiusage --version`` and ≤ 150 ms;
``statusline`` with a typical stdin ≤ 100 ms (its own benchmark: ``bench_statusline.py``; its
stdin is reused here so that all three targets come from the same run).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path

from bench_statusline import typical_input
from harness import AIUSAGE, isolated, machine, median, ms, quantile, table

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from tests.e2e.fake_vendors import FakeVendors

REPORT_TARGET = 0.150
STATUSLINE_TARGET = 0.100


def timed(command: Sequence[str | Path], env: dict[str, str], stdin: str = "") -> float:
    start = time.perf_counter()
    done = subprocess.run(
        [str(c) for c in command], input=stdin, env=env, capture_output=True, text=True
    )
    wall = time.perf_counter() - start
    if done.returncode not in (0, 3):  # status --check style exit 3 is an answer, not a failure
        raise SystemExit(
            f"{' '.join(map(str, command))} exited {done.returncode}: {done.stderr[-2000:]}"
        )
    return wall


def supports(binary: Path, command: str, env: dict[str, str]) -> bool:
    probe = subprocess.run(
        [str(binary), command, "--help"], env=env, capture_output=True, check=False
    )
    return probe.returncode == 0


def importtime(binary: Path, args: Sequence[str], env: dict[str, str], top: int) -> str:
    """The slowest imports, by cumulative time, of one command (``python -X importtime``)."""
    python = binary.parent / "python"
    done = subprocess.run(
        [str(python), "-X", "importtime", str(binary), *args],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    rows: list[tuple[int, int, str]] = []
    total = 0
    for line in done.stderr.splitlines():
        if not line.startswith("import time:") or "cumulative" in line:
            continue
        own, cumulative, name = line.removeprefix("import time:").split("|")
        rows.append((int(cumulative), int(own), name.rstrip()))
        if not name.startswith("  "):  # top-level imports: their cumulative times add up
            total += int(cumulative)
    rows.sort(reverse=True)
    listing = table(
        ["module", "cumulative", "self"],
        [
            (
                f"`{name.strip()}` (depth {(len(name) - len(name.lstrip()) - 1) // 2})",
                f"{c / 1000:.1f} ms",
                f"{o / 1000:.1f} ms",
            )
            for c, o, name in rows[:top]
        ],
    )
    return f"{len(rows)} modules, {total / 1000:.0f} ms in all\n\n{listing}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--base", type=Path, help="another aiusage to run beside this one")
    parser.add_argument("--imports", action="store_true", help="list the slowest imports")
    parser.add_argument("--days", type=int, default=35, help="days of data the fake holds")
    args = parser.parse_args(argv)
    print(f"machine: {machine()}\n")
    trees = {"": AIUSAGE}
    if args.base:
        trees = {"before: ": args.base.resolve(), "after: ": AIUSAGE}
    stdin = typical_input()
    with FakeVendors(days=args.days) as fake:
        extra = {
            **fake.env(),
            "ANTHROPIC_ADMIN_KEY": fake.keys["anthropic"],
            "OPENAI_ADMIN_KEY": fake.keys["openai"],
            "CURSOR_ADMIN_KEY": fake.keys["cursor"],
            "GEMINI_API_KEY": fake.keys["gemini"],
            "GOOGLE_CLOUD_PROJECT": fake.google_project,
        }
        envs: dict[str, dict[str, str]] = {}
        commands: dict[str, tuple[list[str | Path], dict[str, str], str]] = {}
        with isolated(**extra) as env_a, isolated(**extra) as env_b:
            floor_env = env_a
            commands["python -c pass (floor)"] = ([sys.executable, "-c", "pass"], floor_env, "")
            for (prefix, binary), env in zip(trees.items(), (env_a, env_b), strict=False):
                account = Path(env["HOME"]) / "service-account.json"
                fake.write_service_account(account)
                env["GOOGLE_APPLICATION_CREDENTIALS"] = str(account)
                envs[prefix] = env
                timed([binary, "report"], env)  # cold: fills the store
                commands[f"{prefix}aiusage --version"] = ([binary, "--version"], env, "")
                commands[f"{prefix}aiusage report"] = ([binary, "report"], env, "")
                if supports(binary, "status", env):
                    timed([binary, "status"], env)
                    commands[f"{prefix}aiusage status"] = ([binary, "status"], env, "")
                if supports(binary, "statusline", env):
                    timed([binary, "statusline"], env, stdin)  # creates the status tables
                    commands[f"{prefix}aiusage statusline"] = ([binary, "statusline"], env, stdin)
            for command, env, given in commands.values():  # warm the page cache and .pyc
                timed(command, env, given)
            before = fake.count()
            walls: dict[str, list[float]] = {label: [] for label in commands}
            for _ in range(args.runs):
                for label, (command, env, given) in commands.items():
                    walls[label].append(timed(command, env, given))
            sent = fake.count() - before
            load = ", ".join(f"{value:.1f}" for value in os.getloadavg())
            imports = {}
            if args.imports:
                for prefix, binary in trees.items():
                    for words in (["--version"], ["report"], ["status"]):
                        if words[0] == "status" and not supports(binary, "status", envs[prefix]):
                            continue
                        label = f"{prefix}aiusage {' '.join(words)}"
                        imports[label] = importtime(binary, words, envs[prefix], 10)

    rows = []
    for label, values in walls.items():
        rows.append((label, ms(median(values)), ms(min(values)), ms(quantile(values, 0.9))))
    print(table(["command", "median", "min", "p90"], rows))
    print(f"\nrequests sent to the fake by the warm runs: {sent}; load average: {load}\n")
    verdicts = []
    for prefix in trees:
        version = median(walls[f"{prefix}aiusage --version"])
        for name in ("report", "status"):
            label = f"{prefix}aiusage {name}"
            if label not in walls:
                continue
            value = median(walls[label])
            met = value <= 2 * version and value <= REPORT_TARGET
            verdicts.append(
                (label, f"{value / version:.2f}x --version", ms(value), "met" if met else "MISSED")
            )
        label = f"{prefix}aiusage statusline"
        if label in walls:
            value = median(walls[label])
            met = value <= STATUSLINE_TARGET
            verdicts.append((label, "—", ms(value), "met" if met else "MISSED"))
    if args.base:
        for name in ("--version", "report", "status", "statusline"):
            old, new = f"before: aiusage {name}", f"after: aiusage {name}"
            if old in walls and new in walls:
                ratio = median(walls[new]) / median(walls[old])
                verdicts.append((f"aiusage {name}: after / before", f"{ratio:.2f}x", "—", "—"))
    print(table(["target", "ratio", "median", "verdict"], verdicts))
    print(
        "\ntargets: report and status ≤ 2x --version and ≤ 150 ms; statusline ≤ 100 ms "
        "(medians of the same interleaved run)"
    )
    for label, text in imports.items():
        print(f"\n`{label}`, python -X importtime, slowest ten by cumulative time: {text}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
