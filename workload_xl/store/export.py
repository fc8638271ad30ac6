"""Every table of the returns store, out as CSV files and a workbook (store edge).

Years of returns must never be locked in a format only this tool reads: `workload-xl store
export` writes each table whole to a CSV file (UTF-8 with a byte order mark, so Excel opens it
as such) and to a sheet of one workbook. Text is written as text: in the workbook a value
starting with "=" stays a string, and in the CSV files a text value starting with =, +, -, @,
a tab or a carriage return gets a leading apostrophe, as OWASP advises against CSV injection,
so a worker's name typed as "=HYPERLINK(...)" can never run when the file is opened.

A sheet holds at most 1,048,576 rows, so a table longer than that continues on further sheets
("return_lines (2)"); the CSV file always holds the whole table.
"""

from __future__ import annotations

import csv
import math
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.utils import get_column_letter

from workload_xl.core.findings import Finding
from workload_xl.files.atomic import write_atomically
from workload_xl.files.printing import PrintLayout, apply_print_layout
from workload_xl.files.style import cell_text

TABLES = ("meta", "teams", "submissions", "worker_periods", "return_lines")
"""Every table of the schema (docs/returns-store.md), in the order they are exported."""
MAX_SHEET_ROWS = 1_048_576
_DANGEROUS = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True)
class Exported:
    table: str
    rows: int
    csv_path: Path
    sheets: tuple[str, ...]


def neutralised(value: Any) -> Any:
    """A CSV cell that no spreadsheet will run: text starting with a formula character gets
    an apostrophe (OWASP's advice); a BLOB another tool wrote is written in hex; numbers and
    other text are as they were."""
    if isinstance(value, bytes | bytearray | memoryview):
        return bytes(value).hex()
    if isinstance(value, str) and value.startswith(_DANGEROUS):
        return "'" + value
    return value


WORKBOOK_NAME = "returns-store.xlsx"


def output_paths(folder: Path) -> list[Path]:
    """Every file an export writes into `folder`: a CSV file a table, then the workbook."""
    return [Path(folder) / f"{table}.csv" for table in TABLES] + [Path(folder) / WORKBOOK_NAME]


def export_store(
    db: sqlite3.Connection, folder: Path, *, force: bool = False, sheet_rows: int = MAX_SHEET_ROWS
) -> tuple[list[Exported], list[Finding]]:
    """Write `<table>.csv` for every table and `returns-store.xlsx` with a sheet per table,
    each file atomically; nothing is written over an existing file unless `force`."""
    folder = Path(folder)
    done: list[Exported] = []
    problems: list[Finding] = []
    counts: dict[str, int] = {}
    for table in TABLES:
        path = folder / f"{table}.csv"
        problems += write_atomically(
            path, lambda temp, t=table: _write_csv(db, t, temp, counts), force=force
        )
        if problems:
            return done, problems
        done.append(Exported(table, counts[table], path, ()))
    sheets: dict[str, tuple[str, ...]] = {}
    workbook = folder / WORKBOOK_NAME
    problems += write_atomically(
        workbook, lambda temp: _write_workbook(db, temp, sheets, sheet_rows), force=force
    )
    done = [Exported(e.table, e.rows, e.csv_path, sheets.get(e.table, ())) for e in done]
    return done, problems


def _rows(db: sqlite3.Connection, table: str) -> tuple[list[str], Iterator[tuple]]:
    cursor = db.execute(f'SELECT * FROM "{table}" ORDER BY rowid')  # table names are ours
    return [d[0] for d in cursor.description], iter(cursor)


def _write_csv(db: sqlite3.Connection, table: str, path: Path, counts: dict[str, int]) -> None:
    headings, rows = _rows(db, table)
    count = 0
    with path.open("w", newline="", encoding="utf-8-sig") as handle:
        writer = csv.writer(handle)
        writer.writerow(headings)
        for row in rows:
            writer.writerow([neutralised(v) for v in row])
            count += 1
    counts[table] = count


def _write_workbook(db: sqlite3.Connection, path: Path, sheets: dict, sheet_rows: int) -> None:
    wb = Workbook(write_only=True)
    for table in TABLES:
        headings, rows = _rows(db, table)
        names: list[str] = []
        ws = None
        written = sheet_rows  # start a sheet at the first row
        for row in rows:
            if written >= sheet_rows:
                name = table if not names else f"{table} ({len(names) + 1})"
                ws = _new_sheet(wb, name, headings)
                names.append(name)
                written = 1
            ws.append([_text_cell(ws, v) for v in row])  # type: ignore[union-attr]
            written += 1
        if not names:
            _new_sheet(wb, table, headings)
            names.append(table)
        sheets[table] = tuple(names)
    wb.save(path)


EXPORT_LAYOUT = PrintLayout("landscape", (1, 1))
"""Each table's sheet prints landscape, one page wide, its heading row on every page."""


def _new_sheet(wb: Workbook, name: str, headings: list[str]):
    """A write-only sheet with its page setup, its heading row frozen, each column wide
    enough for its heading, and the headings written (a write-only sheet takes its view and
    layout before its first row)."""
    ws = wb.create_sheet(name)
    apply_print_layout(ws, EXPORT_LAYOUT)
    for index, heading in enumerate(headings, start=1):
        ws.column_dimensions[get_column_letter(index)].width = max(10, len(heading) + 2)
    ws.freeze_panes = "A2"
    ws.append(headings)
    return ws


def _text_cell(ws, value: Any) -> Any:
    """A value for a write-only sheet, text kept as text even when it starts with '=', without
    the control characters no cell can hold (`workbook_style.cell_text`); an infinity a store
    made by an older version may hold is written as its text, which Excel can open, and so is
    a BLOB (in hex) or an integer too large for Excel that another tool put there."""
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)
    if isinstance(value, bytes | bytearray | memoryview):  # a BLOB another tool wrote
        return bytes(value).hex()
    if isinstance(value, int) and not -(2**53) <= value <= 2**53:  # beyond what Excel holds
        return str(value)
    if isinstance(value, str):
        value = cell_text(value)
    if isinstance(value, str) and value.startswith("="):
        cell = WriteOnlyCell(ws, value=value)
        cell.data_type = "s"
        return cell
    return value
