"""The OpenAI provider against respx fakes shaped like the OpenAI reference payloads."""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Callable
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import httpx
import pytest
import respx
from typer.testing import CliRunner

from aiusage.cli import app
from aiusage.errors import (
    AuthError,
    BadResponseError,
    ForbiddenError,
    RateLimitedError,
    TimeoutFailure,
    UnavailableError,
)
from aiusage.http_client import build_client
from aiusage.models import KeyCheck, Period, SourceResult, UsageQuery, UsageRecord
from aiusage.settings import Settings
from aiusage.sources.api.openai.provider import OpenAIProvider
from aiusage.sources.base import ClientConfig
from tests.conftest import load_fixture

BASE = "https://api.openai.com"
USAGE = f"{BASE}/v1/organization/usage"
COSTS = f"{BASE}/v1/organization/costs"
KEY = "sk-admin-" + "Q" * 40 + "wxyz"
KINDS = (
    "completions",
    "embeddings",
    "moderations",
    "images",
    "audio_speeches",
    "audio_transcriptions",
    "web_search_calls",
    "file_search_calls",
    "code_interpreter_sessions",
)
# Reported dollars in costs_page1.json + costs_page2.json, added by hand.
COSTS_TOTAL = Decimal("2.8671597")
Pages = list[dict[str, Any]]


def day(d: int) -> datetime:
    return datetime(2026, 1, d, tzinfo=UTC)


def query(
    since: int = 24, until: int = 27, granularity: str = "1d", dimension: str | None = None
) -> UsageQuery:
    return UsageQuery(
        period=Period(since=day(since), until=day(until)),
        granularity=granularity,
        dimension=dimension,
    )


def settings(key: str = KEY) -> Settings:
    return Settings(OPENAI_ADMIN_KEY=key)


def fixture(name: str) -> dict[str, Any]:
    data: dict[str, Any] = load_fixture(f"openai/{name}.json")
    return data


def standard_usage() -> dict[str, Pages]:
    usage = {kind: [fixture("usage_empty")] for kind in KINDS}
    usage["completions"] = [fixture("completions_page1"), fixture("completions_page2")]
    for kind in ("embeddings", "images", "web_search_calls", "file_search_calls"):
        usage[kind] = [fixture(kind)]
    usage["code_interpreter_sessions"] = [fixture("code_interpreter_sessions")]
    return usage


def standard_costs() -> Pages:
    return [fixture("costs_page1"), fixture("costs_page2")]


def paged(pages: Pages) -> Callable[[httpx.Request], httpx.Response]:
    """Answer each request with the page its ``page`` cursor points at."""
    by_cursor: dict[str | None, dict[str, Any]] = {None: pages[0]}
    for previous, page in zip(pages, pages[1:], strict=False):
        by_cursor[previous["next_page"]] = page

    def answer(request: httpx.Request) -> httpx.Response:
        cursor = request.url.params.get("page")
        if cursor not in by_cursor:
            return httpx.Response(400, json={"error": {"message": "bad cursor"}})
        return httpx.Response(200, json=by_cursor[cursor])

    return answer


def mock_api(
    usage: dict[str, Pages] | None = None, costs: Pages | None = None
) -> tuple[dict[str, respx.Route], respx.Route]:
    usage = standard_usage() if usage is None else usage
    routes = {
        kind: respx.get(f"{USAGE}/{kind}").mock(
            side_effect=paged(usage.get(kind, [fixture("usage_empty")]))
        )
        for kind in KINDS
    }
    cost_route = respx.get(COSTS).mock(side_effect=paged(costs or standard_costs()))
    return routes, cost_route


def run(q: UsageQuery, key: str = KEY) -> SourceResult:
    provider = OpenAIProvider()
    config = provider.client_config(settings(key))

    async def go() -> SourceResult:
        async with build_client(config.base_url, auth=config.auth) as client:
            return await provider.fetch(client, settings(key), q)

    return asyncio.run(go())


def fetch(q: UsageQuery | None = None) -> list[UsageRecord]:
    return list(run(q or query()).records)


def find(records: list[UsageRecord], d: int, product: str, model: str | None) -> UsageRecord:
    return next(r for r in records if (r.start, r.product, r.model) == (day(d), product, model))


