"""What each Claude Code session cost per local day, from the status line's ``cost`` field.

The status line sees a session's running total; the part of it spent today is the total now less
the total at the end of the session's previous day. Summed over today's sessions this is today's
cost without reading a log. Standard library only (the status line's import budget).
"""

from __future__ import annotations

import sqlite3
from decimal import Decimal


def record_session_cost(
    db: sqlite3.Connection, session: str, day: str, total_usd: Decimal, now: int
) -> None:
    """Keep the session's running total for ``day`` (an ISO date in the user's zone)."""
    db.execute("BEGIN IMMEDIATE")
    try:
        found = db.execute(
            "SELECT 1 FROM statusline_costs WHERE session = ? AND day = ?", (session, day)
        ).fetchone()
        if found:
            db.execute(
                "UPDATE statusline_costs SET last_usd = ?, observed_at = ? "
                "WHERE session = ? AND day = ?",
                (str(total_usd), now, session, day),
            )
        else:
            before = db.execute(
                "SELECT last_usd FROM statusline_costs WHERE session = ? AND day < ? "
                "ORDER BY day DESC LIMIT 1",
                (session, day),
            ).fetchone()
            start = before[0] if before else "0"
            db.execute(
                "INSERT INTO statusline_costs (session, day, start_usd, last_usd, observed_at) "
                "VALUES (?, ?, ?, ?, ?)",
                (session, day, start, str(total_usd), now),
            )
    except BaseException:
        db.execute("ROLLBACK")
        raise
    db.execute("COMMIT")


def day_cost(db: sqlite3.Connection, day: str) -> Decimal:
    """What the sessions seen by the status line cost on ``day``."""
    total = Decimal(0)
    for start, last in db.execute(
        "SELECT start_usd, last_usd FROM statusline_costs WHERE day = ?", (day,)
    ):
        total += max(Decimal(last) - Decimal(start), Decimal(0))
    return total
