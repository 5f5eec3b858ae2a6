"""Claude on the Usage and Cost Analytics API with its fallback to the legacy reports."""

from __future__ import annotations

import asyncio
import logging
from collections import defaultdict
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import httpx
import pytest
import respx

from aiusage.errors import (
    AuthError,
    BadResponseError,
    ForbiddenError,
    NotFoundError,
    RateLimitedError,
    UnavailableError,
)
from aiusage.http_client import build_client
from aiusage.models import Period, SourceResult, UsageQuery, UsageRecord
from aiusage.settings import Settings
from aiusage.sources.api.claude.provider import ClaudeProvider
from tests.conftest import load_fixture

BASE = "https://api.anthropic.com"
A_USAGE = f"{BASE}/v1/organizations/analytics/usage"
A_COST = f"{BASE}/v1/organizations/analytics/cost"
L_USAGE = f"{BASE}/v1/organizations/usage_report/messages"
L_COST = f"{BASE}/v1/organizations/cost_report"
ADMIN = "sk-ant-admin01-" + "x" * 93 + "AA"
ANALYTICS_ONLY = "sk-ant-api01-" + "y" * 93 + "AA"
NOW = datetime(2026, 11, 25, 15, tzinfo=UTC)
SONNET, HAIKU = "claude-sonnet-4-5-20250929", "claude-haiku-4-5-20251001"
EMPTY_ANALYTICS = {"data": [], "has_more": False, "next_page": None}
EMPTY_LEGACY = {"data": [], "has_more": False, "next_page": None}


def at(year: int, month: int, day: int, hour: int = 0) -> datetime:
    return datetime(year, month, day, hour, tzinfo=UTC)


def query(
    since: datetime, until: datetime, granularity: str = "1d", dimension: str | None = None
) -> UsageQuery:
    return UsageQuery(
        period=Period(since=since, until=until),
        granularity=granularity,
        dimension=dimension,
    )


def fetch(q: UsageQuery, mode: str = "auto", key: str = ADMIN, now: datetime = NOW) -> SourceResult:
    settings = Settings(ANTHROPIC_ADMIN_KEY=key, AIUSAGE_CLAUDE_API=mode)
    provider = ClaudeProvider(clock=lambda: now)
    config = provider.client_config(settings)

    async def run() -> SourceResult:
        async with build_client(config.base_url, headers=config.headers) as client:
            return await provider.fetch(client, settings, q)

    return asyncio.run(run())


def error(status: int, kind: str, message: str) -> httpx.Response:
    return httpx.Response(
        status, json={"type": "error", "error": {"type": kind, "message": message}}
    )


def per_model(records: list[UsageRecord] | tuple[UsageRecord, ...]) -> dict[Any, Any]:
    """Tokens and dollars per (day, model or line item): what must not depend on the API."""
    out: dict[Any, list[Any]] = defaultdict(lambda: [0, 0, 0, 0, Decimal(0)])
    for r in records:
        row = out[(r.start, r.model or f"({r.product})")]
        row[0] += r.input_tokens
        row[1] += r.output_tokens
        row[2] += r.cache_read_tokens
        row[3] += r.cache_write_tokens
        row[4] += r.cost_usd or Decimal(0)
    return {key: tuple(value) for key, value in out.items()}


def only_in_window(fixture: str, empty: dict[str, Any]) -> Any:
    """Answer with the fixture to the window that holds its days, with nothing to the others."""
    body = load_fixture(fixture)
    first = body["data"][0]["starting_at"]

    def answer(request: httpx.Request) -> httpx.Response:
        params = request.url.params
        inside = params["starting_at"] <= first < params["ending_at"]
        return httpx.Response(200, json=body if inside else empty)

    return answer


def analytics_october() -> None:
    respx.get(A_USAGE).mock(
        side_effect=only_in_window("anthropic/analytics_usage_2026_10.json", EMPTY_ANALYTICS)
    )
    respx.get(A_COST).mock(
        side_effect=only_in_window("anthropic/analytics_cost_2026_10.json", EMPTY_ANALYTICS)
    )


def legacy_october() -> None:
    respx.get(L_USAGE).mock(
        side_effect=only_in_window("anthropic/legacy_usage_2026_10.json", EMPTY_LEGACY)
    )
    respx.get(L_COST).mock(
        side_effect=only_in_window("anthropic/legacy_cost_2026_10.json", EMPTY_LEGACY)
    )


