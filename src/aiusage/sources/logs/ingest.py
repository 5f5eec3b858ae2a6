"""Incremental ingestion: read only what is new in each log file and keep its lines in the store.

Each file's identity (device, inode), size, mtime and read offset are stored with a fingerprint of
its first bytes and of the bytes before the offset. The next run reads only appended bytes; a file
that shrank or whose fingerprints changed was replaced, so its earlier lines are removed and it is
read again from the start. Candidates are written per batch of files in one transaction
(``ledger``).
"""

from __future__ import annotations

import gc
import json
import logging
import os
import sqlite3
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import orjson

from aiusage.sources.logs.files import FINGERPRINT, Identity, LineScanner, fingerprints, read_at
from aiusage.sources.logs.ledger import Ledger
from aiusage.sources.logs.lines import Line, LogParser, Policy

if TYPE_CHECKING:
    from aiusage.store import Store

log = logging.getLogger(__name__)

FORK_PEEK = 16 * 1024  # bytes handed to LogParser.begin
BATCH_LINES = 50_000  # candidates written per transaction (files are never split)
BATCH_FILES = 500
CACHE_KIB = 64 * 1024

# Makes the parser of one file from the state saved after its last read.
ParserFactory = Callable[[Path, dict[str, Any]], LogParser]
# True for a file that is one JSON document rewritten on every change (read whole, every time).
IsDocument = Callable[[Path], bool]


@dataclass
class IngestStats:
    """What one ingestion run did; the tests pin incremental reading on ``bytes_read``."""

    files: int = 0
    files_read: int = 0
    bytes_read: int = 0
    lines_parsed: int = 0
    bad_lines: int = 0
    unreadable: list[str] = field(default_factory=list)


@dataclass
class _Known:
    file_id: int
    path: str
    identity: Identity
    offset: int
    head: bytes
    tail: bytes
    bad_lines: int
    state: str


@dataclass
class _Done:
    """One file read, waiting for its batch's transaction."""

    path: str
    known: _Known | None
    reset: bool
    identity: Identity
    offset: int
    head: bytes
    tail: bytes
    bad_lines: int
    state: dict[str, Any]
    lines: list[Line]
    events: dict[str, tuple[int, str]]


