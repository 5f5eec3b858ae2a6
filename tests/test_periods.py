"""Reading --since/--until in the user's zone, and cutting periods into buckets and windows.

Expected instants are worked out by hand from each zone's offset on that date (the comments
give the local time), never by the code under test.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from aiusage.errors import UsageError
from aiusage.models import Period
from aiusage.periods import (
    aligned,
    describe_period,
    parse_period,
    parse_when,
    windows,
)

NOW = datetime(2026, 11, 25, 15, 30, 12, tzinfo=UTC)  # a Wednesday
LA = ZoneInfo("America/Los_Angeles")
TOKYO = ZoneInfo("Asia/Tokyo")
KIRITIMATI = ZoneInfo("Pacific/Kiritimati")  # UTC+14
KOLKATA = ZoneInfo("Asia/Kolkata")  # UTC+05:30
BERLIN = ZoneInfo("Europe/Berlin")


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-10-01", utc(2026, 10, 1)),
        ("20261001", utc(2026, 10, 1)),
        ("2026-10-01T09:00:00+02:00", utc(2026, 10, 1, 7)),
        ("2026-10-01T09:00Z", utc(2026, 10, 1, 9)),
        ("2026-10-01T09:00", utc(2026, 10, 1, 9)),
        ("90m", NOW - timedelta(minutes=90)),
        ("24h", NOW - timedelta(hours=24)),
        ("7d", NOW - timedelta(days=7)),
        ("4w", NOW - timedelta(weeks=4)),
        ("now", NOW),
        ("today", utc(2026, 11, 25)),
        ("yesterday", utc(2026, 11, 24)),
        ("week", utc(2026, 11, 23)),
        ("month", utc(2026, 11, 1)),
        ("year", utc(2026, 1, 1)),
        ("TODAY", utc(2026, 11, 25)),
    ],
)
def test_every_documented_form_is_read_in_utc(text: str, expected: datetime) -> None:
    assert parse_when(text, NOW) == expected


# NOW is Wed Nov 25 07:30 in Los Angeles (PST, -8), Thu Nov 26 00:30 in Tokyo (+9),
# Thu Nov 26 05:30 on Kiritimati (+14) and Wed Nov 25 21:00 in Kolkata (+5:30).
WORDS_BY_ZONE = {
    LA: {
        "today": utc(2026, 11, 25, 8),
        "yesterday": utc(2026, 11, 24, 8),
        "week": utc(2026, 11, 23, 8),
        # Nov 1 is the day clocks go back: its midnight is still PDT (-7).
        "month": utc(2026, 11, 1, 7),
        "year": utc(2026, 1, 1, 8),
        "2026-11-01": utc(2026, 11, 1, 7),
        "20261102": utc(2026, 11, 2, 8),
        "2026-11-02T09:15": utc(2026, 11, 2, 17, 15),
    },
    TOKYO: {
        "today": utc(2026, 11, 25, 15),
        "yesterday": utc(2026, 11, 24, 15),
        "week": utc(2026, 11, 22, 15),
        "month": utc(2026, 10, 31, 15),
        "year": utc(2025, 12, 31, 15),
        "2026-11-01": utc(2026, 10, 31, 15),
        "20261102": utc(2026, 11, 1, 15),
        "2026-11-02T09:15": utc(2026, 11, 2, 0, 15),
    },
    KIRITIMATI: {
        "today": utc(2026, 11, 25, 10),
        "yesterday": utc(2026, 11, 24, 10),
        "week": utc(2026, 11, 22, 10),
        "month": utc(2026, 10, 31, 10),
        "year": utc(2025, 12, 31, 10),
        "2026-11-01": utc(2026, 10, 31, 10),
        "20261102": utc(2026, 11, 1, 10),
        "2026-11-02T09:15": utc(2026, 11, 1, 19, 15),
    },
    KOLKATA: {
        "today": utc(2026, 11, 24, 18, 30),
        "yesterday": utc(2026, 11, 23, 18, 30),
        "week": utc(2026, 11, 22, 18, 30),
        "month": utc(2026, 10, 31, 18, 30),
        "year": utc(2025, 12, 31, 18, 30),
        "2026-11-01": utc(2026, 10, 31, 18, 30),
        "20261102": utc(2026, 11, 1, 18, 30),
        "2026-11-02T09:15": utc(2026, 11, 2, 3, 45),
    },
}


@pytest.mark.parametrize(
    ("zone", "text", "expected"),
    [
        (zone, text, expected)
        for zone, cases in WORDS_BY_ZONE.items()
        for text, expected in cases.items()
    ],
    ids=lambda value: str(value),
)
def test_period_words_and_dates_are_read_in_the_chosen_zone(
    zone: ZoneInfo, text: str, expected: datetime
) -> None:
    assert parse_when(text, NOW, zone) == expected


@pytest.mark.parametrize("zone", [LA, TOKYO, KIRITIMATI, KOLKATA])
def test_relative_spans_do_not_depend_on_the_zone(zone: ZoneInfo) -> None:
    assert parse_when("24h", NOW, zone) == NOW - timedelta(hours=24)
    assert parse_when("2026-11-02T09:15:00+01:00", NOW, zone) == utc(2026, 11, 2, 8, 15)


def test_on_the_day_clocks_go_back_today_is_25_hours_long() -> None:
    now = utc(2026, 11, 1, 21)  # Sun Nov 1 13:00 PST
    today = parse_when("today", now, LA)
    assert today == utc(2026, 11, 1, 7)  # 00:00 PDT
    assert parse_when("yesterday", now, LA) == utc(2026, 10, 31, 7)
    assert parse_when("2026-11-02", now, LA) - today == timedelta(hours=25)


def test_on_the_day_clocks_go_forward_the_day_is_23_hours_long() -> None:
    now = utc(2026, 3, 29, 12)  # Sun Mar 29 14:00 CEST
    today = parse_when("today", now, BERLIN)
    assert today == utc(2026, 3, 28, 23)  # 00:00 CET
    assert parse_when("2026-03-30", now, BERLIN) - today == timedelta(hours=23)


def test_a_skipped_local_time_is_read_with_the_offset_before_the_change() -> None:
    # 02:30 does not exist in Berlin on Mar 29 2026; fold=0 reads it as 02:30 CET (+1).
    assert parse_when("2026-03-29T02:30", NOW, BERLIN) == utc(2026, 3, 29, 1, 30)


def test_a_repeated_local_time_is_its_first_occurrence() -> None:
    # 02:30 happens twice in Berlin on Oct 25 2026; fold=0 is the first, CEST (+2).
    assert parse_when("2026-10-25T02:30", NOW, BERLIN) == utc(2026, 10, 25, 0, 30)


def test_a_midnight_that_does_not_exist_starts_the_day_at_the_change() -> None:
    # Chile moves from 24:00 to 01:00 on Sep 6 2026: the day starts at 04:00 UTC.
    santiago = ZoneInfo("America/Santiago")
    assert parse_when("2026-09-06", NOW, santiago) == utc(2026, 9, 6, 4)


@pytest.mark.parametrize("text", ["2026-13-01", "7x", "", "20261301", "yesterdays", "2026-10"])
def test_unreadable_dates_are_usage_errors_naming_the_value(text: str) -> None:
    with pytest.raises(UsageError, match="cannot read the date"):
        parse_when(text, NOW)


def test_the_default_period_is_the_last_30_days() -> None:
    assert parse_period(None, None, NOW) == Period(since=NOW - timedelta(days=30), until=NOW)


def test_october_is_exactly_the_half_open_month_in_the_zone() -> None:
    period = parse_period("2026-10-01", "2026-11-01", NOW, BERLIN)
    # Oct 1 00:00 CEST to Nov 1 00:00 CET: 31 days and the hour given back on Oct 25.
    assert period.since == utc(2026, 9, 30, 22) and period.until == utc(2026, 10, 31, 23)
    assert period.until - period.since == timedelta(days=31, hours=1)


def test_since_after_until_names_both_values() -> None:
    with pytest.raises(UsageError, match="--since '2026-11-02'.*--until '2026-11-01'"):
        parse_period("2026-11-02", "2026-11-01", NOW)


def test_since_in_the_future_names_what_was_given_and_that_the_period_ends_now() -> None:
    with pytest.raises(UsageError) as caught:
        parse_period("2026-12-05", None, NOW, TOKYO)
    message = caught.value.message
    assert message.startswith("--since '2026-12-05' (Dec 5 2026 00:00)")
    assert "the period ends now (Nov 26 2026 00:30)" in message


def test_alignment_widens_to_whole_utc_buckets() -> None:
    period = Period(since=NOW - timedelta(days=1), until=NOW)
    assert aligned(period, "1d") == Period(since=utc(2026, 11, 24), until=utc(2026, 11, 26))
    assert aligned(period, "1h").until == utc(2026, 11, 25, 16)


def test_windows_cover_the_period_without_gaps_or_overlap() -> None:
    period = Period(since=utc(2026, 1, 1), until=utc(2026, 4, 1))
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


def test_the_first_day_of_2000_is_accepted_east_of_utc() -> None:
    assert parse_period("2000-01-01", None, NOW, TOKYO).since == utc(1999, 12, 31, 15)


def test_a_period_is_described_as_a_person_writes_it() -> None:
    month = parse_period("2026-11-01", "2026-12-01", NOW, BERLIN)
    assert describe_period(month, BERLIN, "Europe/Berlin") == "Nov 1 – Dec 1 2026, Europe/Berlin"
    span = Period(since=utc(2025, 12, 31, 9, 40), until=utc(2026, 1, 2, 9, 40))
    assert describe_period(span, UTC, "UTC") == "Dec 31 2025 09:40 – Jan 2 2026 09:40, UTC"
