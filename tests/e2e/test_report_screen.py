"""The installed CLI in a real terminal (a pty of a given size) and in the user's time zone.

The screen is read as a person sees it: every model name and every dollar figure on it must be
the JSON document's, at 60, 80 and 120 columns; a typical first screen fits 80×24 with its totals.
"""

from __future__ import annotations

import fcntl
import json
import os
import re
import select
import struct
import subprocess
import sys
import termios
from collections import Counter, defaultdict
from collections.abc import Mapping
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from aiusage.render.format import money
from tests.e2e.conftest import AIUSAGE, Cli, report_window
from tests.e2e.fake_data import TOKEN_TYPES
from tests.e2e.fake_vendors import FakeVendors

pytestmark = pytest.mark.e2e

GENERATOR = Path(__file__).parents[2] / "benchmarks" / "gen_logs.py"
MONEY = re.compile(r"~?\$[\d,]+\.\d\d(?:\+\?)?")


def on_screen(args: list[str], env: Mapping[str, str], columns: int, lines: int) -> str:
    """What ``aiusage`` prints to a terminal of ``columns`` × ``lines`` (stderr kept apart)."""
    leader, follower = os.openpty()
    fcntl.ioctl(follower, termios.TIOCSWINSZ, struct.pack("HHHH", lines, columns, 0, 0))
    sized = {**env, "COLUMNS": str(columns), "LINES": str(lines), "TERM": "xterm-256color"}
    process = subprocess.Popen(
        [str(AIUSAGE), *args],
        stdin=follower,
        stdout=follower,
        stderr=subprocess.PIPE,
        env=sized,
        close_fds=True,
    )
    os.close(follower)
    chunks: list[bytes] = []
    while True:
        ready, _, _ = select.select([leader], [], [], 120)
        if not ready:
            process.kill()
            raise AssertionError("aiusage wrote nothing for 120 s")
        try:
            chunk = os.read(leader, 65536)
        except OSError:  # EIO: the terminal's other end was closed
            break
        if not chunk:
            break
        chunks.append(chunk)
    os.close(leader)
    _, errors = process.communicate(timeout=60)
    assert process.returncode == 0, errors
    text = b"".join(chunks).decode("utf-8").replace("\r\n", "\n")
    return re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", text)  # colours and cursor moves


def json_of(cli: Cli, args: list[str], env: Mapping[str, str | None]) -> dict[str, Any]:
    run = cli.run(*args, "--format", "json", env=env)
    assert run.code == 0, run
    return run.document()


def expected_money(document: dict[str, Any]) -> Counter[str]:
    shown = Counter[str]()
    for row in [*document["groups"], *document["totals"]]:
        if row["cost_usd"] is not None:
            text = money(Decimal(str(row["cost_usd"])), row["cost_kind"], row["unpriced"])
            shown[text] += 1
    return shown


@pytest.mark.parametrize("columns", [60, 80, 120])
def test_every_model_and_cost_on_screen_is_the_json_s(
    cli: Cli, fake: FakeVendors, columns: int
) -> None:
    window = report_window(fake, days=20)
    args = ["report", *window.args, "--provider", "claude", "--provider", "openai"]
    env = {"NO_COLOR": "1", "AIUSAGE_TIMEZONE": "UTC"}
    document = json_of(cli, args, env)
    screen = on_screen(args, cli.env(**env), columns, 60)

    assert all(len(line) <= columns for line in screen.splitlines()), screen
    assert "…" not in screen
    assert Counter(MONEY.findall(screen)) == expected_money(document), screen
    models = {g["key"] for g in document["groups"] if g["key"]}
    assert models and all(model in screen for model in models), screen
    # And no model name on screen that the JSON does not have.
    model_like = set(re.findall(r"\b(?:claude|gpt|o\d)-[\w.-]*", screen))
    assert model_like <= models, model_like - models


