"""The shapes of Cursor's answers: camelCase on the wire, unknown fields ignored.

Fields that earlier versions of the API did not send (``chargedCents``, ``pagination``,
``usageBasedReqs`` …) are optional, and a count that is absent stays None, not zero.
"""

from __future__ import annotations

from decimal import Decimal

from pydantic import BaseModel, ConfigDict
from pydantic.alias_generators import to_camel


class _Camel(BaseModel):
    """A Cursor payload: camelCase on the wire, unknown fields ignored, most fields optional."""

    model_config = ConfigDict(
        alias_generator=to_camel, populate_by_name=True, extra="ignore", frozen=True
    )


class TokenUsage(_Camel):
    input_tokens: int = 0
    output_tokens: int = 0
    cache_write_tokens: int = 0
    cache_read_tokens: int = 0
    total_cents: Decimal | None = None


class UsageEvent(_Camel):
    # Documented as a string of epoch milliseconds; numbers are accepted too.
    timestamp: str | int | float | None = None
    user_email: str | None = None
    model: str | None = None
    kind: str | None = None
    token_usage: TokenUsage | None = None  # absent on calls that are not token-based
    charged_cents: Decimal | None = None  # absent in the first releases of the API


class EventsPagination(_Camel):
    num_pages: int | None = None
    current_page: int | None = None
    has_next_page: bool | None = None


class EventsPage(_Camel):
    usage_events: list[UsageEvent]
    total_usage_events_count: int | None = None
    pagination: EventsPagination | None = None


class DailyRow(_Camel):
    user_id: int | str | None = None
    day: str | None = None
    date: int | str | None = None
    email: str | None = None
    total_lines_added: int | None = None
    accepted_lines_added: int | None = None
    total_tabs_accepted: int | None = None
    composer_requests: int | None = None
    chat_requests: int | None = None
    agent_requests: int | None = None
    usage_based_reqs: int | None = None


class DailyPagination(_Camel):
    page: int | None = None
    total_pages: int | None = None
    has_next_page: bool | None = None


class DailyPage(_Camel):
    data: list[DailyRow]
    pagination: DailyPagination | None = None


class MemberSpend(_Camel):
    user_id: int | str | None = None
    name: str | None = None
    email: str | None = None
    spend_cents: Decimal | None = None
    overall_spend_cents: Decimal | None = None
    hard_limit_override_dollars: Decimal | None = None
    monthly_limit_dollars: Decimal | None = None


class SpendPage(_Camel):
    team_member_spend: list[MemberSpend]
    subscription_cycle_start: int | str | None = None
    total_pages: int | None = None


class Commit(_Camel):
    commit_hash: str
    user_id: str | int | None = None
    user_email: str | None = None
    repo_name: str | None = None
    total_lines_added: int | None = None
    tab_lines_added: int | None = None
    composer_lines_added: int | None = None
    non_ai_lines_added: int | None = None
    commit_ts: str | None = None
    created_at: str | None = None


class CommitsPage(_Camel):
    items: list[Commit]
    total_count: int | None = None
    page: int | None = None
    page_size: int | None = None
