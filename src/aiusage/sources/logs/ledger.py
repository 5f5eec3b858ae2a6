"""The store side of ingestion: candidates, which of them counts, and the hourly sums, in step.

Invariant: ``local_hourly`` equals the sums of the ``counted = 1`` rows of ``local_lines``. A key
seen for the first time is settled in memory and its winner inserted as counted. A key that
already has rows (another file, an earlier run, a file read again) is settled by SQL
(``tables.LineTable``): its counted rows are taken out of the sums, every row uncounted, the
batch written, the winners chosen again and added back.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable

from aiusage.sources.logs.lines import Line, Policy
from aiusage.sources.logs.tables import HOUR_MS, LineTable


class Ledger:
    """Writes one provider's candidates; one instance per ingestion run."""

    def __init__(self, provider: str, policy: Policy) -> None:
        self.provider = provider
        self.table = LineTable(provider, policy)
        # While the store holds no line of this provider but the ones this run wrote, a key is
        # known exactly when this run wrote it: no look-up per key. Decided inside each write
        # transaction: the generation counts every write of the provider's lines, so a write by
        # another process between two of ours ends the fast path (a first run racing another).
        self.empty = False
        self.generation: int | None = None
        self.written: set[str] = set()

    def write(
        self, db: sqlite3.Connection, files: list[tuple[int, list[Line]]], reset: list[int]
    ) -> None:
        """Add the candidates of ``files`` (file id, lines) after forgetting the ``reset`` files."""
        table = self.table
        self._check_alone(db)
        removed = table.keys_of_files(db, reset)
        entries = [(file_id, line) for file_id, lines in files for line in lines]
        keys = {line.msg_key for _, line in entries}
        settle = removed | (keys & self.written if self.empty else table.stored_keys(db, keys))
        if settle:
            table.uncount(db, settle)
        table.forget_files(db, reset)
        winners = _winners([entry for entry in entries if entry[1].msg_key not in settle])
        table.insert(db, ((file_id, line, id(line) in winners) for file_id, line in entries))
        table.add_hourly(db, self._sums(line for _, line in entries if id(line) in winners))
        if settle:
            table.recount(db, settle)
        self.written |= keys
        self.generation = (self.generation or 0) + 1
        table.set_generation(db, self.generation)

    def _check_alone(self, db: sqlite3.Connection) -> None:
        current = self.table.generation(db)
        if self.generation is None:
            self.empty = not self.table.has_lines(db)
        elif current != self.generation:
            self.empty = False
        self.generation = current

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


def _winners(entries: list[tuple[int, Line]]) -> set[int]:
    """``id()`` of the lines that count among candidates of keys new to the store.

    The in-memory form of ``tables._RECOUNT``.
    """
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
