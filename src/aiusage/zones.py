"""The user's time zone: ``--timezone``, then ``AIUSAGE_TIMEZONE``, then the system's own zone.

A zone is an IANA name (``Europe/Berlin``), ``UTC`` or ``local``. The system's zone is found the
way the C library finds it: ``TZ``, then the ``/etc/localtime`` link, then ``/etc/timezone``;
when none names an IANA zone, the current fixed offset is used and named as such.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone, tzinfo
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from aiusage.errors import ConfigError, UsageError

LOCAL = "local"
EXAMPLES = "UTC, local, Europe/Berlin, America/Los_Angeles, Asia/Tokyo, Asia/Kolkata"
_LOCALTIME = Path("/etc/localtime")
_TIMEZONE_FILE = Path("/etc/timezone")


@dataclass(frozen=True)
class Zone:
    """A time zone and the name a person reads (``Europe/Berlin``, ``UTC``, ``UTC+05:30``)."""

    name: str
    tz: tzinfo

    @property
    def is_utc(self) -> bool:
        return self.name == "UTC"

    def offset(self, moment: datetime) -> timedelta:
        """The zone's offset from UTC at an instant."""
        return moment.astimezone(self.tz).utcoffset() or timedelta(0)


UTC_ZONE = Zone("UTC", UTC)


_FIXED = re.compile(r"^UTC([+-])(\d{2}):(\d{2})$")


def _named(name: str) -> Zone | None:
    fixed = _FIXED.match(name)
    if fixed:
        sign = 1 if fixed.group(1) == "+" else -1
        offset = timedelta(hours=int(fixed.group(2)), minutes=int(fixed.group(3)))
        if offset >= timedelta(hours=24):
            return None
        return Zone(name, timezone(sign * offset)) if offset else UTC_ZONE
    if name.upper() in ("UTC", "Z", "ETC/UTC", "ZULU", "UCT", "GMT", "ETC/GMT"):
        return UTC_ZONE
    # ZoneInfo reads files: a path-like or empty name is not a zone name.
    if not name or name.startswith(("/", ".")) or ".." in name:
        return None
    try:
        return Zone(name, ZoneInfo(name))
    except (ZoneInfoNotFoundError, ValueError, OSError):
        pass
    # Names are matched without regard to case (asia/tokyo); the list is read only on a miss.
    spelled = {key.lower(): key for key in available_timezones()}.get(name.lower())
    return Zone(spelled, ZoneInfo(spelled)) if spelled else None


def _zone_key_of_link(path: Path) -> str | None:
    try:
        target = str(path.resolve())
    except OSError:
        return None
    marker = "zoneinfo/"
    index = target.rfind(marker)
    return target[index + len(marker) :] if index >= 0 else None


def system_zone() -> Zone:
    """The zone this machine's clock is set to."""
    candidates = [os.environ.get("TZ", "").lstrip(":"), _zone_key_of_link(_LOCALTIME)]
    try:
        candidates.append(_TIMEZONE_FILE.read_text(encoding="utf-8").strip())
    except OSError:
        pass
    for candidate in candidates:
        if candidate and (zone := _named(candidate)) is not None:
            return zone
    offset = datetime.now().astimezone().utcoffset() or timedelta(0)
    if not offset:
        return UTC_ZONE
    return Zone(f"UTC{_offset_text(offset)}", timezone(offset))


def _offset_text(offset: timedelta) -> str:
    minutes = int(offset.total_seconds()) // 60
    sign = "+" if minutes >= 0 else "-"
    return f"{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"


def zone_named(name: str) -> Zone:
    """The zone a ``Zone.name`` stands for (as carried in a query); UTC for an unknown name."""
    return _named(name) or UTC_ZONE


def resolve_zone(option: str | None, setting: str | None) -> Zone:
    """The zone asked for by ``--timezone``, else ``AIUSAGE_TIMEZONE``, else the system's.

    Raises:
        UsageError: ``--timezone`` names no known zone (exit 2).
        ConfigError: ``AIUSAGE_TIMEZONE`` names no known zone (exit 1).
    """
    for given, where in ((option, "--timezone"), (setting, "AIUSAGE_TIMEZONE")):
        if given is None or not given.strip():
            continue
        name = given.strip()
        if name.lower() == LOCAL:
            return system_zone()
        zone = _named(name)
        if zone is None:
            message = (
                f"unknown time zone {name!r} ({where}): use an IANA name, UTC or local, "
                f"e.g. {EXAMPLES}"
            )
            raise UsageError(message) if where == "--timezone" else ConfigError(message)
        return zone
    return system_zone()
