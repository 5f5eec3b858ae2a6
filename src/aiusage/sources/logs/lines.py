"""What every log parser produces: de-duplication candidates, events and a resumable state."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, Literal, NamedTuple

# How two copies of one key in the same file are settled: the better line (Claude Code), the
# later line (Gemini CLI re-appends an updated message), or the first (identical Codex events).
Policy = Literal["better", "last", "first"]


class Line(NamedTuple):
    """One usage candidate: a de-duplication key and its tokens in our non-overlapping fields."""

    msg_key: str
    req_key: str
    seq: int  # byte offset of the line in its file: stable across runs
    sidechain: int
    has_speed: int
    ts: int  # milliseconds since the epoch, UTC
    model: str  # "" when the log names no model
    scope: str
    input_tokens: int
    output_tokens: int
    cache_read_tokens: int
    cache_write_tokens: int
    cache_write_1h_tokens: int

    @property
    def total(self) -> int:
        return (
            self.input_tokens
            + self.output_tokens
            + self.cache_read_tokens
            + self.cache_write_tokens
        )


def better(candidate: Line, existing: Line) -> bool:
    """ccusage 20's rule: a main-chain line beats a sidechain one, then more tokens, then speed."""
    if candidate.sidechain != existing.sidechain:
        return existing.sidechain > candidate.sidechain
    if candidate.total != existing.total:
        return candidate.total > existing.total
    return candidate.has_speed > existing.has_speed


def epoch_ms(value: object) -> int | None:
    """RFC 3339 text to milliseconds since the epoch (zone-less means UTC); None if unreadable."""
    if not isinstance(value, str):
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return round(moment.timestamp() * 1000)


def count(value: object) -> int | None:
    """A token count: a non-negative int (bools refused); None when absent or of a wrong type."""
    if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
        return value
    return None


class LogParser:
    """Collects the candidates of one file; subclasses read their tool's lines.

    ``markers``: byte strings at least one of which a useful line contains (the pre-check before
    JSON decoding). ``state`` is saved with the file and handed back when appended bytes are read.
    """

    policy: Policy = "better"
    markers: tuple[bytes, ...] = ()

    def __init__(self, file_label: str, state: dict[str, Any]) -> None:
        self.file_label = file_label
        self.state = state
        self.lines: dict[tuple[str, str], Line] = {}
        self.events: dict[str, tuple[int, str]] = {}
        self.bad_lines = 0
        self.parsed = 0

    def feed(self, offset: int, raw: bytes, hit: int) -> None:
        """Read one complete line (``hit``: where a marker is in it); count it if malformed."""
        raise NotImplementedError

    def begin(self, head: bytes) -> None:
        """Look at the first bytes of a file read from its start (e.g. to spot a forked session)."""

    def feed_document(self, raw: bytes) -> None:
        """Read a file that is one JSON document (the source's ``is_document`` says which)."""
        raise NotImplementedError

    def snapshot(self) -> dict[str, Any]:
        """The state to save with the file once its new bytes are read."""
        return self.state

    def add(self, line: Line) -> None:
        key = (line.msg_key, line.req_key)
        existing = self.lines.get(key)
        if (
            existing is None
            or self.policy == "last"
            or (self.policy == "better" and better(line, existing))
        ):
            self.lines[key] = line

    def event(self, kind: str, ts: int, payload: str) -> None:
        """Keep the latest event of a kind (by its time) for this file."""
        existing = self.events.get(kind)
        if existing is None or ts >= existing[0]:
            self.events[kind] = (ts, payload)
