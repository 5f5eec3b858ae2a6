"""Monthly billing cycles: the same day each month, and when the current cycle resets."""

from __future__ import annotations

import calendar
from datetime import datetime


def add_months(moment: datetime, months: int) -> datetime:
    """The same day and time ``months`` later; the 31st becomes the month's last day."""
    index = moment.month - 1 + months
    year, month = moment.year + index // 12, index % 12 + 1
    day = min(moment.day, calendar.monthrange(year, month)[1])
    return moment.replace(year=year, month=month, day=day)


def next_cycle_start(cycle_start: datetime, now: datetime) -> datetime:
    """The first monthly anniversary of ``cycle_start`` after ``now``: when usage resets."""
    months = max(0, (now.year - cycle_start.year) * 12 + now.month - cycle_start.month - 1)
    reset = add_months(cycle_start, months)
    while reset <= now:
        months += 1
        reset = add_months(cycle_start, months)
    return reset
