"""Which Anthropic reporting API serves which part of a period, with the fallback between them."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal

import httpx

from aiusage.errors import (
    AuthError,
    BadResponseError,
    ForbiddenError,
    NotFoundError,
    SourceFailure,
)
from aiusage.models import Granularity, Period, SourceResult, UsageQuery, UsageRecord
from aiusage.periods import ceil, windows
from aiusage.sources.api.claude import analytics as claude_analytics
from aiusage.sources.api.claude import legacy as claude_legacy
from aiusage.sources.api.paging import gather_windows

log = logging.getLogger(__name__)

Mode = Literal["auto", "analytics", "legacy"]
Api = Literal["analytics", "legacy", "none"]
# Words of a 400 that mean "this organization cannot use the analytics API" (HIPAA readiness,
# or the beta not enabled); any other 400 is a real error. The exact wording is undocumented.
_UNAVAILABLE_WORDS = ("hipaa", "beta")


def split(
    period: Period, granularity: Granularity, now: datetime, mode: Mode
) -> list[tuple[Api, Period]]:
    """Cut the period at the analytics API's reach: older buckets are legacy-only.

    The cut falls on a bucket boundary so no bucket is served by both APIs. With ``mode``
    ``legacy`` everything is legacy; with ``analytics`` the older part is served by "none".
    """
    if mode == "legacy":
        return [("legacy", period)]
    cut = ceil(claude_analytics.reach(now), granularity)
    cut = min(max(cut, period.since), period.until)
    older: Api = "none" if mode == "analytics" else "legacy"
    parts: list[tuple[Api, Period]] = []
    if period.since < cut:
        parts.append((older, Period(since=period.since, until=cut)))
    if cut < period.until:
        parts.append(("analytics", Period(since=cut, until=period.until)))
    return parts


def falls_back(exc: SourceFailure) -> bool:
    """True for the analytics API's answers that mean "not for this key or organization":
    decided on the error's kind, its HTTP status and the vendor's own words, never on our
    message (which a wording change or a model name could match)."""
    if isinstance(exc, ForbiddenError | NotFoundError):
        return True
    if type(exc) is BadResponseError and exc.status == 400:
        return any(word in exc.detail.lower() for word in _UNAVAILABLE_WORDS)
    return False


@dataclass
class Run:
    """One fetch: its choices, and what it learned on the way (the fallback)."""

    client: httpx.AsyncClient
    query: UsageQuery
    mode: Mode
    admin_key: bool
    recent: bool = False  # part of the period is within the analytics API's reach
    fell_back: str | None = None
    warnings: list[str] = field(default_factory=list)

    def warn(self, message: str) -> None:
        if message not in self.warnings:
            self.warnings.append(message)

    async def legacy(self, window: Period) -> list[SourceResult]:
        log.debug("claude: legacy reports serve %s to %s", window.since, window.until)
        result = await claude_legacy.fetch(
            self.client, self.query.model_copy(update={"period": window})
        )
        if self.query.dimension in ("user", "product"):
            self.warn(
                f"Anthropic's legacy reports cannot split by {self.query.dimension}: "
                "their usage shows as one row marked —"
            )
        for message in result.warnings:
            self.warn(message)
        return [result]

    async def older_part(self, window: Period) -> list[SourceResult]:
        """The part before the analytics API's reach: only the legacy reports have it."""
        try:
            return await self.legacy(window)
        except (AuthError, ForbiddenError) as exc:
            if self.admin_key:
                raise
            why = (
                f"usage before {window.until:%Y-%m-%d} is only in Anthropic's legacy reports, "
                "which need an Admin key (sk-ant-admin01-…); this key cannot read them"
            )
            if not self.recent:
                raise type(exc)(f"{why} ({exc.message})") from None
            # An Enterprise Analytics key reads only the analytics API: show what it can read.
            self.warn(why)
            return []

    async def analytics(self, window: Period) -> list[SourceResult]:
        if self.fell_back is not None:
            return await self.legacy(window)
        q = self.query
        # Hourly buckets carry the same dollars: the report re-cuts them at the user's midnights.
        granularity: Granularity = (
            "1h" if q.hourly_dollars and q.granularity == "1d" else q.granularity
        )
        try:
            result = await claude_analytics.fetch_window(
                self.client, window, granularity, q.dimension
            )
        except SourceFailure as exc:
            if not falls_back(exc):
                raise
            if self.mode == "analytics":
                raise type(exc)(
                    f"{exc.message}; set AIUSAGE_CLAUDE_API=auto to read the legacy reports"
                ) from None
            self.fall_back(exc)
            return await self.fallback(window)
        log.debug("claude: analytics API serves %s to %s", window.since, window.until)
        return [result]

    def fall_back(self, exc: SourceFailure) -> None:
        if self.fell_back is None:
            self.fell_back = exc.message
            log.debug("claude: analytics API unavailable (%s); legacy for the rest", exc.message)

    async def fallback(self, window: Period) -> list[SourceResult]:
        try:
            return await self.legacy(window)
        except (AuthError, ForbiddenError) as exc:
            raise ForbiddenError(
                f"Anthropic's analytics API refused this key ({self.fell_back}) and the legacy "
                f"reports did too ({exc.message}): use an Admin key (sk-ant-admin01-…) or a "
                "Claude Enterprise Analytics key with read:analytics"
            ) from None

    async def analytics_part(self, part: Period) -> list[SourceResult]:
        """The probe (the first window, alone), then the other windows side by side."""
        chunks = list(windows(part, claude_analytics.SPAN[self.query.granularity]))
        first = await self.analytics(chunks[0])
        if len(chunks) > 1 and self.fell_back is not None:
            return first + await self.legacy(Period(since=chunks[1].since, until=part.until))
        return first + await gather_windows(chunks[1:], self.analytics)


async def fetch(
    client: httpx.AsyncClient, query: UsageQuery, mode: Mode, admin_key: bool, now: datetime
) -> SourceResult:
    """Serve each part of the period from the API that can, and merge the records."""
    parts = split(query.period, query.granularity, now, mode)
    recent = any(api == "analytics" for api, _ in parts)
    run = Run(client=client, query=query, mode=mode, admin_key=admin_key, recent=recent)

    async def serve(part: tuple[Api, Period]) -> list[SourceResult]:
        api, period = part
        if api == "analytics":
            return await run.analytics_part(period)
        if api == "legacy":
            return await (run.legacy(period) if mode == "legacy" else run.older_part(period))
        run.warn(
            f"AIUSAGE_CLAUDE_API=analytics: usage before {period.until:%Y-%m-%d} is not shown; "
            "the analytics API starts at 2026-01-01 and reaches back 365 days "
            "(AIUSAGE_CLAUDE_API=auto reads older usage from the legacy reports)"
        )
        return []

    results = await gather_windows(parts, serve)
    records: list[UsageRecord] = [r for result in results for r in result.records]
    return SourceResult(records=tuple(records), warnings=tuple(run.warnings))
