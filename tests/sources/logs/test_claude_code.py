"""Claude Code transcripts: every de-duplication trap of the reference, with exact totals."""

from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import pytest

from aiusage.errors import ConfigError
from aiusage.settings import Settings
from aiusage.sources.logs.claude_code import ClaudeCodeSource
from aiusage.store import Store
from tests.sources.logs.logs import (
    OPUS,
    SONNET,
    assistant,
    claude_project,
    claude_usage,
    query,
    synthetic,
    totals,
    user,
    write_lines,
)

NOW = datetime(2025, 10, 1, 11, 35, tzinfo=UTC)


def collect(store: Store, **kw: object) -> tuple[dict[str, int], list[str], object]:
    result = ClaudeCodeSource(clock=lambda: NOW).collect(Settings(), store, query(**kw))  # type: ignore[arg-type]
    return totals(result.records), list(result.warnings), result


def test_repeated_lines_of_one_response_count_once_with_the_largest_output(
    home: Path, store: Store
) -> None:
    project = claude_project(home)
    write_lines(
        project / "session-a.jsonl",
        [
            user(),
            assistant("msg_1", "req_1", claude_usage(4, 10, 1000, 100), text="thinking"),
            assistant("msg_1", "req_1", claude_usage(4, 250, 1000, 100), text="answer"),
            assistant("msg_1", "req_1", claude_usage(4, 120, 1000, 100), text="tool_use"),
        ],
    )
    found, warnings, _ = collect(store)
    assert found == {"input": 4, "output": 250, "cache_read": 1000, "cache_write": 100,
                     "requests": 1}  # fmt: skip
    assert warnings == []


def test_the_same_response_in_a_resumed_sessions_file_counts_once(home: Path, store: Store) -> None:
    project = claude_project(home)
    first = assistant("msg_1", "req_1", claude_usage(10, 200, 3000, 500))
    write_lines(project / "session-a.jsonl", [user(), first])
    write_lines(
        project / "session-b.jsonl",
        [first, assistant("msg_2", "req_2", claude_usage(7, 30, 4000, 0))],
    )
    found, _, _ = collect(store)
    assert found == {"input": 17, "output": 230, "cache_read": 7000, "cache_write": 500,
                     "requests": 2}  # fmt: skip


def test_a_sidechain_replay_with_another_request_id_is_dropped_and_the_parent_kept(
    home: Path, store: Store
) -> None:
    project = claude_project(home)
    parent = assistant("msg_3", "req_3", claude_usage(5, 100, 2000, 0))
    write_lines(project / "session-a.jsonl", [parent])
    write_lines(
        project / "session-a" / "subagents" / "agent-btw.jsonl",
        [
            # /btw replays the parent message under a new request id
            assistant("msg_3", "req_9", claude_usage(5, 100, 2000, 0), sidechain=True),
            # a copy of the parent line marked sidechain, with more tokens: the parent still wins
            assistant("msg_3", "req_3", claude_usage(5, 999, 2000, 0), sidechain=True),
            # the subagent's own response
            assistant("msg_4", "req_4", claude_usage(2, 40, 100, 0), sidechain=True),
        ],
    )
    found, _, _ = collect(store)
    assert found == {"input": 7, "output": 140, "cache_read": 2100, "cache_write": 0,
                     "requests": 2}  # fmt: skip


def test_a_replay_read_before_its_parent_is_dropped_when_the_parent_arrives(
    home: Path, store: Store
) -> None:
    project = claude_project(home)
    write_lines(
        project / "a-btw" / "subagents" / "agent-btw.jsonl",
        [assistant("msg_3", "req_9", claude_usage(5, 100, 2000, 0), sidechain=True)],
    )
    found, _, _ = collect(store)
    assert found["output"] == 100 and found["requests"] == 1
    write_lines(
        project / "session-a.jsonl", [assistant("msg_3", "req_3", claude_usage(5, 100, 2000, 0))]
    )
    found, _, _ = collect(store)
    assert found == {"input": 5, "output": 100, "cache_read": 2000, "cache_write": 0,
                     "requests": 1}  # fmt: skip


