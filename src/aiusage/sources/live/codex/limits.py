"""The ``account/rateLimits/read`` result as readings; every field optional (``live-limits.md``
§2.2). Windows are named by their length (300 min: ``five_hour``, 10080 min: ``seven_day``),
never by their slot; a per-feature bucket (``rateLimitsByLimitId``, e.g. Codex Spark) carries its
name as ``model``."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from aiusage.sources.live.readings import Reading, finite_number

SOURCE = "app-server"
MAIN_LIMIT = "codex"
NAMES = {300: "five_hour", 10080: "seven_day"}
FAR_RESET = 400 * 86400


def _reset(value: Any, now: int) -> int | None:
    seconds = finite_number(value)
    if seconds is None or seconds <= 0:
        return None
    if seconds > 1e11:  # milliseconds
        seconds /= 1000
    return int(seconds) if seconds <= now + FAR_RESET else None


def _windows(snapshot: dict[str, Any], model: str, now: int) -> list[Reading]:
    found = []
    for slot in ("primary", "secondary"):
        window = snapshot.get(slot)
        if not isinstance(window, dict):
            continue
        percent = finite_number(window.get("usedPercent"))
        minutes = finite_number(window.get("windowDurationMins"))
        length = int(minutes) if minutes and minutes > 0 else None
        name = NAMES.get(length, f"{length}m") if length else slot
        found.append(
            Reading(
                provider="openai",
                source=SOURCE,
                window=name,
                model=model,
                used_ratio=(
                    Decimal(str(percent)) / 100
                    if percent is not None and 0 <= percent <= 100
                    else None
                ),
                resets_at=_reset(window.get("resetsAt"), now),
                window_seconds=None if length is None else length * 60,
                observed_at=now,
                detail=_reached(snapshot),
            )
        )
    return found


def _reached(snapshot: dict[str, Any]) -> str | None:
    kind = snapshot.get("rateLimitReachedType")
    return f"limit reached ({kind})" if isinstance(kind, str) and kind else None


def _credits(snapshot: dict[str, Any], model: str, now: int) -> list[Reading]:
    credits = snapshot.get("credits")
    if not isinstance(credits, dict):
        return []
    if credits.get("unlimited") is True:
        detail = "unlimited credits"
    else:
        balance = finite_number(credits.get("balance"))
        if balance is None:
            return []
        detail = f"credits balance {balance:g}"
    return [
        Reading(
            provider="openai",
            source=SOURCE,
            window="credits",
            model=model,
            used_ratio=None,
            resets_at=None,
            window_seconds=None,
            observed_at=now,
            detail=detail,
        )
    ]


def _spend_control(snapshot: dict[str, Any], model: str, now: int) -> list[Reading]:
    limit = snapshot.get("individualLimit")
    if not isinstance(limit, dict):
        return []
    try:
        used = Decimal(str(limit.get("used")))
        cap = Decimal(str(limit.get("limit")))
    except InvalidOperation:
        return []
    if not (used.is_finite() and cap.is_finite()) or cap <= 0 or used < 0:
        return []
    return [
        Reading(
            provider="openai",
            source=SOURCE,
            window="spend_control",
            model=model,
            used_ratio=used / cap,
            resets_at=_reset(limit.get("resetsAt"), now),
            window_seconds=None,
            observed_at=now,
            detail=f"{used} of {cap} credits",
        )
    ]


def readings_from_result(result: Any, now: int) -> list[Reading]:
    """Readings of every bucket in the answer; [] when it holds none."""
    if not isinstance(result, dict):
        return []
    snapshots: dict[str, dict[str, Any]] = {}
    by_id = result.get("rateLimitsByLimitId")
    if isinstance(by_id, dict):
        snapshots.update({str(k): v for k, v in by_id.items() if isinstance(v, dict)})
    main = result.get("rateLimits")
    if isinstance(main, dict):
        key = str(main.get("limitId") or MAIN_LIMIT)
        known = snapshots.get(key, {})
        # The two copies of the main bucket may each leave out what the other holds (credits).
        snapshots[key] = {**main, **{k: v for k, v in known.items() if v is not None}}
    found: list[Reading] = []
    for limit_id, snapshot in sorted(snapshots.items(), key=lambda kv: kv[0] != MAIN_LIMIT):
        name = snapshot.get("limitName")
        model = (
            "" if limit_id == MAIN_LIMIT else (name if isinstance(name, str) and name else limit_id)
        )
        found.extend(_windows(snapshot, model, now))
        found.extend(_credits(snapshot, model, now))
        found.extend(_spend_control(snapshot, model, now))
    return found
