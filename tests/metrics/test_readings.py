"""Gauges from ``aiusage status``'s document: windows, budgets, what vanishes and what merges."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

from aiusage.metrics.readings import budget_readings, window_readings
from aiusage.status.document import Budget, Window

SEEN = datetime(2026, 12, 1, 10, 0, tzinfo=UTC)


def window(ratio: str | None, **changes: object) -> Window:
    values: dict[str, object] = {
        "provider": "claude",
        "source": "statusline",
        "source_kind": "local",
        "window": "five_hour",
        "used_ratio": None if ratio is None else Decimal(ratio),
        "resets_at": SEEN + timedelta(hours=2),
        "observed_at": SEEN,
    }
    values.update(changes)
    return Window(**values)


def test_a_window_becomes_a_reading_labelled_with_the_source_kind() -> None:
    (reading,) = window_readings([window("0.33", model="opus")])
    assert (reading.provider, reading.source, reading.window, reading.model) == (
        "claude", "local", "five_hour", "opus",
    )  # fmt: skip
    assert reading.used_ratio == Decimal("0.33")
    assert reading.resets_at == SEEN + timedelta(hours=2)


def test_an_expired_or_unknown_window_vanishes_rather_than_reading_0() -> None:
    assert window_readings([window(None, expired=True)]) == []


def test_the_same_window_read_twice_keeps_the_latest_reading() -> None:
    older = window("0.9", source="rollout-log")
    newer = window("0.4", observed_at=SEEN + timedelta(minutes=5))
    (reading,) = window_readings([older, newer])
    assert reading.used_ratio == Decimal("0.4")


def test_budgets_are_spent_over_monthly_and_may_pass_1() -> None:
    budgets = [
        Budget(provider="all", monthly_usd=Decimal(200), spent_usd=Decimal(50),
               spent_kind="reported", projected_usd=Decimal(150), warn_ratio=Decimal("0.8"),
               over=False, warn=False),
        Budget(provider="openai", monthly_usd=Decimal(10), spent_usd=Decimal(12),
               spent_kind="estimated", projected_usd=Decimal(30), warn_ratio=Decimal("0.8"),
               over=True, warn=True),
    ]  # fmt: skip
    assert [(b.provider, b.used_ratio) for b in budget_readings(budgets)] == [
        ("all", Decimal("0.25")),
        ("openai", Decimal("1.2")),
    ]
