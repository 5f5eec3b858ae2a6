"""Choices of ``aiusage export`` and ``aiusage serve`` (kept apart: importing them is cheap)."""

from __future__ import annotations

from enum import StrEnum


class ExportFormat(StrEnum):
    prometheus = "prometheus"
    openmetrics = "openmetrics"


class LabelSplit(StrEnum):
    """An opt-in label that names a project (folders, workspaces) or a user (e-mails)."""

    project = "project"
    user = "user"
