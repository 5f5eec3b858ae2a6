"""OpenAI usage and costs merged: every reported dollar lands once, estimates worked by hand.

Payloads are written inline, shaped like ../shared/reference/openai.md. Prices for estimates are
genai-prices' data for gpt-4o-mini, in dollars per million tokens: input 0.15, cached input
0.075, output 0.60; it publishes no cache-write price, so written input pays the input rate.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import pytest
import respx

from aiusage.errors import BadResponseError
from aiusage.http_client import build_client
from aiusage.models import Period, SourceResult, UsageQuery, UsageRecord
from aiusage.settings import Settings
from aiusage.sources.api.openai.client import ENDPOINTS
from aiusage.sources.api.openai.provider import OpenAIProvider
from aiusage.sources.api.openai.records import build_records, split_costs, tally_usage
from aiusage.sources.api.openai.wire import Bucket, CostResult, UsageResult

BASE = "https://api.openai.com/v1/organization"
KEY = "sk-admin-" + "M" * 40 + "oney"
DAY = datetime(2026, 1, 24, tzinfo=UTC)
START = int(DAY.timestamp())
MINI = "gpt-4o-mini-2024-07-18"


def page(results: list[dict[str, Any]], *later: list[dict[str, Any]]) -> dict[str, Any]:
    """One page of daily buckets from DAY on: ``results`` on DAY, ``later`` on the days after."""
    data = [
        {"object": "bucket", "start_time": START + n * 86_400,
         "end_time": START + (n + 1) * 86_400, "results": day}
        for n, day in enumerate((results, *later))
    ]  # fmt: skip
    return {"object": "page", "data": data, "has_more": False, "next_page": None}


def completions(
    model: str | None,
    input_tokens: int,
    output_tokens: int,
    *,
    cached: int = 0,
    written: int = 0,
    requests: int = 1,
    project: str | None = None,
) -> dict[str, Any]:
    return {
        "object": "organization.usage.completions.result",
        "input_tokens": input_tokens,
        "output_tokens": output_tokens,
        "input_cached_tokens": cached,
        "input_cache_write_tokens": written,
        "num_model_requests": requests,
        "project_id": project,
        "user_id": None,
        "api_key_id": None,
        "model": model,
        "batch": None,
    }


def cost(line_item: str, value: str, project: str | None) -> dict[str, Any]:
    return {
        "object": "organization.costs.result",
        "amount": {"value": value, "currency": "usd"},
        "line_item": line_item,
        "project_id": project,
    }


def fetch(
    usage: dict[str, Any], costs: list[dict[str, Any]], dimension: str | None
) -> SourceResult:
    """The provider's answer to one query from DAY to the day after the last bucket."""
    for endpoint in ENDPOINTS:
        results = usage.get(endpoint.kind, [])
        answer = results if isinstance(results, dict) else page(results)
        respx.get(f"{BASE}/usage/{endpoint.kind}").respond(200, json=answer)
    respx.get(f"{BASE}/costs").respond(200, json=page(costs))
    settings = Settings(OPENAI_ADMIN_KEY=KEY)
    query = UsageQuery(period=Period(since=DAY, until=datetime(2026, 1, 26, tzinfo=UTC)),
                       dimension=dimension)  # fmt: skip
    provider = OpenAIProvider()
    config = provider.client_config(settings)

    async def go() -> SourceResult:
        async with build_client(config.base_url, auth=config.auth) as client:
            return await provider.fetch(client, settings, query)

    return asyncio.run(go())


def rows(result: SourceResult) -> list[tuple[str | None, str | None, str | None, Decimal | None]]:
    return [(r.product, r.model, r.scope, r.cost_usd) for r in result.records]


def only(result: SourceResult, product: str) -> UsageRecord:
    (record,) = [r for r in result.records if r.product == product]
    return record


@respx.mock
def test_one_line_item_billed_to_two_projects_lands_whole_on_its_model() -> None:
    result = fetch(
        {"completions": [completions(MINI, 1_000_000, 100_000)]},
        [
            cost(f"{MINI}, input", "0.10", "proj_a"),
            cost(f"{MINI}, input", "0.05", "proj_b"),
            cost(f"{MINI}, output", "0.06", "proj_a"),
        ],
        dimension=None,
    )
    assert rows(result) == [("completions", MINI, None, Decimal("0.21"))]
    assert result.records[0].cost_kind == "reported"


@respx.mock
def test_a_line_item_naming_no_model_for_two_projects_is_one_record() -> None:
    result = fetch(
        {},
        [cost("Image models", "0.04", "proj_a"), cost("Image models", "0.08", "proj_b")],
        dimension=None,
    )
    assert rows(result) == [("Image models", None, None, Decimal("0.12"))]


@respx.mock
def test_by_project_a_line_item_keeps_each_project_s_dollars_apart() -> None:
    result = fetch(
        {},
        [
            cost("Image models", "0.04", "proj_a"),
            cost("Image models", "0.01", "proj_a"),
            cost("Image models", "0.08", "proj_b"),
        ],
        dimension="project",
    )
    assert rows(result) == [
        ("Image models", None, "proj_a", Decimal("0.05")),
        ("Image models", None, "proj_b", Decimal("0.08")),
    ]


