"""The local store: private file, recorded migrations, cache with TTL, history without doubles."""

from __future__ import annotations

import sqlite3
import stat
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

from aiusage.models import Period, Quota, SourceResult, UsageQuery, UsageRecord
from aiusage.store import Store
from aiusage.store.migrations import all_migrations

NOW = datetime(2026, 11, 25, 12, tzinfo=UTC)
DAY = timedelta(days=1)
WINDOW = Period(since=datetime(2026, 11, 1, tzinfo=UTC), until=datetime(2026, 11, 4, tzinfo=UTC))
QUERY = UsageQuery(period=WINDOW)


def record(day: int, model: str = "m", tokens: int = 10, cost: str | None = "0.5") -> UsageRecord:
    start = datetime(2026, 11, day, tzinfo=UTC)
    return UsageRecord(
        provider="claude",
        source="api",
        start=start,
        end=start + DAY,
        model=model,
        input_tokens=tokens,
        output_tokens=1,
        cost_usd=None if cost is None else Decimal(cost),
        cost_kind=None if cost is None else "reported",
    )


def test_the_store_file_is_private_to_its_owner(tmp_path: Path) -> None:
    path = tmp_path / "deep" / "store.sqlite3"
    store = Store.open(path)
    store.save_fetch("k", "claude", "api", QUERY, WINDOW, SourceResult(records=(record(1),)), NOW)
    files = list(path.parent.iterdir())
    assert {f.name for f in files} >= {"store.sqlite3", "store.sqlite3-wal"}
    for file in files:
        assert stat.S_IMODE(file.stat().st_mode) == 0o600, file.name
    store.close()
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700


def test_migrations_are_recorded_and_give_exactly_this_schema(tmp_path: Path) -> None:
    store = Store.open(tmp_path / "s.sqlite3")
    versions = [row[0] for row in store.db.execute("SELECT version FROM schema_migrations")]
    assert versions == sorted(all_migrations())
    columns = [row[1] for row in store.db.execute("PRAGMA table_info(usage_records)")]
    assert columns == [
        "provider",
        "source",
        "granularity",
        "dimension",
        "start",
        "end",
        "model",
        "scope",
        "product",
        "input_tokens",
        "output_tokens",
        "cache_read_tokens",
        "cache_write_tokens",
        "requests",
        "cost_usd",
        "cost_kind",
        "fetched_at",
    ]
    fetch_columns = [row[1] for row in store.db.execute("PRAGMA table_info(fetches)")]
    assert fetch_columns == [
        "cache_key",
        "provider",
        "source",
        "fetched_at",
        "quotas",
        "warnings",
        "activity",
    ]
    span_columns = [row[1] for row in store.db.execute("PRAGMA table_info(fetched_spans)")]
    assert span_columns == ["provider", "source", "granularity", "dimension", "since", "until"]
    assert store.db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    store.close()


def test_opening_twice_applies_each_migration_once(tmp_path: Path) -> None:
    Store.open(tmp_path / "s.sqlite3").close()
    store = Store.open(tmp_path / "s.sqlite3")
    count = store.db.execute("SELECT COUNT(*) FROM schema_migrations").fetchone()[0]
    assert count == len(all_migrations())
    store.close()


def test_refetching_a_window_replaces_its_records_instead_of_doubling(tmp_path: Path) -> None:
    store = Store.open(tmp_path / "s.sqlite3")
    first = SourceResult(records=(record(1), record(2, "old-model")))
    store.save_fetch("k", "claude", "api", QUERY, WINDOW, first, NOW)
    second = SourceResult(records=(record(1, tokens=99),))
    store.save_fetch("k", "claude", "api", QUERY, WINDOW, second, NOW + DAY)
    loaded = store.load_records("claude", "api", "1d", "", WINDOW)
    assert [(r.start.day, r.model, r.input_tokens) for r in loaded] == [(1, "m", 99)]
    store.close()


