"""Month-to-date spend per provider and the budgets it is measured against.

A provider's dollars come from one kind of source, never summed across kinds: what an admin API
reported (billed) when it reported any for the month, else what was typed in (Cursor), else the
estimate from local logs at API prices. The overall figure sums the providers and is ``mixed``
when their kinds differ. Projections scale the month so far to the whole month.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import datetime
from decimal import Decimal

from aiusage.models import PROVIDER_NAMES, SourceKind, UsageRecord
from aiusage.sources.manual.budget import ALL, BudgetEntry
from aiusage.status.document import Budget, Spend, SpentKind
from aiusage.status.pace import project

CENT = Decimal("0.01")
_PREFERENCE: tuple[SourceKind, ...] = ("api", "manual", "local")


def _kind(kinds: set[str]) -> SpentKind:
    if kinds == {"reported"}:
        return "reported"
    if kinds == {"estimated"}:
        return "estimated"
    return "mixed"


def month_spend(
    records: Iterable[UsageRecord], start: datetime, end: datetime, now: datetime
) -> list[Spend]:
    """One row per provider with dollars this month, then ``all`` when there are any."""
    by_source: dict[tuple[str, SourceKind], list[UsageRecord]] = defaultdict(list)
    for record in records:
        by_source[(record.provider, record.source)].append(record)
    rows: list[Spend] = []
    for provider in PROVIDER_NAMES:
        for source in _PREFERENCE:
            chosen = by_source.get((provider, source), [])
            priced = [r for r in chosen if r.cost_usd is not None]
            if not priced:
                continue
            spent = sum((r.cost_usd for r in priced if r.cost_usd is not None), Decimal(0))
            unpriced = sorted(
                {
                    r.model or "(unknown model)"
                    for r in chosen
                    if r.cost_usd is None and r.total_tokens
                }
            )
            rows.append(
                Spend(
                    provider=provider,
                    spent_usd=spent,
                    spent_kind=_kind({r.cost_kind for r in priced if r.cost_kind}),
                    projected_usd=project(spent, start, end, now).quantize(CENT),
                    sources=(source,),
                    unpriced=tuple(unpriced),
                )
            )
            break
    if rows:
        spent = sum((r.spent_usd for r in rows), Decimal(0))
        rows.append(
            Spend(
                provider=ALL,
                spent_usd=spent,
                spent_kind=_kind({r.spent_kind for r in rows}),
                projected_usd=project(spent, start, end, now).quantize(CENT),
                sources=tuple(sorted({s for r in rows for s in r.sources})),
                unpriced=tuple(sorted({m for r in rows for m in r.unpriced})),
            )
        )
    return rows


def budget_status(entries: Iterable[BudgetEntry], spend: Iterable[Spend]) -> list[Budget]:
    """Each budget in force against the spend of its provider (``all``: every provider)."""
    spent = {s.provider: s for s in spend}
    found = []
    for entry in entries:
        if entry.monthly_usd is None:
            continue
        row = spent.get(entry.provider)
        dollars = row.spent_usd if row else Decimal(0)
        projected = row.projected_usd if row else Decimal(0)
        found.append(
            Budget(
                provider=entry.provider,
                monthly_usd=entry.monthly_usd,
                spent_usd=dollars,
                spent_kind=row.spent_kind if row else None,
                projected_usd=projected,
                warn_ratio=entry.warn_ratio,
                over=dollars > entry.monthly_usd,
                warn=dollars >= entry.monthly_usd * entry.warn_ratio,
            )
        )
    return found


def warn_ratios(entries: Iterable[BudgetEntry]) -> dict[str, Decimal]:
    """The warn level for each provider's windows: its own budget's, else the overall one's."""
    found: dict[str, Decimal] = {
        e.provider: e.warn_ratio for e in entries if e.monthly_usd is not None
    }
    overall = found.get(ALL)
    if overall is not None:
        for provider in PROVIDER_NAMES:
            found.setdefault(provider, overall)
    return found
