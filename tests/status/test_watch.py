"""``status --watch``: redraws with fresh documents until Ctrl-C, then exit 0."""

from __future__ import annotations

import io
from datetime import UTC, datetime

import pytest
from rich.console import Console

from aiusage.status import watch
from aiusage.status.document import StatusDocument
from aiusage.zones import UTC_ZONE


def test_each_redraw_gathers_again_and_ctrl_c_ends_with_0(monkeypatch: pytest.MonkeyPatch) -> None:
    gathered: list[int] = []
    sleeps: list[float] = []

    def gather() -> StatusDocument:
        gathered.append(1)
        now = datetime(2026, 11, 10, 12, len(gathered), tzinfo=UTC)
        return StatusDocument(generated_at=now, timezone="UTC", month_start=now.replace(day=1))

    def sleep(seconds: float) -> None:
        sleeps.append(seconds)
        if len(sleeps) == 3:
            raise KeyboardInterrupt

    monkeypatch.setattr("aiusage.status.watch.time.sleep", sleep)
    out = io.StringIO()
    console = Console(file=out, force_terminal=True, width=80, no_color=True)
    assert watch.watch_status(gather, 7, console, UTC_ZONE) == 0
    assert len(gathered) == 3 and sleeps == [7, 7, 7]
    text = out.getvalue()
    assert "as of 12:03" in text and "redrawn every 7 s" in text
    assert "\x1b[?25h" in text  # the cursor is shown again
