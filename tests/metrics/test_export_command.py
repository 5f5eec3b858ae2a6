"""``aiusage export`` (and ``serve`` on a taken port) through the CLI: numbers, files, pushes."""

from __future__ import annotations

import socket
from decimal import Decimal
from pathlib import Path

import pytest
import respx
from prometheus_client.parser import text_string_to_metric_families
from typer.testing import CliRunner

from aiusage.cli import app
from tests.commands.test_report import KEY, anthropic_routes, claude_report

USAGE = "https://api.anthropic.com/v1/organizations/usage_report/messages"


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, list(args), catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def values(text: str, name: str, **labels: str) -> list[float]:
    return [
        s.value
        for family in text_string_to_metric_families(text)
        for s in family.samples
        if s.name == name and all(s.labels.get(k) == v for k, v in labels.items())
    ]


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def claude_key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ANTHROPIC_ADMIN_KEY", KEY)
    monkeypatch.setenv("AIUSAGE_CLAUDE_API", "legacy")


@respx.mock
def test_export_counts_exactly_what_the_report_stored(claude_key: None) -> None:
    anthropic_routes()
    assert claude_report()[0] == 0
    code, out, err = run("export", "--offline")
    assert code == 0, err
    claude = {"provider": "claude", "source": "api"}
    assert sum(values(out, "aiusage_tokens_total", **claude, type="input")) == 271650
    assert sum(values(out, "aiusage_tokens_total", **claude, type="output")) == 70431
    reported = values(out, "aiusage_cost_usd_total", **claude, cost_kind="reported")
    assert sum(Decimal(repr(v)) for v in reported) == Decimal("1.7265225")
    # --offline: the API was not asked, so its up-ness is unknown; its freshness is stored.
    assert values(out, "aiusage_source_up", **claude) == []
    assert len(values(out, "aiusage_last_success_timestamp_seconds", **claude)) == 1


@respx.mock
def test_a_failing_vendor_still_exports_with_source_up_0_and_exit_1(claude_key: None) -> None:
    respx.get(USAGE).respond(500, json={"type": "error", "error": {"type": "api_error"}})
    respx.get("https://api.anthropic.com/v1/organizations/cost_report").respond(
        500, json={"type": "error", "error": {"type": "api_error"}}
    )
    code, out, err = run("export")
    assert code == 1
    assert "aiusage: claude api:" in err
    assert values(out, "aiusage_source_up", provider="claude", source="api") == [0.0]
    assert KEY not in out and KEY not in err


def test_output_writes_the_file_and_nothing_to_stdout(tmp_path: Path) -> None:
    target = tmp_path / "aiusage.prom"
    code, out, _ = run("export", "--output", str(target), "--format", "openmetrics")
    assert code == 0 and out == ""
    assert target.read_text().endswith("# EOF\n")


def test_an_unreachable_pushgateway_exits_1_and_keeps_the_file(tmp_path: Path) -> None:
    target = tmp_path / "aiusage.prom"
    port = closed_port()
    code, _, err = run(
        "export", "--output", str(target), "--push", f"http://127.0.0.1:{port}", "--instance", "a"
    )
    assert code == 1
    assert err.startswith(f"aiusage: cannot reach the Pushgateway at http://127.0.0.1:{port}")
    assert err.count("\n") == 1
    assert "aiusage_build_info" in target.read_text()


@respx.mock
def test_a_refused_push_exits_1_with_the_gateways_reason() -> None:
    respx.put("http://gw:9091/metrics/job/aiusage/instance/box").respond(
        400, text="pushed metrics are invalid or inconsistent with existing metrics"
    )
    code, _, err = run("export", "--push", "http://gw:9091", "--instance", "box")
    assert code == 1
    assert "HTTP 400 Bad Request: pushed metrics are invalid" in err


@respx.mock
def test_push_uses_the_host_name_as_instance_by_default() -> None:
    route = respx.put(
        f"http://gw:9091/metrics/job/aiusage/instance/{socket.gethostname()}"
    ).respond(200)
    code, out, _ = run("export", "--push", "http://gw:9091")
    assert code == 0 and out == ""
    assert route.call_count == 1


def test_an_empty_instance_is_a_usage_error() -> None:
    code, _, err = run("export", "--push", "http://gw:9091", "--instance", " ")
    assert code == 2
    assert "--instance needs a name" in err


def test_a_malformed_push_url_is_a_usage_error_before_any_work() -> None:
    code, _, err = run("export", "--push", "http://[::1")
    assert code == 2
    assert err.startswith("aiusage: --push needs the Pushgateway's http(s) URL")


def test_serve_on_a_port_in_use_is_one_line_and_exit_1() -> None:
    import signal

    before = signal.getsignal(signal.SIGINT)
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        code, _, err = run("serve", "--port", str(port))
    assert code == 1
    assert err == (
        f"aiusage: port {port} on 127.0.0.1 is already in use; stop the program using it or "
        "choose another with --port\n"
    )
    assert signal.getsignal(signal.SIGINT) is before  # Ctrl-C handling is given back


def test_the_project_folder_is_a_label_only_when_asked_for(isolated_environment: Path) -> None:
    from tests.sources.logs.logs import assistant, claude_project, claude_usage, write_lines

    write_lines(
        claude_project(isolated_environment / "home") / "session-a.jsonl",
        [assistant("msg_1", "req_1", claude_usage(4, 250, 1000, 100))],
    )
    code, plain, _ = run("export")
    assert code == 0
    assert "/home/dev/code/api" not in plain and "project=" not in plain
    assert values(plain, "aiusage_tokens_total", provider="claude", source="local", type="output")
    code, split, _ = run("export", "--by", "project")
    assert code == 0
    assert values(split, "aiusage_tokens_total", project="/home/dev/code/api", type="output") == [
        250.0
    ]
