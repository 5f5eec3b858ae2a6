"""Windows from readings and quotas: expired, stale, unknown as n/a, warn levels."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

from aiusage.models import Quota
from aiusage.sources.live.readings import Reading
from aiusage.sources.manual.cursor_entry import ManualEntry
from aiusage.status.windows import (
    DEFAULT_WARN,
    manual_cursor_window,
    quota_windows,
    reading_windows,
)

NOW = datetime(2026, 11, 10, 12, 0, tzinfo=UTC)
T = int(NOW.timestamp())


def reading(window: str, used: str | None, resets: int | None, observed: int = T - 60) -> Reading:
    return Reading(
        provider="claude",
        source="statusline",
        window=window,
        used_ratio=None if used is None else Decimal(used),
        resets_at=resets,
        window_seconds={"five_hour": 18000, "seven_day": 604800}.get(window),
        observed_at=observed,
    )


def test_a_current_reading_has_its_pace_and_limit_time() -> None:
    [five, seven] = reading_windows([reading("five_hour", "0.5", T + 3 * 3600)], NOW, {})
    assert five.used_ratio == Decimal("0.5") and not five.stale and not five.expired
    assert five.pace == Decimal("0.1")  # 50 % used, 40 % gone
    assert five.limit_at == NOW + timedelta(hours=2)
    assert five.source_kind == "local"
    # The 7-day window was not in the reading: shown, unknown, never 0 %.
    assert (seven.window, seven.used_ratio, seven.observed_at) == ("seven_day", None, None)


def test_a_reading_whose_reset_has_passed_is_expired_not_current() -> None:
    [five, _] = reading_windows(
        [reading("five_hour", "0.9", T - 10, observed=T - 4 * 3600)], NOW, {}
    )
    assert five.expired and five.stale
    assert five.used_ratio is None and five.pace is None and not five.warn
    assert five.resets_at == NOW - timedelta(seconds=10)


def test_warn_follows_the_budget_level_else_80_percent() -> None:
    readings = [reading("five_hour", "0.79", T + 3600), reading("seven_day", "0.80", T + 86400)]
    by_name = {w.window: w for w in reading_windows(readings, NOW, {})}
    assert DEFAULT_WARN == Decimal("0.80")
    assert (by_name["five_hour"].warn, by_name["seven_day"].warn) == (False, True)
    lowered = {w.window: w for w in reading_windows(readings, NOW, {"claude": Decimal("0.5")})}
    assert lowered["five_hour"].warn and lowered["seven_day"].warn


def codex_quota(name: str, used: str, resets: datetime | None, estimated: bool = False) -> Quota:
    return Quota(
        provider="openai",
        source="local",
        name=name,
        used=Decimal(used),
        limit=Decimal(100),
        unit="percent",
        resets_at=resets,
        observed_at=NOW - timedelta(minutes=30),
        estimated=estimated,
    )


def test_codex_log_windows_are_named_by_length_and_rolled_over_ones_expire() -> None:
    quotas = [
        codex_quota("codex_5h", "22", NOW + timedelta(hours=1)),
        codex_quota("codex_weekly", "0", None, estimated=True),  # the log reader's rollover
    ]
    five, seven = quota_windows(quotas, NOW, {})
    assert (five.window, five.used_ratio, five.window_seconds) == (
        "five_hour",
        Decimal("0.22"),
        18000,
    )
    assert five.source == "rollout-log" and five.observed_at == NOW - timedelta(minutes=30)
    assert seven.window == "seven_day" and seven.expired and seven.used_ratio is None


def test_api_quotas_with_a_limit_become_windows_and_others_do_not() -> None:
    gemini = Quota(
        provider="gemini",
        source="api",
        name="gemini-2.5-pro requests per day (free tier)",
        used=Decimal(25),
        limit=Decimal(100),
        unit="requests",
        resets_at=NOW + timedelta(hours=5),
        observed_at=NOW,
    )
    unlimited = gemini.model_copy(update={"limit": None, "name": "other"})
    [window] = quota_windows([gemini, unlimited], NOW, {})
    assert (window.provider, window.source_kind, window.used_ratio) == (
        "gemini",
        "api",
        Decimal("0.25"),
    )


def test_a_cursor_entry_of_this_cycle_is_a_window_whose_dollars_read_as_in_the_report() -> None:
    entry = ManualEntry(
        observed_at=NOW - timedelta(hours=1),
        used_usd=Decimal("1234.5"),
        included_usd=Decimal(2000),
        cycle_start=NOW - timedelta(days=10),
        cycle_end=NOW + timedelta(days=20),
    )
    [window] = manual_cursor_window(entry, NOW, {})
    assert window.used_ratio == Decimal("0.61725")
    assert window.detail == "$1,234.50 of $2,000.00 included"
