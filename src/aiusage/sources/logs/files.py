"""Finding log files and reading only their complete, new lines, in bounded memory."""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

CHUNK = 4 << 20  # bytes per read; a line longer than this is joined from several reads
FINGERPRINT = 64  # bytes compared at the head and before the offset to spot a replaced file


@dataclass
class Walk:
    """The files found under some roots, and the folders that could not be listed."""

    files: list[Path] = field(default_factory=list)
    unreadable: list[str] = field(default_factory=list)


def walk(root: Path, suffixes: tuple[str, ...], found: Walk) -> None:
    """Add every file under ``root`` whose name ends with one of ``suffixes``, sorted by path.

    Raises:
        PermissionError: ``root`` itself cannot be listed.
    """
    stack = [root]
    collected: list[Path] = []
    while stack:
        folder = stack.pop()
        try:
            entries = list(os.scandir(folder))
        except FileNotFoundError:
            continue
        except OSError as exc:
            if folder == root:
                raise
            found.unreadable.append(f"{folder} ({exc.strerror or exc.__class__.__name__})")
            continue
        for entry in entries:
            try:
                if entry.is_dir(follow_symlinks=False):
                    stack.append(Path(entry.path))
                elif entry.name.endswith(suffixes) and entry.is_file():
                    collected.append(Path(entry.path))
            except OSError:
                found.unreadable.append(entry.path)
    found.files.extend(sorted(collected))


def split_roots(value: str) -> list[Path]:
    """A comma-separated list of folders, ``~`` expanded, empty items dropped."""
    return [Path(item.strip()).expanduser() for item in value.split(",") if item.strip()]


@dataclass(frozen=True)
class Identity:
    """What tells a file and its growth apart between runs."""

    device: int
    inode: int
    size: int
    mtime_ns: int

    @classmethod
    def of(cls, stat: os.stat_result) -> Identity:
        return cls(stat.st_dev, stat.st_ino, stat.st_size, stat.st_mtime_ns)


def read_at(handle: BinaryIO, offset: int, size: int) -> bytes:
    handle.seek(max(offset, 0))
    return handle.read(size)


def fingerprints(handle: BinaryIO, offset: int) -> tuple[bytes, bytes]:
    """The first bytes of the file and the bytes just before ``offset``."""
    head = read_at(handle, 0, FINGERPRINT)
    start = max(offset - FINGERPRINT, 0)
    tail = read_at(handle, start, offset - start)
    return head, tail


class LineScanner:
    """Yield ``(offset, line, hit)`` for complete lines from ``start`` that contain a marker.

    ``hit`` is where in the line a marker was found (-1 when there are no markers).

    Lines without any marker are never split out or decoded: the byte search runs over whole
    chunks. After iteration, ``end`` is the offset just past the last complete line, ``tail`` the
    bytes of an unterminated last line (perhaps still being written), ``bytes_read`` what was read.
    """

    def __init__(self, handle: BinaryIO, start: int, markers: tuple[bytes, ...]) -> None:
        self.handle = handle
        self.start = start
        self.markers = markers
        self.end = start
        self.tail = b""
        self.bytes_read = 0

    def __iter__(self) -> Iterator[tuple[int, bytes, int]]:
        self.handle.seek(self.start)
        base = self.start
        pending: list[bytes] = []
        while True:
            chunk = self.handle.read(CHUNK)
            if not chunk:
                break
            self.bytes_read += len(chunk)
            last = chunk.rfind(b"\n")
            if last < 0:
                pending.append(chunk)
                continue
            buffer = b"".join((*pending, chunk)) if pending else chunk
            complete = buffer.rfind(b"\n") + 1
            yield from self._lines(buffer, base, complete)
            pending = [buffer[complete:]] if complete < len(buffer) else []
            base += complete
            self.end = base
        self.tail = b"".join(pending)

    def _lines(self, buffer: bytes, base: int, end: int) -> Iterator[tuple[int, bytes, int]]:
        if not self.markers:
            start = 0
            while start < end:
                stop = buffer.index(b"\n", start, end)
                yield base + start, buffer[start:stop], -1
                start = stop + 1
            return
        spans: dict[int, tuple[int, int]] = {}
        for marker in self.markers:
            hit = buffer.find(marker, 0, end)
            while hit >= 0:
                line_start = buffer.rfind(b"\n", 0, hit) + 1
                line_end = buffer.index(b"\n", hit, end)
                spans.setdefault(line_start, (line_end, hit - line_start))
                hit = buffer.find(marker, line_end, end)
        for line_start in sorted(spans) if len(self.markers) > 1 else spans:
            line_end, hit = spans[line_start]
            yield base + line_start, buffer[line_start:line_end], hit

    def marker_in(self, line: bytes) -> int:
        """Where a marker is in the line: -1 when none is (0 when there are no markers)."""
        if not self.markers:
            return 0
        return max(line.find(marker) for marker in self.markers)
