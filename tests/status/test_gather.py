"""``current_readings``: what other features (the metrics export) get, from this machine only."""

from __future__ import annotations

import time
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import pytest
import respx

from aiusage.settings import load_settings
from aiusage.sources.live.readings import Reading, save_readings, set_state
from aiusage.sources.manual import budget
from aiusage.status.gather import current_readings
from aiusage.store import Store
from tests.sources.live.fake_codex_bin import install_fake_codex, path_with


def test_reads_the_store_and_never_starts_codex_or_calls_a_vendor(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PATH", path_with(install_fake_codex(tmp_path / "bin")))
    monkeypatch.setenv("FAKE_CODEX_PIDS", str(tmp_path / "pids"))
    monkeypatch.setenv("AIUSAGE_CURSOR_LIVE", "1")
    monkeypatch.setenv("AIUSAGE_TIMEZONE", "Europe/Berlin")
    settings = load_settings()
    now = datetime.fromtimestamp(int(time.time()), UTC)
    store = Store.open(settings.store_path)
    save_readings(
        store.db,
        "openai",
        "app-server",
        [
            Reading(
                provider="openai",
                source="app-server",
                window="five_hour",
                used_ratio=Decimal("0.5"),
                resets_at=int(now.timestamp()) + 3600,
                window_seconds=18000,
                observed_at=int(now.timestamp()) - 120,
            )
        ],
        replace=True,
    )
    set_state(store.db, "error:cursor:cursor-live", "Cursor refused the app's session token")
    budget.set_budget(store, "all", Decimal(100), Decimal(50), now)
    with respx.mock(assert_all_mocked=True, assert_all_called=False) as router:
        document = current_readings(settings, store, now)
    store.close()
    assert not router.calls
    assert not (tmp_path / "pids").exists()  # codex was not started
    [window] = document.windows
    assert (window.provider, window.used_ratio, window.warn) == ("openai", Decimal("0.5"), True)
    assert [(e.provider, e.source) for e in document.errors] == [("cursor", "cursor-live")]
    [overall] = document.budgets
    assert (overall.provider, overall.monthly_usd) == ("all", Decimal(100))
    assert overall.spent_usd == 0
    assert document.timezone == "Europe/Berlin"
    assert document.month_start.astimezone(UTC).hour in (22, 23)  # Berlin midnight in UTC


def test_cursor_live_figures_are_hidden_once_it_is_turned_off(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    now = datetime.fromtimestamp(int(time.time()), UTC)
    store = Store.open(load_settings().store_path)
    live = Reading(
        provider="cursor",
        source="cursor-live",
        window="billing_cycle",
        used_ratio=Decimal("0.4"),
        resets_at=int(now.timestamp()) + 86400,
        window_seconds=30 * 86400,
        observed_at=int(now.timestamp()) - 60,
    )
    save_readings(store.db, "cursor", "cursor-live", [live], replace=True)
    set_state(store.db, "error:cursor:cursor-live", "Cursor is rate limiting aiusage (HTTP 429)")
    monkeypatch.setenv("AIUSAGE_CURSOR_LIVE", "1")
    shown = current_readings(load_settings(), store, now)
    assert [w.source for w in shown.windows] == ["cursor-live"] and shown.errors
    monkeypatch.setenv("AIUSAGE_CURSOR_LIVE", "0")
    hidden = current_readings(load_settings(), store, now)
    store.close()
    assert hidden.windows == () and hidden.errors == ()
