"""The installed CLI on a Codex fork family: the parent's replayed history is counted once.

The fork's replay is re-stamped over 2.4 seconds (``tests/sources/logs/logs.py``), so the
first-second rule alone would count half of it again.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.sources.logs.logs import (
    FORK_NAME,
    OWN_TOTALS,
    PARENT_ID,
    PARENT_NAME,
    PARENT_TOTALS,
    fork_lines,
    parent_lines,
    write_lines,
)

AIUSAGE = Path(sys.executable).parent / "aiusage"
FIELDS = {"input": "input_tokens", "output": "output_tokens", "cache_read": "cache_read_tokens"}

pytestmark = pytest.mark.e2e


def _report(tmp_path: Path, codex: Path) -> dict[str, Any]:
    home = tmp_path / "user"
    home.mkdir(exist_ok=True)
    env = {
        "PATH": os.environ.get("PATH", ""),
        "HOME": str(home),
        "AIUSAGE_HOME": str(tmp_path / "store"),
        "CODEX_HOME": str(codex),
    }
    command = [str(AIUSAGE), "report", "--source", "local", "--provider", "openai"]
    command += ["--since", "2025-11-01", "--until", "2025-12-01", "--format", "json"]
    result = subprocess.run(
        command, env=env, capture_output=True, text=True, timeout=120, check=False
    )
    assert result.returncode == 0, result.stderr
    document: dict[str, Any] = json.loads(result.stdout)
    return document


def _totals(document: dict[str, Any]) -> dict[str, int]:
    records = [r for r in document["records"] if r["source"] == "local"]
    found = {name: sum(r[field] for r in records) for name, field in FIELDS.items()}
    return {**found, "requests": sum(r["requests"] for r in records)}


def _expected(*parts: dict[str, int]) -> dict[str, int]:
    return {name: sum(part[name] for part in parts) for name in (*FIELDS, "requests")}


def test_a_fork_with_its_parent_archived_counts_each_call_once(tmp_path: Path) -> None:
    codex = tmp_path / "codex"
    write_lines(codex / "archived_sessions" / PARENT_NAME, parent_lines())
    write_lines(codex / "sessions" / "2025" / "11" / "18" / FORK_NAME, fork_lines())
    document = _report(tmp_path, codex)
    assert _totals(document) == _expected(PARENT_TOTALS, OWN_TOTALS)
    assert document["warnings"] == []


def test_a_fork_without_its_parent_is_counted_with_a_warning(tmp_path: Path) -> None:
    codex = tmp_path / "codex"
    write_lines(codex / "sessions" / "2025" / "11" / "18" / FORK_NAME, fork_lines())
    document = _report(tmp_path, codex)
    # The first-second rule skips the replayed calls stamped 11:00:00 only.
    late_replay = {"input": 2_000, "output": 500, "cache_read": 7_000, "requests": 2}
    assert _totals(document) == _expected(OWN_TOTALS, late_replay)
    assert [w["message"] for w in document["warnings"]] == [
        f"1 forked Codex CLI session names a parent rollout that is not on disk ({PARENT_ID}): "
        "its totals may include the parent's replayed history"
    ]
