"""Runs the chosen sources concurrently; returns records plus per-source failures.

Whose fault a failure is decides its kind (``_as_failure``): a vendor's refusal or broken answer
keeps the kind its source gave it; data that fails validation is ``bad_response``; a store that
cannot be read or written is ``config`` and names the store's path; a local file aiusage may not
read is ``config`` and names the file; anything else is a fault of aiusage itself, ``internal``,
whose message asks for a report and whose traceback ``--debug`` shows.
"""

from __future__ import annotations

import asyncio
import logging
import sqlite3
from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

import pydantic

from aiusage.errors import AiUsageError, BadResponseError, ConfigError, ErrorKind, SourceFailure
from aiusage.models import (
    CodeActivity,
    Period,
    ProviderName,
    Quota,
    SourceError,
    SourceKind,
    SourceResult,
    SourceWarning,
    UsageQuery,
    UsageRecord,
)
from aiusage.periods import aligned
from aiusage.settings import Settings
from aiusage.sources.base import ApiProvider, ClientConfig, StoreSource
from aiusage.store import Store
from aiusage.store.coverage import misfits
from aiusage.store.rollup import History, Rollup, rolled_up_records

if TYPE_CHECKING:
    import httpx

log = logging.getLogger(__name__)


# No generated repr: asyncio.run formats its task's result (reprlib, after building the whole
# text) while restoring the SIGINT handler, which took seconds for a year of hourly records.
@dataclass(repr=False)
class Collected:
    records: list[UsageRecord] = field(default_factory=list)
    quotas: list[Quota] = field(default_factory=list)
    errors: list[SourceError] = field(default_factory=list)
    warnings: list[SourceWarning] = field(default_factory=list)
    not_configured: list[ProviderName] = field(default_factory=list)
    activity: list[CodeActivity] = field(default_factory=list)

    def add(self, provider: ProviderName, kind: SourceKind, result: SourceResult) -> None:
        self.records.extend(result.records)
        self.quotas.extend(result.quotas)
        self.activity.extend(result.activity)
        self.warnings.extend(
            SourceWarning(provider=provider, source=kind, message=m) for m in result.warnings
        )

    def fail(
        self, provider: ProviderName, kind: SourceKind, error_kind: ErrorKind, message: str
    ) -> None:
        self.errors.append(
            SourceError(provider=provider, source=kind, kind=error_kind, message=message)
        )


@dataclass(frozen=True)
class Plan:
    """Which sources to read, and how."""

    providers: Collection[ProviderName]
    kinds: Collection[SourceKind]
    refresh: bool = False
    offline: bool = False
    # Set when only rows and totals are shown: API history is summed by the store.
    rollup: Rollup | None = None


def cache_key(provider: ProviderName, query: UsageQuery, variant: str) -> str:
    period = query.period
    return ":".join(
        (
            provider,
            "api",
            query.granularity + ("h" if query.hourly_dollars else ""),
            query.dimension or "",
            variant,
            period.since.isoformat(),
            period.until.isoformat(),
        )
    )


async def _fetch_api(
    provider: ApiProvider,
    settings: Settings,
    store: Store,
    query: UsageQuery,
    plan: Plan,
    now: datetime,
) -> SourceResult:
    window = aligned(query.period, query.granularity)
    wide = query.model_copy(update={"period": window})
    key = cache_key(provider.name, wide, provider.cache_variant(settings))
    dimension = query.dimension or ""
    cached = None
    notes: list[str] = []
    if plan.offline:
        # Quotas and warnings come from the same query's last fetch; records from the history
        # of every fetch that covered this period.
        cached = store.last_fetch(key) or SourceResult()
    elif not plan.refresh:
        cached = store.fresh_fetch(key, settings.cache_ttl, now)
    if cached is not None:
        log.debug("%s: from the store (%s)", provider.name, "offline" if plan.offline else "cache")
    else:
        log.debug(
            "%s: cache miss (%s); fetching %s to %s",
            provider.name,
            "--refresh" if plan.refresh else "nothing fresh stored",
            window.since.isoformat(),
            window.until.isoformat(),
        )
        config = provider.client_config(settings)
        async with connect(config, settings) as client:
            fetched = await provider.fetch(client, settings, wide)
        cut = sum(1 for r in fetched.records if misfits(r, window, query.granularity))
        if cut:
            # Kept with the fetch, so that a cached answer says it too.
            note = (
                f"{cut} {provider.vendor} row(s) reaching outside the period asked for, or across "
                f"a {query.granularity} bucket boundary, were left out; their usage is not shown"
            )
            fetched = fetched.model_copy(update={"warnings": (*fetched.warnings, note)})
        store.save_fetch(key, provider.name, "api", wide, window, fetched, now)
        cached = fetched
    if plan.rollup is None:
        records = store.load_records(provider.name, "api", query.granularity, dimension, window)
    else:
        history: History = (provider.name, "api", query.granularity, dimension)
        records = rolled_up_records(store.db, history, window, plan.rollup)
    if plan.offline:
        spans = store.covered_spans(provider.name, "api", query.granularity, dimension, window)
        gap = offline_gap(provider.vendor, spans, window, now, settings.cache_ttl, bool(records))
        # A source that stored only quotas (no usage history) has nothing to say about days.
        if gap is not None and (spans or records or not cached.quotas):
            notes.append(gap)
    return cached.model_copy(
        update={"records": tuple(records), "warnings": (*cached.warnings, *notes)}
    )


