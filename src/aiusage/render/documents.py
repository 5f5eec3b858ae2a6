"""The report as documents: JSON (``aiusage.report/1``) and CSV of the table's rows."""

from __future__ import annotations

import csv
import io

from aiusage.models import Group, Report

# The table's rows, with the JSON field names; money keeps its exact decimal text.
CSV_FIELDS = (
    "by",
    "key",
    "provider",
    "source",
    "model",
    "input_tokens",
    "output_tokens",
    "cache_read_tokens",
    "cache_write_tokens",
    "requests",
    "cost_usd",
    "cost_kind",
    "unpriced",
    "bucket_zone",
)


def render_json(report: Report) -> str:
    return report.model_dump_json(by_alias=True, indent=2)


def _csv_row(group: Group) -> dict[str, object]:
    row = group.model_dump(mode="json")
    # CSV keeps the exact decimal text of the money, not a float.
    row["cost_usd"] = None if group.cost_usd is None else str(group.cost_usd)
    row["unpriced"] = "true" if group.unpriced else "false"
    return {name: "" if row[name] is None else row[name] for name in CSV_FIELDS}


def render_csv(report: Report) -> str:
    """One line per row of the table (``--by``, ``--breakdown``), totals not included."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=CSV_FIELDS, lineterminator="\n")
    writer.writeheader()
    for group in report.groups:
        writer.writerow(_csv_row(group))
    return out.getvalue()
