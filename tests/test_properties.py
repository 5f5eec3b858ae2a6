"""Property tests: whatever JSON a vendor could plausibly send, and whatever a user types as a
date, aiusage either reads it or raises one of its own errors, never another exception."""

from __future__ import annotations

import asyncio
import copy
import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pydantic
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from aiusage import collect as collect_module
from aiusage.collect import Collected, Plan, collect
from aiusage.errors import AiUsageError, ConfigError, SourceFailure, UsageError
from aiusage.models import Period, ProviderName, UsageQuery
from aiusage.periods import parse_period, parse_when
from aiusage.settings import Settings
from aiusage.sources.api.claude.legacy import build_records
from aiusage.sources.api.claude.wire import ReportCostPage, ReportUsagePage
from aiusage.sources.api.parsing import parse
from aiusage.sources.base import ApiProvider
from aiusage.sources.registry import API_PROVIDERS

PURE = settings(max_examples=200, deadline=None)
FETCH = settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
NOW = datetime(2026, 11, 25, 15, 0, tzinfo=UTC)

# --- plausible JSON ------------------------------------------------------------------------------

ODD_TEXT = st.sampled_from(
    [
        "",
        "NaN",
        "Infinity",
        "-1",
        "1e400",
        "12.50",
        "0x10",
        "page_x",
        "null",
        "2026-13-45T00:00:00Z",
        "2026-11-01T00:00:00",
        "2026-11-01T00:00:00+05:00",
        "2026-11-01",
        "9999-12-31T23:59:59Z",
        "0001-01-01T00:00:00Z",
        "1786351230123",
    ]
)
LEAF = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=12),
    ODD_TEXT,
)
TWEAKS: dict[type, st.SearchStrategy[Any]] = {
    int: st.integers(min_value=-(2**64), max_value=2**64),
    float: st.floats(allow_nan=False, allow_infinity=False)
    | st.integers(min_value=-(2**64), max_value=2**64),
    str: ODD_TEXT | st.text(max_size=6),
    bool: st.none() | st.integers(min_value=-1, max_value=2),
}
ANY_JSON = st.recursive(
    LEAF,
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3)
    ),
    max_leaves=8,
)


