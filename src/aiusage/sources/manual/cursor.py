"""Cursor usage typed in by hand (``aiusage cursor set``): validated, dated, kept with history.

Every ``set`` is a new row; nothing is updated in place. The report shows the latest entry of
the current cycle as quotas, and the latest entry of each cycle as a ``manual`` record.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from aiusage.models import (
    ProviderName,
    Quota,
    SourceKind,
    SourceResult,
    UsageQuery,
    UsageRecord,
    utc_now,
)
from aiusage.sources.manual.cursor_entry import (
    EntryInput,
    ManualEntry,
    cycle_of,
    parse_input,
    resolve,
)

if TYPE_CHECKING:
    from aiusage.settings import Settings
    from aiusage.store import Store

STALE_AFTER = timedelta(days=3)
_COLUMNS = (
    "observed_at, plan, used_usd, included_usd, on_demand_usd, fast_requests, fast_limit, "
    "premium_requests, premium_limit, cycle_start, cycle_end"
)


__all__ = ["CursorManualSource", "EntryInput", "ManualEntry", "add_entry", "clear", "history"]


def _text(value: Decimal | None) -> str | None:
    return None if value is None else str(value)


def _stamp(moment: datetime) -> str:
    # One fixed width, so that the text sorts like the time it stands for.
    return moment.astimezone(UTC).isoformat(timespec="microseconds")


def _entry(row: tuple[Any, ...]) -> ManualEntry:
    def money(value: str | None) -> Decimal | None:
        return None if value is None else Decimal(value)

    return ManualEntry(
        observed_at=datetime.fromisoformat(row[0]),
        plan=row[1],
        used_usd=money(row[2]),
        included_usd=money(row[3]),
        on_demand_usd=money(row[4]),
        fast_requests=row[5],
        fast_limit=row[6],
        premium_requests=row[7],
        premium_limit=row[8],
        cycle_start=datetime.fromisoformat(row[9]),
        cycle_end=datetime.fromisoformat(row[10]),
    )


def _latest(db: sqlite3.Connection) -> ManualEntry | None:
    row = db.execute(
        f"SELECT {_COLUMNS} FROM cursor_manual_entries ORDER BY observed_at DESC, id DESC LIMIT 1"
    ).fetchone()
    return None if row is None else _entry(row)


def _latest_of_cycle(db: sqlite3.Connection, start: datetime, end: datetime) -> ManualEntry | None:
    row = db.execute(
        f"SELECT {_COLUMNS} FROM cursor_manual_entries WHERE cycle_start = ? AND cycle_end = ? "
        "ORDER BY observed_at DESC, id DESC LIMIT 1",
        (_stamp(start), _stamp(end)),
    ).fetchone()
    return None if row is None else _entry(row)


def add_entry(store: Store, given: EntryInput, now: datetime) -> ManualEntry:
    """Validate the options and store them as a new observation; nothing is written on error."""
    parsed = parse_input(given, now)
    with store.transaction() as db:  # BEGIN IMMEDIATE: concurrent writers queue up, all land
        latest = _latest(db)
        cycle = cycle_of(parsed, latest, now)
        entry = resolve(parsed, latest, _latest_of_cycle(db, *cycle), cycle, now)
        db.execute(
            f"INSERT INTO cursor_manual_entries ({_COLUMNS}) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                _stamp(entry.observed_at),
                entry.plan,
                _text(entry.used_usd),
                _text(entry.included_usd),
                _text(entry.on_demand_usd),
                entry.fast_requests,
                entry.fast_limit,
                entry.premium_requests,
                entry.premium_limit,
                _stamp(entry.cycle_start),
                _stamp(entry.cycle_end),
            ),
        )
    return entry


def history(store: Store) -> list[ManualEntry]:
    """Every entry, oldest first."""
    rows = store.db.execute(
        f"SELECT {_COLUMNS} FROM cursor_manual_entries ORDER BY observed_at, id"
    ).fetchall()
    return [_entry(row) for row in rows]


def clear(store: Store) -> int:
    """Delete every entry; return how many there were."""
    with store.transaction() as db:
        return db.execute("DELETE FROM cursor_manual_entries").rowcount


# --- what the report shows ---------------------------------------------------------------


def entry_quotas(entry: ManualEntry) -> list[Quota]:
    """The entry's allowances as quotas that reset when its cycle ends."""
    quotas = []
    for name, used, limit, unit in (
        ("included_usd", entry.used_usd, entry.included_usd, "usd"),
        ("on_demand_usd", entry.on_demand_usd, None, "usd"),
        ("fast_requests", entry.fast_requests, entry.fast_limit, "requests"),
        ("premium_requests", entry.premium_requests, entry.premium_limit, "requests"),
    ):
        if used is None:
            continue
        quotas.append(
            Quota(
                provider="cursor",
                source="manual",
                name=name,
                used=None if used is None else Decimal(used),
                limit=None if limit is None else Decimal(limit),
                unit=unit,
                resets_at=entry.cycle_end,
                observed_at=entry.observed_at,
            )
        )
    return quotas


def entry_record(entry: ManualEntry) -> UsageRecord | None:
    """The dollars (and requests) used from the cycle's start to the observation."""
    dollars = [d for d in (entry.used_usd, entry.on_demand_usd) if d is not None]
    counts = [c for c in (entry.fast_requests, entry.premium_requests) if c is not None]
    if not dollars and not counts:
        return None
    end = min(entry.observed_at, entry.cycle_end)
    if end <= entry.cycle_start:
        end = entry.cycle_end
    return UsageRecord(
        provider="cursor",
        source="manual",
        start=entry.cycle_start,
        end=end,
        product=f"{entry.plan} plan" if entry.plan else "plan",
        requests=sum(counts) if counts else None,
        cost_usd=sum(dollars, Decimal(0)) if dollars else None,
        cost_kind="reported" if dollars else None,
    )


class CursorManualSource:
    """The ``manual`` source of the Cursor provider."""

    provider: ProviderName = "cursor"
    kind: SourceKind = "manual"

    def __init__(self, clock: Callable[[], datetime] = utc_now) -> None:
        self.clock = clock

    def available(self, settings: Settings) -> bool:
        return settings.store_path.exists()

    def collect(self, settings: Settings, store: Store, query: UsageQuery) -> SourceResult:
        now = self.clock()
        entries = history(store)
        if not entries:
            return SourceResult()
        per_cycle = {(e.cycle_start, e.cycle_end): e for e in entries}  # the latest wins
        period = query.period
        records = [
            record
            for entry in per_cycle.values()
            if (record := entry_record(entry)) is not None
            and record.start < period.until
            and record.end > period.since
        ]
        current = [e for e in entries if e.cycle_start <= now < e.cycle_end]
        warnings: list[str] = []
        quotas: list[Quota] = []
        if current:
            entry = current[-1]
            quotas = entry_quotas(entry)
            age = now - entry.observed_at
            if age > STALE_AFTER:
                warnings.append(
                    f"the Cursor numbers were entered {age.days} days ago "
                    f"({entry.observed_at:%Y-%m-%d}); update them with `aiusage cursor set`"
                )
        else:
            last = entries[-1]
            warnings.append(
                "no Cursor entry for the current billing cycle (the latest is for "
                f"{last.cycle_start:%Y-%m-%d} – {last.cycle_end:%Y-%m-%d}); record it with "
                "`aiusage cursor set`, or remove the old ones with `aiusage cursor clear`"
            )
        return SourceResult(
            records=tuple(sorted(records, key=lambda r: r.start)),
            quotas=tuple(quotas),
            warnings=tuple(warnings),
        )
