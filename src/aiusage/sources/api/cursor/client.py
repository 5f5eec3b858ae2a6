"""The Cursor Admin API on the wire: paced requests, error mapping, pagination.

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
from typing import Any, TypeVar

import httpx

from aiusage.errors import (
    AuthError,
    BadResponseError,
    ForbiddenError,
    RateLimitedError,
    SourceFailure,
    TimeoutFailure,
    UnavailableError,
)
from aiusage.http_client import QueryParams, decode_json, error_for_status, redact, vendor_message
from aiusage.models import Period
from aiusage.sources.api.cursor.dates import to_epoch_ms
from aiusage.sources.api.cursor.wire import (
    Commit,
    CommitsPage,
    DailyPage,
    DailyRow,
    EventsPage,
    MemberSpend,
    SpendPage,
    UsageEvent,
)
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
MAX_PAGES = 10_000
REQUESTS_PER_MINUTE = 20

KEY_FIX = (
    "set CURSOR_ADMIN_KEY to a team Admin API key (a team admin creates one in the Cursor "
    "dashboard under Settings → Advanced → Admin API Keys)"
)
PLAN_HINT = (
    "the Cursor Admin API answers only for Enterprise teams (and some Teams plans); on an "
    "individual plan, record your usage with `aiusage cursor set`"
)

T = TypeVar("T")


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


def failure(status: int, body: Any) -> SourceFailure:
    """Map a Cursor error answer (``{"error": "<status text>", "message": "<detail>"}``)."""
    message = body.get("message") if isinstance(body, dict) else None
    detail = redact(message if isinstance(message, str) and message else vendor_message(body))
    said = f": {detail[:200]}" if detail else ""
    if status == 401:
        return AuthError(f"Cursor rejected the key (HTTP 401{said}); {KEY_FIX}")
    if status == 403:
        return ForbiddenError(f"Cursor refused this key (HTTP 403{said}); {PLAN_HINT}")
    if status == 429:
        return RateLimitedError(
            f"Cursor is rate limiting us (HTTP 429{said}); the Admin API allows "
            f"{REQUESTS_PER_MINUTE} requests a minute per team: try again in a minute"
        )
    return error_for_status(VENDOR, status, {"message": detail}) or BadResponseError(
        f"Cursor answered HTTP {status}"
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
    try:
        response = await client.request(method, path, json=json_body, params=params)
    except httpx.TimeoutException:
        raise TimeoutFailure(
            "Cursor did not answer in time; try again later or raise AIUSAGE_HTTP_TIMEOUT"
        ) from None
    except httpx.HTTPError as exc:
        raise UnavailableError(
            f"cannot reach Cursor ({type(exc).__name__}); check the network or "
            "AIUSAGE_CURSOR_BASE_URL"
        ) from None
    if not response.is_success:
        raise failure(response.status_code, decode_json(response))
    try:
        return response.json()
    except ValueError:
        raise BadResponseError("Cursor sent a body that is not JSON") from None


async def _pages(fetch_page: Callable[[int], Awaitable[tuple[list[T], bool]]]) -> list[T]:
    """Call ``fetch_page`` with page numbers 1, 2, … while it says more pages follow."""
    items: list[T] = []
    for number in range(1, MAX_PAGES + 1):
        page, more = await fetch_page(number)
        items.extend(page)
        if not more or not page:
            return items
    raise BadResponseError(f"Cursor sent more than {MAX_PAGES} pages; stopped paging")


def _range(window: Period) -> dict[str, int]:
    # Both ends are inclusive on Cursor's side (a day ends at …399999).
    return {"startDate": to_epoch_ms(window.since), "endDate": to_epoch_ms(window.until) - 1}


async def usage_events(client: httpx.AsyncClient, pacer: Pacer, window: Period) -> list[UsageEvent]:
    """Every usage event of one window (at most ``WINDOW`` long), all pages."""

    async def page(number: int) -> tuple[list[UsageEvent], bool]:
        body = {**_range(window), "page": number, "pageSize": EVENTS_PAGE_SIZE}
        answer = await send(client, pacer, "POST", EVENTS_PATH, json_body=body)
        parsed = parse(EventsPage, answer, VENDOR, "usage events")
        info = parsed.pagination
        if info is not None and info.has_next_page is not None:
            more = info.has_next_page
        elif info is not None and info.num_pages is not None:
            more = number < info.num_pages
        elif parsed.total_usage_events_count is not None:
            more = number * EVENTS_PAGE_SIZE < parsed.total_usage_events_count
        else:
            more = False
        return parsed.usage_events, more

    return await _pages(page)


async def daily_usage(client: httpx.AsyncClient, pacer: Pacer, window: Period) -> list[DailyRow]:
    """Every per-user daily row of one window (at most 30 days), all pages."""

    async def page(number: int) -> tuple[list[DailyRow], bool]:
        body = {**_range(window), "page": number, "pageSize": DAILY_PAGE_SIZE}
        answer = await send(client, pacer, "POST", DAILY_PATH, json_body=body)
        parsed = parse(DailyPage, answer, VENDOR, "daily usage data")
        info = parsed.pagination
        if info is not None and info.has_next_page is not None:
            more = info.has_next_page
        elif info is not None and info.total_pages is not None:
            more = number < info.total_pages
        else:
            more = False
        return parsed.data, more

    return await _pages(page)


async def team_spend(
    client: httpx.AsyncClient, pacer: Pacer
) -> tuple[list[MemberSpend], int | str | None]:
    """Every member's spend in the current billing cycle, and the cycle's start (epoch ms)."""
    cycle_start: int | str | None = None

    async def page(number: int) -> tuple[list[MemberSpend], bool]:
        nonlocal cycle_start
        body = {"page": number, "pageSize": SPEND_PAGE_SIZE}
        answer = await send(client, pacer, "POST", SPEND_PATH, json_body=body)
        parsed = parse(SpendPage, answer, VENDOR, "team spend")
        cycle_start = cycle_start or parsed.subscription_cycle_start
        return parsed.team_member_spend, number < (parsed.total_pages or 1)

    members = await _pages(page)
    return members, cycle_start


async def commits(client: httpx.AsyncClient, pacer: Pacer, window: Period) -> list[Commit]:
    """AI Code Tracking commits of one window (Enterprise only), all pages."""
    last_day = window.until - timedelta(milliseconds=1)
    base: QueryParams = [
        ("startDate", window.since.strftime("%Y-%m-%d")),
        ("endDate", last_day.strftime("%Y-%m-%d")),
        ("pageSize", COMMITS_PAGE_SIZE),
    ]

    async def page(number: int) -> tuple[list[Commit], bool]:
        answer = await send(client, pacer, "GET", COMMITS_PATH, params=[*base, ("page", number)])
        parsed = parse(CommitsPage, answer, VENDOR, "AI code commits")
        size = parsed.page_size or COMMITS_PAGE_SIZE
        total = parsed.total_count
        return parsed.items, total is not None and number * size < total

    return await _pages(page)
