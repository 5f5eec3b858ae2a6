"""Cursor through the team Admin API: usage events, spend, daily activity, AI code commits."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import TYPE_CHECKING

import httpx

from aiusage.errors import ForbiddenError, NotFoundError, SourceFailure
from aiusage.models import (
    CodeActivity,
    KeyCheck,
    KeyStatus,
    SourceResult,
    UsageQuery,
    utc_now,
)
from aiusage.periods import aligned, windows
from aiusage.sources.api.cursor import client as cursor_api
from aiusage.sources.api.cursor.client import KEY_FIX, PLAN_HINT, WINDOW, Pacer
from aiusage.sources.api.cursor.readiness import CursorSetup
from aiusage.sources.api.cursor.records import (
    build_records,
    commit_activity,
    day_activity,
    spend_quotas,
)
from aiusage.sources.api.keycheck import foreign_key, probe, refuse_foreign_key
from aiusage.sources.base import ClientConfig, ClientFactory

if TYPE_CHECKING:
    from aiusage.settings import Settings

# Documented: "key_" and 64 characters; a 2026 third-party page says new keys start "crsr_".
_DOCUMENTED_KEY = re.compile(r"key_[A-Za-z0-9]{64}")
_NEWER_KEY = re.compile(r"crsr_[A-Za-z0-9_-]{20,}")
_SESSION_TOKEN = re.compile(r"eyJ[\w-]*\.[\w-]+\.[\w-]*")
FORMAT_HINT = "Cursor Admin API keys look like key_ followed by 64 letters and digits"


class CursorProvider(CursorSetup):
    def __init__(self, pacer: Callable[[], Pacer] = Pacer) -> None:
        # One pacer per fetch; tests pass one with a fake clock so that nothing sleeps.
        self.pacer = pacer

    def client_config(self, settings: Settings) -> ClientConfig:
        key = settings.cursor_admin_key
        if key is not None:
            credential = settings.credential_variable("cursor_admin_key")
            refuse_foreign_key("cursor", credential, key.get_secret_value())
        auth = None if key is None else httpx.BasicAuth(key.get_secret_value(), "")
        return ClientConfig(base_url=settings.cursor_base_url, auth=auth)

    async def fetch(
        self, client: httpx.AsyncClient, settings: Settings, query: UsageQuery
    ) -> SourceResult:
        pacer = self.pacer()
        now = utc_now()
        period = query.period
        events = [
            event
            for window in windows(period, WINDOW)
            for event in await cursor_api.usage_events(client, pacer, window)
        ]
        records, warnings = build_records(events, period, query.granularity)
        rows = [
            row
            for window in windows(aligned(period, "1d"), WINDOW)
            for row in await cursor_api.daily_usage(client, pacer, window)
        ]
        activity, unreadable = day_activity(rows, period)
        if unreadable:
            warnings.append(f"{unreadable} Cursor daily usage rows without a readable day skipped")
        members, cycle_start = await cursor_api.team_spend(client, pacer)
        quotas = spend_quotas(members, cycle_start, now)
        commits, note = await self._commits(client, pacer, query)
        if note:
            warnings.append(note)
        return SourceResult(
            records=tuple(records),
            quotas=tuple(quotas),
            warnings=tuple(warnings),
            activity=tuple(sorted([*activity, *commits], key=_activity_order)),
        )

    async def _commits(
        self, client: httpx.AsyncClient, pacer: Pacer, query: UsageQuery
    ) -> tuple[list[CodeActivity], str]:
        """AI Code Tracking commits; where the team lacks it, a note instead of a failure."""
        try:
            found = [
                commit
                for window in windows(aligned(query.period, "1d"), WINDOW)
                for commit in await cursor_api.commits(client, pacer, window)
            ]
        except (ForbiddenError, NotFoundError):
            return [], (
                "per-commit AI line counts (Cursor AI Code Tracking API) need an Enterprise "
                "team; not shown"
            )
        except SourceFailure as exc:
            return [], f"per-commit AI line counts not shown: {exc.message}"
        return commit_activity(found, query.period), ""

    async def check_keys(self, settings: Settings, connect: ClientFactory) -> list[KeyCheck]:
        credential = settings.credential_variable("cursor_admin_key")

        def verdict(status: KeyStatus, detail: str, hint: str = KEY_FIX) -> list[KeyCheck]:
            return [
                KeyCheck(
                    provider="cursor",
                    credential=credential,
                    status=status,
                    detail=detail,
                    hint=hint,
                )
            ]

        key = settings.cursor_admin_key
        if key is None:
            return verdict(
                "missing",
                "not set",
                KEY_FIX + "; on an individual plan use `aiusage cursor set` instead",
            )
        value = key.get_secret_value()
        foreign = foreign_key("cursor", credential, value)
        if foreign is not None:
            return [foreign]
        if _SESSION_TOKEN.fullmatch(value):
            return verdict(
                "wrong_kind",
                "a Cursor sign-in token (JWT), not an Admin API key",
                KEY_FIX,
            )
        if not (_DOCUMENTED_KEY.fullmatch(value) or _NEWER_KEY.fullmatch(value)):
            return verdict("malformed", f"not a Cursor Admin API key ({FORMAT_HINT})")
        return [
            await probe(
                connect,
                self.client_config(settings),
                provider="cursor",
                credential=credential,
                vendor=self.vendor,
                path=cursor_api.MEMBERS_PATH,
                fix="the key was revoked or mistyped: " + KEY_FIX,
                forbidden_fix=PLAN_HINT,
            )
        ]


def _activity_order(item: CodeActivity) -> tuple[str, str, str]:
    return item.start.isoformat(), item.user or "", item.commit or ""
