"""Google credentials files: where they are, and reading one safely into a dict we can use.

A credentials file is data from disk, read before anything is sent: only a regular file below a
size limit is opened (``/dev/zero`` or a FIFO must not hang a report), every field google-auth
will use is checked for its type, and the file's ``token_uri`` obeys the rule of the base URLs
(https, or plain http to this machine) so that a signed assertion never travels in clear.
Errors name the file and the field, never a field's value.
"""

from __future__ import annotations

import json
import os
import stat
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast

from aiusage.errors import ConfigError
from aiusage.settings import Settings, check_base_url

CREDENTIAL = "GOOGLE_APPLICATION_CREDENTIALS"
# A service-account key file is about 2.4 KB and an ADC file under 1 KB.
MAX_CREDENTIALS_BYTES = 64 * 1024
SCOPES = ("https://www.googleapis.com/auth/monitoring.read",)
VIEWER_ROLE = "roles/monitoring.viewer"
SERVICE_ACCOUNT = "service_account"
AUTHORIZED_USER = "authorized_user"
DEFAULT_TOKEN_URI = "https://oauth2.googleapis.com/token"
SETUP = (
    f"create a service account with {VIEWER_ROLE} on the project that owns your Gemini key, "
    f"download a JSON key for it and set {CREDENTIAL} to that file and GOOGLE_CLOUD_PROJECT to "
    "the project id (or run `gcloud auth application-default login`)"
)
# Fields google-auth needs, by credentials type; each must be non-empty text.
_REQUIRED = {
    SERVICE_ACCOUNT: ("client_email", "private_key", "token_uri"),
    AUTHORIZED_USER: ("client_id", "client_secret", "refresh_token"),
}
# Credentials google-auth knows but aiusage does not read (workload identity, impersonation).
_OTHER_GOOGLE_TYPES = frozenset(
    {
        "external_account",
        "external_account_authorized_user",
        "impersonated_service_account",
        "gdch_service_account",
    }
)
# Fields it reads when present; each must then be text.
_OPTIONAL = ("token_uri", "private_key_id", "project_id", "quota_project_id", "universe_domain")


def adc_path(gcloud_config: Path | None) -> Path:
    """Where ``gcloud auth application-default login`` writes its credentials.

    The same rule as google-auth's ``_cloud_sdk.get_application_default_credentials_path``
    (a private function, so it is repeated here): ``CLOUDSDK_CONFIG`` (read by ``Settings`` and
    passed in), else the gcloud folder.
    """
    if gcloud_config is not None:
        folder = gcloud_config
    elif os.name == "nt":
        folder = Path(os.environ.get("APPDATA", Path.home())) / "gcloud"
    else:
        folder = Path.home() / ".config" / "gcloud"
    return folder / "application_default_credentials.json"


@dataclass(frozen=True)
class CredentialsFile:
    """The JSON file the credentials come from."""

    path: Path
    explicit: bool  # named by GOOGLE_APPLICATION_CREDENTIALS; else the gcloud ADC file

    @property
    def label(self) -> str:
        if self.explicit:
            return f"the file {self.path} named by {CREDENTIAL}"
        return f"the Application Default Credentials file {self.path}"


def find_credentials_file(settings: Settings) -> CredentialsFile | None:
    """The explicit file (even when it does not exist: the user should hear why), else ADC."""
    named = settings.google_application_credentials
    if named is not None:
        return CredentialsFile(named.expanduser(), explicit=True)
    adc = adc_path(settings.gcloud_config)
    return CredentialsFile(adc, explicit=False) if adc.is_file() else None


def _not_usable(source: CredentialsFile, why: str) -> ConfigError:
    return ConfigError(
        f"cannot read {source.label}: {why}; point {CREDENTIAL} at the JSON key file"
    )


def _too_large(source: CredentialsFile) -> ConfigError:
    limit = MAX_CREDENTIALS_BYTES // 1024
    return _not_usable(source, f"it is larger than {limit} KiB, which no key file is")


def _check_regular(source: CredentialsFile, status: os.stat_result) -> None:
    if not stat.S_ISREG(status.st_mode):
        raise _not_usable(source, "it is not a regular file (a folder, a device or a pipe)")
    if status.st_size > MAX_CREDENTIALS_BYTES:
        raise _too_large(source)


