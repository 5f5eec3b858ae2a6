"""``codex app-server`` over JSON-RPC stdio: the answer, and every way it can fail, reaped."""

from __future__ import annotations

import os
import time
from decimal import Decimal
from pathlib import Path

import pytest

from aiusage.sources.live.codex.app_server import AppServerError, read_rate_limits
from aiusage.sources.live.codex.limits import readings_from_result
from tests.sources.live.fake_codex_bin import FIXTURE_PRIMARY_RESET, install_fake_codex

NOW = FIXTURE_PRIMARY_RESET - 3600


@pytest.fixture
def codex(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv("FAKE_CODEX_PIDS", str(tmp_path / "pids"))
    return str(install_fake_codex(tmp_path / "bin") / "codex")


def pids(tmp_path: Path) -> list[int]:
    return [int(line) for line in (tmp_path / "pids").read_text().split()]


def gone(pid: int) -> bool:
    """True when no process (not even a zombie) has this pid."""
    return not Path(f"/proc/{pid}").exists()


def assert_reaped(tmp_path: Path) -> None:
    started = pids(tmp_path)
    assert started
    deadline = time.monotonic() + 5
    while not all(gone(pid) for pid in started) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert all(gone(pid) for pid in started), started


def test_reads_every_bucket_of_the_answer(codex: str, tmp_path: Path) -> None:
    result = read_rate_limits(codex, timeout=10)
    readings = {(r.model, r.window): r for r in readings_from_result(result, NOW)}
    assert readings[("", "five_hour")].used_ratio == Decimal("0.22")
    assert readings[("", "five_hour")].resets_at == 1787040000
    assert readings[("", "five_hour")].window_seconds == 300 * 60
    assert readings[("", "seven_day")].used_ratio == Decimal("0.43")
    assert readings[("", "seven_day")].resets_at == 1787500000
    assert readings[("", "credits")].detail == "credits balance 150"
    assert readings[("", "credits")].used_ratio is None
    spark = "GPT-5.3-Codex-Spark"
    assert readings[(spark, "five_hour")].used_ratio == Decimal("0.30")
    assert readings[(spark, "five_hour")].resets_at == 1787041000
    assert readings[(spark, "seven_day")].used_ratio == Decimal("1")
    assert readings[(spark, "seven_day")].detail == "limit reached (rate_limit_reached)"
    assert len(readings) == 5
    assert_reaped(tmp_path)


def test_an_old_codex_with_only_a_weekly_primary_window(
    codex: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FAKE_CODEX_MODE", "minimal")
    readings = readings_from_result(read_rate_limits(codex, timeout=10), NOW)
    assert [(r.window, r.used_ratio, r.window_seconds) for r in readings] == [
        ("seven_day", Decimal("0.07"), 10080 * 60)
    ]


def test_notifications_before_the_answer_are_skipped(
    codex: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FAKE_CODEX_MODE", "notify")
    assert "rateLimits" in read_rate_limits(codex, timeout=10)


@pytest.mark.parametrize(
    ("mode", "said"),
    [
        ("exit", "ended before answering"),
        ("garbage", "not JSON-RPC"),
        ("overloaded", "overloaded"),
    ],
)
def test_a_codex_that_fails_is_an_error_and_is_reaped(
    codex: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, mode: str, said: str
) -> None:
    monkeypatch.setenv("FAKE_CODEX_MODE", mode)
    with pytest.raises(AppServerError, match=said):
        read_rate_limits(codex, timeout=10)
    assert_reaped(tmp_path)


def test_a_codex_that_hangs_is_given_up_on_in_time_with_everything_it_started(
    codex: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FAKE_CODEX_MODE", "hang")
    started = time.monotonic()
    with pytest.raises(AppServerError, match="in time"):
        read_rate_limits(codex, timeout=1.0)
    assert time.monotonic() - started < 5
    assert len(pids(tmp_path)) == 2  # the fake and the helper it started
    assert_reaped(tmp_path)


def test_a_missing_executable_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(AppServerError, match="could not be started"):
        read_rate_limits(str(tmp_path / "no-codex-here"), timeout=1)


def test_no_child_is_left_unwaited(codex: str, monkeypatch: pytest.MonkeyPatch) -> None:
    for mode in ("ok", "exit", "garbage"):
        monkeypatch.setenv("FAKE_CODEX_MODE", mode)
        try:
            read_rate_limits(codex, timeout=5)
        except AppServerError:
            pass
    with pytest.raises(ChildProcessError):
        os.waitpid(-1, os.WNOHANG)
