"""Files parsed by the worker process leave the store exactly as files parsed in process."""

from __future__ import annotations

import random
from pathlib import Path
from typing import Any

import pytest

from aiusage.settings import Settings
from aiusage.sources.logs import ingest as ingest_module
from aiusage.sources.logs.claude_code import ClaudeCodeSource
from aiusage.sources.logs.ingest import IngestStats
from aiusage.sources.logs.worker import Worker
from aiusage.store import Store
from tests.sources.logs.logs import append_raw, assistant, claude_project, claude_usage, user
from tests.sources.logs.logs import write_lines as write

TABLES = {
    "local_lines": "SELECT * FROM local_lines ORDER BY msg_key, req_key, file_id",
    "local_hourly": "SELECT * FROM local_hourly ORDER BY 1, 2, 3, 4",
    "local_files": "SELECT file_id, path, offset, head, tail, bad_lines, skipped, state "
    "FROM local_files ORDER BY file_id",
    "local_events": "SELECT * FROM local_events ORDER BY 1, 2",
}


def tree(home: Path, seed: int) -> None:
    """Sessions in two projects with copies of responses across files (a resumed session),
    better copies, sidechain replays, malformed lines and a half-written last line."""
    rng = random.Random(seed)
    responses = [(f"msg_{n:03d}", f"req_{n:03d}") for n in range(60)]
    for project in ("-home-dev-api", "-home-dev-web"):
        folder = claude_project(home, project)
        for number in range(6):
            lines: list[dict[str, Any] | str] = [user()]
            for message_id, request_id in rng.sample(responses, 15):
                hour = rng.randrange(0, 24)
                usage = claude_usage(rng.randrange(1, 50), rng.randrange(1, 500), 1000, 100)
                lines.append(
                    assistant(
                        message_id,
                        request_id if rng.random() > 0.2 else f"req_replay_{number}",
                        usage,
                        timestamp=f"2025-10-01T{hour:02d}:{rng.randrange(60):02d}:00.000Z",
                        sidechain=rng.random() < 0.2,
                        cwd=f"/home/dev/{project}",
                    )
                )
                if rng.random() < 0.1:
                    lines.append('{"message": {"usage": {"input_tokens": "many"}}}')
            write(folder / f"session-{number}.jsonl", lines)
        append_raw(folder / "session-0.jsonl", '{"type": "assistant", "message": {"usage"')


def ingested(home: Path, path: Path, seed: int, min_bytes: int | None) -> tuple[IngestStats, Any]:
    tree(home, seed)
    store = Store.open(path)
    try:
        source = ClaudeCodeSource()
        if min_bytes is None:
            source.worker_parser = None  # type: ignore[assignment]
        stats = source.ingest(Settings(), store)
        contents = {name: store.db.execute(sql).fetchall() for name, sql in TABLES.items()}
    finally:
        store.close()
    return stats, contents


@pytest.mark.parametrize("seed", [1, 2])
def test_a_worker_process_parses_exactly_as_this_process(
    home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, seed: int
) -> None:
    monkeypatch.setattr(ingest_module, "WORKER_MIN_BYTES", 0)
    given: list[int] = []
    start = Worker.start

    def counted(parser: tuple[str, str], tasks: list[Any]) -> Worker | None:
        given.append(len(tasks))
        return start(parser, tasks)

    monkeypatch.setattr(Worker, "start", counted)
    alone, alone_rows = ingested(home, tmp_path / "alone.sqlite3", seed, None)
    shared, shared_rows = ingested(home, tmp_path / "shared.sqlite3", seed, 0)
    assert given and given[0] >= 6  # the worker parsed most of the files
    assert shared_rows["local_lines"]  # something was read
    assert shared_rows == alone_rows
    assert shared == alone


def test_the_process_reads_the_rest_when_the_worker_cannot_start(
    home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(ingest_module, "WORKER_MIN_BYTES", 0)
    monkeypatch.setattr(Worker, "start", classmethod(lambda cls, parser, tasks: None))
    alone, alone_rows = ingested(home, tmp_path / "alone.sqlite3", 3, None)
    shared, shared_rows = ingested(home, tmp_path / "shared.sqlite3", 3, 0)
    assert shared_rows == alone_rows
    assert shared == alone


def test_a_file_the_worker_could_not_read_is_named(home: Path, store: Store) -> None:
    ingestor = ingest_module.Ingestor(store, "claude", ClaudeCodeSource().make_parser, "better")
    tree(home, 4)
    path = claude_project(home, "-home-dev-web") / "session-5.jsonl"
    plan = ingestor._plan(path, {}, {})
    assert plan is not None
    assert ingestor._scanned_by_worker(plan, ("oserror", 13, "Permission denied")) is None
    assert ingestor._scanned_by_worker(plan, ("oserror", 2, "No such file or directory")) is None
    assert ingestor.stats.unreadable == [f"{path} (Permission denied)"]
