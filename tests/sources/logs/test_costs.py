"""Long-context tiers of local records are decided per request."""

from __future__ import annotations

from aiusage.sources.logs.aggregate import tier_of


def test_a_tier_applies_above_its_start() -> None:
    model = "claude-sonnet-4-5-20250929"
    assert (tier_of("claude", model, 200_000), tier_of("claude", model, 200_001)) == (0, 1)
