"""Codex CLI rollouts: per-call deltas, re-emitted events, forks, models and rate limits."""

from __future__ import annotations

import shutil
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import pytest

from aiusage.models import SourceResult
from aiusage.settings import Settings
from aiusage.sources.logs.codex import CodexSource
from aiusage.store import Store
from tests.sources.logs.logs import (
    codex_usage,
    query,
    response_item,
    rollout,
    session_meta,
    token_count,
    totals,
    turn_context,
    write_lines,
)

NOW = datetime(2025, 11, 18, 12, 0, tzinfo=UTC)


def collect(store: Store, now: datetime = NOW) -> SourceResult:
    return CodexSource(clock=lambda: now).collect(Settings(), store, query())


def test_last_token_usage_is_one_call_with_cached_and_reasoning_taken_apart(
    home: Path, store: Store
) -> None:
    write_lines(
        rollout(home),
        [
            session_meta(),
            turn_context(),
            response_item("2025-11-18T10:00:02.000Z"),
            token_count(
                "2025-11-18T10:00:03.000Z",
                total=codex_usage(2500, 500, 300, 200),
                last=codex_usage(2500, 500, 300, 200),
            ),
            token_count(
                "2025-11-18T10:00:09.000Z",
                total=codex_usage(3500, 750, 425, 275),
                last=codex_usage(1000, 250, 125, 75),
            ),
        ],
    )
    result = collect(store)
    assert totals(result.records) == {"input": 2750, "output": 425, "cache_read": 750,
                                      "cache_write": 0, "requests": 2}  # fmt: skip
    record = result.records[0]
    assert (record.model, record.scope) == ("gpt-5-codex", "/home/dev/code/web")
    # gpt-5-codex per million: input $1.25, cached input $0.125, output $10
    # 2,750 x 1.25 + 750 x 0.125 + 425 x 10 = 3,437.5 + 93.75 + 4,250
    assert record.cost_usd == Decimal("0.00778125")


def test_without_last_usage_a_call_is_the_difference_of_cumulative_totals(
    home: Path, store: Store
) -> None:
    write_lines(
        rollout(home),
        [
            session_meta(),
            turn_context(),
            token_count("2025-11-18T10:00:03.000Z", total=None),  # rate limits only
            token_count("2025-11-18T10:00:04.000Z", total=codex_usage(1000, 200, 100, 50)),
            token_count("2025-11-18T10:00:08.000Z", total=codex_usage(3000, 1200, 400, 100)),
        ],
    )
    assert totals(collect(store).records) == {"input": 1800, "output": 400, "cache_read": 1200,
                                              "cache_write": 0, "requests": 2}  # fmt: skip


def test_a_re_emitted_event_counts_once(home: Path, store: Store) -> None:
    event = {"total": codex_usage(2500, 500, 300), "last": codex_usage(2500, 500, 300)}
    write_lines(
        rollout(home),
        [
            session_meta(),
            turn_context(),
            token_count("2025-11-18T10:00:03.000Z", **event),
            token_count("2025-11-18T10:00:05.000Z", **event),  # the same info, later
        ],
    )
    assert totals(collect(store).records)["input"] == 2000


def test_a_forked_rollout_skips_the_replayed_parent_events(home: Path, store: Store) -> None:
    parent = codex_usage(5000, 1000, 600)
    write_lines(
        rollout(home, "rollout-2025-11-18T11-00-00-fork.jsonl"),
        [
            session_meta("2025-11-18T11:00:00.100Z", forked_from_id="01998a11-parent"),
            turn_context(timestamp="2025-11-18T11:00:00.200Z"),
            # the parent's history, replayed within the file's first second
            token_count(
                "2025-11-18T11:00:00.300Z",
                total=codex_usage(2000, 0, 200),
                last=codex_usage(2000, 0, 200),
            ),  # fmt: skip
            token_count(
                "2025-11-18T11:00:00.400Z", total=parent, last=codex_usage(3000, 1000, 400)
            ),
            # new work in the fork: only the cumulative total is written
            token_count("2025-11-18T11:00:07.000Z", total=codex_usage(5800, 1500, 650)),
        ],
    )
    assert totals(collect(store).records) == {"input": 300, "output": 50, "cache_read": 500,
                                              "cache_write": 0, "requests": 1}  # fmt: skip


