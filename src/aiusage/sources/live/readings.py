"""Plan-window readings kept in the store (``live_windows``) and small persisted facts
(``live_state``).

Standard library only: the status line imports this module on every Claude Code turn.
"""

from __future__ import annotations

import math
import sqlite3
from collections.abc import Iterable
from decimal import Decimal

_COLUMNS = (
    "provider, source, window, model, used_ratio, resets_at, window_seconds, observed_at, detail"
)


_FIELDS = (
    "provider",
    "source",
    "window",
    "used_ratio",
    "resets_at",
    "window_seconds",
    "observed_at",
    "model",
    "detail",
)


def finite_number(value: object) -> float | None:
    """A JSON number, or text holding one (the live sources send both), as a finite float;
    None for anything else (bools, NaN, infinities, numbers beyond a float)."""
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        return None
    try:
        number = float(value)
    except (ValueError, OverflowError):
        return None
    return number if math.isfinite(number) else None


class Reading:
    """One plan window as a source saw it (immutable).

    ``used_ratio`` is 0-1 (a spend limit may pass 1); None when the source did not say.
    Times are Unix seconds; ``model`` is "" for a window that covers every model. A plain class
    rather than a dataclass: ``dataclasses`` costs the status line a few milliseconds.
    """

    __slots__ = _FIELDS
    provider: str
    source: str
    window: str
    used_ratio: Decimal | None
    resets_at: int | None
    window_seconds: int | None
    observed_at: int
    model: str
    detail: str | None

    def __init__(
        self,
        *,
        provider: str,
        source: str,
        window: str,
        used_ratio: Decimal | None,
        resets_at: int | None,
        window_seconds: int | None,
        observed_at: int,
        model: str = "",
        detail: str | None = None,
    ) -> None:
        values = (
            provider,
            source,
            window,
            used_ratio,
            resets_at,
            window_seconds,
            observed_at,
            model,
            detail,
        )
        for name, value in zip(_FIELDS, values, strict=True):
            object.__setattr__(self, name, value)

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError(f"a Reading is immutable ({name})")

    def _values(self) -> tuple[object, ...]:
        return tuple(getattr(self, name) for name in _FIELDS)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Reading) and self._values() == other._values()

    def __hash__(self) -> int:
        return hash(self._values())

    def __repr__(self) -> str:
        fields = ", ".join(f"{name}={getattr(self, name)!r}" for name in _FIELDS)
        return f"Reading({fields})"


def save_readings(
    db: sqlite3.Connection, provider: str, source: str, readings: Iterable[Reading], replace: bool
) -> None:
    """Store readings in one transaction; ``replace`` first drops the source's older windows
    (a source that reports its whole set of windows each time)."""
    rows = [
        (
            r.provider,
            r.source,
            r.window,
            r.model,
            None if r.used_ratio is None else str(r.used_ratio),
            r.resets_at,
            r.window_seconds,
            r.observed_at,
            r.detail,
        )
        for r in readings
    ]
    db.execute("BEGIN IMMEDIATE")
    try:
        if replace:
            db.execute(
                "DELETE FROM live_windows WHERE provider = ? AND source = ?", (provider, source)
            )
        db.executemany(
            f"INSERT OR REPLACE INTO live_windows ({_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            rows,
        )
    except BaseException:
        db.execute("ROLLBACK")
        raise
    db.execute("COMMIT")


def load_readings(db: sqlite3.Connection) -> list[Reading]:
    """Every stored reading, in a stable order."""
    rows = db.execute(
        f"SELECT {_COLUMNS} FROM live_windows ORDER BY provider, source, window, model"
    ).fetchall()
    return [
        Reading(
            provider=row[0],
            source=row[1],
            window=row[2],
            model=row[3],
            used_ratio=None if row[4] is None else Decimal(row[4]),
            resets_at=row[5],
            window_seconds=row[6],
            observed_at=row[7],
            detail=row[8],
        )
        for row in rows
    ]


def get_state(db: sqlite3.Connection, key: str) -> str | None:
    row = db.execute("SELECT value FROM live_state WHERE key = ?", (key,)).fetchone()
    return None if row is None else str(row[0])


def set_state(db: sqlite3.Connection, key: str, value: str) -> None:
    db.execute(
        "INSERT INTO live_state (key, value) VALUES (?, ?) "
        "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        (key, value),
    )
