"""The one place an httpx client is built, and the one place HTTP failures become our errors."""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable, Mapping
from typing import Any

import httpx
from httpx_retries import Retry, RetryTransport

from aiusage import __version__
from aiusage.errors import (
    AuthError,
    BadResponseError,
    ForbiddenError,
    NotFoundError,
    RateLimitedError,
    SourceFailure,
    TimeoutFailure,
    UnavailableError,
)

log = logging.getLogger(__name__)

USER_AGENT = f"aiusage/{__version__} (https://github.com/aiusage/aiusage)"
RETRY_STATUSES = (429, 500, 502, 503, 504, 529)
# Requests one vendor's client may have in flight: as many as windows (pagination.py). Over
# TLS the pool speaks HTTP/2 where the vendor does, so they share one connection.
MAX_CONNECTIONS = 32
QueryParams = list[tuple[str, str | int | float | bool | None]]


async def _read_body(response: httpx.Response) -> None:
    # Read the body inside the retry loop, so that a body cut short is retried like a dropped
    # connection instead of failing after the transport has already returned.
    await response.aread()


def retry_policy() -> Retry:
    """Capped exponential backoff with full jitter; honours Retry-After; bounded in time."""
    return Retry(
        total=4,
        backoff_factor=0.5,
        max_backoff_wait=30.0,
        backoff_jitter=1.0,
        total_timeout=60.0,
        status_forcelist=RETRY_STATUSES,
        # Every request we send only reads (the Cursor Admin API reads through POST).
        allowed_methods=("GET", "POST"),
        retry_on_exceptions=(httpx.TimeoutException, httpx.NetworkError, httpx.RemoteProtocolError),
        validate_response=_read_body,
    )


# The policy every client gets; a seam for tests, which swap in one that does not sleep.
default_retry = retry_policy


def build_client(
    base_url: str,
    *,
    headers: Mapping[str, str] | None = None,
    auth: httpx.Auth | None = None,
    timeout: float = 30.0,
    retry: Retry | None = None,
) -> httpx.AsyncClient:
    """Build the async client a provider receives: base URL, timeouts, User-Agent, retries."""
    transport = RetryTransport(
        transport=httpx.AsyncHTTPTransport(
            http2=True, limits=httpx.Limits(max_connections=MAX_CONNECTIONS)
        ),
        retry=retry or default_retry(),
    )
    return httpx.AsyncClient(
        base_url=base_url,
        headers={"User-Agent": USER_AGENT, "Accept": "application/json", **(headers or {})},
        auth=auth,
        timeout=httpx.Timeout(timeout, connect=min(timeout, 10.0)),
        transport=transport,
        follow_redirects=False,
    )


_KEYLIKE = re.compile(r"\b(sk|key|AIza)[-_A-Za-z0-9*.]{6,}")


def redact(text: str, secrets: Iterable[str] = ()) -> str:
    """Remove anything that looks like a credential from text that came from a vendor."""
    for secret in secrets:
        if secret:
            text = text.replace(secret, "[redacted]")
    return _KEYLIKE.sub("[redacted]", text)


def vendor_message(body: Any) -> str:
    """The human part of a vendor's error body, whatever its shape."""
    if isinstance(body, dict):
        error = body.get("error")
        if isinstance(error, dict):
            for key in ("message", "status", "type", "code"):
                if isinstance(error.get(key), str) and error[key]:
                    return str(error[key])
        if isinstance(error, str) and error:
            return error
        for key in ("message", "detail", "description"):
            if isinstance(body.get(key), str) and body[key]:
                return str(body[key])
    if isinstance(body, list) and body:
        return vendor_message(body[0])
    return ""


def error_for_status(vendor: str, status: int, body: Any = None) -> SourceFailure | None:
    """Map an HTTP status to our error kind; None for success. Pure: no I/O, no Typer.

    Args:
        vendor: the vendor's name as the user knows it ("Anthropic", "OpenAI" ...).
        status: the HTTP status code.
        body: the decoded error body, if any; its message is added (redacted) for context.
    """
    if 200 <= status < 300:
        return None
    detail = redact(vendor_message(body))[:200]
    said = f": {detail}" if detail else ""
    if status == 401:
        return AuthError(f"{vendor} rejected the key (HTTP 401){said}")
    if status == 403:
        return ForbiddenError(f"{vendor} refused access with this key (HTTP 403){said}")
    if status == 404:
        return NotFoundError(f"{vendor} has no such endpoint here (HTTP 404){said}")
    if status == 429:
        return RateLimitedError(f"{vendor} is rate limiting us (HTTP 429){said}; try again later")
    if status >= 500:
        return UnavailableError(f"{vendor} is unavailable (HTTP {status}){said}; try again later")
    return BadResponseError(f"{vendor} refused the request (HTTP {status}){said}")


def decode_json(response: httpx.Response) -> Any:
    try:
        return response.json()
    except ValueError:
        return None


async def request_json(
    client: httpx.AsyncClient,
    vendor: str,
    method: str,
    path: str,
    *,
    params: QueryParams | None = None,
    json_body: Any = None,
    headers: Mapping[str, str] | None = None,
) -> Any:
    """Send one request and return its decoded JSON body, or raise a ``SourceFailure``.

    ``headers`` are added to the client's own for this request only (e.g. a beta flag).
    """
    try:
        response = await client.request(
            method, path, params=params, json=json_body, headers=headers
        )
    except httpx.TimeoutException:
        raise TimeoutFailure(
            f"{vendor} did not answer in time; try again later or raise AIUSAGE_HTTP_TIMEOUT"
        ) from None
    except httpx.HTTPError as exc:
        raise UnavailableError(
            f"cannot reach {vendor} ({type(exc).__name__}); check the network or the base URL"
        ) from None
    log.debug("%s %s -> %s", method, response.request.url.path, response.status_code)
    if not 200 <= response.status_code < 300:
        raise error_for_status(vendor, response.status_code, decode_json(response)) or (
            BadResponseError(f"{vendor} answered HTTP {response.status_code}")
        )
    try:
        return response.json()
    except ValueError:
        raise BadResponseError(f"{vendor} sent a body that is not JSON") from None