class Ingestor:
    """Reads the new bytes of one tool's files into ``local_lines`` (provider ``provider``)."""

    def __init__(
        self,
        store: Store,
        provider: str,
        make_parser: ParserFactory,
        policy: Policy,
        is_document: IsDocument = lambda path: False,
    ) -> None:
        self.store = store
        self.provider = provider
        self.make_parser = make_parser
        self.is_document = is_document
        self.ledger = Ledger(store.db, provider, policy)
        # The de-duplication index takes random inserts: a larger page cache than SQLite's
        # 2 MB default keeps it in memory (this connection belongs to this source only).
        store.db.execute(f"PRAGMA cache_size = -{CACHE_KIB}")
        self.stats = IngestStats()

    def run(self, files: Iterable[Path]) -> IngestStats:
        # Reading allocates millions of small objects that hold no cycles; the collector's full
        # passes would walk every line held for the batch again and again (tenths of a second
        # on a 1 GB first run; see benchmarks/README.md, "Local logs").
        collecting = gc.isenabled()
        gc.disable()
        try:
            return self._run(files)
        finally:
            if collecting:
                gc.enable()

    def _run(self, files: Iterable[Path]) -> IngestStats:
        known = self._known()
        by_inode = {(k.identity.device, k.identity.inode): k for k in known.values()}
        batch: list[_Done] = []
        pending = 0
        for path in files:
            self.stats.files += 1
            done = self._read(path, known, by_inode)
            if done is None:
                continue
            batch.append(done)
            pending += len(done.lines)
            if pending >= BATCH_LINES or len(batch) >= BATCH_FILES:
                self._write(batch)
                batch, pending = [], 0
        if batch:
            self._write(batch)
        return self.stats

    def _known(self) -> dict[str, _Known]:
        rows = self.store.db.execute(
            "SELECT file_id, path, device, inode, size, mtime_ns, offset, head, tail, bad_lines, "
            "state FROM local_files WHERE provider = ?",
            (self.provider,),
        )
        return {
            row[1]: _Known(row[0], row[1], Identity(*row[2:6]), row[6], *row[7:]) for row in rows
        }

    def _read(
        self, path: Path, known: dict[str, _Known], by_inode: dict[tuple[int, int], _Known]
    ) -> _Done | None:
        try:
            identity = Identity.of(os.stat(path))
        except FileNotFoundError:
            return None
        except OSError as exc:
            self.stats.unreadable.append(f"{path} ({exc.strerror or exc.__class__.__name__})")
            return None
        previous = known.get(str(path))
        if previous is not None and previous.identity == identity:
            return None  # unchanged since the last run
        moved = None
        if previous is None:
            # A file moved on the same disk (Codex archiving a session) keeps its inode.
            moved = by_inode.get((identity.device, identity.inode))
            if moved is not None and os.path.exists(moved.path):
                moved = None
        try:
            with open(path, "rb", buffering=0) as handle:
                return self._scan(path, handle, identity, previous or moved)
        except FileNotFoundError:
            return None  # deleted since it was listed
        except OSError as exc:
            self.stats.unreadable.append(f"{path} ({exc.strerror or exc.__class__.__name__})")
            return None

    def _scan(self, path: Path, handle: Any, identity: Identity, previous: _Known | None) -> _Done:
        start, state, bad = 0, {}, 0
        document = self.is_document(path)
        resumable = (
            previous is not None
            and not document
            and (previous.identity.device, previous.identity.inode)
            == (identity.device, identity.inode)
            and identity.size >= previous.offset
            and (read_at(handle, 0, len(previous.head)), previous.tail)
            == (previous.head, fingerprints(handle, previous.offset)[1])
        )
        if previous is not None and resumable:
            start, state, bad = previous.offset, json.loads(previous.state), previous.bad_lines
        elif previous is not None and str(path) != previous.path:
            previous = None  # an inode reused by a new file: the old file's lines stay
        parser = self.make_parser(path, state)
        self.stats.files_read += 1
        if document:
            content = handle.read()
            self.stats.bytes_read += len(content)
            parser.feed_document(content)
            end = len(content)
        else:
            if start == 0:
                parser.begin(read_at(handle, 0, FORK_PEEK))
            scanner = LineScanner(handle, start, parser.markers)
            for offset, raw, hit in scanner:
                parser.feed(offset, raw, hit)
            end = scanner.end
            self.stats.bytes_read += scanner.bytes_read
            hit = scanner.marker_in(scanner.tail) if scanner.tail else -1
            if hit >= 0 and _is_json(scanner.tail):
                # A complete last line that only lacks its newline; a half-written one is left.
                parser.feed(end, scanner.tail, hit)
                end += len(scanner.tail)
        head, tail = fingerprints(handle, end)
        self.stats.lines_parsed += parser.parsed
        self.stats.bad_lines += parser.bad_lines
        return _Done(
            path=str(path),
            known=previous,
            reset=previous is not None and not resumable,
            identity=identity,
            offset=end,
            head=head[:FINGERPRINT],
            tail=tail,
            bad_lines=bad + parser.bad_lines,
            state=parser.snapshot(),
            lines=list(parser.lines.values()),
            events=parser.events,
        )

    def _write(self, batch: list[_Done]) -> None:
        """One transaction: the files' new positions, their candidates and events."""
        with self.store.transaction() as db:
            claimed = [(file_id, done) for done in batch
                       if (file_id := self._claim(db, done)) is not None]  # fmt: skip
            self.ledger.write(
                db,
                [(file_id, done.lines) for file_id, done in claimed],
                [file_id for file_id, done in claimed if done.reset],
            )
            for file_id, done in claimed:
                if done.reset:
                    db.execute("DELETE FROM local_events WHERE file_id = ?", (file_id,))
                db.executemany(
                    "INSERT INTO local_events VALUES (?, ?, ?, ?, ?) ON CONFLICT (file_id, kind) "
                    "DO UPDATE SET ts = excluded.ts, payload = excluded.payload "
                    "WHERE excluded.ts >= local_events.ts",
                    (
                        (file_id, kind, self.provider, ts, payload)
                        for kind, (ts, payload) in done.events.items()
                    ),
                )

    def _claim(self, db: sqlite3.Connection, done: _Done) -> int | None:
        """Record the file's new position; None when another run got there first."""
        values = (
            done.path,
            done.identity.device,
            done.identity.inode,
            done.identity.size,
            done.identity.mtime_ns,
            done.offset,
            done.head,
            done.tail,
            done.bad_lines,
            orjson.dumps(done.state).decode(),
        )
        if done.known is None:
            cursor = db.execute(
                "INSERT INTO local_files (path, device, inode, size, mtime_ns, offset, head, "
                "tail, bad_lines, state, provider) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
                "ON CONFLICT (path) DO NOTHING",
                (*values, self.provider),
            )
            return cursor.lastrowid if cursor.rowcount == 1 else None
        known = done.known
        current = db.execute(
            "SELECT offset, device, inode, mtime_ns FROM local_files WHERE file_id = ?",
            (known.file_id,),
        ).fetchone()
        expected = (known.offset, known.identity.device, known.identity.inode)
        if current is None or tuple(current[:3]) != expected:
            return None
        if done.reset:
            log.debug("%s was replaced or truncated: read again from the start", done.path)
        db.execute(
            "UPDATE local_files SET path = ?, device = ?, inode = ?, size = ?, mtime_ns = ?, "
            "offset = ?, head = ?, tail = ?, bad_lines = ?, state = ? WHERE file_id = ?",
            (*values, known.file_id),
        )
        return known.file_id


def _is_json(raw: bytes) -> bool:
    try:
        orjson.loads(raw)
    except orjson.JSONDecodeError:
        return False
    return True
