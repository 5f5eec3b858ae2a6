"""The exporter's HTTP side: content negotiation, /healthz, errors, a port already taken."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import httpx
import pytest

from aiusage.errors import ConfigError
from aiusage.metrics.collector import Snapshot
from aiusage.metrics.server import bind, is_loopback, metrics_app
from aiusage.metrics.totals import SeriesKey, Tally

OPENMETRICS = "application/openmetrics-text; version=1.0.0"


def snapshot() -> Snapshot:
    tally = Tally()
    tally.add_tokens(5, 6, 7, 8)
    return Snapshot(totals={SeriesKey("claude", "local", "claude-sonnet-4-5", ""): tally})


@contextmanager
def serving(read: Callable[[], Snapshot]) -> Iterator[str]:
    server = bind("127.0.0.1", 0, metrics_app(read))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def test_a_plain_scrape_gets_the_classic_text_format() -> None:
    with serving(snapshot) as url:
        answer = httpx.get(f"{url}/metrics")
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("text/plain; version=0.0.4")
    assert 'aiusage_tokens_total{model="claude-sonnet-4-5"' in answer.text
    assert "# EOF" not in answer.text


def test_a_scraper_asking_for_openmetrics_gets_it() -> None:
    with serving(snapshot) as url:
        answer = httpx.get(f"{url}/metrics", headers={"Accept": f"{OPENMETRICS},text/plain;q=0.5"})
    assert answer.headers["content-type"].startswith("application/openmetrics-text")
    assert answer.text.endswith("# EOF\n")


def test_every_scrape_reads_a_fresh_snapshot() -> None:
    reads: list[int] = []

    def read() -> Snapshot:
        reads.append(1)
        return snapshot()

    with serving(read) as url:
        httpx.get(f"{url}/metrics")
        httpx.get(f"{url}/metrics")
    assert len(reads) == 2


def test_healthz_answers_ok_and_unknown_paths_404() -> None:
    with serving(snapshot) as url:
        health = httpx.get(f"{url}/healthz")
        missing = httpx.get(f"{url}/nope")
    assert (health.status_code, health.text) == (200, "ok\n")
    assert missing.status_code == 404


def test_an_unreadable_store_answers_503_with_the_reason_not_a_traceback() -> None:
    def broken() -> Snapshot:
        raise ConfigError("cannot read the store at /x (disk I/O error); check AIUSAGE_HOME")

    with serving(broken) as url:
        scrape = httpx.get(f"{url}/metrics")
        health = httpx.get(f"{url}/healthz")
    assert scrape.status_code == 503 and health.status_code == 503
    assert scrape.text == "cannot read the store at /x (disk I/O error); check AIUSAGE_HOME\n"


def test_a_port_in_use_is_one_clear_error() -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        with pytest.raises(ConfigError, match=f"port {port} on 127.0.0.1 is already in use"):
            bind("127.0.0.1", port, metrics_app(snapshot))


@pytest.mark.parametrize(
    ("host", "loopback"),
    [("127.0.0.1", True), ("::1", True), ("localhost", True), ("0.0.0.0", False),
     ("192.168.1.5", False), ("metrics.lan", False)],
)  # fmt: skip
def test_only_loopback_addresses_count_as_private(host: str, loopback: bool) -> None:
    assert is_loopback(host) is loopback


def test_serve_answers_until_stopped_and_refreshes_in_the_background(
    isolated_environment: object,
) -> None:
    from aiusage.metrics.server import serve
    from aiusage.settings import Settings

    stop = threading.Event()
    ready: list[str] = []
    failures: list[BaseException] = []

    def run() -> None:
        try:
            serve(Settings(), "127.0.0.1", 0, None, stop, ready.append)
        except BaseException as exc:  # noqa: BLE001  (handed to the test thread)
            failures.append(exc)

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    try:
        deadline = time.monotonic() + 30
        while not ready:
            assert not failures, failures
            assert time.monotonic() < deadline, "serve never became ready"
            time.sleep(0.05)
        (url,) = ready
        assert url.startswith("http://127.0.0.1:") and url.endswith("/metrics")
        answer = httpx.get(url, timeout=10)
        assert answer.status_code == 200
        assert "aiusage_build_info{" in answer.text
        assert httpx.get(url.replace("/metrics", "/healthz"), timeout=10).text == "ok\n"
    finally:
        stop.set()
        thread.join(timeout=15)
    assert not thread.is_alive() and not failures
    with pytest.raises(httpx.TransportError):
        httpx.get(url, timeout=2)
