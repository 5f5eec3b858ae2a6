"""Numbered schema migrations of the local store, applied in order and recorded in the database.

Numbers are grouped by owner so that features can add tables independently:
1-99 core (cache and history), 100-199 Cursor manual entries, 200-299 local log ingestion.
"""

from __future__ import annotations

from aiusage.cursor_schema import CURSOR_MIGRATIONS
from aiusage.local.schema import LOCAL_MIGRATIONS

CORE_MIGRATIONS: dict[int, str] = {
    1: """
    CREATE TABLE usage_records (
        provider TEXT NOT NULL,
        source TEXT NOT NULL,
        granularity TEXT NOT NULL,
        dimension TEXT NOT NULL,
        start TEXT NOT NULL,
        end TEXT NOT NULL,
        model TEXT NOT NULL,
        scope TEXT NOT NULL,
        product TEXT NOT NULL,
        input_tokens INTEGER NOT NULL,
        output_tokens INTEGER NOT NULL,
        cache_read_tokens INTEGER NOT NULL,
        cache_write_tokens INTEGER NOT NULL,
        requests INTEGER,
        cost_usd TEXT,
        cost_kind TEXT,
        fetched_at TEXT NOT NULL,
        PRIMARY KEY (provider, source, granularity, dimension, start, model, scope, product)
    ) WITHOUT ROWID;
    CREATE TABLE fetches (
        cache_key TEXT PRIMARY KEY,
        provider TEXT NOT NULL,
        source TEXT NOT NULL,
        fetched_at TEXT NOT NULL,
        quotas TEXT NOT NULL,
        warnings TEXT NOT NULL
    ) WITHOUT ROWID;
    """,
}


def all_migrations() -> dict[int, str]:
    """Every migration known to this version, by number."""
    return dict(sorted({**CORE_MIGRATIONS, **CURSOR_MIGRATIONS, **LOCAL_MIGRATIONS}.items()))
