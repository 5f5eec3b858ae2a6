"""Every test runs with an empty environment of its own: no real keys, a private store."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from httpx_retries import Retry

from aiusage import http_client
from aiusage.settings import environment_variables

FIXTURES = Path(__file__).parent / "fixtures"

# Besides what Settings reads: folders it derives paths from, Google's own config, colour.
OTHER_VARIABLES = (
    "XDG_CONFIG_HOME",
    "XDG_DATA_HOME",
    "NO_COLOR",
    "GOOGLE_CLOUD_QUOTA_PROJECT",
    "CLOUDSDK_CONFIG",
    "AIUSAGE_DEBUG",
)
PROVIDER_VARIABLES = (*environment_variables(), *OTHER_VARIABLES)


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
