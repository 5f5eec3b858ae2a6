"""OpenAI's organization Usage and Costs endpoints: their shapes, and every page of a window."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Annotated, Any, Generic, TypeVar

import httpx
from pydantic import AliasChoices, BaseModel, BeforeValidator, ConfigDict, Field

from aiusage.errors import AuthError, BadResponseError, ForbiddenError, SourceFailure
from aiusage.http_client import QueryParams, request_json
from aiusage.models import Granularity, Period
from aiusage.sources.api.paging import follow_cursor
from aiusage.sources.api.parsing import parse

VENDOR = "OpenAI"
USAGE_PATH = "/v1/organization/usage/{kind}"
COSTS_PATH = "/v1/organization/costs"
# Most buckets one page may hold, per bucket width; a window of that many buckets is one page.
MAX_BUCKETS: dict[Granularity, int] = {"1d": 31, "1h": 168, "1m": 1440}
SPAN: dict[Granularity, timedelta] = {
    "1d": timedelta(days=31),
    "1h": timedelta(hours=168),
    "1m": timedelta(minutes=1440),
}
COSTS_MAX_BUCKETS = 180
COSTS_SPAN = timedelta(days=COSTS_MAX_BUCKETS)
ADMIN_KEY_FIX = (
    "create an Admin key (sk-admin-…) as an Organization Owner at "
    "platform.openai.com/settings/organization/admin-keys and set OPENAI_ADMIN_KEY to it"
)
MISSING_SCOPE = "missing scopes"


@dataclass(frozen=True)
class Endpoint:
    """One usage endpoint: what it can be grouped by and which count becomes ``requests``."""

    kind: str
    by_model: bool
    by_user: bool
    count: str
    tokens: bool = False


# In the order cost is attributed: a line item naming a model goes to its first endpoint here.
# vector_stores is left out: it reports only a storage size (usage_bytes), which no record field
# can hold; its dollars still arrive through the Costs API.
ENDPOINTS: tuple[Endpoint, ...] = (
    Endpoint("completions", by_model=True, by_user=True, count="num_model_requests", tokens=True),
    Endpoint("embeddings", by_model=True, by_user=True, count="num_model_requests", tokens=True),
    Endpoint("moderations", by_model=True, by_user=True, count="num_model_requests", tokens=True),
    Endpoint("images", by_model=True, by_user=True, count="num_model_requests"),
    Endpoint("audio_speeches", by_model=True, by_user=True, count="num_model_requests"),
    Endpoint("audio_transcriptions", by_model=True, by_user=True, count="num_model_requests"),
    Endpoint("web_search_calls", by_model=True, by_user=False, count="num_requests"),
    Endpoint("file_search_calls", by_model=False, by_user=False, count="num_requests"),
    Endpoint("code_interpreter_sessions", by_model=False, by_user=False, count="num_sessions"),
)


def _none_is_zero(value: Any) -> Any:
    return 0 if value is None else value


Count = Annotated[int, BeforeValidator(_none_is_zero), Field(ge=0)]


class _Lenient(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)


class UsageResult(_Lenient):
    """Any usage endpoint's result; fields an endpoint does not send stay 0 or None."""

    input_tokens: Count = 0
    output_tokens: Count = 0
    input_cached_tokens: Count = 0
    input_cache_write_tokens: Count = 0
    num_model_requests: Count | None = None
    num_requests: Count | None = None
    num_sessions: Count | None = None
    model: str | None = None
    project_id: str | None = None
    user_id: str | None = None

    def count(self, name: str) -> int | None:
        value = getattr(self, name)
        return value if isinstance(value, int) else None


class Amount(_Lenient):
    # Documented as a number; live answers have carried numeric strings ("12.50").
    value: Decimal
    currency: str = "usd"


class CostResult(_Lenient):
    amount: Amount | None = None
    line_item: str | None = None
    project_id: str | None = None


R = TypeVar("R", UsageResult, CostResult)


class Bucket(_Lenient, Generic[R]):
    start_time: datetime
    end_time: datetime
    # Early spec versions named the list ``result``; the live API says ``results``.
    results: list[R] = Field(validation_alias=AliasChoices("results", "result"))


class Page(_Lenient, Generic[R]):
    data: list[Bucket[R]]
    has_more: bool = False
    next_page: str | None = None


def access_error(exc: AuthError | ForbiddenError) -> SourceFailure:
    """Add the fix to a refused key; a missing usage scope is ``forbidden`` even as HTTP 401."""
    if MISSING_SCOPE in exc.message.lower():
        return ForbiddenError(f"{exc.message}; this key cannot read usage: {ADMIN_KEY_FIX}")
    if isinstance(exc, ForbiddenError):
        return ForbiddenError(f"{exc.message}; {ADMIN_KEY_FIX}")
    return AuthError(f"{exc.message}; the key was revoked or mistyped: {ADMIN_KEY_FIX}")


async def _get(client: httpx.AsyncClient, path: str, params: QueryParams) -> Any:
    try:
        return await request_json(client, VENDOR, "GET", path, params=params)
    except (AuthError, ForbiddenError) as exc:
        raise access_error(exc) from None


def window_params(
    window: Period, granularity: Granularity, limit: int, group_by: list[str]
) -> QueryParams:
    """Unix-second bounds, the bucket width, and arrays in the SDK's bracket form."""
    params: QueryParams = [
        ("start_time", int(window.since.timestamp())),
        ("end_time", int(window.until.timestamp())),
        ("bucket_width", granularity),
        ("limit", limit),
    ]
    params.extend(("group_by[]", field) for field in group_by)
    return params


async def _all_pages(
    client: httpx.AsyncClient, path: str, params: QueryParams, model: type[Page[R]], what: str
) -> list[Bucket[R]]:
    async def page(cursor: str | None) -> tuple[list[Bucket[R]], str | None]:
        query = params if cursor is None else [*params, ("page", cursor)]
        parsed = parse(model, await _get(client, path, query), VENDOR, what)
        if parsed.has_more and not parsed.next_page:
            raise BadResponseError(f"{VENDOR} said more pages follow but sent no page cursor")
        return parsed.data, parsed.next_page if parsed.has_more else None

    return await follow_cursor(VENDOR, page)


async def fetch_usage(
    client: httpx.AsyncClient,
    endpoint: Endpoint,
    window: Period,
    granularity: Granularity,
    group_by: list[str],
) -> list[Bucket[UsageResult]]:
    """Every bucket of one usage endpoint in one window."""
    params = window_params(window, granularity, MAX_BUCKETS[granularity], group_by)
    path = USAGE_PATH.format(kind=endpoint.kind)
    return await _all_pages(
        client, path, params, Page[UsageResult], f"a {endpoint.kind} usage page"
    )


async def fetch_costs(
    client: httpx.AsyncClient, window: Period, group_by: list[str]
) -> list[Bucket[CostResult]]:
    """Every daily cost bucket of one window (the Costs API has no other bucket width)."""
    params = window_params(window, "1d", COSTS_MAX_BUCKETS, group_by)
    return await _all_pages(client, COSTS_PATH, params, Page[CostResult], "a costs page")
