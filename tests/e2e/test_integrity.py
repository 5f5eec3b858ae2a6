"""Figures that never pass for more than they are: partial history, endless vendors."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tests.e2e.conftest import Cli, Window, report_window, totals
from tests.e2e.fake_vendors import FakeVendors, Fault

pytestmark = pytest.mark.e2e


def test_offline_names_the_part_of_the_period_the_store_covers(cli: Cli, fake: FakeVendors) -> None:
    last = fake.data.last_day
    fetched = Window(last - timedelta(days=9), last - timedelta(days=6))
    first = cli.run("report", *fetched.args, "--provider", "claude", "--format", "json")
    assert first.code == 0, first
    asked = Window(last - timedelta(days=20), last - timedelta(days=1))

    offline = cli.run(
        "report", *asked.args, "--provider", "claude", "--offline", "--format", "json"
    )

    assert offline.code == 0, offline
    doc = offline.document()
    (warning,) = [w["message"] for w in doc["warnings"] if w["provider"] == "claude"]
    assert f"from {fetched.since.isoformat()} until {fetched.until.isoformat()}" in warning
    assert "not all of the period" in warning
    assert totals(doc["records"], "claude") == fake.data.expected("claude", *fetched.bounds)
    assert fake.count("anthropic") > 0  # only the first run asked

    inside = Window(fetched.since + timedelta(days=1), fetched.until)
    within = cli.run(
        "report", *inside.args, "--provider", "claude", "--offline", "--format", "json"
    )
    assert within.code == 0 and within.document()["warnings"] == [], within


@pytest.mark.parametrize(
    ("provider", "route", "env", "most"),
    [
        # 9 usage endpoints x (2 x ceil(10 / 7) + 2) pages, and the costs pages.
        ("openai", "openai.usage", {}, 9 * 6 + 6),
        ("claude", "anthropic.usage_report", {"AIUSAGE_CLAUDE_API": "legacy"}, 6 + 6),
    ],
    ids=["openai", "claude-legacy"],
)
def test_a_vendor_that_never_stops_paging_is_a_bad_response_after_a_bounded_number_of_pages(
    cli: Cli, fake: FakeVendors, provider: str, route: str, env: dict[str, str], most: int
) -> None:
    window = report_window(fake, days=10)
    fake.inject(route, Fault("endless"))

    run = cli.run("report", *window.args, "--provider", provider, "--format", "json", env=env)

    assert run.code == 1, run
    assert "Traceback" not in run.stderr
    (error,) = run.document()["errors"]
    assert (error["provider"], error["kind"]) == (provider, "bad_response")
    assert "more pages than this query can fill" in error["message"]
    assert fake.count(provider if provider == "openai" else "anthropic") <= most
