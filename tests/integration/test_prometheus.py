"""A real Prometheus scrapes ``aiusage serve``: it holds exactly the report's numbers, and every
panel of the Grafana dashboard finds data."""

from __future__ import annotations

import json
import re
import time
from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any, TypeVar

import httpx
import pytest

from tests.e2e.conftest import AIUSAGE, Cli
from tests.e2e.fake_vendors import FakeVendors
from tests.integration.local_logs import ODD_MODEL, write_local_logs
from tests.integration.stack import (
    Daemon,
    answers,
    daemon,
    free_port,
    label_values,
    prometheus,
    query,
    wait_for,
)

pytestmark = pytest.mark.e2e
T = TypeVar("T")

DASHBOARD = Path(__file__).parents[2] / "contrib" / "grafana" / "aiusage.json"
UTC_ENV = {"AIUSAGE_TIMEZONE": "UTC"}
EVERY_SOURCE = {
    ("claude", "api"), ("openai", "api"), ("cursor", "api"), ("gemini", "api"),
    ("claude", "local"), ("openai", "local"), ("cursor", "manual"),
}  # fmt: skip
TOKEN_FIELDS = {
    "input": "input_tokens",
    "output": "output_tokens",
    "cache_read": "cache_read_tokens",
    "cache_write": "cache_write_tokens",
}


@dataclass
class Stack:
    cli: Cli
    serve: Daemon
    prometheus: Daemon


def sources_up(server: Daemon) -> set[tuple[str, str]] | None:
    found = {
        (s["metric"]["provider"], s["metric"]["source"])
        for s in query(server, "aiusage_source_up == 1")
    }
    return found if found >= EVERY_SOURCE else None


def two_samples_of_every_series(server: Daemon) -> bool | None:
    """``increase()`` and ``rate()`` need two samples of a series in their range."""
    for counter in ("aiusage_tokens_total", "aiusage_cost_usd_total"):
        fewest = query(server, f"min(count_over_time({counter}[1h]))")
        if not fewest or float(fewest[0]["value"][1]) < 2:
            return None
    return True


