"""Pace and projection arithmetic for plan windows, 5-hour blocks and monthly budgets. Pure.

Pace compares the share of a window used with the share of its time gone: an even spend uses
40 % by 40 % of the window. At the current rate (used so far over time so far) a window that is
ahead of pace reaches 100 % at ``limit_time``; a budget's month-end figure scales the spend so far
to the whole month.
"""

from __future__ import annotations

from datetime import datetime, timedelta, tzinfo
from decimal import Decimal

ONE = Decimal(1)


def elapsed_share(resets_at: datetime, window_seconds: int, now: datetime) -> Decimal | None:
    """The share (0-1) of the window gone by ``now``; None outside the window."""
    if window_seconds <= 0:
        return None
    left = Decimal(str((resets_at - now).total_seconds()))
    if left <= 0 or left > window_seconds:
        return None
    return ONE - left / window_seconds


def pace(used: Decimal, share: Decimal | None) -> Decimal | None:
    """Used minus elapsed share: positive is ahead of an even spend (0.12 = 12 points)."""
    if share is None:
        return None
    return used - share


def limit_time(
    used: Decimal, resets_at: datetime, window_seconds: int, now: datetime
) -> datetime | None:
    """When the window reaches 100 % at the rate so far, if that is before it resets."""
    share = elapsed_share(resets_at, window_seconds, now)
    if share is None or share <= 0 or used <= 0 or used >= ONE:
        return None
    gone = share * window_seconds
    to_full = gone * (ONE - used) / used
    hit = now + timedelta(seconds=float(to_full))
    return hit if hit < resets_at else None


def month_bounds(now: datetime, zone: tzinfo) -> tuple[datetime, datetime]:
    """The calendar month around ``now`` in the user's zone, as aware datetimes."""
    local = now.astimezone(zone)
    year, month = (local.year + 1, 1) if local.month == 12 else (local.year, local.month + 1)
    # Built from the wall clock, so a month that crosses a DST change still starts at midnight.
    return datetime(local.year, local.month, 1, tzinfo=zone), datetime(year, month, 1, tzinfo=zone)


def project(spent: Decimal, start: datetime, end: datetime, now: datetime) -> Decimal:
    """Spend so far scaled to the whole span ``[start, end)`` at the rate so far."""
    gone = Decimal(str((now - start).total_seconds()))
    whole = Decimal(str((end - start).total_seconds()))
    if gone <= 0 or whole <= 0:
        return spent
    if gone >= whole:
        return spent
    return spent * whole / gone


def per_minute(amount: Decimal, first: datetime, last: datetime) -> Decimal | None:
    """A rate per minute between two instants; None when they coincide."""
    minutes = Decimal(str((last - first).total_seconds())) / 60
    return amount / minutes if minutes > 0 else None
