"""What every log parser produces: de-duplication candidates, events and a resumable state.

Also what every parser checks: a value outside what one request or one clock can hold makes
its line malformed (``Skip``), so no stored row can make a later report fail.
"""

from __future__ import annotations

import json
import re
import time
from collections import Counter
from datetime import UTC, datetime
from typing import Any, Literal, NamedTuple

import orjson

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
    session: str = ""  # the CLI session the line belongs to ("" when the log names none)

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


# Why a line was not used, as the warning names it.
NOT_JSON = "not JSON"
INVALID = "with missing or invalid fields"
OUT_OF_RANGE = "with a value out of range"

# Ten times the largest context window on sale (10M tokens): no count of one request, cached or
# not, comes near it. A cumulative session total may reach this many requests' worth.
MAX_REQUEST_TOKENS = 100_000_000
MAX_SESSION_TOKENS = 1_000 * MAX_REQUEST_TOKENS
EARLIEST_MS = 1_577_836_800_000  # 2020-01-01: before any of these CLIs wrote a log
CLOCK_SKEW_MS = 2 * 86_400_000  # a line stamped later than now + this is not from this clock


class OutOfRange(ValueError):
    """A value no real line holds; its line is counted as malformed."""


def epoch_ms(value: object) -> int | None:
    """RFC 3339 text to milliseconds since the epoch (zone-less means UTC).

    None when unreadable or outside the years these logs can come from (2020 to now + 2 days).
    """
    if not isinstance(value, str):
        return None
    try:
        moment = datetime.fromisoformat(value)
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=UTC)
        ms = round(moment.timestamp() * 1000)
    except (ValueError, OverflowError):
        return None
    if ms < EARLIEST_MS or (ms > _latest[0] and not sane_ms(ms)):
        return None
    return ms


# The latest time accepted so far: asking the clock only for a line later than that keeps the
# check off the clock for almost every line, and right in a process that runs for days.
_latest = [0.0]


def sane_ms(ms: int) -> bool:
    """True for a time these logs can hold: from 2020 to a little after now."""
    _latest[0] = time.time() * 1000 + CLOCK_SKEW_MS
    return EARLIEST_MS <= ms <= _latest[0]


def stamp_problem(value: object) -> str:
    """Why ``epoch_ms`` refused a timestamp: unreadable, or a time no log can hold."""
    if isinstance(value, str):
        try:
            datetime.fromisoformat(value)
        except ValueError:
            return INVALID
        return OUT_OF_RANGE
    return INVALID


def count(value: object, limit: int = MAX_REQUEST_TOKENS) -> int | None:
    """A token count: a non-negative int (bools refused); None when absent or of a wrong type.

    Raises:
        OutOfRange: a count of the right type that is negative or above ``limit``.
    """
    if isinstance(value, float) and not 0 <= value <= limit:
        raise OutOfRange(value)  # e.g. 1e16: a number, but no count of a request
    if not isinstance(value, int) or isinstance(value, bool):
        return None
    if not 0 <= value <= limit:
        raise OutOfRange(value)
    return value


_SURROGATE = re.compile("[\ud800-\udfff]")


def loads(raw: bytes) -> Any:
    """One JSON text, as orjson reads it; else as the standard library reads it.

    orjson refuses two things JSON allows: a lone surrogate escape (``"\\ud83d"``, written when
    a tool cuts text in the middle of an emoji) and integers beyond 64 bits. The standard
    library reads both; a lone surrogate becomes U+FFFD (SQLite stores UTF-8 only).

    Raises:
        ValueError: the text is not JSON (``NaN`` and ``Infinity`` included).
    """
    try:
        return orjson.loads(raw)
    except orjson.JSONDecodeError:
        pass
    try:
        value = json.loads(raw, parse_constant=_refuse)
    except RecursionError:
        raise ValueError("nested too deeply") from None
    return _without_surrogates(value)


def _refuse(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def _without_surrogates(value: Any) -> Any:
    if isinstance(value, str):
        if _SURROGATE.search(value):
            return value.encode("utf-16", "surrogatepass").decode("utf-16", "replace")
        return value
    if isinstance(value, list):
        return [_without_surrogates(item) for item in value]
    if isinstance(value, dict):
        return {_without_surrogates(k): _without_surrogates(v) for k, v in value.items()}
    return value


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
        self.skipped: Counter[str] = Counter()  # malformed lines by reason
        self.parsed = 0

    @property
    def bad_lines(self) -> int:
        return sum(self.skipped.values())

    def skip(self, reason: str) -> None:
        """Count one line that is not used although it should hold usage."""
        self.skipped[reason] += 1

    def json_object(self, raw: bytes) -> dict[str, Any] | None:
        """The line (or document) as a JSON object, counted as parsed; None when it is not JSON
        or not an object, counted as malformed (``NOT_JSON``, ``INVALID``)."""
        try:
            value = loads(raw)
        except ValueError:
            self.skip(NOT_JSON)
            return None
        self.parsed += 1
        if not isinstance(value, dict):
            self.skip(INVALID)
            return None
        return value

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
