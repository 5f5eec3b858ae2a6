"""The store side of ingestion: candidates, which of them counts, and the hourly sums, in step.

Invariant: ``local_hourly`` equals the sums of the ``counted = 1`` rows of ``local_lines``. A key
seen for the first time is settled in memory and its winner inserted as counted. A key that
already has rows (another file, an earlier run, a file read again) is settled by SQL: its counted
rows are taken out of the sums, every row uncounted, the batch written, the winners chosen again
and added back.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable

from aiusage.sources.logs.lines import Line, Policy

HOUR_MS = 3_600_000
LONG_FLOOR = 100_000  # local_lines_long covers requests whose input side reaches this

_COLUMNS = (
    "provider, msg_key, req_key, file_id, seq, sidechain, has_speed, ts, model, scope, "
    "input_tokens, output_tokens, cache_read_tokens, cache_write_tokens, cache_write_1h_tokens, "
    "counted"
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


class Ledger:
    """Writes one provider's candidates; one instance per ingestion run."""

    def __init__(self, db: sqlite3.Connection, provider: str, policy: Policy) -> None:
        self.provider = provider
        self.upsert = (
            f"INSERT INTO local_lines ({_COLUMNS}) VALUES "
            f"({', '.join('?' * 16)}) "
            f"ON CONFLICT (provider, msg_key, req_key, file_id) {_ON_CONFLICT[policy]}"
        )
        # A store with no line of this provider yet only knows the keys this run writes: the
        # first run then needs no look-up per key.
        self.empty = (
            db.execute(
                "SELECT 1 FROM local_lines WHERE provider = ? LIMIT 1", (provider,)
            ).fetchone()
            is None
        )
        self.written: set[str] = set()

    def write(
        self, db: sqlite3.Connection, files: list[tuple[int, list[Line]]], reset: list[int]
    ) -> None:
        """Add the candidates of ``files`` (file id, lines) after forgetting the ``reset`` files."""
        removed = {
            row[0]
            for file_id in reset
            for row in db.execute("SELECT msg_key FROM local_lines WHERE file_id = ?", (file_id,))
        }
        entries = [(file_id, line) for file_id, lines in files for line in lines]
        keys = {line.msg_key for _, line in entries}
        settle = removed | self._existing(db, keys)
        if settle:
            _fill_touched(db, settle)
            db.execute(_HOURLY_FROM_LINES.format(sign="-"), (self.provider,))
            db.execute(
                f"UPDATE local_lines SET counted = 0 WHERE provider = ? AND counted = 1 "
                f"AND {_TOUCHED}",
                (self.provider,),
            )
        for file_id in reset:
            db.execute("DELETE FROM local_lines WHERE file_id = ?", (file_id,))
        winners = _winners([entry for entry in entries if entry[1].msg_key not in settle])
        db.executemany(
            self.upsert,
            (
                (self.provider, line[0], line[1], file_id, *line[2:], int(id(line) in winners))
                for file_id, line in entries
            ),
        )
        db.executemany(
            _HOURLY_UPSERT,
            self._sums(line for _, line in entries if id(line) in winners),
        )
        if settle:
            _fill_touched(db, settle)
            db.execute(_RECOUNT, (self.provider,))
            db.execute(_HOURLY_FROM_LINES.format(sign=""), (self.provider,))
            db.execute("DELETE FROM local_hourly WHERE requests = 0")
        self.written |= keys

    def _existing(self, db: sqlite3.Connection, keys: set[str]) -> set[str]:
        if self.empty:
            return keys & self.written
        _fill_touched(db, keys)
        return {
            row[0]
            for row in db.execute(
                f"SELECT DISTINCT msg_key FROM local_lines WHERE provider = ? AND {_TOUCHED}",
                (self.provider,),
            )
        }

    def _sums(self, lines: Iterable[Line]) -> list[tuple[str | int, ...]]:
        sums: dict[tuple[int, str, str], list[int]] = {}
        for line in lines:
            key = (line.ts - line.ts % HOUR_MS, line.model, line.scope)
            held = sums.get(key)
            if held is None:
                sums[key] = held = [0, 0, 0, 0, 0, 0]
            held[0] += line.input_tokens
            held[1] += line.output_tokens
            held[2] += line.cache_read_tokens
            held[3] += line.cache_write_tokens
            held[4] += line.cache_write_1h_tokens
            held[5] += 1
        return [(self.provider, *key, *values) for key, values in sums.items()]


def _fill_touched(db: sqlite3.Connection, keys: set[str]) -> None:
    db.execute(
        "CREATE TEMP TABLE IF NOT EXISTS local_touched (msg_key TEXT PRIMARY KEY) WITHOUT ROWID"
    )
    db.execute("DELETE FROM temp.local_touched")
    db.executemany("INSERT INTO temp.local_touched VALUES (?)", ((key,) for key in keys))


def _winners(entries: list[tuple[int, Line]]) -> set[int]:
    """``id()`` of the lines that count among candidates of keys new to the store (``_RECOUNT``)."""
    single: dict[str, tuple[int, Line]] = {}
    shared: dict[str, list[tuple[int, Line]]] = {}
    for entry in entries:
        key = entry[1][0]
        if key in single:
            shared.setdefault(key, [single[key]]).append(entry)
        else:
            single[key] = entry
    winners = {id(entry[1]) for key, entry in single.items() if key not in shared}
    for group in shared.values():
        main = [entry for entry in group if not entry[1].sidechain]
        best: dict[str, tuple[int, Line]] = {}
        for entry in main or group:
            part = entry[1].req_key if main else ""
            held = best.get(part)
            if held is None or _rank(entry) < _rank(held):
                best[part] = entry
        winners.update(id(entry[1]) for entry in best.values())
    return winners


def _rank(entry: tuple[int, Line]) -> tuple[int, int, int, int]:
    file_id, line = entry
    return (-line.total, -line.has_speed, file_id, line.seq)
