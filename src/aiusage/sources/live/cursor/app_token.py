"""The signed-in Cursor app's session token, read read-only from its ``state.vscdb``.

``cursor.md`` §4.1: table ``ItemTable``, key ``cursorAuth/accessToken``, a JWT whose ``sub`` ends
in the user id. The database belongs to Cursor: it is opened ``mode=ro`` (``immutable=1`` only
when no ``-wal`` file exists, as CodexBar does), never written, and the token is never refreshed.
"""

from __future__ import annotations

import base64
import json
import os
import sqlite3
import sys
from dataclasses import dataclass
from pathlib import Path

from aiusage.redact import register_secret

TOKEN_KEY = "cursorAuth/accessToken"
EXPIRY_MARGIN = 60  # seconds: a token this close to its end is not used (CodexBar's rule)
LOCK_WAIT = 1.0


class CursorTokenError(Exception):
    """No usable token; the message says what to do."""


@dataclass(frozen=True)
class CursorToken:
    jwt: str
    user_id: str
    expires_at: int | None

    @property
    def cookie(self) -> str:
        """``WorkosCursorSessionToken=<userId>%3A%3A<JWT>`` (``cursor.md`` §4.2)."""
        return f"WorkosCursorSessionToken={self.user_id}%3A%3A{self.jwt}"


def state_db_path() -> Path:
    """Where Cursor keeps ``state.vscdb`` on this system."""
    if sys.platform == "darwin":
        base = Path.home() / "Library" / "Application Support"
    elif sys.platform == "win32":
        base = Path(os.environ.get("APPDATA") or Path.home() / "AppData" / "Roaming")
    else:
        base = Path(os.environ.get("XDG_CONFIG_HOME") or Path.home() / ".config")
    return base / "Cursor" / "User" / "globalStorage" / "state.vscdb"


def _query(path: Path, immutable: bool) -> object:
    flags = "immutable=1" if immutable else "mode=ro"
    db = sqlite3.connect(f"{path.as_uri()}?{flags}", uri=True, timeout=LOCK_WAIT)
    try:
        row = db.execute("SELECT value FROM ItemTable WHERE key = ?", (TOKEN_KEY,)).fetchone()
    finally:
        db.close()
    return None if row is None else row[0]


def _stored_value(path: Path) -> object:
    try:
        return _query(path, immutable=False)
    except sqlite3.OperationalError as exc:
        if "locked" in str(exc) or "busy" in str(exc):
            raise CursorTokenError(
                "Cursor's state database is locked (Cursor is writing to it); try again shortly"
            ) from None
        if not Path(f"{path}-wal").exists():
            try:
                return _query(path, immutable=True)
            except sqlite3.Error:
                pass
        raise CursorTokenError(
            f"cannot read Cursor's state database at {path} ({exc.__class__.__name__})"
        ) from None
    except sqlite3.DatabaseError as exc:
        raise CursorTokenError(
            f"Cursor's state database at {path} is not readable ({exc.__class__.__name__})"
        ) from None


def _claims(jwt: str) -> dict[str, object]:
    parts = jwt.split(".")
    if len(parts) != 3:
        raise CursorTokenError("Cursor's stored token is not a JWT; sign in to Cursor again")
    payload = parts[1] + "=" * (-len(parts[1]) % 4)
    try:
        claims = json.loads(base64.urlsafe_b64decode(payload))
    except ValueError:
        raise CursorTokenError(
            "Cursor's stored token is not a JWT; sign in to Cursor again"
        ) from None
    if not isinstance(claims, dict):
        raise CursorTokenError("Cursor's stored token is not a JWT; sign in to Cursor again")
    return claims


def read_token(now: int, path: Path | None = None) -> CursorToken:
    """The token of the signed-in Cursor app, checked for shape and expiry.

    Raises:
        CursorTokenError: no database, a locked or unreadable one, no token, or an expired one.
    """
    path = path or state_db_path()
    if not path.is_file():
        raise CursorTokenError(
            f"Cursor's state database is not at {path}; open Cursor and sign in, "
            "or unset AIUSAGE_CURSOR_LIVE"
        )
    value = _stored_value(path)
    if isinstance(value, bytes):
        value = value.decode("utf-8", "replace")
    if isinstance(value, str) and value.startswith('"'):
        try:
            value = json.loads(value)
        except ValueError:
            pass
    if not isinstance(value, str) or not value.strip():
        raise CursorTokenError("Cursor is not signed in (no session token); sign in to Cursor")
    jwt = value.strip()
    register_secret(jwt)
    claims = _claims(jwt)
    subject = claims.get("sub")
    if not isinstance(subject, str) or not subject:
        raise CursorTokenError("Cursor's stored token names no user; sign in to Cursor again")
    expires = claims.get("exp")
    expires_at = int(expires) if isinstance(expires, int | float) else None
    if expires_at is not None and expires_at <= now + EXPIRY_MARGIN:
        raise CursorTokenError(
            "Cursor's session token has expired; open Cursor once so that it signs in again"
        )
    return CursorToken(jwt=jwt, user_id=subject.split("|")[-1], expires_at=expires_at)