@respx.mock
def test_results_of_one_model_in_one_bucket_add_up_and_are_estimated_by_hand() -> None:
    result = fetch(
        {
            "completions": [
                # e.g. the batch and the synchronous share of one model and day
                completions(MINI, 1_000, 50, cached=200, written=100, requests=2),
                completions(MINI, 3_000, 150, cached=1_000, requests=3),
            ]
        },
        [],
        dimension=None,
    )
    record = only(result, "completions")
    # uncached input (1,000 - 200 - 100) + (3,000 - 1,000) = 2,700
    assert (record.input_tokens, record.output_tokens) == (2_700, 200)
    assert (record.cache_read_tokens, record.cache_write_tokens) == (1_200, 100)
    assert record.requests == 5
    # 2,700 x 0.15 + 200 x 0.60 + 1,200 x 0.075 + 100 x 0.15 = 405 + 120 + 90 + 15 per million
    assert (record.cost_usd, record.cost_kind) == (Decimal("0.00063"), "estimated")


@respx.mock
def test_a_line_item_spelled_like_an_endpoint_joins_that_endpoint_s_record() -> None:
    sessions = {"object": "organization.usage.code_interpreter_sessions.result",
                "num_sessions": 4, "project_id": None}  # fmt: skip
    result = fetch(
        {"code_interpreter_sessions": [sessions]},
        [
            cost("code_interpreter_sessions", "0.09", None),
            cost("code_interpreter_sessions", "0.03", None),
            cost("Image models", "0.5", None),
        ],
        dimension=None,
    )
    record = only(result, "code_interpreter_sessions")
    assert (record.requests, record.cost_usd, record.cost_kind) == (4, Decimal("0.12"), "reported")
    assert (record.model, record.scope, record.start) == (None, None, DAY)
    assert only(result, "Image models").cost_usd == Decimal("0.5")


@respx.mock
def test_a_name_two_snapshots_share_is_left_to_a_record_of_its_own() -> None:
    result = fetch(
        {
            "completions": [
                completions("gpt-4o-2024-08-06", 1_000, 10),
                completions("gpt-4o-2024-11-20", 1_000, 10),
            ]
        },
        [cost("gpt-4o, input", "0.02", None)],
        dimension=None,
    )
    assert ("gpt-4o, input", None, None, Decimal("0.02")) in rows(result)
    # The day's bill has dollars no single model claims: the tokens are not estimated on top.
    assert [r.cost_usd for r in result.records if r.model] == [None, None]


@respx.mock
def test_records_come_ordered_by_day_product_model_and_scope() -> None:
    first_day = [
        completions(MINI, 10, 1, project="proj_b"),
        completions(MINI, 10, 1, project=None),  # usage of no project: before any project
        completions(MINI, 10, 1, project="proj_a"),
        completions("gpt-4.1-nano", 10, 1, project="proj_b"),
    ]
    result = fetch(
        {"completions": page(first_day, [completions(MINI, 10, 1, project="proj_a")])},
        [cost("Web search tool calls", "0.01", "proj_a")],
        dimension="project",
    )
    assert [(r.start.day, r.product, r.model, r.scope) for r in result.records] == [
        (24, "Web search tool calls", None, "proj_a"),
        (24, "completions", "gpt-4.1-nano", "proj_b"),
        (24, "completions", MINI, None),
        (24, "completions", MINI, "proj_a"),
        (24, "completions", MINI, "proj_b"),
        (25, "completions", MINI, "proj_a"),
    ]


@respx.mock
def test_a_cost_line_without_a_line_item_or_amount_loses_no_other_dollar() -> None:
    nameless = {"object": "organization.costs.result", "amount": {"value": "0.07",
                "currency": "usd"}, "line_item": None, "project_id": None}  # fmt: skip
    amountless = {"object": "organization.costs.result", "amount": None,
                  "line_item": "Image models", "project_id": None}  # fmt: skip
    valueless = dict(cost("Web search tool calls", "0", None), amount={"value": None,
                     "currency": "usd"})  # fmt: skip
    result = fetch(
        {},
        [amountless, valueless, nameless, cost("Image models", "0.02", None)],
        dimension=None,
    )
    assert {(r.product, r.cost_usd) for r in result.records} == {
        ("other", Decimal("0.07")),
        ("Image models", Decimal("0.02")),
        ("Web search tool calls", Decimal(0)),
    }
    assert result.warnings == (
        "2 OpenAI cost line(s) came without an amount and count as $0, so the reported dollars "
        "may be short (line items: Image models, Web search tool calls)",
    )


@respx.mock
def test_a_line_without_an_amount_does_not_hide_a_foreign_currency_after_it() -> None:
    amountless = {"object": "organization.costs.result", "amount": None,
                  "line_item": "Image models", "project_id": None}  # fmt: skip
    euros = dict(cost("Image models", "0.01", None), amount={"value": "0.01", "currency": "eur"})
    with pytest.raises(BadResponseError):
        fetch({}, [amountless, euros], dimension=None)