OCTOBER = query(at(2026, 10, 1), at(2026, 10, 4))


# --- the same numbers whichever API answers -------------------------------------------------


@respx.mock
def test_either_api_gives_identical_tokens_and_dollars_per_model() -> None:
    analytics_october()
    legacy_october()

    by_analytics = fetch(OCTOBER, mode="analytics").records
    by_legacy = fetch(OCTOBER, mode="legacy").records

    assert per_model(by_analytics) == per_model(by_legacy)
    assert sum((r.cost_usd or Decimal(0) for r in by_analytics), Decimal(0)) == Decimal(
        "2.63181551234567"
    )
    sonnet_day1 = next(r for r in by_analytics if r.model == SONNET and r.start == at(2026, 10, 1))
    assert sonnet_day1.cost_usd == Decimal("1.46372251234567")
    assert sonnet_day1.cost_kind == "reported"
    assert sonnet_day1.requests == 812  # only the analytics API counts requests
    line_items = {r.product: r.cost_usd for r in by_analytics if r.model is None}
    assert line_items == {
        "web_search": Decimal("0.03"),
        "code_execution": Decimal("0.05"),
        "session_usage": Decimal("0.085"),
    }


@respx.mock
def test_auto_reads_a_recent_period_from_the_analytics_api_only() -> None:
    analytics_october()
    legacy = respx.get(L_USAGE)

    records = fetch(OCTOBER).records

    assert not legacy.called
    assert {r.start for r in records} == {at(2026, 10, 1), at(2026, 10, 2)}


@respx.mock
def test_sends_the_beta_header_and_documented_parameters_only_to_analytics() -> None:
    usage = respx.get(A_USAGE).respond(200, json=EMPTY_ANALYTICS)
    cost = respx.get(A_COST).respond(200, json=EMPTY_ANALYTICS)
    legacy = respx.get(L_USAGE).respond(200, json=EMPTY_LEGACY)
    respx.get(L_COST).respond(200, json=EMPTY_LEGACY)

    fetch(query(at(2025, 12, 31), at(2026, 1, 2), dimension="project"))

    sent = usage.calls[0].request
    assert sent.headers["anthropic-beta"] == "analytics-usage-cost-2026-08-24"
    assert sent.headers["anthropic-version"] == "2023-06-01"
    assert sent.headers["x-api-key"] == ADMIN
    params = sent.url.params
    assert params["starting_at"] == "2026-01-01T00:00:00Z"
    assert params["ending_at"] == "2026-01-02T00:00:00Z"
    assert params["time_bucket_width"] == "1d"
    assert params["order_by"] == "time"
    assert params["order"] == "asc"
    assert params["limit"] == "1000"
    assert params.get_list("group_by[]") == ["model", "workspace_id"]
    assert cost.calls[0].request.url.params.get_list("group_by[]") == [
        "model",
        "workspace_id",
        "cost_type",
    ]
    assert "anthropic-beta" not in legacy.calls[0].request.headers


# --- pages, windows, amounts, dimensions ------------------------------------------------------


@respx.mock
def test_follows_next_page_and_converts_fractional_cents_from_amount() -> None:
    usage = respx.get(A_USAGE)
    usage.side_effect = [
        httpx.Response(200, json=load_fixture("anthropic/analytics_usage_page1.json")),
        httpx.Response(200, json=load_fixture("anthropic/analytics_usage_page2.json")),
    ]
    cost = respx.get(A_COST)
    cost.side_effect = [
        httpx.Response(200, json=load_fixture("anthropic/analytics_cost_page1.json")),
        httpx.Response(200, json=load_fixture("anthropic/analytics_cost_page2.json")),
    ]

    records = fetch(query(at(2026, 9, 1), at(2026, 9, 8))).records

    assert usage.calls[1].request.url.params["page"] == "page_c2FtcGxlLWN1cnNvci0z"
    assert cost.calls[1].request.url.params["page"] == "page_c2FtcGxlLWN1cnNvci02"
    assert sum(r.input_tokens for r in records) == 412870 + 250118 + 389004 + 231004 + 1200
    assert sum(r.cache_write_tokens for r in records) == 96114 + 22080 + 71337
    sonnet = next(r for r in records if r.model == "claude-sonnet-5" and r.start == at(2026, 9, 1))
    assert sonnet.cost_usd == Decimal("4.477604")
    unattributed = next(r for r in records if r.model is None)
    assert (unattributed.product, unattributed.cost_usd) == ("other", Decimal("0.125"))
    day4 = next(r for r in records if r.start == at(2026, 9, 4))
    assert day4.cost_kind == "estimated"  # usage with no cost row is priced, and says so


