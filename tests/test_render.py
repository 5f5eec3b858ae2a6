"""The report on screen: never a cut name or figure at any width, and a first screen that fits."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from rich.console import Console

from aiusage.grouping import with_rows
from aiusage.models import Quota, Report, SourceWarning, UsageRecord
from aiusage.render import render_csv, render_table
from aiusage.render.format import count, money, usd

START = datetime(2026, 11, 24, tzinfo=UTC)
SONNET = "claude-sonnet-4-5-20250929"
MODELS = {
    "claude": (SONNET, "claude-opus-4-1-20250805", "claude-haiku-4-5-20251001"),
    "openai": ("gpt-5-codex", "gpt-5.1-codex", "gpt-5.1-codex-mini"),
}


def record(provider: str, model: str, source: str = "local", scale: int = 1) -> UsageRecord:
    return UsageRecord(
        provider=provider,
        source=source,
        start=START,
        end=START + timedelta(days=1),
        model=model,
        input_tokens=414_481 * scale,
        output_tokens=3_988_381 * scale,
        cache_read_tokens=155_942_217 * scale,
        cache_write_tokens=7_699_184 * scale,
        requests=1969 * scale,
        cost_usd=Decimal("141.0234") * scale,
        cost_kind="estimated" if source == "local" else "reported",
    )


def two_sources() -> Report:
    records = (record("claude", SONNET, "api"), record("claude", SONNET, "local"))
    return Report(generated_at=START, since=START, until=START + timedelta(days=1), records=records)


def typical() -> Report:
    """Two providers and six models from local logs, Codex windows known, no API set up."""
    records = tuple(
        record(provider, model, scale=index + 1)
        for provider, models in MODELS.items()
        for index, model in enumerate(models)
    )
    quotas = tuple(
        Quota(
            provider="openai",
            source="local",
            name=name,
            used=Decimal(used),
            limit=Decimal(100),
            unit="percent",
            observed_at=START + timedelta(days=30),
            resets_at=START + timedelta(days=30, hours=3),
        )
        for name, used in (("codex_5h", 42), ("codex_weekly", 18))
    )
    return Report(
        generated_at=START + timedelta(days=30),
        since=START,
        until=START + timedelta(days=30),
        records=records,
        quotas=quotas,
        not_configured=("claude", "openai", "gemini", "cursor"),
        warnings=(
            SourceWarning(
                provider="claude", source="local", message="1 malformed line skipped in logs"
            ),
        ),
    )


def shown(report: Report, width: int, verbose: bool = False) -> str:
    console = Console(width=width, record=True, force_terminal=False, color_system=None)
    hints: dict[str, str] = {name: f"set the {name} key" for name in report.not_configured}
    render_table(report, console, hints, verbose=verbose)
    return console.export_text()


def test_a_wide_terminal_shows_exact_counts_and_a_total_per_source() -> None:
    text = shown(two_sources(), 160)
    assert "155,942,217" in text and "3,988,381" in text
    assert SONNET in text
    assert text.count("Total") == 2 and "~$141.02" in text and "$141.02" in text
    assert "…" not in text and "abbreviated" not in text


def test_a_narrow_terminal_abbreviates_counts_instead_of_cutting_them() -> None:
    text = shown(two_sources(), 90)
    assert "155.9M" in text and "~$141.02" in text
    assert "Shortened to fit: K/M/B counts (exact: --format csv)" in text
    assert "…" not in text
    assert all(len(line) <= 90 for line in text.splitlines())


def test_columns_are_dropped_in_order_and_said_once() -> None:
    text = shown(two_sources(), 66)
    assert "no cache/request columns" in text
    assert text.count("no cache/request columns") == 1
    assert "C.read" not in text and SONNET in text and "~$141.02" in text
    assert "local" in text, "two sources: the source column stays"


def test_the_source_column_goes_first_when_every_row_has_one_source() -> None:
    text = shown(typical(), 80)
    assert "no source column" in text and "C.read" in text


@pytest.mark.parametrize("width", range(40, 201, 7))
def test_no_width_drops_a_model_or_cuts_a_cost(width: int) -> None:
    report = with_rows(typical())
    text = shown(report, width)
    assert "…" not in text
    assert all(len(line) <= width for line in text.splitlines())
    for group in report.groups:
        assert (group.key or "") in text
        assert money(group.cost_usd, group.cost_kind, group.unpriced) in text
    for total in report.totals:
        assert money(total.cost_usd, total.cost_kind) in text


def test_a_20_column_terminal_stacks_rows_without_cutting_a_figure() -> None:
    report = with_rows(typical())
    text = shown(report, 20)
    assert "rows stacked" in " ".join(text.split())
    for group in report.groups:
        assert money(group.cost_usd, group.cost_kind, group.unpriced) in text
    joined = text.replace("\n", "")
    assert all(model in joined for models in MODELS.values() for model in models)


def test_the_first_screen_of_a_typical_user_fits_80_by_24_with_the_totals_in_view() -> None:
    lines = shown(typical(), 80).rstrip("\n").splitlines()
    # One line stays for the shell prompt: the totals must be in the last 23 lines.
    assert len(lines) <= 23, "\n".join(lines)
    assert any(line.startswith("Total") for line in lines)
    assert "APIs not set up: claude, openai, gemini, cursor — aiusage test-keys" in lines
    limits = [line for line in lines if line.startswith("Limits:")]
    assert limits == [
        "Limits: openai codex_5h 42%, openai codex_weekly 18% — details: aiusage status"
    ]
    assert not any("set the claude key" in line for line in lines)


def test_the_limits_line_says_expired_for_a_window_whose_reset_has_passed() -> None:
    report = typical()
    stale = report.quotas[0].model_copy(
        update={"resets_at": report.generated_at - timedelta(days=13), "used": Decimal(97)}
    )
    text = shown(report.model_copy(update={"quotas": (stale, report.quotas[1])}), 120)
    limits = [line for line in text.splitlines() if line.startswith("Limits:")]
    assert limits == [
        "Limits: openai codex_weekly 18%, openai codex_5h expired — details: aiusage status"
    ]


def test_verbose_shows_the_set_up_text_and_the_limits_table() -> None:
    text = shown(typical(), 120, verbose=True)
    assert "set the claude key" in text and "Limits and allowances" in text
    assert "Limits: openai" not in text


def test_an_empty_period_with_sources_says_what_was_read() -> None:
    report = Report(generated_at=START, since=START, until=START + timedelta(days=1))
    console = Console(width=120, record=True, force_terminal=False, color_system=None)
    render_table(report, console, {}, read_from=["/home/me/.claude/projects"])
    text = console.export_text()
    assert "No usage between Nov 24 and Nov 25 2026 (UTC; read: /home/me/.claude/projects)" in text
    assert "No provider is configured" not in text


def test_with_nothing_found_the_report_says_how_to_start() -> None:
    report = Report(
        generated_at=START,
        since=START,
        until=START + timedelta(days=1),
        not_configured=("claude",),
    )
    text = shown(report, 100)
    assert "No provider is configured yet and no local logs were found" in text


def test_utc_day_rows_of_a_vendor_are_marked_in_another_zone() -> None:
    report = with_rows(
        two_sources().model_copy(update={"timezone": "Europe/Berlin", "group_by": "day"})
    )
    text = shown(report, 160)
    assert "2026-11-24 UTC" in text
    assert {g.bucket_zone for g in report.groups} == {"UTC"}


def test_money_counts_and_missing_values_have_one_spelling() -> None:
    assert usd(Decimal("1234.565")) == "$1,234.57"
    assert usd(None) == "—" and usd(None, missing="n/a") == "n/a"
    assert money(Decimal("1.005"), "reported") == "$1.01"
    assert money(Decimal("1"), "estimated", unpriced=True) == "~$1.00+?"
    assert money(Decimal("1"), "mixed") == "~$1.00"
    assert money(None, None, unpriced=True) == "?"
    assert money(None, None) == "—"
    assert count(9_999, compact=True) == "9,999"
    assert count(155_942_217, compact=True) == "155.9M"
    assert count(999_960, compact=True) == "1.0M"
    assert count(None) == "—"


def test_csv_has_the_table_rows_with_exact_money() -> None:
    text = render_csv(with_rows(two_sources()))
    lines = text.splitlines()
    assert lines[0].startswith("by,key,provider,source,model,input_tokens")
    assert ",141.0234,reported," in lines[1] and ",141.0234,estimated," in lines[2]


@pytest.mark.parametrize("width", [20, 60, 80, 120])
def test_breakdown_rows_keep_every_model_and_cost_at_any_width(width: int) -> None:
    report = with_rows(typical().model_copy(update={"group_by": "day", "breakdown": True}))
    text = shown(report, width)
    joined = text.replace("\n", "")
    for group in report.groups:
        assert money(group.cost_usd, group.cost_kind, group.unpriced) in text
        assert group.model is None or group.model in joined
    assert all(len(line) <= width for line in text.splitlines())


def test_with_only_local_sources_asked_and_none_found_it_says_so() -> None:
    report = Report(generated_at=START, since=START, until=START + timedelta(days=1))
    text = shown(report, 100)
    assert "No local logs (Claude Code, Codex, Gemini CLI) or manual entries were found." in text
    assert "No usage between" not in text
