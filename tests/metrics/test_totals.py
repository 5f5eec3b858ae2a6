"""Counters summed from a real store: API history, local logs, no usage counted twice."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest

from aiusage.metrics.totals import SeriesKey, read_totals
from aiusage.models import UsageRecord
from aiusage.settings import Settings
from aiusage.sources.logs.claude_code import ClaudeCodeSource
from aiusage.store import Store
from tests.metrics.stored import save
from tests.sources.logs.logs import SONNET, assistant, claude_project, claude_usage, write_lines

DAY = datetime(2026, 11, 2, tzinfo=UTC)
NOW = datetime(2026, 11, 30, tzinfo=UTC)
GPT = "gpt-5-2025-08-07"


@pytest.fixture
def store(isolated_environment: Path) -> Iterator[Store]:
    opened = Store.open(Settings().store_path)
    yield opened
    opened.close()


def api_record(day: int, tokens: int, dollars: str | None, **extra: object) -> UsageRecord:
    start = DAY + timedelta(days=day)
    values: dict[str, object] = {
        "provider": "openai",
        "source": "api",
        "start": start,
        "end": start + timedelta(days=1),
        "model": GPT,
        "input_tokens": tokens,
        "output_tokens": tokens // 10,
        "requests": 2,
        "cost_usd": None if dollars is None else Decimal(dollars),
        "cost_kind": None if dollars is None else "reported",
    }
    values.update(extra)
    return UsageRecord(**values)


def test_daily_api_history_is_summed_once_with_exact_dollars(store: Store) -> None:
    save(store, [api_record(0, 1000, "0.1"), api_record(1, 3000, "0.2")], "1d", None, NOW)
    # The same usage cut per hour, or split by project, is not counted again.
    hourly = api_record(0, 1000, "0.1", end=DAY + timedelta(hours=1))
    save(store, [hourly], "1h", None, NOW)
    save(store, [api_record(0, 1000, "0.1", scope="proj_a")], "1d", "project", NOW)
    totals = read_totals(store, Settings())
    tally = totals[SeriesKey("openai", "api", GPT, "")]
    assert tally.tokens == {"input": 4000, "output": 400, "cache_read": 0, "cache_write": 0}
    assert tally.requests == 4
    assert tally.cost == {"reported": Decimal("0.3")}
    assert list(totals) == [SeriesKey("openai", "api", GPT, "")]


def test_records_without_cost_add_tokens_but_no_dollars(store: Store) -> None:
    save(store, [api_record(0, 50, None)], "1d", None, NOW)
    tally = read_totals(store, Settings())[SeriesKey("openai", "api", GPT, "")]
    assert tally.tokens["input"] == 50
    assert tally.cost == {}


def test_a_cost_line_without_model_keeps_an_empty_model(store: Store) -> None:
    save(
        store,
        [api_record(0, 0, "1.25", model=None, product="web_search", requests=None)],
        "1d",
        None,
        NOW,
    )
    tally = read_totals(store, Settings())[SeriesKey("openai", "api", "", "")]
    assert tally.cost == {"reported": Decimal("1.25")}
    assert tally.requests is None and not tally.has_tokens


def test_project_split_reads_the_project_history(store: Store) -> None:
    save(store, [api_record(0, 1000, "0.1")], "1d", None, NOW)
    save(
        store,
        [api_record(0, 700, "0.07", scope="proj_a"), api_record(0, 300, "0.03", scope="proj_b")],
        "1d",
        "project",
        NOW,
    )
    totals = read_totals(store, Settings(), "project")
    assert totals[SeriesKey("openai", "api", GPT, "proj_a")].tokens["input"] == 700
    assert totals[SeriesKey("openai", "api", GPT, "proj_b")].cost == {"reported": Decimal("0.03")}


def test_local_logs_are_counted_with_estimated_cost_and_no_folder_by_default(
    store: Store, isolated_environment: Path
) -> None:
    project = claude_project(isolated_environment / "home")
    write_lines(
        project / "session-a.jsonl",
        [
            assistant("msg_1", "req_1", claude_usage(4, 250, 1000, 100)),
            assistant("msg_2", "req_2", claude_usage(6, 50, 0, 0, split=(0, 40))),
        ],
    )
    settings = Settings()
    ClaudeCodeSource().ingest(settings, store)
    totals = read_totals(store, settings)
    tally = totals[SeriesKey("claude", "local", SONNET, "")]
    assert tally.tokens == {"input": 10, "output": 300, "cache_read": 1000, "cache_write": 140}
    assert tally.requests == 2
    # Sonnet 4.5 list prices per million: input $3, output $15, cache read $0.30,
    # 5-minute cache write $3.75, 1-hour cache write $6.
    expected = (
        Decimal(10) * 3 + Decimal(300) * 15 + Decimal(1000) * Decimal("0.3")
        + Decimal(100) * Decimal("3.75") + Decimal(40) * 6
    ) / 1_000_000  # fmt: skip
    assert tally.cost == {"estimated": expected}
    by_project = read_totals(store, settings, "project")
    assert list(by_project) == [SeriesKey("claude", "local", SONNET, "/home/dev/code/api")]
