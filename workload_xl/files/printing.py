"""How every sheet the tool writes prints (files edge): one page setup, chosen once, as data.

Managers and workers each keep a signed printed copy of a measurement sheet and the team sheet
goes to the senior manager on paper, so a page setup is part of what a sheet says: a flag cut
off at the page edge, or a heading row that prints over the first row of figures, is a wrong
figure on paper. Every writer describes its sheets with a `PrintLayout` and applies it through
`apply_print_layout`, so all sheets print the same way: A4, fitted to one page wide (never to
one page tall, which would shrink a long table to nothing), heading rows repeated on every
page, and a footer naming the sheet and the page ("Team - page 2 of 5"), so loose pages can be
put back together.

Row heights: Excel grows a row for wrapped text only when a person edits it; a file written by a
program keeps the default height, so a wrapped heading or flag prints over its neighbours.
`fit_wrapped_rows` sets each wrapped row's height from its longest text and its column's width.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from copy import copy
from dataclasses import dataclass

from openpyxl.styles import Alignment
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.page import PageMargins
from openpyxl.worksheet.pagebreak import Break
from openpyxl.worksheet.worksheet import Worksheet

LINE_HEIGHT = 15.0
"""Points a line of 11-point Calibri takes in a row (Excel's default row height)."""

CHARACTERS_PER_WIDTH_UNIT = 1.1
"""Characters of ordinary text a column holds per unit of its width (Excel's width unit is about
one '0' of the default font; ordinary text runs a little narrower)."""

DEFAULT_COLUMN_WIDTH = 8.43
"""Excel's default column width, for columns a writer left unset."""

MOST_FROZEN_ROWS = 8
"""At most this many rows stay frozen at the top: a laptop shows about 25 rows, and a pane that
freezes more leaves too little room for the table that scrolls under it."""

PAGE_FOOTER_LEFT = "&A"
"""The sheet's name, in the footer of every page (Excel and LibreOffice fill in '&A')."""

PAGE_FOOTER_RIGHT = "Page &P of &N"

NARROW_MARGINS = PageMargins(left=0.25, right=0.25, top=0.75, bottom=0.75, header=0.3, footer=0.3)
"""Excel's "Narrow" margins (inches), for a form that should fit one page at a readable size."""


@dataclass(frozen=True)
class PrintLayout:
    """How one sheet prints.

    `title_rows` are the rows repeated at the top of every page (first, last), usually the
    table's heading row; `footer` is the centre footer (a signature line on sheets people sign);
    `orientation` is "landscape" for wide tables and "portrait" for narrow lists;
    `narrow_margins` gives Excel's Narrow margins instead of its normal ones.
    """

    orientation: str = "landscape"
    title_rows: tuple[int, int] | None = None
    footer: str = ""
    fit_to_width: bool = True
    narrow_margins: bool = False
    title_columns: tuple[str, str] | None = None
    """Columns repeated at the left of every page ("A", "B"), for a table printed at full size
    across several pages (`fit_to_width` False, with column breaks): each page says its rows."""


def apply_print_layout(ws, layout: PrintLayout) -> None:
    """Give `ws` the page setup `layout` describes (A4, one page wide, repeated headings,
    the sheet's name and page number in the footer)."""
    ws.page_setup.orientation = layout.orientation
    ws.page_setup.paperSize = Worksheet.PAPERSIZE_A4  # a write-only sheet has no constant
    if layout.narrow_margins:
        ws.page_margins = copy(NARROW_MARGINS)
    if layout.fit_to_width:
        ws.page_setup.fitToWidth = 1
        ws.page_setup.fitToHeight = 0
        ws.sheet_properties.pageSetUpPr.fitToPage = True
    if layout.title_rows is not None:
        first, last = layout.title_rows
        ws.print_title_rows = f"{first}:{last}"
    if layout.title_columns is not None:
        first_column, last_column = layout.title_columns
        ws.print_title_cols = f"{first_column}:{last_column}"
    ws.oddFooter.left.text = PAGE_FOOTER_LEFT
    ws.oddFooter.center.text = layout.footer
    ws.oddFooter.right.text = PAGE_FOOTER_RIGHT


def break_after_columns(ws, columns: Iterable[int]) -> None:
    """Start a new printed page after each of `columns` (1 is A): a wide table printed at full
    size in blocks of columns a page can hold, rather than shrunk to one page wide."""
    for column in columns:
        ws.col_breaks.append(Break(id=column))


def freeze_below(ws, row: int, column: int = 1) -> None:
    """Freeze the rows above `row` (and the columns left of `column`) when that leaves room
    to scroll on a laptop screen; a table that starts lower freezes its columns only."""
    top = row if row - 1 <= MOST_FROZEN_ROWS else 1
    ws.freeze_panes = None if (top, column) == (1, 1) else ws.cell(top, column)


def column_width(ws, column: int) -> float:
    """The width a column prints at: the writer's, or Excel's default."""
    width = ws.column_dimensions[get_column_letter(column)].width
    return float(width) if width else DEFAULT_COLUMN_WIDTH


def lines_needed(text: str, width: float) -> int:
    """How many lines `text` wraps to in a column of `width` (Excel's width units), counting
    the line breaks the text has of its own. Wrapping is by words, as Excel and LibreOffice
    wrap: a word that does not fit on a line's end starts the next line ("Upper process limit"
    in 12 characters a line takes three lines, not two), and a word longer than a line is
    broken across lines."""
    per_line = max(1, math.floor(width * CHARACTERS_PER_WIDTH_UNIT))
    return sum(_wrapped_lines(part, per_line) for part in str(text).split("\n"))


def _wrapped_lines(text: str, per_line: int) -> int:
    lines, used = 1, 0
    for word in text.split():
        wanted = len(word) if used == 0 else used + 1 + len(word)
        if wanted <= per_line:
            used = wanted
            continue
        if used:
            lines += 1
        more, used = divmod(len(word), per_line)
        if used == 0:
            more, used = more - 1, per_line
        lines += more
    return lines


def fit_wrapped_rows(
    ws, rows: Iterable[int], *, first_column: int = 1, last_column: int | None = None
) -> None:
    """Set each row's height to fit its longest wrapped text, so wrapped headings and flags
    print whole and do not run into the next row. Rows with nothing wrapped keep their height.
    Only the columns from `first_column` to `last_column` (default: the last) are measured:
    a formula's text says nothing of the height its result needs."""
    # The last column once: openpyxl finds it by looking at every cell, so asking for each
    # row (as `ws[row]` does) made a sheet of thousands of rows quadratic.
    last = ws.max_column if last_column is None else min(last_column, ws.max_column)
    # Whether a cell wraps, by its alignment's number in the workbook, and each column's
    # width, looked up once: asking each cell for its alignment made openpyxl build a style
    # proxy every time, most of this function's time in the demo.
    alignments, wraps, widths = ws.parent._alignments, {}, {}
    for row in rows:
        lines = 1
        cells = ws.iter_rows(min_row=row, max_row=row, min_col=first_column, max_col=last)
        for cell in next(cells, ()):
            if cell.value is None:
                continue
            style = cell._style.alignmentId if cell._style else 0
            wrap = wraps.get(style)
            if wrap is None:
                wrap = wraps[style] = bool(alignments[style].wrap_text)
            if not wrap:
                continue
            width = widths.get(cell.column)
            if width is None:
                width = widths[cell.column] = column_width(ws, cell.column)
            lines = max(lines, lines_needed(str(cell.value), width))
        if lines > 1:
            ws.row_dimensions[row].height = lines * LINE_HEIGHT


def wrap_across(ws, row: int, last_column: int, first_column: int = 1) -> None:
    """Wrap the text of the row's first cell across the columns up to `last_column` (merged)
    and fit the row's height to it: a note longer than its own cell would otherwise run on past
    the sheet's last column, and be cut off at the page's edge."""
    cell = ws.cell(row, first_column)
    if last_column > first_column:
        ws.merge_cells(
            start_row=row, start_column=first_column, end_row=row, end_column=last_column
        )
    cell.alignment = Alignment(wrap_text=True, vertical="top")
    width = sum(column_width(ws, c) for c in range(first_column, last_column + 1))
    lines = lines_needed("" if cell.value is None else str(cell.value), width)
    if lines > 1:
        ws.row_dimensions[row].height = lines * LINE_HEIGHT


PAGE_CM = {"landscape": (29.7, 21.0), "portrait": (21.0, 29.7)}
"""An A4 page, across and down, in each orientation."""

MARGINS_CM = (0.75 * 2.54, 1.0 * 2.54)
"""The page's side and top/bottom margins as written (openpyxl's, as Excel's Normal ones)."""

CHART_ROOM_CM = 3.0
"""Room a chart on a page of its own leaves for the footer and any repeated heading rows."""


def columns_width_cm(ws, last_column: int, first_column: int = 1) -> float:
    """How wide the columns print at full size: a width unit is 7 pixels (at 96 to the inch),
    and each column has 5 pixels of padding."""
    pixels = sum(
        math.trunc(column_width(ws, c) * 7 + 5) for c in range(first_column, last_column + 1)
    )
    return pixels / 96 * 2.54


def chart_on_a_page_below(ws, chart, row: int, last_column: int, layout: PrintLayout) -> None:
    """Put `chart` at column A of `row`, on a page of its own (a page break above the row), as
    wide as the columns up to `last_column` (and at least the page's width at full size): one
    page wide, the chart prints across the page, never cut at a page's edge or by the rows
    above it, with room for every period's label on one line."""
    across, down = PAGE_CM[layout.orientation]
    page_width = across - 2 * MARGINS_CM[0]
    page_height = down - 2 * MARGINS_CM[1] - CHART_ROOM_CM
    chart.width = max(page_width, columns_width_cm(ws, last_column))
    shrink = page_width / chart.width  # what fitting the sheet to one page wide does
    chart.height = min(chart.width * 0.6, page_height / shrink)
    if row > 1:
        ws.row_breaks.append(Break(id=row - 1))
    ws.add_chart(chart, f"A{row}")
