"""Redaction by value: every secret aiusage was given or obtained is blanked wherever text leaves.

Shapes (``sk-…``, ``AIza…``) are not enough: a Cursor key, a Google access token or any odd key
looks like ordinary text. So each secret is registered once, when it is read or obtained, and
``redact`` replaces its exact value (and the encodings it travels in: HTTP Basic and
percent-encoding) in any text before that text is printed, logged or stored.
"""

from __future__ import annotations

import base64
import re
import threading
from urllib.parse import quote

REDACTED = "[redacted]"
# Shorter values would blank ordinary words; no real key or token is this short.
MIN_SECRET_LENGTH = 8

_lock = threading.Lock()
_secrets: set[str] = set()
_pattern: re.Pattern[str] | None = None


def _forms(value: str) -> set[str]:
    """The value and the encodings it is sent in (Basic auth with an empty password, URL)."""
    forms = {value, quote(value, safe=""), base64.b64encode(f"{value}:".encode()).decode()}
    return {form for form in forms if len(form) >= MIN_SECRET_LENGTH}


def register_secret(value: str | None) -> None:
    """Remember ``value`` so that ``redact`` blanks it from now on (short values are ignored)."""
    global _pattern
    if not value:
        return
    value = value.strip()
    if len(value) < MIN_SECRET_LENGTH:
        return
    with _lock:
        new = _forms(value) - _secrets
        if not new:
            return
        _secrets.update(new)
        # Longest first, so that a secret containing another is blanked whole.
        ordered = sorted(_secrets, key=len, reverse=True)
        _pattern = re.compile("|".join(re.escape(s) for s in ordered))


def redact(text: str) -> str:
    """``text`` with every registered secret replaced by ``[redacted]``."""
    pattern = _pattern
    if pattern is None or not text:
        return text
    return pattern.sub(REDACTED, text)


def forget_all() -> None:
    """Drop every registered secret (tests run many configurations in one process)."""
    global _pattern
    with _lock:
        _secrets.clear()
        _pattern = None
