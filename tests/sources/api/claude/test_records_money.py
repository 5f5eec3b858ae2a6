"""The Claude tally: every token and cent summed once, estimates worked out by hand.

Prices for the estimates are genai-prices' data for claude-sonnet-4-5, in dollars per million
tokens: input 3, output 15, cache read 0.30, cache write 3.75 (5-minute) and 6 (1-hour).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from aiusage.errors import BadResponseError
from aiusage.sources.api.claude.records import Tally, cents_to_dollars

SONNET = "claude-sonnet-4-5-20250929"
DAY = datetime(2025, 8, 1, tzinfo=UTC)
NEXT = datetime(2025, 8, 2, tzinfo=UTC)


def tokens(
    tally: Tally,
    key: tuple[datetime, str | None, str | None, str | None],
    *,
    uncached: int = 0,
    output: int = 0,
    cache_read: int = 0,
    cache_write_5m: int = 0,
    cache_write_1h: int = 0,
    requests: int | None = None,
) -> None:
    tally.add_tokens(
        key,
        key[0] + timedelta(days=1),
        uncached=uncached,
        output=output,
        cache_read=cache_read,
        cache_write_5m=cache_write_5m,
        cache_write_1h=cache_write_1h,
        requests=requests,
    )


def test_an_estimate_prices_cache_reads_and_both_cache_writes() -> None:
    tally = Tally()
    tokens(
        tally,
        (DAY, SONNET, None, None),
        uncached=1_000,
        output=2_000,
        cache_read=10_000,
        cache_write_5m=3_000,
        cache_write_1h=1_000,
    )
    (record,) = tally.records()
    assert (record.input_tokens, record.output_tokens) == (1_000, 2_000)
    assert (record.cache_read_tokens, record.cache_write_tokens) == (10_000, 4_000)
    # 1,000 x 3 + 2,000 x 15 + 10,000 x 0.30 + 3,000 x 3.75 + 1,000 x 6 = 53,250 per million
    assert (record.cost_usd, record.cost_kind) == (Decimal("0.05325"), "estimated")


def test_rows_of_one_key_add_up_tokens_and_requests() -> None:
    tally = Tally()
    key = (DAY, SONNET, "wrkspc_01", None)
    tokens(tally, key, uncached=10, output=20, cache_read=30, cache_write_5m=40, requests=2)
    tokens(tally, key, uncached=1, output=2, cache_read=3, cache_write_1h=4, requests=5)
    (record,) = tally.records()
    assert (record.input_tokens, record.output_tokens, record.cache_read_tokens) == (11, 22, 33)
    assert (record.cache_write_tokens, record.requests) == (44, 7)
    # 11 x 3 + 22 x 15 + 33 x 0.30 + 40 x 3.75 + 4 x 6 = 33 + 330 + 9.9 + 150 + 24
    assert record.cost_usd == Decimal("0.0005469")


def test_requests_are_counted_per_key() -> None:
    tally = Tally()
    tokens(tally, (DAY, SONNET, "wrkspc_01", None), output=1, requests=3)
    tokens(tally, (DAY, SONNET, "wrkspc_02", None), output=1, requests=4)
    assert [r.requests for r in tally.records()] == [3, 4]


def test_costs_of_one_key_add_up_for_models_and_line_items() -> None:
    tally = Tally()
    model_key = (DAY, SONNET, "wrkspc_01", None)
    item_key = (DAY, None, "wrkspc_01", "web_search")
    tokens(tally, model_key, uncached=5, output=5)
    for cents in ("120.5", "30.25"):  # e.g. input and output lines of one model and day
        tally.add_cost(model_key, NEXT, cents_to_dollars(Decimal(cents)))
    for cents in ("1", "2"):  # two searches lines of one day
        tally.add_cost(item_key, NEXT, cents_to_dollars(Decimal(cents)))
    model, item = tally.records()
    assert (model.cost_usd, model.cost_kind) == (Decimal("1.5075"), "reported")
    assert (item.product, item.cost_usd, item.cost_kind) == (
        "web_search",
        Decimal("0.03"),
        "reported",
    )


def test_line_items_keep_their_scope_and_come_in_a_stable_order() -> None:
    tally = Tally()
    # A workspace's line item and the default workspace's (no id), on one day.
    tally.add_cost((DAY, None, "wrkspc_01", "web_search"), NEXT, Decimal("0.02"))
    tally.add_cost((DAY, None, None, "web_search"), NEXT, Decimal("0.01"))
    tally.add_cost((DAY, None, None, "code_execution"), NEXT, Decimal("0.05"))
    rows = [(r.scope, r.product, r.cost_usd, r.model) for r in tally.records()]
    assert rows == [
        (None, "code_execution", Decimal("0.05"), None),
        (None, "web_search", Decimal("0.01"), None),
        ("wrkspc_01", "web_search", Decimal("0.02"), None),
    ]
    assert {r.end for r in tally.records()} == {NEXT}


def test_token_records_are_ordered_by_day_model_scope_and_product() -> None:
    tally = Tally()
    # Upper case sorts before lower case: a missing value must still come first, and each
    # field must decide before the next one does.
    expected = [
        (DAY, None, None, None),
        (DAY, "Custom-model", None, "Zed"),
        (DAY, SONNET, None, "API"),
        (DAY, SONNET, "Default", None),
        (DAY, SONNET, "Default", "Claude Code"),
        (NEXT, SONNET, None, None),
    ]
    for key in reversed(expected):
        tokens(tally, key, output=1)
    assert [(r.start, r.model, r.scope, r.product) for r in tally.records()] == expected


def test_line_items_are_ordered_by_product_within_a_day_and_scope() -> None:
    tally = Tally()
    for product in ("Web search", "Code execution", None):
        tally.add_cost((DAY, None, None, product), NEXT, Decimal(1))
    assert [r.product for r in tally.records()] == [None, "Code execution", "Web search"]


def test_tokens_of_an_unpriced_model_have_no_cost_and_no_cost_kind() -> None:
    tally = Tally()
    tokens(tally, (DAY, "claude-imaginary-9", None, None), uncached=10, output=10)
    (record,) = tally.records()
    assert (record.cost_usd, record.cost_kind) == (None, None)


def test_a_reported_cost_without_tokens_is_a_model_record_with_zero_tokens() -> None:
    tally = Tally()
    tally.add_cost((DAY, SONNET, None, None), NEXT, Decimal("0.5"))
    (record,) = tally.records()
    assert (record.model, record.total_tokens, record.cost_usd) == (SONNET, 0, Decimal("0.5"))
    assert (record.start, record.end, record.cost_kind) == (DAY, NEXT, "reported")


def test_cents_become_dollars_only_for_us_dollars() -> None:
    assert cents_to_dollars(Decimal("12345.678"), "usd") == Decimal("123.45678")
    with pytest.raises(BadResponseError) as raised:
        cents_to_dollars(Decimal(100), "EUR")
    assert raised.value.message == "Anthropic reported cost in 'EUR', not US dollars"
