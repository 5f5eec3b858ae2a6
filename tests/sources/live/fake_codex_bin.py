"""Put the fake ``codex`` (tests/fixtures/live/fake_codex.py) on PATH as an executable."""

from __future__ import annotations

import os
import sys
from pathlib import Path

FAKE_CODEX = Path(__file__).parents[2] / "fixtures" / "live" / "fake_codex.py"
FIXTURE_PRIMARY_RESET = 1787040000  # resetsAt of the fixture's primary window


def install_fake_codex(folder: Path) -> Path:
    """Write ``folder/codex`` that runs the fake with this interpreter; return the folder."""
    folder.mkdir(parents=True, exist_ok=True)
    script = folder / "codex"
    script.write_text(f'#!/bin/sh\nexec "{sys.executable}" "{FAKE_CODEX}" "$@"\n')
    script.chmod(0o755)
    return folder


def path_with(folder: Path) -> str:
    return f"{folder}{os.pathsep}{os.environ.get('PATH', '')}"
