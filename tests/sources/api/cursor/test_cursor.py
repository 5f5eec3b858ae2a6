"""The Cursor Admin API provider against respx fakes shaped like the Cursor reference payloads."""

from __future__ import annotations

import asyncio
import base64
import json
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import httpx
import pytest
import respx

from aiusage.errors import (
    AuthError,
    BadResponseError,
    ForbiddenError,
    RateLimitedError,
    TimeoutFailure,
    UnavailableError,
)
from aiusage.http_client import build_client
from aiusage.models import Period, SourceResult, UsageQuery
from aiusage.settings import Settings
from aiusage.sources.api.cursor.client import Pacer
from aiusage.sources.api.cursor.provider import CursorProvider
from tests.conftest import load_fixture

BASE = "https://api.cursor.com"
EVENTS = f"{BASE}/teams/filtered-usage-events"
DAILY = f"{BASE}/teams/daily-usage-data"
SPEND = f"{BASE}/teams/spend"
COMMITS = f"{BASE}/analytics/ai-code/commits"
KEY = "key_" + "a1b2" * 16
AUG_10 = 1786320000000  # 2026-08-10T00:00:00Z in epoch ms
EMPTY_EVENTS = {"usageEvents": [], "pagination": {"hasNextPage": False}}
EMPTY_DAILY = {"data": [], "period": {"startDate": 0, "endDate": 0}}
EMPTY_SPEND = {"teamMemberSpend": [], "totalMembers": 0, "totalPages": 1}
EMPTY_COMMITS = {"items": [], "totalCount": 0, "page": 1, "pageSize": 1000}


def day(d: int, month: int = 8) -> datetime:
    return datetime(2026, month, d, tzinfo=UTC)


def query(
    since: datetime | None = None, until: datetime | None = None, granularity: str = "1d"
) -> UsageQuery:
    period = Period(since=since or day(10), until=until or day(12))
    return UsageQuery(period=period, granularity=granularity)


def settings() -> Settings:
    return Settings(CURSOR_ADMIN_KEY=KEY)


