"""Bring the store up to date with the report's own logic, and say how each source fared.

A refresh is what ``aiusage report`` does for its default period (the last 30 days, daily
buckets, and at least the whole current month): vendor APIs answered from the cache while it is
fresh (never asked with ``--offline``), local logs ingested, Cursor entries read. Counters then
come from the whole store; plan windows and budgets from ``aiusage status``'s readings.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Collection
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from aiusage.errors import AiUsageError
from aiusage.metrics.health import RefreshOutcome, SourceId
from aiusage.metrics.totals import Split
from aiusage.models import PROVIDER_NAMES, Period, SourceKind, UsageQuery
from aiusage.periods import DEFAULT_SPAN

if TYPE_CHECKING:
    from aiusage.settings import Settings
    from aiusage.status.document import StatusDocument

log = logging.getLogger(__name__)


def refresh_store(
    settings: Settings,
    now: datetime,
    *,
    kinds: Collection[SourceKind] = ("api", "local", "manual"),
    offline: bool = False,
    split: Split | None = None,
) -> RefreshOutcome:
    """Run the report's collection once; store errors and vendor failures end up in the outcome.

    Raises:
        ConfigError: the store cannot be opened.
    """
    from aiusage.collect import Plan, collect
    from aiusage.sources.registry import STORE_SOURCES

    api_providers = {}
    if "api" in kinds:
        from aiusage.sources.registry import API_PROVIDERS

        api_providers = API_PROVIDERS
    # The report's default period, reaching back to the start of the month for the budgets
    # (a day more for zones ahead of UTC).
    month = now.astimezone(UTC).replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    since = min(now - DEFAULT_SPAN, month - timedelta(days=1))
    query = UsageQuery(period=Period(since=since, until=now), granularity="1d", dimension=split)
    plan = Plan(providers=PROVIDER_NAMES, kinds=kinds, offline=offline)
    collected = asyncio.run(collect(settings, query, plan, api_providers, STORE_SOURCES, now))
    configured: set[SourceId] = {
        (name, "api") for name, api in api_providers.items() if api.configured(settings)
    }
    local: set[SourceId] = {
        (source.provider, source.kind)
        for source in STORE_SOURCES
        if source.kind in kinds and source.available(settings)
    }
    return RefreshOutcome(
        at=now,
        tried=frozenset(local if offline else local | configured),
        unchecked=frozenset(configured if offline else ()),
        errors=tuple(collected.errors),
        quotas=tuple(collected.quotas),
        status=status_readings(settings, now),
    )


def status_readings(settings: Settings, now: datetime) -> StatusDocument | None:
    """``aiusage status``'s windows and budgets, from the store just refreshed (no network).

    None when they cannot be read now; the caller keeps the previous ones.
    """
    from aiusage.status.gather import current_readings
    from aiusage.store import Store

    try:
        store = Store.open(settings.store_path)
        try:
            return current_readings(settings, store, now)
        finally:
            store.close()
    except AiUsageError as error:
        log.warning("plan windows and budgets not read: %s", error.message)
        return None
