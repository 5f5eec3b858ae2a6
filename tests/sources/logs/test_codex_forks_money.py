"""Codex forks and folders: each token of a fork family counted once, whatever the reading order.

The family is the one of ``tests/sources/logs/logs.py``: the parent's four calls total 5,500
input, 1,000 output, 8,500 cache read; the fork's own two calls 3,000 / 400 / 10,000.
"""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from aiusage.models import SourceResult
from aiusage.settings import Settings
from aiusage.sources.logs.codex import CodexSource
from aiusage.store import Store
from tests.sources.logs.logs import (
    FORK_ID,
    FORK_NAME,
    OWN_TOTALS,
    PARENT_ID,
    PARENT_NAME,
    PARENT_TOTALS,
    codex_usage,
    fork_lines,
    meta,
    parent_lines,
    query,
    rollout,
    session_meta,
    token_count,
    totals,
    turn_context,
    write_lines,
)

NOW = datetime(2025, 11, 18, 12, 0, tzinfo=UTC)
FAMILY = {name: PARENT_TOTALS[name] + OWN_TOTALS[name] for name in PARENT_TOTALS}


def sessions(home: Path) -> Path:
    return home / ".codex" / "sessions" / "2025" / "11" / "18"


def collect(store: Store, **kw: Any) -> SourceResult:
    return CodexSource(clock=lambda: NOW).collect(Settings(), store, query(**kw))


def test_a_fork_read_in_two_runs_mid_replay_still_skips_the_rest_of_it(
    home: Path, store: Store
) -> None:
    write_lines(sessions(home) / PARENT_NAME, parent_lines())
    fork = fork_lines()
    # cut after the first replayed call
    cut = next(
        n
        for n, line in enumerate(fork, 1)
        if line["type"] == "event_msg" and line["payload"]["info"]
    )
    write_lines(sessions(home) / FORK_NAME, fork[:cut])
    assert totals(collect(store).records) == PARENT_TOTALS
    write_lines(sessions(home) / FORK_NAME, fork[cut:], mode="a")
    assert totals(collect(store).records) == FAMILY


def test_a_fork_s_own_cumulative_totals_count_from_the_replayed_baseline(
    home: Path, store: Store
) -> None:
    fork = fork_lines()
    calls = [line for line in fork if line["type"] == "event_msg" and line["payload"]["info"]]
    for line in calls[-2:]:  # the own calls, written without last_token_usage
        line["payload"]["info"].pop("last_token_usage")
    write_lines(sessions(home) / PARENT_NAME, parent_lines())
    write_lines(sessions(home) / FORK_NAME, fork)
    assert totals(collect(store).records) == FAMILY


def test_a_fork_of_a_session_without_calls_counts_its_first_second(
    home: Path, store: Store
) -> None:
    write_lines(sessions(home) / PARENT_NAME, [meta(PARENT_ID, "2025-11-18T09:00:00.000Z")])
    own = codex_usage(1_000, 0, 100)
    write_lines(
        sessions(home) / FORK_NAME,
        [
            meta(FORK_ID, "2025-11-18T11:00:00.000Z", forked_from_id=PARENT_ID),
            turn_context(timestamp="2025-11-18T11:00:00.100Z"),
            token_count("2025-11-18T11:00:00.600Z", total=own, last=own),
        ],
    )
    result = collect(store)
    assert (totals(result.records)["input"], result.warnings) == (1_000, ())


def test_an_empty_forked_from_id_is_no_fork(home: Path, store: Store) -> None:
    own = codex_usage(1_000, 0, 100)
    write_lines(
        sessions(home) / FORK_NAME,
        [
            meta(FORK_ID, "2025-11-18T11:00:00.000Z", forked_from_id=""),
            turn_context(timestamp="2025-11-18T11:00:00.100Z"),
            token_count("2025-11-18T11:00:00.600Z", total=own, last=own),
        ],
    )
    result = collect(store)
    assert (totals(result.records)["input"], result.warnings) == (1_000, ())


