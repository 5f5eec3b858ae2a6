"""A credentials path that is not a regular file fails at once, through the installed CLI."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest

from tests.e2e.conftest import Cli

pytestmark = pytest.mark.e2e

# Well under the suite's hang limit: reading /dev/zero or waiting on a FIFO never ends.
BOUND = 30


def run(cli: Cli, credentials: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        cli.command(args),
        env=cli.env(GOOGLE_APPLICATION_CREDENTIALS=str(credentials)),
        cwd=cli.work,
        capture_output=True,
        text=True,
        timeout=BOUND,
        check=False,
    )


def special_files(tmp_path: Path) -> list[Path]:
    fifo = tmp_path / "credentials.fifo"
    os.mkfifo(fifo)
    return [Path("/dev/zero"), fifo]


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs FIFOs and /dev/zero")
def test_a_device_or_fifo_as_credentials_is_a_config_error_not_a_hang(
    cli: Cli, tmp_path: Path
) -> None:
    for path in special_files(tmp_path):
        done = run(cli, path, "report", "--provider", "gemini", "--format", "json")

        assert done.returncode == 1, done.stderr
        assert "Traceback" not in done.stderr
        (error,) = json.loads(done.stdout)["errors"]
        assert (error["provider"], error["kind"]) == ("gemini", "config")
        assert "not a regular file" in error["message"] and str(path) in error["message"]


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs FIFOs and /dev/zero")
def test_test_keys_calls_a_device_or_fifo_malformed(cli: Cli, tmp_path: Path) -> None:
    for path in special_files(tmp_path):
        done = run(cli, path, "test-keys", "--provider", "gemini", "--format", "json")

        assert "Traceback" not in done.stderr
        checks = {c["credential"]: c for c in json.loads(done.stdout)}
        verdict = checks["GOOGLE_APPLICATION_CREDENTIALS"]
        assert verdict["status"] == "malformed" and "not a regular file" in verdict["detail"]
        assert done.returncode == 1
