"""The one place an httpx client is built, and the one place HTTP failures become our errors."""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
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
from aiusage.http_limits import (
    BoundedRetry,
    DeadlineTransport,
    ResponseTooLargeError,
    SourceDeadlineExceeded,
    read_capped,
    read_capped_sync,
    source_deadline,
)
from aiusage.redact import REDACTED
from aiusage.redact import redact as redact_registered

log = logging.getLogger(__name__)

USER_AGENT = f"aiusage/{__version__} (https://github.com/aiusage/aiusage)"
RETRY_STATUSES = (429, 500, 502, 503, 504, 529)
# Requests one vendor's client may have in flight: as many as windows (pagination.py). Over
# TLS the pool speaks HTTP/2 where the vendor does, so they share one connection.
MAX_CONNECTIONS = 32
QueryParams = list[tuple[str, str | int | float | bool | None]]


async def _read_body(response: httpx.Response) -> None:
    # Read the body inside the retry loop, so that a body cut short is retried like a dropped
    # connection instead of failing after the transport has already returned; never more
    # than MAX_BODY_BYTES of it.
    await read_capped(response)


def _read_body_sync(response: httpx.Response) -> None:
    read_capped_sync(response)


def retry_policy() -> Retry:
    """Capped exponential backoff with full jitter; honours Retry-After; bounded in time;
    a timeout retried at most once per client."""
    return BoundedRetry(
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
    deadline: float | None = None,
) -> httpx.AsyncClient:
    """Build the async client a provider receives: base URL, timeouts, User-Agent, retries.

    The client's requests share one deadline: ``deadline`` seconds of waiting on the vendor
    in all (default ``source_deadline(timeout)``); one client serves one source.
    """
    # A copy: every client (one per source) gets its own budget of timeout retries.
    policy = (retry or default_retry()).copy_with()
    transport = DeadlineTransport(
        RetryTransport(
            transport=httpx.AsyncHTTPTransport(
                http2=True, limits=httpx.Limits(max_connections=MAX_CONNECTIONS)
            ),
            retry=policy,
        ),
        source_deadline(timeout) if deadline is None else deadline,
    )
    return httpx.AsyncClient(
        base_url=base_url,
        headers={"User-Agent": USER_AGENT, "Accept": "application/json", **(headers or {})},
        auth=auth,
        timeout=httpx.Timeout(timeout, connect=min(timeout, 10.0)),
        transport=transport,
        follow_redirects=False,
    )


def build_sync_client(timeout: float = 30.0, retry: Retry | None = None) -> httpx.Client:
    """A blocking client with the same timeouts, User-Agent and retries, for libraries that
    call out synchronously (google-auth's token refresh). No base URL: they pass full URLs."""
    policy = (retry or default_retry()).copy_with(validate_response=_read_body_sync)
    return httpx.Client(
        headers={"User-Agent": USER_AGENT},
        timeout=httpx.Timeout(timeout, connect=min(timeout, 10.0)),
        transport=RetryTransport(transport=httpx.HTTPTransport(), retry=policy),
        follow_redirects=False,
    )


_KEYLIKE = re.compile(r"\b(sk|key|AIza)[-_A-Za-z0-9*.]{6,}")


def redact(text: str, secrets: Iterable[str] = ()) -> str:
    """Remove every credential from text that came from a vendor: the registered ones and
    ``secrets`` by value (whatever their shape), then anything that looks like a key."""
    for secret in secrets:
        if secret:
            text = text.replace(secret, REDACTED)
    return _KEYLIKE.sub(REDACTED, redact_registered(text))


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


@dataclass(frozen=True)
class VendorErrors:
    """How one vendor's error answers read: where its own words are, and what to do per status
    (replacing the generic advice, such as "try again later" after a 429)."""

    message: Callable[[Any], str] = vendor_message
    advice: Mapping[int, str] = field(default_factory=dict)


GENERIC_ERRORS = VendorErrors()
_LATER = "try again later"


def error_for_status(
    vendor: str, status: int, body: Any = None, errors: VendorErrors = GENERIC_ERRORS
) -> SourceFailure | None:
    """Map an HTTP status to our error kind; None for success. Pure: no I/O, no Typer.

    Args:
        vendor: the vendor's name as the user knows it ("Anthropic", "OpenAI" ...).
        status: the HTTP status code.
        body: the decoded error body, if any; its message is added (redacted) for context.
        errors: where this vendor puts its message, and its advice per status.
    """
    if 200 <= status < 300:
        return None
    return failure_for_status(vendor, status, body, errors)


def failure_for_status(
    vendor: str, status: int, body: Any = None, errors: VendorErrors = GENERIC_ERRORS
) -> SourceFailure:
    """The error of a status that is not a success (see ``error_for_status``)."""
    detail = redact(errors.message(body))[:200]
    said = f": {detail}" if detail else ""
    kind: type[SourceFailure]
    if status == 401:
        kind, what, advice = AuthError, "rejected the key", ""
    elif status == 403:
        kind, what, advice = ForbiddenError, "refused access with this key", ""
    elif status == 404:
        kind, what, advice = NotFoundError, "has no such endpoint here", ""
    elif status == 429:
        kind, what, advice = RateLimitedError, "is rate limiting us", _LATER
    elif status >= 500:
        kind, what, advice = UnavailableError, "is unavailable", _LATER
    else:
        kind, what, advice = BadResponseError, "refused the request", ""
    text = f"{vendor} {what} (HTTP {status}){said}"
    advice = errors.advice.get(status, advice)
    return kind(f"{text}; {advice}" if advice else text, status=status, detail=detail)


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
    errors: VendorErrors = GENERIC_ERRORS,
) -> Any:
    """Send one request and return its decoded JSON body, or raise a ``SourceFailure``.

    ``headers`` are added to the client's own for this request only (e.g. a beta flag);
    ``errors`` says how this vendor's error answers read (see ``error_for_status``).
    """
    try:
        response = await client.request(
            method, path, params=params, json=json_body, headers=headers
        )
    except SourceDeadlineExceeded as exc:
        raise TimeoutFailure(
            f"{vendor} did not finish answering within {exc.seconds:g} s (the deadline of one "
            "source: AIUSAGE_HTTP_TIMEOUT plus 15 s); try again later"
        ) from None
    except httpx.TimeoutException:
        raise TimeoutFailure(
            f"{vendor} did not answer in time; try again later or raise AIUSAGE_HTTP_TIMEOUT"
        ) from None
    except ResponseTooLargeError as exc:
        raise BadResponseError(
            f"{vendor} sent an answer larger than {exc.limit // (1024 * 1024)} MiB, far beyond "
            "any real page; it was refused"
        ) from None
    except httpx.HTTPError as exc:
        raise UnavailableError(
            f"cannot reach {vendor} ({type(exc).__name__}); check the network or the base URL"
        ) from None
    log.debug("%s %s -> %s", method, response.request.url.path, response.status_code)
    if not 200 <= response.status_code < 300:
        raise failure_for_status(vendor, response.status_code, decode_json(response), errors)
    try:
        return response.json()
    except ValueError:
        raise BadResponseError(f"{vendor} sent a body that is not JSON") from None
