"""Every test runs with an empty environment of its own: no real keys, a private store."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from httpx_retries import Retry

from aiusage import http_client

FIXTURES = Path(__file__).parent / "fixtures"

PROVIDER_VARIABLES = (
    "ANTHROPIC_ADMIN_KEY",
    "CLAUDE_API_KEY",
    "OPENAI_ADMIN_KEY",
    "OPENAI_API_KEY",
    "GOOGLE_APPLICATION_CREDENTIALS",
    "GOOGLE_CLOUD_PROJECT",
    "GEMINI_API_KEY",
    "CURSOR_ADMIN_KEY",
    "CURSOR_TOKEN",
    "AIUSAGE_ANTHROPIC_BASE_URL",
    "AIUSAGE_OPENAI_BASE_URL",
    "AIUSAGE_CURSOR_BASE_URL",
    "AIUSAGE_GOOGLE_MONITORING_URL",
    "AIUSAGE_GEMINI_BASE_URL",
    "AIUSAGE_CLAUDE_API",
    "AIUSAGE_HOME",
    "AIUSAGE_CACHE_TTL",
    "AIUSAGE_HTTP_TIMEOUT",
    "CLAUDE_CONFIG_DIR",
    "CODEX_HOME",
    "XDG_CONFIG_HOME",
    "XDG_DATA_HOME",
    "NO_COLOR",
    "GOOGLE_CLOUD_QUOTA_PROJECT",
    "CLOUDSDK_CONFIG",
)


@pytest.fixture(autouse=True)
def isolated_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A private home, store and working folder; no provider variable from the real machine."""
    for name in PROVIDER_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / ".config"))
    monkeypatch.setenv("XDG_DATA_HOME", str(home / ".local" / "share"))
    monkeypatch.setenv("AIUSAGE_HOME", str(tmp_path / "store"))
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)
    yield tmp_path


@pytest.fixture(autouse=True)
def instant_retries(monkeypatch: pytest.MonkeyPatch) -> None:
    """Retries keep their policy (which statuses, how many) but never sleep in tests."""

    def fast_retry() -> Retry:
        policy = http_client.retry_policy()
        return policy.copy_with(backoff_factor=0.0, respect_retry_after_header=False)

    monkeypatch.setattr(http_client, "default_retry", fast_retry)


def load_fixture(relative: str) -> Any:
    return json.loads((FIXTURES / relative).read_text())
