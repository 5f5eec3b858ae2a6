"""Settings: environment over .env, aliases, secrets, base URL safety, TTL floor."""

from __future__ import annotations

from pathlib import Path

import pytest

from aiusage.errors import ConfigError
from aiusage.settings import config_dir, environment_variables, load_settings


def test_real_environment_wins_over_dotenv(monkeypatch: pytest.MonkeyPatch) -> None:
    Path(".env").write_text("ANTHROPIC_ADMIN_KEY=sk-ant-admin01-from-file\n")
    monkeypatch.setenv("ANTHROPIC_ADMIN_KEY", "sk-ant-admin01-from-env")
    key = load_settings().anthropic_admin_key
    assert key is not None and key.get_secret_value() == "sk-ant-admin01-from-env"


def test_dotenv_in_the_current_folder_wins_over_the_user_config_folder() -> None:
    config_dir().mkdir(parents=True)
    (config_dir() / ".env").write_text("OPENAI_ADMIN_KEY=sk-admin-user\nCURSOR_ADMIN_KEY=k-user\n")
    Path(".env").write_text("OPENAI_ADMIN_KEY=sk-admin-here\n")
    settings = load_settings()
    assert settings.openai_admin_key is not None
    assert settings.openai_admin_key.get_secret_value() == "sk-admin-here"
    assert settings.cursor_admin_key is not None
    assert settings.cursor_admin_key.get_secret_value() == "k-user"


@pytest.mark.parametrize(
    ("variable", "field"),
    [
        ("CLAUDE_API_KEY", "anthropic_admin_key"),
        ("OPENAI_API_KEY", "openai_admin_key"),
        ("CURSOR_TOKEN", "cursor_admin_key"),
    ],
)
def test_documented_fallback_variables_are_read(
    monkeypatch: pytest.MonkeyPatch, variable: str, field: str
) -> None:
    monkeypatch.setenv(variable, "  some-value \n")
    assert getattr(load_settings(), field).get_secret_value() == "some-value"


def test_keys_are_secret_in_every_representation(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ANTHROPIC_ADMIN_KEY", "sk-ant-admin01-verysecret")
    settings = load_settings()
    assert "verysecret" not in repr(settings)
    assert "verysecret" not in str(settings.model_dump())


def test_empty_values_count_as_not_set(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENAI_ADMIN_KEY", "")
    Path(".env").write_text("ANTHROPIC_ADMIN_KEY=\n")
    settings = load_settings()
    assert settings.openai_admin_key is None
    assert settings.anthropic_admin_key is None


@pytest.mark.parametrize(
    "url", ["http://127.0.0.1:8080", "http://localhost:9", "http://[::1]:80", "https://x.test/"]
)
def test_https_or_loopback_base_urls_are_accepted(
    monkeypatch: pytest.MonkeyPatch, url: str
) -> None:
    monkeypatch.setenv("AIUSAGE_OPENAI_BASE_URL", url)
    assert load_settings().openai_base_url == url.rstrip("/")


@pytest.mark.parametrize("url", ["http://api.openai.com", "ftp://127.0.0.1", "not a url"])
def test_plain_http_to_another_host_is_refused(monkeypatch: pytest.MonkeyPatch, url: str) -> None:
    monkeypatch.setenv("AIUSAGE_OPENAI_BASE_URL", url)
    with pytest.raises(ConfigError, match="AIUSAGE_OPENAI_BASE_URL"):
        load_settings()


def test_a_bad_setting_is_named_without_echoing_values(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AIUSAGE_CACHE_TTL", "soon")
    monkeypatch.setenv("ANTHROPIC_ADMIN_KEY", "sk-ant-admin01-hidden")
    with pytest.raises(ConfigError) as raised:
        load_settings()
    assert "AIUSAGE_CACHE_TTL" in raised.value.message
    assert "hidden" not in raised.value.message


def test_cache_ttl_defaults_to_900_and_never_goes_below_60(monkeypatch: pytest.MonkeyPatch) -> None:
    assert load_settings().cache_ttl == 900
    monkeypatch.setenv("AIUSAGE_CACHE_TTL", "5")
    assert load_settings().cache_ttl == 60


def test_the_store_lives_under_aiusage_home(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("AIUSAGE_HOME", str(tmp_path / "elsewhere"))
    assert load_settings().store_path == tmp_path / "elsewhere" / "aiusage.sqlite3"


def test_every_documented_variable_is_one_settings_reads() -> None:
    documented = {
        "ANTHROPIC_ADMIN_KEY",
        "CLAUDE_API_KEY",
        "OPENAI_ADMIN_KEY",
        "OPENAI_API_KEY",
        "GOOGLE_APPLICATION_CREDENTIALS",
        "GOOGLE_CLOUD_PROJECT",
        "GEMINI_API_KEY",
        "CURSOR_ADMIN_KEY",
        "CURSOR_TOKEN",
        "AIUSAGE_ANTHROPIC_BASE_URL",
        "AIUSAGE_OPENAI_BASE_URL",
        "AIUSAGE_CURSOR_BASE_URL",
        "AIUSAGE_GOOGLE_MONITORING_URL",
        "AIUSAGE_GEMINI_BASE_URL",
        "AIUSAGE_CLAUDE_API",
        "AIUSAGE_HOME",
        "AIUSAGE_CACHE_TTL",
        "CLAUDE_CONFIG_DIR",
        "CODEX_HOME",
    }
    assert documented <= set(environment_variables())
