"""Which zone the report uses, and the hours, days, weeks and months of that zone."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from aiusage import zones
from aiusage.errors import ConfigError, UsageError
from aiusage.models import Period
from aiusage.timebuckets import boundaries, bucket_start, fits, label, next_start
from aiusage.zones import UTC_ZONE, resolve_zone, system_zone, zone_named


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


def test_the_option_wins_over_the_setting_which_wins_over_the_system() -> None:
    assert resolve_zone("Asia/Tokyo", "Europe/Berlin").name == "Asia/Tokyo"
    assert resolve_zone(None, "Europe/Berlin").name == "Europe/Berlin"
    assert resolve_zone(None, None) == system_zone()


@pytest.mark.parametrize("name", ["UTC", "utc", "Z", "Etc/UTC"])
def test_utc_has_one_name(name: str) -> None:
    assert resolve_zone(name, None) == UTC_ZONE


def test_zone_names_are_matched_without_regard_to_case() -> None:
    assert resolve_zone("america/los_angeles", None).name == "America/Los_Angeles"


def test_local_is_the_system_zone(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TZ", "Asia/Kathmandu")
    assert resolve_zone("local", None).name == "Asia/Kathmandu"
    assert resolve_zone(None, "LOCAL").name == "Asia/Kathmandu"


def test_the_system_zone_is_read_from_the_localtime_link(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    target = tmp_path / "usr" / "share" / "zoneinfo" / "Europe" / "Berlin"
    target.parent.mkdir(parents=True)
    target.write_bytes(b"")
    link = tmp_path / "localtime"
    link.symlink_to(target)
    monkeypatch.delenv("TZ", raising=False)
    monkeypatch.setattr(zones, "_LOCALTIME", link)
    assert system_zone().name == "Europe/Berlin"


@pytest.mark.parametrize(
    "name", ["Mars/Olympus", "../../etc/passwd", "/etc/localtime", "UTC+25:00"]
)
def test_an_unknown_zone_names_valid_examples(name: str) -> None:
    with pytest.raises(UsageError, match="e.g. UTC, local, Europe/Berlin"):
        resolve_zone(name, None)
    with pytest.raises(ConfigError, match="AIUSAGE_TIMEZONE"):
        resolve_zone(None, name)


def test_a_fixed_offset_name_round_trips() -> None:
    zone = zone_named("UTC+05:45")
    assert zone.offset(utc(2026, 1, 1)) == timedelta(hours=5, minutes=45)


KOLKATA = ZoneInfo("Asia/Kolkata")
LA = ZoneInfo("America/Los_Angeles")


def test_a_day_in_kolkata_starts_at_half_past_six_utc() -> None:
    assert bucket_start(utc(2026, 11, 1, 18, 29), "day", KOLKATA) == utc(2026, 10, 31, 18, 30)
    assert bucket_start(utc(2026, 11, 1, 18, 30), "day", KOLKATA) == utc(2026, 11, 1, 18, 30)


def test_hours_in_kolkata_start_at_half_past() -> None:
    assert bucket_start(utc(2026, 11, 1, 9, 10), "hour", KOLKATA) == utc(2026, 11, 1, 8, 30)
    assert label(utc(2026, 11, 1, 8, 30), "hour", KOLKATA) == "2026-11-01T14:00+05:30"


def test_the_day_clocks_go_back_is_25_hours_and_repeats_an_hour_with_its_own_label() -> None:
    day = utc(2026, 11, 1, 7)  # Nov 1 00:00 PDT
    assert next_start(day, "day", LA) - day == timedelta(hours=25)
    first = label(utc(2026, 11, 1, 8), "hour", LA)
    second = label(utc(2026, 11, 1, 9), "hour", LA)
    assert (first, second) == ("2026-11-01T01:00-07:00", "2026-11-01T01:00-08:00")


def test_weeks_start_on_monday_and_are_labelled_iso() -> None:
    sunday = utc(2026, 11, 29, 12)
    assert bucket_start(sunday, "week", UTC) == utc(2026, 11, 23)
    assert label(sunday, "week", UTC) == "2026-W48"
    # Jan 1 2027 is a Friday: it belongs to the last ISO week of 2026.
    assert label(utc(2027, 1, 1), "week", UTC) == "2026-W53"


def test_months_roll_over_the_year() -> None:
    assert next_start(utc(2026, 12, 15), "month", UTC) == utc(2027, 1, 1)
    assert label(utc(2026, 12, 31, 23), "month", ZoneInfo("Asia/Tokyo")) == "2027-01"


def test_boundaries_cut_the_period_at_every_bucket_and_keep_its_ends() -> None:
    period = Period(since=utc(2026, 10, 31, 9, 40), until=utc(2026, 11, 2, 3))
    assert boundaries(period, "day", KOLKATA) == [
        utc(2026, 10, 31, 9, 40),
        utc(2026, 10, 31, 18, 30),
        utc(2026, 11, 1, 18, 30),
        utc(2026, 11, 2, 3),
    ]


def test_a_utc_day_fits_in_a_zone_day_only_where_midnights_agree() -> None:
    assert fits(utc(2026, 11, 1), utc(2026, 11, 2), "day", UTC)
    assert not fits(utc(2026, 11, 1), utc(2026, 11, 2), "day", LA)
    assert fits(utc(2026, 11, 1, 8), utc(2026, 11, 1, 9), "day", LA)
