"""``test-keys`` for Claude: which of the two Anthropic reporting APIs a key can read."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

import httpx
import pytest
import respx

from aiusage.collect import connect
from aiusage.models import KeyCheck
from aiusage.settings import Settings
from aiusage.sources.api.claude.provider import ClaudeProvider
from aiusage.sources.base import ClientConfig

BASE = "https://api.anthropic.com"
A_USAGE = f"{BASE}/v1/organizations/analytics/usage"
L_USAGE = f"{BASE}/v1/organizations/usage_report/messages"
ADMIN = "sk-ant-admin01-" + "x" * 93 + "AA"
ANALYTICS_KEY = "sk-ant-api01-" + "y" * 93 + "AA"
INFERENCE_KEY = "sk-ant-api03-" + "z" * 93 + "AA"
NOW = datetime(2026, 11, 25, 15, tzinfo=UTC)
OK = httpx.Response(200, json={"data": [], "has_more": False, "next_page": None})


def refusal(status: int, kind: str, message: str) -> httpx.Response:
    return httpx.Response(
        status, json={"type": "error", "error": {"type": kind, "message": message}}
    )


UNAUTHORIZED = refusal(401, "authentication_error", "invalid x-api-key")
FORBIDDEN = refusal(403, "permission_error", "not allowed")
HIPAA = refusal(400, "invalid_request_error", "not available with HIPAA readiness")


def check(key: str | None, mode: str = "auto") -> KeyCheck:
    settings = Settings(ANTHROPIC_ADMIN_KEY=key, AIUSAGE_CLAUDE_API=mode)

    def factory(config: ClientConfig) -> httpx.AsyncClient:
        return connect(config, settings)

    checks = asyncio.run(ClaudeProvider(clock=lambda: NOW).check_keys(settings, factory))
    assert len(checks) == 1
    assert all(key not in (c.detail + c.hint) for c in checks if key)
    return checks[0]


@respx.mock
def test_an_admin_key_reads_both_apis() -> None:
    analytics = respx.get(A_USAGE).mock(return_value=OK)
    legacy = respx.get(L_USAGE).mock(return_value=OK)

    result = check(ADMIN)

    assert result.status == "ok"
    assert result.detail == "accepted by the analytics API and the legacy reports"
    sent = analytics.calls[0].request
    assert sent.headers["anthropic-beta"] == "analytics-usage-cost-2026-08-24"
    assert sent.url.params["time_bucket_width"] == "1d"
    assert sent.url.params["ending_at"] == "2026-11-25T00:00:00Z"
    assert "anthropic-beta" not in legacy.calls[0].request.headers


@respx.mock
def test_an_enterprise_analytics_key_is_accepted_for_the_analytics_api() -> None:
    respx.get(A_USAGE).mock(return_value=OK)
    respx.get(L_USAGE).mock(return_value=UNAUTHORIZED)

    result = check(ANALYTICS_KEY)

    assert result.status == "ok"
    assert result.detail.startswith("accepted by the analytics API;")
    assert "before 2026-01-01 or over 365 days old is not readable" in result.detail


@respx.mock
def test_an_ordinary_inference_key_is_the_wrong_kind() -> None:
    respx.get(A_USAGE).mock(return_value=UNAUTHORIZED)
    respx.get(L_USAGE).mock(return_value=UNAUTHORIZED)

    result = check(INFERENCE_KEY)

    assert result.status == "wrong_kind"
    assert "sk-ant-admin01" in result.hint
    assert "read:analytics" in result.hint


@respx.mock
def test_a_revoked_admin_key_is_rejected() -> None:
    respx.get(A_USAGE).mock(return_value=UNAUTHORIZED)
    respx.get(L_USAGE).mock(return_value=UNAUTHORIZED)

    assert check(ADMIN).status == "rejected"


@respx.mock
def test_an_admin_key_without_the_scope_is_the_wrong_kind() -> None:
    respx.get(A_USAGE).mock(return_value=FORBIDDEN)
    respx.get(L_USAGE).mock(return_value=FORBIDDEN)

    assert check(ADMIN).status == "wrong_kind"


@respx.mock
def test_a_hipaa_organization_is_told_it_reads_the_legacy_reports() -> None:
    respx.get(A_USAGE).mock(return_value=HIPAA)
    respx.get(L_USAGE).mock(return_value=OK)

    result = check(ADMIN)

    assert result.status == "ok"
    assert result.detail.startswith("accepted by the legacy reports;")
    assert "HIPAA" in result.detail and "no --by user" in result.detail


@respx.mock
def test_a_forced_api_is_the_only_one_checked() -> None:
    analytics = respx.get(A_USAGE).mock(return_value=OK)
    respx.get(L_USAGE).mock(return_value=UNAUTHORIZED)

    result = check(ANALYTICS_KEY, mode="legacy")

    assert not analytics.called
    assert result.status == "wrong_kind"
    assert "AIUSAGE_CLAUDE_API=legacy" in result.hint


@respx.mock
def test_a_key_read_by_one_api_while_the_other_is_down_is_ok() -> None:
    respx.get(A_USAGE).mock(return_value=OK)
    respx.get(L_USAGE).mock(return_value=httpx.Response(503))

    result = check(ADMIN)

    assert result.status == "ok"
    assert "unavailable" in result.detail


@respx.mock
def test_an_outage_is_unreachable_not_a_verdict_on_the_key() -> None:
    respx.get(A_USAGE).mock(return_value=httpx.Response(503))
    respx.get(L_USAGE).mock(return_value=httpx.Response(503))

    assert check(ADMIN).status == "unreachable"


@pytest.mark.parametrize(
    ("key", "status"), [(None, "missing"), ("not-a-key", "malformed"), ("AIzaXYZ", "malformed")]
)
@respx.mock(assert_all_called=False)
def test_missing_or_malformed_keys_send_nothing(key: str | None, status: str) -> None:
    analytics = respx.get(A_USAGE)
    legacy = respx.get(L_USAGE)

    assert check(key).status == status
    assert not analytics.called
    assert not legacy.called
