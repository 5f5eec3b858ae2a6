"""Store migrations owned by the Cursor feature (numbers 100-199).

100 keeps every ``aiusage cursor set`` as its own dated row: nothing is updated in place.
101 lets a cached fetch keep the AI code activity it returned, beside its quotas and warnings,
so that a report served from the cache shows the same activity table as a fresh one.
"""

from __future__ import annotations

CURSOR_MIGRATIONS: dict[int, str] = {
    100: """
    CREATE TABLE cursor_manual_entries (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        observed_at TEXT NOT NULL,
        plan TEXT,
        used_usd TEXT,
        included_usd TEXT,
        on_demand_usd TEXT,
        fast_requests INTEGER,
        fast_limit INTEGER,
        premium_requests INTEGER,
        premium_limit INTEGER,
        cycle_start TEXT NOT NULL,
        cycle_end TEXT NOT NULL
    );
    CREATE INDEX cursor_manual_entries_by_time ON cursor_manual_entries (observed_at, id);
    """,
    101: """
    ALTER TABLE fetches ADD COLUMN activity TEXT NOT NULL DEFAULT '[]';
    """,
}
