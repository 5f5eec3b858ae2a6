"""Incremental ingestion: read only what is new in each log file and keep its lines in the store.

Each file's identity (device, inode), size, mtime and read offset are stored with a fingerprint of
its first bytes and of the bytes before the offset. The next run reads only appended bytes; a file
that shrank or whose fingerprints changed was replaced, so its earlier lines are removed and it is
read again from the start. Candidates are written per batch of files in one transaction
(``ledger``). When there is much to read, a second process parses most files meanwhile
(``worker``); files are always written in the order they were listed.
"""

from __future__ import annotations

import errno
import gc
import json
import logging
import os
import sqlite3
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import orjson

from aiusage.sources.logs import tables
from aiusage.sources.logs.files import FINGERPRINT, Identity, fingerprints, read_at
from aiusage.sources.logs.ledger import Ledger
from aiusage.sources.logs.lines import Line, LogParser, Policy
from aiusage.sources.logs.worker import Worker, scan_lines

if TYPE_CHECKING:
    from aiusage.store import Store

_new_line = tuple.__new__  # a Line from the worker's plain tuple, without re-checking it

log = logging.getLogger(__name__)

BATCH_LINES = 50_000  # candidates written per transaction (files are never split)
# A second process parses files when there is this much to read and a second core to read it
# on (``worker``); below it, starting an interpreter costs more than it saves.
WORKER_MIN_BYTES = 64 << 20
MAIN_SHARE = 0.15  # of the new bytes, parsed in this process while the worker parses the rest
BATCH_FILES = 500
CACHE_KIB = 64 * 1024

