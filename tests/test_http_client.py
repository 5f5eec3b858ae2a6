"""The HTTP layer: status mapping, redaction, retries and the client's defaults."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import httpx
import pytest
import respx

from aiusage import http_client
from aiusage.errors import (
    AuthError,
    BadResponseError,
    ForbiddenError,
    NotFoundError,
    RateLimitedError,
    UnavailableError,
)
from aiusage.http_client import build_client, error_for_status, redact, request_json


@pytest.mark.parametrize(
    ("status", "kind", "error"),
    [
        (401, "auth", AuthError),
        (403, "forbidden", ForbiddenError),
        (404, "bad_response", NotFoundError),
        (400, "bad_response", BadResponseError),
        (429, "rate_limited", RateLimitedError),
        (500, "unavailable", UnavailableError),
        (503, "unavailable", UnavailableError),
        (529, "unavailable", UnavailableError),
    ],
)
def test_statuses_map_to_error_kinds(status: int, kind: str, error: type) -> None:
    failure = error_for_status("Vendor", status, {"error": {"message": "said so"}})
    assert failure is not None and isinstance(failure, error)
    assert failure.kind == kind
    assert "said so" in failure.message


def test_success_maps_to_no_error() -> None:
    assert error_for_status("Vendor", 200) is None


def test_vendor_messages_lose_anything_that_looks_like_a_key() -> None:
    body = {"error": {"message": "Incorrect API key provided: sk-proj-abc***********wxyz."}}
    failure = error_for_status("OpenAI", 401, body)
    assert failure is not None and "sk-proj" not in failure.message
    assert redact("token abc123 here", ["abc123"]) == "token [redacted] here"


def test_the_client_sends_user_agent_and_has_explicit_timeouts() -> None:
    client = build_client("https://example.test", timeout=12.0)
    assert client.headers["user-agent"].startswith("aiusage/")
    assert client.timeout.read == 12.0 and client.timeout.connect == 10.0
    asyncio.run(client.aclose())


def _get(url: str, retry: object = None) -> object:
    async def run() -> object:
        async with build_client("https://example.test", retry=retry) as client:  # type: ignore[arg-type]
            return await request_json(client, "Vendor", "GET", url)

    return asyncio.run(run())


@respx.mock
def test_other_4xx_are_never_retried() -> None:
    route = respx.get("https://example.test/x").respond(400, json={})
    with pytest.raises(BadResponseError):
        _get("/x")
    assert route.call_count == 1


@respx.mock
def test_retries_are_bounded_in_attempts() -> None:
    route = respx.get("https://example.test/x").respond(503)
    with pytest.raises(UnavailableError):
        _get("/x")
    assert route.call_count == 1 + http_client.retry_policy().total


@pytest.mark.parametrize("header", ["7", "HTTP-DATE"])
def test_retry_after_is_honoured_in_seconds_and_as_a_date(
    header: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    slept: list[float] = []

    async def fake_sleep(seconds: float) -> None:
        slept.append(seconds)

    monkeypatch.setattr(http_client, "default_retry", http_client.retry_policy)
    monkeypatch.setattr("httpx_retries.retry.asyncio.sleep", fake_sleep)
    if header == "HTTP-DATE":
        header = format_datetime(datetime.now(UTC) + timedelta(seconds=20), usegmt=True)
    with respx.mock:
        respx.get("https://example.test/x").side_effect = [
            httpx.Response(429, headers={"Retry-After": header}),
            httpx.Response(200, json={"ok": True}),
        ]
        assert _get("/x") == {"ok": True}
    assert len(slept) == 1
    assert (6.9 <= slept[0] <= 7.0) if header == "7" else (15 <= slept[0] <= 20)


def test_backoff_is_capped_and_jittered() -> None:
    late = http_client.retry_policy().copy_with(attempts_made=20)
    assert max(late.backoff_strategy() for _ in range(20)) <= late.max_backoff_wait
    early = http_client.retry_policy().copy_with(attempts_made=2)
    waits = {early.backoff_strategy() for _ in range(20)}
    assert max(waits) <= 2.0  # 0.5 s x 2^2, scaled down by jitter
    assert len(waits) > 1


class _CutShort(httpx.AsyncByteStream):
    async def __aiter__(self):  # type: ignore[no-untyped-def]
        yield b'{"data": ['
        raise httpx.RemoteProtocolError("peer closed connection without sending complete body")


@respx.mock
def test_a_body_cut_short_is_retried_like_a_dropped_connection() -> None:
    route = respx.get("https://example.test/x")
    route.side_effect = [
        httpx.Response(200, stream=_CutShort()),
        httpx.Response(200, json={"ok": True}),
    ]
    assert _get("/x") == {"ok": True}
    assert route.call_count == 2


@respx.mock
def test_a_body_always_cut_short_is_unavailable_after_the_retries() -> None:
    route = respx.get("https://example.test/x")
    route.side_effect = lambda request: httpx.Response(200, stream=_CutShort())
    with pytest.raises(UnavailableError):
        _get("/x")
    assert route.call_count == 1 + http_client.retry_policy().total


def test_a_vendors_own_message_and_advice_replace_the_generic_ones() -> None:
    errors = http_client.VendorErrors(
        message=lambda body: body["message"], advice={403: "ask for the Enterprise plan"}
    )
    body = {"error": "Forbidden", "message": "Enterprise access required"}

    failure = error_for_status("Cursor", 403, body, errors)
    limited = error_for_status("Cursor", 429, body, errors)

    assert isinstance(failure, ForbiddenError)
    assert failure.message == (
        "Cursor refused access with this key (HTTP 403): Enterprise access required; "
        "ask for the Enterprise plan"
    )
    assert (failure.status, failure.detail) == (403, "Enterprise access required")
    assert limited is not None and limited.message.endswith("; try again later")


def test_the_token_refresh_client_has_the_same_defaults_and_retries() -> None:
    with http_client.build_sync_client(timeout=12.0) as client:
        assert client.headers["user-agent"].startswith("aiusage/")
        assert client.timeout.read == 12.0 and client.timeout.connect == 10.0
        assert not client.follow_redirects


@respx.mock
def test_the_token_refresh_client_retries_a_503() -> None:
    route = respx.post("https://oauth2.example.test/token").mock(
        side_effect=[httpx.Response(503), httpx.Response(200, json={"ok": True})]
    )
    with http_client.build_sync_client() as client:
        answer = client.post("https://oauth2.example.test/token")
    assert answer.status_code == 200 and route.call_count == 2
