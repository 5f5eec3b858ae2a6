"""Month-to-date spend: billed before typed-in before estimated, never summed across kinds."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

from aiusage.models import UsageRecord
from aiusage.sources.manual.budget import BudgetEntry
from aiusage.status.spend import budget_status, month_spend, warn_ratios

START = datetime(2026, 11, 1, tzinfo=UTC)
END = datetime(2026, 12, 1, tzinfo=UTC)
NOW = START + timedelta(days=10)  # a third of November


def record(
    provider: str, source: str, cost: str | None, kind: str | None, model: str = "m"
) -> UsageRecord:
    return UsageRecord(
        provider=provider,
        source=source,
        start=START,
        end=START + timedelta(days=1),
        model=model,
        input_tokens=1000,
        cost_usd=None if cost is None else Decimal(cost),
        cost_kind=kind,
    )


RECORDS = [
    record("claude", "api", "20.00", "reported"),
    record("claude", "api", "5.50", "reported"),
    record("claude", "local", "99.00", "estimated"),  # ignored: Claude has billed dollars
    record("openai", "local", "4.25", "estimated"),
    record("openai", "local", None, None, model="gpt-9-unpriced"),
    record("cursor", "manual", "12.40", "reported"),
]


def test_each_provider_takes_one_kind_of_dollars_and_all_sums_them() -> None:
    rows = {s.provider: s for s in month_spend(RECORDS, START, END, NOW)}
    assert (rows["claude"].spent_usd, rows["claude"].spent_kind, rows["claude"].sources) == (
        Decimal("25.50"),
        "reported",
        ("api",),
    )
    assert rows["claude"].projected_usd == Decimal("76.50")
    assert (rows["openai"].spent_usd, rows["openai"].spent_kind) == (Decimal("4.25"), "estimated")
    assert rows["openai"].unpriced == ("gpt-9-unpriced",)
    assert (rows["cursor"].spent_usd, rows["cursor"].sources) == (Decimal("12.40"), ("manual",))
    assert "gemini" not in rows
    overall = rows["all"]
    assert (overall.spent_usd, overall.spent_kind) == (Decimal("42.15"), "mixed")
    assert overall.projected_usd == Decimal("126.45")


def test_no_dollars_no_rows() -> None:
    assert month_spend([], START, END, NOW) == []


def entry(provider: str, monthly: str | None, warn: str | None = None) -> BudgetEntry:
    return BudgetEntry(
        provider=provider,
        monthly_usd=None if monthly is None else Decimal(monthly),
        warn_percent=None if warn is None else Decimal(warn),
        set_at=START,
    )


def test_budgets_are_measured_against_their_providers_spend() -> None:
    spend = month_spend(RECORDS, START, END, NOW)
    budgets = {
        b.provider: b
        for b in budget_status(
            [entry("all", "40"), entry("claude", "30", "50"), entry("gemini", "10")], spend
        )
    }
    assert budgets["all"].over and budgets["all"].warn  # 42.15 > 40
    assert budgets["all"].warn_ratio == Decimal("0.8")
    claude = budgets["claude"]
    assert (claude.over, claude.warn, claude.spent_usd) == (False, True, Decimal("25.50"))
    gemini = budgets["gemini"]
    assert (gemini.spent_usd, gemini.spent_kind, gemini.over) == (Decimal(0), None, False)


def test_window_warn_levels_come_from_the_provider_then_the_overall_budget() -> None:
    ratios = warn_ratios([entry("all", "40", "90"), entry("claude", "30", "50")])
    assert ratios["claude"] == Decimal("0.5")
    assert ratios["openai"] == Decimal("0.9")
    assert warn_ratios([entry("claude", None)]) == {}
