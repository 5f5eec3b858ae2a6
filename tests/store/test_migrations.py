"""The store's migrations: grouped by owner, applied whole as SQL scripts, recorded once."""

from __future__ import annotations

from pathlib import Path

import pytest

from aiusage.errors import ConfigError
from aiusage.store import Store, database, migrations
from aiusage.store.migrations import CORE_MIGRATIONS, GROUPS, all_migrations

# A trigger body holds statements of its own: a split on ";" cuts it into broken pieces.
TRIGGER = """
CREATE TABLE counter (value INTEGER NOT NULL);
CREATE TRIGGER counter_doubles AFTER INSERT ON counter BEGIN
    UPDATE counter SET value = value + 1;
    UPDATE counter SET value = value * 2;
END;
"""


def test_every_migration_number_sits_in_its_owners_range_but_101() -> None:
    ranges = [range(1, 100), range(100, 200), range(200, 300), range(300, 400)]
    for group, numbers in zip(GROUPS, ranges, strict=True):
        strays = {n for n in group if n not in numbers}
        assert strays == ({101} if group is CORE_MIGRATIONS else set())
    assert "ALTER TABLE fetches" in CORE_MIGRATIONS[101]


def test_a_number_used_by_two_groups_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(migrations, "GROUPS", (*GROUPS, {101: "SELECT 1;"}))
    with pytest.raises(RuntimeError, match=r"\[101\]"):
        all_migrations()


def test_a_migration_is_applied_as_one_script_trigger_bodies_included(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(database, "all_migrations", lambda: {**all_migrations(), 999: TRIGGER})
    store = Store.open(tmp_path / "s.sqlite3")
    store.db.execute("INSERT INTO counter VALUES (1)")
    assert store.db.execute("SELECT value FROM counter").fetchone() == (4,)
    store.close()


def test_a_failing_migration_leaves_no_trace_and_is_tried_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    broken = "CREATE TABLE half (x INTEGER); CREATE TABLE broken (;"
    monkeypatch.setattr(database, "all_migrations", lambda: {**all_migrations(), 999: broken})
    with pytest.raises(ConfigError, match="cannot open the store"):
        Store.open(tmp_path / "s.sqlite3")

    monkeypatch.setattr(database, "all_migrations", all_migrations)
    store = Store.open(tmp_path / "s.sqlite3")
    versions = {row[0] for row in store.db.execute("SELECT version FROM schema_migrations")}
    assert versions == set(all_migrations())
    tables = {row[0] for row in store.db.execute("SELECT name FROM sqlite_master")}
    assert "half" not in tables
    store.close()
