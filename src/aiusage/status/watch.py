"""``status --watch``: a Rich Live screen redrawn in place every few seconds until Ctrl-C.

Each redraw gathers again: local logs are re-read, live sources are asked when due, and admin
APIs only when their cached answer has expired. Ctrl-C ends it with exit 0; Rich restores the
cursor when the Live context closes.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from rich.console import Console, Group, RenderableType
from rich.live import Live
from rich.text import Text

from aiusage.status.document import StatusDocument
from aiusage.status.render import render_status
from aiusage.zones import Zone


def _screen(document: StatusDocument, zone: Zone, interval: int) -> RenderableType:
    header = Text(f"aiusage status — redrawn every {interval} s, Ctrl-C to quit", style="dim")
    return Group(header, Text(""), render_status(document, zone.tz))


def watch_status(
    gather: Callable[[], StatusDocument], interval: int, console: Console, zone: Zone
) -> int:
    """Redraw until interrupted; return 0."""
    try:
        with Live(
            _screen(gather(), zone, interval),
            console=console,
            auto_refresh=False,
            redirect_stderr=False,
        ) as live:
            while True:
                time.sleep(interval)
                live.update(_screen(gather(), zone, interval), refresh=True)
    except KeyboardInterrupt:
        pass
    return 0
