"""Whether a credential works: its shape first (another vendor's key is named as such, with no
request), then one cheap authenticated request."""

from __future__ import annotations

import re

from aiusage.errors import (
    AuthError,
    BadResponseError,
    ConfigError,
    ForbiddenError,
    NotFoundError,
    SourceFailure,
)
from aiusage.http_client import QueryParams, request_json
from aiusage.models import KeyCheck, KeyStatus, ProviderName
from aiusage.sources.base import ClientConfig, ClientFactory


async def probe(
    connect: ClientFactory,
    config: ClientConfig,
    *,
    provider: ProviderName,
    credential: str,
    vendor: str,
    path: str,
    params: QueryParams | None = None,
    method: str = "GET",
    json_body: object = None,
    fix: str,
    forbidden_fix: str | None = None,
) -> KeyCheck:
    """Send one request with the credential and turn the outcome into a ``KeyCheck``.

    Args:
        fix: what to do when the key is rejected.
        forbidden_fix: what to do when the key is accepted but lacks the scope (403);
            defaults to ``fix``.
    """
    status: KeyStatus
    hint = ""
    try:
        async with connect(config) as client:
            await request_json(client, vendor, method, path, params=params, json_body=json_body)
    except AuthError as exc:
        status, detail, hint = "rejected", exc.message, fix
    except ForbiddenError as exc:
        status, detail, hint = "wrong_kind", exc.message, forbidden_fix or fix
    except (NotFoundError, BadResponseError) as exc:
        # The key got through authentication; the endpoint answered oddly.
        status, detail = "ok", f"accepted; but {exc.message}"
    except SourceFailure as exc:
        status, detail, hint = "unreachable", exc.message, "try again later"
    else:
        status, detail = "ok", f"accepted by {vendor}"
    return KeyCheck(
        provider=provider, credential=credential, status=status, detail=detail, hint=hint
    )


# Each vendor's key shapes, most specific first (an Anthropic key starts with "sk-" too).
_KEY_SHAPES: tuple[tuple[ProviderName, str, re.Pattern[str]], ...] = (
    ("claude", "an Anthropic key (sk-ant-…)", re.compile(r"sk-ant-")),
    ("cursor", "a Cursor key (key_… or crsr_…)", re.compile(r"key_[A-Za-z0-9]{64}$|crsr_")),
    ("gemini", "a Google API key (AIza…)", re.compile(r"AIza[0-9A-Za-z_-]{30,}$")),
    ("openai", "an OpenAI key (sk-…)", re.compile(r"sk-")),
)
_VENDORS: dict[ProviderName, str] = {
    "claude": "Anthropic",
    "openai": "OpenAI",
    "gemini": "Google (Gemini)",
    "cursor": "Cursor",
}
_HOME_VARIABLE: dict[ProviderName, str] = {
    "claude": "ANTHROPIC_ADMIN_KEY",
    "openai": "OPENAI_ADMIN_KEY",
    "gemini": "GEMINI_API_KEY",
    "cursor": "CURSOR_ADMIN_KEY",
}


def key_owner(value: str) -> tuple[ProviderName, str] | None:
    """Which vendor a key's shape belongs to, and how to say it; None when it is no known shape."""
    for owner, description, shape in _KEY_SHAPES:
        if shape.match(value):
            return owner, description
    return None


def foreign_key(provider: ProviderName, credential: str, value: str) -> KeyCheck | None:
    """``wrong_kind`` when ``value`` is another vendor's key, naming that vendor; else None."""
    found = key_owner(value.strip())
    if found is None or found[0] == provider:
        return None
    owner, description = found
    return KeyCheck(
        provider=provider,
        credential=credential,
        status="wrong_kind",
        detail=f"{description}, not a {_VENDORS[provider]} key",
        hint=f"that key belongs in {_HOME_VARIABLE[owner]}; set {credential} to a "
        f"{_VENDORS[provider]} key",
    )


def refuse_foreign_key(provider: ProviderName, credential: str, value: str) -> None:
    """Raise ``ConfigError`` before any request when ``value`` is another vendor's key."""
    check = foreign_key(provider, credential, value)
    if check is not None:
        raise ConfigError(f"{credential} holds {check.detail}; {check.hint}")
