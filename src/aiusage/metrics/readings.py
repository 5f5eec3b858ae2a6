"""Live gauges: plan windows and limits (used, reset, seen) and monthly budgets.

Windows and budgets come from ``aiusage status``'s own document (``current_readings``), which
merges status-line captures, Codex and Cursor live readings, vendor quotas and budgets; the
quotas of the report are the fallback when that document could not be built. Only windows with
a known used ratio become readings (an expired one vanishes rather than showing 0). Labels never
carry a scope (a Cursor member's e-mail, a Google project): windows that differ only by scope or
by where they were read collapse into one reading, the latest, and of equally recent ones the
most used, so that an alert on the ratio still fires for the one closest to its limit.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import TYPE_CHECKING

from aiusage.models import Quota

if TYPE_CHECKING:
    from aiusage.status.document import Budget, Window


@dataclass(frozen=True)
class LimitReading:
    provider: str
    source: str
    window: str
    model: str | None
    used_ratio: Decimal
    resets_at: datetime | None
    observed_at: datetime | None

    @property
    def labels(self) -> tuple[str, str, str, str | None]:
        return (self.provider, self.source, self.window, self.model)


@dataclass(frozen=True)
class BudgetReading:
    provider: str  # "all" for the budget that covers every provider
    used_ratio: Decimal


def limit_readings(quotas: Iterable[Quota]) -> list[LimitReading]:
    """Readings from the report's quotas: those with both an amount used and a limit."""
    return _merged(
        LimitReading(
            provider=quota.provider,
            source=quota.source,
            window=quota.name,
            model=None,
            used_ratio=quota.used / quota.limit,
            resets_at=quota.resets_at,
            observed_at=quota.observed_at,
        )
        for quota in quotas
        if quota.used is not None and quota.limit
    )


def window_readings(windows: Iterable[Window]) -> list[LimitReading]:
    """Readings from ``aiusage status``'s windows that have a used ratio."""
    return _merged(
        LimitReading(
            provider=window.provider,
            source=window.source_kind,
            window=window.window,
            model=window.model,
            used_ratio=window.used_ratio,
            resets_at=window.resets_at,
            observed_at=window.observed_at,
        )
        for window in windows
        if window.used_ratio is not None
    )


def budget_readings(budgets: Iterable[Budget]) -> list[BudgetReading]:
    return [
        BudgetReading(budget.provider, budget.spent_usd / budget.monthly_usd)
        for budget in budgets
        if budget.monthly_usd
    ]


def _rank(reading: LimitReading) -> tuple[float, Decimal]:
    seen = reading.observed_at.timestamp() if reading.observed_at else float("-inf")
    return seen, reading.used_ratio


def _merged(readings: Iterable[LimitReading]) -> list[LimitReading]:
    found: dict[tuple[str, str, str, str | None], LimitReading] = {}
    for reading in readings:
        kept = found.get(reading.labels)
        if kept is None or _rank(reading) > _rank(kept):
            found[reading.labels] = reading
    return sorted(found.values(), key=lambda r: (r.provider, r.source, r.window, r.model or ""))
