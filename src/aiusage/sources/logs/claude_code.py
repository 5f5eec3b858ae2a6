"""Claude Code transcripts (``projects/**/*.jsonl``): API responses de-duplicated across files.

Claude Code writes one line per content block and repeats the response's full ``usage`` on
each; resumed sessions and subagent transcripts copy lines into other files. Every line is a
candidate under the key (``message.id``, ``requestId``); the store counts one per key across all
files (see ``tables._RECOUNT`` for the sidechain-replay rule). ``<synthetic>`` lines are local
error messages with no usage; their "usage limit reached|<epoch>" text marks a reset time.
"""

from __future__ import annotations

import os
import re
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import msgspec

from aiusage.models import ProviderName, Quota
from aiusage.pricing import FAST_SUFFIX
from aiusage.sources.logs.blocks import block_quotas
from aiusage.sources.logs.files import split_roots
from aiusage.sources.logs.lines import (
    INVALID,
    MAX_REQUEST_TOKENS,
    NOT_JSON,
    OUT_OF_RANGE,
    Line,
    LogParser,
    OutOfRange,
    better,
    count,
    epoch_ms,
    loads,
    stamp_problem,
)
from aiusage.sources.logs.source import LocalLogSource, folder_present

if TYPE_CHECKING:
    from aiusage.settings import Settings
    from aiusage.store import Store

# The key of a response's usage; the JSON that follows may be spelled ':{' or ': {'.
USAGE_MARKER = b'"usage"'
SYNTHETIC = "<synthetic>"
RESET_SLACK_MS = 86_400_000
RESET_HORIZON_MS = 8 * 86_400_000
_LIMIT = re.compile(rb"usage limit reached\|(\d{9,11})")
_VERSION = re.compile(r"\d+\.\d+\.\d")


def project_folder(path: str) -> str:
    """The encoded working directory: the first folder under ``projects/``."""
    parts = Path(path).parts
    for index in range(len(parts) - 2, -1, -1):
        if parts[index] == "projects":
            return parts[index + 1]
    return ""


def _unusable(entry: dict[str, Any], message: dict[str, Any], usage: dict[str, Any]) -> bool:
    """ccusage 20's validity filters: explicit nulls, empty ids, a version that is not x.y.z.

    ccusage looks for ``"<field>":null`` anywhere in the line's bytes; the fields that matter
    are checked here where they live, which is cheaper on long lines.
    """
    if None in (
        entry.get("cwd", 0),
        entry.get("costUSD", 0),
        entry.get("version", 0),
        entry.get("sessionId", 0),
        entry.get("requestId", 0),
        entry.get("isApiErrorMessage", 0),
        message.get("id", 0),
        usage.get("speed", 0),
        usage.get("cache_read_input_tokens", 0),
        usage.get("cache_creation_input_tokens", 0),
    ):
        return True
    version = entry.get("version")
    if version is not None and not (type(version) is str and _VERSION.match(version)):
        return True
    return "" in (entry.get("sessionId"), entry.get("requestId"), message.get("id"))


# The common, well-formed response line is decoded in C with only the fields we read (the rest
# of the line, mostly content blocks, is skipped without building objects). The types are
# strict on purpose: a line that does not fit them (a null, a count out of range, an empty id,
# a version that is not x.y.z, another type) raises, and ``_lenient`` reads it again in full,
# applies every rule and, when the line is usable, builds the same ``_Entry`` with the values
# normalised. Both paths then share the rest of ``ClaudeCodeParser.feed``.
_Count = Annotated[int, msgspec.Meta(ge=0, le=MAX_REQUEST_TOKENS)]
_Id = Annotated[str, msgspec.Meta(min_length=1)]
_Version = Annotated[str, msgspec.Meta(pattern=r"^\d+\.\d+\.\d")]


class _Split(msgspec.Struct):
    ephemeral_5m_input_tokens: _Count = 0
    ephemeral_1h_input_tokens: _Count = 0


class _Usage(msgspec.Struct):
    input_tokens: _Count
    output_tokens: _Count
    cache_read_input_tokens: _Count = 0
    cache_creation_input_tokens: _Count = 0
    cache_creation: _Split | None = None
    speed: str | msgspec.UnsetType = msgspec.UNSET


class _Message(msgspec.Struct):
    usage: _Usage
    id: _Id | msgspec.UnsetType = msgspec.UNSET
    model: str = ""


