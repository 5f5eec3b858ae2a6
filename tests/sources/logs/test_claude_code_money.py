"""Claude Code transcripts: dollars worked out by hand, and what makes two lines one request.

Prices are genai-prices' data for claude-sonnet-4-5, in dollars per million tokens: input 3,
output 15, cache read 0.30, cache write 3.75 (5-minute) and 6 (1-hour); a request whose input
side (input, cache reads and writes) is above 200k tokens pays 6, 22.50, 0.60, 7.50 and 12.
"""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from aiusage.models import SourceResult
from aiusage.settings import Settings
from aiusage.sources.logs.claude_code import ClaudeCodeParser, ClaudeCodeSource
from aiusage.store import Store
from tests.sources.logs.logs import (
    SONNET,
    assistant,
    claude_project,
    claude_usage,
    dump,
    query,
    synthetic,
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


# --- lines read in full (a lone surrogate, as JavaScript writes when it cuts an emoji, makes the
# strict decoder refuse a line; the full reading must give what the strict one would have) ------

LABEL = "/home/dev/.claude/projects/-home-dev-code-api/session-a.jsonl"


def cut_emoji(line: dict[str, Any]) -> str:
    """The line as Claude Code writes it when a text block ends mid-emoji."""
    line["message"]["content"].append({"type": "text", "text": "CUT"})
    return dump(line).replace('"CUT"', '"look \\ud83d"')


def test_a_line_read_in_full_may_lack_any_optional_field(home: Path, store: Store) -> None:
    lines = []
    for n, field in enumerate(("cwd", "version", "sessionId", "requestId"), start=1):
        line = assistant(f"msg_{n}", f"req_{n}", claude_usage(n, 10))
        del line[field]
        lines.append(cut_emoji(line))
    no_id = assistant("msg_5", "req_5", claude_usage(5, 10))
    del no_id["message"]["id"]
    no_cache = assistant("msg_6", "req_6", claude_usage(6, 10))
    del no_cache["message"]["usage"]["cache_read_input_tokens"]
    write_lines(
        claude_project(home) / "session-a.jsonl", [*lines, cut_emoji(no_id), cut_emoji(no_cache)]
    )
    result = collect(store)
    assert totals(result.records) == {"input": 21, "output": 60, "cache_read": 0,
                                      "cache_write": 0, "requests": 6}  # fmt: skip
    assert result.warnings == ()


def test_a_line_read_in_full_keeps_its_cache_writes_split_and_speed(
    home: Path, store: Store
) -> None:
    flat = assistant("msg_1", "req_1", claude_usage(1, 1, 0, cache_write=300))
    half_split = assistant("msg_2", "req_2", claude_usage(1, 1, 0, 999, split=(0, 200)))
    del half_split["message"]["usage"]["cache_creation"]["ephemeral_5m_input_tokens"]
    fast = assistant("msg_3", "req_3", claude_usage(1, 1, speed="fast"))
    write_lines(
        claude_project(home) / "session-a.jsonl",
        [cut_emoji(flat), cut_emoji(half_split), cut_emoji(fast)],
    )
    records = collect(store).records
    writes = {r.model: (r.cache_write_tokens, r.input_tokens) for r in records}
    assert writes == {SONNET: (500, 2), f"{SONNET}-fast": (0, 1)}
    # 2 x 3 + 2 x 15 + 300 x 3.75 + 200 x 6 = 6 + 30 + 1,125 + 1,200 per million
    assert next(r.cost_usd for r in records if r.model == SONNET) == Decimal("0.002361")


def test_a_sidechain_copy_read_in_full_still_loses_to_the_main_line(
    home: Path, store: Store
) -> None:
    main = assistant("msg_1", "req_1", claude_usage(5, 100))
    copy = assistant("msg_1", "req_1", claude_usage(5, 900), sidechain=True)
    write_lines(claude_project(home) / "session-a.jsonl", [main, cut_emoji(copy)])
    assert totals(collect(store).records)["output"] == 100


@pytest.mark.parametrize(
    "broken",
    [
        {"model": 7},
        {"usage": {"input_tokens": 1, "output_tokens": 1, "cache_creation": {
            "ephemeral_5m_input_tokens": None, "ephemeral_1h_input_tokens": 3}}},
    ],
    ids=["numeric model", "null in the split"],
)  # fmt: skip
def test_a_line_read_in_full_with_a_wrong_value_is_malformed(
    home: Path, store: Store, broken: dict[str, Any]
) -> None:
    line = assistant("msg_1", "req_1", claude_usage(1, 1))
    line["message"].update(broken)
    write_lines(claude_project(home) / "session-a.jsonl", [cut_emoji(line)])
    result = collect(store)
    assert result.records == ()
    assert result.warnings == (
        "1 malformed or truncated lines skipped in Claude Code logs "
        "(1 with missing or invalid fields)",
    )


def test_a_usage_limit_message_read_in_full_still_gives_the_reset(home: Path, store: Store) -> None:
    parser = ClaudeCodeParser(LABEL, {})
    raw = cut_emoji(synthetic("Claude AI usage limit reached|1759327200")).encode()
    parser.feed(0, raw, raw.find(b'"usage"'))
    # stamped 2025-10-01T13:00:00Z (1759323600000 ms); the reset is 15:00Z
    assert parser.events == {"limit_reset": (1759323600000, "1759327200")}
    assert parser.bad_lines == 0


@pytest.mark.parametrize(
    ("reset", "kept"),
    [
        (1759320000 - 86_400, True),  # a day before the message: the earliest accepted
        (1759320000 + 8 * 86_400, True),  # eight days after: the latest accepted
        (1759320000 - 86_401, False),
        (1759320000 + 8 * 86_400 + 1, False),
    ],
)
def test_a_reset_time_is_kept_only_within_a_week_of_its_message(reset: int, kept: bool) -> None:
    parser = ClaudeCodeParser(LABEL, {})
    # the message is stamped 2025-10-01T12:00:00Z = 1759320000
    line = synthetic(f"Claude AI usage limit reached|{reset}", "2025-10-01T12:00:00.000Z")
    raw = dump(line).encode()
    parser.feed(0, raw, raw.find(b'"usage"'))
    if kept:
        assert (parser.events, dict(parser.skipped)) == (
            {"limit_reset": (1759320000000, str(reset))}, {}
        )  # fmt: skip
    else:
        assert (parser.events, dict(parser.skipped)) == ({}, {"with a value out of range": 1})


def test_lines_with_only_output_or_only_cache_reads_are_counted(home: Path, store: Store) -> None:
    write_lines(
        claude_project(home) / "session-a.jsonl",
        [
            assistant("msg_1", "req_1", claude_usage(0, 7)),
            assistant("msg_2", "req_2", claude_usage(0, 0, 4_000)),
            assistant("msg_3", "req_3", claude_usage(0, 0, 0, cache_write=50)),
            assistant("msg_4", "req_4", claude_usage(0, 0, 0, 0)),  # nothing to count
        ],
    )
    assert totals(collect(store).records) == {"input": 0, "output": 7, "cache_read": 4_000,
                                              "cache_write": 50, "requests": 3}  # fmt: skip


def test_each_line_keeps_its_own_session(home: Path, store: Store) -> None:
    write_lines(
        claude_project(home) / "session-a.jsonl",
        [
            assistant("msg_1", "req_1", claude_usage(1, 1), session="session-one"),
            assistant("msg_2", "req_2", claude_usage(1, 1), session="session-two"),
        ],
    )
    collect(store)
    found = store.db.execute("SELECT DISTINCT session FROM local_lines ORDER BY session")
    assert found.fetchall() == [("session-one",), ("session-two",)]
