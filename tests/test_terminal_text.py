"""Text from vendors, logs and users is printed as plain text: no markup, no control codes."""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from rich.console import Console

from aiusage.models import KeyCheck, Quota, Report, SourceError, SourceWarning, UsageRecord
from aiusage.redact import forget_all, register_secret
from aiusage.render import render_key_checks, render_table
from aiusage.terminal_text import encodable, make_console, plain, visible

START = datetime(2026, 11, 24, tzinfo=UTC)
HOSTILE_MODEL = "gpt-[bold red]5[/bold red]\x1b[2J\x1b]0;pwned\x07"
HOSTILE_SCOPE = "/home/me/[/x]proj\u202eevil"


@pytest.fixture(autouse=True)
def no_secrets() -> None:
    forget_all()


def hostile_report() -> Report:
    record = UsageRecord(
        provider="openai",
        source="api",
        start=START,
        end=START + timedelta(days=1),
        model=HOSTILE_MODEL,
        scope=HOSTILE_SCOPE,
        input_tokens=10,
        output_tokens=5,
        cost_usd=Decimal("1.5"),
        cost_kind="reported",
    )
    quota = Quota(
        provider="cursor",
        source="api",
        name="[link=https://evil]plan[/link]",
        used=Decimal(1),
        limit=Decimal(2),
        unit="usd",
        observed_at=START,
        scope="\x1b[31mred",
    )
    return Report(
        generated_at=START,
        since=START,
        until=START + timedelta(days=1),
        records=(record,),
        quotas=(quota,),
        errors=(
            SourceError(
                provider="claude", source="api", kind="auth", message="bad [/x] key\x1b[2J"
            ),
        ),
        warnings=(SourceWarning(provider="gemini", source="local", message="odd [i]file[/i]"),),
    )


def rendered(report: Report, group_by: str = "model") -> str:
    console = Console(width=300, file=io.StringIO(), force_terminal=True, color_system="standard")
    # --verbose: the limits table too, where a quota's scope is shown.
    render_table(report.model_copy(update={"group_by": group_by}), console, {}, verbose=True)
    output = console.file.getvalue()  # type: ignore[attr-defined]
    assert isinstance(output, str)
    return output


def test_vendor_text_is_shown_literally_and_never_reaches_the_terminal_as_codes() -> None:
    output = rendered(hostile_report())

    assert "gpt-[bold red]5[/bold red]\\x1b[2J\\x1b]0;pwned\\x07" in output
    assert "[link=https://evil]plan[/link]" in output and "\\x1b[31mred" in output
    assert "bad [/x] key\\x1b[2J" in output
    assert "[auth]" in output, "the error kind is shown, not taken for a style"
    assert "odd [i]file[/i]" in output
    assert "\x1b[2J" not in output and "\x1b]0;" not in output and "\x07" not in output
    assert "\x1b]8;" not in output, "no hyperlink was made from vendor text"


def test_project_folders_with_markup_and_bidi_overrides_are_literal() -> None:
    output = rendered(hostile_report(), group_by="project")

    assert "/home/me/[/x]proj\\u202eevil" in output
    assert "\u202e" not in output


def test_key_check_details_from_a_vendor_are_literal() -> None:
    console = Console(width=200, file=io.StringIO(), force_terminal=True, color_system="standard")
    check = KeyCheck(
        provider="cursor",
        credential="CURSOR_ADMIN_KEY",
        status="rejected",
        detail="Cursor said [/x] \x1b[2J",
        hint="[bold]fix[/bold] it",
    )
    render_key_checks([check], console)
    output = console.file.getvalue()  # type: ignore[attr-defined]

    assert "Cursor said [/x] \\x1b[2J" in output and "[bold]fix[/bold] it" in output
    assert "\x1b[2J" not in output


def test_visible_escapes_c0_c1_and_del_but_keeps_ordinary_unicode() -> None:
    assert visible("a\tb\nc\rd\x00\x7f\x9b") == "a\\tb\\nc\\rd\\x00\\x7f\\x9b"
    assert visible("claude-sonnet-4.5 → é 日本 😀") == "claude-sonnet-4.5 → é 日本 😀"
    assert plain("[red]x[/red]").plain == "[red]x[/red]"


def test_registered_secrets_are_blanked_in_plain_text() -> None:
    register_secret("crsr_0123456789abcdef")
    assert visible("key crsr_0123456789abcdef rejected") == "key [redacted] rejected"


def test_what_cp1252_cannot_hold_is_spelled_in_ascii() -> None:
    assert encodable("Usage a → b … • ✓", "cp1252") == "Usage a -> b … • \\u2713"
    assert encodable("Usage a → b …", "ascii") == "Usage a -> b ..."


def test_a_console_on_a_cp1252_stream_never_fails_on_a_character(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    raw = io.BytesIO()
    stream = io.TextIOWrapper(raw, encoding="cp1252", newline="\n")
    monkeypatch.setattr("sys.stdout", stream)
    console = make_console()
    console.print("Usage 2026-11-01 → 2026-11-30 ✓", markup=False)
    stream.flush()

    assert raw.getvalue().decode("cp1252").strip() == "Usage 2026-11-01 -> 2026-11-30 \\u2713"
