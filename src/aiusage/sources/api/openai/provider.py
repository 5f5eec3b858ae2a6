"""OpenAI through the organization Usage and Costs APIs, read with an Admin key."""

from __future__ import annotations

import asyncio
from collections.abc import Generator
from datetime import timedelta
from typing import TYPE_CHECKING

import httpx
from pydantic import SecretStr

from aiusage.models import (
    FetchDimension,
    KeyCheck,
    KeyStatus,
    Period,
    SourceResult,
    UsageQuery,
    utc_now,
)
from aiusage.periods import floor, windows
from aiusage.sources.api.keycheck import foreign_key, probe, refuse_foreign_key
from aiusage.sources.api.openai.client import (
    ADMIN_KEY_FIX,
    COSTS_SPAN,
    ENDPOINTS,
    MISSING_SCOPE,
    SPAN,
    USAGE_PATH,
    Endpoint,
    fetch_costs,
    fetch_usage,
    window_params,
)
from aiusage.sources.api.openai.readiness import OpenAISetup
from aiusage.sources.api.openai.records import build_records, split_costs, tally_usage
from aiusage.sources.api.openai.wire import Bucket, CostResult, UsageResult
from aiusage.sources.api.paging import gather_windows
from aiusage.sources.base import ClientConfig, ClientFactory

if TYPE_CHECKING:
    from aiusage.settings import Settings

ADMIN_PREFIX = "sk-admin-"
DAILY_COST_ONLY = (
    "OpenAI reports cost per day only: costs at this granularity are estimates from published "
    "prices; use --granularity 1d for billed dollars"
)
NO_COST_BY_USER = (
    "OpenAI's Costs API cannot split cost by user: costs per user are estimates from published "
    "prices; leave out --by user for billed dollars"
)


class BearerAuth(httpx.Auth):
    """``Authorization: Bearer`` from a secret that never shows in a repr or a log."""

    def __init__(self, key: SecretStr) -> None:
        self._key = key

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        request.headers["Authorization"] = f"Bearer {self._key.get_secret_value()}"
        yield request


def _group_by(endpoint: Endpoint, dimension: FetchDimension | None) -> list[str]:
    fields = ["model"] if endpoint.by_model else []
    if dimension == "project":
        fields.append("project_id")
    elif dimension == "user" and endpoint.by_user:
        fields.append("user_id")
    return fields


class OpenAIProvider(OpenAISetup):
    def client_config(self, settings: Settings) -> ClientConfig:
        key = settings.openai_admin_key
        if key is not None:
            credential = settings.credential_variable("openai_admin_key")
            refuse_foreign_key("openai", credential, key.get_secret_value())
        return ClientConfig(
            base_url=settings.openai_base_url, auth=BearerAuth(key) if key is not None else None
        )

    async def fetch(
        self, client: httpx.AsyncClient, settings: Settings, query: UsageQuery
    ) -> SourceResult:
        """Usage of every endpoint (and, for daily buckets, the billed cost) for the period."""
        dimension = query.dimension
        jobs = [
            (endpoint, window)
            for endpoint in ENDPOINTS
            for window in windows(query.period, SPAN[query.granularity])
        ]

        async def usage_job(
            job: tuple[Endpoint, Period],
        ) -> list[tuple[Endpoint, Bucket[UsageResult]]]:
            endpoint, window = job
            buckets = await fetch_usage(
                client, endpoint, window, query.granularity, _group_by(endpoint, dimension)
            )
            return [(endpoint, bucket) for bucket in buckets]

        want_costs = query.granularity == "1d" and dimension != "user"
        cost_groups = ["line_item", "project_id"]
        try:
            async with asyncio.TaskGroup() as group:
                usage_task = group.create_task(gather_windows(jobs, usage_job))
                cost_task = (
                    group.create_task(
                        gather_windows(
                            windows(query.period, COSTS_SPAN),
                            lambda w: fetch_costs(client, w, cost_groups),
                        )
                    )
                    if want_costs
                    else None
                )
        except BaseExceptionGroup as failed:
            raise failed.exceptions[0] from None

        scope_field = {"project": "project_id", "user": "user_id"}.get(dimension or "")
        tallies = tally_usage(usage_task.result(), scope_field)
        cost_buckets: list[Bucket[CostResult]] | None = cost_task.result() if cost_task else None
        costs = (
            split_costs(cost_buckets, tallies, dimension == "project")
            if cost_buckets is not None
            else None
        )
        result = build_records(tallies, costs)
        notes: list[str] = []
        if query.granularity != "1d":
            notes.append(DAILY_COST_ONLY)
        elif dimension == "user":
            notes.append(NO_COST_BY_USER)
        return result.model_copy(update={"warnings": (*notes, *result.warnings)})

    async def check_keys(self, settings: Settings, connect: ClientFactory) -> list[KeyCheck]:
        credential = settings.credential_variable("openai_admin_key")
        key = settings.openai_admin_key

        def verdict(status: KeyStatus, detail: str) -> list[KeyCheck]:
            return [
                KeyCheck(
                    provider="openai",
                    credential=credential,
                    status=status,
                    detail=detail,
                    hint=ADMIN_KEY_FIX,
                )
            ]

        if key is None:
            return verdict("missing", "not set")
        value = key.get_secret_value()
        foreign = foreign_key("openai", credential, value)
        if foreign is not None:
            return [foreign]
        if not value.startswith("sk-"):
            return verdict("malformed", "not an OpenAI key (they start with sk-)")
        if value.startswith("sk-proj-"):
            return verdict(
                "wrong_kind", "a project API key (sk-proj-…); usage and costs need an Admin key"
            )
        if not value.startswith(ADMIN_PREFIX):
            return verdict(
                "wrong_kind", "an ordinary API key (sk-…); usage and costs need an Admin key"
            )
        today = floor(utc_now(), "1d")
        check = await probe(
            connect,
            self.client_config(settings),
            provider="openai",
            credential=credential,
            vendor=self.vendor,
            path=USAGE_PATH.format(kind="completions"),
            params=window_params(Period(since=today - timedelta(days=1), until=today), "1d", 1, []),
            fix="the key was revoked or mistyped: " + ADMIN_KEY_FIX,
            forbidden_fix="this key cannot read usage: " + ADMIN_KEY_FIX,
        )
        if check.status == "rejected" and MISSING_SCOPE in check.detail.lower():
            # OpenAI has answered a missing usage scope with 401 as well as 403.
            return verdict("wrong_kind", check.detail)
        return [check]
