"""A second process that parses log files while the ingesting process writes to the store.

    python -m aiusage.sources.logs.worker     (stdin: one job; stdout: one result per file)

Reading 1 GB of Claude Code logs is about two parts parsing to one part SQLite; on a machine
with two cores, parsing most files here while the caller parses the first ones and then writes
them all brings a first run near the wall time of a reader that uses both cores
(benchmarks/README.md, "Local logs"). The job and the results are ``marshal`` data (plain
tuples, dicts, strings and numbers; both sides run the same interpreter): the job is
``(parser module, parser class, [(path, start offset, parser state), ...])``; for each file, in
order, the worker writes an 8-byte little-endian length and ``("ok", scan result)`` or
``("oserror", errno, message)``. A file is parsed exactly as ``Ingestor`` parses it in process
(``scan_lines``).
"""

from __future__ import annotations

import gc
import importlib
import logging
import marshal
import queue
import subprocess
import sys
import threading
from typing import IO, Any, BinaryIO

from aiusage.sources.logs.files import FINGERPRINT, LineScanner, fingerprints, read_at
from aiusage.sources.logs.lines import LogParser, loads

FORK_PEEK = 16 * 1024  # bytes handed to LogParser.begin
LENGTH = 8
WORKER_QUEUE = 256  # results read ahead from the worker, at most

log = logging.getLogger(__name__)

# What the worker sends back for one file: end offset, bytes read, head and tail fingerprints,
# lines parsed, malformed lines by reason, the parser's state, its candidates (plain tuples)
# and its events.
Scanned = tuple[
    int, int, bytes, bytes, int, dict[str, int], dict[str, Any], list[tuple[Any, ...]], Any
]


def scan_lines(parser: LogParser, handle: BinaryIO, start: int) -> tuple[int, int]:
    """Feed the complete lines from ``start`` to ``parser``: (offset read to, bytes read)."""
    if start == 0:
        parser.begin(read_at(handle, 0, FORK_PEEK))
    scanner = LineScanner(handle, start, parser.markers)
    feed = parser.feed
    for offset, raw, hit in scanner:
        feed(offset, raw, hit)
    end = scanner.end
    hit = scanner.marker_in(scanner.tail) if scanner.tail else -1
    if hit >= 0 and _is_json(scanner.tail):
        # A complete last line that only lacks its newline; a half-written one is left.
        parser.feed(end, scanner.tail, hit)
        end += len(scanner.tail)
    return end, scanner.bytes_read


def _is_json(raw: bytes) -> bool:
    try:
        loads(raw)
    except ValueError:
        return False
    return True


def scan_file(parser_class: type[LogParser], path: str, start: int, state: Any) -> Scanned:
    parser = parser_class(path, state)
    with open(path, "rb", buffering=0) as handle:
        end, read = scan_lines(parser, handle, start)
        head, tail = fingerprints(handle, end)
    return (
        end,
        read,
        head[:FINGERPRINT],
        tail,
        parser.parsed,
        dict(parser.skipped),
        parser.snapshot(),
        [tuple(line) for line in parser.lines.values()],
        parser.events,
    )


class Worker:
    """A running worker: its results, read ahead by a thread so that it never waits on a full
    pipe while the caller writes to the store."""

    def __init__(self, child: subprocess.Popen[bytes], count: int) -> None:
        self.child = child
        self.results: queue.Queue[bytes | None] = queue.Queue(maxsize=WORKER_QUEUE)
        assert child.stdout is not None
        self.reader = threading.Thread(target=self._read, args=(child.stdout, count), daemon=True)
        self.reader.start()

    @classmethod
    def start(cls, parser: tuple[str, str], tasks: list[tuple[str, int, Any]]) -> Worker | None:
        """Start a worker on ``tasks``; None when it cannot be started (the caller reads)."""
        try:
            child = subprocess.Popen(
                [sys.executable, "-m", __name__],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=subprocess.DEVNULL,
            )
        except OSError as exc:
            log.debug("no log worker (%s): reading in process", exc)
            return None
        assert child.stdin is not None
        try:
            with child.stdin:
                child.stdin.write(marshal.dumps((*parser, tasks)))
        except OSError as exc:
            log.debug("the log worker did not take its job (%s): reading in process", exc)
            child.kill()
            child.wait()
            return None
        return cls(child, len(tasks))

    def _read(self, stream: IO[bytes], count: int) -> None:
        try:
            for _ in range(count):
                size = stream.read(LENGTH)
                if len(size) < LENGTH:
                    break
                self.results.put(stream.read(int.from_bytes(size, "little")))
        finally:
            self.results.put(None)

    def next(self) -> Any:
        """The next file's result, in order; None when the worker ended early."""
        blob = self.results.get()
        if blob is None:
            return None
        try:
            return marshal.loads(blob)
        except (EOFError, ValueError, TypeError):
            return None  # cut short: the worker died while writing it

    def close(self) -> None:
        """Wait for the worker to end (stopping it when the caller stopped early)."""
        if self.child.poll() is None and self.reader.is_alive():
            self.child.kill()
        while self.reader.is_alive():  # unblocks a reader waiting on a full queue
            try:
                self.results.get(timeout=0.1)
            except queue.Empty:
                pass
        code = self.child.wait()
        if self.child.stdout is not None:
            self.child.stdout.close()
        if code:
            log.debug("the log worker exited with %s", code)


def main() -> None:
    gc.disable()  # as in Ingestor.run: parsing allocates many small objects without cycles
    module, name, tasks = marshal.load(sys.stdin.buffer)
    parser_class = getattr(importlib.import_module(module), name)
    out = sys.stdout.buffer
    for path, start, state in tasks:
        result: tuple[Any, ...]
        try:
            result = ("ok", scan_file(parser_class, path, start, state))
        except OSError as exc:
            result = ("oserror", exc.errno, exc.strerror or exc.__class__.__name__)
        blob = marshal.dumps(result)
        out.write(len(blob).to_bytes(LENGTH, "little"))
        out.write(blob)
    out.flush()


if __name__ == "__main__":
    main()