def test_a_rollout_copied_to_another_folder_counts_once(home: Path, store: Store) -> None:
    source = rollout(home)
    write_lines(
        source,
        [
            session_meta(),
            turn_context(),
            token_count(
                "2025-11-18T10:00:03.000Z",
                total=codex_usage(100, 0, 10),
                last=codex_usage(100, 0, 10),
            ),  # fmt: skip
        ],
    )
    archived = home / ".codex" / "archived_sessions" / source.name
    archived.parent.mkdir(parents=True)
    shutil.copy(source, archived)
    assert totals(collect(store).records)["input"] == 100


def test_the_same_relative_path_in_sessions_and_archived_is_read_once(
    home: Path, store: Store
) -> None:
    lines = [session_meta(), turn_context(), token_count(
        "2025-11-18T10:00:03.000Z", total=codex_usage(100, 0, 10))]  # fmt: skip
    size = write_lines(home / ".codex" / "sessions" / "rollout-a.jsonl", lines)
    write_lines(home / ".codex" / "archived_sessions" / "rollout-a.jsonl", lines)
    stats = CodexSource().ingest(Settings(), store)
    assert (stats.files_read, stats.bytes_read) == (1, size)


def test_a_session_without_turn_context_has_no_model_and_says_so(home: Path, store: Store) -> None:
    write_lines(
        rollout(home),
        [
            session_meta(),
            token_count("2025-11-18T10:00:03.000Z", total=codex_usage(800, 300, 90, 10)),
        ],
    )
    result = collect(store)
    assert totals(result.records) == {"input": 500, "output": 90, "cache_read": 300,
                                      "cache_write": 0, "requests": 1}  # fmt: skip
    assert (result.records[0].model, result.records[0].cost_usd) == (None, None)
    assert result.warnings == (
        "1 Codex CLI calls name no model in their log: tokens counted, cost unknown",
    )


def test_rate_limits_are_the_latest_windows_named_by_their_length(home: Path, store: Store) -> None:
    write_lines(
        rollout(home),
        [
            session_meta(),
            token_count(
                "2025-11-18T10:00:03.000Z",
                total=None,
                rate_limits={
                    "primary": {"used_percent": 5.0, "window_minutes": 300,
                                "resets_at": 1763470000},
                    "secondary": None,
                },
            ),
            token_count(
                "2025-11-18T11:30:00.000Z",
                total=None,
                rate_limits={
                    "limit_id": "codex",
                    "primary": {"used_percent": 7.0, "window_minutes": 300,
                                "resets_at": 1763483205},
                    "secondary": {"used_percent": 77.0, "window_minutes": 10080,
                                  "resets_at": 1763606387},
                    "plan_type": "plus",
                },
            ),
            token_count(
                "2025-11-18T11:31:00.000Z",
                total=None,
                rate_limits={"limit_id": "premium", "primary": None, "secondary": None},
            ),
        ],
    )  # fmt: skip
    quotas = {q.name: q for q in collect(store).quotas}
    assert set(quotas) == {"codex_5h", "codex_weekly"}
    five = quotas["codex_5h"]
    assert (five.used, five.limit, five.unit, five.estimated) == (
        Decimal("7.0"), Decimal(100), "percent", False,
    )  # fmt: skip
    assert five.resets_at == datetime.fromtimestamp(1763483205, UTC)
    assert five.observed_at == datetime(2025, 11, 18, 11, 30, tzinfo=UTC)
    assert quotas["codex_weekly"].used == Decimal("77.0")


