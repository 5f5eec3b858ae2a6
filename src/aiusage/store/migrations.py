"""Numbered schema migrations of the local store, applied in order and recorded in the database.

Numbers are grouped by owner so that features can add tables independently:
1-99 core (cache and history), 100-199 Cursor manual entries, 200-299 local log ingestion.
"""

from __future__ import annotations

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


# Cursor manual entries (100-199).
# Store migrations owned by the Cursor feature (numbers 100-199).
#
# 100 keeps every ``aiusage cursor set`` as its own dated row: nothing is updated in place.
# 101 lets a cached fetch keep the AI code activity it returned, beside its quotas and warnings,
# so that a report served from the cache shows the same activity table as a fresh one.
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


# Local log ingestion (200-299).
# Store tables of local log ingestion (migrations 200-299): files read, usage lines, events.
#
# ``local_files`` remembers each log file's identity, size, mtime and how far it was read, so a run
# reads only appended bytes. ``local_lines`` holds one row per usage line *candidate*: the best copy
# of a de-duplication key in one file. ``counted`` marks the one candidate per key that is counted
# globally; ``local_hourly`` holds the sums of counted lines per hour, model and scope, kept in
# step with every change of ``counted``, so a report reads a few hundred rows instead of every
# request. ``local_lines_long`` finds the requests that may reach a long-context price tier.
# ``local_events`` keeps the latest non-usage facts of a file (Codex rate limits, Claude
# usage-limit resets).
LOCAL_MIGRATIONS: dict[int, str] = {
    200: """
    CREATE TABLE local_files (
        file_id INTEGER PRIMARY KEY,
        provider TEXT NOT NULL,
        path TEXT NOT NULL UNIQUE,
        device INTEGER NOT NULL,
        inode INTEGER NOT NULL,
        size INTEGER NOT NULL,
        mtime_ns INTEGER NOT NULL,
        offset INTEGER NOT NULL,
        head BLOB NOT NULL,
        tail BLOB NOT NULL,
        bad_lines INTEGER NOT NULL DEFAULT 0,
        state TEXT NOT NULL DEFAULT '{}'
    );
    CREATE INDEX local_files_provider ON local_files (provider);
    CREATE TABLE local_lines (
        provider TEXT NOT NULL,
        msg_key TEXT NOT NULL,
        req_key TEXT NOT NULL,
        file_id INTEGER NOT NULL,
        seq INTEGER NOT NULL,
        sidechain INTEGER NOT NULL,
        has_speed INTEGER NOT NULL,
        ts INTEGER NOT NULL,
        model TEXT NOT NULL,
        scope TEXT NOT NULL,
        input_tokens INTEGER NOT NULL,
        output_tokens INTEGER NOT NULL,
        cache_read_tokens INTEGER NOT NULL,
        cache_write_tokens INTEGER NOT NULL,
        cache_write_1h_tokens INTEGER NOT NULL,
        counted INTEGER NOT NULL DEFAULT 0
    );
    CREATE UNIQUE INDEX local_lines_key ON local_lines (provider, msg_key, req_key, file_id);
    CREATE INDEX local_lines_file ON local_lines (file_id);
    CREATE INDEX local_lines_counted ON local_lines (provider, ts) WHERE counted = 1;
    CREATE INDEX local_lines_long ON local_lines (provider, model, ts)
        WHERE counted = 1 AND input_tokens + cache_read_tokens + cache_write_tokens >= 100000;
    CREATE TABLE local_hourly (
        provider TEXT NOT NULL,
        hour INTEGER NOT NULL,
        model TEXT NOT NULL,
        scope TEXT NOT NULL,
        input_tokens INTEGER NOT NULL,
        output_tokens INTEGER NOT NULL,
        cache_read_tokens INTEGER NOT NULL,
        cache_write_tokens INTEGER NOT NULL,
        cache_write_1h_tokens INTEGER NOT NULL,
        requests INTEGER NOT NULL,
        PRIMARY KEY (provider, hour, model, scope)
    ) WITHOUT ROWID;
    CREATE TABLE local_events (
        file_id INTEGER NOT NULL,
        kind TEXT NOT NULL,
        provider TEXT NOT NULL,
        ts INTEGER NOT NULL,
        payload TEXT NOT NULL,
        PRIMARY KEY (file_id, kind)
    ) WITHOUT ROWID;
    CREATE INDEX local_events_latest ON local_events (provider, kind, ts);
    """,
}


def all_migrations() -> dict[int, str]:
    """Every migration known to this version, by number."""
    return dict(sorted({**CORE_MIGRATIONS, **CURSOR_MIGRATIONS, **LOCAL_MIGRATIONS}.items()))
