"""Claude Code transcripts: dollars worked out by hand, and what makes two lines one request.

Prices are genai-prices' data for claude-sonnet-4-5, in dollars per million tokens: input 3,
output 15, cache read 0.30, cache write 3.75 (5-minute) and 6 (1-hour); a request whose input
side (input, cache reads and writes) is above 200k tokens pays 6, 22.50, 0.60, 7.50 and 12.
"""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import pytest

from aiusage.models import SourceResult
from aiusage.settings import Settings
from aiusage.sources.logs.claude_code import ClaudeCodeSource
from aiusage.store import Store
from tests.sources.logs.logs import (
    assistant,
    claude_project,
    claude_usage,
    query,
    totals,
    user,
    write_lines,
)

NOW = datetime(2025, 10, 1, 13, 0, tzinfo=UTC)


def collect(store: Store) -> SourceResult:
    return ClaudeCodeSource(clock=lambda: NOW).collect(Settings(), store, query())


def test_a_day_of_responses_is_priced_from_every_kind_of_token(home: Path, store: Store) -> None:
    write_lines(
        claude_project(home) / "session-a.jsonl",
        [
            assistant("msg_1", "req_1", claude_usage(10, 500, 20_000, 4_000, split=(3_000, 1_000))),
            assistant("msg_2", "req_2", claude_usage(6, 700, 24_000, cache_write=2_000)),
        ],
    )
    result = collect(store)
    (record,) = result.records
    assert (record.input_tokens, record.output_tokens) == (16, 1_200)
    assert (record.cache_read_tokens, record.cache_write_tokens) == (44_000, 6_000)
    # 16 x 3 + 1,200 x 15 + 44,000 x 0.30 + (3,000 + 2,000) x 3.75 + 1,000 x 6
    # = 48 + 18,000 + 13,200 + 18,750 + 6,000 = 55,998 per million
    assert (record.cost_usd, record.cost_kind) == (Decimal("0.055998"), "estimated")


def test_a_long_request_pays_the_long_rate_on_every_token_its_output_too(
    home: Path, store: Store
) -> None:
    write_lines(
        claude_project(home) / "session-a.jsonl",
        [assistant("msg_1", "req_1", claude_usage(2_000, 8_000, 230_000, 0))],
    )
    (record,) = collect(store).records
    # 232,000 input side > 200k: 2,000 x 6 + 8,000 x 22.50 + 230,000 x 0.60
    # = 12,000 + 180,000 + 138,000 per million
    assert record.cost_usd == Decimal("0.33")


def test_a_line_without_a_working_directory_belongs_to_its_project_folder(
    home: Path, store: Store
) -> None:
    line = assistant("msg_1", "req_1", claude_usage(1, 2))
    del line["cwd"]
    write_lines(claude_project(home, "-home-dev-code-shop") / "session-a.jsonl", [line])
    (record,) = collect(store).records
    assert (record.scope, record.input_tokens) == ("-home-dev-code-shop", 1)


def test_one_message_under_two_request_ids_is_two_requests(home: Path, store: Store) -> None:
    write_lines(
        claude_project(home) / "session-a.jsonl",
        [
            assistant("msg_1", "req_1", claude_usage(1, 10)),
            assistant("msg_1", "req_2", claude_usage(2, 20), timestamp="2025-10-01T12:40:00Z"),
        ],
    )
    assert totals(collect(store).records) == {"input": 3, "output": 30, "cache_read": 0,
                                              "cache_write": 0, "requests": 2}  # fmt: skip


def test_lines_of_one_message_without_a_request_id_count_once(home: Path, store: Store) -> None:
    write_lines(
        claude_project(home) / "session-a.jsonl",
        [
            assistant("msg_1", None, claude_usage(5, 10), text="thinking"),
            assistant("msg_1", None, claude_usage(5, 90), text="answer"),
        ],
    )
    assert totals(collect(store).records) == {"input": 5, "output": 90, "cache_read": 0,
                                              "cache_write": 0, "requests": 1}  # fmt: skip


def test_a_copy_in_another_project_counts_once_with_the_first_scope(
    home: Path, store: Store
) -> None:
    first = assistant("msg_1", "req_1", claude_usage(4, 40), cwd="/home/dev/code/api")
    write_lines(claude_project(home) / "session-a.jsonl", [first])
    write_lines(claude_project(home, "-home-dev-code-web") / "session-b.jsonl", [first])
    (record,) = collect(store).records
    # 4 x 3 + 40 x 15 = 612 per million
    assert (record.scope, record.requests, record.cost_usd) == (
        "/home/dev/code/api",
        1,
        Decimal("0.000612"),
    )


def test_lines_without_ids_in_two_files_are_two_requests(home: Path, store: Store) -> None:
    # Same byte offset in both files: the file tells them apart.
    for name in ("session-a.jsonl", "session-b.jsonl"):
        write_lines(claude_project(home) / name, [assistant(None, None, claude_usage(3, 30))])
    assert totals(collect(store).records)["requests"] == 2


def test_the_project_is_the_folder_under_the_last_projects_in_the_path(
    home: Path, store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = home / "projects" / "claude-config"  # a config folder inside a "projects" folder
    line = assistant("msg_1", "req_1", claude_usage(1, 2), sidechain=True)
    del line["cwd"]
    write_lines(
        config / "projects" / "-home-dev-app" / "s1" / "subagents" / "agent-a.jsonl", [line]
    )
    monkeypatch.setenv("CLAUDE_CONFIG_DIR", str(config))
    (record,) = collect(store).records
    assert record.scope == "-home-dev-app"


def test_logs_under_xdg_config_home_are_read(
    home: Path, store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / "xdg"))
    write_lines(home / "xdg" / "claude" / "projects" / "p" / "s.jsonl",
                [assistant("m1", "r1", claude_usage(1, 1))])  # fmt: skip
    write_lines(home / ".config" / "claude" / "projects" / "p" / "s.jsonl",
                [assistant("m2", "r2", claude_usage(2, 2))])  # fmt: skip
    assert totals(collect(store).records)["input"] == 1


def test_without_xdg_config_home_the_default_config_folder_is_read(
    home: Path, store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("XDG_CONFIG_HOME")
    write_lines(home / ".config" / "claude" / "projects" / "p" / "s.jsonl",
                [assistant("m1", "r1", claude_usage(4, 1))])  # fmt: skip
    write_lines(claude_project(home) / "s.jsonl", [assistant("m2", "r2", claude_usage(2, 2))])
    assert totals(collect(store).records)["input"] == 6


def test_ingestion_counts_the_lines_it_decoded(home: Path, store: Store) -> None:
    write_lines(
        claude_project(home) / "session-a.jsonl",
        [
            user(),  # no usage: never decoded
            assistant("msg_1", "req_1", claude_usage(1, 1)),
            assistant("msg_1", "req_1", claude_usage(1, 2)),
            dict(assistant("msg_2", "req_2", claude_usage(1, 3)), costUSD=None),  # read in full
            '{"message":{"usage":',  # not JSON: not counted as decoded
        ],
    )
    stats = ClaudeCodeSource().ingest(Settings(), store)
    assert stats.lines_parsed == 3
