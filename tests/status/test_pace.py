"""Pace and projections, against figures worked out by hand."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from aiusage.status.pace import elapsed_share, limit_time, month_bounds, pace, per_minute, project

FIVE_HOURS = 5 * 3600
NOW = datetime(2026, 11, 10, 12, 0, tzinfo=UTC)


def test_two_hours_into_a_five_hour_window_is_40_percent_gone() -> None:
    resets = NOW + timedelta(hours=3)
    assert elapsed_share(resets, FIVE_HOURS, NOW) == Decimal("0.4")


def test_52_percent_used_at_40_percent_gone_is_12_points_ahead() -> None:
    assert pace(Decimal("0.52"), Decimal("0.4")) == Decimal("0.12")
    assert pace(Decimal("0.30"), Decimal("0.4")) == Decimal("-0.10")


def test_at_this_rate_the_limit_is_reached_before_the_reset() -> None:
    # 2 h gone, 50 % used: 1 % per 2.4 min, the other 50 % take 2 more hours -> 14:00.
    resets = NOW + timedelta(hours=3)
    assert limit_time(Decimal("0.5"), resets, FIVE_HOURS, NOW) == NOW + timedelta(hours=2)


def test_no_limit_time_when_the_rate_ends_the_window_below_the_limit() -> None:
    resets = NOW + timedelta(hours=3)
    assert limit_time(Decimal("0.3"), resets, FIVE_HOURS, NOW) is None
    assert limit_time(Decimal("0"), resets, FIVE_HOURS, NOW) is None
    assert limit_time(Decimal("1"), resets, FIVE_HOURS, NOW) is None


def test_a_reset_outside_the_window_gives_no_share() -> None:
    assert elapsed_share(NOW - timedelta(seconds=1), FIVE_HOURS, NOW) is None
    assert elapsed_share(NOW + timedelta(hours=6), FIVE_HOURS, NOW) is None
    assert pace(Decimal("0.5"), None) is None


def test_the_month_is_the_calendar_month_of_the_users_zone() -> None:
    tokyo = ZoneInfo("Asia/Tokyo")
    # 2026-11-30T20:00Z is already December 1st in Tokyo.
    start, end = month_bounds(datetime(2026, 11, 30, 20, tzinfo=UTC), tokyo)
    assert start == datetime(2026, 12, 1, tzinfo=tokyo)
    assert end == datetime(2027, 1, 1, tzinfo=tokyo)
    assert start.astimezone(UTC) == datetime(2026, 11, 30, 15, tzinfo=UTC)


def test_the_month_end_projection_scales_the_spend_so_far() -> None:
    start = datetime(2026, 11, 1, tzinfo=UTC)
    end = datetime(2026, 12, 1, tzinfo=UTC)
    # $30 in the first 10 of 30 days -> $90.
    assert project(Decimal(30), start, end, start + timedelta(days=10)) == Decimal(90)
    assert project(Decimal(30), start, end, start) == Decimal(30)


def test_a_rate_per_minute() -> None:
    assert per_minute(Decimal(600), NOW, NOW + timedelta(minutes=4)) == Decimal(150)
    assert per_minute(Decimal(600), NOW, NOW) is None
