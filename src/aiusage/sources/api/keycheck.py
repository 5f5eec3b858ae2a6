"""One cheap authenticated request that tells whether a credential works."""

from __future__ import annotations

from aiusage.errors import (
    AuthError,
    BadResponseError,
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
