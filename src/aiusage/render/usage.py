"""The usage table, laid out to fit the terminal without ever cutting a name or a figure.

Layouts are tried from the richest down until one fits the width: boxed with exact counts,
then without borders, then with abbreviated counts (``155.9M``), then without the source
column where every row has the same source, then without the cache and request columns, then
without the source column, and finally each row stacked on a few lines. The caller says once
what was left out.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from rich import box
from rich.cells import cell_len
from rich.console import Console, ConsoleOptions, RenderableType, RenderResult
from rich.console import Group as RichGroup
from rich.segment import Segment
from rich.table import Table
from rich.text import Text

from aiusage.models import Figures, Group, GroupBy, Total
from aiusage.render.format import NONE, count, money
from aiusage.terminal_text import visible

_TIME_HEADERS = {"hour": "Hour", "day": "Day", "week": "Week", "month": "Month"}
_DIMENSION_HEADERS = {
    "model": "Model",
    "project": "Project",
    "user": "User",
    "product": "Product",
    "session": "Session",
}
# (full header, compact header, stacked label); the first four are "minor": dropped before
# a row is stacked. Input, output and cost always stay.
_NUMBERS = (
    ("Input", "In", "in"),
    ("Output", "Out", "out"),
    ("Cache read", "C.read", "cache read"),
    ("Cache write", "C.write", "cache write"),
    ("Requests", "Reqs", "requests"),
    ("Cost (USD)", "Cost", "cost"),
)
_MINOR = {"Cache read", "Cache write", "Requests"}


@dataclass(frozen=True)
class Shape:
    """One way of laying the table out."""

    boxed: bool = False
    compact: bool = False
    minor: bool = True  # cache and request columns shown
    source: bool = True  # source column shown
    stacked: bool = False

    @property
    def gap(self) -> int:
        """Spaces between the columns of a borderless table: one once counts are abbreviated."""
        return 1 if self.compact else 2

    def left_out(self) -> list[str]:
        parts = []
        if self.compact or self.stacked:
            parts.append("K/M/B counts")
        if not self.minor:
            parts.append("no cache/request columns")
        if not self.source:
            parts.append("no source column")
        if self.stacked:
            parts.append("rows stacked")
        return parts


SHAPES = (
    Shape(boxed=True),
    Shape(),
    Shape(compact=True),
    Shape(compact=True, source=False),  # only tried when every row has one source
    Shape(compact=True, minor=False),
    Shape(compact=True, minor=False, source=False),
)


@dataclass
class Rows:
    """The table's cells: label columns, then figures; the last ``totals`` rows are totals."""

    headers: list[str]
    labels: list[list[str]]
    figures: list[Figures]
    bold: list[bool] = field(default_factory=list)
    sources: set[str] = field(default_factory=set)


def label_headers(by: GroupBy, breakdown: bool) -> list[str]:
    if by in _TIME_HEADERS:
        headers = [_TIME_HEADERS[by], "Provider", "Source"]
    elif by == "provider":
        headers = ["Provider", "Source"]
    else:
        headers = ["Provider", "Source", _DIMENSION_HEADERS[by]]
    if breakdown and by != "model":
        headers.append("Model")
    return headers


def _group_label(group: Group, headers: list[str], zone_name: str) -> list[str]:
    key = NONE if group.key is None else visible(group.key)
    if group.by in _TIME_HEADERS and group.bucket_zone != zone_name:
        key = f"{key} {group.bucket_zone}"
    cells: dict[str, str] = {"Provider": group.provider, "Source": group.source}
    if group.by in _TIME_HEADERS:
        cells[_TIME_HEADERS[group.by]] = key
    elif group.by in _DIMENSION_HEADERS:
        cells[_DIMENSION_HEADERS[group.by]] = key
    if "Model" in headers and group.by != "model":
        if group.model is None:
            cells["Model"] = ""
        else:
            # A breakdown row: the model under its group's row.
            cells = {"Model": visible(group.model)}
    return [cells.get(header, "") for header in headers]


