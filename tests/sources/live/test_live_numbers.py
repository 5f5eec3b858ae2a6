"""Numbers in the live sources' answers: JSON numbers or text, finite, else treated as missing."""

from __future__ import annotations

import json
import math
from decimal import Decimal

import pytest

from aiusage.sources.live.codex.limits import readings_from_result
from aiusage.sources.live.cursor.usage import readings_from_summary
from aiusage.sources.live.readings import finite_number

NOW = 1_787_000_000
# An integer JSON allows and no float holds: float() raises OverflowError on it.
HUGE = "1" + "0" * 400


@pytest.mark.parametrize(
    ("value", "expected"),
    [(3, 3.0), (2.5, 2.5), ("41.2", 41.2), (" 7 ", 7.0), (0, 0.0)],
)
def test_numbers_and_number_text_are_read(value: object, expected: float) -> None:
    assert finite_number(value) == expected


@pytest.mark.parametrize(
    "value",
    [True, False, None, "", "abc", "nan", "inf", math.nan, -math.inf, [1], {"a": 1}, int(HUGE)],
)
def test_anything_else_is_missing(value: object) -> None:
    assert finite_number(value) is None


def test_a_codex_percentage_beyond_a_float_is_an_unknown_share_not_a_crash() -> None:
    text = '{"rateLimits": {"primary": {"usedPercent": HUGE, "windowDurationMins": 300}}}'
    result = json.loads(text.replace("HUGE", HUGE))

    [reading] = readings_from_result(result, NOW)

    assert (reading.window, reading.used_ratio) == ("five_hour", None)


def test_a_cursor_amount_beyond_a_float_is_left_out_and_plain_amounts_are_kept_exactly() -> None:
    text = (
        '{"individualUsage": {"plan": {"enabled": true, "used": HUGE, "limit": 2000},'
        ' "onDemand": {"enabled": true, "used": "1234.5", "limit": 5000}}}'
    )
    body = json.loads(text.replace("HUGE", HUGE))

    windows = {r.window: r for r in readings_from_summary(body, NOW)}

    assert "billing_cycle" not in windows
    assert windows["on_demand"].used_ratio == Decimal("1234.5") / 5000
