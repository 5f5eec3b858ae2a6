"""The table's rows: zone-cut where a record fits the zone's buckets, UTC days said so where not."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

from aiusage.grouping import build_coverage, build_groups, build_totals, overlapping
from aiusage.models import Period, UsageRecord
from aiusage.zones import zone_named

BERLIN = zone_named("Europe/Berlin")


def record(start: datetime, hours: int, source: str = "api", **fields: object) -> UsageRecord:
    values: dict[str, object] = {
        "provider": "claude",
        "source": source,
        "start": start,
        "end": start + timedelta(hours=hours),
        "model": "claude-sonnet-4-5-20250929",
        "output_tokens": 10,
        "cost_usd": Decimal("1.25"),
        "cost_kind": "reported",
    }
    values.update(fields)
    return UsageRecord(**values)


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


def test_hourly_records_are_summed_into_the_zone_s_days() -> None:
    # 22:00 and 23:00 UTC on Nov 24 are Nov 24 23:00 and Nov 25 00:00 in Berlin (CET, +1).
    records = [record(utc(2026, 11, 24, 22), 1), record(utc(2026, 11, 24, 23), 1)]
    groups = build_groups(records, "day", BERLIN)
    assert [(g.key, g.output_tokens, g.bucket_zone) for g in groups] == [
        ("2026-11-24", 10, "Europe/Berlin"),
        ("2026-11-25", 10, "Europe/Berlin"),
    ]


def test_a_vendor_utc_day_keeps_its_utc_day_and_says_so() -> None:
    groups = build_groups([record(utc(2026, 11, 24), 24)], "day", BERLIN)
    assert [(g.key, g.bucket_zone) for g in groups] == [("2026-11-24", "UTC")]
    assert build_groups([record(utc(2026, 11, 24), 24)], "model", BERLIN)[0].bucket_zone == "UTC"


def test_reported_and_estimated_dollars_in_one_row_are_mixed_and_unpriced_is_kept() -> None:
    records = [
        record(utc(2026, 11, 24, 10), 1),
        record(utc(2026, 11, 24, 11), 1, cost_kind="estimated"),
        record(utc(2026, 11, 24, 12), 1, cost_usd=None, cost_kind=None),
    ]
    (group,) = build_groups(records, "model", BERLIN)
    assert group.cost_usd == Decimal("2.50") and group.cost_kind == "mixed" and group.unpriced


def test_totals_never_sum_api_local_and_manual() -> None:
    records = [
        record(utc(2026, 11, 24, 10), 1),
        record(utc(2026, 11, 24, 10), 1, source="local", cost_kind="estimated"),
    ]
    totals = build_totals(records)
    assert [(t.source, t.output_tokens, t.cost_kind) for t in totals] == [
        ("api", 10, "reported"),
        ("local", 10, "estimated"),
    ]


def test_breakdown_rows_follow_their_group_and_add_up_to_it() -> None:
    records = [
        record(utc(2026, 11, 24, 10), 1),
        record(utc(2026, 11, 24, 11), 1, model="claude-opus-4-1-20250805"),
    ]
    groups = build_groups(records, "day", BERLIN, breakdown=True)
    assert [g.model for g in groups] == [
        None,
        "claude-opus-4-1-20250805",
        "claude-sonnet-4-5-20250929",
    ]
    assert groups[0].output_tokens == groups[1].output_tokens + groups[2].output_tokens


def test_coverage_names_the_span_of_whole_vendor_days() -> None:
    period = Period(since=utc(2026, 11, 24, 23), until=utc(2026, 11, 25, 23))
    records = overlapping(
        [
            record(utc(2026, 11, 24), 24),
            record(utc(2026, 11, 25), 24),
            record(utc(2026, 11, 26), 24),
        ],
        period,
    )
    assert len(records) == 2
    (covered,) = build_coverage(records, period, BERLIN)
    assert (covered.since, covered.until, covered.bucket_zone) == (
        utc(2026, 11, 24),
        utc(2026, 11, 26),
        "UTC",
    )
