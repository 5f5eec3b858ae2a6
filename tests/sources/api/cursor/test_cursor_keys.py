"""``test-keys`` for Cursor: format, one cheap authenticated call, verdicts with a fix."""

from __future__ import annotations

import asyncio
import base64

import httpx
import pytest
import respx

from aiusage.http_client import build_client
from aiusage.models import KeyCheck
from aiusage.settings import Settings
from aiusage.sources.api.cursor.provider import CursorProvider
from aiusage.sources.base import ClientConfig
from tests.conftest import load_fixture

MEMBERS = "https://api.cursor.com/teams/members"
KEY = "key_" + "0f9e" * 16


def connect(config: ClientConfig) -> httpx.AsyncClient:
    return build_client(config.base_url, headers=config.headers, auth=config.auth)


def check(key: str | None) -> KeyCheck:
    settings = Settings(CURSOR_ADMIN_KEY=key)
    (verdict,) = asyncio.run(CursorProvider().check_keys(settings, connect))
    return verdict


def test_a_missing_key_is_missing_with_both_ways_to_start() -> None:
    verdict = check(None)
    assert verdict.status == "missing"
    assert verdict.credential == "CURSOR_ADMIN_KEY"
    assert "aiusage cursor set" in verdict.hint


@respx.mock
# (An Anthropic key here is "wrong_kind", naming Anthropic: tests/sources/api/test_foreign_keys.py.)
@pytest.mark.parametrize("key", ["hello", "key_tooshort", "bearer-" + "x" * 40])
def test_a_key_of_the_wrong_format_is_malformed_without_a_request(key: str) -> None:
    route = respx.get(MEMBERS)
    verdict = check(key)
    assert verdict.status == "malformed"
    assert not route.called
    assert key not in verdict.detail + verdict.hint


def test_a_cursor_sign_in_token_is_the_wrong_kind_of_credential() -> None:
    jwt = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJhdXRoMHx1c2VyXzAxIn0.c2lnbmF0dXJl"
    verdict = check(jwt)
    assert verdict.status == "wrong_kind"
    assert "Admin API key" in verdict.detail


@respx.mock
def test_an_accepted_key_is_ok_after_one_basic_auth_call_to_team_members() -> None:
    route = respx.get(MEMBERS).respond(200, json=load_fixture("cursor/members.json"))
    verdict = check(KEY)
    assert verdict.status == "ok"
    assert route.call_count == 1
    expected = "Basic " + base64.b64encode(f"{KEY}:".encode()).decode()
    assert route.calls[0].request.headers["authorization"] == expected


@respx.mock
def test_a_newer_crsr_key_is_checked_against_the_api() -> None:
    route = respx.get(MEMBERS).respond(200, json=load_fixture("cursor/members.json"))
    assert check("crsr_" + "Ab3" * 12).status == "ok"
    assert route.called


@respx.mock
def test_a_401_means_the_key_was_rejected() -> None:
    respx.get(MEMBERS).respond(401, json=load_fixture("cursor/error_401.json"))
    verdict = check(KEY)
    assert verdict.status == "rejected"
    assert "CURSOR_ADMIN_KEY" in verdict.hint
    assert KEY not in verdict.detail


@respx.mock
def test_a_403_is_the_wrong_kind_with_the_plan_it_needs() -> None:
    respx.get(MEMBERS).respond(403, json=load_fixture("cursor/error_403.json"))
    verdict = check(KEY)
    assert verdict.status == "wrong_kind"
    assert "Enterprise" in verdict.hint


@respx.mock
def test_an_outage_is_unreachable() -> None:
    respx.get(MEMBERS).respond(503, json=load_fixture("cursor/error_500.json"))
    assert check(KEY).status == "unreachable"


def test_the_fallback_variable_is_named_when_it_is_the_one_set(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("CURSOR_TOKEN", "not-a-key")
    (verdict,) = asyncio.run(CursorProvider().check_keys(Settings(), connect))
    assert verdict.credential == "CURSOR_TOKEN"
    assert verdict.status == "malformed"
