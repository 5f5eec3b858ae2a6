"""Settings from the environment and ``.env`` files; credentials are held as ``SecretStr``."""

from __future__ import annotations

import ipaddress
from pathlib import Path
from typing import Any, Literal
from urllib.parse import urlsplit

from platformdirs import user_config_path, user_data_path
from pydantic import AliasChoices, Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from aiusage.errors import ConfigError

APP_NAME = "aiusage"
MIN_CACHE_TTL = 60


def config_dir() -> Path:
    return user_config_path(APP_NAME, appauthor=False)


def is_loopback_host(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def check_base_url(value: str) -> str:
    """Refuse a base URL that is not https, unless it points at this machine."""
    parts = urlsplit(value)
    if parts.scheme == "https" and parts.hostname:
        return value.rstrip("/")
    if parts.scheme == "http" and parts.hostname and is_loopback_host(parts.hostname):
        return value.rstrip("/")
    raise ValueError("must start with https:// (plain http is allowed only for a loopback host)")


def _secret(*names: str) -> Any:
    return Field(default=None, validation_alias=AliasChoices(*names))


class Settings(BaseSettings):
    """Everything aiusage reads from its environment. The real environment wins over ``.env``."""

    model_config = SettingsConfigDict(
        extra="ignore", env_ignore_empty=True, case_sensitive=False, frozen=True
    )

    anthropic_admin_key: SecretStr | None = _secret("ANTHROPIC_ADMIN_KEY", "CLAUDE_API_KEY")
    openai_admin_key: SecretStr | None = _secret("OPENAI_ADMIN_KEY", "OPENAI_API_KEY")
    gemini_api_key: SecretStr | None = _secret("GEMINI_API_KEY")
    cursor_admin_key: SecretStr | None = _secret("CURSOR_ADMIN_KEY", "CURSOR_TOKEN")
    google_application_credentials: Path | None = _secret("GOOGLE_APPLICATION_CREDENTIALS")
    google_cloud_project: str | None = _secret("GOOGLE_CLOUD_PROJECT")

    anthropic_base_url: str = Field(
        default="https://api.anthropic.com", validation_alias="AIUSAGE_ANTHROPIC_BASE_URL"
    )
    openai_base_url: str = Field(
        default="https://api.openai.com", validation_alias="AIUSAGE_OPENAI_BASE_URL"
    )
    cursor_base_url: str = Field(
        default="https://api.cursor.com", validation_alias="AIUSAGE_CURSOR_BASE_URL"
    )
    google_monitoring_url: str = Field(
        default="https://monitoring.googleapis.com",
        validation_alias="AIUSAGE_GOOGLE_MONITORING_URL",
    )
    gemini_base_url: str = Field(
        default="https://generativelanguage.googleapis.com",
        validation_alias="AIUSAGE_GEMINI_BASE_URL",
    )
    claude_api: Literal["auto", "analytics", "legacy"] = Field(
        default="auto", validation_alias="AIUSAGE_CLAUDE_API"
    )
    home: Path = Field(
        default_factory=lambda: user_data_path(APP_NAME, appauthor=False),
        validation_alias="AIUSAGE_HOME",
    )
    cache_ttl: int = Field(default=900, validation_alias="AIUSAGE_CACHE_TTL")
    http_timeout: float = Field(default=30.0, gt=0, validation_alias="AIUSAGE_HTTP_TIMEOUT")
    claude_config_dir: str | None = _secret("CLAUDE_CONFIG_DIR")
    codex_home: str | None = _secret("CODEX_HOME")

    @field_validator(
        "anthropic_base_url",
        "openai_base_url",
        "cursor_base_url",
        "google_monitoring_url",
        "gemini_base_url",
    )
    @classmethod
    def _https_or_loopback(cls, value: str) -> str:
        return check_base_url(value)

    @field_validator("cache_ttl")
    @classmethod
    def _ttl_floor(cls, value: int) -> int:
        # The vendors ask integrations to cache; a shorter TTL would poll them too often.
        return max(value, MIN_CACHE_TTL)

    @field_validator(
        "anthropic_admin_key", "openai_admin_key", "gemini_api_key", "cursor_admin_key"
    )
    @classmethod
    def _strip_secret(cls, value: SecretStr | None) -> SecretStr | None:
        if value is None:
            return None
        stripped = value.get_secret_value().strip()
        return SecretStr(stripped) if stripped else None

    @property
    def store_path(self) -> Path:
        return self.home / "aiusage.sqlite3"


def environment_variables() -> tuple[str, ...]:
    """Every variable ``Settings`` reads, derived from its fields (tests and benchmarks clear
    them so that the machine's own keys and folders never leak in)."""
    names: list[str] = []
    for info in Settings.model_fields.values():
        alias = info.validation_alias
        if isinstance(alias, AliasChoices):
            names.extend(str(choice) for choice in alias.choices)
        elif isinstance(alias, str):
            names.append(alias)
    return tuple(names)


_ENV_NAMES = {
    "anthropic_base_url": "AIUSAGE_ANTHROPIC_BASE_URL",
    "openai_base_url": "AIUSAGE_OPENAI_BASE_URL",
    "cursor_base_url": "AIUSAGE_CURSOR_BASE_URL",
    "google_monitoring_url": "AIUSAGE_GOOGLE_MONITORING_URL",
    "gemini_base_url": "AIUSAGE_GEMINI_BASE_URL",
    "claude_api": "AIUSAGE_CLAUDE_API",
    "home": "AIUSAGE_HOME",
    "cache_ttl": "AIUSAGE_CACHE_TTL",
    "http_timeout": "AIUSAGE_HTTP_TIMEOUT",
}


def load_settings() -> Settings:
    """Read the environment, then ``.env`` in the current folder, then in the user config folder.

    Raises:
        ConfigError: a setting is invalid. The message names the variable, never its value.
    """
    env_files = (config_dir() / ".env", Path.cwd() / ".env")  # later files win
    try:
        return Settings(_env_file=env_files)
    except ValidationError as exc:
        first = exc.errors(include_input=False, include_url=False)[0]
        field = str(first["loc"][0]) if first["loc"] else "a setting"
        name = _ENV_NAMES.get(field, field.upper())
        reason = str(first["msg"]).removeprefix("Value error, ")
        raise ConfigError(
            f"{name} is invalid: {reason}. Fix it in the environment or .env."
        ) from None
