"""Every SQL statement on the local-log tables (``local_files``, ``local_lines``,
``local_hourly``, ``local_events``, ``local_writes``; created by store migrations 200-299).

Callers pass an open connection (inside a transaction when they write) and get plain values.
"""

from __future__ import annotations

import json
import sqlite3
import time
from collections import Counter
from collections.abc import Iterable, Iterator
from typing import Any, NamedTuple

import orjson

from aiusage.sources.logs.lines import CLOCK_SKEW_MS, Line, Policy

# --- files -----------------------------------------------------------------------------------


class FileRow(NamedTuple):
    """What is kept of a log file: where it was read to, how to spot it replaced, its state."""

    file_id: int
    path: str
    device: int
    inode: int
    size: int
    mtime_ns: int
    offset: int
    head: bytes
    tail: bytes
    skipped: Counter[str]  # malformed lines by reason
    state: str  # the parser's state, JSON


_FILE_COLUMNS = "path, device, inode, size, mtime_ns, offset, head, tail, bad_lines, skipped, state"


def known_files(db: sqlite3.Connection, provider: str) -> list[FileRow]:
    return [
        FileRow(
            file_id=row[0],
            path=row[1],
            device=row[2],
            inode=row[3],
            size=row[4],
            mtime_ns=row[5],
            offset=row[6],
            head=row[7],
            tail=row[8],
            skipped=Counter(_reasons(row[9], row[10])),
            state=row[11],
        )
        for row in db.execute(
            f"SELECT file_id, {_FILE_COLUMNS} FROM local_files WHERE provider = ?", (provider,)
        )
    ]


def _reasons(total: int, stored: str) -> dict[str, int]:
    reasons: dict[str, int] = orjson.loads(stored)
    rest = total - sum(reasons.values())  # counted before reasons were kept
    return {**reasons, "": rest} if rest > 0 else reasons


def _file_values(file: FileRow) -> tuple[object, ...]:
    return (
        file.path,
        file.device,
        file.inode,
        file.size,
        file.mtime_ns,
        file.offset,
        file.head,
        file.tail,
        sum(file.skipped.values()),
        orjson.dumps({k: v for k, v in file.skipped.items() if k}).decode(),
        file.state,
    )


def insert_file(db: sqlite3.Connection, provider: str, file: FileRow) -> int | None:
    """The new file's id; None when another run recorded this path first."""
    cursor = db.execute(
        f"INSERT INTO local_files ({_FILE_COLUMNS}, provider) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (path) DO NOTHING",
        (*_file_values(file), provider),
    )
    return cursor.lastrowid if cursor.rowcount == 1 else None


def file_position(db: sqlite3.Connection, file_id: int) -> tuple[int, int, int] | None:
    """(offset, device, inode) of a known file as stored now."""
    row = db.execute(
        "SELECT offset, device, inode FROM local_files WHERE file_id = ?", (file_id,)
    ).fetchone()
    return None if row is None else (row[0], row[1], row[2])


def update_file(db: sqlite3.Connection, file: FileRow) -> None:
    assignments = ", ".join(f"{name} = ?" for name in _FILE_COLUMNS.split(", "))
    db.execute(
        f"UPDATE local_files SET {assignments} WHERE file_id = ?",
        (*_file_values(file), file.file_id),
    )


def skipped_lines(db: sqlite3.Connection, provider: str) -> Counter[str]:
    """Malformed lines of every file of a provider, by reason ("" for lines counted before
    reasons were kept)."""
    found: Counter[str] = Counter()
    for total, stored in db.execute(
        "SELECT bad_lines, skipped FROM local_files WHERE provider = ? AND bad_lines > 0",
        (provider,),
    ):
        found.update(_reasons(total, stored))
    return found


# --- lines -----------------------------------------------------------------------------------

HOUR_MS = 3_600_000
LONG_FLOOR = 100_000  # local_lines_long covers requests whose input side reaches this

