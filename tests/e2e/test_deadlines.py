"""A vendor that never answers, or drips its answer, costs one source its deadline, no more."""

from __future__ import annotations

import socket
import threading
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager

import pytest

from tests.e2e.conftest import Cli, report_window
from tests.e2e.fake_vendors import FakeVendors

pytestmark = pytest.mark.e2e

HTTP_TIMEOUT = 5
# README "Time limits": one source gets AIUSAGE_HTTP_TIMEOUT + 15 s.
DEADLINE = HTTP_TIMEOUT + 15
# Starting the interpreter and the other sources' work, on a loaded two-core machine.
STARTUP_MARGIN = 10
DRIPPED_BODY = b'{"object": "page", "data": [], "has_more": false, "next_page": null, ' + (
    b'"padding": "' + b"x" * 63 + b'"}'
)


class _SlowServer:
    """Accepts on 127.0.0.1; per connection either says nothing or drips a 200 answer."""

    def __init__(self, mode: str) -> None:
        self.mode = mode
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.listener.settimeout(0.2)
        self.stopping = threading.Event()
        self.connections = 0
        self.requests: Counter[str] = Counter()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.listener.getsockname()[1]}"

    def serve(self) -> None:
        while not self.stopping.is_set():
            try:
                conn, _ = self.listener.accept()
            except TimeoutError:
                continue
            self.connections += 1
            threading.Thread(target=self._handle, args=(conn,), daemon=True).start()

    def _receive(self, conn: socket.socket) -> bytes:
        """The first bytes of the request, however late they come (b"" once the test ends).

        A client on a loaded machine may send its request a while after it connected; a
        silent vendor still holds the line instead of hanging up on it (which the client
        would see as a dropped connection and retry).
        """
        conn.settimeout(0.2)
        while not self.stopping.is_set():
            try:
                return conn.recv(65536)
            except TimeoutError:
                continue
        return b""

    def _handle(self, conn: socket.socket) -> None:
        with conn:
            try:
                head = self._receive(conn).split(b"\r\n", 1)[0]
                if not head:
                    return  # the client closed without a request, or the test is over
                self.requests[head.decode("latin-1")] += 1
                if self.mode == "drip":
                    answer = (
                        "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                        f"Content-Length: {len(DRIPPED_BODY)}\r\n\r\n"
                    )
                    conn.sendall(answer.encode())
                    for index in range(len(DRIPPED_BODY)):
                        if self.stopping.wait(1.0):
                            return
                        conn.sendall(DRIPPED_BODY[index : index + 1])
                else:
                    self.stopping.wait(300)  # bounded: the test stops the server
            except OSError:
                return


@contextmanager
def slow_server(mode: str) -> Iterator[_SlowServer]:
    server = _SlowServer(mode)
    thread = threading.Thread(target=server.serve, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.stopping.set()
        thread.join(timeout=5)
        server.listener.close()


def test_the_dripped_body_is_the_size_the_issue_measured() -> None:
    assert len(DRIPPED_BODY) == 146


@pytest.mark.parametrize("mode", ["silent", "drip"])
def test_a_stuck_vendor_is_a_timeout_within_the_deadline_and_others_report(
    cli: Cli, fake: FakeVendors, mode: str
) -> None:
    window = report_window(fake, days=3).args
    with slow_server(mode) as server:
        started = time.monotonic()
        run = cli.run(
            "report", *window, "--format", "json", "--provider", "openai", "--provider", "claude",
            env={
                "AIUSAGE_OPENAI_BASE_URL": server.url,
                "AIUSAGE_HTTP_TIMEOUT": str(HTTP_TIMEOUT),
            },
        )  # fmt: skip
        elapsed = time.monotonic() - started

    assert run.code == 1 and run.stdout.strip(), run
    doc = run.document()
    assert [(e["provider"], e["kind"]) for e in doc["errors"]] == [("openai", "timeout")], doc
    assert any(r["provider"] == "claude" for r in doc["records"]), "Claude is unaffected"
    assert elapsed < DEADLINE + STARTUP_MARGIN, elapsed
    if mode == "silent":
        # Each request is sent once, and a timeout retried at most once (for the whole source).
        assert server.requests and max(server.requests.values()) <= 2, server.requests
        assert sum(server.requests.values()) <= len(server.requests) + 1, server.requests
