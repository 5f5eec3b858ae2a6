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
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import orjson

from aiusage.sources.logs import tables
from aiusage.sources.logs.files import FINGERPRINT, Identity, LineScanner, fingerprints, read_at
from aiusage.sources.logs.ledger import Ledger
from aiusage.sources.logs.lines import Line, LogParser, Policy, loads

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
    skipped: Counter[str]
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
    skipped: Counter[str]  # malformed lines of the whole file, by reason
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
        self.ledger = Ledger(provider, policy)
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
        return {
            file.path: _Known(
                file.file_id,
                file.path,
                Identity(file.device, file.inode, file.size, file.mtime_ns),
                file.offset,
                file.head,
                file.tail,
                file.skipped,
                file.state,
            )
            for file in tables.known_files(self.store.db, self.provider)
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
        start: int = 0
        state: dict[str, Any] = {}
        skipped: Counter[str] = Counter()
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
            start, state = previous.offset, json.loads(previous.state)
            skipped = Counter(previous.skipped)
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
            skipped=skipped + parser.skipped,
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
                tables.save_events(db, self.provider, file_id, done.events.items(), done.reset)

    def _claim(self, db: sqlite3.Connection, done: _Done) -> int | None:
        """Record the file's new position; None when another run got there first."""
        file = tables.FileRow(
            file_id=0 if done.known is None else done.known.file_id,
            path=done.path,
            device=done.identity.device,
            inode=done.identity.inode,
            size=done.identity.size,
            mtime_ns=done.identity.mtime_ns,
            offset=done.offset,
            head=done.head,
            tail=done.tail,
            skipped=done.skipped,
            state=orjson.dumps(done.state).decode(),
        )
        if done.known is None:
            return tables.insert_file(db, self.provider, file)
        known = done.known
        expected = (known.offset, known.identity.device, known.identity.inode)
        if tables.file_position(db, known.file_id) != expected:
            return None
        if done.reset:
            log.debug("%s was replaced or truncated: read again from the start", done.path)
        tables.update_file(db, file)
        return known.file_id


def _is_json(raw: bytes) -> bool:
    try:
        loads(raw)
    except ValueError:
        return False
    return True
