"""Claude Code's status-line JSON: what is kept, and what makes ``rate_limits`` untrusted."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

import pytest

from aiusage.sources.live.claude.statusline import parse_input
from tests.conftest import load_fixture

# The fixture's resets (live-limits.md §1.1) are 1738425600 and 1738857600: 2025-02-01T16:00Z
# and 2025-02-06T16:00Z. "Now" is 2 hours before the first.
NOW = 1738425600 - 2 * 3600


def fixture() -> dict[str, Any]:
    data: dict[str, Any] = load_fixture("live/statusline_input.json")
    return data


def text(data: dict[str, Any]) -> str:
    return json.dumps(data)


def test_the_documented_input_gives_both_windows_model_and_cost() -> None:
    found = parse_input(text(fixture()), NOW)
    assert found.problem is None
    assert found.model == "Opus"
    assert found.session_cost == Decimal("0.01234")
    assert found.session == "3f1c0b9e-7d1a-4c55-9a4e-1f2d3c4b5a69"
    by_name = {r.window: r for r in found.readings}
    assert by_name["five_hour"].used_ratio == Decimal("0.235")
    assert by_name["five_hour"].resets_at == 1738425600
    assert by_name["five_hour"].window_seconds == 18000
    assert by_name["seven_day"].used_ratio == Decimal("0.412")
    assert by_name["seven_day"].resets_at == 1738857600
    assert by_name["seven_day"].window_seconds == 604800
    assert all(r.observed_at == NOW and r.source == "statusline" for r in found.readings)


@pytest.mark.parametrize("stdin", ["", "   ", "not json", "[1, 2]", '"text"', "{"])
def test_input_that_is_not_an_object_gives_nothing(stdin: str) -> None:
    found = parse_input(stdin, NOW)
    assert found.problem is not None
    assert found.readings == [] and found.model is None


def test_without_rate_limits_the_model_and_cost_are_still_read() -> None:
    data = fixture()
    del data["rate_limits"]
    found = parse_input(text(data), NOW)
    assert found.readings == []
    assert found.model == "Opus" and found.session_cost == Decimal("0.01234")
    assert found.problem is not None and "rate_limits" in found.problem


@pytest.mark.parametrize("percent", [-1, 100.5, 250, "23", True, None, float("nan")])
def test_a_percentage_outside_0_to_100_keeps_no_window_at_all(percent: Any) -> None:
    data = fixture()
    data["rate_limits"]["seven_day"]["used_percentage"] = percent
    found = parse_input(json.dumps(data, allow_nan=True), NOW)
    assert found.readings == []  # the valid five_hour is not kept either
    assert found.problem is not None and "seven_day" in found.problem


@pytest.mark.parametrize(
    "resets_at",
    [
        NOW - 1,  # in the past
        NOW,  # just now
        1738425600 * 1000,  # milliseconds, far beyond one window
        NOW + 5 * 3600 + 3601,  # beyond one 5-hour window and the slack
        "1738425600",
    ],
)
def test_a_reset_that_is_past_or_absurd_keeps_no_window(resets_at: Any) -> None:
    data = fixture()
    data["rate_limits"]["five_hour"]["resets_at"] = resets_at
    found = parse_input(text(data), NOW)
    assert found.readings == []
    assert found.problem is not None and "five_hour.resets_at" in found.problem


def test_a_spend_limit_may_pass_100_percent() -> None:
    data = fixture()
    data["rate_limits"]["spend_limit"] = {"used_percentage": 112.5, "resets_at": NOW + 86400}
    found = parse_input(text(data), NOW)
    spend = {r.window: r for r in found.readings}["spend_limit"]
    assert spend.used_ratio == Decimal("1.125") and spend.window_seconds is None


def test_a_missing_window_is_left_out_not_zero() -> None:
    data = fixture()
    del data["rate_limits"]["seven_day"]
    found = parse_input(text(data), NOW)
    assert [r.window for r in found.readings] == ["five_hour"]


@pytest.mark.parametrize("cost", [-0.5, "0.5", 1e9, True])
def test_a_cost_that_cannot_be_a_session_cost_is_not_kept(cost: Any) -> None:
    data = fixture()
    data["cost"]["total_cost_usd"] = cost
    assert parse_input(text(data), NOW).session_cost is None