def build_rows(
    groups: Sequence[Group],
    totals: Sequence[Total],
    by: GroupBy,
    breakdown: bool,
    zone_name: str,
) -> Rows:
    headers = label_headers(by, breakdown)
    rows = Rows(headers=headers, labels=[], figures=[], sources={g.source for g in groups})
    for group in groups:
        rows.labels.append(_group_label(group, headers, zone_name))
        rows.figures.append(group)
        rows.bold.append(False)
    for total in totals:
        cells = ["Total", *[""] * (len(headers) - 1)]
        cells[headers.index("Source")] = total.source
        rows.labels.append(cells)
        rows.figures.append(total)
        rows.bold.append(True)
    return rows


def _numbers(row: Figures, compact: bool) -> list[str]:
    return [
        count(row.input_tokens, compact),
        count(row.output_tokens, compact),
        count(row.cache_read_tokens, compact),
        count(row.cache_write_tokens, compact),
        count(row.requests, compact),
        money(row.cost_usd, row.cost_kind, row.unpriced),
    ]


@dataclass
class _Cells:
    headers: list[str]
    numeric: int  # the last ``numeric`` columns are figures
    body: list[list[str]]

    def widths(self) -> list[int]:
        return [
            max(len(header), *(len(row[i]) for row in self.body)) if self.body else len(header)
            for i, header in enumerate(self.headers)
        ]


def _cells(rows: Rows, shape: Shape) -> _Cells:
    keep_labels = [i for i, h in enumerate(rows.headers) if shape.source or h != "Source"]
    keep_numbers = [i for i, n in enumerate(_NUMBERS) if shape.minor or n[0] not in _MINOR]
    headers = [rows.headers[i] for i in keep_labels] + [
        _NUMBERS[i][0 if shape.boxed else 1] for i in keep_numbers
    ]
    body = []
    source_index = rows.headers.index("Source")
    for label, figures, bold in zip(rows.labels, rows.figures, rows.bold, strict=True):
        cells = [label[i] for i in keep_labels]
        if bold and not shape.source:
            # "Total" keeps its column; the source moves to the next, empty on a total row.
            if len(cells) > 1:
                cells[1] = label[source_index]
            else:
                cells[0] = f"Total {label[source_index]}"
        numbers = _numbers(figures, shape.compact)
        body.append(cells + [numbers[i] for i in keep_numbers])
    return _Cells(headers=headers, numeric=len(keep_numbers), body=body)


def width_of(cells: _Cells, shape: Shape) -> int:
    widths = cells.widths()
    if shape.boxed:
        # Each column: one space of padding each side and a border; one more border at the end.
        return sum(widths) + 3 * len(widths) + 1
    return sum(widths) + shape.gap * (len(widths) - 1)


def choose_shape(rows: Rows, width: int) -> Shape:
    """The richest shape whose table fits ``width`` columns; else stacked rows."""
    single_source = len(rows.sources) <= 1
    for shape in SHAPES:
        if shape.compact and shape.minor and not shape.source and not single_source:
            continue
        if width_of(_cells(rows, shape), shape) <= width:
            return shape
    return Shape(compact=True, stacked=True)


def _table(rows: Rows, shape: Shape, title: str) -> Table:
    cells = _cells(rows, shape)
    if shape.boxed:
        table = Table(title=title, box=box.HEAVY_HEAD, title_justify="left")
    else:
        # No box: a box draws a divider (even a blank one) between columns.
        table = Table(
            title=title,
            box=None,
            header_style="bold underline",
            padding=(0, 1, 0, 1) if shape.gap == 2 else (0, 1, 0, 0),
            pad_edge=False,
            title_justify="left",
        )
    widths = cells.widths()
    first_number = len(cells.headers) - cells.numeric
    for index, (header, column_width) in enumerate(zip(cells.headers, widths, strict=True)):
        table.add_column(
            header,
            justify="right" if index >= first_number else "left",
            no_wrap=True,
            min_width=column_width,
        )
    for index, (row, bold) in enumerate(zip(cells.body, rows.bold, strict=True)):
        if bold and not rows.bold[index - 1]:
            table.add_section()
        # Cells are data (model ids, folders): Text, never markup.
        table.add_row(*(Text(cell) for cell in row), style="bold" if bold else None)
    return table


