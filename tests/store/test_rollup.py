"""API history summed by the store gives exactly the rows, totals and spans its records give."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest

from aiusage.grouping import build_coverage, build_groups, build_totals
from aiusage.models import GroupBy, Period, SourceResult, UsageQuery, UsageRecord
from aiusage.store import Store
from aiusage.store.rollup import Rollup, rolled_up_records
from aiusage.zones import zone_named

HOUR = timedelta(hours=1)
DAY = timedelta(days=1)
SINCE = datetime(2026, 3, 20, tzinfo=UTC)  # across Europe's change to summer time (Mar 29)
UNTIL = SINCE + 20 * DAY
NOW = UNTIL + DAY
MODELS = ("claude-sonnet-4-5", "claude-opus-4-1", None)
PRODUCTS = (None, "web_search")
SCOPES = ("wrkspc_a", "wrkspc_b", None)


def hourly_records(seed: int) -> list[UsageRecord]:
    """Hours with every field varied: costs reported, estimated or unknown, requests or not."""
    rng = random.Random(seed)
    records = []
    start = SINCE
    while start < UNTIL:
        for model in MODELS:
            for scope in SCOPES:
                if rng.random() < 0.3:
                    continue
                product = None if model else rng.choice(PRODUCTS[1:])
                kind = rng.choice(("reported", "estimated", None))
                cost = None if kind is None else Decimal(rng.randrange(0, 10**7)) / 10**7
                records.append(
                    UsageRecord(
                        provider="claude",
                        source="api",
                        start=start,
                        end=start + HOUR,
                        model=model,
                        scope=scope,
                        product=product,
                        input_tokens=rng.randrange(0, 10**6),
                        output_tokens=rng.randrange(0, 10**5),
                        cache_read_tokens=rng.randrange(0, 10**6),
                        cache_write_tokens=rng.randrange(0, 10**4),
                        requests=rng.choice((None, rng.randrange(0, 100))),
                        cost_usd=cost,
                        cost_kind=kind,
                    )
                )
        start += HOUR
    return records


def stored(tmp_path: Path, records: list[UsageRecord], granularity: str) -> Store:
    store = Store.open(tmp_path / "aiusage.sqlite3")
    window = Period(since=SINCE, until=UNTIL)
    query = UsageQuery(period=window, granularity=granularity)
    store.save_fetch("k", "claude", "api", query, window, SourceResult(records=tuple(records)), NOW)
    return store


def rows(records: list[UsageRecord], by: GroupBy, zone_name: str, breakdown: bool) -> object:
    zone = zone_named(zone_name)
    period = Period(since=SINCE + 2 * DAY, until=UNTIL - 2 * DAY)
    return (
        build_groups(records, by, zone, breakdown),
        build_totals(records),
        build_coverage(records, period, zone),
    )


@pytest.mark.parametrize("zone_name", ["UTC", "Europe/Berlin", "Asia/Kolkata"])
@pytest.mark.parametrize(
    ("by", "breakdown"),
    [("day", False), ("day", True), ("week", True), ("month", False), ("model", False),
     ("project", True), ("product", False), ("provider", False)],
)  # fmt: skip
def test_summed_hours_give_the_same_rows_totals_and_spans(
    tmp_path: Path, zone_name: str, by: GroupBy, breakdown: bool
) -> None:
    store = stored(tmp_path, hourly_records(7), "1h")
    window = Period(since=SINCE, until=UNTIL)
    every = store.load_records("claude", "api", "1h", "", window)
    rollup = Rollup(unit="day", zone=zone_named(zone_name).tz, by_scope=by == "project")
    summed = rolled_up_records(store.db, ("claude", "api", "1h", ""), window, rollup)
    assert len(summed) < len(every) / 3
    assert rows(summed, by, zone_name, breakdown) == rows(every, by, zone_name, breakdown)


def test_utc_days_cut_by_the_zones_midnight_are_kept_whole(tmp_path: Path) -> None:
    days = [
        UsageRecord(provider="claude", source="api", start=SINCE + n * DAY,
                    end=SINCE + (n + 1) * DAY, model="m", input_tokens=n + 1,
                    cost_usd=Decimal("0.1"), cost_kind="reported")
        for n in range(20)
    ]  # fmt: skip
    store = stored(tmp_path, days, "1d")
    window = Period(since=SINCE, until=UNTIL)
    berlin = zone_named("Europe/Berlin")
    summed = rolled_up_records(
        store.db, ("claude", "api", "1d", ""), window, Rollup("day", berlin.tz, False)
    )
    assert summed == store.load_records("claude", "api", "1d", "", window)


def test_dollars_are_summed_exactly(tmp_path: Path) -> None:
    tenths = [
        UsageRecord(provider="claude", source="api", start=SINCE + n * HOUR,
                    end=SINCE + (n + 1) * HOUR, model="m", cost_usd=Decimal("0.1"),
                    cost_kind="reported")
        for n in range(24)
    ]  # fmt: skip
    store = stored(tmp_path, tenths, "1h")
    (day,) = rolled_up_records(
        store.db,
        ("claude", "api", "1h", ""),
        Period(since=SINCE, until=SINCE + DAY),
        Rollup("day", UTC, False),
    )
    assert day.cost_usd == Decimal("2.4")  # 0.1 summed 24 times as floats is 2.4000000000000004
    assert (day.start, day.end) == (SINCE, SINCE + DAY)


def test_only_a_report_that_lists_every_record_reads_them_all() -> None:
    from aiusage.commands.report import ReportRequest, rollup_for

    utc = zone_named("UTC")
    assert rollup_for(ReportRequest(output_format="json", group_by="month"), utc) is None
    assert rollup_for(ReportRequest(group_by="hour"), utc) is None
    assert rollup_for(ReportRequest(output_format="csv", group_by="project"), utc) == Rollup(
        "day", utc.tz, by_scope=True
    )
    assert rollup_for(ReportRequest(group_by="model"), utc) == Rollup("day", utc.tz, False)
