"""Reporting periods: ``--since``/``--until`` read in the user's zone, bucket alignment, windows.

Local times that do not exist (the hour skipped when clocks go forward) or exist twice (the hour
repeated when they go back) are resolved as Python's ``zoneinfo`` does with ``fold=0``: a
skipped time is read with the offset before the change (02:30 on a spring-forward day in
Europe/Berlin is 01:30 UTC, i.e. 03:30 local), a repeated time is its first occurrence.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, date, datetime, time, timedelta, tzinfo

from aiusage.errors import UsageError
from aiusage.models import Granularity, Period, format_utc

DEFAULT_SPAN = timedelta(days=30)
# Far enough apart for any real usage, and far from datetime's limits so that bucket arithmetic
# never overflows.
EARLIEST = datetime(2000, 1, 1, tzinfo=UTC)
LATEST = datetime(2200, 1, 1, tzinfo=UTC)
BUCKET = {"1d": timedelta(days=1), "1h": timedelta(hours=1), "1m": timedelta(minutes=1)}
_RELATIVE = re.compile(r"^(\d+)\s*([mhdw])$")
_UNITS = {"m": "minutes", "h": "hours", "d": "days", "w": "weeks"}
_COMPACT_DATE = re.compile(r"^(\d{4})(\d{2})(\d{2})$")
_FORMS = (
    "a date (2026-10-01 or 20261001), a date-time (2026-10-01T09:00, with or without an "
    "offset), 90m/24h/7d/4w, today, yesterday, week, month or year"
)
WORDS = ("today", "yesterday", "week", "month", "year", "now")


def start_of_day(day: date, zone: tzinfo) -> datetime:
    """The instant (UTC) a calendar day starts in ``zone``."""
    return datetime.combine(day, time(0), tzinfo=zone).astimezone(UTC)


def local_day(moment: datetime, zone: tzinfo) -> date:
    return moment.astimezone(zone).date()


def _word(value: str, now: datetime, zone: tzinfo) -> datetime | None:
    today = local_day(now, zone)
    if value == "now":
        return now
    if value == "today":
        return start_of_day(today, zone)
    if value == "yesterday":
        return start_of_day(today - timedelta(days=1), zone)
    if value == "week":
        return start_of_day(today - timedelta(days=today.weekday()), zone)
    if value == "month":
        return start_of_day(today.replace(day=1), zone)
    if value == "year":
        return start_of_day(today.replace(month=1, day=1), zone)
    return None


def parse_when(text: str, now: datetime, zone: tzinfo = UTC) -> datetime:
    """Parse one ``WHEN`` value of the command line into an aware UTC datetime.

    Dates, period words and date-times without an offset are read in ``zone``.

    Raises:
        UsageError: the text is none of the accepted forms.
    """
    value = text.strip().lower()
    try:
        word = _word(value, now, zone)
        if word is not None:
            return word
        relative = _RELATIVE.match(value)
        if relative:
            amount, unit = int(relative.group(1)), relative.group(2)
            return now - timedelta(**{_UNITS[unit]: amount})
        compact = _COMPACT_DATE.match(value)
        if compact:
            return start_of_day(date(*(int(part) for part in compact.groups())), zone)
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
            return start_of_day(date.fromisoformat(value), zone)
        if not re.match(r"^\d{4}-\d{2}-\d{2}[t ]\d", value):
            raise ValueError(value)
        parsed = datetime.fromisoformat(text.strip().replace("z", "Z"))
        if parsed.tzinfo is None:
            parsed = parsed.replace(tzinfo=zone)
        return parsed.astimezone(UTC)
    except (ValueError, OverflowError):
        raise UsageError(f"cannot read the date {text!r}: use {_FORMS}") from None


def parse_period(since: str | None, until: str | None, now: datetime, zone: tzinfo = UTC) -> Period:
    """Build the half-open period ``[since, until)``; the default is the last 30 days.

    Raises:
        UsageError: a value is unreadable, out of range, or the period is empty; the message
            names what was given.
    """
    end = _within_range(parse_when(until, now, zone) if until else now)
    start = _within_range(parse_when(since, now, zone) if since else end - DEFAULT_SPAN)
    if start >= end:
        given = f"--since {since!r} ({describe_moment(start, zone)})"
        if until is None:
            raise UsageError(
                f"{given} is not in the past: the period ends now "
                f"({describe_moment(end, zone)}); give an earlier --since or a later --until"
            )
        raise UsageError(
            f"{given} is not before --until {until!r} ({describe_moment(end, zone)}): "
            "--since must be before --until"
        )
    return Period(since=start, until=end)


def describe_moment(moment: datetime, zone: tzinfo) -> str:
    """``Nov 25 2026 16:30`` in ``zone``: how a person writes an instant."""
    local = moment.astimezone(zone)
    return f"{local:%b} {local.day} {local.year} {local:%H:%M}"


def describe_period(period: Period, zone: tzinfo, zone_name: str) -> str:
    """The period as a person writes it: ``Nov 1 – Dec 1 2026, Europe/Berlin``."""
    since, until = period_ends(period, zone)
    return f"{since} – {until}, {zone_name}"


def period_ends(period: Period, zone: tzinfo) -> tuple[str, str]:
    """Both ends of a period in ``zone``: ``("Nov 1", "Dec 1 2026")``.

    Times are left out where both ends fall on midnight; the year is written once when both
    ends share it.
    """
    since, until = period.since.astimezone(zone), period.until.astimezone(zone)
    whole_days = since.time() == time(0) and until.time() == time(0)

    def moment(value: datetime, year: bool) -> str:
        text = f"{value:%b} {value.day}" + (f" {value.year}" if year else "")
        return text if whole_days else f"{text} {value:%H:%M}"

    return moment(since, since.year != until.year), moment(until, True)


def _within_range(moment: datetime) -> datetime:
    # A day's slack: 2000-01-01 in Asia/Tokyo starts on 1999-12-31 UTC.
    if not EARLIEST - timedelta(days=1) <= moment < LATEST:
        raise UsageError(
            f"{format_utc(moment)} is outside the years aiusage reports on "
            f"({EARLIEST.year}-{LATEST.year - 1})"
        )
    return moment


def floor(moment: datetime, granularity: Granularity) -> datetime:
    """The start of the UTC bucket holding ``moment`` (vendors bucket in UTC)."""
    moment = moment.astimezone(UTC)
    if granularity == "1d":
        return moment.replace(hour=0, minute=0, second=0, microsecond=0)
    if granularity == "1h":
        return moment.replace(minute=0, second=0, microsecond=0)
    return moment.replace(second=0, microsecond=0)


def ceil(moment: datetime, granularity: Granularity) -> datetime:
    floored = floor(moment, granularity)
    return floored if floored == moment else floored + BUCKET[granularity]


def aligned(period: Period, granularity: Granularity) -> Period:
    """Widen a period to whole UTC buckets: vendors report whole buckets only."""
    return Period(since=floor(period.since, granularity), until=ceil(period.until, granularity))


def windows(period: Period, span: timedelta) -> Iterator[Period]:
    """Split a period into consecutive windows of at most ``span``."""
    start = period.since
    while start < period.until:
        end = min(start + span, period.until)
        yield Period(since=start, until=end)
        start = end


def buckets(period: Period, granularity: Granularity) -> Iterator[Period]:
    """Every bucket of a period aligned to the granularity."""
    return windows(aligned(period, granularity), BUCKET[granularity])
