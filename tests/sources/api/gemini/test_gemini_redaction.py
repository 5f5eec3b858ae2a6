"""The Google access token aiusage obtains, and the secrets of a credentials file, are redacted
by value from then on (they have no key-like shape a pattern could catch)."""

from __future__ import annotations

import json
from pathlib import Path

import respx

from aiusage.redact import forget_all, redact
from tests.conftest import load_fixture
from tests.sources.api.gemini.test_gemini import (
    ACCESS_TOKEN,
    TOKEN_URI,
    mock_monitoring,
    query,
    run_fetch,
    settings_for,
    write_service_account,
)


@respx.mock
def test_the_access_token_and_the_private_key_are_redacted_once_used(tmp_path: Path) -> None:
    forget_all()
    respx.post(TOKEN_URI).respond(200, json=load_fixture("gemini/token.json"))
    mock_monitoring()
    path = write_service_account(tmp_path)
    pem_line = json.loads(path.read_text())["private_key"].splitlines()[1]
    assert redact(f"echo {ACCESS_TOKEN} {pem_line}") == f"echo {ACCESS_TOKEN} {pem_line}"

    run_fetch(settings_for(path), query())

    assert redact(f"echo {ACCESS_TOKEN} {pem_line}") == "echo [redacted] [redacted]"
    forget_all()
