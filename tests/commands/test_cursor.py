"""``aiusage cursor set|show|clear``: manual entries with history, validation and safe writes."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from aiusage.cli import app
from aiusage.models import Period, UsageQuery, utc_now
from aiusage.settings import load_settings
from aiusage.sources.manual.cursor import (
    CursorManualSource,
    EntryInput,
    add_entry,
    history,
)
from aiusage.store import Store


def run(*args: str, answer: str | None = None) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, ["cursor", *args], input=answer, catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def show_json(*extra: str) -> Any:
    code, out, err = run("show", "--format", "json", *extra)
    assert code == 0, err
    return json.loads(out)


def store() -> Store:
    return Store.open(load_settings().store_path)


def this_month() -> tuple[str, str]:
    now = utc_now()
    start = now.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    end = (start + timedelta(days=32)).replace(day=1)
    return start.strftime("%Y-%m-%dT%H:%M:%SZ"), end.strftime("%Y-%m-%dT%H:%M:%SZ")


def test_set_records_the_dashboard_numbers_and_show_prints_them() -> None:
    code, out, err = run("set", "--plan", "pro", "--used-usd", "12.40")
    assert code == 0, err
    assert "$12.40 of $20.00 (62%)" in out

    entry = show_json()
    assert entry["plan"] == "pro"
    assert Decimal(str(entry["used_usd"])) == Decimal("12.40")
    assert entry["included_usd"] == 20.0  # the plan's default
    assert (entry["cycle_start"], entry["cycle_end"]) == this_month()

    code, out, _ = run("show")
    assert code == 0 and "$12.40 of $20.00" in out and "pro" in out


@pytest.mark.parametrize(("plan", "included"), [("pro-plus", 70.0), ("ultra", 400.0)])
def test_each_individual_plan_has_its_included_dollars(plan: str, included: float) -> None:
    assert run("set", "--plan", plan, "--used-usd", "1")[0] == 0
    assert show_json()["included_usd"] == included


def test_plans_without_a_published_amount_take_the_given_one() -> None:
    run("set", "--plan", "teams", "--used-usd", "5")
    assert show_json()["included_usd"] is None
    run("set", "--plan", "teams", "--used-usd", "6", "--included-usd", "$20")
    assert show_json()["included_usd"] == 20.0


def test_every_set_is_a_new_observation_and_history_lists_them_oldest_first() -> None:
    run("set", "--plan", "pro", "--used-usd", "3")
    run("set", "--used-usd", "7.5", "--on-demand-usd", "1.25")
    run("set", "--used-usd", "9")

    entries = show_json("--history")

    assert [e["used_usd"] for e in entries] == [3.0, 7.5, 9.0]
    assert [e["plan"] for e in entries] == ["pro"] * 3  # the plan is kept from the latest entry
    # What an entry does not name is kept from the latest entry of the same cycle.
    assert entries[1]["on_demand_usd"] == entries[2]["on_demand_usd"] == 1.25
    code, out, _ = run("show", "--history")
    assert code == 0 and out.index("$3.00") < out.index("$9.00")


def test_the_cycle_of_the_latest_entry_is_kept_while_today_is_inside_it() -> None:
    start = (utc_now() - timedelta(days=10)).strftime("%Y-%m-%d")
    run("set", "--used-usd", "1", "--cycle-start", start)
    run("set", "--used-usd", "2")
    first, second = show_json("--history")
    assert second["cycle_start"] == first["cycle_start"] == f"{start}T00:00:00Z"
    assert second["cycle_end"] == first["cycle_end"]


def test_the_cycle_ends_one_month_after_its_start_by_default() -> None:
    run("set", "--used-usd", "1", "--cycle-start", "2026-01-31")
    entry = show_json()
    assert entry["cycle_end"] == "2026-02-28T00:00:00Z"


def test_request_based_plans_record_counts_against_their_limits() -> None:
    code, out, err = run(
        "set",
        "--plan",
        "pro",
        "--fast-requests",
        "212",
        "--fast-limit",
        "500",
        "--premium-requests",
        "3",
        "--premium-limit",
        "100",
    )
    assert code == 0, err
    assert "212 of 500 (42%)" in out
    entry = show_json()
    assert (entry["fast_requests"], entry["fast_limit"]) == (212, 500)
    assert entry["used_usd"] is None


@pytest.mark.parametrize(
    ("args", "says"),
    [
        ((), "nothing to record"),
        (("--plan", "pro"), "nothing to record"),
        (("--used-usd", "-1"), "--used-usd cannot be negative"),
        (("--used-usd", "twelve"), "--used-usd needs an amount in dollars"),
        (("--used-usd", "NaN"), "--used-usd needs an amount in dollars"),
        (("--used-usd", "1", "--included-usd", "-20"), "--included-usd cannot be negative"),
        (("--fast-requests", "-3"), "--fast-requests cannot be negative"),
        (("--fast-requests", "2.5"), "--fast-requests needs a whole number"),
        (("--fast-requests", "501", "--fast-limit", "500"), "above the fast-request limit"),
        (("--premium-requests", "101", "--premium-limit", "100"), "premium-request limit"),
        (("--used-usd", "1", "--plan", "platinum"), "unknown plan 'platinum'"),
        (
            ("--used-usd", "1", "--cycle-start", "2026-11-10", "--cycle-end", "2026-11-01"),
            "must be after --cycle-start",
        ),
        (("--used-usd", "1", "--cycle-start", "someday"), "--cycle-start: cannot read the date"),
        (("--used-usd", "1", "--cycle-start", "2999-01-01"), "starts in the future"),
    ],
)
def test_bad_input_exits_2_with_one_line_and_writes_nothing(
    args: tuple[str, ...], says: str
) -> None:
    code, out, err = run("set", *args)
    assert code == 2
    assert says in err
    assert err.startswith("aiusage: ") and err.count("\n") == 1
    assert show_json("--history") == []


def test_a_limit_kept_from_the_last_entry_still_bounds_the_count() -> None:
    run("set", "--plan", "pro", "--fast-requests", "10", "--fast-limit", "500")
    code, _, err = run("set", "--fast-requests", "600")
    assert code == 2 and "limit 500" in err
    assert len(show_json("--history")) == 1


def test_show_with_nothing_recorded_says_how_to_start() -> None:
    code, out, _ = run("show")
    assert code == 0 and "aiusage cursor set" in out
    assert show_json() is None


def test_clear_asks_first_and_keeps_everything_on_no() -> None:
    run("set", "--used-usd", "1")
    code, out, _ = run("clear", answer="n\n")
    assert code == 0 and "Nothing deleted" in out
    assert len(show_json("--history")) == 1


def test_clear_deletes_everything_on_yes() -> None:
    run("set", "--used-usd", "1")
    run("set", "--used-usd", "2")
    code, out, _ = run("clear", answer="y\n")
    assert code == 0 and "Deleted 2" in out
    assert show_json("--history") == []


def test_clear_with_yes_does_not_ask() -> None:
    run("set", "--used-usd", "1")
    code, out, _ = run("clear", "--yes")
    assert code == 0 and "Deleted 1" in out


def test_clear_without_an_answer_refuses_and_exits_2() -> None:
    run("set", "--used-usd", "1")
    code, _, err = run("clear", answer="")
    assert code == 2 and "--yes" in err
    assert len(show_json("--history")) == 1


def cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "aiusage", *args],
        capture_output=True,
        text=True,
        env=os.environ.copy(),
        check=False,
        timeout=120,
    )


def test_an_entry_survives_a_fresh_process() -> None:
    run("set", "--plan", "ultra", "--used-usd", "151.75")
    shown = cli("cursor", "show", "--format", "json")
    assert shown.returncode == 0, shown.stderr
    entry = json.loads(shown.stdout)
    assert (entry["plan"], entry["used_usd"], entry["included_usd"]) == ("ultra", 151.75, 400.0)


def test_two_sets_from_two_processes_at_once_both_land() -> None:
    env = os.environ.copy()
    processes = [
        subprocess.Popen(
            [sys.executable, "-m", "aiusage", "cursor", "set", "--used-usd", amount],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        for amount in ("4.10", "4.20")
    ]
    for process in processes:
        _, err = process.communicate(timeout=120)
        assert process.returncode == 0, err
    amounts = sorted(e["used_usd"] for e in show_json("--history"))
    assert amounts == [4.1, 4.2]


def test_two_writers_in_threads_at_the_same_moment_both_land() -> None:
    store().close()  # migrate once, so that both threads only write entries
    barrier = threading.Barrier(2)
    failures: list[BaseException] = []

    def writer(amount: str) -> None:
        own = store()
        try:
            barrier.wait()
            add_entry(own, EntryInput(used_usd=amount), utc_now())
        except BaseException as exc:  # noqa: BLE001 - reported to the test thread below
            failures.append(exc)
        finally:
            own.close()

    threads = [threading.Thread(target=writer, args=(a,)) for a in ("1", "2")]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert failures == []
    s = store()
    assert sorted(e.used_usd for e in history(s) if e.used_usd is not None) == [1, 2]
    s.close()


def test_the_store_file_is_private(tmp_path: Path) -> None:
    run("set", "--used-usd", "1")
    assert (load_settings().store_path.stat().st_mode & 0o777) == 0o600


# --- what the report shows ---------------------------------------------------------------


def report_json(*args: str) -> Any:
    result = CliRunner().invoke(
        app,
        ["report", "--provider", "cursor", "--source", "manual", "--format", "json", *args],
        catch_exceptions=False,
    )
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)


def test_the_report_shows_the_current_entry_as_quotas_and_a_manual_record() -> None:
    run("set", "--plan", "pro", "--used-usd", "3")
    run("set", "--used-usd", "12.40", "--on-demand-usd", "2.60")

    document = report_json()

    quotas = {q["name"]: q for q in document["quotas"]}
    included = quotas["included_usd"]
    assert (included["used"], included["limit"], included["unit"]) == (12.4, 20.0, "usd")
    assert included["resets_at"] == this_month()[1]
    assert quotas["on_demand_usd"]["limit"] is None
    (record,) = document["records"]
    assert (record["provider"], record["source"], record["cost_kind"]) == (
        "cursor",
        "manual",
        "reported",
    )
    assert Decimal(str(record["cost_usd"])) == Decimal("15.00")
    assert record["start"] == this_month()[0]
    assert document["warnings"] == []


def test_the_report_table_shows_used_limit_percent_and_reset() -> None:
    run("set", "--plan", "pro", "--used-usd", "15")
    result = CliRunner().invoke(
        app,
        ["report", "--provider", "cursor", "--source", "manual", "--verbose"],
        catch_exceptions=False,
    )
    assert result.exit_code == 0
    assert "$15.00" in result.stdout and "$20.00" in result.stdout and "75%" in result.stdout


def test_an_entry_older_than_three_days_is_reported_with_a_warning() -> None:
    now = utc_now()
    s = store()
    start = (now - timedelta(days=10)).strftime("%Y-%m-%d")
    add_entry(s, EntryInput(used_usd="8", cycle_start=start), now - timedelta(days=5))
    s.close()

    document = report_json()

    assert document["quotas"][0]["used"] == 8.0
    (warning,) = document["warnings"]
    assert warning["source"] == "manual" and "5 days ago" in warning["message"]


def fixed(moment: datetime) -> CursorManualSource:
    return CursorManualSource(clock=lambda: moment)


def collect(source: CursorManualSource, since: datetime, until: datetime) -> Any:
    s = store()
    try:
        return source.collect(
            load_settings(), s, UsageQuery(period=Period(since=since, until=until))
        )
    finally:
        s.close()


def test_each_cycle_keeps_its_latest_entry_as_a_record_and_old_cycles_give_no_quota() -> None:
    s = store()
    oct_1 = datetime(2026, 10, 1, tzinfo=UTC)
    add_entry(
        s, EntryInput(plan="pro", used_usd="5", cycle_start="2026-10-01"), oct_1 + timedelta(days=3)
    )
    add_entry(s, EntryInput(used_usd="19.5"), oct_1 + timedelta(days=29))
    s.close()
    source = fixed(datetime(2026, 11, 5, tzinfo=UTC))

    result = collect(source, datetime(2026, 10, 1, tzinfo=UTC), datetime(2026, 11, 5, tzinfo=UTC))

    (record,) = result.records
    assert record.cost_usd == Decimal("19.5")
    assert record.end == oct_1 + timedelta(days=29)
    assert result.quotas == ()
    assert "no Cursor entry for the current billing cycle" in result.warnings[0]

    later = collect(source, datetime(2026, 11, 1, tzinfo=UTC), datetime(2026, 11, 5, tzinfo=UTC))
    assert later.records == ()


def test_a_fresh_entry_gives_no_warning() -> None:
    s = store()
    add_entry(
        s, EntryInput(used_usd="2", cycle_start="2026-11-01"), datetime(2026, 11, 4, tzinfo=UTC)
    )
    s.close()
    result = collect(
        fixed(datetime(2026, 11, 6, tzinfo=UTC)),
        datetime(2026, 11, 1, tzinfo=UTC),
        datetime(2026, 11, 6, tzinfo=UTC),
    )
    assert result.warnings == ()
    assert [q.name for q in result.quotas] == ["included_usd"]
