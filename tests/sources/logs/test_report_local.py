"""``aiusage report --source local`` on a tree of real-format logs under HOME."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from typer.testing import CliRunner

from aiusage.cli import app
from tests.sources.logs.logs import (
    SONNET,
    assistant,
    claude_project,
    claude_usage,
    codex_usage,
    gemini_chats,
    gemini_message,
    gemini_tokens,
    rollout,
    session_meta,
    token_count,
    turn_context,
    write_lines,
)

PERIOD = ["--since", "2025-09-01", "--until", "2026-09-01"]


def report(*args: str) -> tuple[int, dict[str, Any]]:
    result = CliRunner().invoke(
        app, ["report", "--source", "local", "--format", "json", *PERIOD, *args],
        catch_exceptions=False,
    )  # fmt: skip
    return result.exit_code, json.loads(result.stdout)


def write_tree(home: Path) -> None:
    project = claude_project(home)
    write_lines(
        project / "session-a.jsonl",
        [
            assistant("msg_1", "req_1", claude_usage(4, 10, 1000, 100)),
            assistant("msg_1", "req_1", claude_usage(4, 250, 1000, 100)),
            '{"type":"assistant","message":{"usage":{"input_tokens":4,',
        ],
    )
    write_lines(
        project / "session-b.jsonl",
        [
            assistant("msg_1", "req_1", claude_usage(4, 250, 1000, 100)),
            assistant("msg_2", "req_2", claude_usage(6, 50, 0, 0, split=(0, 40))),
        ],
    )
    write_lines(
        rollout(home),
        [
            session_meta(),
            turn_context(),
            token_count("2025-11-18T10:00:03.000Z", total=codex_usage(2500, 500, 300, 200),
                        last=codex_usage(2500, 500, 300, 200)),
        ],
    )  # fmt: skip
    write_lines(
        gemini_chats(home) / "session-a.jsonl",
        [gemini_message("m1", gemini_tokens(100, 10, cached=60, thoughts=5))],
    )


def sums(document: dict[str, Any], provider: str) -> tuple[int, int, int, int]:
    rows = [r for r in document["records"] if r["provider"] == provider]
    assert rows and all(r["source"] == "local" for r in rows)
    return (
        sum(r["input_tokens"] for r in rows),
        sum(r["output_tokens"] for r in rows),
        sum(r["cache_read_tokens"] for r in rows),
        sum(r["cache_write_tokens"] for r in rows),
    )


def test_report_source_local_gives_exact_totals_per_cli(isolated_environment: Path) -> None:
    write_tree(isolated_environment / "home")
    code, document = report()
    assert code == 0
    assert document["errors"] == []
    assert sums(document, "claude") == (10, 300, 1000, 140)
    assert sums(document, "openai") == (2000, 300, 500, 0)
    assert sums(document, "gemini") == (40, 15, 60, 0)
    claude = [r for r in document["records"] if r["provider"] == "claude"]
    assert {(r["model"], r["scope"], r["cost_kind"]) for r in claude} == {
        (SONNET, "/home/dev/code/api", "estimated")
    }
    assert document["warnings"] == [
        {"provider": "claude", "source": "local",
         "message": "1 malformed or truncated lines skipped in Claude Code logs (1 not JSON)"}
    ]  # fmt: skip


def test_a_second_report_gives_the_same_figures_from_the_store(
    isolated_environment: Path,
) -> None:
    write_tree(isolated_environment / "home")
    _, first = report()
    _, second = report()
    assert first["records"] == second["records"]


def test_provider_filter_keeps_one_cli(isolated_environment: Path) -> None:
    write_tree(isolated_environment / "home")
    code, document = report("--provider", "openai")
    assert code == 0
    assert {r["provider"] for r in document["records"]} == {"openai"}