def test_synthetic_lines_add_no_tokens_no_model_and_no_pricing_warning(
    home: Path, store: Store
) -> None:
    write_lines(
        claude_project(home) / "session-a.jsonl",
        [
            assistant("msg_1", "req_1", claude_usage(3, 9, 0, 0), timestamp="2025-10-01T10:05:00Z"),
            synthetic("Claude AI usage limit reached|1759334400", "2025-10-01T10:30:00.000Z"),
            synthetic("API Error: 529 overloaded", "2025-10-01T10:31:00.000Z"),
        ],
    )
    found, warnings, result = collect(store)
    assert found == {"input": 3, "output": 9, "cache_read": 0, "cache_write": 0, "requests": 1}
    assert {r.model for r in result.records} == {SONNET}  # type: ignore[attr-defined]
    assert warnings == []
    tokens = next(q for q in result.quotas if q.name == "5h_block_tokens")  # type: ignore[attr-defined]
    # The logged reset (2025-10-01T16:00Z) replaces the reconstructed block end.
    assert tokens.resets_at == datetime(2025, 10, 1, 16, 0, tzinfo=UTC)


def test_split_cache_creation_replaces_the_flat_number_and_prices_one_hour_writes(
    home: Path, store: Store
) -> None:
    write_lines(
        claude_project(home) / "session-a.jsonl",
        [
            assistant("msg_1", "req_1", claude_usage(1, 1, 0, cache_write=500)),
            assistant("msg_2", "req_2", claude_usage(1, 1, 0, 1234, split=(0, 1234))),
            assistant("msg_3", "req_3", claude_usage(1, 1, 0, 9999, split=(200, 300))),
        ],
    )
    found, _, result = collect(store)
    assert found == {"input": 3, "output": 3, "cache_read": 0, "cache_write": 2234,
                     "requests": 3}  # fmt: skip
    # Sonnet 4.5 per million: input $3, output $15, 5-minute write $3.75, 1-hour write $6.
    # 3 x 3 + 3 x 15 + (500 + 200) x 3.75 + (1,234 + 300) x 6 = 9 + 45 + 2,625 + 9,204
    assert result.records[0].cost_usd == Decimal("0.011883")  # type: ignore[attr-defined]
    assert result.records[0].cost_kind == "estimated"  # type: ignore[attr-defined]


def test_requests_above_200k_input_are_priced_at_the_long_context_rate(
    home: Path, store: Store
) -> None:
    write_lines(
        claude_project(home) / "session-a.jsonl",
        [
            assistant("msg_1", "req_1", claude_usage(5, 1000, 250_000, 0)),
            assistant("msg_2", "req_2", claude_usage(100, 2000, 150_000, 0)),
            assistant("msg_3", "req_3", claude_usage(1, 10, 199_000, 1_500, split=(0, 1_500))),
        ],
    )
    found, _, result = collect(store)
    assert found == {"input": 106, "output": 3010, "cache_read": 599_000, "cache_write": 1_500,
                     "requests": 3}  # fmt: skip
    # Sonnet 4.5 per million, base / above 200k input: input 3 / 6, output 15 / 22.50,
    # cache read 0.30 / 0.60, 1-hour write 6 / 12.
    # msg_1, 250,005 input side: 5 x 6 + 1,000 x 22.50 + 250,000 x 0.60 = 172,530
    # msg_2, 150,100 input side: 100 x 3 + 2,000 x 15 + 150,000 x 0.30 = 75,300
    # msg_3, 200,501 input side: 1 x 6 + 10 x 22.50 + 199,000 x 0.60 + 1,500 x 12 = 137,631
    # (all three at base rates would be 234,168)
    assert result.records[0].cost_usd == Decimal("0.385461")  # type: ignore[attr-defined]


