"""Reading --since/--until and cutting periods into buckets and windows."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from aiusage.errors import UsageError
from aiusage.models import Period
from aiusage.periods import aligned, parse_period, parse_when, windows

NOW = datetime(2026, 11, 25, 15, 30, 12, tzinfo=UTC)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-10-01", datetime(2026, 10, 1, tzinfo=UTC)),
        ("2026-10-01T09:00:00+02:00", datetime(2026, 10, 1, 7, tzinfo=UTC)),
        ("2026-10-01T09:00Z", datetime(2026, 10, 1, 9, tzinfo=UTC)),
        ("90m", NOW - timedelta(minutes=90)),
        ("24h", NOW - timedelta(hours=24)),
        ("7d", NOW - timedelta(days=7)),
        ("4w", NOW - timedelta(weeks=4)),
        ("today", datetime(2026, 11, 25, tzinfo=UTC)),
        ("month", datetime(2026, 11, 1, tzinfo=UTC)),
    ],
)
def test_every_documented_form_is_read(text: str, expected: datetime) -> None:
    assert parse_when(text, NOW) == expected


@pytest.mark.parametrize("text", ["yesterday", "2026-13-01", "7x", "", "2026-10-01T09:00"])
def test_unreadable_dates_are_usage_errors(text: str) -> None:
    with pytest.raises(UsageError):
        parse_when(text, NOW)


def test_the_default_period_is_the_last_30_days() -> None:
    assert parse_period(None, None, NOW) == Period(since=NOW - timedelta(days=30), until=NOW)


def test_october_is_exactly_the_half_open_month() -> None:
    period = parse_period("2026-10-01", "2026-11-01", NOW)
    assert period.until - period.since == timedelta(days=31)


def test_since_after_until_is_a_usage_error() -> None:
    with pytest.raises(UsageError, match="--since must be before --until"):
        parse_period("2026-11-02", "2026-11-01", NOW)


def test_alignment_widens_to_whole_buckets() -> None:
    period = Period(since=NOW - timedelta(days=1), until=NOW)
    assert aligned(period, "1d") == Period(
        since=datetime(2026, 11, 24, tzinfo=UTC), until=datetime(2026, 11, 26, tzinfo=UTC)
    )
    assert aligned(period, "1h").until == datetime(2026, 11, 25, 16, tzinfo=UTC)


def test_windows_cover_the_period_without_gaps_or_overlap() -> None:
    period = Period(since=datetime(2026, 1, 1, tzinfo=UTC), until=datetime(2026, 4, 1, tzinfo=UTC))
    parts = list(windows(period, timedelta(days=31)))
    assert parts[0].since == period.since and parts[-1].until == period.until
    assert all(a.until == b.since for a, b in zip(parts, parts[1:], strict=False))
    assert all(p.until - p.since <= timedelta(days=31) for p in parts)


@pytest.mark.parametrize("text", ["99999999999d", "9999-12-31T23:59:59-05:00", "0001-01-01"])
def test_dates_at_the_edge_of_the_calendar_are_usage_errors(text: str) -> None:
    with pytest.raises(UsageError):
        parse_period(text, None, NOW)


def test_years_far_outside_any_usage_are_refused_with_the_range() -> None:
    with pytest.raises(UsageError, match="2000-2199"):
        parse_period("1990-01-01", "1991-01-01", NOW)
