"""Write realistic Claude Code and Codex CLI log trees of a given size, with their true totals.

The trees carry every trap of the real logs (``shared/reference/local-logs.md``,
``openai.md`` section 5a): several projects and models; one Claude Code line per content block,
each repeating the response's usage (early blocks sometimes with a partial ``output_tokens``);
resumed sessions that copy earlier lines into a new file; subagent transcripts with sidechain
replays of their parent's lines (same ``message.id``, another ``requestId``); ``<synthetic>``
error lines; Codex ``token_count`` events with ``info: null`` and re-emitted duplicates; and a
few malformed or truncated lines. ``manifest.json`` holds the totals a correct reader finds.

    python benchmarks/gen_logs.py create benchmarks/out/tree-100 --claude-mb 100 --codex-mb 10
    python benchmarks/gen_logs.py append benchmarks/out/tree-100 --mb 1

Claude Code files go to ``<tree>/claude/projects/``, Codex rollouts to
``<tree>/codex/sessions/YYYY/MM/DD/``: point ``CLAUDE_CONFIG_DIR`` and ``CODEX_HOME`` there.
"""

from __future__ import annotations

import argparse
import json
import random
import string
import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

try:
    import orjson

    def dumps(value: Any) -> bytes:
        return orjson.dumps(value)

except ImportError:  # the generator also runs on a bare interpreter, only slower

    def dumps(value: Any) -> bytes:
        return json.dumps(value, separators=(",", ":")).encode()


MB = 1 << 20
TOKEN_FIELDS = ("input_tokens", "output_tokens", "cache_read_tokens", "cache_write_tokens")
PROJECTS = (
    "/home/dev/code/api",
    "/home/dev/code/web-frontend",
    "/home/dev/code/data-pipeline",
    "/home/dev/code/infra",
    "/home/dev/code/mobile-app",
    "/home/dev/notes",
    "/home/dev/code/aiusage",
    "/home/dev/scratch",
)
CLAUDE_MODELS = (
    ("claude-sonnet-4-5-20250929", 0.55),
    ("claude-opus-4-5-20251101", 0.2),
    ("claude-haiku-4-5-20251001", 0.15),
    ("claude-opus-4-1-20250805", 0.05),
    ("claude-sonnet-4-20250514", 0.05),
)
CODEX_MODELS = (("gpt-5-codex", 0.6), ("gpt-5", 0.25), ("gpt-5.1-codex", 0.15))
WORDS = (
    "the function returns a list of records and the test checks each field against the fixture "
    "while the parser reads one line at a time from the file so memory stays bounded import os "
    "def class return async await self value error result config path store query period token "
    "cache read write input output model project session request message usage cost price"
).split()
B62 = string.ascii_letters + string.digits


def _filler(rng: random.Random, size: int = 2 * MB) -> str:
    words: list[str] = []
    total = 0
    while total < size:
        word = rng.choice(WORDS)
        words.append(word)
        total += len(word) + 1
    return " ".join(words)


