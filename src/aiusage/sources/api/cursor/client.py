"""The Cursor Admin API on the wire: paced requests, its error answers, its four page shapes.

Every Admin API call is a POST (or a GET for AI Code Tracking) with HTTP Basic auth, dates in
epoch milliseconds, and a limit of 20 requests a minute per team. The shared retry transport
already backs off on 429 and 5xx; the ``Pacer`` here keeps us from bursting past the limit.
"""

from __future__ import annotations

import asyncio
import time
from collections import deque
from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import Any

import httpx

from aiusage.http_client import QueryParams, VendorErrors, request_json, vendor_message
from aiusage.models import Period
from aiusage.sources.api.cursor.dates import to_epoch_ms
from aiusage.sources.api.cursor.wire import (
    Commit,
    CommitsPage,
    DailyPage,
    DailyPagination,
    DailyRow,
    EventsPage,
    EventsPagination,
    MemberSpend,
    SpendPage,
    UsageEvent,
)
from aiusage.sources.api.paging import follow_pages
from aiusage.sources.api.parsing import parse

VENDOR = "Cursor"
MEMBERS_PATH = "/teams/members"
EVENTS_PATH = "/teams/filtered-usage-events"
DAILY_PATH = "/teams/daily-usage-data"
SPEND_PATH = "/teams/spend"
COMMITS_PATH = "/analytics/ai-code/commits"
# daily-usage-data refuses ranges over 30 days (90 in the first release); events use the same.
WINDOW = timedelta(days=30)
EVENTS_PAGE_SIZE = 500
DAILY_PAGE_SIZE = 500
SPEND_PAGE_SIZE = 100
COMMITS_PAGE_SIZE = 1000  # the documented maximum
REQUESTS_PER_MINUTE = 20

KEY_FIX = (
    "set CURSOR_ADMIN_KEY to a team Admin API key (a team admin creates one in the Cursor "
    "dashboard under Settings → Advanced → Admin API Keys)"
)
PLAN_HINT = (
    "the Cursor Admin API answers only for Enterprise teams (and some Teams plans); on an "
    "individual plan, record your usage with `aiusage cursor set`"
)


