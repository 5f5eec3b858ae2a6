"""API history summed in SQL, for a report that shows rows and totals rather than every record.

A year of hourly history for a large organization is a million records; turning each into a
Python object and summing them in Python took minutes. The table and the CSV need only the sums
of each row, so the store sums the records of each day of the report's time zone per model,
product and cost kind (and scope when the rows are per project or user; ``--by hour`` reads
the records themselves). Each sum is returned as one record that lies inside its bucket, so
grouping it (``aiusage.grouping``) gives exactly the rows, totals and covered spans its records
would have given. A record that does not fit inside one bucket (a vendor's UTC day cut across the
zone's midnight) is summed only with records of the same start, which the rows place alike.
Dollars are summed as ``Decimal`` from their stored text, never as floating point.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime, tzinfo
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from aiusage.models import ProviderName, SourceKind, UsageRecord
from aiusage.models import format_utc as iso
from aiusage.timebuckets import TimeUnit, boundaries

if TYPE_CHECKING:
    import sqlite3

    from aiusage.models import Period


# provider, source, granularity, dimension: one history of ``usage_records``
History = tuple[ProviderName, SourceKind, str, str]


@dataclass(frozen=True)
class Rollup:
    """How finely a report needs API records: its buckets, and the fields its rows tell apart."""

    unit: TimeUnit  # records are summed within each bucket of this unit in ``zone``
    zone: tzinfo
    by_scope: bool


_SUMS = (
    "MIN(start), MAX(end), model, product, {scope}, cost_kind, SUM(input_tokens), "
    "SUM(output_tokens), SUM(cache_read_tokens), SUM(cache_write_tokens), SUM(requests), "
    "group_concat(cost_usd, ' ')"
)
_WHERE = (
    "provider = ? AND source = ? AND granularity = ? AND dimension = ? AND start >= ? AND start < ?"
)


def rolled_up_records(
    db: sqlite3.Connection,
    history: History,
    period: Period,
    rollup: Rollup,
) -> list[UsageRecord]:
    """The history's records whose bucket starts inside ``period``, summed per ``rollup``.

    ``history`` names the records as ``Store.load_records`` does.
    """
    scope = "scope" if rollup.by_scope else "''"
    # A record that reaches past its bucket's end is summed only with records of its own start.
    summed = (
        f"SELECT {_SUMS.format(scope=scope)} FROM usage_records WHERE {_WHERE} "
        f"GROUP BY model, product, {scope}, cost_kind, CASE WHEN end <= ? THEN '' ELSE start END"
    )
    records: list[UsageRecord] = []
    for lo, hi in _buckets(boundaries(period, rollup.unit, rollup.zone)):
        records.extend(_records(history, db.execute(summed, (*history, lo, hi, hi))))
    return records


def _buckets(edges: Sequence[datetime]) -> Iterator[tuple[str, str]]:
    """``[lo, hi)`` of each bucket, as stored text."""
    for lo, hi in zip(edges, edges[1:], strict=False):
        yield iso(lo), iso(hi)


def _records(history: History, rows: Iterator[Any]) -> Iterator[UsageRecord]:
    provider, source = history[0], history[1]
    for row in rows:
        if row[0] is None:  # an aggregate over no row
            continue
        cost = None if row[11] is None else sum(map(Decimal, row[11].split()), Decimal(0))
        # Sums of records the store validated on the way in: the checks are not run again.
        yield UsageRecord.model_construct(
            provider=provider,
            source=source,
            start=datetime.fromisoformat(row[0]),
            end=datetime.fromisoformat(row[1]),
            model=row[2] or None,
            product=row[3] or None,
            scope=row[4] or None,
            input_tokens=row[6],
            output_tokens=row[7],
            cache_read_tokens=row[8],
            cache_write_tokens=row[9],
            requests=row[10],
            cost_usd=cost,
            cost_kind=row[5] if cost is not None else None,
        )
