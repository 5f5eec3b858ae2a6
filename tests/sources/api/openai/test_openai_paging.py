"""OpenAI pages: followed by the SDKs' rule, and never endlessly."""

from __future__ import annotations

import itertools
from collections.abc import Callable
from typing import Any

import httpx
import pytest
import respx

from aiusage.errors import BadResponseError
from tests.sources.api.openai.test_openai import (
    COSTS,
    USAGE,
    fetch,
    fixture,
    mock_api,
    standard_usage,
)


def endless(name: str) -> Callable[[httpx.Request], httpx.Response]:
    """A vendor that always says more follows, each time with a cursor it never sent before."""
    numbers = itertools.count()

    def answer(request: httpx.Request) -> httpx.Response:
        page = fixture(name)
        page["has_more"] = True
        page["next_page"] = f"page_fresh_{next(numbers)}"
        return httpx.Response(200, json=page)

    return answer


@respx.mock
def test_endless_usage_pages_stop_within_what_the_period_can_fill() -> None:
    mock_api()
    route = respx.get(f"{USAGE}/completions").mock(side_effect=endless("completions_page2"))

    with pytest.raises(BadResponseError, match="more pages than"):
        fetch()

    # Three days fit in one page even at the vendor's smallest default page (7 days).
    assert route.call_count <= 10


@respx.mock
def test_endless_cost_pages_stop_within_what_the_period_can_fill() -> None:
    mock_api()
    route = respx.get(COSTS).mock(side_effect=endless("costs_page2"))

    with pytest.raises(BadResponseError, match="more pages than"):
        fetch()

    assert route.call_count <= 10


@respx.mock
def test_a_cursor_is_followed_when_has_more_is_absent() -> None:
    usage = standard_usage()
    first: dict[str, Any] = fixture("completions_page1")
    del first["has_more"]
    usage["completions"] = [first, fixture("completions_page2")]
    routes, _ = mock_api(usage=usage)

    records = fetch()

    assert routes["completions"].call_count == 2
    assert sum(r.output_tokens for r in records) == 180168
