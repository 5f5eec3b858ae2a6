"""Vendor faults as the user meets them: transient ones recover, permanent ones are reported."""

from __future__ import annotations

from collections import Counter
from typing import Any

import pytest

from aiusage.sources.registry import API_PROVIDERS
from tests.e2e.conftest import Cli, Run, Window, report_window, table_rows, totals
from tests.e2e.fake_vendors import FakeVendors, Fault

pytestmark = pytest.mark.e2e

# The provider that keeps working while Claude fails (few requests, reported dollars).
OTHER = "cursor" if "cursor" in API_PROVIDERS else "openai"
QUICK = {"AIUSAGE_HTTP_TIMEOUT": "1"}


def run_both(cli: Cli, window: Window, **env: str) -> tuple[Run, dict[str, Any]]:
    run = cli.run(
        "report",
        *window.args,
        "--provider",
        "claude",
        "--provider",
        OTHER,
        "--format",
        "json",
        env={**QUICK, **env},
    )
    assert "Traceback" not in run.stderr, run
    return run, run.document()


def assert_exact(fake: FakeVendors, doc: dict[str, Any], provider: str, window: Window) -> None:
    assert totals(doc["records"], provider) == fake.data.expected(provider, *window.bounds)


@pytest.mark.parametrize(
    ("route", "fault"),
    [
        ("anthropic.usage_report", Fault("status", 429, retry_after=1)),
        ("anthropic.cost_report", Fault("status", 503)),
        ("anthropic.usage_report", Fault("status", 529)),
        ("anthropic.cost_report", Fault("status", 500, retry_after=1)),
        ("anthropic.usage_report", Fault("drop")),
        ("anthropic.usage_report", Fault("hang", seconds=5)),
    ],
    ids=["429-retry-after", "503", "529", "500", "dropped-connection", "hang-past-timeout"],
)
def test_a_transient_fault_recovers_within_the_retry_budget(
    cli: Cli, fake: FakeVendors, route: str, fault: Fault
) -> None:
    window = report_window(fake, days=20)
    fake.inject(route, fault, times=1)

    run, doc = run_both(cli, window, AIUSAGE_CLAUDE_API="legacy")

    assert run.code == 0, run
    assert doc["errors"] == []
    assert_exact(fake, doc, "claude", window)
    assert_exact(fake, doc, OTHER, window)
    # The failed request was sent again: one more than the pages it takes.
    pages = (20 + 6) // 7
    assert fake.count(route) == pages + 1


@pytest.mark.parametrize(
    ("fault", "kind"),
    [
        (Fault("status", 503), "unavailable"),
        (Fault("status", 429, retry_after=1), "rate_limited"),
        (Fault("hang", seconds=5), "timeout"),
        (Fault("drop"), "unavailable"),
        (Fault("truncate"), "unavailable"),
        (Fault("invalid_json"), "bad_response"),
        (Fault("wrong_shape"), "bad_response"),
        (Fault("body", body=[1, 2, 3]), "bad_response"),
    ],
    ids=lambda v: v.kind if isinstance(v, Fault) else v,
)
def test_a_permanent_fault_fails_only_that_provider(
    cli: Cli, fake: FakeVendors, fault: Fault, kind: str
) -> None:
    window = report_window(fake, days=10)
    fake.inject("anthropic", fault)

    run, doc = run_both(cli, window)

    assert run.code == 1, run
    assert [(e["provider"], e["source"], e["kind"]) for e in doc["errors"]] == [
        ("claude", "api", kind)
    ]
    assert doc["errors"][0]["message"]
    assert not [r for r in doc["records"] if r["provider"] == "claude"]
    assert_exact(fake, doc, OTHER, window)


def test_a_permanent_failure_is_shown_in_the_table_with_exit_code_1(
    cli: Cli, fake: FakeVendors
) -> None:
    window = report_window(fake, days=5)
    fake.inject("anthropic", Fault("wrong_shape"))

    run = cli.run("report", *window.args, "--provider", "claude", "--provider", OTHER)

    assert run.code == 1, run
    assert "Traceback" not in run.stdout + run.stderr
    errors = run.stdout[run.stdout.index("error claude api") :]
    assert "unexpected shape" in errors
    names, body = table_rows(run.stdout)
    assert {row[0] for row in body} >= {OTHER} and "claude" not in {row[0] for row in body}


@pytest.mark.parametrize(
    ("variable", "key", "provider", "kind"),
    [
        ("ANTHROPIC_ADMIN_KEY", "sk-ant-admin01-revoked", "claude", "auth"),
        ("ANTHROPIC_ADMIN_KEY", "anthropic_api", "claude", "auth"),
        ("OPENAI_ADMIN_KEY", "openai_project", "openai", "forbidden"),
        ("OPENAI_ADMIN_KEY", "sk-admin-wrong", "openai", "auth"),
        ("CURSOR_ADMIN_KEY", "cursor_team", "cursor", "forbidden"),
        ("CURSOR_ADMIN_KEY", "key_wrong", "cursor", "auth"),
    ],
)
def test_a_rejected_key_is_reported_by_kind_without_retries(
    cli: Cli, fake: FakeVendors, variable: str, key: str, provider: str, kind: str
) -> None:
    if provider not in API_PROVIDERS:
        pytest.fail(f"{provider} is not registered")
    window = report_window(fake, days=3)
    value = fake.keys.get(key, key)

    run = cli.run(
        "report", *window.args, "--provider", provider, "--format", "json", env={variable: value}
    )

    assert run.code == 1, run
    doc = run.document()
    assert [(e["provider"], e["kind"]) for e in doc["errors"]] == [(provider, kind)]
    assert value not in run.stdout + run.stderr
    # 401 and 403 are never retried: no refused request was sent twice.
    refused = Counter(
        (method, path) for _, method, path, status in fake.log if status in (401, 403)
    )
    assert refused and max(refused.values()) == 1
