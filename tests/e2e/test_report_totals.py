"""The installed CLI reports exactly what the fake vendors served, in JSON, CSV and the table."""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from decimal import Decimal

import pytest

from aiusage.sources.registry import API_PROVIDERS
from tests.e2e.conftest import (
    Cli,
    Run,
    Window,
    report_window,
    table_rows,
    tokens_only,
    total_cost,
    totals,
)
from tests.e2e.fake_data import Expected, Totals
from tests.e2e.fake_vendors import FakeVendors

pytestmark = pytest.mark.e2e

# Vendors whose reported dollars we can check to the last digit (Gemini's are estimates).
BILLED = ("claude", "openai", "cursor")
OTHERS = [p for p in ("openai", "cursor", "gemini") if p in API_PROVIDERS]


def expected(fake: FakeVendors, provider: str, window: Window) -> Expected:
    return fake.data.expected(provider, *window.bounds)


def check_exact(fake: FakeVendors, provider: str, window: Window, found: Expected) -> None:
    want = expected(fake, provider, window)
    if provider in BILLED:
        assert found == want
    else:
        assert tokens_only(found) == tokens_only(want)


def report(cli: Cli, window: Window, *args: str, **env: str) -> Run:
    run = cli.run("report", *window.args, *args, env=env)
    assert run.code == 0, run
    assert "Traceback" not in run.stderr
    return run


@pytest.mark.parametrize("claude_api", ["legacy", "analytics"])
def test_claude_totals_per_day_and_model_are_exact_in_json(
    cli: Cli, fake: FakeVendors, claude_api: str
) -> None:
    window = report_window(fake)

    run = report(
        cli, window, "--provider", "claude", "--format", "json", AIUSAGE_CLAUDE_API=claude_api
    )

    doc = run.document()
    assert doc["errors"] == []
    found = totals(doc["records"], "claude")
    check_exact(fake, "claude", window, found)
    assert total_cost(found) == total_cost(expected(fake, "claude", window)) > 0
    assert {r["cost_kind"] for r in doc["records"]} == {"reported"}
    route = "anthropic.usage_report" if claude_api == "legacy" else "anthropic.analytics_usage"
    assert fake.count(route) > 2, "a 40-day window takes several pages and windows"
    assert fake.count("unknown") == 0


def test_claude_totals_are_exact_in_csv(cli: Cli, fake: FakeVendors) -> None:
    window = report_window(fake)

    # The CSV holds the table's rows: per day, with each day's models under it.
    run = report(cli, window, "--provider", "claude", "--format", "csv", "--by", "day",
                 "--breakdown")  # fmt: skip

    rows = run.rows()
    assert rows and set(rows[0]) >= {"by", "key", "provider", "model", "input_tokens", "cost_usd"}
    check_exact(fake, "claude", window, totals(rows, "claude"))


@pytest.mark.parametrize("provider", OTHERS)
@pytest.mark.parametrize("output", ["json", "csv"])
def test_other_providers_totals_per_day_and_model_are_exact(
    cli: Cli, fake: FakeVendors, provider: str, output: str
) -> None:
    window = report_window(fake)

    by_day = ["--by", "day", "--breakdown"] if output == "csv" else []
    run = report(cli, window, "--provider", provider, "--format", output, *by_day)

    records = run.rows() if output == "csv" else run.document()["records"]
    check_exact(fake, provider, window, totals(records, provider))
    if output == "json":
        assert run.document()["errors"] == []
    if provider == "gemini":
        # Monitoring has no money: every priced record is an estimate, never "reported".
        assert {r["cost_kind"] for r in records} <= {"estimated", None}
    assert fake.count("unknown") == 0


def test_all_providers_at_once_are_each_exact(cli: Cli, fake: FakeVendors) -> None:
    window = report_window(fake, days=10)

    doc = report(cli, window, "--format", "json").document()

    assert doc["errors"] == []
    assert doc["not_configured"] == []
    for provider in ("claude", *OTHERS):
        check_exact(fake, provider, window, totals(doc["records"], provider))


# --- the table ---------------------------------------------------------------------------------


def money(total: Totals) -> str:
    assert total.cost is not None
    return f"${total.cost.quantize(Decimal('0.01'))}"


def cells(total: Totals) -> list[str]:
    return [
        f"{total.input_tokens:,}",
        f"{total.output_tokens:,}",
        f"{total.cache_read_tokens:,}",
        f"{total.cache_write_tokens:,}",
    ]


def summed(found: Expected, key: int) -> dict[object, Totals]:
    """Totals per model (key 1) or per day (key 0) over the whole window."""
    out: dict[object, Totals] = defaultdict(Totals)
    for k, t in found.items():
        o = out[k[key]]
        o.input_tokens += t.input_tokens
        o.output_tokens += t.output_tokens
        o.cache_read_tokens += t.cache_read_tokens
        o.cache_write_tokens += t.cache_write_tokens
        if t.cost is not None:
            o.add_cost(t.cost)
    return dict(out)


def test_table_by_model_shows_the_same_totals(cli: Cli, fake: FakeVendors) -> None:
    window = report_window(fake)

    run = report(cli, window, "--provider", "claude")

    names, body = table_rows(run.stdout)
    numbers = [names.index(n) for n in ("Input", "Output", "Cache read", "Cache write")]
    cost = names.index("Cost (USD)")
    by_model = summed(expected(fake, "claude", window), key=1)
    shown = {row[names.index("Model")]: row for row in body if row[0] == "claude"}
    for model, total in by_model.items():
        if model is None:
            continue  # cost lines without a model have their own rows
        row = shown[str(model)]
        assert [row[i] for i in numbers] == cells(total)
        assert row[cost] == money(total)
    grand = Totals(
        input_tokens=sum(t.input_tokens for t in by_model.values()),
        output_tokens=sum(t.output_tokens for t in by_model.values()),
        cache_read_tokens=sum(t.cache_read_tokens for t in by_model.values()),
        cache_write_tokens=sum(t.cache_write_tokens for t in by_model.values()),
        cost=total_cost(by_model),  # type: ignore[arg-type]
    )
    total_row = next(row for row in body if row[0].startswith("Total"))
    assert [total_row[i] for i in numbers] == cells(grand)
    assert total_row[cost] == money(grand)


def test_table_by_day_shows_each_days_totals(cli: Cli, fake: FakeVendors) -> None:
    window = report_window(fake, days=12)

    run = report(cli, window, "--provider", "claude", "--by", "day")

    names, body = table_rows(run.stdout)
    numbers = [names.index(n) for n in ("Input", "Output", "Cache read", "Cache write")]
    cost = names.index("Cost (USD)")
    by_day = summed(expected(fake, "claude", window), key=0)
    shown = {row[0]: row for row in body if not row[0].startswith("Total")}
    assert set(shown) == {d.isoformat() for d in by_day if isinstance(d, date)}
    for day, total in by_day.items():
        row = shown[str(day)]
        assert [row[i] for i in numbers] == cells(total)
        assert row[cost] == money(total)
