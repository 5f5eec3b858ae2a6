"""A full disk and a store from a newer aiusage: one clear line with the store's path, no loss."""

from __future__ import annotations

import errno
import sqlite3
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.e2e.conftest import Cli, report_window
from tests.e2e.fake_vendors import FakeVendors

pytestmark = pytest.mark.e2e

FILLER_CHUNK = 16 * 1024


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    """A 3 MB tmpfs of our own (needs root, as CI and the developers' machines have)."""
    mount_point = tmp_path / "small-disk"
    mount_point.mkdir()
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=3m,mode=0700", "tmpfs", str(mount_point)],
        capture_output=True,
        check=False,
    )
    if done.returncode != 0:
        pytest.skip(f"cannot mount a small tmpfs here: {done.stderr.decode().strip()}")
    try:
        yield mount_point
    finally:
        subprocess.run(["umount", "-l", str(mount_point)], check=False)


def fill(folder: Path, leave_bytes: int) -> list[Path]:
    """Fill the disk holding ``folder``, then free about ``leave_bytes`` again."""
    fillers: list[Path] = []
    chunk = b"\0" * FILLER_CHUNK
    while True:
        path = folder / f"filler-{len(fillers):05d}"
        try:
            path.write_bytes(chunk)
        except OSError as exc:
            assert exc.errno == errno.ENOSPC
            path.unlink(missing_ok=True)
            break
        fillers.append(path)
    for _ in range(leave_bytes // FILLER_CHUNK):
        fillers.pop().unlink()
    return fillers


def test_a_full_disk_while_caching_is_one_clean_error_and_loses_nothing(
    cli: Cli, fake: FakeVendors, small_disk: Path
) -> None:
    home = small_disk / "aiusage"
    store_file = home / "aiusage.sqlite3"
    env = {"AIUSAGE_HOME": str(home)}
    first = report_window(fake, days=3).args
    before = cli.run("report", *first, "--format", "json", "--provider", "claude", env=env)
    assert before.code == 0, before
    fillers = fill(small_disk, leave_bytes=128 * 1024)

    full = cli.run("report", *report_window(fake, days=40).args, "--refresh", env=env)

    assert full.code == 1, full
    assert "Traceback" not in full.stderr and "sqlite3." not in full.stderr, full
    assert str(store_file) in full.stdout + full.stderr, full
    assert "disk" in full.stdout + full.stderr, full
    for path in fillers:
        path.unlink()
    after = cli.run(
        "report", *first, "--format", "json", "--provider", "claude", "--offline", env=env
    )
    assert after.code == 0, after
    assert after.document()["records"] == before.document()["records"]


def newer_store(path: Path) -> int:
    db = sqlite3.connect(path)
    (newest,) = db.execute("SELECT MAX(version) FROM schema_migrations").fetchone()
    db.execute("INSERT INTO schema_migrations VALUES (?, datetime('now'))", (newest + 1000,))
    db.execute("ALTER TABLE usage_records RENAME COLUMN input_tokens TO uncached_input_tokens")
    db.commit()
    db.close()
    return int(newest) + 1000


def test_a_store_of_a_newer_aiusage_is_refused_by_every_command(
    cli: Cli, fake: FakeVendors
) -> None:
    assert cli.run("cursor", "set", "--plan", "pro", "--used-usd", "5").code == 0
    schema = newer_store(cli.store_file)
    expected = (
        f"this store was written by a newer aiusage (schema {schema}); upgrade aiusage or "
        "point AIUSAGE_HOME elsewhere"
    )

    runs = [
        cli.run("report", *report_window(fake, days=3).args),
        cli.run("report", "--source", "manual", "--format", "json"),
        cli.run("cursor", "show"),
        cli.run("cursor", "set", "--used-usd", "6"),
    ]

    for run in runs:
        assert run.code == 1, run
        assert expected in run.stderr and "Traceback" not in run.stderr, run
