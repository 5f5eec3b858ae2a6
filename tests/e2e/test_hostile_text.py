"""Text from logs and vendors reaches the terminal as plain text; any stream encoding works."""

from __future__ import annotations

import json
import re
import subprocess
from datetime import timedelta
from pathlib import Path

import pytest

from tests.e2e.conftest import RUN_TIMEOUT, Cli, report_window
from tests.e2e.fake_vendors import FakeVendors

pytestmark = pytest.mark.e2e

HOSTILE_MODEL = "claude-[bold red]x[/bold red]\x1b[2J\x1b]0;pwned\x07"
HOSTILE_FOLDER = "/home/dev/[/x]proj\x1b[31m\u202e"


def squashed(text: str) -> str:
    return re.sub(r"[\s│┃|]", "", text)


def write_claude_log(config: Path, day: str, model: str = HOSTILE_MODEL) -> None:
    line = {
        "parentUuid": "0b9f7d3e-1111-4a2b-8c3d-000000000001",
        "isSidechain": False,
        "userType": "external",
        "cwd": HOSTILE_FOLDER,
        "sessionId": "5f0c7a52-0a8c-4b7e-9e0b-1d2f3a4b5c6d",
        "version": "2.0.28",
        "gitBranch": "main",
        "type": "assistant",
        "uuid": "0b9f7d3e-1111-4a2b-8c3d-000000000002",
        "timestamp": f"{day}T12:34:56.789Z",
        "requestId": "req_011CUaQ2hostile",
        "message": {
            "id": "msg_01hostile",
            "type": "message",
            "role": "assistant",
            "model": model,
            "content": [{"type": "text", "text": "Done."}],
            "stop_reason": None,
            "stop_sequence": None,
            "usage": {
                "input_tokens": 10,
                "cache_creation_input_tokens": 0,
                "cache_read_input_tokens": 0,
                "output_tokens": 5,
                "service_tier": "standard",
            },
        },
    }
    folder = config / "projects" / "-home-dev-proj"
    folder.mkdir(parents=True)
    (folder / "session.jsonl").write_text(json.dumps(line) + "\n")


def test_model_names_and_folders_from_logs_are_shown_literally(cli: Cli, fake: FakeVendors) -> None:
    window = report_window(fake, days=3)
    config = cli.root / "claude"
    write_claude_log(config, (window.since + timedelta(days=1)).isoformat())
    env = {"CLAUDE_CONFIG_DIR": str(config)}
    args = ["report", *window.args, "--source", "local", "--provider", "claude"]

    by_model = cli.run(*args, env=env)
    by_project = cli.run(*args, "--by", "project", env=env)

    assert by_model.code == 0 and by_project.code == 0, (by_model, by_project)
    # Long names wrap inside their column: compare without the table's borders and spaces.
    assert r"claude-[boldred]x[/boldred]\x1b[2J\x1b]0;pwned\x07" in squashed(by_model.stdout)
    assert r"/home/dev/[/x]proj\x1b[31m\u202e" in squashed(by_project.stdout)
    for run in (by_model, by_project):
        text = run.stdout + run.stderr
        assert "\x1b" not in text and "\x07" not in text and "\u202e" not in text, run


def test_a_cp1252_redirect_gets_the_report_with_ascii_for_what_it_cannot_hold(
    cli: Cli, fake: FakeVendors
) -> None:
    window = report_window(fake, days=3)
    config = cli.root / "claude"
    write_claude_log(config, (window.since + timedelta(days=1)).isoformat(), "claude-→-✓-模型")
    done = subprocess.run(
        cli.command(["report", *window.args, "--provider", "claude"]),
        env=cli.env(PYTHONIOENCODING="cp1252", LANG="C", CLAUDE_CONFIG_DIR=str(config)),
        cwd=cli.work,
        capture_output=True,
        timeout=RUN_TIMEOUT,
        check=False,
    )

    out, err = done.stdout.decode("cp1252"), done.stderr.decode("cp1252")
    assert done.returncode == 0, err
    assert "Traceback" not in err
    assert "claude-->-\\u2713-\\u6a21\\u578b" in out.replace("\n", ""), out
