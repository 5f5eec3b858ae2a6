"""``aiusage report`` through the CLI: formats, exit codes, caching, errors, secrets."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import pytest
import respx
from typer.testing import CliRunner

from aiusage.cli import app
from tests.conftest import load_fixture

USAGE = "https://api.anthropic.com/v1/organizations/usage_report/messages"
COST = "https://api.anthropic.com/v1/organizations/cost_report"
KEY = "sk-ant-admin01-" + "s3cr3t" * 15 + "AA"
PERIOD = ["--since", "2025-08-01", "--until", "2025-08-05"]
EMPTY = {"data": [], "has_more": False, "next_page": None}


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, list(args), catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def claude_report(*args: str) -> tuple[int, str, str]:
    """``aiusage report`` over the fixtures' period, Claude's API only."""
    return run("report", *PERIOD, "--provider", "claude", "--source", "api", *args)


def anthropic_routes() -> tuple[respx.Route, respx.Route]:
    usage = respx.get(USAGE)
    usage.side_effect = lambda request: (
        respx.MockResponse(200, json=load_fixture("anthropic/usage_page2.json"))
        if request.url.params.get("page")
        else respx.MockResponse(200, json=load_fixture("anthropic/usage_page1.json"))
    )
    cost = respx.get(COST).respond(200, json=load_fixture("anthropic/cost_report.json"))
    return usage, cost


@pytest.fixture
def claude_key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ANTHROPIC_ADMIN_KEY", KEY)
    monkeypatch.setenv("AIUSAGE_CLAUDE_API", "legacy")


def test_with_nothing_configured_it_explains_how_to_start_and_exits_0() -> None:
    code, out, _ = run("report", "--source", "api")
    assert code == 0
    assert "Getting started" in out and "ANTHROPIC_ADMIN_KEY" in out


def test_json_with_nothing_configured_lists_the_providers() -> None:
    code, out, _ = run("report", "--format", "json", "--source", "api")
    document = json.loads(out)
    assert code == 0
    assert document["schema"] == "aiusage.report/1"
    assert "claude" in document["not_configured"]
    assert document["records"] == [] and document["errors"] == []


@respx.mock
def test_json_report_has_the_exact_tokens_and_dollars(claude_key: None) -> None:
    anthropic_routes()
    code, out, err = claude_report("--format", "json")
    assert code == 0, err
    document = json.loads(out)
    records = document["records"]
    assert sum(r["input_tokens"] for r in records) == 271650
    assert sum(r["output_tokens"] for r in records) == 70431
    reported = sum(Decimal(str(r["cost_usd"])) for r in records if r["cost_kind"] == "reported")
    assert reported == Decimal("1.7265225")
    assert document["since"] == "2025-08-01T00:00:00Z"
    assert {r["start"][:10] for r in records} == {"2025-08-01", "2025-08-02", "2025-08-04"}


@respx.mock
def test_csv_carries_the_table_rows_with_exact_money(claude_key: None) -> None:
    anthropic_routes()
    code, out, _ = claude_report("--format", "csv", "--by", "day")
    rows = list(csv.DictReader(io.StringIO(out)))
    assert code == 0
    assert list(rows[0])[:5] == ["by", "key", "provider", "source", "model"]
    assert [r["key"] for r in rows] == ["2025-08-01", "2025-08-02", "2025-08-04"]
    assert sum(int(r["input_tokens"]) for r in rows) == 271650
    # Days 1 and 2 mix the cost report's dollars with estimates; day 4 has no cost line.
    assert [r["cost_kind"] for r in rows] == ["mixed", "mixed", "estimated"]
    assert rows[0]["cost_usd"] == "1.5802905"  # the exact decimal text, not a float
    document = json.loads(claude_report("--format", "json", "--by", "day")[1])
    records_cost = sum(Decimal(str(r["cost_usd"])) for r in document["records"])
    assert sum(Decimal(r["cost_usd"]) for r in rows) == records_cost


@respx.mock
def test_the_table_shows_the_same_totals(claude_key: None, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "200")
    anthropic_routes()
    code, out, _ = claude_report()
    assert code == 0
    assert "claude-sonnet-4-20250514" in out
    assert "271,650" in out and "70,431" in out
    assert "~" in out  # day 4 has no cost line: its estimate is marked


@respx.mock
def test_a_second_run_within_the_ttl_sends_no_request(claude_key: None) -> None:
    usage, cost = anthropic_routes()
    first = claude_report("--format", "json")
    calls = usage.call_count + cost.call_count
    second = claude_report("--format", "json")
    assert usage.call_count + cost.call_count == calls
    assert json.loads(first[1])["records"] == json.loads(second[1])["records"]
    claude_report("--refresh")
    assert usage.call_count + cost.call_count == 2 * calls


@respx.mock
def test_offline_reports_from_the_store_without_the_network(claude_key: None) -> None:
    anthropic_routes()
    claude_report()
    respx.clear()
    code, out, _ = claude_report("--offline", "--format", "json")
    assert code == 0
    assert sum(r["input_tokens"] for r in json.loads(out)["records"]) == 271650


def test_offline_with_nothing_stored_says_so(claude_key: None) -> None:
    code, out, _ = claude_report("--offline", "--format", "json")
    document = json.loads(out)
    assert code == 0
    assert "nothing stored" in document["warnings"][0]["message"]


@pytest.mark.parametrize(
    ("status", "kind"),
    [
        (401, "auth"),
        (403, "forbidden"),
        (429, "rate_limited"),
        (500, "unavailable"),
        (529, "unavailable"),
    ],
)
@respx.mock
def test_a_failing_source_is_an_error_entry_and_exit_1(
    claude_key: None, status: int, kind: str
) -> None:
    respx.get(USAGE).respond(status, json=load_fixture("anthropic/error_401.json"))
    code, out, err = claude_report("--format", "json")
    document = json.loads(out)
    assert code == 1
    assert [(e["provider"], e["kind"]) for e in document["errors"]] == [("claude", kind)]
    assert "Traceback" not in err


@respx.mock
def test_a_failed_fetch_writes_nothing_to_the_store(claude_key: None) -> None:
    respx.get(USAGE).respond(200, json=load_fixture("anthropic/usage_page2.json"))
    respx.get(COST).respond(500)
    claude_report()
    respx.clear()
    code, out, _ = claude_report("--offline", "--format", "json")
    assert json.loads(out)["records"] == []


@respx.mock
def test_the_error_panel_names_the_failure_in_the_table(claude_key: None) -> None:
    respx.get(USAGE).respond(401, json=load_fixture("anthropic/error_401.json"))
    code, out, _ = claude_report()
    assert code == 1
    assert "error claude api [auth]" in out and "rejected the key" in out


@pytest.mark.parametrize(
    "args",
    [
        ["--since", "yesterday-ish"],
        ["--since", "2026-11-02", "--until", "2026-11-01"],
        ["--provider", "bing"],
        ["--source", "cloud"],
        ["--granularity", "5m"],
        ["--format", "xml"],
        ["--refresh", "--offline"],
    ],
)
def test_command_line_mistakes_exit_2_with_one_clear_line(args: list[str]) -> None:
    result = CliRunner().invoke(app, ["report", *args])
    assert result.exit_code == 2
    assert "Traceback" not in result.output


def test_a_bad_base_url_is_a_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AIUSAGE_ANTHROPIC_BASE_URL", "http://example.com")
    code, _, err = run("report")
    assert code == 1
    assert "AIUSAGE_ANTHROPIC_BASE_URL" in err and "https" in err


@respx.mock
def test_no_key_appears_in_any_output_or_the_store(
    claude_key: None, isolated_environment: Path
) -> None:
    anthropic_routes()
    outputs = []
    for args in (
        ["--debug", "report", *PERIOD, "--source", "api"],
        ["report", *PERIOD, "--format", "json", "--source", "api"],
        ["report", *PERIOD, "--format", "csv", "--source", "api"],
        ["--debug", "test-keys"],
        ["test-keys", "--format", "json"],
    ):
        result = CliRunner().invoke(app, args, catch_exceptions=False)
        outputs.append(result.output)
    respx.get(USAGE).respond(401, json={"error": {"message": f"invalid key {KEY}"}})
    outputs.append(CliRunner().invoke(app, ["--debug", "report", "--refresh"]).output)
    assert all(KEY not in output and "s3cr3t" not in output for output in outputs)
    for file in (isolated_environment / "store").iterdir():
        assert b"s3cr3t" not in file.read_bytes()


def test_version_and_short_help() -> None:
    assert run("--version")[1].startswith("aiusage ")
    result = CliRunner().invoke(app, ["report", "-h"])
    assert result.exit_code == 0 and "--since" in result.output


def test_generated_at_is_utc_with_z() -> None:
    _, out, _ = run("report", "--format", "json", "--source", "api")
    generated = json.loads(out)["generated_at"]
    assert generated.endswith("Z")
    assert datetime.fromisoformat(generated).tzinfo == UTC


@respx.mock
def test_offline_reports_history_for_a_period_inside_an_earlier_fetch(claude_key: None) -> None:
    anthropic_routes()
    claude_report()
    respx.clear()
    code, out, _ = run(
        "report",
        "--since",
        "2025-08-02",
        "--until",
        "2025-08-03",
        "--provider",
        "claude",
        "--source",
        "api",
        "--offline",
        "--format",
        "json",
    )
    document = json.loads(out)
    assert code == 0
    assert document["warnings"] == []
    assert {r["start"][:10] for r in document["records"]} == {"2025-08-02"}


@respx.mock
def test_a_count_too_large_for_any_real_bucket_is_a_bad_response(claude_key: None) -> None:
    page = load_fixture("anthropic/usage_page2.json")
    page["data"][1]["results"][0]["output_tokens"] = 2**70  # would overflow SQLite's integers
    respx.get(USAGE).respond(200, json=page)
    respx.get(COST).respond(200, json=EMPTY)
    code, out, err = claude_report("--format", "json")
    assert code == 1, err
    assert [e["kind"] for e in json.loads(out)["errors"]] == ["bad_response"]