def _stacked(rows: Rows, width: int, title: str) -> RichGroup:
    """Each row on its own lines: its labels, then its figures packed between spaces."""
    lines: list[RenderableType] = [Text(title, style="bold")]
    for label, figures, bold in zip(rows.labels, rows.figures, rows.bold, strict=True):
        words = [cell for cell in label if cell]
        lines.append(Text(" ".join(words), style="bold" if bold else "", overflow="fold"))
        parts = [
            f"{name[2]} {value}"
            for name, value in zip(_NUMBERS, _numbers(figures, compact=True), strict=True)
            if name[0] not in _MINOR or value not in ("0", NONE)
        ]
        line = ""
        for part in parts:
            if line and len(line) + 2 + len(part) > width:
                lines.append(Text(line, style="bold" if bold else ""))
                line = ""
            line = f"{line}  {part}" if line else f"  {part}"
        if line:
            lines.append(Text(line, style="bold" if bold else ""))
    return RichGroup(*lines)


def usage_table(
    rows: Rows, width: int, title: str, plain: bool = False
) -> tuple[RenderableType, Shape]:
    """The table (or stacked rows) for ``width`` columns, and the shape chosen.

    ``plain``: the console shows no styles, so a long table may be drawn as text lines.
    """
    shape = choose_shape(rows, width)
    if shape.stacked:
        return _stacked(rows, width, title), shape
    if plain and len(rows.labels) >= PLAIN_FROM_ROWS:
        lines = plain_lines(_cells(rows, shape), shape, rows.bold, title)
        if lines is not None:
            return PlainLines(lines), shape
    return _table(rows, shape, title), shape


class PlainLines:
    """Lines of text printed as they are (no markup, no styles, no wrapping)."""

    def __init__(self, lines: list[str]) -> None:
        self.lines = lines

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        newline = Segment.line()
        for line in self.lines:
            yield Segment(line)
            yield newline


# Rich lays out every cell of a table (about half a millisecond a row: seconds for a year of
# days with --breakdown). A long table on a console without styles is drawn here as the very
# lines Rich would print (tests/test_render_plain_table.py compares them).
PLAIN_FROM_ROWS = 200


def plain_lines(cells: _Cells, shape: Shape, bold: Sequence[bool], title: str) -> list[str] | None:
    """The table's lines; None when a cell holds a character that is not one column wide, or
    the title is wider than the table (Rich measures and wraps those)."""
    rows = (cells.headers, *cells.body)
    if not all(cell.isascii() or cell_len(cell) == len(cell) for row in rows for cell in row):
        return None
    widths = cells.widths()
    first_number = len(cells.headers) - cells.numeric
    table_width = width_of(cells, shape)
    if cell_len(title) > table_width:
        return None

    def padded(values: Sequence[str]) -> list[str]:
        return [
            value.rjust(w) if index >= first_number else value.ljust(w)
            for index, (value, w) in enumerate(zip(values, widths, strict=True))
        ]

    lines = [title + " " * (table_width - cell_len(title))]
    if not shape.boxed:
        gap = " " * shape.gap
        lines += [gap.join(padded(values)) for values in rows]
        return lines

    def rule(left: str, fill: str, cross: str, right: str) -> str:
        return left + cross.join(fill * (w + 2) for w in widths) + right

    def boxed(values: Sequence[str], edge: str) -> str:
        return edge + edge.join(f" {value} " for value in padded(values)) + edge

    lines += [rule("┏", "━", "┳", "┓"), boxed(cells.headers, "┃"), rule("┡", "━", "╇", "┩")]
    for index, values in enumerate(cells.body):
        if index and bold[index] and not bold[index - 1]:
            lines.append(rule("├", "─", "┼", "┤"))
        lines.append(boxed(values, "│"))
    lines.append(rule("└", "─", "┴", "┘"))
    return lines
