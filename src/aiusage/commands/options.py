"""Choices shared by several commands."""

from __future__ import annotations

from enum import StrEnum


class ProviderChoice(StrEnum):
    claude = "claude"
    openai = "openai"
    gemini = "gemini"
    cursor = "cursor"


class SourceChoice(StrEnum):
    api = "api"
    local = "local"
    manual = "manual"


class GroupChoice(StrEnum):
    provider = "provider"
    model = "model"
    day = "day"
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