class _Entry(msgspec.Struct):
    message: _Message
    timestamp: str = ""
    requestId: _Id | msgspec.UnsetType = msgspec.UNSET
    cwd: str = ""
    isSidechain: bool = False
    sessionId: _Id | msgspec.UnsetType = msgspec.UNSET
    # Read only to refuse a null or malformed value, as ``_unusable`` does.
    version: _Version | msgspec.UnsetType = msgspec.UNSET
    costUSD: float | msgspec.UnsetType = msgspec.UNSET
    isApiErrorMessage: bool | msgspec.UnsetType = msgspec.UNSET


_decode_entry = msgspec.json.Decoder(_Entry).decode
_new_line = tuple.__new__
_NO_USAGE = _Usage(input_tokens=0, output_tokens=0)
_COUNTS = (
    "input_tokens",
    "output_tokens",
    "cache_read_input_tokens",
    "cache_creation_input_tokens",
)
_OPTIONAL = frozenset(_COUNTS[2:])
_SPLIT = ("ephemeral_5m_input_tokens", "ephemeral_1h_input_tokens")


def _text(value: object) -> str | msgspec.UnsetType:
    return value if type(value) is str else msgspec.UNSET


def _lenient(entry: object) -> _Entry | str | None:
    """A decoded line the strict types refused, as an ``_Entry`` when usable.

    Returns the reason it is malformed instead, or None when it is not a response line (the
    marker was inside some other object, e.g. a tool's input).
    """
    message = entry.get("message") if type(entry) is dict else None
    usage = message.get("usage") if type(message) is dict else None
    if type(usage) is not dict or type(message) is not dict or type(entry) is not dict:
        return None
    timestamp = entry.get("timestamp")
    stamp = timestamp if type(timestamp) is str else ""
    model = message.get("model")
    if model == SYNTHETIC:  # no usage to check: only its text is read
        return _Entry(message=_Message(usage=_NO_USAGE, model=SYNTHETIC), timestamp=stamp)
    split = usage.get("cache_creation")
    try:
        counts = [count(usage.get(name, 0 if name in _OPTIONAL else None)) for name in _COUNTS]
        # The split replaces the flat number when present (ccusage, Anthropic's API).
        parts = [count(split.get(name, 0)) for name in _SPLIT] if type(split) is dict else []
    except OutOfRange:
        return OUT_OF_RANGE
    if (
        None in counts
        or None in parts
        or type(model) is not str
        or not model
        or _unusable(entry, message, usage)
    ):
        return INVALID
    cwd = entry.get("cwd")
    input_tokens, output_tokens, cache_read, flat_write = (number or 0 for number in counts)
    return _Entry(
        message=_Message(
            usage=_Usage(
                input_tokens=input_tokens,
                output_tokens=output_tokens,
                cache_read_input_tokens=cache_read,
                cache_creation_input_tokens=flat_write,
                cache_creation=_Split(*(number or 0 for number in parts)) if parts else None,
                speed=_text(usage.get("speed")),
            ),
            id=_text(message.get("id")),
            model=model,
        ),
        timestamp=stamp,
        requestId=_text(entry.get("requestId")),
        cwd=cwd if type(cwd) is str else "",
        isSidechain=entry.get("isSidechain") is True,
        sessionId=_text(entry.get("sessionId")),
    )


