"""``aiusage statusline``: one line for Claude Code, the windows kept, and never a failure."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import time
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from aiusage.commands.statusline import NO_DATA, run_statusline
from aiusage.settings import load_settings
from aiusage.sources.live.claude.session_costs import record_session_cost
from aiusage.sources.live.readings import load_readings
from aiusage.store import Store
from tests.conftest import load_fixture

AIUSAGE = Path(sys.executable).parent / "aiusage"


@pytest.fixture(autouse=True)
def utc(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AIUSAGE_TIMEZONE", "UTC")


def claude_input(now: int, **changes: Any) -> dict[str, Any]:
    data: dict[str, Any] = load_fixture("live/statusline_input.json")
    data["rate_limits"]["five_hour"]["resets_at"] = now + 2 * 3600
    data["rate_limits"]["seven_day"]["resets_at"] = now + 3 * 86400
    data.update(changes)
    return data


def run(stdin: str) -> tuple[int, str]:
    out = io.StringIO()
    code = run_statusline(io.StringIO(stdin), out)
    return code, out.getvalue()


def stored() -> list[Any]:
    store = Store.open(load_settings().store_path)
    try:
        return load_readings(store.db)
    finally:
        store.close()


def hhmm(epoch: int) -> str:
    return datetime.fromtimestamp(epoch, UTC).strftime("%H:%M")


def test_prints_model_cost_windows_and_today_and_keeps_the_windows() -> None:
    now = int(time.time())
    code, out = run(json.dumps(claude_input(now)))
    assert code == 0
    reset = hhmm(now + 2 * 3600)
    assert out == f"Opus · session $0.01 · 5h 24% (resets {reset}) · 7d 41% · today $0.01\n"
    readings = {r.window: r for r in stored()}
    assert readings["five_hour"].used_ratio == Decimal("0.235")
    assert readings["seven_day"].used_ratio == Decimal("0.412")
    assert abs(readings["five_hour"].observed_at - now) <= 2


def test_today_sums_what_each_session_spent_today_only() -> None:
    now = int(time.time())
    today = datetime.fromtimestamp(now, UTC).date()
    store = Store.open(load_settings().store_path)
    # Session A had cost $2.00 by the end of an earlier day.
    record_session_cost(store.db, "session-a", "2000-01-01", Decimal("2.00"), now - 86400)
    store.close()
    run(json.dumps(claude_input(now, session_id="session-a", cost={"total_cost_usd": 2.5})))
    run(json.dumps(claude_input(now, session_id="session-b", cost={"total_cost_usd": 0.25})))
    _, out = run(
        json.dumps(claude_input(now, session_id="session-b", cost={"total_cost_usd": 0.75}))
    )
    # A: 2.50 - 2.00 = 0.50; B: 0.75 (its latest total) -> $1.25 today.
    assert out.endswith("today $1.25\n"), (out, today)


def test_dollars_are_written_as_the_report_writes_them() -> None:
    now = int(time.time())
    data = claude_input(now, cost={"total_cost_usd": 1234.565})
    _, out = run(json.dumps(data))
    # render.format.usd: thousands grouped, half a cent rounded up.
    assert "session $1,234.57 · " in out and out.endswith("today $1,234.57\n"), out


@pytest.mark.parametrize(
    "stdin",
    ["", "not json at all", "[]", "\x00\x01"],
)
def test_unreadable_input_prints_the_minimal_line_and_stores_nothing(stdin: str) -> None:
    assert run(stdin) == (0, NO_DATA + "\n")
    assert stored() == []


def bad_rate_limits(now: int) -> list[dict[str, Any]]:
    cases = []
    for window, field, value in (
        ("five_hour", "used_percentage", 140),
        ("seven_day", "used_percentage", -3),
        ("five_hour", "resets_at", now - 60),
    ):
        data = claude_input(now)
        data["rate_limits"][window][field] = value
        cases.append(data)
    data = claude_input(now)
    del data["rate_limits"]
    cases.append(data)
    return cases


@pytest.mark.parametrize("case", range(4))
def test_bad_or_missing_rate_limits_give_a_line_without_windows_and_store_none(case: int) -> None:
    now = int(time.time())
    code, out = run(json.dumps(bad_rate_limits(now)[case]))
    assert code == 0
    assert out == "Opus · session $0.01 · today $0.01\n"
    assert stored() == []


def test_a_store_that_cannot_be_opened_still_gives_a_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the store folder should be")
    monkeypatch.setenv("AIUSAGE_HOME", str(blocker))
    now = int(time.time())
    code, out = run(json.dumps(claude_input(now)))
    assert code == 0
    assert out.startswith("Opus · session $0.01 · 5h 24%")


def test_a_corrupt_store_still_gives_a_line(tmp_path: Path) -> None:
    path = load_settings().store_path
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"this is not a database" * 100)
    code, out = run(json.dumps(claude_input(int(time.time()))))
    assert code == 0 and out.startswith("Opus")


def test_control_characters_in_the_model_name_are_not_sent_to_the_terminal() -> None:
    now = int(time.time())
    data = claude_input(now, model={"display_name": "Op\x1b[2Jus\x07"})
    _, out = run(json.dumps(data))
    assert "\x1b" not in out and "\x07" not in out
    assert out.startswith("Op?[2Jus?")


def test_the_path_loads_no_typer_pydantic_network_or_log_reader_once_the_store_exists() -> None:
    Store.open(load_settings().store_path).close()
    now = int(time.time())
    probe = (
        "import sys, io\n"
        "from aiusage.commands.statusline import main\n"
        "main()\n"
        "heavy = ('typer', 'pydantic', 'rich', 'httpx', 'socket', 'aiusage.sources.logs')\n"
        "heavy = [m for m in heavy if m in sys.modules]\n"
        "print('loaded:', heavy)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe],
        input=json.dumps(claude_input(now)),
        capture_output=True,
        text=True,
        env=dict(os.environ),
        check=True,
    )
    assert done.stdout.splitlines()[-1] == "loaded: []"
    assert len(stored()) == 2


def test_the_cli_runs_it_and_exits_0_on_garbage() -> None:
    done = subprocess.run(
        [str(AIUSAGE), "statusline"],
        input="{{{",
        capture_output=True,
        text=True,
        env=dict(os.environ),
        check=False,
    )
    assert (done.returncode, done.stdout, done.stderr) == (0, NO_DATA + "\n", "")


@pytest.mark.parametrize(("config", "data"), [(None, None), ("/tmp/cfg", "/tmp/data"), ("  ", "")])
def test_the_fast_path_finds_the_folders_platformdirs_would(
    monkeypatch: pytest.MonkeyPatch, config: str | None, data: str | None
) -> None:
    from platformdirs import user_config_path, user_data_path

    from aiusage.sources.live import fast_store

    for name, value in (("XDG_CONFIG_HOME", config), ("XDG_DATA_HOME", data)):
        if value is None:
            monkeypatch.delenv(name, raising=False)
        else:
            monkeypatch.setenv(name, value)
    monkeypatch.delenv("AIUSAGE_HOME")
    assert fast_store._config_dir() == user_config_path("aiusage", appauthor=False)
    assert fast_store.plain_store_path() == load_settings().store_path
    assert fast_store.plain_store_path() == user_data_path("aiusage", appauthor=False) / (
        "aiusage.sqlite3"
    )


def test_a_dotenv_that_names_the_store_takes_the_settings_path(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from aiusage.sources.live import fast_store

    (Path.cwd() / ".env").write_text(f"AIUSAGE_HOME={tmp_path / 'elsewhere'}\n")
    monkeypatch.delenv("AIUSAGE_HOME")
    assert fast_store.plain_store_path() is None
    run(json.dumps(claude_input(int(time.time()))))
    assert (tmp_path / "elsewhere" / "aiusage.sqlite3").is_file()