@respx.mock
def test_amounts_with_many_decimals_stay_exact() -> None:
    respx.get(A_USAGE).respond(200, json=EMPTY_ANALYTICS)
    page = load_fixture("anthropic/analytics_cost_2026_10.json")
    page["data"] = page["data"][:1] + [dict(page["data"][0])]
    page["data"][0]["cost"] = {"amount": "123.456789012345678901234567890123", "currency": "USD"}
    page["data"][1]["cost"] = {"amount": "0.000000000000000000000000000001", "currency": "USD"}
    respx.get(A_COST).respond(200, json=page)

    records = fetch(OCTOBER).records

    assert [r.cost_usd for r in records] == [Decimal("1.23456789012345678901234567890124")]


@respx.mock
def test_an_empty_answer_is_no_usage_not_an_error() -> None:
    respx.get(A_USAGE).respond(200, json=EMPTY_ANALYTICS)
    respx.get(A_COST).respond(200, json=EMPTY_ANALYTICS)

    result = fetch(OCTOBER)

    assert result.records == ()
    assert result.warnings == ()


@respx.mock
def test_a_range_longer_than_31_days_is_fetched_in_31_day_windows() -> None:
    usage = respx.get(A_USAGE).respond(200, json=EMPTY_ANALYTICS)
    cost = respx.get(A_COST).respond(200, json=EMPTY_ANALYTICS)

    fetch(query(at(2026, 6, 1), at(2026, 8, 15)))

    for route in (usage, cost):
        spans = sorted(
            (c.request.url.params["starting_at"], c.request.url.params["ending_at"])
            for c in route.calls
        )
        assert spans == [
            ("2026-06-01T00:00:00Z", "2026-07-02T00:00:00Z"),
            ("2026-07-02T00:00:00Z", "2026-08-02T00:00:00Z"),
            ("2026-08-02T00:00:00Z", "2026-08-15T00:00:00Z"),
        ]


@respx.mock
def test_minute_buckets_are_fetched_at_most_24_hours_at_a_time() -> None:
    usage = respx.get(A_USAGE).respond(200, json=EMPTY_ANALYTICS)
    respx.get(A_COST).respond(200, json=EMPTY_ANALYTICS)

    fetch(query(at(2026, 11, 20), at(2026, 11, 21, 12), granularity="1m"))

    assert sorted(c.request.url.params["starting_at"] for c in usage.calls) == [
        "2026-11-20T00:00:00Z",
        "2026-11-21T00:00:00Z",
    ]
    assert usage.calls[0].request.url.params["time_bucket_width"] == "1m"


@respx.mock
def test_hourly_costs_are_reported_by_the_analytics_api_not_estimated() -> None:
    hour = {"starting_at": "2026-11-20T10:00:00Z", "ending_at": "2026-11-20T11:00:00Z"}
    usage = load_fixture("anthropic/analytics_usage_2026_10.json")
    usage["data"] = [{**usage["data"][0], **hour}]
    cost = load_fixture("anthropic/analytics_cost_2026_10.json")
    cost["data"] = [{**cost["data"][0], **hour}]
    respx.get(A_USAGE).respond(200, json=usage)
    cost_route = respx.get(A_COST).respond(200, json=cost)

    result = fetch(query(at(2026, 11, 20, 10), at(2026, 11, 20, 11), granularity="1h"))

    assert cost_route.calls[0].request.url.params["time_bucket_width"] == "1h"
    assert [(r.cost_kind, r.cost_usd) for r in result.records] == [
        ("reported", Decimal("1.46372251234567"))
    ]
    assert result.warnings == ()


def _rows_with(key: str, values: list[Any]) -> dict[str, Any]:
    template = load_fixture("anthropic/analytics_usage_2026_10.json")["data"][1]
    rows = []
    for value in values:
        row = {**template, "group": {**template["group"], key: value}}
        rows.append(row)
    return {"data": rows, "has_more": False, "next_page": None}


