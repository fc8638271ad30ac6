"""Reads a caseload report exported as CSV or XLSX into a `CaseloadTable` (files edge).

Exports differ: UTF-8 with or without a byte-order mark, Windows-1252 from older systems,
commas or semicolons. Everything is read as text so references keep their leading zeros.
"""

from __future__ import annotations

import codecs
import contextlib
import csv
import io
import warnings
from pathlib import Path

import pandas as pd

from workload_xl.core.caseload import MAX_TITLE_ROWS, CaseloadTable
from workload_xl.core.findings import Finding
from workload_xl.core.rules import finding
from workload_xl.files import file_kinds
from workload_xl.files.csv_text import sniff_dialect
from workload_xl.files.file_guard import file_kind, inspect_workbook_file, report_file_problem
from workload_xl.files.file_kinds import FileKind

MAX_REPORT_BYTES = 32 * 1024 * 1024
_READ_AS_WORKBOOK = (
    file_kinds.WORKBOOK,
    file_kinds.OLD_EXCEL,  # the guard says how to save it as .xlsx
    file_kinds.ENCRYPTED,  # the guard says how to take the password off
    file_kinds.UNLISTED_ZIP,  # the guard says it is damaged or too large
)
_READ_AS_TEXT = (file_kinds.TEXT, file_kinds.EMPTY, file_kinds.UNKNOWN)
"""What is read as CSV: text, and files of no kind the detector knows (the CSV reader says
what it finds); every other kind is refused, named for what it is."""


def read_caseload(path: Path) -> tuple[CaseloadTable | None, list[Finding]]:
    name = str(path)
    unreadable = {"workbook": name}
    problem = report_file_problem(path, "caseload-unreadable", "the caseload report")
    if problem is not None:
        return None, [problem]
    kind = file_kind(path)
    if not (kind in _READ_AS_WORKBOOK or kind in _READ_AS_TEXT):
        return None, [_wrong_kind(name, kind)]
    if kind in _READ_AS_WORKBOOK or path.suffix.lower() in (".xlsx", ".xlsm"):
        problems = inspect_workbook_file(path, name)
        if problems:
            return None, problems
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                with pd.ExcelFile(path, engine="openpyxl") as book:
                    sheet = book.sheet_names[0]
                    frame = book.parse(sheet, dtype=str, keep_default_na=False, header=None)
        except Exception as exc:
            return None, [
                finding(
                    "caseload-unreadable",
                    f"{name} could not be read ({type(exc).__name__}). Export the report again.",
                    **unreadable,
                )
            ]
        rows = frame.fillna("").astype(str).values.tolist()
        return _table(name, sheet, rows), []
    if path.stat().st_size > MAX_REPORT_BYTES:
        return None, [
            finding(
                "caseload-unreadable",
                f"{name} is larger than a caseload report can be. Check it is the right file.",
                **unreadable,
            )
        ]
    with path.open("rb") as handle:  # at most the cap, whatever the size said a moment ago
        raw = handle.read(MAX_REPORT_BYTES + 1)
    if len(raw) > MAX_REPORT_BYTES:
        return None, [
            finding(
                "caseload-unreadable",
                f"{name} is larger than a caseload report can be. Check it is the right file.",
                **unreadable,
            )
        ]
    text = _decode(raw)
    if "\x00" in text:
        return None, [
            finding(
                "caseload-unreadable",
                f"{name} is not a text (CSV) file. Export the caseload report as CSV or Excel.",
                **unreadable,
            )
        ]
    dialect = _dialect(text)
    try:  # newline="": the csv module, not StringIO, decides what a lone \r means
        rows = list(csv.reader(io.StringIO(text, newline=""), dialect))
    except csv.Error as exc:
        return None, [
            finding(
                "caseload-unreadable",
                f"{name} is not a CSV file this tool can read ({exc}). Export the caseload "
                "report again as CSV or Excel.",
                **unreadable,
            )
        ]
    return _table(name, "", rows), []


def _decode(raw: bytes) -> str:
    """UTF-16 when it starts with its byte order mark (Excel's "Unicode Text" save, tab
    separated), else UTF-8 (with or without BOM), else Windows-1252, else Latin-1, which
    decodes any bytes: a report with one odd character is still imported, never refused."""
    if raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        with contextlib.suppress(UnicodeDecodeError):
            return raw.decode("utf-16")
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    return raw.decode("latin-1")


def _dialect(text: str) -> type[csv.Dialect] | csv.Dialect:
    """The CSV dialect, sniffed from the first 64 KB of the text."""
    return sniff_dialect(text[:65536].splitlines(keepends=True), MAX_TITLE_ROWS)


def _wrong_kind(name: str, kind: FileKind) -> Finding:
    """A file that is not a table this tool reads, named for what it is."""
    if kind.table:  # a spreadsheet or table in another format: it can be saved as one we read
        fix = (
            "open it in Excel and save it as CSV or as an Excel Workbook (.xlsx), or export "
            "the report from the case system again as CSV or Excel (.xlsx), and import that"
        )
    else:
        fix = "export the report from the case system as CSV or Excel (.xlsx) and import that"
    return finding(
        "caseload-wrong-kind",
        f"{Path(name).name} is {kind.name}, not a caseload report: {fix}.",
        workbook=name,
    )


def _table(name: str, sheet: str, rows: list[list[str]]) -> CaseloadTable:
    """Every row as text, numbered from 1 as the user sees it; the core finds the headings
    (below any title lines) from the scheme's column names."""
    return CaseloadTable(name, sheet, [[str(cell) for cell in row] for row in rows])