def total_cost(records: list[UsageRecord], kind: str) -> Decimal:
    return sum((r.cost_usd or Decimal(0) for r in records if r.cost_kind == kind), Decimal(0))


@respx.mock
def test_follows_every_page_and_sums_tokens_exactly() -> None:
    mock_api()

    records = fetch()

    assert sum(r.input_tokens for r in records) == 1244385 + 1400000
    assert sum(r.output_tokens for r in records) == 180168
    assert sum(r.cache_read_tokens for r in records) == 2277344
    assert sum(r.cache_write_tokens for r in records) == 20000
    assert sum(r.requests or 0 for r in records) == 883
    assert {r.start for r in records} == {day(24), day(25), day(26)}
    assert all(r.end == r.start.replace(day=r.start.day + 1) for r in records)


@respx.mock
def test_input_excludes_cached_and_cache_write_tokens_and_never_adds_audio() -> None:
    mock_api()

    records = fetch()

    first = find(records, 24, "completions", "gpt-5-2025-08-07")
    assert (first.input_tokens, first.cache_read_tokens) == (1843210 - 1221632, 1221632)
    newer = find(records, 26, "completions", "gpt-5-2025-08-07")
    assert newer.input_tokens == 180000  # 500000 - 300000 cached - 20000 written; audio ignored
    assert (newer.cache_read_tokens, newer.cache_write_tokens) == (300000, 20000)
    assert (newer.output_tokens, newer.requests) == (25000, 90)


@respx.mock
def test_each_endpoint_kind_is_the_product_with_its_request_count() -> None:
    mock_api()

    records = fetch()

    counts = {(r.product, r.model): r.requests for r in records if r.requests is not None}
    assert counts[("images", "gpt-image-1")] == 3
    assert counts[("web_search_calls", "gpt-5-2025-08-07")] == 12
    assert counts[("file_search_calls", None)] == 7
    assert counts[("code_interpreter_sessions", None)] == 2
    images = find(records, 24, "images", "gpt-image-1")
    assert images.total_tokens == 0
    assert images.cost_usd is None  # no tokens to estimate from: never $0


@respx.mock
def test_sends_the_bearer_key_and_bracketed_arrays() -> None:
    routes, cost_route = mock_api()

    fetch()

    first, second = routes["completions"].calls
    assert first.request.headers["authorization"] == f"Bearer {KEY}"
    assert first.request.headers["user-agent"].startswith("aiusage/")
    assert "openai-organization" not in first.request.headers
    params = first.request.url.params
    assert params.get_list("group_by[]") == ["model"]
    assert "group_by" not in params
    assert (params["start_time"], params["end_time"]) == ("1769212800", "1769472000")
    assert (params["bucket_width"], params["limit"]) == ("1d", "31")
    assert "page" not in params
    assert second.request.url.params["page"] == "page_AAAAAGl1vQAAAAAAaXXMAA=="
    assert routes["file_search_calls"].calls[0].request.url.params.get_list("group_by[]") == []
    cost_params = cost_route.calls[0].request.url.params
    assert cost_params.get_list("group_by[]") == ["line_item", "project_id"]
    assert (cost_params["bucket_width"], cost_params["limit"]) == ("1d", "180")
    assert cost_route.call_count == 2


@respx.mock
def test_dollars_from_numbers_and_numeric_strings_add_up_to_the_costs_api_total() -> None:
    mock_api()

    records = fetch()

    assert total_cost(records, "reported") == COSTS_TOTAL


@respx.mock
def test_line_items_naming_a_model_are_attached_to_that_models_records() -> None:
    mock_api()

    records = fetch()

    # Both projects' gpt-5 input plus the output (a numeric string).
    gpt5 = find(records, 24, "completions", "gpt-5-2025-08-07")
    assert (gpt5.cost_usd, gpt5.cost_kind) == (Decimal("1.7323045"), "reported")
    # "gpt-4.1-mini, input" names the model without its snapshot date.
    mini = find(records, 24, "completions", "gpt-4.1-mini-2025-04-14")
    assert (mini.cost_usd, mini.cost_kind) == (Decimal("0.0970652"), "reported")
    assert find(records, 25, "completions", "gpt-5-2025-08-07").cost_usd == Decimal("0.74279")
    # The web search calls of the same model keep their count; the model's cost is on completions.
    assert find(records, 24, "web_search_calls", "gpt-5-2025-08-07").cost_usd is None


