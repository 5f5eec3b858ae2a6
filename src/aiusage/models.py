"""Frozen data models shared by every layer: records, quotas, periods and the report document."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Annotated, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    PlainSerializer,
    model_validator,
)

from aiusage.errors import ErrorKind

ProviderName = Literal["claude", "openai", "gemini", "cursor"]
PROVIDER_NAMES: tuple[ProviderName, ...] = ("claude", "openai", "gemini", "cursor")
SourceKind = Literal["api", "local", "manual"]
SOURCE_KINDS: tuple[SourceKind, ...] = ("api", "local", "manual")
CostKind = Literal["reported", "estimated"]
Granularity = Literal["1d", "1h", "1m"]
GroupBy = Literal[
    "provider", "model", "day", "week", "month", "hour", "session", "project", "user", "product"
]
GroupCostKind = Literal["reported", "estimated", "mixed"]
KeyStatus = Literal["ok", "missing", "malformed", "rejected", "wrong_kind", "unreachable"]
# The vendor-side dimension a fetch splits by; the other --by values only regroup rows.
FetchDimension = Literal["project", "user", "product"]


def _as_utc(value: datetime) -> datetime:
    if value.tzinfo is None:
        raise ValueError("datetime must carry a time zone")
    return value.astimezone(UTC)


def format_utc(value: datetime) -> str:
    """Render an aware datetime as RFC 3339 in UTC with a ``Z`` suffix."""
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


UtcDatetime = Annotated[
    datetime,
    AfterValidator(_as_utc),
    PlainSerializer(format_utc, return_type=str, when_used="json"),
]
# Money is exact inside; JSON carries it as a number (a float holds every realistic bill exactly
# to the cent and far beyond: 15 significant digits).
Money = Annotated[Decimal, PlainSerializer(float, return_type=float, when_used="json")]


# No real bucket comes near a quadrillion tokens; a count beyond it is a broken answer, and it
# would overflow SQLite's 64-bit integers once summed.
MAX_COUNT = 10**15
# No bill of one bucket (or one Cursor cycle) comes near a trillion dollars. Beyond it a figure
# is a broken answer or a typo, and past 1e26 it no longer fits Decimal's 28 digits to the cent.
MAX_USD = Decimal(10**12)


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class UsageRecord(_Frozen):
    """One (provider, source, time bucket, model, scope, product) of usage.

    Token fields never overlap: ``input_tokens`` is billed at the base input rate (uncached),
    ``cache_read_tokens`` came from a prompt cache, ``cache_write_tokens`` were written to one.
    Reasoning tokens are output.
    """

    provider: ProviderName
    source: SourceKind
    start: UtcDatetime
    end: UtcDatetime
    model: str | None = None
    scope: str | None = None
    product: str | None = None
    input_tokens: int = Field(default=0, ge=0, le=MAX_COUNT)
    output_tokens: int = Field(default=0, ge=0, le=MAX_COUNT)
    cache_read_tokens: int = Field(default=0, ge=0, le=MAX_COUNT)
    cache_write_tokens: int = Field(default=0, ge=0, le=MAX_COUNT)
    requests: int | None = Field(default=None, ge=0, le=MAX_COUNT)
    cost_usd: Money | None = Field(default=None, ge=-MAX_USD, le=MAX_USD)
    cost_kind: CostKind | None = None
    # One Claude Code / Codex / Gemini CLI session (local records of ``--by session`` only).
    session: str | None = Field(default=None, exclude_if=lambda value: value is None)

    @model_validator(mode="after")
    def _cost_kind_goes_with_cost(self) -> UsageRecord:
        if (self.cost_usd is None) != (self.cost_kind is None):
            raise ValueError("cost_usd and cost_kind are set together or not at all")
        if self.end <= self.start:
            raise ValueError("a record's end must be after its start")
        return self

    @property
    def total_tokens(self) -> int:
        return (
            self.input_tokens
            + self.output_tokens
            + self.cache_read_tokens
            + self.cache_write_tokens
        )


class Quota(_Frozen):
    """A limit and how much of it is used: a plan allowance, a rate limit, a usage window.

    ``limit`` is None when there is no limit (or the vendor reports an "unlimited" maximum).
    """

    provider: ProviderName
    source: SourceKind
    name: str
    used: Money | None
    limit: Money | None
    unit: str
    resets_at: UtcDatetime | None = None
    observed_at: UtcDatetime
    scope: str | None = None
    estimated: bool = False

    @property
    def percent(self) -> Decimal | None:
        if self.used is None or not self.limit:
            return None
        return self.used * 100 / self.limit


class Period(_Frozen):
    """The half-open reporting period ``[since, until)``."""

    since: UtcDatetime
    until: UtcDatetime

    @model_validator(mode="after")
    def _since_before_until(self) -> Period:
        if self.since >= self.until:
            raise ValueError("since must be before until")
        return self


class UsageQuery(_Frozen):
    """What a source is asked for."""

    period: Period
    granularity: Granularity = "1d"
    dimension: FetchDimension | None = None
    # The zone local sources bucket in (``aiusage.zones.Zone.name``); vendors keep UTC buckets.
    timezone: str = "UTC"
    # Ask for hourly buckets where the vendor reports the same dollars hourly, so that daily
    # rows can be re-cut at the zone's midnights (Anthropic's analytics API).
    hourly_dollars: bool = False
    # Split local records by CLI session (``--by session``).
    by_session: bool = False


class CodeActivity(_Frozen):
    """AI code activity (Cursor) on one UTC day: one user's day, or one commit.

    A day row (``commit`` None) counts lines added and accepted, Tab completions accepted and
    requests by kind. A commit row counts the lines of one commit written with AI (Tab and agent)
    and by hand. A count the vendor did not report is None.
    """

    provider: ProviderName
    source: SourceKind
    start: UtcDatetime
    end: UtcDatetime
    user: str | None = None
    commit: str | None = None
    repo: str | None = None
    lines_added: int | None = None
    accepted_lines_added: int | None = None
    tabs_accepted: int | None = None
    composer_requests: int | None = None
    chat_requests: int | None = None
    agent_requests: int | None = None
    usage_based_requests: int | None = None
    ai_lines_added: int | None = None
    human_lines_added: int | None = None


class SourceResult(_Frozen):
    """What one source returned: its records, its quotas and anything the user should know."""

    records: tuple[UsageRecord, ...] = ()
    quotas: tuple[Quota, ...] = ()
    warnings: tuple[str, ...] = ()
    activity: tuple[CodeActivity, ...] = ()


class SourceError(_Frozen):
    provider: ProviderName
    source: SourceKind
    kind: ErrorKind
    message: str


class SourceWarning(_Frozen):
    provider: ProviderName
    source: SourceKind
    message: str


class Figures(_Frozen):
    """Summed figures of a table row. ``unpriced`` means some tokens have no known price, so
    ``cost_usd`` is what is known (a lower bound); ``cost_kind`` is ``mixed`` when reported and
    estimated dollars meet in one row."""

    input_tokens: int = 0
    output_tokens: int = 0
    cache_read_tokens: int = 0
    cache_write_tokens: int = 0
    requests: int | None = None
    cost_usd: Money | None = None
    cost_kind: GroupCostKind | None = None
    unpriced: bool = False


class Group(Figures):
    """One row of the table for ``--by`` (and, with ``model`` set, a ``--breakdown`` row).

    ``key`` is the group's label: a day, week (``2026-W48``), month or hour in the zone named
    by ``bucket_zone``, a provider, model, project, user, product or session; None for "—".
    """

    by: GroupBy
    key: str | None
    provider: ProviderName
    source: SourceKind
    model: str | None = None
    bucket_zone: str


class Total(Figures):
    """Everything of one source kind: API, local and manual figures are never summed."""

    source: SourceKind


class Coverage(_Frozen):
    """The span a source's buckets actually cover, where it differs from the period asked for."""

    provider: ProviderName
    source: SourceKind
    since: UtcDatetime
    until: UtcDatetime
    bucket_zone: str