class ClaudeCodeParser(LogParser):
    """Reads response lines; lines without the ``"usage"`` marker (user prompts, tool results,
    summaries, file snapshots) hold no usage and are never decoded. Lines that are not used:
    a marker outside a response's ``message`` (not usage), a response whose four counts are zero
    (nothing to count), and malformed lines, counted by reason (``LogParser.skip``)."""

    policy = "better"
    markers = (USAGE_MARKER,)

    def __init__(self, file_label: str, state: dict[str, Any]) -> None:
        super().__init__(file_label, state)
        self.project = project_folder(file_label)
        # Claude Code writes one line per content block of a response, all with its timestamp.
        self.last_time: tuple[str, int | None] = ("", None)
        self.scopes: dict[str, str] = {}  # one string per working directory, not per line
        self.sessions: dict[str, str] = {}

    def _session(self, value: object) -> str:
        return self.sessions.setdefault(value, value) if type(value) is str else ""

    def feed(self, offset: int, raw: bytes, hit: int) -> None:
        try:
            # msgspec does not check the UTF-8 of the strings it skips; orjson does.
            if not raw.isascii():
                raw.decode()
            entry = _decode_entry(raw)
        except (msgspec.DecodeError, msgspec.ValidationError, UnicodeDecodeError):
            found = self._read_again(raw)
            if found is None:
                return
            entry = found
        else:
            self.parsed += 1
        # Both decoding paths go on here with one usable response line.
        message = entry.message
        model = message.model
        if entry.timestamp == self.last_time[0]:
            ts = self.last_time[1]
        else:
            ts = epoch_ms(entry.timestamp)
            self.last_time = (entry.timestamp, ts)
        if ts is None:
            self.skip(stamp_problem(entry.timestamp))
            return
        if model == SYNTHETIC:
            self._synthetic(raw, ts)
            return
        if not model:
            self.skip(INVALID)
            return
        usage = message.usage
        input_tokens = usage.input_tokens
        output_tokens = usage.output_tokens
        cache_read = usage.cache_read_input_tokens
        split = usage.cache_creation
        if split is not None:
            write_1h = split.ephemeral_1h_input_tokens
            write = split.ephemeral_5m_input_tokens + write_1h
        else:
            write_1h = 0
            write = usage.cache_creation_input_tokens
        if not (input_tokens or output_tokens or cache_read or write):
            return
        speed = usage.speed
        if speed == "fast":
            model = f"{model}{FAST_SUFFIX}"  # billed at its own rates: unpriced, named
        message_id = message.id
        request_id = entry.requestId
        if type(message_id) is str:
            key = (message_id, request_id if type(request_id) is str else "")
        else:
            key = (f"@{self.file_label}:{offset}", "")  # no id: never de-duplicated
        line = _new_line(
            Line,
            (
                key[0],
                key[1],
                offset,
                1 if entry.isSidechain else 0,
                0 if speed is msgspec.UNSET else 1,
                ts,
                model,
                self.scopes.setdefault(entry.cwd, entry.cwd) if entry.cwd else self.project,
                input_tokens,
                output_tokens,
                cache_read,
                write,
                write_1h,
                self._session(entry.sessionId),
            ),
        )
        held = self.lines.get(key)
        if held is None or better(line, held):
            self.lines[key] = line

    def _read_again(self, raw: bytes) -> _Entry | None:
        """A line the strict types refused, decoded in full: its ``_Entry`` when usable;
        None when it is skipped (counted) or is not a response line."""
        try:
            decoded = loads(raw)
        except ValueError:
            self.skip(NOT_JSON)
            return None
        self.parsed += 1
        found = _lenient(decoded)
        if isinstance(found, str):
            self.skip(found)
            return None
        return found

    def _synthetic(self, raw: bytes, ts: int) -> None:
        found = _LIMIT.search(raw)
        if found is None:
            return
        reset = int(found.group(1))
        # Claude's windows reset within a week of the message that names the reset.
        if not ts - RESET_SLACK_MS <= reset * 1000 <= ts + RESET_HORIZON_MS:
            self.skip(OUT_OF_RANGE)
            return
        self.event("limit_reset", ts, str(reset))


def claude_roots(settings: Settings) -> list[Path]:
    """``projects/`` of each CLAUDE_CONFIG_DIR entry, else of ~/.config/claude and ~/.claude."""
    if settings.claude_config_dir:
        candidates = split_roots(settings.claude_config_dir)
    else:
        config = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
        candidates = [Path(config) / "claude", Path.home() / ".claude"]
    roots: list[Path] = []
    for candidate in candidates:
        projects = candidate if candidate.name == "projects" else candidate / "projects"
        # ~/.config/claude is often a link to ~/.claude: read one folder once.
        if folder_present(projects) and projects.resolve() not in [r.resolve() for r in roots]:
            roots.append(projects)
    return roots


class ClaudeCodeSource(LocalLogSource):
    provider: ProviderName = "claude"
    tool = "Claude Code"
    setting = "CLAUDE_CONFIG_DIR"
    policy = "better"
    # Its parser needs only (path, state): a second process may parse (``ingest``, ``worker``).
    worker_parser = (__name__, "ClaudeCodeParser")

    def roots(self, settings: Settings) -> list[Path]:
        return claude_roots(settings)

    def make_parser(self, path: Path, state: dict[str, Any]) -> LogParser:
        return ClaudeCodeParser(str(path), state)

    def quotas(self, store: Store, now: datetime) -> list[Quota]:
        return block_quotas(store, now)
