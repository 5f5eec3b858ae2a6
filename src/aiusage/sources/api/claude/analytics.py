"""Anthropic's beta Usage and Cost Analytics API (``/v1/organizations/analytics/*``) -> records."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import httpx

from aiusage.http_client import QueryParams
from aiusage.models import (
    FetchDimension,
    Granularity,
    Period,
    SourceResult,
    format_utc,
)
from aiusage.periods import BUCKET
from aiusage.sources.api.claude.records import Key, Tally, cents_to_dollars, token_counts
from aiusage.sources.api.claude.wire import CostPage, CostRow, Group, UsagePage, UsageRow
from aiusage.sources.api.paging import follow_next_page, page_budget

VENDOR = "Anthropic"
USAGE_PATH = "/v1/organizations/analytics/usage"
COST_PATH = "/v1/organizations/analytics/cost"
BETA = "analytics-usage-cost-2026-08-24"
HEADERS = {"anthropic-beta": BETA}
# The API serves nothing before this instant, nor more than MAX_AGE back from now.
EARLIEST = datetime(2026, 1, 1, tzinfo=UTC)
MAX_AGE = timedelta(days=365)
# Longest range one request may cover.
SPAN: dict[Granularity, timedelta] = {
    "1d": timedelta(days=31),
    "1h": timedelta(days=31),
    "1m": timedelta(hours=24),
}
PAGE_ROWS = 1000
# Most rows one bucket may hold (one per model and dimension value: people, workspaces,
# products, cost types). Far beyond any organization we know of; it only bounds an endless
# vendor's pages.
MOST_ROWS_PER_BUCKET = 10_000
# The vendor dimension each --by that splits at the source asks for.
DIMENSION_GROUP: dict[FetchDimension, str] = {
    "project": "workspace_id",
    "user": "actor",
    "product": "product",
}


def reach(now: datetime) -> datetime:
    """The earliest instant the API will serve now (a day's margin for the 365-day limit)."""
    return max(EARLIEST, now - MAX_AGE + timedelta(days=1))


def _params(window: Period, granularity: Granularity, group_by: list[str]) -> QueryParams:
    params: QueryParams = [
        ("starting_at", format_utc(window.since)),
        ("ending_at", format_utc(window.until)),
        ("time_bucket_width", granularity),
    ]
    params.extend(("group_by[]", dimension) for dimension in group_by)
    params.extend([("order_by", "time"), ("order", "asc"), ("limit", PAGE_ROWS)])
    return params


def most_pages(window: Period, granularity: Granularity) -> int:
    """The most pages one query of this window can fill (rows, not buckets, are paged)."""
    buckets = -(-(window.until - window.since) // BUCKET[granularity])
    return page_budget(buckets * MOST_ROWS_PER_BUCKET, PAGE_ROWS)


def _groups(dimension: FetchDimension | None) -> list[str]:
    return ["model"] if dimension is None else ["model", DIMENSION_GROUP[dimension]]


async def fetch_window(
    client: httpx.AsyncClient,
    window: Period,
    granularity: Granularity,
    dimension: FetchDimension | None,
) -> SourceResult:
    """Usage, then cost, of one window of at most ``SPAN[granularity]``, as records.

    Usage comes first: it is the request that tells whether this key and organization may use
    the API at all, before the cost request is spent.
    """
    groups = _groups(dimension)
    max_pages = most_pages(window, granularity)
    usage = await follow_next_page(
        client,
        VENDOR,
        USAGE_PATH,
        _params(window, granularity, groups),
        UsagePage,
        "an analytics usage page",
        max_pages,
        HEADERS,
    )
    # cost_type splits out web search, code execution and session usage; it does not count
    # toward the API's five group_by dimensions.
    costs = await follow_next_page(
        client,
        VENDOR,
        COST_PATH,
        _params(window, granularity, [*groups, "cost_type"]),
        CostPage,
        "an analytics cost page",
        max_pages,
        HEADERS,
    )
    return build_records(
        [row for page in usage for row in page.data],
        [row for page in costs for row in page.data],
        dimension,
    )


def _scope(group: Group, dimension: FetchDimension | None) -> str | None:
    if dimension == "project":
        return group.workspace_id
    if dimension == "user":
        return group.actor.label() if group.actor is not None else None
    return None


def _surface(group: Group, dimension: FetchDimension | None) -> str | None:
    return group.product if dimension == "product" else None


def build_records(
    usage: list[UsageRow], costs: list[CostRow], dimension: FetchDimension | None
) -> SourceResult:
    """Merge usage rows and cost rows into records whose dollars add up to the bill.

    The records have the legacy reports' shape: token records per (bucket, model, scope) carry
    the reported dollars of their token costs; cost that is not for a model's tokens (web search,
    code execution, session usage) is a record of its own with ``product`` = its ``cost_type``
    (with ``--by product``: the product surface it was spent in, when the API names one).
    Buckets without usage have no rows and so no records.
    """
    tally = Tally()
    for row in usage:
        if row.group.model is None and not any(token_counts(row.usage)):
            # Code-execution rows: no tokens; their ``requests`` count sandbox spans, which the
            # cost side reports as the code_execution line item.
            continue
        group = row.group
        tokens_key = (
            row.starting_at,
            group.model,
            _scope(group, dimension),
            _surface(group, dimension),
        )
        tally.add_usage(tokens_key, row.ending_at, row.usage, row.usage.requests)
    for line in costs:
        g = line.group
        scope = _scope(g, dimension)
        key: Key
        if g.model and g.cost_type in (None, "tokens"):
            key = (line.starting_at, g.model, scope, _surface(g, dimension))
        else:
            key = (line.starting_at, None, scope, _surface(g, dimension) or g.cost_type or "other")
        tally.add_cost(key, line.ending_at, cents_to_dollars(line.cost.amount, line.cost.currency))
    return SourceResult(records=tally.records())