def _paths(node: Any, prefix: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    yield prefix
    if isinstance(node, dict):
        for key, value in node.items():
            yield from _paths(value, (*prefix, key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from _paths(value, (*prefix, index))


@st.composite
def mutated(draw: st.DrawFn, template: Any) -> Any:
    """The template with a few of its parts replaced, removed or repeated."""
    doc = copy.deepcopy(template)
    for _ in range(draw(st.integers(min_value=0, max_value=3))):
        path = draw(st.sampled_from(list(_paths(doc))))
        if not path:
            doc = draw(ANY_JSON) if draw(st.booleans()) else doc
            continue
        parent = doc
        for part in path[:-1]:
            parent = parent[part]
        action = draw(st.sampled_from(["tweak", "tweak", "replace", "delete", "repeat"]))
        if action == "tweak":
            # A value of the same kind, out of its usual range: negative or huge counts,
            # odd dates and numbers in strings.
            parent[path[-1]] = draw(TWEAKS.get(type(parent[path[-1]]), ANY_JSON))
        elif action == "replace":
            parent[path[-1]] = draw(ANY_JSON)
        elif action == "delete":
            del parent[path[-1]]
        elif isinstance(parent, list):
            parent.append(copy.deepcopy(parent[path[-1]]))
        else:
            parent[path[-1]] = [copy.deepcopy(parent[path[-1]])] * 2
    return doc


# Pages shaped like the reference payloads (shared/reference), small enough to mutate well.
LEGACY_USAGE: dict[str, Any] = {
    "data": [
        {
            "starting_at": "2026-11-23T00:00:00Z",
            "ending_at": "2026-11-24T00:00:00Z",
            "results": [
                {
                    "uncached_input_tokens": 152340,
                    "cache_creation": {
                        "ephemeral_1h_input_tokens": 0,
                        "ephemeral_5m_input_tokens": 45210,
                    },
                    "cache_read_input_tokens": 880000,
                    "output_tokens": 38211,
                    "server_tool_use": {"web_search_requests": 3},
                    "model": "claude-sonnet-4-5-20250929",
                    "workspace_id": None,
                }
            ],
        },
        {"starting_at": "2026-11-24T00:00:00Z", "ending_at": "2026-11-25T00:00:00Z", "results": []},
    ],
    "has_more": False,
    "next_page": None,
}
LEGACY_COST: dict[str, Any] = {
    "data": [
        {
            "starting_at": "2026-11-23T00:00:00Z",
            "ending_at": "2026-11-24T00:00:00Z",
            "results": [
                {
                    "amount": "45.702",
                    "currency": "USD",
                    "cost_type": "tokens",
                    "description": "Claude Sonnet 4.5 Usage - Input Tokens",
                    "model": "claude-sonnet-4-5-20250929",
                    "token_type": "uncached_input_tokens",
                    "workspace_id": None,
                },
                {
                    "amount": "5",
                    "currency": "USD",
                    "cost_type": "code_execution",
                    "description": "Code Execution Usage",
                    "model": None,
                    "workspace_id": "wrkspc_01",
                },
            ],
        }
    ],
    "has_more": False,
    "next_page": None,
}
_GROUP: dict[str, Any] = {
    "model": "claude-sonnet-4-5",
    "product": "claude_code",
    "workspace_id": "wrkspc_01",
    "actor": {
        "type": "user_actor",
        "user_id": "user_01",
        "email_address": "a@b.c",
        "name": None,
        "deleted": False,
    },
    "actor_type": "user_actor",
}
ANALYTICS_USAGE: dict[str, Any] = {
    "data": [
        {
            "starting_at": "2026-11-23T00:00:00Z",
            "ending_at": "2026-11-24T00:00:00Z",
            "group": _GROUP,
            "usage": {
                "uncached_input_tokens": 412870,
                "cache_creation": {
                    "ephemeral_1h_input_tokens": 0,
                    "ephemeral_5m_input_tokens": 96114,
                },
                "cache_read_input_tokens": 3208455,
                "output_tokens": 118402,
                "server_tool_use": {"web_search_requests": 14},
                "total_tokens": 3835841,
                "requests": 1873,
            },
        }
    ],
    "has_more": False,
    "next_page": None,
    "data_refreshed_at": "2026-11-25T00:05:00Z",
}
ANALYTICS_COST: dict[str, Any] = {
    "data": [
        {
            "starting_at": "2026-11-23T00:00:00Z",
            "ending_at": "2026-11-24T00:00:00Z",
            "group": {**_GROUP, "cost_type": "tokens", "token_type": "output_tokens"},
            "cost": {
                "amount": "447.7604",
                "list_amount": "447.7604",
                "currency": "USD",
                "requests": None,
            },
        }
    ],
    "has_more": False,
    "next_page": None,
}
OPENAI: dict[str, Any] = {
    "object": "page",
    "data": [
        {
            "object": "bucket",
            "start_time": 1795392000,
            "end_time": 1795478400,
            "results": [
                {
                    "object": "organization.usage.completions.result",
                    "input_tokens": 1843210,
                    "output_tokens": 96412,
                    "num_model_requests": 412,
                    "project_id": None,
                    "user_id": None,
                    "api_key_id": None,
                    "model": "gpt-5-2025-08-07",
                    "batch": None,
                    "service_tier": None,
                    "input_cached_tokens": 1221632,
                },
            ],
        }
    ],
    "has_more": False,
    "next_page": None,
}
OPENAI_COSTS: dict[str, Any] = {
    **OPENAI,
    "data": [
        {
            **OPENAI["data"][0],
            "results": [
                {
                    "object": "organization.costs.result",
                    "amount": {"value": "0.96412", "currency": "usd"},
                    "line_item": "gpt-5-2025-08-07, output",
                    "project_id": None,
                },
                {
                    "object": "organization.costs.result",
                    "amount": {"value": 0.7681845, "currency": "usd"},
                    "line_item": "gpt-5-2025-08-07, input",
                    "project_id": None,
                },
            ],
        }
    ],
}
CURSOR: dict[str, Any] = {
    "totalUsageEventsCount": 1,
    "pagination": {
        "numPages": 1,
        "currentPage": 1,
        "pageSize": 10,
        "hasNextPage": False,
        "hasPreviousPage": False,
    },
    "usageEvents": [
        {
            "timestamp": "1795430000000",
            "userEmail": "dana@example.com",
            "model": "claude-4.5-sonnet",
            "kind": "Usage-based",
            "requestsCosts": 2,
            "isTokenBasedCall": True,
            "tokenUsage": {
                "inputTokens": 4210,
                "outputTokens": 980,
                "cacheWriteTokens": 15320,
                "cacheReadTokens": 61200,
                "totalCents": 10.314,
            },
            "chargedCents": 12.3568,
            "cursorTokenFee": 2.0428,
        }
    ],
    "data": [
        {
            "userId": 48213,
            "day": "2026-11-23",
            "date": 1795392000000,
            "email": "dana@example.com",
            "isActive": True,
            "totalLinesAdded": 812,
            "agentRequests": 31,
        }
    ],
    "teamMemberSpend": [
        {
            "userId": 48213,
            "email": "dana@example.com",
            "spendCents": 1384,
            "overallSpendCents": 3384,
            "monthlyLimitDollars": 150,
        }
    ],
    "subscriptionCycleStart": 1793491200000,
    "period": {"startDate": 1795392000000, "endDate": 1795478399999},
}
GEMINI: dict[str, Any] = {
    "timeSeries": [
        {
            "metric": {
                "type": "generativelanguage.googleapis.com/"
                "generate_content_usage_output_token_count",
                "labels": {"model": "gemini-2.5-flash", "limit_name": "PerDay"},
            },
            "resource": {
                "type": "generativelanguage.googleapis.com/Location",
                "labels": {"resource_container": "gen-lang-client-0123456789"},
            },
            "metricKind": "DELTA",
            "valueType": "INT64",
            "points": [
                {
                    "interval": {
                        "startTime": "2026-11-23T00:00:00Z",
                        "endTime": "2026-11-24T00:00:00Z",
                    },
                    "value": {"int64Value": "48213"},
                }
            ],
        }
    ],
    "unit": "1",
}

# --- the Claude legacy parser, directly ---------------------------------------------------


def read_legacy(usage: Any, cost: Any, by_workspace: bool) -> None:
    usage_page = parse(ReportUsagePage, usage, "Anthropic", "a usage report")
    cost_page = parse(ReportCostPage, cost, "Anthropic", "a cost report")
    build_records(usage_page.data, cost_page.data, by_workspace)


# What the collector turns into a ``bad_response`` error when a source lets it escape
# (collect._guard). A provider should raise BadResponseError itself; see the report of issue 7.
SAFETY_NET = (pydantic.ValidationError, KeyError, TypeError, ValueError)


@PURE
@given(usage=mutated(LEGACY_USAGE), cost=mutated(LEGACY_COST), by_workspace=st.booleans())
def test_claude_legacy_pages_parse_or_raise_bad_response(
    usage: Any, cost: Any, by_workspace: bool
) -> None:
    try:
        read_legacy(usage, cost, by_workspace)
    except SourceFailure as failure:
        assert failure.kind == "bad_response"
    except SAFETY_NET:
        pass


def test_claude_legacy_reads_the_unmutated_pages() -> None:
    read_legacy(LEGACY_USAGE, LEGACY_COST, by_workspace=True)


# --- every provider's fetch, against any body --------------------------------------------------


def _settings(tmp: Path, **extra: str) -> Settings:
    credentials = tmp / "adc.json"
    credentials.write_text(
        json.dumps(
            {
                "type": "authorized_user",
                "client_id": "c",
                "client_secret": "s",
                "refresh_token": "r",
            }
        )
    )
    values: dict[str, Any] = {
        "ANTHROPIC_ADMIN_KEY": "sk-ant-admin01-" + "x" * 93 + "AA",
        "OPENAI_ADMIN_KEY": "sk-admin-" + "x" * 40,
        "CURSOR_ADMIN_KEY": "key_" + "x" * 64,
        "GOOGLE_APPLICATION_CREDENTIALS": str(credentials),
        "GOOGLE_CLOUD_PROJECT": "gen-lang-client-0123456789",
        **extra,
    }
    return Settings(**values)


def _provider(name: ProviderName) -> ApiProvider:
    if name == "cursor":
        from aiusage.sources.api.cursor.client import Pacer
        from aiusage.sources.api.cursor.provider import CursorProvider

        async def no_sleep(_: float) -> None:
            return None

        # A Pacer that never waits: the property is about parsing, not pacing.
        return CursorProvider(pacer=lambda: Pacer(sleep=no_sleep, clock=lambda: 0.0, limit=10**9))
    return API_PROVIDERS[name]


def fetch_with(
    name: ProviderName, config: Settings, bodies: dict[str, Any], status: int = 200
) -> int:
    """Run the provider's fetch; each request is answered with the body of the first route
    whose key is in its path (the last route's body otherwise). Returns the records' count."""
    provider = _provider(name)
    query = UsageQuery(period=Period(since=NOW - timedelta(days=3), until=NOW + timedelta(hours=9)))
    fallback = list(bodies.values())[-1]

    def answer(request: httpx.Request) -> httpx.Response:
        body = next((b for key, b in bodies.items() if key in request.url.path), fallback)
        return httpx.Response(status, json=body)

    async def run() -> int:
        transport = httpx.MockTransport(answer)
        async with httpx.AsyncClient(base_url="https://vendor.test", transport=transport) as client:
            return len((await provider.fetch(client, config, query)).records)

    return asyncio.run(run())


CASES = [
    (
        "claude",
        {"AIUSAGE_CLAUDE_API": "legacy"},
        {"usage_report": LEGACY_USAGE, "cost_report": LEGACY_COST},
    ),
    (
        "claude",
        {"AIUSAGE_CLAUDE_API": "analytics"},
        {"analytics/cost": ANALYTICS_COST, "analytics/usage": ANALYTICS_USAGE},
    ),
    ("openai", {}, {"/costs": OPENAI_COSTS, "/usage/": OPENAI}),
    ("cursor", {}, {"/teams/": CURSOR}),
    ("gemini", {}, {"timeSeries": GEMINI}),
]
IDS = ["claude-legacy", "claude-analytics", "openai", "cursor", "gemini"]
FUZZ_CASES = [pytest.param(*case, id=name) for case, name in zip(CASES, IDS, strict=True)]


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("property-settings")


@pytest.mark.parametrize(("name", "extra", "templates"), CASES, ids=IDS)
def test_a_provider_reads_its_documented_pages(
    folder: Path, name: ProviderName, extra: dict[str, str], templates: dict[str, Any]
) -> None:
    # The unmutated pages are valid: the property below starts from real shapes.
    assert fetch_with(name, _settings(folder, **extra), templates) > 0


def collect_with(
    name: ProviderName, config: Settings, bodies: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> Collected:
    """The real collector (store, cache, error handling) with every answer from ``bodies``."""
    fallback = list(bodies.values())[-1]

    def answer(request: httpx.Request) -> httpx.Response:
        return httpx.Response(
            200, json=next((b for k, b in bodies.items() if k in request.url.path), fallback)
        )

    def connect(config: Any, settings: Settings) -> httpx.AsyncClient:
        return httpx.AsyncClient(
            base_url="https://vendor.test", transport=httpx.MockTransport(answer)
        )

    monkeypatch.setattr(collect_module, "connect", connect)
    query = UsageQuery(period=Period(since=NOW - timedelta(days=3), until=NOW + timedelta(hours=9)))
    plan = Plan(providers=[name], kinds=["api"], refresh=True)
    return asyncio.run(collect(config, query, plan, {name: _provider(name)}, [], NOW))


@pytest.mark.parametrize(("name", "extra", "templates"), FUZZ_CASES)
def test_any_plausible_body_is_read_or_becomes_a_bad_response_error(
    folder: Path,
    name: ProviderName,
    extra: dict[str, str],
    templates: dict[str, Any],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    config = _settings(folder, **extra)

    @FETCH
    @given(bodies=st.fixed_dictionaries({k: mutated(v) for k, v in templates.items()}))
    def check(bodies: dict[str, Any]) -> None:
        collected = collect_with(name, config, bodies, monkeypatch)
        assert [e.kind for e in collected.errors] in ([], ["bad_response"])
        assert all(e.message for e in collected.errors)

    check()


@pytest.mark.parametrize(
    ("field", "value"),
    [("subscriptionCycleStart", 2**64), ("timestamp", str(10**20)), ("date", 10**20)],
)
def test_cursor_epoch_out_of_range_is_a_bad_response(
    folder: Path, monkeypatch: pytest.MonkeyPatch, field: str, value: Any
) -> None:
    body = copy.deepcopy(CURSOR)
    if field == "subscriptionCycleStart":
        body[field] = value
    elif field == "timestamp":
        body["usageEvents"][0][field] = value
    else:
        body["data"][0][field] = value

    collected = collect_with("cursor", _settings(folder), {"/teams/": body}, monkeypatch)

    assert [e.kind for e in collected.errors] == ["bad_response"]


@pytest.mark.parametrize("name", sorted(API_PROVIDERS))
@pytest.mark.parametrize("status", [400, 401, 403, 404, 409, 429, 500, 503, 529])
def test_a_provider_turns_any_error_status_into_its_own_error(
    folder: Path, name: ProviderName, status: int
) -> None:
    with pytest.raises((SourceFailure, ConfigError)):
        fetch_with(name, _settings(folder), {"/": {"error": {"message": "no"}}}, status=status)


# --- dates on the command line -----------------------------------------------------------

WHEN = st.one_of(
    st.text(max_size=30),
    st.from_regex(r"\A\s*\d{1,12}\s*[mhdwy]?\s*\Z"),
    st.from_regex(
        r"\A\d{1,5}-\d{1,2}-\d{1,2}([T ]\d{1,2}:\d{2}(:\d{2}(\.\d{1,9})?)?)?"
        r"(Z|z|[+-]\d{2}:?\d{2})?\Z"
    ),
    st.datetimes(timezones=st.timezones()).map(lambda d: d.isoformat()),
    st.sampled_from(["today", "month", "now", "TODAY", " 7d ", "0d", "90m", "4w", "yesterday"]),
)


DATES = settings(max_examples=200, deadline=None, report_multiple_bugs=False)


@DATES
@given(text=WHEN, now=st.datetimes(min_value=datetime(1971, 1, 1), max_value=datetime(9000, 1, 1)))
@example(text="99999999999d", now=datetime(2026, 11, 25))
@example(text="0001-01-01T00:00:00+05:00", now=datetime(2026, 11, 25))
@example(text="9999-12-31T23:59:59-05:00", now=datetime(2026, 11, 25))
def test_a_date_parses_to_utc_or_is_a_usage_error(text: str, now: datetime) -> None:
    try:
        parsed = parse_when(text, now.replace(tzinfo=UTC))
    except UsageError:
        return
    assert parsed.tzinfo is not None and parsed.utcoffset() == timedelta(0)


@DATES
@given(since=st.none() | WHEN, until=st.none() | WHEN)
@example(since="99999999999d", until=None)
@example(since="9999-12-31", until=None)
def test_a_period_is_half_open_and_ordered_or_a_usage_error(
    since: str | None, until: str | None
) -> None:
    try:
        period = parse_period(since, until, NOW)
    except UsageError:
        return
    except AiUsageError as other:  # pragma: no cover - the assertion below names it
        pytest.fail(f"not a usage error: {other!r}")
    assert period.since < period.until
