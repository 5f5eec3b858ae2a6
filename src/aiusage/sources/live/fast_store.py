"""Open the store without loading pydantic: the status line's path to ``live_windows``.

The status line runs on every Claude Code turn, so it avoids what ``load_settings`` and
``Store.open`` import (~130 ms), and on Linux even platformdirs (its XDG rule is two lines).
It takes the fast path only when the store's place is plain: ``AIUSAGE_HOME`` an absolute path
without ``~`` (or unset) and no ``.env`` file naming it, and only when the store already holds
this version's status tables. Anything else goes through ``load_settings`` and ``Store.open``,
which create and migrate the store.
"""

from __future__ import annotations

import os
import sqlite3
import sys
from pathlib import Path

STORE_FILE = "aiusage.sqlite3"
BUSY_TIMEOUT_S = 2.0  # Claude Code cancels a slow status line anyway; never hold it up longer
NEWEST_STATUS_MIGRATION = 300


def _xdg(variable: str, default: str) -> Path:
    """An XDG base folder as platformdirs finds it on Linux (the variable, else the default)."""
    value = os.environ.get(variable, "").strip()
    return Path(value) if value else Path.home() / default


def _config_dir() -> Path:
    if sys.platform.startswith("linux"):
        return _xdg("XDG_CONFIG_HOME", ".config") / "aiusage"
    from platformdirs import user_config_path

    return user_config_path("aiusage", appauthor=False)


def _data_dir() -> Path:
    if sys.platform.startswith("linux"):
        return _xdg("XDG_DATA_HOME", ".local/share") / "aiusage"
    from platformdirs import user_data_path

    return user_data_path("aiusage", appauthor=False)


def _env_files_name_home() -> bool:
    for folder in (_config_dir(), Path.cwd()):
        try:
            if "AIUSAGE_HOME" in (folder / ".env").read_text(errors="replace").upper():
                return True
        except OSError:
            continue
    return False


def plain_store_path() -> Path | None:
    """The store's path when it can be known without the settings machinery, else None."""
    home = os.environ.get("AIUSAGE_HOME", "")
    if _env_files_name_home():
        return None
    if home:
        path = Path(home)
        if not path.is_absolute() or home.startswith("~"):
            return None
        return path / STORE_FILE
    return _data_dir() / STORE_FILE


def _open_fast(path: Path) -> sqlite3.Connection | None:
    if not path.is_file():
        return None
    db = sqlite3.connect(path, timeout=BUSY_TIMEOUT_S, isolation_level=None)
    try:
        db.execute(f"PRAGMA busy_timeout = {int(BUSY_TIMEOUT_S * 1000)}")
        # As Store.open: in WAL mode a commit then waits for no fsync (a checkpoint still does).
        db.execute("PRAGMA synchronous = NORMAL")
        found = db.execute(
            "SELECT 1 FROM schema_migrations WHERE version = ?", (NEWEST_STATUS_MIGRATION,)
        ).fetchone()
    except sqlite3.Error:
        db.close()
        return None
    if found is None:
        db.close()
        return None
    return db


def open_store_db() -> sqlite3.Connection:
    """A connection to the store, migrated to this version.

    Raises:
        AiUsageError: the settings are invalid or the store cannot be opened (slow path only).
        sqlite3.Error: the store is locked or broken.
    """
    path = plain_store_path()
    if path is not None:
        db = _open_fast(path)
        if db is not None:
            return db
    from aiusage.settings import load_settings
    from aiusage.store import Store

    return Store.open(load_settings().store_path).db
