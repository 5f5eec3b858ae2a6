"""Cursor's ``GET /api/usage-summary`` as readings; every field optional (``cursor.md`` §4.3).

The plan window is the billing cycle: ``totalPercentUsed`` (already in percent) when sent, else
``used``/``limit`` in cents. On-demand spend and an Enterprise member's personal cap
(``individualUsage.overall``) become windows of their own when they have a limit.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from aiusage.sources.live.readings import Reading, finite_number

SOURCE = "cursor-live"


def _number(value: Any) -> Decimal | None:
    """The value exactly as sent, when it is a finite number (``finite_number``)."""
    return None if finite_number(value) is None else Decimal(str(value))


def _time(value: Any) -> int | None:
    """ISO text, or epoch milliseconds as a number or a string."""
    number = _number(value)
    if number is not None:
        return int(number / 1000) if number > 1e11 else int(number)
    if isinstance(value, str) and value:
        try:
            parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            return None
        return int(parsed.timestamp()) if parsed.tzinfo else None
    return None


def _dollars(cents: Decimal | None) -> str:
    return "n/a" if cents is None else f"${cents / 100:.2f}"


def _spend(
    name: str,
    part: Any,
    cycle: tuple[int | None, int | None],
    now: int,
    percent: Decimal | None = None,
    label: str = "",
) -> Reading | None:
    if not isinstance(part, dict) or part.get("enabled") is False:
        return None
    used, limit = _number(part.get("used")), _number(part.get("limit"))
    if used is None:
        return None
    ratio = used / limit if limit and limit > 0 and used >= 0 else None
    if percent is not None and 0 <= percent <= 1000:
        ratio = percent / 100  # Cursor's own figure (it may weigh parts of the plan)
    detail = f"{_dollars(used)} of {_dollars(limit)}" if limit else f"{_dollars(used)} (no limit)"
    detail = f"{label}: {detail}" if label else detail
    start, end = cycle
    return Reading(
        provider="cursor",
        source=SOURCE,
        window=name,
        used_ratio=ratio,
        resets_at=end,
        window_seconds=None if start is None or end is None else end - start,
        observed_at=now,
        detail=detail,
    )


def readings_from_summary(body: Any, now: int) -> list[Reading]:
    """Readings of the billing cycle, on-demand spend and personal cap; [] when none is there."""
    if not isinstance(body, dict):
        return []
    cycle = (_time(body.get("billingCycleStart")), _time(body.get("billingCycleEnd")))
    usage = body.get("individualUsage")
    usage = usage if isinstance(usage, dict) else {}
    found: list[Reading] = []
    plan = usage.get("plan")
    if isinstance(plan, dict):
        member = body.get("membershipType")
        reading = _spend(
            "billing_cycle",
            plan,
            cycle,
            now,
            percent=_number(plan.get("totalPercentUsed")),
            label=member if isinstance(member, str) else "",
        )
        if reading is not None:
            found.append(reading)
    for name, key in (("on_demand", "onDemand"), ("individual_cap", "overall")):
        reading = _spend(name, usage.get(key), cycle, now)
        if reading is not None:
            found.append(reading)
    return found
