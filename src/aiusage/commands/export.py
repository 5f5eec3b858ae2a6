"""``aiusage export``: the store's metrics once, to stdout, a file or a Pushgateway."""

from __future__ import annotations

import socket
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from aiusage.errors import UsageError
from aiusage.metrics.collector import registry_for
from aiusage.metrics.exposition import Format, render, write_atomically
from aiusage.metrics.health import HealthBook
from aiusage.metrics.push import gateway_url, push
from aiusage.metrics.refresh import refresh_store
from aiusage.metrics.snapshot import read_snapshot
from aiusage.metrics.totals import Split
from aiusage.models import utc_now
from aiusage.settings import load_settings

if TYPE_CHECKING:
    from rich.console import Console


def run_export(
    *,
    output_format: Format,
    output: Path | None,
    push_url: str | None,
    instance: str | None,
    offline: bool,
    split: Split | None,
    stderr: Console,
) -> int:
    """Bring the store up to date, then expose it; 1 when a source failed (metrics still go out).

    Raises:
        UsageError: an empty ``--instance``, or ``--push`` not an http(s) URL.
        ConfigError: the store or ``--output`` cannot be used.
        PushError: the Pushgateway is unreachable or refused the metrics.
    """
    from aiusage.terminal_text import plain

    if instance is not None and not instance.strip():
        raise UsageError("--instance needs a name, for example --instance $(hostname)")
    if push_url is not None:
        push_url = gateway_url(push_url)
    settings = load_settings()
    book = HealthBook()
    outcome = refresh_store(settings, utc_now(), offline=offline, split=split)
    book.record(outcome)
    for error in outcome.errors:
        stderr.print(
            plain(f"aiusage: {error.provider} {error.source}: {error.message}"), soft_wrap=True
        )
    snapshot = read_snapshot(settings, book, split)
    registry = registry_for(lambda: snapshot)
    if output is not None:
        write_atomically(output, render(registry, output_format))
    elif push_url is None:
        _write_stdout(render(registry, output_format))
    if push_url is not None:
        push(push_url, registry, instance or socket.gethostname())
    return 1 if outcome.errors else 0


def _write_stdout(content: bytes) -> None:
    # The exposition formats are UTF-8 by definition, whatever the terminal's encoding.
    try:
        sys.stdout.buffer.write(content)
        sys.stdout.buffer.flush()
    except BrokenPipeError:
        pass