def offline_gap(
    vendor: str, spans: list[Period], window: Period, now: datetime, ttl: int, stored: bool
) -> str | None:
    """The warning for a period that history covers only in part, or None when it is all there.

    History must hold the window up to ``now`` less the cache TTL: a fetch younger than the TTL
    counts as current, as it does online.
    """
    due = min(window.until, now - timedelta(seconds=ttl))
    if due <= window.since or any(s.since <= window.since and due <= s.until for s in spans):
        return None
    if not spans:
        if stored:
            return (
                f"--offline: the store has {vendor} usage for this period from an older aiusage "
                "that did not record which days it fetched, so it may be incomplete; run once "
                "without --offline"
            )
        return (
            f"--offline: nothing stored for {vendor} for this period yet; "
            "run once without --offline"
        )
    covered = " and ".join(f"from {_moment(s.since)} until {_moment(s.until)}" for s in spans)
    return (
        f"--offline: the store covers {vendor} only {covered} (UTC), not all of the period "
        "asked for; run without --offline to fetch the rest"
    )


def _moment(value: datetime) -> str:
    """A date when the moment is a UTC midnight, else the minute, in the form --since reads."""
    if value == value.replace(hour=0, minute=0, second=0, microsecond=0):
        return value.strftime("%Y-%m-%d")
    return value.strftime("%Y-%m-%dT%H:%MZ")


def connect(config: ClientConfig, settings: Settings) -> httpx.AsyncClient:
    from aiusage.http_client import build_client

    return build_client(
        config.base_url, headers=config.headers, auth=config.auth, timeout=settings.http_timeout
    )


def _as_failure(exc: Exception, vendor: str, store_path: Path) -> tuple[ErrorKind, str]:
    if isinstance(exc, SourceFailure | ConfigError):
        return exc.kind, exc.message
    if isinstance(exc, AiUsageError):
        return "config", exc.message
    if isinstance(exc, pydantic.ValidationError):
        # Our models only ever receive values read from a vendor's answer or a log.
        log.debug("%s: data that failed validation", vendor, exc_info=exc)
        first = exc.errors(include_input=False, include_url=False)[0]
        where = ".".join(str(part) for part in first["loc"]) or "a value"
        return (
            BadResponseError.kind,
            f"{vendor} sent data aiusage cannot use ({where}: {first['msg']})",
        )
    if isinstance(exc, sqlite3.Error):
        log.debug("%s: the store failed", vendor, exc_info=exc)
        return "config", (
            f"the store at {store_path} failed while keeping {vendor} data "
            f"({exc.__class__.__name__}: {exc}); check AIUSAGE_HOME, its permissions and the free "
            "disk space, or move the file away to start a new store"
        )
    if isinstance(exc, OSError) and exc.filename is not None:
        log.debug("%s: a local file failed", vendor, exc_info=exc)
        return "config", (
            f"cannot use {exc.filename} for {vendor} ({exc.strerror or exc.__class__.__name__}); "
            "check that your user may read and write it"
        )
    # A fault of aiusage itself: never pass it off as the vendor's.
    log.debug("%s: internal error", vendor, exc_info=exc)
    return "internal", (
        f"internal error in aiusage while reading {vendor} ({exc.__class__.__name__}); please "
        "report it as an aiusage bug, with the output of the same command run with --debug"
    )


async def _guard(
    collected: Collected,
    provider: ProviderName,
    kind: SourceKind,
    vendor: str,
    job: asyncio.Future[SourceResult] | asyncio.Task[SourceResult],
    store_path: Path,
) -> None:
    try:
        collected.add(provider, kind, await job)
    except Exception as exc:  # noqa: BLE001 - one source's failure must never hide the others
        error_kind, message = _as_failure(exc, vendor, store_path)
        collected.fail(provider, kind, error_kind, message)


async def collect(
    settings: Settings,
    query: UsageQuery,
    plan: Plan,
    api_providers: dict[ProviderName, ApiProvider],
    store_sources: list[StoreSource],
    now: datetime,
) -> Collected:
    """Read every chosen source at once; one failing source never hides the others."""
    collected = Collected()
    store = Store.open(settings.store_path)
    try:
        jobs: list[asyncio.Future[None]] = []
        if "api" in plan.kinds:
            for name in plan.providers:
                api = api_providers.get(name)
                if api is None:
                    continue
                if not api.configured(settings):
                    collected.not_configured.append(name)
                    continue
                task = asyncio.ensure_future(_fetch_api(api, settings, store, query, plan, now))
                jobs.append(
                    asyncio.ensure_future(
                        _guard(collected, name, "api", api.vendor, task, settings.store_path)
                    )
                )
        for source in store_sources:
            if source.provider not in plan.providers or source.kind not in plan.kinds:
                continue
            if not source.available(settings):
                continue
            task = asyncio.ensure_future(asyncio.to_thread(_collect_local, source, settings, query))
            jobs.append(
                asyncio.ensure_future(
                    _guard(
                        collected,
                        source.provider,
                        source.kind,
                        f"{source.provider} {source.kind}",
                        task,
                        settings.store_path,
                    )
                )
            )
        await asyncio.gather(*jobs)
    finally:
        store.close()
    return collected


def _collect_local(source: StoreSource, settings: Settings, query: UsageQuery) -> SourceResult:
    # SQLite connections belong to one thread: each local source opens its own.
    store = Store.open(settings.store_path)
    try:
        return source.collect(settings, store, query)
    finally:
        store.close()
