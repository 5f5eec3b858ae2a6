"""No credential ever reaches stdout, stderr or the files aiusage writes, over HTTP/1.1 or /2."""

from __future__ import annotations

import base64
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.e2e.conftest import Cli, Run, report_window
from tests.e2e.fake_h2 import Http2Front, write_certificates
from tests.e2e.fake_vendors import FakeVendors, Fault

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def http2_front(
    fake_server: FakeVendors, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[Http2Front, Path]]:
    ca_file, cert_file, key_file = write_certificates(tmp_path_factory.mktemp("tls"))
    with Http2Front(fake_server.port, cert_file, key_file) as front:
        yield front, ca_file


@pytest.fixture(params=["http1", "http2"])
def wire(
    request: pytest.FixtureRequest, fake: FakeVendors, tmp_path: Path
) -> dict[str, str | None]:
    """Extra variables for each run: none over HTTP/1.1; the TLS HTTP/2 front and its CA."""
    if request.param == "http1":
        return {}
    front, ca_file = request.getfixturevalue("http2_front")
    return {**dict.fromkeys(fake.env(), front.url), "SSL_CERT_FILE": str(ca_file)}


def secrets(cli: Cli) -> list[str]:
    fake = cli.fake
    private_key = cli.service_account.read_text().split("-----")[4].split("\\n")
    keys = list(fake.keys.values())
    return [
        *keys,
        # HTTP Basic carries a key base64-encoded (the Cursor Admin API): that form is a key too.
        *(base64.b64encode(f"{key}:".encode()).decode() for key in keys),
        *sorted(fake.google_tokens),
        fake.google_refresh_token,
        *(line for line in private_key if len(line) > 40),
    ]


def assert_no_secret(cli: Cli, runs: list[Run]) -> None:
    text = "".join(run.stdout + run.stderr for run in runs)
    written = [p for folder in (cli.store, cli.home) for p in folder.rglob("*") if p.is_file()]
    assert cli.store_file in written
    for secret in secrets(cli):
        assert secret not in text
        for path in written:
            assert secret.encode() not in path.read_bytes(), path


def test_no_key_in_any_output_or_in_the_store(
    cli: Cli, fake: FakeVendors, wire: dict[str, str | None]
) -> None:
    window = report_window(fake, days=5).args
    runs = [
        cli.run("report", *window, "--format", "json", env=wire),
        cli.run("--debug", "report", *window, "--refresh", env=wire),
        cli.run("--debug", "report", *window, "--format", "csv", "--refresh", env=wire),
        cli.run("--debug", "report", *window, "--refresh", env={**wire, "AIUSAGE_DEBUG": "2"}),
        cli.run("report", *window, "--offline", "--by", "day", env=wire),
        cli.run("test-keys", env=wire),
        cli.run("--debug", "test-keys", "--format", "json", env=wire),
        cli.run("--debug", "test-keys", env={**wire, "AIUSAGE_DEBUG": "2"}),
    ]

    assert [run.code for run in runs] == [0] * len(runs), runs
    assert fake.google_tokens, "the Gemini provider fetched an access token"
    assert_no_secret(cli, runs)


def test_debug_shows_our_records_and_no_third_party_logger(
    cli: Cli, fake: FakeVendors, wire: dict[str, str | None]
) -> None:
    window = report_window(fake, days=3).args

    run = cli.run("--debug", "report", *window, "--provider", "claude", env=wire)
    deeper = cli.run(
        "--debug", "report", *window, "--provider", "claude", "--refresh",
        env={**wire, "AIUSAGE_DEBUG": "2"},
    )  # fmt: skip

    assert run.code == 0 and deeper.code == 0, (run, deeper)
    loggers = _loggers(run.stderr)
    assert loggers and all(name.startswith("aiusage") for name in loggers), loggers
    assert "cache" in run.stderr
    assert any(not name.startswith("aiusage") for name in _loggers(deeper.stderr))
    assert_no_secret(cli, [run, deeper])


def _loggers(stderr: str) -> set[str]:
    return {line.split(":")[0].split(" ")[-1] for line in stderr.splitlines() if " " in line}


def test_no_key_in_output_when_a_vendor_echoes_it_back(
    cli: Cli, fake: FakeVendors, wire: dict[str, str | None]
) -> None:
    anthropic, openai = fake.keys["anthropic"], fake.keys["openai"]
    fake.inject("anthropic", Fault("status", 401, message=f"invalid x-api-key {anthropic}"))
    fake.inject("openai", Fault("status", 401, message=f"Incorrect API key provided: {openai}."))
    fake.inject("cursor", Fault("status", 403, message=f"key {fake.keys['cursor']} is not allowed"))
    window = report_window(fake, days=3).args

    runs = [
        cli.run("--debug", "report", *window, "--format", "json", env=wire),
        cli.run("--debug", "report", *window, "--refresh", env=wire),
        cli.run("--debug", "test-keys", env=wire),
    ]

    doc = runs[0].document()
    assert {(e["provider"], e["kind"]) for e in doc["errors"]} >= {
        ("claude", "auth"),
        ("openai", "auth"),
        ("cursor", "forbidden"),
    }
    assert [run.code for run in runs] == [1, 1, 1]
    assert_no_secret(cli, runs)


def test_keys_of_any_shape_and_google_tokens_are_redacted_by_value(
    cli: Cli, fake: FakeVendors, monkeypatch: pytest.MonkeyPatch
) -> None:
    odd_cursor_key = "crsr_" + "f00dfeed" * 8
    monkeypatch.setitem(fake.keys, "cursor", odd_cursor_key)
    token = "ya29.odd-shaped-token-" + "Zx9" * 12
    fake.google_tokens.add(token)
    monkeypatch.setattr(fake, "issue_google_token", lambda: token)
    fake.inject("cursor", Fault("status", 401, message=f"Invalid API key {odd_cursor_key}"))
    fake.inject("google.timeseries", Fault("status", 401, message=f"token {token} has expired"))
    fake.inject("gemini.models", Fault("status", 400, message=f"bad {fake.keys['gemini']}"))
    window = report_window(fake, days=3).args
    env = {"CURSOR_ADMIN_KEY": odd_cursor_key}

    runs = [
        cli.run("report", *window, "--format", "json", env=env),
        cli.run("--debug", "report", *window, "--refresh", env=env),
        cli.run("test-keys", env=env),
        cli.run("test-keys", "--format", "json", env=env),
    ]

    errors = {(e["provider"], e["kind"]) for e in runs[0].document()["errors"]}
    assert {("cursor", "auth"), ("gemini", "auth")} <= errors, runs[0]
    assert "[redacted]" in runs[1].stderr + runs[1].stdout
    assert [run.code for run in runs] == [1, 1, 1, 1], runs
    assert_no_secret(cli, runs)


def test_the_store_is_private_to_its_owner(cli: Cli, fake: FakeVendors) -> None:
    run = cli.run("report", *report_window(fake, days=3).args, "--provider", "claude")

    assert run.code == 0, run
    assert Path(cli.store).stat().st_mode & 0o077 == 0
    files = list(cli.store.iterdir())
    assert cli.store_file in files
    assert [f.name for f in files if f.stat().st_mode & 0o077] == []
