"""A fake of every vendor API aiusage reads, on 127.0.0.1, for end-to-end tests and benchmarks.

One ``ThreadingHTTPServer`` serves, on one free port, with the shapes of ``shared/reference``:

- Anthropic: ``/v1/organizations/usage_report/messages``, ``/v1/organizations/cost_report``
  (legacy) and ``/v1/organizations/analytics/usage|cost`` (beta analytics);
- OpenAI: ``/v1/organization/usage/{type}`` and ``/v1/organization/costs``;
- Cursor Admin API: ``/teams/members``, ``/teams/daily-usage-data``, ``/teams/spend``,
  ``/teams/filtered-usage-events``;
- Google: Cloud Monitoring ``/v3/projects/{p}/timeSeries``, an OAuth token endpoint ``/token``
  (JWT-bearer grant from a service-account file, refresh-token grant) and ``/v1beta/models``.

Data comes from a seed (``fake_data.Dataset``), pages follow opaque cursors bound to their
query, keys are checked (a wrong or missing key gets the vendor's own 401/403 body), every
request is counted, and faults can be injected per route.

Use it in-process (``start_fake()``) or as a program::

    python -m tests.e2e.fake_vendors --port 8765 --latency-ms 150
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import hmac
import json
import re
import secrets
import socket
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, timedelta
from email.message import Message
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, Literal
from urllib.parse import parse_qsl, urlsplit

from tests.e2e.fake_data import Dataset

FaultKind = Literal[
    "status",
    "hang",
    "drop",
    "truncate",
    "invalid_json",
    "wrong_shape",
    "body",
    "latency",
    "endless",
]


@dataclass(frozen=True)
class Fault:
    """One injected failure.

    - ``status``: answer ``status`` with the vendor's own error body (its message replaced
      by ``message`` when given), with ``Retry-After`` when ``retry_after`` is set;
    - ``hang``: answer nothing for ``seconds`` (past the client timeout), then close;
    - ``drop``: close the connection without an answer;
    - ``truncate``: announce the full body, send half of it, close;
    - ``invalid_json``: 200 with a body that is not JSON;
    - ``wrong_shape``: 200 with JSON of the wrong shape for this route;
    - ``body``: 200 with ``body`` as JSON;
    - ``latency``: wait ``seconds``, then answer normally;
    - ``endless``: answer the query's first page, but always with ``has_more: true`` and a
      cursor never sent before (Anthropic and OpenAI envelopes): a vendor that never stops.
    """

    kind: FaultKind
    status: int = 503
    retry_after: float | None = None
    seconds: float = 30.0
    body: Any = None
    message: str = ""


@dataclass
class FakeRequest:
    route: str
    method: str
    path: str
    query: list[tuple[str, str]]
    headers: Message
    body: bytes

    def values(self, name: str) -> list[str]:
        return [v for k, v in self.query if k == name]

    def param(self, name: str, default: str | None = None) -> str | None:
        found = self.values(name)
        return found[-1] if found else default

    def json(self) -> Any:
        return json.loads(self.body or b"null")

    def signature(self, *ignore: str) -> str:
        """The query (or JSON body) without its paging fields: what a cursor is bound to."""
        kept = sorted((k, v) for k, v in self.query if k not in ignore)
        body: Any = None
        if self.body:
            try:
                decoded = json.loads(self.body)
            except ValueError:
                decoded = None
            if isinstance(decoded, dict):
                body = {k: v for k, v in sorted(decoded.items()) if k not in ignore}
        return json.dumps([self.route, self.path, kept, body], sort_keys=True)


@dataclass
class Reply:
    status: int
    body: Any
    headers: dict[str, str] = field(default_factory=dict)


class VendorError(Exception):
    """Raised by a route to answer with a vendor's error body."""

    def __init__(self, status: int, body: Any, headers: dict[str, str] | None = None) -> None:
        super().__init__(status)
        self.reply = Reply(status, body, headers or {})


