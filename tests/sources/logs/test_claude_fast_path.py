"""Every odd spelling of a Claude Code line, read through ``feed`` (both decoding paths).

The expectations are written by hand from the fixture: the well-formed line below is
3 input, 40 output, 500 cache read, 20 + 80 cache write (80 of them 1-hour), at
2025-10-01T12:34:56.789Z = 1759322096789 ms.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from aiusage.sources.logs import claude_code
from aiusage.sources.logs.claude_code import ClaudeCodeParser
from aiusage.sources.logs.lines import Line
from tests.sources.logs.logs import SONNET, assistant, claude_usage, dump, synthetic, user

LABEL = "/home/dev/.claude/projects/-home-dev-code-api/session-a.jsonl"
SESSION = "5f0c7a52-0a8c-4b7e-9e0b-1d2f3a4b5c6d"
WELL_FORMED = Line(
    msg_key="msg_1",
    req_key="req_1",
    seq=120,
    sidechain=0,
    has_speed=0,
    ts=1759322096789,
    model=SONNET,
    scope="/home/dev/code/api",
    input_tokens=3,
    output_tokens=40,
    cache_read_tokens=500,
    cache_write_tokens=100,
    cache_write_1h_tokens=80,
    session=SESSION,
)
INVALID = "with missing or invalid fields"
OUT_OF_RANGE = "with a value out of range"


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


def counted(**changes: Any) -> Line:
    return WELL_FORMED._replace(**changes)


# Each odd line and what reading it gives: the line kept, the reason it is skipped, or nothing
# (not a response line, or a response with nothing to count).
ODD_LINES: dict[str, tuple[bytes, Line | str | None]] = {
    "well formed": (line(), WELL_FORMED),
    "flat cache write": (
        line(usage__cache_creation=_DROP, usage__cache_creation_input_tokens=100),
        counted(cache_write_1h_tokens=0),
    ),
    "null split": (
        line(usage__cache_creation=None, usage__cache_creation_input_tokens=100),
        counted(cache_write_1h_tokens=0),
    ),
    "split as a list": (line(usage__cache_creation=[1]), counted(cache_write_tokens=0,
                                                                 cache_write_1h_tokens=0)),
    "fast speed": (line(usage__speed="fast"), counted(model=f"{SONNET}-fast", has_speed=1)),
    "standard speed": (line(usage__speed="standard"), counted(has_speed=1)),
    "null speed": (line(usage__speed=None), INVALID),
    "numeric speed": (line(usage__speed=1), WELL_FORMED),
    "null version": (line(version=None), INVALID),
    "bad version": (line(version="two"), INVALID),
    "numeric version": (line(version=2), INVALID),
    "no version": (line(version=_DROP), WELL_FORMED),
    "null cwd": (line(cwd=None), INVALID),
    "empty cwd": (line(cwd=""), counted(scope="-home-dev-code-api")),
    "numeric cwd": (line(cwd=7), counted(scope="-home-dev-code-api")),
    "null session": (line(sessionId=None), INVALID),
    "empty session": (line(sessionId=""), INVALID),
    "numeric session": (line(sessionId=5), counted(session="")),
    "null request id": (line(requestId=None), INVALID),
    "empty request id": (line(requestId=""), INVALID),
    "numeric request id": (line(requestId=9), counted(req_key="")),
    "no request id": (line(requestId=_DROP), counted(req_key="")),
    "null message id": (line(message__id=None), INVALID),
    "empty message id": (line(message__id=""), INVALID),
    "no message id": (line(message__id=_DROP), counted(msg_key=f"@{LABEL}:120", req_key="")),
    "null cost": (line(costUSD=None), INVALID),
    "string cost": (line(costUSD="0.1"), WELL_FORMED),
    "null api error flag": (line(isApiErrorMessage=None), INVALID),
    "null sidechain": (line(isSidechain=None), WELL_FORMED),
    "string sidechain": (line(isSidechain="true"), WELL_FORMED),
    "sidechain": (line(isSidechain=True), counted(sidechain=1)),
    "null cache read": (line(usage__cache_read_input_tokens=None), INVALID),
    "null flat cache write": (line(usage__cache_creation_input_tokens=None), INVALID),
    "string cache read": (line(usage__cache_read_input_tokens="5"), INVALID),
    "negative input": (line(usage__input_tokens=-5), OUT_OF_RANGE),
    "negative cache read": (line(usage__cache_read_input_tokens=-5), OUT_OF_RANGE),
    "float output": (line(usage__output_tokens=4.0), INVALID),
    "boolean output": (line(usage__output_tokens=True), INVALID),
    "huge output": (line(usage__output_tokens=2**63 + 1), OUT_OF_RANGE),
    "output beyond one request": (line(usage__output_tokens=100_000_001), OUT_OF_RANGE),
    "output at the limit": (line(usage__output_tokens=100_000_000), counted(output_tokens=10**8)),
    "no output": (line(usage__output_tokens=_DROP), INVALID),
    "all zero": (line(message__usage=claude_usage()), None),
    "no model": (line(message__model=_DROP), INVALID),
    "empty model": (line(message__model=""), INVALID),
    "null model": (line(message__model=None), INVALID),
    "no timestamp": (line(timestamp=_DROP), INVALID),
    "numeric timestamp": (line(timestamp=1), INVALID),
    "zone-less timestamp": (line(timestamp="2025-10-01T12:34:56"), counted(ts=1759322096000)),
    "bad timestamp": (line(timestamp="yesterday"), INVALID),
    "year 1": (line(timestamp="0001-01-01T00:00:00Z"), OUT_OF_RANGE),
    "usage as a list": (line(message__usage=[1]), None),
    "message as a string": (line(message="hello"), None),
    "non-ASCII text": (line(message__content=[{"type": "text", "text": "naïve café ✓"}]),
                       WELL_FORMED),
    "lone surrogate in text": (line(message__content=[{"type": "text", "text": "\ud83d"}]),
                               WELL_FORMED),
    "space after colons": (json.dumps(json.loads(line())).encode(), WELL_FORMED),
    "user line": (dump(user()).encode(), None),
    "top level list": (b'[{"message":{"usage":{"input_tokens":1}}}]', None),
    "truncated": (line()[:-30], "not JSON"),
    "NaN": (line().replace(b'"input_tokens":3', b'"input_tokens":NaN'), "not JSON"),
    "invalid UTF-8 in skipped text": (line().replace(b'"Done."', b'"Done\xff."'), "not JSON"),
    "duplicate key": (line()[:-1] + b',"requestId":"req_2"}', counted(req_key="req_2")),
}  # fmt: skip


@pytest.mark.parametrize(
    ("raw", "expected"), ODD_LINES.values(), ids=ODD_LINES.keys()
)  # fmt: skip
def test_each_spelling_of_a_line_is_counted_skipped_or_ignored_as_written_by_hand(
    raw: bytes, expected: Line | str | None
) -> None:
    parser = ClaudeCodeParser(LABEL, {})
    parser.feed(120, raw, raw.find(b'"usage"'))
    kept = list(parser.lines.values())
    if isinstance(expected, Line):
        assert (kept, dict(parser.skipped)) == ([expected], {})
    elif isinstance(expected, str):
        assert (kept, dict(parser.skipped)) == ([], {expected: 1})
    else:
        assert (kept, dict(parser.skipped)) == ([], {})
    assert parser.events == {}


def test_a_usage_limit_message_marks_its_reset_time() -> None:
    parser = ClaudeCodeParser(LABEL, {})
    raw = dump(synthetic("Claude AI usage limit reached|1759327200")).encode()
    parser.feed(0, raw, 0)
    # the line's time 2025-10-01T13:00:00Z; the reset it names, in seconds
    assert parser.events == {"limit_reset": (1759323600000, "1759327200")}
    assert (parser.lines, dict(parser.skipped)) == ({}, {})


def test_the_well_formed_line_takes_the_fast_path(monkeypatch: pytest.MonkeyPatch) -> None:
    def general_path(raw: bytes) -> object:
        raise AssertionError("the well-formed line was decoded twice")

    monkeypatch.setattr(claude_code, "loads", general_path)
    parser = ClaudeCodeParser(LABEL, {})
    parser.feed(120, ODD_LINES["well formed"][0], 0)
    assert list(parser.lines.values()) == [WELL_FORMED]


def test_repeated_lines_of_a_response_share_one_timestamp_reading() -> None:
    parser = ClaudeCodeParser(LABEL, {})
    first = json.loads(ODD_LINES["well formed"][0])
    later = dict(first, timestamp="2025-10-01T12:35:00.000Z", requestId="req_2")
    later["message"] = dict(first["message"], id="msg_2")
    for offset, entry in enumerate((first, first, later)):
        parser.feed(offset, dump(entry).encode(), 0)
    assert sorted(line.ts for line in parser.lines.values()) == [1759322096789, 1759322100000]
