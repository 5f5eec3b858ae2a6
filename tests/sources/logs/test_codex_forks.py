"""Codex forks: the replayed parent history is found by reading the parent rollout.

A fork's rollout opens with its own ``session_meta`` (``forked_from_id``), then a copy of the
parent's history, re-stamped when the fork is written, which can take more than a second.
"""

from __future__ import annotations

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
