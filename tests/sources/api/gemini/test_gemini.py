"""The Gemini provider, from a generated service-account file to per-model records (respx)."""

from __future__ import annotations

import asyncio
import base64
import json
import re
from collections.abc import Callable
from datetime import UTC, datetime
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

import httpx
import pytest
import respx
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from aiusage.errors import (
    AuthError,
    ForbiddenError,
    NotFoundError,
    RateLimitedError,
    UnavailableError,
)
from aiusage.http_client import build_client
from aiusage.models import Period, SourceResult, UsageQuery, UsageRecord
from aiusage.settings import Settings
from aiusage.sources.api.gemini.provider import GeminiProvider, fetch_usage
from tests.conftest import load_fixture

PROJECT = "gen-lang-client-0123456789"
MONITORING = "https://monitoring.googleapis.com"
SERIES_URL = f"{MONITORING}/v3/projects/{PROJECT}/timeSeries"
TOKEN_URI = "https://oauth2.googleapis.com/token"
EMAIL = f"aiusage-reader@{PROJECT}.iam.gserviceaccount.com"
ACCESS_TOKEN = "ya29.c.test-access-token"
GL = "generativelanguage.googleapis.com"
OUTPUT = f"{GL}/generate_content_usage_output_token_count"
FREE_INPUT = f"{GL}/quota/generate_content_free_tier_input_token_count/usage"
FREE_REQUESTS = f"{GL}/quota/generate_content_free_tier_requests/usage"
TIER3_REQUESTS = f"{GL}/quota/generate_content_paid_tier_3_requests/usage"
TIER3_INPUT = f"{GL}/quota/generate_content_paid_tier_3_input_token_count/usage"
VERTEX_TOKENS = "aiplatform.googleapis.com/publisher/online_serving/token_count"
VERTEX_REQUESTS = "aiplatform.googleapis.com/publisher/online_serving/model_invocation_count"
_METRIC = re.compile(r'metric\.type = "([^"]+)"')

Pages = list[str] | int  # fixture names in page order, or an HTTP status (error fixture)
USAGE_PAGES: dict[tuple[str, str], Pages] = {
    (OUTPUT, "86400s"): ["gemini/output_tokens_page1.json", "gemini/output_tokens_page2.json"],
    (FREE_INPUT, "86400s"): ["gemini/free_tier_input_tokens.json"],
    (FREE_REQUESTS, "86400s"): ["gemini/free_tier_requests.json"],
    (VERTEX_TOKENS, "86400s"): ["gemini/vertex_token_count.json"],
    (VERTEX_REQUESTS, "86400s"): ["gemini/vertex_invocation_count.json"],
    (TIER3_REQUESTS, "86400s"): 404,
    (TIER3_INPUT, "86400s"): 404,
}
ERROR_FIXTURES = {
    401: "gemini/error_401_api_key.json",
    403: "gemini/error_403.json",
    404: "gemini/error_404_metric.json",
    429: "gemini/error_429.json",
    503: "gemini/error_503.json",
}


@cache
def private_key_pem() -> str:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()


def service_account_info(**overrides: Any) -> dict[str, Any]:
    info: dict[str, Any] = {
        "type": "service_account",
        "project_id": PROJECT,
        "private_key_id": "0123456789abcdef0123456789abcdef01234567",
        "private_key": private_key_pem(),
        "client_email": EMAIL,
        "client_id": "112233445566778899000",
        "auth_uri": "https://accounts.google.com/o/oauth2/auth",
        "token_uri": TOKEN_URI,
        "universe_domain": "googleapis.com",
    }
    info.update(overrides)
    return {k: v for k, v in info.items() if v is not None}


def write_service_account(folder: Path, **overrides: Any) -> Path:
    path = folder / "service-account.json"
    path.write_text(json.dumps(service_account_info(**overrides)))
    return path


def settings_for(path: Path, **env: str) -> Settings:
    values: dict[str, Any] = {"GOOGLE_APPLICATION_CREDENTIALS": str(path), **env}
    return Settings(**values)


