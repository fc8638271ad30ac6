"""Opens a workbook with openpyxl for reading, after the file guard (files edge).

Measurement sheets and job plans are read once: openpyxl loads what was typed and the
formulas, and the results Excel saved come from a light pass over the sheets asked about
(files.saved_results), not from a second load. The guard's findings, or one `file-corrupt`
finding for a file openpyxl cannot parse, come back instead of an exception.
"""

from __future__ import annotations

import warnings
from pathlib import Path

from openpyxl import Workbook
from openpyxl.utils import range_boundaries

from workload_xl.core.findings import Finding
from workload_xl.core.rules import finding
from workload_xl.files.file_guard import inspect_workbook_file
from workload_xl.files.saved_results import SavedResults, SheetChoice, load_with_results


def load_formulas_and_values(
    path: Path, name: str, choice: SheetChoice | None = None, *, guarded: bool = False
) -> tuple[tuple[Workbook, SavedResults] | None, list[Finding]]:
    """((formulas, saved results), []) for a readable workbook, or (None, findings saying why
    not); with a `choice`, only the worksheets it needs are read whole; `guarded` when the
    file guard has just passed it."""
    problems = [] if guarded else inspect_workbook_file(Path(path), name)
    if problems:
        return None, problems
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            formulas, values = load_with_results(path, choice)
    except Exception as exc:  # openpyxl raises many types for damaged files
        return None, [
            finding(
                "file-corrupt",
                f"{name} is damaged and could not be read as a workbook "
                f"({type(exc).__name__}). Open it in Excel, save it again as .xlsx and resend it.",
                workbook=name,
            )
        ]
    return (formulas, values), []


def table_bounds(ws, table) -> tuple[int, int, int, int]:
    """(min_col, min_row, max_col, max_row) of an openpyxl table's header and data rows: its
    totals row left out, and cut at the sheet's last row and column that hold a cell, so a
    table stretched to row 1,048,576 reads (and creates) none of the empty cells below its
    data. Every openpyxl reader of a table (worker sheets, team history, job plans) uses it."""
    return bounded_table(table.ref, table.totalsRowCount or 0, ws.max_row, ws.max_column)


def bounded_table(
    ref: str, totals_rows: int, last_row: int, last_column: int
) -> tuple[int, int, int, int]:
    """`table_bounds` from a table's range and totals rows and its sheet's last row and
    column that hold a cell: what the package reader (files.package_book) bounds by too."""
    min_col, min_row, max_col, max_row = range_boundaries(ref)
    max_row -= totals_rows
    return (
        min_col,
        min_row,
        min(max_col, max(last_column, min_col)),
        min(max_row, max(last_row, min_row)),
    )