def test_a_long_request_is_priced_with_the_tiers_of_its_own_day(home: Path, store: Store) -> None:
    # Sonnet 4.6 had long-context rates above 200k input until 2026-03-13; a request made while
    # they applied is priced with them, whatever today's price list says.
    write_lines(
        claude_project(home) / "session-a.jsonl",
        [
            assistant(
                "msg_1",
                "req_1",
                claude_usage(300_000, 0, 0, 0),
                model="claude-sonnet-4-6",
                timestamp="2026-02-01T10:00:00.000Z",
            )
        ],
    )
    source = ClaudeCodeSource(clock=lambda: datetime(2026, 2, 2, tzinfo=UTC))
    result = source.collect(Settings(), store, query())
    # 300,000 input x $6 per million (the long-context input rate; $3 at base) = $1.80
    assert [r.cost_usd for r in result.records] == [Decimal("1.80")]


def test_lines_without_a_message_id_are_each_counted(home: Path, store: Store) -> None:
    write_lines(
        claude_project(home) / "session-a.jsonl",
        [
            assistant(None, None, claude_usage(10, 20, 0, 0)),
            assistant(None, None, claude_usage(10, 20, 0, 0)),
        ],
    )
    found, _, _ = collect(store)
    assert found["input"] == 20 and found["requests"] == 2


def test_malformed_lines_are_skipped_and_counted_in_a_warning(home: Path, store: Store) -> None:
    line = assistant("msg_1", "req_1", claude_usage(1, 2, 0, 0))
    # ccusage refuses explicit nulls in some fields
    broken = dict(assistant("msg_2", "req_2", claude_usage(1, 5, 0, 0)), version=None)
    write_lines(
        claude_project(home) / "session-a.jsonl",
        [line, '{"type":"assistant","message":{"usage":{"input_tokens":', broken, "not json"],
    )
    found, warnings, _ = collect(store)
    assert found["output"] == 2
    assert warnings == [
        "2 malformed or truncated lines skipped in Claude Code logs "
        "(1 not JSON, 1 with missing or invalid fields)"
    ]


def test_a_model_without_a_published_price_is_named_and_has_no_cost(
    home: Path, store: Store
) -> None:
    write_lines(
        claude_project(home) / "session-a.jsonl",
        [
            assistant("msg_1", "req_1", claude_usage(1, 2, 0, 0), model="claude-imaginary-9"),
            assistant("msg_2", "req_2", claude_usage(1, 2, 0, 0), model=OPUS),
        ],
    )
    _, warnings, result = collect(store)
    costs = {r.model: r.cost_usd for r in result.records}  # type: ignore[attr-defined]
    assert costs["claude-imaginary-9"] is None
    assert costs[OPUS] is not None and costs[OPUS] > 0
    assert warnings == ["no published price for claude-imaginary-9: tokens counted, cost unknown"]


def test_records_are_per_project_folder_and_hour_when_asked(home: Path, store: Store) -> None:
    write_lines(
        claude_project(home) / "session-a.jsonl",
        [
            assistant("msg_1", "req_1", claude_usage(1, 1, 0, 0), timestamp="2025-10-01T09:10:00Z"),
            assistant("msg_2", "req_2", claude_usage(2, 2, 0, 0), timestamp="2025-10-01T09:50:00Z"),
            assistant(
                "msg_3",
                "req_3",
                claude_usage(4, 4, 0, 0),
                timestamp="2025-10-01T10:10:00Z",
                cwd="/home/dev/code/web",
            ),
        ],
    )
    _, _, result = collect(store, granularity="1h")
    rows = [(r.start.hour, r.scope, r.input_tokens) for r in result.records]  # type: ignore[attr-defined]
    assert rows == [(9, "/home/dev/code/api", 3), (10, "/home/dev/code/web", 4)]
    _, warnings, result = collect(store, granularity="1m", dimension="user")
    assert [(r.start.hour, r.scope) for r in result.records] == [(9, None), (10, None)]  # type: ignore[attr-defined]
    assert warnings == [
        "Claude Code logs are summed per hour: --granularity 1m shows hourly buckets"
    ]


