"""Following a vendor's pages to the end, and fetching windows side by side.

Every vendor client pages through ``follow_pages``: one loop, one set of guards (a repeated
cursor, more pages than the period can fill, ``has_more`` without a cursor), whatever the
vendor's cursor is (an opaque token, or a page number). Anthropic's and OpenAI's reports share
one envelope (``CursorPage``), which ``follow_next_page`` reads for them.
"""

from __future__ import annotations

import asyncio
import math
from collections.abc import Awaitable, Callable, Hashable, Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, TypeVar

from pydantic import BaseModel, ConfigDict

from aiusage.errors import BadResponseError
from aiusage.http_client import request_json
from aiusage.sources.api.parsing import parse

if TYPE_CHECKING:
    import httpx

    from aiusage.http_client import QueryParams

T = TypeVar("T")
W = TypeVar("W")
C = TypeVar("C", bound=Hashable)

# Only for a caller that cannot say how many pages its query can fill.
MAX_PAGES = 10_000
# Windows of one query in flight at once. A 90-day hourly OpenAI report is 13 windows of each
# of 12 endpoints (468 requests with their pages): at 150 ms a request, 4 in flight took 3.6x
# the ideal time and 16 took 1.6x; 32 is within 1.5x (benchmarks/README.md). Vendors' limits
# are per minute, so this changes bursts, not the count. Matches ``http_client.MAX_CONNECTIONS``.
WINDOW_CONCURRENCY = 32

FetchPage = Callable[[C | None], Awaitable[tuple[Sequence[T], C | None]]]


def page_budget(items: int, smallest_page: int) -> int:
    """The most pages a query of ``items`` items may take before it counts as endless.

    Args:
        items: the most items the query can return (time buckets, or rows).
        smallest_page: the fewest items a vendor puts on a page that is not the last: its
            documented default page size, in case it ignores the ``limit`` asked for.

    Twice the pages that need, plus two: a margin for a vendor that pages a little finer, and
    still a bound of tens of requests, not the hundreds of thousands an endless vendor drives.
    """
    return 2 * math.ceil(max(items, 1) / max(smallest_page, 1)) + 2


def next_cursor(vendor: str, has_more: bool | None, next_page: str | None) -> str | None:
    """The cursor of the page after this one, by the rule of the vendors' own SDKs.

    Paging goes on while ``next_page`` is non-empty and ``has_more`` is not ``false`` (an absent
    ``has_more`` does not end it). ``has_more: true`` without a cursor would silently drop the
    rest of the answer, so it is an error.

    Raises:
        BadResponseError: ``has_more`` is true and ``next_page`` is missing or empty.
    """
    if has_more is False:
        return None
    if next_page:
        return next_page
    if has_more:
        raise BadResponseError(f"{vendor} said more pages follow but sent no page cursor")
    return None


async def follow_pages(
    vendor: str, fetch_page: FetchPage[C, T], max_pages: int = MAX_PAGES
) -> list[T]:
    """Call ``fetch_page`` with each next cursor until there is none; return every item.

    Args:
        vendor: the vendor's name, for error messages.
        fetch_page: takes the cursor of the page to fetch (None for the first page) and returns
            that page's items and the next page's cursor, or None after the last page. A cursor
            is any hashable value: an opaque token, or a page number (return ``number + 1``).
        max_pages: the most pages the query can fill (see ``page_budget``); more is a vendor
            that never stops. Leave the default only when nothing bounds the query.

    Raises:
        BadResponseError: the vendor sent a cursor it had sent before, or more than
            ``max_pages`` pages.
    """
    items: list[T] = []
    seen: set[C] = set()
    cursor: C | None = None
    for _ in range(max_pages):
        page, cursor = await fetch_page(cursor)
        items.extend(page)
        if cursor is None or cursor == "":
            return items
        if cursor in seen:
            raise BadResponseError(f"{vendor} sent the same page cursor twice; stopped paging")
        seen.add(cursor)
    raise BadResponseError(
        f"{vendor} kept sending more pages than this query can fill ({max_pages}); stopped "
        "paging: try again later, and report it to the vendor if it persists"
    )


class CursorPage(BaseModel):
    """The envelope of Anthropic's and OpenAI's reports: ``has_more`` and an opaque
    ``next_page``, both optional in the vendors' SDK types."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    has_more: bool | None = None
    next_page: str | None = None


P = TypeVar("P", bound=CursorPage)


async def follow_next_page(
    client: httpx.AsyncClient,
    vendor: str,
    path: str,
    params: QueryParams,
    page_model: type[P],
    what: str,
    max_pages: int,
    headers: Mapping[str, str] | None = None,
) -> list[P]:
    """Every page of one GET of ``path``: the same ``params``, plus ``page=<next_page>`` after
    the first.

    Args:
        page_model: the page's wire model, parsed from each body (``what`` names it in errors).
        max_pages: see ``follow_pages``.
        headers: added to each request (e.g. a beta flag).

    Raises:
        SourceFailure: a request failed (``request_json``), or a page is not a ``page_model``.
    """

    async def page(cursor: str | None) -> tuple[list[P], str | None]:
        query = params if cursor is None else [*params, ("page", cursor)]
        body = await request_json(client, vendor, "GET", path, params=query, headers=headers)
        parsed = parse(page_model, body, vendor, what)
        return [parsed], next_cursor(vendor, parsed.has_more, parsed.next_page)

    return await follow_pages(vendor, page, max_pages)


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
