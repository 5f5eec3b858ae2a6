"""First runs started together on one empty store count every response once.

Each ``aiusage report --source local`` is its own process on the same ``AIUSAGE_HOME``. The tree
(``benchmarks/gen_logs.py``) has many small Claude Code sessions, so that ingestion takes several
batches, with resumed sessions and subagent transcripts that copy lines across files: a run that
took another run's keys for new ones counts them twice.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

AIUSAGE = Path(sys.executable).parent / "aiusage"
GENERATOR = Path(__file__).parents[2] / "benchmarks" / "gen_logs.py"
FIELDS = ("input_tokens", "output_tokens", "cache_read_tokens", "cache_write_tokens")
PROCESSES = 3
TRIALS = 3

pytestmark = pytest.mark.e2e


def _totals(stdout: str) -> dict[str, int]:
    records = [r for r in json.loads(stdout)["records"] if r["source"] == "local"]
    return {field: sum(r[field] for r in records) for field in FIELDS}


def _report(store: Path, tree: Path, home: Path) -> subprocess.Popen[str]:
    env = {
        "PATH": os.environ.get("PATH", ""),
        "HOME": str(home),
        "AIUSAGE_HOME": str(store),
        "CLAUDE_CONFIG_DIR": str(tree / "claude"),
    }
    command = [str(AIUSAGE), "report", "--source", "local", "--provider", "claude"]
    command += ["--since", "2000-01-01", "--format", "json"]
    return subprocess.Popen(
        command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )


def _finish(process: subprocess.Popen[str]) -> dict[str, int]:
    stdout, stderr = process.communicate(timeout=120)
    assert process.returncode == 0, stderr
    return _totals(stdout)


def test_concurrent_first_runs_count_each_response_once(tmp_path: Path) -> None:
    tree, home = tmp_path / "tree", tmp_path / "user"
    home.mkdir()
    made = subprocess.run(
        [sys.executable, str(GENERATOR), "create", str(tree), "--claude-mb", "12"]
        + ["--session-kb", "1", "--text-scale", "0.05", "--seed", "3"],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert made.returncode == 0, made.stderr
    truth = json.loads((tree / "manifest.json").read_text())["claude"]["truth"]["total"]
    assert len(list(tree.rglob("*.jsonl"))) > 1000  # several ingestion batches

    single = _finish(_report(tmp_path / "single", tree, home))
    assert single == truth
    for trial in range(TRIALS):
        store = tmp_path / f"store-{trial}"
        runs = [_report(store, tree, home) for _ in range(PROCESSES)]
        found = [_finish(run) for run in runs]
        again = _finish(_report(store, tree, home))
        assert (trial, found, again) == (trial, [truth] * PROCESSES, truth)
