"""The look every workbook the tool writes shares, and sheet titles Excel accepts (files edge).

Input cells are pale yellow and unlocked, calculated cells grey and locked, in every workbook,
so a manager who learns one learns them all.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from openpyxl.styles import Border, Font, PatternFill, Protection, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.table import Table, TableFormula, TableStyleInfo

BOLD = Font(bold=True)
TITLE = Font(bold=True, size=14)
NOTE = Font(italic=True, size=9, color="555555")
INPUT_FILL = PatternFill("solid", fgColor="FFF8DC")
CALC_FILL = PatternFill("solid", fgColor="EDEDED")
UNLOCKED = Protection(locked=False)
_THIN = Side(style="thin", color="999999")
BOX = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)


def add_table(ws, name: str, top: int, last_row: int,
              columns: Sequence[tuple[str, str | None]], style: str) -> None:  # fmt: skip
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


SHEET_TITLE_LIMIT = 31
FORBIDDEN_IN_TITLES = "[]:*?/\\"


def free_sheet_title(wanted: str, taken: Iterable[str]) -> str:
    """A sheet title Excel accepts (31 characters, none of []:*?/\\, no edge quotes) that is
    not among `taken` (compared ignoring case, as Excel does): "Jo (2)" after "Jo"."""
    used = {t.casefold() for t in taken}
    base = "".join(" " if ch in FORBIDDEN_IN_TITLES else ch for ch in wanted).strip("' ")
    base = base[:SHEET_TITLE_LIMIT] or "Sheet"
    title, n = base, 2
    while title.casefold() in used:
        suffix = f" ({n})"
        title, n = base[: SHEET_TITLE_LIMIT - len(suffix)] + suffix, n + 1
    return title
