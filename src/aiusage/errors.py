"""The exception tree of aiusage. Every message is shown to the user verbatim.

    AiUsageError                 one line that says what is wrong and what to do next
    ├── UsageError               the command line is wrong (exit 2)
    ├── ConfigError              a setting is missing or invalid          kind "config"
    └── SourceFailure            a source could not deliver its data      kind = .kind
        ├── AuthError            the vendor rejected the key              "auth"
        ├── ForbiddenError       the key lacks the scope or plan needed   "forbidden"
        ├── RateLimitedError     429 after the retry budget               "rate_limited"
        ├── TimeoutFailure       no answer in time                        "timeout"
        ├── UnavailableError     5xx, 529 or unreachable                  "unavailable"
        └── BadResponseError     not JSON, wrong shape, repeated cursor   "bad_response"
            └── NotFoundError    HTTP 404

Messages never contain a credential: they are built from status codes, vendor error types and
our own words, never from request headers.
"""

from __future__ import annotations

from typing import ClassVar, Literal

# Kept here rather than in models so that importing errors (as the CLI does) stays light.
# "internal" is no exception class: it is a fault of aiusage itself, which the collector reports
# for a source instead of passing it off as the vendor's (see ``aiusage.collect``).
ErrorKind = Literal[
    "config",
    "auth",
    "forbidden",
    "rate_limited",
    "timeout",
    "unavailable",
    "bad_response",
    "internal",
]


class AiUsageError(Exception):
    """Base of every error the user is meant to read."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class UsageError(AiUsageError):
    """The command line is wrong: bad date, bad number, unknown name."""


class ConfigError(AiUsageError):
    kind: ClassVar[ErrorKind] = "config"


class SourceFailure(AiUsageError):
    """A source could not deliver. ``status`` and ``detail`` are for decisions, not display:
    the HTTP status that caused it (None when none did) and the vendor's own words, redacted."""

    kind: ClassVar[ErrorKind] = "unavailable"

    def __init__(self, message: str, *, status: int | None = None, detail: str = "") -> None:
        super().__init__(message)
        self.status = status
        self.detail = detail


class AuthError(SourceFailure):
    kind: ClassVar[ErrorKind] = "auth"


class ForbiddenError(SourceFailure):
    kind: ClassVar[ErrorKind] = "forbidden"


class RateLimitedError(SourceFailure):
    kind: ClassVar[ErrorKind] = "rate_limited"


class TimeoutFailure(SourceFailure):
    kind: ClassVar[ErrorKind] = "timeout"


class UnavailableError(SourceFailure):
    kind: ClassVar[ErrorKind] = "unavailable"


class BadResponseError(SourceFailure):
    kind: ClassVar[ErrorKind] = "bad_response"


class NotFoundError(BadResponseError):
    """HTTP 404: the endpoint or the resource is not there for this key or organization."""
