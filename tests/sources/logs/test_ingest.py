"""Incremental ingestion: only new bytes are read, nothing is counted twice, history is kept."""

from __future__ import annotations

import os
from pathlib import Path

from aiusage.settings import Settings
from aiusage.sources.logs.claude_code import ClaudeCodeSource
from aiusage.sources.logs.ingest import IngestStats
from aiusage.store import Store
from tests.sources.logs.logs import (
    assistant,
    claude_project,
    claude_usage,
    dump,
    query,
    totals,
    user,
    write_lines,
)


def ingest(store: Store) -> IngestStats:
    return ClaudeCodeSource().ingest(Settings(), store)


def counted(store: Store) -> dict[str, int]:
    result = ClaudeCodeSource().collect(Settings(), store, query())
    assert_sums_match_lines(store)
    return totals(result.records)


def assert_sums_match_lines(store: Store) -> None:
    """The hourly sums always equal the counted lines they summarise."""
    lines = store.db.execute(
        "SELECT provider, ts - ts % 3600000, model, scope, SUM(input_tokens), "
        "SUM(output_tokens), SUM(cache_read_tokens), SUM(cache_write_tokens), "
        "SUM(cache_write_1h_tokens), COUNT(*) FROM local_lines WHERE counted = 1 "
        "GROUP BY 1, 2, 3, 4 ORDER BY 1, 2, 3, 4"
    ).fetchall()
    hourly = store.db.execute(
        "SELECT * FROM local_hourly WHERE requests != 0 ORDER BY 1, 2, 3, 4"
    ).fetchall()
    assert lines == hourly


def test_a_second_run_reads_only_the_appended_bytes(home: Path, store: Store) -> None:
    session = claude_project(home) / "session-a.jsonl"
    size = write_lines(session, [user(), assistant("msg_1", "req_1", claude_usage(1, 10))])
    first = ingest(store)
    assert (first.files_read, first.bytes_read) == (1, size)
    added = write_lines(session, [assistant("msg_2", "req_2", claude_usage(2, 20))], mode="a")
    second = ingest(store)
    assert (second.files_read, second.bytes_read, second.lines_parsed) == (1, added, 1)
    third = ingest(store)
    assert (third.files_read, third.bytes_read) == (0, 0)
    assert counted(store) == {"input": 3, "output": 30, "cache_read": 0, "cache_write": 0,
                              "requests": 2}  # fmt: skip


def test_a_better_copy_in_a_later_run_replaces_the_stored_one(home: Path, store: Store) -> None:
    session = claude_project(home) / "session-a.jsonl"
    write_lines(session, [assistant("msg_1", "req_1", claude_usage(4, 10, 1000, 100))])
    assert counted(store)["output"] == 10
    write_lines(session, [assistant("msg_1", "req_1", claude_usage(4, 250, 1000, 100))], mode="a")
    assert counted(store) == {"input": 4, "output": 250, "cache_read": 1000, "cache_write": 100,
                              "requests": 1}  # fmt: skip


def test_a_half_written_last_line_is_read_when_completed(home: Path, store: Store) -> None:
    session = claude_project(home) / "session-a.jsonl"
    write_lines(session, [assistant("msg_1", "req_1", claude_usage(1, 10))])
    line = dump(assistant("msg_2", "req_2", claude_usage(2, 20)))
    half, rest = line[:150], line[150:] + "\n"
    with session.open("a") as handle:
        handle.write(half)
    ingest(store)
    found = ClaudeCodeSource().collect(Settings(), store, query())
    assert totals(found.records)["output"] == 10
    assert found.warnings == ()  # waiting for the rest, not malformed
    with session.open("a") as handle:
        handle.write(rest)
    stats = ingest(store)
    assert stats.bytes_read == len(half) + len(rest)
    assert counted(store)["output"] == 30


def test_a_complete_last_line_without_newline_counts_once(home: Path, store: Store) -> None:
    session = claude_project(home) / "session-a.jsonl"
    session.parent.mkdir(parents=True)
    session.write_text(dump(assistant("msg_1", "req_1", claude_usage(1, 10))))
    assert counted(store)["output"] == 10
    write_lines(session, ["", dump(assistant("msg_2", "req_2", claude_usage(2, 20)))], mode="a")
    assert counted(store)["output"] == 30


def test_a_file_replaced_by_a_shorter_one_is_read_again_without_doubling(
    home: Path, store: Store
) -> None:
    session = claude_project(home) / "session-a.jsonl"
    write_lines(
        session,
        [
            assistant("msg_1", "req_1", claude_usage(1, 10)),
            assistant("msg_2", "req_2", claude_usage(2, 20)),
            assistant("msg_3", "req_3", claude_usage(4, 40)),
        ],
    )
    assert counted(store)["output"] == 70
    size = write_lines(session, [assistant("msg_9", "req_9", claude_usage(8, 80))])
    stats = ingest(store)
    assert stats.bytes_read == size
    assert counted(store) == {"input": 8, "output": 80, "cache_read": 0, "cache_write": 0,
                              "requests": 1}  # fmt: skip