def test_claude_analytics_days_are_re_cut_in_the_zone_and_openai_keeps_utc_days(
    cli: Cli, fake: FakeVendors
) -> None:
    zone = "America/Los_Angeles"
    window = report_window(fake, days=10)
    args = ["report", *window.args, "--provider", "claude", "--provider", "openai", "--by", "day"]
    document = json_of(cli, args, {"AIUSAGE_TIMEZONE": zone, "AIUSAGE_CLAUDE_API": "analytics"})
    tz = ZoneInfo(zone)
    since = datetime.fromisoformat(document["since"].replace("Z", "+00:00"))
    until = datetime.fromisoformat(document["until"].replace("Z", "+00:00"))
    want_tokens: dict[str, int] = defaultdict(int)
    want_cost: dict[str, Decimal] = defaultdict(Decimal)
    for u in fake.data.claude:
        if since <= u.hour < until:
            day = u.hour.astimezone(tz).date().isoformat()
            want_tokens[day] += u.output
            want_cost[day] += sum((u.cents(tt) for tt, _ in TOKEN_TYPES), Decimal(0)) / 100
    for c in fake.data.claude_charges:
        if since <= c.hour < until:
            want_cost[c.hour.astimezone(tz).date().isoformat()] += c.cents / 100
    claude = [g for g in document["groups"] if g["provider"] == "claude"]
    assert {g["bucket_zone"] for g in claude} == {zone}
    assert {g["key"]: g["output_tokens"] for g in claude} == dict(want_tokens)
    assert {g["key"]: Decimal(str(g["cost_usd"])) for g in claude} == {
        day: cost for day, cost in want_cost.items() if cost
    }
    assert {g["cost_kind"] for g in claude} == {"reported"}, "billed dollars, not estimates"
    openai = [g for g in document["groups"] if g["provider"] == "openai"]
    assert openai and {g["bucket_zone"] for g in openai} == {"UTC"}
    covered = {(c["provider"], c["source"]): c for c in document["coverage"]}
    assert covered[("openai", "api")]["bucket_zone"] == "UTC"
    assert ("claude", "api") not in covered

    table = cli.run(*args, env={"AIUSAGE_TIMEZONE": zone, "AIUSAGE_CLAUDE_API": "analytics"})
    assert f", {zone}" in table.stdout
    assert " UTC " in table.stdout and "openai api: whole UTC days" in table.stdout


@pytest.fixture
def logs_env(tmp_path: Path) -> dict[str, str]:
    """A typical user: Claude Code and Codex logs (two providers, several models), no API key."""
    root = tmp_path / "tree"
    made = subprocess.run(
        [sys.executable, str(GENERATOR), "create", str(root), "--claude-mb", "2",
         "--codex-mb", "1", "--days", "20"],
        capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert made.returncode == 0, made.stderr
    home = tmp_path / "user"
    home.mkdir()
    return {
        "PATH": os.environ.get("PATH", ""),
        "HOME": str(home),
        "AIUSAGE_HOME": str(tmp_path / "store"),
        "CLAUDE_CONFIG_DIR": str(root / "claude"),
        "CODEX_HOME": str(root / "codex"),
        "AIUSAGE_TIMEZONE": "UTC",
        "LANG": "C.UTF-8",
    }


def test_the_first_screen_fits_80_by_24_with_the_totals_in_view(
    logs_env: dict[str, str],
) -> None:
    args = ["report", "--since", "2000-01-01"]
    screen = on_screen(args, logs_env, 80, 24).rstrip("\n").splitlines()
    # The last line of a 24-line terminal is the shell's prompt.
    assert len(screen) <= 23, "\n".join(screen)
    assert any(line.startswith("Total") for line in screen)
    assert screen[-1] == "APIs not set up: claude, openai, gemini, cursor — aiusage test-keys"
    assert any(line.startswith("Limits: ") and "aiusage status" in line for line in screen)


@pytest.mark.parametrize("columns", [20, 40, 200])
def test_odd_terminal_widths_keep_every_model_and_cost(
    logs_env: dict[str, str], columns: int
) -> None:
    args = ["report", "--since", "2000-01-01"]
    run = subprocess.run(
        [str(AIUSAGE), *args, "--format", "json"],
        env=logs_env, capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert run.returncode == 0, run.stderr
    document = json.loads(run.stdout, parse_float=Decimal)
    screen = on_screen(args, logs_env, columns, 200)
    assert "Traceback" not in screen and "…" not in screen
    assert Counter(MONEY.findall(screen)) == expected_money(document)
    joined = screen.replace("\n", "")
    assert all(g["key"] in joined for g in document["groups"])


def test_a_los_angeles_and_a_tokyo_user_each_get_their_own_days(
    logs_env: dict[str, str],
) -> None:
    for zone in ("America/Los_Angeles", "Asia/Tokyo"):
        run = subprocess.run(
            [str(AIUSAGE), "report", "--since", "2000-01-01", "--by", "day", "--json"],
            env={**logs_env, "AIUSAGE_TIMEZONE": zone},
            capture_output=True, text=True, timeout=120, check=False,
        )  # fmt: skip
        assert run.returncode == 0, run.stderr
        document = json.loads(run.stdout)
        tz = ZoneInfo(zone)
        by_day: dict[tuple[str, str], int] = defaultdict(int)
        for r in document["records"]:
            start = datetime.fromisoformat(r["start"].replace("Z", "+00:00")).astimezone(UTC)
            by_day[(start.astimezone(tz).date().isoformat(), r["provider"])] += r["output_tokens"]
        groups = {(g["key"], g["provider"]): g["output_tokens"] for g in document["groups"]}
        assert groups == dict(by_day)
        assert {g["bucket_zone"] for g in document["groups"]} == {zone}
