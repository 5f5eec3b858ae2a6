"""The helpers that start the real daemons fail the test, never skip it, when they cannot."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from tests.integration.stack import binary, daemon, free_port, wait_for

pytestmark = pytest.mark.e2e


def test_a_missing_binary_fails_with_the_install_command() -> None:
    with pytest.raises(pytest.fail.Exception, match="apt-get install -y prometheus"):
        binary("prometheus-that-is-not-installed")


def test_a_daemon_that_dies_fails_the_wait_with_its_output(tmp_path: Path) -> None:
    args = [sys.executable, "-c", "print('cannot start: port taken'); raise SystemExit(1)"]
    with daemon("broken", args, tmp_path, free_port()) as broken:
        with pytest.raises(pytest.fail.Exception, match="cannot start: port taken"):
            wait_for("an answer", lambda: None, [broken], timeout=30)
