"""``aiusage status`` end to end: every figure of ``--format json`` against its fixture, the
status line feeding it, a fake ``codex`` on PATH, a loopback Cursor endpoint, and ``--watch``
under a pseudo-terminal."""

from __future__ import annotations

import json
import os
import pty
import select
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import load_fixture
from tests.e2e.fake_cursor_live import Answer, FakeCursorLive, fake_cursor_live
from tests.sources.live.cursor_state import make_jwt, write_state_db
from tests.sources.live.fake_codex_bin import FAKE_CODEX, FIXTURE_PRIMARY_RESET
from tests.sources.logs.logs import (
    assistant,
    claude_project,
    claude_usage,
    session_meta,
    token_count,
    turn_context,
    write_lines,
)

pytestmark = pytest.mark.e2e

AIUSAGE = Path(sys.executable).parent / "aiusage"
SONNET = "claude-sonnet-4-5-20250929"  # $3 per million input tokens, $15 per million output


def iso(epoch: float) -> str:
    return datetime.fromtimestamp(epoch, UTC).strftime("%Y-%m-%dT%H:%M:%S.000Z")


def utc(epoch: int) -> str:
    return datetime.fromtimestamp(epoch, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


class Machine:
    """A private home with Claude Code and Codex logs, Cursor signed in, codex on PATH."""

    def __init__(self, root: Path, cursor: FakeCursorLive) -> None:
        self.root = root
        self.now = int(time.time())
        self.home = root / "home"
        self.bin = root / "bin"
        self.pids = root / "codex-pids"
        for folder in (self.home, self.bin):
            folder.mkdir(parents=True)
        (self.bin / "codex").write_text(f'#!/bin/sh\nexec "{sys.executable}" "{FAKE_CODEX}" "$@"\n')
        (self.bin / "codex").chmod(0o755)
        self.shift = self.now + 7200 - FIXTURE_PRIMARY_RESET
        self.cursor = cursor
        self.cycle = (self.now - 10 * 86400, self.now + 20 * 86400)
        write_state_db(self.home / ".config", make_jwt(exp=self.now + 86400))

    def env(self, **extra: str) -> dict[str, str]:
        return {
            "PATH": f"{self.bin}{os.pathsep}/usr/bin{os.pathsep}/bin",
            "HOME": str(self.home),
            "XDG_CONFIG_HOME": str(self.home / ".config"),
            "XDG_DATA_HOME": str(self.home / ".local" / "share"),
            "AIUSAGE_HOME": str(self.root / "store"),
            "AIUSAGE_TIMEZONE": "UTC",
            "AIUSAGE_CURSOR_LIVE": "1",
            "AIUSAGE_CURSOR_LIVE_BASE_URL": self.cursor.url,
            "AIUSAGE_HTTP_TIMEOUT": "3",
            "FAKE_CODEX_SHIFT": str(self.shift),
            "FAKE_CODEX_PIDS": str(self.pids),
            "NO_COLOR": "1",
            "COLUMNS": "120",
            "LANG": "C.UTF-8",
            "PYTHONIOENCODING": "utf-8",
            **extra,
        }

    def run(self, *args: str, stdin: str = "", **extra: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [str(AIUSAGE), *args],
            input=stdin,
            env=self.env(**extra),
            cwd=self.root,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )

    def status_document(self, *args: str, **extra: str) -> tuple[int, dict[str, Any]]:
        done = self.run("status", "--format", "json", *args, **extra)
        assert done.returncode in (0, 3), done.stderr
        return done.returncode, json.loads(done.stdout, parse_float=Decimal)

    def write_logs(self) -> None:
        # Claude Code: two requests 20 minutes apart, 150k input and 30k output tokens in all.
        write_lines(
            claude_project(self.home) / "session.jsonl",
            [
                assistant(
                    "msg_1",
                    "req_1",
                    claude_usage(100_000, 20_000),
                    timestamp=iso(self.now - 1800),
                    model=SONNET,
                ),
                assistant(
                    "msg_2",
                    "req_2",
                    claude_usage(50_000, 10_000),
                    timestamp=iso(self.now - 600),
                    model=SONNET,
                ),
            ],
        )
        # Codex: a rate-limit snapshot only (no usage), one window current, one already reset.
        limits = {
            "limit_id": "codex",
            "primary": {"used_percent": 12.5, "window_minutes": 300, "resets_at": self.now + 3600},
            "secondary": {
                "used_percent": 60.0,
                "window_minutes": 10080,
                "resets_at": self.now - 100,
            },
        }
        day = datetime.fromtimestamp(self.now - 900, UTC)
        write_lines(
            self.home / ".codex" / "sessions" / f"{day:%Y/%m/%d}" / "rollout-x-0199.jsonl",
            [
                session_meta(timestamp=iso(self.now - 960)),
                turn_context(timestamp=iso(self.now - 950)),
                token_count(iso(self.now - 900), None, rate_limits=limits),
            ],
        )

    def statusline_input(self) -> str:
        data = load_fixture("live/statusline_input.json")
        data["rate_limits"]["five_hour"]["resets_at"] = self.now + 7200
        data["rate_limits"]["seven_day"]["resets_at"] = self.now + 3 * 86400
        return json.dumps(data)

    def cursor_summary(self) -> dict[str, Any]:
        body: dict[str, Any] = load_fixture("live/cursor_usage_summary.json")
        body["billingCycleStart"] = iso(self.cycle[0])
        body["billingCycleEnd"] = iso(self.cycle[1])
        return body


@pytest.fixture
def machine(tmp_path: Path) -> Iterator[Machine]:
    with fake_cursor_live() as cursor:
        yield Machine(tmp_path / "machine", cursor)


def windows_of(document: dict[str, Any]) -> dict[tuple[str, str, str | None, str], Any]:
    return {(w["provider"], w["source"], w["model"], w["window"]): w for w in document["windows"]}


def test_status_json_shows_every_figure_of_every_live_source(machine: Machine) -> None:
    machine.write_logs()
    machine.cursor.answers.append(Answer(200, machine.cursor_summary()))
    line = machine.run("statusline", stdin=machine.statusline_input())
    assert line.returncode == 0 and "5h 24%" in line.stdout
    assert machine.run("budget", "set", "--monthly", "0.50").returncode == 0

    code, doc = machine.status_document("--check")
    assert code == 3  # the budget is blown and a Spark window is at 100 %
    assert doc["schema"] == "aiusage.status/1" and doc["timezone"] == "UTC"
    now, shift = machine.now, machine.shift
    found = windows_of(doc)
    expected = {
        ("claude", "statusline", None, "five_hour"): ("0.235", now + 7200, 18000),
        ("claude", "statusline", None, "seven_day"): ("0.412", now + 3 * 86400, 604800),
        ("openai", "app-server", None, "five_hour"): ("0.22", 1787040000 + shift, 18000),
        ("openai", "app-server", None, "seven_day"): ("0.43", 1787500000 + shift, 604800),
        ("openai", "app-server", "GPT-5.3-Codex-Spark", "five_hour"): (
            "0.30",
            1787041000 + shift,
            18000,
        ),
        ("openai", "app-server", "GPT-5.3-Codex-Spark", "seven_day"): (
            "1",
            1787500000 + shift,
            604800,
        ),
        ("openai", "rollout-log", None, "five_hour"): ("0.125", now + 3600, 18000),
        ("cursor", "cursor-live", None, "billing_cycle"): ("0.546", machine.cycle[1], 30 * 86400),
        ("cursor", "cursor-live", None, "on_demand"): ("0", machine.cycle[1], 30 * 86400),
    }
    for key, (used, resets, seconds) in expected.items():
        window = found[key]
        assert (window["used_ratio"], window["resets_at"], window["window_seconds"]) == (
            Decimal(used),
            utc(resets),
            seconds,
        ), key
        assert window["stale"] is False and window["expired"] is False, key
    credits = found[("openai", "app-server", None, "credits")]
    assert (credits["used_ratio"], credits["detail"]) == (None, "credits balance 150")
    expired = found[("openai", "rollout-log", None, "seven_day")]
    assert expired["expired"] is True and expired["used_ratio"] is None
    assert expired["resets_at"] is None  # the log reader drops the passed reset
    assert found[("openai", "app-server", "GPT-5.3-Codex-Spark", "seven_day")]["warn"] is True
    assert len(found) == len(expected) + 2

    [block] = doc["blocks"]
    first = machine.now - 1800
    start = first - first % 3600
    assert (block["provider"], block["start"], block["end"]) == (
        "claude",
        utc(start),
        utc(start + 5 * 3600),
    )
    assert (block["tokens"], block["cost_usd"], block["cost_kind"]) == (
        180_000,
        Decimal("0.9"),
        "estimated",
    )
    # 180k tokens and $0.90 over the 20 minutes from the first request to the last.
    assert block["burn_tokens_per_min"] == Decimal(9000)
    assert block["burn_usd_per_hour"] == Decimal("2.7")
    generated = datetime.fromisoformat(doc["generated_at"])
    left = Decimal(str((datetime.fromtimestamp(start + 5 * 3600, UTC) - generated).total_seconds()))
    assert abs(
        block["projected_cost_usd"] - (Decimal("0.9") + Decimal("0.045") * left / 60)
    ) < Decimal("0.01")

    spend = {s["provider"]: s for s in doc["spend"]}
    assert (spend["claude"]["spent_usd"], spend["claude"]["spent_kind"]) == (
        Decimal("0.9"),
        "estimated",
    )
    assert spend["all"]["spent_usd"] == Decimal("0.9")
    month_start = datetime.fromisoformat(doc["month_start"])
    month_end = (month_start + timedelta(days=32)).replace(day=1)
    share = (generated - month_start) / (month_end - month_start)
    assert abs(float(spend["all"]["projected_usd"]) - 0.9 / share) < 0.02
    [budget] = doc["budgets"]
    assert (budget["provider"], budget["monthly_usd"], budget["spent_usd"]) == (
        "all",
        Decimal("0.5"),
        Decimal("0.9"),
    )
    assert budget["over"] is True and budget["warn_ratio"] == Decimal("0.8")
    assert doc["errors"] == []

    request = machine.cursor.requests[0]
    assert request["user-agent"].startswith("aiusage/")
    assert request["cookie"].startswith("WorkosCursorSessionToken=user_01ABC%3A%3A")


def test_the_table_and_a_failing_live_source_keep_the_last_reading(machine: Machine) -> None:
    machine.cursor.answers.append(Answer(200, machine.cursor_summary()))
    first = machine.run("status")
    assert first.returncode == 0, first.stderr
    assert "undocumented" in first.stderr  # the one-time notice
    assert "55 %" in first.stdout and "22 %" in first.stdout
    machine.cursor.answers[:] = [Answer(429, {"error": "slow down"}, {"Retry-After": "0"})]
    # A later run 3 minutes on: the state database says when the next request is allowed.
    store = sqlite_store(machine)
    store.execute("UPDATE live_state SET value = '0' WHERE key LIKE 'cursor-live:next:%'")
    store.commit()
    store.close()
    later = machine.run("status", FAKE_CODEX_MODE="hang", AIUSAGE_HTTP_TIMEOUT="1")
    assert later.returncode == 0, later.stderr
    assert "undocumented" not in later.stderr
    assert "n/a (codex app-server did not answer)" in later.stdout
    assert "Cursor is rate limiting aiusage (HTTP 429)" in later.stdout
    assert "55 %" in later.stdout and "22 %" in later.stdout  # the last good readings
    assert len(machine.cursor.requests) == 2
    started = [Path(f"/proc/{pid}") for pid in machine.pids.read_text().split()]
    deadline = time.monotonic() + 5  # an orphaned helper is reaped by init, not at once
    while any(p.exists() for p in started) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not [p for p in started if p.exists()]  # codex and the helper it started are gone


def sqlite_store(machine: Machine) -> Any:
    import sqlite3

    return sqlite3.connect(machine.root / "store" / "aiusage.sqlite3")


def read_until(fd: int, needle: bytes, count: int, timeout: float) -> bytes:
    seen = b""
    deadline = time.monotonic() + timeout
    while seen.count(needle) < count and time.monotonic() < deadline:
        ready, _, _ = select.select([fd], [], [], 0.2)
        if ready:
            try:
                chunk = os.read(fd, 65536)
            except OSError:
                break
            if not chunk:
                break
            seen += chunk
    return seen


def test_watch_redraws_in_place_and_ctrl_c_exits_0(machine: Machine) -> None:
    machine.run("statusline", stdin=machine.statusline_input())
    leader, follower = pty.openpty()
    child = subprocess.Popen(
        [str(AIUSAGE), "status", "--watch", "2"],
        env=machine.env(TERM="xterm", AIUSAGE_CURSOR_LIVE="0", COLUMNS="100", LINES="40"),
        cwd=machine.root,
        stdin=follower,
        stdout=follower,
        stderr=follower,
        start_new_session=True,
    )
    os.close(follower)
    try:
        screen = read_until(leader, b"as of", 3, timeout=60)
        assert screen.count(b"as of") >= 3, screen[-2000:]  # the first frame and two redraws
        assert b"\x1b[?25l" in screen  # Rich Live hid the cursor
        assert b"24 %" in screen
        child.send_signal(signal.SIGINT)
        rest = read_until(leader, b"\x1b[?25h", 1, timeout=20)
        assert child.wait(timeout=20) == 0
        assert b"\x1b[?25h" in rest  # the cursor is shown again
        assert b"Traceback" not in screen + rest
    finally:
        if child.poll() is None:
            child.kill()
            child.wait()
        os.close(leader)


def test_cursor_database_locked_or_missing_is_one_clear_line(machine: Machine) -> None:
    import sqlite3

    machine.cursor.answers.append(Answer(200, machine.cursor_summary()))
    database = machine.home / ".config" / "Cursor" / "User" / "globalStorage" / "state.vscdb"
    writer = sqlite3.connect(database, isolation_level=None)
    writer.execute("BEGIN EXCLUSIVE")  # Cursor in the middle of a write
    try:
        locked = machine.run("status", "--provider", "cursor")
    finally:
        writer.execute("ROLLBACK")
        writer.close()
    assert locked.returncode == 0, locked.stderr
    assert "Cursor's state database is locked" in locked.stdout
    assert machine.cursor.requests == []
    database.unlink()
    missing = machine.run("status", "--provider", "cursor")
    assert "Cursor's state database is not at" in missing.stdout
    assert "Traceback" not in locked.stderr + missing.stderr
