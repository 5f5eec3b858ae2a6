"""The local SQLite store: migrations, the fetch cache and the history of every record."""

from __future__ import annotations

import json
import os
import sqlite3
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

from pydantic import TypeAdapter

from aiusage.errors import ConfigError
from aiusage.models import (
    CodeActivity,
    Granularity,
    Period,
    Quota,
    SourceResult,
    UsageQuery,
    UsageRecord,
)
from aiusage.models import format_utc as iso
from aiusage.redact import redact
from aiusage.store.coverage import add_span, covered_spans, fits
from aiusage.store.migrations import all_migrations

BUSY_TIMEOUT_MS = 30_000
_QUOTAS = TypeAdapter(tuple[Quota, ...])
_ACTIVITY = TypeAdapter(tuple[CodeActivity, ...])
_RECORD_COLUMNS = (
    "provider, source, granularity, dimension, start, end, model, scope, product, "
    "input_tokens, output_tokens, cache_read_tokens, cache_write_tokens, requests, cost_usd, "
    "cost_kind, fetched_at"
)


class NewerStoreError(ConfigError):
    """The store holds migrations this version does not know: a newer aiusage wrote it."""


def store_failure(path: Path, exc: sqlite3.Error | OSError) -> ConfigError:
    """The one line for a store that failed while in use (a full disk, a lost permission)."""
    reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
    if "full" in reason.lower():
        advice = "free some disk space and run it again"
    else:
        advice = "check AIUSAGE_HOME, its permissions and the free disk space"
    return ConfigError(
        f"the store at {path} could not be written ({reason}); {advice}; what it already "
        "held is kept"
    )


