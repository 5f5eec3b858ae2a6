"""Write a Cursor ``state.vscdb`` shaped like the real one (``cursor.md`` §4.1), tests only."""

from __future__ import annotations

import base64
import json
import sqlite3
from pathlib import Path

USER_ID = "user_01ABC"


def make_jwt(sub: str = f"auth0|{USER_ID}", exp: int | None = None) -> str:
    def part(value: dict[str, object]) -> str:
        return base64.urlsafe_b64encode(json.dumps(value).encode()).decode().rstrip("=")

    claims: dict[str, object] = {"sub": sub, "type": "session"}
    if exp is not None:
        claims["exp"] = exp
    return f"{part({'alg': 'HS256', 'typ': 'JWT'})}.{part(claims)}.c2lnbmF0dXJlLW5vdC1jaGVja2Vk"


def state_db(config_home: Path) -> Path:
    return config_home / "Cursor" / "User" / "globalStorage" / "state.vscdb"


def write_state_db(config_home: Path, token: str | None) -> Path:
    path = state_db(config_home)
    path.parent.mkdir(parents=True, exist_ok=True)
    db = sqlite3.connect(path)
    db.execute(
        "CREATE TABLE IF NOT EXISTS ItemTable (key TEXT UNIQUE ON CONFLICT REPLACE, value BLOB)"
    )
    db.execute("INSERT INTO ItemTable VALUES ('cursorAuth/cachedEmail', 'dev@example.com')")
    if token is not None:
        db.execute("INSERT INTO ItemTable VALUES ('cursorAuth/accessToken', ?)", (token,))
    db.commit()
    db.close()
    return path
