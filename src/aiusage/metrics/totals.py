"""Cumulative counters from the store: tokens, requests and dollars per provider, source, model.

Counters count everything the store holds since its first record, with the same records a
report reads: API usage as fetched per day (the report's default granularity), local-log usage
summed and priced per UTC day by the logs package (UTC, so that every machine of a team counts
alike), and the latest Cursor entry of each billing cycle. API records fetched at another
granularity or split by another dimension are the same usage cut differently, so they are not
added again.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING, Literal

from aiusage.models import CostKind, Period, UsageQuery, UsageRecord, utc_now
from aiusage.periods import EARLIEST, LATEST
from aiusage.sources.logs.aggregate import load_records as load_local_records

if TYPE_CHECKING:
    from aiusage.settings import Settings
    from aiusage.sources.logs.source import LocalLogSource
    from aiusage.store import Store

# The opt-in label that splits counters by the vendor's project or by user (default: neither).
Split = Literal["project", "user"]
ALL_TIME = Period(since=EARLIEST, until=LATEST)
# No command-line tool whose logs aiusage reads wrote any before this day. Local records are cut
# into days, so a shorter span is a faster scrape.
LOCAL_LOGS_SINCE = datetime(2024, 1, 1, tzinfo=UTC)
TOKEN_TYPES = ("input", "output", "cache_read", "cache_write")


@dataclass(frozen=True, order=True)
class SeriesKey:
    provider: str
    source: str
    model: str  # "" when the source names no model
    scope: str  # the project or user when opted in, else ""


@dataclass
class Tally:
    """Summed usage of one series key; ``requests`` None while no record counted requests."""

    tokens: dict[str, int] = field(default_factory=lambda: dict.fromkeys(TOKEN_TYPES, 0))
    requests: int | None = None
    cost: dict[CostKind, Decimal] = field(default_factory=dict)

    def add_tokens(self, input_: int, output: int, cache_read: int, cache_write: int) -> None:
        self.tokens["input"] += input_
        self.tokens["output"] += output
        self.tokens["cache_read"] += cache_read
        self.tokens["cache_write"] += cache_write

    def add_requests(self, count: int | None) -> None:
        if count is not None:
            self.requests = (self.requests or 0) + count

    def add_cost(self, kind: CostKind | None, dollars: Decimal | None) -> None:
        if kind is not None and dollars is not None:
            self.cost[kind] = self.cost.get(kind, Decimal(0)) + dollars

    @property
    def has_tokens(self) -> bool:
        return any(self.tokens.values())


Totals = dict[SeriesKey, Tally]


def read_totals(
    store: Store, settings: Settings, split: Split | None = None, now: datetime | None = None
) -> Totals:
    """Every counter the store supports, summed per series key.

    Raises:
        sqlite3.Error: the store could not be read.
    """
    totals: Totals = {}
    _add_api(totals, store.db, split)
    until = (now or utc_now()) + timedelta(days=1)  # a little clock skew between machines
    local = UsageQuery(
        period=Period(since=LOCAL_LOGS_SINCE, until=until), granularity="1d", dimension=split
    )
    for source in _local_sources():
        _add_records(
            totals, load_local_records(store, source.provider, local, source.tool).records, split
        )
    from aiusage.sources.manual.cursor import CursorManualSource

    manual = UsageQuery(period=ALL_TIME, granularity="1d", dimension=split)
    _add_records(totals, CursorManualSource().collect(settings, store, manual).records, split)
    return totals


def _local_sources() -> list[LocalLogSource]:
    from aiusage.sources.logs.source import LocalLogSource
    from aiusage.sources.registry import STORE_SOURCES

    return [s for s in STORE_SOURCES if isinstance(s, LocalLogSource)]


def _add_records(totals: Totals, records: Iterable[UsageRecord], split: Split | None) -> None:
    for record in records:
        key = SeriesKey(
            record.provider,
            record.source,
            record.model or "",
            (record.scope or "") if split else "",
        )
        tally = totals.setdefault(key, Tally())
        tally.add_tokens(
            record.input_tokens,
            record.output_tokens,
            record.cache_read_tokens,
            record.cache_write_tokens,
        )
        tally.add_requests(record.requests)
        tally.add_cost(record.cost_kind, record.cost_usd)


def _add_api(totals: Totals, db: sqlite3.Connection, split: Split | None) -> None:
    """Sum the API history in one scan; dollars are exact decimal text, summed here as Decimal.

    ``group_concat`` hands each group's dollar amounts over as one string: one scan of the table
    and a few rows into Python, instead of a row per record.
    """
    scope = "scope" if split else "''"
    rows = db.execute(
        f"SELECT provider, model, {scope}, cost_kind, SUM(input_tokens), SUM(output_tokens), "
        "SUM(cache_read_tokens), SUM(cache_write_tokens), SUM(requests), group_concat(cost_usd) "
        "FROM usage_records WHERE source = 'api' AND granularity = '1d' AND dimension = ? "
        "GROUP BY 1, 2, 3, 4",
        (split or "",),
    )
    for provider, model, scope_value, kind, *sums, dollars in rows:
        tally = totals.setdefault(SeriesKey(provider, "api", model, scope_value), Tally())
        tally.add_tokens(*sums[:4])
        tally.add_requests(sums[4])
        if dollars:
            tally.add_cost(kind, sum(map(Decimal, dollars.split(",")), Decimal(0)))
