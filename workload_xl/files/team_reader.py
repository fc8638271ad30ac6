"""Reads earlier team workbooks back as history rows, with openpyxl (files edge).

A team sheet carries its own period's rows (TeamWorkers) and every earlier period it was built
with (TeamHistory), so last month's team workbook alone is enough history for this month's.
Found by table and defined names, like every workbook this tool reads.
"""

from __future__ import annotations

import warnings
import zipfile
from dataclasses import dataclass
from functools import partial
from pathlib import Path

from defusedxml import ElementTree
from openpyxl import load_workbook

from workload_xl.contracts import team as tl
from workload_xl.contracts.grid import Table
from workload_xl.core.findings import Finding
from workload_xl.core.period import MONTH, PeriodError, parse_period
from workload_xl.core.returns import WorkerPeriod
from workload_xl.core.rules import finding
from workload_xl.files import isolation
from workload_xl.files.file_guard import inspect_workbook_file
from workload_xl.files.inputs import expand_inputs, names_in
from workload_xl.files.loading import table_bounds
from workload_xl.files.worker_reader import defined_names


@dataclass(frozen=True)
class HistoryRead:
    """One history file read: its rows, its problems, and whether it is no team workbook at
    all (by the contract: no TeamWorkers table), which a folder's worker sheets are."""

    rows: list[WorkerPeriod]
    problems: list[Finding]
    not_team: bool = False


def read_history(
    inputs: list[Path], period_kind: str = MONTH
) -> tuple[list[WorkerPeriod], list[Finding]]:
    """History rows from team workbooks (files or folders); unusable files become findings.

    A folder contributes its team workbooks only: the other workbooks in it (a team's worker
    sheets, kept beside its team workbooks) are skipped, and said once per folder
    (history-skipped). A file named on its own that is no team workbook is a warning
    (history-unreadable), as any file that cannot be used."""
    named: list[tuple[Path, Path | None]] = []  # (workbook, the folder it was found in)
    for item in map(Path, inputs):
        folder = item if item.is_dir() else None
        named += [(path, folder) for path in expand_inputs([item])]
    rows: list[WorkerPeriod] = []
    problems: list[Finding] = []
    skipped: dict[Path, list[Path]] = {}
    reader = partial(_read_one, kind=period_kind)
    paths = [path for path, _ in named]
    folders = dict(named)
    for path, read in isolation.read_each(reader, paths, _not_read):
        folder = folders.get(path)
        if read.not_team and folder is not None and path != folder:
            skipped.setdefault(folder, []).append(path)
            continue
        rows.extend(read.rows)
        problems.extend(read.problems)
    problems += [_skipped(folder, found) for folder, found in skipped.items()]
    return rows, problems


def _skipped(folder: Path, paths: list[Path]) -> Finding:
    return finding(
        "history-skipped",
        f"{len(paths)} workbook(s) in {folder} are not team workbooks (they have no "
        f"{tl.TEAM_TABLE} table), so --history skipped them: {names_in(folder, paths)}. "
        "--history reads the team workbooks build-team wrote; give worker sheets as the "
        "inputs instead.",
        workbook=str(folder),
    )


def _not_read(path: Path, problem: Finding) -> HistoryRead:
    return HistoryRead([], [_unusable(path, problem.message)])


def _unusable(path: Path, why: str) -> Finding:
    return finding(
        "history-unreadable", f"{path} cannot be used as history: {why}", workbook=str(path)
    )


def _read_one(path: Path, kind: str) -> HistoryRead:
    problems = inspect_workbook_file(path)
    if problems:
        return HistoryRead([], [_unusable(path, problems[0].message)])
    not_team = HistoryRead(
        [],
        [_unusable(path, f"it is not a team workbook (it has no {tl.TEAM_TABLE} table).")],
        not_team=True,
    )
    if not _has_team_table(path):  # a worker sheet is told apart before openpyxl loads it
        return not_team
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            wb = load_workbook(path, data_only=True)
    except Exception as exc:  # a damaged file: say so, go on with the others
        return HistoryRead([], [_unusable(path, f"it could not be read ({type(exc).__name__}).")])
    tables = {name: (ws, ws.tables[name]) for ws in wb.worksheets for name in ws.tables}
    if tl.TEAM_TABLE not in tables:
        return not_team
    ws, _ = tables[tl.TEAM_TABLE]
    place = defined_names(wb).place(tl.TEAM_FIELD_BY_KEY["period"].name, ws.title)
    try:  # parse_period(None) says the period is blank
        value = wb[place.sheet].cell(place.row, place.column).value if place else None
        period = parse_period(value, kind)
    except (PeriodError, KeyError, ValueError):
        other = "4-week periods" if kind == MONTH else "months"
        return HistoryRead([], [_unusable(path, f"its period is missing, or it measures {other}.")])

    try:
        return HistoryRead(_rows(tables, period, kind), [])
    except (ValueError, TypeError, IndexError) as exc:  # a table edited out of shape
        why = f"its tables could not be read ({type(exc).__name__})."
        return HistoryRead([], [_unusable(path, why)])


def _has_team_table(path: Path) -> bool:
    """Whether the workbook holds the team contract's TeamWorkers table, read from its table
    parts alone (small; the file guard has looked at every part before). Excel compares table
    names without regard to case, and so does this."""
    wanted = tl.TEAM_TABLE.casefold()
    try:
        with zipfile.ZipFile(path) as archive:
            for name in archive.namelist():
                if name.startswith("xl/tables/") and name.endswith(".xml"):
                    root = ElementTree.fromstring(archive.read(name))
                    if str(root.get("displayName") or root.get("name") or "").casefold() == wanted:
                        return True
    except (OSError, zipfile.BadZipFile, ElementTree.ParseError, ValueError):
        return True  # let openpyxl try, and say what it meets
    return False


def _rows(tables: dict, period, kind: str) -> list[WorkerPeriod]:
    rows = []
    workers = _table(*tables[tl.TEAM_TABLE])
    at = workers.columns(tl.WORKER_HEADINGS)
    for values in workers.rows:
        row = _row(period, tl.decode_worker(values, at))
        if row:
            rows.append(row)
    if tl.HISTORY_TABLE in tables:
        history = _table(*tables[tl.HISTORY_TABLE])
        at = history.columns({"period": tl.HISTORY_COLUMNS[0], **tl.WORKER_HEADINGS})
        where = at["period"]
        for values in history.rows:
            try:
                earlier = parse_period(values[where] if where is not None else None, kind)
            except PeriodError:
                continue
            row = _row(earlier, tl.decode_worker(values, at))
            if row:
                rows.append(row)
    return rows


def _table(ws, table) -> Table:
    """An openpyxl table as the grid interface's, with the values Excel saved."""
    min_col, min_row, max_col, max_row = table_bounds(ws, table)
    grid = list(
        ws.iter_rows(
            min_row=min_row, max_row=max_row, min_col=min_col, max_col=max_col, values_only=True
        )
    )
    return Table(table.displayName, ws.title, min_row, min_col, tuple(grid[0]), grid[1:])


def _row(period, entry: tl.WorkerEntry) -> WorkerPeriod | None:
    """A history row from a TeamWorkers or TeamHistory row: both use the same headings."""
    if not entry.worker:
        return None
    return WorkerPeriod(
        worker=entry.worker,
        band=entry.band,
        fte=entry.fte,
        cases=entry.cases,
        total_points=entry.total_points,
        counted=entry.counted is True,
        period=period,
        shown_points_per_fte=entry.points_per_fte,
    )
