"""``aiusage test-keys``: is each credential present, well-formed, accepted, of the right kind."""

from __future__ import annotations

import asyncio
import json

import httpx
from rich.console import Console

from aiusage.collect import connect
from aiusage.models import PROVIDER_NAMES, KeyCheck
from aiusage.render import render_key_checks
from aiusage.settings import Settings, load_settings
from aiusage.sources.base import ClientConfig
from aiusage.sources.registry import API_PROVIDERS
from aiusage.terminal_text import write_stdout


async def check_all(settings: Settings, providers: list[str]) -> list[KeyCheck]:
    def factory(config: ClientConfig) -> httpx.AsyncClient:
        return connect(config, settings)

    chosen = [API_PROVIDERS[p] for p in (providers or PROVIDER_NAMES) if p in API_PROVIDERS]
    results = await asyncio.gather(*(p.check_keys(settings, factory) for p in chosen))
    return [check for checks in results for check in checks]


def run_test_keys(*, providers: list[str], output_format: str, stdout: Console) -> int:
    """Check the credentials; exit 0 when every credential that is set is ``ok``."""
    settings = load_settings()
    checks = asyncio.run(check_all(settings, providers))
    if output_format == "json":
        write_stdout(json.dumps([c.model_dump() for c in checks], indent=2) + "\n")
    else:
        render_key_checks(checks, stdout)
    return 0 if all(c.status in ("ok", "missing") for c in checks) else 1
