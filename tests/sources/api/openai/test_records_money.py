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

import respx

from aiusage.http_client import build_client
from aiusage.models import Period, SourceResult, UsageQuery, UsageRecord
from aiusage.settings import Settings
from aiusage.sources.api.openai.client import ENDPOINTS
from aiusage.sources.api.openai.provider import OpenAIProvider

BASE = "https://api.openai.com/v1/organization"
KEY = "sk-admin-" + "M" * 40 + "oney"
DAY = datetime(2026, 1, 24, tzinfo=UTC)
START = int(DAY.timestamp())
MINI = "gpt-4o-mini-2024-07-18"


def page(results: list[dict[str, Any]]) -> dict[str, Any]:
    bucket = {"object": "bucket", "start_time": START, "end_time": START + 86_400}
    return {"object": "page", "data": [{**bucket, "results": results}], "has_more": False,
            "next_page": None}  # fmt: skip


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
    usage: dict[str, list[dict[str, Any]]], costs: list[dict[str, Any]], dimension: str | None
) -> SourceResult:
    for endpoint in ENDPOINTS:
        respx.get(f"{BASE}/usage/{endpoint.kind}").respond(
            200, json=page(usage.get(endpoint.kind, []))
        )
    respx.get(f"{BASE}/costs").respond(200, json=page(costs))
    settings = Settings(OPENAI_ADMIN_KEY=KEY)  # type: ignore[call-arg]
    query = UsageQuery(period=Period(since=DAY, until=datetime(2026, 1, 25, tzinfo=UTC)),
                       dimension=dimension)  # type: ignore[arg-type]  # fmt: skip
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
        ],
        dimension=None,
    )
    record = only(result, "code_interpreter_sessions")
    assert (record.requests, record.cost_usd, record.cost_kind) == (4, Decimal("0.12"), "reported")
    assert (record.model, record.scope, record.start) == (None, None, DAY)


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
def test_records_come_ordered_by_product_model_and_scope() -> None:
    result = fetch(
        {
            "completions": [
                completions(MINI, 10, 1, project="proj_b"),
                completions(MINI, 10, 1, project="proj_a"),
                completions("gpt-4.1-nano", 10, 1, project="proj_b"),
            ],
        },
        [cost("Web search tool calls", "0.01", "proj_a")],
        dimension="project",
    )
    assert [(r.product, r.model, r.scope) for r in result.records] == [
        ("Web search tool calls", None, "proj_a"),
        ("completions", "gpt-4.1-nano", "proj_b"),
        ("completions", MINI, "proj_a"),
        ("completions", MINI, "proj_b"),
    ]
