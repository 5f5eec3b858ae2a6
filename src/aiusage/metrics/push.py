"""Push the metrics to a Prometheus Pushgateway under ``job="aiusage"`` and an instance name.

A push replaces every metric of its group (HTTP PUT), so the gateway always holds one
machine's latest cumulative counters. Failures are one line that names the gateway (without
any user name or password in its URL) and the reason.
"""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import urlsplit, urlunsplit

import httpx
from prometheus_client import push_to_gateway
from prometheus_client.registry import CollectorRegistry

from aiusage.errors import UnavailableError, UsageError
from aiusage.http_client import USER_AGENT
from aiusage.terminal_text import visible

JOB = "aiusage"
PUSH_TIMEOUT = 30.0
_BODY_SHOWN = 200


class PushError(UnavailableError):
    """The Pushgateway could not be reached or refused the metrics."""


def gateway_url(url: str) -> str:
    """The Pushgateway URL as given, ``http://`` added when it names no scheme.

    Raises:
        UsageError: not an http(s) URL with a host (and a valid port, when it has one).
    """
    given = url.strip()
    full = given if "://" in given else f"http://{given}"
    try:
        parts = urlsplit(full)
        port_ok = parts.port is None or parts.port > 0
    except ValueError:
        port_ok = False
        parts = None
    if parts is None or parts.scheme not in ("http", "https") or not parts.hostname or not port_ok:
        raise UsageError(
            f"--push needs the Pushgateway's http(s) URL, for example "
            f"http://pushgateway:9091, not {visible(given)!r}"
        )
    return full


def shown_url(url: str) -> str:
    """The URL without user name and password, for messages (``url`` already checked)."""
    parts = urlsplit(url if "://" in url else f"http://{url}")
    host = parts.hostname or ""
    if ":" in host:
        host = f"[{host}]"
    netloc = host if parts.port is None else f"{host}:{parts.port}"
    return urlunsplit((parts.scheme, netloc, parts.path, "", ""))


def push(
    url: str,
    registry: CollectorRegistry,
    instance: str,
    *,
    timeout: float = PUSH_TIMEOUT,
) -> None:
    """Send every metric of the registry, replacing the group ``job/instance``.

    Raises:
        UsageError: ``url`` is not an http(s) URL.
        PushError: unreachable, timed out, or answered with a 4xx/5xx status.
    """
    gateway = gateway_url(url)
    where = shown_url(gateway)
    try:
        push_to_gateway(
            gateway,
            job=JOB,
            registry=registry,
            grouping_key={"instance": instance},
            timeout=timeout,
            handler=_httpx_handler,
        )
    except httpx.TimeoutException:
        raise PushError(
            f"the Pushgateway at {where} did not answer within {timeout:g} s; "
            "check --push and that the Pushgateway is running"
        ) from None
    except (httpx.TransportError, httpx.InvalidURL, ValueError) as exc:
        reason = visible(str(exc) or exc.__class__.__name__)
        raise PushError(
            f"cannot reach the Pushgateway at {where} ({reason}); "
            "check --push and that the Pushgateway is running"
        ) from None


def _httpx_handler(
    url: str,
    method: str,
    timeout: float | None,
    headers: list[tuple[str, str]],
    data: bytes,
) -> Callable[[], None]:
    def handle() -> None:
        with httpx.Client(timeout=timeout, headers={"User-Agent": USER_AGENT}) as client:
            response = client.request(method, url, headers=headers, content=data)
        if response.status_code >= 400:
            body = visible(response.text.strip()[:_BODY_SHOWN])
            detail = f": {body}" if body else ""
            raise PushError(
                f"the Pushgateway at {shown_url(url)} refused the metrics "
                f"(HTTP {response.status_code} {response.reason_phrase}{detail})"
            )

    return handle