def test_a_file_rewritten_in_place_with_more_bytes_is_read_again(home: Path, store: Store) -> None:
    session = claude_project(home) / "session-a.jsonl"
    write_lines(session, [assistant("msg_1", "req_1", claude_usage(1, 10))])
    assert counted(store)["output"] == 10
    inode = session.stat().st_ino
    with session.open("r+") as handle:  # same inode, new content from the first byte
        handle.write(
            dump(assistant("msg_5", "req_5", claude_usage(3, 33), text="another answer")) + "\n"
            + dump(assistant("msg_6", "req_6", claude_usage(3, 33))) + "\n"
        )  # fmt: skip
    assert session.stat().st_ino == inode
    assert counted(store)["output"] == 66


def test_when_the_counted_copy_disappears_another_files_copy_counts(
    home: Path, store: Store
) -> None:
    project = claude_project(home)
    write_lines(project / "a.jsonl", [assistant("msg_1", "req_1", claude_usage(1, 100))])
    write_lines(project / "b.jsonl", [assistant("msg_1", "req_1", claude_usage(1, 150))])
    assert counted(store)["output"] == 150
    write_lines(project / "b.jsonl", [assistant("msg_2", "req_2", claude_usage(2, 5))])
    assert counted(store) == {"input": 3, "output": 105, "cache_read": 0, "cache_write": 0,
                              "requests": 2}  # fmt: skip


def test_records_outlive_the_logs_deleted_by_the_cli(home: Path, store: Store) -> None:
    session = claude_project(home) / "session-a.jsonl"
    write_lines(session, [assistant("msg_1", "req_1", claude_usage(1, 10))])
    assert counted(store)["output"] == 10
    session.unlink()
    assert counted(store)["output"] == 10


def test_a_moved_file_is_recognised_and_not_read_again(home: Path, store: Store) -> None:
    project = claude_project(home)
    write_lines(project / "a.jsonl", [assistant(None, None, claude_usage(1, 10))])
    assert counted(store)["output"] == 10
    os.rename(project / "a.jsonl", project / "b.jsonl")
    stats = ingest(store)
    assert stats.bytes_read == 0
    assert counted(store)["output"] == 10


def test_a_key_written_by_another_process_between_two_batches_counts_once(
    store: Store,
) -> None:
    """Two first runs at once: each started on an empty store, their batches interleave."""
    from aiusage.sources.logs.ledger import Ledger
    from aiusage.sources.logs.lines import Line

    def line(output: int) -> Line:
        return Line("msg_1", "req_1", 0, 0, 0, 1759322096789, "m", "/p", 1, output, 0, 0, 0)

    other = Store.open(Settings().store_path)
    try:
        first, second = Ledger("claude", "better"), Ledger("claude", "better")
        with store.transaction() as db:
            first.write(db, [(1, [line(10)])], [])
        with other.transaction() as db:  # started on the empty store, writes after the first
            second.write(db, [(2, [line(30)])], [])
    finally:
        other.close()
    counted = store.db.execute(
        "SELECT file_id, output_tokens FROM local_lines WHERE counted = 1"
    ).fetchall()
    assert counted == [(2, 30)]
    assert_sums_match_lines(store)


def test_a_store_double_counted_by_racing_runs_of_an_earlier_version_is_repaired(
    home: Path, store: Store
) -> None:
    project = claude_project(home)
    write_lines(project / "a.jsonl", [assistant("msg_1", "req_1", claude_usage(1, 100))])
    write_lines(project / "b.jsonl", [assistant("msg_1", "req_1", claude_usage(1, 150))])
    write_lines(project / "c.jsonl", [assistant("msg_2", "req_2", claude_usage(2, 5))])
    assert counted(store)["output"] == 155
    # What two first runs of an earlier version left: both copies of msg_1 counted and summed.
    with store.transaction() as db:
        db.execute("UPDATE local_lines SET counted = 1")
        db.execute("UPDATE local_hourly SET output_tokens = 255, input_tokens = 4, requests = 3")
        db.execute("DELETE FROM schema_migrations WHERE version BETWEEN 205 AND 299")
    assert counted(store)["output"] == 255
    repaired = Store.open(Settings().store_path)
    try:
        assert counted(repaired) == {"input": 3, "output": 155, "cache_read": 0,
                                     "cache_write": 0, "requests": 2}  # fmt: skip
    finally:
        repaired.close()
