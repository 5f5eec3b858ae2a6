"""``aiusage serve``: answer every scrape from the store, refresh the store in the background.

Scrapes never wait on a vendor: each one reads the store (read-only) and the health the last
refreshes recorded. A background thread ingests local logs every minute and refreshes vendor
APIs at most once per cache TTL, also after a failure, so a failing vendor is not polled harder.
"""

from __future__ import annotations

import ipaddress
import logging
import socket
import sqlite3
import threading
import time
from collections.abc import Callable, Iterable
from socketserver import ThreadingMixIn
from typing import TYPE_CHECKING, Any
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

from prometheus_client import make_wsgi_app

from aiusage.errors import AiUsageError, ConfigError
from aiusage.metrics.collector import Snapshot, registry_for
from aiusage.metrics.health import HealthBook
from aiusage.metrics.refresh import refresh_store
from aiusage.metrics.snapshot import SnapshotReader
from aiusage.metrics.totals import Split
from aiusage.models import SourceKind, utc_now

if TYPE_CHECKING:
    from wsgiref.types import StartResponse, WSGIEnvironment

    from aiusage.settings import Settings

log = logging.getLogger(__name__)
LOCAL_INTERVAL = 60.0  # seconds between local log ingestions (no vendor is asked)
METRICS_PATHS = frozenset({"/metrics", "/"})


class _Server(ThreadingMixIn, WSGIServer):
    daemon_threads = True


class _Server6(_Server):
    address_family = socket.AF_INET6


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        log.debug("%s " + format, self.address_string(), *args)


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def bind(host: str, port: int, app: Callable[..., Iterable[bytes]]) -> WSGIServer:
    """Listen on host:port.

    Raises:
        ConfigError: the port is taken, or the address is not one of this machine's.
    """
    server_class = _Server6 if ":" in host else _Server
    try:
        return make_server(host, port, app, server_class, _QuietHandler)
    except OSError as exc:
        if exc.errno in (98, 48, 10048):  # EADDRINUSE on Linux, macOS, Windows
            raise ConfigError(
                f"port {port} on {host} is already in use; stop the program using it or "
                "choose another with --port"
            ) from None
        raise ConfigError(
            f"cannot listen on {host} port {port} ({exc.strerror or exc}); check --host and --port"
        ) from None


def metrics_app(
    read: Callable[[], Snapshot], check: Callable[[], None] | None = None
) -> Callable[..., Iterable[bytes]]:
    """The WSGI app: ``/metrics`` (text or OpenMetrics, as the scraper asks), ``/healthz``.

    ``check`` is what ``/healthz`` runs (default: a whole ``read``); both raise
    ``AiUsageError`` when the store cannot be read, answered with 503 and the reason.
    """

    def app(environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        path = environ.get("PATH_INFO", "/")
        if path not in METRICS_PATHS and path != "/healthz":
            return _plain(start_response, "404 Not Found", "not found; metrics are at /metrics\n")
        try:
            if path == "/healthz":
                (check or read)()
                return _plain(start_response, "200 OK", "ok\n")
            snapshot = read()
        except AiUsageError as error:
            log.warning("scrape failed: %s", error.message)
            return _plain(start_response, "503 Service Unavailable", f"{error.message}\n")
        answer: Iterable[bytes] = make_wsgi_app(registry_for(lambda: snapshot))(
            environ, start_response
        )
        return answer

    return app


def _plain(start_response: StartResponse, status: str, text: str) -> list[bytes]:
    body = text.encode()
    start_response(
        status,
        [("Content-Type", "text/plain; charset=utf-8"), ("Content-Length", str(len(body)))],
    )
    return [body]


class Refresher(threading.Thread):
    """Keeps the store current: local logs every minute, vendor APIs once per cache TTL."""

    def __init__(
        self,
        settings: Settings,
        book: HealthBook,
        split: Split | None,
        *,
        local_interval: float = LOCAL_INTERVAL,
    ) -> None:
        super().__init__(name="aiusage-refresh", daemon=True)
        self.settings = settings
        self.book = book
        self.split = split
        self.api_interval = float(settings.cache_ttl)
        self.local_interval = min(local_interval, self.api_interval)
        self.stopping = threading.Event()

    def run(self) -> None:
        next_api = time.monotonic()
        while not self.stopping.is_set():
            api_due = time.monotonic() >= next_api
            if api_due:
                next_api = time.monotonic() + self.api_interval
            self.refresh_once(api=api_due)
            self.stopping.wait(self.local_interval)

    def refresh_once(self, *, api: bool) -> None:
        kinds: tuple[SourceKind, ...] = ("api", "local", "manual") if api else ("local", "manual")
        try:
            outcome = refresh_store(self.settings, utc_now(), kinds=kinds, split=self.split)
        except (AiUsageError, sqlite3.Error) as exc:
            # The store itself failed (disk full, permissions): keep serving what it holds.
            log.warning("refresh failed: %s", getattr(exc, "message", exc))
            return
        for error in outcome.errors:
            log.warning("%s %s: %s", error.provider, error.source, error.message)
        self.book.record(outcome)

    def stop(self) -> None:
        self.stopping.set()


def serve(
    settings: Settings,
    host: str,
    port: int,
    split: Split | None,
    stop: threading.Event,
    on_ready: Callable[[str], None],
) -> None:
    """Serve until ``stop`` is set; the caller turns signals into ``stop``.

    Raises:
        ConfigError: the store cannot be opened, or the address cannot be bound.
    """
    from aiusage.store import Store

    Store.open(settings.store_path).close()  # create and migrate it once, writable
    book = HealthBook()
    reader = SnapshotReader(settings, book, split, background=True)
    server = bind(host, port, metrics_app(reader, reader.check))
    refresher = Refresher(settings, book, split)
    listener = threading.Thread(target=server.serve_forever, name="aiusage-http", daemon=True)
    listener.start()
    refresher.start()
    shown = f"[{host}]" if ":" in host else host
    on_ready(f"http://{shown}:{server.server_port}/metrics")
    try:
        while not stop.wait(0.5):  # a short wait keeps the main thread responsive to signals
            pass
    finally:
        refresher.stop()
        server.shutdown()
        server.server_close()
        refresher.join(timeout=5)
