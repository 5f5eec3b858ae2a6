"""Local records are priced from per-token base rates: the same dollars as ``estimate_cost``."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from aiusage.local.aggregate import Tokens, base_cost, tier_of
from aiusage.pricing import estimate_cost

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
def test_base_cost_equals_estimate_cost(
    provider: str, model: str, i: int, o: int, r: int, w: int, share: float
) -> None:
    hour = int(w * share)
    tokens = Tokens(input=i, output=o, cache_read=r, cache_write=w, cache_write_1h=hour)
    expected = estimate_cost(
        provider,
        model,
        input_tokens=i,
        output_tokens=o,
        cache_read_tokens=r,
        cache_write_tokens=w,
        cache_write_1h_tokens=hour,
    )
    assert base_cost(provider, model, tokens) == expected


def test_an_unknown_model_has_no_base_cost() -> None:
    assert base_cost("claude", "claude-imaginary-9", Tokens(input=1)) is None
    assert base_cost("openai", "", Tokens(input=1)) is None


def test_a_tier_applies_above_its_start() -> None:
    model = "claude-sonnet-4-5-20250929"
    assert (tier_of("claude", model, 200_000), tier_of("claude", model, 200_001)) == (0, 1)
