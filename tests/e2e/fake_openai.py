"""OpenAI routes of the fake: ``/v1/organization/usage/{type}`` and ``/v1/organization/costs``
(reference §1, §2, §4 and the payloads of §7)."""

from __future__ import annotations

import re
from collections import defaultdict
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from tests.e2e.fake_data import OpenAIUsage
from tests.e2e.fake_vendors import FakeRequest, Reply, Route, VendorError

if TYPE_CHECKING:
    from tests.e2e.fake_vendors import FakeVendors

WIDTH = {"1d": timedelta(days=1), "1h": timedelta(hours=1), "1m": timedelta(minutes=1)}
LIMITS = {"1d": (7, 31), "1h": (24, 168), "1m": (60, 1440)}
PAGE_CAP = {"1d": 7, "1h": 48, "1m": 360}
BASIC_GROUPS = {"project_id", "user_id", "api_key_id", "model"}
USAGE_GROUPS = {
    "completions": BASIC_GROUPS | {"batch", "service_tier"},
    "embeddings": BASIC_GROUPS,
    "moderations": BASIC_GROUPS,
    "audio_speeches": BASIC_GROUPS,
    "audio_transcriptions": BASIC_GROUPS,
    "images": BASIC_GROUPS | {"size", "source"},
    "vector_stores": {"project_id"},
    "code_interpreter_sessions": {"project_id"},
    "file_search_calls": {"project_id", "vector_store_id"},
    "web_search_calls": BASIC_GROUPS | {"context_level"},
}
RESULT_OBJECT = {
    "file_search_calls": "organization.usage.file_searches.result",
    "web_search_calls": "organization.usage.web_searches.result",
}
ERRORS = {
    429: ("Rate limit reached for requests", "requests", "rate_limit_exceeded"),
    500: (
        "The server had an error while processing your request. Sorry about that!",
        "server_error",
        None,
    ),
    503: ("The engine is currently overloaded, please try again later.", "server_error", None),
}


def error_body(status: int, message: str) -> dict[str, Any]:
    text, kind, code = ERRORS.get(status, (message or "Error", "server_error", None))
    return {"error": {"message": message or text, "type": kind, "param": None, "code": code}}


def bad_request(message: str, param: str | None = None) -> VendorError:
    return VendorError(
        400,
        {
            "error": {
                "message": message,
                "type": "invalid_request_error",
                "param": param,
                "code": None,
            }
        },
    )


def authenticate(fake: FakeVendors, request: FakeRequest) -> None:
    header = request.headers.get("authorization", "")
    if not header.lower().startswith("bearer ") or not header[7:].strip():
        raise VendorError(
            401,
            {
                "error": {
                    "message": "You didn't provide an API key. You need to provide your API key in "
                    "an "
                    "Authorization header using Bearer auth (i.e. Authorization: Bearer YOUR_KEY).",
                    "type": "invalid_request_error",
                    "param": None,
                    "code": None,
                }
            },
        )
    key = header[7:].strip()
    if key == fake.keys["openai"]:
        return
    if key == fake.keys["openai_project"]:
        raise VendorError(
            403,
            {
                "error": {
                    "message": "You have insufficient permissions for this operation. Missing "
                    "scopes: api.usage.read. Check that you have the correct role in your "
                    "organization, and if "
                    "you're using a restricted API key, that it has the necessary scopes.",
                    "type": "invalid_request_error",
                    "param": None,
                    "code": None,
                }
            },
        )
    masked = f"{key[:7]}{'*' * 10}{key[-4:]}" if len(key) > 12 else "***"
    raise VendorError(
        401,
        {
            "error": {
                "message": f"Incorrect API key provided: {masked}. You can find your API key at "
                "https://platform.openai.com/account/api-keys.",
                "type": "invalid_request_error",
                "param": None,
                "code": "invalid_api_key",
            }
        },
    )


