"""Cursor Admin API routes of the fake: members, daily usage, spend, filtered usage events
(reference §1 and the payloads of §6). Auth is HTTP Basic with the key as the user name."""

from __future__ import annotations

import base64
import binascii
import math
import re
from collections import Counter
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from tests.e2e.fake_data import CURSOR_MEMBERS, CursorEvent
from tests.e2e.fake_vendors import FakeRequest, Reply, Route, VendorError

if TYPE_CHECKING:
    from tests.e2e.fake_vendors import FakeVendors

STATUS_TEXT = {
    400: "Bad Request",
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not Found",
    429: "Too Many Requests",
    500: "Internal Server Error",
    502: "Bad Gateway",
    503: "Service Unavailable",
}
MESSAGES = {
    429: "Rate limit exceeded. Please try again later.",
    500: "An unexpected error occurred",
    503: "Service temporarily unavailable",
}
MAX_RANGE = timedelta(days=30)


def error_body(status: int, message: str) -> dict[str, Any]:
    return {
        "error": STATUS_TEXT.get(status, "Error"),
        "message": message or MESSAGES.get(status, "Error"),
    }


def fail(status: int, message: str) -> VendorError:
    return VendorError(status, error_body(status, message))


def authenticate(fake: FakeVendors, request: FakeRequest) -> None:
    header = request.headers.get("authorization", "")
    key = ""
    if header.lower().startswith("basic "):
        try:
            key = base64.b64decode(header[6:]).decode().split(":", 1)[0]
        except (binascii.Error, UnicodeDecodeError):
            key = ""
    if key == fake.keys["cursor"]:
        return
    if key == fake.keys["cursor_team"]:
        raise fail(403, "Enterprise access required")
    raise fail(401, "Invalid API key")


def _body(request: FakeRequest) -> dict[str, Any]:
    try:
        body = request.json()
    except ValueError:
        raise fail(400, "Request body must be JSON") from None
    if body is None:
        body = {}
    if not isinstance(body, dict):
        raise fail(400, "Request body must be a JSON object")
    return body


def _range(body: dict[str, Any]) -> tuple[int, int]:
    start, end = body.get("startDate"), body.get("endDate")
    if not isinstance(start, int) or not isinstance(end, int):
        raise fail(400, "startDate and endDate are required (epoch milliseconds)")
    if end < start:
        raise fail(400, "endDate must be after startDate")
    return start, end


def _paging(body: dict[str, Any], default_size: int, most: int) -> tuple[int, int]:
    page, size = body.get("page", 1), body.get("pageSize", default_size)
    if not isinstance(page, int) or not isinstance(size, int) or page < 1 or not 1 <= size <= most:
        raise fail(400, f"page must be 1 or more and pageSize between 1 and {most}")
    return page, size


def members(fake: FakeVendors, request: FakeRequest) -> Reply:
    authenticate(fake, request)
    return Reply(
        200,
        {
            "teamMembers": [
                {"id": uid, "name": name, "email": email, "role": role, "isRemoved": False}
                for uid, name, email, role in CURSOR_MEMBERS
            ]
        },
    )


def _event(e: CursorEvent) -> dict[str, Any]:
    event: dict[str, Any] = {
        "timestamp": str(e.timestamp_ms),
        "userEmail": e.email,
        "model": e.model,
        "kind": e.kind,
        "maxMode": False,
        "requestsCosts": e.requests_costs,
        "isTokenBasedCall": e.token_based,
        "isChargeable": e.kind == "Usage-based",
        "isHeadless": False,
    }
    if e.token_based:
        event["tokenUsage"] = {
            "inputTokens": e.input_tokens,
            "outputTokens": e.output_tokens,
            "cacheWriteTokens": e.cache_write,
            "cacheReadTokens": e.cache_read,
            "totalCents": float(e.total_cents),
        }
        event["chargedCents"] = float(e.charged_cents)
        event["cursorTokenFee"] = float(e.fee_cents)
    else:
        event["chargedCents"] = float(e.charged_cents)
    event["isFreeBugbot"] = False
    return event


def usage_events(fake: FakeVendors, request: FakeRequest) -> Reply:
    authenticate(fake, request)
    body = _body(request)
    start, end = _range(body)
    page, size = _paging(body, 10, 500)
    email = body.get("email")
    events = [
        e
        for e in reversed(fake.data.cursor)  # newest first, as the API sends them
        if start <= e.timestamp_ms <= end and (email is None or e.email == email)
    ]
    pages = max(1, math.ceil(len(events) / size))
    chunk = events[(page - 1) * size : page * size]
    return Reply(
        200,
        {
            "totalUsageEventsCount": len(events),
            "pagination": {
                "numPages": pages,
                "currentPage": page,
                "pageSize": size,
                "hasNextPage": page < pages,
                "hasPreviousPage": page > 1,
            },
            "usageEvents": [_event(e) for e in chunk],
            "period": {"startDate": start, "endDate": end},
        },
    )


