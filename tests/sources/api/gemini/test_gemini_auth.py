"""Google credentials: every file and token-endpoint problem becomes one of our errors."""

from __future__ import annotations

import json
from pathlib import Path

import httpx
import pytest
import respx

from aiusage import http_client
from aiusage.errors import AuthError, ConfigError, UnavailableError
from aiusage.settings import Settings
from aiusage.sources.api.gemini.auth import GoogleToken
from aiusage.sources.api.gemini.credentials import CredentialsFile
from aiusage.sources.api.gemini.provider import GeminiProvider
from tests.conftest import load_fixture
from tests.sources.api.gemini.test_gemini import (
    ACCESS_TOKEN,
    PROJECT,
    SERIES_URL,
    TOKEN_URI,
    mock_monitoring,
    query,
    run_fetch,
    settings_for,
    token_route,
    write_service_account,
)

ADC_TOKEN_URI = "https://oauth2.googleapis.com/token"


def adc_file(home: Path, **extra: str) -> Path:
    folder = home / ".config" / "gcloud"
    folder.mkdir(parents=True)
    path = folder / "application_default_credentials.json"
    info = {
        "type": "authorized_user",
        "client_id": "764086051850-6qr4p6gpi6hn506pt8ejuq83di341hur.apps.googleusercontent.com",
        "client_secret": "d-FL95Q19q7MQmFpd7hHD0Ty",
        "refresh_token": "1//0test-refresh-token",
        **extra,
    }
    path.write_text(json.dumps(info))
    return path


def test_a_missing_file_is_a_config_error_that_names_the_path(tmp_path: Path) -> None:
    missing = tmp_path / "nowhere.json"

    with pytest.raises(ConfigError) as caught:
        run_fetch(settings_for(missing, GOOGLE_CLOUD_PROJECT=PROJECT), query())

    assert str(missing) in caught.value.message and "no such file" in caught.value.message
    assert "roles/monitoring.viewer" in caught.value.message


def test_an_unreadable_file_is_a_config_error(tmp_path: Path) -> None:
    folder = tmp_path / "a-folder.json"
    folder.mkdir()

    with pytest.raises(ConfigError, match="cannot read"):
        run_fetch(settings_for(folder, GOOGLE_CLOUD_PROJECT=PROJECT), query())


def test_a_file_that_is_not_json_is_a_config_error(tmp_path: Path) -> None:
    path = tmp_path / "key.json"
    path.write_text("AIzaSyD-this-is-an-api-key-not-a-file")

    with pytest.raises(ConfigError, match="is not JSON") as caught:
        run_fetch(settings_for(path, GOOGLE_CLOUD_PROJECT=PROJECT), query())

    assert "AIza" not in caught.value.message


def test_a_file_that_is_not_a_service_account_is_a_config_error(tmp_path: Path) -> None:
    path = tmp_path / "client_secret.json"
    path.write_text(json.dumps({"installed": {"client_id": "x", "client_secret": "y"}}))

    with pytest.raises(ConfigError, match="is not a service-account key"):
        run_fetch(settings_for(path, GOOGLE_CLOUD_PROJECT=PROJECT), query())


def test_a_service_account_file_without_its_key_is_a_config_error(tmp_path: Path) -> None:
    path = write_service_account(tmp_path, private_key=None)

    with pytest.raises(ConfigError, match="cannot be used"):
        run_fetch(settings_for(path), query())


def test_a_service_account_file_with_a_broken_key_is_a_config_error(tmp_path: Path) -> None:
    path = write_service_account(
        tmp_path,
        private_key="-----BEGIN PRIVATE KEY-----\nbm90IGEga2V5\n-----END PRIVATE KEY-----\n",
    )

    with pytest.raises(ConfigError, match="cannot be used") as caught:
        run_fetch(settings_for(path), query())

    assert "PRIVATE KEY" not in caught.value.message


@respx.mock
def test_a_token_endpoint_that_refuses_is_an_auth_error_with_the_fix(tmp_path: Path) -> None:
    token = respx.post(TOKEN_URI).respond(400, json=load_fixture("gemini/token_invalid_grant.json"))
    monitoring = respx.get(SERIES_URL)

    with pytest.raises(AuthError) as caught:
        run_fetch(settings_for(write_service_account(tmp_path)), query())

    assert token.call_count == 1  # concurrent queries share the one refusal

    assert "invalid_grant: Invalid JWT Signature." in caught.value.message
    assert "create a new JSON key" in caught.value.message
    assert not monitoring.called