@respx.mock
def test_rows_held_back_and_unpriced_models_are_counted_and_named_in_warnings() -> None:
    result = fetch(
        {
            "completions": [
                completions("gpt-9-preview", 10, 1),
                completions("gpt-9-mini", 10, 1),
                completions(MINI, 10, 1),
            ]
        },
        [],
        dimension=None,
    )
    assert result.warnings == (
        "no published price for OpenAI model(s) gpt-9-mini, gpt-9-preview: "
        "their cost is left blank",
    )
    held = fetch(
        {"completions": [completions(MINI, 10, 1), completions("gpt-4.1-nano", 10, 1)]},
        [cost("Image models", "0.01", None)],
        dimension=None,
    )
    assert held.warnings == (
        "2 OpenAI row(s) have no cost line of their own on days whose bill has line items "
        "that name no model; they are left unpriced so no dollar counts twice",
    )


@respx.mock
def test_a_bill_in_another_currency_is_a_bad_response_that_names_it() -> None:
    euros = dict(cost("Image models", "0.01", None), amount={"value": "0.01", "currency": "eur"})
    with pytest.raises(BadResponseError) as raised:
        fetch({}, [euros], dimension=None)
    assert raised.value.message == "OpenAI reported cost in 'eur', not US dollars"


# --- the merging rules one by one, on wire objects ----------------------------------------------

ENDPOINT = {endpoint.kind: endpoint for endpoint in ENDPOINTS}


def usage_bucket(results: list[dict[str, Any]]) -> Bucket[UsageResult]:
    return Bucket[UsageResult].model_validate(page(results)["data"][0])


def cost_bucket(results: list[dict[str, Any]]) -> Bucket[CostResult]:
    return Bucket[CostResult].model_validate(page(results)["data"][0])


def test_a_models_dollars_go_to_the_first_endpoint_in_attribution_order() -> None:
    # Read in another order than ENDPOINTS (and alphabetically first): the order must not matter.
    tallies = tally_usage(
        [
            (
                ENDPOINT["audio_transcriptions"],
                usage_bucket([completions("gpt-4o-transcribe", 0, 0)]),
            ),
            (ENDPOINT["completions"], usage_bucket([completions("gpt-4o-transcribe", 500, 20)])),
        ],
        None,
    )
    costs = split_costs(
        [cost_bucket([cost("gpt-4o-transcribe, input", "0.01", None)])], tallies, False
    )
    assert dict(costs.by_record) == {
        (DAY, "completions", "gpt-4o-transcribe", None): Decimal("0.01")
    }


def test_a_line_item_naming_one_snapshot_exactly_goes_to_that_snapshot() -> None:
    tallies = tally_usage(
        [
            (
                ENDPOINT["completions"],
                usage_bucket(
                    [
                        completions("gpt-4o-2024-08-06", 100, 1),
                        completions("gpt-4o-2024-11-20", 100, 1),
                    ]
                ),
            )
        ],
        None,
    )
    costs = split_costs(
        [cost_bucket([cost("GPT-4o-2024-11-20, input", "0.03", None)])], tallies, False
    )
    assert dict(costs.by_record) == {
        (DAY, "completions", "gpt-4o-2024-11-20", None): Decimal("0.03")
    }
    assert not costs.unattributed


def test_all_input_cached_or_written_is_fine_more_is_a_bad_response() -> None:
    whole = completions(MINI, 1_000, 10, cached=600, written=400)
    (tally,) = tally_usage([(ENDPOINT["completions"], usage_bucket([whole]))], None).values()
    assert (tally.input_tokens, tally.cache_read_tokens, tally.cache_write_tokens) == (0, 600, 400)
    too_much = completions(MINI, 1_000, 10, cached=700, written=400)
    with pytest.raises(BadResponseError) as raised:
        tally_usage([(ENDPOINT["completions"], usage_bucket([too_much]))], None)
    assert raised.value.message == (
        "OpenAI reported more cached than total input tokens for completions"
    )


def test_only_the_text_before_the_first_comma_names_the_model() -> None:
    tallies = tally_usage(
        [(ENDPOINT["completions"], usage_bucket([completions(MINI, 100, 1)]))], None
    )
    costs = split_costs(
        [cost_bucket([cost(f"{MINI}, cached input, batch", "0.04", None)])], tallies, False
    )
    assert dict(costs.by_record) == {(DAY, "completions", MINI, None): Decimal("0.04")}


def test_a_missing_model_or_scope_sorts_before_any_name_whatever_its_case() -> None:
    # Ids are opaque: upper case sorts before lower case, and still after "no value".
    results = [
        completions("Custom-FT", 10, 1, project="A"),
        completions("Custom-FT", 10, 1),
        completions(None, 10, 1, project="A"),
        completions(None, 10, 1),
    ]
    tallies = tally_usage([(ENDPOINT["completions"], usage_bucket(results))], "project_id")
    records = build_records(tallies, None).records
    assert [(r.model, r.scope) for r in records] == [
        (None, None),
        (None, "A"),
        ("Custom-FT", None),
        ("Custom-FT", "A"),
    ]
