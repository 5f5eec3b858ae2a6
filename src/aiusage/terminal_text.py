"""Text that did not come from our own code, made safe to print; and the consoles that print it.

Model names, project folders, user e-mails and vendor messages are data. ``plain`` turns such a
string into a Rich ``Text`` that is never parsed as markup, has every registered secret blanked
(``redact``) and shows control characters as escapes (``\\x1b[2J`` is printed as those six
characters, never sent to the terminal). ``make_console`` builds the stdout or stderr console;
its stream falls back to ASCII for what the real stream cannot encode (``→`` becomes ``->`` in
a cp1252 redirect) and blanks secrets as a last line of defence.
"""

from __future__ import annotations

import codecs
import os
import sys
from typing import IO, TYPE_CHECKING, TextIO, cast

from aiusage.redact import redact

if TYPE_CHECKING:
    from rich.console import Console
    from rich.text import Text

# Bidirectional overrides and isolates reorder what the reader sees; line and paragraph
# separators break a line like a newline does. Both are shown escaped, like control codes.
_INVISIBLE = frozenset(
    "\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u2028\u2029"
)
_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def _needs_escape(char: str) -> bool:
    code = ord(char)
    return code < 0x20 or 0x7F <= code <= 0x9F or char in _INVISIBLE


def _escape(char: str) -> str:
    named = _NAMED.get(char)
    if named is not None:
        return named
    code = ord(char)
    return f"\\x{code:02x}" if code <= 0xFF else f"\\u{code:04x}"


def visible(value: object) -> str:
    """``value`` as a string with secrets blanked and control characters shown as escapes."""
    text = redact(str(value))
    if not any(_needs_escape(char) for char in text):
        return text
    return "".join(_escape(char) if _needs_escape(char) else char for char in text)


def plain(value: object, style: str = "") -> Text:
    """Untrusted text as a Rich ``Text``: no markup, no control codes, no secrets."""
    from rich.text import Text

    return Text(visible(value), style=style)


# What our own output uses beyond ASCII, spelled in ASCII for a stream that cannot encode it.
ASCII_SPELLINGS = {
    "→": "->",
    "←": "<-",
    "—": "-",
    "–": "-",
    "…": "...",
    "•": "*",
    "≈": "~",
    "×": "x",
    "‘": "'",
    "’": "'",
    "“": '"',
    "”": '"',
    "\u00a0": " ",
}
_ERROR_HANDLER = "aiusage-ascii"


def _spell_in_ascii(error: UnicodeError) -> tuple[str, int]:
    if not isinstance(error, UnicodeEncodeError):
        raise error
    chunk = error.object[error.start : error.end]
    spelled = "".join(
        ASCII_SPELLINGS.get(char, char.encode("ascii", "backslashreplace").decode("ascii"))
        for char in chunk
    )
    return spelled, error.end


codecs.register_error(_ERROR_HANDLER, _spell_in_ascii)


def encodable(text: str, encoding: str) -> str:
    """``text`` with what ``encoding`` cannot hold spelled in ASCII (``→`` as ``->``)."""
    try:
        text.encode(encoding)
    except UnicodeEncodeError:
        return text.encode(encoding, _ERROR_HANDLER).decode(encoding)
    except LookupError:
        return text.encode("ascii", _ERROR_HANDLER).decode("ascii")
    return text


class SafeStream:
    """A text stream that blanks secrets and never fails on a character it cannot encode."""

    def __init__(self, stream: TextIO) -> None:
        self._stream = stream

    @property
    def encoding(self) -> str:
        return getattr(self._stream, "encoding", None) or "utf-8"

    def write(self, text: str) -> int:
        text = redact(text)
        try:
            return self._stream.write(text)
        except UnicodeEncodeError:
            return self._stream.write(encodable(text, self.encoding))

    def writelines(self, lines: list[str]) -> None:
        for line in lines:
            self.write(line)

    def flush(self) -> None:
        self._stream.flush()

    def isatty(self) -> bool:
        isatty = getattr(self._stream, "isatty", None)
        return bool(isatty and isatty())

    def fileno(self) -> int:
        return self._stream.fileno()


def safe_stream(stream: TextIO) -> IO[str]:
    """``stream`` wrapped in a ``SafeStream`` (for ``sys.stdout.write`` of JSON and CSV too)."""
    return cast(IO[str], SafeStream(stream))


def write_stdout(text: str) -> None:
    """Write a document (JSON, CSV) to stdout, secrets blanked and never failing on encoding."""
    safe_stream(sys.stdout).write(text)


def make_console(stderr: bool = False) -> Console:
    """The console for stdout (data) or stderr (diagnostics); honours ``NO_COLOR``."""
    from rich.console import Console

    stream = sys.stderr if stderr else sys.stdout
    console = Console(
        file=safe_stream(stream),
        stderr=stderr,
        no_color=bool(os.environ.get("NO_COLOR")),
    )
    # Rich ends with status 1 when the reader goes away; `aiusage report | head` is no failure.
    console.on_broken_pipe = _end_quietly  # type: ignore[method-assign]
    return console


def _end_quietly() -> None:
    """The reader of stdout has gone: send what is left to the null device and exit 0."""
    try:
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    except (OSError, ValueError):
        pass
    raise SystemExit(0)
