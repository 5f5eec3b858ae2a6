"""Anthropic's report answers as typed models, extras ignored: the analytics API's pages and
rows (every field nullable), then the legacy Admin reports' (``Report…``)."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from pydantic import AwareDatetime, BaseModel, ConfigDict, NonNegativeInt

from aiusage.sources.api.paging import CursorPage


class _Lenient(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)


class Actor(_Lenient):
    """The ``actor`` union; unknown ``type`` values are kept and labelled as well as we can."""

    type: str = "unknown"
    user_id: str | None = None
    email_address: str | None = None
    service_account_id: str | None = None
    api_key_id: str | None = None
    subject: str | None = None
    provider: dict[str, object] | None = None

    def label(self) -> str:
        """Who this is, as the ``scope`` of a ``--by user`` record."""
        if self.type == "user_actor":
            found = self.email_address or self.user_id
        elif self.type == "service_account_actor":
            found = self.service_account_id
        elif self.type == "api_actor":
            found = self.api_key_id
        elif self.type == "federated_actor":
            found = self.subject or _federated_label(self.provider)
        else:
            found = next(
                (
                    value
                    for value in (
                        self.email_address,
                        self.user_id,
                        self.service_account_id,
                        self.api_key_id,
                        self.subject,
                    )
                    if value
                ),
                None,
            )
        return found or self.type


def _federated_label(provider: dict[str, object] | None) -> str | None:
    if not provider:
        return None
    kind = str(provider.get("type") or "federated")
    for field in ("account_id", "project_number", "subscription_id", "issuer"):
        value = provider.get(field)
        if isinstance(value, str) and value:
            return f"{kind}:{value}"
    return kind


class Group(_Lenient):
    model: str | None = None
    product: str | None = None
    workspace_id: str | None = None
    actor: Actor | None = None
    cost_type: str | None = None
    token_type: str | None = None


class CacheCreation(_Lenient):
    ephemeral_1h_input_tokens: int = 0
    ephemeral_5m_input_tokens: int = 0


class UsageMetrics(_Lenient):
    uncached_input_tokens: int = 0
    cache_read_input_tokens: int = 0
    cache_creation: CacheCreation = CacheCreation()
    output_tokens: int = 0
    requests: int | None = None


class CostMetrics(_Lenient):
    amount: Decimal  # fractional cents, after discounts; ``list_amount`` is not what was billed
    currency: str = "USD"


class UsageRow(_Lenient):
    starting_at: datetime
    ending_at: datetime
    group: Group = Group()
    usage: UsageMetrics


class CostRow(_Lenient):
    starting_at: datetime
    ending_at: datetime
    group: Group = Group()
    cost: CostMetrics


class UsagePage(CursorPage):
    data: list[UsageRow]


class CostPage(CursorPage):
    data: list[CostRow]


# --- the legacy reports (usage_report/messages, cost_report) -------------------------------


class ReportCacheCreation(_Lenient):
    ephemeral_1h_input_tokens: NonNegativeInt = 0
    ephemeral_5m_input_tokens: NonNegativeInt = 0


class ReportUsageResult(_Lenient):
    uncached_input_tokens: NonNegativeInt = 0
    cache_read_input_tokens: NonNegativeInt = 0
    cache_creation: ReportCacheCreation = ReportCacheCreation()
    output_tokens: NonNegativeInt = 0
    model: str | None = None
    workspace_id: str | None = None
    service_tier: str | None = None


class ReportCostResult(_Lenient):
    amount: Decimal
    currency: str = "USD"
    cost_type: str | None = None
    description: str | None = None
    model: str | None = None
    workspace_id: str | None = None


class ReportUsageBucket(_Lenient):
    starting_at: AwareDatetime
    ending_at: AwareDatetime
    results: list[ReportUsageResult]


class ReportCostBucket(_Lenient):
    starting_at: AwareDatetime
    ending_at: AwareDatetime
    results: list[ReportCostResult]


class ReportUsagePage(CursorPage):
    data: list[ReportUsageBucket]


class ReportCostPage(CursorPage):
    data: list[ReportCostBucket]
