"""Estimates checked against dollars worked out by hand from the published prices.

Prices are genai-prices' data (the version pinned in pyproject), in dollars per million tokens:

- claude-sonnet-4-5: input 3, output 15, cache read 0.30, cache write 3.75 (5-minute) and 6
  (1-hour); a request whose input side is above 200k tokens pays 6, 22.50, 0.60, 7.50 and 12.
- claude-sonnet-4-6: the same, but from 2026-03-13 one flat price (no long-context tier).
- text-embedding-3-small (OpenAI): input 0.02; genai-prices finds it only under provider openai.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from decimal import Decimal

import pytest

from aiusage.pricing import base_price_of, estimate_cost

SONNET_45 = "claude-sonnet-4-5-20250929"
SONNET_46 = "claude-sonnet-4-6"


def test_a_long_context_request_pays_the_long_rate_on_its_output_too() -> None:
    cost = estimate_cost(
        "claude", SONNET_45, input_tokens=250_000, output_tokens=4_000, single_request=True
    )
    # 250,000 x $6 + 4,000 x $22.50, per million
    assert cost == Decimal("1.5") + Decimal("0.09")


@pytest.mark.parametrize("single", [True, False])
def test_every_kind_of_token_is_priced_at_its_own_rate(single: bool) -> None:
    cost = estimate_cost(
        "claude",
        SONNET_45,
        input_tokens=1_000,
        output_tokens=2_000,
        cache_read_tokens=10_000,
        cache_write_tokens=4_000,
        cache_write_1h_tokens=1_000,
        single_request=single,
    )
    # 1,000 x 3 + 2,000 x 15 + 10,000 x 0.30 + 3,000 x 3.75 (5-minute) + 1,000 x 6 (1-hour)
    # = 3,000 + 30,000 + 3,000 + 11,250 + 6,000 = 53,250 per million
    assert cost == Decimal("0.05325")


def test_cache_reads_and_writes_count_toward_the_long_context_threshold() -> None:
    cost = estimate_cost(
        "claude",
        SONNET_45,
        input_tokens=100,
        output_tokens=10,
        cache_read_tokens=199_000,
        cache_write_tokens=1_500,
        cache_write_1h_tokens=1_500,
        single_request=True,
    )
    # input side 100 + 199,000 + 1,500 = 200,600 > 200k: every token at the long rate
    # 100 x 6 + 10 x 22.50 + 199,000 x 0.60 + 1,500 x 12 = 600 + 225 + 119,400 + 18,000
    assert cost == Decimal("0.138225")


def test_summed_counts_of_many_requests_stay_at_base_rates() -> None:
    cost = estimate_cost(
        "claude",
        SONNET_45,
        input_tokens=1_000_000,
        output_tokens=1_000_000,
        cache_read_tokens=1_000_000,
        cache_write_tokens=1_000_000,
        cache_write_1h_tokens=500_000,
    )
    # 3 + 15 + 0.30 + 0.5 x 3.75 + 0.5 x 6
    assert cost == Decimal("23.175")


@pytest.mark.parametrize("single", [True, False])
def test_one_hour_writes_never_exceed_the_writes_they_are_part_of(single: bool) -> None:
    cost = estimate_cost(
        "claude",
        SONNET_45,
        input_tokens=0,
        output_tokens=0,
        cache_write_tokens=1_000,
        cache_write_1h_tokens=5_000,
        single_request=single,
    )
    assert cost == Decimal("0.006")  # 1,000 one-hour writes x $6


@pytest.mark.parametrize("single", [True, False])
def test_a_model_known_only_under_its_vendor_is_priced_through_the_vendor(single: bool) -> None:
    cost = estimate_cost(
        "openai",
        "text-embedding-3-small",
        input_tokens=1_000_000,
        output_tokens=0,
        single_request=single,
    )
    assert cost == Decimal("0.02")


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (datetime(2026, 2, 1, tzinfo=UTC), Decimal("1.8")),  # 300,000 x $6: the long rate
        (datetime(2026, 4, 1, tzinfo=UTC), Decimal("0.9")),  # 300,000 x $3: one flat price
    ],
)
def test_one_request_is_priced_at_the_prices_of_its_day(day: datetime, expected: Decimal) -> None:
    cost = estimate_cost(
        "claude", SONNET_46, input_tokens=300_000, output_tokens=0, single_request=True, at=day
    )
    assert cost == expected


def test_summed_counts_priced_by_the_library_at_base_rates() -> None:
    # 1,000,000 x 3 + 100,000 x 15 + 200,000 x 0.30 + 0 x 3.75 + 10,000 x 6, per million
    assert base_price_of("claude", SONNET_45, 1_000_000, 100_000, 200_000, 10_000, 10_000) == (
        Decimal("4.62")
    )
    assert base_price_of("claude", SONNET_45, 1_000_000, 0) == Decimal(3)  # no cache given
    # writes without a 1-hour part are all 5-minute writes: 1,000,000 x 3.75
    assert base_price_of("claude", SONNET_45, 0, 0, 0, 1_000_000) == Decimal("3.75")
    assert base_price_of("openai", "text-embedding-3-small", 1_000_000, 0) == Decimal("0.02")
    assert base_price_of("claude", "claude-imaginary-9", 1, 1) is None


def test_an_unknown_model_is_named_in_the_debug_log(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG, logger="aiusage.pricing")
    model = "claude-imaginary-debug-7"  # asked nowhere else: no cached answer
    assert (
        estimate_cost("claude", model, input_tokens=1, output_tokens=1, single_request=True) is None
    )
    assert [r.getMessage() for r in caplog.records] == [f"no published price for model {model}"]
