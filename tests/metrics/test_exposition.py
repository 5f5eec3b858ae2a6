"""``--output`` files: replaced in one step, readable by node_exporter, nothing left behind."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from aiusage.errors import ConfigError
from aiusage.metrics.exposition import write_atomically


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    made = tmp_path / "textfiles"
    made.mkdir()
    return made


def test_the_file_is_replaced_whole_with_mode_0644(folder: Path) -> None:
    target = folder / "aiusage.prom"
    target.write_text("old\n")
    os.chmod(target, 0o600)
    write_atomically(target, b"aiusage_build_info 1\n")
    assert target.read_bytes() == b"aiusage_build_info 1\n"
    assert stat.S_IMODE(target.stat().st_mode) == 0o644
    assert sorted(p.name for p in folder.iterdir()) == ["aiusage.prom"]


def test_a_reader_holding_the_old_file_keeps_reading_the_old_content(folder: Path) -> None:
    target = folder / "aiusage.prom"
    target.write_bytes(b"old\n")
    with target.open("rb") as reader:
        write_atomically(target, b"new\n")
        assert reader.read() == b"old\n"  # a rename, not a rewrite in place
    assert target.read_bytes() == b"new\n"


def test_a_missing_folder_is_one_clear_error(folder: Path) -> None:
    with pytest.raises(ConfigError, match=r"cannot write .*missing.*existing folder"):
        write_atomically(folder / "missing" / "aiusage.prom", b"x")


def test_a_folder_as_target_is_refused_and_left_alone(folder: Path) -> None:
    target = folder / "aiusage.prom"
    target.mkdir()
    with pytest.raises(ConfigError, match="is a folder"):
        write_atomically(target, b"x")
    assert target.is_dir() and list(folder.iterdir()) == [target]
