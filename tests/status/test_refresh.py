"""Refreshing live sources: codex app-server is asked when due, and its failures are recorded."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from aiusage.settings import load_settings
from aiusage.sources.live.readings import get_state, load_readings
from aiusage.status.refresh import APP_SERVER_ERROR, NO_ANSWER, refresh_codex
from aiusage.store import Store
from tests.sources.live.fake_codex_bin import install_fake_codex, path_with


@pytest.fixture
def store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Store]:
    monkeypatch.setenv("PATH", path_with(install_fake_codex(tmp_path / "bin")))
    monkeypatch.setenv("FAKE_CODEX_PIDS", str(tmp_path / "pids"))
    opened = Store.open(load_settings().store_path)
    yield opened
    opened.close()


def started(tmp_path: Path) -> int:
    pids = tmp_path / "pids"
    return len(pids.read_text().split()) if pids.exists() else 0


def test_codex_is_asked_again_only_when_the_last_answer_is_old_enough(
    store: Store, tmp_path: Path
) -> None:
    now = int(time.time())
    refresh_codex(load_settings(), store, now, max_age=60)
    refresh_codex(load_settings(), store, now + 59, max_age=60)
    assert started(tmp_path) == 1
    refresh_codex(load_settings(), store, now + 60, max_age=60)
    assert started(tmp_path) == 2
    assert get_state(store.db, APP_SERVER_ERROR) is None


def test_a_failure_is_recorded_and_the_last_reading_kept(
    store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    now = int(time.time())
    refresh_codex(load_settings(), store, now)
    before = load_readings(store.db)
    monkeypatch.setenv("FAKE_CODEX_MODE", "exit")
    refresh_codex(load_settings(), store, now + 5)
    error = get_state(store.db, APP_SERVER_ERROR)
    assert error is not None and error.startswith(NO_ANSWER)
    assert load_readings(store.db) == before and before
    monkeypatch.setenv("FAKE_CODEX_MODE", "ok")
    refresh_codex(load_settings(), store, now + 10)
    assert get_state(store.db, APP_SERVER_ERROR) is None


def test_without_codex_on_path_nothing_is_started(
    store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    refresh_codex(load_settings(), store, int(time.time()))
    assert started(tmp_path) == 0 and load_readings(store.db) == []
