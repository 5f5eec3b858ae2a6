"""The collector: whose fault a failure is, what reaches history, what --offline can vouch for."""

from __future__ import annotations

import asyncio
import logging
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
import pytest
from pydantic import BaseModel

from aiusage.collect import Collected, Plan, collect
from aiusage.errors import BadResponseError
from aiusage.models import (
    KeyCheck,
    Period,
    ProviderName,
    SourceKind,
    SourceResult,
    UsageQuery,
    UsageRecord,
)
from aiusage.settings import Settings
from aiusage.sources.base import ClientConfig, ClientFactory
from aiusage.store import Store

DAY = timedelta(days=1)
NOW = datetime(2026, 12, 1, 9, tzinfo=UTC)


def at(day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(2026, 11, day, hour, minute, tzinfo=UTC)


def record(start: datetime, end: datetime | None = None, tokens: int = 100) -> UsageRecord:
    return UsageRecord(
        provider="claude",
        source="api",
        start=start,
        end=end or start + DAY,
        model="claude-sonnet-4-5",
        input_tokens=tokens,
        cost_usd=Decimal("0.25"),
        cost_kind="reported",
    )


@dataclass
class FakeApi:
    """An API provider that answers every fetch with ``answer(query)``."""

    answer: Callable[[UsageQuery], SourceResult]
    name: ProviderName = "claude"
    vendor: str = "Anthropic"
    asked: list[Period] = field(default_factory=list)

    def configured(self, settings: Settings) -> bool:
        return True

    def setup_hint(self) -> str:
        return ""

    def client_config(self, settings: Settings) -> ClientConfig:
        return ClientConfig(base_url="https://api.example.test")

    def cache_variant(self, settings: Settings) -> str:
        return ""

    async def fetch(
        self, client: httpx.AsyncClient, settings: Settings, query: UsageQuery
    ) -> SourceResult:
        self.asked.append(query.period)
        return self.answer(query)

    async def check_keys(self, settings: Settings, connect: ClientFactory) -> list[KeyCheck]:
        return []


@dataclass
class FakeLocal:
    """A local source whose ``collect`` raises ``error``."""

    error: Exception
    provider: ProviderName = "claude"
    kind: SourceKind = "local"

    def available(self, settings: Settings) -> bool:
        return True

    def collect(self, settings: Settings, store: Store, query: UsageQuery) -> SourceResult:
        raise self.error


def run(
    api: FakeApi | None,
    since: datetime,
    until: datetime,
    *,
    offline: bool = False,
    local: list[Any] | None = None,
    now: datetime = NOW,
) -> Collected:
    plan = Plan(
        providers=["claude"],
        kinds=["api", "local"] if local else ["api"],
        refresh=not offline,
        offline=offline,
    )
    query = UsageQuery(period=Period(since=since, until=until))
    if api is None and offline:
        api = FakeApi(raising(AssertionError("fetched while --offline")))
    apis = {"claude": api} if api is not None else {}
    collected = asyncio.run(collect(Settings(), query, plan, apis, local or [], now))  # type: ignore[arg-type]
    if offline:
        assert collected.errors == []
    return collected


def raising(error: Exception) -> Callable[[UsageQuery], SourceResult]:
    def answer(query: UsageQuery) -> SourceResult:
        raise error

    return answer


def fixed(*records: UsageRecord) -> Callable[[UsageQuery], SourceResult]:
    return lambda query: SourceResult(records=records)


def store_path() -> Path:
    return Settings().store_path


# --- 13.11: our faults are not the vendor's -------------------------------------------------


@pytest.mark.parametrize(
    "error",
    [TypeError("unsupported operand"), KeyError("model"), ZeroDivisionError("division by zero")],
    ids=["TypeError", "KeyError", "ArithmeticError"],
)
def test_a_bug_of_ours_is_an_internal_error_that_asks_to_be_reported(
    error: Exception, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, logger="aiusage")

    collected = run(FakeApi(raising(error)), at(1), at(3))

    (failure,) = collected.errors
    assert failure.kind == "internal"
    assert "unexpected shape" not in failure.message
    assert "Anthropic" in failure.message and type(error).__name__ in failure.message
    assert "report" in failure.message and "--debug" in failure.message
    # The traceback is there for --debug (logging at DEBUG), never in the message.
    assert any(r.exc_info and r.exc_info[1] is error for r in caplog.records)


def test_vendor_data_that_fails_validation_is_still_a_bad_response() -> None:
    class Shape(BaseModel):
        count: int

    def answer(query: UsageQuery) -> SourceResult:
        Shape.model_validate({"count": "lots"})
        return SourceResult()

    (failure,) = run(FakeApi(answer), at(1), at(3)).errors

    assert failure.kind == "bad_response"
    assert "count" in failure.message


def test_a_vendor_failure_keeps_its_own_kind_and_message() -> None:
    api = FakeApi(raising(BadResponseError("Anthropic sent a page twice")))

    (failure,) = run(api, at(1), at(3)).errors

    assert (failure.kind, failure.message) == ("bad_response", "Anthropic sent a page twice")


def test_a_broken_store_says_so_with_its_path() -> None:
    path = store_path()
    Store.open(path).close()
    with sqlite3.connect(path) as db:
        db.execute("DROP TABLE usage_records")

    (failure,) = run(FakeApi(fixed(record(at(1)))), at(1), at(3)).errors

    assert failure.kind == "config"
    assert str(path) in failure.message and "store" in failure.message
    assert "unexpected shape" not in failure.message


def test_a_local_permission_problem_names_the_file_not_a_vendor() -> None:
    denied = PermissionError(13, "Permission denied", "/home/u/.claude/projects/a.jsonl")

    collected = run(None, at(1), at(3), local=[FakeLocal(denied)])

    (failure,) = collected.errors
    assert failure.kind == "config"
    assert "/home/u/.claude/projects/a.jsonl" in failure.message
    assert "Permission denied" in failure.message
    assert "unexpected shape" not in failure.message


# --- 13.7: history keeps what the window covers ---------------------------------------------


def test_buckets_outside_the_asked_window_never_reach_history() -> None:
    api = FakeApi(
        fixed(
            record(at(1)),
            record(at(2)),
            record(at(10)),  # after the window: not asked for
            record(datetime(2026, 10, 20, tzinfo=UTC)),  # before it
        )
    )

    collected = run(api, at(1), at(3))

    assert [r.start for r in collected.records] == [at(1), at(2)]
    store = Store.open(store_path())
    everything = Period(since=datetime(2026, 1, 1, tzinfo=UTC), until=at(30))
    stored = store.load_records("claude", "api", "1d", "", everything)
    store.close()
    assert [r.start for r in stored] == [at(1), at(2)]
    assert collected.warnings == []


def test_a_bucket_straddling_the_window_is_left_out_and_said_so() -> None:
    # [Nov 2, Nov 4) reaches past the window [Nov 1, Nov 3); a later fetch of Nov 3 would
    # count Nov 3 twice.
    first = FakeApi(fixed(record(at(1)), record(at(2), at(4), tokens=7)))
    run(first, at(1), at(3))
    second = FakeApi(fixed(record(at(3)), record(at(4))))
    run(second, at(3), at(5))

    both = run(None, at(1), at(5), offline=True)
    collected_first = run(first, at(1), at(3))

    assert sum(r.input_tokens for r in both.records) == 300
    (warning,) = [w.message for w in collected_first.warnings]
    assert "1 Anthropic row" in warning and "left out" in warning


def test_a_row_across_a_bucket_boundary_inside_the_window_is_left_out() -> None:
    # [Nov 1 12:00, Nov 2 12:00) is inside the window but in two day buckets: a later fetch of
    # Nov 2 alone would keep it beside its own Nov 2 rows.
    api = FakeApi(fixed(record(at(1)), record(at(1, 12), at(2, 12))))

    collected = run(api, at(1), at(3))

    assert [r.start for r in collected.records] == [at(1)]
    assert [w.message for w in collected.warnings if "left out" in w.message]


def test_finer_rows_inside_one_bucket_are_kept() -> None:
    # Hourly rows of a daily query (re-cut later at the user's midnights) stay in their day.
    api = FakeApi(fixed(record(at(1, 9), at(1, 10)), record(at(1, 23), at(2))))

    collected = run(api, at(1), at(3))

    assert [r.start for r in collected.records] == [at(1, 9), at(1, 23)]
    assert collected.warnings == []


# --- 13.4: --offline says which part of the period the store covers --------------------------


def test_offline_names_the_covered_span_when_the_store_holds_part_of_the_period() -> None:
    api = FakeApi(fixed(record(at(20)), record(at(21)), record(at(22)), record(at(23))))
    run(api, at(20), at(24))

    november = run(None, at(1), datetime(2026, 12, 1, tzinfo=UTC), offline=True)

    assert len(november.records) == 4
    (warning,) = [w.message for w in november.warnings]
    assert "2026-11-20" in warning and "2026-11-24" in warning
    assert "Anthropic" in warning and "not all" in warning


def test_offline_names_every_covered_span() -> None:
    run(FakeApi(fixed(record(at(3)))), at(3), at(5))
    run(FakeApi(fixed(record(at(20)))), at(20), at(24))

    november = run(None, at(1), datetime(2026, 12, 1, tzinfo=UTC), offline=True)

    (warning,) = [w.message for w in november.warnings]
    assert warning.index("2026-11-03") < warning.index("2026-11-05") < warning.index("2026-11-20")


def test_offline_inside_what_was_fetched_has_no_warning_even_without_usage() -> None:
    run(FakeApi(fixed()), at(1), at(10))
    run(FakeApi(fixed(record(at(12)))), at(10), at(20))

    inside = run(None, at(3), at(15), offline=True)

    assert inside.warnings == []
    assert [r.start for r in inside.records] == [at(12)]


def test_offline_with_nothing_fetched_for_the_period_says_nothing_is_stored() -> None:
    run(FakeApi(fixed(record(at(1)))), at(1), at(3))

    later = run(None, at(10), at(12), offline=True)

    (warning,) = [w.message for w in later.warnings]
    assert "nothing stored" in warning


def test_a_fetch_covers_only_up_to_the_moment_it_was_made() -> None:
    fetched_at = at(25, 14)
    run(FakeApi(fixed(record(at(24)), record(at(25)))), at(24), at(26), now=fetched_at)

    next_day = run(None, at(24), at(26), offline=True, now=at(26, 9))

    (warning,) = [w.message for w in next_day.warnings]
    assert "2026-11-25T14:00" in warning
