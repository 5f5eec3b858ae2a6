"""The table never cuts a figure: exact counts when they fit, abbreviated (and said so) when not."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

from rich.console import Console

from aiusage.models import Report, UsageRecord
from aiusage.render import render_table

START = datetime(2026, 11, 24, tzinfo=UTC)


def report() -> Report:
    records = tuple(
        UsageRecord(
            provider="claude",
            source=source,
            start=START,
            end=START + timedelta(days=1),
            model="claude-sonnet-4-5-20250929",
            input_tokens=414_481,
            output_tokens=3_988_381,
            cache_read_tokens=155_942_217,
            cache_write_tokens=7_699_184,
            requests=1969,
            cost_usd=Decimal("141.0234"),
            cost_kind="estimated",
        )
        for source in ("api", "local")
    )
    return Report(generated_at=START, since=START, until=START + timedelta(days=1), records=records)


def shown(width: int) -> str:
    console = Console(width=width, record=True, force_terminal=False, color_system=None)
    render_table(report(), console, {})
    return console.export_text()


def test_a_wide_terminal_shows_exact_counts_and_a_total_per_source() -> None:
    text = shown(160)
    assert "155,942,217" in text and "3,988,381" in text
    assert "claude-sonnet-4-5-20250929" in text
    assert text.count("Total") == 2 and "~$141.02" in text
    assert "…" not in text and "abbreviated" not in text


def test_a_narrow_terminal_abbreviates_counts_instead_of_cutting_them() -> None:
    text = shown(80)
    assert "155.9M" in text and "~$141.02" in text
    assert "abbreviated" in text and "--format json" in text
    assert "…" not in text
    assert all(len(line) <= 80 for line in text.splitlines())
