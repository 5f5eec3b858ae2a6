"""The current 5-hour block of Claude Code and of Codex, from logs ingested by the real readers."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest

from aiusage.settings import load_settings
from aiusage.sources.logs.claude_code import ClaudeCodeSource
from aiusage.sources.logs.codex import CodexSource
from aiusage.status.blocks import current_blocks
from aiusage.store import Store
from tests.sources.logs.logs import (
    assistant,
    claude_project,
    claude_usage,
    codex_usage,
    session_meta,
    token_count,
    turn_context,
    write_lines,
)

NOW = datetime.fromtimestamp(int(time.time()), UTC)


def iso(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%S.000Z")


@pytest.fixture
def store() -> Iterator[Store]:
    opened = Store.open(load_settings().store_path)
    yield opened
    opened.close()


def test_a_codex_block_with_its_cost_rate_and_projection(store: Store) -> None:
    first, last = NOW - timedelta(minutes=40), NOW - timedelta(minutes=10)
    write_lines(
        Path.home() / ".codex" / "sessions" / "2026" / "01" / "01" / "rollout-a.jsonl",
        [
            session_meta(timestamp=iso(first - timedelta(seconds=5))),
            turn_context(model="gpt-5-codex", timestamp=iso(first - timedelta(seconds=4))),
            token_count(iso(first), None, last=codex_usage(100_000, 20_000, 5_000)),
            token_count(iso(last), None, last=codex_usage(100_000, 20_000, 5_000)),
        ],
    )
    CodexSource().ingest(load_settings(), store)
    [block] = current_blocks(store, ("openai",), NOW)
    start = first.replace(minute=0, second=0)
    assert (block.provider, block.start, block.end) == ("openai", start, start + timedelta(hours=5))
    # Each call: 80k uncached input at $1.25/M, 20k cached at $0.125/M, 5k output at $10/M.
    assert block.tokens == 210_000
    assert block.cost_usd == Decimal("0.3050")
    assert block.burn_tokens_per_min == Decimal("7000.0")  # 210k over 30 minutes
    assert block.burn_usd_per_hour == Decimal("0.6100")
    left = Decimal((start + timedelta(hours=5) - NOW).total_seconds()) / 60
    assert block.projected_cost_usd == (Decimal("0.305") + Decimal("0.305") / 30 * left).quantize(
        Decimal("0.0001")
    )


def test_an_unpriced_model_leaves_the_cost_unknown_and_is_named(store: Store) -> None:
    write_lines(
        claude_project(Path.home()) / "s.jsonl",
        [
            assistant(
                "msg_1",
                "req_1",
                claude_usage(1000, 100),
                timestamp=iso(NOW - timedelta(minutes=5)),
                model="claude-imaginary-9",
            )
        ],
    )
    ClaudeCodeSource().ingest(load_settings(), store)
    [block] = current_blocks(store, ("claude", "openai"), NOW)
    assert (block.tokens, block.cost_usd, block.cost_kind) == (1100, None, None)
    assert block.unpriced == ("claude-imaginary-9",)
    assert block.burn_tokens_per_min is None  # one request: no rate yet


def test_no_recent_use_no_block(store: Store) -> None:
    assert current_blocks(store, ("claude", "openai"), NOW) == []
