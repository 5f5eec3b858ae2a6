"""Writers of small log trees shaped like the real ones (../shared/reference/local-logs.md)."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from aiusage.models import Period, UsageQuery, UsageRecord

SONNET = "claude-sonnet-4-5-20250929"
OPUS = "claude-opus-4-1-20250805"


def dump(record: dict[str, Any]) -> str:
    return json.dumps(record, separators=(",", ":"))


def write_lines(path: Path, records: Sequence[dict[str, Any] | str], mode: str = "w") -> int:
    """Write JSONL (a str is written as is: a malformed line); return the bytes written."""
    path.parent.mkdir(parents=True, exist_ok=True)
    text = "".join((r if isinstance(r, str) else dump(r)) + "\n" for r in records)
    with path.open(mode, encoding="utf-8") as handle:
        handle.write(text)
    return len(text.encode())


def append_raw(path: Path, text: str) -> int:
    with path.open("a", encoding="utf-8") as handle:
        handle.write(text)
    return len(text.encode())


# --- Claude Code -------------------------------------------------------------------------------


def claude_usage(
    input_tokens: int = 0,
    output_tokens: int = 0,
    cache_read: int = 0,
    cache_write: int | None = None,
    split: tuple[int, int] | None = None,
    speed: str | None = None,
) -> dict[str, Any]:
    """A ``message.usage``: flat ``cache_creation_input_tokens`` and/or the 5m/1h split."""
    usage: dict[str, Any] = {"input_tokens": input_tokens}
    if cache_write is not None:
        usage["cache_creation_input_tokens"] = cache_write
    usage["cache_read_input_tokens"] = cache_read
    if split is not None:
        usage["cache_creation"] = {
            "ephemeral_5m_input_tokens": split[0],
            "ephemeral_1h_input_tokens": split[1],
        }
    usage["output_tokens"] = output_tokens
    usage["service_tier"] = "standard"
    if speed is not None:
        usage["speed"] = speed
    return usage


def assistant(
    message_id: str | None,
    request_id: str | None,
    usage: dict[str, Any],
    *,
    timestamp: str = "2025-10-01T12:34:56.789Z",
    model: str = SONNET,
    sidechain: bool = False,
    cwd: str = "/home/dev/code/api",
    session: str = "5f0c7a52-0a8c-4b7e-9e0b-1d2f3a4b5c6d",
    text: str = "Done.",
) -> dict[str, Any]:
    line: dict[str, Any] = {
        "parentUuid": "0b9f7d3e-1111-4a2b-8c3d-000000000001",
        "isSidechain": sidechain,
        "userType": "external",
        "cwd": cwd,
        "sessionId": session,
        "version": "2.0.28",
        "gitBranch": "main",
        "type": "assistant",
        "uuid": "0b9f7d3e-1111-4a2b-8c3d-000000000002",
        "timestamp": timestamp,
    }
    if request_id is not None:
        line["requestId"] = request_id
    message: dict[str, Any] = {
        "type": "message",
        "role": "assistant",
        "model": model,
        "content": [{"type": "text", "text": text}],
        "stop_reason": None,
        "stop_sequence": None,
        "usage": usage,
    }
    if message_id is not None:
        message = {"id": message_id, **message}
    line["message"] = message
    return line


def user(text: str = "please look", timestamp: str = "2025-10-01T12:34:50.000Z") -> dict[str, Any]:
    return {
        "parentUuid": None,
        "isSidechain": False,
        "userType": "external",
        "cwd": "/home/dev/code/api",
        "sessionId": "5f0c7a52-0a8c-4b7e-9e0b-1d2f3a4b5c6d",
        "version": "2.0.28",
        "type": "user",
        "message": {"role": "user", "content": text},
        "uuid": "0b9f7d3e-1111-4a2b-8c3d-000000000003",
        "timestamp": timestamp,
    }


def synthetic(text: str, timestamp: str = "2025-10-01T13:00:00.000Z") -> dict[str, Any]:
    """A local API-error message: model <synthetic>, zero usage, no requestId."""
    line = assistant(
        "3c1e7b6a-6f0e-4c59-9a3b-7a1d5e2f9c10",
        None,
        claude_usage(),
        timestamp=timestamp,
        model="<synthetic>",
        text=text,
    )
    line["isApiErrorMessage"] = True
    return line


def claude_project(home: Path, folder: str = "-home-dev-code-api") -> Path:
    return home / ".claude" / "projects" / folder


# --- Codex CLI ---------------------------------------------------------------------------------


def codex_usage(input_tokens: int, cached: int, output: int, reasoning: int = 0) -> dict[str, int]:
    return {
        "input_tokens": input_tokens,
        "cached_input_tokens": cached,
        "output_tokens": output,
        "reasoning_output_tokens": reasoning,
        "total_tokens": input_tokens + output,
    }


def session_meta(timestamp: str = "2025-11-18T10:00:00.000Z", **extra: Any) -> dict[str, Any]:
    return {
        "timestamp": timestamp,
        "type": "session_meta",
        "payload": {
            "id": "01998a11-9bd4-7880-a0a8-5bf579f59db3",
            "timestamp": timestamp,
            "cwd": "/home/dev/code/web",
            "originator": "codex_cli_rs",
            "cli_version": "0.58.0",
            "instructions": None,
            "source": "cli",
            "model_provider": "openai",
            **extra,
        },
    }


def turn_context(
    model: str = "gpt-5-codex", timestamp: str = "2025-11-18T10:00:01.000Z"
) -> dict[str, Any]:
    return {
        "timestamp": timestamp,
        "type": "turn_context",
        "payload": {
            "cwd": "/home/dev/code/web",
            "approval_policy": "on-request",
            "sandbox_policy": {"mode": "workspace-write"},
            "model": model,
            "effort": "medium",
            "summary": "auto",
        },
    }


def token_count(
    timestamp: str,
    total: Mapping[str, float] | None,
    last: Mapping[str, float] | None = None,
    rate_limits: dict[str, Any] | None = None,
) -> dict[str, Any]:
    info: dict[str, Any] | None = None
    if total is not None or last is not None:
        info = {"model_context_window": 272000}
        if total is not None:
            info["total_token_usage"] = total
        if last is not None:
            info["last_token_usage"] = last
    return {
        "timestamp": timestamp,
        "type": "event_msg",
        "payload": {"type": "token_count", "info": info, "rate_limits": rate_limits},
    }


def response_item(timestamp: str, text: str = "thinking") -> dict[str, Any]:
    return {
        "timestamp": timestamp,
        "type": "response_item",
        "payload": {"type": "message", "role": "assistant", "content": [{"text": text}]},
    }


def rollout(home: Path, name: str = "rollout-2025-11-18T10-00-00-01998a11.jsonl") -> Path:
    return home / ".codex" / "sessions" / "2025" / "11" / "18" / name


PARENT_ID = "019a9c41-7d2e-7b31-9f6a-2c8e4d1b0a55"
FORK_ID = "019a9d02-11aa-7c40-8e21-5f3b6a9c7d12"
PARENT_NAME = f"rollout-2025-11-18T09-00-00-{PARENT_ID}.jsonl"
FORK_NAME = f"rollout-2025-11-18T11-00-00-{FORK_ID}.jsonl"

# A Codex fork family shaped like real rollouts (``forked_from_id``).
# The parent's four calls: (total after the call, the call itself).
CALLS = [
    (codex_usage(2_000, 0, 200, 50), codex_usage(2_000, 0, 200, 50)),
    (codex_usage(5_000, 1_500, 500, 100), codex_usage(3_000, 1_500, 300, 50)),
    (codex_usage(9_000, 4_500, 900, 150), codex_usage(4_000, 3_000, 400, 50)),
    (codex_usage(14_000, 8_500, 1_000, 150), codex_usage(5_000, 4_000, 100, 0)),
]
PARENT_TOTALS = {"input": 5_500, "output": 1_000, "cache_read": 8_500, "cache_write": 0,
                 "requests": 4}  # fmt: skip
# The fork's own two calls, after the replay: totals continue from the parent's last one.
OWN = [
    (codex_usage(20_000, 12_500, 1_300, 200), codex_usage(6_000, 4_000, 300, 50)),
    (codex_usage(27_000, 18_500, 1_400, 200), codex_usage(7_000, 6_000, 100, 0)),
]
OWN_TOTALS = {"input": 3_000, "output": 400, "cache_read": 10_000, "cache_write": 0,
              "requests": 2}  # fmt: skip
# When the replay was written: spread over 2.4 seconds, past the fork's first second.
REPLAY_STAMPS = [
    "2025-11-18T11:00:00.300Z",
    "2025-11-18T11:00:00.950Z",
    "2025-11-18T11:00:01.600Z",
    "2025-11-18T11:00:02.400Z",
]


def meta(session: str, timestamp: str, **extra: Any) -> dict[str, Any]:
    return session_meta(timestamp, id=session, **extra)


def parent_lines() -> list[dict[str, Any]]:
    lines = [meta(PARENT_ID, "2025-11-18T09:00:00.000Z"), turn_context()]
    for minute, (total, last) in enumerate(CALLS, start=1):
        stamp = f"2025-11-18T09:{minute * 10:02d}:00.000Z"
        lines.append(response_item(stamp))
        lines.append(token_count(stamp, total=None))  # a turn's first event: rate limits only
        lines.append(token_count(stamp.replace(":00.000Z", ":05.000Z"), total=total, last=last))
    return lines


def fork_lines() -> list[dict[str, Any]]:
    lines = [
        meta(FORK_ID, "2025-11-18T11:00:00.000Z", forked_from_id=PARENT_ID),
        meta(PARENT_ID, "2025-11-18T11:00:00.000Z"),  # the ancestors' metas are copied too
        turn_context(timestamp="2025-11-18T11:00:00.100Z"),
    ]
    for stamp, (total, last) in zip(REPLAY_STAMPS, CALLS, strict=True):
        lines.append(response_item(stamp))
        lines.append(token_count(stamp, total=None))
        lines.append(token_count(stamp, total=total, last=last))
    for second, (total, last) in zip((30, 50), OWN, strict=True):
        stamp = f"2025-11-18T11:00:{second}.000Z"
        lines.append(response_item(stamp))
        lines.append(token_count(stamp, total=total, last=last))
    return lines


# --- Gemini CLI --------------------------------------------------------------------------------


def gemini_message(
    message_id: str,
    tokens: dict[str, int] | None,
    *,
    timestamp: str = "2026-08-20T09:14:19.877Z",
    model: str | None = "gemini-2.5-pro",
) -> dict[str, Any]:
    message: dict[str, Any] = {
        "id": message_id,
        "timestamp": timestamp,
        "type": "gemini",
        "content": "",
        "thoughts": [],
        "tokens": tokens,
    }
    if model is not None:
        message["model"] = model
    return message


def gemini_tokens(
    prompt: int, output: int, cached: int = 0, thoughts: int = 0, tool: int = 0
) -> dict[str, int]:
    return {
        "input": prompt,
        "output": output,
        "cached": cached,
        "thoughts": thoughts,
        "tool": tool,
        "total": prompt + output + thoughts + tool,
    }


def gemini_chats(home: Path, project: str = "my-app") -> Path:
    return home / ".gemini" / "tmp" / project / "chats"


# --- running a source --------------------------------------------------------------------------


def query(
    since: str = "2025-01-01", until: str = "2027-01-01", granularity: str = "1d", **kw: Any
) -> UsageQuery:
    return UsageQuery(
        period=Period(
            since=datetime.fromisoformat(since).replace(tzinfo=UTC),
            until=datetime.fromisoformat(until).replace(tzinfo=UTC),
        ),
        granularity=granularity,
        **kw,
    )


def totals(records: tuple[UsageRecord, ...] | list[UsageRecord]) -> dict[str, int]:
    return {
        "input": sum(r.input_tokens for r in records),
        "output": sum(r.output_tokens for r in records),
        "cache_read": sum(r.cache_read_tokens for r in records),
        "cache_write": sum(r.cache_write_tokens for r in records),
        "requests": sum(r.requests or 0 for r in records),
    }
