"""The look every workbook the tool writes shares, the one path text takes into a cell, and
sheet titles Excel accepts (files edge).

Input cells are pale yellow and unlocked, calculated cells grey and locked, in every workbook,
so a manager who learns one learns them all. Text goes into a cell only through `set_value`
(or `put`), so a name typed as '=HYPERLINK(...)' stays text in every workbook: openpyxl writes
any string that starts with "=" as a formula, and the next person's Excel would run it.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Mapping, Sequence
from copy import copy
from typing import Any

from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Border, Font, PatternFill, Protection, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.table import Table, TableFormula, TableStyleInfo

BOLD = Font(bold=True)
TITLE = Font(bold=True, size=14)
NOTE = Font(italic=True, size=9, color="555555")
INPUT_FILL = PatternFill("solid", fgColor="FFF8DC")
CALC_FILL = PatternFill("solid", fgColor="EDEDED")
UNLOCKED = Protection(locked=False)
_THIN = Side(style="thin", color="999999")
BOX = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)


def add_table(
    ws, name: str, top: int, last_row: int, columns: Sequence[tuple[str, str | None]], style: str
) -> None:
    """An Excel table from column A, headings on row `top`, over rows up to `last_row`.
    `columns` are (heading, formula or None): a formula ("=...") becomes the column's
    calculated formula, so Excel fills it into the rows a user adds."""
    table = Table(displayName=name, ref=f"A{top}:{get_column_letter(len(columns))}{last_row}")
    table.tableStyleInfo = TableStyleInfo(name=style, showRowStripes=True)
    table._initialise_columns()
    for table_column, (heading, formula) in zip(table.tableColumns, columns, strict=True):
        table_column.name = heading
        if formula:
            table_column.calculatedColumnFormula = TableFormula(attr_text=formula[1:])
    ws.add_table(table)


TEXT_LIMIT = 32_767
"""The most characters an Excel cell holds."""


def cell_text(text: str) -> str:
    """Text as a cell can hold it: without the control characters no cell may contain (openpyxl
    refuses them, and a name pasted from another system can carry one), at most TEXT_LIMIT."""
    return ILLEGAL_CHARACTERS_RE.sub("", text)[:TEXT_LIMIT]


def set_value(cell, value: Any) -> None:
    """Write a value; text stays text even when it starts with '=' (no formula injection).
    Formulas a layout declares are written by assigning them, never through here."""
    if isinstance(value, str):
        value = cell_text(value)
    cell.value = value
    if isinstance(value, str) and cell.data_type == "f":
        cell.data_type = "s"


def put(ws, row: int, column: int, value: Any):
    """`ws.cell(row, column, value)` through the text guard: the cell, for styling."""
    cell = ws.cell(row, column)
    set_value(cell, value)
    return cell


class StyleStamps:
    """Cells styled alike, styled once: each kind of cell has a look (its style attributes by
    name, such as {"fill": CALC_FILL, "number_format": "0.0"}); the first cell of a kind is
    given it through openpyxl, which hashes every style object into the workbook's style lists
    (the costliest step of building a measurement sheet: half a million lookups for the demo's
    sheets), and every later cell of that kind takes a copy of its style indexes, as
    openpyxl's own worksheet copy does. The result is the same file. One set of stamps serves
    one workbook (the indexes point into its style lists)."""

    def __init__(self, looks: Mapping[Hashable, Mapping[str, Any]]) -> None:
        self._looks = looks
        self._styles: dict[Hashable, Any] = {}

    def apply(self, cell, kind: Hashable) -> None:
        """Give `cell` the look of its `kind`."""
        stamp = self._styles.get(kind)
        if stamp is None:
            for name, value in self._looks[kind].items():
                setattr(cell, name, value)
            self._styles[kind] = cell._style
        else:
            cell._style = copy(stamp)


SHEET_TITLE_LIMIT = 31
FORBIDDEN_IN_TITLES = "[]:*?/\\"


def free_sheet_title(wanted: str, taken: Iterable[str]) -> str:
    """A sheet title Excel accepts (31 characters, none of []:*?/\\ nor control characters, no
    edge quotes) that is not among `taken` (compared ignoring case, as Excel does): "Jo (2)"
    after "Jo"."""
    used = {t.casefold() for t in taken}
    wanted = cell_text(wanted)
    base = "".join(" " if ch in FORBIDDEN_IN_TITLES else ch for ch in wanted).strip("' ")
    base = base[:SHEET_TITLE_LIMIT].rstrip("' ") or "Sheet"
    title, n = base, 2
    while title.casefold() in used:
        suffix = f" ({n})"
        title, n = base[: SHEET_TITLE_LIMIT - len(suffix)] + suffix, n + 1
    return title


def number_at_least(low: str, title: str, error: str) -> DataValidation:
    """A cell or column that takes a number of `low` or more (blank allowed), refusing
    anything else with `title` and `error` as Excel's message: every such input in the
    workbooks the tool writes."""
    return DataValidation(
        type="decimal",
        operator="greaterThanOrEqual",
        formula1=low,
        allow_blank=True,
        showErrorMessage=True,
        errorTitle=title,
        error=error,
    )
