"""Gemini API rate limits as ``Quota`` rows: today's use per model against the ``/limit`` metrics.

Daily limits reset at midnight Pacific time; per-minute limits are shown against the busiest
minute of the (Pacific) day so far, since Monitoring data lags behind the current minute.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from datetime import UTC, datetime, time, timedelta, timezone, tzinfo
from decimal import Decimal
from typing import Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import httpx

from aiusage.models import Period, Quota
from aiusage.periods import floor
from aiusage.sources.api.gemini.metrics import (
    GL_RESOURCE,
    QUOTA_METRICS,
    Fetched,
    QuotaMetric,
    SeriesQuery,
    clean_model,
    fetch_series,
)
from aiusage.sources.api.paging import gather_windows

log = logging.getLogger(__name__)

INT64_MAX = 2**63 - 1  # how Monitoring shows an "unlimited" quota
BY_LIMIT = ("metric.labels.model", "metric.labels.limit_name")
Window = Literal["day", "minute"]
Kind = Literal["usage", "limit"]


def pacific() -> tzinfo:
    try:
        return ZoneInfo("America/Los_Angeles")
    except ZoneInfoNotFoundError:
        # No time zone database (Windows without the tzdata package): Pacific standard time.
        log.debug("no tz database; using UTC-8 for the Gemini daily reset")
        return timezone(timedelta(hours=-8))


def pacific_day(now: datetime) -> tuple[datetime, datetime]:
    """The start of today in Pacific time and the next midnight there (when RPD resets), in UTC."""
    zone = pacific()
    today = now.astimezone(zone).date()
    start = datetime.combine(today, time(0), tzinfo=zone)
    reset = datetime.combine(today + timedelta(days=1), time(0), tzinfo=zone)
    return start.astimezone(UTC), reset.astimezone(UTC)


def window_of(limit_name: str) -> Window | None:
    if "PerDay" in limit_name:
        return "day"
    if "PerMinute" in limit_name:
        return "minute"
    return None


def limit_value(value: int) -> Decimal | None:
    """None for "no limit": the int64 maximum (or a negative sentinel)."""
    return None if value >= INT64_MAX or value < 0 else Decimal(value)


async def fetch_quotas(
    client: httpx.AsyncClient, project: str, principal: str, tiers: set[str], now: datetime
) -> tuple[list[Quota], list[str]]:
    """Quota rows for the models used today on the tiers whose metrics carry data.

    Returns:
        The rows, and warnings (models whose limit Monitoring did not show).
    """
    metrics = [m for m in QUOTA_METRICS if m.tier in tiers]
    if not metrics:
        return [], []
    day_start, reset = pacific_day(now)
    minute_end = floor(now, "1m") + timedelta(minutes=1)
    today = Period(since=day_start, until=minute_end)
    last_day = Period(since=minute_end - timedelta(days=1), until=minute_end)

    async def one(job: tuple[QuotaMetric, Kind]) -> list[tuple[QuotaMetric, Kind, Fetched]]:
        metric, kind = job
        if kind == "usage":
            query = SeriesQuery(metric.usage, GL_RESOURCE, BY_LIMIT)
            fetched = await fetch_series(client, project, principal, query, today, 60)
        else:
            query = SeriesQuery(
                metric.limit, GL_RESOURCE, BY_LIMIT, aligner="ALIGN_MAX", reducer="REDUCE_MAX"
            )
            fetched = await fetch_series(client, project, principal, query, last_day, 86400)
        return [(metric, kind, fetched)]

    jobs: list[tuple[QuotaMetric, Kind]] = [(m, k) for m in metrics for k in ("usage", "limit")]
    results = await gather_windows(jobs, one)
    return build_quotas(results, project, day_start, reset, now)


def build_quotas(
    results: list[tuple[QuotaMetric, Kind, Fetched]],
    project: str,
    day_start: datetime,
    reset: datetime,
    now: datetime,
) -> tuple[list[Quota], list[str]]:
    Key = tuple[QuotaMetric, str, str]  # metric, model, limit_name
    used: dict[Key, list[int]] = defaultdict(list)
    limits: dict[Key, tuple[datetime, int]] = {}
    for metric, kind, fetched in results:
        for series in fetched.series:
            key = (metric, clean_model(series.label("model")), series.label("limit_name"))
            for point in series.points:
                if kind == "usage":
                    if point.interval.end_time > day_start:
                        used[key].append(point.value.number)
                elif key not in limits or point.interval.end_time > limits[key][0]:
                    limits[key] = (point.interval.end_time, point.value.number)

    quotas: list[Quota] = []
    no_limit_shown: set[str] = set()
    for key in sorted(used, key=lambda k: (k[1], k[0].counts, k[2])):
        metric, model, limit_name = key
        window = window_of(limit_name)
        values = used[key]
        if window is None or not any(values):
            continue
        if key not in limits:
            no_limit_shown.add(model)
            continue
        what = "requests" if metric.counts == "requests" else "input tokens"
        daily = window == "day"
        quotas.append(
            Quota(
                provider="gemini",
                source="api",
                name=(
                    f"{model} {what} per day ({metric.tier})"
                    if daily
                    else f"{model} {what} per minute, busiest minute today ({metric.tier})"
                ),
                used=Decimal(sum(values) if daily else max(values)),
                limit=limit_value(limits[key][1]),
                unit="requests" if metric.counts == "requests" else "tokens",
                resets_at=reset if daily else None,
                observed_at=now,
                scope=project,
            )
        )
    warnings = []
    if no_limit_shown:
        warnings.append(
            "Cloud Monitoring showed no rate limit today for "
            + ", ".join(sorted(no_limit_shown))
            + "; those limits are left out"
        )
    return quotas, warnings
