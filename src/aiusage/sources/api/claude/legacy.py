"""Anthropic's Usage & Cost Admin API (``usage_report/messages`` + ``cost_report``) -> records."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import httpx
from pydantic import AwareDatetime, BaseModel, ConfigDict, NonNegativeInt

from aiusage.http_client import QueryParams, request_json
from aiusage.models import Granularity, Period, SourceResult, UsageQuery, format_utc
from aiusage.periods import windows
from aiusage.sources.api.claude.records import Tally, cents_to_dollars
from aiusage.sources.api.paging import follow_cursor, gather_windows
from aiusage.sources.api.parsing import parse

VENDOR = "Anthropic"
USAGE_PATH = "/v1/organizations/usage_report/messages"
COST_PATH = "/v1/organizations/cost_report"
# Most buckets one page may hold, per bucket width; a window of that many buckets is one page.
MAX_BUCKETS = {"1d": 31, "1h": 168, "1m": 1440}
SPAN = {"1d": timedelta(days=31), "1h": timedelta(hours=168), "1m": timedelta(minutes=1440)}
COST_SPAN = timedelta(days=31)


class _Lenient(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)


class CacheCreation(_Lenient):
    ephemeral_1h_input_tokens: NonNegativeInt = 0
    ephemeral_5m_input_tokens: NonNegativeInt = 0


class UsageResult(_Lenient):
    uncached_input_tokens: NonNegativeInt = 0
    cache_read_input_tokens: NonNegativeInt = 0
    cache_creation: CacheCreation = CacheCreation()
    output_tokens: NonNegativeInt = 0
    model: str | None = None
    workspace_id: str | None = None


class CostResult(_Lenient):
    amount: Decimal
    currency: str = "USD"
    cost_type: str | None = None
    description: str | None = None
    model: str | None = None
    workspace_id: str | None = None


class UsageBucket(_Lenient):
    starting_at: AwareDatetime
    ending_at: AwareDatetime
    results: list[UsageResult]


class CostBucket(_Lenient):
    starting_at: AwareDatetime
    ending_at: AwareDatetime
    results: list[CostResult]


class UsagePage(_Lenient):
    data: list[UsageBucket]
    has_more: bool = False
    next_page: str | None = None


class CostPage(_Lenient):
    data: list[CostBucket]
    has_more: bool = False
    next_page: str | None = None


def _base_params(window: Period, group_by: list[str]) -> QueryParams:
    params: QueryParams = [
        ("starting_at", format_utc(window.since)),
        ("ending_at", format_utc(window.until)),
    ]
    params.extend(("group_by[]", dimension) for dimension in group_by)
    return params


async def fetch_usage(
    client: httpx.AsyncClient, window: Period, granularity: Granularity, group_by: list[str]
) -> list[UsageBucket]:
    params = [
        *_base_params(window, group_by),
        ("bucket_width", granularity),
        ("limit", MAX_BUCKETS[granularity]),
    ]

    async def page(cursor: str | None) -> tuple[list[UsageBucket], str | None]:
        query = params if cursor is None else [*params, ("page", cursor)]
        body = await request_json(client, VENDOR, "GET", USAGE_PATH, params=query)
        parsed = parse(UsagePage, body, VENDOR, "a usage report")
        return parsed.data, parsed.next_page if parsed.has_more else None

    return await follow_cursor(VENDOR, page)


async def fetch_costs(
    client: httpx.AsyncClient, window: Period, group_by: list[str]
) -> list[CostBucket]:
    params = [*_base_params(window, group_by), ("bucket_width", "1d"), ("limit", 31)]

    async def page(cursor: str | None) -> tuple[list[CostBucket], str | None]:
        query = params if cursor is None else [*params, ("page", cursor)]
        body = await request_json(client, VENDOR, "GET", COST_PATH, params=query)
        parsed = parse(CostPage, body, VENDOR, "a cost report")
        return parsed.data, parsed.next_page if parsed.has_more else None

    return await follow_cursor(VENDOR, page)


def build_records(
    usage: list[UsageBucket], costs: list[CostBucket] | None, by_workspace: bool
) -> SourceResult:
    """Merge usage buckets and cost buckets into records whose dollars add up to the bill.

    Token records take the cost report's dollars for their day, model and workspace
    (``reported``); without a cost report they are estimated; cost that names no model (web
    search, code execution, session usage) becomes a record of its own.
    """
    tally = Tally()
    for bucket in usage:
        for r in bucket.results:
            workspace = r.workspace_id if by_workspace else None
            cache = r.cache_creation
            tally.add_tokens(
                (bucket.starting_at, r.model, workspace, None),
                bucket.ending_at,
                uncached=r.uncached_input_tokens,
                output=r.output_tokens,
                cache_read=r.cache_read_input_tokens,
                cache_write_5m=cache.ephemeral_5m_input_tokens,
                cache_write_1h=cache.ephemeral_1h_input_tokens,
            )
        tally.ends[bucket.starting_at] = bucket.ending_at
    for cost_bucket in costs or []:
        for c in cost_bucket.results:
            workspace = c.workspace_id if by_workspace else None
            item = None if c.model else (c.cost_type or c.description or "other")
            key = (cost_bucket.starting_at, c.model or None, workspace, item)
            tally.add_cost(key, cost_bucket.ending_at, cents_to_dollars(c.amount))
    return SourceResult(records=tally.records())


async def fetch(client: httpx.AsyncClient, query: UsageQuery) -> SourceResult:
    """Usage (and, for daily buckets, the vendor's cost) for the query's aligned period."""
    by_workspace = query.dimension == "project"
    usage_groups = ["model", "workspace_id"] if by_workspace else ["model"]
    usage = await gather_windows(
        windows(query.period, SPAN[query.granularity]),
        lambda w: fetch_usage(client, w, query.granularity, usage_groups),
    )
    warnings: tuple[str, ...] = ()
    costs: list[CostBucket] | None = None
    if query.granularity == "1d":
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
    return result.model_copy(update={"warnings": warnings})
