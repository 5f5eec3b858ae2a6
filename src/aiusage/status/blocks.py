"""The current 5-hour block of Claude Code and of Codex from local logs: burn rate, projection.

Rates run from the block's first request to its last; the projection adds that rate over the
time left to the block's end. Local logs see only this machine, so every figure is an estimate.
"""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import TYPE_CHECKING

from aiusage.models import ProviderName
from aiusage.sources.logs.blocks import active_block
from aiusage.status.document import Block
from aiusage.status.pace import per_minute

if TYPE_CHECKING:
    from aiusage.store import Store

PROVIDERS: tuple[ProviderName, ...] = ("claude", "openai")


def _at(ms: int) -> datetime:
    return datetime.fromtimestamp(ms / 1000, UTC)


def current_blocks(store: Store, providers: tuple[ProviderName, ...], now: datetime) -> list[Block]:
    found = []
    for provider in PROVIDERS:
        if provider not in providers:
            continue
        active = active_block(store, provider, now)
        if active is None:
            continue
        block = active.block
        first, last, end = _at(block.first), _at(block.last), _at(block.end)
        left = Decimal(str(max((end - now).total_seconds(), 0))) / 60
        tokens_rate = per_minute(Decimal(active.tokens), first, last)
        cost_rate = None if active.cost is None else per_minute(active.cost, first, last)
        found.append(
            Block(
                provider=provider,
                start=_at(block.start),
                end=end,
                tokens=active.tokens,
                cost_usd=None if active.cost is None else active.cost.quantize(Decimal("0.0001")),
                cost_kind=None if active.cost is None else "estimated",
                burn_tokens_per_min=(
                    None if tokens_rate is None else tokens_rate.quantize(Decimal("0.1"))
                ),
                burn_usd_per_hour=(
                    None if cost_rate is None else (cost_rate * 60).quantize(Decimal("0.0001"))
                ),
                projected_tokens=(
                    None
                    if tokens_rate is None
                    else int((active.tokens + tokens_rate * left).to_integral_value())
                ),
                projected_cost_usd=(
                    None
                    if cost_rate is None or active.cost is None
                    else (active.cost + cost_rate * left).quantize(Decimal("0.0001"))
                ),
                unpriced=active.unpriced,
            )
        )
    return found
