"""Anthropic routes of the fake: legacy usage and cost reports (reference §1-2, §4) and the
beta Usage and Cost Analytics API (§6)."""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable, Iterable
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from tests.e2e.fake_data import (
    CLAUDE_ACTORS,
    CLAUDE_DEFAULT_WORKSPACE,
    CLAUDE_MODELS,
    TOKEN_TYPES,
    ClaudeCharge,
    ClaudeUsage,
)
from tests.e2e.fake_vendors import (
    FakeRequest,
    Reply,
    Route,
    VendorError,
    parse_rfc3339,
    rfc3339,
)

if TYPE_CHECKING:
    from tests.e2e.fake_vendors import FakeVendors

BETA = "analytics-usage-cost-2026-08-24"
WIDTH = {"1d": timedelta(days=1), "1h": timedelta(hours=1), "1m": timedelta(minutes=1)}
LIMITS = {"1d": (7, 31), "1h": (24, 168), "1m": (60, 1440)}  # (default, max) buckets per page
# Pages the fake really sends are smaller than a client may ask for, so that paging happens.
PAGE_CAP = {"1d": 7, "1h": 48, "1m": 360}
ANALYTICS_PAGE_CAP = 25
ANALYTICS_FLOOR = datetime(2026, 1, 1, tzinfo=UTC)
LEGACY_GROUPS = {
    "api_key_id",
    "workspace_id",
    "model",
    "service_tier",
    "context_window",
    "inference_geo",
    "speed",
    "account_id",
    "service_account_id",
}
ANALYTICS_GROUPS = {
    "actor",
    "actor_type",
    "agent_id",
    "api_key_id",
    "claude_tag_category",
    "claude_tag_user_id",
    "context_window",
    "deployment_id",
    "environment_id",
    "inference_geo",
    "model",
    "organization_id",
    "product",
    "rbac_group_id",
    "service_tier",
    "session_id",
    "slack_channel_id",
    "speed",
    "user_profile_id",
    "workspace_id",
}
ERROR_TYPES = {
    400: "invalid_request_error",
    401: "authentication_error",
    403: "permission_error",
    404: "not_found_error",
    429: "rate_limit_error",
    500: "api_error",
    502: "api_error",
    503: "api_error",
    504: "timeout_error",
    529: "overloaded_error",
}
MESSAGES = {
    429: "Rate limited. Please try again later.",
    500: "Internal server error",
    503: "Service unavailable",
    529: "Overloaded",
}


def error_body(status: int, message: str) -> dict[str, Any]:
    return {
        "type": "error",
        "error": {
            "type": ERROR_TYPES.get(status, "api_error"),
            "message": message or MESSAGES.get(status, "Error"),
        },
        "request_id": "req_011E2EFakeVendorsRequest",
    }


def bad_request(message: str) -> VendorError:
    return VendorError(400, error_body(400, message))


def authenticate(fake: FakeVendors, request: FakeRequest, analytics: bool) -> None:
    key = request.headers.get("x-api-key")
    bearer = request.headers.get("authorization", "")
    if key is None and bearer.lower().startswith("bearer "):
        key = bearer[7:]
    if not key:
        raise VendorError(401, error_body(401, "x-api-key header is required"))
    if key != fake.keys["anthropic"]:
        raise VendorError(401, error_body(401, "invalid x-api-key"))
    if not request.headers.get("anthropic-version"):
        raise bad_request("anthropic-version: header is required")
    if analytics and BETA not in (request.headers.get("anthropic-beta") or ""):
        raise bad_request(f"this endpoint requires the beta header anthropic-beta: {BETA}")


