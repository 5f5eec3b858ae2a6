"""The registry's providers answer set-up questions without loading any vendor's client code."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from aiusage.settings import load_settings
from aiusage.sources.api.claude.provider import ClaudeProvider
from aiusage.sources.api.claude.readiness import ClaudeSetup
from aiusage.sources.api.deferred import DeferredProvider

SETUP_ONLY = """
import sys
from aiusage.settings import load_settings
from aiusage.sources.registry import API_PROVIDERS

settings = load_settings()
for provider in API_PROVIDERS.values():
    provider.configured(settings), provider.cache_variant(settings), provider.setup_hint()
loaded = sorted(m for m in sys.modules if m == "httpx" or m.endswith((".provider", ".client")))
print(" ".join(loaded))
"""


def test_asking_whether_providers_are_set_up_loads_no_client_code(tmp_path: Path) -> None:
    account = tmp_path / "service-account.json"
    account.write_text('{"type": "service_account", "project_id": "p"}')
    env = {
        "HOME": str(tmp_path),
        "AIUSAGE_HOME": str(tmp_path),
        "ANTHROPIC_ADMIN_KEY": "sk-ant-admin01-" + "a" * 93,
        "OPENAI_ADMIN_KEY": "sk-admin-" + "b" * 48,
        "CURSOR_ADMIN_KEY": "key_" + "c" * 64,
        "GOOGLE_APPLICATION_CREDENTIALS": str(account),
    }
    done = subprocess.run(
        [sys.executable, "-c", SETUP_ONLY], env=env, capture_output=True, text=True, check=True
    )
    assert done.stdout.split() == []


def test_the_provider_is_built_once_when_first_needed() -> None:
    built: list[ClaudeProvider] = []

    def load() -> ClaudeProvider:
        built.append(ClaudeProvider())
        return built[-1]

    deferred = DeferredProvider(ClaudeSetup(), load)
    settings = load_settings()
    assert (deferred.name, deferred.vendor) == ("claude", "Anthropic")
    assert deferred.setup_hint() == ClaudeProvider().setup_hint()
    deferred.cache_variant(settings)
    assert built == []
    deferred.client_config(settings)
    deferred.client_config(settings)
    assert len(built) == 1
    assert deferred.provider() is built[0]