class FakeClock:
    """A clock that only moves when something sleeps on it."""

    def __init__(self) -> None:
        self.now = 0.0
        self.sleeps: list[float] = []

    def clock(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


def provider(clock: FakeClock | None = None) -> CursorProvider:
    fake = clock or FakeClock()
    return CursorProvider(pacer=lambda: Pacer(clock=fake.clock, sleep=fake.sleep))


def fetch(q: UsageQuery, cursor: CursorProvider | None = None) -> SourceResult:
    chosen = cursor or provider()
    config = chosen.client_config(settings())

    async def run() -> SourceResult:
        async with build_client(config.base_url, auth=config.auth) as client:
            return await chosen.fetch(client, settings(), q)

    return asyncio.run(run())


def body(request: httpx.Request) -> Any:
    return json.loads(request.content)


def paged_events(request: httpx.Request) -> httpx.Response:
    page = body(request)["page"]
    return httpx.Response(200, json=load_fixture(f"cursor/events_page{page}.json"))


def team_routes(commits: Any = EMPTY_COMMITS, commits_status: int = 200) -> dict[str, respx.Route]:
    return {
        "events": respx.post(EVENTS).mock(side_effect=paged_events),
        "daily": respx.post(DAILY).respond(200, json=load_fixture("cursor/daily_usage.json")),
        "spend": respx.post(SPEND).respond(200, json=load_fixture("cursor/spend.json")),
        "commits": respx.get(COMMITS).respond(commits_status, json=commits),
    }


@respx.mock
def test_multi_page_events_give_exact_dollars_and_tokens_per_day_model_and_user() -> None:
    routes = team_routes()

    result = fetch(query())

    assert routes["events"].call_count == 2
    by_key = {(r.start, r.model, r.scope): r for r in result.records}
    assert set(by_key) == {
        (day(10), "claude-4.5-sonnet", "dana@example.com"),
        (day(10), "gpt-5", "lee@example.com"),
        (day(11), "claude-4.5-sonnet", "dana@example.com"),
        (day(11), "gpt-5", "lee@example.com"),
    }
    sonnet = by_key[(day(10), "claude-4.5-sonnet", "dana@example.com")]
    assert (sonnet.input_tokens, sonnet.output_tokens) == (4210 + 1000, 980 + 500)
    assert (sonnet.cache_write_tokens, sonnet.cache_read_tokens) == (15320, 61200 + 2000)
    assert sonnet.requests == 2
    assert sonnet.cost_usd == Decimal("0.135543")  # (12.3568 + 1.1975) chargedCents
    assert sonnet.cost_kind == "reported"
    assert sonnet.end == day(11)
    assert by_key[(day(10), "gpt-5", "lee@example.com")].cost_usd == Decimal("0.04")
    reported = sum((r.cost_usd or Decimal(0) for r in result.records), Decimal(0))
    assert reported == Decimal("0.177643")
    assert all(r.provider == "cursor" and r.source == "api" for r in result.records)


@respx.mock
def test_an_event_without_token_usage_is_a_request_with_its_charged_cents_and_no_tokens() -> None:
    team_routes()
    lee = next(r for r in fetch(query()).records if r.start == day(10) and r.model == "gpt-5")
    assert lee.total_tokens == 0
    assert lee.requests == 1
    assert lee.cost_usd == Decimal("0.04")


@respx.mock
def test_without_charged_cents_the_model_cost_in_token_usage_is_used() -> None:
    team_routes()
    day11 = next(r for r in fetch(query()).records if r.start == day(11) and r.model != "gpt-5")
    assert day11.cost_usd == Decimal("0.0021")  # tokenUsage.totalCents 0.21
    assert (day11.input_tokens, day11.output_tokens) == (200, 100)


@respx.mock
def test_an_event_with_no_cost_at_all_has_no_dollars_and_is_counted_in_a_warning() -> None:
    team_routes()
    result = fetch(query())
    errored = next(r for r in result.records if r.start == day(11) and r.model == "gpt-5")
    assert errored.cost_usd is None and errored.cost_kind is None
    assert errored.requests == 1
    assert any("1 Cursor usage events carried no cost" in w for w in result.warnings)


@respx.mock
def test_timestamps_as_strings_or_numbers_are_read_and_the_inclusive_end_is_dropped() -> None:
    team_routes()
    records = fetch(query()).records
    # The numeric timestamp (day 11, 01:00) is read; the event at exactly day 12 is outside.
    assert {r.start for r in records} == {day(10), day(11)}
    assert sum(r.requests or 0 for r in records) == 5


@respx.mock
def test_an_unreadable_timestamp_is_skipped_and_counted() -> None:
    page = load_fixture("cursor/events_page2.json")
    page["usageEvents"][0]["timestamp"] = "yesterday-ish"
    page["usageEvents"][1].pop("timestamp")
    respx.post(EVENTS).respond(200, json=page)
    respx.post(DAILY).respond(200, json=EMPTY_DAILY)
    respx.post(SPEND).respond(200, json=EMPTY_SPEND)
    respx.get(COMMITS).respond(200, json=EMPTY_COMMITS)
    result = fetch(query())
    assert "2 Cursor usage events without a readable timestamp skipped" in result.warnings


@respx.mock
def test_requests_use_basic_auth_epoch_milliseconds_and_page_numbers() -> None:
    routes = team_routes()
    fetch(query())

    first, second = routes["events"].calls
    expected = "Basic " + base64.b64encode(f"{KEY}:".encode()).decode()
    assert first.request.headers["authorization"] == expected
    assert body(first.request) == {
        "startDate": AUG_10,
        "endDate": AUG_10 + 2 * 86_400_000 - 1,
        "page": 1,
        "pageSize": 500,
    }
    assert body(second.request)["page"] == 2
    daily = body(routes["daily"].calls[0].request)
    assert (daily["startDate"], daily["page"]) == (AUG_10, 1)
    assert routes["commits"].calls[0].request.url.params["startDate"] == "2026-08-10"
    assert routes["commits"].calls[0].request.url.params["endDate"] == "2026-08-11"


@respx.mock
def test_long_periods_are_asked_in_windows_of_at_most_30_days() -> None:
    events = respx.post(EVENTS).respond(200, json=EMPTY_EVENTS)
    daily = respx.post(DAILY).respond(200, json=EMPTY_DAILY)
    respx.post(SPEND).respond(200, json=EMPTY_SPEND)
    respx.get(COMMITS).respond(200, json=EMPTY_COMMITS)

    fetch(query(since=day(1, 5), until=day(1, 8)))  # May, June, July: 92 days

    for route in (events, daily):
        spans = [body(c.request) for c in route.calls]
        assert len(spans) == 4
        assert all(s["endDate"] - s["startDate"] < 30 * 86_400_000 for s in spans)
        assert spans[0]["startDate"] == 1777593600000  # 2026-05-01
        assert spans[-1]["endDate"] == 1785542400000 - 1  # up to 2026-08-01, exclusive


@respx.mock
def test_older_answers_without_pagination_or_charged_cents_still_parse() -> None:
    old = {
        "totalUsageEventsCount": 1,
        "usageEvents": [
            {
                "timestamp": "1786351230123",
                "userEmail": "dana@example.com",
                "model": "claude-4.5-sonnet",
                "kind": "Usage-based",
                "requestsCosts": 2,
                "isTokenBasedCall": True,
                "tokenUsage": {
                    "inputTokens": 4210,
                    "outputTokens": 980,
                    "cacheWriteTokens": 15320,
                    "cacheReadTokens": 61200,
                    "totalCents": 10.314,
                },
            }
        ],
        "period": {"startDate": AUG_10, "endDate": AUG_10 + 86_399_999},
    }
    events = respx.post(EVENTS).respond(200, json=old)
    respx.post(DAILY).respond(200, json={"data": []})
    respx.post(SPEND).respond(200, json={"teamMemberSpend": []})
    respx.get(COMMITS).respond(200, json={"items": []})

    result = fetch(query(until=day(11)))

    assert events.call_count == 1
    (record,) = result.records
    assert record.cost_usd == Decimal("0.10314")
    assert result.quotas == ()


@respx.mock
def test_member_limits_become_on_demand_quotas_and_members_without_one_are_left_out() -> None:
    team_routes()
    quotas = {q.scope: q for q in fetch(query()).quotas}
    assert set(quotas) == {"dana@example.com", "kim@example.com"}
    dana = quotas["dana@example.com"]
    assert (dana.name, dana.unit, dana.used, dana.limit) == (
        "on_demand_usd",
        "usd",
        Decimal("13.84"),
        Decimal(150),
    )
    assert quotas["kim@example.com"].limit == Decimal(40)  # the hard override wins
    assert dana.resets_at is not None and dana.resets_at.day == 1  # cycle started on the 1st


@respx.mock
def test_daily_usage_becomes_activity_per_day_and_user_without_idle_members() -> None:
    team_routes()
    activity = [a for a in fetch(query()).activity if a.commit is None]
    assert [(a.start, a.user) for a in activity] == [
        (day(10), "dana@example.com"),
        (day(11), "dana@example.com"),
    ]
    first, second = activity
    assert (first.lines_added, first.accepted_lines_added, first.tabs_accepted) == (812, 603, 377)
    assert (first.composer_requests, first.chat_requests, first.agent_requests) == (22, 9, 31)
    assert first.usage_based_requests == 4
    # An older row without agentRequests/usageBasedReqs: unknown, not zero.
    assert second.agent_requests is None and second.usage_based_requests is None
    assert second.lines_added == 120


@respx.mock
def test_enterprise_commits_add_ai_and_human_lines_once_per_commit() -> None:
    team_routes(commits=load_fixture("cursor/commits.json"))
    commits = [a for a in fetch(query()).activity if a.commit is not None]
    assert [(c.commit[:6], c.user) for c in commits if c.commit] == [
        ("a1b2c3", "dana@example.com"),
        ("ffeedd", "lee@example.com"),
    ]
    dana, lee = commits
    assert (dana.ai_lines_added, dana.human_lines_added, dana.lines_added) == (115, 35, 150)
    assert dana.repo == "acme/api" and dana.start == day(10)
    assert (lee.ai_lines_added, lee.human_lines_added) == (0, 60)


@respx.mock
def test_ai_code_tracking_refused_with_403_is_a_note_not_a_failure() -> None:
    team_routes(commits=load_fixture("cursor/error_403.json"), commits_status=403)
    result = fetch(query())
    assert len(result.records) == 4
    assert any("need an Enterprise team" in w for w in result.warnings)
    assert all(a.commit is None for a in result.activity)


@respx.mock
def test_ai_code_tracking_down_is_a_note_too() -> None:
    team_routes(commits=load_fixture("cursor/error_500.json"), commits_status=500)
    result = fetch(query())
    assert any("per-commit AI line counts not shown" in w for w in result.warnings)


@pytest.mark.parametrize(
    ("status", "fixture", "error", "says"),
    [
        (401, "error_401.json", AuthError, "Invalid API key"),
        (403, "error_403.json", ForbiddenError, "Enterprise access required"),
        (429, "error_429.json", RateLimitedError, "Rate limit exceeded"),
        (500, "error_500.json", UnavailableError, "An unexpected error occurred"),
        (400, None, BadResponseError, "HTTP 400"),
    ],
)
@respx.mock
def test_http_failures_map_to_error_kinds_with_the_vendor_message(
    status: int, fixture: str | None, error: type, says: str
) -> None:
    payload = load_fixture(f"cursor/{fixture}") if fixture else {"error": "Bad Request"}
    route = respx.post(EVENTS).respond(status, json=payload, headers={"retry-after": "1"})
    with pytest.raises(error) as raised:
        fetch(query())
    assert says in str(raised.value)
    assert KEY not in str(raised.value)
    assert route.call_count == (5 if status in (429, 500) else 1)


@respx.mock
def test_403_says_which_plan_the_admin_api_needs() -> None:
    respx.post(EVENTS).respond(403, json=load_fixture("cursor/error_403.json"))
    with pytest.raises(ForbiddenError) as raised:
        fetch(query())
    assert "Enterprise teams" in str(raised.value)
    assert "aiusage cursor set" in str(raised.value)


@respx.mock
def test_401_says_which_variable_to_fix() -> None:
    respx.post(EVENTS).respond(401, json=load_fixture("cursor/error_401.json"))
    with pytest.raises(AuthError, match="CURSOR_ADMIN_KEY"):
        fetch(query())


@respx.mock
def test_a_transient_429_recovers_within_the_retry_budget() -> None:
    respx.post(EVENTS).side_effect = [
        httpx.Response(429, json=load_fixture("cursor/error_429.json")),
        httpx.Response(200, json=EMPTY_EVENTS),
    ]
    respx.post(DAILY).respond(200, json=EMPTY_DAILY)
    respx.post(SPEND).respond(200, json=EMPTY_SPEND)
    respx.get(COMMITS).respond(200, json=EMPTY_COMMITS)
    assert fetch(query()).records == ()


@pytest.mark.parametrize(
    ("response", "error"),
    [
        (httpx.Response(200, text="<html>maintenance</html>"), BadResponseError),
        (httpx.Response(200, json={"unexpected": True}), BadResponseError),
        (httpx.Response(200, json={"usageEvents": [{"tokenUsage": "lots"}]}), BadResponseError),
        (httpx.TimeoutException("slow"), TimeoutFailure),
        (httpx.ConnectError("refused"), UnavailableError),
    ],
)
@respx.mock
def test_broken_answers_become_one_clear_error(
    response: httpx.Response | Exception, error: type
) -> None:
    respx.post(EVENTS).mock(side_effect=[response] * 5)
    with pytest.raises(error) as raised:
        fetch(query())
    assert KEY not in str(raised.value)


@respx.mock
def test_many_pages_are_paced_to_twenty_requests_a_minute() -> None:
    def endless(request: httpx.Request) -> httpx.Response:
        page = body(request)["page"]
        payload = load_fixture("cursor/events_page1.json")
        payload["pagination"] = {"numPages": 30, "currentPage": page, "hasNextPage": page < 30}
        return httpx.Response(200, json=payload)

    events = respx.post(EVENTS).mock(side_effect=endless)
    respx.post(DAILY).respond(200, json=EMPTY_DAILY)
    respx.post(SPEND).respond(200, json=EMPTY_SPEND)
    respx.get(COMMITS).respond(200, json=EMPTY_COMMITS)
    clock = FakeClock()

    result = fetch(query(), provider(clock))

    assert events.call_count == 30
    assert clock.sleeps == [60.0]  # 20 at once, then wait for the minute to pass
    sonnet = next(r for r in result.records if r.model == "claude-4.5-sonnet")
    assert sonnet.requests == 30


def test_the_pacer_never_starts_more_than_the_limit_in_any_window() -> None:
    clock = FakeClock()
    pacer = Pacer(limit=20, per=60.0, clock=clock.clock, sleep=clock.sleep)
    starts: list[float] = []

    async def one() -> None:
        await pacer.wait()
        starts.append(clock.now)

    async def run() -> None:
        await asyncio.gather(*(one() for _ in range(45)))

    asyncio.run(run())

    assert len(starts) == 45
    for t in starts:
        assert sum(1 for s in starts if t - 60 < s <= t) <= 20
    assert starts.count(0.0) == 20 and starts.count(60.0) == 20 and starts.count(120.0) == 5


def test_a_provider_without_a_key_is_not_configured() -> None:
    assert not CursorProvider().configured(Settings())
    assert CursorProvider().configured(settings())


def test_cursor_token_is_read_when_the_admin_variable_is_absent(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("CURSOR_TOKEN", KEY)
    loaded = Settings()
    assert CursorProvider().configured(loaded)
    config = CursorProvider().client_config(loaded)
    assert config.base_url == "https://api.cursor.com"
    assert isinstance(config.auth, httpx.BasicAuth)
