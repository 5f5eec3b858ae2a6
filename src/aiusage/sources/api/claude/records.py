"""Claude token counts and cost lines merged into records whose dollars add up to the bill.

Both Anthropic reporting APIs (the legacy reports and the analytics API) fill one ``Tally``, so
a period gives the same records whichever API served it.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal, localcontext
from typing import Protocol

from aiusage.errors import BadResponseError
from aiusage.models import UsageRecord
from aiusage.pricing import estimate_cost

# bucket start, model, scope, product
Key = tuple[datetime, str | None, str | None, str | None]
# Amounts can carry more fractional digits than Decimal's default 28 significant digits hold.
MONEY_PRECISION = 80


def cents_to_dollars(amount: Decimal, currency: str = "USD") -> Decimal:
    """Both reporting APIs give money as decimal strings in (fractional) cents of ``currency``.

    Raises:
        BadResponseError: the currency is not US dollars (never summed as if it were).
    """
    if currency.upper() != "USD":
        raise BadResponseError(f"Anthropic reported cost in {currency!r}, not US dollars")
    with localcontext() as money:
        money.prec = MONEY_PRECISION
        return amount / 100


class _CacheWrites(Protocol):
    @property
    def ephemeral_5m_input_tokens(self) -> int: ...
    @property
    def ephemeral_1h_input_tokens(self) -> int: ...


class TokenUsage(Protocol):
    """The token counts both reporting APIs send, under the same names (``wire``)."""

    @property
    def uncached_input_tokens(self) -> int: ...
    @property
    def output_tokens(self) -> int: ...
    @property
    def cache_read_input_tokens(self) -> int: ...
    @property
    def cache_creation(self) -> _CacheWrites: ...


def token_counts(usage: TokenUsage) -> tuple[int, int, int, int, int]:
    """Uncached input, output, cache read, cache write 5m, cache write 1h."""
    cache = usage.cache_creation
    return (
        usage.uncached_input_tokens,
        usage.output_tokens,
        usage.cache_read_input_tokens,
        cache.ephemeral_5m_input_tokens,
        cache.ephemeral_1h_input_tokens,
    )


def _token_counts() -> list[int]:
    # uncached input, output, cache read, cache write (all lifetimes), cache write 1h
    return [0, 0, 0, 0, 0]


@dataclass
class Tally:
    tokens: defaultdict[Key, list[int]] = field(default_factory=lambda: defaultdict(_token_counts))
    requests: dict[Key, int] = field(default_factory=dict)
    model_cost: defaultdict[Key, Decimal] = field(default_factory=lambda: defaultdict(Decimal))
    other_cost: defaultdict[Key, Decimal] = field(default_factory=lambda: defaultdict(Decimal))
    ends: dict[datetime, datetime] = field(default_factory=dict)

    def add_tokens(
        self,
        key: Key,
        end: datetime,
        *,
        uncached: int,
        output: int,
        cache_read: int,
        cache_write_5m: int,
        cache_write_1h: int,
        requests: int | None = None,
    ) -> None:
        counts = (uncached, output, cache_read, cache_write_5m, cache_write_1h)
        self._add(key, end, counts, requests)

    def add_usage(
        self, key: Key, end: datetime, usage: TokenUsage, requests: int | None = None
    ) -> None:
        """``add_tokens`` with the counts of a report's usage object."""
        self._add(key, end, token_counts(usage), requests)

    def _add(
        self, key: Key, end: datetime, counts: tuple[int, int, int, int, int], requests: int | None
    ) -> None:
        self.ends[key[0]] = end
        uncached, output, cache_read, write_5m, write_1h = counts
        held = self.tokens[key]
        for i, value in enumerate((uncached, output, cache_read, write_5m + write_1h, write_1h)):
            held[i] += value
        if requests is not None:
            self.requests[key] = self.requests.get(key, 0) + requests

    def add_cost(self, key: Key, end: datetime, dollars: Decimal) -> None:
        """Reported dollars: for a model's tokens when the key names a model, else a line item
        of its own (web search, code execution, session usage) with ``product`` = the item."""
        self.ends.setdefault(key[0], end)
        with localcontext() as money:
            money.prec = MONEY_PRECISION
            if key[1] is None:
                self.other_cost[key] += dollars
            else:
                self.model_cost[key] += dollars

    def records(self) -> tuple[UsageRecord, ...]:
        """Token records carry their reported dollars, else an estimate, else no cost."""
        records: list[UsageRecord] = []
        for key in sorted(self.tokens.keys() | self.model_cost.keys(), key=_sort_key):
            start, model, scope, product = key
            uncached, output, read, write, write_1h = self.tokens.get(key, _token_counts())
            cost: Decimal | None = self.model_cost.get(key)
            kind = "reported"
            if cost is None:
                kind = "estimated"
                cost = estimate_cost(
                    "claude",
                    model,
                    input_tokens=uncached,
                    output_tokens=output,
                    cache_read_tokens=read,
                    cache_write_tokens=write,
                    cache_write_1h_tokens=write_1h,
                    at=start,
                )
            records.append(
                UsageRecord(
                    provider="claude",
                    source="api",
                    start=start,
                    end=self.ends[start],
                    model=model,
                    scope=scope,
                    product=product,
                    input_tokens=uncached,
                    output_tokens=output,
                    cache_read_tokens=read,
                    cache_write_tokens=write,
                    requests=self.requests.get(key),
                    cost_usd=cost,
                    cost_kind=kind if cost is not None else None,
                )
            )
        for key in sorted(self.other_cost, key=_sort_key):
            start, _, scope, product = key
            records.append(
                UsageRecord(
                    provider="claude",
                    source="api",
                    start=start,
                    end=self.ends[start],
                    scope=scope,
                    product=product,
                    cost_usd=self.other_cost[key],
                    cost_kind="reported",
                )
            )
        return tuple(records)


def _sort_key(key: Key) -> tuple[datetime, str, str, str]:
    return key[0], key[1] or "", key[2] or "", key[3] or ""
