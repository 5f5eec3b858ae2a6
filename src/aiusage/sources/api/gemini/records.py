"""Gemini time series summed into per-bucket, per-model records with estimated cost.

The quota metrics repeat the same usage once per ``limit_name``: the copies are compared, never
added. Monitoring has no cache split, so all input is counted (and priced) as ordinary input.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from aiusage.models import Granularity, Period, UsageRecord
from aiusage.periods import BUCKET, floor
from aiusage.pricing import estimate_cost
from aiusage.sources.api.gemini.metrics import (
    GEMINI_API,
    OUTPUT_TOKENS,
    QUOTA_METRICS,
    VERTEX,
    VERTEX_REQUESTS,
    Fetched,
    QuotaMetric,
    clean_model,
)


def bucket_of(moment: datetime, granularity: Granularity) -> datetime:
    """The bucket an aligned point belongs to: the one that ends at (or contains) its end."""
    return floor(moment - timedelta(microseconds=1), granularity)


def price_names(model: str) -> list[str]:
    """Names to look a Monitoring model label up under; Monitoring drops ``-preview``."""
    return [model] if model.endswith("-preview") else [model, f"{model}-preview"]


@dataclass
class _Tally:
    input: int = 0
    output: int = 0
    requests: int = 0
    has_requests: bool = False


Key = tuple[datetime, str, str]  # bucket start, model, product


@dataclass
class Totals:
    """Per bucket, model and product; plus what the user should be told."""

    tallies: dict[Key, _Tally] = field(default_factory=lambda: defaultdict(_Tally))
    tiers: set[str] = field(default_factory=set)
    other_publishers: set[str] = field(default_factory=set)


def _add_quota_metric(
    totals: Totals, metric: QuotaMetric, fetched: Fetched, granularity: Granularity
) -> None:
    # The same usage comes back once per limit_name: keep the largest copy, never the sum.
    copies: dict[tuple[datetime, str], dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for series in fetched.series:
        model = clean_model(series.label("model"))
        limit_name = series.label("limit_name")
        for point in series.points:
            key = (bucket_of(point.interval.end_time, granularity), model)
            copies[key][limit_name] += point.value.number
    for (start, model), by_limit in copies.items():
        value = max(by_limit.values())
        if value:
            totals.tiers.add(metric.tier)
        counts = totals.tallies[(start, model, GEMINI_API)]
        if metric.counts == "input":
            counts.input += value
        else:
            counts.requests += value
            counts.has_requests = True


def _add_simple(
    totals: Totals, fetched: Fetched, granularity: Granularity, product: str, model_label: str
) -> None:
    metric = fetched.query.metric
    for series in fetched.series:
        publisher = series.label("publisher")
        if product == VERTEX and publisher not in ("", "google"):
            totals.other_publishers.add(publisher)
            continue
        model = clean_model(series.label(model_label))
        kind = series.label("type")  # Vertex token_count: "input" or "output"
        for point in series.points:
            start = bucket_of(point.interval.end_time, granularity)
            counts = totals.tallies[(start, model, product)]
            value = point.value.number
            if metric == VERTEX_REQUESTS:
                counts.requests += value
                counts.has_requests = True
            elif metric == OUTPUT_TOKENS or kind == "output":
                counts.output += value
            elif kind == "input":
                counts.input += value


def tally(fetched: Iterable[Fetched], granularity: Granularity) -> Totals:
    totals = Totals()
    quota_metrics = {m.usage: m for m in QUOTA_METRICS}
    for one in fetched:
        metric = one.query.metric
        if metric in quota_metrics:
            _add_quota_metric(totals, quota_metrics[metric], one, granularity)
        elif metric == OUTPUT_TOKENS:
            _add_simple(totals, one, granularity, GEMINI_API, "model")
        else:
            _add_simple(totals, one, granularity, VERTEX, "model_user_id")
    return totals


def build_records(
    totals: Totals, period: Period, granularity: Granularity, scope: str | None
) -> tuple[list[UsageRecord], set[str]]:
    """Records inside the period, cost estimated; and the models without a published price."""
    records: list[UsageRecord] = []
    unpriced: set[str] = set()
    for (start, model, product), t in sorted(totals.tallies.items()):
        if not period.since <= start < period.until:
            continue
        if not (t.input or t.output or t.requests):
            continue
        name, cost = model, None
        for candidate in price_names(model) if model else []:
            cost = estimate_cost(
                "gemini", candidate, input_tokens=t.input, output_tokens=t.output, at=start
            )
            if cost is not None:
                name = candidate
                break
        if cost is None:
            unpriced.add(model or "(no model label)")
        records.append(
            UsageRecord(
                provider="gemini",
                source="api",
                start=start,
                end=start + BUCKET[granularity],
                model=name or None,
                scope=scope,
                product=product,
                input_tokens=t.input,
                output_tokens=t.output,
                requests=t.requests if t.has_requests else None,
                cost_usd=cost,
                cost_kind="estimated" if cost is not None else None,
            )
        )
    return records, unpriced
