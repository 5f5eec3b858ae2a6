"""``aiusage report``: usage and cost per provider and model over a period, in the user's zone."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import cast

from rich.console import Console

from aiusage.collect import Plan, collect
from aiusage.grouping import build_coverage, build_groups, build_totals, overlapping
from aiusage.models import (
    PROVIDER_NAMES,
    SOURCE_KINDS,
    FetchDimension,
    Granularity,
    GroupBy,
    Period,
    ProviderName,
    Report,
    SourceKind,
    UsageQuery,
    UsageRecord,
    utc_now,
)
from aiusage.periods import parse_period
from aiusage.render import render_csv, render_json, render_table
from aiusage.settings import Settings, load_settings
from aiusage.sources.base import ApiProvider
from aiusage.sources.registry import STORE_SOURCES
from aiusage.store.rollup import Rollup
from aiusage.terminal_text import write_stdout
from aiusage.zones import Zone, resolve_zone

FETCH_DIMENSIONS: dict[str, FetchDimension] = {
    "project": "project",
    "user": "user",
    "product": "product",
}


@dataclass(frozen=True)
class ReportRequest:
    """The command line of ``aiusage report``, already checked by Typer."""

    since: str | None = None
    until: str | None = None
    timezone: str | None = None
    providers: tuple[str, ...] | list[str] = ()
    sources: tuple[str, ...] | list[str] = ()
    group_by: str = "model"
    breakdown: bool = False
    granularity: str = "1d"
    output_format: str = "table"
    refresh: bool = False
    offline: bool = False
    verbose: bool = False


def _api_providers() -> dict[ProviderName, ApiProvider]:
    # Imported only when the APIs are asked for: vendor client code is most of the start-up.
    from aiusage.sources.registry import API_PROVIDERS

    return API_PROVIDERS


def whole_hour_offsets(zone: Zone, period: Period) -> bool:
    """True when the zone is a whole number of hours from UTC throughout the period."""
    moments = [period.since, period.until - timedelta(microseconds=1)]
    return all(zone.offset(moment) % timedelta(hours=1) == timedelta(0) for moment in moments)


def build_query(request: ReportRequest, period: Period, zone: Zone) -> UsageQuery:
    granularity = cast(Granularity, request.granularity)
    if request.group_by == "hour" and granularity == "1d":
        granularity = "1h"
    return UsageQuery(
        period=period,
        granularity=granularity,
        dimension=FETCH_DIMENSIONS.get(request.group_by),
        timezone=zone.name,
        # Hourly vendor buckets can be re-cut at the zone's midnights only when the zone is a
        # whole number of hours from UTC (not Asia/Kolkata, +05:30).
        hourly_dollars=granularity == "1d" and not zone.is_utc and whole_hour_offsets(zone, period),
        by_session=request.group_by == "session",
    )


def _sorted(records: list[UsageRecord]) -> tuple[UsageRecord, ...]:
    return tuple(
        sorted(
            records,
            key=lambda r: (
                r.provider,
                r.source,
                r.start,
                r.model or "",
                r.scope or "",
                r.product or "",
                r.session or "",
            ),
        )  # fmt: skip
    )


def _local_folders(settings: Settings, plan: Plan) -> list[str]:
    """The log folders of the local sources asked for that exist on this machine."""
    folders: list[str] = []
    for source in STORE_SOURCES:
        if source.provider not in plan.providers or source.kind not in plan.kinds:
            continue
        roots = getattr(source, "roots", None)
        if callable(roots):
            folders.extend(str(root) for root in roots(settings))
    return folders


def rollup_for(request: ReportRequest, zone: Zone) -> Rollup | None:
    """How the store may sum API history for this report; None when every record is shown.

    JSON lists every record; the table and the CSV show only rows and totals. ``--by hour``
    rows are the vendors' hours themselves.
    """
    if request.output_format == "json" or request.group_by == "hour":
        return None
    by_scope = request.group_by in ("project", "user")
    return Rollup(unit="day", zone=zone.tz, by_scope=by_scope)


def run_report(request: ReportRequest, *, stdout: Console, stderr: Console) -> int:
    """Build and print the report; return the exit code (0 ok, 1 a source failed)."""
    now = utc_now()
    settings = load_settings()
    zone = resolve_zone(request.timezone, settings.timezone)
    period = parse_period(request.since, request.until, now, zone.tz)
    query = build_query(request, period, zone)
    plan = Plan(
        providers=[cast(ProviderName, p) for p in request.providers] or list(PROVIDER_NAMES),
        kinds=[cast(SourceKind, s) for s in request.sources] or list(SOURCE_KINDS),
        refresh=request.refresh,
        offline=request.offline,
        rollup=rollup_for(request, zone),
    )
    api_providers = _api_providers() if "api" in plan.kinds else {}
    job = collect(settings, query, plan, api_providers, STORE_SOURCES, now)
    if stderr.is_terminal and request.output_format == "table":
        with stderr.status("Fetching usage…"):
            collected = asyncio.run(job)
    else:
        collected = asyncio.run(job)
    report = build_report(request, collected.records, period, zone, now).model_copy(
        update={
            "quotas": tuple(collected.quotas),
            "errors": tuple(collected.errors),
            "warnings": tuple(collected.warnings),
            "not_configured": tuple(collected.not_configured),
            "cursor_activity": tuple(a for a in collected.activity if a.provider == "cursor"),
            "granularity": query.granularity,
        }
    )
    if request.output_format == "json":
        write_stdout(render_json(report) + "\n")
    elif request.output_format == "csv":
        write_stdout(render_csv(report))
    else:
        _print_table(report, settings, plan, api_providers, request.verbose, stdout)
    return 1 if report.errors else 0


def build_report(
    request: ReportRequest,
    records: list[UsageRecord],
    period: Period,
    zone: Zone,
    now: datetime,
) -> Report:
    """The report document: the records of the period, and the rows and totals of the table."""
    kept = _sorted(overlapping(records, period))
    group_by = cast(GroupBy, request.group_by)
    return Report(
        generated_at=now,
        timezone=zone.name,
        since=period.since,
        until=period.until,
        records=kept,
        groups=tuple(build_groups(kept, group_by, zone, request.breakdown)),
        totals=tuple(build_totals(kept)),
        coverage=tuple(build_coverage(kept, period, zone)),
        group_by=group_by,
        breakdown=request.breakdown and group_by != "model",
    )


def _print_table(
    report: Report,
    settings: Settings,
    plan: Plan,
    api_providers: dict[ProviderName, ApiProvider],
    verbose: bool,
    console: Console,
) -> None:
    hints: dict[str, str] = {
        name: api_providers[name].setup_hint()
        for name in report.not_configured
        if name in api_providers
    }
    configured = [
        f"{api.vendor} API"
        for name, api in api_providers.items()
        if name in plan.providers and name not in report.not_configured
    ]
    folders = _local_folders(settings, plan)
    render_table(
        report,
        console,
        hints,
        verbose=verbose,
        read_from=[*configured, *folders],
        sources_found=bool(configured or folders or report.records),
    )