def test_every_claude_config_dir_entry_is_read(
    home: Path, store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    one, two = home / "one", home / "two"
    write_lines(one / "projects" / "p" / "s.jsonl", [assistant("m1", "r1", claude_usage(1, 0))])
    write_lines(two / "projects" / "p" / "s.jsonl", [assistant("m2", "r2", claude_usage(2, 0))])
    write_lines(claude_project(home) / "s.jsonl", [assistant("m3", "r3", claude_usage(4, 0))])
    monkeypatch.setenv("CLAUDE_CONFIG_DIR", f"{one}, {two / 'projects'}")
    found, _, _ = collect(store)
    assert found["input"] == 3  # ~/.claude is not read when CLAUDE_CONFIG_DIR is set


def test_the_current_five_hour_block_is_estimated_with_rate_and_projection(
    home: Path, store: Store
) -> None:
    usage = claude_usage(100, 900, 0, 0)  # 1,000 tokens per request
    write_lines(
        claude_project(home) / "session-a.jsonl",
        [
            # an earlier block, closed by a gap of more than five hours
            assistant("msg_0", "req_0", usage, timestamp="2025-10-01T02:00:00Z"),
            assistant("msg_1", "req_1", usage, timestamp="2025-10-01T10:05:00Z"),
            assistant("msg_2", "req_2", usage, timestamp="2025-10-01T10:35:00Z"),
            assistant("msg_3", "req_3", usage, timestamp="2025-10-01T11:05:00Z"),
        ],
    )
    _, _, result = collect(store)
    quotas = {q.name: q for q in result.quotas}  # type: ignore[attr-defined]
    assert all(q.estimated and q.provider == "claude" for q in quotas.values())
    assert quotas["5h_block_tokens"].used == 3000
    assert quotas["5h_block_tokens"].resets_at == datetime(2025, 10, 1, 15, 0, tzinfo=UTC)
    assert quotas["5h_block_burn_rate"].used == Decimal("50.0")  # 3,000 tokens over 60 minutes
    # 205 minutes left at 50 tokens a minute
    assert quotas["5h_block_projected_tokens"].used == 3000 + 50 * 205
    # 300 x $3 + 2,700 x $15 per million (Sonnet 4.5)
    assert quotas["5h_block_cost"].used == Decimal("0.0414")


def test_no_block_quota_when_the_last_request_is_five_hours_old(home: Path, store: Store) -> None:
    write_lines(
        claude_project(home) / "s.jsonl",
        [assistant("m", "r", claude_usage(1, 1), timestamp="2025-10-01T06:30:00Z")],
    )
    _, _, result = collect(store)
    assert result.quotas == ()  # type: ignore[attr-defined]


def test_an_unreadable_projects_folder_is_one_clear_error(
    home: Path, store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    projects = home / ".claude" / "projects"
    write_lines(projects / "p" / "s.jsonl", [assistant("m", "r", claude_usage(1, 1))])
    real_scandir = os.scandir

    def denied(path: Path) -> Iterator[os.DirEntry[str]]:
        if Path(path) == projects:
            raise PermissionError(13, "Permission denied", str(path))
        return real_scandir(path)

    # Tests may run as root, for whom chmod 000 changes nothing.
    monkeypatch.setattr("aiusage.sources.logs.files.os.scandir", denied)
    source = ClaudeCodeSource()
    assert source.available(Settings())
    with pytest.raises(ConfigError) as raised:
        source.collect(Settings(), store, query())
    assert raised.value.message == (
        f"cannot read the Claude Code logs in {projects} (Permission denied): give your user "
        "read access to that folder, or set CLAUDE_CONFIG_DIR to where they are"
    )


def test_an_unreadable_subfolder_is_skipped_with_a_warning(
    home: Path, store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    projects = home / ".claude" / "projects"
    write_lines(projects / "p" / "s.jsonl", [assistant("m", "r", claude_usage(1, 1))])
    write_lines(projects / "q" / "s.jsonl", [assistant("n", "s", claude_usage(2, 2))])
    real_scandir = os.scandir

    def denied(path: Path) -> Iterator[os.DirEntry[str]]:
        if Path(path) == projects / "q":
            raise PermissionError(13, "Permission denied", str(path))
        return real_scandir(path)

    monkeypatch.setattr("aiusage.sources.logs.files.os.scandir", denied)
    found, warnings, _ = collect(store)
    assert found["input"] == 1
    assert warnings == [
        f"1 Claude Code files or folders could not be read and were skipped "
        f"(first: {projects / 'q'} (Permission denied))"
    ]
