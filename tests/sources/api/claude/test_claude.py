"""The Claude provider against respx fakes shaped like the Anthropic reference payloads."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from decimal import Decimal

import httpx
import pytest
import respx

from aiusage.errors import (
    AuthError,
    BadResponseError,
    ForbiddenError,
    RateLimitedError,
    TimeoutFailure,
    UnavailableError,
)
from aiusage.http_client import build_client
from aiusage.models import Period, UsageQuery
from aiusage.settings import Settings
from aiusage.sources.api.claude.provider import ClaudeProvider
from tests.conftest import load_fixture

BASE = "https://api.anthropic.com"
USAGE = f"{BASE}/v1/organizations/usage_report/messages"
COST = f"{BASE}/v1/organizations/cost_report"
KEY = "sk-ant-admin01-" + "x" * 93 + "AA"


def day(d: int) -> datetime:
    return datetime(2025, 8, d, tzinfo=UTC)


def query(since: int = 1, until: int = 5, granularity: str = "1d") -> UsageQuery:
    return UsageQuery(period=Period(since=day(since), until=day(until)), granularity=granularity)


def settings() -> Settings:
    return Settings(ANTHROPIC_ADMIN_KEY=KEY)


def fetch(q: UsageQuery) -> list:  # type: ignore[type-arg]
    provider = ClaudeProvider()
    config = provider.client_config(settings())

    async def run() -> list:  # type: ignore[type-arg]
        async with build_client(config.base_url, headers=config.headers) as client:
            return list((await provider.fetch(client, settings(), q)).records)

    return asyncio.run(run())


def usage_pages(route: respx.Route) -> None:
    route.side_effect = [
        httpx.Response(200, json=load_fixture("anthropic/usage_page1.json")),
        httpx.Response(200, json=load_fixture("anthropic/usage_page2.json")),
    ]


@respx.mock
def test_follows_pages_and_sums_tokens_exactly() -> None:
    usage_pages(respx.get(USAGE))
    respx.get(COST).respond(200, json={"data": [], "has_more": False, "next_page": None})

    records = fetch(query())

    assert sum(r.input_tokens for r in records) == 270450 + 1200
    assert sum(r.output_tokens for r in records) == 70081 + 350
    assert sum(r.cache_read_tokens for r in records) == 1290500
    assert sum(r.cache_write_tokens for r in records) == 65510 + 12000
    assert {r.start for r in records} == {day(1), day(2), day(4)}


@respx.mock
def test_sends_the_documented_headers_and_bracketed_arrays() -> None:
    route = respx.get(USAGE)
    usage_pages(route)
    respx.get(COST).respond(200, json={"data": [], "has_more": False, "next_page": None})

    fetch(query())

    first, second = route.calls
    assert first.request.headers["x-api-key"] == KEY
    assert first.request.headers["anthropic-version"] == "2023-06-01"
    assert first.request.headers["user-agent"].startswith("aiusage/")
    params = first.request.url.params
    assert params.get_list("group_by[]") == ["model", "service_tier"]
    assert params["bucket_width"] == "1d"
    assert params["starting_at"] == "2025-08-01T00:00:00Z"
    assert "page" not in params
    assert second.request.url.params["page"] == "page_MjAyNS0wOC0wM1QwMDowMDowMFo="


@respx.mock
def test_cost_report_cents_become_dollars_and_match_the_bill() -> None:
    usage_pages(respx.get(USAGE))
    respx.get(COST).respond(200, json=load_fixture("anthropic/cost_report.json"))

    records = fetch(query())

    reported = [r for r in records if r.cost_kind == "reported"]
    assert sum((r.cost_usd for r in reported), Decimal(0)) == Decimal("1.7265225")
    sonnet_day1 = next(
        r for r in records if r.start == day(1) and r.model == "claude-sonnet-4-20250514"
    )
    assert sonnet_day1.cost_usd == Decimal("1.4637225")
    no_model = {r.product: r.cost_usd for r in records if r.model is None}
    assert no_model == {"web_search": Decimal("0.03"), "code_execution": Decimal("0.05")}


@respx.mock
def test_usage_without_a_cost_line_is_estimated_and_labelled() -> None:
    usage_pages(respx.get(USAGE))
    respx.get(COST).respond(200, json=load_fixture("anthropic/cost_report.json"))

    records = fetch(query())

    day4 = next(r for r in records if r.start == day(4))
    assert day4.cost_kind == "estimated"
    assert day4.cost_usd == Decimal("0.00885")  # 1200 x $3/MTok + 350 x $15/MTok


@respx.mock
def test_hourly_buckets_skip_the_daily_cost_report_and_warn() -> None:
    usage_pages(respx.get(USAGE))
    cost = respx.get(COST)

    provider = ClaudeProvider()

    async def run() -> tuple[str, ...]:
        async with build_client(BASE, headers=provider.client_config(settings()).headers) as c:
            return (await provider.fetch(c, settings(), query(granularity="1h"))).warnings

    warnings = asyncio.run(run())
    assert not cost.called
    assert "per day only" in warnings[0]


@respx.mock
def test_long_periods_are_split_into_windows_fetched_concurrently() -> None:
    route = respx.get(USAGE).respond(200, json={"data": [], "has_more": False, "next_page": None})
    respx.get(COST).respond(200, json={"data": [], "has_more": False, "next_page": None})

    q = UsageQuery(
        period=Period(
            since=datetime(2025, 1, 1, tzinfo=UTC), until=datetime(2025, 4, 1, tzinfo=UTC)
        )
    )
    fetch(q)

    starts = sorted(c.request.url.params["starting_at"] for c in route.calls)
    assert starts == ["2025-01-01T00:00:00Z", "2025-02-01T00:00:00Z", "2025-03-04T00:00:00Z"]


@respx.mock
def test_a_repeated_cursor_stops_with_a_bad_response_error() -> None:
    page = load_fixture("anthropic/usage_page1.json")
    respx.get(USAGE).respond(200, json=page)
    with pytest.raises(BadResponseError, match="same page cursor"):
        fetch(query())


@pytest.mark.parametrize(
    ("status", "body", "error"),
    [
        (401, load_fixture("anthropic/error_401.json"), AuthError),
        (
            403,
            {"type": "error", "error": {"type": "permission_error", "message": "no"}},
            ForbiddenError,
        ),
        (
            404,
            {"type": "error", "error": {"type": "not_found_error", "message": "no"}},
            BadResponseError,
        ),
        (429, load_fixture("anthropic/error_429.json"), RateLimitedError),
        (
            500,
            {"type": "error", "error": {"type": "api_error", "message": "oops"}},
            UnavailableError,
        ),
        (529, load_fixture("anthropic/error_529.json"), UnavailableError),
    ],
)
@respx.mock
def test_http_failures_map_to_error_kinds(status: int, body: object, error: type) -> None:
    route = respx.get(USAGE).respond(status, json=body, headers={"retry-after": "1"})
    with pytest.raises(error):
        fetch(query())
    retried = status in (429, 500, 529)
    assert route.call_count == (5 if retried else 1)


@respx.mock
def test_a_transient_503_recovers_within_the_retry_budget() -> None:
    respx.get(USAGE).side_effect = [
        httpx.Response(503),
        httpx.Response(200, json=load_fixture("anthropic/usage_page2.json")),
    ]
    respx.get(COST).respond(200, json={"data": [], "has_more": False, "next_page": None})
    records = fetch(query(4, 5))
    assert [r.input_tokens for r in records] == [1200]


@pytest.mark.parametrize(
    ("response", "error"),
    [
        (httpx.Response(200, text="<html>not json</html>"), BadResponseError),
        (httpx.Response(200, json={"unexpected": True}), BadResponseError),
        (httpx.Response(200, json={"data": [{"starting_at": "x"}]}), BadResponseError),
        (httpx.Response(200, content=b""), BadResponseError),
        (httpx.TimeoutException("slow"), TimeoutFailure),
        (httpx.ConnectError("refused"), UnavailableError),
    ],
)
@respx.mock
def test_broken_answers_become_one_clear_error(
    response: httpx.Response | Exception, error: type
) -> None:
    respx.get(USAGE).mock(side_effect=[response] * 5)
    with pytest.raises(error) as raised:
        fetch(query())
    assert KEY not in str(raised.value)


@respx.mock
def test_unknown_fields_and_new_enum_values_are_tolerated() -> None:
    page = load_fixture("anthropic/usage_page2.json")
    result = page["data"][1]["results"][0]
    result["service_tier"] = "hyperspeed"
    result["brand_new_field"] = {"nested": [1, 2]}
    respx.get(USAGE).respond(200, json=page)
    respx.get(COST).respond(200, json={"data": [], "has_more": False, "next_page": None})
    assert [r.output_tokens for r in fetch(query(4, 5))] == [350]
