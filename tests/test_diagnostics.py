"""--debug shows our records only; AIUSAGE_DEBUG=2 adds the libraries', always redacted."""

from __future__ import annotations

import logging
from collections.abc import Iterator

import pytest

from aiusage.diagnostics import configure_logging, debug_level
from aiusage.redact import forget_all, register_secret

KEY = "crsr_0123456789abcdef0123456789"


class Captured:
    def __init__(self, capsys: pytest.CaptureFixture[str]) -> None:
        self.capsys = capsys

    def getvalue(self) -> str:
        return self.capsys.readouterr().err


@pytest.fixture
def stderr(capsys: pytest.CaptureFixture[str]) -> Iterator[Captured]:
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    forget_all()
    register_secret(KEY)
    yield Captured(capsys)
    for handler in list(root.handlers):
        if handler not in handlers:
            root.removeHandler(handler)
    root.setLevel(level)
    logging.getLogger("aiusage").setLevel(logging.NOTSET)
    forget_all()


def emit() -> None:
    logging.getLogger("hpack.hpack").debug("Adding b'x-api-key'=b'%s'", KEY)
    logging.getLogger("httpx").info("HTTP Request: GET https://x/?key=%s", KEY)
    logging.getLogger("aiusage.collect").debug("claude: cache miss; model \x1b[2J%s", KEY)
    logging.getLogger("google.auth").warning("odd answer %s", KEY)


def test_debug_shows_only_our_records(stderr: Captured) -> None:
    configure_logging(debug=True)
    emit()
    text = stderr.getvalue()
    lines = text.splitlines()
    assert [line.split(":")[0] for line in lines] == [
        "DEBUG aiusage.collect",
        "WARNING google.auth",
    ]
    assert "\\x1b[2J" in lines[0] and "\x1b" not in text
    assert KEY not in text and text.count("[redacted]") == 2


def test_the_second_level_opens_the_libraries_but_still_redacts(
    stderr: Captured, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AIUSAGE_DEBUG", "2")
    configure_logging(debug=False)
    emit()
    text = stderr.getvalue()
    assert "DEBUG hpack.hpack: Adding b'x-api-key'=b'[redacted]'" in text
    assert "INFO httpx" in text and KEY not in text


def test_without_debug_only_warnings_show(stderr: Captured) -> None:
    configure_logging(debug=False)
    emit()
    assert stderr.getvalue().splitlines() == ["WARNING google.auth: odd answer [redacted]"]


@pytest.mark.parametrize(
    ("flag", "variable", "level"),
    [
        (False, "", 0),
        (True, "", 1),
        (False, "1", 1),
        (False, "2", 2),
        (True, "2", 2),
        (False, "x", 1),
    ],
)
def test_debug_levels(
    monkeypatch: pytest.MonkeyPatch, flag: bool, variable: str, level: int
) -> None:
    monkeypatch.setenv("AIUSAGE_DEBUG", variable)
    assert debug_level(flag) == level
