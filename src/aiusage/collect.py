"""Runs the chosen sources concurrently; returns records plus per-source failures."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING

import pydantic

from aiusage.errors import AiUsageError, BadResponseError, ConfigError, ErrorKind, SourceFailure
from aiusage.models import (
    CodeActivity,
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

if TYPE_CHECKING:
    import httpx

log = logging.getLogger(__name__)


@dataclass
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


def cache_key(provider: ProviderName, query: UsageQuery, variant: str) -> str:
    period = query.period
    return ":".join(
        (
            provider,
            "api",
            query.granularity,
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
    if plan.offline:
        # Quotas and warnings come from the same query's last fetch; records from the history
        # of every fetch that covered this period.
        cached = store.last_fetch(key) or SourceResult()
    elif not plan.refresh:
        cached = store.fresh_fetch(key, settings.cache_ttl, now)
    if cached is not None:
        log.debug("%s: from the store (%s)", provider.name, "offline" if plan.offline else "cache")
    else:
        config = provider.client_config(settings)
        async with connect(config, settings) as client:
            fetched = await provider.fetch(client, settings, wide)
        store.save_fetch(key, provider.name, "api", wide, window, fetched, now)
        cached = fetched
    records = store.load_records(provider.name, "api", query.granularity, dimension, window)
    if plan.offline and not records and not cached.quotas:
        cached = SourceResult(
            warnings=(
                f"--offline: nothing stored for {provider.vendor} for this period yet; "
                "run once without --offline",
            )
        )
    return cached.model_copy(update={"records": tuple(records)})


def connect(config: ClientConfig, settings: Settings) -> httpx.AsyncClient:
    from aiusage.http_client import build_client

    return build_client(
        config.base_url, headers=config.headers, auth=config.auth, timeout=settings.http_timeout
    )


def _as_failure(exc: Exception, vendor: str) -> tuple[ErrorKind, str]:
    if isinstance(exc, SourceFailure | ConfigError):
        return exc.kind, exc.message
    if isinstance(exc, AiUsageError):
        return "config", exc.message
    # A body that parsed as JSON but not into the documented shape.
    log.debug("unexpected response from %s", vendor, exc_info=exc)
    return BadResponseError.kind, f"{vendor} sent a response of an unexpected shape"


async def _guard(
    collected: Collected,
    provider: ProviderName,
    kind: SourceKind,
    vendor: str,
    job: asyncio.Future[SourceResult] | asyncio.Task[SourceResult],
) -> None:
    try:
        collected.add(provider, kind, await job)
    except (
        AiUsageError,
        pydantic.ValidationError,
        KeyError,
        TypeError,
        ValueError,
        ArithmeticError,
    ) as exc:
        error_kind, message = _as_failure(exc, vendor)
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
                jobs.append(asyncio.ensure_future(_guard(collected, name, "api", api.vendor, task)))
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
