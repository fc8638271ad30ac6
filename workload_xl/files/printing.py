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

from openpyxl.utils import get_column_letter
from openpyxl.worksheet.page import PageMargins

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


def apply_print_layout(ws, layout: PrintLayout) -> None:
    """Give `ws` the page setup `layout` describes (A4, one page wide, repeated headings,
    the sheet's name and page number in the footer)."""
    ws.page_setup.orientation = layout.orientation
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    if layout.narrow_margins:
        ws.page_margins = copy(NARROW_MARGINS)
    if layout.fit_to_width:
        ws.page_setup.fitToWidth = 1
        ws.page_setup.fitToHeight = 0
        ws.sheet_properties.pageSetUpPr.fitToPage = True
    if layout.title_rows is not None:
        first, last = layout.title_rows
        ws.print_title_rows = f"{first}:{last}"
    ws.oddFooter.left.text = PAGE_FOOTER_LEFT
    ws.oddFooter.center.text = layout.footer
    ws.oddFooter.right.text = PAGE_FOOTER_RIGHT


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
    the line breaks the text has of its own. Lines break between words, as Excel and
    LibreOffice break them ("Load against expected" in a narrow column takes three lines,
    not the two its length alone would say); a word longer than a line is split."""
    per_line = max(1, math.floor(width * CHARACTERS_PER_WIDTH_UNIT))
    return sum(_wrapped_lines(part, per_line) for part in str(text).split("\n"))


def _wrapped_lines(text: str, per_line: int) -> int:
    """The lines one paragraph takes, filled word by word."""
    lines, used = 1, 0
    for word in text.split():
        if used and used + 1 + len(word) <= per_line:
            used += 1 + len(word)
            continue
        if used:
            lines, used = lines + 1, 0
        extra = max(0, math.ceil(len(word) / per_line) - 1)
        lines, used = lines + extra, len(word) - extra * per_line
    return lines


def fit_wrapped_rows(ws, rows: Iterable[int], *, first_column: int = 1) -> None:
    """Set each row's height to fit its longest wrapped text, so wrapped headings and flags
    print whole and do not run into the next row. Rows with nothing wrapped keep their height."""
    for row in rows:
        lines = 1
        for cell in ws[row][first_column - 1 :]:
            if cell.value is None or not (cell.alignment and cell.alignment.wrap_text):
                continue
            lines = max(lines, lines_needed(str(cell.value), column_width(ws, cell.column)))
        if lines > 1:
            ws.row_dimensions[row].height = lines * LINE_HEIGHT