def test_the_parent_s_odd_lines_do_not_stop_reading_its_history(home: Path, store: Store) -> None:
    parent = parent_lines()
    calls = [line for line in parent if line["type"] == "event_msg" and line["payload"]["info"]]
    calls[1]["payload"]["info"].pop("last_token_usage")  # a call with its total only
    calls[2]["payload"]["info"].pop("total_token_usage")  # and one with the call only
    odd: list[dict[str, Any] | str] = [
        'not JSON, though it says "token_count"',
        '["token_count"]',
        '{"timestamp": "2025-11-18T09:00:01Z", "type": "event_msg", "payload": "token_count"}',
        token_count("2025-11-18T09:00:02Z", total=None, last={"input_tokens": 1e16}),
    ]
    write_lines(sessions(home) / PARENT_NAME, [*parent[:2], *odd, *parent[2:]])
    fork = fork_lines()
    replayed = [line for line in fork if line["type"] == "event_msg" and line["payload"]["info"]]
    replayed[1]["payload"]["info"].pop("last_token_usage")  # copied as the parent wrote them
    replayed[2]["payload"]["info"].pop("total_token_usage")
    write_lines(sessions(home) / FORK_NAME, fork)
    assert totals(collect(store).records) == FAMILY


def test_lines_keep_their_session_id_or_none(home: Path, store: Store) -> None:
    call = codex_usage(10, 0, 1)
    no_id = session_meta()
    no_id["payload"].pop("id")
    write_lines(
        rollout(home, "rollout-a.jsonl"), [no_id, token_count("2025-11-18T10:00:03Z", call)]
    )
    numeric = session_meta()
    numeric["payload"]["id"] = 12345
    write_lines(
        rollout(home, "rollout-b.jsonl"), [numeric, token_count("2025-11-18T10:00:04Z", call)]
    )
    write_lines(rollout(home, "rollout-c.jsonl"), [token_count("2025-11-18T10:00:05Z", call)])
    collect(store)
    sessions_of_lines = store.db.execute("SELECT DISTINCT session FROM local_lines").fetchall()
    assert sessions_of_lines == [("",)]


def test_a_call_with_no_working_directory_has_no_scope(home: Path, store: Store) -> None:
    call = codex_usage(10, 0, 1)
    write_lines(rollout(home), [token_count("2025-11-18T10:00:03Z", total=call, last=call)])
    (record,) = collect(store).records
    assert record.scope is None


def test_a_missing_parent_is_warned_about_only_within_the_period(home: Path, store: Store) -> None:
    write_lines(sessions(home) / FORK_NAME, fork_lines())  # the parent is not on disk
    assert collect(store, since="2025-11-18", until="2025-11-19").warnings == (
        f"1 forked Codex CLI session names a parent rollout that is not on disk ({PARENT_ID}): "
        "its totals may include the parent's replayed history",
    )
    assert collect(store, since="2025-11-01", until="2025-11-10").warnings == ()
    assert collect(store, since="2025-11-19", until="2025-11-30").warnings == ()


def test_two_missing_parents_are_counted_and_the_first_named(home: Path, store: Store) -> None:
    other_parent = "019a9c41-0000-7b31-9f6a-2c8e4d1b0a55"
    other_fork = "019a9d02-0000-7c40-8e21-5f3b6a9c7d12"
    write_lines(sessions(home) / FORK_NAME, fork_lines())
    second = fork_lines()
    second[0] = meta(other_fork, "2025-11-18T11:00:00.000Z", forked_from_id=other_parent)
    write_lines(sessions(home) / f"rollout-2025-11-18T11-30-00-{other_fork}.jsonl", second)
    first = min(PARENT_ID, other_parent)
    assert collect(store).warnings == (
        f"2 forked Codex CLI sessions name parent rollouts that are not on disk (first: "
        f"{first}): their totals may include their parents' replayed history",
    )


