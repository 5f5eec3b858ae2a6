"""Monthly budgets (``aiusage budget set|show|clear``): validated, dated, kept with history.

Every ``set`` and every ``clear`` is a new row; nothing is updated in place. A row with no
amount clears the budget of its provider. ``provider`` is ``all`` for the budget that covers
every provider together.
"""

from __future__ import annotations

import sqlite3
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, cast

from pydantic import BaseModel, ConfigDict

from aiusage.errors import UsageError
from aiusage.models import Money, UtcDatetime
from aiusage.status.document import BudgetProvider

if TYPE_CHECKING:
    from aiusage.store import Store

ALL: BudgetProvider = "all"
DEFAULT_WARN_PERCENT = Decimal(80)
# Far above any one person's or team's monthly AI bill; anything beyond is a typo.
MAX_MONTHLY_USD = Decimal(10_000_000)
_COLUMNS = "provider, monthly_usd, warn_percent, set_at"


class BudgetEntry(BaseModel):
    """One dated row: a budget set, or (``monthly_usd`` None) cleared."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    provider: BudgetProvider
    monthly_usd: Money | None
    warn_percent: Money | None
    set_at: UtcDatetime

    @property
    def warn_ratio(self) -> Decimal:
        return (self.warn_percent or DEFAULT_WARN_PERCENT) / 100


def _decimal(text: str, option: str, example: str) -> Decimal:
    cleaned = text.strip().removeprefix("$").removesuffix("%").strip()
    try:
        value = Decimal(cleaned)
    except InvalidOperation:
        raise UsageError(f"{option} needs a number such as {example}, not {text!r}") from None
    if not value.is_finite():
        raise UsageError(f"{option} needs a number such as {example}, not {text!r}")
    return value


def parse_monthly(text: str) -> Decimal:
    """``--monthly``: dollars, more than 0 and at most 10 million, to the cent."""
    value = _decimal(text, "--monthly", "200 or 49.99")
    if value <= 0 or value > MAX_MONTHLY_USD:
        raise UsageError(
            f"--monthly must be more than $0 and at most ${MAX_MONTHLY_USD:,}, not {text!r}"
        )
    if value != value.quantize(Decimal("0.01")):
        raise UsageError(f"--monthly is in dollars and cents (at most 2 decimals), not {text!r}")
    return value


def parse_warn(text: str | None) -> Decimal:
    """``--warn``: a percentage of the budget (and of each plan window), 1-100."""
    if text is None:
        return DEFAULT_WARN_PERCENT
    value = _decimal(text, "--warn", "80")
    if not 1 <= value <= 100:
        raise UsageError(f"--warn is a percentage from 1 to 100, not {text!r}")
    return value


def _entry(row: tuple[str, str | None, str | None, str]) -> BudgetEntry:
    return BudgetEntry(
        provider=cast(BudgetProvider, row[0]),  # written by set_budget only
        monthly_usd=None if row[1] is None else Decimal(row[1]),
        warn_percent=None if row[2] is None else Decimal(row[2]),
        set_at=datetime.fromisoformat(row[3]),
    )


def set_budget(
    store: Store, provider: BudgetProvider, monthly: Decimal, warn: Decimal, now: datetime
) -> BudgetEntry:
    """Record a budget; the caller has validated the amounts (``parse_monthly``)."""
    entry = BudgetEntry(provider=provider, monthly_usd=monthly, warn_percent=warn, set_at=now)
    with store.transaction() as db:
        db.execute(
            f"INSERT INTO budgets ({_COLUMNS}) VALUES (?, ?, ?, ?)",
            (provider, str(monthly), str(warn), entry.set_at.isoformat(timespec="microseconds")),
        )
    return entry


def clear_budgets(
    store: Store, providers: list[BudgetProvider], now: datetime
) -> list[BudgetProvider]:
    """Clear these budgets (every current one when the list is empty); return which were."""
    with store.transaction() as db:
        current = [e.provider for e in _current(db)]
        chosen = [p for p in current if not providers or p in providers]
        db.executemany(
            f"INSERT INTO budgets ({_COLUMNS}) VALUES (?, NULL, NULL, ?)",
            [(p, now.isoformat(timespec="microseconds")) for p in chosen],
        )
    return chosen


def history(store: Store) -> list[BudgetEntry]:
    """Every row, oldest first."""
    rows = store.db.execute(f"SELECT {_COLUMNS} FROM budgets ORDER BY set_at, id").fetchall()
    return [_entry(row) for row in rows]


def _current(db: sqlite3.Connection) -> list[BudgetEntry]:
    latest: dict[str, BudgetEntry] = {}
    for row in db.execute(f"SELECT {_COLUMNS} FROM budgets ORDER BY set_at, id"):
        entry = _entry(row)
        latest[entry.provider] = entry
    order = {name: i for i, name in enumerate(("all", "claude", "openai", "gemini", "cursor"))}
    return sorted(
        (e for e in latest.values() if e.monthly_usd is not None),
        key=lambda e: order[e.provider],
    )


def current_budgets(store: Store) -> list[BudgetEntry]:
    """The budgets in force: the latest row of each provider, unless it cleared it."""
    return _current(store.db)
