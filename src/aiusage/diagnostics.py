"""Logging on stderr: our own records under ``--debug``, other libraries only when asked for.

``--debug`` (or ``AIUSAGE_DEBUG=1``) shows aiusage's own records: which source, which API and
window, cache hits and misses, which log folders and how many new bytes. Libraries (httpx,
httpcore, hpack, google-auth) stay at WARNING: hpack logs every HTTP/2 header it encodes, keys
included. ``AIUSAGE_DEBUG=2`` lets them log at DEBUG too. Whatever the level, every line goes
through ``redact`` (registered secrets blanked by value) and shows control characters escaped.
"""

from __future__ import annotations

import logging
import os
import sys

from aiusage.redact import redact
from aiusage.terminal_text import safe_stream, visible

OUR_LOGGER = "aiusage"
DEBUG_VARIABLE = "AIUSAGE_DEBUG"


class RedactingFormatter(logging.Formatter):
    """Formats a record with its message made visible and every registered secret blanked."""

    def format(self, record: logging.LogRecord) -> str:
        safe = logging.makeLogRecord(record.__dict__)
        safe.msg = visible(record.getMessage())
        safe.args = None
        return redact(super().format(safe))


def debug_level(flag: bool) -> int:
    """0 quiet, 1 our records (``--debug``), 2 every library's too (``AIUSAGE_DEBUG=2``)."""
    raw = os.environ.get(DEBUG_VARIABLE, "").strip()
    asked = int(raw) if raw.isdigit() else (1 if raw else 0)
    return max(asked, 1 if flag else 0)


def configure_logging(debug: bool) -> int:
    """Send log records to stderr at the level asked for; return that level (0, 1 or 2)."""
    level = debug_level(debug)
    handler = logging.StreamHandler(safe_stream(sys.stderr))
    handler.setFormatter(RedactingFormatter("%(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    for existing in list(root.handlers):
        if isinstance(existing.formatter, RedactingFormatter):
            root.removeHandler(existing)  # ours from an earlier command in the same process
    root.addHandler(handler)
    root.setLevel(logging.DEBUG if level >= 2 else logging.WARNING)
    logging.getLogger(OUR_LOGGER).setLevel(logging.DEBUG if level >= 1 else logging.NOTSET)
    return level