@respx.mock
def test_by_user_labels_every_actor_type_and_tolerates_unknown_ones() -> None:
    actors = [
        {
            "type": "user_actor",
            "user_id": "user_01",
            "email_address": "ada@example.com",
            "name": "Ada",
            "deleted": False,
        },
        {
            "type": "user_actor",
            "user_id": "user_02",
            "email_address": None,
            "name": None,
            "deleted": True,
        },
        {"type": "service_account_actor", "service_account_id": "svac_01"},
        {"type": "api_actor", "api_key_id": "apikey_01"},
        {
            "type": "federated_actor",
            "subject": "ci-runner",
            "provider": {"type": "oidc", "issuer": "https://token.actions.githubusercontent.com"},
        },
        {
            "type": "federated_actor",
            "subject": None,
            "provider": {
                "type": "aws",
                "account_id": "123456789012",
                "signed_principal": "arn:aws:sts::1:assumed-role/x",
            },
        },
        {"type": "robot_actor", "robot_serial": "R2"},
        None,
    ]
    usage = respx.get(A_USAGE).respond(200, json=_rows_with("actor", actors))
    respx.get(A_COST).respond(200, json=EMPTY_ANALYTICS)

    records = fetch(query(at(2026, 10, 1), at(2026, 10, 2), dimension="user")).records

    assert usage.calls[0].request.url.params.get_list("group_by[]") == ["model", "actor"]
    assert sorted(r.scope or "—" for r in records) == sorted(
        [
            "ada@example.com",
            "user_02",
            "svac_01",
            "apikey_01",
            "ci-runner",
            "aws:123456789012",
            "robot_actor",
            "—",
        ]
    )
    assert sum(r.input_tokens for r in records) == 20110 * len(actors)


@respx.mock
def test_by_product_keeps_unknown_product_values() -> None:
    usage = respx.get(A_USAGE).respond(
        200, json=_rows_with("product", ["claude_code", "hologram_studio", None])
    )
    cost = load_fixture("anthropic/analytics_cost_2026_10.json")
    web = cost["data"][3]  # web search spent inside Claude Code counts toward Claude Code
    web["group"]["product"] = "claude_code"
    cost["data"] = [web]
    respx.get(A_COST).respond(200, json=cost)

    records = fetch(query(at(2026, 10, 1), at(2026, 10, 2), dimension="product")).records

    assert usage.calls[0].request.url.params.get_list("group_by[]") == ["model", "product"]
    assert {(r.model, r.product) for r in records} == {
        (HAIKU, "claude_code"),
        (HAIKU, "hologram_studio"),
        (HAIKU, None),
        (None, "claude_code"),
    }


@respx.mock
def test_by_project_uses_the_tagged_workspace_id() -> None:
    respx.get(A_USAGE).respond(
        200, json=_rows_with("workspace_id", ["wrkspc_01Default", "wrkspc_02Research"])
    )
    respx.get(A_COST).respond(200, json=EMPTY_ANALYTICS)

    records = fetch(query(at(2026, 10, 1), at(2026, 10, 2), dimension="project")).records

    assert sorted(r.scope or "" for r in records) == ["wrkspc_01Default", "wrkspc_02Research"]


# --- the seam at 2026-01-01 and the 365-day reach ---------------------------------------------


def _legacy_day(day: datetime, uncached: int) -> dict[str, Any]:
    result = load_fixture("anthropic/legacy_usage_2026_10.json")["data"][1]["results"][0]
    return {
        "starting_at": day.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "ending_at": (day + timedelta(days=1)).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "results": [{**result, "uncached_input_tokens": uncached}],
    }