_COLUMNS = (
    "provider, msg_key, req_key, file_id, seq, sidechain, has_speed, ts, model, scope, "
    "input_tokens, output_tokens, cache_read_tokens, cache_write_tokens, cache_write_1h_tokens, "
    "session, counted"
)
_TOTAL = "{t}.input_tokens + {t}.output_tokens + {t}.cache_read_tokens + {t}.cache_write_tokens"
_REPLACE = ", ".join(
    f"{c} = excluded.{c}"
    for c in _COLUMNS.split(", ")
    if c not in ("provider", "msg_key", "req_key", "file_id", "counted")
)
_ON_CONFLICT = {
    "better": (
        f"DO UPDATE SET {_REPLACE} WHERE excluded.sidechain < local_lines.sidechain OR "
        "(excluded.sidechain = local_lines.sidechain AND "
        f"({_TOTAL.format(t='excluded')} > {_TOTAL.format(t='local_lines')} OR "
        f"({_TOTAL.format(t='excluded')} = {_TOTAL.format(t='local_lines')} AND "
        "excluded.has_speed > local_lines.has_speed)))"
    ),
    "last": f"DO UPDATE SET {_REPLACE}",
    "first": "DO NOTHING",
}
_SUM_COLUMNS = (
    "input_tokens",
    "output_tokens",
    "cache_read_tokens",
    "cache_write_tokens",
    "cache_write_1h_tokens",
    "requests",
)
_ADD = ", ".join(f"{c} = local_hourly.{c} + excluded.{c}" for c in _SUM_COLUMNS)
_HOURLY_UPSERT = (
    f"INSERT INTO local_hourly VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
    f"ON CONFLICT (provider, hour, model, scope) DO UPDATE SET {_ADD}"
)
_TOUCHED = "msg_key IN (SELECT msg_key FROM temp.local_touched)"
_HOURLY_FROM_LINES = f"""
INSERT INTO local_hourly
SELECT provider, ts - ts % {HOUR_MS}, model, scope,
    {{sign}}SUM(input_tokens), {{sign}}SUM(output_tokens), {{sign}}SUM(cache_read_tokens),
    {{sign}}SUM(cache_write_tokens), {{sign}}SUM(cache_write_1h_tokens), {{sign}}COUNT(*)
FROM local_lines WHERE provider = ? AND counted = 1 AND {_TOUCHED}
GROUP BY 1, 2, 3, 4
ON CONFLICT (provider, hour, model, scope) DO UPDATE SET {_ADD}
"""
# One counted candidate per key, the order-independent form of ccusage 20's push_deduped_entry:
# main-chain lines count once per (message id, request id); sidechain lines of a message id
# count only when no main-chain line has that id, and then once (a replay with another request
# id is the same response). Ties: more tokens, then a line that has `speed`, then the first seen.
_RECOUNT = f"""
UPDATE local_lines SET counted = 1 WHERE rowid IN (
    SELECT id FROM (
        SELECT rowid AS id, sidechain,
            MIN(sidechain) OVER (PARTITION BY msg_key) AS only_sidechain,
            ROW_NUMBER() OVER (
                PARTITION BY msg_key, sidechain,
                    CASE WHEN sidechain = 1 THEN '' ELSE req_key END
                ORDER BY {_TOTAL.format(t="local_lines")} DESC, has_speed DESC, file_id, seq
            ) AS rank
        FROM local_lines WHERE provider = ? AND {_TOUCHED}
    ) WHERE rank = 1 AND (sidechain = 0 OR only_sidechain = 1)
)
"""


