"""``aiusage report --provider cursor`` with the Admin API: records, quotas, AI code activity."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

import httpx
import pytest
import respx
from typer.testing import CliRunner

from aiusage.cli import app
from tests.conftest import load_fixture

BASE = "https://api.cursor.com"
KEY = "key_" + "5ecre7" * 10 + "abcd"
PERIOD = ["--since", "2026-08-10", "--until", "2026-08-12"]


@pytest.fixture
def cursor_key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CURSOR_ADMIN_KEY", KEY)


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(
        app,
        ["report", *PERIOD, "--provider", "cursor", "--source", "api", *args],
        catch_exceptions=False,
    )
    return result.exit_code, result.stdout, result.stderr


def routes(commits_status: int = 200) -> dict[str, respx.Route]:
    def events(request: httpx.Request) -> httpx.Response:
        page = json.loads(request.content)["page"]
        return httpx.Response(200, json=load_fixture(f"cursor/events_page{page}.json"))

    commits = "cursor/commits.json" if commits_status == 200 else "cursor/error_403.json"
    return {
        "events": respx.post(f"{BASE}/teams/filtered-usage-events").mock(side_effect=events),
        "daily": respx.post(f"{BASE}/teams/daily-usage-data").respond(
            200, json=load_fixture("cursor/daily_usage.json")
        ),
        "spend": respx.post(f"{BASE}/teams/spend").respond(
            200, json=load_fixture("cursor/spend.json")
        ),
        "commits": respx.get(f"{BASE}/analytics/ai-code/commits").respond(
            commits_status, json=load_fixture(commits)
        ),
    }


def document(*args: str) -> Any:
    code, out, err = run("--format", "json", *args)
    assert code == 0, err
    return json.loads(out)


@respx.mock
def test_json_has_exact_records_quotas_and_the_cursor_activity(cursor_key: None) -> None:
    routes()

    doc = document()

    reported = sum(Decimal(str(r["cost_usd"] or 0)) for r in doc["records"])
    assert reported == Decimal("0.177643")
    assert sum(r["input_tokens"] for r in doc["records"]) == 5410
    assert {r["scope"] for r in doc["records"]} == {"dana@example.com", "lee@example.com"}
    assert {q["scope"] for q in doc["quotas"]} == {"dana@example.com", "kim@example.com"}
    days = [a for a in doc["cursor_activity"] if a["commit"] is None]
    commits = [a for a in doc["cursor_activity"] if a["commit"] is not None]
    assert [(a["start"], a["user"], a["lines_added"]) for a in days] == [
        ("2026-08-10T00:00:00Z", "dana@example.com", 812),
        ("2026-08-11T00:00:00Z", "dana@example.com", 120),
    ]
    assert days[0]["agent_requests"] == 31 and days[0]["tabs_accepted"] == 377
    assert [(c["ai_lines_added"], c["human_lines_added"]) for c in commits] == [(115, 35), (0, 60)]
    assert any("no cost" in w["message"] for w in doc["warnings"])


@respx.mock
def test_activity_survives_a_report_served_from_the_cache(cursor_key: None) -> None:
    used = routes()

    first = document()
    second = document()

    assert used["events"].call_count == 2  # two pages, once: the second report is cached
    assert second["cursor_activity"] == first["cursor_activity"] != []
    assert second["quotas"] == first["quotas"]
    assert second["records"] == first["records"]


@respx.mock
def test_the_table_shows_the_activity_as_a_second_table(cursor_key: None) -> None:
    routes()
    code, out, _ = run("--verbose")  # the first screen names it in one line only
    assert code == 0
    assert "Cursor AI code activity" in out and "Cursor AI code in commits" in out
    activity = out[out.index("Cursor AI code activity") :]
    assert "2026-08-10" in activity and "812" in activity and "377" in activity
    assert "lee@example.com" in activity and "Human lines" in activity


@respx.mock
def test_without_ai_code_tracking_the_report_notes_it_and_exits_0(cursor_key: None) -> None:
    routes(commits_status=403)
    doc = document()
    assert doc["errors"] == []
    assert any("need an Enterprise team" in w["message"] for w in doc["warnings"])
    assert all(a["commit"] is None for a in doc["cursor_activity"])


@respx.mock
def test_a_team_without_the_admin_api_gets_a_forbidden_error_with_the_plan_and_exit_1(
    cursor_key: None,
) -> None:
    respx.post(f"{BASE}/teams/filtered-usage-events").respond(
        403, json=load_fixture("cursor/error_403.json")
    )
    code, out, err = run("--format", "json")
    assert code == 1
    (error,) = json.loads(out)["errors"]
    assert (error["provider"], error["source"], error["kind"]) == ("cursor", "api", "forbidden")
    assert "Enterprise" in error["message"]
    assert KEY not in out + err


@respx.mock
def test_a_report_without_cursor_has_an_empty_activity_list() -> None:
    code, out, _ = run("--format", "json")
    assert code == 0
    assert json.loads(out)["cursor_activity"] == []
