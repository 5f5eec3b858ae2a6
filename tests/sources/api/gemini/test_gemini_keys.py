"""``test-keys`` and ``report`` for Gemini: credential checks, the API key, and the CLI."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import httpx
import pytest
import respx
from typer.testing import CliRunner

from aiusage.cli import app
from aiusage.http_client import build_client
from aiusage.models import KeyCheck
from aiusage.settings import Settings
from aiusage.sources.api.gemini.provider import GeminiProvider
from aiusage.sources.base import ClientConfig
from tests.conftest import load_fixture
from tests.sources.api.gemini.test_gemini import (
    EMAIL,
    PROJECT,
    SERIES_URL,
    TOKEN_URI,
    mock_monitoring,
    settings_for,
    token_route,
    write_service_account,
)

API_KEY = "AIzaSyD-s3cr3t-gemini-key-0000000000000"
MODELS = "https://generativelanguage.googleapis.com/v1beta/models"


def connect(config: ClientConfig) -> httpx.AsyncClient:
    return build_client(config.base_url, headers=config.headers, auth=config.auth)


def check(settings: Settings) -> dict[str, KeyCheck]:
    checks = asyncio.run(GeminiProvider().check_keys(settings, connect))
    return {c.credential: c for c in checks}


@respx.mock
def test_a_working_service_account_is_ok_and_names_project_and_account(tmp_path: Path) -> None:
    token_route()
    monitoring = respx.get(SERIES_URL).respond(200, json={"unit": "1"})

    (verdict,) = check(settings_for(write_service_account(tmp_path))).values()

    assert verdict.status == "ok"
    assert PROJECT in verdict.detail and EMAIL in verdict.detail
    params = monitoring.calls.last.request.url.params
    assert params["view"] == "HEADERS" and params["pageSize"] == "1"


def test_nothing_set_is_missing_with_the_setup_line() -> None:
    (verdict,) = check(Settings()).values()

    assert verdict.status == "missing"
    assert "roles/monitoring.viewer" in verdict.hint


@pytest.mark.parametrize(
    ("content", "detail"),
    [
        (None, "no such file"),
        ("{not json", "is not JSON"),
        (json.dumps({"type": "external_account_typo"}), "is not a service-account key"),
    ],
)
def test_a_bad_credentials_file_is_malformed(
    tmp_path: Path, content: str | None, detail: str
) -> None:
    path = tmp_path / "credentials.json"
    if content is not None:
        path.write_text(content)

    (verdict,) = check(settings_for(path)).values()

    assert verdict.status == "malformed"
    assert detail in verdict.detail
    assert "roles/monitoring.viewer" in verdict.hint
    assert "roles/monitoring.viewer" not in verdict.detail  # said once, in the hint


@respx.mock
def test_a_token_endpoint_that_refuses_makes_the_file_rejected(tmp_path: Path) -> None:
    respx.post(TOKEN_URI).respond(400, json=load_fixture("gemini/token_invalid_grant.json"))

    (verdict,) = check(settings_for(write_service_account(tmp_path))).values()

    assert verdict.status == "rejected"
    assert "invalid_grant" in verdict.detail
    assert "create a new JSON key" in verdict.hint


@respx.mock
def test_an_unreachable_token_endpoint_is_unreachable(tmp_path: Path) -> None:
    respx.post(TOKEN_URI).mock(side_effect=httpx.ConnectError("refused"))

    (verdict,) = check(settings_for(write_service_account(tmp_path))).values()

    assert verdict.status == "unreachable"


@respx.mock
def test_a_403_from_monitoring_is_wrong_kind_with_the_role_to_grant(tmp_path: Path) -> None:
    token_route()
    respx.get(SERIES_URL).respond(403, json=load_fixture("gemini/error_403.json"))

    (verdict,) = check(settings_for(write_service_account(tmp_path))).values()

    assert verdict.status == "wrong_kind"
    assert (
        verdict.hint
        == f"grant roles/monitoring.viewer on project {PROJECT} to the service account {EMAIL}"
    )


@respx.mock
def test_a_token_without_a_project_asks_for_google_cloud_project(
    isolated_environment: Path,
) -> None:
    folder = isolated_environment / "home" / ".config" / "gcloud"
    folder.mkdir(parents=True)
    (folder / "application_default_credentials.json").write_text(
        json.dumps(
            {
                "type": "authorized_user",
                "client_id": "id.apps.googleusercontent.com",
                "client_secret": "secret",
                "refresh_token": "1//0refresh",
            }
        )
    )
    respx.post("https://oauth2.googleapis.com/token").respond(
        200, json=load_fixture("gemini/token.json")
    )

    checks = check(Settings())

    assert checks["GOOGLE_APPLICATION_CREDENTIALS"].status == "ok"
    assert "Application Default Credentials" in checks["GOOGLE_APPLICATION_CREDENTIALS"].detail
    assert checks["GOOGLE_CLOUD_PROJECT"].status == "missing"


@respx.mock
def test_a_gemini_api_key_is_checked_with_one_models_call_in_a_header(tmp_path: Path) -> None:
    models = respx.get(MODELS).respond(200, json=load_fixture("gemini/models.json"))

    checks = check(Settings(GEMINI_API_KEY=API_KEY))

    verdict = checks["GEMINI_API_KEY"]
    assert verdict.status == "ok"
    assert "cannot read usage" in verdict.hint and "roles/monitoring.viewer" in verdict.hint
    assert models.call_count == 1
    request = models.calls.last.request
    assert request.headers["x-goog-api-key"] == API_KEY
    assert API_KEY not in str(request.url)
    assert checks["GOOGLE_APPLICATION_CREDENTIALS"].status == "missing"


@respx.mock
def test_an_invalid_gemini_api_key_is_rejected_without_echoing_it() -> None:
    respx.get(MODELS).respond(400, json=load_fixture("gemini/error_400_api_key_invalid.json"))

    verdict = check(Settings(GEMINI_API_KEY=API_KEY))["GEMINI_API_KEY"]

    assert verdict.status == "rejected"
    assert "API key not valid" in verdict.detail
    assert API_KEY not in verdict.detail + verdict.hint


@respx.mock
def test_a_gemini_api_that_is_down_is_unreachable() -> None:
    respx.get(MODELS).respond(503, json=load_fixture("gemini/error_503.json"))

    verdict = check(Settings(GEMINI_API_KEY=API_KEY))["GEMINI_API_KEY"]

    assert verdict.status == "unreachable"


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, list(args), catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


@respx.mock
def test_report_json_shows_gemini_per_model_totals(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GOOGLE_APPLICATION_CREDENTIALS", str(write_service_account(tmp_path)))
    token_route()
    mock_monitoring()

    code, out, _ = run(
        "report", "--provider", "gemini", "--format", "json",
        "--since", "2026-08-18", "--until", "2026-08-20",
    )  # fmt: skip

    document = json.loads(out)
    assert code == 0, document["errors"]
    api = [r for r in document["records"] if r["source"] == "api"]
    flash = {r["start"]: r for r in api if r["model"] == "gemini-2.5-flash"}
    assert flash["2026-08-19T00:00:00Z"]["input_tokens"] == 120000
    assert flash["2026-08-19T00:00:00Z"]["output_tokens"] == 48213
    assert flash["2026-08-19T00:00:00Z"]["requests"] == 40
    assert flash["2026-08-19T00:00:00Z"]["cost_usd"] == pytest.approx(0.1565325)
    assert flash["2026-08-19T00:00:00Z"]["cost_kind"] == "estimated"
    assert flash["2026-08-18T00:00:00Z"]["input_tokens"] == 15000
    assert "gemini" not in document["not_configured"]
    assert any("gemini-nebula-exp" in w["message"] for w in document["warnings"])


def test_report_with_only_a_gemini_api_key_lists_gemini_as_not_configured(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("GEMINI_API_KEY", API_KEY)

    code, out, _ = run("report", "--provider", "gemini", "--format", "json", "--source", "api")

    document = json.loads(out)
    assert code == 0
    assert document["not_configured"] == ["gemini"]
    assert API_KEY not in out


def test_report_with_a_missing_credentials_file_fails_cleanly(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GOOGLE_APPLICATION_CREDENTIALS", str(tmp_path / "gone.json"))

    code, out, err = run("report", "--provider", "gemini", "--format", "json", "--source", "api")

    document = json.loads(out)
    assert code == 1
    (error,) = document["errors"]
    assert error["provider"] == "gemini" and error["kind"] == "config"
    assert "no such file" in error["message"]
    assert "Traceback" not in err


@respx.mock
def test_test_keys_json_checks_both_gemini_credentials(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GOOGLE_APPLICATION_CREDENTIALS", str(write_service_account(tmp_path)))
    monkeypatch.setenv("GEMINI_API_KEY", API_KEY)
    token_route()
    respx.get(SERIES_URL).respond(200, json={})
    respx.get(MODELS).respond(200, json=load_fixture("gemini/models.json"))

    code, out, _ = run("test-keys", "--provider", "gemini", "--format", "json")

    checks = {c["credential"]: c for c in json.loads(out)}
    assert code == 0
    assert checks["GOOGLE_APPLICATION_CREDENTIALS"]["status"] == "ok"
    assert checks["GEMINI_API_KEY"]["status"] == "ok"
    assert API_KEY not in out
