"""Put the status document together from the store, the local logs and (optionally) the APIs.

``current_readings(settings, store, now)`` is the entry point other features use (the
Prometheus export): it reads this machine only. ``status`` passes ``offline=False`` so that admin
APIs are asked again once their cached answer has expired (``AIUSAGE_CACHE_TTL``).
"""

from __future__ import annotations

import asyncio
from collections.abc import Collection
from datetime import datetime, timedelta

from aiusage.collect import Collected, Plan, collect
from aiusage.models import (
    PROVIDER_NAMES,
    SOURCE_KINDS,
    Period,
    ProviderName,
    UsageQuery,
)
from aiusage.settings import Settings
from aiusage.sources.live.cursor.usage import SOURCE as CURSOR_LIVE
from aiusage.sources.live.readings import load_readings
from aiusage.sources.manual import budget as budgets
from aiusage.sources.manual.cursor import history as cursor_history
from aiusage.status.blocks import current_blocks
from aiusage.status.document import Problem, StatusDocument, Window
from aiusage.status.pace import month_bounds
from aiusage.status.spend import budget_status, month_spend, warn_ratios
from aiusage.status.windows import manual_cursor_window, quota_windows, reading_windows
from aiusage.store import Store
from aiusage.zones import Zone, resolve_zone

_ORDER = {name: i for i, name in enumerate(PROVIDER_NAMES)}


def _collect_month(
    settings: Settings,
    providers: Collection[ProviderName],
    period: Period,
    zone: Zone,
    offline: bool,
) -> Collected:
    from aiusage.sources.registry import API_PROVIDERS, STORE_SOURCES

    query = UsageQuery(period=period, granularity="1d", timezone=zone.name)
    plan = Plan(providers=list(providers), kinds=list(SOURCE_KINDS), offline=offline)
    return asyncio.run(collect(settings, query, plan, API_PROVIDERS, STORE_SOURCES, period.until))


def _live_errors(store: Store) -> list[Problem]:
    found = []
    for key, message in store.db.execute(
        "SELECT key, value FROM live_state WHERE key LIKE 'error:%' ORDER BY key"
    ):
        _, provider, source = key.split(":", 2)
        if provider in _ORDER:
            found.append(Problem(provider=provider, source=source, message=message))
    return found


_WINDOW_ORDER = {"five_hour": 0, "seven_day": 1, "credits": 9}


def _sorted(windows: list[Window]) -> tuple[Window, ...]:
    """Provider, source, main bucket before per-model ones, short windows first, credits last."""
    return tuple(
        sorted(
            windows,
            key=lambda w: (
                _ORDER[w.provider],
                w.source,
                w.model or "",
                _WINDOW_ORDER.get(w.window, 5),
                w.window,
            ),
        )
    )


def current_readings(
    settings: Settings,
    store: Store,
    now: datetime,
    *,
    providers: Collection[ProviderName] = PROVIDER_NAMES,
    zone: Zone | None = None,
    offline: bool = True,
) -> StatusDocument:
    """Everything ``aiusage status`` shows, as one document.

    Synchronous (it runs the collection with ``asyncio.run``): from async code, call it in a
    thread. With ``offline`` (the default) no vendor is called: API figures come from the
    store's history and cached answers.

    Raises:
        ConfigError: ``AIUSAGE_TIMEZONE`` names no zone, or the store cannot be used.
    """
    zone = zone or resolve_zone(None, settings.timezone)
    start, end = month_bounds(now, zone.tz)
    period = Period(since=start, until=max(now, start + timedelta(seconds=1)))
    collected = _collect_month(settings, providers, period, zone, offline)
    entries = budgets.current_budgets(store)
    warn = warn_ratios(entries)
    # Cursor's undocumented endpoint is opt-in: once turned off, its old figures are not shown.
    hidden = set() if settings.cursor_live else {CURSOR_LIVE}
    readings = [
        r for r in load_readings(store.db) if r.provider in providers and r.source not in hidden
    ]
    windows = reading_windows(readings, now, warn)
    windows += quota_windows(collected.quotas, now, warn)
    if "cursor" in providers:
        current = [e for e in cursor_history(store) if e.cycle_start <= now < e.cycle_end]
        windows += manual_cursor_window(current[-1] if current else None, now, warn)
    spend = month_spend(collected.records, start, end, now)
    if len(providers) < len(PROVIDER_NAMES):
        spend = [s for s in spend if s.provider != budgets.ALL]
        entries = [e for e in entries if e.provider in providers]
    errors = [
        Problem(provider=e.provider, source=e.source, message=e.message) for e in collected.errors
    ]
    errors += [e for e in _live_errors(store) if e.provider in providers and e.source not in hidden]
    return StatusDocument(
        generated_at=now,
        timezone=zone.name,
        month_start=start,
        windows=_sorted(windows),
        blocks=tuple(current_blocks(store, tuple(providers), now)),
        spend=tuple(spend),
        budgets=tuple(budget_status(entries, spend)),
        errors=tuple(errors),
        warnings=tuple(
            Problem(provider=w.provider, source=w.source, message=w.message)
            for w in collected.warnings
        ),
    )
