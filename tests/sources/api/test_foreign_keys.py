"""A key of another vendor is named as that vendor's, without a request to anyone."""

from __future__ import annotations

import json

import pytest
import respx
from typer.testing import CliRunner

from aiusage.cli import app

ANTHROPIC_ADMIN = "sk-ant-admin01-" + "a1B2" * 20 + "AA"
ANTHROPIC_API = "sk-ant-api03-" + "c3D4" * 20 + "AA"
OPENAI_ADMIN = "sk-admin-" + "e5F6" * 12
OPENAI_PROJECT = "sk-proj-" + "g7H8" * 12
CURSOR_KEY = "key_" + "0123456789abcdef" * 4
CURSOR_NEWER = "crsr_" + "9f8e7d6c5b4a" * 3
GOOGLE_KEY = "AIzaSy" + "Q" * 33


@pytest.mark.parametrize(
    ("variable", "value", "owner"),
    [
        ("OPENAI_ADMIN_KEY", ANTHROPIC_ADMIN, "Anthropic"),
        ("OPENAI_ADMIN_KEY", ANTHROPIC_API, "Anthropic"),
        ("OPENAI_ADMIN_KEY", CURSOR_KEY, "Cursor"),
        ("OPENAI_ADMIN_KEY", GOOGLE_KEY, "Google"),
        ("ANTHROPIC_ADMIN_KEY", OPENAI_ADMIN, "OpenAI"),
        ("ANTHROPIC_ADMIN_KEY", OPENAI_PROJECT, "OpenAI"),
        ("ANTHROPIC_ADMIN_KEY", CURSOR_NEWER, "Cursor"),
        ("CURSOR_ADMIN_KEY", ANTHROPIC_ADMIN, "Anthropic"),
        ("CURSOR_ADMIN_KEY", OPENAI_ADMIN, "OpenAI"),
        ("CURSOR_ADMIN_KEY", GOOGLE_KEY, "Google"),
        ("GEMINI_API_KEY", OPENAI_ADMIN, "OpenAI"),
        ("GEMINI_API_KEY", CURSOR_NEWER, "Cursor"),
        ("GEMINI_API_KEY", ANTHROPIC_ADMIN, "Anthropic"),
    ],
)
def test_a_key_of_another_vendor_is_wrong_kind_naming_its_vendor_with_no_request(
    monkeypatch: pytest.MonkeyPatch, variable: str, value: str, owner: str
) -> None:
    monkeypatch.setenv(variable, value)
    with respx.mock(assert_all_called=False) as mock:
        result = CliRunner().invoke(app, ["test-keys", "--format", "json"], catch_exceptions=False)
        assert mock.calls.call_count == 0, [str(call.request.url) for call in mock.calls]

    checks = [c for c in json.loads(result.stdout) if c["credential"] == variable]
    assert len(checks) == 1, result.stdout
    (check,) = checks
    assert check["status"] == "wrong_kind", check
    assert owner in check["detail"], check
    assert value not in result.stdout + result.stderr
    assert result.exit_code == 1


@pytest.mark.parametrize(
    ("variable", "value", "owner", "provider"),
    [
        ("OPENAI_ADMIN_KEY", ANTHROPIC_ADMIN, "Anthropic", "openai"),
        ("ANTHROPIC_ADMIN_KEY", OPENAI_ADMIN, "OpenAI", "claude"),
        ("CURSOR_ADMIN_KEY", OPENAI_ADMIN, "OpenAI", "cursor"),
    ],
)
def test_the_report_names_the_misplaced_key_without_calling_the_vendor(
    monkeypatch: pytest.MonkeyPatch, variable: str, value: str, owner: str, provider: str
) -> None:
    monkeypatch.setenv(variable, value)
    with respx.mock(assert_all_called=False) as mock:
        result = CliRunner().invoke(
            app,
            ["report", "--source", "api", "--provider", provider, "--format", "json"],
            catch_exceptions=False,
        )
        assert mock.calls.call_count == 0

    (error,) = json.loads(result.stdout)["errors"]
    assert error["kind"] == "config" and owner in error["message"] and variable in error["message"]
    assert result.exit_code == 1