def token_route() -> respx.Route:
    return respx.post(TOKEN_URI).respond(200, json=load_fixture("gemini/token.json"))


class FakeMonitoring:
    """timeSeries.list keyed by (metric type, alignment period); unknown keys are empty pages."""

    def __init__(self, pages: dict[tuple[str, str], Pages] | None = None) -> None:
        self.pages = dict(USAGE_PAGES if pages is None else pages)
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        params = request.url.params
        match = _METRIC.search(params["filter"])
        assert match is not None
        pages = self.pages.get((match[1], params["aggregation.alignmentPeriod"]))
        if pages is None:
            return httpx.Response(200, json={"unit": "1"})  # nothing matched: no timeSeries
        if isinstance(pages, int):
            return httpx.Response(pages, json=load_fixture(ERROR_FIXTURES[pages]))
        token = params.get("pageToken")
        previous: str | None = None
        for name in pages:
            body = load_fixture(name)
            if previous == token or (token is None and previous is None):
                return httpx.Response(200, json=body)
            previous = body.get("nextPageToken")
        return httpx.Response(400, json={"error": {"code": 400, "message": "bad page token"}})

    def calls_for(self, metric: str) -> list[httpx.Request]:
        return [r for r in self.requests if f'"{metric}"' in r.url.params["filter"]]


def day(d: int, month: int = 8) -> datetime:
    return datetime(2026, month, d, tzinfo=UTC)


AUG_18, AUG_20, AUG_25 = day(18), day(20), day(25)


def query(since: datetime = AUG_18, until: datetime = AUG_20, **kw: Any) -> UsageQuery:
    return UsageQuery(period=Period(since=since, until=until), **kw)


def run_fetch(
    settings: Settings,
    q: UsageQuery,
    now: datetime = AUG_25,
    provider: GeminiProvider | None = None,
) -> SourceResult:
    provider = provider or GeminiProvider()
    config = provider.client_config(settings)

    async def go() -> SourceResult:
        async with build_client(config.base_url, auth=config.auth) as client:
            return await fetch_usage(client, settings, q, now)

    return asyncio.run(go())


def mock_monitoring(fake: FakeMonitoring | None = None) -> FakeMonitoring:
    fake = fake or FakeMonitoring()
    respx.get(SERIES_URL).mock(side_effect=fake)
    return fake


def by_key(records: tuple[UsageRecord, ...]) -> dict[tuple[datetime, str | None, str | None], Any]:
    return {(r.start, r.model, r.product): r for r in records}


@respx.mock
def test_whole_flow_from_a_service_account_file_gives_exact_per_model_totals(
    tmp_path: Path,
) -> None:
    token_route()
    mock_monitoring()

    result = run_fetch(settings_for(write_service_account(tmp_path)), query())

    records = by_key(result.records)
    flash_19 = records[(day(19), "gemini-2.5-flash", "Gemini API")]
    assert (flash_19.input_tokens, flash_19.output_tokens, flash_19.requests) == (
        120000,
        48213,
        40,
    )
    flash_18 = records[(day(18), "gemini-2.5-flash", "Gemini API")]
    assert (flash_18.input_tokens, flash_18.output_tokens, flash_18.requests) == (15000, 3922, 7)
    assert flash_19.end == day(20) and flash_19.scope is None
    # 120,000 x $0.30/MTok + 48,213 x $2.50/MTok
    assert flash_19.cost_usd == Decimal("0.1565325")
    assert flash_19.cost_kind == "estimated"
    assert sum(r.input_tokens for r in result.records) == 15000 + 120000 + 30000 + 33 + 10000
    assert sum(r.output_tokens for r in result.records) == 3922 + 48213 + 1200 + 77 + 2000


