"""Anthropic amounts in a currency other than US dollars are refused, never summed as dollars."""

from __future__ import annotations

import pytest
import respx

from aiusage.errors import BadResponseError
from tests.conftest import load_fixture
from tests.sources.api.claude.test_claude_paging import (
    A_COST,
    A_USAGE,
    EMPTY,
    L_COST,
    L_USAGE,
    analytics,
    legacy,
)


@respx.mock
def test_a_legacy_cost_line_in_another_currency_is_a_bad_response() -> None:
    cost = load_fixture("anthropic/cost_report.json")
    cost["data"][1]["results"][0]["currency"] = "EUR"
    respx.get(L_USAGE).respond(200, json=load_fixture("anthropic/usage_page2.json"))
    respx.get(L_COST).respond(200, json=cost)

    with pytest.raises(BadResponseError, match="'EUR', not US dollars"):
        legacy()


@respx.mock
def test_an_analytics_cost_row_in_another_currency_is_a_bad_response() -> None:
    cost = load_fixture("anthropic/analytics_cost_page2.json")
    cost["data"][0]["cost"]["currency"] = "EUR"
    respx.get(A_USAGE).respond(200, json=EMPTY)
    respx.get(A_COST).respond(200, json=cost)

    with pytest.raises(BadResponseError, match="'EUR', not US dollars"):
        analytics()