@pytest.fixture(scope="module")
def stack(fake_server: FakeVendors, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    fake_server.reset()
    root = tmp_path_factory.mktemp("prometheus-stack")
    cli = Cli(fake_server, root / "cli")
    write_local_logs(cli.home, datetime.now(UTC))
    cli.run("budget", "set", "--monthly", "250", env=UTC_ENV)
    port = free_port()
    args = [str(AIUSAGE), "serve", "--port", str(port)]
    with daemon("aiusage serve", args, root, port, cli.env(**UTC_ENV)) as serve:
        wait_for("aiusage serve", answers(f"{serve.url}/healthz"), [serve])
        with prometheus(root, serve_port=port) as server:
            wait_for("every source up in Prometheus", lambda: sources_up(server),
                     [serve, server], timeout=90)  # fmt: skip
            wait_for("two scrapes of every series", lambda: two_samples_of_every_series(server),
                     [serve, server])  # fmt: skip
            yield Stack(cli, serve, server)


def report_document(cli: Cli) -> dict[str, Any]:
    run = cli.run(
        "report", "--offline", "--since", "2000-01-01", "--until", "2100-01-01",
        "--format", "json", env=UTC_ENV,
    )  # fmt: skip
    assert run.code == 0, run
    return run.document()


def settled(read: Callable[[], T], expected: T, timeout: float = 60) -> T:
    """What ``read`` returns once it equals ``expected``, or at the deadline (then it differs).

    ``aiusage serve`` sums a changed store in the background and Prometheus scrapes every 2 s,
    so the numbers of a refresh reach Prometheus a few seconds after the store has them.
    """
    deadline = time.monotonic() + timeout
    while True:
        found = read()
        if found == expected or time.monotonic() > deadline:
            return found
        time.sleep(0.5)


def prometheus_tokens(server: Daemon) -> dict[tuple[str, str, str | None, str], int]:
    return {
        (m["provider"], m["source"], m.get("model"), m["type"]): int(float(value))
        for m, (_, value) in (
            (s["metric"], s["value"]) for s in query(server, "aiusage_tokens_total")
        )
        if float(value)
    }


def test_prometheus_holds_exactly_the_reports_tokens_per_provider_and_model(stack: Stack) -> None:
    records = report_document(stack.cli)["records"]
    counted: dict[tuple[str, str, str | None, str], int] = defaultdict(int)
    for r in records:
        for token_type, field in TOKEN_FIELDS.items():
            counted[(r["provider"], r["source"], r["model"], token_type)] += int(r[field])
    expected = {k: v for k, v in counted.items() if v}
    found = settled(lambda: prometheus_tokens(stack.prometheus), expected)
    assert found == expected
    assert {k[0] for k in found} == {"claude", "openai", "cursor", "gemini"}
    assert ("claude", "local", ODD_MODEL, "output") in found  # escaped and read back intact


def test_prometheus_holds_exactly_the_reports_dollars_per_cost_kind(stack: Stack) -> None:
    records = report_document(stack.cli)["records"]
    expected: dict[tuple[str, str, str | None, str], Decimal] = defaultdict(Decimal)
    for r in records:
        if r["cost_usd"] is not None:
            key = (r["provider"], r["source"], r["model"], r["cost_kind"])
            expected[key] += Decimal(str(r["cost_usd"]))

    def dollars() -> dict[tuple[str, str, str | None, str], float]:
        return {
            (s["metric"]["provider"], s["metric"]["source"], s["metric"].get("model"),
             s["metric"]["cost_kind"]): float(s["value"][1])
            for s in query(stack.prometheus, "aiusage_cost_usd_total")
        }  # fmt: skip

    # Prometheus keeps float64: the exact decimal sum, rounded once to the nearest double.
    as_floats = {k: float(v) for k, v in expected.items()}
    found = settled(dollars, as_floats)
    assert found == as_floats
    kinds = {k[3] for k in found}
    assert kinds == {"reported", "estimated"}
    # An unpriced model shows its tokens but no dollar series (never $0).
    assert not any(k[2] == ODD_MODEL for k in found)


def test_prometheus_scrapes_openmetrics_and_the_target_is_up(stack: Stack) -> None:
    targets = httpx.get(f"{stack.prometheus.url}/api/v1/targets", timeout=10).json()
    (target,) = targets["data"]["activeTargets"]
    assert target["health"] == "up", target
    assert query(stack.prometheus, 'up{job="aiusage"}')[0]["value"][1] == "1"
    # What Prometheus 2.42 asks for, it gets.
    accept = "application/openmetrics-text;version=1.0.0,text/plain;version=0.0.4;q=0.5"
    answer = httpx.get(f"{stack.serve.url}/metrics", headers={"Accept": accept}, timeout=10)
    assert answer.headers["content-type"].startswith("application/openmetrics-text")
    assert answer.text.endswith("# EOF\n")


def test_limits_budgets_and_freshness_reach_prometheus(stack: Stack) -> None:
    codex = {
        s["metric"]["window"]: float(s["value"][1])
        for s in query(stack.prometheus, 'aiusage_limit_used_ratio{provider="openai"}')
    }
    assert codex == {"five_hour": 0.42, "seven_day": 0.125}
    hours = query(
        stack.prometheus,
        '(aiusage_limit_reset_timestamp_seconds{provider="openai",window="five_hour"} - time())'
        " / 3600",
    )
    assert 2.5 < float(hours[0]["value"][1]) <= 3
    (budget,) = query(stack.prometheus, 'aiusage_budget_used_ratio{provider="all"}')
    assert float(budget["value"][1]) > 0
    ages = query(stack.prometheus, "time() - aiusage_last_success_timestamp_seconds")
    assert ages and all(float(s["value"][1]) < 600 for s in ages)


def test_no_key_reaches_prometheus(stack: Stack) -> None:
    names = httpx.get(f"{stack.prometheus.url}/api/v1/label/__name__/values", timeout=10).json()
    everything = json.dumps(
        [query(stack.prometheus, f"{{__name__={json.dumps(n)}}}") for n in names["data"]]
    )
    for key in stack.cli.fake.keys.values():
        assert key not in everything
    assert "/home/dev" not in everything and "@" not in everything


GRAFANA_VARIABLES = {
    "$__range": "1h",
    "$__rate_interval": "1m",
    "$__interval": "15s",
    "$provider": ".*",
}


def grafana_expr(expr: str) -> str:
    """The PromQL Grafana would send: its variables replaced as a dashboard with "All" would."""
    for name, value in GRAFANA_VARIABLES.items():
        expr = expr.replace(name, value)
    assert "$" not in expr, expr
    return expr


def panels(dashboard: dict[str, Any]) -> list[dict[str, Any]]:
    found = []
    for panel in dashboard["panels"]:
        found.extend(panel.get("panels", []))
        if panel["type"] != "row":
            found.append(panel)
    return found


def test_the_dashboard_is_valid_json_with_unique_panel_ids() -> None:
    dashboard = json.loads(DASHBOARD.read_text())
    ids = [p["id"] for p in dashboard["panels"]]
    assert len(ids) == len(set(ids))
    assert dashboard["uid"] and dashboard["schemaVersion"] >= 36
    for panel in panels(dashboard):
        assert panel["targets"], panel["title"]
        assert panel["datasource"] == {"type": "prometheus", "uid": "${datasource}"}


def test_every_dashboard_query_returns_series(stack: Stack) -> None:
    dashboard = json.loads(DASHBOARD.read_text())
    empty = []
    for panel in panels(dashboard):
        for target in panel["targets"]:
            expr = grafana_expr(target["expr"])
            if not query(stack.prometheus, expr):
                empty.append(f"{panel['title']}: {expr}")
    assert empty == []


def test_every_dashboard_variable_has_values(stack: Stack) -> None:
    dashboard = json.loads(DASHBOARD.read_text())
    for variable in dashboard["templating"]["list"]:
        if variable["type"] != "query":
            continue
        found = re.fullmatch(r"label_values\((\w+),\s*(\w+)\)", variable["definition"])
        assert found, variable["definition"]
        metric, label = found.groups()
        assert label_values(stack.prometheus, label, metric), variable["name"]
