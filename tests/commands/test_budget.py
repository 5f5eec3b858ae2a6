"""``aiusage budget set|show|clear``: dated history, defaults, and bad amounts refused."""

from __future__ import annotations

import json
from typing import Any

import pytest
from typer.testing import CliRunner

from aiusage.cli import app
from aiusage.settings import load_settings
from aiusage.store import Store


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, ["budget", *args], catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def show(*extra: str) -> Any:
    code, out, err = run("show", "--format", "json", *extra)
    assert code == 0, err
    return json.loads(out)


def rows() -> int:
    store = Store.open(load_settings().store_path)
    try:
        return int(store.db.execute("SELECT COUNT(*) FROM budgets").fetchone()[0])
    finally:
        store.close()


def test_without_provider_the_budget_covers_all_and_warns_at_80() -> None:
    code, out, _ = run("set", "--monthly", "200")
    assert code == 0
    assert out == "Budget set. all providers: $200.00 a month, warn at 80 %\n"
    [budget] = show()
    assert (budget["provider"], budget["monthly_usd"], budget["warn_percent"]) == (
        "all",
        200.0,
        80.0,
    )


def test_a_new_set_replaces_the_budget_and_keeps_the_history() -> None:
    run("set", "--monthly", "200")
    run("set", "--monthly", "$250.50", "--warn", "90%")
    run("set", "--provider", "claude", "--monthly", "50", "--warn", "60")
    current = {b["provider"]: b for b in show()}
    assert current["all"]["monthly_usd"] == 250.5 and current["all"]["warn_percent"] == 90.0
    assert current["claude"]["monthly_usd"] == 50.0
    assert [b["monthly_usd"] for b in show("--history")] == [200.0, 250.5, 50.0]


def test_clear_one_provider_then_everything_dated_in_the_history() -> None:
    run("set", "--monthly", "200")
    run("set", "--provider", "openai", "--monthly", "40")
    assert run("clear", "--provider", "openai")[1] == "Cleared: openai.\n"
    assert [b["provider"] for b in show()] == ["all"]
    assert run("clear")[1] == "Cleared: all providers.\n"
    assert show() == []
    assert [b["monthly_usd"] for b in show("--history")] == [200.0, 40.0, None, None]
    assert run("clear")[1] == "No budget to clear.\n"


@pytest.mark.parametrize(
    "args",
    [
        ["--monthly", "-5"],
        ["--monthly", "0"],
        ["--monthly", "1e12"],
        ["--monthly", "10000000.01"],
        ["--monthly", "abc"],
        ["--monthly", "nan"],
        ["--monthly", "Infinity"],
        ["--monthly", "12.345"],
        ["--monthly", "100", "--warn", "0"],
        ["--monthly", "100", "--warn", "150"],
        ["--monthly", "100", "--warn", "lots"],
        ["--monthly", "100", "--provider", "acme"],
        [],
    ],
)
def test_negative_or_absurd_input_exits_2_and_writes_nothing(args: list[str]) -> None:
    code, _, err = run("set", *args)
    assert code == 2
    assert "Traceback" not in err
    assert rows() == 0


def test_the_error_names_the_option() -> None:
    _, _, err = run("set", "--monthly", "-5")
    assert err.startswith("aiusage: --monthly must be more than $0")


def test_show_without_budget_says_how_to_set_one() -> None:
    assert run("show")[1] == "No budget set. Set one with: aiusage budget set --monthly 200\n"


def test_provider_names_are_case_insensitive_and_vendor_aliases_count() -> None:
    assert run("set", "--provider", "Anthropic", "--monthly", "30")[0] == 0
    assert run("set", "--provider", "GOOGLE", "--monthly", "10")[0] == 0
    assert [b["provider"] for b in show()] == ["claude", "gemini"]
    assert run("clear", "--provider", "anthropic")[1] == "Cleared: claude.\n"
