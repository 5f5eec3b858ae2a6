"""Claude Code's status-line JSON (``statusLine.command`` stdin): validated readings and costs.

Claude Code pipes one object per turn (see ``live-limits.md`` §1.1): ``model.display_name``,
``cost.total_cost_usd`` and, for Pro/Max subscribers after the first answer, ``rate_limits``
with ``five_hour``, ``seven_day`` and (behind a gateway) ``spend_limit``, each
``{used_percentage: 0-100, resets_at: Unix seconds}``. A window with a percentage outside its
range or a reset that is past or absurdly far makes the whole ``rate_limits`` untrusted: none of
it is stored. Standard library only (the status line's import budget).
"""

from __future__ import annotations

import json
import math
from decimal import Decimal, InvalidOperation

from aiusage.sources.live.readings import Reading

# Not typing.TYPE_CHECKING: importing typing costs the status line a few milliseconds.
TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

# window name -> (length in seconds or None, highest percentage accepted)
WINDOWS: dict[str, tuple[int | None, float]] = {
    "five_hour": (5 * 3600, 100.0),
    "seven_day": (7 * 86400, 100.0),
    "spend_limit": (None, 1000.0),  # documented to pass 100 %
}
RESET_SLACK = 3600  # a reset may lie this much beyond one window length (clock skew)
FAR_RESET = 400 * 86400  # a window of unknown length resets within about a year
MAX_SESSION_USD = Decimal(100_000)
MAX_SESSION_ID = 100  # Claude Code's ids are UUIDs
SOURCE = "statusline"


class StatusInput:
    """What one status-line call carried; ``problem`` says why rate limits were not kept."""

    def __init__(self, problem: str | None = None) -> None:
        self.model: str | None = None
        self.session: str | None = None
        self.session_cost: Decimal | None = None
        self.readings: list[Reading] = []
        self.problem = problem


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value) if math.isfinite(value) else None


def _cost(value: Any) -> Decimal | None:
    number = _number(value)
    if number is None or number < 0:
        return None
    try:
        cost = Decimal(str(number))
    except InvalidOperation:
        return None
    return cost if cost <= MAX_SESSION_USD else None


def _window(name: str, value: Any, now: int) -> Reading | str:
    length, highest = WINDOWS[name]
    if not isinstance(value, dict):
        return f"{name} is not an object"
    percent = _number(value.get("used_percentage"))
    if percent is None or not 0 <= percent <= highest:
        return f"{name}.used_percentage is not a percentage"
    resets = _number(value.get("resets_at"))
    latest = now + (length + RESET_SLACK if length else FAR_RESET)
    if resets is None or not now < resets <= latest:
        return f"{name}.resets_at is not a time in the window ahead"
    return Reading(
        provider="claude",
        source=SOURCE,
        window=name,
        used_ratio=Decimal(str(percent)) / 100,
        resets_at=int(resets),
        window_seconds=length,
        observed_at=now,
    )


def parse_input(text: str, now: int) -> StatusInput:
    """Read the stdin text; never raises. ``now`` is Unix seconds."""
    try:
        data = json.loads(text)
    except ValueError:
        return StatusInput(problem="stdin is not JSON")
    if not isinstance(data, dict):
        return StatusInput(problem="stdin is not a JSON object")
    found = StatusInput()
    model = data.get("model")
    if isinstance(model, dict):
        name = model.get("display_name") or model.get("id")
        found.model = name if isinstance(name, str) and name else None
    session = data.get("session_id")
    if isinstance(session, str) and session:
        found.session = session[:MAX_SESSION_ID]
    cost = data.get("cost")
    if isinstance(cost, dict):
        found.session_cost = _cost(cost.get("total_cost_usd"))
    limits = data.get("rate_limits")
    if limits is None:
        found.problem = "no rate_limits (an API-key session, or before the first answer)"
        return found
    if not isinstance(limits, dict):
        found.problem = "rate_limits is not an object"
        return found
    readings = []
    for name in WINDOWS:
        if limits.get(name) is None:
            continue
        window = _window(name, limits[name], now)
        if isinstance(window, str):
            found.problem = window
            return found
        readings.append(window)
    found.readings = readings
    return found
