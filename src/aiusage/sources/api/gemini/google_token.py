"""Every call into google-auth: building credentials and refreshing their access token.

google-auth signs the service-account JWT and posts it to the credentials' ``token_uri``; it has
no httpx transport, so :class:`HttpxTransport` adapts a synchronous client from the one client
factory (timeouts, User-Agent, the retry policy) to its ``google.auth.transport.Request``. Every
google-auth exception becomes one of our errors here, with a message that says what to do and
never a field's value. Imported only when a token is needed (see ``auth``).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any, cast

import google.auth.transport
import httpx
from google.auth import exceptions as google_errors
from google.auth.credentials import Credentials
from google.oauth2 import credentials as user_credentials
from google.oauth2 import service_account

from aiusage.errors import AuthError, ConfigError, UnavailableError
from aiusage.http_client import RETRY_STATUSES, build_sync_client, redact
from aiusage.redact import register_secret
from aiusage.sources.api.gemini.credentials import SCOPES, SERVICE_ACCOUNT, SETUP, CredentialsFile

log = logging.getLogger(__name__)


def load_credentials(source: CredentialsFile, info: Mapping[str, Any]) -> Credentials:
    """Build google-auth credentials with the Monitoring read scope from a checked file.

    Raises:
        ConfigError: the fields have the right types but google-auth cannot use them (a
            ``private_key`` that is not a PEM key, for one).
    """
    register_file_secrets(info)
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
        # google-auth's messages may quote the field's value (a private key among them).
        field = "private_key" if info["type"] == SERVICE_ACCOUNT else "refresh_token"
        raise ConfigError(
            f"{source.label} cannot be used: google-auth refused its fields "
            f"({type(exc).__name__}; check {field}); " + SETUP
        ) from None
    return cast(Credentials, built)


def register_file_secrets(info: Mapping[str, Any]) -> None:
    """Register the secrets a credentials file holds (each line of a PEM key on its own)."""
    for name in ("refresh_token", "client_secret", "private_key"):
        value = info.get(name)
        if isinstance(value, str):
            register_secret(value)
            for line in value.splitlines():
                if not line.startswith("-----"):
                    register_secret(line)


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
        if response.status_code in RETRY_STATUSES:
            # Our transport has already retried it; google-auth would retry each of its own
            # attempts again (three times the requests, with sleeps of its own).
            raise google_errors.RefreshError(  # type: ignore[no-untyped-call]
                f"HTTP {response.status_code}", retryable=True
            )
        return _Response(response)


def refresh(
    credentials: Credentials, *, label: str, token_uri: str, fix: str, timeout: float
) -> None:
    """Refresh the access token through google-auth; its failures become our errors.

    Args:
        label: the credentials file, as messages name it.
        token_uri: where the token comes from (named in messages by its host only).
        fix: what to do when the endpoint refuses the credentials.
    """
    host = httpx.URL(token_uri).host
    try:
        with build_sync_client(timeout) as client:
            credentials.refresh(HttpxTransport(client))  # type: ignore[no-untyped-call]
        # The access token is a credential too: no output may show it (aiusage.redact).
        register_secret(getattr(credentials, "token", None))
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
            f"Google's token endpoint refused {label}: {detail or 'no reason'}; {fix}"
        ) from None
    except (google_errors.GoogleAuthError, ValueError, TypeError) as exc:
        # A key that parses but cannot sign, or a token answer google-auth cannot read.
        raise AuthError(
            f"cannot get a Google access token from {label} ({type(exc).__name__}); {fix}"
        ) from None
