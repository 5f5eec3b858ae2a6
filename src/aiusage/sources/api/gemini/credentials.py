"""Google credentials for Cloud Monitoring: finding the file, google-auth refresh, an httpx.Auth.

google-auth signs the service-account JWT and talks to the credentials' own ``token_uri``; it
has no httpx transport, so :class:`HttpxTransport` adapts a synchronous httpx client to its
``google.auth.transport.Request`` interface and the refresh runs in a worker thread. Every
google-auth exception becomes one of our errors here, with a message that says what to do.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import threading
from collections.abc import AsyncGenerator, Generator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

import httpx

from aiusage.errors import AiUsageError, ConfigError

if TYPE_CHECKING:
    from google.auth.credentials import Credentials

log = logging.getLogger(__name__)

CREDENTIAL = "GOOGLE_APPLICATION_CREDENTIALS"
SCOPES = ("https://www.googleapis.com/auth/monitoring.read",)
VIEWER_ROLE = "roles/monitoring.viewer"
SERVICE_ACCOUNT = "service_account"
AUTHORIZED_USER = "authorized_user"
SETUP = (
    f"create a service account with {VIEWER_ROLE} on the project that owns your Gemini key, "
    f"download a JSON key for it and set {CREDENTIAL} to that file and GOOGLE_CLOUD_PROJECT to "
    "the project id (or run `gcloud auth application-default login`)"
)


def adc_path() -> Path:
    """Where ``gcloud auth application-default login`` writes its credentials.

    The same rule as google-auth's ``_cloud_sdk.get_application_default_credentials_path``
    (a private function, so it is repeated here): ``$CLOUDSDK_CONFIG``, else the gcloud folder.
    """
    config = os.environ.get("CLOUDSDK_CONFIG")
    if config:
        folder = Path(config)
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


def find_credentials_file(settings_path: Path | None) -> CredentialsFile | None:
    """The explicit file (even when it does not exist: the user should hear why), else ADC."""
    if settings_path is not None:
        return CredentialsFile(settings_path.expanduser(), explicit=True)
    adc = adc_path()
    return CredentialsFile(adc, explicit=False) if adc.is_file() else None


def read_info(source: CredentialsFile) -> dict[str, Any]:
    """The credentials file as a dict of a type we can use.

    Raises:
        ConfigError: the file is missing, unreadable, not JSON or not a supported credentials type.
    """
    try:
        text = source.path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(
            f"{CREDENTIAL} names {source.path}, but there is no such file; " + SETUP
        ) from None
    except (OSError, UnicodeDecodeError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else "not text"
        raise ConfigError(
            f"cannot read {source.label} ({reason}); check that it is a readable file"
        ) from None
    try:
        info = json.loads(text)
    except ValueError:
        raise ConfigError(
            f"{source.label} is not JSON; it should be a service-account key file; " + SETUP
        ) from None
    kind = info.get("type") if isinstance(info, dict) else None
    if kind not in (SERVICE_ACCOUNT, AUTHORIZED_USER):
        said = f" (its type is {kind!r})" if isinstance(kind, str) and len(kind) < 40 else ""
        raise ConfigError(f"{source.label} is not a service-account key{said}; " + SETUP)
    return cast(dict[str, Any], info)


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


class GoogleToken:
    """Credentials loaded once and refreshed by google-auth when expired; safe across threads."""

    def __init__(self, source: CredentialsFile, timeout: float = 30.0) -> None:
        self.source = source
        self._timeout = timeout
        self._lock = threading.Lock()
        self._info: dict[str, Any] | None = None
        self._credentials: Credentials | None = None
        self._failure: AiUsageError | None = None

    @property
    def info(self) -> dict[str, Any]:
        if self._info is None:
            self._info = read_info(self.source)
        return self._info

    def headers(self) -> dict[str, str]:
        """The ``authorization`` (and quota-project) headers, refreshing the token if needed.

        Raises:
            ConfigError: the credentials file is unusable.
            AuthError: the token endpoint refused the credentials.
            UnavailableError: the token endpoint could not be reached or kept failing.
        """
        with self._lock:
            if self._failure is not None:
                # Requests running side by side share one verdict, not one refresh each.
                raise self._failure
            # google-auth (and the cryptography it loads) is imported only when a token is needed.
            from aiusage.sources.api.gemini import google_token

            try:
                if self._credentials is None:
                    self._credentials = google_token.load_credentials(self.source, self.info)
                credentials = self._credentials
                if not credentials.valid:
                    google_token.refresh(credentials, self, self._timeout)
            except AiUsageError as exc:
                self._failure = exc
                raise
            headers: dict[str, str] = {}
            credentials.apply(headers)  # type: ignore[no-untyped-call]
            return headers

    def fix(self) -> str:
        """What to do when the token endpoint refuses these credentials."""
        if self.info.get("type") == SERVICE_ACCOUNT:
            return (
                "the key may be deleted or disabled: create a new JSON key for the service "
                f"account and point {CREDENTIAL} at it"
            )
        return "run `gcloud auth application-default login` again"


class GoogleAuth(httpx.Auth):
    """Adds the bearer token of :class:`GoogleToken` to each request of our httpx client."""

    def __init__(self, token: GoogleToken) -> None:
        self.token = token

    def sync_auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response]:
        request.headers.update(self.token.headers())
        yield request

    async def async_auth_flow(
        self, request: httpx.Request
    ) -> AsyncGenerator[httpx.Request, httpx.Response]:
        # The refresh is blocking I/O in google-auth: keep it off the event loop.
        request.headers.update(await asyncio.to_thread(self.token.headers))
        yield request
