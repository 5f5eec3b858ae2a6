"""``aiusage test-keys`` for the Anthropic Admin key."""

from __future__ import annotations

import json
from pathlib import Path

import httpx
import pytest
import respx
from typer.testing import CliRunner

from aiusage.cli import app
from aiusage.settings import load_settings
from tests.conftest import load_fixture

USAGE = "https://api.anthropic.com/v1/organizations/usage_report/messages"
ANALYTICS = "https://api.anthropic.com/v1/organizations/analytics/usage"
ADMIN = "sk-ant-admin01-" + "k" * 93 + "AA"


def claude_check(monkeypatch: pytest.MonkeyPatch, key: str | None) -> tuple[int, dict[str, str]]:
    if key is not None:
        monkeypatch.setenv("ANTHROPIC_ADMIN_KEY", key)
    result = CliRunner().invoke(app, ["test-keys", "--provider", "claude", "--format", "json"])
    checks = json.loads(result.stdout)
    assert key is None or all(key not in str(c) for c in checks)
    return result.exit_code, next(c for c in checks if c["credential"] == "ANTHROPIC_ADMIN_KEY")


def test_a_missing_key_says_how_to_get_one(monkeypatch: pytest.MonkeyPatch) -> None:
    code, check = claude_check(monkeypatch, None)
    assert code == 0
    assert check["status"] == "missing" and "Admin key" in check["hint"]


def test_an_ordinary_api_key_refused_by_both_apis_is_the_wrong_kind(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    with respx.mock:
        for url in (USAGE, ANALYTICS):
            respx.get(url).respond(401, json=load_fixture("anthropic/error_401.json"))
        code, check = claude_check(monkeypatch, "sk-ant-api03-" + "a" * 90)
    assert code == 1
    assert check["status"] == "wrong_kind"
    assert "sk-ant-admin" in check["hint"]


def test_something_that_is_not_an_anthropic_key_is_malformed(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    code, check = claude_check(monkeypatch, "hello")
    assert code == 1 and check["status"] == "malformed"


@pytest.mark.parametrize(
    ("response", "status"),
    [
        (httpx.Response(200, json={"data": [], "has_more": False, "next_page": None}), "ok"),
        (httpx.Response(401, json=load_fixture("anthropic/error_401.json")), "rejected"),
        (
            httpx.Response(
                403, json={"type": "error", "error": {"type": "permission_error", "message": "no"}}
            ),
            "wrong_kind",
        ),
        (httpx.Response(503), "unreachable"),
        (httpx.ConnectError("refused"), "unreachable"),
    ],
)
@respx.mock
def test_an_admin_key_is_checked_with_one_cheap_request(
    monkeypatch: pytest.MonkeyPatch, response: httpx.Response | Exception, status: str
) -> None:
    monkeypatch.setenv("AIUSAGE_CLAUDE_API", "legacy")  # checks the legacy reports only
    route = respx.get(USAGE).mock(side_effect=[response] * 5)
    code, check = claude_check(monkeypatch, ADMIN)
    assert check["status"] == status
    assert code == (0 if status == "ok" else 1)
    assert route.calls[0].request.url.params["limit"] == "1"
    if status != "ok":
        assert check["hint"]


@respx.mock
def test_the_table_lists_variable_names_only(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "200")
    monkeypatch.setenv("ANTHROPIC_ADMIN_KEY", ADMIN)
    respx.get(USAGE).respond(401, json=load_fixture("anthropic/error_401.json"))
    respx.get(ANALYTICS).respond(401, json=load_fixture("anthropic/error_401.json"))
    result = CliRunner().invoke(app, ["test-keys", "--provider", "claude"])
    assert result.exit_code == 1
    assert "ANTHROPIC_ADMIN_KEY" in result.stdout and "rejected" in result.stdout
    assert ADMIN not in result.output


@pytest.mark.parametrize(
    ("dotenv", "provider", "variable"),
    [
        ("OPENAI_API_KEY=sk-proj-" + "p" * 40, "openai", "OPENAI_API_KEY"),
        ("CURSOR_TOKEN=not-a-cursor-key", "cursor", "CURSOR_TOKEN"),
        ("CLAUDE_API_KEY=not-an-anthropic-key", "claude", "CLAUDE_API_KEY"),
        ("OPENAI_ADMIN_KEY=sk-proj-" + "p" * 40, "openai", "OPENAI_ADMIN_KEY"),
    ],
)
def test_a_key_set_in_a_dotenv_file_is_reported_under_the_variable_that_holds_it(
    dotenv: str, provider: str, variable: str
) -> None:
    Path(".env").write_text(dotenv + "\n")
    result = CliRunner().invoke(app, ["test-keys", "--provider", provider, "--format", "json"])
    checks = json.loads(result.stdout)
    assert [c["credential"] for c in checks] == [variable]
    assert checks[0]["status"] in ("malformed", "wrong_kind")


def test_the_real_environment_names_the_variable_when_dotenv_holds_the_other_one(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    Path(".env").write_text("OPENAI_ADMIN_KEY=sk-proj-" + "d" * 40 + "\n")
    monkeypatch.setenv("OPENAI_API_KEY", "sk-proj-" + "e" * 40)
    key = load_settings().openai_admin_key
    assert key is not None and key.get_secret_value().endswith("e" * 40)  # the environment wins
    result = CliRunner().invoke(app, ["test-keys", "--provider", "openai", "--format", "json"])
    (check,) = json.loads(result.stdout)
    assert check["credential"] == "OPENAI_API_KEY"
