"""``aiusage report`` in the user's zone: local logs cut exactly, --by views, JSON groups/totals.

Each log line carries a distinct power of two as its output tokens, so a sum names exactly the
lines it holds. Expected days are worked out with ``zoneinfo`` from the lines' timestamps, not
by the code under test.
"""

from __future__ import annotations

import csv
import io
import json
import re
import shutil
from collections import defaultdict
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from typer.testing import CliRunner

from aiusage.cli import app
from aiusage.render.format import money
from tests.sources.logs.logs import (
    OPUS,
    SONNET,
    assistant,
    claude_project,
    claude_usage,
    write_lines,
)

# Around the midnights of Los Angeles (08:00Z), Tokyo (15:00Z), Kolkata (18:30Z) and
# Kathmandu (18:15Z), and across the month boundary.
STAMPS = [
    "2026-10-31T07:59:00Z",
    "2026-10-31T08:01:00Z",
    "2026-10-31T14:59:59Z",
    "2026-10-31T15:00:00Z",
    "2026-10-31T18:10:00Z",
    "2026-10-31T18:20:00Z",
    "2026-10-31T18:29:59Z",
    "2026-10-31T18:30:00Z",
    "2026-10-31T23:30:00Z",
    "2026-11-01T06:59:00Z",
    "2026-11-01T07:00:00Z",
    "2026-11-02T07:30:00Z",
    "2026-11-02T08:30:00Z",
]
PERIOD = ["--since", "2026-10-20", "--until", "2026-11-10"]
ZONES = ["America/Los_Angeles", "Asia/Tokyo", "Asia/Kolkata", "Asia/Kathmandu", "UTC"]


def moment(stamp: str) -> datetime:
    return datetime.fromisoformat(stamp.replace("Z", "+00:00"))


def write_logs(home: Path, stamps: list[str] = STAMPS) -> dict[str, int]:
    """One Claude Code line per stamp (sessions a and b, two models); returns stamp -> output."""
    project = claude_project(home)
    outputs = {stamp: 2**index for index, stamp in enumerate(stamps)}
    for session in ("a", "b"):
        lines = [
            assistant(
                f"msg_{index}",
                f"req_{index}",
                claude_usage(1, outputs[stamp]),
                timestamp=stamp,
                model=SONNET if index % 3 else OPUS,
                session=f"session-{session}",
            )
            for index, stamp in enumerate(stamps)
            if (index % 2 == 0) == (session == "a")
        ]
        write_lines(project / f"session-{session}.jsonl", lines)
    return outputs


def report(*args: str) -> dict[str, Any]:
    result = CliRunner().invoke(
        app,
        ["report", "--source", "local", "--provider", "claude", "--format", "json", *args],
        catch_exceptions=False,
    )
    assert result.exit_code == 0, result.stderr
    document: dict[str, Any] = json.loads(result.stdout)
    return document


def expected_by(outputs: dict[str, int], zone: str, fmt: str) -> dict[str, int]:
    sums: dict[str, int] = defaultdict(int)
    for stamp, output in outputs.items():
        sums[moment(stamp).astimezone(ZoneInfo(zone)).strftime(fmt)] += output
    return dict(sums)


@pytest.fixture
def outputs(isolated_environment: Path) -> dict[str, int]:
    return write_logs(isolated_environment / "home")


@pytest.mark.parametrize("zone", ZONES)
def test_days_are_the_zone_s_own_days_exactly(outputs: dict[str, int], zone: str) -> None:
    document = report(*PERIOD, "--timezone", zone, "--by", "day")
    groups = {g["key"]: g["output_tokens"] for g in document["groups"]}
    assert groups == expected_by(outputs, zone, "%Y-%m-%d")
    assert {g["bucket_zone"] for g in document["groups"]} == {zone}
    assert document["timezone"] == zone


@pytest.mark.parametrize("zone", ZONES)
def test_records_summed_by_their_local_day_equal_the_groups(
    outputs: dict[str, int], zone: str
) -> None:
    document = report(*PERIOD, "--timezone", zone)
    tz = ZoneInfo(zone)
    by_day: dict[str, int] = defaultdict(int)
    for record in document["records"]:
        start, end = moment(record["start"]), moment(record["end"])
        # Each record lies inside one local day.
        assert start.astimezone(tz).date() == (end - timedelta(seconds=1)).astimezone(tz).date()
        by_day[start.astimezone(tz).strftime("%Y-%m-%d")] += record["output_tokens"]
        assert record["start"].endswith("Z") and record["end"].endswith("Z")
    assert dict(by_day) == expected_by(outputs, zone, "%Y-%m-%d")


