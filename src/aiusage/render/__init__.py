"""Rendering: the report's table and notes, its JSON and CSV documents, the key checks.

``aiusage.render.format`` owns how money, counts and "—" are written; other commands reuse it.
"""

from aiusage.render.documents import CSV_FIELDS, render_csv, render_json
from aiusage.render.format import NONE, count, money, usd
from aiusage.render.keys import render_key_checks
from aiusage.render.screen import quota_table, render_table

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