@respx.mock
def test_a_period_across_2026_01_01_is_split_exactly_at_the_seam() -> None:
    legacy_usage = respx.get(L_USAGE).respond(
        200,
        json={
            "data": [_legacy_day(at(2025, 12, 30), 100), _legacy_day(at(2025, 12, 31), 200)],
            "has_more": False,
            "next_page": None,
        },
    )
    legacy_cost = respx.get(L_COST).respond(200, json=EMPTY_LEGACY)
    rows = load_fixture("anthropic/analytics_usage_2026_10.json")
    rows["data"] = [
        {
            **rows["data"][2],
            "starting_at": f"2026-01-0{d}T00:00:00Z",
            "ending_at": f"2026-01-0{d + 1}T00:00:00Z",
        }
        for d in (1, 2)
    ]
    analytics_usage = respx.get(A_USAGE).respond(200, json=rows)
    respx.get(A_COST).respond(200, json=EMPTY_ANALYTICS)

    records = fetch(query(at(2025, 12, 30), at(2026, 1, 3))).records

    for route in (legacy_usage, legacy_cost):
        params = route.calls[0].request.url.params
        assert (params["starting_at"], params["ending_at"]) == (
            "2025-12-30T00:00:00Z",
            "2026-01-01T00:00:00Z",
        )
    params = analytics_usage.calls[0].request.url.params
    assert (params["starting_at"], params["ending_at"]) == (
        "2026-01-01T00:00:00Z",
        "2026-01-03T00:00:00Z",
    )
    assert [r.start for r in records] == [
        at(2025, 12, 30),
        at(2025, 12, 31),
        at(2026, 1, 1),
        at(2026, 1, 2),
    ]
    assert sum(r.input_tokens for r in records) == 100 + 200 + 98000 * 2


@respx.mock
def test_usage_older_than_365_days_comes_from_the_legacy_reports() -> None:
    legacy = respx.get(L_USAGE).respond(200, json=EMPTY_LEGACY)
    respx.get(L_COST).respond(200, json=EMPTY_LEGACY)
    analytics = respx.get(A_USAGE).respond(200, json=EMPTY_ANALYTICS)
    respx.get(A_COST).respond(200, json=EMPTY_ANALYTICS)

    fetch(query(at(2026, 3, 1), at(2026, 4, 1)), now=at(2027, 3, 15, 10))

    # 365 days before 2027-03-15T10:00 is 2026-03-15T10:00; a day's margin, then whole days.
    assert legacy.calls[0].request.url.params["ending_at"] == "2026-03-17T00:00:00Z"
    assert analytics.calls[0].request.url.params["starting_at"] == "2026-03-17T00:00:00Z"


@respx.mock
def test_forced_analytics_leaves_out_what_it_cannot_reach_and_says_so() -> None:
    legacy = respx.get(L_USAGE)
    respx.get(A_USAGE).respond(200, json=EMPTY_ANALYTICS)
    respx.get(A_COST).respond(200, json=EMPTY_ANALYTICS)

    result = fetch(query(at(2025, 12, 1), at(2026, 1, 5)), mode="analytics")

    assert not legacy.called
    assert "before 2026-01-01 is not shown" in result.warnings[0]


@respx.mock
def test_forced_legacy_never_calls_the_analytics_api() -> None:
    analytics = respx.get(A_USAGE)
    legacy_october()

    records = fetch(OCTOBER, mode="legacy").records

    assert not analytics.called
    assert records


@respx.mock
def test_an_analytics_only_key_shows_recent_usage_and_warns_about_older() -> None:
    respx.get(L_USAGE).mock(return_value=error(401, "authentication_error", "invalid x-api-key"))
    analytics_october()

    result = fetch(query(at(2025, 12, 1), at(2026, 10, 4)), key=ANALYTICS_ONLY)

    assert per_model(result.records) == per_model(fetch(OCTOBER, key=ANALYTICS_ONLY).records)
    assert "need an Admin key" in result.warnings[0]


# --- fallback: which answers switch to the legacy reports, and which do not -------------------

FALLBACK_TRIGGERS = [
    error(400, "invalid_request_error", "Analytics is not available for HIPAA-ready orgs"),
    error(400, "invalid_request_error", "Unknown beta: analytics-usage-cost-2026-08-24"),
    error(403, "permission_error", "This key cannot read analytics"),
    error(404, "not_found_error", "Not found"),
]


@pytest.mark.parametrize("refusal", FALLBACK_TRIGGERS)
@respx.mock
def test_refusals_fall_back_to_legacy_for_the_rest_of_the_run(refusal: httpx.Response) -> None:
    analytics = respx.get(A_USAGE).mock(return_value=refusal)
    analytics_cost = respx.get(A_COST)
    legacy = respx.get(L_USAGE).respond(200, json=EMPTY_LEGACY)
    respx.get(L_COST).respond(200, json=EMPTY_LEGACY)

    fetch(query(at(2026, 6, 1), at(2026, 8, 15)))  # three analytics windows

    assert analytics.call_count == 1  # probed once, then remembered
    assert not analytics_cost.called
    spans = sorted(
        (c.request.url.params["starting_at"], c.request.url.params["ending_at"])
        for c in legacy.calls
    )
    assert spans[0][0] == "2026-06-01T00:00:00Z"
    assert spans[-1][1] == "2026-08-15T00:00:00Z"
    assert all(a[1] == b[0] for a, b in zip(spans, spans[1:], strict=False))  # no gap, no overlap


