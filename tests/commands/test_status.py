"""``aiusage status``: the document, --check's exit 3, --watch's arguments, live sources."""

from __future__ import annotations

import json
import time
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from aiusage.cli import app
from aiusage.commands.status import watch_interval
from aiusage.errors import UsageError
from aiusage.settings import load_settings
from aiusage.sources.live.readings import Reading, save_readings
from aiusage.store import Store
from tests.sources.live.fake_codex_bin import FIXTURE_PRIMARY_RESET, install_fake_codex, path_with
from tests.sources.logs.logs import assistant, claude_project, claude_usage, write_lines


@pytest.fixture(autouse=True)
def no_real_codex(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", "/usr/bin:/bin")
    monkeypatch.setenv("AIUSAGE_TIMEZONE", "UTC")


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, ["status", *args], catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def document(*args: str) -> dict[str, Any]:
    code, out, err = run("--format", "json", *args)
    assert code in (0, 3), err
    data: dict[str, Any] = json.loads(out, parse_float=Decimal)
    return data


def keep(*readings: Reading) -> None:
    store = Store.open(load_settings().store_path)
    try:
        save_readings(store.db, "claude", "statusline", readings, replace=False)
    finally:
        store.close()


def claude(window: str, used: str, resets_in: int, length: int) -> Reading:
    now = int(time.time())
    return Reading(
        provider="claude",
        source="statusline",
        window=window,
        used_ratio=Decimal(used),
        resets_at=now + resets_in,
        window_seconds=length,
        observed_at=now - 30,
    )


def test_nothing_known_is_said_and_exits_0() -> None:
    code, out, _ = run()
    assert code == 0 and "Nothing to show yet" in out
    assert document()["schema"] == "aiusage.status/1"


def test_the_document_carries_the_stored_windows() -> None:
    keep(claude("five_hour", "0.235", 7200, 18000))
    data = document()
    assert set(data) >= {
        "schema",
        "generated_at",
        "timezone",
        "windows",
        "blocks",
        "budgets",
        "errors",
        "warnings",
    }
    five, seven = data["windows"]
    assert (five["window"], five["used_ratio"], five["stale"]) == (
        "five_hour",
        Decimal("0.235"),
        False,
    )
    assert (seven["window"], seven["used_ratio"]) == ("seven_day", None)


def test_check_exits_3_for_a_window_at_its_warn_level() -> None:
    keep(claude("five_hour", "0.80", 7200, 18000))
    assert run("--check")[0] == 3
    assert run()[0] == 0  # without --check the state is shown, not judged


def test_check_passes_below_the_level_and_ignores_an_expired_reading() -> None:
    keep(claude("five_hour", "0.79", 7200, 18000), claude("seven_day", "0.99", -60, 604800))
    assert run("--check")[0] == 0


def test_check_exits_3_when_a_budget_is_exceeded(tmp_path: Path) -> None:
    # Claude Code logs this month, estimated at API prices, against a $0.01 budget.
    now = time.time()
    stamp = time.strftime("%Y-%m-%dT%H:%M:%S.000Z", time.gmtime(now - 600))
    home = Path.home()
    write_lines(
        claude_project(home) / "s.jsonl",
        [assistant("msg_1", "req_1", claude_usage(200_000, 50_000), timestamp=stamp)],
    )
    assert CliRunner().invoke(app, ["budget", "set", "--monthly", "0.01"]).exit_code == 0
    code, out, err = run("--check", "--format", "json")
    assert code == 3, err
    data = json.loads(out, parse_float=Decimal)
    [budget] = data["budgets"]
    assert budget["over"] is True and budget["spent_kind"] == "estimated"
    [block] = data["blocks"]
    assert block["provider"] == "claude" and block["tokens"] == 250_000


def test_codex_app_server_windows_and_its_failure(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PATH", path_with(install_fake_codex(tmp_path / "bin")))
    shift = int(time.time()) - FIXTURE_PRIMARY_RESET + 7200
    monkeypatch.setenv("FAKE_CODEX_SHIFT", str(shift))
    data = document("--provider", "openai")
    windows = {(w["model"], w["window"]): w for w in data["windows"]}
    assert windows[(None, "five_hour")]["used_ratio"] == Decimal("0.22")
    assert windows[(None, "five_hour")]["source"] == "app-server"
    assert windows[("GPT-5.3-Codex-Spark", "seven_day")]["used_ratio"] == Decimal("1")
    monkeypatch.setenv("FAKE_CODEX_MODE", "garbage")
    code, out, _ = run("--provider", "openai")
    assert code == 0
    assert "n/a (codex app-server did not answer)" in out
    assert "22 %" in out  # the last good reading stays, with its age


@pytest.mark.parametrize(
    ("extra", "interval"),
    [
        ([], None),
        (["--watch"], 10),
        (["--watch", "5"], 5),
        (["--watch=3"], 3),
        (["--watch", "--check"], 10),
    ],
)
def test_watch_takes_an_optional_interval(extra: list[str], interval: int | None) -> None:
    assert watch_interval([a for a in extra if a != "--check"]) == interval


@pytest.mark.parametrize("args", [["--watch", "1"], ["--watch=x"], ["--bogus"], ["stray"]])
def test_bad_watch_values_and_unknown_arguments_exit_2(args: list[str]) -> None:
    with pytest.raises(UsageError):
        watch_interval(args)
    code, _, err = run(*args)
    assert code == 2 and err.startswith("aiusage: ")


def test_watch_and_json_do_not_mix() -> None:
    code, _, err = run("--watch", "--format", "json")
    assert code == 2 and "--watch" in err


def test_provider_aliases_choose_the_provider() -> None:
    keep(claude("five_hour", "0.5", 7200, 18000))
    code, out, _ = run("--provider", "Anthropic", "--format", "json")
    assert code == 0
    assert {w["provider"] for w in json.loads(out)["windows"]} == {"claude"}
    code, out, _ = run("--provider", "google", "--format", "JSON")
    assert code == 0 and json.loads(out)["windows"] == []
