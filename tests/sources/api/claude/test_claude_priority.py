"""Priority Tier usage through the legacy reports, whose cost report leaves its dollars out."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import respx

from tests.sources.api.claude.test_claude_paging import L_COST, L_USAGE, legacy

SONNET = "claude-sonnet-4-20250514"


def usage_result(tier: str | None, uncached: int, output: int, read: int = 0) -> dict[str, Any]:
    return {
        "uncached_input_tokens": uncached,
        "cache_creation": {"ephemeral_1h_input_tokens": 0, "ephemeral_5m_input_tokens": 0},
        "cache_read_input_tokens": read,
        "output_tokens": output,
        "model": SONNET,
        "workspace_id": None,
        "service_tier": tier,
    }


def day_bucket(day: int, results: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "starting_at": f"2025-08-0{day}T00:00:00Z",
        "ending_at": f"2025-08-0{day + 1}T00:00:00Z",
        "results": results,
    }


USAGE = {
    "data": [
        day_bucket(
            1,
            [
                usage_result("standard", 50_000, 10_000),
                usage_result("priority", 100_000, 20_000, read=1_000_000),
                usage_result("priority_on_demand", 0, 2_000),
            ],
        ),
        day_bucket(2, [usage_result("batch", 40_000, 4_000)]),
    ],
    "has_more": False,
    "next_page": None,
}
# The cost report covers the standard and batch tokens only, in cents.
COST = {
    "data": [
        {
            "starting_at": "2025-08-01T00:00:00Z",
            "ending_at": "2025-08-02T00:00:00Z",
            "results": [
                {"amount": "30", "currency": "USD", "model": SONNET, "cost_type": "tokens"},
            ],
        },
        {
            "starting_at": "2025-08-02T00:00:00Z",
            "ending_at": "2025-08-03T00:00:00Z",
            "results": [
                {"amount": "9", "currency": "USD", "model": SONNET, "cost_type": "tokens"},
            ],
        },
    ],
    "has_more": False,
    "next_page": None,
}


@respx.mock
def test_priority_tokens_get_an_estimate_of_their_own_and_a_warning() -> None:
    usage = respx.get(L_USAGE).respond(200, json=USAGE)
    respx.get(L_COST).respond(200, json=COST)

    result = legacy()

    assert "service_tier" in usage.calls[0].request.url.params.get_list("group_by[]")
    by_product = {(r.start.day, r.product): r for r in result.records}
    standard = by_product[(1, None)]
    assert (standard.input_tokens, standard.output_tokens) == (50_000, 10_000)
    assert (standard.cost_usd, standard.cost_kind) == (Decimal("0.30"), "reported")
    priority = by_product[(1, "priority_tier")]
    assert (priority.model, priority.input_tokens, priority.output_tokens) == (
        SONNET,
        100_000,
        22_000,
    )
    assert priority.cache_read_tokens == 1_000_000
    # Sonnet 4 list prices: $3/M input, $15/M output, $0.30/M cache read.
    # 0.1M x 3 + 0.022M x 15 + 1M x 0.30 = 0.30 + 0.33 + 0.30
    assert (priority.cost_usd, priority.cost_kind) == (Decimal("0.93"), "estimated")
    assert by_product[(2, None)].cost_usd == Decimal("0.09")
    (warning,) = [w for w in result.warnings if "Priority Tier" in w]
    assert "122,000" in warning or "1,122,000" in warning
    assert "estimate" in warning


@respx.mock
def test_no_priority_usage_means_no_warning_and_no_extra_record() -> None:
    plain = {**USAGE, "data": [day_bucket(2, [usage_result("batch", 40_000, 4_000)])]}
    respx.get(L_USAGE).respond(200, json=plain)
    respx.get(L_COST).respond(200, json=COST)

    result = legacy()

    assert not [w for w in result.warnings if "Priority" in w]
    assert {r.product for r in result.records} == {None}
