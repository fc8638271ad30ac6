"""Reads a clinical system's activity export (CSV or XLSX) row by row into the CAPA counts
(files edge).

The export can be large (a year of appointments for a big service runs to a million rows), so
it is streamed: the CSV through the csv module a line at a time, the workbook through
openpyxl's read-only mode, each row handed to `capa.exports.tally_activity` as it is read and
then dropped. Callers run it through `services.reading.read_bounded`, so a file that stalls or
floods the reader is a finding. Encodings as exports come: UTF-8 with or without a byte-order
mark, else Windows-1252; commas, semicolons or tabs. What the file is comes from its bytes
(`file_kinds`), whatever its name: a PDF or a Word document renamed .csv is named for what it
is and refused.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
import warnings
from collections.abc import Iterator, Sequence
from pathlib import Path

from workload_xl.core.capa.exports import (
    ActivityExport,
    ActivityMapping,
    tally_activity,
)
from workload_xl.core.caseload import MAX_TITLE_ROWS
from workload_xl.core.findings import Finding
from workload_xl.core.rules import finding
from workload_xl.files import file_kinds
from workload_xl.files.csv_text import sniff_dialect
from workload_xl.files.file_guard import file_kind, inspect_workbook_file, report_file_problem

_READ_AS_WORKBOOK = (
    file_kinds.WORKBOOK,
    file_kinds.OLD_EXCEL,
    file_kinds.ENCRYPTED,
    file_kinds.UNLISTED_ZIP,
)
_READ_AS_TEXT = (file_kinds.TEXT, file_kinds.EMPTY)
SNIFF_BYTES = 64 * 1024


def read_activity(
    path: Path,
    mapping: ActivityMapping,
    clinicians: Sequence[str],
    today: dt.date,
) -> tuple[ActivityExport | None, list[Finding]]:
    """(the export counted, []) or (None, findings saying why the file cannot be read)."""
    name = str(path)
    where = {"workbook": name}
    problem = report_file_problem(path, "activity-unreadable", "the activity report")
    if problem is not None:
        return None, [problem]
    kind = file_kind(path)
    if kind in _READ_AS_WORKBOOK:
        return _read_workbook(path, name, mapping, clinicians, today)
    if kind not in _READ_AS_TEXT:
        fix = (
            "open it and save it as CSV or as an Excel Workbook (.xlsx), or export the "
            "activity report from the clinical system again as CSV or Excel"
            if kind.table
            else "export the activity report from the clinical system as CSV or Excel (.xlsx) "
            "and give that file"
        )
        return None, [
            finding(
                "activity-wrong-kind",
                f"{path.name} is {kind.name}, not an activity export: {fix}.",
                **where,
            )
        ]
    try:
        with path.open("rb") as raw:
            head = raw.read(SNIFF_BYTES)
            encoding = _encoding(head)
            raw.seek(0)
            text = io.TextIOWrapper(raw, encoding=encoding, errors="replace", newline="")
            dialect = _dialect(head.decode(encoding, errors="replace"))
            rows = _csv_rows(text, dialect)
            # Excel saves CSV with semicolons where a comma is the decimal mark: there
            # "3,5" is 3.5, never 35
            decimal_comma = getattr(dialect, "delimiter", ",") == ";"
            export = tally_activity(
                rows,
                mapping,
                clinicians,
                source=name,
                today=today,
                decimal_comma=decimal_comma,
            )
            return export, []
    except (OSError, csv.Error) as exc:
        return None, [
            finding(
                "activity-unreadable",
                f"{name} could not be read as CSV ({exc}). Export the activity report again "
                "as CSV or Excel (.xlsx).",
                **where,
            )
        ]


def _csv_rows(text: io.TextIOWrapper, dialect) -> Iterator[list[str]]:
    for row in csv.reader(text, dialect):
        if any("\x00" in cell for cell in row):
            raise csv.Error("it holds NUL characters, so it is not a text file")
        yield row


def _encoding(head: bytes) -> str:
    """utf-16 when the file starts with its byte order mark (Excel's "Unicode Text" save);
    else utf-8-sig when the start reads as UTF-8 (a character cut at the end of the sample is
    allowed), else Windows-1252."""
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    for cut in range(4):
        try:
            head[: len(head) - cut].decode("utf-8")
        except UnicodeDecodeError:
            continue
        return "utf-8-sig"
    return "cp1252"


def _dialect(text: str):
    """The dialect, sniffed from the whole lines of the file's start (its last line may be cut
    where the sample ends)."""
    lines = text.splitlines(keepends=True)[:-1] or text.splitlines(keepends=True)
    return sniff_dialect(lines, MAX_TITLE_ROWS)


def _read_workbook(path: Path, name: str, mapping, clinicians, today):
    problems = inspect_workbook_file(path, name)
    if problems:
        return None, problems
    from openpyxl import load_workbook

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            book = load_workbook(path, read_only=True, data_only=True)
            try:
                ws = book.worksheets[0]
                rows = ws.iter_rows(values_only=True)
                return (
                    tally_activity(
                        rows, mapping, clinicians, source=name, sheet=ws.title, today=today
                    ),
                    [],
                )
            finally:
                book.close()
    except Exception as exc:  # openpyxl raises many types for damaged files
        return None, [
            finding(
                "activity-unreadable",
                f"{name} could not be read as a workbook ({type(exc).__name__}). Open it in "
                "Excel, save it again as .xlsx, or export the activity report as CSV.",
                workbook=name,
            )
        ]
