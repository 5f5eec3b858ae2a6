"""The Google access token as an ``httpx.Auth``: loaded once, refreshed when expired.

google-auth (and the cryptography it loads) is imported only when a token is really needed, not
on every start of ``aiusage report``: ``google_token`` holds every call into it.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import AsyncGenerator, Generator
from typing import TYPE_CHECKING, Any

import httpx

from aiusage.errors import AiUsageError
from aiusage.sources.api.gemini.credentials import (
    CredentialsFile,
    read_info,
    refusal_fix,
    token_uri,
)

if TYPE_CHECKING:
    from google.auth.credentials import Credentials


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
            from aiusage.sources.api.gemini import google_token

            try:
                if self._credentials is None:
                    self._credentials = google_token.load_credentials(self.source, self.info)
                credentials = self._credentials
                if not credentials.valid:
                    google_token.refresh(
                        credentials,
                        label=self.source.label,
                        token_uri=token_uri(self.info),
                        fix=self.fix(),
                        timeout=self._timeout,
                    )
            except AiUsageError as exc:
                self._failure = exc
                raise
            headers: dict[str, str] = {}
            credentials.apply(headers)  # type: ignore[no-untyped-call]
            return headers

    def fix(self) -> str:
        """What to do when the token endpoint refuses these credentials."""
        return refusal_fix(self.info)


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
