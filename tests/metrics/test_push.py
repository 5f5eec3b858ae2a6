"""Pushgateway pushes: the group URL, and one clear line for every way a push fails."""

from __future__ import annotations

import socket

import httpx
import pytest
import respx

from aiusage.errors import UsageError
from aiusage.metrics.collector import Snapshot, registry_for
from aiusage.metrics.push import PushError, gateway_url, push, shown_url

GATEWAY = "http://pushgateway.example:9091"
GROUP = f"{GATEWAY}/metrics/job/aiusage/instance/laptop-7"


@respx.mock
def test_a_push_replaces_the_group_of_this_job_and_instance() -> None:
    route = respx.put(GROUP).respond(200)
    push(GATEWAY, registry_for(lambda: Snapshot(totals={})), "laptop-7")
    assert route.call_count == 1
    body = route.calls[0].request.content.decode()
    assert "aiusage_build_info" in body
    assert route.calls[0].request.headers["User-Agent"].startswith("aiusage/")


@respx.mock
@pytest.mark.parametrize(
    ("status", "body", "shown"),
    [
        (400, "pushed metrics are invalid or inconsistent\n", "HTTP 400 Bad Request: pushed"),
        (503, "", "HTTP 503 Service Unavailable)"),
    ],
)
def test_a_refusal_names_the_status_and_the_gateways_reason(
    status: int, body: str, shown: str
) -> None:
    respx.put(GROUP).respond(status, text=body)
    with pytest.raises(PushError, match="refused the metrics") as caught:
        push(GATEWAY, registry_for(lambda: Snapshot(totals={})), "laptop-7")
    assert shown in caught.value.message


@respx.mock
def test_control_characters_from_the_gateway_are_shown_escaped() -> None:
    respx.put(GROUP).respond(400, text="bad\x1b[2J")
    with pytest.raises(PushError) as caught:
        push(GATEWAY, registry_for(lambda: Snapshot(totals={})), "laptop-7")
    assert "\x1b" not in caught.value.message and "\\x1b[2J" in caught.value.message


def test_an_unreachable_gateway_is_one_line_with_the_url_but_not_its_password() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    url = f"http://ops:hunter2@127.0.0.1:{port}"
    with pytest.raises(PushError, match="cannot reach the Pushgateway") as caught:
        push(url, registry_for(lambda: Snapshot(totals={})), "laptop-7", timeout=5)
    assert f"http://127.0.0.1:{port}" in caught.value.message
    assert "hunter2" not in caught.value.message and "ops" not in caught.value.message
    assert "\n" not in caught.value.message


@respx.mock
def test_a_gateway_that_never_answers_times_out() -> None:
    respx.put(GROUP).mock(side_effect=httpx.ReadTimeout("slow"))
    with pytest.raises(PushError, match="did not answer within 2 s"):
        push(GATEWAY, registry_for(lambda: Snapshot(totals={})), "laptop-7", timeout=2)


def test_shown_url_drops_credentials_and_keeps_host_port_and_path() -> None:
    assert shown_url("https://u:p@gw.example:9091/prefix") == "https://gw.example:9091/prefix"
    assert shown_url("gw.example:9091") == "http://gw.example:9091"


@respx.mock
def test_credentials_in_the_url_are_sent_as_basic_auth() -> None:
    route = respx.put(GROUP).respond(200)
    push("http://ops:s3cret@pushgateway.example:9091", registry_for(lambda: Snapshot(totals={})),
         "laptop-7")  # fmt: skip
    assert route.calls[0].request.headers["Authorization"] == "Basic b3BzOnMzY3JldA=="


@pytest.mark.parametrize("url", ["", "http://[::1", "ftp://gw:21", "http://gw:0", "http://:9091"])
def test_a_malformed_gateway_url_is_a_usage_error(url: str) -> None:
    with pytest.raises(UsageError, match=r"--push needs the Pushgateway's http\(s\) URL"):
        gateway_url(url)


def test_a_gateway_without_scheme_gets_http() -> None:
    assert gateway_url("gw.internal:9091") == "http://gw.internal:9091"