@respx.mock
def test_an_unreachable_token_endpoint_is_unavailable(tmp_path: Path) -> None:
    respx.post(TOKEN_URI).mock(side_effect=httpx.ConnectError("connection refused"))

    with pytest.raises(UnavailableError, match="oauth2.googleapis.com"):
        run_fetch(settings_for(write_service_account(tmp_path)), query())


@respx.mock
def test_a_token_endpoint_that_keeps_failing_is_retried_by_our_policy_alone(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Were google-auth to retry as well, it would sleep between its tries: not in tests.
    monkeypatch.setattr("google.auth._exponential_backoff.time.sleep", lambda seconds: None)
    route = respx.post(TOKEN_URI).respond(503, json={"error": "temporarily_unavailable"})

    with pytest.raises(UnavailableError, match="kept failing"):
        run_fetch(settings_for(write_service_account(tmp_path)), query())

    assert route.call_count == 1 + http_client.retry_policy().total


@respx.mock
def test_a_token_endpoint_that_recovers_is_retried_transparently(tmp_path: Path) -> None:
    route = respx.post(TOKEN_URI).mock(
        side_effect=[
            httpx.Response(503),
            httpx.Response(200, json=load_fixture("gemini/token.json")),
        ]
    )
    mock_monitoring()

    run_fetch(settings_for(write_service_account(tmp_path)), query())

    assert route.call_count == 2
    assert route.calls[0].request.headers["user-agent"].startswith("aiusage/")


@respx.mock
def test_the_token_endpoint_is_the_files_own_token_uri(tmp_path: Path) -> None:
    own = respx.post("https://oauth2.example.test/token").respond(
        200, json=load_fixture("gemini/token.json")
    )
    mock_monitoring()

    run_fetch(
        settings_for(
            write_service_account(tmp_path, token_uri="https://oauth2.example.test/token")
        ),
        query(),
    )

    assert own.call_count == 1


@respx.mock
def test_application_default_credentials_refresh_and_send_the_quota_project(
    isolated_environment: Path,
) -> None:
    adc_file(isolated_environment / "home", quota_project_id=PROJECT)
    token = respx.post(ADC_TOKEN_URI).respond(200, json=load_fixture("gemini/token.json"))
    fake = mock_monitoring()
    settings = Settings()

    assert GeminiProvider().configured(settings)
    result = run_fetch(settings, query())

    form = token.calls.last.request.content.decode()
    assert "grant_type=refresh_token" in form
    assert "scope=" not in form  # a user's login keeps the scopes it was granted
    assert result.records
    request = fake.requests[0]
    assert request.headers["authorization"] == f"Bearer {ACCESS_TOKEN}"
    assert request.headers["x-goog-user-project"] == PROJECT


def test_only_a_gemini_api_key_is_not_configured_and_the_hint_says_what_to_add() -> None:
    settings = Settings(GEMINI_API_KEY="AIzaSyD-test-key-000000000000000000000")
    provider = GeminiProvider()

    assert not provider.configured(settings)
    hint = provider.setup_hint()
    assert "roles/monitoring.viewer" in hint and "GOOGLE_CLOUD_PROJECT" in hint
    assert "GOOGLE_APPLICATION_CREDENTIALS" in hint and "GEMINI_API_KEY alone" in hint


def test_a_service_account_file_with_a_project_is_configured(tmp_path: Path) -> None:
    assert GeminiProvider().configured(settings_for(write_service_account(tmp_path)))


def test_credentials_without_any_project_are_not_configured(isolated_environment: Path) -> None:
    adc_file(isolated_environment / "home")  # no quota project

    assert not GeminiProvider().configured(Settings())
    assert GeminiProvider().configured(Settings(GOOGLE_CLOUD_PROJECT=PROJECT))


def test_an_explicit_broken_file_counts_as_configured_so_its_error_is_shown(
    tmp_path: Path,
) -> None:
    assert GeminiProvider().configured(settings_for(tmp_path / "missing.json"))


@respx.mock
def test_the_token_is_refreshed_once_and_reused_while_valid(tmp_path: Path) -> None:
    route = token_route()
    token = GoogleToken(CredentialsFile(write_service_account(tmp_path), explicit=True))

    first = token.headers()
    second = token.headers()

    assert first == second == {"authorization": f"Bearer {ACCESS_TOKEN}"}
    assert route.call_count == 1