@respx.mock
def test_identical_limit_name_copies_are_counted_once(tmp_path: Path) -> None:
    token_route()
    fake = mock_monitoring()

    result = run_fetch(settings_for(write_service_account(tmp_path)), query())

    flash = [r for r in result.records if r.model == "gemini-2.5-flash"]
    assert sum(r.input_tokens for r in flash) == 135000  # not 270000
    assert sum(r.requests or 0 for r in flash) == 47  # not 94
    (call,) = fake.calls_for(FREE_INPUT)
    assert call.url.params.get_list("aggregation.groupByFields") == [
        "metric.labels.model",
        "metric.labels.limit_name",
    ]


@respx.mock
def test_the_bearer_token_comes_from_a_jwt_signed_with_the_file_key(tmp_path: Path) -> None:
    token = token_route()
    fake = mock_monitoring()

    run_fetch(settings_for(write_service_account(tmp_path)), query())

    assert token.call_count == 1  # one refresh shared by every concurrent query
    form = parse_qs(token.calls.last.request.content.decode())
    assert form["grant_type"] == ["urn:ietf:params:oauth:grant-type:jwt-bearer"]
    header, payload, signature = form["assertion"][0].split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=="))
    assert claims["iss"] == EMAIL
    assert claims["aud"] == TOKEN_URI
    assert claims["scope"] == "https://www.googleapis.com/auth/monitoring.read"
    public = serialization.load_pem_private_key(private_key_pem().encode(), None).public_key()
    assert isinstance(public, rsa.RSAPublicKey)
    public.verify(
        base64.urlsafe_b64decode(signature + "=="),
        f"{header}.{payload}".encode(),
        padding.PKCS1v15(),
        hashes.SHA256(),
    )
    assert {r.headers["authorization"] for r in fake.requests} == {f"Bearer {ACCESS_TOKEN}"}


@respx.mock
def test_queries_are_aligned_summed_and_grouped_as_documented(tmp_path: Path) -> None:
    token_route()
    fake = mock_monitoring()

    run_fetch(settings_for(write_service_account(tmp_path)), query())

    first = fake.calls_for(OUTPUT)[0].url.params
    assert first["filter"] == (f'metric.type = "{OUTPUT}" AND resource.type = "{GL}/Location"')
    assert first["interval.startTime"] == "2026-08-18T00:00:00Z"
    assert first["interval.endTime"] == "2026-08-20T00:00:00Z"
    assert first["aggregation.alignmentPeriod"] == "86400s"
    assert first["aggregation.perSeriesAligner"] == "ALIGN_SUM"
    assert first["aggregation.crossSeriesReducer"] == "REDUCE_SUM"
    assert first.get_list("aggregation.groupByFields") == ["metric.labels.model"]
    vertex = fake.calls_for(VERTEX_TOKENS)[0].url.params
    assert "aiplatform.googleapis.com/PublisherModel" in vertex["filter"]
    assert "metric.labels.type" in vertex.get_list("aggregation.groupByFields")


@respx.mock
def test_follows_next_page_token_to_the_end(tmp_path: Path) -> None:
    token_route()
    fake = mock_monitoring()

    result = run_fetch(settings_for(write_service_account(tmp_path)), query())

    first, second = fake.calls_for(OUTPUT)
    assert "pageToken" not in first.url.params
    assert (
        second.url.params["pageToken"]
        == load_fixture("gemini/output_tokens_page1.json")["nextPageToken"]
    )
    assert any(r.model == "gemini-nebula-exp" for r in result.records)  # only on page 2


@respx.mock
def test_hourly_granularity_aligns_to_3600s_and_buckets_by_hour(tmp_path: Path) -> None:
    token_route()
    hour_point = {
        "timeSeries": [
            {
                "metric": {"type": OUTPUT, "labels": {"model": "gemini-2.5-flash"}},
                "resource": {"type": f"{GL}/Location", "labels": {}},
                "points": [
                    {
                        "interval": {
                            "startTime": "2026-08-19T13:00:00Z",
                            "endTime": "2026-08-19T14:00:00Z",
                        },
                        "value": {"int64Value": "9000000000"},
                    }
                ],
            }
        ]
    }
    fake = FakeMonitoring({})
    respx.get(SERIES_URL).mock(
        side_effect=lambda request: (
            httpx.Response(200, json=hour_point)
            if f'"{OUTPUT}"' in request.url.params["filter"]
            else fake(request)
        )
    )

    result = run_fetch(settings_for(write_service_account(tmp_path)), query(granularity="1h"))

    (record,) = result.records
    assert record.start == datetime(2026, 8, 19, 13, tzinfo=UTC)
    assert record.end == datetime(2026, 8, 19, 14, tzinfo=UTC)
    assert record.output_tokens == 9_000_000_000  # int64 string, beyond 32 bits
    assert {r.url.params["aggregation.alignmentPeriod"] for r in fake.requests} == {"3600s"}


