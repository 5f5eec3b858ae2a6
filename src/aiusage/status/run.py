"""Run ``aiusage status``: refresh what is due, gather, print once or watch; return the exit code.

Exit codes: 0, or 1 when an admin API or a local source failed (as ``report``), or 3 with
``--check`` when a budget is exceeded or a current window is at or above its warn level (3 wins).
A live source that fails (codex app-server, Cursor's app) is shown with its last reading and does
not change the code.
"""

from __future__ import annotations

from typing import cast

from rich.console import Console

from aiusage.models import PROVIDER_NAMES, SOURCE_KINDS, ProviderName, utc_now
from aiusage.settings import Settings, load_settings
from aiusage.status.document import StatusDocument
from aiusage.status.gather import current_readings
from aiusage.status.refresh import refresh_live
from aiusage.status.render import render_status
from aiusage.store import Store
from aiusage.terminal_text import plain, write_stdout
from aiusage.zones import Zone, resolve_zone

CHECK_FAILED = 3
APP_SERVER_EVERY = 60  # seconds between two app-server reads while watching


def snapshot(
    settings: Settings,
    providers: list[ProviderName],
    zone: Zone,
    stderr: Console,
    app_server_max_age: int = 0,
) -> StatusDocument:
    """Refresh the live sources that are due, then read everything back as one document."""
    now = utc_now()
    store = Store.open(settings.store_path)
    try:
        refresh_live(
            settings,
            store,
            int(now.timestamp()),
            notice=lambda text: stderr.print(plain(text), soft_wrap=True),
            app_server_max_age=app_server_max_age,
        )
        return current_readings(settings, store, now, providers=providers, zone=zone, offline=False)
    finally:
        store.close()


def exit_code(document: StatusDocument, check: bool) -> int:
    if check and document.check_failed():
        return CHECK_FAILED
    return 1 if any(e.source in SOURCE_KINDS for e in document.errors) else 0


def run_status(
    *,
    providers: list[str],
    output_format: str,
    check: bool,
    watch: int | None,
    stdout: Console,
    stderr: Console,
) -> int:
    settings = load_settings()
    zone = resolve_zone(None, settings.timezone)
    chosen = [cast(ProviderName, p) for p in providers] or list(PROVIDER_NAMES)
    if watch is not None:
        from aiusage.status.watch import watch_status

        return watch_status(
            lambda: snapshot(settings, chosen, zone, stderr, APP_SERVER_EVERY),
            watch,
            stdout,
            zone,
        )
    document = snapshot(settings, chosen, zone, stderr)
    if output_format == "json":
        write_stdout(document.model_dump_json(by_alias=True, indent=2) + "\n")
    else:
        stdout.print(render_status(document, zone.tz))
        for warning in document.warnings:
            stderr.print(plain(f"aiusage: {warning.provider}: {warning.message}"), soft_wrap=True)
    return exit_code(document, check)
