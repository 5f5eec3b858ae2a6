"""A store written by a newer aiusage is refused cleanly; a failed write loses nothing stored."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest

from aiusage.errors import ConfigError
from aiusage.models import Period, SourceResult, UsageQuery, UsageRecord
from aiusage.store import Store
from aiusage.store.migrations import all_migrations

NOW = datetime(2026, 11, 25, 12, tzinfo=UTC)
WINDOW = Period(since=datetime(2026, 11, 1, tzinfo=UTC), until=datetime(2026, 11, 4, tzinfo=UTC))
QUERY = UsageQuery(period=WINDOW)
NEWER = max(all_migrations()) + 1000


def record(day: int, model: str = "m") -> UsageRecord:
    start = datetime(2026, 11, day, tzinfo=UTC)
    return UsageRecord(
        provider="claude",
        source="api",
        start=start,
        end=start + timedelta(days=1),
        model=model,
        input_tokens=10,
        cost_usd=Decimal("0.5"),
        cost_kind="reported",
    )


def newer_store(path: Path, *extra_sql: str) -> None:
    Store.open(path).close()
    db = sqlite3.connect(path)
    db.execute("INSERT INTO schema_migrations VALUES (?, datetime('now'))", (NEWER,))
    for sql in extra_sql:
        db.execute(sql)
    db.commit()
    db.close()


@pytest.mark.parametrize(
    "change",
    [
        (),
        ("ALTER TABLE usage_records RENAME COLUMN input_tokens TO uncached_input_tokens",),
        (
            "CREATE TRIGGER newer_guard BEFORE INSERT ON usage_records "
            "BEGIN SELECT RAISE(ABORT, 'written by a newer version'); END",
        ),
    ],
    ids=["unknown migration", "renamed column", "extra trigger"],
)
def test_a_store_of_a_newer_aiusage_is_refused_with_its_schema_number(
    tmp_path: Path, change: tuple[str, ...]
) -> None:
    path = tmp_path / "s.sqlite3"
    newer_store(path, *change)

    with pytest.raises(ConfigError) as caught:
        Store.open(path)

    assert caught.value.message == (
        f"this store was written by a newer aiusage (schema {NEWER}); upgrade aiusage or point "
        f"AIUSAGE_HOME elsewhere ({path})"
    )


def test_a_refused_newer_store_is_left_as_it_was(tmp_path: Path) -> None:
    path = tmp_path / "s.sqlite3"
    newer_store(path)
    before = path.read_bytes()
    with pytest.raises(ConfigError):
        Store.open(path)
    db = sqlite3.connect(path)
    versions = {row[0] for row in db.execute("SELECT version FROM schema_migrations")}
    db.close()
    assert NEWER in versions and versions - {NEWER} == set(all_migrations())
    assert len(path.read_bytes()) == len(before)


def test_a_write_that_fills_the_disk_loses_nothing_and_leaves_no_open_transaction(
    tmp_path: Path,
) -> None:
    store = Store.open(tmp_path / "s.sqlite3")
    store.save_fetch("k", "claude", "api", QUERY, WINDOW, SourceResult(records=(record(1),)), NOW)
    pages = store.db.execute("PRAGMA page_count").fetchone()[0]
    store.db.execute(f"PRAGMA max_page_count = {pages}")  # the disk is now full
    many = tuple(record(day, model=f"model-{n:05d}-" + "x" * 200) for day in (1, 2, 3)
                 for n in range(2000))  # fmt: skip

    with pytest.raises((sqlite3.OperationalError, ConfigError), match="full"):
        store.save_fetch("k", "claude", "api", QUERY, WINDOW, SourceResult(records=many), NOW)

    assert not store.db.in_transaction
    kept = store.load_records("claude", "api", "1d", "", WINDOW)
    assert [(r.start.day, r.model) for r in kept] == [(1, "m")]
    store.close()
