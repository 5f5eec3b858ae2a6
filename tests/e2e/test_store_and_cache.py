"""The store on disk: the cache TTL, --refresh, --offline, a killed run, many runs at once."""

from __future__ import annotations

import signal
import sqlite3
import time
from pathlib import Path

import pytest

from tests.e2e.conftest import Cli, Run, report_window, totals
from tests.e2e.fake_vendors import FakeVendors

pytestmark = pytest.mark.e2e

CONCURRENT = 20


def claude_report(cli: Cli, *args: str, **env: str) -> Run:
    window = report_window(cli.fake, days=20)
    return cli.run(
        "report", *window.args, "--provider", "claude", "--format", "json", *args, env=env
    )


def assert_exact(cli: Cli, run: Run) -> None:
    assert run.code == 0, run
    window = report_window(cli.fake, days=20)
    doc = run.document()
    assert doc["errors"] == []
    assert totals(doc["records"], "claude") == cli.fake.data.expected("claude", *window.bounds)


def test_a_second_report_within_the_ttl_sends_no_request(cli: Cli, fake: FakeVendors) -> None:
    first = claude_report(cli)
    sent = fake.count()
    assert sent > 0

    second = claude_report(cli)

    assert fake.count() == sent
    assert_exact(cli, second)
    assert second.document()["records"] == first.document()["records"]


def test_refresh_sends_the_requests_again(cli: Cli, fake: FakeVendors) -> None:
    claude_report(cli)
    sent = fake.count()

    again = claude_report(cli, "--refresh")

    assert fake.count() == 2 * sent
    assert_exact(cli, again)


def test_offline_reports_from_the_store_when_the_server_is_gone(tmp_path: Path) -> None:
    server = FakeVendors(seed=7).start()
    cli = Cli(server, tmp_path)
    assert_exact(cli, claude_report(cli))
    server.stop()

    offline = claude_report(cli, "--offline")

    assert_exact(cli, offline)


def integrity(store: Path) -> str:
    with sqlite3.connect(store) as db:
        return str(db.execute("PRAGMA integrity_check").fetchone()[0])


def kill_during_fetch(cli: Cli, fake: FakeVendors, *args: str) -> None:
    """Start a report against a slow fake and SIGKILL it once requests are in flight."""
    fake.latency = 0.4
    before = fake.count()
    process = cli.start(
        "report",
        *report_window(fake, days=20).args,
        "--provider",
        "claude",
        "--format",
        "json",
        *args,
    )
    deadline = time.monotonic() + 30
    while fake.count() < before + 2 and time.monotonic() < deadline:
        time.sleep(0.02)
    process.send_signal(signal.SIGKILL)
    process.communicate(timeout=30)
    assert process.returncode == -signal.SIGKILL
    fake.latency = 0.0


def test_a_run_killed_mid_fetch_leaves_a_store_that_opens_and_nothing_doubled(
    cli: Cli, fake: FakeVendors
) -> None:
    kill_during_fetch(cli, fake)
    assert_exact(cli, claude_report(cli))

    kill_during_fetch(cli, fake, "--refresh")
    after = claude_report(cli)

    assert_exact(cli, after)
    assert integrity(cli.store_file) == "ok"


def test_twenty_processes_share_one_store(cli: Cli, fake: FakeVendors) -> None:
    fake.latency = 0.02
    window = report_window(fake, days=20)
    processes = [
        cli.start(
            "report",
            *window.args,
            "--provider",
            "claude",
            "--format",
            "json",
            *(["--refresh"] if i % 2 else []),
        )
        for i in range(CONCURRENT)
    ]
    results = []
    for process in processes:
        out, err = process.communicate(timeout=180)
        results.append(Run(process.returncode, out, err))

    for run in results:
        assert "database is locked" not in run.stderr
        assert_exact(cli, run)
    assert integrity(cli.store_file) == "ok"
