"""The ``aiusage.status/1`` document: the table and ``--format json`` render the same one."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from aiusage.models import Money, ProviderName, SourceKind, UtcDatetime

BudgetProvider = Literal["all", "claude", "openai", "gemini", "cursor"]
SpentKind = Literal["reported", "estimated", "mixed"]


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Window(_Frozen):
    """One plan window or limit. ``used_ratio`` is 0-1 (a spend limit may pass 1); None when
    unknown, and None for an expired reading (its window has reset since it was read).

    ``source`` names where it was read (statusline, app-server, rollout-log, cursor-live,
    manual, api); ``source_kind`` is the report's word for that (api, local, manual).
    ``stale`` is true when the reset has passed or the reading is older than one window.
    ``pace`` is used minus the share of the window elapsed (0.12 = 12 points ahead of an even
    spend); ``limit_at`` when the limit is reached at the current rate, if before the reset.
    ``warn`` is true for a current reading at or above its warn threshold (``status --check``).
    """

    provider: ProviderName
    source: str
    source_kind: SourceKind
    window: str
    used_ratio: Money | None
    resets_at: UtcDatetime | None = None
    observed_at: UtcDatetime | None = None
    stale: bool = False
    expired: bool = False
    window_seconds: int | None = None
    model: str | None = None
    pace: Money | None = None
    limit_at: UtcDatetime | None = None
    warn: bool = False
    detail: str | None = None


class Block(_Frozen):
    """The current 5-hour block of local CLI usage (Claude Code, Codex), an estimate.

    ``cost_usd`` is None when a model in it has no known price; ``unpriced`` names them.
    """

    provider: ProviderName
    start: UtcDatetime
    end: UtcDatetime
    tokens: int
    cost_usd: Money | None
    cost_kind: Literal["estimated"] | None = "estimated"
    burn_tokens_per_min: Money | None = None
    burn_usd_per_hour: Money | None = None
    projected_tokens: int | None = None
    projected_cost_usd: Money | None = None
    unpriced: tuple[str, ...] = ()


class Spend(_Frozen):
    """Month-to-date spend of one provider (or ``all``), with the projection to month end.

    ``spent_kind`` says whether the dollars were reported (billed by an admin API, or typed in
    for Cursor) or estimated from local logs; ``sources`` which sources they came from.
    """

    provider: BudgetProvider
    spent_usd: Money
    spent_kind: SpentKind
    projected_usd: Money
    sources: tuple[SourceKind, ...] = ()
    unpriced: tuple[str, ...] = ()


class Budget(_Frozen):
    provider: BudgetProvider
    monthly_usd: Money
    spent_usd: Money
    spent_kind: SpentKind | None
    projected_usd: Money
    warn_ratio: Money
    over: bool
    warn: bool


class Problem(_Frozen):
    """Something a source could not tell; the rest of the document still stands."""

    provider: ProviderName
    source: str
    message: str


class StatusDocument(_Frozen):
    status_schema: Literal["aiusage.status/1"] = Field(
        default="aiusage.status/1", serialization_alias="schema"
    )
    generated_at: UtcDatetime
    timezone: str
    month_start: UtcDatetime
    windows: tuple[Window, ...] = ()
    blocks: tuple[Block, ...] = ()
    spend: tuple[Spend, ...] = ()
    budgets: tuple[Budget, ...] = ()
    errors: tuple[Problem, ...] = ()
    warnings: tuple[Problem, ...] = ()

    def check_failed(self) -> bool:
        """``status --check``: a budget is exceeded or a current window is at its warn level."""
        return any(b.over for b in self.budgets) or any(w.warn for w in self.windows)