class LineTable:
    """The statements of the ledger (``ledger.Ledger``) on one provider's lines and sums."""

    def __init__(self, provider: str, policy: Policy) -> None:
        self.provider = provider
        self.upsert = (
            f"INSERT INTO local_lines ({_COLUMNS}) VALUES "
            f"({', '.join('?' * len(_COLUMNS.split(', ')))}) "
            f"ON CONFLICT (provider, msg_key, req_key, file_id) {_ON_CONFLICT[policy]}"
        )

    def has_lines(self, db: sqlite3.Connection) -> bool:
        found = db.execute(
            "SELECT 1 FROM local_lines WHERE provider = ? LIMIT 1", (self.provider,)
        ).fetchone()
        return found is not None

    def generation(self, db: sqlite3.Connection) -> int:
        """How many times this provider's lines were written (by any process)."""
        row = db.execute(
            "SELECT generation FROM local_writes WHERE provider = ?", (self.provider,)
        ).fetchone()
        return 0 if row is None else int(row[0])

    def set_generation(self, db: sqlite3.Connection, generation: int) -> None:
        db.execute(
            "INSERT INTO local_writes VALUES (?, ?) ON CONFLICT (provider) "
            "DO UPDATE SET generation = excluded.generation",
            (self.provider, generation),
        )

    def keys_of_files(self, db: sqlite3.Connection, file_ids: list[int]) -> set[str]:
        return {
            row[0]
            for file_id in file_ids
            for row in db.execute("SELECT msg_key FROM local_lines WHERE file_id = ?", (file_id,))
        }

    def stored_keys(self, db: sqlite3.Connection, keys: set[str]) -> set[str]:
        """The keys among ``keys`` that have rows already."""
        _fill_touched(db, keys)
        return {
            row[0]
            for row in db.execute(
                f"SELECT DISTINCT msg_key FROM local_lines WHERE provider = ? AND {_TOUCHED}",
                (self.provider,),
            )
        }

    def uncount(self, db: sqlite3.Connection, keys: set[str]) -> None:
        """Take the counted rows of ``keys`` out of the sums, and uncount them."""
        _fill_touched(db, keys)
        db.execute(_HOURLY_FROM_LINES.format(sign="-"), (self.provider,))
        db.execute(
            f"UPDATE local_lines SET counted = 0 WHERE provider = ? AND counted = 1 AND {_TOUCHED}",
            (self.provider,),
        )

    def forget_files(self, db: sqlite3.Connection, file_ids: list[int]) -> None:
        for file_id in file_ids:
            db.execute("DELETE FROM local_lines WHERE file_id = ?", (file_id,))

    def insert(self, db: sqlite3.Connection, rows: Iterable[tuple[int, Line, bool]]) -> None:
        """Write candidates (file id, line, counted) under the ledger's policy."""
        db.executemany(
            self.upsert,
            (
                (self.provider, line[0], line[1], file_id, *line[2:], int(counted))
                for file_id, line, counted in rows
            ),
        )

    def add_hourly(self, db: sqlite3.Connection, sums: list[tuple[str | int, ...]]) -> None:
        db.executemany(_HOURLY_UPSERT, sums)

    def recount(self, db: sqlite3.Connection, keys: set[str]) -> None:
        """Choose the counted row of each of ``keys`` again and add it back to the sums."""
        _fill_touched(db, keys)
        db.execute(_RECOUNT, (self.provider,))
        db.execute(_HOURLY_FROM_LINES.format(sign=""), (self.provider,))
        db.execute("DELETE FROM local_hourly WHERE requests = 0")


def _fill_touched(db: sqlite3.Connection, keys: set[str]) -> None:
    db.execute(
        "CREATE TEMP TABLE IF NOT EXISTS local_touched (msg_key TEXT PRIMARY KEY) WITHOUT ROWID"
    )
    db.execute("DELETE FROM temp.local_touched")
    db.executemany("INSERT INTO temp.local_touched VALUES (?)", ((key,) for key in keys))


def has_lines(db: sqlite3.Connection, provider: str) -> bool:
    """True when some usage of this provider is stored."""
    found = db.execute(
        "SELECT 1 FROM local_hourly WHERE provider = ? LIMIT 1", (provider,)
    ).fetchone()
    return found is not None


# --- events ----------------------------------------------------------------------------------


def latest_event(
    db: sqlite3.Connection, provider: str, kind: str, now_ms: float | None = None
) -> tuple[int, str] | None:
    """(time, payload) of the provider's latest event of a kind, never one stamped in the future.

    A row stamped years ahead (stored before lines were checked) would otherwise stay the
    latest for ever.
    """
    latest = (time.time() * 1000 if now_ms is None else now_ms) + CLOCK_SKEW_MS
    row = db.execute(
        "SELECT ts, payload FROM local_events WHERE provider = ? AND kind = ? AND ts <= ? "
        "ORDER BY ts DESC LIMIT 1",
        (provider, kind, latest),
    ).fetchone()
    return None if row is None else (row[0], row[1])


def events_between(
    db: sqlite3.Connection, provider: str, kind: str, since_ms: int, until_ms: int
) -> list[tuple[int, str]]:
    """(time, payload) of every event of a kind in ``[since, until)``, oldest first."""
    return [
        (row[0], row[1])
        for row in db.execute(
            "SELECT ts, payload FROM local_events WHERE provider = ? AND kind = ? "
            "AND ts >= ? AND ts < ? ORDER BY ts",
            (provider, kind, since_ms, until_ms),
        )
    ]


def save_events(
    db: sqlite3.Connection,
    provider: str,
    file_id: int,
    events: Iterable[tuple[str, tuple[int, str]]],
    reset: bool,
) -> None:
    """Keep the latest event of each kind of one file (all of them forgotten when ``reset``)."""
    if reset:
        db.execute("DELETE FROM local_events WHERE file_id = ?", (file_id,))
    db.executemany(
        "INSERT INTO local_events VALUES (?, ?, ?, ?, ?) ON CONFLICT (file_id, kind) "
        "DO UPDATE SET ts = excluded.ts, payload = excluded.payload "
        "WHERE excluded.ts >= local_events.ts",
        ((file_id, kind, provider, ts, payload) for kind, (ts, payload) in events),
    )


