"""Mutation campaign over the money paths: mutmut 3, one module at a time, against its unit tests.

Each module gets a campaign folder ``mutants/<name>/`` (git-ignored) holding a ``pyproject.toml``
that is the project's own plus a ``[tool.mutmut]`` section naming that module and its unit tests
(never e2e), and links to ``src`` and ``tests``. mutmut copies both into
``mutants/<name>/mutants/`` when it starts, so the code measured is the code of that moment;
``measured.txt`` says which. The folder is wiped first: mutmut keeps any old copy it finds there.

Usage::

    python scripts/mutation.py                    # all five modules, one after the other
    python scripts/mutation.py pricing codex      # some of them
    python scripts/mutation.py --report pricing   # the table again, from the last campaign
    mkdir /tmp/head && git archive HEAD | tar -x -C /tmp/head  # e.g. the committed code:
    python scripts/mutation.py --root /tmp/head

Inspect a survivor: ``cd mutants/<name> && mutmut show <mutant>`` (or ``mutmut browse``).
Survivors that no input can tell from the original are listed in ``EQUIVALENT`` with the reason,
matched by module, function and changed lines (so renumbered mutants still match), and are
counted apart from the kill rate.
"""

from __future__ import annotations

import argparse
import re
import shutil
import subprocess
import sys
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import mutation_equivalents  # scripts/: the folder of this script

MUTMUT = Path(sys.executable).parent / "mutmut"


@dataclass(frozen=True)
class Module:
    path: str
    tests: tuple[str, ...]  # globs under the project root: unit tests only


MODULES = {
    "pricing": Module("src/aiusage/pricing.py", ("tests/test_pricing*.py",)),
    "claude_records": Module(
        "src/aiusage/sources/api/claude/records.py",
        (
            "tests/sources/api/claude/test_claude.py",
            "tests/sources/api/claude/test_claude_analytics.py",
            "tests/sources/api/claude/test_records*.py",
        ),
    ),
    "openai_records": Module(
        "src/aiusage/sources/api/openai/records.py",
        ("tests/sources/api/openai/test_openai*.py", "tests/sources/api/openai/test_records*.py"),
    ),
    "codex": Module("src/aiusage/sources/logs/codex.py", ("tests/sources/logs/test_codex*.py",)),
    "claude_code": Module(
        "src/aiusage/sources/logs/claude_code.py",
        ("tests/sources/logs/test_claude_code*.py", "tests/sources/logs/test_claude_fast_path.py"),
    ),
}

# Survivors that no input can tell from the original, with the reason (see that module).
EQUIVALENT = mutation_equivalents.EQUIVALENT

DETECTED = ("killed", "timeout", "caught by type check")
_RESULT = re.compile(r"^\s+(\S+): (.+)$")


def mutmut_section(root: Path, module: Module) -> str:
    tests = sorted(
        str(path.relative_to(root)) for pattern in module.tests for path in root.glob(pattern)
    )
    quoted = ", ".join(f'"{name}"' for name in tests)
    return (
        "\n[tool.mutmut]\n"
        'source_paths = ["src/"]\n'
        f'only_mutate = ["{module.path}"]\n'
        f"pytest_add_cli_args_test_selection = [{quoted}]\n"
        'pytest_add_cli_args = ["-p", "no:cacheprovider", "-m", "not e2e", "-q"]\n'
        "use_git_change_detection = false\n"
        # Workers fork from a process that has run no test: with the default ("fork") they
        # inherit the caches the statistics run filled (pricing's lru_caches), and a mutant
        # below a cache is never executed.
        'process_isolation = "forkserver"\n'
    )


def measured_version(root: Path, module: Module) -> str:
    """Which code the campaign mutates: HEAD's blob, or what differs from it."""

    def git(*args: str) -> str:
        done = subprocess.run(["git", *args], cwd=root, capture_output=True, text=True)
        return done.stdout.strip() if done.returncode == 0 else ""

    head = git("rev-parse", "--short", "HEAD")
    if not head:
        return f"{module.path} in {root} (not a git checkout)"
    blob = git("hash-object", module.path)
    if blob == git("rev-parse", f"HEAD:{module.path}"):
        return f"{module.path} as in HEAD {head}"
    return f"{module.path} with uncommitted changes on HEAD {head} (blob {blob[:10]})"


def prepare(root: Path, name: str) -> Path:
    module = MODULES[name]
    campaign = root / "mutants" / name
    if campaign.exists():
        shutil.rmtree(campaign)
    campaign.mkdir(parents=True)
    own = (root / "pyproject.toml").read_text(encoding="utf-8")
    section = mutmut_section(root, module)
    (campaign / "pyproject.toml").write_text(own + section, encoding="utf-8")
    for folder in ("src", "tests"):
        (campaign / folder).symlink_to(root / folder, target_is_directory=True)
    (campaign / "measured.txt").write_text(measured_version(root, module) + "\n", "utf-8")
    return campaign


