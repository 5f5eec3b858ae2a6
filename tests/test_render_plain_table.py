"""A long table drawn as text lines is exactly the table Rich draws, in every shape."""

from __future__ import annotations

import random
from decimal import Decimal

import pytest
from rich.console import Console

from aiusage.models import Figures
from aiusage.render import usage
from aiusage.render.usage import Rows, plain_lines, usage_table


def figures(rng: random.Random) -> Figures:
    return Figures(
        input_tokens=rng.randrange(0, 10 ** rng.randrange(1, 12)),
        output_tokens=rng.randrange(0, 10**6),
        cache_read_tokens=rng.randrange(0, 10**9),
        cache_write_tokens=rng.randrange(0, 10**4),
        requests=rng.choice((None, rng.randrange(0, 10**5))),
        cost_usd=rng.choice((None, Decimal(rng.randrange(0, 10**9)) / 10**4)),
        cost_kind="reported",
    )


def rows(count: int, seed: int, breakdown: bool) -> Rows:
    rng = random.Random(seed)
    labels, numbers, bold = [], [], []
    for day in range(count):
        labels.append([f"2026-{day // 28 + 1:02d}-{day % 28 + 1:02d}", "claude", "api"])
        numbers.append(figures(rng))
        bold.append(False)
        if breakdown:
            for model in ("claude-sonnet-4-5", "claude-opus-4-1-20250805")[: rng.randrange(3)]:
                labels.append(["", "", "", model])
                numbers.append(figures(rng))
                bold.append(False)
    headers = ["Day", "Provider", "Source", *(["Model"] if breakdown else [])]
    labels = [label + [""] * (len(headers) - len(label)) for label in labels]
    for source in ("api", "local"):
        labels.append(["Total", "", source, *([""] * (len(headers) - 3))])
        numbers.append(figures(rng))
        bold.append(True)
    return Rows(headers=headers, labels=labels, figures=numbers, bold=bold, sources={"api"})


def drawn(table: object, width: int) -> str:
    console = Console(width=width, record=True, force_terminal=False, color_system=None)
    console.print(table)
    return console.export_text()


@pytest.mark.parametrize("seed", [1, 2, 3])
@pytest.mark.parametrize("breakdown", [False, True])
@pytest.mark.parametrize("width", [80, 100, 120, 200])
def test_the_text_lines_are_the_lines_rich_draws(seed: int, breakdown: bool, width: int) -> None:
    table_rows = rows(260, seed, breakdown)
    title = "Usage Dec 1 2025 – Dec 1 2026, UTC"
    plain, plain_shape = usage_table(table_rows, width, title, plain=True)
    rich, rich_shape = usage_table(table_rows, width, title, plain=False)
    assert plain_shape == rich_shape
    if not plain_shape.stacked:
        assert type(plain).__name__ == "PlainLines"  # the fast path was taken
    assert drawn(plain, width) == drawn(rich, width)


def test_short_tables_and_wide_characters_are_left_to_rich() -> None:
    short = rows(usage.PLAIN_FROM_ROWS - 10, 4, False)
    table, _ = usage_table(short, 200, "Usage", plain=True)
    assert type(table).__name__ == "Table"
    accented = rows(260, 5, True)
    accented.labels[3][3] = "モデル"  # two columns a character
    for shape in usage.SHAPES:
        assert plain_lines(usage._cells(accented, shape), shape, accented.bold, "U") is None
