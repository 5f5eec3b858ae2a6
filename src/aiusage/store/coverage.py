"""Which records a fetch may put into history, and which spans of time history vouches for.

Spans live in ``fetched_spans``, merged, per history: (provider, source, granularity, dimension).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable
from datetime import datetime

from aiusage.models import Granularity, Period, UsageRecord
from aiusage.models import format_utc as iso
from aiusage.periods import BUCKET, floor

History = tuple[str, str, str, str]  # provider, source, granularity, dimension
_WHERE = "provider = ? AND source = ? AND granularity = ? AND dimension = ?"


def fits(record: UsageRecord, window: Period, granularity: Granularity) -> bool:
    """True when the record lies inside the fetched window and inside one bucket of it.

    History replaces a window's records by their start; a record reaching past its window, or
    across a bucket boundary, would survive a later fetch of the next window and be counted
    again beside that fetch's own record for the same time.
    """
    if record.start < window.since or record.end > window.until:
        return False
    return record.end <= floor(record.start, granularity) + BUCKET[granularity]


def misfits(record: UsageRecord, window: Period, granularity: Granularity) -> bool:
    """True for a record that overlaps the window but does not fit it: part of what was asked
    for that history cannot keep (records wholly outside the window were never asked for)."""
    overlaps = record.start < window.until and record.end > window.since
    return overlaps and not fits(record, window, granularity)


def merge(spans: Iterable[Period]) -> list[Period]:
    """The union of the spans, as disjoint spans in time order (touching spans join)."""
    merged: list[Period] = []
    for span in sorted(spans, key=lambda s: s.since):
        if merged and span.since <= merged[-1].until:
            last = merged[-1]
            merged[-1] = Period(since=last.since, until=max(last.until, span.until))
        else:
            merged.append(span)
    return merged


def clip(spans: Iterable[Period], period: Period) -> list[Period]:
    """The parts of the spans inside the period."""
    clipped = []
    for span in spans:
        since, until = max(span.since, period.since), min(span.until, period.until)
        if since < until:
            clipped.append(Period(since=since, until=until))
    return clipped


def covers(spans: Iterable[Period], period: Period) -> bool:
    """True when the union of the spans holds all of the period."""
    return any(span.since <= period.since and period.until <= span.until for span in merge(spans))


def _span(since: str, until: str) -> Period:
    return Period(since=datetime.fromisoformat(since), until=datetime.fromisoformat(until))


def add_span(db: sqlite3.Connection, history: History, window: Period, now: datetime) -> None:
    """Merge a fetched window, up to ``now`` (nothing later was known), into the spans.

    Call inside the transaction that stores the window's records.
    """
    if now <= window.since:
        return
    fetched = Period(since=window.since, until=min(window.until, now))
    touching = [
        _span(since, until)
        for since, until in db.execute(
            f"SELECT since, until FROM fetched_spans WHERE {_WHERE} AND since <= ? AND until >= ?",
            (*history, iso(fetched.until), iso(fetched.since)),
        )
    ]
    (joined,) = merge([fetched, *touching])
    db.executemany(
        f"DELETE FROM fetched_spans WHERE {_WHERE} AND since = ?",
        [(*history, iso(span.since)) for span in touching],
    )
    db.execute(
        "INSERT INTO fetched_spans (provider, source, granularity, dimension, since, until) "
        "VALUES (?, ?, ?, ?, ?, ?)",
        (*history, iso(joined.since), iso(joined.until)),
    )


def covered_spans(db: sqlite3.Connection, history: History, period: Period) -> list[Period]:
    """The parts of the period that the history's fetches covered, in time order."""
    rows = db.execute(
        f"SELECT since, until FROM fetched_spans WHERE {_WHERE} AND since < ? AND until > ? "
        "ORDER BY since",
        (*history, iso(period.until), iso(period.since)),
    ).fetchall()
    return clip(merge(_span(since, until) for since, until in rows), period)
