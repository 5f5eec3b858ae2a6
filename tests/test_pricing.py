"""Estimates from published prices: exact, tier-aware per request, None for unknown models."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from aiusage.pricing import base_price_of, estimate_cost, published_price, tier_starts

MODELS = [
    ("claude", "claude-sonnet-4-5-20250929"),
    ("claude", "claude-opus-4-1-20250805"),
    ("openai", "gpt-5-codex"),
    ("gemini", "gemini-2.5-pro"),
]
counts = st.integers(min_value=0, max_value=5_000_000_000)


@pytest.mark.parametrize(("provider", "model"), MODELS)
@settings(max_examples=40, deadline=None)
@given(i=counts, o=counts, r=counts, w=counts, share=st.floats(min_value=0, max_value=1))
def test_per_token_rates_give_the_library_s_own_base_price(
    provider: str, model: str, i: int, o: int, r: int, w: int, share: float
) -> None:
    hour = int(w * share)
    expected = base_price_of(provider, model, i, o, r, w, hour)
    fast = estimate_cost(
        provider,
        model,
        input_tokens=i,
        output_tokens=o,
        cache_read_tokens=r,
        cache_write_tokens=w,
        cache_write_1h_tokens=hour,
    )
    assert fast == expected


def test_sums_of_many_requests_stay_at_base_rates_but_one_long_request_does_not() -> None:
    model = "claude-sonnet-4-5-20250929"
    summed = estimate_cost("claude", model, input_tokens=1_000_000, output_tokens=0)
    single = estimate_cost(
        "claude", model, input_tokens=1_000_000, output_tokens=0, single_request=True
    )
    assert summed == Decimal(3)  # $3 per million input tokens
    assert single == Decimal(6)  # above 200k input, the whole request pays the long rate


def test_cache_reads_and_one_hour_writes_have_their_own_prices() -> None:
    model = "claude-sonnet-4-5-20250929"
    read = estimate_cost(
        "claude", model, input_tokens=0, output_tokens=0, cache_read_tokens=1_000_000
    )
    five = estimate_cost(
        "claude", model, input_tokens=0, output_tokens=0, cache_write_tokens=1_000_000
    )
    hour = estimate_cost(
        "claude",
        model,
        input_tokens=0,
        output_tokens=0,
        cache_write_tokens=1_000_000,
        cache_write_1h_tokens=1_000_000,
    )
    assert (read, five, hour) == (Decimal("0.3"), Decimal("3.75"), Decimal(6))


@pytest.mark.parametrize("model", ["claude-imaginary-9", "", None, "gpt-nonexistent"])
def test_a_model_without_a_published_price_has_no_cost(model: str | None) -> None:
    for single in (False, True):
        assert (
            estimate_cost("claude", model, input_tokens=10, output_tokens=10, single_request=single)
            is None
        )


def test_long_context_tiers_start_where_the_published_price_says() -> None:
    assert tier_starts("claude", "claude-sonnet-4-5-20250929") == (200_000,)
    assert tier_starts("claude", "claude-opus-4-1-20250805") == ()


def test_an_unknown_model_has_no_published_price_no_tiers_and_no_estimate() -> None:
    assert published_price("claude", "claude-imaginary-9") is None
    assert tier_starts("claude", "claude-imaginary-9") == ()
    assert estimate_cost("claude", "claude-imaginary-9", input_tokens=1, output_tokens=1) is None
    assert (
        estimate_cost(
            "claude", "claude-imaginary-9", input_tokens=1, output_tokens=1, single_request=True
        )
        is None
    )


@pytest.mark.parametrize("single_request", [True, False])
def test_fast_mode_is_unpriced_rather_than_priced_as_the_standard_model(
    single_request: bool,
) -> None:
    # genai-prices matches names by prefix: "claude-opus-4-6-fast" would otherwise come back as
    # claude-opus-4-6 at standard rates ($5.00 for 1M input), an estimate too low for fast mode.
    cost = estimate_cost(
        "claude",
        "claude-opus-4-6-fast",
        input_tokens=1_000_000,
        output_tokens=0,
        single_request=single_request,
    )
    assert cost is None