def _private_file(path: Path) -> None:
    """Create the file (and its folder) readable by its owner only, before SQLite opens it."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    fd = os.open(path, os.O_CREAT | os.O_RDWR, 0o600)
    os.close(fd)
    os.chmod(path, 0o600)


def _enable_wal(db: sqlite3.Connection) -> None:
    """Switch a new store to WAL. Two processes creating the store at once can both try; SQLite
    answers the loser "database is locked" at once, without its busy handler, so wait here."""
    deadline = time.monotonic() + BUSY_TIMEOUT_MS / 1000
    while True:
        try:
            db.execute("PRAGMA journal_mode = WAL")
            return
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or time.monotonic() > deadline:
                raise
            time.sleep(0.02)


class Store:
    """One connection to the store. Safe for many processes at once (WAL, busy timeout)."""

    def __init__(self, connection: sqlite3.Connection) -> None:
        self.db = connection

    @classmethod
    def open(cls, path: Path) -> Store:
        try:
            _private_file(path)
            db = sqlite3.connect(path, timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None)
            db.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
            _enable_wal(db)
            db.execute("PRAGMA synchronous = NORMAL")
            store = cls(db)
            try:
                store.migrate()
            except NewerStoreError as exc:
                db.close()
                raise ConfigError(f"{exc.message} ({path})") from None
        except (OSError, sqlite3.Error) as exc:
            raise ConfigError(
                f"cannot open the store at {path} ({exc.__class__.__name__}: {exc}); "
                "check AIUSAGE_HOME and its permissions"
            ) from None
        return store

    def close(self) -> None:
        self.db.close()

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """An immediate write transaction: all of it lands, or none of it."""
        self.db.execute("BEGIN IMMEDIATE")
        try:
            yield self.db
            self.db.execute("COMMIT")
        except BaseException:
            # SQLite has already rolled back after some errors (a full disk): a second
            # ROLLBACK would fail and hide the real error.
            if self.db.in_transaction:
                self.db.execute("ROLLBACK")
            raise

    def migrate(self) -> None:
        """Apply each migration this store lacks, in order, each in a transaction of its own.

        The version is recorded first inside the transaction, so that of two processes
        migrating at once the second finds it taken and skips that migration.
        """
        db = self.db
        db.execute(
            "CREATE TABLE IF NOT EXISTS schema_migrations "
            "(version INTEGER PRIMARY KEY, applied_at TEXT NOT NULL)"
        )
        done = {row[0] for row in db.execute("SELECT version FROM schema_migrations")}
        unknown = done - all_migrations().keys()
        if unknown:
            # Its tables may have columns, triggers or meanings this version does not know:
            # touching them could corrupt it. Nothing has been written yet.
            raise NewerStoreError(
                f"this store was written by a newer aiusage (schema {max(unknown)}); upgrade "
                "aiusage or point AIUSAGE_HOME elsewhere"
            )
        for version, sql in all_migrations().items():
            if version in done:
                continue
            try:
                # executescript, not our own split on ";" (a trigger body holds several).
                db.executescript(
                    "BEGIN IMMEDIATE;\n"
                    f"INSERT INTO schema_migrations VALUES ({int(version)}, datetime('now'));\n"
                    f"{sql};\nCOMMIT;"
                )
            except sqlite3.Error as exc:
                if db.in_transaction:
                    db.execute("ROLLBACK")
                taken = db.execute(
                    "SELECT 1 FROM schema_migrations WHERE version = ?", (version,)
                ).fetchone()
                if not (isinstance(exc, sqlite3.IntegrityError) and taken):
                    raise

    # --- the fetch cache -------------------------------------------------------------------

    def fresh_fetch(self, cache_key: str, ttl_seconds: int, now: datetime) -> SourceResult | None:
        """The quotas and warnings of a fetch younger than the TTL, or None."""
        found = self._fetch(cache_key)
        if found is None:
            return None
        fetched_at, result = found
        if fetched_at > now or now - fetched_at > timedelta(seconds=ttl_seconds):
            return None
        return result

    def last_fetch(self, cache_key: str) -> SourceResult | None:
        """The quotas and warnings of the latest fetch for this key, however old."""
        found = self._fetch(cache_key)
        return None if found is None else found[1]

    def _fetch(self, cache_key: str) -> tuple[datetime, SourceResult] | None:
        row = self.db.execute(
            "SELECT fetched_at, quotas, warnings, activity FROM fetches WHERE cache_key = ?",
            (cache_key,),
        ).fetchone()
        if row is None:
            return None
        result = SourceResult(
            quotas=_QUOTAS.validate_json(row[1]),
            warnings=tuple(json.loads(row[2])),
            activity=_ACTIVITY.validate_json(row[3]),
        )
        return datetime.fromisoformat(row[0]), result

    def save_fetch(
        self,
        cache_key: str,
        provider: str,
        source: str,
        query: UsageQuery,
        window: Period,
        result: SourceResult,
        now: datetime,
    ) -> None:
        """Replace the records of the fetched window with these, and remember the fetch.

        Only records inside the window and inside one bucket reach history (``coverage.fits``;
        ``coverage.misfits`` tells which of the others were asked for). The span fetched, up to
        ``now``, joins what history vouches for.
        """
        dimension = query.dimension or ""
        kept = [r for r in result.records if fits(r, window, query.granularity)]
        with self.transaction() as db:
            db.execute(
                "DELETE FROM usage_records WHERE provider = ? AND source = ? AND granularity = ? "
                "AND dimension = ? AND start >= ? AND start < ?",
                (
                    provider,
                    source,
                    query.granularity,
                    dimension,
                    iso(window.since),
                    iso(window.until),
                ),
            )
            self._upsert(db, kept, query.granularity, dimension, now)
            add_span(db, (provider, source, query.granularity, dimension), window, now)
            db.execute(
                "INSERT INTO fetches (cache_key, provider, source, fetched_at, quotas, warnings, "
                "activity) VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (cache_key) DO UPDATE "
                "SET fetched_at = excluded.fetched_at, quotas = excluded.quotas, "
                "warnings = excluded.warnings, activity = excluded.activity",
                (
                    cache_key,
                    provider,
                    source,
                    now.isoformat(),
                    _QUOTAS.dump_json(result.quotas).decode(),
                    # Vendor words may echo a key: none reaches the disk (aiusage.redact).
                    json.dumps([redact(warning) for warning in result.warnings]),
                    _ACTIVITY.dump_json(result.activity).decode(),
                ),
            )

    def covered_spans(
        self, provider: str, source: str, granularity: Granularity, dimension: str, period: Period
    ) -> list[Period]:
        """The parts of the period that earlier fetches covered, in time order."""
        return covered_spans(self.db, (provider, source, granularity, dimension), period)

    @staticmethod
    def _upsert(
        db: sqlite3.Connection,
        records: Iterable[UsageRecord],
        granularity: str,
        dimension: str,
        now: datetime,
    ) -> None:
        db.executemany(
            f"INSERT INTO usage_records ({_RECORD_COLUMNS}) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
            "ON CONFLICT (provider, source, granularity, dimension, start, model, scope, product) "
            "DO UPDATE SET end = excluded.end, input_tokens = excluded.input_tokens, "
            "output_tokens = excluded.output_tokens, "
            "cache_read_tokens = excluded.cache_read_tokens, "
            "cache_write_tokens = excluded.cache_write_tokens, requests = excluded.requests, "
            "cost_usd = excluded.cost_usd, cost_kind = excluded.cost_kind, "
            "fetched_at = excluded.fetched_at",
            (_record_row(r, granularity, dimension, now) for r in records),
        )

    def load_records(
        self,
        provider: str,
        source: str,
        granularity: Granularity,
        dimension: str,
        period: Period,
    ) -> list[UsageRecord]:
        """Stored records whose bucket starts inside the period, oldest first."""
        rows = self.db.execute(
            f"SELECT {_RECORD_COLUMNS} FROM usage_records WHERE provider = ? AND source = ? "
            "AND granularity = ? AND dimension = ? AND start >= ? AND start < ? "
            "ORDER BY start, model, scope, product",
            (provider, source, granularity, dimension, iso(period.since), iso(period.until)),
        ).fetchall()
        return [_row_record(row) for row in rows]


def _record_row(
    record: UsageRecord, granularity: str, dimension: str, now: datetime
) -> tuple[Any, ...]:
    return (
        record.provider,
        record.source,
        granularity,
        dimension,
        iso(record.start),
        iso(record.end),
        record.model or "",
        record.scope or "",
        record.product or "",
        record.input_tokens,
        record.output_tokens,
        record.cache_read_tokens,
        record.cache_write_tokens,
        record.requests,
        None if record.cost_usd is None else str(record.cost_usd),
        record.cost_kind,
        now.isoformat(),
    )


def _row_record(row: tuple[Any, ...]) -> UsageRecord:
    return UsageRecord(
        provider=row[0],
        source=row[1],
        start=datetime.fromisoformat(row[4]),
        end=datetime.fromisoformat(row[5]),
        model=row[6] or None,
        scope=row[7] or None,
        product=row[8] or None,
        input_tokens=row[9],
        output_tokens=row[10],
        cache_read_tokens=row[11],
        cache_write_tokens=row[12],
        requests=row[13],
        cost_usd=None if row[14] is None else Decimal(row[14]),
        cost_kind=row[15],
    )
