"""Shared fixtures: real measurement workbooks, generated in code and written to disk.

Test data is built by functions here so it is reviewable; only the real templates are
committed as binaries.
"""

from __future__ import annotations

import os

# xlwings' remote engine and its custom-function server stand in for Excel in the add-in's
# tests: it is free for non-commercial use (its PolyForm Noncommercial part), and must be
# chosen before anything imports xlwings.
os.environ.setdefault("XLWINGS_LICENSE_KEY", "noncommercial")
os.environ.setdefault("XLWINGS_ON_SERVER", "true")
# Every workbook a test has validated is read by openpyxl too, and must read the same
# (workload_xl.files.worker_reader.COMPARE_READERS): the package reader is checked on every
# file the suite makes, crafts or has LibreOffice save.
os.environ.setdefault("WORKLOAD_XL_COMPARE_READERS", "1")

import datetime as dt
import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from openpyxl import load_workbook
from openpyxl.utils import get_column_letter, range_boundaries

from workload_xl.contracts import worker as layout
from workload_xl.core.schemes import SchemeRegistry
from workload_xl.files.worker_template import WorkerSheetContent, write_worker_workbook
from workload_xl.services.validate import validate_files

CSC = "childrens-social-care"


@pytest.fixture(scope="session")
def registry() -> SchemeRegistry:
    return SchemeRegistry.from_dir()


def valid_content() -> WorkerSheetContent:
    """A sheet a manager would sign: every header filled, points as the scheme gives."""
    header = {
        "worker": "Jo Example",
        "team": "First Response East",
        "service": "First Response",
        "period": "2026-10",
        "fte": 0.8,
        "band": "Social worker",
        "manager": "Sam Okoro",
        "date_agreed": dt.date(2026, 10, 28),
    }
    lines = [
        {
            "case_ref": "C100001",
            "case_name": "Ava Test",
            "item": "Child in need",
            "agreed_points": 5,
        },
        {
            "case_ref": "C100002",
            "case_name": "Ben Test",
            "item": "Child protection plan",
            "agreed_points": 8,
        },
        {
            "case_ref": "C100003",
            "case_name": "Cai Test",
            "item": "Looked after child",
            "agreed_points": 7,
        },
        {"item": "Duty day", "quantity": 3, "agreed_points": 6},
        {"item": "Training day", "quantity": 2, "agreed_points": 3},
    ]
    return WorkerSheetContent(header, lines)


@dataclass
class SheetFile:
    """A measurement workbook on disk, with addresses found the way users' files are read."""

    path: Path

    def _open(self, **kwargs):
        return load_workbook(self.path, **kwargs)

    def header_cell(self, key: str) -> str:
        wb = self._open()
        name = layout.HEADER_BY_KEY[key].name
        _, ref = next(wb[layout.MEASUREMENT_SHEET].defined_names[name].destinations)
        return ref.replace("$", "")

    def total_cell(self, key: str) -> str:
        wb = self._open()
        name = layout.TOTAL_BY_KEY[key].name
        _, ref = next(wb[layout.MEASUREMENT_SHEET].defined_names[name].destinations)
        return ref.replace("$", "")

    def table_cell(self, column_key: str, line: int) -> str:
        """Address of the `line`-th data row (0-based) in a column of the WorkItems table."""
        wb = self._open()
        ws = wb[layout.MEASUREMENT_SHEET]
        table = ws.tables[layout.TABLE_NAME]
        min_col, min_row, _, _ = range_boundaries(table.ref)
        header = layout.COLUMN_BY_KEY[column_key].header
        col = next(c for c in range(min_col, min_col + 20) if ws.cell(min_row, c).value == header)
        return f"{get_column_letter(col)}{min_row + 1 + line}"

    def edit(self, change: Callable) -> SheetFile:
        """Change the workbook as a user would in Excel, and save it."""
        wb = self._open()
        change(wb[layout.MEASUREMENT_SHEET], wb, self)
        wb.save(self.path)
        return self

    def findings(self, **kwargs) -> list[tuple[str, str, str]]:
        run = validate_files([self.path], **kwargs)
        return [f.flat() for f in run.report.sorted()]

    def run(self, **kwargs):
        return validate_files([self.path], **kwargs)


@pytest.fixture
def make_sheet(tmp_path: Path, registry: SchemeRegistry):
    counter = iter(range(1000))

    def make(
        content: WorkerSheetContent | None = None, scheme_id: str = CSC, name: str | None = None
    ) -> SheetFile:
        path = tmp_path / (name or f"sheet-{next(counter)}.xlsx")
        problems = write_worker_workbook(path, registry.get(scheme_id), content or valid_content())
        assert problems == []
        return SheetFile(path)

    return make


@pytest.fixture(params=["wal", "delete"])
def journal(request, monkeypatch) -> str:
    """A store test that takes this runs twice: with the write-ahead log (a local disk) and
    with the rollback journal a network share or a synced folder gets, chosen as
    WORKLOAD_XL_STORE_JOURNAL chooses it, so the processes the test starts use it too."""
    monkeypatch.setenv("WORKLOAD_XL_STORE_JOURNAL", request.param)
    return request.param


def header_journal(path: Path) -> str:
    """The journal an SQLite file's header says it is in: "wal" or "delete" (bytes 18, 19)."""
    with path.open("rb") as handle:
        header = handle.read(20)
    return {b"\x02\x02": "wal", b"\x01\x01": "delete"}[header[18:20]]


posix_only = pytest.mark.skipif(
    os.name != "posix",
    reason="POSIX-only: file modes, resource limits, process groups or signals Windows lacks",
)
"""For a test of a POSIX-only feature, so the suite runs on a Windows maintainer's machine."""


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()