def floor(moment: datetime, width: timedelta) -> datetime:
    epoch = datetime(1970, 1, 1, tzinfo=UTC)
    return epoch + ((moment - epoch) // width) * width


def amount(cents: Decimal) -> str:
    return format(cents, "f")


def _groups(request: FakeRequest, allowed: set[str], most: int | None = None) -> list[str]:
    groups = request.values("group_by[]")
    for name in groups:
        if name not in allowed:
            raise bad_request(f"group_by[]: invalid value {name!r}")
    if most is not None and len(groups) > most:
        raise bad_request(f"group_by[]: at most {most} dimensions")
    return groups


def _range(request: FakeRequest) -> tuple[datetime, datetime | None]:
    raw_start = request.param("starting_at")
    if raw_start is None:
        raise bad_request("starting_at: field required")
    start = parse_rfc3339(raw_start)
    end = parse_rfc3339(request.param("ending_at"))
    if start is None or (request.param("ending_at") and end is None):
        raise bad_request("starting_at/ending_at: must be RFC 3339 date-times with a time zone")
    if end is not None and end <= start:
        raise bad_request("Invalid date range: ending date must be after starting date")
    return start, end


def _limit(request: FakeRequest, default: int, most: int, least: int = 1) -> int:
    try:
        limit = int(request.param("limit", str(default)) or default)
    except ValueError:
        raise bad_request("limit: must be an integer") from None
    if not least <= limit <= most:
        raise bad_request(f"limit: must be between {least} and {most}")
    return limit


def _page(
    fake: FakeVendors, request: FakeRequest, items: list[Any], size: int
) -> tuple[list[Any], bool, str | None]:
    offset = fake.offset(request, request.param("page"), "page_", "page")
    if offset < 0 or offset > len(items):
        raise bad_request("page: invalid page token for this query")
    chunk = items[offset : offset + size]
    more = offset + size < len(items)
    return chunk, more, fake.cursor(request, offset + size, "page_", "page") if more else None


# --- legacy ------------------------------------------------------------------------------------


def _legacy_dims(u: ClaudeUsage) -> dict[str, Any]:
    actor = CLAUDE_ACTORS[u.actor]
    return {
        "model": u.model,
        "workspace_id": u.workspace_id,
        "api_key_id": actor.get("api_key_id"),
        "account_id": actor.get("user_id"),
        "service_account_id": None,
        "service_tier": "standard",
        "context_window": "0-200k",
        "inference_geo": "not_available",
        "speed": "standard",
    }


def _buckets(start: datetime, end: datetime, width: timedelta) -> list[datetime]:
    first = floor(start, width)
    return [first + i * width for i in range(int((end - first) / width + 0.999999))]


def usage_report(fake: FakeVendors, request: FakeRequest) -> Reply:
    authenticate(fake, request, analytics=False)
    start, end = _range(request)
    width_name = request.param("bucket_width", "1d") or "1d"
    if width_name not in WIDTH:
        raise bad_request("bucket_width: must be one of 1m, 1h, 1d")
    default, most = LIMITS[width_name]
    limit = _limit(request, default, most)
    groups = _groups(request, LEGACY_GROUPS)
    if "speed" in groups and "fast-mode-2026-02-01" not in (
        request.headers.get("anthropic-beta") or ""
    ):
        raise bad_request("group_by[]=speed requires the beta header fast-mode-2026-02-01")
    width = WIDTH[width_name]
    end = end or floor(datetime.now(UTC), width) + width
    starts, more, cursor = _page(
        fake, request, _buckets(start, end, width), min(limit, PAGE_CAP[width_name])
    )
    by_bucket: dict[datetime, list[ClaudeUsage]] = defaultdict(list)
    for u in fake.data.claude:
        by_bucket[floor(u.hour, width)].append(u)
    data = []
    for bucket in starts:
        sums: dict[tuple[Any, ...], list[int]] = defaultdict(lambda: [0] * 6)
        for u in by_bucket.get(bucket, []):
            dims = _legacy_dims(u)
            key = tuple(dims[g] if g in groups else None for g in sorted(LEGACY_GROUPS))
            for i, n in enumerate(
                (u.uncached, u.cache_read, u.cache_1h, u.cache_5m, u.output, u.web_search)
            ):
                sums[key][i] += n
        results = []
        for key, sums_of in sums.items():
            dims = dict(zip(sorted(LEGACY_GROUPS), key, strict=True))
            speed = dims.pop("speed")
            result = {
                "uncached_input_tokens": sums_of[0],
                "cache_creation": {
                    "ephemeral_1h_input_tokens": sums_of[2],
                    "ephemeral_5m_input_tokens": sums_of[3],
                },
                "cache_read_input_tokens": sums_of[1],
                "output_tokens": sums_of[4],
                "server_tool_use": {"web_search_requests": sums_of[5]},
                **dims,
            }
            if "speed" in groups:
                result["speed"] = speed
            results.append(result)
        data.append(
            {
                "starting_at": rfc3339(bucket),
                "ending_at": rfc3339(bucket + width),
                "results": results,
            }
        )
    return Reply(200, {"data": data, "has_more": more, "next_page": cursor})


def _line_items(
    usage: Iterable[ClaudeUsage], charges: Iterable[ClaudeCharge]
) -> Iterable[dict[str, Any]]:
    """Every cost component: one per usage row and token type, one per charge."""
    for u in usage:
        (name, *_), _ = CLAUDE_MODELS[u.model]
        for token_type, label in TOKEN_TYPES:
            if u.tokens(token_type):
                yield {
                    "hour": u.hour,
                    "cents": u.cents(token_type),
                    "usage": u,
                    "cost_type": "tokens",
                    "description": f"{name} Usage - {label}",
                    "model": u.model,
                    "token_type": token_type,
                    "service_tier": "standard",
                    "context_window": "0-200k",
                    "inference_geo": "not_available",
                    "workspace_id": u.workspace_id,
                }
    for c in charges:
        yield {
            "hour": c.hour,
            "cents": c.cents,
            "charge": c,
            "cost_type": c.cost_type,
            "description": c.description,
            "model": None,
            "token_type": None,
            "service_tier": None,
            "context_window": None,
            "inference_geo": None,
            "workspace_id": c.workspace_id,
        }


DESCRIPTION_FIELDS = (
    "cost_type",
    "description",
    "model",
    "token_type",
    "service_tier",
    "context_window",
    "inference_geo",
)


def cost_report(fake: FakeVendors, request: FakeRequest) -> Reply:
    authenticate(fake, request, analytics=False)
    start, end = _range(request)
    if (request.param("bucket_width") or "1d") != "1d":
        raise bad_request("bucket_width: the cost report supports 1d only")
    limit = _limit(request, 7, 31)
    groups = _groups(request, {"workspace_id", "description"})
    width = WIDTH["1d"]
    end = end or floor(datetime.now(UTC), width) + width
    starts, more, cursor = _page(
        fake, request, _buckets(start, end, width), min(limit, PAGE_CAP["1d"])
    )
    items = list(_line_items(fake.data.claude, fake.data.claude_charges))
    data = []
    for bucket in starts:
        sums: dict[tuple[Any, ...], Decimal] = defaultdict(Decimal)
        for item in items:
            if floor(item["hour"], width) != bucket:
                continue
            key = tuple(item[f] if "description" in groups else None for f in DESCRIPTION_FIELDS)
            sums[(*key, item["workspace_id"] if "workspace_id" in groups else None)] += item[
                "cents"
            ]
        results = [
            {
                "amount": amount(cents),
                "currency": "USD",
                **dict(zip(DESCRIPTION_FIELDS, key[:-1], strict=True)),
                "workspace_id": key[-1],
            }
            for key, cents in sums.items()
        ]
        data.append(
            {
                "starting_at": rfc3339(bucket),
                "ending_at": rfc3339(bucket + width),
                "results": results,
            }
        )
    return Reply(200, {"data": data, "has_more": more, "next_page": cursor})


# --- analytics ---------------------------------------------------------------------------------


def _analytics_dims(u: ClaudeUsage | ClaudeCharge) -> dict[str, Any]:
    dims: dict[str, Any] = dict.fromkeys(sorted(ANALYTICS_GROUPS))
    if isinstance(u, ClaudeCharge):  # web search, code execution: no model, product or tier
        dims["workspace_id"] = u.workspace_id or CLAUDE_DEFAULT_WORKSPACE
        return dims
    actor = CLAUDE_ACTORS[u.actor]
    dims.update(
        model=u.model,
        workspace_id=u.workspace_id or CLAUDE_DEFAULT_WORKSPACE,
        product=u.product,
        actor=actor,
        actor_type=actor["type"],
        api_key_id=actor.get("api_key_id"),
        service_tier="standard",
        context_window="0-200k",
        speed="standard",
    )
    return dims


def _analytics_window(request: FakeRequest) -> tuple[datetime, datetime, timedelta | None]:
    start, end = _range(request)
    width_name = request.param("time_bucket_width")
    if width_name is not None and width_name not in WIDTH:
        raise bad_request("time_bucket_width: must be one of 1d, 1h, 1m")
    if width_name and end is None:
        raise bad_request("ending_at is required when time_bucket_width is set")
    now = datetime.now(UTC)
    if start < ANALYTICS_FLOOR or start < now - timedelta(days=365):
        raise bad_request(
            "starting_at must be on or after 2026-01-01T00:00:00Z and within the last 365 days"
        )
    end = end or min(now, start + timedelta(days=31))
    span = timedelta(hours=24) if width_name == "1m" else timedelta(days=31)
    if end - start > span:
        raise bad_request(f"the requested range may span at most {span}")
    return start, end, WIDTH[width_name] if width_name else None


def _analytics_rows(
    request: FakeRequest,
    start: datetime,
    end: datetime,
    width: timedelta | None,
    entries: Iterable[tuple[datetime, dict[str, Any], Callable[[dict[str, Any]], None]]],
    groups: list[str],
    new: Callable[[], dict[str, Any]],
) -> list[tuple[datetime, datetime, dict[str, Any], dict[str, Any]]]:
    rows: dict[tuple[Any, ...], tuple[datetime, datetime, dict[str, Any], dict[str, Any]]] = {}
    for hour, dims, add in entries:
        if not start <= hour < end:
            continue
        if width is None:
            lo, hi = start.replace(minute=0, second=0), end.replace(minute=0, second=0)
        else:
            lo = floor(hour, width)
            hi = lo + width
        group = {k: (v if k in groups else None) for k, v in dims.items()}
        key = (lo, repr(sorted(group.items())))
        if key not in rows:
            rows[key] = (lo, hi, group, new())
        add(rows[key][3])
    return list(rows.values())


def _order(request: FakeRequest, rows: list[Any], metric: Callable[[Any], Any]) -> list[Any]:
    """Rank by the metric across buckets; ``order_by=time`` sorts by bucket, then the metric."""
    order = request.param("order") or "desc"
    if order not in ("asc", "desc"):
        raise bad_request("order: must be asc or desc")
    if request.param("order_by") == "time" and request.param("time_bucket_width"):
        rows.sort(key=lambda r: -metric(r))
        rows.sort(key=lambda r: r[0], reverse=order == "desc")
    else:
        rows.sort(key=lambda r: metric(r), reverse=order == "desc")
    return rows


def analytics_usage(fake: FakeVendors, request: FakeRequest) -> Reply:
    authenticate(fake, request, analytics=True)
    start, end, width = _analytics_window(request)
    groups = _groups(request, ANALYTICS_GROUPS, most=5)
    limit = _limit(request, 20, 1000)

    def adder(u: ClaudeUsage | None, spans: int = 0) -> Callable[[dict[str, Any]], None]:
        def add(m: dict[str, Any]) -> None:
            if u is None:
                m["requests"] += spans
                return
            m["uncached_input_tokens"] += u.uncached
            m["cache_creation"]["ephemeral_1h_input_tokens"] += u.cache_1h
            m["cache_creation"]["ephemeral_5m_input_tokens"] += u.cache_5m
            m["cache_read_input_tokens"] += u.cache_read
            m["output_tokens"] += u.output
            m["server_tool_use"]["web_search_requests"] += u.web_search
            m["total_tokens"] += u.total_tokens
            m["requests"] += u.requests

        return add

    entries = [(u.hour, _analytics_dims(u), adder(u)) for u in fake.data.claude]
    entries += [
        (c.hour, _analytics_dims(c), adder(None, c.requests))
        for c in fake.data.claude_charges
        if c.cost_type == "code_execution"
    ]

    def new() -> dict[str, Any]:
        return {
            "uncached_input_tokens": 0,
            "cache_creation": {"ephemeral_1h_input_tokens": 0, "ephemeral_5m_input_tokens": 0},
            "cache_read_input_tokens": 0,
            "output_tokens": 0,
            "server_tool_use": {"web_search_requests": 0},
            "total_tokens": 0,
            "requests": 0,
        }

    rows = _analytics_rows(request, start, end, width, entries, groups, new)
    allowed = {"total_tokens", "output_tokens", "uncached_input_tokens", "requests", "time"}
    order_by = request.param("order_by") or "total_tokens"
    field = "total_tokens" if order_by == "time" else order_by
    if order_by not in allowed:
        raise bad_request("order_by: invalid value")
    rows = _order(request, rows, lambda r: r[3][field] or 0)
    chunk, more, cursor = _page(fake, request, rows, min(limit, ANALYTICS_PAGE_CAP))
    data = [
        {"starting_at": rfc3339(lo), "ending_at": rfc3339(hi), "group": group, "usage": usage}
        for lo, hi, group, usage in chunk
    ]
    return Reply(200, _envelope(data, more, cursor))


def analytics_cost(fake: FakeVendors, request: FakeRequest) -> Reply:
    authenticate(fake, request, analytics=True)
    start, end, width = _analytics_window(request)
    extra = [g for g in request.values("group_by[]") if g in ("cost_type", "token_type")]
    plain = FakeRequest(
        request.route,
        request.method,
        request.path,
        [(k, v) for k, v in request.query if not (k == "group_by[]" and v in extra)],
        request.headers,
        request.body,
    )
    groups = _groups(plain, ANALYTICS_GROUPS, most=5) + extra
    limit = _limit(request, 20, 1000)
    fan_out = bool(extra)

    def adder(cents: Decimal, requests: int) -> Callable[[dict[str, Any]], None]:
        def add(m: dict[str, Any]) -> None:
            m["cents"] += cents
            if not fan_out:
                m["requests"] = (m["requests"] or 0) + requests

        return add

    entries = []
    counted: set[int] = set()
    for item in _line_items(fake.data.claude, fake.data.claude_charges):
        source: ClaudeUsage | ClaudeCharge = item.get("usage") or item["charge"]
        dims = _analytics_dims(source)
        dims["cost_type"] = item["cost_type"]
        dims["token_type"] = item["token_type"]
        # A usage row's requests count once, not once per token type.
        requests = 0 if id(source) in counted else source.requests
        counted.add(id(source))
        entries.append((item["hour"], dims, adder(item["cents"], requests)))

    rows = _analytics_rows(
        request, start, end, width, entries, groups, lambda: {"cents": Decimal(0), "requests": None}
    )
    order_by = request.param("order_by") or "amount"
    if order_by not in ("amount", "list_amount", "time"):
        raise bad_request("order_by: invalid value")
    rows = _order(request, rows, lambda r: r[3]["cents"])
    chunk, more, cursor = _page(fake, request, rows, min(limit, ANALYTICS_PAGE_CAP))
    data = [
        {
            "starting_at": rfc3339(lo),
            "ending_at": rfc3339(hi),
            "group": group,
            "cost": {
                "amount": amount(m["cents"]),
                "list_amount": amount(m["cents"]),
                "currency": "USD",
                "requests": m["requests"],
            },
        }
        for lo, hi, group, m in chunk
    ]
    return Reply(200, _envelope(data, more, cursor))


def _envelope(data: list[Any], more: bool, cursor: str | None) -> dict[str, Any]:
    refreshed = datetime.now(UTC).replace(minute=0, second=0, microsecond=0)
    return {
        "data": data,
        "has_more": more,
        "next_page": cursor,
        "data_refreshed_at": rfc3339(refreshed),
    }


WRONG_SHAPE = {"data": [{"starting_at": "yesterday", "results": {"model": 7}}], "has_more": False}
ANALYTICS_WRONG_SHAPE = {
    "data": [{"starting_at": 5, "group": [], "usage": "lots"}],
    "has_more": False,
}

ROUTES = [
    Route(
        "anthropic.usage_report",
        "GET",
        re.compile(r"/v1/organizations/usage_report/messages"),
        usage_report,
        error_body,
        WRONG_SHAPE,
    ),
    Route(
        "anthropic.cost_report",
        "GET",
        re.compile(r"/v1/organizations/cost_report"),
        cost_report,
        error_body,
        WRONG_SHAPE,
    ),
    Route(
        "anthropic.analytics_usage",
        "GET",
        re.compile(r"/v1/organizations/analytics/usage"),
        analytics_usage,
        error_body,
        ANALYTICS_WRONG_SHAPE,
    ),
    Route(
        "anthropic.analytics_cost",
        "GET",
        re.compile(r"/v1/organizations/analytics/cost"),
        analytics_cost,
        error_body,
        ANALYTICS_WRONG_SHAPE,
    ),
]
