"""Records put into a store the way a source's answer is kept: as one fetch of their span."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from aiusage.models import (
    FetchDimension,
    Granularity,
    Period,
    SourceResult,
    UsageQuery,
    UsageRecord,
)
from aiusage.store import Store
from aiusage.store.coverage import fits


def save(
    store: Store,
    records: Sequence[UsageRecord],
    granularity: Granularity,
    dimension: FetchDimension | None,
    now: datetime,
) -> None:
    """Save the records (one provider and source) as the fetch of the span they cover."""
    first = records[0]
    window = Period(since=min(r.start for r in records), until=max(r.end for r in records))
    assert all(fits(r, window, granularity) for r in records), "save_fetch would drop some"
    query = UsageQuery(period=window, granularity=granularity, dimension=dimension)
    key = f"test:{first.provider}:{first.source}:{granularity}:{dimension or ''}:{window.since}"
    result = SourceResult(records=tuple(records))
    store.save_fetch(key, first.provider, first.source, query, window, result, now)