def test_history_outside_the_fetched_window_is_kept(tmp_path: Path) -> None:
    store = Store.open(tmp_path / "s.sqlite3")
    october = Period(
        since=datetime(2026, 10, 31, tzinfo=UTC), until=datetime(2026, 11, 1, tzinfo=UTC)
    )
    old = record(1).model_copy(update={"start": october.since, "end": october.until})
    store.save_fetch(
        "old",
        "claude",
        "api",
        UsageQuery(period=october),
        october,
        SourceResult(records=(old,)),
        NOW,
    )
    store.save_fetch("k", "claude", "api", QUERY, WINDOW, SourceResult(records=(record(1),)), NOW)
    everything = Period(since=october.since, until=WINDOW.until)
    assert len(store.load_records("claude", "api", "1d", "", everything)) == 2
    store.close()


def test_money_and_nulls_round_trip_exactly(tmp_path: Path) -> None:
    store = Store.open(tmp_path / "s.sqlite3")
    records = (record(1, cost="0.017265225"), record(2, cost=None))
    store.save_fetch("k", "claude", "api", QUERY, WINDOW, SourceResult(records=records), NOW)
    loaded = store.load_records("claude", "api", "1d", "", WINDOW)
    assert loaded == list(records)
    store.close()


def test_the_cache_answers_within_the_ttl_only(tmp_path: Path) -> None:
    store = Store.open(tmp_path / "s.sqlite3")
    quota = Quota(
        provider="claude",
        source="api",
        name="x",
        used=Decimal(1),
        limit=None,
        unit="requests",
        observed_at=NOW,
    )
    store.save_fetch(
        "k", "claude", "api", QUERY, WINDOW, SourceResult(quotas=(quota,), warnings=("w",)), NOW
    )
    fresh = store.fresh_fetch("k", 900, NOW + timedelta(seconds=899))
    assert fresh is not None and fresh.quotas == (quota,) and fresh.warnings == ("w",)
    assert store.fresh_fetch("k", 900, NOW + timedelta(seconds=901)) is None
    assert store.fresh_fetch("other", 900, NOW) is None
    assert store.last_fetch("k") == fresh
    store.close()


def test_a_failed_write_leaves_nothing_half_written(tmp_path: Path) -> None:
    store = Store.open(tmp_path / "s.sqlite3")
    store.save_fetch("k", "claude", "api", QUERY, WINDOW, SourceResult(records=(record(1),)), NOW)
    try:
        with store.transaction() as db:
            db.execute("DELETE FROM usage_records")
            raise sqlite3.OperationalError("disk full")
    except sqlite3.OperationalError:
        pass
    assert len(store.load_records("claude", "api", "1d", "", WINDOW)) == 1
    store.close()


def test_processes_creating_the_store_at_the_same_moment_all_open_it(tmp_path: Path) -> None:
    # SQLite answers a second process switching a new file to WAL "database is locked" at once,
    # without waiting: seen as a flaky `aiusage cursor set` run twice at the same moment.
    script = (
        "import sys; from pathlib import Path; from aiusage.store import Store; "
        "Store.open(Path(sys.argv[1])).close()"
    )
    for round_number in range(4):
        path = tmp_path / f"round{round_number}" / "store.sqlite3"
        processes = [
            subprocess.Popen([sys.executable, "-c", script, str(path)], stderr=subprocess.PIPE)
            for _ in range(4)
        ]
        for process in processes:
            _, err = process.communicate(timeout=60)
            assert process.returncode == 0, err.decode()


def test_fetched_spans_merge_into_one_when_they_touch_or_overlap(tmp_path: Path) -> None:
    store = Store.open(tmp_path / "s.sqlite3")
    later = Period(since=WINDOW.until, until=WINDOW.until + 2 * DAY)
    apart = Period(since=WINDOW.until + 5 * DAY, until=WINDOW.until + 6 * DAY)
    for window in (WINDOW, later, apart, WINDOW):
        store.save_fetch(
            "k", "claude", "api", UsageQuery(period=window), window, SourceResult(), NOW
        )
    everything = Period(since=WINDOW.since - DAY, until=apart.until + DAY)
    spans = store.covered_spans("claude", "api", "1d", "", everything)
    assert spans == [Period(since=WINDOW.since, until=later.until), apart]
    assert store.db.execute("SELECT COUNT(*) FROM fetched_spans").fetchone()[0] == 2
    store.close()
