"""google-auth glue for the Gemini provider: building credentials and refreshing their token.

Kept apart from ``gemini_auth`` so that google-auth (and the cryptography it loads) is imported
only when a Google token is really needed, not on every start of ``aiusage report``.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, cast

import google.auth.transport
import httpx
from google.auth import exceptions as google_errors
from google.auth.credentials import Credentials
from google.oauth2 import credentials as user_credentials
from google.oauth2 import service_account

from aiusage.errors import AuthError, ConfigError, UnavailableError
from aiusage.http_client import USER_AGENT, redact
from aiusage.sources.api.gemini.credentials import SCOPES, SERVICE_ACCOUNT, SETUP, CredentialsFile

if TYPE_CHECKING:
    from aiusage.sources.api.gemini.credentials import GoogleToken

log = logging.getLogger(__name__)


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


def refresh(credentials: Credentials, token: GoogleToken, timeout: float) -> None:
    """Refresh the access token through google-auth; its failures become our errors."""
    host = httpx.URL(str(token.info.get("token_uri") or "https://oauth2.googleapis.com")).host
    try:
        with httpx.Client(
            timeout=httpx.Timeout(timeout, connect=min(timeout, 10.0)),
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
            f"Google's token endpoint refused {token.source.label}: {detail or 'no reason'}; "
            + token.fix()
        ) from None
    except (google_errors.GoogleAuthError, ValueError, TypeError) as exc:
        # A key that parses but cannot sign, or a token answer google-auth cannot read.
        reason = redact(str(exc))[:200] or type(exc).__name__
        raise AuthError(
            f"cannot get a Google access token from {token.source.label}: {reason}; " + token.fix()
        ) from None
