"""The status screen at a fixed width: figures, n/a, expired, pace, and vendor text kept plain."""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from rich.console import Console

from aiusage.status.document import Block, Budget, Problem, Spend, StatusDocument, Window
from aiusage.status.render import duration, render_status

NOW = datetime(2026, 11, 10, 12, 0, tzinfo=UTC)


def screen(document: StatusDocument) -> str:
    console = Console(width=100, record=True, no_color=True, file=io.StringIO())
    console.print(render_status(document, UTC))
    return console.export_text()


def window(**fields: object) -> Window:
    base: dict[str, object] = {
        "provider": "claude",
        "source": "statusline",
        "source_kind": "local",
        "window": "five_hour",
        "used_ratio": Decimal("0.52"),
        "resets_at": NOW + timedelta(hours=3, minutes=12),
        "observed_at": NOW - timedelta(minutes=2),
        "window_seconds": 18000,
        "pace": Decimal("0.12"),
        "limit_at": NOW + timedelta(hours=2, minutes=40),
    }
    base.update(fields)
    return Window.model_validate(base)


def document(**fields: object) -> StatusDocument:
    return StatusDocument.model_validate(
        {"generated_at": NOW, "timezone": "UTC", "month_start": NOW.replace(day=1), **fields}
    )


def test_durations() -> None:
    assert duration(timedelta(hours=3, minutes=12)) == "3h 12m"
    assert duration(timedelta(days=2, hours=4, minutes=5)) == "2d 4h"
    assert duration(timedelta(minutes=45)) == "45m"
    assert duration(timedelta(seconds=20)) == "<1m"


def test_a_window_line_has_percent_reset_age_and_pace() -> None:
    text = screen(document(windows=[window()]))
    assert "52 %  resets 15:12 (in 3h 12m)" in text
    assert "read 2m ago (status line)" in text
    assert "12 % ahead of pace — at this rate you hit the limit at 14:40" in text


def test_unknown_is_n_a_and_expired_is_said() -> None:
    text = screen(
        document(
            windows=[
                window(
                    window="seven_day",
                    used_ratio=None,
                    resets_at=None,
                    observed_at=None,
                    pace=None,
                    limit_at=None,
                ),
                window(
                    expired=True,
                    stale=True,
                    used_ratio=None,
                    pace=None,
                    limit_at=None,
                    resets_at=NOW - timedelta(minutes=5),
                ),
            ]
        )
    )
    assert "n/a" in text and "0 %" not in text
    assert "expired (reset at 11:55)" in text


def test_block_and_month_lines() -> None:
    block = Block(
        provider="claude",
        start=NOW - timedelta(hours=2),
        end=NOW + timedelta(hours=3),
        tokens=1_234_567,
        cost_usd=Decimal("3.45"),
        burn_tokens_per_min=Decimal("5300"),
        burn_usd_per_hour=Decimal("1.2"),
        projected_cost_usd=Decimal("6.1"),
    )
    spend = Spend(
        provider="claude",
        spent_usd=Decimal("45.2"),
        spent_kind="estimated",
        projected_usd=Decimal("98"),
        sources=("local",),
    )
    budget = Budget(
        provider="claude",
        monthly_usd=Decimal(100),
        spent_usd=Decimal("45.2"),
        spent_kind="estimated",
        projected_usd=Decimal(98),
        warn_ratio=Decimal("0.8"),
        over=False,
        warn=False,
    )
    text = screen(document(blocks=[block], spend=[spend], budgets=[budget]))
    assert (
        "10:00–15:00 · 1.2M tokens · $3.45 est. · 5.3k tokens/min · $1.20/h → $6.10 by 15:00"
        in text
    )
    assert "$45.20 estimated from local logs of $100.00 budget (45 %) → $98.00 by month end" in text


def test_vendor_text_is_printed_plainly() -> None:
    problem = Problem(provider="cursor", source="cursor-live", message="[bold]x[/] \x1b[2J")
    text = screen(
        document(
            errors=[problem],
            windows=[window(provider="cursor", source="cursor-live", detail="[red]pro[/red]")],
        )
    )
    assert "[bold]x[/] \\x1b[2J" in text
    assert "[red]pro[/red]" in text


def test_nothing_known_says_how_to_start() -> None:
    assert "Nothing to show yet" in screen(document())