def test_a_codex_home_of_saved_rollouts_is_read_itself(
    home: Path, store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    call = codex_usage(10, 0, 1)
    write_lines(home / "saved" / "exec-1.jsonl", [token_count("2025-11-18T10:00:03Z", call)])
    monkeypatch.setenv("CODEX_HOME", str(home / "saved"))
    assert totals(collect(store).records)["input"] == 10


def test_only_sessions_folders_of_the_default_home_are_read(home: Path, store: Store) -> None:
    call = codex_usage(10, 0, 1)
    stray = home / ".codex" / "backup" / "rollout-old.jsonl"
    write_lines(stray, [token_count("2025-11-18T10:00:03Z", call)])
    assert collect(store).records == ()  # no sessions folder yet: nothing is read
    write_lines(rollout(home), [token_count("2025-11-18T10:00:04Z", codex_usage(20, 0, 2))])
    assert totals(collect(store).records)["input"] == 20


def test_a_nested_rollout_in_both_sessions_and_archived_is_read_once(
    home: Path, store: Store
) -> None:
    lines = [turn_context(), token_count("2025-11-18T10:00:03Z", total=codex_usage(100, 0, 10))]
    write_lines(home / ".codex" / "sessions" / "2025" / "11" / "18" / "r.jsonl", lines)
    write_lines(home / ".codex" / "archived_sessions" / "2025" / "11" / "18" / "r.jsonl", lines)
    later = [turn_context(), token_count("2025-11-18T10:00:04Z", total=codex_usage(5, 0, 1))]
    # the same file name in another year's folder is another rollout
    write_lines(home / ".codex" / "archived_sessions" / "2024" / "11" / "18" / "r.jsonl", later)
    stats = CodexSource().ingest(Settings(), store)
    assert stats.files_read == 2


def test_a_clock_given_positionally_decides_whether_a_window_rolled_over(
    home: Path, store: Store
) -> None:
    limits = {"primary": {"used_percent": 40.0, "window_minutes": 300,
                          "resets_at": int(NOW.timestamp()) + 3_600}}  # fmt: skip
    write_lines(rollout(home), [token_count("2025-11-18T11:00:00Z", None, rate_limits=limits)])
    (quota,) = CodexSource(lambda: NOW).collect(Settings(), store, query()).quotas
    assert (quota.used, quota.estimated) == (Decimal("40.0"), False)


def test_a_replayed_call_emitted_again_after_a_later_run_counts_nothing(
    home: Path, store: Store
) -> None:
    write_lines(sessions(home) / PARENT_NAME, parent_lines())
    fork = fork_lines()
    write_lines(sessions(home) / FORK_NAME, fork)
    assert totals(collect(store).records) == FAMILY
    replayed = [line for line in fork if line["type"] == "event_msg" and line["payload"]["info"]]
    again = dict(replayed[2], timestamp="2025-11-18T11:05:00.000Z")  # re-emitted, later
    own_total = fork[-1]["payload"]["info"]["total_token_usage"]
    new_total = {**own_total, "input_tokens": own_total["input_tokens"] + 500,
                 "output_tokens": own_total["output_tokens"] + 50}  # fmt: skip
    write_lines(
        sessions(home) / FORK_NAME,
        [again, token_count("2025-11-18T11:06:00.000Z", total=new_total)],
        mode="a",
    )
    grown = dict(FAMILY, input=FAMILY["input"] + 500, output=FAMILY["output"] + 50)
    assert totals(collect(store).records) == dict(grown, requests=FAMILY["requests"] + 1)


def test_a_subagent_fork_whose_parent_is_on_disk_counts_its_first_second(
    home: Path, store: Store
) -> None:
    write_lines(sessions(home) / PARENT_NAME, [meta(PARENT_ID, "2025-11-18T09:00:00.000Z")])
    own = codex_usage(1_000, 0, 100)
    spawned = meta(FORK_ID, "2025-11-18T11:00:00.000Z", forked_from_id=PARENT_ID,
                   source={"subagent": "thread_spawn"})  # fmt: skip
    write_lines(
        sessions(home) / FORK_NAME,
        [spawned, token_count("2025-11-18T11:00:00.600Z", total=own, last=own)],
    )
    assert totals(collect(store).records)["input"] == 1_000


def test_a_parent_whose_first_line_is_a_call_is_replayed_whole(home: Path, store: Store) -> None:
    parent = parent_lines()
    first_call = next(
        line for line in parent if line["type"] == "event_msg" and line["payload"]["info"]
    )
    parent.remove(first_call)
    write_lines(sessions(home) / PARENT_NAME, [first_call, *parent])
    write_lines(sessions(home) / FORK_NAME, fork_lines())
    assert totals(collect(store).records) == FAMILY