def test_los_angeles_and_tokyo_get_their_own_months(outputs: dict[str, int]) -> None:
    for zone in ("America/Los_Angeles", "Asia/Tokyo"):
        document = report(*PERIOD, "--timezone", zone, "--by", "month")
        groups = {g["key"]: g["output_tokens"] for g in document["groups"]}
        assert groups == expected_by(outputs, zone, "%Y-%m")
    la = report(*PERIOD, "--timezone", "America/Los_Angeles", "--by", "month")["groups"]
    tokyo = report(*PERIOD, "--timezone", "Asia/Tokyo", "--by", "month")["groups"]
    assert la[0]["output_tokens"] != tokyo[0]["output_tokens"]


def test_weeks_are_iso_weeks_starting_monday_in_the_zone(outputs: dict[str, int]) -> None:
    document = report(*PERIOD, "--timezone", "Asia/Tokyo", "--by", "week")
    groups = {g["key"]: g["output_tokens"] for g in document["groups"]}
    assert groups == expected_by(outputs, "Asia/Tokyo", "%G-W%V")


def test_hours_in_a_half_hour_zone_are_its_own_hours(outputs: dict[str, int]) -> None:
    document = report(*PERIOD, "--timezone", "Asia/Kolkata", "--by", "hour")
    groups = {g["key"]: g["output_tokens"] for g in document["groups"]}
    expected: dict[str, int] = defaultdict(int)
    for stamp, output in outputs.items():
        local = moment(stamp).astimezone(ZoneInfo("Asia/Kolkata"))
        expected[local.replace(minute=0, second=0).isoformat(timespec="minutes")] += output
    assert groups == expected
    assert "2026-11-01T00:00+05:30" in groups  # 18:30Z opens Kolkata's Nov 1


def test_the_period_is_cut_exactly_at_a_time_that_is_not_on_the_hour(
    outputs: dict[str, int],
) -> None:
    document = report("--since", "2026-10-31T08:00:00Z", "--until", "2026-10-31T18:25:00Z")
    expected = sum(
        output
        for stamp, output in outputs.items()
        if moment("2026-10-31T08:00:00Z") <= moment(stamp) < moment("2026-10-31T18:25:00Z")
    )
    assert sum(r["output_tokens"] for r in document["records"]) == expected
    assert document["records"][0]["start"] == "2026-10-31T08:00:00Z"


def test_a_relative_span_counts_only_the_lines_inside_it(isolated_environment: Path) -> None:
    now = datetime.now(UTC).replace(microsecond=0)
    stamps = [
        (now - timedelta(minutes=minutes)).strftime("%Y-%m-%dT%H:%M:%SZ")
        for minutes in (100, 80, 10)
    ]
    outputs = write_logs(isolated_environment / "home", stamps)
    document = report("--since", "90m")
    assert document["totals"][0]["output_tokens"] == outputs[stamps[1]] + outputs[stamps[2]]


def test_sessions_are_rows_of_their_own(outputs: dict[str, int]) -> None:
    document = report(*PERIOD, "--by", "session")
    groups = {g["key"]: g["output_tokens"] for g in document["groups"]}
    in_a = sum(output for index, output in enumerate(outputs.values()) if index % 2 == 0)
    assert groups == {"session-a": in_a, "session-b": sum(outputs.values()) - in_a}
    assert {r["session"] for r in document["records"]} == {"session-a", "session-b"}


def test_records_keep_their_shape_without_by_session(outputs: dict[str, int]) -> None:
    document = report(*PERIOD)
    assert all("session" not in record for record in document["records"])


def test_breakdown_adds_the_models_under_each_row(outputs: dict[str, int]) -> None:
    document = report(*PERIOD, "--timezone", "UTC", "--by", "day", "--breakdown")
    groups = document["groups"]
    parents = [g for g in groups if g["model"] is None]
    for parent in parents:
        children = [g for g in groups if g["model"] is not None and g["key"] == parent["key"]]
        assert children, parent
        assert sum(c["output_tokens"] for c in children) == parent["output_tokens"]
        assert {c["model"] for c in children} <= {SONNET, OPUS}
    # A parent is followed directly by its models.
    assert groups[0]["model"] is None and groups[1]["model"] is not None


def test_totals_are_per_source_kind_and_equal_the_records(outputs: dict[str, int]) -> None:
    document = report(*PERIOD)
    assert [t["source"] for t in document["totals"]] == ["local"]
    total = document["totals"][0]
    assert total["output_tokens"] == sum(outputs.values())
    assert total["cost_kind"] == "estimated"
    assert total["requests"] == len(outputs)


