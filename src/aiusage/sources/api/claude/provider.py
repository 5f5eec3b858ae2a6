"""Claude (Anthropic): the Usage and Cost Analytics API, the legacy Admin reports as fallback."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Literal

from aiusage.errors import (
    AuthError,
    RateLimitedError,
    SourceFailure,
    TimeoutFailure,
    UnavailableError,
)
from aiusage.http_client import QueryParams, request_json
from aiusage.models import (
    KeyCheck,
    KeyStatus,
    SourceResult,
    UsageQuery,
    format_utc,
    utc_now,
)
from aiusage.periods import floor
from aiusage.sources.api.claude import analytics as claude_analytics
from aiusage.sources.api.claude import legacy as claude_legacy
from aiusage.sources.api.claude import routing as claude_routing
from aiusage.sources.api.claude.readiness import ClaudeSetup
from aiusage.sources.api.keycheck import foreign_key, refuse_foreign_key
from aiusage.sources.base import ClientConfig, ClientFactory

if TYPE_CHECKING:
    import httpx

    from aiusage.settings import Settings

ADMIN_PREFIX = "sk-ant-admin"
API_VERSION = "2023-06-01"
ADMIN_KEY_FIX = (
    "create an Admin key (sk-ant-admin01-…) in the Claude Console under Settings → Admin keys "
    "(organization admins only) and set ANTHROPIC_ADMIN_KEY to it; for a Claude Enterprise "
    "organization, a primary owner can instead create an Analytics API key with read:analytics "
    "in claude.ai under Organization settings → API"
)
Api = Literal["analytics", "legacy"]
Outcome = SourceFailure | None  # what one probe request ended in: None when it was accepted
# Failures that say nothing about the key.
_TRANSIENT = (RateLimitedError, TimeoutFailure, UnavailableError)


class ClaudeProvider(ClaudeSetup):
    def __init__(self, clock: Callable[[], datetime] = utc_now) -> None:
        # The analytics API's reach is counted back from now; tests pin the clock.
        self.clock = clock

    def client_config(self, settings: Settings) -> ClientConfig:
        key = settings.anthropic_admin_key
        headers = {"anthropic-version": API_VERSION}
        if key is not None:
            credential = settings.credential_variable("anthropic_admin_key")
            refuse_foreign_key("claude", credential, key.get_secret_value())
            headers["x-api-key"] = key.get_secret_value()
        return ClientConfig(base_url=settings.anthropic_base_url, headers=headers)

    async def fetch(
        self, client: httpx.AsyncClient, settings: Settings, query: UsageQuery
    ) -> SourceResult:
        key = settings.anthropic_admin_key
        admin = key is not None and key.get_secret_value().startswith(ADMIN_PREFIX)
        return await claude_routing.fetch(client, query, settings.claude_api, admin, self.clock())

    async def check_keys(self, settings: Settings, connect: ClientFactory) -> list[KeyCheck]:
        """Probe the API(s) that ``AIUSAGE_CLAUDE_API`` lets aiusage read: both under ``auto``."""
        key = settings.anthropic_admin_key
        credential = settings.credential_variable("anthropic_admin_key")
        if key is None:
            return [self._check(credential, "missing", "not set", ADMIN_KEY_FIX)]
        value = key.get_secret_value()
        foreign = foreign_key("claude", credential, value)
        if foreign is not None:
            return [foreign]
        if not value.startswith("sk-ant-"):
            return [
                self._check(
                    credential,
                    "malformed",
                    "not an Anthropic key (they start with sk-ant-)",
                    ADMIN_KEY_FIX,
                )
            ]
        config = self.client_config(settings)
        mode = settings.claude_api
        apis: tuple[Api, ...] = ("analytics", "legacy") if mode == "auto" else (mode,)
        answers = await asyncio.gather(*(self._attempt(connect, config, api) for api in apis))
        status, detail, hint = _verdict(
            dict(zip(apis, answers, strict=True)), admin=value.startswith(ADMIN_PREFIX)
        )
        if status != "ok" and settings.claude_api != "auto":
            hint += f" (AIUSAGE_CLAUDE_API={settings.claude_api}: only that API was checked)"
        return [self._check(credential, status, detail, hint)]

    async def _attempt(self, connect: ClientFactory, config: ClientConfig, api: Api) -> Outcome:
        """One cheap request (yesterday, one row) with the key: the failure, or None if read."""
        today = floor(self.clock(), "1d")
        params: QueryParams = [
            ("starting_at", format_utc(today - timedelta(days=1))),
            ("ending_at", format_utc(today)),
            ("time_bucket_width" if api == "analytics" else "bucket_width", "1d"),
            ("limit", 1),
        ]
        path = claude_analytics.USAGE_PATH if api == "analytics" else claude_legacy.USAGE_PATH
        headers = claude_analytics.HEADERS if api == "analytics" else None
        try:
            async with connect(config) as client:
                await request_json(client, self.vendor, "GET", path, params=params, headers=headers)
        except SourceFailure as exc:
            return exc
        return None

    def _check(self, credential: str, status: KeyStatus, detail: str, hint: str = "") -> KeyCheck:
        return KeyCheck(
            provider=self.name, credential=credential, status=status, detail=detail, hint=hint
        )


def _reachable(outcome: Outcome) -> bool:
    """The request got an answer about the key (not a timeout, 429 or 5xx)."""
    return not isinstance(outcome, _TRANSIENT)


def _verdict(outcomes: dict[Api, Outcome], *, admin: bool) -> tuple[KeyStatus, str, str]:
    """Status, detail and hint of a key from what each probed API answered."""
    read = [api for api, outcome in outcomes.items() if outcome is None]
    refused = {api: outcome for api, outcome in outcomes.items() if outcome is not None}
    if read:
        detail = "accepted by " + " and ".join(_NAMES[api] for api in read)
        for api, failure in refused.items():
            detail += f"; {_NAMES[api]}: {failure.message}"
            if _reachable(failure):
                detail += "; " + _WITHOUT[api]
        return "ok", detail, ""
    failures = list(refused.values())
    transient = next((f for f in failures if not _reachable(f)), None)
    if transient is not None:
        return "unreachable", transient.message, "try again later"
    if not admin:
        return (
            "wrong_kind",
            f"{' and '.join(_NAMES[api] for api in refused)} refused this key "
            "(an ordinary API key?)",
            ADMIN_KEY_FIX,
        )
    if all(isinstance(f, AuthError) for f in failures):
        return "rejected", failures[-1].message, "the key was revoked or mistyped: " + ADMIN_KEY_FIX
    return "wrong_kind", failures[-1].message, "this key cannot read usage: " + ADMIN_KEY_FIX


_NAMES: dict[Api, str] = {"analytics": "the analytics API", "legacy": "the legacy reports"}
_WITHOUT: dict[Api, str] = {
    "analytics": "aiusage reads the legacy reports (no --by user or --by product)",
    "legacy": "usage before 2026-01-01 or over 365 days old is not readable",
}
