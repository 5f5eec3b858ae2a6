"""How both Anthropic reporting APIs follow pages: every page read, none made up, none endless."""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
import respx

from aiusage.errors import BadResponseError
from aiusage.http_client import build_client
from aiusage.models import Period, SourceResult, UsageQuery
from aiusage.settings import Settings
from aiusage.sources.api.claude.provider import ClaudeProvider
from tests.conftest import load_fixture

BASE = "https://api.anthropic.com"
L_USAGE = f"{BASE}/v1/organizations/usage_report/messages"
L_COST = f"{BASE}/v1/organizations/cost_report"
A_USAGE = f"{BASE}/v1/organizations/analytics/usage"
A_COST = f"{BASE}/v1/organizations/analytics/cost"
ADMIN = "sk-ant-admin01-" + "x" * 93 + "AA"
EMPTY = {"data": [], "has_more": False, "next_page": None}
# Legacy fixtures (2025-08-01..04, two usage pages): tokens of both pages, added by hand.
LEGACY_INPUT = 270450 + 1200
# Analytics fixtures (2026-09-01..07, two usage pages): uncached input of both pages.
ANALYTICS_INPUT = 412870 + 250118 + 389004 + 231004 + 1200
NOW = datetime(2026, 11, 25, 15, tzinfo=UTC)


def fetch(since: datetime, until: datetime, mode: str) -> SourceResult:
    settings = Settings(ANTHROPIC_ADMIN_KEY=ADMIN, AIUSAGE_CLAUDE_API=mode)
    provider = ClaudeProvider(clock=lambda: NOW)
    config = provider.client_config(settings)
    q = UsageQuery(period=Period(since=since, until=until))

    async def run() -> SourceResult:
        async with build_client(config.base_url, headers=config.headers) as client:
            return await provider.fetch(client, settings, q)

    return asyncio.run(run())


def legacy() -> SourceResult:
    return fetch(datetime(2025, 8, 1, tzinfo=UTC), datetime(2025, 8, 5, tzinfo=UTC), "legacy")


def analytics() -> SourceResult:
    return fetch(datetime(2026, 9, 1, tzinfo=UTC), datetime(2026, 9, 8, tzinfo=UTC), "analytics")


def pages(first: dict[str, Any], second: dict[str, Any]) -> list[httpx.Response]:
    return [httpx.Response(200, json=first), httpx.Response(200, json=second)]


def without_has_more(name: str) -> dict[str, Any]:
    page: dict[str, Any] = load_fixture(name)
    del page["has_more"]
    return page


def more_without_cursor(name: str, cursor: object) -> dict[str, Any]:
    page: dict[str, Any] = load_fixture(name)
    page["has_more"] = True
    page["next_page"] = cursor
    return page


def endless(name: str) -> Callable[[httpx.Request], httpx.Response]:
    """A vendor that always says more follows, each time with a cursor it never sent before."""
    numbers = itertools.count()

    def answer(request: httpx.Request) -> httpx.Response:
        page = more_without_cursor(name, f"page_fresh_{next(numbers)}")
        return httpx.Response(200, json=page)

    return answer


@respx.mock
def test_legacy_follows_a_cursor_when_has_more_is_absent() -> None:
    usage = respx.get(L_USAGE)
    usage.side_effect = pages(
        without_has_more("anthropic/usage_page1.json"), load_fixture("anthropic/usage_page2.json")
    )
    respx.get(L_COST).respond(200, json=EMPTY)

    records = legacy().records

    assert usage.call_count == 2
    assert sum(r.input_tokens for r in records) == LEGACY_INPUT


@respx.mock
def test_analytics_follows_a_cursor_when_has_more_is_absent() -> None:
    usage = respx.get(A_USAGE)
    usage.side_effect = pages(
        without_has_more("anthropic/analytics_usage_page1.json"),
        load_fixture("anthropic/analytics_usage_page2.json"),
    )
    respx.get(A_COST).respond(200, json=EMPTY)

    records = analytics().records

    assert usage.call_count == 2
    assert sum(r.input_tokens for r in records) == ANALYTICS_INPUT


@pytest.mark.parametrize("cursor", [None, ""], ids=["null", "empty"])
@respx.mock
def test_legacy_has_more_without_a_cursor_is_a_bad_response(cursor: object) -> None:
    respx.get(L_USAGE).respond(200, json=more_without_cursor("anthropic/usage_page1.json", cursor))
    respx.get(L_COST).respond(200, json=EMPTY)

    with pytest.raises(BadResponseError, match="more pages follow but sent no page cursor"):
        legacy()


@pytest.mark.parametrize("cursor", [None, ""], ids=["null", "empty"])
@respx.mock
def test_analytics_has_more_without_a_cursor_is_a_bad_response(cursor: object) -> None:
    respx.get(A_USAGE).respond(
        200, json=more_without_cursor("anthropic/analytics_usage_page1.json", cursor)
    )
    respx.get(A_COST).respond(200, json=EMPTY)

    with pytest.raises(BadResponseError, match="more pages follow but sent no page cursor"):
        analytics()


@respx.mock
def test_legacy_cost_report_has_more_without_a_cursor_is_a_bad_response() -> None:
    respx.get(L_USAGE).respond(200, json=load_fixture("anthropic/usage_page2.json"))
    respx.get(L_COST).respond(200, json=more_without_cursor("anthropic/cost_report.json", None))

    with pytest.raises(BadResponseError, match="more pages follow"):
        legacy()


@respx.mock
def test_a_false_has_more_ends_paging_even_with_a_cursor() -> None:
    page = load_fixture("anthropic/usage_page1.json")
    page["has_more"] = False
    usage = respx.get(L_USAGE).respond(200, json=page)
    respx.get(L_COST).respond(200, json=EMPTY)

    legacy()

    assert usage.call_count == 1


@respx.mock
def test_legacy_endless_pages_stop_within_what_the_period_can_fill() -> None:
    usage = respx.get(L_USAGE).mock(side_effect=endless("anthropic/usage_page2.json"))
    respx.get(L_COST).respond(200, json=EMPTY)

    with pytest.raises(BadResponseError, match="more pages than"):
        legacy()

    # Four days fit in one page; a vendor that pages at its smallest default (7 days) still
    # needs one. The cap allows a margin, not thousands.
    assert usage.call_count <= 10


@respx.mock
def test_analytics_endless_pages_stop_within_what_the_period_can_fill() -> None:
    usage = respx.get(A_USAGE).mock(side_effect=endless("anthropic/analytics_usage_page2.json"))
    respx.get(A_COST).respond(200, json=EMPTY)

    with pytest.raises(BadResponseError, match="more pages than"):
        analytics()

    assert usage.call_count <= 200