@respx.mock
def test_cost_that_names_no_model_becomes_a_record_of_its_own() -> None:
    mock_api()

    records = fetch()

    own = {(r.start, r.product): r.cost_usd for r in records if r.model is None and r.cost_usd}
    assert own == {
        (day(24), "Web search tool calls"): Decimal("0.12"),
        (day(24), "Image models"): Decimal("0.167"),
        (day(25), "Text tokens"): Decimal("0.008"),
    }
    assert all(
        r.total_tokens == 0 and r.scope is None for r in records if r.product == "Image models"
    )


@respx.mock
def test_tokens_without_a_cost_line_are_estimated_or_left_blank_with_a_warning() -> None:
    mock_api()

    result = run(query())
    records = list(result.records)

    gpt5 = find(records, 26, "completions", "gpt-5-2025-08-07")
    # 180000 x $1.25 + 300000 x $0.125 + 20000 written x $1.25 + 25000 x $10, per million
    assert (gpt5.cost_usd, gpt5.cost_kind) == (Decimal("0.5375"), "estimated")
    embeddings = find(records, 26, "embeddings", "text-embedding-3-small")
    assert (embeddings.cost_usd, embeddings.cost_kind) == (Decimal("0.02"), "estimated")
    unknown = find(records, 26, "completions", "gpt-9-preview")
    assert (unknown.cost_usd, unknown.cost_kind) == (None, None)
    assert any("gpt-9-preview" in w for w in result.warnings)


@respx.mock
def test_tokens_on_a_day_with_unclaimed_dollars_are_not_estimated_twice() -> None:
    mock_api()

    result = run(query())

    # Day 25 was billed $0.008 of "Text tokens": those may be the embeddings' own dollars.
    embeddings = find(list(result.records), 25, "embeddings", "text-embedding-3-small")
    assert (embeddings.input_tokens, embeddings.cost_usd) == (400000, None)
    assert any("counts twice" in w for w in result.warnings)


@respx.mock
def test_by_project_splits_usage_and_cost_by_project_id() -> None:
    routes, cost_route = mock_api(
        usage={"completions": [fixture("completions_by_project")]},
        costs=[fixture("costs_by_project")],
    )

    records = fetch(query(24, 25, dimension="project"))

    params = routes["completions"].calls[0].request.url.params
    assert params.get_list("group_by[]") == ["model", "project_id"]
    assert routes["code_interpreter_sessions"].calls[0].request.url.params.get_list(
        "group_by[]"
    ) == ["project_id"]
    by_scope = {(r.scope, r.product): r.cost_usd for r in records}
    assert by_scope == {
        ("proj_abc", "completions"): Decimal("1.0181845"),
        ("proj_xyz", "completions"): Decimal("0.71412"),
        ("proj_abc", "Web search tool calls"): Decimal("0.12"),
    }
    abc = next(r for r in records if r.scope == "proj_abc" and r.model)
    assert (abc.input_tokens, abc.cache_read_tokens, abc.requests) == (400000, 600000, 200)


@respx.mock
def test_by_project_never_counts_a_dollar_twice_when_usage_names_no_project() -> None:
    mock_api()  # usage without project ids, costs with them

    records = fetch(query(dimension="project"))

    assert total_cost(records, "reported") == COSTS_TOTAL
    # Only day 26 has no bill yet: its two priced rows are the only estimates.
    assert total_cost(records, "estimated") == Decimal("0.5375") + Decimal("0.02")


@respx.mock
def test_by_user_groups_by_user_id_and_estimates_cost_with_a_warning() -> None:
    routes, cost_route = mock_api(usage={"completions": [fixture("completions_by_user")]})

    result = run(query(24, 25, dimension="user"))

    assert not cost_route.called
    params = routes["completions"].calls[0].request.url.params
    assert params.get_list("group_by[]") == ["model", "user_id"]
    web = routes["web_search_calls"].calls[0].request.url.params
    assert web.get_list("group_by[]") == ["model"]
    assert {r.scope: r.cost_kind for r in result.records} == {
        "user-alice": "estimated",
        "user-bob": "estimated",
    }
    assert "cannot split cost by user" in result.warnings[0]


