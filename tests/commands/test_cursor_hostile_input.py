"""``aiusage cursor set`` refuses what it cannot hold, keeps what it is not told, and ``show``
and ``report`` render whatever the store holds without crashing."""

from __future__ import annotations

import json
import sqlite3
from datetime import timedelta
from typing import Any

import pytest
from typer.testing import CliRunner

from aiusage.cli import app
from aiusage.models import utc_now
from aiusage.settings import load_settings
from aiusage.store import Store


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, list(args), catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def history() -> list[dict[str, Any]]:
    code, out, err = run("cursor", "show", "--history", "--format", "json")
    assert code == 0, err
    entries: list[dict[str, Any]] = json.loads(out)
    return entries


@pytest.mark.parametrize(
    ("args", "option"),
    [
        (("--fast-requests", "²"), "--fast-requests"),
        (("--fast-requests", "١٢"), "--fast-requests"),
        (("--fast-requests", "1180591620717411303424"), "--fast-requests"),
        (("--used-usd", "1", "--fast-limit", "99999999999999999999999"), "--fast-limit"),
        (("--premium-requests", "9" * 5000), "--premium-requests"),
        (("--used-usd", "1e27"), "--used-usd"),
        (("--used-usd", "1e26"), "--used-usd"),
        (("--on-demand-usd", "1E+30"), "--on-demand-usd"),
        (("--used-usd", "1", "--included-usd", "123456789012345678901234567890"), "--included-usd"),
        (("--used-usd", "1e-999999999"), "--used-usd"),
    ],
)
def test_numbers_no_dashboard_shows_exit_2_naming_the_option(
    args: tuple[str, ...], option: str
) -> None:
    code, _, err = run("cursor", "set", *args)
    assert code == 2, err
    assert err.startswith(f"aiusage: {option} ") and err.count("\n") == 1, err
    assert history() == []


def test_a_new_entry_keeps_what_it_does_not_name_from_the_same_cycle() -> None:
    assert run("cursor", "set", "--plan", "pro", "--used-usd", "12.40")[0] == 0
    assert run("cursor", "set", "--fast-requests", "30", "--fast-limit", "500")[0] == 0
    code, out, err = run("cursor", "set", "--on-demand-usd", "2")
    assert code == 0, err

    latest = history()[-1]
    assert latest["used_usd"] == 12.4 and latest["on_demand_usd"] == 2.0
    assert (latest["fast_requests"], latest["fast_limit"]) == (30, 500)
    assert "$12.40 of $20.00" in out


def test_an_entry_for_another_cycle_starts_from_nothing() -> None:
    assert run("cursor", "set", "--plan", "pro", "--used-usd", "12.40")[0] == 0
    old_start = (utc_now() - timedelta(days=70)).strftime("%Y-%m-%d")
    assert run("cursor", "set", "--on-demand-usd", "3", "--cycle-start", old_start)[0] == 0

    old = history()[-1]
    assert old["on_demand_usd"] == 3.0 and old["used_usd"] is None


def test_the_latest_entry_of_the_same_cycle_is_the_one_kept_from() -> None:
    assert run("cursor", "set", "--plan", "pro", "--used-usd", "5")[0] == 0
    old_start = (utc_now() - timedelta(days=70)).strftime("%Y-%m-%d")
    assert run("cursor", "set", "--used-usd", "9", "--cycle-start", old_start)[0] == 0
    assert run("cursor", "set", "--on-demand-usd", "1")[0] == 0

    latest = history()[-1]
    assert latest["used_usd"] == 5.0 and latest["on_demand_usd"] == 1.0


def test_a_huge_amount_already_in_the_store_is_shown_without_crashing() -> None:
    assert run("cursor", "set", "--plan", "pro", "--used-usd", "12.40")[0] == 0
    store = Store.open(load_settings().store_path)
    store.db.execute("UPDATE cursor_manual_entries SET used_usd = '1E+27', on_demand_usd = '1e30'")
    store.close()

    code, out, err = run("cursor", "show")
    assert code == 0, err
    assert "1.000E+27" in out
    code, out, err = run("cursor", "show", "--history")
    assert code == 0, err
    code, out, err = run("report", "--source", "manual")
    assert "Traceback" not in err and "InvalidOperation" not in out + err


def test_a_store_failure_while_writing_is_one_line_with_the_store_path(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def full(*args: object, **kwargs: object) -> None:
        raise sqlite3.OperationalError("database or disk is full")

    monkeypatch.setattr("aiusage.sources.manual.cursor.add_entry", full)
    code, _, err = run("cursor", "set", "--used-usd", "1")
    assert code == 1
    assert str(load_settings().store_path) in err and "disk" in err
    assert err.startswith("aiusage: ") and err.count("\n") == 1


USAGE = "https://api.anthropic.com/v1/organizations/usage_report/messages"
COST = "https://api.anthropic.com/v1/organizations/cost_report"
ANTHROPIC_KEY = "sk-ant-admin01-" + "h0st1le" * 12 + "AA"


@pytest.mark.parametrize("amount", ["1e30", "100000000000000000000000000"])
def test_a_vendor_amount_no_bill_reaches_is_a_bad_response_not_a_crash(
    monkeypatch: pytest.MonkeyPatch, amount: str
) -> None:
    import respx

    from tests.conftest import load_fixture

    monkeypatch.setenv("ANTHROPIC_ADMIN_KEY", ANTHROPIC_KEY)
    monkeypatch.setenv("AIUSAGE_CLAUDE_API", "legacy")
    cost = load_fixture("anthropic/cost_report.json")
    cost["data"][0]["results"][0]["amount"] = amount
    pages = [load_fixture("anthropic/usage_page1.json"), load_fixture("anthropic/usage_page2.json")]
    period = ["--since", "2025-08-01", "--until", "2025-08-05", "--provider", "claude"]
    with respx.mock:
        respx.get(USAGE).side_effect = lambda request: respx.MockResponse(
            200, json=pages[1] if request.url.params.get("page") else pages[0]
        )
        respx.get(COST).respond(200, json=cost)
        code, out, err = run("report", *period, "--source", "api", "--format", "json")
        table_code, table_out, table_err = run("report", *period, "--source", "api")

    assert code == 1, err
    (error,) = json.loads(out)["errors"]
    assert error["kind"] == "bad_response" and "cost_usd" in error["message"], error
    assert table_code == 1 and "Traceback" not in table_err, table_err