def test_a_fallback_gives_the_same_numbers_as_the_analytics_api() -> None:
    with respx.mock:
        respx.get(A_USAGE).mock(return_value=error(403, "permission_error", "no"))
        legacy_october()
        fallen_back = fetch(OCTOBER).records
    with respx.mock:
        analytics_october()
        served = fetch(OCTOBER).records
    assert per_model(fallen_back) == per_model(served)


@pytest.mark.parametrize(
    ("answer", "raised"),
    [
        (error(401, "authentication_error", "invalid x-api-key"), AuthError),
        (error(429, "rate_limit_error", "Rate limited"), RateLimitedError),
        (error(500, "api_error", "oops"), UnavailableError),
        (error(529, "overloaded_error", "Overloaded"), UnavailableError),
        (error(400, "invalid_request_error", "Spend limit reached"), BadResponseError),
    ],
)
@respx.mock
def test_other_failures_are_errors_not_fallbacks(answer: httpx.Response, raised: type) -> None:
    respx.get(A_USAGE).mock(return_value=answer)
    legacy = respx.get(L_USAGE)

    with pytest.raises(raised) as failure:
        fetch(OCTOBER)

    assert not legacy.called
    assert ADMIN not in str(failure.value)


@respx.mock
def test_forced_analytics_reports_a_refusal_instead_of_falling_back() -> None:
    respx.get(A_USAGE).mock(return_value=error(404, "not_found_error", "Not found"))
    legacy = respx.get(L_USAGE)

    with pytest.raises(NotFoundError, match="AIUSAGE_CLAUDE_API=auto"):
        fetch(OCTOBER, mode="analytics")
    assert not legacy.called


@respx.mock
def test_a_key_refused_by_both_apis_gets_one_clear_error() -> None:
    respx.get(A_USAGE).mock(return_value=error(403, "permission_error", "no analytics"))
    respx.get(L_USAGE).mock(return_value=error(401, "authentication_error", "invalid x-api-key"))

    with pytest.raises(ForbiddenError, match="legacy reports did too"):
        fetch(OCTOBER, key=ANALYTICS_ONLY)


@respx.mock
def test_by_user_from_the_legacy_reports_says_it_cannot_split() -> None:
    respx.get(A_USAGE).mock(return_value=error(403, "permission_error", "no"))
    legacy_october()

    result = fetch(query(at(2026, 10, 1), at(2026, 10, 4), dimension="user"))

    assert {r.scope for r in result.records} == {None}
    assert "cannot split by user" in result.warnings[0]


@respx.mock
def test_debug_log_names_the_api_that_served_each_window(caplog: pytest.LogCaptureFixture) -> None:
    respx.get(L_USAGE).respond(200, json=EMPTY_LEGACY)
    respx.get(L_COST).respond(200, json=EMPTY_LEGACY)
    respx.get(A_USAGE).respond(200, json=EMPTY_ANALYTICS)
    respx.get(A_COST).respond(200, json=EMPTY_ANALYTICS)

    with caplog.at_level(logging.DEBUG, logger="aiusage.sources.api.claude.routing"):
        fetch(query(at(2025, 12, 31), at(2026, 1, 2)))

    messages = [r.getMessage() for r in caplog.records]
    assert any("legacy reports serve 2025-12-31" in m for m in messages)
    assert any("analytics API serves 2026-01-01" in m for m in messages)


def test_cached_answers_are_kept_apart_per_api_choice() -> None:
    provider = ClaudeProvider()
    variants = {
        provider.cache_variant(Settings(AIUSAGE_CLAUDE_API=mode))
        for mode in ("auto", "analytics", "legacy")
    }
    assert len(variants) == 3


@respx.mock
def test_an_analytics_only_key_asked_only_for_old_usage_gets_an_error() -> None:
    respx.get(L_USAGE).mock(return_value=error(401, "authentication_error", "invalid x-api-key"))
    analytics = respx.get(A_USAGE)

    with pytest.raises(AuthError, match="need an Admin key"):
        fetch(query(at(2025, 6, 1), at(2025, 7, 1)), key=ANALYTICS_ONLY)
    assert not analytics.called