def run_campaign(root: Path, name: str, max_children: int) -> Path:
    campaign = prepare(root, name)
    version = (campaign / "measured.txt").read_text(encoding="utf-8").strip()
    print(f"== {name}: {version}", flush=True)
    with (campaign / "mutmut.log").open("w", encoding="utf-8") as log:
        done = subprocess.run(
            [str(MUTMUT), "run", "--max-children", str(max_children)],
            cwd=campaign,
            check=False,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    if done.returncode != 0:
        tail = (campaign / "mutmut.log").read_text(encoding="utf-8", errors="replace")[-3000:]
        raise SystemExit(f"mutmut failed on {name} (exit {done.returncode}):\n{tail}")
    return campaign


def mutmut(campaign: Path, *args: str) -> str:
    return subprocess.run(
        [str(MUTMUT), *args], cwd=campaign, capture_output=True, text=True, check=True
    ).stdout


def changed_lines(campaign: Path, mutant: str) -> str:
    """The lines the mutant changes, as ``-old +new``: stable when mutants are renumbered."""
    return " ".join(
        f"{line[0]}{line[1:].strip()}"
        for line in mutmut(campaign, "show", mutant).splitlines()
        if line[:1] in "+-" and not line.startswith(("+++", "---"))
    )


def function_of(mutant: str) -> str:
    """``aiusage.pricing.x_estimate_cost__mutmut_12`` -> ``estimate_cost``; methods as C.m."""
    name = mutant.rsplit(".", 1)[-1].rsplit("__mutmut_", 1)[0]
    return re.sub(r"^x[ǁ_]", "", name).replace("ǁ", ".")


@dataclass
class Summary:
    name: str
    version: str
    statuses: Counter[str] = field(default_factory=Counter)
    equivalent: list[tuple[str, str]] = field(default_factory=list)
    survivors: list[tuple[str, str]] = field(default_factory=list)

    @property
    def total(self) -> int:
        return sum(self.statuses.values())

    @property
    def detected(self) -> int:
        return sum(self.statuses[status] for status in DETECTED)

    @property
    def rate(self) -> str:
        relevant = self.total - len(self.equivalent)
        return f"{100 * self.detected / relevant:.1f} %" if relevant else "-"


def summarise(root: Path, name: str) -> Summary:
    campaign = root / "mutants" / name
    version = (campaign / "measured.txt").read_text(encoding="utf-8").strip()
    summary = Summary(name, version)
    for line in mutmut(campaign, "results", "--all", "true").splitlines():
        if not (found := _RESULT.match(line)):
            continue
        mutant, status = found[1], found[2]
        summary.statuses[status] += 1
        if status in DETECTED:
            continue
        changed = changed_lines(campaign, mutant)
        reason = EQUIVALENT.get((name, function_of(mutant), changed))
        if reason is not None and status == "survived":
            summary.equivalent.append((mutant, reason))
        else:
            summary.survivors.append((mutant, f"{status}: {changed}"))
    return summary


def print_report(summaries: list[Summary]) -> None:
    print("| module | mutants | killed | equivalent | survived | kill rate (non-equivalent) |")
    print("| ------ | ------- | ------ | ---------- | -------- | -------------------------- |")
    for s in summaries:
        print(
            f"| {s.name} | {s.total} | {s.detected} | {len(s.equivalent)} | "
            f"{len(s.survivors)} | {s.rate} |"
        )
    print()
    for s in summaries:
        print(f"measured {s.name}: {s.version}")
    for s in summaries:
        for mutant, reason in s.equivalent:
            print(f"equivalent {mutant}: {reason}")
        for mutant, what in s.survivors:
            print(f"survivor   {mutant}: {what}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("modules", nargs="*", metavar="module", help=", ".join(MODULES))
    parser.add_argument("--max-children", type=int, default=1, help="mutants tested at once")
    parser.add_argument("--report", action="store_true", help="summarise the last campaign")
    parser.add_argument(
        "--root", type=Path, default=Path(__file__).resolve().parent.parent, help="project root"
    )
    args = parser.parse_args(argv)
    names = args.modules or list(MODULES)
    unknown = [name for name in names if name not in MODULES]
    if unknown:
        parser.error(f"unknown module(s) {', '.join(unknown)}: choose from {', '.join(MODULES)}")
    root = args.root.resolve()
    if not MUTMUT.exists():
        parser.error(f'{MUTMUT} not found: pip install -e ".[mutation]" into this environment')
    if not args.report:
        for name in names:
            run_campaign(root, name, args.max_children)
    print_report([summarise(root, name) for name in names])
    return 0


if __name__ == "__main__":
    sys.exit(main())
