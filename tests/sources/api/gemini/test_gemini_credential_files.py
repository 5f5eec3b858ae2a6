"""Credentials files are data from disk: bounded reads, no secret in an error, safe token_uri."""

from __future__ import annotations

import asyncio
import json
import os
import threading
from pathlib import Path
from typing import Any

import httpx
import pytest
import respx

from aiusage.errors import ConfigError
from aiusage.settings import Settings, load_settings
from aiusage.sources.api.gemini.credentials import (
    MAX_CREDENTIALS_BYTES,
    CredentialsFile,
    find_credentials_file,
    read_info,
)
from aiusage.sources.api.gemini.provider import GeminiProvider, check_credentials
from aiusage.sources.base import ClientConfig
from tests.sources.api.gemini.test_gemini import (
    private_key_pem,
    query,
    run_fetch,
    settings_for,
    write_service_account,
)

# The part of the PEM between its armour lines: none of it may reach a message.
PEM_BODY = private_key_pem().splitlines()[1:-1]


def assert_no_pem(message: str) -> None:
    assert "PRIVATE KEY" not in message
    assert not any(line[:24] in message for line in PEM_BODY)


@pytest.mark.parametrize(
    "wrong",
    [[private_key_pem()], {"pem": private_key_pem()}, 12345, True],
    ids=["list", "object", "number", "bool"],
)
def test_a_private_key_of_the_wrong_type_names_the_field_not_its_value(
    tmp_path: Path, wrong: Any
) -> None:
    path = write_service_account(tmp_path, private_key=wrong)

    with pytest.raises(ConfigError) as caught:
        run_fetch(settings_for(path), query())

    assert "private_key" in caught.value.message
    assert_no_pem(caught.value.message)


def test_a_client_email_of_the_wrong_type_is_named(tmp_path: Path) -> None:
    path = write_service_account(tmp_path, client_email=["a@b.example"])

    with pytest.raises(ConfigError, match="client_email") as caught:
        run_fetch(settings_for(path), query())

    assert "a@b.example" not in caught.value.message


@pytest.mark.parametrize(
    "uri",
    [
        "http://oauth2.example.test/token",
        "ftp://oauth2.googleapis.com/token",
        "oauth2.googleapis.com/token",
        "https:///token",
    ],
)
def test_a_token_uri_that_is_not_https_or_loopback_is_refused_before_any_request(
    tmp_path: Path, uri: str
) -> None:
    path = write_service_account(tmp_path, token_uri=uri)

    with respx.mock:  # no route: any request would fail the test with another error
        with pytest.raises(ConfigError, match="token_uri") as caught:
            run_fetch(settings_for(path), query())

    assert "https://" in caught.value.message


def test_a_loopback_http_token_uri_is_allowed(tmp_path: Path) -> None:
    path = write_service_account(tmp_path, token_uri="http://127.0.0.1:9/token")
    info = read_info(CredentialsFile(path, explicit=True))
    assert info["token_uri"] == "http://127.0.0.1:9/token"


def test_an_authorized_user_token_uri_obeys_the_same_rule(tmp_path: Path) -> None:
    path = tmp_path / "adc.json"
    path.write_text(
        '{"type": "authorized_user", "client_id": "id", "client_secret": "s", '
        '"refresh_token": "r", "token_uri": "http://oauth2.example.test/token"}'
    )
    with pytest.raises(ConfigError, match="token_uri"):
        read_info(CredentialsFile(path, explicit=True))


def _read_in_thread(path: Path) -> BaseException | dict[str, Any] | None:
    """read_info on a thread, so that a hang fails the test instead of stopping the suite."""
    outcome: list[BaseException | dict[str, Any]] = []

    def target() -> None:
        try:
            outcome.append(read_info(CredentialsFile(path, explicit=True)))
        except BaseException as exc:  # noqa: BLE001 - handed back to the test thread
            outcome.append(exc)

    thread = threading.Thread(target=target, daemon=True)
    thread.start()
    thread.join(timeout=10)
    return outcome[0] if outcome else None


@pytest.mark.skipif(not Path("/dev/zero").exists(), reason="needs /dev/zero")
def test_a_character_device_is_refused_without_reading_it() -> None:
    outcome = _read_in_thread(Path("/dev/zero"))

    assert isinstance(outcome, ConfigError), "read_info hung or accepted /dev/zero"
    assert "not a regular file" in outcome.message


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs FIFOs")
def test_a_fifo_is_refused_without_waiting_for_a_writer(tmp_path: Path) -> None:
    fifo = tmp_path / "credentials.json"
    os.mkfifo(fifo)

    outcome = _read_in_thread(fifo)
    if outcome is None:  # blocked in open(): let the reader go before failing
        os.close(os.open(fifo, os.O_WRONLY | os.O_NONBLOCK))

    assert isinstance(outcome, ConfigError), "read_info hung on a FIFO"
    assert "not a regular file" in outcome.message


def test_a_file_over_the_size_limit_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "huge.json"
    path.write_text('{"type": "service_account", "x": "' + "a" * MAX_CREDENTIALS_BYTES + '"}')

    with pytest.raises(ConfigError, match="larger than") as caught:
        read_info(CredentialsFile(path, explicit=True))

    assert str(path) in caught.value.message


def test_test_keys_calls_a_device_file_malformed() -> None:
    settings = Settings(GOOGLE_APPLICATION_CREDENTIALS="/dev/zero")

    def never(config: ClientConfig) -> httpx.AsyncClient:
        raise AssertionError("no request may be sent")

    (check,) = asyncio.run(check_credentials(settings, never))
    assert check.status == "malformed" and "not a regular file" in check.detail
    assert GeminiProvider().configured(settings)  # named explicitly: its error is shown


def test_cloudsdk_config_set_in_a_dotenv_file_locates_the_adc_file(tmp_path: Path) -> None:
    folder = tmp_path / "gcloud-elsewhere"
    folder.mkdir()
    adc = folder / "application_default_credentials.json"
    adc.write_text(
        '{"type": "authorized_user", "client_id": "id", "client_secret": "s", '
        '"refresh_token": "r", "quota_project_id": "my-project"}'
    )
    Path(".env").write_text(f"CLOUDSDK_CONFIG={folder}\n")

    settings = load_settings()

    assert find_credentials_file(settings) == CredentialsFile(adc, explicit=False)
    assert GeminiProvider().configured(settings)


@pytest.mark.parametrize(
    ("kind", "shown"),
    [("external_account", True), ("sk-ant-admin01-pasted-by-mistake", False), (["x"], False)],
)
def test_an_unsupported_type_is_named_only_when_it_is_one_of_googles(
    tmp_path: Path, kind: Any, shown: bool
) -> None:
    path = tmp_path / "other.json"
    path.write_text(json.dumps({"type": kind}))

    with pytest.raises(ConfigError, match="is not a service-account key") as caught:
        read_info(CredentialsFile(path, explicit=True))

    assert (str(kind) in caught.value.message) is shown
