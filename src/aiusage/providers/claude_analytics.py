"""Anthropic's beta Usage and Cost Analytics API (``/v1/organizations/analytics/*``) -> records."""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, datetime, timedelta
from decimal import Decimal, localcontext
from typing import TypeVar

import httpx

from aiusage.http_client import QueryParams, request_json
from aiusage.models import (
    FetchDimension,
    Granularity,
    Period,
    SourceResult,
    UsageRecord,
    format_utc,
)
from aiusage.pricing import estimate_cost
from aiusage.providers.claude_analytics_schema import CostPage, CostRow, Group, UsagePage, UsageRow
from aiusage.providers.pagination import follow_cursor
from aiusage.providers.parsing import parse

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
# The vendor dimension each --by that splits at the source asks for.
DIMENSION_GROUP: dict[FetchDimension, str] = {
    "project": "workspace_id",
    "user": "actor",
    "product": "product",
}
# Money needs more digits than Decimal's default 28 when amounts carry many fractional digits.
MONEY_PRECISION = 80


Page = TypeVar("Page", UsagePage, CostPage)


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


async def _pages(
    client: httpx.AsyncClient, path: str, page_model: type[Page], params: QueryParams, what: str
) -> list[Page]:
    """Every page of one query, following ``next_page`` while ``has_more`` says so."""

    async def page(cursor: str | None) -> tuple[list[Page], str | None]:
        query = params if cursor is None else [*params, ("page", cursor)]
        body = await request_json(client, VENDOR, "GET", path, params=query, headers=HEADERS)
        parsed = parse(page_model, body, VENDOR, what)
        following = parsed.next_page if parsed.has_more and parsed.next_page else None
        return [parsed], following

    return await follow_cursor(VENDOR, page)


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
    usage = await _pages(
        client,
        USAGE_PATH,
        UsagePage,
        _params(window, granularity, groups),
        "an analytics usage page",
    )
    # cost_type splits out web search, code execution and session usage; it does not count
    # toward the API's five group_by dimensions.
    costs = await _pages(
        client,
        COST_PATH,
        CostPage,
        _params(window, granularity, [*groups, "cost_type"]),
        "an analytics cost page",
    )
    return build_records(
        [row for page in usage for row in page.data],
        [row for page in costs for row in page.data],
        dimension,
    )


Key = tuple[datetime, str | None, str | None, str | None]  # start, model, scope, product


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
    tokens: dict[Key, list[int]] = defaultdict(lambda: [0, 0, 0, 0, 0])
    requests: dict[Key, int] = defaultdict(int)
    ends: dict[datetime, datetime] = {}
    for row in usage:
        ends[row.starting_at] = row.ending_at
        u = row.usage
        cache = u.cache_creation
        counts = (
            u.uncached_input_tokens,
            u.output_tokens,
            u.cache_read_input_tokens,
            cache.ephemeral_5m_input_tokens + cache.ephemeral_1h_input_tokens,
            cache.ephemeral_1h_input_tokens,
        )
        if row.group.model is None and not any(counts):
            # Code-execution rows: no tokens; their ``requests`` count sandbox spans, which the
            # cost side reports as the code_execution line item.
            continue
        key = (
            row.starting_at,
            row.group.model,
            _scope(row.group, dimension),
            _surface(row.group, dimension),
        )
        for i, value in enumerate(counts):
            tokens[key][i] += value
        if u.requests is not None:
            requests[key] += u.requests

    model_cost: dict[Key, Decimal] = defaultdict(Decimal)
    other_cost: dict[Key, Decimal] = defaultdict(Decimal)
    with localcontext() as money:
        money.prec = MONEY_PRECISION
        for line in costs:
            ends.setdefault(line.starting_at, line.ending_at)
            g = line.group
            dollars = line.cost.amount / 100  # fractional cents
            scope = _scope(g, dimension)
            if g.model and g.cost_type in (None, "tokens"):
                model_cost[(line.starting_at, g.model, scope, _surface(g, dimension))] += dollars
            else:
                item = _surface(g, dimension) or g.cost_type or "other"
                other_cost[(line.starting_at, None, scope, item)] += dollars

    records: list[UsageRecord] = []
    for key in sorted(tokens.keys() | model_cost.keys(), key=_sort_key):
        start, model, scope, product = key
        uncached, output, read, write, write_1h = tokens.get(key, [0, 0, 0, 0, 0])
        cost: Decimal | None
        if key in model_cost:
            cost, kind = model_cost[key], "reported"
        else:
            cost = estimate_cost(
                "claude",
                model,
                input_tokens=uncached,
                output_tokens=output,
                cache_read_tokens=read,
                cache_write_tokens=write,
                cache_write_1h_tokens=write_1h,
                at=start,
            )
            kind = "estimated"
        records.append(
            UsageRecord(
                provider="claude",
                source="api",
                start=start,
                end=ends[start],
                model=model,
                scope=scope,
                product=product,
                input_tokens=uncached,
                output_tokens=output,
                cache_read_tokens=read,
                cache_write_tokens=write,
                requests=requests.get(key),
                cost_usd=cost,
                cost_kind=kind if cost is not None else None,
            )
        )
    for key in sorted(other_cost, key=_sort_key):
        start, _, scope, product = key
        records.append(
            UsageRecord(
                provider="claude",
                source="api",
                start=start,
                end=ends[start],
                scope=scope,
                product=product,
                cost_usd=other_cost[key],
                cost_kind="reported",
            )
        )
    return SourceResult(records=tuple(records))


def _sort_key(key: Key) -> tuple[datetime, str, str, str]:
    return key[0], key[1] or "", key[2] or "", key[3] or ""
