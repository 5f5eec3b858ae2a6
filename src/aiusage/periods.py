"""Reporting periods: parsing ``--since``/``--until``, bucket alignment and request windows."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta

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
_FORMS = "an ISO date (2026-10-01), an ISO date-time with offset, 90m/24h/7d/4w, today or month"


def parse_when(text: str, now: datetime) -> datetime:
    """Parse one ``WHEN`` value of the command line into an aware UTC datetime.

    Raises:
        UsageError: the text is none of the accepted forms.
    """
    value = text.strip().lower()
    if value == "today":
        return floor(now, "1d")
    if value == "month":
        return now.astimezone(UTC).replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    if value == "now":
        return now
    relative = _RELATIVE.match(value)
    try:
        if relative:
            amount, unit = int(relative.group(1)), relative.group(2)
            return now - timedelta(**{_UNITS[unit]: amount})
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
            day = date.fromisoformat(value)
            return datetime(day.year, day.month, day.day, tzinfo=UTC)
        parsed = datetime.fromisoformat(text.strip().replace("z", "Z"))
        if parsed.tzinfo is None:
            raise UsageError(
                f"the date-time {text!r} needs an offset or Z (e.g. 2026-10-01T09:00Z)"
            )
        return parsed.astimezone(UTC)
    except (ValueError, OverflowError):
        raise UsageError(f"cannot read the date {text!r}: use {_FORMS}") from None


def parse_period(since: str | None, until: str | None, now: datetime) -> Period:
    """Build the half-open period ``[since, until)``; the default is the last 30 days."""
    end = _within_range(parse_when(until, now) if until else now)
    start = _within_range(parse_when(since, now) if since else end - DEFAULT_SPAN)
    if start >= end:
        raise UsageError("--since must be before --until")
    return Period(since=start, until=end)


def _within_range(moment: datetime) -> datetime:
    if not EARLIEST <= moment < LATEST:
        raise UsageError(
            f"{format_utc(moment)} is outside the years aiusage reports on "
            f"({EARLIEST.year}-{LATEST.year - 1})"
        )
    return moment


def floor(moment: datetime, granularity: Granularity) -> datetime:
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
    """Widen a period to whole buckets: vendors report whole buckets only."""
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
