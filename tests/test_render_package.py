"""``aiusage.render``: its names load on first use, so the money format costs the status line
no Rich."""

from __future__ import annotations

import subprocess
import sys

import pytest

import aiusage.render


@pytest.mark.parametrize("name", aiusage.render.__all__)
def test_every_exported_name_resolves_to_its_module(name: str) -> None:
    value = getattr(aiusage.render, name)

    assert value is not None
    if callable(value):
        assert value.__module__.startswith("aiusage.render.")


def test_an_unknown_name_is_an_attribute_error() -> None:
    with pytest.raises(AttributeError, match="no_such_name"):
        aiusage.render.no_such_name  # noqa: B018


def test_the_money_format_loads_without_rich_or_pydantic() -> None:
    probe = (
        "import sys\n"
        "from aiusage.render.format import usd\n"
        "print(usd(None, missing='n/a'), [m for m in ('rich', 'pydantic') if m in sys.modules])\n"
    )
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)

    assert done.stdout.strip() == "n/a []"