def iso(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def encode_cwd(cwd: str) -> str:
    return cwd.replace("/", "-")


@dataclass
class Totals:
    """True de-duplicated token totals, overall and per UTC day, in aiusage's disjoint fields."""

    days: dict[str, dict[str, int]] = field(
        default_factory=lambda: defaultdict(lambda: dict.fromkeys(TOKEN_FIELDS, 0))
    )
    responses: int = 0

    def add(self, day: str, tokens: dict[str, int]) -> None:
        self.responses += 1
        bucket = self.days[day]
        for name in TOKEN_FIELDS:
            bucket[name] += tokens[name]

    def as_json(self) -> dict[str, Any]:
        total = dict.fromkeys(TOKEN_FIELDS, 0)
        for bucket in self.days.values():
            for name in TOKEN_FIELDS:
                total[name] += bucket[name]
        return {
            "responses": self.responses,
            "total": total,
            "days": {day: dict(self.days[day]) for day in sorted(self.days)},
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Totals:
        totals = cls(responses=data["responses"])
        for day, bucket in data["days"].items():
            totals.days[day] = dict(bucket)
        return totals


@dataclass
class Counters:
    bytes: int = 0
    lines: int = 0
    files: int = 0
    malformed: int = 0
    synthetic: int = 0
    duplicate_lines: int = 0  # lines whose usage a correct reader must not count again


class Writer:
    """Shared state of one generation run: randomness, filler text, counters, true totals."""

    def __init__(self, seed: int, start: datetime, end: datetime, text_scale: float = 1.0) -> None:
        self.rng = random.Random(seed)
        self.text_scale = text_scale  # multiplies the length of every text block
        self.text = _filler(self.rng)
        self.start = start
        self.end = end
        self.claude = Counters()
        self.codex = Counters()
        self.claude_truth = Totals()
        self.codex_truth = Totals()

    def chunk(self, median: int, cap: int = 200_000) -> str:
        size = min(int(self.rng.lognormvariate(0, 1) * median * self.text_scale), cap)
        at = self.rng.randrange(0, len(self.text) - size - 1)
        return self.text[at : at + size]

    def ident(self, prefix: str, length: int) -> str:
        return prefix + "".join(self.rng.choices(B62, k=length))

    def uuid(self) -> str:
        return str(uuid.UUID(int=self.rng.getrandbits(128), version=4))

    def moment(self) -> datetime:
        span = (self.end - self.start).total_seconds()
        moment = self.start + timedelta(seconds=self.rng.uniform(0, span - 4 * 3600))
        return moment

    def pick(self, weighted: tuple[tuple[str, float], ...]) -> str:
        names = [name for name, _ in weighted]
        weights = [weight for _, weight in weighted]
        return self.rng.choices(names, weights=weights)[0]


# --- Claude Code ------------------------------------------------------------------------------


@dataclass
class Response:
    """One API response: the lines Claude Code writes for it and the usage it really had."""

    lines: list[bytes]
    message_id: str
    moment: datetime


def _claude_usage(w: Writer, model: str) -> dict[str, Any]:
    rng = w.rng
    fresh = rng.random() < 0.15
    write = rng.randint(2_000, 40_000) if fresh else rng.choice((0, 0, rng.randint(50, 3_000)))
    one_hour = write if rng.random() < 0.3 else 0
    usage: dict[str, Any] = {
        "input_tokens": rng.choice((3, 4, 6, 8, rng.randint(1, 2_000))),
        "cache_creation_input_tokens": write,
        "cache_read_input_tokens": 0 if fresh else rng.randint(8_000, 180_000),
        "output_tokens": rng.randint(1, 1_500) if "haiku" in model else rng.randint(1, 4_000),
        "service_tier": "standard",
    }
    if rng.random() < 0.8:  # newer Claude Code versions write the split
        usage["cache_creation"] = {
            "ephemeral_5m_input_tokens": write - one_hour,
            "ephemeral_1h_input_tokens": one_hour,
        }
    return usage


def _day(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%d")


def _claude_response(
    w: Writer, base: dict[str, Any], model: str, moment: datetime, sidechain: bool
) -> Response:
    rng = w.rng
    usage = _claude_usage(w, model)
    message_id = w.ident("msg_01", 22)
    request_id = w.ident("req_011C", 20)
    blocks = rng.choices((1, 2, 3, 4), weights=(3, 4, 2, 1))[0]
    kinds = ["thinking", "text", "tool_use", "tool_use"][:blocks]
    partial = rng.random() < 0.3  # old streaming: early blocks carry a partial output count
    lines: list[bytes] = []
    parent = base["uuid"]
    for index, kind in enumerate(kinds):
        last = index == blocks - 1
        block_usage = dict(usage)
        if partial and not last:
            block_usage["output_tokens"] = rng.randint(1, min(12, usage["output_tokens"]))
        content: dict[str, Any]
        if kind == "thinking":
            content = {"type": "thinking", "thinking": w.chunk(600), "signature": w.chunk(200)}
        elif kind == "text":
            content = {"type": "text", "text": w.chunk(500)}
        else:
            content = {
                "type": "tool_use",
                "id": w.ident("toolu_01", 22),
                "name": rng.choice(("Read", "Edit", "Bash", "Grep")),
                "input": {"command": w.chunk(120)},
            }
        line_uuid = w.uuid()
        entry = {
            "parentUuid": parent,
            "isSidechain": sidechain,
            "userType": "external",
            "cwd": base["cwd"],
            "sessionId": base["sessionId"],
            "version": base["version"],
            "gitBranch": "main",
            "type": "assistant",
            "uuid": line_uuid,
            "timestamp": iso(moment + timedelta(milliseconds=40 * index)),
            "requestId": request_id,
            "message": {
                "id": message_id,
                "type": "message",
                "role": "assistant",
                "model": model,
                "content": [content],
                "stop_reason": "tool_use" if last and kind == "tool_use" else None,
                "usage": block_usage,
            },
        }
        parent = line_uuid
        lines.append(dumps(entry))
    base["uuid"] = parent
    w.claude.duplicate_lines += blocks - 1
    write = usage["cache_creation_input_tokens"]
    w.claude_truth.add(
        _day(moment),
        {
            "input_tokens": usage["input_tokens"],
            "output_tokens": usage["output_tokens"],
            "cache_read_tokens": usage["cache_read_input_tokens"],
            "cache_write_tokens": write,
        },
    )
    return Response(lines, message_id, moment)


def _user_line(w: Writer, base: dict[str, Any], moment: datetime, sidechain: bool) -> bytes:
    line_uuid = w.uuid()
    if w.rng.random() < 0.6:
        content: Any = [
            {
                "type": "tool_result",
                "tool_use_id": w.ident("toolu_01", 22),
                "content": w.chunk(3_000),
            }
        ]
    else:
        content = w.chunk(300)
    entry = {
        "parentUuid": base["uuid"],
        "isSidechain": sidechain,
        "userType": "external",
        "cwd": base["cwd"],
        "sessionId": base["sessionId"],
        "version": base["version"],
        "gitBranch": "main",
        "type": "user",
        "message": {"role": "user", "content": content},
        "uuid": line_uuid,
        "timestamp": iso(moment),
    }
    base["uuid"] = line_uuid
    return dumps(entry)


def _synthetic_line(w: Writer, base: dict[str, Any], moment: datetime) -> bytes:
    if w.rng.random() < 0.5:
        reset = int((moment + timedelta(hours=w.rng.randint(1, 5))).timestamp())
        text = f"Claude AI usage limit reached|{reset}"
    else:
        text = "API Error: 529 Overloaded. Try again in a moment."
    entry = {
        "parentUuid": base["uuid"],
        "isSidechain": False,
        "userType": "external",
        "cwd": base["cwd"],
        "sessionId": base["sessionId"],
        "version": base["version"],
        "gitBranch": "main",
        "type": "assistant",
        "uuid": w.uuid(),
        "timestamp": iso(moment),
        "message": {
            "id": w.uuid(),
            "type": "message",
            "role": "assistant",
            "model": "<synthetic>",
            "content": [{"type": "text", "text": text}],
            "stop_reason": "stop_sequence",
            "usage": {
                "input_tokens": 0,
                "output_tokens": 0,
                "cache_creation_input_tokens": 0,
                "cache_read_input_tokens": 0,
            },
        },
        "isApiErrorMessage": True,
    }
    w.claude.synthetic += 1
    return dumps(entry)


def _malformed(w: Writer, sample: bytes) -> bytes:
    w.claude.malformed += 1
    if w.rng.random() < 0.5:
        # A line cut off mid-write (in its usage), then more lines after it.
        return sample[: sample.index(b'"usage":{') + 20]
    return b'{"type":"assistant","message":{"usage":{"input_tokens": oops'


class ClaudeTree:
    """Claude Code's ``projects/`` tree: sessions, resumed copies, subagent transcripts."""

    def __init__(self, w: Writer, root: Path, session_kb: int = 400) -> None:
        self.w = w
        self.projects = root / "claude" / "projects"
        self.session_bytes = session_kb * 1000
        self.last_session: dict[str, list[bytes]] = {}
        self.special: set[int] = set()  # ids of malformed and synthetic lines: never copied

    def write(self, path: Path, lines: list[bytes], mode: str = "wb") -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        payload = b"\n".join(lines) + b"\n"
        with path.open(mode) as handle:
            handle.write(payload)
        self.w.claude.bytes += len(payload)
        self.w.claude.lines += len(lines)

    def session(self, budget: int) -> None:
        w = self.w
        rng = w.rng
        cwd = rng.choice(PROJECTS)
        folder = self.projects / encode_cwd(cwd)
        session_id = w.uuid()
        base = {"cwd": cwd, "sessionId": session_id, "version": "2.0.28", "uuid": None}
        model = w.pick(CLAUDE_MODELS)
        moment = w.moment()
        lines: list[bytes] = []
        previous = self.last_session.get(cwd)
        if previous and rng.random() < 0.25:
            # A resumed session starts with a copy of the earlier session's lines.
            copied = [
                line
                for line in previous[: rng.randint(1, len(previous))]
                if id(line) not in self.special
            ]
            lines.extend(copied)
            w.claude.duplicate_lines += sum(1 for line in copied if b'"usage":{' in line)
        responses: list[Response] = []
        size = sum(len(line) for line in lines)
        while size < budget:
            first = len(lines)
            moment += timedelta(seconds=rng.randint(5, 120))
            lines.append(_user_line(w, base, moment, False))
            use = "claude-haiku-4-5-20251001" if rng.random() < 0.1 else model
            response = _claude_response(w, base, use, moment + timedelta(seconds=2), False)
            responses.append(response)
            lines.extend(response.lines)
            if rng.random() < 0.01:
                lines.append(_synthetic_line(w, base, moment + timedelta(seconds=3)))
                self.special.add(id(lines[-1]))
            if rng.random() < 0.004:
                lines.append(_malformed(w, response.lines[-1]))
                self.special.add(id(lines[-1]))
            if rng.random() < 0.02:
                lines.append(
                    dumps({"type": "summary", "summary": w.chunk(60), "leafUuid": w.uuid()})
                )
            size += sum(len(line) + 1 for line in lines[first:])
        self.write(folder / f"{session_id}.jsonl", lines)
        self.last_session[cwd] = lines
        if responses and rng.random() < 0.3:
            self.subagent(folder / session_id / "subagents", base, responses)

    def subagent(self, folder: Path, parent: dict[str, Any], replay: list[Response]) -> None:
        w = self.w
        rng = w.rng
        base = dict(parent, uuid=None)
        lines: list[bytes] = []
        # Sidechain replays: the parent's lines again, with another requestId.
        for response in replay[: rng.randint(1, min(3, len(replay)))]:
            for line in response.lines:
                entry = json.loads(line)
                entry["isSidechain"] = True
                entry["requestId"] = w.ident("req_011C", 20)
                lines.append(dumps(entry))
                w.claude.duplicate_lines += 1
        model = "claude-haiku-4-5-20251001" if rng.random() < 0.5 else "claude-sonnet-4-5-20250929"
        moment = replay[-1].moment if replay else w.moment()
        for _ in range(rng.randint(2, 25)):
            moment += timedelta(seconds=rng.randint(2, 30))
            lines.append(_user_line(w, base, moment, True))
            lines.extend(_claude_response(w, base, model, moment, True).lines)
        self.write(folder / f"agent-{w.ident('', 8).lower()}.jsonl", lines)
        self.w.claude.files += 1

    def fill(self, target: int) -> None:
        while self.w.claude.bytes < target:
            budget = int(self.w.rng.lognormvariate(0, 0.8) * self.session_bytes)
            self.session(min(budget, target - self.w.claude.bytes + 1))
            self.w.claude.files += 1

    def append(self, target: int) -> None:
        """Add new responses at the end of a few existing sessions (what a day of work does)."""
        w = self.w
        files = sorted(p for p in self.projects.rglob("*.jsonl") if "subagents" not in p.parts)
        chosen = w.rng.sample(files, min(5, len(files)))
        share = target // len(chosen)
        for path in chosen:
            cwd = next(p for p in PROJECTS if encode_cwd(p) == path.parent.name)
            base = {"cwd": cwd, "sessionId": path.stem, "version": "2.0.28", "uuid": None}
            lines: list[bytes] = []
            size = 0
            moment = w.end - timedelta(hours=3)
            while size < share:
                moment += timedelta(seconds=w.rng.randint(1, 3))
                lines.append(_user_line(w, base, moment, False))
                response = _claude_response(w, base, "claude-sonnet-4-5-20250929", moment, False)
                lines.extend(response.lines)
                size += sum(len(line) for line in lines[-1 - len(response.lines) :])
            self.write(path, lines, mode="ab")


# --- Codex CLI ----------------------------------------------------------------------------------


class CodexTree:
    """Codex CLI rollouts under ``sessions/YYYY/MM/DD/``."""

    def __init__(self, w: Writer, root: Path) -> None:
        self.w = w
        self.sessions = root / "codex" / "sessions"

    def rollout(self, budget: int) -> None:
        w = self.w
        rng = w.rng
        moment = w.moment()
        session_id = w.uuid()
        cwd = rng.choice(PROJECTS)
        name = f"rollout-{moment.strftime('%Y-%m-%dT%H-%M-%S')}-{session_id}.jsonl"
        path = self.sessions / moment.strftime("%Y/%m/%d") / name
        lines = [
            dumps(
                {
                    "timestamp": iso(moment),
                    "type": "session_meta",
                    "payload": {
                        "id": session_id,
                        "timestamp": iso(moment),
                        "cwd": cwd,
                        "originator": "codex_cli_rs",
                        "cli_version": "0.63.0",
                        "instructions": None,
                        "source": "cli",
                        "model_provider": "openai",
                    },
                }
            )
        ]
        totals = {
            "input_tokens": 0,
            "cached_input_tokens": 0,
            "output_tokens": 0,
            "reasoning_output_tokens": 0,
            "total_tokens": 0,
        }
        size = len(lines[0])
        model = w.pick(CODEX_MODELS)
        while size < budget:
            start = len(lines)
            moment += timedelta(seconds=rng.randint(5, 90))
            stamp = iso(moment)
            lines.append(
                dumps(
                    {
                        "timestamp": stamp,
                        "type": "turn_context",
                        "payload": {
                            "cwd": cwd,
                            "approval_policy": "on-request",
                            "sandbox_policy": {"mode": "workspace-write"},
                            "model": model,
                            "effort": "medium",
                            "summary": "auto",
                        },
                    }
                )
            )
            lines.append(
                dumps(
                    {
                        "timestamp": stamp,
                        "type": "response_item",
                        "payload": {
                            "type": "message",
                            "role": "user",
                            "content": [{"type": "input_text", "text": w.chunk(2_000)}],
                        },
                    }
                )
            )
            lines.append(self._rate_limits(stamp, None))
            for _ in range(rng.randint(1, 4)):
                moment += timedelta(seconds=rng.randint(2, 40))
                stamp = iso(moment)
                lines.append(
                    dumps(
                        {
                            "timestamp": stamp,
                            "type": "response_item",
                            "payload": {
                                "type": "reasoning",
                                "summary": [],
                                "encrypted_content": w.chunk(1_500),
                            },
                        }
                    )
                )
                cached = rng.randint(0, 60_000)
                last = {
                    "input_tokens": cached + rng.randint(100, 8_000),
                    "cached_input_tokens": cached,
                    "output_tokens": 0,
                    "reasoning_output_tokens": rng.randint(0, 800),
                    "total_tokens": 0,
                }
                last["output_tokens"] = last["reasoning_output_tokens"] + rng.randint(5, 2_000)
                last["total_tokens"] = last["input_tokens"] + last["output_tokens"]
                for key in totals:
                    totals[key] += last[key]
                info = {
                    "total_token_usage": dict(totals),
                    "last_token_usage": last,
                    "model_context_window": 272_000,
                }
                lines.append(self._rate_limits(stamp, info))
                if rng.random() < 0.1:  # Codex re-emits an identical event: count it once
                    lines.append(self._rate_limits(iso(moment + timedelta(seconds=1)), info))
                    w.codex.duplicate_lines += 1
                w.codex_truth.add(
                    _day(moment),
                    {
                        "input_tokens": last["input_tokens"] - cached,
                        "output_tokens": last["output_tokens"],
                        "cache_read_tokens": cached,
                        "cache_write_tokens": 0,
                    },
                )
            if rng.random() < 0.01:
                w.codex.malformed += 1
                lines.append(lines[-1][: len(lines[-1]) // 2])
            size += sum(len(line) for line in lines[start:])
        path.parent.mkdir(parents=True, exist_ok=True)
        payload = b"\n".join(lines) + b"\n"
        path.write_bytes(payload)
        w.codex.bytes += len(payload)
        w.codex.lines += len(lines)
        w.codex.files += 1

    def _rate_limits(self, stamp: str, info: dict[str, Any] | None) -> bytes:
        at = int(datetime.fromisoformat(stamp.replace("Z", "+00:00")).timestamp())
        return dumps(
            {
                "timestamp": stamp,
                "type": "event_msg",
                "payload": {
                    "type": "token_count",
                    "info": info,
                    "rate_limits": {
                        "primary": {
                            "used_percent": 7.0,
                            "window_minutes": 300,
                            "resets_at": at + 3 * 3600,
                        },
                        "secondary": {
                            "used_percent": 40.0,
                            "window_minutes": 10080,
                            "resets_at": at + 4 * 86400,
                        },
                    },
                },
            }
        )

    def fill(self, target: int) -> None:
        while self.w.codex.bytes < target:
            budget = int(self.w.rng.lognormvariate(0, 0.8) * 200_000)
            self.rollout(min(budget, target - self.w.codex.bytes + 1))


# --- manifest and command line ------------------------------------------------------------------


def _counters(counters: Counters, truth: Totals) -> dict[str, Any]:
    return {
        "bytes": counters.bytes,
        "lines": counters.lines,
        "files": counters.files,
        "malformed_lines": counters.malformed,
        "synthetic_lines": counters.synthetic,
        "duplicate_lines": counters.duplicate_lines,
        "truth": truth.as_json(),
    }


def create(
    tree: Path,
    claude_mb: float,
    codex_mb: float,
    days: int,
    seed: int,
    session_kb: int = 400,
    text_scale: float = 1.0,
) -> dict[str, Any]:
    """Write a new tree and return its manifest (also saved as ``manifest.json``).

    ``session_kb`` is the median size of a Claude Code session and ``text_scale`` multiplies the
    length of text blocks: small sessions of short lines make many files (and several ingestion
    batches) out of few megabytes.
    """
    end = datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    start = end - timedelta(days=days)
    w = Writer(seed, start, end, text_scale)
    if claude_mb:
        ClaudeTree(w, tree, session_kb).fill(int(claude_mb * MB))
    if codex_mb:
        CodexTree(w, tree).fill(int(codex_mb * MB))
    manifest = {
        "seed": seed,
        "since": start.isoformat().replace("+00:00", "Z"),
        "until": end.isoformat().replace("+00:00", "Z"),
        "claude": _counters(w.claude, w.claude_truth),
        "codex": _counters(w.codex, w.codex_truth),
        "appends": 0,
    }
    (tree / "manifest.json").write_text(json.dumps(manifest, indent=1))
    return manifest


def append(tree: Path, mb: float) -> dict[str, Any]:
    """Append about ``mb`` megabytes of new Claude Code responses; update the manifest."""
    path = tree / "manifest.json"
    manifest: dict[str, Any] = json.loads(path.read_text())
    start = datetime.fromisoformat(manifest["since"])
    end = datetime.fromisoformat(manifest["until"])
    w = Writer(manifest["seed"] * 1000 + manifest["appends"] + 1, start, end)
    w.claude_truth = Totals.from_json(manifest["claude"]["truth"])
    ClaudeTree(w, tree).append(int(mb * MB))
    claude = manifest["claude"]
    claude["bytes"] += w.claude.bytes
    claude["lines"] += w.claude.lines
    claude["duplicate_lines"] += w.claude.duplicate_lines
    claude["truth"] = w.claude_truth.as_json()
    manifest["appends"] += 1
    manifest["last_append_bytes"] = w.claude.bytes
    path.write_text(json.dumps(manifest, indent=1))
    return manifest


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    make = commands.add_parser("create", help="write a new tree")
    make.add_argument("tree", type=Path)
    make.add_argument("--claude-mb", type=float, default=100.0)
    make.add_argument("--codex-mb", type=float, default=0.0)
    make.add_argument("--days", type=int, default=90, help="the logs span this many UTC days")
    make.add_argument("--seed", type=int, default=1)
    make.add_argument(
        "--session-kb", type=int, default=400, help="median size of a Claude Code session"
    )
    make.add_argument(
        "--text-scale", type=float, default=1.0, help="multiplies the length of text blocks"
    )
    grow = commands.add_parser("append", help="append new lines to an existing tree")
    grow.add_argument("tree", type=Path)
    grow.add_argument("--mb", type=float, default=1.0)
    args = parser.parse_args(argv)
    if args.command == "create":
        if args.tree.exists() and any(args.tree.iterdir()):
            parser.error(f"{args.tree} is not empty; remove it or pick another folder")
        args.tree.mkdir(parents=True, exist_ok=True)
        manifest = create(
            args.tree,
            args.claude_mb,
            args.codex_mb,
            args.days,
            args.seed,
            args.session_kb,
            args.text_scale,
        )
    else:
        manifest = append(args.tree, args.mb)
    for tool in ("claude", "codex"):
        part = manifest[tool]
        print(
            f"{tool}: {part['bytes'] / MB:.1f} MB, {part['files']} files, {part['lines']} lines, "
            f"{part['truth']['responses']} responses, {part['malformed_lines']} malformed"
        )


if __name__ == "__main__":
    main()
