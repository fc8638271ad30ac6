"""Reads measurement sheets from a workbook file with openpyxl into `SheetData` (files edge).

Everything is found by defined names and the WorkItems table, never by fixed addresses, so a
user who inserts rows or columns above the table, or moves the header cells, breaks nothing.
The file is opened for reading only; nothing here writes.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from workload_xl.contracts import team as tl
from workload_xl.contracts import worker as layout
from workload_xl.contracts.grid import Names, Table, names_from
from workload_xl.core.findings import Finding
from workload_xl.core.measurement import SheetData
from workload_xl.core.rules import finding
from workload_xl.files.file_guard import inspect_workbook_file
from workload_xl.files.loading import load_formulas_and_values, table_bounds
from workload_xl.files.package_book import PackageBook, read_package_book
from workload_xl.files.saved_results import SavedResults, SheetChoice

MAX_STRAY_FINDINGS = 20

NEEDED_SHEETS = SheetChoice(
    table=lambda name: layout.is_measurement_table(name) or name.startswith(tl.TEAM_TABLE),
    names=frozenset(spec.name.casefold() for spec in layout.HEADER_FIELDS),
)
"""What validation reads of a workbook: its measurement sheets (and team sheets, to say a
team workbook was given), and any sheet a header field's defined name points at. The rest,
such as the Scheme sheet, load empty."""


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
    book, problems = open_book(path, name)
    read = WorkbookRead([], problems) if book is None else read_book(book, name)
    if os.environ.get(COMPARE_READERS) and isinstance(book, PackageBook):
        _same_as_openpyxl(path, name, read)
    return read


COMPARE_READERS = "WORKLOAD_XL_COMPARE_READERS"
"""Set (the test suite sets it), every workbook the package reader reads is read by
openpyxl too, and a difference stops the read: so every file the tests make, LibreOffice
saves or a hostile test crafts checks the two readers agree."""


def _same_as_openpyxl(path: Path, name: str, read: WorkbookRead) -> None:
    book, problems = open_book(path, name, package=False)
    expected = WorkbookRead([], problems) if book is None else read_book(book, name)
    if read != expected:
        raise AssertionError(f"The package reader and openpyxl read {name} differently.")


def open_book(
    path: Path, name: str, *, package: bool = True
) -> tuple[PackageBook | OpenpyxlBook | None, list[Finding]]:
    """The workbook's sheets that validation reads, after the file guard: read from the
    package's XML (files.package_book), or by openpyxl when that reader declines the file
    (or `package` is False), or (None, findings saying why it cannot be read)."""
    problems = inspect_workbook_file(Path(path), name)
    if problems:
        return None, problems
    book = read_package_book(Path(path), name, NEEDED_SHEETS) if package else None
    if book is not None:
        return book, []
    books, problems = load_formulas_and_values(path, name, NEEDED_SHEETS, guarded=True)
    if books is None:
        return None, problems
    return OpenpyxlBook(name, *books), []


def read_book(book: PackageBook | OpenpyxlBook, name: str) -> WorkbookRead:
    """The measurement sheets of an opened book, or why it has none."""
    tables = book.worksheet_tables()
    sheets = []
    for title, names in tables:
        found = next((n for n, shown in names.items() if layout.is_measurement_table(shown)), None)
        if found is not None:
            sheets.append(layout.sheet_data(book, title, book.read_table(title, found)))
    if not sheets and any(n.startswith(tl.TEAM_TABLE) for _, names in tables for n in names):
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


def defined_names(wb) -> Names:
    """The book's defined names and each sheet's own, as the grid interface holds them."""
    entries = [(name, None, defined.attr_text or "") for name, defined in wb.defined_names.items()]
    for ws in wb.worksheets:
        entries += [(n, ws.title, d.attr_text or "") for n, d in ws.defined_names.items()]
    return names_from(entries)


class OpenpyxlBook:
    """A workbook opened by openpyxl (formulas), with the results Excel saved
    (files.saved_results: `results.result(cell)`, or None for a book openpyxl has just built,
    which holds no saved results), as the grid interface (contracts.grid) reads it."""

    def __init__(self, name: str, formulas, results: SavedResults | None = None):
        self.name = name
        self.names = defined_names(formulas)
        self._formulas, self._results = formulas, results

    @property
    def sheet_names(self) -> list[str]:
        return self._formulas.sheetnames

    def value(self, sheet: str, row: int, column: int) -> Any:
        return self._seen(self._formulas[sheet].cell(row, column), sheet)

    def cached(self, sheet: str, row: int, column: int) -> Any:
        return self._result(self._formulas[sheet].cell(row, column))

    def formula(self, sheet: str, row: int, column: int) -> str | None:
        cell = self._formulas[sheet].cell(row, column)
        return str(cell.value) if cell.data_type == "f" and cell.value else None

    def cells(self, sheet: str) -> Iterator[tuple[int, int, Any]]:
        # openpyxl keeps only the cells present in the file here; iterating the grid instead
        # would create millions of empty cells on a sheet formatted down to row 1,048,576.
        for (row, column), cell in sorted(self._formulas[sheet]._cells.items()):
            yield row, column, self._seen(cell, sheet)

    def _seen(self, cell, sheet: str) -> Any:
        """What the user sees in a cell: for a formula, the result Excel saved.

        A formula whose result was never saved (the file was written by a tool, not Excel)
        reads as its own text, "=5*2", so a message can show the user exactly what is in it.
        """
        if cell.data_type == "f":
            cached = self._result(cell)
            return cell.value if cached is None else cached
        return cell.value

    def _result(self, cell) -> Any:
        """The cell as a data-only read sees it: a formula's saved result, else its value."""
        if self._results is not None:
            return self._results.result(cell)
        return None if cell.data_type == "f" else cell.value

    def worksheet_tables(self) -> list[tuple[str, dict[str, str]]]:
        """Each worksheet's title and its tables' display names by table name, in order."""
        return [
            (ws.title, {t.name: t.displayName for t in ws.tables.values()})
            for ws in self._formulas.worksheets
        ]

    def read_table(self, sheet: str, name: str) -> Table:
        ws = self._formulas[sheet]
        return self.table(ws, ws.tables[name])

    def table(self, ws, table) -> Table:
        """An openpyxl table as the grid interface's, its rows as the user sees them."""
        min_col, min_row, max_col, max_row = table_bounds(ws, table)
        span = range(min_col, max_col + 1)
        headers = tuple(ws.cell(min_row, c).value for c in span)
        cells = ws._cells  # the cells the file holds: an absent one is empty
        rows = [
            [
                None if (cell := cells.get((r, c))) is None else self._seen(cell, ws.title)
                for c in span
            ]
            for r in range(min_row + 1, max_row + 1)
        ]
        return Table(table.displayName, ws.title, min_row, min_col, headers, rows)
