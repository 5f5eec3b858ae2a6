"""An HTTP/2 over TLS front for the fake vendors, on 127.0.0.1, like the real vendors speak.

``Http2Front`` accepts TLS connections that negotiate ``h2`` (ALPN), decodes each HTTP/2
request with the ``h2`` library and forwards it, as HTTP/1.1, to a ``FakeVendors`` server; the
answer goes back on the same stream. So every route, key check and injected fault of the fake
works over HTTP/2 too. The certificate is made on the spot with ``cryptography``: a throwaway
certificate authority signs a certificate for 127.0.0.1, and the client under test is told to
trust that authority through ``SSL_CERT_FILE`` (httpx reads it when ``trust_env`` is on), so
verification stays on.
"""

from __future__ import annotations

import datetime as dt
import http.client
import ipaddress
import socket
import ssl
import threading
from pathlib import Path

import h2.config
import h2.connection
import h2.events
import h2.exceptions

HOP_BY_HOP = {"connection", "keep-alive", "transfer-encoding", "upgrade", "proxy-connection"}


def write_certificates(folder: Path) -> tuple[Path, Path, Path]:
    """A CA certificate, and a key and certificate for 127.0.0.1 and localhost signed by it."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

    now = dt.datetime.now(dt.UTC)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "aiusage e2e test CA")])
    ca_cert = (
        x509.CertificateBuilder()
        .subject_name(ca_name)
        .issuer_name(ca_name)
        .public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(hours=1))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=True,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()), False)
        .sign(ca_key, hashes.SHA256())
    )
    key = ec.generate_private_key(ec.SECP256R1())
    cert = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")]))
        .issuer_name(ca_name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(hours=1))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName(
                [x509.IPAddress(ipaddress.ip_address("127.0.0.1")), x509.DNSName("localhost")]
            ),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), False
        )
        .sign(ca_key, hashes.SHA256())
    )
    folder.mkdir(parents=True, exist_ok=True)
    ca_file, cert_file, key_file = folder / "ca.pem", folder / "server.pem", folder / "server.key"
    ca_file.write_bytes(ca_cert.public_bytes(serialization.Encoding.PEM))
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return ca_file, cert_file, key_file


class _Connection:
    """One client connection: a reader loop, and one thread per request that forwards it."""

    def __init__(self, tls: ssl.SSLSocket, backend_port: int) -> None:
        self.tls = tls
        self.backend_port = backend_port
        self.h2 = h2.connection.H2Connection(
            h2.config.H2Configuration(client_side=False, header_encoding="utf-8")
        )
        self.lock = threading.Lock()
        self.window_opened = threading.Condition(self.lock)
        self.requests: dict[int, tuple[list[tuple[str, str]], bytearray]] = {}
        self.closed = False

    def _flush(self) -> None:
        data = self.h2.data_to_send()
        if data:
            self.tls.sendall(data)

    def run(self) -> None:
        with self.lock:
            self.h2.initiate_connection()
            self._flush()
        try:
            while not self.closed:
                data = self.tls.recv(65536)
                if not data:
                    break
                with self.lock:
                    events = self.h2.receive_data(data)
                    for event in events:
                        self._on(event)
                    self._flush()
                    self.window_opened.notify_all()
        except (OSError, h2.exceptions.ProtocolError):
            pass
        finally:
            with self.lock:
                self.closed = True
                self.window_opened.notify_all()
            try:
                self.tls.close()
            except OSError:
                pass

    def _on(self, event: h2.events.Event) -> None:
        if isinstance(event, h2.events.RequestReceived):
            headers = [(str(k), str(v)) for k, v in event.headers or []]
            self.requests[event.stream_id or 0] = (headers, bytearray())
        elif isinstance(event, h2.events.DataReceived):
            self.requests[event.stream_id or 0][1].extend(event.data or b"")
            self.h2.acknowledge_received_data(event.flow_controlled_length or 0, event.stream_id)
        elif isinstance(event, h2.events.StreamEnded):
            headers, body = self.requests.pop(event.stream_id or 0)
            threading.Thread(
                target=self._forward, args=(event.stream_id, headers, bytes(body)), daemon=True
            ).start()
        elif isinstance(event, h2.events.ConnectionTerminated):
            self.closed = True

    def _forward(self, stream_id: int, headers: list[tuple[str, str]], body: bytes) -> None:
        pseudo = {k: v for k, v in headers if k.startswith(":")}
        plain = [(k, v) for k, v in headers if not k.startswith(":")]
        backend = http.client.HTTPConnection("127.0.0.1", self.backend_port, timeout=300)
        try:
            backend.putrequest(pseudo[":method"], pseudo[":path"], skip_accept_encoding=True)
            for name, value in plain:
                backend.putheader(name, value)
            if body or pseudo[":method"] == "POST":
                backend.putheader("Content-Length", str(len(body)))
            backend.endheaders(body or None)
            response = backend.getresponse()
            payload = response.read()
        except (OSError, http.client.HTTPException):
            self._reset(stream_id)
            return
        finally:
            backend.close()
        answer = [(":status", str(response.status))] + [
            (k.lower(), v)
            for k, v in response.getheaders()
            if k.lower() not in HOP_BY_HOP and k.lower() != "content-length"
        ]
        answer.append(("content-length", str(len(payload))))
        self._respond(stream_id, answer, payload)

    def _reset(self, stream_id: int) -> None:
        with self.lock:
            if self.closed:
                return
            try:
                self.h2.reset_stream(stream_id)
                self._flush()
            except (OSError, h2.exceptions.ProtocolError):
                pass

    def _respond(self, stream_id: int, headers: list[tuple[str, str]], payload: bytes) -> None:
        with self.lock:
            try:
                self.h2.send_headers(stream_id, headers, end_stream=not payload)
                self._flush()
                sent = 0
                while sent < len(payload):
                    window = min(
                        self.h2.local_flow_control_window(stream_id),
                        self.h2.max_outbound_frame_size,
                        len(payload) - sent,
                    )
                    if window <= 0:
                        if self.closed:
                            return
                        self.window_opened.wait(timeout=5)
                        continue
                    end = sent + window
                    self.h2.send_data(stream_id, payload[sent:end], end_stream=end == len(payload))
                    sent = end
                    self._flush()
            except (OSError, h2.exceptions.ProtocolError, h2.exceptions.StreamClosedError):
                pass


class Http2Front:
    """Serves HTTP/2 over TLS on 127.0.0.1 and forwards every request to ``backend_port``."""

    def __init__(self, backend_port: int, cert_file: Path, key_file: Path) -> None:
        self.backend_port = backend_port
        self.context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        self.context.load_cert_chain(cert_file, key_file)
        self.context.set_alpn_protocols(["h2"])
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.listener.settimeout(0.2)
        self.stopping = threading.Event()
        self.thread = threading.Thread(target=self._accept, daemon=True)
        self.protocols: list[str | None] = []

    @property
    def url(self) -> str:
        return f"https://127.0.0.1:{self.listener.getsockname()[1]}"

    def _accept(self) -> None:
        while not self.stopping.is_set():
            try:
                raw, _ = self.listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            threading.Thread(target=self._serve, args=(raw,), daemon=True).start()

    def _serve(self, raw: socket.socket) -> None:
        raw.settimeout(300)
        try:
            tls = self.context.wrap_socket(raw, server_side=True)
        except (OSError, ssl.SSLError):
            raw.close()
            return
        self.protocols.append(tls.selected_alpn_protocol())
        _Connection(tls, self.backend_port).run()

    def __enter__(self) -> Http2Front:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stopping.set()
        self.thread.join(timeout=5)
        self.listener.close()