class Pacer:
    """Lets at most ``limit`` requests start in any ``per`` seconds; waits instead of bursting.

    ``clock`` and ``sleep`` are seams for tests, which pass a fake clock that never sleeps.
    """

    def __init__(
        self,
        limit: int = REQUESTS_PER_MINUTE,
        per: float = 60.0,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self.limit = limit
        self.per = per
        self._clock = clock
        self._sleep = sleep
        self._started: deque[float] = deque()
        self._lock = asyncio.Lock()

    async def wait(self) -> None:
        """Return when one more request may start without exceeding the limit."""
        async with self._lock:
            while True:
                now = self._clock()
                while self._started and now - self._started[0] >= self.per:
                    self._started.popleft()
                if len(self._started) < self.limit:
                    self._started.append(now)
                    return
                await self._sleep(self.per - (now - self._started[0]))


def cursor_message(body: Any) -> str:
    """Cursor answers ``{"error": "<status text>", "message": "<detail>"}``: the detail first."""
    message = body.get("message") if isinstance(body, dict) else None
    return message if isinstance(message, str) and message else vendor_message(body)


ERRORS = VendorErrors(
    message=cursor_message,
    advice={
        401: KEY_FIX,
        403: PLAN_HINT,
        429: f"the Admin API allows {REQUESTS_PER_MINUTE} requests a minute per team: try again "
        "in a minute",
    },
)


async def send(
    client: httpx.AsyncClient,
    pacer: Pacer,
    method: str,
    path: str,
    *,
    json_body: Any = None,
    params: QueryParams | None = None,
) -> Any:
    """One paced request; its decoded JSON body, or a ``SourceFailure``."""
    await pacer.wait()
    return await request_json(
        client, VENDOR, method, path, params=params, json_body=json_body, errors=ERRORS
    )


def _next(
    number: int,
    page: list[Any],
    *,
    has_next: bool | None = None,
    pages: int | None = None,
    items: int | None = None,
    page_size: int = 1,
) -> int | None:
    """The number of the page after ``number`` (Cursor counts from 1), or None after the last.

    Each endpoint says "more follow" its own way; the first signal its answer carries decides:
    a ``hasNextPage`` flag, a page count, or an item count. An empty page always ends.
    """
    if has_next is not None:
        more = has_next
    elif pages is not None:
        more = number < pages
    elif items is not None:
        more = number * page_size < items
    else:
        more = False
    return number + 1 if more and page else None


async def _dated_page(
    client: httpx.AsyncClient, pacer: Pacer, path: str, window: Period, number: int, size: int
) -> Any:
    """One page of a POST endpoint that takes a date range (both ends inclusive on Cursor's
    side: a day ends at …399999)."""
    body = {
        "startDate": to_epoch_ms(window.since),
        "endDate": to_epoch_ms(window.until) - 1,
        "page": number,
        "pageSize": size,
    }
    return await send(client, pacer, "POST", path, json_body=body)


async def usage_events(client: httpx.AsyncClient, pacer: Pacer, window: Period) -> list[UsageEvent]:
    """Every usage event of one window (at most ``WINDOW`` long), all pages."""

    async def page(cursor: int | None) -> tuple[list[UsageEvent], int | None]:
        number = cursor or 1
        answer = await _dated_page(client, pacer, EVENTS_PATH, window, number, EVENTS_PAGE_SIZE)
        parsed = parse(EventsPage, answer, VENDOR, "usage events")
        info = parsed.pagination or EventsPagination()
        return parsed.usage_events, _next(
            number,
            parsed.usage_events,
            has_next=info.has_next_page,
            pages=info.num_pages,
            items=parsed.total_usage_events_count,
            page_size=EVENTS_PAGE_SIZE,
        )

    return await follow_pages(VENDOR, page)


async def daily_usage(client: httpx.AsyncClient, pacer: Pacer, window: Period) -> list[DailyRow]:
    """Every per-user daily row of one window (at most 30 days), all pages."""

    async def page(cursor: int | None) -> tuple[list[DailyRow], int | None]:
        number = cursor or 1
        answer = await _dated_page(client, pacer, DAILY_PATH, window, number, DAILY_PAGE_SIZE)
        parsed = parse(DailyPage, answer, VENDOR, "daily usage data")
        info = parsed.pagination or DailyPagination()
        return parsed.data, _next(
            number, parsed.data, has_next=info.has_next_page, pages=info.total_pages
        )

    return await follow_pages(VENDOR, page)


async def team_spend(
    client: httpx.AsyncClient, pacer: Pacer
) -> tuple[list[MemberSpend], int | str | None]:
    """Every member's spend in the current billing cycle, and the cycle's start (epoch ms)."""
    cycle_start: int | str | None = None

    async def page(cursor: int | None) -> tuple[list[MemberSpend], int | None]:
        nonlocal cycle_start
        number = cursor or 1
        body = {"page": number, "pageSize": SPEND_PAGE_SIZE}
        answer = await send(client, pacer, "POST", SPEND_PATH, json_body=body)
        parsed = parse(SpendPage, answer, VENDOR, "team spend")
        cycle_start = cycle_start or parsed.subscription_cycle_start
        pages = parsed.total_pages or 1
        return parsed.team_member_spend, _next(number, parsed.team_member_spend, pages=pages)

    members = await follow_pages(VENDOR, page)
    return members, cycle_start


async def commits(client: httpx.AsyncClient, pacer: Pacer, window: Period) -> list[Commit]:
    """AI Code Tracking commits of one window (Enterprise only), all pages."""
    last_day = window.until - timedelta(milliseconds=1)
    base: QueryParams = [
        ("startDate", window.since.strftime("%Y-%m-%d")),
        ("endDate", last_day.strftime("%Y-%m-%d")),
        ("pageSize", COMMITS_PAGE_SIZE),
    ]

    async def page(cursor: int | None) -> tuple[list[Commit], int | None]:
        number = cursor or 1
        answer = await send(client, pacer, "GET", COMMITS_PATH, params=[*base, ("page", number)])
        parsed = parse(CommitsPage, answer, VENDOR, "AI code commits")
        size = parsed.page_size or COMMITS_PAGE_SIZE
        return parsed.items, _next(number, parsed.items, items=parsed.total_count, page_size=size)

    return await follow_pages(VENDOR, page)
