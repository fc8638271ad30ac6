"""Reads earlier team workbooks back as history rows, with openpyxl (files edge).

A team sheet carries its own period's rows (TeamWorkers) and every earlier period it was built
with (TeamHistory), so last month's team workbook alone is enough history for this month's.
Found by table and defined names, like every workbook this tool reads.
"""

from __future__ import annotations

import warnings
from functools import partial
from pathlib import Path

from openpyxl import load_workbook
from openpyxl.utils import range_boundaries

from workload_xl.contracts import team as tl
from workload_xl.core.findings import Finding
from workload_xl.core.measurement import clean_text
from workload_xl.core.period import MONTH, PeriodError, parse_period
from workload_xl.core.rules import finding
from workload_xl.core.team import HistoryRow
from workload_xl.core.values import read_number
from workload_xl.files import isolation
from workload_xl.files.file_guard import inspect_workbook_file
from workload_xl.files.inputs import expand_inputs


def read_history(
    inputs: list[Path], period_kind: str = MONTH
) -> tuple[list[HistoryRow], list[Finding]]:
    """History rows from team workbooks (files or folders); unusable files become findings."""
    rows: list[HistoryRow] = []
    problems: list[Finding] = []
    reader = partial(_read_one, kind=period_kind)
    for _path, (found, trouble) in isolation.read_each(reader, expand_inputs(inputs), _not_read):
        rows.extend(found)
        problems.extend(trouble)
    return rows, problems


def _not_read(path: Path, problem: Finding) -> tuple[list[HistoryRow], list[Finding]]:
    return [], [_unusable(path, problem.message)]


def _unusable(path: Path, why: str) -> Finding:
    return finding(
        "history-unreadable", f"{path} cannot be used as history: {why}", workbook=str(path)
    )


def _read_one(path: Path, kind: str) -> tuple[list[HistoryRow], list[Finding]]:
    problems = inspect_workbook_file(path)
    if problems:
        return [], [_unusable(path, problems[0].message)]
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            wb = load_workbook(path, data_only=True)
    except Exception as exc:  # a damaged file: say so, go on with the others
        return [], [_unusable(path, f"it could not be read ({type(exc).__name__}).")]
    tables = {name: (ws, ws.tables[name]) for ws in wb.worksheets for name in ws.tables}
    if tl.TEAM_TABLE not in tables:
        return [], [_unusable(path, "it is not a team workbook (it has no TeamWorkers table).")]
    ws, _ = tables[tl.TEAM_TABLE]
    period_cell = ws.defined_names.get("TeamPeriod")
    try:
        _, ref = next(period_cell.destinations)
        period = parse_period(ws[ref.replace("$", "")].value, kind)
    except (PeriodError, StopIteration, AttributeError, KeyError, ValueError):
        other = "4-week periods" if kind == MONTH else "months"
        return [], [_unusable(path, f"its period is missing, or it measures {other}.")]

    try:
        return _rows(tables, period, kind), []
    except (ValueError, TypeError, IndexError) as exc:  # a table edited out of shape
        return [], [_unusable(path, f"its tables could not be read ({type(exc).__name__}).")]


def _rows(tables: dict, period, kind: str) -> list[HistoryRow]:
    rows = []
    for record in _records(*tables[tl.TEAM_TABLE]):
        row = _row(period, record)
        if row:
            rows.append(row)
    if tl.HISTORY_TABLE in tables:
        for record in _records(*tables[tl.HISTORY_TABLE]):
            try:
                earlier = parse_period(record.get("Period"), kind)
            except PeriodError:
                continue
            row = _row(earlier, record)
            if row:
                rows.append(row)
    return rows


def _records(ws, table) -> list[dict]:
    min_col, min_row, max_col, max_row = range_boundaries(table.ref)
    # Only rows that hold cells: a table stretched far below its data creates no empty ones.
    max_row, max_col = min(max_row, max(ws.max_row, min_row)), min(max_col, ws.max_column)
    grid = list(
        ws.iter_rows(
            min_row=min_row, max_row=max_row, min_col=min_col, max_col=max_col, values_only=True
        )
    )
    headings = [clean_text(h) for h in grid[0]]
    return [dict(zip(headings, values, strict=True)) for values in grid[1:]]


def _row(period, record: dict) -> HistoryRow | None:
    """A history row from a TeamWorkers or TeamHistory record: both use the same headings."""
    worker = clean_text(record.get("Worker"))
    if not worker:
        return None
    return HistoryRow(
        period=period,
        worker=worker,
        band=clean_text(record.get("Experience band")),
        fte=read_number(record.get("FTE")).value,
        total_points=read_number(record.get("Total points")).value or 0.0,
        points_per_fte=read_number(record.get("Points per FTE")).value,
        counted=clean_text(record.get("In team figures")).casefold() == "yes",
    )
