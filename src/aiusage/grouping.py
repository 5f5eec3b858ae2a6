"""The rows of the report for ``--by`` and ``--breakdown``, its totals and the spans covered.

The table, the JSON ``groups`` and the CSV rows are all these rows, so they cannot disagree.
A record is placed in the chosen zone's bucket when it lies inside one; a vendor's UTC-day record
that straddles the zone's midnight keeps its UTC day, and its row says so (``bucket_zone``).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from typing import cast

from aiusage.models import (
    SOURCE_KINDS,
    Coverage,
    Group,
    GroupBy,
    GroupCostKind,
    Period,
    ProviderName,
    Report,
    SourceKind,
    Total,
    UsageRecord,
)
from aiusage.timebuckets import TIME_UNITS, TimeUnit, bucket_start, fits, label
from aiusage.zones import Zone, zone_named


@dataclass
class Sums:
    """Records summed into one row; cost keeps track of how much of it is known and how."""

    input_tokens: int = 0
    output_tokens: int = 0
    cache_read_tokens: int = 0
    cache_write_tokens: int = 0
    requests: int | None = None
    cost: Decimal = Decimal(0)
    kinds: set[str] = field(default_factory=set)
    unpriced: bool = False

    def add(self, record: UsageRecord) -> None:
        self.input_tokens += record.input_tokens
        self.output_tokens += record.output_tokens
        self.cache_read_tokens += record.cache_read_tokens
        self.cache_write_tokens += record.cache_write_tokens
        if record.requests is not None:
            self.requests = (self.requests or 0) + record.requests
        if record.cost_usd is None:
            self.unpriced = self.unpriced or record.total_tokens > 0
        else:
            self.cost += record.cost_usd
            self.kinds.add(record.cost_kind or "estimated")

    def figures(self) -> dict[str, object]:
        kind: GroupCostKind | None = None
        if self.kinds:
            kind = cast(GroupCostKind, self.kinds.pop() if len(self.kinds) == 1 else "mixed")
        return {
            "input_tokens": self.input_tokens,
            "output_tokens": self.output_tokens,
            "cache_read_tokens": self.cache_read_tokens,
            "cache_write_tokens": self.cache_write_tokens,
            "requests": self.requests,
            "cost_usd": self.cost if kind else None,
            "cost_kind": kind,
            "unpriced": self.unpriced,
        }


def model_label(record: UsageRecord) -> str | None:
    """The model, or ``(web_search)`` for a cost line that names none."""
    return record.model or (f"({record.product})" if record.product else None)


def _dimension(record: UsageRecord, by: GroupBy) -> str | None:
    if by == "model":
        return model_label(record)
    if by == "provider":
        return record.provider
    if by in ("project", "user"):
        return record.scope
    if by == "product":
        return record.product
    return record.session  # by == "session"


@dataclass(frozen=True, order=True)
class _Place:
    """Where a record goes: the sort order of its row, then its identity."""

    order: tuple[object, ...]
    key: str | None
    provider: ProviderName
    source: SourceKind


def in_zone(record: UsageRecord, unit: TimeUnit, zone: Zone) -> bool:
    """True when the record can be placed in one of the zone's buckets of ``unit``.

    Manual entries are placed by their start: they are one observation, not a vendor bucket.
    """
    return record.source == "manual" or fits(record.start, record.end, unit, zone.tz)


def _place(record: UsageRecord, by: GroupBy, zone: Zone) -> tuple[_Place, bool]:
    """The record's row, and whether the record was cut in the zone (else in UTC)."""
    if by in TIME_UNITS:
        unit = by
        exact = in_zone(record, unit, zone)
        tz = zone.tz if exact else UTC
        start = bucket_start(record.start, unit, tz)
        place = _Place(
            order=(start, record.provider, record.source, not exact),
            key=label(start, unit, tz),
            provider=record.provider,
            source=record.source,
        )
        return place, exact
    key = _dimension(record, by)
    place = _Place(
        order=(record.provider, record.source, key is None, key or ""),
        key=key,
        provider=record.provider,
        source=record.source,
    )
    return place, in_zone(record, "day", zone)


def build_groups(
    records: Iterable[UsageRecord], by: GroupBy, zone: Zone, breakdown: bool = False
) -> list[Group]:
    """The table's rows, in order; with ``breakdown`` each row is followed by its models."""
    rows: dict[_Place, Sums] = {}
    models: dict[_Place, dict[tuple[bool, str], Sums]] = {}
    cut_in_utc: set[_Place] = set()
    for record in records:
        place, exact = _place(record, by, zone)
        if not exact:
            cut_in_utc.add(place)
        rows.setdefault(place, Sums()).add(record)
        if breakdown and by != "model":
            name = model_label(record)
            per_model = models.setdefault(place, {})
            per_model.setdefault((name is None, name or ""), Sums()).add(record)
    groups: list[Group] = []
    for place, sums in sorted(rows.items(), key=lambda item: item[0].order):
        common = {
            "by": by,
            "key": place.key,
            "provider": place.provider,
            "source": place.source,
            "bucket_zone": "UTC" if place in cut_in_utc else zone.name,
        }
        groups.append(Group(**common, **sums.figures()))
        for (_, name), model_sums in sorted(models.get(place, {}).items()):
            groups.append(
                Group(
                    **common,
                    model=name or None,
                    **model_sums.figures(),
                )
            )
    return groups


def build_totals(records: Iterable[UsageRecord]) -> list[Total]:
    """One total per source kind present, in the order api, local, manual."""
    sums: dict[SourceKind, Sums] = {}
    for record in records:
        sums.setdefault(record.source, Sums()).add(record)
    return [Total(source=kind, **sums[kind].figures()) for kind in SOURCE_KINDS if kind in sums]


def build_coverage(records: Iterable[UsageRecord], period: Period, zone: Zone) -> list[Coverage]:
    """The span of each API source's buckets where it is not the period asked for."""
    spans: dict[tuple[ProviderName, SourceKind], tuple[datetime, datetime, bool]] = {}
    for record in records:
        if record.source != "api":
            continue
        exact = in_zone(record, "day", zone)
        key = (record.provider, record.source)
        start, end, all_exact = spans.get(key, (record.start, record.end, True))
        spans[key] = (min(start, record.start), max(end, record.end), all_exact and exact)
    return [
        Coverage(
            provider=provider,
            source=source,
            since=start,
            until=end,
            bucket_zone=zone.name if exact else "UTC",
        )
        for (provider, source), (start, end, exact) in sorted(spans.items())
        if start < period.since or end > period.until
    ]


def overlapping(records: Iterable[UsageRecord], period: Period) -> list[UsageRecord]:
    """The records whose bucket overlaps the period (a source may hold wider buckets)."""
    return [r for r in records if r.end > period.since and r.start < period.until]


def with_rows(report: Report) -> Report:
    """The report with its groups, totals and coverage, built from its records if missing."""
    if report.groups or not report.records:
        return report
    zone = zone_named(report.timezone)
    period = Period(since=report.since, until=report.until)
    return report.model_copy(
        update={
            "groups": tuple(build_groups(report.records, report.group_by, zone, report.breakdown)),
            "totals": tuple(build_totals(report.records)),
            "coverage": tuple(build_coverage(report.records, period, zone)),
        }
    )
