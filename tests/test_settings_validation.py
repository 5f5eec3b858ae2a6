"""Settings that look fine but cannot be used are refused up front, with the file or variable."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from aiusage.errors import ConfigError
from aiusage.redact import forget_all, redact
from aiusage.settings import config_dir, load_settings

LATIN1_ENV = "PROJECT_NAME=Caf\xe9\nOPENAI_ADMIN_KEY=sk-admin-from-latin1\n".encode("latin-1")


@pytest.mark.parametrize(
    "url",
    [
        "https://127.0.0.1:99999",
        "https://127.0.0.1:0",
        "https://api.example.com\t/v1",
        "https://api.exa mple.com",
        "https://api.example.com/\x1b[2J",
        "https://user:secret@api.example.com",
        "https://api.example.com?x=1",
        "https://[::1",
    ],
)
def test_a_base_url_that_cannot_be_used_is_refused_at_settings_time(
    monkeypatch: pytest.MonkeyPatch, url: str
) -> None:
    monkeypatch.setenv("AIUSAGE_OPENAI_BASE_URL", url)
    with pytest.raises(ConfigError) as caught:
        load_settings()
    assert caught.value.message.startswith("AIUSAGE_OPENAI_BASE_URL is invalid")
    assert "secret" not in caught.value.message


@pytest.mark.parametrize(
    "url", ["https://api.example.com:8443/base", "http://[::1]:8080", "https://bücher.example"]
)
def test_usable_base_urls_still_pass(monkeypatch: pytest.MonkeyPatch, url: str) -> None:
    monkeypatch.setenv("AIUSAGE_OPENAI_BASE_URL", url)
    assert load_settings().openai_base_url == url


def test_a_latin1_dotenv_in_the_current_folder_is_skipped_with_a_warning(
    caplog: pytest.LogCaptureFixture,
) -> None:
    Path(".env").write_bytes(LATIN1_ENV)
    with caplog.at_level(logging.WARNING):
        settings = load_settings()
    assert settings.openai_admin_key is None
    warning = caplog.text
    assert str(Path.cwd() / ".env") in warning and "line 1" in warning and "skipped" in warning


def test_a_latin1_dotenv_of_aiusage_itself_is_an_error_naming_file_and_line() -> None:
    config_dir().mkdir(parents=True)
    (config_dir() / ".env").write_bytes(b"CURSOR_ADMIN_KEY=abc\n# r\xe9sum\xe9\n")
    with pytest.raises(ConfigError) as caught:
        load_settings()
    assert str(config_dir() / ".env") in caught.value.message
    assert "line 2" in caught.value.message and "UTF-8" in caught.value.message


def test_aiusage_home_with_a_tilde_is_expanded(
    monkeypatch: pytest.MonkeyPatch, isolated_environment: Path
) -> None:
    monkeypatch.setenv("AIUSAGE_HOME", "~/usage-store")
    assert load_settings().home == isolated_environment / "home" / "usage-store"


def test_a_relative_aiusage_home_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AIUSAGE_HOME", "data/aiusage")
    with pytest.raises(ConfigError) as caught:
        load_settings()
    assert "AIUSAGE_HOME" in caught.value.message and "absolute" in caught.value.message
    assert not Path("data").exists()


def test_every_configured_key_is_registered_for_redaction(monkeypatch: pytest.MonkeyPatch) -> None:
    forget_all()
    monkeypatch.setenv("CURSOR_ADMIN_KEY", "crsr_0123456789abcdef0123")
    monkeypatch.setenv("GEMINI_API_KEY", "odd-shaped-gemini-key-42")
    load_settings()
    text = "echo crsr_0123456789abcdef0123 and odd-shaped-gemini-key-42"
    assert redact(text) == "echo [redacted] and [redacted]"