@respx.mock
def test_hourly_buckets_skip_the_daily_costs_api_and_warn() -> None:
    routes, cost_route = mock_api(usage={})

    result = run(query(24, 26, granularity="1h"))

    assert not cost_route.called
    starts = [c.request.url.params["start_time"] for c in routes["completions"].calls]
    assert starts == ["1769212800"]
    assert routes["completions"].calls[0].request.url.params["limit"] == "168"
    assert "per day only" in result.warnings[0]


@respx.mock
def test_long_periods_are_split_into_windows_within_the_page_limit() -> None:
    routes, cost_route = mock_api(usage={})

    q = UsageQuery(
        period=Period(
            since=datetime(2026, 1, 1, tzinfo=UTC), until=datetime(2026, 4, 1, tzinfo=UTC)
        )
    )
    run(q)

    starts = sorted(int(c.request.url.params["start_time"]) for c in routes["embeddings"].calls)
    assert [datetime.fromtimestamp(s, UTC).date().isoformat() for s in starts] == [
        "2026-01-01",
        "2026-02-01",
        "2026-03-04",
    ]
    # 90 days fit in one costs window of up to 180 buckets (whose two pages are both read).
    windows = {
        (c.request.url.params["start_time"], c.request.url.params["end_time"])
        for c in cost_route.calls
    }
    assert windows == {(str(int(q.period.since.timestamp())), str(int(q.period.until.timestamp())))}


@respx.mock
def test_the_legacy_singular_result_field_is_read() -> None:
    usage = standard_usage()
    usage["completions"] = [fixture("completions_page1"), fixture("completions_legacy_result")]
    mock_api(usage=usage)

    records = fetch()

    assert find(records, 26, "completions", "gpt-5-2025-08-07").input_tokens == 180000


@respx.mock
def test_a_repeated_cursor_stops_with_a_bad_response_error() -> None:
    mock_api()
    respx.get(f"{USAGE}/completions").respond(200, json=fixture("completions_page1"))

    with pytest.raises(BadResponseError, match="same page cursor"):
        fetch()


@respx.mock
def test_more_pages_without_a_cursor_is_a_bad_response() -> None:
    page = fixture("completions_page1")
    page["next_page"] = None
    mock_api()
    respx.get(f"{USAGE}/completions").respond(200, json=page)

    with pytest.raises(BadResponseError, match="no page cursor"):
        fetch()


@pytest.mark.parametrize(
    ("status", "body", "error", "says"),
    [
        (401, fixture("error_401"), AuthError, "revoked or mistyped"),
        (403, fixture("error_403_scope"), ForbiddenError, "admin-keys"),
        (401, fixture("error_403_scope"), ForbiddenError, "cannot read usage"),
        (
            404,
            {"error": {"message": "no", "type": "invalid_request_error"}},
            BadResponseError,
            "HTTP 404",
        ),
        (429, fixture("error_429"), RateLimitedError, "try again later"),
        (500, fixture("error_500"), UnavailableError, "try again later"),
        (502, {"error": {"message": "Bad gateway."}}, UnavailableError, "HTTP 502"),
    ],
)
@respx.mock
def test_http_failures_map_to_error_kinds_with_a_fix(
    status: int, body: dict[str, Any], error: type[Exception], says: str
) -> None:
    mock_api()
    route = respx.get(f"{USAGE}/completions").respond(
        status, json=body, headers={"retry-after": "1"}
    )

    with pytest.raises(error, match=says) as raised:
        fetch()

    assert route.call_count == (5 if status in (429, 500, 502) else 1)
    assert KEY not in str(raised.value)
    assert "sk-admin-****" not in str(raised.value)


@respx.mock
def test_a_transient_429_with_retry_after_recovers_within_the_retry_budget() -> None:
    mock_api()
    route = respx.get(COSTS)
    route.side_effect = [
        httpx.Response(429, json=fixture("error_429"), headers={"retry-after": "2"}),
        httpx.Response(200, json=fixture("costs_page1")),
        httpx.Response(200, json=fixture("costs_page2")),
    ]

    assert total_cost(fetch(), "reported") == COSTS_TOTAL
    assert route.call_count == 3


def _with_amount(value: object) -> list[dict[str, Any]]:
    page = fixture("costs_page2")
    page["data"][0]["results"][0]["amount"]["value"] = value
    return [page]


