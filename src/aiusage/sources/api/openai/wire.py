"""OpenAI's Usage and Costs answers as typed models; nullable where the official types are."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Annotated, Any, Generic, TypeVar

from pydantic import AliasChoices, BaseModel, BeforeValidator, ConfigDict, Field

from aiusage.sources.api.paging import CursorPage


def _none_is_zero(value: Any) -> Any:
    return 0 if value is None else value


Count = Annotated[int, BeforeValidator(_none_is_zero), Field(ge=0)]


class _Lenient(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)


class UsageResult(_Lenient):
    """Any usage endpoint's result; fields an endpoint does not send stay 0 or None."""

    input_tokens: Count = 0
    output_tokens: Count = 0
    input_cached_tokens: Count = 0
    input_cache_write_tokens: Count = 0
    num_model_requests: Count | None = None
    num_requests: Count | None = None
    num_sessions: Count | None = None
    model: str | None = None
    project_id: str | None = None
    user_id: str | None = None

    def count(self, name: str) -> int | None:
        value = getattr(self, name)
        return value if isinstance(value, int) else None


class Amount(_Lenient):
    # Both optional in the official types. Documented as a number; live answers have carried
    # numeric strings ("12.50").
    value: Decimal | None = None
    currency: str | None = None


class CostResult(_Lenient):
    amount: Amount | None = None
    line_item: str | None = None
    project_id: str | None = None


R = TypeVar("R", UsageResult, CostResult)


class Bucket(_Lenient, Generic[R]):
    start_time: datetime
    end_time: datetime
    # Early spec versions named the list ``result``; the live API says ``results``.
    results: list[R] = Field(validation_alias=AliasChoices("results", "result"))


class Page(CursorPage, Generic[R]):
    data: list[Bucket[R]]