def rfc3339(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_rfc3339(text: str | None) -> datetime | None:
    if not text:
        return None
    try:
        parsed = datetime.fromisoformat(text.replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError:
        return None
    return parsed.astimezone(UTC) if parsed.tzinfo else None


Handler = Callable[["FakeVendors", FakeRequest], Reply]
ErrorBody = Callable[[int, str], Any]


@dataclass(frozen=True)
class Route:
    name: str
    method: str
    pattern: re.Pattern[str]
    handler: Handler
    error_body: ErrorBody
    wrong_shape: Any


class FakeVendors:
    """The fake server: its data, its keys, its counters and its faults."""

    def __init__(
        self,
        seed: int = 20261125,
        *,
        days: int = 45,
        today: date | None = None,
        latency_ms: float = 0.0,
        host: str = "127.0.0.1",
        port: int = 0,
    ) -> None:
        today = today or datetime.now(UTC).date()
        self.data = Dataset.generate(seed, today - timedelta(days=days), days)
        self.latency = latency_ms / 1000
        self.secret = hashlib.sha256(f"fake-vendors-{seed}".encode()).digest()
        rng = hashlib.sha256(f"keys-{seed}".encode()).hexdigest()
        # Shaped like the real keys, distinct per seed, easy to search for in output.
        self.keys = {
            "anthropic": f"sk-ant-admin01-{rng[:40]}{'Q' * 53}AA",
            "anthropic_api": f"sk-ant-api03-{rng[:40]}{'R' * 40}AA",
            "openai": f"sk-admin-{rng[:48]}",
            "openai_project": f"sk-proj-{rng[:48]}",
            "cursor": f"key_{rng}",
            "cursor_team": f"key_{rng[::-1]}",
            "gemini": f"AIzaSy{rng[:33]}",
        }
        self.google_project = "gen-lang-client-0123456789"
        self.google_tokens: set[str] = set()
        self.google_refresh_token = f"1//e2e-refresh-{rng[:24]}"
        self._google_key: Any = None
        self._lock = threading.Lock()
        self._faults: dict[str, list[tuple[Fault, int | None]]] = {}
        self.counts: Counter[str] = Counter()
        self.log: list[tuple[str, str, str, int]] = []
        self._stopping = threading.Event()
        self._server = ThreadingHTTPServer((host, port), _Handler)
        self._server.daemon_threads = True
        self._server.fake = self  # type: ignore[attr-defined]
        self._thread: threading.Thread | None = None
        from tests.e2e import fake_anthropic, fake_cursor, fake_google, fake_openai

        self.routes: list[Route] = [
            *fake_anthropic.ROUTES,
            *fake_openai.ROUTES,
            *fake_cursor.ROUTES,
            *fake_google.ROUTES,
        ]

    # --- life cycle ------------------------------------------------------------------------

    @property
    def port(self) -> int:
        return int(self._server.server_address[1])

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> FakeVendors:
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stopping.set()  # wakes hung and slow handlers
        self._server.shutdown()
        self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def __enter__(self) -> FakeVendors:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def env(self) -> dict[str, str]:
        """The variables that point aiusage at this server."""
        return {
            "AIUSAGE_ANTHROPIC_BASE_URL": self.url,
            "AIUSAGE_OPENAI_BASE_URL": self.url,
            "AIUSAGE_CURSOR_BASE_URL": self.url,
            "AIUSAGE_GOOGLE_MONITORING_URL": self.url,
            "AIUSAGE_GEMINI_BASE_URL": self.url,
        }

    # --- faults and counters ---------------------------------------------------------------

    def inject(self, route: str, fault: Fault, times: int | None = None) -> None:
        """Apply ``fault`` to the next ``times`` requests of ``route`` (every one when None).

        ``route`` is a route name (``anthropic.usage_report``) or a vendor prefix
        (``anthropic``, ``anthropic.*``), matched against each route's name.
        """
        with self._lock:
            self._faults.setdefault(route, []).append((fault, times))

    def reset(self) -> None:
        """Forget faults, counts and latency (the data and keys stay)."""
        with self._lock:
            self._faults.clear()
            self.counts.clear()
            self.log.clear()
        self.latency = 0.0

    def count(self, prefix: str = "") -> int:
        """Requests received on routes whose name starts with ``prefix``."""
        with self._lock:
            return sum(n for name, n in self.counts.items() if name.startswith(prefix))

    def _take_fault(self, route: str) -> Fault | None:
        with self._lock:
            for key, queue in self._faults.items():
                prefix = key.removesuffix("*").removesuffix(".")
                if not (route == key or route.startswith(prefix + ".") or route == prefix):
                    continue
                while queue:
                    fault, times = queue[0]
                    if times is None:
                        return fault
                    if times > 0:
                        queue[0] = (fault, times - 1)
                        return fault
                    queue.pop(0)
        return None

    def wait(self, seconds: float) -> None:
        self._stopping.wait(seconds)

    # --- cursors ---------------------------------------------------------------------------

    def cursor(self, request: FakeRequest, offset: int, prefix: str, *paging: str) -> str:
        """An opaque cursor for ``offset``, valid only for this same query."""
        mac = hmac.new(self.secret, f"{request.signature(*paging)}|{offset}".encode(), "sha256")
        raw = offset.to_bytes(4, "big") + mac.digest()[:12]
        return prefix + base64.urlsafe_b64encode(raw).decode().rstrip("=")

    def offset(self, request: FakeRequest, token: str | None, prefix: str, *paging: str) -> int:
        """The offset a cursor stands for; -1 when it is not one of ours for this query."""
        if not token:
            return 0
        try:
            raw = base64.urlsafe_b64decode(token.removeprefix(prefix) + "==")
        except ValueError:
            return -1
        if len(raw) != 16 or not token.startswith(prefix):
            return -1
        offset = int.from_bytes(raw[:4], "big")
        return (
            offset
            if hmac.compare_digest(self.cursor(request, offset, prefix, *paging), token)
            else -1
        )

    # --- Google service accounts -----------------------------------------------------------

    def google_key(self) -> Any:
        with self._lock:
            if self._google_key is None:
                from cryptography.hazmat.primitives.asymmetric import rsa

                self._google_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
            return self._google_key

    def write_service_account(self, path: Path) -> Path:
        """Write a service-account JSON file whose ``token_uri`` points at this server."""
        from cryptography.hazmat.primitives import serialization

        pem = self.google_key().private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
        info = {
            "type": "service_account",
            "project_id": self.google_project,
            "private_key_id": hashlib.sha1(pem).hexdigest(),
            "private_key": pem.decode(),
            "client_email": f"aiusage-e2e@{self.google_project}.iam.gserviceaccount.com",
            "client_id": "100000000000000000001",
            "auth_uri": f"{self.url}/o/oauth2/auth",
            "token_uri": f"{self.url}/token",
            "auth_provider_x509_cert_url": f"{self.url}/oauth2/v1/certs",
            "universe_domain": "googleapis.com",
        }
        path.write_text(json.dumps(info, indent=2))
        path.chmod(0o600)
        return path

    def write_authorized_user(self, path: Path) -> Path:
        """Write a gcloud ADC (authorized_user) file whose token_uri points at this server."""
        info = {
            "type": "authorized_user",
            "client_id": "e2e-client.apps.googleusercontent.com",
            "client_secret": "e2e-client-secret",
            "refresh_token": self.google_refresh_token,
            "token_uri": f"{self.url}/token",
            "quota_project_id": self.google_project,
        }
        path.write_text(json.dumps(info))
        return path

    def issue_google_token(self) -> str:
        token = "ya29.e2e-" + secrets.token_urlsafe(24)
        with self._lock:
            self.google_tokens.add(token)
        return token

    # --- dispatch --------------------------------------------------------------------------

    def route_for(self, method: str, path: str) -> Route | None:
        for route in self.routes:
            if route.method == method and route.pattern.fullmatch(path):
                return route
        return None


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "FakeVendors/1"
    # Headers and body go out in two writes: with Nagle's algorithm on, the body waits for the
    # client's delayed ACK (~40 ms a request on loopback), which no real vendor adds.
    disable_nagle_algorithm = True

    def log_message(self, format: str, *args: Any) -> None:
        pass  # quiet: the tests read the counters, not a log

    def do_GET(self) -> None:
        self._serve("GET")

    def do_POST(self) -> None:
        self._serve("POST")

    def _serve(self, method: str) -> None:
        fake: FakeVendors = self.server.fake  # type: ignore[attr-defined]
        parts = urlsplit(self.path)
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        route = fake.route_for(method, parts.path)
        name = route.name if route else "unknown"
        with fake._lock:
            fake.counts[name] += 1
        if fake.latency:
            fake.wait(fake.latency)
        if route is None:
            self._send(Reply(404, {"error": {"message": f"no route {method} {parts.path}"}}), name)
            return
        request = FakeRequest(
            name,
            method,
            parts.path,
            parse_qsl(parts.query, keep_blank_values=True),
            self.headers,
            body,
        )
        fault = fake._take_fault(name)
        if fault is not None and fault.kind == "latency":
            fake.wait(fault.seconds)
            fault = None
        if fault is not None:
            self._fault(fake, route, request, fault)
            return
        self._send(self._answer(fake, route, request), name)

    @staticmethod
    def _answer(fake: FakeVendors, route: Route, request: FakeRequest) -> Reply:
        try:
            return route.handler(fake, request)
        except VendorError as error:
            return error.reply

    def _fault(self, fake: FakeVendors, route: Route, request: FakeRequest, fault: Fault) -> None:
        name = route.name
        if fault.kind == "status":
            headers = {}
            if fault.retry_after is not None:
                headers["Retry-After"] = f"{fault.retry_after:g}"
            body = route.error_body(fault.status, fault.message)
            self._send(Reply(fault.status, body, headers), name)
        elif fault.kind == "hang":
            fake.wait(fault.seconds)
            self._close(name, 0)
        elif fault.kind == "drop":
            self._close(name, 0)
        elif fault.kind == "truncate":
            # A real answer, cut in the middle: the connection closes before the announced end.
            payload = json.dumps(self._answer(fake, route, request).body).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload[: len(payload) // 2])
            self.wfile.flush()
            self._close(name, 200)
        elif fault.kind == "invalid_json":
            self._send(Reply(200, None), name, raw=b'{"data": [{"starting_at": "2026-')
        elif fault.kind == "endless":
            first = replace(request, query=[(k, v) for k, v in request.query if k != "page"])
            reply = self._answer(fake, route, first)
            if isinstance(reply.body, dict):
                reply.body.update(has_more=True, next_page=f"page_{secrets.token_urlsafe(12)}")
            self._send(reply, name)
        elif fault.kind == "wrong_shape":
            self._send(Reply(200, route.wrong_shape), name)
        else:  # body
            self._send(Reply(200, fault.body), name)

    def _close(self, name: str, status: int) -> None:
        fake: FakeVendors = self.server.fake  # type: ignore[attr-defined]
        with fake._lock:
            fake.log.append((name, self.command, self.path, status))
        self.close_connection = True
        try:
            self.connection.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass

    def _send(self, reply: Reply, name: str, raw: bytes | None = None) -> None:
        fake: FakeVendors = self.server.fake  # type: ignore[attr-defined]
        with fake._lock:
            fake.log.append((name, self.command, self.path, reply.status))
        payload = raw if raw is not None else json.dumps(reply.body).encode()
        try:
            self.send_response(reply.status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            for key, value in reply.headers.items():
                self.send_header(key, value)
            self.end_headers()
            self.wfile.write(payload)
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True


def start_fake(
    seed: int = 20261125, *, latency_ms: float = 0.0, port: int = 0, days: int = 45
) -> FakeVendors:
    """Start the fake in a background thread; call ``stop()`` (or use it as a context manager)."""
    return FakeVendors(seed, latency_ms=latency_ms, port=port, days=days).start()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=0, help="0 picks a free port")
    parser.add_argument("--latency-ms", type=float, default=0.0, help="delay before each answer")
    parser.add_argument("--seed", type=int, default=20261125)
    parser.add_argument("--days", type=int, default=45, help="days of data before today")
    parser.add_argument("--service-account", type=Path, help="write a service-account file here")
    args = parser.parse_args(argv)
    fake = start_fake(args.seed, latency_ms=args.latency_ms, port=args.port, days=args.days)
    if args.service_account:
        fake.write_service_account(args.service_account)
    lines = {
        **fake.env(),
        "ANTHROPIC_ADMIN_KEY": fake.keys["anthropic"],
        "OPENAI_ADMIN_KEY": fake.keys["openai"],
        "CURSOR_ADMIN_KEY": fake.keys["cursor"],
        "GEMINI_API_KEY": fake.keys["gemini"],
        "GOOGLE_CLOUD_PROJECT": fake.google_project,
    }
    if args.service_account:
        lines["GOOGLE_APPLICATION_CREDENTIALS"] = str(args.service_account)
    for key, value in lines.items():
        print(f"{key}={value}", flush=True)  # noqa: T201 - this is the program's output
    print(f"# data {fake.data.first_day} .. {fake.data.last_day} (exclusive)", flush=True)  # noqa: T201
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        fake.stop()


if __name__ == "__main__":
    # Run the copy the route modules import, so that there is one VendorError class.
    from tests.e2e.fake_vendors import main as run

    run()
