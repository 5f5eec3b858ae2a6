"""Cursor live usage (opt-in): the answer as windows, the throttle, the back-off, the notice."""

from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import httpx
import pytest
import respx

from aiusage.settings import Settings, load_settings
from aiusage.sources.live.cursor.reader import ERROR_KEY, NOTICE, refresh_cursor_live
from aiusage.sources.live.readings import get_state, load_readings
from aiusage.store import Store
from tests.conftest import load_fixture
from tests.sources.live.cursor_state import USER_ID, make_jwt, write_state_db

BASE = "https://cursor.test"
NOW = int(datetime(2026, 8, 1, 12, tzinfo=UTC).timestamp())
CYCLE_START = int(datetime(2026, 7, 23, 10, 27, 4, tzinfo=UTC).timestamp())
CYCLE_END = int(datetime(2026, 8, 23, 10, 27, 4, tzinfo=UTC).timestamp())


@pytest.fixture
def settings(monkeypatch: pytest.MonkeyPatch) -> Settings:
    monkeypatch.setenv("AIUSAGE_CURSOR_LIVE", "1")
    monkeypatch.setenv("AIUSAGE_CURSOR_LIVE_BASE_URL", BASE)
    return load_settings()


@pytest.fixture
def store(settings: Settings) -> Iterator[Store]:
    opened = Store.open(settings.store_path)
    yield opened
    opened.close()


@pytest.fixture
def jwt() -> str:
    token = make_jwt(exp=NOW + 86400)
    write_state_db(Path(os.environ["XDG_CONFIG_HOME"]), token)
    return token


@pytest.fixture
def cursor() -> Iterator[respx.MockRouter]:
    with respx.mock(base_url=BASE, assert_all_called=False) as router:
        yield router


class Notices(list[str]):
    def __call__(self, text: str) -> None:
        self.append(text)


def summary_route(cursor: respx.MockRouter) -> respx.Route:
    return cursor.get("/api/usage-summary").respond(
        200, json=load_fixture("live/cursor_usage_summary.json")
    )


def test_the_usage_summary_becomes_the_billing_cycle_window(
    settings: Settings, store: Store, jwt: str, cursor: respx.MockRouter
) -> None:
    route = summary_route(cursor)
    notices = Notices()
    refresh_cursor_live(settings, store.db, NOW, notices)
    request = route.calls.last.request
    assert request.headers["cookie"] == f"WorkosCursorSessionToken={USER_ID}%3A%3A{jwt}"
    assert request.headers["user-agent"].startswith("aiusage/")
    readings = {r.window: r for r in load_readings(store.db)}
    cycle = readings["billing_cycle"]
    assert cycle.used_ratio == Decimal("0.546")  # totalPercentUsed 54.6
    assert (cycle.resets_at, cycle.window_seconds) == (CYCLE_END, CYCLE_END - CYCLE_START)
    assert cycle.detail == "pro: $14.12 of $20.00"
    on_demand = readings["on_demand"]
    assert on_demand.used_ratio == Decimal(0) and on_demand.detail == "$0.00 of $25.00"
    assert notices == [NOTICE]
    assert get_state(store.db, ERROR_KEY) is None


def test_at_most_one_request_per_three_minutes_and_one_notice(
    settings: Settings, store: Store, jwt: str, cursor: respx.MockRouter
) -> None:
    route = summary_route(cursor)
    notices = Notices()
    for moment in (NOW, NOW + 60, NOW + 179):
        refresh_cursor_live(settings, store.db, moment, notices)
    assert route.call_count == 1
    refresh_cursor_live(settings, store.db, NOW + 180, notices)
    assert route.call_count == 2
    assert notices == [NOTICE]


def test_off_by_default_nothing_is_read_or_asked(
    store: Store, jwt: str, cursor: respx.MockRouter, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("AIUSAGE_CURSOR_LIVE")
    route = summary_route(cursor)
    notices = Notices()
    refresh_cursor_live(load_settings(), store.db, NOW, notices)
    assert (route.call_count, notices, load_readings(store.db)) == (0, [], [])


@pytest.mark.parametrize("status", [401, 403])
def test_a_refused_token_keeps_the_last_reading_and_says_to_sign_in(
    settings: Settings, store: Store, jwt: str, cursor: respx.MockRouter, status: int
) -> None:
    summary_route(cursor)
    refresh_cursor_live(settings, store.db, NOW, Notices())
    cursor.get("/api/usage-summary").respond(status, json={"error": "unauthorized"})
    refresh_cursor_live(settings, store.db, NOW + 600, Notices())
    error = get_state(store.db, ERROR_KEY)
    assert error is not None and f"HTTP {status}" in error and "sign in" in error
    kept = {r.window: r for r in load_readings(store.db)}["billing_cycle"]
    assert (kept.used_ratio, kept.observed_at) == (Decimal("0.546"), NOW)


@pytest.mark.parametrize(
    ("retry_after", "backoff"), [("0", 600), (None, 600), ("1200", 1200), ("30", 180)]
)
def test_a_429_backs_off_and_the_back_off_is_kept_in_the_store(
    settings: Settings,
    jwt: str,
    cursor: respx.MockRouter,
    retry_after: str | None,
    backoff: int,
) -> None:
    headers = {} if retry_after is None else {"Retry-After": retry_after}
    route = cursor.get("/api/usage-summary").respond(429, headers=headers)
    first = Store.open(settings.store_path)
    refresh_cursor_live(settings, first.db, NOW, Notices())
    error = get_state(first.db, ERROR_KEY)
    first.close()
    assert error is not None and "HTTP 429" in error
    again = Store.open(settings.store_path)  # a later process sees the same back-off
    refresh_cursor_live(settings, again.db, NOW + backoff - 1, Notices())
    assert route.call_count == 1
    refresh_cursor_live(settings, again.db, NOW + backoff, Notices())
    assert route.call_count == 2
    again.close()


def test_a_missing_token_is_recorded_without_a_request(
    settings: Settings, store: Store, cursor: respx.MockRouter
) -> None:
    route = summary_route(cursor)
    refresh_cursor_live(settings, store.db, NOW, Notices())
    assert route.call_count == 0
    error = get_state(store.db, ERROR_KEY)
    assert error is not None and "open Cursor" in error


@pytest.mark.parametrize(
    "body", [b"<html>challenge</html>", b'{"individualUsage": {"plan": null}}', b"[]"]
)
def test_an_answer_without_figures_is_an_error_and_keeps_nothing_new(
    settings: Settings, store: Store, jwt: str, cursor: respx.MockRouter, body: bytes
) -> None:
    cursor.get("/api/usage-summary").respond(200, content=body)
    refresh_cursor_live(settings, store.db, NOW, Notices())
    assert load_readings(store.db) == []
    assert get_state(store.db, ERROR_KEY) is not None


def test_a_network_failure_is_recorded(
    settings: Settings, store: Store, jwt: str, cursor: respx.MockRouter
) -> None:
    cursor.get("/api/usage-summary").mock(side_effect=httpx.ConnectError("refused"))
    refresh_cursor_live(settings, store.db, NOW, Notices())
    error = get_state(store.db, ERROR_KEY)
    assert error is not None and "cannot reach" in error