def test_legacy_resets_in_seconds_count_from_the_line_time(home: Path, store: Store) -> None:
    write_lines(
        rollout(home),
        [
            token_count(
                "2025-09-20T10:00:00.000Z",
                total=None,
                rate_limits={
                    # a weekly window in the primary slot: classified by its length
                    "primary": {"used_percent": 40.5, "window_minutes": 10080,
                                "resets_in_seconds": 7200},
                },
            ),
        ],
    )  # fmt: skip
    quotas = collect(store, now=datetime(2025, 9, 20, 11, 0, tzinfo=UTC)).quotas
    assert [(q.name, q.used, q.resets_at) for q in quotas] == [
        ("codex_weekly", Decimal("40.5"), datetime(2025, 9, 20, 12, 0, tzinfo=UTC))
    ]


def test_a_window_whose_reset_has_passed_shows_zero_as_an_estimate(
    home: Path, store: Store
) -> None:
    write_lines(
        rollout(home),
        [
            token_count(
                "2025-09-20T10:00:00.000Z",
                total=None,
                rate_limits={"primary": {"used_percent": 90.0, "window_minutes": 300,
                                         "resets_in_seconds": 600}},
            ),
        ],
    )  # fmt: skip
    (quota,) = collect(store, now=datetime(2025, 9, 20, 18, 0, tzinfo=UTC)).quotas
    assert (quota.used, quota.resets_at, quota.estimated) == (Decimal(0), None, True)


def test_every_codex_home_in_the_list_is_read(
    home: Path, store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    lines = [turn_context(), token_count("2025-11-18T10:00:03.000Z", total=codex_usage(10, 0, 1))]
    write_lines(home / "a" / "sessions" / "r.jsonl", lines)
    later = token_count("2025-11-18T10:00:04.000Z", total=codex_usage(20, 0, 2))
    write_lines(home / "b" / "archived_sessions" / "r.jsonl", [turn_context(), later])
    monkeypatch.setenv("CODEX_HOME", f"{home / 'a'},{home / 'b'}")
    assert totals(collect(store).records)["input"] == 30


def test_cumulative_totals_and_re_emissions_carry_over_between_runs(
    home: Path, store: Store
) -> None:
    path = rollout(home)
    write_lines(
        path,
        [
            session_meta(),
            turn_context(),
            token_count("2025-11-18T10:00:04.000Z", total=codex_usage(1000, 200, 100)),
        ],
    )
    assert totals(collect(store).records)["input"] == 800
    write_lines(
        path,
        [
            token_count("2025-11-18T10:00:05.000Z", total=codex_usage(1000, 200, 100)),
            token_count("2025-11-18T10:00:09.000Z", total=codex_usage(1500, 300, 180)),
        ],
        mode="a",
    )
    assert totals(collect(store).records) == {"input": 1200, "output": 180, "cache_read": 300,
                                              "cache_write": 0, "requests": 2}  # fmt: skip


def test_a_subagent_rollout_spotted_by_thread_spawn_skips_its_replay(
    home: Path, store: Store
) -> None:
    meta = session_meta("2025-11-18T11:00:00.000Z", source={"subagent": "thread_spawn"})
    write_lines(
        rollout(home, "rollout-2025-11-18T11-00-00-sub.jsonl"),
        [
            meta,
            token_count("2025-11-18T11:00:00.500Z", total=codex_usage(9000, 0, 900)),
            turn_context(timestamp="2025-11-18T11:00:01.000Z"),
            token_count(
                "2025-11-18T11:00:03.000Z",
                total=codex_usage(9100, 50, 920),
                last=codex_usage(100, 50, 20),
            ),  # fmt: skip
        ],
    )
    assert totals(collect(store).records) == {"input": 50, "output": 20, "cache_read": 50,
                                              "cache_write": 0, "requests": 1}  # fmt: skip


def test_new_cache_write_tokens_are_taken_out_of_input(home: Path, store: Store) -> None:
    usage = {**codex_usage(1000, 300, 50), "cache_write_input_tokens": 200}
    write_lines(
        rollout(home),
        [turn_context(), token_count("2025-11-18T10:00:03.000Z", total=usage, last=usage)],
    )
    assert totals(collect(store).records) == {"input": 500, "output": 50, "cache_read": 300,
                                              "cache_write": 200, "requests": 1}  # fmt: skip
