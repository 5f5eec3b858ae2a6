"""Gemini usage from Google Cloud Monitoring (OAuth via google-auth), and Gemini key checks.

A Gemini API key cannot read usage: Monitoring needs OAuth credentials with
``roles/monitoring.viewer`` on the project that owns the key. Tokens and requests are project
totals per model and day (or hour); cost is estimated from published prices.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, TypeVar

import httpx

from aiusage.errors import (
    AuthError,
    BadResponseError,
    ConfigError,
    ForbiddenError,
    NotFoundError,
    SourceFailure,
)
from aiusage.http_client import redact, request_json
from aiusage.models import (
    KeyCheck,
    KeyStatus,
    Quota,
    SourceResult,
    UsageQuery,
    format_utc,
    utc_now,
)
from aiusage.sources.api.gemini.auth import GoogleAuth, GoogleToken
from aiusage.sources.api.gemini.credentials import (
    CREDENTIAL,
    SETUP,
    VIEWER_ROLE,
    find_credentials_file,
    principal_of,
    project_in,
)
from aiusage.sources.api.gemini.metrics import (
    ALIGNMENT,
    GEMINI_API,
    GL_RESOURCE,
    OUTPUT_TOKENS,
    fetch_series,
    series_path,
    usage_queries,
)
from aiusage.sources.api.gemini.quotas import fetch_quotas
from aiusage.sources.api.gemini.readiness import API_KEY, PROJECT, VENDOR, GeminiSetup, resolve
from aiusage.sources.api.gemini.records import build_records, tally
from aiusage.sources.api.keycheck import foreign_key, probe
from aiusage.sources.api.paging import gather_windows
from aiusage.sources.base import ClientConfig, ClientFactory

if TYPE_CHECKING:
    from pydantic import SecretStr

    from aiusage.settings import Settings

T = TypeVar("T")

API_KEY_CANNOT_READ_USAGE = (
    f"{API_KEY} alone cannot read usage: Cloud Monitoring needs OAuth credentials; " + SETUP
)
CAVEAT = (
    "Gemini usage from Cloud Monitoring is a project total per model: cached input is not "
    "split out (it is priced as ordinary input) and the latest hour may be missing"
)


class GeminiProvider(GeminiSetup):
    def client_config(self, settings: Settings) -> ClientConfig:
        source = find_credentials_file(settings)
        auth = GoogleAuth(GoogleToken(source, settings.http_timeout)) if source else None
        return ClientConfig(base_url=settings.google_monitoring_url, auth=auth)

    async def fetch(
        self, client: httpx.AsyncClient, settings: Settings, query: UsageQuery
    ) -> SourceResult:
        return await fetch_usage(client, settings, query, utc_now())

    async def check_keys(self, settings: Settings, connect: ClientFactory) -> list[KeyCheck]:
        checks = await check_credentials(settings, connect)
        if settings.gemini_api_key is not None:
            checks.append(await check_api_key(settings.gemini_api_key, settings, connect))
        return checks


async def fetch_usage(
    client: httpx.AsyncClient, settings: Settings, query: UsageQuery, now: datetime
) -> SourceResult:
    """Records for the query's aligned period, plus today's rate-limit rows when it includes now."""
    _, info, project = resolve(settings)
    principal = principal_of(info)
    alignment = ALIGNMENT[query.granularity]
    fetched = await gather_windows(
        usage_queries(),
        lambda q: _listed(fetch_series(client, project, principal, q, query.period, alignment)),
    )
    if all(f.missing for f in fetched):
        raise NotFoundError(
            f"{VENDOR} at {settings.google_monitoring_url} knows none of the Gemini metrics; "
            "check AIUSAGE_GOOGLE_MONITORING_URL"
        )
    totals = tally(fetched, query.granularity)
    scope = project if query.dimension == "project" else None
    records, unpriced = build_records(totals, query.period, query.granularity, scope)
    warnings: list[str] = []
    if unpriced:
        warnings.append(
            "no published price for Gemini model "
            + ", ".join(sorted(unpriced))
            + ": its cost is unknown"
        )
    if any(f.partial for f in fetched):
        warnings.append(f"{VENDOR} reported partial failures: totals may be incomplete")
    if any(r.product == GEMINI_API for r in records):
        warnings.append(CAVEAT)
    if "free tier" in totals.tiers:
        warnings.append(
            "free-tier Gemini usage is estimated at paid list prices; Google does not bill it"
        )
    if totals.other_publishers:
        warnings.append(
            "Vertex AI also served models of "
            + ", ".join(sorted(totals.other_publishers))
            + "; they are not counted as Gemini"
        )
    quotas: list[Quota] = []
    if query.period.since <= now <= query.period.until:
        quotas, quota_warnings = await fetch_quotas(client, project, principal, totals.tiers, now)
        warnings.extend(quota_warnings)
    return SourceResult(records=tuple(records), quotas=tuple(quotas), warnings=tuple(warnings))


async def _listed(job: Awaitable[T]) -> list[T]:
    return [await job]


async def check_credentials(settings: Settings, connect: ClientFactory) -> list[KeyCheck]:
    """The credentials file exists, parses and yields a token; Monitoring lets it read."""

    def verdict(status: KeyStatus, detail: str, hint: str = "") -> KeyCheck:
        return KeyCheck(
            provider="gemini", credential=CREDENTIAL, status=status, detail=detail, hint=hint
        )

    source = find_credentials_file(settings)
    if source is None:
        return [verdict("missing", "not set, and no Application Default Credentials", SETUP)]
    token = GoogleToken(source, settings.http_timeout)
    try:
        await asyncio.to_thread(token.headers)
    except ConfigError as exc:
        return [verdict("malformed", exc.message.removesuffix("; " + SETUP), SETUP)]
    except AuthError as exc:
        fix = token.fix()
        return [verdict("rejected", exc.message.removesuffix("; " + fix), fix)]
    except SourceFailure as exc:
        return [verdict("unreachable", exc.message, "try again later")]
    origin = "" if source.explicit else f" (Application Default Credentials, {source.path})"
    project = settings.google_cloud_project or project_in(token.info)
    if not project:
        return [
            verdict("ok", f"yields an access token{origin}; but no project is known"),
            KeyCheck(
                provider="gemini",
                credential=PROJECT,
                status="missing",
                detail="not set, and the credentials name no project",
                hint=f"set {PROJECT} to the project that owns your Gemini key",
            ),
        ]
    principal = principal_of(token.info)
    now = utc_now().replace(second=0, microsecond=0)
    check = await probe(
        connect,
        ClientConfig(base_url=settings.google_monitoring_url, auth=GoogleAuth(token)),
        provider="gemini",
        credential=CREDENTIAL,
        vendor=VENDOR,
        path=series_path(project),
        params=[
            ("filter", f'metric.type = "{OUTPUT_TOKENS}" AND resource.type = "{GL_RESOURCE}"'),
            ("interval.startTime", format_utc(now - timedelta(hours=1))),
            ("interval.endTime", format_utc(now)),
            ("view", "HEADERS"),
            ("pageSize", 1),
        ],
        fix=SETUP,
        forbidden_fix=f"grant {VIEWER_ROLE} on project {project} to {principal}",
    )
    if check.status == "ok":
        check = check.model_copy(
            update={"detail": f"{check.detail}; reads project {project} as {principal}{origin}"}
        )
    return [check]


async def check_api_key(secret: SecretStr, settings: Settings, connect: ClientFactory) -> KeyCheck:
    """One cheap call to the Gemini API's model list; a bad key is 400 API_KEY_INVALID there."""
    key = secret.get_secret_value()
    foreign = foreign_key("gemini", API_KEY, key)
    if foreign is not None:
        return foreign
    config = ClientConfig(base_url=settings.gemini_base_url, headers={"x-goog-api-key": key})
    vendor = "the Gemini API"

    def verdict(status: KeyStatus, detail: str, hint: str) -> KeyCheck:
        return KeyCheck(
            provider="gemini", credential=API_KEY, status=status, detail=detail, hint=hint
        )

    try:
        async with connect(config) as client:
            await request_json(client, vendor, "GET", "/v1beta/models", params=[("pageSize", 1)])
    except (AuthError, ForbiddenError, BadResponseError) as exc:
        if isinstance(exc, AuthError | ForbiddenError) or exc.status == 400:
            return verdict(
                "rejected",
                redact(exc.message, [key]),
                "create a key at https://aistudio.google.com/apikey and set GEMINI_API_KEY to it",
            )
        return verdict("unreachable", redact(exc.message, [key]), "try again later")
    except SourceFailure as exc:
        return verdict(
            "unreachable",
            redact(exc.message, [key]),
            "try again later, or check the network and AIUSAGE_GEMINI_BASE_URL",
        )
    return verdict("ok", f"accepted by {vendor}", API_KEY_CANNOT_READ_USAGE)
