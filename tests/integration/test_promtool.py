"""``promtool check metrics`` and both Python parsers accept what ``aiusage export`` writes."""

from __future__ import annotations

import subprocess
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from prometheus_client.openmetrics.parser import (
    text_string_to_metric_families as parse_openmetrics,
)
from prometheus_client.parser import text_string_to_metric_families as parse_text

from aiusage.metrics.collector import Snapshot, registry_for
from aiusage.metrics.exposition import render
from aiusage.metrics.readings import LimitReading
from aiusage.metrics.totals import SeriesKey, Tally
from tests.e2e.conftest import Cli, report_window
from tests.e2e.fake_vendors import FakeVendors
from tests.integration.local_logs import ODD_MODEL, write_local_logs
from tests.integration.stack import binary

pytestmark = pytest.mark.e2e
UTC_ENV = {"AIUSAGE_TIMEZONE": "UTC"}
NASTY = 'line one\nline "two" \\ three ü 模型 \t end'


def promtool_check(text: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [binary("promtool"), "check", "metrics"],
        input=text, capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip


def test_a_real_export_passes_promtool_and_both_parsers(fake: FakeVendors, tmp_path: Path) -> None:
    cli = Cli(fake, tmp_path / "cli")
    write_local_logs(cli.home, datetime.now(UTC))
    assert cli.run("report", *report_window(fake, 10).args, env=UTC_ENV).code == 0
    classic = cli.run("export", "--offline", env=UTC_ENV)
    openmetrics = cli.run("export", "--offline", "--format", "openmetrics", env=UTC_ENV)
    assert classic.code == 0 and openmetrics.code == 0, classic
    checked = promtool_check(classic.stdout)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert checked.stdout == "" and checked.stderr == ""
    text_families = {f.name for f in parse_text(classic.stdout)}
    om_families = {f.name for f in parse_openmetrics(openmetrics.stdout)}
    assert text_families == om_families
    assert {"aiusage_tokens", "aiusage_cost_usd", "aiusage_limit_used_ratio"} <= text_families
    models = {
        s.labels.get("model") for f in parse_openmetrics(openmetrics.stdout) for s in f.samples
    }
    assert ODD_MODEL in models


def test_label_values_with_newlines_quotes_and_backslashes_pass_promtool() -> None:
    tally = Tally()
    tally.add_tokens(1, 2, 3, 4)
    snapshot = Snapshot(
        totals={SeriesKey("claude", "local", NASTY, ""): tally},
        limits=[LimitReading("gemini", "api", NASTY, NASTY, Decimal("0.5"), None, None)],
    )
    text = render(registry_for(lambda: snapshot), "prometheus").decode()
    checked = promtool_check(text)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    (sample,) = (s for f in parse_text(text) if f.name == "aiusage_limit_used_ratio"
                 for s in f.samples)  # fmt: skip
    assert sample.labels == {"provider": "gemini", "source": "api", "window": NASTY, "model": NASTY}