# --- reports ---------------------------------------------------------------------------------

_SIDE = "input_tokens + cache_read_tokens + cache_write_tokens"
_SUMS = (
    "SUM(input_tokens), SUM(output_tokens), SUM(cache_read_tokens), SUM(cache_write_tokens), "
    "SUM(cache_write_1h_tokens), SUM(requests)"
)
_VALUES = (
    "input_tokens, output_tokens, cache_read_tokens, cache_write_tokens, cache_write_1h_tokens"
)
# One row's tokens: input, output, cache read, cache write, 1-hour cache write (and requests).
Row = tuple[Any, ...]


def _grouping(by_scope: bool, by_session: bool) -> tuple[str, str]:
    return ("scope" if by_scope else "''"), ("session" if by_session else "''")


def hourly_sums(
    db: sqlite3.Connection, provider: str, buckets: list[tuple[int, int]], by_scope: bool
) -> Iterator[Row]:
    """(bucket start, model, scope, six sums) of the whole hours inside each ``[lo, hi)``."""
    scope, _ = _grouping(by_scope, False)
    # The buckets drive the loop, each one a range search of the primary key (provider, hour):
    # 3 ms for 2,160 hourly buckets, where a join the other way round took 180 ms.
    yield from db.execute(
        "WITH bucket(lo, hi) AS MATERIALIZED (SELECT value ->> 0, value ->> 1 FROM json_each(?)) "
        f"SELECT bucket.lo, model, {scope} AS grouped, {_SUMS} FROM bucket "
        "CROSS JOIN local_hourly ON provider = ? AND hour >= bucket.lo AND hour < bucket.hi "
        "AND hour + ? <= bucket.hi GROUP BY bucket.lo, model, grouped",
        (json.dumps(buckets), provider, HOUR_MS),
    )


def counted_lines(
    db: sqlite3.Connection,
    provider: str,
    since: int,
    until: int,
    by_scope: bool,
    by_session: bool,
) -> Iterator[Row]:
    """(time, model, scope, session, five counts) of each counted request in ``[since, until)``."""
    scope, session = _grouping(by_scope, by_session)
    yield from db.execute(
        f"SELECT ts, model, {scope}, {session}, {_VALUES} FROM local_lines "
        "WHERE provider = ? AND counted = 1 AND ts >= ? AND ts < ?",
        (provider, since, until),
    )


def long_requests(
    db: sqlite3.Connection,
    provider: str,
    model: str,
    since: int,
    until: int,
    side_from: int,
    by_scope: bool,
    by_session: bool,
) -> Iterator[Row]:
    """(time, scope, session, five counts) of each counted request of ``model`` whose input side
    (input, cache reads and writes) reaches ``side_from``."""
    scope, session = _grouping(by_scope, by_session)
    # The partial index covers requests from LONG_FLOOR up; a lower tier reads them all.
    covered = f"AND {_SIDE} >= {LONG_FLOOR} " if side_from >= LONG_FLOOR else ""
    yield from db.execute(
        f"SELECT ts, {scope}, {session}, {_VALUES} FROM local_lines "
        f"WHERE provider = ? AND model = ? AND counted = 1 {covered}"
        f"AND ts >= ? AND ts < ? AND {_SIDE} >= ?",
        (provider, model, since, until, side_from),
    )


def recent_lines(db: sqlite3.Connection, provider: str, since: int, until: int) -> list[Row]:
    """(time, model, five counts) of each counted request in ``[since, until]``, oldest first."""
    return db.execute(
        f"SELECT ts, model, {_VALUES} FROM local_lines "
        "WHERE provider = ? AND counted = 1 AND ts >= ? AND ts <= ? ORDER BY ts",
        (provider, since, until),
    ).fetchall()


def latest_reset(db: sqlite3.Connection, provider: str, kind: str, since: int) -> int | None:
    """The latest reset time (Unix seconds) named by events of a kind stamped from ``since``."""
    found = db.execute(
        "SELECT MAX(CAST(payload AS INTEGER)) FROM local_events WHERE provider = ? "
        "AND kind = ? AND ts >= ?",
        (provider, kind, since),
    ).fetchone()
    return None if found is None or found[0] is None else int(found[0])
