"""Codex CLI rollouts: which rule gives a call's tokens, what counts once, and what is skipped.

Prices are genai-prices' data, in dollars per million tokens: gpt-5-codex input 1.25, cached
input 0.125, output 10; codex-mini-latest input 1.50, cached input 0.375, output 6.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import pytest

from aiusage.models import SourceResult
from aiusage.settings import Settings
from aiusage.sources.logs.codex import CodexSource
from aiusage.store import Store
from tests.sources.logs.logs import (
    codex_usage,
    query,
    response_item,
    rollout,
    session_meta,
    token_count,
    totals,
    turn_context,
    write_lines,
)

NOW = datetime(2025, 11, 18, 12, 0, tzinfo=UTC)
_SKIPPED = re.compile(r"^(\d+) malformed or truncated lines skipped in Codex CLI logs")


def collect(store: Store) -> SourceResult:
    return CodexSource(clock=lambda: NOW).collect(Settings(), store, query())


def skipped(result: SourceResult) -> int:
    """The number of lines the malformed-lines warning counts (0 without the warning)."""
    found = [int(m[1]) for w in result.warnings if (m := _SKIPPED.match(w))]
    assert len(found) <= 1
    return found[0] if found else 0


def test_last_token_usage_wins_over_the_difference_of_totals(home: Path, store: Store) -> None:
    write_lines(
        rollout(home),
        [
            session_meta(),
            turn_context(),
            token_count(
                "2025-11-18T10:00:03.000Z",
                total=codex_usage(1_000, 200, 100),
                last=codex_usage(1_000, 200, 100),
            ),
            # The totals grew by 4,000 / 300 / 400, but this call used what ``last`` says: the
            # rest of the growth belongs to context the CLI counted outside this call.
            token_count(
                "2025-11-18T10:00:09.000Z",
                total=codex_usage(5_000, 500, 500),
                last=codex_usage(1_500, 300, 150),
            ),
        ],
    )
    result = collect(store)
    # input without the cached part: (1,000 - 200) + (1,500 - 300)
    assert totals(result.records) == {"input": 2_000, "output": 250, "cache_read": 500,
                                      "cache_write": 0, "requests": 2}  # fmt: skip
    # 2,000 x 1.25 + 250 x 10 + 500 x 0.125 = 2,500 + 2,500 + 62.5 per million
    assert result.records[0].cost_usd == Decimal("0.0050625")


def test_without_last_usage_each_field_is_its_own_difference(home: Path, store: Store) -> None:
    write_lines(
        rollout(home),
        [
            session_meta(),
            turn_context(model="codex-mini-latest"),
            token_count("2025-11-18T10:00:03.000Z", total=codex_usage(1_000, 100, 50, 10)),
            token_count("2025-11-18T10:00:05.000Z", total=codex_usage(2_500, 1_100, 80, 30)),
            token_count("2025-11-18T10:00:07.000Z", total=codex_usage(4_000, 1_200, 200, 30)),
        ],
    )
    result = collect(store)
    # calls: 1,000/100/50, then 1,500/1,000/30, then 1,500/100/120 (input/cached/output)
    assert totals(result.records) == {"input": 2_800, "output": 200, "cache_read": 1_200,
                                      "cache_write": 0, "requests": 3}  # fmt: skip
    # 2,800 x 1.50 + 200 x 6 + 1,200 x 0.375 = 4,200 + 1,200 + 450 per million
    (record,) = result.records
    assert (record.model, record.cost_usd) == ("codex-mini-latest", Decimal("0.00585"))


def test_two_sessions_with_calls_of_equal_size_count_both(home: Path, store: Store) -> None:
    same = codex_usage(100, 0, 10)
    for name, stamp in (("a", "2025-11-18T10:00:03.000Z"), ("b", "2025-11-18T10:30:03.000Z")):
        write_lines(
            rollout(home, f"rollout-2025-11-18T10-00-00-{name}.jsonl"),
            [session_meta(), turn_context(), token_count(stamp, total=same, last=same)],
        )
    assert totals(collect(store).records) == {"input": 200, "output": 20, "cache_read": 0,
                                              "cache_write": 0, "requests": 2}  # fmt: skip


def test_equal_calls_at_different_times_in_one_file_count_both(home: Path, store: Store) -> None:
    same = codex_usage(300, 100, 30)
    write_lines(
        rollout(home),
        [
            session_meta(),
            turn_context(),
            # `codex exec --json` style: per-call usage only, no cumulative total
            token_count("2025-11-18T10:00:03.000Z", total=None, last=same),
            token_count("2025-11-18T10:00:04.000Z", total=None, last=same),
        ],
    )
    assert totals(collect(store).records) == {"input": 400, "output": 60, "cache_read": 200,
                                              "cache_write": 0, "requests": 2}  # fmt: skip


def test_malformed_lines_are_counted_and_never_stored(home: Path, store: Store) -> None:
    good = codex_usage(100, 0, 10)
    write_lines(
        rollout(home),
        [
            session_meta(),
            turn_context(),
            # cut short, and not JSON at all (each names an event kind, so each is decoded)
            '{"timestamp":"2025-11-18T10:00:02Z","type":"event_msg","payload":{"type":"token_count"',
            'not json, though it says "token_count"',
            # JSON without a usable payload or time
            {"timestamp": "2025-11-18T10:00:02.5Z", "type": "event_msg", "payload": "token_count"},
            {"timestamp": "2025-11-18T10:00:02.600Z", "type": "token_count", "payload": None},
            {"timestamp": "yesterday", "type": "event_msg",
             "payload": {"type": "token_count", "info": None}},
            token_count("2025-11-18T10:00:03.000Z", total=good, last=good),
            # usage without input or output tokens
            {"timestamp": "2025-11-18T10:00:04.000Z", "type": "event_msg",
             "payload": {"type": "token_count", "info": {"total_token_usage": {"total": 5}}}},
        ],
    )  # fmt: skip
    result = collect(store)
    assert totals(result.records)["input"] == 100
    assert skipped(result) == 6


def test_a_clean_rollout_has_no_malformed_lines_warning(home: Path, store: Store) -> None:
    good = codex_usage(100, 0, 10)
    write_lines(
        rollout(home),
        [session_meta(), turn_context(), token_count("2025-11-18T10:00:03Z", total=good)],
    )
    assert skipped(collect(store)) == 0


def test_cached_input_never_exceeds_the_input_it_is_part_of(home: Path, store: Store) -> None:
    odd = codex_usage(100, 250, 10)  # more cached than input: all 100 were cached
    write_lines(
        rollout(home),
        [session_meta(), turn_context(), token_count("2025-11-18T10:00:03Z", total=odd, last=odd)],
    )
    assert totals(collect(store).records) == {"input": 0, "output": 10, "cache_read": 100,
                                              "cache_write": 0, "requests": 1}  # fmt: skip


def test_cache_writes_are_bounded_by_the_uncached_input(home: Path, store: Store) -> None:
    usage = {**codex_usage(1_000, 700, 50), "cache_write_input_tokens": 500}
    call = token_count("2025-11-18T10:00:03Z", total=usage, last=usage)
    write_lines(rollout(home), [session_meta(), turn_context(), call])
    # 1,000 input of which 700 cached: at most the other 300 can have been written
    assert totals(collect(store).records) == {"input": 0, "output": 50, "cache_read": 700,
                                              "cache_write": 300, "requests": 1}  # fmt: skip


def test_cache_read_input_tokens_is_read_when_cached_input_tokens_is_absent(
    home: Path, store: Store
) -> None:
    usage = {"input_tokens": 1_000, "cache_read_input_tokens": 400, "output_tokens": 20}
    call = token_count("2025-11-18T10:00:03Z", total=usage, last=usage)
    write_lines(rollout(home), [session_meta(), turn_context(), call])
    assert totals(collect(store).records) == {"input": 600, "output": 20, "cache_read": 400,
                                              "cache_write": 0, "requests": 1}  # fmt: skip


def test_input_and_output_are_enough_and_both_are_needed(home: Path, store: Store) -> None:
    bare = {"input_tokens": 100, "output_tokens": 7}
    no_output = {"input_tokens": 100, "cached_input_tokens": 0, "total_tokens": 100}
    no_input = {"output_tokens": 9, "cached_input_tokens": 0, "total_tokens": 9}
    write_lines(
        rollout(home),
        [
            session_meta(),
            turn_context(),
            token_count("2025-11-18T10:00:03Z", total=None, last=bare),
            token_count("2025-11-18T10:00:04Z", total=None, last=no_output),
            token_count("2025-11-18T10:00:05Z", total=None, last=no_input),
        ],
    )
    result = collect(store)
    assert totals(result.records) == {"input": 100, "output": 7, "cache_read": 0,
                                      "cache_write": 0, "requests": 1}  # fmt: skip
    assert skipped(result) == 2


@pytest.mark.parametrize(
    ("where", "expected"),
    [
        ({"payload": {"model": "codex-mini-latest"}}, "codex-mini-latest"),
        ({"payload": {"model_name": "codex-mini-latest"}}, "codex-mini-latest"),
        ({"payload": {"metadata": {"model": "codex-mini-latest"}}}, "codex-mini-latest"),
        ({"info": {"model": "codex-mini-latest"}}, "codex-mini-latest"),
        ({"info": {"metadata": {"model": "codex-mini-latest"}}}, "codex-mini-latest"),
        ({"payload": {"model": ""}, "info": {"model_name": 7}}, "gpt-5-codex"),
    ],
)
def test_an_event_naming_its_model_overrides_the_turn_s_model(
    home: Path, store: Store, where: dict[str, dict[str, object]], expected: str
) -> None:
    call = token_count("2025-11-18T10:00:03Z", total=None, last=codex_usage(100, 0, 10))
    call["payload"].update(where.get("payload", {}))
    call["payload"]["info"].update(where.get("info", {}))
    write_lines(rollout(home), [session_meta(), turn_context("gpt-5-codex"), call])
    (record,) = collect(store).records
    assert record.model == expected


def test_an_old_total_re_emitted_after_a_resume_counts_nothing(home: Path, store: Store) -> None:
    path = rollout(home)
    first, second = codex_usage(1_000, 0, 100), codex_usage(2_000, 0, 200)
    write_lines(
        path,
        [
            session_meta(),
            turn_context(),
            token_count("2025-11-18T10:00:03Z", total=first),
            token_count("2025-11-18T10:00:05Z", total=second),
        ],
    )
    assert totals(collect(store).records)["input"] == 2_000
    # A later run reads the appended lines only: the first total again, then a new call.
    write_lines(
        path,
        [
            token_count("2025-11-18T10:10:00Z", total=first),
            token_count("2025-11-18T10:10:05Z", total=codex_usage(2_500, 0, 260)),
        ],
        mode="a",
    )
    assert totals(collect(store).records) == {"input": 2_500, "output": 260, "cache_read": 0,
                                              "cache_write": 0, "requests": 3}  # fmt: skip


def test_lines_of_the_wrong_shape_are_counted_not_fatal(home: Path, store: Store) -> None:
    write_lines(
        rollout(home),
        [
            session_meta(),
            turn_context(),
            '["token_count", 1]',
            '"token_count"',
            token_count("2025-11-18T10:00:03Z", total=None, last=codex_usage(10, 0, 1)),
        ],
    )
    result = collect(store)
    assert (totals(result.records)["input"], skipped(result)) == (10, 2)


def test_only_token_count_events_are_calls(home: Path, store: Store) -> None:
    other = token_count("2025-11-18T10:00:03Z", total=None, last=codex_usage(500, 0, 50))
    other["payload"]["type"] = "context_compacted"  # an event_msg that mentions token_count
    other["payload"]["note"] = "after token_count"
    item = token_count("2025-11-18T10:00:04Z", total=None, last=codex_usage(600, 0, 60))
    item["type"] = "response_item"
    write_lines(
        rollout(home),
        [
            session_meta(),
            turn_context(),
            other,
            item,
            token_count("2025-11-18T10:00:05Z", total=None, last=codex_usage(10, 0, 1)),
        ],
    )
    assert totals(collect(store).records)["input"] == 10


def test_calls_of_one_instant_that_differ_in_any_counter_are_two_calls(
    home: Path, store: Store
) -> None:
    stamp = "2025-11-18T10:00:03.000Z"
    one = codex_usage(100, 0, 10, reasoning=4)
    other_reasoning = codex_usage(100, 0, 10, reasoning=6)
    other_total = {**codex_usage(100, 0, 10, reasoning=4), "total_tokens": 115}
    write_lines(
        rollout(home),
        [
            session_meta(),
            turn_context(),
            token_count(stamp, total=None, last=one),
            token_count(stamp, total=None, last=other_reasoning),
            token_count(stamp, total=None, last=other_total),
            token_count(stamp, total=None, last=one),  # the same call written twice
        ],
    )
    assert totals(collect(store).records)["requests"] == 3


def test_ingestion_counts_the_lines_it_decoded(home: Path, store: Store) -> None:
    write_lines(
        rollout(home),
        [
            session_meta(),
            turn_context(),
            response_item("2025-11-18T10:00:02Z"),  # names no event kind: never decoded
            'not JSON "token_count"',  # decoded, and refused
            token_count("2025-11-18T10:00:03Z", total=codex_usage(10, 0, 1)),
            token_count("2025-11-18T10:00:04Z", total=codex_usage(20, 0, 2)),
        ],
    )
    stats = CodexSource().ingest(Settings(), store)
    assert stats.lines_parsed == 4


def test_the_malformed_lines_warning_gives_each_reason(home: Path, store: Store) -> None:
    huge = {"input_tokens": 1e16, "output_tokens": 1}
    write_lines(
        rollout(home),
        [
            session_meta(),
            'not JSON "token_count"',
            '{"type": "token_count", "payload": ',
            {"timestamp": "2025-11-18T10:00:02Z", "type": "event_msg", "payload": "token_count"},
            {"timestamp": "yesterday", "type": "event_msg",
             "payload": {"type": "token_count", "info": None}},
            {"timestamp": "9999-01-01T00:00:00Z", "type": "event_msg",
             "payload": {"type": "token_count", "info": None}},
            token_count("2025-11-18T10:00:03Z", total=None, last=huge),
            token_count("2025-11-18T10:00:04Z", total=None, last={"output_tokens": 1}),
        ],
    )  # fmt: skip
    assert collect(store).warnings == (
        "7 malformed or truncated lines skipped in Codex CLI logs (2 not JSON, 2 with a value "
        "out of range, 3 with missing or invalid fields)",
    )


def test_a_long_session_s_cumulative_totals_may_pass_what_one_call_can_hold(
    home: Path, store: Store
) -> None:
    big = 300_000_000  # three times the most one request can hold: fine for a session
    first = {**codex_usage(big, big - 1_000, 150_000_000, 120_000_000),
             "cache_write_input_tokens": 110_000_000}  # fmt: skip
    second = {**codex_usage(big + 2_000, big, 150_000_010, 120_000_005),
              "cache_write_input_tokens": 110_000_500}  # fmt: skip
    write_lines(
        rollout(home),
        [
            session_meta(),
            turn_context(),
            token_count("2025-11-18T10:00:03Z", total=first),
            token_count("2025-11-18T10:00:09Z", total=second),
        ],
    )
    result = collect(store)
    # The first event's whole total would be one call of 300M: refused, but it is the baseline.
    # The second call: 2,000 input of which 1,000 cached and 500 written; 10 output.
    assert totals(result.records) == {"input": 500, "output": 10, "cache_read": 1_000,
                                      "cache_write": 500, "requests": 1}  # fmt: skip
    assert skipped(result) == 1


def test_a_call_may_hold_up_to_the_request_limit_and_no_more(home: Path, store: Store) -> None:
    limit = 100_000_000
    write_lines(
        rollout(home),
        [
            session_meta(),
            turn_context(),
            token_count("2025-11-18T10:00:03Z", total=codex_usage(limit, limit - 10, 0)),
            token_count("2025-11-18T10:00:04Z", total=codex_usage(2 * limit + 1, 2 * limit, 9)),
        ],
    )
    result = collect(store)
    assert totals(result.records)["input"] == 10
    assert skipped(result) == 1


def test_a_total_tokens_field_beyond_input_plus_output_limits_is_refused(
    home: Path, store: Store
) -> None:
    odd = {**codex_usage(10, 0, 1), "total_tokens": 200_000_001}  # more than 2 x 100M
    fine = {**codex_usage(20, 0, 2), "total_tokens": 200_000_000}
    write_lines(
        rollout(home),
        [
            session_meta(),
            token_count("2025-11-18T10:00:03Z", total=None, last=odd),
            token_count("2025-11-18T10:00:04Z", total=None, last=fine),
        ],
    )
    result = collect(store)
    assert (totals(result.records)["input"], skipped(result)) == (20, 1)


def test_a_call_with_output_and_no_new_input_is_counted(home: Path, store: Store) -> None:
    write_lines(
        rollout(home),
        [session_meta(), turn_context(),
         token_count("2025-11-18T10:00:03Z", total=None, last=codex_usage(0, 0, 12))],
    )  # fmt: skip
    assert totals(collect(store).records) == {"input": 0, "output": 12, "cache_read": 0,
                                              "cache_write": 0, "requests": 1}  # fmt: skip
