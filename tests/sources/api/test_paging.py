"""How many windows ``gather_windows`` keeps in flight, and in what order it returns them."""

from __future__ import annotations

import asyncio

import pytest

from aiusage.errors import BadResponseError
from aiusage.http_client import MAX_CONNECTIONS, build_client
from aiusage.sources.api.paging import WINDOW_CONCURRENCY, gather_windows


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
    pool = client._transport._async_transport._pool  # type: ignore[attr-defined]
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
