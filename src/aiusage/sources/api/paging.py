"""Following a vendor's page cursors to the end, and fetching windows side by side."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Iterable
from typing import TypeVar

from aiusage.errors import BadResponseError

T = TypeVar("T")
W = TypeVar("W")

MAX_PAGES = 10_000
# Windows of one query in flight at once. A 90-day hourly OpenAI report is 13 windows of each
# of 12 endpoints (468 requests with their pages): at 150 ms a request, 4 in flight took 3.6x
# the ideal time and 16 took 1.6x; 32 is within 1.5x (benchmarks/README.md). Vendors' limits
# are per minute, so this changes bursts, not the count. Matches ``http_client.MAX_CONNECTIONS``.
WINDOW_CONCURRENCY = 32


async def follow_cursor(
    vendor: str, fetch_page: Callable[[str | None], Awaitable[tuple[list[T], str | None]]]
) -> list[T]:
    """Call ``fetch_page`` with each next cursor until there is none; return every item.

    Raises:
        BadResponseError: the vendor sent a cursor it had sent before (the loop would not end).
    """
    items: list[T] = []
    seen: set[str] = set()
    cursor: str | None = None
    for _ in range(MAX_PAGES):
        page, cursor = await fetch_page(cursor)
        items.extend(page)
        if not cursor:
            return items
        if cursor in seen:
            raise BadResponseError(f"{vendor} sent the same page cursor twice; stopped paging")
        seen.add(cursor)
    raise BadResponseError(f"{vendor} sent more than {MAX_PAGES} pages; stopped paging")


async def gather_windows(
    windows: Iterable[W],
    fetch: Callable[[W], Awaitable[list[T]]],
    concurrency: int = WINDOW_CONCURRENCY,
) -> list[T]:
    """Fetch every window, a few at a time, and return all items in window order."""
    gate = asyncio.Semaphore(concurrency)

    async def one(window: W) -> list[T]:
        async with gate:
            return await fetch(window)

    try:
        async with asyncio.TaskGroup() as group:
            tasks = [group.create_task(one(w)) for w in windows]
    except BaseExceptionGroup as failed:
        # The first failure is the one to report; the other windows were cancelled with it.
        raise failed.exceptions[0] from None
    return [item for task in tasks for item in task.result()]
