"""Settings from the environment and ``.env`` files; credentials are held as ``SecretStr``."""

from __future__ import annotations

import ipaddress
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Literal
from urllib.parse import urlsplit

from platformdirs import user_config_path, user_data_path
from pydantic import AliasChoices, Field, SecretStr, ValidationError, field_validator
from pydantic.fields import FieldInfo
from pydantic_settings import (
    BaseSettings,
    EnvSettingsSource,
    InitSettingsSource,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
)

from aiusage.env_files import readable_env_files
from aiusage.errors import ConfigError
from aiusage.redact import register_secret

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


def _check_url_parts(value: str) -> None:
    """Refuse what urlsplit lets through but no HTTP client can send (messages never echo it)."""
    if any(ord(char) <= 0x20 or 0x7F <= ord(char) <= 0x9F for char in value):
        raise ValueError("must not contain spaces, tabs or control characters")
    parts = urlsplit(value)
    try:
        port = parts.port
    except ValueError:
        port = 0
    if port == 0:
        raise ValueError("has a port outside 1-65535")
    if parts.username is not None or parts.password is not None:
        raise ValueError("must not hold a user name or password; keys go in their own variables")
    if "?" in value or "#" in value:
        raise ValueError("must not have a query (?) or a fragment (#)")
    try:
        (parts.hostname or "").encode("idna")
    except UnicodeError:
        raise ValueError("has a host name that is not valid") from None


def check_base_url(value: str) -> str:
    """Refuse a base URL that is not https (unless it points at this machine) or is unusable."""
    _check_url_parts(value)
    parts = urlsplit(value)
    if parts.scheme == "https" and parts.hostname:
        return value.rstrip("/")
    if parts.scheme == "http" and parts.hostname and is_loopback_host(parts.hostname):
        return value.rstrip("/")
    raise ValueError("must start with https:// (plain http is allowed only for a loopback host)")


def _secret(*names: str) -> Any:
    return Field(default=None, validation_alias=AliasChoices(*names))


CREDENTIAL_FIELDS = (
    "anthropic_admin_key",
    "openai_admin_key",
    "gemini_api_key",
    "cursor_admin_key",
)
# Not a variable anyone sets: the key under which _CredentialVariables hands in its findings.
_FOUND_IN = "aiusage:credential-variables"


def _aliases(info: FieldInfo) -> tuple[str, ...]:
    alias = info.validation_alias
    if isinstance(alias, AliasChoices):
        return tuple(str(choice) for choice in alias.choices)
    return (alias,) if isinstance(alias, str) else ()


def _variable_in(source: PydanticBaseSettingsSource, info: FieldInfo) -> str | None:
    """The first of a field's variables that ``source`` holds, in the order it is read."""
    if isinstance(source, InitSettingsSource):
        return next((name for name in _aliases(info) if name in source.init_kwargs), None)
    if isinstance(source, EnvSettingsSource):  # and DotEnvSettingsSource, its subclass
        fold = (lambda name: name) if source.case_sensitive else str.lower
        return next((name for name in _aliases(info) if fold(name) in source.env_vars), None)
    return None


