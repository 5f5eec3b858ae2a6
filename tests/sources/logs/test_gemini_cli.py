"""Gemini CLI sessions: JSONL with re-appended messages, the older JSON format, projects."""

from __future__ import annotations

import json
from pathlib import Path

from aiusage.models import SourceResult
from aiusage.settings import Settings
from aiusage.sources.logs.gemini_cli import GeminiCliSource
from aiusage.store import Store
from tests.sources.logs.logs import (
    gemini_chats,
    gemini_message,
    gemini_tokens,
    query,
    totals,
    write_lines,
)

SESSION = "3f2a9c1d-8e4b-4c2a-9f10-5b7d2e6a1c90"
META = {
    "sessionId": SESSION,
    "projectHash": "9b1f",
    "startTime": "2026-08-20T09:14:03.512Z",
    "lastUpdated": "2026-08-20T09:14:03.512Z",
    "kind": "main",
}


def collect(store: Store) -> SourceResult:
    return GeminiCliSource().collect(Settings(), store, query())


def test_the_last_copy_of_each_message_counts_with_cached_taken_out_of_input(
    home: Path, store: Store
) -> None:
    write_lines(
        gemini_chats(home) / "session-2026-08-20T09-14-3f2a9c1d.jsonl",
        [
            META,
            {"id": "a1c0", "timestamp": "2026-08-20T09:14:10.101Z", "type": "user",
             "content": [{"text": "Explain the retry logic"}]},
            {"$set": {"lastUpdated": "2026-08-20T09:14:10.102Z"}},
            gemini_message("b7e2", {"input": 12843, "output": 61, "cached": 8190, "thoughts": 220,
                                    "tool": 0, "total": 13124}),
            gemini_message("c93d", None, timestamp="2026-08-20T09:14:31.455Z"),
            gemini_message("c93d", {"input": 14102, "output": 412, "cached": 12288, "thoughts": 0,
                                    "tool": 0, "total": 14514},
                           timestamp="2026-08-20T09:14:31.455Z"),
            {"$set": {"lastUpdated": "2026-08-20T09:14:31.460Z"}},
        ],
    )  # fmt: skip
    result = collect(store)
    assert totals(result.records) == {"input": 6467, "output": 693, "cache_read": 20478,
                                      "cache_write": 0, "requests": 2}  # fmt: skip
    assert {r.model for r in result.records} == {"gemini-2.5-pro"}
    assert all(r.cost_kind == "estimated" for r in result.records)


def test_a_message_appended_again_with_other_tokens_counts_its_last_copy(
    home: Path, store: Store
) -> None:
    write_lines(
        gemini_chats(home) / "session-a.jsonl",
        [
            META,
            gemini_message("m1", gemini_tokens(100, 10)),
            gemini_message("m1", gemini_tokens(100, 5, thoughts=3, tool=7)),
        ],
    )
    assert totals(collect(store).records) == {"input": 107, "output": 8, "cache_read": 0,
                                              "cache_write": 0, "requests": 1}  # fmt: skip


def test_the_older_json_format_is_read(home: Path, store: Store) -> None:
    document = {
        **META,
        "messages": [
            {"id": "a1c0", "timestamp": "2026-03-02T11:05:41.000Z", "type": "user",
             "content": "hello"},
            gemini_message("b7e2", gemini_tokens(10, 20, cached=5), model="gemini-2.5-flash",
                           timestamp="2026-03-02T11:05:44.200Z"),
        ],
    }  # fmt: skip
    path = gemini_chats(home) / "session-2026-03-02T11-05-3f2a9c1d.json"
    path.parent.mkdir(parents=True)
    path.write_text(json.dumps(document, indent=2))
    result = collect(store)
    assert totals(result.records) == {"input": 5, "output": 20, "cache_read": 5,
                                      "cache_write": 0, "requests": 1}  # fmt: skip
    assert result.records[0].model == "gemini-2.5-flash"


def test_a_rewritten_json_session_is_read_again_without_doubling(home: Path, store: Store) -> None:
    path = gemini_chats(home) / "session-old.json"
    path.parent.mkdir(parents=True)
    one = gemini_message("m1", gemini_tokens(10, 1))
    path.write_text(json.dumps({**META, "messages": [one]}))
    assert totals(collect(store).records)["input"] == 10
    two = gemini_message("m2", gemini_tokens(20, 2))
    path.write_text(json.dumps({**META, "messages": [one, two]}, indent=2))
    assert totals(collect(store).records) == {"input": 30, "output": 3, "cache_read": 0,
                                              "cache_write": 0, "requests": 2}  # fmt: skip


def test_a_resumed_json_session_and_its_jsonl_copy_count_once(home: Path, store: Store) -> None:
    chats = gemini_chats(home)
    message = gemini_message("m1", gemini_tokens(10, 1))
    chats.mkdir(parents=True)
    (chats / "session-old.json").write_text(json.dumps({**META, "messages": [message]}))
    write_lines(
        chats / "session-old.jsonl",
        [META, message, gemini_message("m2", gemini_tokens(20, 2))],
    )
    assert totals(collect(store).records)["input"] == 30


def test_checkpoint_messages_and_a_carried_model_are_read(home: Path, store: Store) -> None:
    session = gemini_chats(home) / "session-a.jsonl"
    write_lines(
        session,
        [META, {"$set": {"messages": [gemini_message("m1", gemini_tokens(10, 1))]}}],
    )
    assert totals(collect(store).records)["input"] == 10
    added = write_lines(session, [gemini_message("m2", gemini_tokens(20, 2), model=None)], mode="a")
    stats = GeminiCliSource().ingest(Settings(), store)
    assert stats.bytes_read == added
    result = collect(store)
    assert totals(result.records)["input"] == 30
    assert {r.model for r in result.records} == {"gemini-2.5-pro"}


def test_the_project_is_the_folder_path_from_projects_json(home: Path, store: Store) -> None:
    gemini = home / ".gemini"
    write_lines(gemini_chats(home, "my-app") / "s.jsonl", [META, gemini_message(
        "m1", gemini_tokens(10, 1))])  # fmt: skip
    write_lines(gemini / "tmp" / "my-app" / "logs.json", [{"sessionId": SESSION, "type": "user"}])
    (gemini / "projects.json").write_text(json.dumps({"projects": {"/home/dev/my-app": "my-app"}}))
    result = collect(store)
    assert [(r.scope, r.input_tokens) for r in result.records] == [("/home/dev/my-app", 10)]
