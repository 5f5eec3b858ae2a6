"""Read one snapshot of the metrics from the store, without writing to it.

Summing a large store takes a while (seconds for a million records), and a scrape must answer at
once. A ``SnapshotReader`` sums again only when the store's files changed (every commit appends to
the WAL file or, once checkpointed, rewrites the database file) or when its last sum is a minute
old; with ``background`` (``aiusage serve``) the new sum is made in a thread while scrapes keep
getting the previous one, so a changed store shows up a few seconds later, never as a slow scrape.
"""

from __future__ import annotations

import logging
import sqlite3
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from aiusage.errors import ConfigError
from aiusage.metrics.collector import Snapshot
from aiusage.metrics.health import HealthBook, SourceHealth, SourceId, with_stored_fetches
from aiusage.metrics.readings import budget_readings, limit_readings, window_readings
from aiusage.metrics.totals import Split, Totals, read_totals
from aiusage.store import Store
from aiusage.store.database import BUSY_TIMEOUT_MS

if TYPE_CHECKING:
    from aiusage.settings import Settings

MAX_AGE = 60.0  # seconds a sum is reused even when the files look unchanged
log = logging.getLogger(__name__)


def open_read_only(path: Path) -> Store:
    """A connection that never writes: a scrape must not wait for, or take, the write lock."""
    try:
        db = sqlite3.connect(
            f"{path.resolve().as_uri()}?mode=ro",
            uri=True,
            timeout=BUSY_TIMEOUT_MS / 1000,
            check_same_thread=False,
        )
    except sqlite3.Error as exc:
        raise ConfigError(
            f"cannot read the store at {path} ({exc}); check AIUSAGE_HOME and its permissions"
        ) from None
    return Store(db)


def store_fingerprint(path: Path) -> tuple[int, ...]:
    """What changes whenever a transaction commits: the database and WAL files' stat."""
    found: list[int] = []
    for candidate in (path, path.with_name(f"{path.name}-wal")):
        try:
            stat = candidate.stat()
        except FileNotFoundError:
            stat = None
        if stat is None or stat.st_size == 0:  # readers create an empty WAL; nothing in it
            found.extend((0, 0, 0))
        else:
            found.extend((stat.st_ino, stat.st_size, stat.st_mtime_ns))
    return tuple(found)


@dataclass(frozen=True)
class _Stored:
    fingerprint: tuple[int, ...]
    read_at: float
    totals: Totals
    fetches: dict[SourceId, SourceHealth]


class SnapshotReader:
    """Snapshots for scrapes: the store's sums (reused while it is unchanged) and live health."""

    def __init__(
        self,
        settings: Settings,
        book: HealthBook,
        split: Split | None = None,
        *,
        background: bool = False,
    ) -> None:
        self.settings = settings
        self.book = book
        self.split = split
        self.background = background
        self._lock = threading.Lock()
        self._stored: _Stored | None = None
        self._summing = False

    def check(self) -> None:
        """Raises: ConfigError: the store cannot be read (``/healthz``)."""
        store = open_read_only(self.settings.store_path)
        try:
            store.db.execute("SELECT COUNT(*) FROM schema_migrations").fetchone()
        except sqlite3.Error as exc:
            raise self._unreadable(exc) from None
        finally:
            store.close()

    def __call__(self) -> Snapshot:
        """Raises: ConfigError: the store cannot be read."""
        fingerprint = store_fingerprint(self.settings.store_path)
        with self._lock:  # the first sum is made once; concurrent scrapes wait for it
            stored = self._stored
            outdated = stored is not None and (
                stored.fingerprint != fingerprint or time.monotonic() - stored.read_at > MAX_AGE
            )
            if stored is None or (outdated and not self.background):
                stored = self._read(fingerprint)
                self._stored = stored
            elif outdated and not self._summing:
                self._summing = True
                threading.Thread(
                    target=self._sum_again, args=(fingerprint,), name="aiusage-sum", daemon=True
                ).start()
        sources = dict(self.book.snapshot())
        for source, fetched in stored.fetches.items():
            kept = sources.get(source) or SourceHealth()
            sources[source] = SourceHealth(kept.up, fetched.last_success, kept.quotas)
        status = self.book.status()
        if status is not None:
            limits = window_readings(status.windows)
            budgets = budget_readings(status.budgets)
        else:
            limits = limit_readings(q for health in sources.values() for q in health.quotas)
            budgets = []
        return Snapshot(
            totals=stored.totals,
            limits=limits,
            budgets=budgets,
            sources=sources,
            split=self.split,
        )

    def _sum_again(self, fingerprint: tuple[int, ...]) -> None:
        stored = None
        try:
            stored = self._read(fingerprint)
        except ConfigError as error:  # scrapes keep the previous sums; the next one retries
            log.warning("%s", error.message)
        finally:
            with self._lock:
                if stored is not None:
                    self._stored = stored
                self._summing = False

    def _read(self, fingerprint: tuple[int, ...]) -> _Stored:
        store = open_read_only(self.settings.store_path)
        try:
            totals = read_totals(store, self.settings, self.split)
            fetches = with_stored_fetches({}, store.db)
        except sqlite3.Error as exc:
            raise self._unreadable(exc) from None
        finally:
            store.close()
        return _Stored(fingerprint, time.monotonic(), totals, fetches)

    def _unreadable(self, exc: sqlite3.Error) -> ConfigError:
        return ConfigError(
            f"cannot read the store at {self.settings.store_path} "
            f"({exc.__class__.__name__}: {exc}); check AIUSAGE_HOME and its permissions"
        )


def read_snapshot(settings: Settings, book: HealthBook, split: Split | None = None) -> Snapshot:
    """One snapshot, read now (``aiusage export``).

    Raises:
        ConfigError: the store cannot be read.
    """
    return SnapshotReader(settings, book, split)()
