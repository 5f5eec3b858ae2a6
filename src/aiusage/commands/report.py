"""``aiusage report``: usage and cost per provider and model over a period."""

from __future__ import annotations

import asyncio
import sys
from typing import cast

from rich.console import Console

from aiusage.collect import Plan, collect
from aiusage.models import (
    PROVIDER_NAMES,
    SOURCE_KINDS,
    FetchDimension,
    Granularity,
    GroupBy,
    ProviderName,
    Report,
    SourceKind,
    UsageQuery,
    utc_now,
)
from aiusage.periods import parse_period
from aiusage.render import render_csv, render_json, render_table
from aiusage.settings import load_settings
from aiusage.sources.base import ApiProvider
from aiusage.sources.registry import STORE_SOURCES

FETCH_DIMENSIONS: dict[str, FetchDimension] = {
    "project": "project",
    "user": "user",
    "product": "product",
}


def _api_providers() -> dict[ProviderName, ApiProvider]:
    # Imported only when the APIs are asked for: vendor client code is most of the start-up.
    from aiusage.sources.registry import API_PROVIDERS

    return API_PROVIDERS


def run_report(
    *,
    since: str | None,
    until: str | None,
    providers: list[str],
    sources: list[str],
    group_by: str,
    granularity: str,
    output_format: str,
    refresh: bool,
    offline: bool,
    stdout: Console,
    stderr: Console,
) -> int:
    """Build and print the report; return the exit code (0 ok, 1 a source failed)."""
    now = utc_now()
    period = parse_period(since, until, now)
    settings = load_settings()
    query = UsageQuery(
        period=period,
        granularity=cast(Granularity, granularity),
        dimension=FETCH_DIMENSIONS.get(group_by),
    )
    plan = Plan(
        providers=[cast(ProviderName, p) for p in providers] or list(PROVIDER_NAMES),
        kinds=[cast(SourceKind, s) for s in sources] or list(SOURCE_KINDS),
        refresh=refresh,
        offline=offline,
    )
    api_providers = _api_providers() if "api" in plan.kinds else {}
    job = collect(settings, query, plan, api_providers, STORE_SOURCES, now)
    if stderr.is_terminal and output_format == "table":
        with stderr.status("Fetching usage…"):
            collected = asyncio.run(job)
    else:
        collected = asyncio.run(job)
    report = Report(
        generated_at=now,
        since=period.since,
        until=period.until,
        records=tuple(
            sorted(
                collected.records,
                key=lambda r: (
                    r.provider,
                    r.source,
                    r.start,
                    r.model or "",
                    r.scope or "",
                    r.product or "",
                ),
            )
        ),
        quotas=tuple(collected.quotas),
        errors=tuple(collected.errors),
        warnings=tuple(collected.warnings),
        not_configured=tuple(collected.not_configured),
        cursor_activity=tuple(a for a in collected.activity if a.provider == "cursor"),
        granularity=query.granularity,
        group_by=cast(GroupBy, group_by),
    )
    if output_format == "json":
        sys.stdout.write(render_json(report) + "\n")
    elif output_format == "csv":
        sys.stdout.write(render_csv(report))
    else:
        hints: dict[str, str] = {
            name: api_providers[name].setup_hint()
            for name in report.not_configured
            if name in api_providers
        }
        render_table(report, stdout, hints)
    return 1 if report.errors else 0
