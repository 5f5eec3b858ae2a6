"""Ask the live sources that cost a process or a request, and keep what they say in the store.

``codex app-server`` when ``codex`` is on PATH (and the last answer is older than ``max_age``),
then Cursor's dashboard when ``AIUSAGE_CURSOR_LIVE`` is on (throttled on its own). A source that
fails records one line under ``live_state`` key ``error:<provider>:<source>``; its last good
reading stays. ``gather`` reads both back.
"""

from __future__ import annotations

import logging
import shutil
from collections.abc import Callable
from typing import TYPE_CHECKING

from aiusage.sources.live.codex.app_server import AppServerError, read_rate_limits
from aiusage.sources.live.codex.limits import SOURCE as APP_SERVER
from aiusage.sources.live.codex.limits import readings_from_result
from aiusage.sources.live.readings import save_readings, set_state

if TYPE_CHECKING:
    from aiusage.settings import Settings
    from aiusage.store import Store

log = logging.getLogger(__name__)

APP_SERVER_ERROR = f"error:openai:{APP_SERVER}"
NO_ANSWER = "n/a (codex app-server did not answer)"
MAX_APP_SERVER_WAIT = 8.0


def _last_app_server_read(store: Store) -> int | None:
    row = store.db.execute(
        "SELECT MAX(observed_at) FROM live_windows WHERE provider = 'openai' AND source = ?",
        (APP_SERVER,),
    ).fetchone()
    return None if row is None or row[0] is None else int(row[0])


def refresh_codex(settings: Settings, store: Store, now: int, max_age: int = 0) -> None:
    """Read Codex's plan windows from ``codex app-server`` when Codex is installed."""
    executable = shutil.which("codex")
    if executable is None:
        store.db.execute("DELETE FROM live_state WHERE key = ?", (APP_SERVER_ERROR,))
        return
    last = _last_app_server_read(store)
    if max_age and last is not None and now - last < max_age:
        return
    try:
        result = read_rate_limits(
            executable, timeout=min(settings.http_timeout, MAX_APP_SERVER_WAIT)
        )
    except AppServerError as exc:
        log.debug("codex app-server: %s", exc)
        set_state(store.db, APP_SERVER_ERROR, f"{NO_ANSWER}: {exc}")
        return
    readings = readings_from_result(result, now)
    if not readings:
        set_state(
            store.db,
            APP_SERVER_ERROR,
            "codex app-server reported no plan limits (is Codex signed in with ChatGPT?)",
        )
        return
    save_readings(store.db, "openai", APP_SERVER, readings, replace=True)
    store.db.execute("DELETE FROM live_state WHERE key = ?", (APP_SERVER_ERROR,))


def refresh_live(
    settings: Settings,
    store: Store,
    now: int,
    notice: Callable[[str], None],
    app_server_max_age: int = 0,
) -> None:
    """Refresh every live source that is available and due."""
    refresh_codex(settings, store, now, app_server_max_age)
    if settings.cursor_live:
        # Opt-in: its HTTP client (httpx) is not loaded for every status otherwise.
        from aiusage.sources.live.cursor.reader import refresh_cursor_live

        refresh_cursor_live(settings, store.db, now, notice)
