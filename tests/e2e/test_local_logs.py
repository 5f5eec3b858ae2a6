"""The installed CLI on generated Claude Code and Codex log trees: exact totals, incremental.

The trees come from ``benchmarks/gen_logs.py``, which writes every trap of the real logs
(repeated usage lines, resumed-session copies, sidechain replays, ``<synthetic>`` lines,
re-emitted Codex events, malformed lines) and computes the true totals while it writes them,
independently of the readers under test.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest

AIUSAGE = Path(sys.executable).parent / "aiusage"
GENERATOR = Path(__file__).parents[2] / "benchmarks" / "gen_logs.py"
FIELDS = ("input_tokens", "output_tokens", "cache_read_tokens", "cache_write_tokens")

pytestmark = pytest.mark.e2e


def _run(args: list[str], env: Mapping[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        args, env=dict(env), capture_output=True, text=True, timeout=120, check=False
    )


@pytest.fixture
def tree(tmp_path: Path) -> tuple[Path, dict[str, str]]:
    root = tmp_path / "tree"
    made = _run(
        [
            sys.executable,
            str(GENERATOR),
            "create",
            str(root),
            "--claude-mb",
            "3",
            "--codex-mb",
            "1",
        ],
        os.environ,
    )
    assert made.returncode == 0, made.stderr
    home = tmp_path / "user"
    home.mkdir()
    env = {
        "PATH": os.environ.get("PATH", ""),
        "HOME": str(home),
        "AIUSAGE_HOME": str(tmp_path / "store"),
        "CLAUDE_CONFIG_DIR": str(root / "claude"),
        "CODEX_HOME": str(root / "codex"),
    }
    return root, env


def _totals(document: dict[str, Any], provider: str) -> dict[str, int]:
    records = [
        r for r in document["records"] if r["provider"] == provider and r["source"] == "local"
    ]
    return {field: sum(r[field] for r in records) for field in FIELDS}


def _report(env: Mapping[str, str]) -> dict[str, Any]:
    result = _run(
        [str(AIUSAGE), "report", "--source", "local", "--since", "2000-01-01", "--format", "json"],
        env,
    )
    assert result.returncode == 0, result.stderr
    document: dict[str, Any] = json.loads(result.stdout)
    return document


def test_local_totals_equal_the_generator_s_truth_before_and_after_an_append(
    tree: tuple[Path, dict[str, str]],
) -> None:
    root, env = tree
    manifest = json.loads((root / "manifest.json").read_text())
    first = _report(env)
    assert _totals(first, "claude") == manifest["claude"]["truth"]["total"]
    assert _totals(first, "openai") == manifest["codex"]["truth"]["total"]
    assert any("malformed" in w["message"] for w in first["warnings"])

    appended = _run([sys.executable, str(GENERATOR), "append", str(root), "--mb", "1"], env)
    assert appended.returncode == 0, appended.stderr
    manifest = json.loads((root / "manifest.json").read_text())
    second = _report(env)
    assert _totals(second, "claude") == manifest["claude"]["truth"]["total"]
    assert _totals(second, "openai") == manifest["codex"]["truth"]["total"]


def test_history_outlives_the_logs_once_they_are_deleted(
    tree: tuple[Path, dict[str, str]],
) -> None:
    root, env = tree
    manifest = json.loads((root / "manifest.json").read_text())
    _report(env)
    for log in (root / "claude" / "projects").rglob("*.jsonl"):
        log.unlink()
    assert _totals(_report(env), "claude") == manifest["claude"]["truth"]["total"]
