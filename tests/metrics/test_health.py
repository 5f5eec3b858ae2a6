"""Source health across refreshes: a failure keeps the last good values and drops ``up``."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

from aiusage.metrics.health import HealthBook, RefreshOutcome, with_stored_fetches
from aiusage.metrics.readings import limit_readings
from aiusage.models import Quota, SourceError
from aiusage.settings import Settings
from aiusage.store import Store

FIRST = datetime(2026, 12, 1, 10, 0, tzinfo=UTC)
LATER = FIRST + timedelta(minutes=15)
CODEX = ("openai", "local")


def window(used: str, name: str = "five_hour", scope: str | None = None) -> Quota:
    return Quota(
        provider="openai",
        source="local",
        name=name,
        used=Decimal(used),
        limit=Decimal(100),
        unit="percent",
        resets_at=FIRST + timedelta(hours=3),
        observed_at=FIRST,
        scope=scope,
    )


def failure() -> SourceError:
    return SourceError(provider="openai", source="local", kind="bad_response", message="broken")


def test_a_failed_refresh_keeps_quotas_and_last_success_and_reports_down() -> None:
    book = HealthBook()
    book.record(
        RefreshOutcome(at=FIRST, tried=frozenset({CODEX}), errors=(), quotas=(window("40"),))
    )
    book.record(RefreshOutcome(at=LATER, tried=frozenset({CODEX}), errors=(failure(),), quotas=()))
    health = book.snapshot()[CODEX]
    assert health.up is False
    assert health.last_success == FIRST
    assert health.quotas == [window("40")]


def test_a_source_read_only_from_the_store_has_quotas_but_no_up() -> None:
    book = HealthBook()
    api = ("openai", "api")
    quota = window("10").model_copy(update={"source": "api"})
    book.record(
        RefreshOutcome(
            at=FIRST, tried=frozenset(), unchecked=frozenset({api}), errors=(), quotas=(quota,)
        )
    )
    health = book.snapshot()[api]
    assert health.up is None and health.last_success is None
    assert health.quotas == [quota]


def test_api_last_success_is_the_latest_stored_fetch(isolated_environment: Path) -> None:
    store = Store.open(Settings().store_path)
    try:
        for key, at in (("a", FIRST), ("b", LATER)):
            store.db.execute(
                "INSERT INTO fetches (cache_key, provider, source, fetched_at, quotas, warnings) "
                "VALUES (?, 'claude', 'api', ?, '[]', '[]')",
                (key, at.isoformat()),
            )
        merged = with_stored_fetches({}, store.db)
    finally:
        store.close()
    assert merged[("claude", "api")].last_success == LATER
    assert merged[("claude", "api")].up is None


def test_limits_sharing_labels_keep_the_most_used_and_never_the_scope() -> None:
    readings = limit_readings(
        [
            window("20", scope="alice@example.com"),
            window("70", scope="bob@example.com"),
            window("5", name="weekly"),
        ]
    )
    assert [(r.window, r.used_ratio) for r in readings] == [
        ("five_hour", Decimal("0.7")),
        ("weekly", Decimal("0.05")),
    ]


def test_a_limit_of_unknown_size_gives_no_ratio() -> None:
    unknown = window("10").model_copy(update={"limit": None})
    assert limit_readings([unknown]) == []
