"""The prometheus-client collector: metric families built from a snapshot of the store.

Names, types and labels follow ``INTERFACE.md`` ("export and serve"). Money is US dollars
(``_usd``); billed and estimated dollars are separate series of ``aiusage_cost_usd_total``
(label ``cost_kind``), never one sum. Ratios are 0-1, times are Unix seconds.

Types are part of the contract too: a Pushgateway refuses (HTTP 400) a push whose metric has
another type than the same metric pushed by another instance, so changing one would split a team
whose laptops run different versions (it keeps the first HELP text it saw, whatever comes later).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime

from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.registry import Collector, CollectorRegistry
from prometheus_client.samples import Sample

from aiusage import __version__
from aiusage.metrics.health import SourceHealth, SourceId
from aiusage.metrics.readings import BudgetReading, LimitReading
from aiusage.metrics.totals import TOKEN_TYPES, Split, Totals


@dataclass(frozen=True)
class Snapshot:
    """Everything one exposition shows."""

    totals: Totals
    limits: list[LimitReading] = field(default_factory=list)
    budgets: list[BudgetReading] = field(default_factory=list)
    sources: dict[SourceId, SourceHealth] = field(default_factory=dict)
    split: Split | None = None
    version: str = __version__


class AiusageCollector(Collector):
    """Answers each collection from a fresh snapshot (``read`` is called once per scrape)."""

    def __init__(self, read: Callable[[], Snapshot]) -> None:
        self.read = read

    def collect(self) -> Iterator[Metric]:
        snapshot = self.read()
        families = [
            *_counters(snapshot),
            *_limits(snapshot.limits),
            _budgets(snapshot.budgets),
            *_freshness(snapshot.sources),
            _build_info(snapshot.version),
        ]
        yield from (family for family in families if family.samples)


def registry_for(read: Callable[[], Snapshot]) -> CollectorRegistry:
    registry = CollectorRegistry(auto_describe=False)
    registry.register(AiusageCollector(read))
    return registry


def _seconds(moment: datetime) -> float:
    return moment.timestamp()


def _counters(snapshot: Snapshot) -> list[Metric]:
    series = ["provider", "source", "model"]
    if snapshot.split:
        series.append(snapshot.split)
    tokens = CounterMetricFamily(
        "aiusage_tokens",
        "Tokens recorded by aiusage, cumulative since the first record in the store",
        labels=[*series, "type"],
        unit="tokens",
    )
    requests = CounterMetricFamily(
        "aiusage_requests",
        "Requests recorded by aiusage, cumulative since the first record in the store",
        labels=series,
    )
    cost = CounterMetricFamily(
        "aiusage_cost_usd",
        "Cost in US dollars, cumulative since the first record in the store; cost_kind "
        "reported is the vendor's own figure, estimated is computed from list prices",
        labels=[*series, "cost_kind"],
        unit="usd",
    )
    for key in sorted(snapshot.totals):
        tally = snapshot.totals[key]
        values = [key.provider, key.source, key.model]
        if snapshot.split:
            values.append(key.scope)
        if tally.has_tokens:
            for token_type in TOKEN_TYPES:
                tokens.add_metric([*values, token_type], float(tally.tokens[token_type]))
        if tally.requests is not None:
            requests.add_metric(values, float(tally.requests))
        for kind in sorted(tally.cost):
            cost.add_metric([*values, kind], float(tally.cost[kind]))
    return [tokens, requests, cost]


def _limits(readings: list[LimitReading]) -> list[Metric]:
    used = GaugeMetricFamily(
        "aiusage_limit_used_ratio",
        "Fraction (0-1) of a plan window or limit used at the last reading",
        unit="ratio",
    )
    resets = GaugeMetricFamily(
        "aiusage_limit_reset_timestamp_seconds",
        "Unix time the window or limit resets",
        unit="seconds",
    )
    observed = GaugeMetricFamily(
        "aiusage_limit_observed_timestamp_seconds",
        "Unix time the window or limit was last read",
        unit="seconds",
    )
    for reading in readings:
        names = ["provider", "source", "window"]
        values = [reading.provider, reading.source, reading.window]
        if reading.model is not None:
            names.append("model")
            values.append(reading.model)
        labels = dict(zip(names, values, strict=True))
        used.samples.append(_sample(used.name, labels, float(reading.used_ratio)))
        if reading.observed_at is not None:
            observed.samples.append(_sample(observed.name, labels, _seconds(reading.observed_at)))
        if reading.resets_at is not None:
            resets.samples.append(_sample(resets.name, labels, _seconds(reading.resets_at)))
    return [used, resets, observed]


def _sample(name: str, labels: dict[str, str], value: float) -> Sample:
    # The families above take labels per sample: ``model`` is there only for per-model limits.
    return Sample(name, labels, value)


def _budgets(readings: list[BudgetReading]) -> Metric:
    family = GaugeMetricFamily(
        "aiusage_budget_used_ratio",
        "Fraction (0-1) of the monthly budget spent this month (above 1 when over budget)",
        labels=["provider"],
        unit="ratio",
    )
    for reading in readings:
        family.add_metric([reading.provider], float(reading.used_ratio))
    return family


def _freshness(sources: dict[SourceId, SourceHealth]) -> list[Metric]:
    up = GaugeMetricFamily(
        "aiusage_source_up",
        "1 when the last read of the source succeeded, 0 when it failed",
        labels=["provider", "source"],
    )
    last = GaugeMetricFamily(
        "aiusage_last_success_timestamp_seconds",
        "Unix time of the last successful read of the source",
        labels=["provider", "source"],
        unit="seconds",
    )
    for (provider, source), health in sorted(sources.items()):
        if health.up is not None:
            up.add_metric([provider, source], 1.0 if health.up else 0.0)
        if health.last_success is not None:
            last.add_metric([provider, source], _seconds(health.last_success))
    return [up, last]


def _build_info(version: str) -> Metric:
    family = GaugeMetricFamily(
        "aiusage_build_info", "The aiusage version that wrote these metrics", labels=["version"]
    )
    family.add_metric([version], 1.0)
    return family