@respx.mock
def test_empty_time_series_give_no_records_and_no_error(tmp_path: Path) -> None:
    token_route()
    mock_monitoring(FakeMonitoring({}))

    result = run_fetch(settings_for(write_service_account(tmp_path)), query())

    assert result.records == () and result.quotas == () and result.warnings == ()


@respx.mock
def test_a_model_without_a_published_price_has_no_cost_and_a_warning_naming_it(
    tmp_path: Path,
) -> None:
    token_route()
    mock_monitoring()

    result = run_fetch(settings_for(write_service_account(tmp_path)), query())

    (unknown,) = [r for r in result.records if r.model == "gemini-nebula-exp"]
    assert unknown.cost_usd is None and unknown.cost_kind is None
    assert (unknown.input_tokens, unknown.output_tokens, unknown.requests) == (33, 77, 1)
    assert any("gemini-nebula-exp" in w and "unknown" in w for w in result.warnings)


@respx.mock
def test_a_name_monitoring_shortened_is_priced_as_the_preview_model(tmp_path: Path) -> None:
    token_route()
    mock_monitoring()

    result = run_fetch(settings_for(write_service_account(tmp_path)), query())

    pro = by_key(result.records)[(day(19), "gemini-3-pro-preview", "Gemini API")]
    assert (pro.input_tokens, pro.output_tokens, pro.requests) == (30000, 1200, 5)
    assert pro.cost_usd == Decimal("0.0744")  # 30,000 x $2/MTok + 1,200 x $12/MTok
    assert not any("gemini-3-pro" in w for w in result.warnings)


@respx.mock
def test_vertex_gemini_tokens_count_and_other_publishers_are_named(tmp_path: Path) -> None:
    token_route()
    mock_monitoring()

    result = run_fetch(settings_for(write_service_account(tmp_path)), query())

    vertex = [r for r in result.records if r.product == "Vertex AI"]
    assert [(r.model, r.input_tokens, r.output_tokens, r.requests) for r in vertex] == [
        ("gemini-2.5-pro", 10000, 2000, 3)
    ]
    assert any("anthropic" in w and "not counted" in w for w in result.warnings)


@respx.mock
def test_free_tier_and_caveat_warnings_are_given(tmp_path: Path) -> None:
    token_route()
    mock_monitoring()

    result = run_fetch(settings_for(write_service_account(tmp_path)), query())

    assert any("free-tier" in w for w in result.warnings)
    assert any("cached input is not split out" in w for w in result.warnings)


@respx.mock
def test_grouping_by_project_puts_the_project_in_scope(tmp_path: Path) -> None:
    token_route()
    mock_monitoring()

    result = run_fetch(settings_for(write_service_account(tmp_path)), query(dimension="project"))

    assert {r.scope for r in result.records} == {PROJECT}


@respx.mock
def test_google_cloud_project_wins_over_the_file_project(tmp_path: Path) -> None:
    token_route()
    route = respx.get(f"{MONITORING}/v3/projects/other-project/timeSeries").respond(200, json={})

    run_fetch(
        settings_for(write_service_account(tmp_path), GOOGLE_CLOUD_PROJECT="other-project"),
        query(),
    )

    assert route.called


@respx.mock
def test_metrics_monitoring_does_not_define_are_skipped(tmp_path: Path) -> None:
    token_route()
    fake = mock_monitoring()

    result = run_fetch(settings_for(write_service_account(tmp_path)), query())

    assert fake.calls_for(TIER3_REQUESTS)  # asked, answered 404, no error
    assert result.records


