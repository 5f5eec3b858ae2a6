"""``aiusage serve``: a Prometheus exporter over the store, until SIGTERM or Ctrl-C."""

from __future__ import annotations

import signal
import threading
from types import FrameType
from typing import TYPE_CHECKING

from aiusage.metrics.server import is_loopback, serve
from aiusage.metrics.totals import Split
from aiusage.settings import load_settings

if TYPE_CHECKING:
    from rich.console import Console

STOP_SIGNALS = (signal.SIGTERM, signal.SIGINT)


def run_serve(*, host: str, port: int, split: Split | None, stderr: Console) -> int:
    """Serve until SIGTERM or SIGINT; 0 on a clean stop.

    Raises:
        ConfigError: the store cannot be opened or the address cannot be bound.
    """
    from aiusage.terminal_text import plain

    settings = load_settings()
    stop = threading.Event()

    def on_signal(signum: int, frame: FrameType | None) -> None:
        stop.set()

    previous = {signum: signal.signal(signum, on_signal) for signum in STOP_SIGNALS}

    def on_ready(url: str) -> None:
        stderr.print(plain(f"aiusage: serving metrics on {url} (Ctrl-C to stop)"), soft_wrap=True)
        if not is_loopback(host):
            stderr.print(
                plain(
                    f"aiusage: listening on {host}, not only on this machine: anyone who can "
                    "reach this port can read your usage and spend"
                ),
                soft_wrap=True,
            )

    try:
        serve(settings, host, port, split, stop, on_ready)
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)
    stderr.print(plain("aiusage: stopped"), soft_wrap=True)
    return 0
