"""Reads a caseload report exported as CSV or XLSX into a `CaseloadTable` (files edge).

Exports differ: UTF-8 with or without a byte-order mark, Windows-1252 from older systems,
commas or semicolons. Everything is read as text so references keep their leading zeros.
"""

from __future__ import annotations

import csv
import io
import warnings
from pathlib import Path

import pandas as pd

from workload_xl.core.caseload import CaseloadTable
from workload_xl.core.findings import Finding
from workload_xl.core.rules import finding
from workload_xl.files.file_guard import inspect_workbook_file, is_regular_file

MAX_REPORT_BYTES = 32 * 1024 * 1024


def read_caseload(path: Path) -> tuple[CaseloadTable | None, list[Finding]]:
    name = str(path)
    unreadable = {"workbook": name}
    if path.exists() and not path.is_dir() and not is_regular_file(path):
        return None, [
            finding(
                "caseload-unreadable",
                f"{name} is not a file but a pipe, a device or a link to one, so it is not "
                "read. Export the caseload report again and give that file.",
                **unreadable,
            )
        ]
    if not path.is_file():
        return None, [
            finding(
                "caseload-unreadable",
                f"{name} does not exist. Check the name and folder of the caseload report.",
                **unreadable,
            )
        ]
    if path.suffix.lower() in (".xlsx", ".xlsm"):
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
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
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
    """UTF-8 (with or without BOM), else Windows-1252, else Latin-1, which decodes any bytes:
    a report with one odd character is still imported, never refused."""
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    return raw.decode("latin-1")


def _table(name: str, sheet: str, rows: list[list[str]]) -> CaseloadTable:
    """The first non-blank row holds the headings; row numbers stay as the user sees them."""
    top = next((i for i, row in enumerate(rows) if any(str(c).strip() for c in row)), len(rows))
    headings = [str(h) for h in rows[top]] if top < len(rows) else []
    data = [[str(cell) for cell in row] for row in rows[top + 1 :]]
    return CaseloadTable(name, sheet, headings, data, first_data_row=top + 2)
