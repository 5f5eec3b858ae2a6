"""Codex CLI plan windows: read from ``token_count`` events, checked, and shown as quotas.

``rate_limits.primary/secondary`` hold ``used_percent``, ``window_minutes`` and the reset time:
``resets_at`` (Unix seconds; some writers use milliseconds) or, in logs of Sept-Oct 2025,
``resets_in_seconds`` from the line's time. A window is named by its length, not its slot.
"""

from __future__ import annotations

import math
from datetime import UTC, datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any, TypeGuard

import orjson

from aiusage.models import Quota
from aiusage.sources.logs.lines import EARLIEST_MS, OutOfRange
from aiusage.sources.logs.tables import latest_event

if TYPE_CHECKING:
    from aiusage.store import Store

RATE_LIMITS = "rate_limits"
WINDOW_NAMES = {300: "codex_5h", 10080: "codex_weekly"}
DAY_MS = 86_400_000
# A snapshot names the reset of the window it is in: at most a month ahead of its line (the
# longest plan window). A reset long past is possible (a fork replays its parent's snapshots
# re-stamped): it only means the window rolled over, unless it is before any of these logs.
RESET_AHEAD_MS = 31 * DAY_MS
MILLISECONDS_FROM = 10**11  # a resets_at this large is in milliseconds (as seconds: year 5138)
MAX_USED_PERCENT = 1000  # above 100 when a plan runs over; far above, it is not a percentage
MAX_WINDOW_MINUTES = 10**6


def windows(ts: int, limits: object) -> list[dict[str, Any]]:
    """The main plan's windows in one event's ``rate_limits`` (none for another ``limit_id``).

    Raises:
        OutOfRange: a use that is negative or not finite, or a reset time that is neither in
            seconds nor in milliseconds (before 2020, or over a month after the line).
    """
    if not isinstance(limits, dict) or limits.get("limit_id") not in (None, "codex"):
        return []
    found = []
    for slot in ("primary", "secondary"):
        window = limits.get(slot)
        if not isinstance(window, dict):
            continue
        used = window.get("used_percent")
        if not _number(used):
            continue
        if not 0 <= used <= MAX_USED_PERCENT:
            raise OutOfRange(used)
        minutes = window.get("window_minutes")
        if _number(minutes) and not 0 < minutes <= MAX_WINDOW_MINUTES:
            raise OutOfRange(minutes)
        found.append(
            {
                "slot": slot,
                "minutes": minutes if isinstance(minutes, int) else None,
                "used": str(used),
                "resets": _reset_ms(ts, window.get("resets_at"), window.get("resets_in_seconds")),
            }
        )
    return found


def _number(value: object) -> TypeGuard[int | float]:
    """An int or a float that is finite (orjson refuses NaN; the fallback decoder too)."""
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def _reset_ms(ts: int, resets: object, relative: object) -> int | None:
    if _number(resets):
        reset = round(resets) if abs(resets) >= MILLISECONDS_FROM else round(resets * 1000)
    elif _number(relative):
        if abs(relative) > RESET_AHEAD_MS / 1000:
            raise OutOfRange(relative)
        reset = ts + round(relative * 1000)
    else:
        return None
    if not EARLIEST_MS <= reset <= ts + RESET_AHEAD_MS:
        raise OutOfRange(reset)
    return reset


def event_payload(found: list[dict[str, Any]]) -> str:
    return orjson.dumps({"windows": found}).decode()


def rate_limit_quotas(store: Store, now: datetime) -> list[Quota]:
    """The latest Codex rate-limit windows, classified by their length, not their slot."""
    found = latest_event(store.db, "openai", RATE_LIMITS, now.timestamp() * 1000)
    if found is None:
        return []
    ts, payload = found
    observed = datetime.fromtimestamp(ts / 1000, UTC)
    quotas = []
    for window in orjson.loads(payload)["windows"]:
        minutes = window["minutes"]
        name = WINDOW_NAMES.get(minutes) or (
            f"codex_{minutes}m" if minutes else f"codex_{window['slot']}"
        )
        resets = (
            None
            if window["resets"] is None
            else datetime.fromtimestamp(window["resets"] / 1000, UTC)
        )
        rolled_over = resets is not None and resets <= now
        quotas.append(
            Quota(
                provider="openai",
                source="local",
                name=name,
                # A window that has reset since the snapshot starts again from zero.
                used=Decimal(0) if rolled_over else Decimal(window["used"]),
                limit=Decimal(100),
                unit="percent",
                resets_at=None if rolled_over else resets,
                observed_at=observed,
                estimated=rolled_over,
            )
        )
    return quotas