def _values(request: FakeRequest, name: str) -> list[str]:
    """Arrays arrive as ``name[]=a&name[]=b`` (the SDK) or ``name=a`` (common)."""
    return request.values(name) + request.values(f"{name}[]")


def _int(request: FakeRequest, name: str, default: int | None = None) -> int | None:
    raw = request.param(name)
    if raw is None:
        return default
    try:
        return int(raw)
    except ValueError:
        raise bad_request(f"Invalid value for '{name}': expected an integer.", name) from None


def _buckets(start: datetime, end: datetime, width: timedelta) -> list[tuple[datetime, datetime]]:
    """The first bucket starts at ``start`` itself and ends at the next UTC boundary."""
    epoch = datetime(1970, 1, 1, tzinfo=UTC)
    out = []
    lo = start
    while lo < end:
        hi = epoch + ((lo - epoch) // width + 1) * width
        out.append((lo, hi))
        lo = hi
    return out


def _window(request: FakeRequest, width: timedelta) -> list[tuple[datetime, datetime]]:
    start = _int(request, "start_time")
    if start is None:
        raise bad_request("Missing required parameter: 'start_time'.", "start_time")
    end = _int(request, "end_time", int(datetime.now(UTC).timestamp()))
    assert end is not None
    if end <= start:
        raise bad_request("'end_time' must be after 'start_time'.", "end_time")
    return _buckets(datetime.fromtimestamp(start, UTC), datetime.fromtimestamp(end, UTC), width)


def _page(
    fake: FakeVendors, request: FakeRequest, items: list[Any], size: int
) -> tuple[list[Any], bool, str | None]:
    offset = fake.offset(request, request.param("page"), "page_", "page")
    if offset < 0 or offset > len(items):
        raise bad_request("Invalid page cursor.", "page")
    more = offset + size < len(items)
    return (
        items[offset : offset + size],
        more,
        fake.cursor(request, offset + size, "page_", "page") if more else None,
    )


def _groups(request: FakeRequest, allowed: set[str]) -> list[str]:
    groups = _values(request, "group_by")
    for g in groups:
        if g not in allowed:
            raise bad_request(f"Invalid value for 'group_by': {g!r}.", "group_by")
    return groups


def _kept(request: FakeRequest, u: OpenAIUsage) -> bool:
    filters = {
        "models": u.model,
        "project_ids": u.project_id,
        "user_ids": u.user_id,
        "api_key_ids": u.api_key_id,
    }
    for name, value in filters.items():
        wanted = _values(request, name)
        if wanted and value not in wanted:
            return False
    batch = request.param("batch")
    return batch is None or (batch == "true") == u.batch


def usage(fake: FakeVendors, request: FakeRequest) -> Reply:
    authenticate(fake, request)
    kind = request.path.rsplit("/", 1)[-1]
    if kind not in USAGE_GROUPS:
        raise VendorError(404, error_body(404, f"Invalid URL (GET {request.path})"))
    width_name = request.param("bucket_width", "1d") or "1d"
    if width_name not in WIDTH:
        raise bad_request("Invalid value for 'bucket_width'.", "bucket_width")
    default, most = LIMITS[width_name]
    limit = _int(request, "limit", default)
    assert limit is not None
    if not 1 <= limit <= most:
        raise bad_request(f"Invalid value for 'limit': must be between 1 and {most}.", "limit")
    groups = _groups(request, USAGE_GROUPS[kind])
    buckets, more, cursor = _page(
        fake, request, _window(request, WIDTH[width_name]), min(limit, PAGE_CAP[width_name])
    )
    data = []
    for lo, hi in buckets:
        sums: dict[tuple[Any, ...], list[int]] = defaultdict(lambda: [0, 0, 0, 0])
        if kind == "completions":
            for u in fake.data.openai:
                if lo <= u.hour < hi and _kept(request, u):
                    dims = {
                        "project_id": u.project_id,
                        "user_id": u.user_id,
                        "api_key_id": u.api_key_id,
                        "model": u.model,
                        "batch": u.batch,
                        "service_tier": "default",
                    }
                    key = tuple(dims[g] if g in groups else None for g in sorted(dims))
                    for i, n in enumerate(
                        (u.input_tokens, u.output_tokens, u.requests, u.cached_tokens)
                    ):
                        sums[key][i] += n
        results = []
        for key, sums_of in sums.items():
            dims = dict(
                zip(
                    ("api_key_id", "batch", "model", "project_id", "service_tier", "user_id"),
                    key,
                    strict=True,
                )
            )
            results.append(
                {
                    "object": "organization.usage.completions.result",
                    "input_tokens": sums_of[0],
                    "output_tokens": sums_of[1],
                    "num_model_requests": sums_of[2],
                    "project_id": dims["project_id"],
                    "user_id": dims["user_id"],
                    "api_key_id": dims["api_key_id"],
                    "model": dims["model"],
                    "batch": dims["batch"],
                    "service_tier": dims["service_tier"],
                    "input_cached_tokens": sums_of[3],
                    "input_audio_tokens": 0,
                    "output_audio_tokens": 0,
                }
            )
        data.append(
            {
                "object": "bucket",
                "start_time": int(lo.timestamp()),
                "end_time": int(hi.timestamp()),
                "results": results,
            }
        )
    return Reply(200, {"object": "page", "data": data, "has_more": more, "next_page": cursor})


def costs(fake: FakeVendors, request: FakeRequest) -> Reply:
    authenticate(fake, request)
    if (request.param("bucket_width") or "1d") != "1d":
        raise bad_request(
            "Invalid value for 'bucket_width': only '1d' is supported.", "bucket_width"
        )
    limit = _int(request, "limit", 7)
    assert limit is not None
    if not 1 <= limit <= 180:
        raise bad_request("Invalid value for 'limit': must be between 1 and 180.", "limit")
    groups = _groups(request, {"project_id", "line_item", "api_key_id"})
    buckets, more, cursor = _page(
        fake, request, _window(request, WIDTH["1d"]), min(limit, PAGE_CAP["1d"])
    )
    data = []
    shown = 0
    for lo, hi in buckets:
        sums: dict[tuple[Any, ...], Decimal] = defaultdict(Decimal)
        for u in fake.data.openai:
            if not (lo <= u.hour < hi and _kept(request, u)):
                continue
            for direction, dollars in (
                ("input", u.input_dollars()),
                ("output", u.output_dollars()),
            ):
                key = (
                    f"{u.model}, {direction}" if "line_item" in groups else None,
                    u.project_id if "project_id" in groups else None,
                    u.api_key_id if "api_key_id" in groups else None,
                )
                sums[key] += dollars
        results = []
        for (line_item, project, key_id), dollars in sums.items():
            shown += 1
            # Live quirk (reference §2): some values arrive as numeric strings.
            value: Any = format(dollars, "f") if shown % 4 == 0 else float(dollars)
            results.append(
                {
                    "object": "organization.costs.result",
                    "amount": {"value": value, "currency": "usd"},
                    "line_item": line_item,
                    "project_id": project,
                    "api_key_id": key_id,
                }
            )
        data.append(
            {
                "object": "bucket",
                "start_time": int(lo.timestamp()),
                "end_time": int(hi.timestamp()),
                "results": results,
            }
        )
    return Reply(200, {"object": "page", "data": data, "has_more": more, "next_page": cursor})


WRONG_SHAPE = {
    "object": "page",
    "data": [{"start_time": "monday", "results": {"x": 1}}],
    "has_more": False,
    "next_page": None,
}

ROUTES = [
    Route(
        "openai.usage",
        "GET",
        re.compile(r"/v1/organization/usage/[a-z_]+"),
        usage,
        error_body,
        WRONG_SHAPE,
    ),
    Route(
        "openai.costs", "GET", re.compile(r"/v1/organization/costs"), costs, error_body, WRONG_SHAPE
    ),
]
