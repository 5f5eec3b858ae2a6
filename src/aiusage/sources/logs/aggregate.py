"""Counted local lines summed by SQL into hourly or daily records, priced with genai-prices.

Long-context tiers are decided per request: a request whose input side (uncached input, cache
reads and cache writes) reaches a model's first tier is priced alone with ``single_request``;
the rest of a bucket is priced at base rates on its sums, which is exact because base prices
are linear.
"""

from __future__ import annotations

import itertools
from bisect import bisect_left, bisect_right
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from typing import TYPE_CHECKING

from aiusage.models import Granularity, ProviderName, UsageQuery, UsageRecord
from aiusage.pricing import estimate_cost, tier_starts
from aiusage.sources.logs import tables
from aiusage.timebuckets import TimeUnit, boundaries
from aiusage.zones import zone_named

if TYPE_CHECKING:
    from aiusage.store import Store

HOUR_MS = tables.HOUR_MS


def tier_of(provider: str, model: str, side: int) -> int:
    """0 for base prices, else which tier a request of this input side falls in.

    genai-prices applies a tier when the input is *above* its start, to every token.
    """
    return bisect_left(tier_starts(provider, model), side)


@dataclass
class Tokens:
    """Summed tokens of one group of requests, in our non-overlapping fields."""

    input: int = 0
    output: int = 0
    cache_read: int = 0
    cache_write: int = 0
    cache_write_1h: int = 0
    requests: int = 0

    def add(self, values: Sequence[int], sign: int = 1) -> None:
        self.input += sign * values[0]
        self.output += sign * values[1]
        self.cache_read += sign * values[2]
        self.cache_write += sign * values[3]
        self.cache_write_1h += sign * values[4]
        self.requests += sign * (values[5] if len(values) > 5 else 1)

    @property
    def total(self) -> int:
        return self.input + self.output + self.cache_read + self.cache_write


def price(
    provider: str, model: str, tokens: Tokens, *, single: bool = False, at: datetime | None = None
) -> Decimal | None:
    return estimate_cost(
        provider,
        model or None,
        input_tokens=tokens.input,
        output_tokens=tokens.output,
        cache_read_tokens=tokens.cache_read,
        cache_write_tokens=tokens.cache_write,
        cache_write_1h_tokens=tokens.cache_write_1h,
        single_request=single,
        at=at,
    )


@dataclass
class Priced:
    """A group's tokens and cost; ``cost`` None as soon as one part has no price."""

    tokens: Tokens = field(default_factory=Tokens)
    cost: Decimal | None = Decimal(0)

    def add_cost(self, value: Decimal | None) -> None:
        self.cost = None if value is None or self.cost is None else self.cost + value


def price_groups(
    provider: str,
    groups: dict[tuple[int, str, str], Tokens],
    long_rows: Iterable[tuple[int, str, str, int, Sequence[int]]],
) -> dict[tuple[int, str, str], Priced]:
    """Price grouped sums; ``long_rows`` (bucket, model, scope, ts, tokens) above a tier apart.

    Above a tier every token of a request pays that tier's rate, so the requests of a group
    that fall in the same tier are priced together when their sum stays in that tier (always
    for the top tier); otherwise each is priced alone.
    """
    priced = {key: Priced(tokens=tokens) for key, tokens in groups.items()}
    base = {key: Tokens(**vars(tokens)) for key, tokens in groups.items()}
    tiered: dict[tuple[tuple[int, str, str], int], list[tuple[int, Sequence[int]]]] = {}
    for bucket, model, scope, ts, values in long_rows:
        tier = tier_of(provider, model, values[0] + values[2] + values[3])
        if tier:
            key = (bucket, model, scope)
            tiered.setdefault((key, tier), []).append((ts, values))
            base[key].add(values, sign=-1)
    for (key, tier), rows in tiered.items():
        together = Tokens()
        for _, values in rows:
            together.add(values)
        side = together.input + together.cache_read + together.cache_write
        parts = [(rows[0][0], together)]
        if tier_of(provider, key[1], side) != tier:
            parts = [(ts, _tokens_of(values)) for ts, values in rows]
        for ts, tokens in parts:
            at = datetime.fromtimestamp(ts / 1000, UTC)
            priced[key].add_cost(price(provider, key[1], tokens, single=True, at=at))
    for key, rest in base.items():
        if rest.total or rest.requests:
            priced[key].add_cost(price(provider, key[1], rest))
    return priced


def _tokens_of(values: Sequence[int]) -> Tokens:
    tokens = Tokens()
    tokens.add(values)
    return tokens


@dataclass
class Aggregate:
    records: list[UsageRecord]
    warnings: list[str]


