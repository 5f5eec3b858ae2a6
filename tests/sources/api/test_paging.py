"""How many windows ``gather_windows`` keeps in flight, and in what order it returns them."""

from __future__ import annotations

import asyncio

import pytest

from aiusage.errors import BadResponseError
from aiusage.http_client import MAX_CONNECTIONS, build_client
from aiusage.sources.api.paging import (
    WINDOW_CONCURRENCY,
    follow_pages,
    gather_windows,
    next_cursor,
    page_budget,
)


def _run(windows: list[int], concurrency: int | None = None) -> tuple[list[int], int]:
    active = 0
    most = 0

    async def fetch(window: int) -> list[int]:
        nonlocal active, most
        active += 1
        most = max(most, active)
        for _ in range(3):  # hand control back so that the other windows can start
            await asyncio.sleep(0)
        active -= 1
        return [window * 10, window * 10 + 1]

    async def go() -> list[int]:
        if concurrency is None:
            return await gather_windows(windows, fetch)
        return await gather_windows(windows, fetch, concurrency)

    return asyncio.run(go()), most


def test_keeps_the_default_number_of_windows_in_flight_and_no_more() -> None:
    _, most = _run(list(range(60)))

    assert most == WINDOW_CONCURRENCY


def test_honours_a_smaller_concurrency() -> None:
    _, most = _run(list(range(20)), concurrency=3)

    assert most == 3


def test_returns_every_item_in_window_order() -> None:
    items, _ = _run([3, 1, 2])

    assert items == [30, 31, 10, 11, 20, 21]


def test_every_window_in_flight_fits_in_one_vendor_client_speaking_http2() -> None:
    # More windows in flight than the pool holds would queue them inside httpx instead; over
    # TLS, HTTP/2 lets them share one connection.
    client = build_client("https://example.test")
    transport: object = client._transport
    # Down through the wrapping transports (deadline, retries) to httpx's own, which pools.
    while not hasattr(transport, "_pool"):
        transport = getattr(transport, "_transport", None) or transport._async_transport  # type: ignore[attr-defined]
    pool = transport._pool
    try:
        assert pool._http2 is True
        assert pool._max_connections == MAX_CONNECTIONS >= WINDOW_CONCURRENCY
    finally:
        asyncio.run(client.aclose())


def test_reports_the_first_failure_of_a_window() -> None:
    async def fetch(window: int) -> list[int]:
        if window == 2:
            raise BadResponseError("window 2 is broken")
        await asyncio.sleep(0)
        return [window]

    with pytest.raises(BadResponseError, match="window 2 is broken"):
        asyncio.run(gather_windows(range(5), fetch))


# --- following pages --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("has_more", "next_page", "following"),
    [
        (True, "c2", "c2"),
        (None, "c2", "c2"),  # has_more absent: the cursor still leads on
        (False, "c2", None),  # has_more false ends it, whatever the cursor
        (None, None, None),
        (None, "", None),
        (False, None, None),
    ],
)
def test_the_next_cursor_follows_the_vendor_sdks_rule(
    has_more: bool | None, next_page: str | None, following: str | None
) -> None:
    assert next_cursor("V", has_more, next_page) == following


@pytest.mark.parametrize("next_page", [None, ""])
def test_has_more_without_a_cursor_is_a_bad_response(next_page: str | None) -> None:
    with pytest.raises(BadResponseError, match="V said more pages follow but sent no page cursor"):
        next_cursor("V", True, next_page)


def test_page_numbers_work_as_cursors_too() -> None:
    pages = {1: ["a", "b"], 2: ["c"], 3: []}

    async def fetch(number: int | None) -> tuple[list[str], int | None]:
        current = number or 1
        return pages[current], current + 1 if pages[current] else None

    assert asyncio.run(follow_pages("V", fetch, max_pages=5)) == ["a", "b", "c"]


def test_more_pages_than_the_budget_is_a_bad_response_after_exactly_the_budget() -> None:
    sent: list[int | None] = []

    async def fetch(number: int | None) -> tuple[list[int], int | None]:
        sent.append(number)
        return [len(sent)], len(sent) + 1

    with pytest.raises(BadResponseError, match=r"more pages than this query can fill \(4\)"):
        asyncio.run(follow_pages("V", fetch, max_pages=4))
    assert sent == [None, 2, 3, 4]


@pytest.mark.parametrize(
    ("items", "smallest_page", "budget"),
    [(1, 7, 4), (7, 7, 4), (8, 7, 6), (31, 7, 12), (168, 24, 16), (0, 7, 4)],
)
def test_the_page_budget_is_twice_the_pages_needed_plus_two(
    items: int, smallest_page: int, budget: int
) -> None:
    assert page_budget(items, smallest_page) == budget
