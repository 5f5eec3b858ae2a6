"""The fast decoding of Claude Code lines gives what the general path gives, line by line."""

from __future__ import annotations

import json
from typing import Any

import pytest

from aiusage.sources.logs.claude_code import ClaudeCodeParser
from tests.sources.logs.logs import assistant, claude_usage, dump, synthetic, user

LABEL = "/home/dev/.claude/projects/-home-dev-code-api/session-a.jsonl"


def line(**changes: Any) -> bytes:
    """A response line with top-level, ``message`` or ``usage`` fields changed (None: null)."""
    entry = assistant("msg_1", "req_1", claude_usage(3, 40, 500, split=(20, 80)))
    for name, value in changes.items():
        scope, _, field = name.rpartition("__")
        target = {"": entry, "message": entry["message"], "usage": entry["message"]["usage"]}[scope]
        if value is _DROP:
            target.pop(field, None)
        else:
            target[field] = value
    return dump(entry).encode()


_DROP = object()

ODD_LINES = {
    "well formed": line(),
    "flat cache write": line(usage__cache_creation=_DROP, usage__cache_creation_input_tokens=100),
    "null split": line(usage__cache_creation=None, usage__cache_creation_input_tokens=100),
    "split as a list": line(usage__cache_creation=[1]),
    "fast speed": line(usage__speed="fast"),
    "standard speed": line(usage__speed="standard"),
    "null speed": line(usage__speed=None),
    "numeric speed": line(usage__speed=1),
    "null version": line(version=None),
    "bad version": line(version="two"),
    "numeric version": line(version=2),
    "no version": line(version=_DROP),
    "null cwd": line(cwd=None),
    "empty cwd": line(cwd=""),
    "numeric cwd": line(cwd=7),
    "null session": line(sessionId=None),
    "empty session": line(sessionId=""),
    "numeric session": line(sessionId=5),
    "null request id": line(requestId=None),
    "empty request id": line(requestId=""),
    "numeric request id": line(requestId=9),
    "no request id": line(requestId=_DROP),
    "null message id": line(message__id=None),
    "empty message id": line(message__id=""),
    "no message id": line(message__id=_DROP),
    "null cost": line(costUSD=None),
    "string cost": line(costUSD="0.1"),
    "null api error flag": line(isApiErrorMessage=None),
    "null sidechain": line(isSidechain=None),
    "string sidechain": line(isSidechain="true"),
    "sidechain": line(isSidechain=True),
    "null cache read": line(usage__cache_read_input_tokens=None),
    "null flat cache write": line(usage__cache_creation_input_tokens=None),
    "negative input": line(usage__input_tokens=-5),
    "negative cache read": line(usage__cache_read_input_tokens=-5),
    "float output": line(usage__output_tokens=4.0),
    "boolean output": line(usage__output_tokens=True),
    "huge output": line(usage__output_tokens=2**63 + 1),
    "no output": line(usage__output_tokens=_DROP),
    "all zero": line(usage=claude_usage()),
    "no model": line(message__model=_DROP),
    "empty model": line(message__model=""),
    "null model": line(message__model=None),
    "no timestamp": line(timestamp=_DROP),
    "numeric timestamp": line(timestamp=1),
    "zone-less timestamp": line(timestamp="2025-10-01T12:34:56"),
    "bad timestamp": line(timestamp="yesterday"),
    "usage as a list": line(message__usage=[1]),
    "message as a string": line(message="hello"),
    "non-ASCII text": line(message__content=[{"type": "text", "text": "naïve café ✓"}]),
    "synthetic limit": dump(synthetic("Claude AI usage limit reached|1759327200")).encode(),
    "user line": dump(user()).encode(),
    "top level list": b'[{"message":{"usage":{"input_tokens":1}}}]',
    "truncated": line()[:-30],
    "invalid UTF-8 in skipped text": line().replace(b'"Done."', b'"Done\xff."'),
    "duplicate key": line()[:-1] + b',"requestId":"req_2"}',
}


def outcome(parser: ClaudeCodeParser) -> tuple[object, ...]:
    return (dict(parser.lines), parser.events, parser.bad_lines, parser.parsed)


@pytest.mark.parametrize("raw", ODD_LINES.values(), ids=ODD_LINES.keys())
def test_a_line_counts_the_same_through_the_fast_and_the_general_path(raw: bytes) -> None:
    fast, general = ClaudeCodeParser(LABEL, {}), ClaudeCodeParser(LABEL, {})
    fast.feed(120, raw, raw.find(b'"usage":{'))
    general._general(120, raw)
    assert outcome(fast) == outcome(general)


def test_the_well_formed_line_takes_the_fast_path_and_counts() -> None:
    parser = ClaudeCodeParser(LABEL, {})
    parser.feed(0, ODD_LINES["well formed"], 0)
    (kept,) = parser.lines.values()
    assert (kept.input_tokens, kept.output_tokens, kept.cache_read_tokens) == (3, 40, 500)
    assert (kept.cache_write_tokens, kept.cache_write_1h_tokens) == (100, 80)
    assert (kept.scope, parser.bad_lines, parser.parsed) == ("/home/dev/code/api", 0, 1)


def test_repeated_lines_of_a_response_share_one_timestamp_reading() -> None:
    parser = ClaudeCodeParser(LABEL, {})
    first = json.loads(ODD_LINES["well formed"])
    later = dict(first, timestamp="2025-10-01T12:35:00.000Z", requestId="req_2")
    later["message"] = dict(first["message"], id="msg_2")
    for offset, entry in enumerate((first, first, later)):
        parser.feed(offset, dump(entry).encode(), 0)
    assert sorted(line.ts for line in parser.lines.values()) == [1759322096789, 1759322100000]
