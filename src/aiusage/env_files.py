"""Which ``.env`` files can be read: UTF-8 text, or a clear word about the one that is not.

aiusage reads two: its own (in the user config folder) and ``./.env`` in the current folder.
The current folder's file may belong to an unrelated project (a Latin-1 ``.env`` is common):
when it cannot be read it is skipped with a warning. aiusage's own file is the user's request:
when it cannot be read, that is an error naming the file and the line.
"""

from __future__ import annotations

import logging
from pathlib import Path

from aiusage.errors import ConfigError

log = logging.getLogger(__name__)
# Far above any real .env; reading more would only delay the error.
MAX_ENV_FILE_BYTES = 1024 * 1024


def _problem(path: Path) -> str | None:
    """Why ``path`` cannot be read as a UTF-8 ``.env`` file; None when it can (or is absent)."""
    try:
        if not path.exists():
            return None
        if not path.is_file():
            return "is not a regular file"
        with path.open("rb") as handle:
            data = handle.read(MAX_ENV_FILE_BYTES + 1)
    except OSError as exc:
        return f"cannot be read ({exc.strerror or type(exc).__name__})"
    if len(data) > MAX_ENV_FILE_BYTES:
        return f"is larger than {MAX_ENV_FILE_BYTES // 1024} KiB"
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        return f"line {line} is not UTF-8 text (byte 0x{data[exc.start]:02x})"
    return None


def readable_env_files(own: Path, local: Path) -> tuple[Path, ...]:
    """The ``.env`` files to read, in order (later ones win).

    Raises:
        ConfigError: aiusage's own ``.env`` (``own``) exists but cannot be read as UTF-8 text.
    """
    problem = _problem(own)
    if problem is not None:
        raise ConfigError(f"{own}: {problem}; save it as UTF-8 (aiusage reads it for its keys)")
    files = [own]
    problem = _problem(local)
    if problem is not None and local != own:
        log.warning(
            "%s: %s; it is skipped (aiusage reads .env files as UTF-8; "
            "put aiusage's variables in %s instead)",
            local,
            problem,
            own,
        )
    else:
        files.append(local)
    return tuple(files)
