"""``aiusage export --push`` into the real Pushgateway, scraped by the real Prometheus."""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

from tests.e2e.conftest import Cli, report_window
from tests.e2e.fake_vendors import FakeVendors
from tests.integration.local_logs import write_local_logs
from tests.integration.stack import prometheus, pushgateway, query, wait_for

pytestmark = pytest.mark.e2e
UTC_ENV = {"AIUSAGE_TIMEZONE": "UTC"}
INSTANCE = "laptop-7"


@pytest.fixture
def cli(fake: FakeVendors, tmp_path: Path) -> Cli:
    made = Cli(fake, tmp_path / "cli")
    write_local_logs(made.home, datetime.now(UTC))
    return made


def tokens_by_provider(series: list[dict[str, object]]) -> dict[str, int]:
    found: dict[str, int] = defaultdict(int)
    for s in series:
        labels, value = s["metric"], s["value"]
        found[labels["provider"]] += int(float(value[1]))  # type: ignore[index]
    return dict(found)


def test_a_push_lands_in_the_gateway_and_in_prometheus_with_its_instance(
    cli: Cli, tmp_path: Path
) -> None:
    window = report_window(cli.fake, days=10)
    assert cli.run("report", *window.args, "--format", "json", env=UTC_ENV).code == 0
    with (
        pushgateway(tmp_path) as gateway,
        prometheus(tmp_path, pushgateway_port=gateway.port) as server,
    ):
        pushed = cli.run("export", "--offline", "--push", gateway.url, "--instance", INSTANCE,
                         env=UTC_ENV)  # fmt: skip
        assert pushed.code == 0, pushed
        assert pushed.stdout == ""
        held = httpx.get(f"{gateway.url}/metrics", timeout=10).text
        assert f'aiusage_build_info{{instance="{INSTANCE}",job="aiusage",version=' in held
        selector = f'aiusage_tokens_total{{job="aiusage",instance="{INSTANCE}"}}'
        series = wait_for("pushed series in Prometheus", lambda: query(server, selector) or None,
                          [gateway, server])  # fmt: skip
        exported = cli.run("export", "--offline", env=UTC_ENV)
        expected: dict[str, int] = defaultdict(int)
        for family in text_string_to_metric_families(exported.stdout):
            for sample in family.samples:
                if sample.name == "aiusage_tokens_total":
                    expected[sample.labels["provider"]] += int(sample.value)
        assert tokens_by_provider(series) == dict(expected)
        assert {s["metric"]["instance"] for s in series} == {INSTANCE}
        pushed_at = query(server, f'push_time_seconds{{instance="{INSTANCE}"}}')
        assert pushed_at


def test_a_gateway_refusing_the_push_exits_1_with_its_reason(cli: Cli, tmp_path: Path) -> None:
    with pushgateway(tmp_path) as gateway:
        # Another job already holds aiusage_build_info with another type and help text: the
        # gateway refuses metrics that are inconsistent with those it holds (HTTP 400).
        clash = "# HELP aiusage_build_info other\n# TYPE aiusage_build_info counter\n"
        clash += "aiusage_build_info 3\n"
        answer = httpx.put(
            f"{gateway.url}/metrics/job/other",
            content=clash,
            headers={"Content-Type": "text/plain; version=0.0.4"},
            timeout=10,
        )
        assert answer.status_code in (200, 202)
        target = tmp_path / "aiusage.prom"
        run = cli.run("export", "--offline", "--output", str(target), "--push", gateway.url,
                      "--instance", INSTANCE)  # fmt: skip
    assert run.code == 1, run
    assert run.stderr.startswith(f"aiusage: the Pushgateway at {gateway.url}")
    assert "HTTP 400" in run.stderr and "inconsistent" in run.stderr
    assert run.stderr.count("\n") == 1
    assert "aiusage_build_info" in target.read_text()  # nothing lost locally


def test_an_unreachable_gateway_exits_1_and_keeps_the_store(cli: Cli, tmp_path: Path) -> None:
    with pushgateway(tmp_path) as gateway:
        url = gateway.url
    assert cli.run("report", *report_window(cli.fake, 5).args, env=UTC_ENV).code == 0
    before = cli.run("export", "--offline", env=UTC_ENV).stdout
    run = cli.run("export", "--offline", "--push", url, env=UTC_ENV)
    assert run.code == 1
    assert run.stderr.startswith(f"aiusage: cannot reach the Pushgateway at {url}")
    after = cli.run("export", "--offline", env=UTC_ENV).stdout
    counters = [line for line in before.splitlines() if line.startswith("aiusage_tokens_total")]
    assert counters and all(line in after for line in counters)