class _CredentialVariables(PydanticBaseSettingsSource):
    """Which variable each credential was read from, found by the sources that read it and in
    their order (the environment before ``.env``, the first alias before the next)."""

    def __init__(
        self, settings_cls: type[BaseSettings], sources: Sequence[PydanticBaseSettingsSource]
    ) -> None:
        super().__init__(settings_cls)
        self._sources = sources

    def get_field_value(self, field: FieldInfo, field_name: str) -> tuple[Any, str, bool]:
        return None, field_name, False

    def __call__(self) -> dict[str, Any]:
        found: dict[str, str] = {}
        for name in CREDENTIAL_FIELDS:
            info = self.settings_cls.model_fields[name]
            variable = next(filter(None, (_variable_in(s, info) for s in self._sources)), None)
            if variable is not None:
                found[name] = variable
        return {_FOUND_IN: found}


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
    gcloud_config: Path | None = _secret("CLOUDSDK_CONFIG")  # where gcloud keeps its ADC file

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
    # Cursor individual plans: the signed-in app's undocumented usage endpoint (opt-in).
    cursor_live: bool = Field(default=False, validation_alias="AIUSAGE_CURSOR_LIVE")
    cursor_live_base_url: str = Field(
        default="https://cursor.com", validation_alias="AIUSAGE_CURSOR_LIVE_BASE_URL"
    )
    home: Path = Field(
        default_factory=lambda: user_data_path(APP_NAME, appauthor=False),
        validation_alias="AIUSAGE_HOME",
    )
    cache_ttl: int = Field(default=900, validation_alias="AIUSAGE_CACHE_TTL")
    http_timeout: float = Field(default=30.0, gt=0, validation_alias="AIUSAGE_HTTP_TIMEOUT")
    # Checked where it is used (aiusage.zones), so that --timezone can override a bad value.
    timezone: str | None = Field(default=None, validation_alias="AIUSAGE_TIMEZONE")
    claude_config_dir: str | None = _secret("CLAUDE_CONFIG_DIR")
    codex_home: str | None = _secret("CODEX_HOME")
    credential_variables: dict[str, str] = Field(
        default_factory=dict, validation_alias=_FOUND_IN, exclude=True, repr=False
    )

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        readers = (init_settings, env_settings, dotenv_settings)
        return (_CredentialVariables(settings_cls, readers), *readers, file_secret_settings)

    def credential_variable(self, field: str) -> str:
        """The variable a credential was read from; its main name when it is not set."""
        found = self.credential_variables.get(field)
        return found or _aliases(type(self).model_fields[field])[0]

    @field_validator(
        "anthropic_base_url",
        "openai_base_url",
        "cursor_base_url",
        "google_monitoring_url",
        "gemini_base_url",
        "cursor_live_base_url",
    )
    @classmethod
    def _https_or_loopback(cls, value: str) -> str:
        return check_base_url(value)

    @field_validator("home")
    @classmethod
    def _absolute_home(cls, value: Path) -> Path:
        expanded = value.expanduser()
        if not expanded.is_absolute():
            raise ValueError(
                "must be an absolute path (or start with ~); a relative one would give every "
                "folder a store of its own"
            )
        return expanded

    @field_validator("cache_ttl")
    @classmethod
    def _ttl_floor(cls, value: int) -> int:
        # The vendors ask integrations to cache; a shorter TTL would poll them too often.
        return max(value, MIN_CACHE_TTL)

    @field_validator(*CREDENTIAL_FIELDS)
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
    return tuple(
        name
        for info in Settings.model_fields.values()
        for name in _aliases(info)
        if name != _FOUND_IN
    )


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
    "timezone": "AIUSAGE_TIMEZONE",
    "cursor_live": "AIUSAGE_CURSOR_LIVE",
    "cursor_live_base_url": "AIUSAGE_CURSOR_LIVE_BASE_URL",
}


def load_settings() -> Settings:
    """Read the environment, then ``.env`` in the current folder, then in the user config folder.

    Raises:
        ConfigError: a setting is invalid. The message names the variable, never its value.
    """
    # Later files win; ./.env is skipped with a warning when it is not UTF-8 text.
    env_files = readable_env_files(config_dir() / ".env", Path.cwd() / ".env")
    try:
        settings = Settings(_env_file=env_files, _env_file_encoding="utf-8")
    except ValidationError as exc:
        first = exc.errors(include_input=False, include_url=False)[0]
        field = str(first["loc"][0]) if first["loc"] else "a setting"
        name = _ENV_NAMES.get(field, field.upper())
        reason = str(first["msg"]).removeprefix("Value error, ")
        raise ConfigError(
            f"{name} is invalid: {reason}. Fix it in the environment or .env."
        ) from None
    register_settings_secrets(settings)
    return settings


def register_settings_secrets(settings: Settings) -> None:
    """Register every key the settings hold, so that no output can show its value."""
    for name in Settings.model_fields:
        value = getattr(settings, name)
        if isinstance(value, SecretStr):
            register_secret(value.get_secret_value())
