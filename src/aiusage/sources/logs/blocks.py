"""The current Claude Code 5-hour block, reconstructed from counted local lines (an estimate).

As ccusage's ``identify_session_blocks``: the first request opens a block at its UTC hour; a
request more than 5 hours after the block start, or after the previous request, opens the next
one. The block is active while the last request is less than 5 hours old and the block has not
ended. Burn rate is tokens per minute between the first and the last request; the projection
adds that rate over the minutes left. The real window also counts claude.ai and other machines,
which local logs cannot see: these rows are marked as estimates.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from typing import TYPE_CHECKING

from aiusage.models import ProviderName, Quota
from aiusage.pricing import tier_starts
from aiusage.sources.logs import tables
from aiusage.sources.logs.aggregate import Priced, Tokens, price_groups

if TYPE_CHECKING:
    from aiusage.store import Store

HOUR_MS = tables.HOUR_MS
BLOCK_MS = 5 * HOUR_MS
LOOKBACK_MS = 7 * 24 * HOUR_MS  # history searched for the start of the current run of blocks


@dataclass(frozen=True)
class Block:
    start: int
    first: int
    last: int
    rows: list[tuple[int, str, list[int]]]

    @property
    def end(self) -> int:
        return self.start + BLOCK_MS


def current_block(rows: list[tuple[int, str, list[int]]], now_ms: int) -> Block | None:
    """The active block among time-ordered ``(ts, model, tokens)`` rows, or None."""
    start = first = previous = None
    members: list[tuple[int, str, list[int]]] = []
    for row in rows:
        ts = row[0]
        if start is None or previous is None or ts - start > BLOCK_MS or ts - previous > BLOCK_MS:
            start, first, members = ts - ts % HOUR_MS, ts, []
        members.append(row)
        previous = ts
    if start is None or first is None or previous is None:
        return None
    if now_ms - previous >= BLOCK_MS or now_ms >= start + BLOCK_MS:
        return None
    return Block(start=start, first=first, last=previous, rows=members)


@dataclass(frozen=True)
class ActiveBlock:
    """The active block of one CLI's local lines, priced (``cost`` None: a model is unpriced)."""

    block: Block
    tokens: int
    cost: Decimal | None
    unpriced: tuple[str, ...]


def active_block(store: Store, provider: ProviderName, now: datetime) -> ActiveBlock | None:
    """The active 5-hour block of a provider's counted local lines (Claude Code, Codex)."""
    now_ms = round(now.timestamp() * 1000)
    rows = [
        (ts, model, list(values))
        for ts, model, *values in tables.recent_lines(
            store.db, provider, now_ms - LOOKBACK_MS, now_ms
        )
    ]
    block = current_block(rows, now_ms)
    if block is None:
        return None
    priced = _price(block, provider)
    tokens = sum(p.tokens.total for p in priced.values())
    costs = [p.cost for p in priced.values()]
    cost = None if any(c is None for c in costs) else sum((c for c in costs if c), Decimal(0))
    unpriced = tuple(sorted({key[1] for key, p in priced.items() if p.cost is None}))
    return ActiveBlock(block=block, tokens=tokens, cost=cost, unpriced=unpriced)


def block_quotas(store: Store, now: datetime) -> list[Quota]:
    """Quota rows (estimates) for the active Claude Code block: tokens, cost, rate, projection."""
    now_ms = round(now.timestamp() * 1000)
    active = active_block(store, "claude", now)
    if active is None:
        return []
    block, tokens, cost = active.block, active.tokens, active.cost
    resets = _limit_reset(store, block, now_ms) or block.end
    resets_at = datetime.fromtimestamp(resets / 1000, UTC)

    def row(name: str, used: Decimal | None, unit: str) -> Quota:
        return Quota(
            provider="claude",
            source="local",
            name=name,
            used=used,
            limit=None,
            unit=unit,
            resets_at=resets_at,
            observed_at=now,
            estimated=True,
        )

    quotas = [row("5h_block_tokens", Decimal(tokens), "tokens")]
    cents = None if cost is None else cost.quantize(Decimal("0.0001"))
    quotas.append(row("5h_block_cost", cents, "usd"))
    minutes = Decimal(block.last - block.first) / 60_000
    if minutes > 0:
        rate = Decimal(tokens) / minutes
        left = Decimal(max(block.end - now_ms, 0)) / 60_000
        quotas.append(row("5h_block_burn_rate", rate.quantize(Decimal("0.1")), "tokens/min"))
        quotas.append(
            row("5h_block_projected_tokens", (tokens + rate * left).to_integral_value(), "tokens")
        )
        if cost is not None:
            projected = cost + cost / minutes * left
            quotas.append(
                row("5h_block_projected_cost", projected.quantize(Decimal("0.0001")), "usd")
            )
    return quotas


def _price(block: Block, provider: ProviderName) -> dict[tuple[int, str, str], Priced]:
    groups: dict[tuple[int, str, str], Tokens] = defaultdict(Tokens)
    long_rows = []
    for ts, model, values in block.rows:
        groups[(0, model, "")].add(values)
        starts = tier_starts(provider, model) if model else ()
        if starts and values[0] + values[2] + values[3] > starts[0]:
            long_rows.append((0, model, "", ts, values))
    return price_groups(provider, dict(groups), long_rows)


def _limit_reset(store: Store, block: Block, now_ms: int) -> int | None:
    """A "usage limit reached|<epoch>" reset time Claude Code logged inside this block."""
    reset = tables.latest_reset(store.db, "claude", "limit_reset", block.start)
    if reset is None or reset * 1000 <= now_ms:
        return None
    return int(reset) * 1000
