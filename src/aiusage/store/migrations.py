"""Numbered schema migrations of the local store, applied in order and recorded in the database.

Numbers are grouped by owner so that features can add tables independently:
1-99 core (cache and history), 100-199 Cursor manual entries, 200-299 local log ingestion,
300-399 status, status line and budgets. One exception: 101 changes the core ``fetches`` table
and so belongs to the core group, but keeps the number it shipped with, which existing stores
have recorded. Each migration runs as one SQL script (``sqlite3.Connection.executescript``).
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
    # The spans of time each (provider, source, granularity, dimension) history was fetched
    # for, merged: what ``--offline`` can vouch for, zero-usage days included. Fetches made
    # before this migration left no span.
    2: """
    CREATE TABLE fetched_spans (
        provider TEXT NOT NULL,
        source TEXT NOT NULL,
        granularity TEXT NOT NULL,
        dimension TEXT NOT NULL,
        since TEXT NOT NULL,
        until TEXT NOT NULL,
        PRIMARY KEY (provider, source, granularity, dimension, since)
    ) WITHOUT ROWID;
    """,
    # A cached fetch keeps the AI code activity it returned, beside its quotas and warnings, so
    # that a report served from the cache shows the same activity table as a fresh one.
    # Numbered in the Cursor range, where it was first written (see the module docstring).
    101: """
    ALTER TABLE fetches ADD COLUMN activity TEXT NOT NULL DEFAULT '[]';
    """,
}


# Cursor manual entries (100-199).
#
# 100 keeps every ``aiusage cursor set`` as its own dated row: nothing is updated in place.
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
}


# Local log ingestion (200-299): files read, usage lines, events.
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
    # The CLI session of each line (``report --by session``); lines read before keep "".
    201: """
    ALTER TABLE local_lines ADD COLUMN session TEXT NOT NULL DEFAULT '';
    """,
    # How many times each provider's lines were written: a run that sees the number change
    # between two of its writes knows another process wrote meanwhile (``ledger``).
    202: """
    CREATE TABLE local_writes (
        provider TEXT PRIMARY KEY,
        generation INTEGER NOT NULL
    ) WITHOUT ROWID;
    """,
    # Why the malformed lines of a file were skipped: {reason: count}, summing to bad_lines.
    203: """
    ALTER TABLE local_files ADD COLUMN skipped TEXT NOT NULL DEFAULT '{}';
    """,
    # Lines are checked when read from now on (``sources/logs/lines.py``); drop what earlier
    # versions stored unchecked (a count no request holds, a time before 2020 or days ahead, a
    # Codex reset time in milliseconds read as seconds), which made every later report of its
    # day fail, and sum the hours again from the lines that remain.
    204: """
    DELETE FROM local_lines WHERE ts < 1577836800000
        OR ts > (CAST(strftime('%s', 'now') AS INTEGER) + 172800) * 1000
        OR max(input_tokens, output_tokens, cache_read_tokens, cache_write_tokens,
               cache_write_1h_tokens) > 100000000
        OR min(input_tokens, output_tokens, cache_read_tokens, cache_write_tokens,
               cache_write_1h_tokens) < 0;
    DELETE FROM local_events WHERE ts < 1577836800000
        OR ts > (CAST(strftime('%s', 'now') AS INTEGER) + 172800) * 1000
        OR (kind = 'rate_limits' AND EXISTS (
            SELECT 1 FROM json_each(local_events.payload, '$.windows')
            WHERE value ->> '$.resets' < 1577836800000
                OR value ->> '$.resets' > local_events.ts + 2764800000))
        OR (kind = 'limit_reset' AND abs(CAST(payload AS INTEGER) * 1000 - ts) > 691200000);
    DELETE FROM local_hourly;
    INSERT INTO local_hourly
    SELECT provider, ts - ts % 3600000, model, scope, SUM(input_tokens), SUM(output_tokens),
        SUM(cache_read_tokens), SUM(cache_write_tokens), SUM(cache_write_1h_tokens), COUNT(*)
    FROM local_lines WHERE counted = 1 GROUP BY 1, 2, 3, 4;
    """,
    # Two first runs started together counted some keys twice, for good, before migration 202
    # (``ledger``): choose the counted line of every key again, as ``tables._RECOUNT`` does for
    # the keys a run touches, and sum the hours again.
    205: """
    UPDATE local_lines SET counted = 0 WHERE counted = 1;
    UPDATE local_lines SET counted = 1 WHERE rowid IN (
        SELECT id FROM (
            SELECT rowid AS id, sidechain,
                MIN(sidechain) OVER (PARTITION BY provider, msg_key) AS only_sidechain,
                ROW_NUMBER() OVER (
                    PARTITION BY provider, msg_key, sidechain,
                        CASE WHEN sidechain = 1 THEN '' ELSE req_key END
                    ORDER BY input_tokens + output_tokens + cache_read_tokens
                        + cache_write_tokens DESC, has_speed DESC, file_id, seq
                ) AS rank
            FROM local_lines
        ) WHERE rank = 1 AND (sidechain = 0 OR only_sidechain = 1)
    );
    DELETE FROM local_hourly;
    INSERT INTO local_hourly
    SELECT provider, ts - ts % 3600000, model, scope, SUM(input_tokens), SUM(output_tokens),
        SUM(cache_read_tokens), SUM(cache_write_tokens), SUM(cache_write_1h_tokens), COUNT(*)
    FROM local_lines WHERE counted = 1 GROUP BY 1, 2, 3, 4;
    """,
}


# Status, status line and budgets (300-399).
#
# ``live_windows`` keeps the latest reading of each plan window (Claude Code's status line, Codex
# app-server, Cursor's dashboard): one row per window, replaced by each new observation, with the
# time it was observed (epoch seconds). ``statusline_costs`` keeps each Claude Code session's
# cost per local day, so the status line can say what today cost without reading any log.
# ``budgets`` is a dated history like Cursor entries: a row with a NULL amount clears.
# ``live_state`` holds small facts that must outlive one run: throttles, back-offs, notices.
STATUS_MIGRATIONS: dict[int, str] = {
    300: """
    CREATE TABLE live_windows (
        provider TEXT NOT NULL,
        source TEXT NOT NULL,
        window TEXT NOT NULL,
        model TEXT NOT NULL DEFAULT '',
        used_ratio TEXT,
        resets_at INTEGER,
        window_seconds INTEGER,
        observed_at INTEGER NOT NULL,
        detail TEXT,
        PRIMARY KEY (provider, source, window, model)
    ) WITHOUT ROWID;
    CREATE TABLE statusline_costs (
        session TEXT NOT NULL,
        day TEXT NOT NULL,
        start_usd TEXT NOT NULL,
        last_usd TEXT NOT NULL,
        observed_at INTEGER NOT NULL,
        PRIMARY KEY (session, day)
    ) WITHOUT ROWID;
    CREATE TABLE budgets (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        provider TEXT NOT NULL,
        monthly_usd TEXT,
        warn_percent TEXT,
        set_at TEXT NOT NULL
    );
    CREATE INDEX budgets_by_time ON budgets (provider, set_at, id);
    CREATE TABLE live_state (
        key TEXT PRIMARY KEY,
        value TEXT NOT NULL
    ) WITHOUT ROWID;
    """,
}


GROUPS = (CORE_MIGRATIONS, CURSOR_MIGRATIONS, LOCAL_MIGRATIONS, STATUS_MIGRATIONS)


def all_migrations() -> dict[int, str]:
    """Every migration known to this version, by number (a number used twice is a bug)."""
    merged: dict[int, str] = {}
    for group in GROUPS:
        taken = merged.keys() & group.keys()
        if taken:
            raise RuntimeError(f"store migration numbers used twice: {sorted(taken)}")
        merged.update(group)
    return dict(sorted(merged.items()))
