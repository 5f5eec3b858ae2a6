"""Codex forks: the replayed parent history is found by reading the parent rollout.

A fork's rollout opens with its own ``session_meta`` (``forked_from_id``), then a copy of the
parent's history, re-stamped when the fork is written, which can take more than a second.
"""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

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
    fork_lines,
    parent_lines,
    query,
    totals,
    write_lines,
)

NOW = datetime(2025, 11, 18, 12, 0, tzinfo=UTC)


def codex_home(home: Path) -> Path:
    return home / ".codex"


def collect(store: Store) -> SourceResult:
    return CodexSource().collect(Settings(), store, query())


def added(*parts: dict[str, int]) -> dict[str, int]:
    return {name: sum(part[name] for part in parts) for name in parts[0]}


def test_a_fork_whose_replay_spans_several_seconds_counts_only_its_own_calls(
    home: Path, store: Store
) -> None:
    sessions = codex_home(home) / "sessions" / "2025" / "11" / "18"
    write_lines(sessions / PARENT_NAME, parent_lines())
    write_lines(sessions / FORK_NAME, fork_lines())
    result = collect(store)
    assert totals(result.records) == added(PARENT_TOTALS, OWN_TOTALS)
    assert result.warnings == ()


def test_the_parent_is_found_among_archived_sessions(home: Path, store: Store) -> None:
    write_lines(codex_home(home) / "archived_sessions" / PARENT_NAME, parent_lines())
    fork = codex_home(home) / "sessions" / "2025" / "11" / "18" / FORK_NAME
    write_lines(fork, fork_lines())
    assert totals(collect(store).records) == added(PARENT_TOTALS, OWN_TOTALS)


def test_a_fork_read_alone_counts_its_own_calls_and_keeps_its_session(
    home: Path, store: Store
) -> None:
    """The parent's lines were read in an earlier run; the fork arrives later."""
    sessions = codex_home(home) / "sessions" / "2025" / "11" / "18"
    write_lines(sessions / PARENT_NAME, parent_lines())
    assert totals(collect(store).records) == PARENT_TOTALS
    write_lines(sessions / FORK_NAME, fork_lines())
    assert totals(collect(store).records) == added(PARENT_TOTALS, OWN_TOTALS)
    sessions_of_lines = store.db.execute(
        "SELECT DISTINCT session FROM local_lines ORDER BY session"
    ).fetchall()
    assert sessions_of_lines == [(PARENT_ID,), (FORK_ID,)]


def test_without_its_parent_a_fork_skips_its_first_second_and_says_so(
    home: Path, store: Store
) -> None:
    fork = codex_home(home) / "sessions" / "2025" / "11" / "18" / FORK_NAME
    write_lines(fork, fork_lines())
    result = collect(store)
    # The first-second rule skips the two replayed calls stamped 11:00:00; the two stamped
    # 11:00:01 and 11:00:02 are counted again, with the fork's own.
    replayed_late = {"input": 1_000 + 1_000, "output": 400 + 100, "cache_read": 3_000 + 4_000,
                     "cache_write": 0, "requests": 2}  # fmt: skip
    assert totals(result.records) == added(OWN_TOTALS, replayed_late)
    assert result.warnings == (
        f"1 forked Codex CLI session names a parent rollout that is not on disk ({PARENT_ID}): "
        "its totals may include the parent's replayed history",
    )


def test_the_parent_s_old_rate_limits_replayed_in_a_fork_are_neither_errors_nor_current(
    home: Path, store: Store
) -> None:
    """The replay is stamped at the fork, its snapshots keep the parent's reset times."""
    old = {
        "limit_id": "codex",
        "primary": {"used_percent": 61.0, "window_minutes": 300, "resets_at": 1763289000},
    }  # 2025-11-16T10:30Z, two days before the fork
    parent, fork = parent_lines(), fork_lines()
    for line in (*parent, *fork):
        if line["type"] == "event_msg":
            line["payload"]["rate_limits"] = old
    sessions = codex_home(home) / "sessions" / "2025" / "11" / "18"
    write_lines(sessions / PARENT_NAME, parent)
    write_lines(sessions / FORK_NAME, fork)
    result = CodexSource(clock=lambda: NOW).collect(Settings(), store, query())
    assert totals(result.records) == added(PARENT_TOTALS, OWN_TOTALS)
    assert result.warnings == ()
    (quota,) = result.quotas  # the fork's own last event, at 11:00:50: a rolled-over window
    assert (quota.observed_at, quota.used, quota.estimated) == (
        datetime(2025, 11, 18, 11, 0, 50, tzinfo=UTC), Decimal(0), True
    )  # fmt: skip
