"""What the report needs to know of Gemini before any request: set up or not, how to set it up,
and which project's usage is read (the cache keeps projects apart).

Kept apart from the provider (``provider.py``), whose client code a report served from the
store never imports (benchmarks/bench_warm.py).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from aiusage.errors import ConfigError
from aiusage.sources.api.gemini.credentials import (
    SETUP,
    CredentialsFile,
    find_credentials_file,
    project_in,
    read_info,
)

if TYPE_CHECKING:
    from aiusage.models import ProviderName
    from aiusage.settings import Settings

VENDOR = "Google Cloud Monitoring"
API_KEY = "GEMINI_API_KEY"
PROJECT = "GOOGLE_CLOUD_PROJECT"


def resolve(settings: Settings) -> tuple[CredentialsFile, dict[str, Any], str]:
    """The credentials file, its contents and the project whose usage is read.

    Raises:
        ConfigError: no credentials, an unusable file, or no project.
    """
    source = find_credentials_file(settings)
    if source is None:
        raise ConfigError("no Google credentials found: " + SETUP)
    info = read_info(source)
    project = settings.google_cloud_project or project_in(info)
    if not project:
        raise ConfigError(
            f"set {PROJECT} to the project that owns your Gemini key ({source.label} names none)"
        )
    return source, info, project


class GeminiSetup:
    name: ProviderName = "gemini"
    vendor = VENDOR

    def configured(self, settings: Settings) -> bool:
        source = find_credentials_file(settings)
        if source is None:
            return False
        if settings.google_cloud_project:
            return True
        try:
            info = read_info(source)
        except ConfigError:
            # A broken file the user named explicitly is reported by fetch, not hidden.
            return source.explicit
        return project_in(info) is not None

    def setup_hint(self) -> str:
        return SETUP + f" ({API_KEY} alone cannot read usage)"

    def cache_variant(self, settings: Settings) -> str:
        try:
            return resolve(settings)[2]
        except ConfigError:
            return ""
