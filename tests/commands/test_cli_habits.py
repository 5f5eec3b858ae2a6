"""Command-line habits: help without arguments, -V, global flags anywhere, forgiving choices."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from aiusage import __version__
from aiusage.cli import app
from aiusage.commands.app_group import hoist_global_flags
from aiusage.commands.options import provider_names

AIUSAGE = Path(sys.executable).parent / "aiusage"


def invoke(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, list(args), catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def test_plain_aiusage_prints_help_and_exits_0() -> None:
    code, out, _ = invoke()
    assert code == 0
    assert "Usage: aiusage" in out and "report" in out


@pytest.mark.parametrize("flag", ["-V", "--version"])
def test_the_version_has_a_short_flag(flag: str) -> None:
    code, out, _ = invoke(flag)
    assert code == 0 and out.strip() == f"aiusage {__version__}"


def test_global_flags_after_the_subcommand_move_before_it() -> None:
    assert hoist_global_flags(["report", "--debug", "--since", "7d", "--verbose"]) == [
        "--debug",
        "--verbose",
        "report",
        "--since",
        "7d",
    ]
    assert hoist_global_flags(["report", "--", "--debug"]) == ["report", "--", "--debug"]


@pytest.mark.parametrize(
    "args",
    [
        ["--verbose", "report", "--source", "api"],
        ["report", "--source", "api", "--verbose"],
    ],
)
def test_verbose_works_before_or_after_the_subcommand(args: list[str]) -> None:
    code, out, _ = invoke(*args)
    assert code == 0
    assert "ANTHROPIC_ADMIN_KEY" in out  # the set-up text, shown in full


@pytest.mark.parametrize("args", [["--debug", "report"], ["report", "--debug"]])
def test_debug_works_before_or_after_the_subcommand(args: list[str]) -> None:
    code, _, err = invoke(*args, "--source", "api", "--json")
    assert code == 0
    assert "DEBUG" in err or err == "" or "aiusage" in err


@pytest.mark.parametrize(
    "args",
    [
        ["--provider", "CLAUDE"],
        ["--provider", "Anthropic"],
        ["--source", "API"],
        ["--by", "Day"],
        ["--format", "JSON"],
        ["--granularity", "1D"],
    ],
)
def test_choices_ignore_case_and_accept_vendor_names(args: list[str]) -> None:
    code, _, err = invoke("report", "--source", "api", *args, "--json")
    assert code == 0, err


def test_aliases_name_the_same_provider_once() -> None:
    assert provider_names(["anthropic", "claude", "google"]) == ["claude", "gemini"]


def test_json_is_a_shorthand_for_format_json() -> None:
    code, out, _ = invoke("report", "--source", "api", "--json")
    assert code == 0
    document = json.loads(out)
    assert document["schema"] == "aiusage.report/1" and document["timezone"]
    assert document["groups"] == [] and document["totals"] == []


def test_json_with_another_format_is_a_usage_error() -> None:
    code, _, err = invoke("report", "--json", "--format", "csv")
    assert code == 2 and err.startswith("aiusage: --json and --format csv")


@pytest.mark.parametrize(
    ("args", "start"),
    [
        (["--since", "someday"], "aiusage: cannot read the date 'someday'"),
        (["--timezone", "Mars/Base"], "aiusage: unknown time zone 'Mars/Base'"),
        (["--since", "2099-01-01"], "aiusage: --since '2099-01-01'"),
    ],
)
def test_error_messages_start_with_what_is_wrong(args: list[str], start: str) -> None:
    code, _, err = invoke("report", *args)
    assert code == 2
    assert err.startswith(start)
    assert "Value error" not in err and "Traceback" not in err


@pytest.mark.parametrize(
    ("args", "start"),
    [
        (["report", "--by", "colour"], "aiusage: invalid value for '--by': 'colour' is not one of"),
        (["report", "--bogus"], "aiusage: no such option: --bogus"),
        (["bogus"], "aiusage: no such command 'bogus'"),
    ],
)
def test_a_wrong_command_line_says_what_is_wrong_first(args: list[str], start: str) -> None:
    code, _, err = invoke(*args)
    assert code == 2
    assert err.startswith(start), err
    assert "Value error" not in err and "-h)" in err


@pytest.mark.skipif(not AIUSAGE.exists(), reason="the console script is not installed")
@pytest.mark.parametrize(
    "args",
    [
        ["report", "--source", "api", "--verbose"],
        ["report", "--source", "api", "--json"],
        ["--help"],
    ],
)
def test_a_closed_pipe_ends_the_command_quietly_with_status_0(
    tmp_path: Path, args: list[str]
) -> None:
    env = {
        "PATH": os.environ.get("PATH", ""),
        "HOME": str(tmp_path),
        "AIUSAGE_HOME": str(tmp_path / "store"),
        "AIUSAGE_TIMEZONE": "UTC",
    }
    # Like `aiusage report | head -0`: the reading end is closed before anything is written.
    read_end, write_end = os.pipe()
    os.close(read_end)
    try:
        writer = subprocess.run(
            [str(AIUSAGE), *args],
            stdout=write_end,
            stderr=subprocess.PIPE,
            env=env,
            timeout=60,
            check=False,
            text=True,
        )
    finally:
        os.close(write_end)
    assert writer.returncode == 0, writer.stderr
    assert writer.stderr == ""