def _with_currency(currency: str) -> list[dict[str, Any]]:
    page = fixture("costs_page2")
    page["data"][0]["results"][0]["amount"]["currency"] = currency
    return [page]


def _completions(edit: Callable[[dict[str, Any]], None]) -> dict[str, Any]:
    page = fixture("completions_page2")
    edit(page["data"][0]["results"][0])
    return page


@pytest.mark.parametrize(
    ("usage_answer", "costs", "error"),
    [
        (httpx.Response(200, text="<html>not json</html>"), None, BadResponseError),
        (httpx.Response(200, content=b""), None, BadResponseError),
        (httpx.Response(200, json={"unexpected": True}), None, BadResponseError),
        (httpx.Response(200, json={"data": [{"start_time": "x"}]}), None, BadResponseError),
        (
            httpx.Response(200, json={"data": [{"start_time": 1, "end_time": 2}]}),
            None,
            BadResponseError,
        ),
        (
            httpx.Response(200, json=_completions(lambda r: r.update(input_tokens=-5))),
            None,
            BadResponseError,
        ),
        (
            httpx.Response(200, json=_completions(lambda r: r.update(input_cached_tokens=10**9))),
            None,
            BadResponseError,
        ),
        (None, _with_amount("twelve dollars"), BadResponseError),
        (None, _with_amount("NaN"), BadResponseError),
        (None, _with_currency("eur"), BadResponseError),
        (httpx.TimeoutException("slow"), None, TimeoutFailure),
        (httpx.ConnectError("refused"), None, UnavailableError),
    ],
)
@respx.mock
def test_broken_answers_become_one_clear_error(
    usage_answer: httpx.Response | Exception | None, costs: Pages | None, error: type[Exception]
) -> None:
    usage = standard_usage()
    usage["completions"] = [fixture("completions_page2")]
    mock_api(usage=usage, costs=costs)
    if usage_answer is not None:
        respx.get(f"{USAGE}/completions").mock(side_effect=[usage_answer] * 5)

    with pytest.raises(error) as raised:
        fetch()

    assert KEY not in str(raised.value)


@respx.mock
def test_unknown_fields_and_nulls_are_tolerated() -> None:
    page = fixture("completions_page2")
    result = page["data"][0]["results"][0]
    result["service_tier"] = "flex-ultra"
    result["brand_new_field"] = {"nested": [1, 2]}
    result["input_cache_write_tokens"] = None
    page["data"][0]["results"][0]["organization_id"] = "org-123"
    mock_api(usage={"completions": [page]}, costs=[fixture("costs_page2")])

    gpt5 = find(fetch(query(26, 27)), 26, "completions", "gpt-5-2025-08-07")
    assert (gpt5.input_tokens, gpt5.cache_write_tokens) == (200000, 0)


def test_the_client_config_never_shows_the_key() -> None:
    config = OpenAIProvider().client_config(settings())
    assert KEY not in repr(config)
    assert config.base_url == BASE


def test_the_base_url_comes_from_settings() -> None:
    custom = Settings(OPENAI_ADMIN_KEY=KEY, AIUSAGE_OPENAI_BASE_URL="http://127.0.0.1:8080/")
    assert OpenAIProvider().client_config(custom).base_url == "http://127.0.0.1:8080"


