"""No credential ever reaches stdout, stderr or the files aiusage writes."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.e2e.conftest import Cli, Run, report_window
from tests.e2e.fake_vendors import FakeVendors, Fault

pytestmark = pytest.mark.e2e


def secrets(cli: Cli) -> list[str]:
    fake = cli.fake
    private_key = cli.service_account.read_text().split("-----")[4].split("\\n")
    return [
        *fake.keys.values(),
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


def test_no_key_in_any_output_or_in_the_store(cli: Cli, fake: FakeVendors) -> None:
    window = report_window(fake, days=5).args
    runs = [
        cli.run("report", *window, "--format", "json"),
        cli.run("--debug", "report", *window, "--refresh"),
        cli.run("--debug", "report", *window, "--format", "csv", "--refresh"),
        cli.run("report", *window, "--offline", "--by", "day"),
        cli.run("test-keys"),
        cli.run("--debug", "test-keys", "--format", "json"),
    ]

    assert [run.code for run in runs] == [0] * len(runs), runs
    assert fake.google_tokens, "the Gemini provider fetched an access token"
    assert_no_secret(cli, runs)


def test_no_key_in_output_when_a_vendor_echoes_it_back(cli: Cli, fake: FakeVendors) -> None:
    anthropic, openai = fake.keys["anthropic"], fake.keys["openai"]
    fake.inject("anthropic", Fault("status", 401, message=f"invalid x-api-key {anthropic}"))
    fake.inject("openai", Fault("status", 401, message=f"Incorrect API key provided: {openai}."))
    fake.inject("cursor", Fault("status", 403, message=f"key {fake.keys['cursor']} is not allowed"))
    window = report_window(fake, days=3).args

    runs = [
        cli.run("--debug", "report", *window, "--format", "json"),
        cli.run("--debug", "report", *window, "--refresh"),
        cli.run("--debug", "test-keys"),
    ]

    doc = runs[0].document()
    assert {(e["provider"], e["kind"]) for e in doc["errors"]} >= {
        ("claude", "auth"),
        ("openai", "auth"),
        ("cursor", "forbidden"),
    }
    assert [run.code for run in runs] == [1, 1, 1]
    assert_no_secret(cli, runs)


def test_the_store_is_private_to_its_owner(cli: Cli, fake: FakeVendors) -> None:
    run = cli.run("report", *report_window(fake, days=3).args, "--provider", "claude")

    assert run.code == 0, run
    assert Path(cli.store).stat().st_mode & 0o077 == 0
    files = list(cli.store.iterdir())
    assert cli.store_file in files
    assert [f.name for f in files if f.stat().st_mode & 0o077] == []
