"""What the refreshes learned about each source: up or down, when it last worked, its quotas.

A source that fails keeps its previous quotas and its last success time; only ``up`` drops to
0. An API source's last success is the time of its last stored fetch (it survives restarts);
a local or manual source's is the last time this process read it without an error.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING

from aiusage.models import Quota, SourceError

if TYPE_CHECKING:
    from aiusage.status.document import StatusDocument

SourceId = tuple[str, str]  # (provider, source kind)


@dataclass
class SourceHealth:
    up: bool | None = None  # None: not tried by this process (never configured, or --offline)
    last_success: datetime | None = None
    quotas: list[Quota] = field(default_factory=list)


@dataclass(frozen=True)
class RefreshOutcome:
    """One refresh: the sources tried, those that failed, the quotas the others returned."""

    at: datetime
    tried: frozenset[SourceId]
    errors: tuple[SourceError, ...]
    quotas: tuple[Quota, ...]
    # Sources read only from the store (--offline APIs): their quotas count, their health not.
    unchecked: frozenset[SourceId] = frozenset()
    # ``aiusage status``'s readings (windows, budgets); None when they could not be built.
    status: StatusDocument | None = None


class HealthBook:
    """Health per source, updated by refreshes and read by scrapes from other threads."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._sources: dict[SourceId, SourceHealth] = {}
        self._status: StatusDocument | None = None

    def record(self, outcome: RefreshOutcome) -> None:
        failed = {(e.provider, e.source) for e in outcome.errors}
        with self._lock:
            if outcome.status is not None:
                self._status = outcome.status
            for source in outcome.tried | outcome.unchecked:
                health = self._sources.setdefault(source, SourceHealth())
                if source in failed:
                    if source in outcome.tried:
                        health.up = False
                    continue
                health.quotas = [q for q in outcome.quotas if (q.provider, q.source) == source]
                if source in outcome.tried:
                    health.up = True
                    health.last_success = outcome.at

    def status(self) -> StatusDocument | None:
        """The latest status readings, kept while later refreshes could not build new ones."""
        with self._lock:
            return self._status

    def snapshot(self) -> dict[SourceId, SourceHealth]:
        with self._lock:
            return {
                source: SourceHealth(h.up, h.last_success, list(h.quotas))
                for source, h in self._sources.items()
            }


def with_stored_fetches(
    sources: dict[SourceId, SourceHealth], db: sqlite3.Connection
) -> dict[SourceId, SourceHealth]:
    """Set each API source's last success to its latest stored fetch.

    Raises:
        sqlite3.Error: the store could not be read.
    """
    merged = dict(sources)
    for provider, source, fetched_at in _latest_fetches(db):
        kept = merged.get((provider, source)) or SourceHealth()
        merged[(provider, source)] = SourceHealth(
            kept.up, datetime.fromisoformat(fetched_at), kept.quotas
        )
    return merged


def _latest_fetches(db: sqlite3.Connection) -> Iterable[tuple[str, str, str]]:
    # fetched_at is written by one code path as an ISO time in UTC: text order is time order.
    return db.execute(
        "SELECT provider, source, MAX(fetched_at) FROM fetches GROUP BY provider, source"
    ).fetchall()
