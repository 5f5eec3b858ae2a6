"""Choices shared by several commands (matched without regard to case)."""

from __future__ import annotations

from collections.abc import Iterable
from enum import StrEnum


class ProviderChoice(StrEnum):
    claude = "claude"
    openai = "openai"
    gemini = "gemini"
    cursor = "cursor"
    # Aliases: the vendor's name for the same provider.
    anthropic = "anthropic"
    google = "google"


PROVIDER_ALIASES = {"anthropic": "claude", "google": "gemini"}


def provider_names(chosen: Iterable[ProviderChoice | str] | None) -> list[str]:
    """The providers asked for, aliases resolved, each once, in the order given."""
    names: list[str] = []
    for choice in chosen or []:
        value = str(choice.value if isinstance(choice, ProviderChoice) else choice).lower()
        name = PROVIDER_ALIASES.get(value, value)
        if name not in names:
            names.append(name)
    return names


class SourceChoice(StrEnum):
    api = "api"
    local = "local"
    manual = "manual"


class GroupChoice(StrEnum):
    provider = "provider"
    model = "model"
    day = "day"
    week = "week"
    month = "month"
    hour = "hour"
    session = "session"
    project = "project"
    user = "user"
    product = "product"


class GranularityChoice(StrEnum):
    day = "1d"
    hour = "1h"
    minute = "1m"


class ReportFormat(StrEnum):
    table = "table"
    json = "json"
    csv = "csv"


class ListFormat(StrEnum):
    table = "table"
    json = "json"
