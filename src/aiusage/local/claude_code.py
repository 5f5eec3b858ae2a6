"""Claude Code transcripts (``projects/**/*.jsonl``): API responses de-duplicated across files.

Claude Code writes one line per content block and repeats the response's full ``usage`` on
each; resumed sessions and subagent transcripts copy lines into other files. Every line is a
candidate under the key (``message.id``, ``requestId``); the store counts one per key across all
files (see ``ledger._RECOUNT`` for the sidechain-replay rule). ``<synthetic>`` lines are local
error messages with no usage; their "usage limit reached|<epoch>" text marks a reset time.
"""

from __future__ import annotations

import os
import re
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import orjson

from aiusage.local.blocks import block_quotas
from aiusage.local.files import split_roots
from aiusage.local.parsing import Line, LogParser, better, epoch_ms
from aiusage.local.source import LocalLogSource, folder_present
from aiusage.models import ProviderName, Quota

if TYPE_CHECKING:
    from aiusage.settings import Settings
    from aiusage.store import Store

USAGE_MARKER = b'"usage":{'
SYNTHETIC = "<synthetic>"
_LIMIT = re.compile(rb"usage limit reached\|(\d{9,11})")
_VERSION = re.compile(r"\d+\.\d+\.\d")


def project_folder(path: str) -> str:
    """The encoded working directory: the first folder under ``projects/``."""
    parts = Path(path).parts
    for index in range(len(parts) - 2, -1, -1):
        if parts[index] == "projects":
            return parts[index + 1]
    return ""


def _copy_key(raw: bytes, usage: int) -> tuple[bytes, bytes, bool] | None:
    """(request id, usage bytes up to output_tokens, sidechain), or None when not found nearby.

    Every search is bounded to a short window: lines can be megabytes of tool output.
    """
    output = raw.find(b'"output_tokens":', usage, usage + 1024) if usage >= 0 else -1
    close = raw.find(b"}", output, output + 256) if output >= 0 else -1
    if close < 0:
        return None
    # Claude Code writes requestId right after the message, whose last field is usage: the
    # bytes up to it hold the whole usage object. Other writers put it near the start.
    request = raw.find(b'"requestId":"', close, close + 256)
    usage_end = request
    if request < 0:
        request = raw.find(b'"requestId":"', 0, min(usage, 1024))
        usage_end = close
    request_end = raw.find(b'"', request + 13, request + 128) if request >= 0 else -1
    if request_end < 0:
        return None
    sidechain = raw.find(b'"isSidechain":true', 0, 512) >= 0
    return raw[request + 13 : request_end], raw[usage:usage_end], sidechain


def _tokens(value: object) -> int:
    return value if type(value) is int and value > 0 else 0


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


class ClaudeCodeParser(LogParser):
    policy = "better"
    markers = (USAGE_MARKER,)

    def __init__(self, file_label: str, state: dict[str, Any]) -> None:
        super().__init__(file_label, state)
        self.project = project_folder(file_label)
        self.copies: set[tuple[bytes, bytes, bool]] = set()

    def feed(self, offset: int, raw: bytes, hit: int) -> None:
        # Claude Code repeats a response's usage on one line per content block. A line whose
        # request id, sidechain flag and usage bytes equal those of a line already taken from
        # this file would make the same candidate (a tie keeps the first): skip its decoding.
        copy = _copy_key(raw, hit)
        if copy is not None and copy in self.copies:
            return
        try:
            entry = orjson.loads(raw)
        except orjson.JSONDecodeError:
            self.bad_lines += 1
            return
        self.parsed += 1
        message = entry.get("message") if type(entry) is dict else None
        usage = message.get("usage") if type(message) is dict else None
        if type(usage) is not dict or type(message) is not dict:
            return  # "usage":{ inside some other object: not a response line
        ts = epoch_ms(entry.get("timestamp"))
        model = message.get("model")
        if model == SYNTHETIC:
            self._synthetic(raw, ts)
            return
        input_tokens = usage.get("input_tokens")
        output_tokens = usage.get("output_tokens")
        if (
            ts is None
            or type(input_tokens) is not int
            or type(output_tokens) is not int
            or type(model) is not str
            or not model
            or _unusable(entry, message, usage)
        ):
            self.bad_lines += 1
            return
        cache_read = _tokens(usage.get("cache_read_input_tokens"))
        split = usage.get("cache_creation")
        if type(split) is dict:
            # The split replaces the flat number when present (ccusage, Anthropic's API).
            write_1h = _tokens(split.get("ephemeral_1h_input_tokens"))
            write = _tokens(split.get("ephemeral_5m_input_tokens")) + write_1h
        else:
            write_1h = 0
            write = _tokens(usage.get("cache_creation_input_tokens"))
        if not (input_tokens or output_tokens or cache_read or write):
            return
        speed = usage.get("speed")
        if speed == "fast":
            model = f"{model}-fast"  # priced separately; unknown to genai-prices -> named
        message_id = message.get("id")
        request_id = entry.get("requestId")
        if type(message_id) is str:
            key = (message_id, request_id if type(request_id) is str else "")
        else:
            key = (f"@{self.file_label}:{offset}", "")  # no id: never de-duplicated
        cwd = entry.get("cwd")
        line = Line(
            key[0],
            key[1],
            offset,
            1 if entry.get("isSidechain") is True else 0,
            1 if type(speed) is str else 0,
            ts,
            model,
            cwd if type(cwd) is str and cwd else self.project,
            max(input_tokens, 0),
            max(output_tokens, 0),
            cache_read,
            write,
            write_1h,
        )
        held = self.lines.get(key)
        if held is None or better(line, held):
            self.lines[key] = line
        if copy is not None:
            self.copies.add(copy)

    def _synthetic(self, raw: bytes, ts: int | None) -> None:
        found = _LIMIT.search(raw)
        if found and ts is not None:
            self.event("limit_reset", ts, found.group(1).decode())


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

    def roots(self, settings: Settings) -> list[Path]:
        return claude_roots(settings)

    def make_parser(self, path: Path, state: dict[str, Any]) -> LogParser:
        return ClaudeCodeParser(str(path), state)

    def quotas(self, store: Store, now: datetime) -> list[Quota]:
        return block_quotas(store, now)
