"""Gemini CLI sessions (``~/.gemini/tmp/<project>/chats/``), JSONL and the older JSON format.

The JSONL file is append-only and re-appends a message each time it changes (first without
``tokens``, later with them), so the last copy of each message id that has tokens counts; copies
inside ``$set.messages`` checkpoints are read too, and a resumed old ``.json`` session shares its
keys (session id, message id) with the new ``.jsonl``, so it counts once. The older ``.json`` file
is one document rewritten on every change: it is read whole again whenever it changes. Google's
``input`` includes ``cached``; ``tool`` is extra input; ``thoughts`` are output.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import TYPE_CHECKING, Any

import orjson

from aiusage.models import ProviderName
from aiusage.sources.logs.ingest import IngestStats
from aiusage.sources.logs.lines import (
    INVALID,
    MAX_REQUEST_TOKENS,
    OUT_OF_RANGE,
    Line,
    LogParser,
    OutOfRange,
    count,
    epoch_ms,
    stamp_problem,
)
from aiusage.sources.logs.source import LocalLogSource, folder_present

if TYPE_CHECKING:
    from aiusage.settings import Settings
    from aiusage.store import Store

_NAMES = {
    "input": ("input", "prompt", "input_tokens", "prompt_tokens"),
    "output": ("output", "candidates", "output_tokens", "candidates_tokens"),
    "cached": ("cached", "cached_tokens"),
    "thoughts": ("thoughts", "reasoning", "thoughts_tokens", "reasoning_tokens"),
    "tool": ("tool", "tool_tokens"),
    "total": ("total", "total_tokens"),
}


def _pick(tokens: dict[str, Any], field: str) -> int:
    """Raises OutOfRange for a count no request holds (``total`` may hold two such counts)."""
    for name in _NAMES[field]:
        value = count(tokens.get(name), (4 if field == "total" else 1) * MAX_REQUEST_TOKENS)
        if value is not None:
            return value
    return 0


class GeminiParser(LogParser):
    """The JSONL format (v0.39+): metadata, message records, ``$set`` and ``$rewindTo`` lines.

    Not usage: user and info messages, a model's message before its tokens are written (it is
    appended again with them), ``$rewindTo`` lines. Malformed lines and messages are counted.
    """

    policy = "last"
    markers = (b'"tokens"', b'"sessionId"', b'"model"')

    def __init__(self, file_label: str, state: dict[str, Any], scope: str) -> None:
        super().__init__(file_label, state)
        self.scope = scope
        self.state.setdefault("session", Path(file_label).stem)

    def feed(self, offset: int, raw: bytes, hit: int) -> None:
        record = self.json_object(raw)
        if record is None:
            return
        if isinstance(record.get("sessionId"), str) and "type" not in record:
            self.state["session"] = record["sessionId"]
        update = record.get("$set")
        if isinstance(update, dict) and isinstance(update.get("messages"), list):
            for message in update["messages"]:
                self.message(message, offset)
        elif "id" in record and "type" in record:
            self.message(record, offset)

    def feed_document(self, raw: bytes) -> None:
        """The older JSON format: one object with ``sessionId`` and ``messages[]``."""
        document = self.json_object(raw)
        if document is None:
            return
        if not isinstance(document.get("messages"), list):
            self.skip(INVALID)
            return
        if isinstance(document.get("sessionId"), str):
            self.state["session"] = document["sessionId"]
        for index, message in enumerate(document["messages"]):
            self.message(message, index)

    def message(self, message: object, seq: int) -> None:
        if not isinstance(message, dict) or message.get("type") != "gemini":
            return
        model = message.get("model")
        if isinstance(model, str) and model:
            self.state["model"] = model  # carried forward to records that lack it
        tokens = message.get("tokens")
        if not isinstance(tokens, dict):
            return  # written again later with its tokens
        stamp = message.get("timestamp")
        ts = epoch_ms(stamp)
        message_id = message.get("id")
        if ts is None or not isinstance(message_id, str):
            self.skip(INVALID if ts is not None else stamp_problem(stamp))
            return
        try:
            prompt, cached = _pick(tokens, "input"), _pick(tokens, "cached")
            output, thoughts = _pick(tokens, "output"), _pick(tokens, "thoughts")
            tool, total = _pick(tokens, "tool"), _pick(tokens, "total")
        except OutOfRange:
            self.skip(OUT_OF_RANGE)
            return
        # Google's prompt count includes cached content; a total that adds cached on top of the
        # prompt says this writer kept them apart (ccusage's check).
        apart = cached > 0 and total == prompt + cached + output + thoughts + tool
        cached_in_prompt = 0 if apart else min(cached, prompt)
        self.add(
            Line(
                msg_key=f"{self.state['session']}|{message_id}",
                req_key="",
                seq=seq,
                sidechain=0,
                has_speed=0,
                ts=ts,
                model=str(self.state.get("model", "")),
                scope=self.scope,
                input_tokens=prompt - cached_in_prompt + tool,
                output_tokens=output + thoughts,
                cache_read_tokens=cached,
                cache_write_tokens=0,
                cache_write_1h_tokens=0,
                session=str(self.state["session"]),
            )
        )


def gemini_tmp() -> Path:
    return Path.home() / ".gemini" / "tmp"


def project_paths(gemini: Path) -> dict[str, str]:
    """Project folder name -> project path, from ``projects.json`` (slugs) and SHA-256 (older)."""
    try:
        document = orjson.loads((gemini / "projects.json").read_bytes())
    except (OSError, orjson.JSONDecodeError):
        return {}
    projects = document.get("projects") if isinstance(document, dict) else None
    names: dict[str, str] = {}
    if isinstance(projects, dict):
        for path, slug in projects.items():
            if isinstance(path, str) and isinstance(slug, str):
                names[slug] = path
                names[hashlib.sha256(path.encode()).hexdigest()] = path
    return names


class GeminiCliSource(LocalLogSource):
    provider: ProviderName = "gemini"
    tool = "Gemini CLI"
    setting = "HOME"
    policy = "last"
    suffixes = (".jsonl", ".json")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.projects: dict[str, str] = {}

    def roots(self, settings: Settings) -> list[Path]:
        tmp = gemini_tmp()
        return [tmp] if folder_present(tmp) else []

    def select(self, files: list[Path], settings: Settings) -> list[Path]:
        tmp = gemini_tmp()
        return [
            path
            for path in files
            if len(path.relative_to(tmp).parts) > 2 and path.relative_to(tmp).parts[1] == "chats"
        ]

    def is_document(self, path: Path) -> bool:
        return path.suffix == ".json"

    def make_parser(self, path: Path, state: dict[str, Any]) -> LogParser:
        folder = path.relative_to(gemini_tmp()).parts[0]
        return GeminiParser(str(path), state, self.projects.get(folder, folder))

    def ingest(self, settings: Settings, store: Store) -> IngestStats:
        self.projects = project_paths(gemini_tmp().parent)
        return super().ingest(settings, store)