def load_records(store: Store, provider: ProviderName, query: UsageQuery, tool: str) -> Aggregate:
    """Records of the query's period from the counted lines of one tool, cut exactly.

    Buckets are the days (or hours) of the query's time zone, and the first and last bucket are
    cut at the period's own ends. Whole hours inside a bucket are read from ``local_hourly``;
    an hour that a boundary cuts (a period starting at 09:40, midnight in Asia/Kolkata) is read
    request by request from ``local_lines``.
    """

    notes: list[str] = []
    granularity: Granularity = "1d" if query.granularity == "1d" else "1h"
    if query.granularity == "1m":
        notes.append(f"{tool} logs are summed per hour: --granularity 1m shows hourly buckets")
    unit: TimeUnit = "day" if granularity == "1d" else "hour"
    edges = [
        round(edge.timestamp() * 1000)
        for edge in boundaries(query.period, unit, zone_named(query.timezone).tz)
    ]
    since, until = edges[0], edges[-1]
    by_scope = query.dimension in (None, "project")
    groups: dict[tuple[int, str, str], Tokens] = {}
    if not query.by_session:
        buckets = list(itertools.pairwise(edges))
        for bucket, model, scope_value, *sums in tables.hourly_sums(
            store.db, provider, buckets, by_scope
        ):
            tokens = Tokens()
            tokens.add(sums)
            groups[(bucket, model, scope_value)] = tokens
        cut_hours = sorted({edge - edge % HOUR_MS for edge in edges if edge % HOUR_MS})
        spans = [(max(hour, since), min(hour + HOUR_MS, until)) for hour in cut_hours]
    else:
        # Sessions are kept per request only.
        spans = [(since, until)]
    for lo, hi in spans:
        for ts, model, scope_value, session_value, *values in tables.counted_lines(
            store.db, provider, lo, hi, by_scope, query.by_session
        ):
            bucket = edges[bisect_right(edges, ts) - 1]
            key = (bucket, model, _joined(scope_value, session_value))
            groups.setdefault(key, Tokens()).add(values)
    long_rows: list[tuple[int, str, str, int, Sequence[int]]] = []
    for model in sorted({key[1] for key in groups}):
        starts = tier_starts(provider, model) if model else ()
        if not starts:
            continue
        for ts, scope_value, session_value, *values in tables.long_requests(
            store.db, provider, model, since, until, starts[0], by_scope, query.by_session
        ):
            bucket = edges[bisect_right(edges, ts) - 1]
            key_scope = _joined(scope_value, session_value)
            long_rows.append((bucket, model, key_scope, ts, values))
    priced = price_groups(provider, groups, long_rows)
    ends = dict(itertools.pairwise(edges))
    records = [
        _record(provider, key, value, ends[key[0]], query.by_session)
        for key, value in sorted(priced.items())
    ]
    notes.extend(_pricing_notes(records, tool))
    return Aggregate(records=records, warnings=notes)


# With --by session a group's scope slot carries "scope<US>session" (US: unit separator).
_SEPARATOR = "\x1f"


def _joined(scope: str, session: str) -> str:
    return f"{scope}{_SEPARATOR}{session}" if session else scope


def _record(
    provider: ProviderName,
    key: tuple[int, str, str],
    priced: Priced,
    end_ms: int,
    by_session: bool = False,
) -> UsageRecord:
    bucket, model, joined = key
    scope, _, session = joined.partition(_SEPARATOR)
    tokens = priced.tokens
    return UsageRecord(
        provider=provider,
        source="local",
        start=datetime.fromtimestamp(bucket / 1000, UTC),
        end=datetime.fromtimestamp(end_ms / 1000, UTC),
        model=model or None,
        scope=scope or None,
        session=(session or None) if by_session else None,
        input_tokens=tokens.input,
        output_tokens=tokens.output,
        cache_read_tokens=tokens.cache_read,
        cache_write_tokens=tokens.cache_write,
        requests=tokens.requests,
        cost_usd=priced.cost,
        cost_kind=None if priced.cost is None else "estimated",
    )


def _pricing_notes(records: Iterable[UsageRecord], tool: str) -> list[str]:
    unpriced: dict[str, int] = defaultdict(int)
    nameless = 0
    for record in records:
        if record.cost_usd is not None or not record.total_tokens:
            continue
        if record.model is None:
            nameless += record.requests or 0
        else:
            unpriced[record.model] += record.total_tokens
    notes = []
    if unpriced:
        names = ", ".join(sorted(unpriced))
        notes.append(f"no published price for {names}: tokens counted, cost unknown")
    if nameless:
        notes.append(
            f"{nameless} {tool} calls name no model in their log: tokens counted, cost unknown"
        )
    return notes
