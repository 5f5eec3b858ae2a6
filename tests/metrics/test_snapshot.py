"""Snapshots of a store that changes under a running exporter."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from aiusage.errors import ConfigError
from aiusage.metrics.health import HealthBook
from aiusage.metrics.snapshot import SnapshotReader
from aiusage.metrics.totals import SeriesKey, Totals, read_totals
from aiusage.models import UsageRecord
from aiusage.settings import Settings
from aiusage.store import Store
from tests.metrics.stored import save

DAY = datetime(2026, 11, 2, tzinfo=UTC)
KEY = SeriesKey("openai", "api", "gpt-5", "")


@pytest.fixture
def settings(isolated_environment: Path) -> Iterator[Settings]:
    made = Settings()
    Store.open(made.store_path).close()
    yield made


def add(settings: Settings, day: int, tokens: int) -> None:
    """What another aiusage process does: open the store, commit, close."""
    start = DAY + timedelta(days=day)
    record = UsageRecord(
        provider="openai", source="api", start=start, end=start + timedelta(days=1),
        model="gpt-5", input_tokens=tokens,
    )  # fmt: skip
    store = Store.open(settings.store_path)
    try:
        save(store, [record], "1d", None, DAY)
    finally:
        store.close()


def inputs(reader: SnapshotReader) -> int:
    tally = reader().totals.get(KEY)
    return 0 if tally is None else tally.tokens["input"]


def test_a_one_shot_reader_sees_every_commit_at_once(settings: Settings) -> None:
    reader = SnapshotReader(settings, HealthBook())
    add(settings, 0, 100)
    assert inputs(reader) == 100
    add(settings, 1, 20)
    assert inputs(reader) == 120


def test_a_serving_reader_answers_at_once_and_catches_up_in_the_background(
    settings: Settings,
) -> None:
    reader = SnapshotReader(settings, HealthBook(), background=True)
    add(settings, 0, 100)
    assert inputs(reader) == 100  # nothing summed yet: the first sum is made in the scrape
    add(settings, 1, 20)
    first = inputs(reader)
    assert first in (100, 120)  # the previous sum, unless the new one was already done
    deadline = time.monotonic() + 30
    while inputs(reader) != 120:
        assert time.monotonic() < deadline, "the new sum never arrived"
        time.sleep(0.05)


def test_an_unchanged_store_is_not_summed_again(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    add(settings, 0, 100)
    reader = SnapshotReader(settings, HealthBook())
    sums: list[int] = []
    real = read_totals

    def counted(*args: Any, **kwargs: Any) -> Totals:
        sums.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr("aiusage.metrics.snapshot.read_totals", counted)
    for _ in range(3):
        assert inputs(reader) == 100
    assert len(sums) == 1


def test_health_check_of_a_missing_store_is_a_config_error(isolated_environment: Path) -> None:
    reader = SnapshotReader(Settings(), HealthBook())
    with pytest.raises(ConfigError, match="cannot read the store"):
        reader.check()
