"""Bounded cost per source: one deadline, a timeout retried at most once, a body size cap."""

from __future__ import annotations

import asyncio
import time

import httpx
import pytest
import respx

from aiusage import http_client, http_limits
from aiusage.errors import BadResponseError, TimeoutFailure
from aiusage.http_client import build_client, request_json

URL = "https://example.test"


def _get(path: str, *, deadline: float | None = None, timeout: float = 30.0) -> object:
    async def run() -> object:
        async with build_client(URL, timeout=timeout, deadline=deadline) as client:
            return await request_json(client, "Vendor", "GET", path)

    return asyncio.run(run())


@respx.mock
def test_a_timeout_is_retried_once_then_reported_as_timeout() -> None:
    route = respx.get(f"{URL}/x")
    route.side_effect = httpx.ReadTimeout("no answer")
    with pytest.raises(TimeoutFailure):
        _get("/x")
    assert route.call_count == 2


@respx.mock
def test_a_timeout_then_an_answer_succeeds() -> None:
    route = respx.get(f"{URL}/x")
    route.side_effect = [httpx.ConnectTimeout("slow"), httpx.Response(200, json={"ok": 1})]
    assert _get("/x") == {"ok": 1}
    assert route.call_count == 2


@respx.mock
def test_other_failures_keep_the_full_retry_budget() -> None:
    route = respx.get(f"{URL}/x").respond(503)
    with pytest.raises(Exception, match="unavailable"):
        _get("/x")
    assert route.call_count == 1 + http_client.retry_policy().total


@respx.mock
def test_a_source_that_never_finishes_ends_at_its_deadline() -> None:
    async def never(request: httpx.Request) -> httpx.Response:
        await asyncio.sleep(60)
        return httpx.Response(200, json={})

    respx.get(f"{URL}/x").side_effect = never
    started = time.monotonic()
    with pytest.raises(TimeoutFailure, match="within 0.5 s"):
        _get("/x", deadline=0.5)
    assert time.monotonic() - started < 10


@respx.mock
def test_the_deadline_covers_every_request_of_the_client_not_each_one() -> None:
    async def slow(request: httpx.Request) -> httpx.Response:
        await asyncio.sleep(0.3)
        return httpx.Response(200, json={"ok": 1})

    respx.get(f"{URL}/x").side_effect = slow

    async def run() -> list[object]:
        results: list[object] = []
        async with build_client(URL, deadline=0.8) as client:
            for _ in range(5):
                try:
                    results.append(await request_json(client, "Vendor", "GET", "/x"))
                except TimeoutFailure:
                    results.append("timeout")
        return results

    results = asyncio.run(run())
    assert results[:2] == [{"ok": 1}, {"ok": 1}] and results[-1] == "timeout"


def test_the_default_deadline_is_the_http_timeout_plus_the_retry_budget() -> None:
    assert http_limits.source_deadline(30.0) == 45.0
    assert http_limits.source_deadline(5.0) == 20.0


class _Endless(httpx.AsyncByteStream):
    def __init__(self) -> None:
        self.sent = 0

    async def __aiter__(self):  # type: ignore[no-untyped-def]
        while True:
            self.sent += 65536
            yield b" " * 65536


@respx.mock
def test_a_body_without_length_is_cut_at_the_cap_without_reading_it_all(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(http_limits, "MAX_BODY_BYTES", 1024 * 1024)
    stream = _Endless()
    route = respx.get(f"{URL}/x")
    route.side_effect = lambda request: httpx.Response(200, stream=stream)
    with pytest.raises(BadResponseError, match="larger than 1 MiB"):
        _get("/x")
    assert route.call_count == 1, "a body too large is never retried"
    assert stream.sent <= 2 * 1024 * 1024


@respx.mock
def test_a_declared_length_above_the_cap_is_refused_before_reading(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(http_limits, "MAX_BODY_BYTES", 1024)
    respx.get(f"{URL}/x").respond(200, content=b"[" + b"0," * 1000 + b"0]")
    with pytest.raises(BadResponseError, match="larger than"):
        _get("/x")


@respx.mock
def test_a_body_under_the_cap_is_read_whole(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(http_limits, "MAX_BODY_BYTES", 4096)
    respx.get(f"{URL}/x").respond(200, json={"data": list(range(100))})
    assert _get("/x") == {"data": list(range(100))}


@respx.mock
def test_pauses_between_requests_do_not_count_against_the_deadline() -> None:
    async def quick(request: httpx.Request) -> httpx.Response:
        await asyncio.sleep(0.1)
        return httpx.Response(200, json={"ok": 1})

    respx.get(f"{URL}/x").side_effect = quick

    async def run() -> list[object]:
        results: list[object] = []
        async with build_client(URL, deadline=0.5) as client:
            for _ in range(3):
                await asyncio.sleep(0.4)  # a source pacing itself (Cursor: 20 requests a minute)
                results.append(await request_json(client, "Vendor", "GET", "/x"))
        return results

    assert asyncio.run(run()) == [{"ok": 1}] * 3
