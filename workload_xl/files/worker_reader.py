"""Reads measurement sheets from a workbook file with openpyxl into `SheetData` (files edge).

Everything is found by defined names and the WorkItems table, never by fixed addresses, so a
user who inserts rows or columns above the table, or moves the header cells, breaks nothing.
The file is opened for reading only; nothing here writes.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from openpyxl.utils import get_column_letter, range_boundaries

from workload_xl.contracts import team as tl
from workload_xl.contracts import worker as layout
from workload_xl.core.findings import Finding
from workload_xl.core.measurement import Cell, SheetData, TableRow, TotalCell, clean_text, is_blank
from workload_xl.core.rules import finding
from workload_xl.files.loading import load_formulas_and_values

MAX_STRAY_FINDINGS = 20


@dataclass
class WorkbookRead:
    sheets: list[SheetData]
    findings: list[Finding]

    @property
    def unreadable(self) -> bool:
        return not self.sheets and any(f.severity == "error" for f in self.findings)


def read_workbook(path: Path, label: str | None = None) -> WorkbookRead:
    """Every measurement sheet in the file, or file-level findings saying why there are none."""
    name = label or str(path)
    books, problems = load_formulas_and_values(path, name)
    if books is None:
        return WorkbookRead([], problems)
    formulas, values = books
    sheets = []
    for ws in formulas.worksheets:
        table = _measurement_table(ws)
        if table is not None:
            sheets.append(_read_sheet(name, formulas, ws, values[ws.title], table))
    if not sheets and any(t.startswith(tl.TEAM_TABLE) for ws in formulas for t in ws.tables):
        return WorkbookRead(
            [],
            [
                finding(
                    "team-workbook-given",
                    f"{name} is a team workbook, not a worker measurement sheet, "
                    "so it is skipped. "
                    "To use it as history for build-team, give it with --history.",
                    workbook=name,
                )
            ],
        )
    if not sheets:
        return WorkbookRead(
            [],
            [
                finding(
                    "not-measurement-sheet",
                    f"{name} has no workload measurement table (an Excel table named "
                    f"{layout.TABLE_NAME}). Start from the measurement template, or copy your "
                    "rows into it.",
                    workbook=name,
                )
            ],
        )
    return WorkbookRead(sheets, [])


def _measurement_table(ws):
    for table in ws.tables.values():
        if table.displayName.lower().startswith(layout.TABLE_NAME.lower()):
            return table
    return None


def _resolve_name(wb, ws, name: str) -> tuple[str, str] | None:
    """(sheet title, cell address) of a name: the sheet's own first, then the workbook's."""
    for scope in (ws.defined_names, wb.defined_names):
        defined = scope.get(name)
        if defined is None:
            continue
        try:
            destinations = list(defined.destinations)
        except Exception:  # a broken name such as =#REF!
            return None
        if len(destinations) != 1:
            return None
        sheet, ref = destinations[0]
        sheet = sheet.replace("''", "'")  # openpyxl keeps the quote doubled: Jo''s sheet
        ref = ref.replace("$", "")
        if ":" in ref:
            first, last = ref.split(":")
            if first != last:
                return None
            ref = first
        return sheet, ref
    return None


def _cell_value(formula_cell, value_ws) -> Any:
    """What the user sees in a cell: for a formula, the result Excel saved.

    A formula whose result was never saved (the file was written by a tool, not Excel) reads as
    its own text, "=5*2", so a message can show the user exactly what is in the cell.
    """
    if formula_cell.data_type == "f":
        cached = value_ws[formula_cell.coordinate].value
        return formula_cell.value if cached is None else cached
    return formula_cell.value


def _read_sheet(name: str, wb, ws, value_ws, table) -> SheetData:
    header: dict[str, Cell | None] = {}
    for spec in layout.HEADER_FIELDS:
        place = _resolve_name(wb, ws, spec.name)
        if place is None or place[0] not in wb.sheetnames:
            header[spec.key] = None
            continue
        sheet, address = place
        source = wb[sheet]
        value = _cell_value(source[address], value_ws.parent[sheet])
        header[spec.key] = Cell(value, address)

    totals: dict[str, TotalCell] = {}
    for spec in layout.TOTAL_FIELDS:
        place = _resolve_name(wb, ws, spec.name)
        if place is None or place[0] != ws.title:
            continue
        cell = ws[place[1]]
        formula = cell.value if cell.data_type == "f" else None
        cached = value_ws[place[1]].value
        totals[spec.key] = TotalCell(place[1], str(formula) if formula else None, cached)

    min_col, min_row, max_col, max_row = range_boundaries(table.ref)
    max_row -= table.totalsRowCount or 0
    # Rows below the sheet's last cell are empty: a table stretched to row 1,048,576 creates
    # none of them (ws[...] would create every cell it asks for).
    max_row = min(max_row, max(ws.max_row, min_row))
    by_header = {_fold(c.header): c.key for c in layout.COLUMNS}
    columns: dict[str, str] = {}
    for col in range(min_col, max_col + 1):
        text = clean_text(ws.cell(min_row, col).value)
        key = by_header.get(_fold(text))
        if key and key not in columns:
            columns[key] = get_column_letter(col)

    rows = []
    for r in range(min_row + 1, max_row + 1):
        values = {}
        for key, letter in columns.items():
            value = _cell_value(ws[f"{letter}{r}"], value_ws)
            values[key] = value
        rows.append(TableRow(r, values))

    stray = _stray_cells(ws, value_ws, min_col, min_row, max_col, max_row)
    return SheetData(name, ws.title, header, columns, rows, totals, stray)


def _stray_cells(ws, value_ws, min_col, min_row, max_col, max_row) -> list[Cell]:
    """Non-empty cells beside or below the table: the user may think they count; they don't."""
    found = []
    # openpyxl keeps only the cells present in the file here; iterating the grid instead would
    # create millions of empty cells on a sheet formatted down to row 1,048,576.
    for (row, col), cell in sorted(ws._cells.items()):
        if row < min_row:
            continue
        inside_columns = min_col <= col <= max_col
        if row <= max_row and inside_columns:
            continue
        value = _cell_value(cell, value_ws)
        if not is_blank(value):
            found.append(Cell(value, cell.coordinate))
    return found


def _fold(text: str) -> str:
    return clean_text(text).casefold()