@respx.mock
def test_when_no_metric_is_known_the_base_url_is_questioned(tmp_path: Path) -> None:
    token_route()
    respx.get(SERIES_URL).respond(404, json=load_fixture("gemini/error_404_metric.json"))

    with pytest.raises(NotFoundError, match="AIUSAGE_GOOGLE_MONITORING_URL"):
        run_fetch(settings_for(write_service_account(tmp_path)), query())


def failing_monitoring(status: int) -> Callable[[httpx.Request], httpx.Response]:
    return lambda request: httpx.Response(status, json=load_fixture(ERROR_FIXTURES[status]))


@respx.mock
def test_401_api_keys_not_supported_says_oauth_credentials_are_needed(tmp_path: Path) -> None:
    token_route()
    respx.get(SERIES_URL).mock(side_effect=failing_monitoring(401))

    with pytest.raises(AuthError) as caught:
        run_fetch(settings_for(write_service_account(tmp_path)), query())

    assert "API keys are not supported" in caught.value.message
    assert "OAuth credentials" in caught.value.message
    assert "GOOGLE_APPLICATION_CREDENTIALS" in caught.value.message


@respx.mock
def test_403_names_the_role_the_project_and_the_service_account(tmp_path: Path) -> None:
    token_route()
    respx.get(SERIES_URL).mock(side_effect=failing_monitoring(403))

    with pytest.raises(ForbiddenError) as caught:
        run_fetch(settings_for(write_service_account(tmp_path)), query())

    message = caught.value.message
    assert "roles/monitoring.viewer" in message and PROJECT in message and EMAIL in message


@respx.mock
def test_429_after_the_retries_is_rate_limited(tmp_path: Path) -> None:
    token_route()
    route = respx.get(SERIES_URL).mock(side_effect=failing_monitoring(429))

    with pytest.raises(RateLimitedError, match="HTTP 429"):
        run_fetch(settings_for(write_service_account(tmp_path)), query())

    assert route.call_count >= 5  # the first call and four retries, at least for one metric


@respx.mock
def test_5xx_after_the_retries_is_unavailable(tmp_path: Path) -> None:
    token_route()
    respx.get(SERIES_URL).mock(side_effect=failing_monitoring(503))

    with pytest.raises(UnavailableError, match="HTTP 503"):
        run_fetch(settings_for(write_service_account(tmp_path)), query())


@respx.mock
def test_a_5xx_that_recovers_is_retried_transparently(tmp_path: Path) -> None:
    token_route()
    fake = FakeMonitoring()
    failed: set[str] = set()

    def flaky(request: httpx.Request) -> httpx.Response:
        metric = request.url.params["filter"]
        if metric not in failed:
            failed.add(metric)
            return httpx.Response(503, json=load_fixture(ERROR_FIXTURES[503]))
        return fake(request)

    respx.get(SERIES_URL).mock(side_effect=flaky)

    result = run_fetch(settings_for(write_service_account(tmp_path)), query())

    assert sum(r.output_tokens for r in result.records) == 3922 + 48213 + 1200 + 77 + 2000


@respx.mock
def test_partial_failures_reported_by_monitoring_become_a_warning(tmp_path: Path) -> None:
    token_route()
    page = load_fixture("gemini/free_tier_requests.json")
    page["executionErrors"] = [{"code": 4, "message": "Deadline exceeded for some series."}]
    fake = FakeMonitoring({})
    respx.get(SERIES_URL).mock(
        side_effect=lambda request: (
            httpx.Response(200, json=page)
            if f'"{FREE_REQUESTS}"' in request.url.params["filter"]
            else fake(request)
        )
    )

    result = run_fetch(settings_for(write_service_account(tmp_path)), query())

    assert any("partial failures" in w for w in result.warnings)
    assert sum(r.requests or 0 for r in result.records) == 47 + 5 + 1
