"""What the report needs to know of Claude before any request: set up or not, how to set it up.

Kept apart from the provider (``provider.py``), whose client code a report served from the
store never imports (benchmarks/bench_warm.py).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from aiusage.models import ProviderName
    from aiusage.settings import Settings


class ClaudeSetup:
    name: ProviderName = "claude"
    vendor = "Anthropic"

    def configured(self, settings: Settings) -> bool:
        return settings.anthropic_admin_key is not None

    def setup_hint(self) -> str:
        return (
            "set ANTHROPIC_ADMIN_KEY to an Anthropic Admin key (sk-ant-admin01-…) or a Claude "
            "Enterprise Analytics API key (read:analytics)"
        )

    def cache_variant(self, settings: Settings) -> str:
        # Answers fetched under one AIUSAGE_CLAUDE_API are not reused under another.
        return settings.claude_api
