"""Gemini rate limits as Quota rows: today's use per model, Pacific-midnight resets, no-limit."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import respx

from aiusage.models import Quota
from aiusage.sources.api.gemini.quotas import limit_value, pacific_day
from tests.sources.api.gemini.test_gemini import (
    FREE_INPUT,
    FREE_REQUESTS,
    PROJECT,
    USAGE_PAGES,
    FakeMonitoring,
    Pages,
    mock_monitoring,
    query,
    run_fetch,
    settings_for,
    token_route,
    write_service_account,
)

NOW = datetime(2026, 8, 20, 18, 30, tzinfo=UTC)  # 11:30 in Los Angeles (PDT)
TODAY_PAGES: dict[tuple[str, str], Pages] = {
    (FREE_REQUESTS, "86400s"): ["gemini/free_tier_requests.json"],
    (FREE_INPUT, "86400s"): ["gemini/free_tier_input_tokens.json"],
    (FREE_REQUESTS, "60s"): ["gemini/today_free_tier_requests.json"],
    (FREE_INPUT, "60s"): ["gemini/today_free_tier_input_tokens.json"],
    (FREE_REQUESTS.replace("/usage", "/limit"), "86400s"): ["gemini/limit_free_tier_requests.json"],
    (FREE_INPUT.replace("/usage", "/limit"), "86400s"): [
        "gemini/limit_free_tier_input_tokens.json"
    ],
}


def fetch_quotas(tmp_path: Path, fake: FakeMonitoring) -> tuple[dict[str, Quota], list[str]]:
    token_route()
    mock_monitoring(fake)
    result = run_fetch(
        settings_for(write_service_account(tmp_path)),
        query(datetime(2026, 8, 18, tzinfo=UTC), datetime(2026, 8, 21, tzinfo=UTC)),
        now=NOW,
    )
    return {q.name: q for q in result.quotas}, list(result.warnings)


@respx.mock
def test_todays_requests_and_tokens_are_shown_against_their_limits(tmp_path: Path) -> None:
    quotas, _ = fetch_quotas(tmp_path, FakeMonitoring(TODAY_PAGES))

    rpd = quotas["gemini-2.5-flash requests per day (free tier)"]
    assert (rpd.used, rpd.limit, rpd.unit) == (Decimal(21), Decimal(250), "requests")
    assert rpd.resets_at == datetime(2026, 8, 21, 7, tzinfo=UTC)  # midnight in Los Angeles
    assert rpd.scope == PROJECT and rpd.observed_at == NOW
    rpm = quotas["gemini-2.5-flash requests per minute, busiest minute today (free tier)"]
    assert (rpm.used, rpm.limit, rpm.resets_at) == (Decimal(12), Decimal(15), None)
    tpm = quotas["gemini-2.5-flash input tokens per minute, busiest minute today (free tier)"]
    assert (tpm.used, tpm.limit, tpm.unit) == (Decimal(180000), Decimal(250000), "tokens")
    assert len(quotas) == 4


@respx.mock
def test_an_int64_maximum_limit_is_no_limit(tmp_path: Path) -> None:
    quotas, _ = fetch_quotas(tmp_path, FakeMonitoring(TODAY_PAGES))

    tpd = quotas["gemini-2.5-flash input tokens per day (free tier)"]
    assert tpd.used == Decimal(230000)
    assert tpd.limit is None and tpd.percent is None


@respx.mock
def test_todays_usage_is_read_per_minute_from_pacific_midnight(tmp_path: Path) -> None:
    fake = FakeMonitoring(TODAY_PAGES)
    fetch_quotas(tmp_path, fake)

    (today,) = [
        r
        for r in fake.calls_for(FREE_REQUESTS)
        if r.url.params["aggregation.alignmentPeriod"] == "60s"
    ]
    assert today.url.params["interval.startTime"] == "2026-08-20T07:00:00Z"
    assert today.url.params["interval.endTime"] == "2026-08-20T18:31:00Z"
    (limit,) = fake.calls_for(FREE_REQUESTS.replace("/usage", "/limit"))
    assert limit.url.params["aggregation.perSeriesAligner"] == "ALIGN_MAX"
    assert limit.url.params.get_list("aggregation.groupByFields") == [
        "metric.labels.model",
        "metric.labels.limit_name",
    ]


@respx.mock
def test_only_the_tier_whose_metrics_carry_data_is_asked_for_limits(tmp_path: Path) -> None:
    fake = FakeMonitoring(TODAY_PAGES)
    fetch_quotas(tmp_path, fake)

    limit_calls = [r for r in fake.requests if "/limit" in r.url.params["filter"]]
    assert {r.url.params["filter"].split('"')[1].split("/quota/")[1] for r in limit_calls} == {
        "generate_content_free_tier_requests/limit",
        "generate_content_free_tier_input_token_count/limit",
    }


@respx.mock
def test_a_model_whose_limit_monitoring_does_not_show_is_left_out_with_a_warning(
    tmp_path: Path,
) -> None:
    pages = dict(TODAY_PAGES)
    pages[(FREE_INPUT.replace("/usage", "/limit"), "86400s")] = [
        "gemini/limit_free_tier_requests.json"
    ]
    quotas, warnings = fetch_quotas(tmp_path, FakeMonitoring(pages))

    assert not any("input tokens" in name for name in quotas)
    assert any("no rate limit" in w and "gemini-2.5-flash" in w for w in warnings)


@respx.mock
def test_a_past_period_asks_for_no_quotas(tmp_path: Path) -> None:
    token_route()
    fake = mock_monitoring(FakeMonitoring(USAGE_PAGES))

    result = run_fetch(settings_for(write_service_account(tmp_path)), query(), now=NOW)

    assert result.quotas == ()
    assert not any(r.url.params["aggregation.alignmentPeriod"] == "60s" for r in fake.requests)


def test_the_daily_reset_is_midnight_in_los_angeles_in_summer_and_winter() -> None:
    assert pacific_day(NOW) == (
        datetime(2026, 8, 20, 7, tzinfo=UTC),
        datetime(2026, 8, 21, 7, tzinfo=UTC),
    )
    winter = datetime(2026, 12, 1, 10, tzinfo=UTC)
    assert pacific_day(winter) == (
        datetime(2026, 12, 1, 8, tzinfo=UTC),
        datetime(2026, 12, 2, 8, tzinfo=UTC),
    )
    late_evening = datetime(2026, 8, 20, 5, tzinfo=UTC)  # still 19 August in Los Angeles
    assert pacific_day(late_evening)[0] == datetime(2026, 8, 19, 7, tzinfo=UTC)


def test_the_daylight_saving_day_is_23_hours_long() -> None:
    start, reset = pacific_day(datetime(2026, 3, 8, 12, tzinfo=UTC))
    assert (reset - start).total_seconds() == 23 * 3600


def test_limit_values() -> None:
    assert limit_value(9223372036854775807) is None
    assert limit_value(-1) is None
    assert limit_value(1500) == Decimal(1500)
