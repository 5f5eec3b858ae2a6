"""Anthropic's Usage & Cost Admin API (``usage_report/messages`` + ``cost_report``) -> records."""

from __future__ import annotations

from datetime import timedelta

import httpx

from aiusage.http_client import QueryParams
from aiusage.models import Granularity, Period, SourceResult, UsageQuery, format_utc
from aiusage.periods import BUCKET, windows
from aiusage.sources.api.claude.records import Tally, cents_to_dollars, token_counts
from aiusage.sources.api.claude.wire import (
    ReportCostBucket,
    ReportCostPage,
    ReportUsageBucket,
    ReportUsagePage,
)
from aiusage.sources.api.paging import follow_next_page, gather_windows, page_budget

VENDOR = "Anthropic"
USAGE_PATH = "/v1/organizations/usage_report/messages"
COST_PATH = "/v1/organizations/cost_report"
# Most buckets one page may hold, per bucket width; a window of that many buckets is one page.
MAX_BUCKETS = {"1d": 31, "1h": 168, "1m": 1440}
# The vendor's default page sizes: the fewest buckets a full page holds if ``limit`` is ignored.
DEFAULT_BUCKETS = {"1d": 7, "1h": 24, "1m": 60}
SPAN = {"1d": timedelta(days=31), "1h": timedelta(hours=168), "1m": timedelta(minutes=1440)}
COST_SPAN = timedelta(days=31)
# Service tiers whose dollars the cost report leaves out (the official cookbook says so).
PRIORITY_TIERS = ("priority", "priority_on_demand")
PRIORITY_PRODUCT = "priority_tier"


def _base_params(window: Period, group_by: list[str]) -> QueryParams:
    params: QueryParams = [
        ("starting_at", format_utc(window.since)),
        ("ending_at", format_utc(window.until)),
    ]
    params.extend(("group_by[]", dimension) for dimension in group_by)
    return params


def _bucket_count(window: Period, granularity: Granularity) -> int:
    return -(-(window.until - window.since) // BUCKET[granularity])


async def fetch_usage(
    client: httpx.AsyncClient, window: Period, granularity: Granularity, group_by: list[str]
) -> list[ReportUsageBucket]:
    params = [
        *_base_params(window, group_by),
        ("bucket_width", granularity),
        ("limit", MAX_BUCKETS[granularity]),
    ]
    budget = page_budget(_bucket_count(window, granularity), DEFAULT_BUCKETS[granularity])
    pages = await follow_next_page(
        client, VENDOR, USAGE_PATH, params, ReportUsagePage, "a usage report", budget
    )
    return [bucket for page in pages for bucket in page.data]


async def fetch_costs(
    client: httpx.AsyncClient, window: Period, group_by: list[str]
) -> list[ReportCostBucket]:
    params = [
        *_base_params(window, group_by),
        ("bucket_width", "1d"),
        ("limit", MAX_BUCKETS["1d"]),
    ]
    budget = page_budget(_bucket_count(window, "1d"), DEFAULT_BUCKETS["1d"])
    pages = await follow_next_page(
        client, VENDOR, COST_PATH, params, ReportCostPage, "a cost report", budget
    )
    return [bucket for page in pages for bucket in page.data]


def build_records(
    usage: list[ReportUsageBucket], costs: list[ReportCostBucket] | None, by_workspace: bool
) -> SourceResult:
    """Merge usage buckets and cost buckets into records whose dollars add up to the bill.

    Token records take the cost report's dollars for their day, model and workspace
    (``reported``); without a cost report they are estimated; cost that names no model (web
    search, code execution, session usage) becomes a record of its own. The cost report leaves
    Priority Tier out, so with one, priority tokens are records of their own (``product``
    ``priority_tier``) with an estimate, never merged into reported dollars.
    """
    tally = Tally()
    priority_tokens = 0
    for bucket in usage:
        for r in bucket.results:
            workspace = r.workspace_id if by_workspace else None
            product = None
            if costs is not None and r.service_tier in PRIORITY_TIERS:
                product = PRIORITY_PRODUCT
                priority_tokens += sum(token_counts(r))
            tally.add_usage((bucket.starting_at, r.model, workspace, product), bucket.ending_at, r)
        tally.ends[bucket.starting_at] = bucket.ending_at
    for cost_bucket in costs or []:
        for c in cost_bucket.results:
            workspace = c.workspace_id if by_workspace else None
            item = None if c.model else (c.cost_type or c.description or "other")
            key = (cost_bucket.starting_at, c.model or None, workspace, item)
            tally.add_cost(key, cost_bucket.ending_at, cents_to_dollars(c.amount, c.currency))
    warnings: tuple[str, ...] = ()
    if priority_tokens:
        warnings = (
            f"Anthropic's cost report leaves out Priority Tier: the reported dollars exclude "
            f"{priority_tokens:,} priority tokens; their cost is an estimate at standard list "
            f"prices (product {PRIORITY_PRODUCT}, labelled estimated), which your Priority Tier "
            "rates may exceed",
        )
    return SourceResult(records=tally.records(), warnings=warnings)


async def fetch(client: httpx.AsyncClient, query: UsageQuery) -> SourceResult:
    """Usage (and, for daily buckets, the vendor's cost) for the query's aligned period."""
    by_workspace = query.dimension == "project"
    usage_groups = ["model", "workspace_id"] if by_workspace else ["model"]
    daily = query.granularity == "1d"
    if daily:
        # Only the usage report shows Priority Tier tokens, whose dollars the cost report lacks.
        usage_groups.append("service_tier")
    usage = await gather_windows(
        windows(query.period, SPAN[query.granularity]),
        lambda w: fetch_usage(client, w, query.granularity, usage_groups),
    )
    warnings: tuple[str, ...] = ()
    costs: list[ReportCostBucket] | None = None
    if daily:
        cost_groups = ["workspace_id", "description"] if by_workspace else ["description"]
        costs = await gather_windows(
            windows(query.period, COST_SPAN), lambda w: fetch_costs(client, w, cost_groups)
        )
    else:
        warnings = (
            "Anthropic reports cost per day only: costs at this granularity are estimates from "
            "published prices; use --granularity 1d for billed dollars",
        )
    result = build_records(usage, costs, by_workspace)
    return result.model_copy(update={"warnings": (*warnings, *result.warnings)})