# Makes the parser of one file from the state saved after its last read.
ParserFactory = Callable[[Path, dict[str, Any]], LogParser]
# True for a file that is one JSON document rewritten on every change (read whole, every time).
IsDocument = Callable[[Path], bool]
# (module, class) of a parser that needs nothing but (path, state): one the worker can build.
WorkerParser = tuple[str, str]


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
class _Plan:
    """A changed file and where its reading starts, decided before any line is parsed."""

    path: Path
    identity: Identity
    previous: _Known | None
    resumable: bool
    start: int
    state: dict[str, Any]
    skipped: Counter[str]
    document: bool

    @property
    def new_bytes(self) -> int:
        return 0 if self.document else max(self.identity.size - self.start, 0)


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
        worker_parser: WorkerParser | None = None,
        worker_min_bytes: int | None = None,
    ) -> None:
        self.store = store
        self.provider = provider
        self.make_parser = make_parser
        self.is_document = is_document
        self.worker_parser = worker_parser
        self.worker_min_bytes = WORKER_MIN_BYTES if worker_min_bytes is None else worker_min_bytes
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
        plans: list[_Plan] = []
        for path in files:
            self.stats.files += 1
            plan = self._plan(path, known, by_inode)
            if plan is not None:
                plans.append(plan)
        batch: list[_Done] = []
        pending = 0
        for done in self._scanned(plans):
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

    def _plan(
        self, path: Path, known: dict[str, _Known], by_inode: dict[tuple[int, int], _Known]
    ) -> _Plan | None:
        """Where to start reading a changed file; None for an unchanged or unreadable one."""
        try:
            identity = Identity.of(os.stat(path))
        except FileNotFoundError:
            return None
        except OSError as exc:
            self._unreadable(path, exc)
            return None
        previous = known.get(str(path))
        if previous is not None and previous.identity == identity:
            return None  # unchanged since the last run
        if previous is None:
            # A file moved on the same disk (Codex archiving a session) keeps its inode.
            previous = by_inode.get((identity.device, identity.inode))
            if previous is not None and os.path.exists(previous.path):
                previous = None
        document = self.is_document(path)
        resumable = False
        if previous is not None and not document:
            try:
                with open(path, "rb", buffering=0) as handle:
                    resumable = (
                        (previous.identity.device, previous.identity.inode)
                        == (identity.device, identity.inode)
                        and identity.size >= previous.offset
                        and (read_at(handle, 0, len(previous.head)), previous.tail)
                        == (previous.head, fingerprints(handle, previous.offset)[1])
                    )
            except FileNotFoundError:
                return None  # deleted since it was listed
            except OSError as exc:
                self._unreadable(path, exc)
                return None
        start: int = 0
        state: dict[str, Any] = {}
        skipped: Counter[str] = Counter()
        if previous is not None and resumable:
            start, state = previous.offset, json.loads(previous.state)
            skipped = Counter(previous.skipped)
        elif previous is not None and str(path) != previous.path:
            previous = None  # an inode reused by a new file: the old file's lines stay
        return _Plan(path, identity, previous, resumable, start, state, skipped, document)

    def _unreadable(self, path: Path, exc: OSError) -> None:
        self.stats.unreadable.append(f"{path} ({exc.strerror or exc.__class__.__name__})")

    def _scanned(self, plans: list[_Plan]) -> Iterator[_Done]:
        """The files read, in order; by a second process too when there is much to read."""
        new = sum(plan.new_bytes for plan in plans)
        if self.worker_parser is None or new < self.worker_min_bytes or (os.cpu_count() or 1) < 2:
            for plan in plans:
                done = self._scan(plan)
                if done is not None:
                    yield done
            return
        # This process parses the first files while the worker parses the others; then it
        # takes the worker's results, in file order, and writes everything.
        share, split = new * MAIN_SHARE, len(plans)
        for index, plan in enumerate(plans):
            share -= plan.new_bytes
            if share <= 0:
                split = index + 1
                break
        theirs = [plan for plan in plans[split:] if not plan.document]
        worker = Worker.start(self.worker_parser, [(str(p.path), p.start, p.state) for p in theirs])
        started = worker
        try:
            for plan in plans:
                result = None
                if worker is not None and theirs and theirs[0] is plan:
                    theirs.pop(0)
                    result = worker.next()
                    if result is None:
                        worker = None  # it ended early: this process reads the rest
                done = self._scan(plan) if result is None else self._scanned_by_worker(plan, result)
                if done is not None:
                    yield done
        finally:
            if started is not None:
                started.close()

    def _scan(self, plan: _Plan) -> _Done | None:
        """Read a file in this process."""
        path = plan.path
        try:
            with open(path, "rb", buffering=0) as handle:
                parser = self.make_parser(path, plan.state)
                if plan.document:
                    content = handle.read()
                    read = len(content)
                    parser.feed_document(content)
                    end = len(content)
                else:
                    end, read = scan_lines(parser, handle, plan.start)
                head, tail = fingerprints(handle, end)
        except FileNotFoundError:
            return None  # deleted since it was listed
        except OSError as exc:
            self._unreadable(path, exc)
            return None
        self.stats.files_read += 1
        self.stats.bytes_read += read
        self.stats.lines_parsed += parser.parsed
        self.stats.bad_lines += parser.bad_lines
        return self._done(
            plan,
            (end, read, head[:FINGERPRINT], tail, parser.snapshot(), parser.skipped),
            list(parser.lines.values()),
            parser.events,
        )

    def _scanned_by_worker(self, plan: _Plan, result: tuple[Any, ...]) -> _Done | None:
        if result[0] != "ok":
            if result[1] != errno.ENOENT:  # else deleted since it was listed
                self.stats.unreadable.append(f"{plan.path} ({result[2]})")
            return None
        end, read, head, tail, parsed, skipped, state, lines, events = result[1]
        self.stats.files_read += 1
        self.stats.bytes_read += read
        self.stats.lines_parsed += parsed
        self.stats.bad_lines += sum(skipped.values())
        candidates = [_new_line(Line, line) for line in lines]
        return self._done(
            plan, (end, read, head, tail, state, Counter(skipped)), candidates, events
        )

    def _done(
        self,
        plan: _Plan,
        read: tuple[int, int, bytes, bytes, dict[str, Any], Counter[str]],
        lines: list[Line],
        events: dict[str, tuple[int, str]],
    ) -> _Done:
        end, _, head, tail, state, skipped = read
        return _Done(
            path=str(plan.path),
            known=plan.previous,
            reset=plan.previous is not None and not plan.resumable,
            identity=plan.identity,
            offset=end,
            head=head,
            tail=tail,
            skipped=plan.skipped + skipped,
            state=state,
            lines=lines,
            events=events,
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