@pytest.mark.parametrize(
    "by", ["provider", "model", "day", "week", "month", "hour", "session", "project", "user",
           "product"],
)  # fmt: skip
def test_csv_rows_are_the_json_groups_for_every_by(outputs: dict[str, int], by: str) -> None:
    document = report(*PERIOD, "--by", by, "--timezone", "Asia/Tokyo")
    result = CliRunner().invoke(
        app,
        ["report", "--source", "local", *PERIOD, "--by", by, "--timezone", "Asia/Tokyo",
         "--format", "csv"],
        catch_exceptions=False,
    )  # fmt: skip
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert [(r["key"], int(r["output_tokens"])) for r in rows] == [
        (g["key"] or "", g["output_tokens"]) for g in document["groups"]
    ]
    assert sum(g["output_tokens"] for g in document["groups"] if g["model"] is None) == sum(
        outputs.values()
    )


@pytest.mark.parametrize(
    "by", ["provider", "model", "day", "week", "month", "hour", "session", "project", "user",
           "product"],
)  # fmt: skip
def test_the_table_shows_every_json_group_and_its_cost(outputs: dict[str, int], by: str) -> None:
    args = [*PERIOD, "--by", by, "--timezone", "Asia/Tokyo"]
    document = report(*args)
    result = CliRunner().invoke(app, ["report", "--source", "local", *args], env={"COLUMNS": "200"})
    rows = [*document["groups"], *document["totals"]]
    costs = [money(Decimal(str(r["cost_usd"])), r["cost_kind"], r["unpriced"]) for r in rows]
    # The table's rows are the JSON's, in order: the same dollar figures, one per row.
    assert re.findall(r"~?\$[\d,]+\.\d\d(?:\+\?)?", result.stdout) == costs
    for group in document["groups"]:
        assert (group["key"] or "—") in result.stdout


def test_by_session_with_only_api_sources_is_a_note_not_an_error() -> None:
    result = CliRunner().invoke(
        app, ["report", "--source", "api", "--by", "session"], catch_exceptions=False
    )
    assert result.exit_code == 0
    assert "--by session splits local logs only" in result.stdout


def test_an_unknown_zone_is_a_usage_error_naming_examples() -> None:
    result = CliRunner().invoke(app, ["report", "--timezone", "Mars/Olympus"])
    assert result.exit_code == 2
    assert result.stderr.startswith("aiusage: unknown time zone 'Mars/Olympus' (--timezone)")
    assert "Europe/Berlin" in result.stderr and "Traceback" not in result.stderr


def test_an_unknown_zone_in_the_environment_is_a_setting_error(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("AIUSAGE_TIMEZONE", "Nowhere/Land")
    result = CliRunner().invoke(app, ["report"])
    assert result.exit_code == 1
    assert "AIUSAGE_TIMEZONE" in result.stderr
    # --timezone wins over the setting.
    assert CliRunner().invoke(app, ["report", "--timezone", "UTC"]).exit_code == 0


def test_the_zone_setting_is_used_when_no_option_is_given(
    outputs: dict[str, int], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AIUSAGE_TIMEZONE", "Asia/Tokyo")
    document = report(*PERIOD, "--by", "day")
    assert document["timezone"] == "Asia/Tokyo"
    assert {g["key"]: g["output_tokens"] for g in document["groups"]} == expected_by(
        outputs, "Asia/Tokyo", "%Y-%m-%d"
    )


def test_the_heading_names_the_zone_and_the_period_as_a_person_writes_it(
    outputs: dict[str, int],
) -> None:
    result = CliRunner().invoke(
        app,
        ["report", "--source", "local", "--since", "2026-11-01", "--until", "2026-12-01",
         "--timezone", "Europe/Berlin"],
        env={"COLUMNS": "120"},
    )  # fmt: skip
    assert "Usage Nov 1 – Dec 1 2026, Europe/Berlin" in result.stdout


def test_usage_read_before_the_cli_deleted_its_logs_still_counts(
    outputs: dict[str, int], isolated_environment: Path
) -> None:
    before = report(*PERIOD)
    shutil.rmtree(isolated_environment / "home" / ".claude")
    after = report(*PERIOD)
    assert after["totals"] == before["totals"]
    assert after["totals"][0]["output_tokens"] == sum(outputs.values())
    table = CliRunner().invoke(app, ["report", "--source", "local", *PERIOD])
    assert "No provider is configured" not in table.stdout and "Total" in table.stdout


def test_an_empty_period_names_the_folders_read(outputs: dict[str, int]) -> None:
    result = CliRunner().invoke(
        app,
        ["report", "--source", "local", "--since", "2026-01-01", "--until", "2026-01-02",
         "--timezone", "UTC"],
        env={"COLUMNS": "200"},
    )  # fmt: skip
    assert "No usage between Jan 1 and Jan 2 2026 (UTC; read: " in result.stdout
    assert ".claude" in result.stdout and "No provider is configured" not in result.stdout
