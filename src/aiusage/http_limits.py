"""Bounds on what one source may cost: a deadline, one retry of a timeout, a cap on body size.

- ``DeadlineTransport`` gives each client (one per source) a single deadline:
  ``AIUSAGE_HTTP_TIMEOUT`` plus ``RETRY_BUDGET_S`` (45 s by default) of waiting on the vendor.
  A server that accepts and never answers, or drips its body a byte at a time (which no
  per-read timeout catches), ends as ``SourceDeadlineExceeded`` when it passes.
- ``BoundedRetry`` retries a timeout at most once per client: after a second timeout the vendor
  is taken as not answering, instead of burning the whole retry budget on it.
- ``read_capped`` reads a body chunk by chunk and stops at ``MAX_BODY_BYTES`` (decoded), so
  that a runaway answer is refused before it is held in memory.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable
from typing import Any

import httpx
from httpx_retries import Retry

# The real pages are well under 1 MB (a month of hourly buckets with every model); 64 MiB is
# far above any of them and far below what would strain the machine.
MAX_BODY_BYTES = 64 * 1024 * 1024
# Added to the HTTP timeout to make a source's deadline: room for backoff sleeps and a retry.
RETRY_BUDGET_S = 15.0
TIMEOUT_RETRIES = 1


def source_deadline(http_timeout: float) -> float:
    """Seconds one source may take in all: the HTTP timeout plus the retry budget."""
    return http_timeout + RETRY_BUDGET_S


class ResponseTooLargeError(httpx.DecodingError):
    """A body beyond ``MAX_BODY_BYTES``; never retried (a ``DecodingError`` is not)."""

    def __init__(self, request: httpx.Request, limit: int) -> None:
        super().__init__(f"answer larger than {limit} bytes", request=request)
        self.limit = limit


class SourceDeadlineExceeded(httpx.TimeoutException):
    """The source's deadline passed (never retried: it is raised outside the retry loop)."""

    def __init__(self, request: httpx.Request, seconds: float) -> None:
        super().__init__(f"no complete answer within {seconds:g} s", request=request)
        self.seconds = seconds


def _declared_too_large(response: httpx.Response, limit: int) -> bool:
    declared = response.headers.get("content-length", "")
    return declared.isdigit() and int(declared) > limit


def _keep(response: httpx.Response, chunks: Iterable[bytes]) -> None:
    # What httpx's own Response.aread()/read() store; later .content and .json() use it.
    response._content = b"".join(chunks)


async def read_capped(response: httpx.Response) -> None:
    """Read the whole body, refusing more than ``MAX_BODY_BYTES`` (decoded)."""
    limit = MAX_BODY_BYTES
    if _declared_too_large(response, limit):
        await response.aclose()
        raise ResponseTooLargeError(response.request, limit)
    chunks: list[bytes] = []
    size = 0
    async for chunk in response.aiter_bytes():
        size += len(chunk)
        if size > limit:
            await response.aclose()
            raise ResponseTooLargeError(response.request, limit)
        chunks.append(chunk)
    _keep(response, chunks)


def read_capped_sync(response: httpx.Response) -> None:
    """``read_capped`` for a blocking client."""
    limit = MAX_BODY_BYTES
    if _declared_too_large(response, limit):
        response.close()
        raise ResponseTooLargeError(response.request, limit)
    chunks: list[bytes] = []
    size = 0
    for chunk in response.iter_bytes():
        size += len(chunk)
        if size > limit:
            response.close()
            raise ResponseTooLargeError(response.request, limit)
        chunks.append(chunk)
    _keep(response, chunks)


class TimeoutBudget:
    """How many more timeouts one client may retry; shared by every copy of its policy."""

    def __init__(self, retries: int = TIMEOUT_RETRIES) -> None:
        self.remaining = retries

    def take(self) -> bool:
        if self.remaining <= 0:
            return False
        self.remaining -= 1
        return True


class BoundedRetry(Retry):
    """httpx-retries' policy, with timeouts retried at most ``TIMEOUT_RETRIES`` times."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # A copy (copy_with) starts with a budget of its own: one per client.
        self.timeout_budget = TimeoutBudget()

    def increment(self) -> Retry:
        # The retry loop of one request moves on to the next attempt: same budget.
        later = super().increment()
        if isinstance(later, BoundedRetry):
            later.timeout_budget = self.timeout_budget
        return later

    def is_retryable_exception(self, exception: Exception) -> bool:
        if not super().is_retryable_exception(exception):
            return False
        if isinstance(exception, httpx.TimeoutException):
            return self.timeout_budget.take()
        return True


class DeadlineTransport(httpx.AsyncBaseTransport):
    """Cuts the requests of one client once they have waited ``seconds`` on the vendor in all.

    The clock runs while at least one request is in flight (retries and their backoff
    included), not while the source paces itself between requests (Cursor's 20 requests a
    minute): a slow answer costs the deadline, our own politeness does not.
    """

    def __init__(self, transport: httpx.AsyncBaseTransport, seconds: float) -> None:
        self._transport = transport
        self._seconds = seconds
        self._spent = 0.0  # seconds with a request in flight, up to _busy_since
        self._in_flight = 0
        self._busy_since = 0.0

    def _used(self, now: float) -> float:
        return self._spent + (now - self._busy_since if self._in_flight else 0.0)

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        loop = asyncio.get_running_loop()
        now = loop.time()
        remaining = self._seconds - self._used(now)
        if remaining <= 0:
            raise SourceDeadlineExceeded(request, self._seconds)
        if self._in_flight == 0:
            self._busy_since = now
        self._in_flight += 1
        try:
            async with asyncio.timeout(remaining):
                return await self._transport.handle_async_request(request)
        except TimeoutError:
            raise SourceDeadlineExceeded(request, self._seconds) from None
        finally:
            self._in_flight -= 1
            if self._in_flight == 0:
                self._spent += loop.time() - self._busy_since

    async def aclose(self) -> None:
        await self._transport.aclose()
