"""Reads team workbooks as returns, fast, for consolidation (files edge).

A performance team reads hundreds of team workbooks a month, so this reader uses
python-calamine (Rust) directly: tables by name, whole sheets as rows, no openpyxl. Calamine
cannot give defined names, so the header cells are found from `xl/workbook.xml` (parsed with
defusedxml after the file guard has looked at every part), and their values taken from the
reader's sheet data, whose first row and column are not A1 (`CalamineSheet.start`).

Only values Python wrote are read: the TeamWorkers and TeamCases rows and the header fields.
The native totals are formulas with no cached value (or a cached 0 from other writers), so
they are never read; worker totals are recomputed from the TeamCases rows
(`returns.recompute_workers`). Calamine gives every number as a float and every blank as "".

Every problem becomes a finding naming the file, sheet and cell, never an exception: a
consolidation run reads a thousand files and must say what is wrong with each bad one.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import math
from collections.abc import Callable, Iterable, Iterator
from functools import partial
from itertools import chain
from operator import gt, lt
from pathlib import Path
from typing import Any
from xml.parsers import expat

from defusedxml import ElementTree
from python_calamine import CalamineWorkbook

from workload_xl.contracts import team as tl
from workload_xl.contracts import worker as layout
from workload_xl.contracts.grid import Columns, Names, SheetValues, Table, names_from
from workload_xl.core.cells import address, parse_reference
from workload_xl.core.findings import Finding, Refused
from workload_xl.core.measurement import MOST_UNITS
from workload_xl.core.period import Period, PeriodError, parse_period
from workload_xl.core.returns import (
    LINE_POINTS_LIMIT,
    TOLERANCE,
    LineRows,
    ReturnLine,
    TeamReturn,
    WorkerPeriod,
    line_bounds,
    recompute_workers,
)
from workload_xl.core.rules import finding
from workload_xl.core.schemes import KINDS, Scheme, SchemeRegistry
from workload_xl.core.values import (
    FTE_RANGE,
    NO,
    YES,
    clean_text,
    fmt,
    fte_in_range,
    is_blank,
    read_date,
    read_number,
)
from workload_xl.files import isolation
from workload_xl.files.file_guard import inspect_and_read

REQUIRED_HEADER = ("team", "service", "period", "scheme_id", "scheme_version")
OPTIONAL_HEADER = ("manager", "date_signed")

_WORKER_KEYS = ("worker", "band", "fte", "cases", "total_points", "counted")
WORKER_COLUMNS = {key: tl.WORKER_HEADINGS[key] for key in _WORKER_KEYS}
_CASES = dict(
    zip(
        ("worker", "case_ref", "item_code", "item", "kind", "agreed_points", "also"),
        tl.CASES_COLUMNS,
        strict=True,
    )
)
_CALCULATED = frozenset(heading.casefold() for heading, _, _ in tl.CASES_CALCULATED)
_LINE_KEYS = ("worker", "case_ref", "item_code", "kind", "agreed_points")
LINE_COLUMNS = {key: _CASES[key] for key in _LINE_KEYS}


# --- one file ------------------------------------------------------------------------------


def read_team_return(
    path: Path, registry: SchemeRegistry
) -> tuple[TeamReturn | None, list[Finding]]:
    """A team workbook as a checked return, and the findings about it.

    None, with findings saying why, when the file cannot be used: not a workbook, damaged,
    not a team workbook, or a header or row a later step relies on is missing or wrong. A
    usable return may still have findings (a manager's edited total, rule
    `return-total-mismatch`).
    """
    ret, findings = _read_return(path, registry)
    if ret is not None and isinstance(ret.lines, LineRows):
        ret.lines = list(ret.lines)
    return ret, findings


def _read_return(path: Path, registry: SchemeRegistry) -> tuple[TeamReturn | None, list[Finding]]:
    """`read_team_return`, its lines as a LineRows where the rows needed no cleaning (the
    flat tuple a worker process sends as it is)."""
    path = Path(path)
    name = str(path)
    problems, parts = inspect_and_read(path, keep=(_WORKBOOK_PART,))
    if problems:
        return None, problems
    reader = _Reader(path, name, registry)
    try:
        ret = reader.read(parts[_WORKBOOK_PART])
    except Refused as invalid:
        return None, list(invalid.findings)
    except Exception as exc:  # damaged in a way only the parser sees: a finding, not a traceback
        return None, [_corrupt(name, exc)]
    except BaseException as exc:  # a panic in the Rust reader is a BaseException (pyo3)
        if type(exc).__name__ != "PanicException":
            raise
        return None, [_corrupt(name, exc)]
    return ret, reader.notes + recompute_workers(ret)


def _worker_workbook_message(name: str) -> str:
    return (
        f"{name} is a worker's measurement workbook, not a team workbook (it has no "
        f"{tl.TEAM_TABLE} table). Build the team workbook from the worker sheets first "
        "(workload-xl build-team) and send that."
    )


def refused_as_worker_workbook(path: Path, findings: list[Finding]) -> bool:
    """Whether a read refused the file for being a worker's measurement workbook (a
    `WorkItems` table, no `TeamWorkers` table) and for nothing else: the one refusal a
    consolidation may pass over for a workbook it found in a folder."""
    name = str(path)
    return findings == [finding("return-invalid", _worker_workbook_message(name), workbook=name)]


def _corrupt(name: str, exc: BaseException) -> Finding:
    detail = " ".join(str(exc).split())[:200]
    reason = f"{type(exc).__name__}: {detail}" if detail else type(exc).__name__
    return finding(
        "file-corrupt",
        f"{name} is damaged and could not be read as a workbook ({reason}). Open it in "
        "Excel, save it again as an Excel Workbook (.xlsx) and send it again.",
        workbook=name,
    )


class _Reader:
    """The state of reading one file: the workbook, its names and the sheets read so far."""

    def __init__(self, path: Path, name: str, registry: SchemeRegistry):
        self.path = path
        self.name = name
        self.registry = registry
        self.problems: list[Finding] = []  # the return cannot be used
        self.notes: list[Finding] = []  # it can, and these are worth saying
        self._sheets: dict[str, SheetValues] = {}

    def invalid(
        self, message: str, *, sheet: str = "", cell: str = "", field: str = "", value: Any = None
    ) -> None:
        self.problems.append(
            finding(
                "return-invalid",
                message,
                workbook=self.name,
                sheet=sheet,
                cell=cell,
                field=field,
                value=value,
            )
        )

    def stop(self, message: str, **where: Any) -> Refused:
        self.invalid(message, **where)
        return Refused(self.problems)

    def read(self, workbook_xml: bytes) -> TeamReturn:
        sheets, names = _workbook_names(workbook_xml)
        self.book = CalamineWorkbook.from_path(str(self.path), load_tables=True)
        try:
            return self._read(sheets, names)
        finally:
            self.book.close()

    def _read(self, sheets: list[str], names: Names) -> TeamReturn:
        tables = {t.casefold(): t for t in self.book.table_names or []}
        if tl.TEAM_TABLE.casefold() not in tables:
            raise self.stop(self._not_a_team_workbook(tables))
        workers_table = self.book.get_table_by_name(tables[tl.TEAM_TABLE.casefold()])
        team_sheet = workers_table.sheet
        cases_table = None
        if tl.CASES_TABLE.casefold() in tables:
            cases_table = self.book.get_table_by_name(tables[tl.CASES_TABLE.casefold()])
        else:
            self.invalid(
                f"{self.name} has no {tl.CASES_TABLE} table (the case rows, on the "
                f"'{tl.CASES_SHEET}' sheet), so its workers' points cannot be checked. Send the "
                "team workbook as workload-xl built it, with its Cases sheet.",
                sheet=tl.CASES_SHEET,
            )
        header = {
            key: self._header_value(key, team_sheet, names)
            for key in REQUIRED_HEADER + OPTIONAL_HEADER
        }
        scheme = self._scheme(header)
        period = self._period(header, scheme)
        service = self._service(header, scheme)
        scheme_version = clean_text(header["scheme_version"][0])
        workers = self._workers(workers_table, _expecting(scheme, scheme_version))
        counted = frozenset(w.worker.casefold() for w in workers if w.counted)
        lines = self._lines(cases_table, scheme, counted) if cases_table is not None else []
        date_signed, signed_at = self._date_signed(header)
        if self.problems:
            raise Refused(self.problems)
        return TeamReturn(
            source=self.name,
            team=clean_text(header["team"][0]),
            service=service,
            scheme_id=scheme.id,
            scheme_version=scheme_version,
            period=period,
            manager=clean_text(header["manager"][0]),
            workers=workers,
            lines=lines,
            co_working=scheme.co_working,
            date_signed=date_signed,
            date_signed_at=signed_at,
        )

    def _not_a_team_workbook(self, tables: dict[str, str]) -> str:
        worker = layout.TABLE_NAME.casefold()
        if any(t.startswith(worker) for t in tables):
            return _worker_workbook_message(self.name)
        return (
            f"{self.name} is not a team workbook: it has no {tl.TEAM_TABLE} table. Send the "
            "team workbook as workload-xl built it, with its Team sheet."
        )

    # --- the header, by defined names ------------------------------------------------------

    def _header_value(self, key: str, team_sheet: str, names: Names) -> tuple[Any, str, str]:
        """(value, sheet, cell) of a header field; value None when the field cannot be read."""
        spec = tl.TEAM_FIELD_BY_KEY[key]
        required = key in REQUIRED_HEADER
        target = names.refers_to(spec.name, team_sheet)
        if target is None:
            if required:
                self.invalid(
                    f"The defined name {spec.name} (the {spec.label.lower()} on the "
                    f"'{team_sheet}' sheet) is missing, so the {spec.label.lower()} cannot be "
                    "found. Rebuild the team workbook with workload-xl, or restore the name in "
                    "Excel (Formulas > Name Manager).",
                    sheet=team_sheet,
                    field=spec.label,
                )
            return None, team_sheet, ""
        place = parse_reference(target)
        if place is None:
            if required:
                self.invalid(
                    f"The defined name {spec.name} (the {spec.label.lower()}) is broken: it "
                    f"refers to {target!r}, not to one cell. Restore it in Excel (Formulas > "
                    "Name Manager) to the cell beside the label, or rebuild the team workbook.",
                    sheet=team_sheet,
                    field=spec.label,
                    value=target,
                )
            return None, team_sheet, ""
        sheet, row, column = place
        cell = address(row, column)
        value = self._cell(sheet, row, column)
        if value is None and required:
            self.invalid(
                f"The defined name {spec.name} refers to the sheet '{sheet}', which is not in "
                "the workbook. Restore the name in Excel (Formulas > Name Manager).",
                sheet=team_sheet,
                field=spec.label,
                value=target,
            )
            return None, sheet, cell
        if required and key != "period" and is_blank(value):
            self.invalid(
                f"The {spec.label.lower()} (cell {cell} on the '{sheet}' sheet, name "
                f"{spec.name}) is blank. Fill it in and send the return again.",
                sheet=sheet,
                cell=cell,
                field=spec.label,
            )
            return None, sheet, cell
        return value, sheet, cell

    def _cell(self, sheet: str, row: int, column: int) -> Any:
        """The value of a cell: "" when empty, None when the sheet is not in the workbook."""
        if sheet not in self._sheets:
            if sheet not in self.book.sheet_names:
                return None
            data = self.book.get_sheet_by_name(sheet)
            top, left = data.start or (0, 0)  # calamine counts from 0
            self._sheets[sheet] = SheetValues(sheet, top + 1, left + 1, data.to_python())
        return self._sheets[sheet].at(row, column, "")

    def _date_signed(self, header: dict) -> tuple[dt.date | None, tuple[str, str]]:
        """The Team sheet's Date signed, if it holds a date, and its (sheet, cell). A blank
        one is usual (the file's time then says when the return was sent); anything else that
        is no date gets a note (return-date-signed-unused) and is not used."""
        value, sheet, cell = header["date_signed"]
        if value is None or is_blank(value):
            return None, (sheet, cell)
        day = read_date(value)
        if day is None:
            spec = tl.TEAM_FIELD_BY_KEY["date_signed"]
            self.notes.append(
                finding(
                    "return-date-signed-unused",
                    f"The date signed (cell {cell} on the '{sheet}' sheet, name {spec.name}) is "
                    f"'{clean_text(value)}', which is not a date, so it is not used as the day the "
                    "return was sent (the day the file was last saved is used instead). Type "
                    "the day the manager signed, such as 2026-11-03, and send the return again.",
                    workbook=self.name,
                    sheet=sheet,
                    cell=cell,
                    field=spec.label,
                    value=clean_text(value),
                )
            )
        return day, (sheet, cell)

    def _scheme(self, header: dict) -> Scheme | None:
        value, sheet, cell = header["scheme_id"]
        if value is None:
            return None
        scheme = self.registry.get(clean_text(value))
        if scheme is None:
            known = ", ".join(self.registry.ids) or "(none)"
            self.invalid(
                f"The scheme '{clean_text(value)}' (cell {cell} on the '{sheet}' sheet) is not "
                f"one this tool knows (known schemes: {known}). Check the scheme id, or add "
                "the scheme's file to the schemes folder.",
                sheet=sheet,
                cell=cell,
                field="Scheme",
                value=clean_text(value),
            )
        return scheme

    def _period(self, header: dict, scheme: Scheme | None) -> Period | None:
        value, sheet, cell = header["period"]
        if value is None or scheme is None:
            return None
        try:
            return parse_period(value, scheme.period)
        except PeriodError as problem:
            self.invalid(
                f"The period (cell {cell} on the '{sheet}' sheet): {problem}",
                sheet=sheet,
                cell=cell,
                field="Period",
                value=clean_text(value),
            )
        return None

    def _service(self, header: dict, scheme: Scheme | None) -> str:
        value, sheet, cell = header["service"]
        if value is None or scheme is None:
            return ""
        service = scheme.service_name(clean_text(value))
        if service is None:
            self.invalid(
                f"The service '{clean_text(value)}' (cell {cell} on the '{sheet}' sheet) is not "
                f"one the scheme {scheme.id} serves ({', '.join(scheme.services)}). Correct "
                "the service, or check the scheme is the right one.",
                sheet=sheet,
                cell=cell,
                field="Service",
                value=clean_text(value),
            )
        return service or ""

    # --- the tables ------------------------------------------------------------------------

    def _grid(self, table, wanted: dict[str, str]) -> Columns | None:
        """The table's wanted columns, found by heading; None (and a finding) if one is missing."""
        top, left = table.start or (0, 0)  # calamine counts from 0, from the first data row
        found = Table(
            table.name, table.sheet, top, left + 1, tuple(table.columns), table.to_python()
        )
        index = found.columns(wanted)
        missing = [wanted[key] for key, at in index.items() if at is None]
        if missing:
            plural = "s" if len(missing) > 1 else ""
            self.invalid(
                f"The {table.name} table on the '{table.sheet}' sheet has no column{plural} "
                f"headed {', '.join(repr(m) for m in missing)}. Restore the heading{plural} "
                "or rebuild the team workbook.",
                sheet=table.sheet,
                field=", ".join(missing),
            )
            return None
        return Columns(found, index)  # type: ignore[arg-type]

    def _number(
        self,
        grid: Columns,
        get: dict,
        key: str,
        heading: str,
        row: int,
        who: str,
        *,
        blank: float | None,
    ) -> float | None:
        number = read_number(get[key])
        if number.status == "blank":
            return blank
        if number.value is None:
            self._not_a_number(grid, get, key, heading, row, who)
        return number.value

    def _not_a_number(
        self, grid: Columns, get: dict, key: str, heading: str, row: int, who: str
    ) -> None:
        value = get[key]
        cell = grid.cell(key, row)
        self.invalid(
            f"{who}: {heading} (cell {cell} on the '{grid.sheet}' sheet) is "
            f"'{clean_text(value)}', not a number. Type a number and send the return again.",
            sheet=grid.sheet,
            cell=cell,
            field=heading,
            value=clean_text(value),
        )

    def _nameless(self, grid: Columns, row: int, what: str) -> None:
        cell = grid.cell("worker", row)
        self.invalid(
            f"Row {row} of the {grid.name} table has {what} but no worker's name (cell {cell} "
            f"on the '{grid.sheet}' sheet). Type the worker's name, or delete the row.",
            sheet=grid.sheet,
            cell=cell,
            field="Worker",
        )

    def _workers(self, table, expect: Expecting) -> list[WorkerPeriod]:
        grid = self._grid(table, WORKER_COLUMNS)
        if grid is None:
            return []
        clean = _clean_workers(grid, expect)
        if clean is not None:
            return clean
        workers = []
        first_counted: dict[str, int] = {}  # folded name -> the row that counts them
        for index, values in enumerate(grid.table.rows):
            if all(is_blank(v) for v in values):
                continue
            row = grid.table.row_number(index)
            entry = tl.decode_worker(values, grid.index)
            name = entry.worker
            if not name:
                self._nameless(grid, row, "figures")
                continue
            fte = entry.fte
            if (
                entry.not_numbers
                or entry.counted is None
                or (fte is not None and not fte_in_range(fte))
            ):  # only a row with a problem needs its cells by key, for the findings
                get = dict(
                    zip(grid.index, map(values.__getitem__, grid.index.values()), strict=True)
                )
            if "fte" in entry.not_numbers:
                self._not_a_number(grid, get, "fte", "FTE", row, name)
            elif fte is not None and not fte_in_range(fte):
                cell = grid.cell("fte", row)
                self.invalid(
                    f"{name}: FTE (cell {cell} on the '{grid.sheet}' sheet) is {fte:g}; it must "
                    f"be {FTE_RANGE}. Correct it and send the return again.",
                    sheet=grid.sheet,
                    cell=cell,
                    field="FTE",
                    value=fte,
                )
            for key, heading in (("cases", "Cases"), ("total_points", "Total points")):
                if key in entry.not_numbers:
                    self._not_a_number(grid, get, key, heading, row, name)
            if entry.counted is None:
                cell = grid.cell("counted", row)
                shown = clean_text(get["counted"])
                self.invalid(
                    f"{name}: In team figures (cell {cell} on the '{grid.sheet}' sheet) is "
                    f"'{shown}'; it must be {YES} or {NO}. Correct it and send the return again.",
                    sheet=grid.sheet,
                    cell=cell,
                    field="In team figures",
                    value=shown,
                )
            elif entry.counted:
                self._counted_once(grid, row, name, first_counted)
            workers.append(
                WorkerPeriod(
                    worker=name,
                    band=entry.band,
                    fte=fte,
                    cases=entry.cases,
                    total_points=entry.total_points,
                    counted=entry.counted is True,
                    total_cell=grid.cell("total_points", row),
                    expected_points=expect(entry.band, fte),
                )
            )
        if not workers and not self.problems:
            self.invalid(
                f"The {grid.name} table on the '{grid.sheet}' sheet lists no workers. Build "
                "the team workbook from the team's worker sheets and send it again.",
                sheet=grid.sheet,
            )
        return workers

    def _counted_once(self, grid: Columns, row: int, name: str, first: dict[str, int]) -> None:
        """A worker is in a return's figures once: a second row for them marked yes would count
        their points twice. (An extra sheet for a worker is listed with no, as build-team
        writes it.) Names are compared ignoring case, as the Cases rows are matched to them."""
        key = name.casefold()
        if key not in first:
            first[key] = row
            return
        cell = grid.cell("worker", row)
        self.invalid(
            f"{name} is on rows {first[key]} and {row} of the '{grid.sheet}' sheet (the "
            f"{grid.name} table; this is cell {cell}), both in the team figures, so their points "
            "would count twice. Keep one row for each worker (mark an extra one 'no' in In team "
            "figures), or rebuild the team workbook, and send the return again.",
            sheet=grid.sheet,
            cell=cell,
            field="Worker",
        )

    def _lines(
        self, table, scheme: Scheme | None = None, counted: frozenset[str] = frozenset()
    ) -> list[ReturnLine]:
        """The TeamCases rows. Hundreds a file, so the loop takes the common case (clean text,
        float points) without a call per cell, and repeated text (names, codes, kinds) once.

        Every row's points are a number within LINE_POINTS_LIMIT, and a row of a worker in the
        team figures (`counted`, names folded) holds what the scheme allows for its item."""
        grid = self._grid(table, LINE_COLUMNS)
        if grid is None:
            return []
        w, r, c, k, p = (grid.index[key] for key in LINE_COLUMNS)
        rows = grid.table.rows
        columns = _clean_lines(rows, (w, r, c, k, p))
        if columns is not None:
            fast = LineRows(tuple(chain.from_iterable(zip(*columns, strict=True))))
            if scheme is None or _within(columns[2], columns[4], line_bounds(scheme)):
                return fast
            at = range(grid.top + 1, grid.top + 1 + len(fast))  # one line a row, in order
            self._check_points(grid, fast, at, scheme, counted)
            return fast
        at: list[int] = []  # the Excel row of each line, for the points checks
        # The columns a row's entries are in: Excel's calculated ones show a result (a "no",
        # a 0) on an empty row too, once the file has been saved by a spreadsheet.
        headers = grid.table.headers
        typed = [i for i, h in enumerate(headers) if clean_text(h).casefold() not in _CALCULATED]
        # raw cell text -> cleaned, one cache per column: a worker called "Case" is no kind
        names: dict[str, str] = {}
        kinds: dict[str, str] = {}
        codes: dict[str, str] = {}
        lines: list[ReturnLine] = []
        append, make = lines.append, ReturnLine
        for index, values in enumerate(rows):
            raw = values[w]
            name = names.get(raw)
            if name is None:
                name = clean_text(raw)
                if not name:
                    if not all(is_blank(values[i]) for i in typed if i < len(values)):
                        self._nameless(grid, grid.top + index + 1, "an entry")
                    continue
                if type(raw) is str:
                    names[raw] = name
            raw = values[k]
            kind = kinds.get(raw)
            if kind is None:
                kind = clean_text(raw).casefold()
                if kind not in KINDS:
                    self._bad_kind(grid, grid.top + index + 1, name, raw)
                elif type(raw) is str:
                    kinds[raw] = kind
            raw = values[c]
            code = codes.get(raw)
            if code is None:
                code = clean_text(raw)
                if type(raw) is str:
                    codes[raw] = code
            ref = values[r]
            if not (
                type(ref) is str
                and ref.isprintable()
                and ref[:1] != " "
                and ref[-1:] != " "
                and "  " not in ref
            ):
                ref = clean_text(ref)
            points = values[p]
            if type(points) is not float or not -_INFINITY < points < _INFINITY:  # NaN too
                row = grid.top + index + 1
                points = self._number(
                    grid,
                    {"agreed_points": points},
                    "agreed_points",
                    "Agreed points",
                    row,
                    name,
                    blank=None,
                )
                if points is None and is_blank(values[p]):
                    self._blank_points(grid, row, name)
            append(make(name, ref, code, kind, points))
            at.append(grid.top + index + 1)
        self._check_points(grid, lines, at, scheme, counted)
        return lines

    def _check_points(
        self,
        grid: Columns,
        lines: list[ReturnLine],
        at: Iterable[int],
        scheme: Scheme | None,
        counted: frozenset[str],
    ) -> None:
        """Row by row: points within LINE_POINTS_LIMIT on every row, and within the scheme's
        range for its item on the rows of a worker in the team figures."""
        if scheme is not None:
            low, high, low_else, high_else = line_bounds(scheme)
        else:  # the scheme is unknown, and that is a finding already
            low, high, low_else, high_else = {}, {}, -LINE_POINTS_LIMIT, LINE_POINTS_LIMIT
        for (name, _, code, _, points), row in zip(lines, at, strict=True):
            if points is None:
                continue
            cell = grid.cell("agreed_points", row)
            where = {"sheet": grid.sheet, "cell": cell, "field": "Agreed points", "value": points}
            if not -LINE_POINTS_LIMIT <= points <= LINE_POINTS_LIMIT:
                self.invalid(
                    f"{name}: Agreed points (cell {cell} on the '{grid.sheet}' sheet) are "
                    f"{points:g}, more than any row can hold (at most "
                    f"{LINE_POINTS_LIMIT:,.0f} either side of 0). Correct the points in the "
                    "worker's measurement sheet, rebuild the team sheet and send the return again.",
                    **where,
                )
                continue
            if name.casefold() not in counted:
                continue  # a sheet with errors, listed and not counted: its rows may be wrong
            lo, hi = low.get(code, low_else), high.get(code, high_else)
            if lo <= points <= hi:
                continue
            item = scheme.item_by_code(code) if scheme else None
            what = f"'{item.label}'" if item else "an item this scheme does not have"
            per = ""
            if item is not None and not item.is_case:
                per = f" ({fmt(MOST_UNITS)} {item.unit.removeprefix('per ')}s at most)"
            self.invalid(
                f"{name}: Agreed points (cell {cell} on the '{grid.sheet}' sheet) are "
                f"{fmt(points)}, outside the range {fmt(lo + TOLERANCE)} to "
                f"{fmt(hi - TOLERANCE)} the "
                f"scheme allows for {what}{per}, yet the worker is in the team figures. Correct "
                "the points in the worker's measurement sheet, rebuild the team sheet and send "
                "the return again.",
                **where,
            )

    def _blank_points(self, grid: Columns, row: int, name: str) -> None:
        cell = grid.cell("agreed_points", row)
        self.notes.append(
            finding(
                "return-points-blank",
                f"{name}: Agreed points (cell {cell} on the '{grid.sheet}' sheet) "
                "is blank or shows "
                "an error such as #REF!, so the row counts 0 points. Type the agreed points in the "
                "worker's measurement sheet, rebuild the team sheet and send the return again.",
                workbook=self.name,
                sheet=grid.sheet,
                cell=cell,
                field="Agreed points",
            )
        )

    def _bad_kind(self, grid: Columns, row: int, name: str, raw: Any) -> None:
        cell = grid.cell("kind", row)
        shown = clean_text(raw)
        self.invalid(
            f"{name}: Kind (cell {cell} on the '{grid.sheet}' sheet) is '{shown}'; it must be "
            "case or activity. Correct it and send the return again.",
            sheet=grid.sheet,
            cell=cell,
            field="Kind",
            value=shown,
        )


_INFINITY = float("inf")


def _clean_workers(grid: Columns, expect: Expecting) -> list[WorkerPeriod] | None:
    """The TeamWorkers rows as records, when every row is as the tool writes them (checked a
    column at a time): a name and a band that need no cleaning, no blank name, FTE, cases and
    points all finite floats, every FTE in range, In team figures exactly yes or no, and no
    name twice in the figures. The same records `tl.decode_worker` and the row-by-row checks
    give such rows, without a call per cell; None sends any other table through those checks
    and their findings."""
    rows = grid.table.rows
    index = grid.index
    if not rows or min(map(len, rows)) <= max(index.values()):
        return None
    columns = tuple(zip(*rows, strict=False))
    names, bands = columns[index["worker"]], columns[index["band"]]
    ftes, cases, totals = (columns[index[key]] for key in ("fte", "cases", "total_points"))
    counted = columns[index["counted"]]
    numbers = ftes + cases + totals
    if not _finite_floats(numbers) or not set(counted) <= _YES_NO:
        return None
    if not all(map(fte_in_range, ftes)):
        return None
    if "" in names or _clean_column(names) is not names or _clean_column(bands) is not bands:
        return None
    yes = [name.casefold() for name, flag in zip(names, counted, strict=True) if flag == YES]
    if len(set(yes)) != len(yes):  # counted twice: the row checks say where
        return None
    total_cell = partial(grid.cell, "total_points")
    return [
        WorkerPeriod(
            name,
            band,
            fte,
            round(count or 0.0),
            total or 0.0,
            flag == YES,
            cell,
            expected_points=expect(band, fte),
        )
        for name, band, fte, count, total, flag, cell in zip(
            names,
            bands,
            ftes,
            cases,
            totals,
            counted,
            map(total_cell, range(grid.top + 1, grid.top + 1 + len(rows))),
            strict=True,
        )
    ]


_YES_NO = frozenset((YES, NO))


def _finite_floats(values: tuple) -> bool:
    """Whether every value is a float and none is an infinity or NaN (one sum, in C)."""
    if set(map(type, values)) != {float}:
        return False
    try:
        return math.isfinite(math.fsum(values))
    except OverflowError:  # finite floats whose sum overflows: the row checks judge each
        return False


Expecting = Callable[[str, "float | None"], "float | None"]


def _expecting(scheme: Scheme | None, version: str) -> Expecting:
    """What the return's scheme expects of a worker of a band and FTE (core.expected), which
    the store keeps beside each worker's points: None for every worker when the scheme has no
    reference level or band, or when the scheme loaded is another version than the one the
    return was made with (its reference level may differ). Worked out as each worker's record
    is made, here in the process that reads the file, rather than by copying every record
    again in the process that stores them all."""
    from workload_xl.core.expected import expected_points

    if scheme is None or scheme.version != version:
        return lambda _band, _fte: None
    return partial(expected_points, scheme)


def _clean_lines(rows: list, columns: tuple[int, ...]) -> tuple[tuple, ...] | None:
    """The TeamCases rows as five columns (worker, case_ref, item_code, kind, agreed_points),
    when every row is as the tool writes them: text that needs no cleaning (checked a column
    at a time), points all finite floats, no blank names, known kinds. None sends any other
    table through the row-by-row checks and their findings. A few percent of the row-by-row
    cost, on ~800 rows a file. Each distinct name, code and kind is one object
    (`_clean_repeated`), so pickle sends it once and the process storing the lines holds 20
    names, not 800."""
    widest = max(columns)
    if not rows or min(map(len, rows)) <= widest:
        return None
    transposed = tuple(zip(*rows, strict=False))
    names, refs, codes, kinds, points = (transposed[i] for i in columns)
    if not _finite_floats(points):
        return None
    names_, refs_, codes_ = _clean_repeated(names), _clean_column(refs), _clean_repeated(codes)
    kinds_ = _clean_repeated(kinds)
    if names_ is None or refs_ is None or codes_ is None or kinds_ is None or "" in names_:
        return None
    folded = {kind: kind.casefold() for kind in set(kinds_)}
    if not set(folded.values()) <= set(KINDS):
        return None
    return names_, refs_, codes_, tuple(map(folded.__getitem__, kinds_)), points


def _within(codes: tuple[str, ...], points: tuple[float, ...], bounds: tuple) -> bool:
    """Whether every line's points (all floats here) lie within its item's range
    (`returns.line_bounds`), a column at a time in C: one dict lookup a line, no Python call
    a line. False sends the lines through the row-by-row check (`_Reader._check_points`),
    which knows whose row is in the team figures and says which cell is wrong."""
    low, high, _, _ = bounds
    try:
        return not (
            any(map(gt, points, map(high.__getitem__, codes)))
            or any(map(lt, points, map(low.__getitem__, codes)))
        )
    except KeyError:  # a code the scheme does not have: the row-by-row check has its bounds
        return False


_SEPARATOR = "|"


def _clean_repeated(values: tuple) -> tuple[str, ...] | None:
    """`_clean_column` for a column of a few values repeated (names, item codes, kinds): each
    distinct value is judged once, and is one object wherever it stands (`_shared`)."""
    seen: dict = {}
    shared = tuple(map(seen.setdefault, values, values))  # the first of each value, in C
    distinct = tuple(seen)
    cleaned = _clean_column(distinct)
    if cleaned is None:  # not all text
        return None
    if cleaned is distinct:  # all clean already, as the tool writes them
        return shared
    once = dict(zip(distinct, cleaned, strict=True))
    return tuple(map(once.__getitem__, shared))


def _clean_column(values: tuple) -> tuple[str, ...] | None:
    """The column as `clean_text` would give it, or None if any cell is not text.

    Joined into one string, the whole column is checked at C speed: text that is printable
    (no tab, line break, non-breaking or other unusual space), with no space at either end of
    a cell (next to a separator or at an end) and no double space, is already clean. A cell
    holding the separator itself can only make the check fail, and then each distinct value
    is cleaned the slow way."""
    try:
        joined = _SEPARATOR.join(values)
    except TypeError:  # a number or other non-text cell: the row checks deal with it
        return None
    if (
        joined.isprintable()
        and "  " not in joined
        and " " + _SEPARATOR not in joined
        and _SEPARATOR + " " not in joined
        and joined[:1] != " "
        and joined[-1:] != " "
    ):
        return values
    once = {v: clean_text(v) for v in set(values)}
    return tuple(map(once.__getitem__, values))


# --- defined names from xl/workbook.xml ----------------------------------------------------


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


_WORKBOOK_PART = "xl/workbook.xml"


def _workbook_names(xml: bytes) -> tuple[list[str], Names]:
    """The sheet names in order, and the defined names (calamine gives none): a name scoped
    to a sheet gives its index there (localSheetId), turned into the sheet's name."""
    try:
        sheets, raw = _WorkbookPart.read(xml)
    except Exception:  # the tree parser says what is wrong, in the words a finding gives
        sheets, raw = _workbook_tree(xml)
    found: list[tuple[str, int | None, str]] = []
    for name, local, text in raw:
        scope = int(local) if local is not None and local.isdigit() else None
        found.append((name, scope, text.strip()))
    entries = [
        (name, None if scope is None else sheets[scope], text)
        for name, scope, text in found
        if scope is None or scope < len(sheets)  # a scope past the last sheet: no sheet's name
    ]
    return sheets, names_from(entries)


_Defined = tuple[str, "str | None", str]  # name, localSheetId as written, text


def _workbook_tree(xml: bytes) -> tuple[list[str], list[_Defined]]:
    """The sheet names and the defined names as written, from the whole part as a tree."""
    root = ElementTree.fromstring(xml)
    sheets: list[str] = []
    found: list[_Defined] = []
    for element in root:
        tag = _local(element.tag)
        if tag == "sheets":
            sheets = [s.get("name", "") for s in element if _local(s.tag) == "sheet"]
        elif tag == "definedNames":
            for defined in element:
                found.append(
                    (defined.get("name", ""), defined.get("localSheetId"), defined.text or "")
                )
    return sheets, found


class _WorkbookPart:
    """`_workbook_tree` from expat's events, building no tree: the workbook part is read
    once a file, and a tree of it costs twice as much. What it gives is the tree's, element
    for element: the last sheet list's `sheet` children (by local name, as the tree's tags
    have their namespace), every child of every defined-name list, and each one's text up to
    its first child element (an element's `text`). Anything expat refuses, or a document type
    (which defusedxml refuses), raises, and the tree parser reads the part instead."""

    def __init__(self) -> None:
        self.depth = 0
        self.list = ""  # the local name of the root's child being read
        self.sheets: list[str] = []
        self.found: list[_Defined] = []
        self.text: list[str] | None = None  # the text of the defined name being read

    @classmethod
    def read(cls, xml: bytes) -> tuple[list[str], list[_Defined]]:
        state = cls()
        parser = expat.ParserCreate(None, "}")
        parser.StartElementHandler = state.start
        parser.EndElementHandler = state.end
        parser.CharacterDataHandler = state.data
        parser.StartDoctypeDeclHandler = _refuse
        parser.EntityDeclHandler = _refuse
        parser.Parse(xml, True)
        return state.sheets, state.found

    def start(self, tag: str, attributes: dict[str, str]) -> None:
        self._end_text()  # a child element ends the text of the one it is in
        self.depth += 1
        if self.depth == 2:
            self.list = _local(tag)
            if self.list == "sheets":
                self.sheets = []
        elif self.depth == 3:
            if self.list == "sheets" and _local(tag) == "sheet":
                self.sheets.append(attributes.get("name", ""))
            elif self.list == "definedNames":
                self.text = []
                self.found.append((attributes.get("name", ""), attributes.get("localSheetId"), ""))

    def end(self, tag: str) -> None:
        self._end_text()
        self.depth -= 1

    def _end_text(self) -> None:
        if self.text is not None:
            name, local, _ = self.found[-1]
            self.found[-1] = (name, local, "".join(self.text))
            self.text = None

    def data(self, text: str) -> None:
        if self.text is not None:
            self.text.append(text)


def _refuse(*_: Any) -> None:
    raise ValueError("a document type in the workbook part")


# --- many files ----------------------------------------------------------------------------

FILE_SECONDS = isolation.FILE_SECONDS
"""Longest a worker process may spend on one file before it is stopped and the file gets a
finding (`file-too-slow`): a team workbook takes milliseconds, a hostile one must not hold up
a month's consolidation."""

Read = tuple[Path, TeamReturn | None, list[Finding]]


MAX_DEFAULT_PROCESSES = isolation.MAX_DEFAULT_PROCESSES
usable_cores = isolation.usable_cores


def read_team_returns(
    paths: Iterable[Path],
    registry: SchemeRegistry,
    threads: int | None = None,
    *,
    processes: bool = True,
    file_seconds: float = FILE_SECONDS,
) -> Iterator[Read]:
    """Read many team workbooks, yielding (path, return or None, findings) in input order.

    `threads` files are read at once (default: one per usable core, `usable_cores`), each in
    a worker process held to a time and a memory limit (workload_xl.files.isolation), however few
    the files: a file that crashes the Rust reader, asks for gigabytes or runs past
    `file_seconds` costs that file a finding (`file-corrupt`, `file-too-large`,
    `file-too-slow`), never the run. A return's lines come back from a worker as one flat
    tuple of values (core.returns.LineRows: read as ReturnLine records, stored as they are),
    which costs less than pickling records and making them again here. `processes=False` reads
    in threads of this process instead, with no limits (for benchmarks and tests only).
    """
    paths = [Path(p) for p in paths]
    workers = max(1, threads if threads is not None else usable_cores())
    if processes:
        yield from _in_processes(paths, registry, workers, file_seconds)
    else:
        yield from _in_threads(paths, registry, workers)


def _in_threads(paths: list[Path], registry: SchemeRegistry, workers: int) -> Iterator[Read]:
    reads = isolation.map_in_threads(
        partial(read_team_return, registry=registry), paths, workers=workers
    )
    with contextlib.closing(reads):
        for path, (ret, findings) in reads:
            yield path, ret, findings


def _in_processes(
    paths: list[Path], registry: SchemeRegistry, workers: int, file_seconds: float
) -> Iterator[Read]:
    reads = isolation.read_each(
        _read_in_worker,
        paths,
        lambda _path, problem: (None, [problem]),
        workers=workers,
        seconds=file_seconds,
        initializer=_start_worker,
        initargs=(registry,),
    )
    with contextlib.closing(reads):  # a run stopped early stops its workers here
        for path, packed in reads:
            yield (path, *_unpack(packed))


_worker_registry: SchemeRegistry | None = None


def _start_worker(registry: SchemeRegistry) -> None:
    global _worker_registry
    _worker_registry = registry


def _read_in_worker(path: Path) -> tuple[TeamReturn | None, list[Finding]]:
    """A return with its lines as one flat tuple of values: the parent stores them as they
    come (core.returns.LineRows), making no record a line."""
    assert _worker_registry is not None
    ret, findings = _read_return(path, _worker_registry)
    if ret is None:
        return ret, findings
    if isinstance(ret.lines, LineRows):  # flat already, its text shared by _clean_lines
        ret.lines = ret.lines.flat  # type: ignore[assignment]
    else:
        # One object per distinct name, code and kind: pickle sends each once, and the
        # parent holds 20 names, not 800 copies of them.
        columns = [
            _shared(c) if i in (0, 2, 3) else c for i, c in enumerate(zip(*ret.lines, strict=True))
        ]
        ret.lines = tuple(chain.from_iterable(zip(*columns, strict=True)))  # type: ignore[assignment]
    return ret, findings


def _shared(column: tuple) -> tuple:
    seen: dict = {}
    return tuple(map(seen.setdefault, column, column))  # the first of each value, in C


def _unpack(packed: tuple[TeamReturn | None, list[Finding]]):
    ret, findings = packed
    if ret is not None:
        ret.lines = LineRows(ret.lines)  # type: ignore[arg-type]
    return ret, findings
