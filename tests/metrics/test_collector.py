"""Metric families from a snapshot: names, types, labels, both formats, escaping."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest
from prometheus_client.openmetrics.parser import (
    text_string_to_metric_families as parse_openmetrics,
)
from prometheus_client.parser import text_string_to_metric_families as parse_text

from aiusage import __version__
from aiusage.metrics.collector import Snapshot, registry_for
from aiusage.metrics.exposition import render
from aiusage.metrics.health import SourceHealth
from aiusage.metrics.readings import BudgetReading, LimitReading
from aiusage.metrics.totals import SeriesKey, Tally

SONNET = "claude-sonnet-4-5-20250929"
ODD_MODEL = 'we"ird\\model\nnext line ü 模型'
RESET = datetime(2026, 12, 1, 15, 0, tzinfo=UTC)
SEEN = datetime(2026, 12, 1, 11, 0, tzinfo=UTC)


def tally(tokens: tuple[int, int, int, int], requests: int | None, **cost: str) -> Tally:
    made = Tally()
    made.add_tokens(*tokens)
    made.add_requests(requests)
    for kind, dollars in cost.items():
        made.add_cost(kind, Decimal(dollars))  # type: ignore[arg-type]
    return made


def snapshot(**changes: object) -> Snapshot:
    values: dict[str, object] = {
        "totals": {
            SeriesKey("claude", "api", SONNET, ""): tally(
                (1200, 350, 5000, 800), 12, reported="4.2"
            ),
            SeriesKey("claude", "local", SONNET, ""): tally(
                (10, 300, 1000, 140), 3, estimated="0.01"
            ),
            SeriesKey("cursor", "manual", "", ""): tally((0, 0, 0, 0), None, reported="12.40"),
        },
        "limits": [
            LimitReading("openai", "local", "five_hour", None, Decimal("0.33"), RESET, SEEN),
            LimitReading("claude", "api", "seven_day", "opus", Decimal("0.5"), None, SEEN),
        ],
        "budgets": [BudgetReading("all", Decimal("0.25"))],
        "sources": {
            ("claude", "api"): SourceHealth(up=False, last_success=SEEN),
            ("claude", "local"): SourceHealth(up=True, last_success=SEEN),
            ("openai", "api"): SourceHealth(up=None, last_success=SEEN),
        },
    }
    values.update(changes)
    return Snapshot(**values)  # type: ignore[arg-type]


def samples(text: str) -> dict[tuple[str, frozenset[tuple[str, str]]], float]:
    return {
        (s.name, frozenset(s.labels.items())): s.value
        for family in parse_text(text)
        for s in family.samples
    }


def exposition(snap: Snapshot, output_format: str = "prometheus") -> str:
    return render(registry_for(lambda: snap), output_format).decode()  # type: ignore[arg-type]


def key(name: str, **labels: str) -> tuple[str, frozenset[tuple[str, str]]]:
    return name, frozenset(labels.items())


def test_counters_carry_the_contract_names_and_labels() -> None:
    found = samples(exposition(snapshot()))
    api = {"provider": "claude", "source": "api", "model": SONNET}
    assert found[key("aiusage_tokens_total", **api, type="input")] == 1200
    assert found[key("aiusage_tokens_total", **api, type="output")] == 350
    assert found[key("aiusage_tokens_total", **api, type="cache_read")] == 5000
    assert found[key("aiusage_tokens_total", **api, type="cache_write")] == 800
    assert found[key("aiusage_requests_total", **api)] == 12
    assert found[key("aiusage_cost_usd_total", **api, cost_kind="reported")] == 4.2


def test_billed_and_estimated_dollars_are_separate_series_never_summed() -> None:
    found = samples(exposition(snapshot()))
    costs = {k: v for k, v in found.items() if k[0] == "aiusage_cost_usd_total"}
    assert costs == {
        key("aiusage_cost_usd_total", provider="claude", source="api", model=SONNET,
            cost_kind="reported"): 4.2,
        key("aiusage_cost_usd_total", provider="claude", source="local", model=SONNET,
            cost_kind="estimated"): 0.01,
        key("aiusage_cost_usd_total", provider="cursor", source="manual", model="",
            cost_kind="reported"): 12.4,
    }  # fmt: skip


def test_a_source_without_tokens_or_requests_shows_no_zero_series_for_them() -> None:
    text = exposition(snapshot())
    assert 'aiusage_tokens_total{model="",provider="cursor"' not in text
    assert 'aiusage_requests_total{model="",provider="cursor"' not in text


def test_gauges_give_ratios_times_health_and_version() -> None:
    found = samples(exposition(snapshot()))
    window = {"provider": "openai", "source": "local", "window": "five_hour"}
    assert found[key("aiusage_limit_used_ratio", **window)] == 0.33
    assert found[key("aiusage_limit_reset_timestamp_seconds", **window)] == RESET.timestamp()
    assert found[key("aiusage_limit_observed_timestamp_seconds", **window)] == SEEN.timestamp()
    per_model = {"provider": "claude", "source": "api", "window": "seven_day", "model": "opus"}
    assert found[key("aiusage_limit_used_ratio", **per_model)] == 0.5
    assert key("aiusage_limit_reset_timestamp_seconds", **per_model) not in found
    assert found[key("aiusage_budget_used_ratio", provider="all")] == 0.25
    assert found[key("aiusage_source_up", provider="claude", source="api")] == 0
    assert found[key("aiusage_source_up", provider="claude", source="local")] == 1
    assert key("aiusage_source_up", provider="openai", source="api") not in found
    assert (
        found[key("aiusage_last_success_timestamp_seconds", provider="openai", source="api")]
        == SEEN.timestamp()
    )
    assert found[key("aiusage_build_info", version=__version__)] == 1


def test_types_are_counters_and_gauges_as_the_contract_says() -> None:
    types = {f.name: f.type for f in parse_text(exposition(snapshot()))}
    assert types == {
        "aiusage_tokens": "counter",
        "aiusage_requests": "counter",
        "aiusage_cost_usd": "counter",
        "aiusage_limit_used_ratio": "gauge",
        "aiusage_limit_reset_timestamp_seconds": "gauge",
        "aiusage_limit_observed_timestamp_seconds": "gauge",
        "aiusage_budget_used_ratio": "gauge",
        "aiusage_source_up": "gauge",
        "aiusage_last_success_timestamp_seconds": "gauge",
        "aiusage_build_info": "gauge",
    }


def test_openmetrics_output_passes_the_strict_parser_with_units_and_eof() -> None:
    text = exposition(snapshot(), "openmetrics")
    assert text.endswith("# EOF\n")
    assert "# UNIT aiusage_tokens tokens\n" in text
    assert "# UNIT aiusage_cost_usd usd\n" in text
    families = {f.name: f for f in parse_openmetrics(text)}
    assert families["aiusage_cost_usd"].type == "counter"
    assert families["aiusage_limit_used_ratio"].unit == "ratio"
    sample = next(s for s in families["aiusage_tokens"].samples if s.labels["type"] == "input")
    assert sample.name == "aiusage_tokens_total"


def test_classic_text_has_no_openmetrics_markers() -> None:
    text = exposition(snapshot())
    assert "# EOF" not in text and "# UNIT" not in text


@pytest.mark.parametrize("output_format", ["prometheus", "openmetrics"])
def test_label_values_from_vendors_are_escaped_and_read_back_unchanged(
    output_format: str,
) -> None:
    odd = snapshot(
        totals={SeriesKey("claude", "local", ODD_MODEL, ""): tally((1, 2, 3, 4), 1)},
        limits=[LimitReading("gemini", "api", 'per "day"\\', None, Decimal("0.1"), None, SEEN)],
    )
    text = exposition(odd, output_format)
    assert '\\"ird\\\\model\\nnext line ü 模型' in text
    parse = parse_openmetrics if output_format == "openmetrics" else parse_text
    models = {
        s.labels.get("model") for f in parse(text) for s in f.samples if f.name == "aiusage_tokens"
    }
    windows = {s.labels.get("window") for f in parse(text) for s in f.samples if "limit" in f.name}
    assert models == {ODD_MODEL}
    assert windows == {'per "day"\\'}


def test_an_empty_store_still_exposes_build_info_only() -> None:
    text = exposition(Snapshot(totals={}))
    assert [f.name for f in parse_text(text)] == ["aiusage_build_info"]


def test_an_opted_in_project_label_splits_the_counters() -> None:
    split = snapshot(
        totals={
            SeriesKey("claude", "local", SONNET, "/home/dev/api"): tally((1, 0, 0, 0), 1),
            SeriesKey("claude", "local", SONNET, "/home/dev/web"): tally((2, 0, 0, 0), 1),
        },
        split="project",
    )
    found = samples(exposition(split))
    base = {"provider": "claude", "source": "local", "model": SONNET, "type": "input"}
    assert found[key("aiusage_tokens_total", **base, project="/home/dev/api")] == 1
    assert found[key("aiusage_tokens_total", **base, project="/home/dev/web")] == 2
