"""Every table of the returns store, out as CSV files and a workbook (store edge).

Years of returns must never be locked in a format only this tool reads: `workload-xl store
export` writes each table whole to a CSV file (UTF-8 with a byte order mark, so Excel opens it
as such), streamed row by row from the store, so its memory stays flat however many years the
store holds. Beside them, one workbook an analyst can open: the tables of returns, teams and
workers whole, one sheet each, and the line-level table, which grows by millions of rows over
the years, summed by year, team and item (`return_lines by year`); its CSV file holds every
line. Text is written as text: in the workbook a value starting with "=" stays a string, and in
the CSV files a text value starting with =, +, -, @, a tab or a carriage return gets a leading
apostrophe, as OWASP advises against CSV injection, so a worker's name typed as
"=HYPERLINK(...)" can never run when the file is opened.

A sheet holds at most 1,048,576 rows, so a table longer than that continues on further sheets
("worker_periods (2)"); the CSV file always holds the whole table.
"""

from __future__ import annotations

import csv
import math
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import xlsxwriter

from workload_xl.core.findings import Finding
from workload_xl.files.atomic import write_atomically
from workload_xl.files.printing import PAGE_FOOTER_LEFT, PAGE_FOOTER_RIGHT, PrintLayout
from workload_xl.files.style import cell_text

TABLES = ("meta", "teams", "submissions", "worker_periods", "return_lines")
"""Every table of the schema (docs/returns-store.md), in the order they are exported."""
WHOLE_TABLES = TABLES[:-1]
"""The tables the workbook holds whole, a sheet each: one row a return or a worker's month."""
LINES_SHEET = "return_lines by year"
LINES_BY_SUBMISSION = """
SELECT submission_id, item_code, kind, COUNT(*), SUM(agreed_points) FROM return_lines
GROUP BY submission_id, item_code, kind
"""
LINES_HEADINGS = ["year", "service", "team", "item_code", "kind", "returns", "lines"]
LINES_HEADINGS += ["agreed_points"]


def lines_by_year(db: sqlite3.Connection) -> list[tuple]:
    """The line-level table as the workbook holds it: for each year, team, item and kind, the
    current returns with such lines, the lines (a case or activity on a worker's month) and
    their agreed points, in order of year, service and team (ignoring case, as the store
    compares them); a revised return's earlier version is left out, as the reports leave it.
    Summed by return in SQLite (in the order of its index) and by year here: the returns are
    few beside their lines, and one join over millions of lines took three times as long."""
    returns = {
        row[0]: row[1:]
        for row in db.execute(
            "SELECT id, substr(period, 1, 4), service, team FROM submissions "
            "WHERE superseded_by IS NULL"
        )
    }
    totals: dict[tuple, list] = {}
    for submission, item, kind, lines, points in db.execute(LINES_BY_SUBMISSION):
        found = returns.get(submission)
        if found is None:
            continue
        year, service, team = found
        key = (year, service.casefold(), team.casefold(), item, kind)
        total = totals.setdefault(key, [year, service, team, item, kind, 0, 0, None])
        total[5] += 1
        total[6] += lines
        if points is not None:
            total[7] = points if total[7] is None else total[7] + points
    return [tuple(totals[key]) for key in sorted(totals)]


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


def _rows(db: sqlite3.Connection, query: str) -> tuple[list[str], Iterator[tuple]]:
    cursor = db.execute(query)
    return [d[0] for d in cursor.description], iter(cursor)


def _whole(table: str) -> str:
    return f'SELECT * FROM "{table}" ORDER BY rowid'  # table names are ours


def write_csv(db: sqlite3.Connection, table: str, path: Path) -> int:
    """`table` whole to a CSV file at `path`, streamed from the store; the rows written."""
    headings, rows = _rows(db, _whole(table))
    neutral = neutralised
    with path.open("w", newline="", encoding="utf-8-sig") as handle:
        writer = csv.writer(handle)
        writer.writerow(headings)
        count = 0
        for row in rows:
            writer.writerow([neutral(v) for v in row])
            count += 1
    return count


def _write_csv(db: sqlite3.Connection, table: str, path: Path, counts: dict[str, int]) -> None:
    counts[table] = write_csv(db, table, path)


