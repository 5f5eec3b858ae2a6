"""Fixtures of the local log tests: the isolated home folder and an open store."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from aiusage.settings import Settings
from aiusage.store import Store


@pytest.fixture
def home(isolated_environment: Path) -> Path:
    return isolated_environment / "home"


@pytest.fixture
def store(isolated_environment: Path) -> Iterator[Store]:
    opened = Store.open(Settings().store_path)
    yield opened
    opened.close()