def _day_row(uid: int, email: str, day: date, events: list[CursorEvent]) -> dict[str, Any]:
    tokens = sum(e.output_tokens for e in events)
    models = Counter(e.model for e in events)
    return {
        "userId": uid,
        "day": day.isoformat(),
        "date": int(datetime(day.year, day.month, day.day, tzinfo=UTC).timestamp() * 1000),
        "email": email,
        "isActive": bool(events),
        "totalLinesAdded": tokens // 40,
        "totalLinesDeleted": tokens // 120,
        "acceptedLinesAdded": tokens // 55,
        "acceptedLinesDeleted": tokens // 170,
        "totalApplies": len(events),
        "totalAccepts": len(events),
        "totalRejects": 0,
        "totalTabsShown": 0,
        "totalTabsAccepted": 0,
        "composerRequests": 0,
        "chatRequests": 0,
        "agentRequests": len(events),
        "cmdkUsages": 0,
        "subscriptionIncludedReqs": sum(e.kind != "Usage-based" for e in events),
        "apiKeyReqs": 0,
        "usageBasedReqs": sum(e.kind == "Usage-based" for e in events),
        "bugbotUsages": 0,
        "mostUsedModel": models.most_common(1)[0][0] if models else None,
        "applyMostUsedExtension": ".py" if events else None,
        "tabMostUsedExtension": None,
        "clientVersion": "2.1.7" if events else None,
    }


def daily_usage(fake: FakeVendors, request: FakeRequest) -> Reply:
    authenticate(fake, request)
    body = _body(request)
    start, end = _range(body)
    if end - start > MAX_RANGE.total_seconds() * 1000:
        raise fail(400, "Date range cannot exceed 30 days")
    first = datetime.fromtimestamp(start / 1000, UTC).date()
    last = datetime.fromtimestamp(end / 1000, UTC).date()
    days = [first + timedelta(days=i) for i in range((last - first).days + 1)]
    paged = "page" in body and "pageSize" in body
    rows = []
    for uid, _, email, _ in CURSOR_MEMBERS:
        for day in days:
            events = [
                e
                for e in fake.data.cursor
                if e.email == email and e.moment.date() == day and start <= e.timestamp_ms <= end
            ]
            if events or paged:
                rows.append(_day_row(uid, email, day, events))
    reply: dict[str, Any] = {"data": rows, "period": {"startDate": start, "endDate": end}}
    if paged:
        page, size = _paging(body, 500, 1000)
        users = len(CURSOR_MEMBERS)
        pages = max(1, math.ceil(users / size))
        wanted = {uid for uid, *_ in CURSOR_MEMBERS[(page - 1) * size : page * size]}
        reply["data"] = [r for r in rows if r["userId"] in wanted]
        reply["pagination"] = {
            "page": page,
            "pageSize": size,
            "totalUsers": users,
            "totalPages": pages,
            "hasNextPage": page < pages,
            "hasPreviousPage": page > 1,
        }
    return Reply(200, reply)


def cycle_start(now: datetime) -> datetime:
    return now.replace(day=1, hour=0, minute=0, second=0, microsecond=0)


def spend(fake: FakeVendors, request: FakeRequest) -> Reply:
    authenticate(fake, request)
    body = _body(request)
    page, size = _paging(body, 50, 500)
    since = cycle_start(datetime.now(UTC))
    entries = []
    for uid, name, email, role in CURSOR_MEMBERS:
        mine = [e for e in fake.data.cursor if e.email == email and e.moment >= since]
        overall = sum((e.charged_cents for e in mine), Decimal(0))
        on_demand = sum((e.charged_cents for e in mine if e.kind == "Usage-based"), Decimal(0))
        entries.append(
            {
                "userId": uid,
                "name": name,
                "email": email,
                "role": role,
                "spendCents": int(on_demand),
                "overallSpendCents": int(overall),
                "fastPremiumRequests": 0,
                "hardLimitOverrideDollars": 0,
                "monthlyLimitDollars": 150 if role == "member" else None,
            }
        )
    pages = max(1, math.ceil(len(entries) / size))
    return Reply(
        200,
        {
            "teamMemberSpend": entries[(page - 1) * size : page * size],
            "subscriptionCycleStart": int(since.timestamp() * 1000),
            "totalMembers": len(entries),
            "totalPages": pages,
        },
    )


def ai_code_commits(fake: FakeVendors, request: FakeRequest) -> Reply:
    """AI Code Tracking (reference §2) is Enterprise only; this fake team is not Enterprise."""
    authenticate(fake, request)
    raise fail(403, "Enterprise access required")


WRONG_SHAPE = {"usageEvents": {"x": 1}, "pagination": None, "data": "none", "teamMemberSpend": 3}

ROUTES = [
    Route("cursor.members", "GET", re.compile(r"/teams/members"), members, error_body, WRONG_SHAPE),
    Route(
        "cursor.daily_usage",
        "POST",
        re.compile(r"/teams/daily-usage-data"),
        daily_usage,
        error_body,
        WRONG_SHAPE,
    ),
    Route("cursor.spend", "POST", re.compile(r"/teams/spend"), spend, error_body, WRONG_SHAPE),
    Route(
        "cursor.events",
        "POST",
        re.compile(r"/teams/filtered-usage-events"),
        usage_events,
        error_body,
        WRONG_SHAPE,
    ),
    Route(
        "cursor.ai_code",
        "GET",
        re.compile(r"/analytics/ai-code/[a-z-]+"),
        ai_code_commits,
        error_body,
        WRONG_SHAPE,
    ),
]
