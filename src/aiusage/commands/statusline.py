"""``aiusage statusline``: Claude Code's ``statusLine.command``. One line out, always exit 0.

It reads the JSON Claude Code pipes to stdin, keeps valid ``rate_limits`` and the session's cost
in the store, and prints ``model · session $ · 5h % (resets HH:MM) · 7d % · today $``. No network,
no log reading, and only standard-library imports on its path (``aiusage.cli.main`` calls it
before Typer loads): Claude Code runs it after every answer. Any problem prints a shorter line.
"""

from __future__ import annotations

import os
import sys
import time
from datetime import datetime, tzinfo
from decimal import Decimal

from aiusage.render.format import usd
from aiusage.sources.live.claude.statusline import StatusInput, parse_input

# Not typing.TYPE_CHECKING: importing typing costs the status line a few milliseconds.
TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import TextIO

MAX_INPUT = 1 << 20  # Claude Code's object is a few kB; anything near this is not it
NO_DATA = "aiusage: no status data"
SEPARATOR = " · "
_LABELS = {"five_hour": "5h", "seven_day": "7d", "spend_limit": "spend"}


def _zone() -> tzinfo | None:
    """The zone of ``AIUSAGE_TIMEZONE``, else None (the system's zone)."""
    name = os.environ.get("AIUSAGE_TIMEZONE", "").strip()
    if not name or name.lower() == "local":
        return None
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    try:
        return ZoneInfo("UTC" if name.upper() == "UTC" else name)
    except (ZoneInfoNotFoundError, ValueError):
        return None


def _plain(text: str, limit: int = 40) -> str:
    """Text from stdin as plain, printable text (control characters shown as ``?``)."""
    cleaned = "".join("?" if ord(c) < 32 or 127 <= ord(c) < 160 else c for c in text)
    return cleaned[:limit]


def _percent(ratio: Decimal) -> str:
    return f"{(ratio * 100).quantize(Decimal('1'))}%"


def format_line(found: StatusInput, today_usd: Decimal | None, zone: tzinfo | None) -> str:
    """The status line: what is known, in a fixed order; never empty."""
    parts = []
    if found.model:
        parts.append(_plain(found.model))
    if found.session_cost is not None:
        parts.append(f"session {usd(found.session_cost)}")
    for reading in found.readings:
        if reading.used_ratio is None:
            continue
        text = f"{_LABELS.get(reading.window, reading.window)} {_percent(reading.used_ratio)}"
        if reading.window == "five_hour" and reading.resets_at is not None:
            reset = datetime.fromtimestamp(reading.resets_at, zone)
            text += f" (resets {reset:%H:%M})"
        parts.append(text)
    if today_usd is not None:
        parts.append(f"today {usd(today_usd)}")
    return SEPARATOR.join(parts) or NO_DATA


def _keep(found: StatusInput, now: int, zone: tzinfo | None) -> Decimal | None:
    """Store the readings and the session cost; return today's cost (None when unknown)."""
    from aiusage.sources.live.claude.session_costs import day_cost, record_session_cost
    from aiusage.sources.live.fast_store import open_store_db
    from aiusage.sources.live.readings import save_readings

    if not found.readings and (found.session is None or found.session_cost is None):
        return None
    db = open_store_db()
    try:
        if found.readings:
            save_readings(db, "claude", "statusline", found.readings, replace=False)
        if found.session is None or found.session_cost is None:
            return None
        day = datetime.fromtimestamp(now, zone).date().isoformat()
        record_session_cost(db, found.session, day, found.session_cost, now)
        return day_cost(db, day)
    finally:
        db.close()


def run_statusline(stdin: TextIO, stdout: TextIO) -> int:
    """Read, keep, print; return 0 whatever happens (a failing status line breaks Claude Code)."""
    line = NO_DATA
    try:
        now = int(time.time())
        text = "" if stdin.isatty() else stdin.read(MAX_INPUT)
        if text.strip():
            zone = _zone()
            found = parse_input(text, now)
            line = format_line(found, None, zone)
            today = _keep(found, now, zone)
            line = format_line(found, today, zone)
    # Deliberately broad: whatever goes wrong (a locked or broken store, a bad setting, odd
    # bytes on stdin), Claude Code must still get a line and exit status 0.
    except Exception:  # noqa: BLE001
        pass
    try:
        stdout.write(line + "\n")
        stdout.flush()
    except (OSError, ValueError):
        pass
    return 0


def main() -> int:
    return run_statusline(sys.stdin, sys.stdout)
