"""OpenAI cost lines whose amount or currency is null, as the official types allow."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
import respx

from aiusage.errors import BadResponseError
from tests.sources.api.openai.test_openai import (
    COSTS_TOTAL,
    find,
    fixture,
    mock_api,
    query,
    run,
    total_cost,
)

# costs_page2.json, first line: "gpt-5-2025-08-07, input" on 2026-01-25, $0.3406.
FIRST_LINE = Decimal("0.3406")


def costs_with(edit: Any) -> list[dict[str, Any]]:
    first, second = fixture("costs_page1"), fixture("costs_page2")
    edit(second["data"][0]["results"][0])
    return [first, second]


def set_amount(value: object) -> Any:
    def edit(line: dict[str, Any]) -> None:
        line["amount"] = value

    return edit


def set_field(name: str, value: object) -> Any:
    def edit(line: dict[str, Any]) -> None:
        line["amount"][name] = value

    return edit


@pytest.mark.parametrize(
    "edit",
    [set_field("value", None), set_amount(None), set_amount({"currency": "usd"})],
    ids=["value-null", "amount-null", "value-absent"],
)
@respx.mock
def test_a_line_without_an_amount_counts_as_zero_with_a_warning(edit: Any) -> None:
    mock_api(costs=costs_with(edit))

    result = run(query())

    assert total_cost(list(result.records), "reported") == COSTS_TOTAL - FIRST_LINE
    gpt5 = find(list(result.records), 25, "completions", "gpt-5-2025-08-07")
    assert (gpt5.cost_usd, gpt5.cost_kind) == (Decimal("0.40219"), "reported")
    (warning,) = [w for w in result.warnings if "without an amount" in w]
    assert warning.startswith("1 OpenAI cost line")
    assert "gpt-5-2025-08-07, input" in warning


@respx.mock
def test_a_null_currency_is_us_dollars_when_every_other_line_is() -> None:
    mock_api(costs=costs_with(set_field("currency", None)))

    result = run(query())

    assert total_cost(list(result.records), "reported") == COSTS_TOTAL
    assert not [w for w in result.warnings if "currency" in w]


@respx.mock
def test_a_null_currency_beside_another_currency_is_a_bad_response() -> None:
    def edit(line: dict[str, Any]) -> None:
        line["amount"]["currency"] = None

    first, second = fixture("costs_page1"), fixture("costs_page2")
    edit(second["data"][0]["results"][0])
    second["data"][0]["results"][1]["amount"]["currency"] = "eur"
    mock_api(costs=[first, second])

    with pytest.raises(BadResponseError, match="'eur'"):
        run(query())


@respx.mock
def test_no_currency_anywhere_is_a_bad_response_not_a_guess() -> None:
    pages = [fixture("costs_page1"), fixture("costs_page2")]
    for page in pages:
        for bucket in page["data"]:
            for line in bucket["results"]:
                line["amount"]["currency"] = None
    mock_api(costs=pages)

    with pytest.raises(BadResponseError, match="without a currency"):
        run(query())
