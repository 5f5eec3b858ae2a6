"""OpenAI's organization Usage and Costs endpoints: what each serves, and every page of it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

import httpx

from aiusage.errors import AuthError, ForbiddenError, SourceFailure
from aiusage.http_client import QueryParams
from aiusage.models import Granularity, Period
from aiusage.periods import BUCKET
from aiusage.sources.api.openai.wire import Bucket, CostResult, Page, R, UsageResult
from aiusage.sources.api.paging import follow_next_page, page_budget

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
# The documented default page sizes: the fewest buckets a full page holds if ``limit`` is
# ignored (usage per bucket width, and costs).
DEFAULT_BUCKETS: dict[Granularity, int] = {"1d": 7, "1h": 24, "1m": 60}
COSTS_DEFAULT_BUCKETS = 7
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


def access_error(exc: AuthError | ForbiddenError) -> SourceFailure:
    """Add the fix to a refused key; a missing usage scope is ``forbidden`` even as HTTP 401."""
    if MISSING_SCOPE in exc.message.lower():
        return ForbiddenError(f"{exc.message}; this key cannot read usage: {ADMIN_KEY_FIX}")
    if isinstance(exc, ForbiddenError):
        return ForbiddenError(f"{exc.message}; {ADMIN_KEY_FIX}")
    return AuthError(f"{exc.message}; the key was revoked or mistyped: {ADMIN_KEY_FIX}")


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


def _most_pages(window: Period, granularity: Granularity, smallest_page: int) -> int:
    buckets = -(-(window.until - window.since) // BUCKET[granularity])
    return page_budget(buckets, smallest_page)


async def _all_pages(
    client: httpx.AsyncClient,
    path: str,
    params: QueryParams,
    model: type[Page[R]],
    what: str,
    max_pages: int,
) -> list[Bucket[R]]:
    try:
        pages = await follow_next_page(client, VENDOR, path, params, model, what, max_pages)
    except (AuthError, ForbiddenError) as exc:
        raise access_error(exc) from None
    return [bucket for page in pages for bucket in page.data]


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
    max_pages = _most_pages(window, granularity, DEFAULT_BUCKETS[granularity])
    return await _all_pages(
        client, path, params, Page[UsageResult], f"a {endpoint.kind} usage page", max_pages
    )


async def fetch_costs(
    client: httpx.AsyncClient, window: Period, group_by: list[str]
) -> list[Bucket[CostResult]]:
    """Every daily cost bucket of one window (the Costs API has no other bucket width)."""
    params = window_params(window, "1d", COSTS_MAX_BUCKETS, group_by)
    max_pages = _most_pages(window, "1d", COSTS_DEFAULT_BUCKETS)
    return await _all_pages(client, COSTS_PATH, params, Page[CostResult], "a costs page", max_pages)
