"""``aiusage serve`` as a process: a failing vendor, signals, a taken port, a public address."""

from __future__ import annotations

import signal
import socket
import subprocess
import time
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

from tests.e2e.conftest import AIUSAGE, RUN_TIMEOUT, Cli, report_window
from tests.e2e.fake_vendors import FakeVendors, Fault
from tests.integration.stack import Daemon, answers, daemon, free_port, wait_for

pytestmark = pytest.mark.e2e
UTC_ENV = {"AIUSAGE_TIMEZONE": "UTC"}


@pytest.fixture
def cli(fake: FakeVendors, tmp_path: Path) -> Cli:
    return Cli(fake, tmp_path / "cli")


def scrape(serve: Daemon) -> dict[tuple[str, frozenset[tuple[str, str]]], float]:
    text = httpx.get(f"{serve.url}/metrics", timeout=10).text
    return {
        (s.name, frozenset(s.labels.items())): s.value
        for family in text_string_to_metric_families(text)
        for s in family.samples
    }


def claude_api(found: dict[tuple[str, frozenset[tuple[str, str]]], float], name: str) -> float:
    return sum(
        v for (n, labels), v in found.items()
        if n == name and {("provider", "claude"), ("source", "api")} <= labels
    )  # fmt: skip


def serve_args(port: int, *extra: str) -> list[str]:
    return [str(AIUSAGE), "serve", "--port", str(port), *extra]


def test_a_vendor_failing_during_serve_keeps_the_values_and_reports_the_source_down(
    cli: Cli, fake: FakeVendors, tmp_path: Path
) -> None:
    window = report_window(fake, days=10)
    report = cli.run("report", *window.args, "--format", "json", "--provider", "claude",
                     env=UTC_ENV)  # fmt: skip
    assert report.code == 0, report
    reported = sum(r["input_tokens"] for r in report.document()["records"])
    fetched_before = datetime.now(UTC).timestamp()
    fake.inject("anthropic", Fault("status", status=500))
    port = free_port()
    with daemon("aiusage serve", serve_args(port), tmp_path, port, cli.env(**UTC_ENV)) as serve:
        wait_for("aiusage serve", answers(f"{serve.url}/healthz"), [serve])

        def claude_down() -> dict[tuple[str, frozenset[tuple[str, str]]], float] | None:
            found = scrape(serve)
            return found if claude_api(found, "aiusage_source_up") == 0 and any(
                n == "aiusage_source_up" and ("provider", "claude") in labels
                for n, labels in found
            ) else None  # fmt: skip

        found = wait_for("claude api down", claude_down, [serve], timeout=90)
        assert claude_api(found, "aiusage_tokens_total") > 0
        inputs = sum(
            v for (n, labels), v in found.items()
            if n == "aiusage_tokens_total"
            and {("provider", "claude"), ("source", "api"), ("type", "input")} <= labels
        )  # fmt: skip
        assert inputs == reported  # the values from before the failure stay
        last = claude_api(found, "aiusage_last_success_timestamp_seconds")
        assert 0 < last <= fetched_before  # freshness does not advance on a failure
        assert fake.count("anthropic") > 0  # it did try
        assert serve.alive()
        assert serve.stop(signal.SIGTERM) == 0
    log = serve.output()
    assert "claude api:" in log
    assert "Traceback" not in log
    assert log.rstrip().endswith("aiusage: stopped")


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM])
def test_serve_stops_cleanly_on_a_signal(cli: Cli, tmp_path: Path, sig: signal.Signals) -> None:
    port = free_port()
    env = cli.env(**UTC_ENV, ANTHROPIC_ADMIN_KEY=None, OPENAI_ADMIN_KEY=None)
    with daemon("aiusage serve", serve_args(port), tmp_path, port, env) as serve:
        wait_for("aiusage serve", answers(f"{serve.url}/healthz"), [serve])
        started = time.monotonic()
        assert serve.stop(sig) == 0
        assert time.monotonic() - started < 5
    assert "Traceback" not in serve.output()
    with socket.socket() as again:  # nobody listens on the port any more
        again.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        again.bind(("127.0.0.1", port))
        again.listen()


def test_a_port_in_use_is_one_clear_line_and_exit_1(cli: Cli) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        done = subprocess.run(
            serve_args(port), env=cli.env(), capture_output=True, text=True,
            timeout=RUN_TIMEOUT, check=False,
        )  # fmt: skip
    assert done.returncode == 1
    assert done.stderr == (
        f"aiusage: port {port} on 127.0.0.1 is already in use; stop the program using it or "
        "choose another with --port\n"
    )


def test_binding_beyond_loopback_is_said_aloud(cli: Cli, tmp_path: Path) -> None:
    port = free_port()
    args = serve_args(port, "--host", "0.0.0.0")
    with daemon("aiusage serve", args, tmp_path, port, cli.env()) as serve:
        wait_for("aiusage serve", answers(f"{serve.url}/healthz"), [serve])
        serve.stop()
    assert "listening on 0.0.0.0, not only on this machine" in serve.output()


def test_loopback_is_the_default_and_nothing_else_answers(cli: Cli, tmp_path: Path) -> None:
    port = free_port()
    with daemon("aiusage serve", serve_args(port), tmp_path, port, cli.env()) as serve:
        wait_for("aiusage serve", answers(f"{serve.url}/healthz"), [serve])
        assert f"serving metrics on http://127.0.0.1:{port}/metrics" in serve.output()
        assert "not only on this machine" not in serve.output()