def test_openai_api_key_is_the_fallback_credential(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", KEY)
    loaded = Settings()
    assert OpenAIProvider().configured(loaded)
    assert not OpenAIProvider().configured(Settings(OPENAI_ADMIN_KEY=" "))


# --- test-keys -------------------------------------------------------------------------------


def check(key: str | None) -> KeyCheck:
    provider = OpenAIProvider()
    current = Settings() if key is None else settings(key)

    def connect(config: ClientConfig) -> httpx.AsyncClient:
        return build_client(config.base_url, headers=config.headers, auth=config.auth)

    (verdict,) = asyncio.run(provider.check_keys(current, connect))
    assert verdict.provider == "openai"
    return verdict


def test_a_missing_key_says_how_to_create_one() -> None:
    verdict = check(None)
    assert (verdict.status, verdict.credential) == ("missing", "OPENAI_ADMIN_KEY")
    assert "Organization Owner" in verdict.hint


@pytest.mark.parametrize(
    ("key", "status"),
    [
        ("sk-proj-" + "a" * 40, "wrong_kind"),
        ("sk-" + "b" * 48, "wrong_kind"),
        ("sk-svcacct-" + "c" * 40, "wrong_kind"),
        ("not-a-key", "malformed"),
    ],
)
@respx.mock
def test_a_key_that_is_not_an_admin_key_is_named_with_the_fix(key: str, status: str) -> None:
    route = respx.get(f"{USAGE}/completions")

    verdict = check(key)

    assert verdict.status == status
    assert "platform.openai.com/settings/organization/admin-keys" in verdict.hint
    assert key not in verdict.model_dump_json()
    assert not route.called


@respx.mock
def test_an_admin_key_is_probed_with_one_cheap_request() -> None:
    route = respx.get(f"{USAGE}/completions").respond(200, json=fixture("usage_empty"))

    verdict = check(KEY)

    assert verdict.status == "ok"
    assert route.call_count == 1
    request = route.calls[0].request
    assert request.headers["authorization"] == f"Bearer {KEY}"
    assert (request.url.params["limit"], request.url.params["bucket_width"]) == ("1", "1d")


@pytest.mark.parametrize(
    ("status", "body", "verdict_status"),
    [
        (401, fixture("error_401"), "rejected"),
        (403, fixture("error_403_scope"), "wrong_kind"),
        (401, fixture("error_403_scope"), "wrong_kind"),
        (503, fixture("error_500"), "unreachable"),
    ],
)
@respx.mock
def test_the_probe_outcome_becomes_a_verdict(
    status: int, body: dict[str, Any], verdict_status: str
) -> None:
    respx.get(f"{USAGE}/completions").respond(status, json=body)

    verdict = check(KEY)

    assert verdict.status == verdict_status
    if verdict_status != "unreachable":
        assert "admin-keys" in verdict.hint
    assert KEY not in verdict.model_dump_json()


def test_the_credential_is_named_after_the_variable_that_holds_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", "sk-proj-" + "a" * 40)

    verdict = check(None)

    assert (verdict.credential, verdict.status) == ("OPENAI_API_KEY", "wrong_kind")


# --- the command line ------------------------------------------------------------------------

REPORT = ["report", "--provider", "openai", "--format", "json"]
PERIOD = ["--since", "2026-01-24", "--until", "2026-01-27"]


@respx.mock
def test_report_json_carries_the_exact_totals(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENAI_ADMIN_KEY", KEY)
    mock_api()

    result = CliRunner().invoke(app, [*REPORT, *PERIOD])

    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    records = [r for r in document["records"] if r["provider"] == "openai"]
    assert sum(r["input_tokens"] for r in records) == 2644385
    assert sum(r["output_tokens"] for r in records) == 180168
    assert sum(r["cache_read_tokens"] for r in records) == 2277344
    assert sum(r["cache_write_tokens"] for r in records) == 20000
    assert sum(r["requests"] or 0 for r in records) == 883
    reported = sum(
        (Decimal(str(r["cost_usd"])) for r in records if r["cost_kind"] == "reported"), Decimal(0)
    )
    assert reported == COSTS_TOTAL
    assert {r["product"] for r in records} >= {"completions", "embeddings", "Image models"}
    assert document["errors"] == []
    assert KEY not in result.output
    assert KEY not in result.stderr


@respx.mock
def test_report_shows_a_rejected_key_as_an_error_without_the_key(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("OPENAI_ADMIN_KEY", KEY)
    # --debug configures the root logger; give it back untouched to the other tests.
    monkeypatch.setattr(logging.root, "handlers", [])
    monkeypatch.setattr(logging.root, "level", logging.root.level)
    body = fixture("error_401")
    body["error"]["message"] = f"Incorrect API key provided: {KEY}."
    mock_api()
    respx.get(f"{USAGE}/completions").respond(401, json=body)

    result = CliRunner().invoke(app, ["--debug", *REPORT, *PERIOD])

    assert result.exit_code == 1
    document = json.loads(result.stdout)
    assert [(e["provider"], e["kind"]) for e in document["errors"]] == [("openai", "auth")]
    assert "admin-keys" in document["errors"][0]["message"]
    assert KEY not in result.output
    assert KEY not in result.stderr
    assert "Traceback" not in result.output
