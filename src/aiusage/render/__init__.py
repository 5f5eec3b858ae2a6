"""Rendering: the report's table and notes, its JSON and CSV documents, the key checks.

``aiusage.render.format`` owns how money, counts and "—" are written; other commands reuse it,
the status line too. So importing ``aiusage.render.format`` must not load Rich or pydantic:
the names below are imported from their modules on first use, not when the package loads.
"""

from __future__ import annotations

# Not typing.TYPE_CHECKING: importing typing costs the status line a few milliseconds.
TYPE_CHECKING = False
if TYPE_CHECKING:
    from aiusage.render.documents import CSV_FIELDS, render_csv, render_json
    from aiusage.render.format import NONE, count, money, usd
    from aiusage.render.keys import render_key_checks
    from aiusage.render.screen import quota_table, render_table

_HOMES = {
    "CSV_FIELDS": "documents",
    "render_csv": "documents",
    "render_json": "documents",
    "NONE": "format",
    "count": "format",
    "money": "format",
    "usd": "format",
    "render_key_checks": "keys",
    "quota_table": "screen",
    "render_table": "screen",
}

__all__ = [
    "CSV_FIELDS",
    "NONE",
    "count",
    "money",
    "quota_table",
    "render_csv",
    "render_json",
    "render_key_checks",
    "render_table",
    "usd",
]


def __getattr__(name: str) -> object:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(__import__(f"{__name__}.{home}", fromlist=[name]), name)
