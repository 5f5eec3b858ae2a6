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
from typing import Any, cast

import google.auth.transport
import httpx
from google.auth import exceptions as google_errors
from google.auth.credentials import Credentials
from google.oauth2 import credentials as user_credentials
from google.oauth2 import service_account

from aiusage.errors import AiUsageError, AuthError, ConfigError, UnavailableError
from aiusage.http_client import USER_AGENT, redact

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


def load_credentials(source: CredentialsFile, info: Mapping[str, Any]) -> Credentials:
    """Build google-auth credentials with the Monitoring read scope.

    Raises:
        ConfigError: the file has the right type but its fields are missing or unusable.
    """
    try:
        if info["type"] == SERVICE_ACCOUNT:
            built: Any = service_account.Credentials.from_service_account_info(  # type: ignore[no-untyped-call]
                dict(info), scopes=list(SCOPES)
            )
        else:
            # No scopes for a user's refresh token: asking for one the login did not grant
            # (gcloud grants cloud-platform, which covers Monitoring reads) fails the refresh.
            built = user_credentials.Credentials.from_authorized_user_info(  # type: ignore[no-untyped-call]
                dict(info)
            )
    except (ValueError, KeyError, TypeError, google_errors.GoogleAuthError) as exc:
        reason = redact(str(exc))[:200] or type(exc).__name__
        raise ConfigError(f"{source.label} cannot be used: {reason}; " + SETUP) from None
    return cast(Credentials, built)


class _Response(google.auth.transport.Response):
    def __init__(self, response: httpx.Response) -> None:
        self._response = response

    @property
    def status(self) -> int:
        return self._response.status_code

    @property
    def headers(self) -> Mapping[str, str]:
        return self._response.headers

    @property
    def data(self) -> bytes:
        return self._response.content


class HttpxTransport(google.auth.transport.Request):
    """google-auth's transport interface on a synchronous httpx client (the token endpoint)."""

    def __init__(self, client: httpx.Client) -> None:
        self._client = client

    def __call__(
        self,
        url: str,
        method: str = "GET",
        body: bytes | None = None,
        headers: Mapping[str, str] | None = None,
        timeout: float | None = None,
        **kwargs: Any,
    ) -> _Response:
        try:
            response = self._client.request(
                method,
                url,
                content=body,
                headers=headers,
                timeout=timeout if timeout is not None else httpx.USE_CLIENT_DEFAULT,
            )
        except httpx.HTTPError as exc:
            raise google_errors.TransportError(type(exc).__name__) from exc  # type: ignore[no-untyped-call]
        log.debug("token endpoint %s -> %s", response.request.url.host, response.status_code)
        return _Response(response)


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
            try:
                if self._credentials is None:
                    self._credentials = load_credentials(self.source, self.info)
                credentials = self._credentials
                if not credentials.valid:
                    self._refresh(credentials)
            except AiUsageError as exc:
                self._failure = exc
                raise
            headers: dict[str, str] = {}
            credentials.apply(headers)  # type: ignore[no-untyped-call]
            return headers

    def _refresh(self, credentials: Credentials) -> None:
        host = httpx.URL(str(self.info.get("token_uri") or "https://oauth2.googleapis.com")).host
        try:
            with httpx.Client(
                timeout=httpx.Timeout(self._timeout, connect=min(self._timeout, 10.0)),
                headers={"User-Agent": USER_AGENT},
                follow_redirects=False,
            ) as client:
                credentials.refresh(HttpxTransport(client))  # type: ignore[no-untyped-call]
        except google_errors.TransportError as exc:
            raise UnavailableError(
                f"cannot reach Google's token endpoint {host} ({exc}); check the network"
            ) from None
        except google_errors.RefreshError as exc:
            detail = redact(str(exc.args[0]) if exc.args else "")[:200]
            if exc.retryable:
                raise UnavailableError(
                    f"Google's token endpoint {host} kept failing ({detail}); try again later"
                ) from None
            raise AuthError(
                f"Google's token endpoint refused {self.source.label}: {detail or 'no reason'}; "
                + self.fix()
            ) from None
        except (google_errors.GoogleAuthError, ValueError, TypeError) as exc:
            # A key that parses but cannot sign, or a token answer google-auth cannot read.
            reason = redact(str(exc))[:200] or type(exc).__name__
            raise AuthError(
                f"cannot get a Google access token from {self.source.label}: {reason}; "
                + self.fix()
            ) from None

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
