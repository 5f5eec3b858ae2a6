"""Cursor individual-plan usage from the signed-in app, opt-in (``AIUSAGE_CURSOR_LIVE=1``).

Follows ``live-limits.md`` §6: the endpoint is undocumented, so the first use prints a one-line
notice; the token is read read-only and never refreshed; at most one request per 3 minutes per
token (the claim is written before the request, so two processes never both ask), and a 429
backs off for ``Retry-After`` or 10 minutes, persisted in the store; the User-Agent is aiusage's
own; every field of the answer is optional. A failure leaves the last good reading in place and
records one line saying what went wrong.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import sqlite3
from collections.abc import Callable
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import TYPE_CHECKING

import httpx

from aiusage.sources.live.cursor.app_token import CursorTokenError, read_token
from aiusage.sources.live.cursor.usage import SOURCE, readings_from_summary
from aiusage.sources.live.readings import get_state, save_readings, set_state

if TYPE_CHECKING:
    from aiusage.settings import Settings

log = logging.getLogger(__name__)

PATH = "/api/usage-summary"
MIN_INTERVAL = 180  # seconds between two requests for one token
BACKOFF_429 = 600  # when a 429 gives no usable Retry-After
MAX_BACKOFF = 6 * 3600
NOTICE_KEY = "cursor-live:notice"
ERROR_KEY = f"error:cursor:{SOURCE}"
NOTICE = (
    "aiusage: AIUSAGE_CURSOR_LIVE reads your Cursor usage from an undocumented Cursor endpoint "
    "with the signed-in app's token (read-only, at most every 3 minutes); it may break."
)


def _retry_after(value: str | None, now: int) -> int | None:
    if not value:
        return None
    text = value.strip()
    if text.isdigit():
        return int(text)
    try:
        when = parsedate_to_datetime(text)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        return None
    return int(when.timestamp()) - now


def _claim(db: sqlite3.Connection, key: str, now: int) -> bool:
    """Take the right to send one request now; False while throttled or backing off."""
    db.execute("BEGIN IMMEDIATE")
    try:
        until = get_state(db, key)
        if until is not None and now < int(until):
            db.execute("COMMIT")
            return False
        set_state(db, key, str(now + MIN_INTERVAL))
    except BaseException:
        db.execute("ROLLBACK")
        raise
    db.execute("COMMIT")
    return True


def _record_error(db: sqlite3.Connection, message: str) -> None:
    set_state(db, ERROR_KEY, message)


async def _get(settings: Settings, cookie: str) -> httpx.Response:
    from httpx_retries import Retry

    from aiusage.http_client import build_client

    # No retries: a retried request is one more request, and a 429 must back off instead.
    no_retry = Retry(total=0)
    async with build_client(
        settings.cursor_live_base_url,
        headers={"Cookie": cookie},
        timeout=min(settings.http_timeout, 15.0),
        retry=no_retry,
    ) as client:
        return await client.get(PATH)


def refresh_cursor_live(
    settings: Settings, db: sqlite3.Connection, now: int, notice: Callable[[str], None]
) -> None:
    """Fetch and store the current period's usage when allowed; record what went wrong."""
    if not settings.cursor_live:
        return
    if get_state(db, NOTICE_KEY) is None:
        notice(NOTICE)
        set_state(db, NOTICE_KEY, str(now))
    try:
        token = read_token(now)
    except CursorTokenError as exc:
        _record_error(db, str(exc))
        return
    key = "cursor-live:next:" + hashlib.sha256(token.jwt.encode()).hexdigest()[:16]
    if not _claim(db, key, now):
        log.debug("cursor live: throttled until %s", get_state(db, key))
        return
    try:
        response = asyncio.run(_get(settings, token.cookie))
    except httpx.TimeoutException:
        _record_error(db, "Cursor's usage endpoint did not answer in time; shown: the last reading")
        return
    except httpx.HTTPError as exc:
        _record_error(db, f"cannot reach Cursor's usage endpoint ({type(exc).__name__})")
        return
    status = response.status_code
    log.debug("cursor live: GET %s -> %s", PATH, status)
    if status in (401, 403):
        _record_error(
            db,
            f"Cursor refused the app's session token (HTTP {status}); open Cursor and sign in "
            "again",
        )
        return
    if status == 429:
        wait = _retry_after(response.headers.get("retry-after"), now)
        wait = (
            BACKOFF_429 if wait is None or wait <= 0 else min(max(wait, MIN_INTERVAL), MAX_BACKOFF)
        )
        set_state(db, key, str(now + wait))
        resume = datetime.fromtimestamp(now + wait, UTC)
        _record_error(
            db,
            "Cursor is rate limiting aiusage (HTTP 429); backing off until "
            f"{resume:%Y-%m-%d %H:%M} UTC",
        )
        return
    if not 200 <= status < 300:
        _record_error(db, f"Cursor's usage endpoint answered HTTP {status}")
        return
    try:
        body = response.json()
    except ValueError:
        _record_error(db, "Cursor's usage endpoint sent a body that is not JSON")
        return
    readings = readings_from_summary(body, now)
    if not readings:
        _record_error(db, "Cursor's usage answer held no usage figures")
        return
    save_readings(db, "cursor", SOURCE, readings, replace=True)
    db.execute("DELETE FROM live_state WHERE key = ?", (ERROR_KEY,))