WORKBOOK_OPTIONS = {
    "constant_memory": True,  # each row written out as it comes: memory flat in the store
    "strings_to_formulas": False,  # text starting with "=" stays text
    "strings_to_numbers": False,
    "strings_to_urls": False,
}


def _write_workbook(db: sqlite3.Connection, path: Path, sheets: dict, sheet_rows: int) -> None:
    """The workbook, streamed with xlsxwriter's constant-memory writer: twice as fast as
    openpyxl's write-only one on the store's rows, and its memory does not grow with them."""
    wb = xlsxwriter.Workbook(str(path), WORKBOOK_OPTIONS)
    wb.set_properties({"title": "workload-xl returns store", "author": "workload-xl"})
    for table in WHOLE_TABLES:
        sheets[table] = _write_sheets(wb, table, *_rows(db, _whole(table)), sheet_rows)
    summary = iter(lines_by_year(db))
    sheets["return_lines"] = _write_sheets(wb, LINES_SHEET, LINES_HEADINGS, summary, sheet_rows)
    wb.close()


def _write_sheets(
    wb: xlsxwriter.Workbook, name: str, headings: list[str], rows: Iterator[tuple], sheet_rows: int
) -> tuple[str, ...]:
    """The rows on a sheet called `name`, continued on "name (2)" and so on past
    `sheet_rows` a sheet (headings included); the sheets' names."""
    names: list[str] = []
    ws = None
    written = sheet_rows  # start a sheet at the first row
    for row in rows:
        if written >= sheet_rows:
            title = name if not names else f"{name} ({len(names) + 1})"
            ws = _new_sheet(wb, title, headings)
            names.append(title)
            written = 1
        _write_row(ws, written, row)
        written += 1
    if not names:
        _new_sheet(wb, name, headings)
        names.append(name)
    return tuple(names)


EXPORT_LAYOUT = PrintLayout("landscape", (1, 1))
"""Each table's sheet prints landscape, one page wide, its heading row on every page."""

A4 = 9
"""xlsxwriter's (and Excel's) number for A4 paper."""


def _new_sheet(wb: xlsxwriter.Workbook, name: str, headings: list[str]):
    """A sheet with the shared page setup (files.printing, as xlsxwriter sets it), its heading
    row frozen, each column wide enough for its heading, and the headings written."""
    ws = wb.add_worksheet(name)
    if EXPORT_LAYOUT.orientation == "landscape":
        ws.set_landscape()
    ws.set_paper(A4)
    ws.fit_to_pages(1, 0)
    first, last = EXPORT_LAYOUT.title_rows or (1, 1)
    ws.repeat_rows(first - 1, last - 1)
    ws.set_footer(f"&L{PAGE_FOOTER_LEFT}&C{EXPORT_LAYOUT.footer}&R{PAGE_FOOTER_RIGHT}")
    for index, heading in enumerate(headings):
        ws.set_column(index, index, max(10, len(heading) + 2))
    ws.freeze_panes(1, 0)
    for index, heading in enumerate(headings):
        ws.write_string(0, index, heading)
    return ws


def _write_row(ws, row: int, values: tuple) -> None:
    """One row, each value through the writer's own method for its type (a quarter faster
    than its general `write`, on millions of cells); anything unusual through `_cell_value`."""
    number, text = ws.write_number, ws.write_string
    for column, value in enumerate(values):
        kind = type(value)
        if kind is str:
            text(row, column, cell_text(value))
        elif (kind is float and math.isfinite(value)) or (
            kind is int and -(2**53) <= value <= 2**53
        ):
            number(row, column, value)
        elif value is not None:
            ws.write(row, column, _cell_value(value))


def _cell_value(value: Any) -> Any:
    """A value as the workbook holds it: text without the control characters no cell can
    hold (`style.cell_text`), and written as text even when it starts with '=' (the writer's
    options); an infinity a store made by an older version may hold is written as its text,
    which Excel can open, and so is a BLOB (in hex) or an integer too large for Excel that
    another tool put there."""
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)
    if isinstance(value, bytes | bytearray | memoryview):  # a BLOB another tool wrote
        return bytes(value).hex()
    if isinstance(value, int) and not -(2**53) <= value <= 2**53:  # beyond what Excel holds
        return str(value)
    if isinstance(value, str):
        return cell_text(value)
    return value