def read_bytes(source: CredentialsFile) -> bytes:
    """The file's bytes, if it is a regular file below ``MAX_CREDENTIALS_BYTES``.

    Raises:
        ConfigError: the file is missing, unreadable, not a regular file or too large.
    """
    try:
        _check_regular(source, os.stat(source.path))
        # O_NONBLOCK: should the path become a FIFO after the check, opening it does not wait
        # for a writer; on a regular file the flag changes nothing.
        fd = os.open(source.path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
        with os.fdopen(fd, "rb") as file:
            _check_regular(source, os.fstat(file.fileno()))
            data = file.read(MAX_CREDENTIALS_BYTES + 1)
    except FileNotFoundError:
        raise ConfigError(
            f"{CREDENTIAL} names {source.path}, but there is no such file; " + SETUP
        ) from None
    except OSError as exc:
        raise _not_usable(source, exc.strerror or type(exc).__name__) from None
    if len(data) > MAX_CREDENTIALS_BYTES:  # it grew after the check
        raise _too_large(source)
    return data


def read_info(source: CredentialsFile) -> dict[str, Any]:
    """The credentials file as a dict of a type we can use, every field checked.

    Raises:
        ConfigError: the file is missing, unreadable, not JSON, not a supported credentials
            type, or a field is missing, of the wrong type, or (``token_uri``) not https.
    """
    try:
        text = read_bytes(source).decode("utf-8")
    except UnicodeDecodeError:
        raise _not_usable(source, "it is not text") from None
    try:
        info = json.loads(text)
    except ValueError:
        raise ConfigError(
            f"{source.label} is not JSON; it should be a service-account key file; " + SETUP
        ) from None
    kind = info.get("type") if isinstance(info, dict) else None
    if not isinstance(kind, str) or kind not in _REQUIRED:
        # Only Google's own type names are echoed: a field's value is otherwise never shown.
        known = isinstance(kind, str) and kind in _OTHER_GOOGLE_TYPES
        said = f" (its type is {kind!r})" if known else ""
        raise ConfigError(f"{source.label} is not a service-account key{said}; " + SETUP)
    _check_fields(source, info, _REQUIRED[kind])
    return cast(dict[str, Any], info)


def _check_fields(
    source: CredentialsFile, info: Mapping[str, Any], required: tuple[str, ...]
) -> None:
    def refuse(field: str, why: str) -> ConfigError:
        return ConfigError(f"{source.label} cannot be used: its {field} {why}; " + SETUP)

    for field in required:
        if field not in info or info[field] == "":
            raise refuse(field, "is missing")
    for field in (*required, *_OPTIONAL):
        if field in info and not isinstance(info[field], str):
            raise refuse(field, "is not text")
    token_uri = info.get("token_uri")
    if isinstance(token_uri, str):
        try:
            check_base_url(token_uri)
        except ValueError as exc:
            raise refuse("token_uri", str(exc)) from None


def token_uri(info: Mapping[str, Any]) -> str:
    """Where the credentials get their access token (checked by ``read_info``)."""
    value = info.get("token_uri")
    return value if isinstance(value, str) and value else DEFAULT_TOKEN_URI


def project_in(info: Mapping[str, Any]) -> str | None:
    """The project a credentials file names: a service account's own, else the quota project."""
    for key in ("project_id", "quota_project_id"):
        value = info.get(key)
        if isinstance(value, str) and value.strip():
            return value.strip()
    return None


def principal_of(info: Mapping[str, Any]) -> str:
    """Who the credentials act as, for the line that says whom to grant the role."""
    email = info.get("client_email")
    if info.get("type") == SERVICE_ACCOUNT and isinstance(email, str) and email:
        return f"the service account {email}"
    return "your Google account"


def refusal_fix(info: Mapping[str, Any]) -> str:
    """What to do when the token endpoint refuses these credentials."""
    if info.get("type") == SERVICE_ACCOUNT:
        return (
            "the key may be deleted or disabled: create a new JSON key for the service "
            f"account and point {CREDENTIAL} at it"
        )
    return "run `gcloud auth application-default login` again"