class Report(_Frozen):
    """The report document (``aiusage.report/1``); the table and JSON render the same one."""

    report_schema: Literal["aiusage.report/1"] = Field(
        default="aiusage.report/1", serialization_alias="schema"
    )
    generated_at: UtcDatetime
    timezone: str = "UTC"
    since: UtcDatetime
    until: UtcDatetime
    records: tuple[UsageRecord, ...] = ()
    groups: tuple[Group, ...] = ()
    totals: tuple[Total, ...] = ()
    coverage: tuple[Coverage, ...] = ()
    quotas: tuple[Quota, ...] = ()
    errors: tuple[SourceError, ...] = ()
    warnings: tuple[SourceWarning, ...] = ()
    not_configured: tuple[ProviderName, ...] = ()
    cursor_activity: tuple[CodeActivity, ...] = ()
    granularity: Granularity = Field(default="1d", exclude=True)
    group_by: GroupBy = Field(default="model", exclude=True)
    breakdown: bool = Field(default=False, exclude=True)


class KeyCheck(_Frozen):
    """The verdict on one credential; ``credential`` is the variable's name, never its value."""

    provider: ProviderName
    credential: str
    status: KeyStatus
    detail: str
    hint: str = ""


def utc_now() -> datetime:
    return datetime.now(UTC)
