"""Plan windows for the status document, from live readings, log snapshots and entries.

Every window gets the same treatment: a reading whose reset has passed is *expired* (its figure
no longer says anything about now, so ``used_ratio`` is None); a reading older than its window
is stale; a current one gets its pace and, when ahead, the time it reaches the limit.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from aiusage.models import ProviderName, Quota, SourceKind
from aiusage.render.format import usd
from aiusage.sources.live.readings import Reading
from aiusage.sources.manual.cursor import ManualEntry
from aiusage.status.document import Window
from aiusage.status.pace import elapsed_share, limit_time, pace

DEFAULT_WARN = Decimal("0.80")
SOURCE_KINDS: dict[str, SourceKind] = {
    "statusline": "local",
    "rollout-log": "local",
    "app-server": "api",
    "cursor-live": "api",
    "manual": "manual",
    "api": "api",
}
# Claude Code shows these two to every Pro/Max user; when one is missing it is unknown, not 0 %.
STATUSLINE_WINDOWS = {"five_hour": 5 * 3600, "seven_day": 7 * 86400}
# Codex windows are named by their length, never by their slot (openai.md §5a).
CODEX_LOG_WINDOWS = {"codex_5h": ("five_hour", 300 * 60), "codex_weekly": ("seven_day", 10080 * 60)}


def _utc(seconds: int | None) -> datetime | None:
    return None if seconds is None else datetime.fromtimestamp(seconds, UTC)


def make_window(
    *,
    provider: ProviderName,
    source: str,
    window: str,
    used: Decimal | None,
    resets_at: datetime | None,
    observed_at: datetime | None,
    window_seconds: int | None,
    now: datetime,
    warn_ratio: Decimal,
    model: str | None = None,
    detail: str | None = None,
    expired: bool = False,
) -> Window:
    """One window with its expiry, staleness, pace and warn flag worked out."""
    expired = expired or (resets_at is not None and resets_at <= now)
    old = (
        observed_at is not None
        and window_seconds is not None
        and now - observed_at > timedelta(seconds=window_seconds)
    )
    current = used if not expired else None
    ahead = at_limit = None
    if current is not None and resets_at is not None and window_seconds and not old:
        ahead = pace(current, elapsed_share(resets_at, window_seconds, now))
        at_limit = limit_time(current, resets_at, window_seconds, now)
    return Window(
        provider=provider,
        source=source,
        source_kind=SOURCE_KINDS.get(source, "api"),
        window=window,
        used_ratio=current,
        resets_at=resets_at,
        observed_at=observed_at,
        stale=expired or old,
        expired=expired,
        window_seconds=window_seconds,
        model=model or None,
        pace=None if ahead is None else ahead.quantize(Decimal("0.0001")),
        limit_at=at_limit,
        warn=current is not None and not old and current >= warn_ratio,
        detail=detail,
    )


def reading_windows(
    readings: Iterable[Reading], now: datetime, warn: dict[str, Decimal]
) -> list[Window]:
    """Windows from stored live readings; Claude's two status-line windows always appear."""
    found = [
        make_window(
            provider=r.provider,  # type: ignore[arg-type]  # written by our own sources only
            source=r.source,
            window=r.window,
            used=r.used_ratio,
            resets_at=_utc(r.resets_at),
            observed_at=_utc(r.observed_at),
            window_seconds=r.window_seconds,
            now=now,
            warn_ratio=warn.get(r.provider, DEFAULT_WARN),
            model=r.model,
            detail=r.detail,
        )
        for r in readings
    ]
    seen = {(w.provider, w.source, w.window) for w in found}
    if any(w.provider == "claude" and w.source == "statusline" for w in found):
        for name, seconds in STATUSLINE_WINDOWS.items():
            if ("claude", "statusline", name) not in seen:
                found.append(
                    Window(
                        provider="claude",
                        source="statusline",
                        source_kind="local",
                        window=name,
                        used_ratio=None,
                        window_seconds=seconds,
                    )
                )
    return found


def quota_windows(quotas: Iterable[Quota], now: datetime, warn: dict[str, Decimal]) -> list[Window]:
    """Windows from quotas of Codex rollout logs and of vendor APIs (Gemini, Cursor teams)."""
    found = []
    for quota in quotas:
        ratio = warn.get(quota.provider, DEFAULT_WARN)
        if quota.provider == "openai" and quota.source == "local":
            name, seconds = CODEX_LOG_WINDOWS.get(quota.name, (quota.name, None))
            # The log reader reports a window that reset since the snapshot as 0 %, estimated,
            # without a reset time: that is an expired reading here.
            rolled_over = quota.estimated and quota.resets_at is None
            found.append(
                make_window(
                    provider="openai",
                    source="rollout-log",
                    window=name.removeprefix("codex_"),
                    used=None if quota.used is None else quota.used / 100,
                    resets_at=quota.resets_at,
                    observed_at=quota.observed_at,
                    window_seconds=seconds,
                    now=now,
                    warn_ratio=ratio,
                    expired=rolled_over,
                )
            )
        elif quota.source == "api" and quota.limit and quota.used is not None:
            found.append(
                make_window(
                    provider=quota.provider,
                    source="api",
                    window=quota.name,
                    used=quota.used / quota.limit,
                    resets_at=quota.resets_at,
                    observed_at=quota.observed_at,
                    window_seconds=None,
                    now=now,
                    warn_ratio=ratio,
                    model=quota.scope,
                )
            )
    return found


def manual_cursor_window(
    entry: ManualEntry | None, now: datetime, warn: dict[str, Decimal]
) -> list[Window]:
    """The billing cycle of the latest ``cursor set`` entry for the current cycle."""
    if entry is None or not entry.cycle_start <= now < entry.cycle_end:
        return []
    used = None
    if entry.used_usd is not None and entry.included_usd:
        used = entry.used_usd / entry.included_usd
    detail = None
    if entry.used_usd is not None and entry.included_usd is not None:
        detail = f"{usd(entry.used_usd)} of {usd(entry.included_usd)} included"
    return [
        make_window(
            provider="cursor",
            source="manual",
            window="billing_cycle",
            used=used,
            resets_at=entry.cycle_end,
            observed_at=entry.observed_at,
            window_seconds=int((entry.cycle_end - entry.cycle_start).total_seconds()),
            now=now,
            warn_ratio=warn.get("cursor", DEFAULT_WARN),
            detail=detail,
        )
    ]
