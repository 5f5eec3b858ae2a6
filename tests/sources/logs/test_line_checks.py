"""Every value of a line is checked when it is read: a bad line is counted, never stored.

Also: lines that are ordinary JSON in an unusual spelling (a space after the colon, a lone
surrogate escape) are read like any other.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from aiusage.settings import Settings
from aiusage.sources.logs.claude_code import ClaudeCodeSource
from aiusage.sources.logs.codex import CodexSource
from aiusage.sources.logs.gemini_cli import GeminiCliSource
from aiusage.store import Store
from tests.sources.logs.logs import (
    assistant,
    claude_project,
    claude_usage,
    codex_usage,
    gemini_chats,
    gemini_message,
    gemini_tokens,
    query,
    rollout,
    session_meta,
    token_count,
    totals,
    turn_context,
    write_lines,
)

CLAUDE_NOW = datetime(2025, 10, 1, 18, 0, tzinfo=UTC)
CODEX_NOW = datetime(2025, 11, 18, 12, 0, tzinfo=UTC)
GOOD = assistant("msg_1", "req_1", claude_usage(3, 40, 500, 100))
RANGE = "with a value out of range"
GOOD_TOTALS = {"input": 3, "output": 40, "cache_read": 500, "cache_write": 100, "requests": 1}


def claude(store: Store) -> tuple[dict[str, int], list[str]]:
    result = ClaudeCodeSource(clock=lambda: CLAUDE_NOW).collect(Settings(), store, query())
    return totals(result.records), list(result.warnings)


def with_usage(**changes: Any) -> dict[str, Any]:
    line = assistant("msg_2", "req_2", claude_usage(5, 60, 0, 0))
    line["message"]["usage"].update(changes)
    return line


# --- ordinary JSON in unusual spellings ------------------------------------------------------


def test_a_line_written_with_a_space_after_each_colon_counts(home: Path, store: Store) -> None:
    spaced = json.dumps(GOOD)  # the default separators: '"usage": {'
    assert '"usage": {' in spaced
    write_lines(claude_project(home) / "session-a.jsonl", [spaced])
    assert claude(store) == (GOOD_TOTALS, [])


def test_a_lone_surrogate_escape_is_read_like_any_text(home: Path, store: Store) -> None:
    cut = assistant("msg_1", "req_1", claude_usage(3, 40, 500, 100), text="a cut emoji \ud83d")
    line = json.dumps(cut, separators=(",", ":"))
    assert "\\ud83d" in line
    elsewhere = assistant("msg_2", "req_2", claude_usage(1, 1), cwd="/home/dev/caf\udce9")
    write_lines(
        claude_project(home) / "session-a.jsonl",
        [line, json.dumps(elsewhere, separators=(",", ":"))],
    )
    result = ClaudeCodeSource(clock=lambda: CLAUDE_NOW).collect(Settings(), store, query())
    assert totals(result.records)["output"] == 41
    assert result.warnings == ()
    assert {r.scope for r in result.records} == {"/home/dev/code/api", "/home/dev/caf\ufffd"}


# --- Claude Code -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "bad",
    [
        with_usage(input_tokens=10**16),
        with_usage(input_tokens=1e16),
        with_usage(output_tokens=10**16),
        with_usage(cache_read_input_tokens=10**16),
        with_usage(cache_creation_input_tokens=10**16),
        with_usage(cache_creation={"ephemeral_5m_input_tokens": 0,
                                   "ephemeral_1h_input_tokens": 10**16}),
        with_usage(output_tokens=-5),
        with_usage(cache_read_input_tokens=-5),
        dict(with_usage(), timestamp="0001-01-01T00:00:00.000Z"),
        dict(with_usage(), timestamp="9999-12-31T23:59:59.000Z"),
    ],
    ids=[
        "input 10**16",
        "input 1e16",
        "output 10**16",
        "cache read 10**16",
        "cache write 10**16",
        "1h cache write 10**16",
        "negative output",
        "negative cache read",
        "year 1",
        "year 9999",
    ],
)  # fmt: skip
def test_a_claude_line_with_an_impossible_value_is_counted_and_not_stored(
    home: Path, store: Store, bad: dict[str, Any]
) -> None:
    write_lines(claude_project(home) / "session-a.jsonl", [GOOD, bad])
    assert claude(store) == (
        GOOD_TOTALS,
        ["1 malformed or truncated lines skipped in Claude Code logs (1 " + RANGE + ")"],
    )
    assert store.db.execute("SELECT COUNT(*) FROM local_lines").fetchone()[0] == 1


def test_a_usage_limit_reset_far_from_its_line_is_not_kept(home: Path, store: Store) -> None:
    limit = assistant(
        "3c1e7b6a-6f0e-4c59-9a3b-7a1d5e2f9c10",
        None,
        claude_usage(),
        timestamp="2025-10-01T17:00:00.000Z",
        model="<synthetic>",
        text="Claude AI usage limit reached|99999999999",
    )
    write_lines(claude_project(home) / "session-a.jsonl", [GOOD, limit])
    assert claude(store)[1] == [
        "1 malformed or truncated lines skipped in Claude Code logs (1 with a value out of range)"
    ]
    assert store.db.execute("SELECT COUNT(*) FROM local_events").fetchone()[0] == 0


# --- Gemini CLI --------------------------------------------------------------------------------


def test_a_gemini_message_with_an_impossible_count_is_counted_and_not_stored(
    home: Path, store: Store
) -> None:
    write_lines(
        gemini_chats(home) / "session-2026-08-20T09-14-3f2a9c1d.jsonl",
        [
            {"sessionId": "3f2a9c1d", "projectHash": "9b1f", "kind": "main"},
            gemini_message("m1", gemini_tokens(100, 10)),
            gemini_message("m2", gemini_tokens(10**16, 10)),
            gemini_message("m3", gemini_tokens(100, 10), timestamp="9999-01-01T00:00:00Z"),
        ],
    )
    result = GeminiCliSource().collect(Settings(), store, query())
    assert totals(result.records) == {"input": 100, "output": 10, "cache_read": 0,
                                      "cache_write": 0, "requests": 1}  # fmt: skip
    assert result.warnings == (
        "2 malformed or truncated lines skipped in Gemini CLI logs (2 with a value out of range)",
    )


# --- Codex CLI ---------------------------------------------------------------------------------


def codex(store: Store, now: datetime = CODEX_NOW) -> Any:
    return CodexSource(clock=lambda: now).collect(Settings(), store, query())


def limits(used: float, resets_at: int) -> dict[str, Any]:
    return {
        "limit_id": "codex",
        "primary": {"used_percent": used, "window_minutes": 300, "resets_at": resets_at},
        "secondary": None,
    }


def test_a_reset_time_in_milliseconds_is_recognised(home: Path, store: Store) -> None:
    write_lines(
        rollout(home),
        [
            session_meta(),
            token_count("2025-11-18T11:30:00.000Z", None, rate_limits=limits(7.0, 1763483205000)),
        ],
    )
    (quota,) = codex(store).quotas
    assert (quota.used, quota.resets_at) == (
        Decimal("7.0"),
        datetime.fromtimestamp(1763483205, UTC),
    )


@pytest.mark.parametrize(
    "stamp", ["0001-01-01T00:00:00.000Z", "9999-12-31T23:59:59.000Z"], ids=["year 1", "year 9999"]
)
def test_a_codex_event_stamped_at_an_impossible_time_is_counted_and_not_stored(
    home: Path, store: Store, stamp: str
) -> None:
    usage = codex_usage(1000, 200, 100)
    later = codex_usage(2000, 400, 300)
    write_lines(
        rollout(home),
        [
            session_meta(),
            turn_context(),
            token_count(stamp, total=usage, last=usage, rate_limits=limits(99.0, 1763483205)),
            token_count(
                "2025-11-18T11:30:00.000Z",
                total=later,
                last=usage,
                rate_limits=limits(7.0, 1763483205),
            ),
        ],
    )  # fmt: skip
    result = codex(store)
    assert totals(result.records) == {"input": 800, "output": 100, "cache_read": 200,
                                      "cache_write": 0, "requests": 1}  # fmt: skip
    assert result.warnings == (
        "1 malformed or truncated lines skipped in Codex CLI logs (1 with a value out of range)",
    )
    (quota,) = result.quotas  # the latest sane event, not the one stamped year 9999
    assert (quota.used, quota.observed_at) == (
        Decimal("7.0"), datetime(2025, 11, 18, 11, 30, tzinfo=UTC)
    )  # fmt: skip


@pytest.mark.parametrize(
    "window",
    [
        {"used_percent": 7.0, "window_minutes": 300, "resets_at": 10**16},
        {"used_percent": 7.0, "window_minutes": 300, "resets_at": 1},
        {"used_percent": -3.0, "window_minutes": 300, "resets_at": 1763483205},
        {"used_percent": 7.0, "window_minutes": 300, "resets_in_seconds": 10**16},
    ],
    ids=["resets 10**16", "resets 1970", "negative use", "relative reset 10**16"],
)
def test_a_codex_rate_limit_that_makes_no_sense_is_counted_and_not_stored(
    home: Path, store: Store, window: dict[str, Any]
) -> None:
    bad = token_count(
        "2025-11-18T11:31:00.000Z", None, rate_limits={"limit_id": "codex", "primary": window}
    )
    write_lines(
        rollout(home),
        [
            session_meta(),
            token_count("2025-11-18T11:30:00.000Z", None, rate_limits=limits(7.0, 1763483205)),
            bad,
        ],
    )
    result = codex(store)
    assert result.warnings == (
        "1 malformed or truncated lines skipped in Codex CLI logs (1 with a value out of range)",
    )
    assert [q.used for q in result.quotas] == [Decimal("7.0")]


def test_a_codex_call_with_an_impossible_count_is_counted_and_not_stored(
    home: Path, store: Store
) -> None:
    usage = codex_usage(1000, 200, 100)
    huge = codex_usage(10**16, 0, 100)
    write_lines(
        rollout(home),
        [
            session_meta(),
            turn_context(),
            token_count("2025-11-18T10:00:03.000Z", total=usage, last=usage),
            token_count("2025-11-18T10:00:04.000Z", total=huge, last=huge),
        ],
    )
    result = codex(store)
    assert totals(result.records)["input"] == 800
    assert result.warnings == (
        "1 malformed or truncated lines skipped in Codex CLI logs (1 with a value out of range)",
    )


# --- stores written before lines were checked --------------------------------------------------


def test_rows_stored_unchecked_by_an_earlier_version_are_dropped_on_upgrade(
    home: Path, store: Store
) -> None:
    """Rows an earlier version stored from bad lines made every later report fail."""
    write_lines(claude_project(home) / "session-a.jsonl", [GOOD])
    assert claude(store)[0] == GOOD_TOTALS
    # What an earlier version wrote for a line with input_tokens 10**16, one stamped year 9999,
    # and a Codex reset time in milliseconds read as seconds.
    day = 1759276800000
    with store.transaction() as db:
        for ts, tokens in ((day + 3_600_000, 10**16), (253402300799000, 5)):
            db.execute(
                "INSERT INTO local_lines (provider, msg_key, req_key, file_id, seq, sidechain, "
                "has_speed, ts, model, scope, input_tokens, output_tokens, cache_read_tokens, "
                "cache_write_tokens, cache_write_1h_tokens, counted) "
                "VALUES ('claude', ?, '', 99, 0, 0, 0, ?, ?, 'x', ?, 0, 0, 0, 0, 1)",
                (f"bad-{ts}", ts, GOOD["message"]["model"], tokens),
            )
            db.execute(
                "INSERT INTO local_hourly VALUES ('claude', ?, ?, 'x', ?, 0, 0, 0, 0, 1)",
                (ts - ts % 3_600_000, GOOD["message"]["model"], tokens),
            )
        windows = [{"slot": "primary", "minutes": 300, "used": "7.0", "resets": 1763483205000000}]
        db.execute(
            "INSERT INTO local_events VALUES (98, 'rate_limits', 'openai', ?, ?)",
            (1763470000000, json.dumps({"windows": windows})),
        )
        db.execute(
            "INSERT INTO local_events VALUES (97, 'rate_limits', 'openai', 253402300799000, ?)",
            (json.dumps({"windows": []}),),
        )
        db.execute("DELETE FROM schema_migrations WHERE version BETWEEN 204 AND 299")
    reopened = Store.open(Settings().store_path)
    try:
        assert claude(reopened) == (GOOD_TOTALS, [])
        assert codex(reopened).quotas == ()
        assert reopened.db.execute("SELECT COUNT(*) FROM local_events").fetchone()[0] == 0
    finally:
        reopened.close()


def test_the_reasons_of_skipped_lines_add_up_across_runs(home: Path, store: Store) -> None:
    session = claude_project(home) / "session-a.jsonl"
    cut = '{"type":"assistant","message":{"usage":{"input_tokens":'
    write_lines(session, [GOOD, cut])
    assert claude(store)[1] == ["1 malformed or truncated lines skipped in Claude Code logs "
                                "(1 not JSON)"]  # fmt: skip
    write_lines(session, [with_usage(output_tokens=-1), cut + " 4"], mode="a")
    assert claude(store) == (
        GOOD_TOTALS,
        [
            "3 malformed or truncated lines skipped in Claude Code logs (2 not JSON, 1 "
            + RANGE
            + ")"
        ],
    )
