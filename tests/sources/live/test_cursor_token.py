"""Cursor's token from its state database: read-only, never written, every failure explained."""

from __future__ import annotations

import hashlib
import os
import sqlite3
import time
from pathlib import Path

import pytest

from aiusage.redact import redact
from aiusage.sources.live.cursor.app_token import CursorTokenError, read_token, state_db_path
from tests.sources.live.cursor_state import USER_ID, make_jwt, state_db, write_state_db

NOW = int(time.time())


@pytest.fixture
def config_home() -> Path:
    return Path(os.environ["XDG_CONFIG_HOME"])


def test_the_database_is_looked_for_under_the_config_folder(config_home: Path) -> None:
    assert state_db_path() == state_db(config_home)


def test_reads_the_token_and_forms_the_cookie_without_writing(config_home: Path) -> None:
    jwt = make_jwt(exp=NOW + 3600)
    path = write_state_db(config_home, jwt)
    before = (hashlib.sha256(path.read_bytes()).hexdigest(), path.stat().st_mtime_ns)
    token = read_token(NOW)
    assert token.user_id == USER_ID
    assert token.cookie == f"WorkosCursorSessionToken={USER_ID}%3A%3A{jwt}"
    assert (hashlib.sha256(path.read_bytes()).hexdigest(), path.stat().st_mtime_ns) == before
    assert sorted(p.name for p in path.parent.iterdir()) == ["state.vscdb"]
    assert jwt not in redact(f"echoed {jwt}")  # registered as a secret once read


def test_a_missing_database_says_to_open_cursor(config_home: Path) -> None:
    with pytest.raises(CursorTokenError, match="open Cursor and sign in"):
        read_token(NOW)


def test_no_token_says_to_sign_in(config_home: Path) -> None:
    write_state_db(config_home, None)
    with pytest.raises(CursorTokenError, match="not signed in"):
        read_token(NOW)


def test_an_expired_token_is_not_used(config_home: Path) -> None:
    write_state_db(config_home, make_jwt(exp=NOW + 30))
    with pytest.raises(CursorTokenError, match="expired"):
        read_token(NOW)


def test_a_token_that_is_no_jwt_is_refused(config_home: Path) -> None:
    write_state_db(config_home, "opaque-token-value")
    with pytest.raises(CursorTokenError, match="not a JWT"):
        read_token(NOW)


def test_a_locked_database_is_a_clear_error(config_home: Path) -> None:
    path = write_state_db(config_home, make_jwt(exp=NOW + 3600))
    writer = sqlite3.connect(path, isolation_level=None)
    writer.execute("BEGIN EXCLUSIVE")
    try:
        with pytest.raises(CursorTokenError, match="locked"):
            read_token(NOW)
    finally:
        writer.execute("ROLLBACK")
        writer.close()


def test_a_file_that_is_no_database_is_a_clear_error(config_home: Path) -> None:
    path = state_db(config_home)
    path.parent.mkdir(parents=True)
    path.write_bytes(b"not sqlite" * 500)
    with pytest.raises(CursorTokenError, match="state database"):
        read_token(NOW)
