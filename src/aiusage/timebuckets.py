"""Hours, days, ISO weeks and months in a time zone: where they start and how they are labelled.

Every boundary is an instant (an aware UTC datetime), so a bucket that spans a daylight-saving
change is simply 23 or 25 hours long. Local midnights that do not exist are resolved as
``zoneinfo`` does (``fold=0``), see ``aiusage.periods``.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, tzinfo
from typing import Literal

from aiusage.models import Period
from aiusage.periods import start_of_day

TimeUnit = Literal["hour", "day", "week", "month"]
TIME_UNITS: tuple[TimeUnit, ...] = ("hour", "day", "week", "month")
HOUR = timedelta(hours=1)


def _first_day(day: date, unit: TimeUnit) -> date:
    if unit == "week":
        return day - timedelta(days=day.weekday())
    if unit == "month":
        return day.replace(day=1)
    return day


def _following_day(day: date, unit: TimeUnit) -> date:
    if unit == "week":
        return day + timedelta(days=7)
    if unit == "month":
        return (day.replace(day=28) + timedelta(days=4)).replace(day=1)
    return day + timedelta(days=1)


def bucket_start(moment: datetime, unit: TimeUnit, zone: tzinfo) -> datetime:
    """The instant the bucket holding ``moment`` starts in ``zone``."""
    local = moment.astimezone(zone)
    if unit == "hour":
        into = timedelta(minutes=local.minute, seconds=local.second, microseconds=local.microsecond)
        return (moment - into).astimezone(UTC)
    start = start_of_day(_first_day(local.date(), unit), zone)
    # A day whose midnight was skipped starts at the change itself (fold=0 may land after it).
    return min(start, moment.astimezone(UTC))


def next_start(moment: datetime, unit: TimeUnit, zone: tzinfo) -> datetime:
    """The instant the bucket after the one holding ``moment`` starts."""
    if unit == "hour":
        following = bucket_start(moment + HOUR, unit, zone)
        return following if following > moment else moment + HOUR
    day = _first_day(moment.astimezone(zone).date(), unit)
    return start_of_day(_following_day(day, unit), zone)


def boundaries(period: Period, unit: TimeUnit, zone: tzinfo) -> list[datetime]:
    """``[since, b1, …, until]``: the period cut at every bucket boundary inside it."""
    edges = [period.since]
    while True:
        following = next_start(edges[-1], unit, zone)
        if following >= period.until:
            edges.append(period.until)
            return edges
        edges.append(following)


def fits(start: datetime, end: datetime, unit: TimeUnit, zone: tzinfo) -> bool:
    """True when ``[start, end)`` lies inside one bucket of ``zone``."""
    return end <= next_start(start, unit, zone)


def label(moment: datetime, unit: TimeUnit, zone: tzinfo) -> str:
    """``2026-11-24T13:00+01:00`` (hour), ``2026-11-24``, ``2026-W48``, ``2026-11``."""
    local = moment.astimezone(zone)
    if unit == "hour":
        return local.replace(minute=0, second=0, microsecond=0).isoformat(timespec="minutes")
    if unit == "week":
        year, week, _ = local.date().isocalendar()
        return f"{year}-W{week:02d}"
    if unit == "month":
        return f"{local:%Y-%m}"
    return f"{local:%Y-%m-%d}"
