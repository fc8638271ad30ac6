"""Property-based tests: whatever a user types or sends, every reader and validator answers
with findings and a clean exit, never an exception.

Hypothesis writes real workbooks with any value in any cell (numbers stored as text, dates,
booleans, error values, huge and tiny numbers, very long and non-Latin text, formulas, stray
and non-breaking spaces) and reads them back through the same code the commands use. Example
counts are kept modest (each example is a workbook written and read), and the database of
failing examples is off so CI never depends on an earlier run.
"""

from __future__ import annotations

import datetime as dt
import math
import os
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook

from workload_xl.contracts import jobplan as jl
from workload_xl.contracts import team as tl
from workload_xl.contracts import worker as layout
from workload_xl.core.caseload import map_caseload
from workload_xl.core.findings import Refused
from workload_xl.core.rules import RULES
from workload_xl.core.schemes import SchemeRegistry
from workload_xl.core.values import clean_text
from workload_xl.files.caseload_reader import read_caseload
from workload_xl.files.jobplan_workbook import read_jobplan_workbook, write_jobplan_workbook
from workload_xl.files.return_reader import read_team_return
from workload_xl.files.worker_template import write_worker_workbook
from workload_xl.services.validate import validate_files

from .conftest import CSC, valid_content

PROPERTIES = settings(
    max_examples=int(os.environ.get("WORKLOAD_XL_EXAMPLES", "40")),  # more for a deep run
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
KNOWN_RULES = set(RULES)
REGISTRY = SchemeRegistry.from_dir()

# --- what a user may put in a cell ---------------------------------------------------------

ERROR_VALUES = ("#REF!", "#N/A", "#DIV/0!", "#VALUE!", "#NAME?", "#NUM!", "#NULL!")
cell_text = st.one_of(
    st.text(max_size=40),
    st.text(alphabet="0123456789.,- \u00a0", min_size=1, max_size=8),  # numbers as text
    st.sampled_from(ERROR_VALUES),
    st.sampled_from(
        (" 3 ", "3.0", "3", "\u00a03\u00a0", "1e3", "1e999", "inf", "nan", "–5", "five", "三", "ß")
    ),
    st.sampled_from(("=1/0", '=HYPERLINK("http://x")', "=SUM(A1:A2)", "@x", "+1", "-")),
    st.text(alphabet="ابجدهوзжщ漢字🙂", min_size=1, max_size=30),
    st.builds(lambda n: "x" * n, st.integers(200, 5000)),
)
cell_value = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**15), max_value=10**15),
    st.floats(allow_nan=False, allow_infinity=False, width=64),
    st.sampled_from((1e-300, -1e-300, 1e300, -1e300, 0.1 + 0.2)),
    st.dates(min_value=dt.date(1900, 3, 1), max_value=dt.date(9999, 12, 31)),
    st.datetimes(min_value=dt.datetime(1900, 3, 1), max_value=dt.datetime(9999, 12, 31)),
    cell_text,
)


def _clean_run(findings) -> None:
    for f in findings:
        assert f.rule in KNOWN_RULES, f.rule
        assert f.message and "Traceback" not in f.message


def _writable(value):
    """openpyxl refuses control characters in cells; a user cannot type them either."""
    if isinstance(value, str):
        return "".join(ch for ch in value if ch >= " " or ch in "\t\n")
    return value


# --- the worker's measurement sheet ---------------------------------------------------------

INPUT_COLUMNS = [c.key for c in layout.COLUMNS if c.is_input]


@pytest.fixture(scope="module")
def measurement_sheet(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("prop-sheet") / "sheet.xlsx"
    assert write_worker_workbook(path, REGISTRY.get(CSC), valid_content()) == []
    return path


HEADER_KEYS = [f.key for f in layout.HEADER_FIELDS]
SHEET_EDITS = {
    "cells": st.lists(
        st.tuples(st.sampled_from(INPUT_COLUMNS), st.integers(0, 9), cell_value),
        min_size=1,
        max_size=12,
    ),
    "header": st.lists(st.tuples(st.sampled_from(HEADER_KEYS), cell_value), max_size=4),
}
"""Values typed anywhere in a measurement sheet's table and header."""


@PROPERTIES
@given(**SHEET_EDITS)
def test_any_values_in_a_measurement_sheet_give_findings_never_an_exception(
    measurement_sheet, cells, header
):
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "sheet.xlsx"
        _edit_sheet(measurement_sheet, path, cells, header)
        before = path.read_bytes()
        run = validate_files([path], REGISTRY)
        _clean_run(run.report.findings)
        assert run.exit_code in (0, 1, 2)
        assert path.read_bytes() == before  # read, never written


def _edit_sheet(source: Path, path: Path, cells, header) -> None:
    """The measurement sheet with the generated values typed into its table and header."""
    wb = load_workbook(source)
    ws = wb[layout.MEASUREMENT_SHEET]
    places = _places(wb, ws)
    for column, line, value in cells:
        ws[f"{places['columns'][column]}{places['first_row'] + line}"] = _writable(value)
    for key, value in header:
        ws[places["header"][key]] = _writable(value)
    wb.save(path)


def _places(wb, ws) -> dict:
    from openpyxl.utils import get_column_letter, range_boundaries

    table = ws.tables[layout.TABLE_NAME]
    min_col, min_row, max_col, _ = range_boundaries(table.ref)
    headers = {ws.cell(min_row, c).value: get_column_letter(c) for c in range(min_col, max_col + 1)}
    columns = {c.key: headers[c.header] for c in layout.COLUMNS if c.header in headers}
    header = {}
    for spec in layout.HEADER_FIELDS:
        ((_, ref),) = list(ws.defined_names[spec.name].destinations)
        header[spec.key] = ref.replace("$", "")
    return {"columns": columns, "first_row": min_row + 1, "header": header}


@pytest.mark.parametrize("typed", [" 3 ", "3.0", "3", "\u00a03\u00a0"])
def test_a_number_as_the_user_meant_it_is_accepted_with_an_info_finding(make_sheet, typed):
    """Quantity 3 of a duty day typed as text: read as 3, said, never an error."""
    content = valid_content()
    content.lines[3]["quantity"] = typed  # duty day, 3 days, 6 points agreed
    sheet = make_sheet(content)
    run = sheet.run()
    assert not run.report.has_errors
    said = [f for f in run.report.findings if f.rule == "number-as-text"]
    assert [(f.severity, f.cell) for f in said] == [("info", sheet.table_cell("quantity", 3))]
    (measurement,) = run.measurements
    assert measurement.lines[3].quantity == 3


# --- the team return, read by the fast reader -----------------------------------------------


def table_cells(*tables: str):
    """Values for cells of these tables, by (table, row, column) wrapped into the table."""
    return st.lists(
        st.tuples(st.sampled_from(tables), st.integers(0, 12), st.integers(0, 12), cell_value),
        min_size=1,
        max_size=10,
    )


def _type_into_tables(wb, cells) -> None:
    from openpyxl.utils import range_boundaries

    for table_name, row, column, value in cells:
        ws = next((w for w in wb.worksheets if table_name in w.tables), None)
        if ws is None:
            continue
        min_col, min_row, max_col, max_row = range_boundaries(ws.tables[table_name].ref)
        r = min_row + 1 + row % max(1, max_row - min_row)
        c = min_col + column % (max_col - min_col + 1)
        ws.cell(r, c).value = _writable(value)


@pytest.fixture(scope="module")
def team_return(tmp_path_factory) -> Path:
    from benchmarks.corpus import synthetic_team, write_with_project

    path = tmp_path_factory.mktemp("prop-return") / "team.xlsx"
    write_with_project(path, synthetic_team(3, REGISTRY.get(CSC), workers=5, rows=8))
    return path


@PROPERTIES
@given(
    cells=table_cells(tl.TEAM_TABLE, tl.CASES_TABLE),
    header=st.lists(st.tuples(st.sampled_from(tl.TEAM_HEADER), cell_value), max_size=3),
)
def test_any_values_in_a_team_return_give_findings_never_an_exception(team_return, cells, header):

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "return.xlsx"
        wb = load_workbook(team_return)
        _type_into_tables(wb, cells)
        for field, value in header:
            scope = (
                wb.defined_names
                if field.name in wb.defined_names
                else (wb[tl.TEAM_SHEET].defined_names)
            )
            ((sheet, ref),) = list(scope[field.name].destinations)
            wb[sheet][ref.replace("$", "")] = _writable(value)
        wb.save(path)
        ret, findings = read_team_return(path, REGISTRY)
        _clean_run(findings)
        if ret is not None:
            assert all(isinstance(line.worker, str) and line.worker for line in ret.lines)
            assert all(
                p is None or math.isfinite(p) for p in (li.agreed_points for li in ret.lines)
            )


# --- a caseload report, as bytes from any system --------------------------------------------


@PROPERTIES
@given(
    rows=st.lists(st.lists(st.one_of(cell_text, st.just("")), min_size=0, max_size=6), max_size=8),
    encoding=st.sampled_from(("utf-8", "utf-8-sig", "cp1252", "utf-16", "latin-1")),
    delimiter=st.sampled_from((",", ";", "\t")),
    noise=st.binary(max_size=64),
)
def test_any_caseload_report_gives_findings_never_an_exception(rows, encoding, delimiter, noise):
    import csv
    import io

    text = io.StringIO()
    csv.writer(text, delimiter=delimiter).writerows(
        [["Case ID", "Child name", "Case type", "Allocated worker"], *rows]
    )
    data = text.getvalue().encode(encoding, errors="replace") + noise
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "report.csv"
        path.write_bytes(data)
        table, findings = read_caseload(path)
        _clean_run(findings)
        if table is not None:
            result = map_caseload(table, REGISTRY.get(CSC), "Jo Example")
            _clean_run(result.findings)


# --- a CAPA job plan -------------------------------------------------------------------------

JOBPLAN_INPUTS = [c.header for c in jl.JOBPLAN_INPUTS]


@pytest.fixture(scope="module")
def job_plan(tmp_path_factory) -> Path:
    from workload_xl.core import capa

    path = tmp_path_factory.mktemp("prop-plan") / "plan.xlsx"
    team = [capa.Clinician("Asha", "Nurse", 37.5, choice=6, core=12, big_admin=5)]
    assert write_jobplan_workbook(path, clinicians=team, referrals_per_week=4.0) == []
    return path


@PROPERTIES
@given(
    cells=st.lists(
        st.tuples(st.sampled_from(JOBPLAN_INPUTS), st.integers(0, 4), cell_value),
        min_size=1,
        max_size=10,
    ),
    setting=st.tuples(st.sampled_from([s.label for s in jl.SETTING_FIELDS]), cell_value),
    referrals=cell_value,
)
def test_any_values_in_a_job_plan_give_findings_never_an_exception(
    job_plan, cells, setting, referrals
):
    from openpyxl.utils import get_column_letter, range_boundaries

    from workload_xl.core import capa

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "plan.xlsx"
        wb = load_workbook(job_plan)
        ws = wb[jl.JOBPLAN_SHEET]
        min_col, min_row, max_col, _ = range_boundaries(ws.tables[jl.JOBPLANS_TABLE].ref)
        headers = {
            ws.cell(min_row, c).value: get_column_letter(c) for c in range(min_col, max_col + 1)
        }
        for header, row, value in cells:
            ws[f"{headers[header]}{min_row + 1 + row}"] = _writable(value)
        settings_ws = wb[jl.SETTINGS_SHEET]
        for row in settings_ws.iter_rows(min_row=2):
            if clean_text(row[0].value) == setting[0]:
                row[1].value = _writable(setting[1])
        ((sheet, ref),) = list(wb.defined_names[jl.REFERRALS_NAME].destinations)
        wb[sheet][ref.replace("$", "")] = _writable(referrals)
        wb.save(path)
        plan, findings = read_jobplan_workbook(path)
        _clean_run(findings)
        if plan is not None and not any(f.severity == "error" for f in findings):
            try:
                demand = plan.demand_per_week
                if demand is not None:
                    capa.balance(plan.clinicians, demand, plan.settings)
            except Refused as refused:  # refusals carry findings, never a crash
                _clean_run(refused.findings)


# --- the add-in, reading a live book through xlwings ------------------------------------------


@PROPERTIES
@given(**SHEET_EDITS)
def test_any_values_in_a_live_sheet_give_the_validate_button_a_status_line_never_a_traceback(
    measurement_sheet, cells, header
):
    from workload_xl.excel import entry

    from . import xlwings_remote as remote

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "sheet.xlsx"
        _edit_sheet(measurement_sheet, path, cells, header)
        book = remote.book(path)
        entry.validate_sheet(book)
        writes = [a for a in book.json()["actions"] if a["func"] == "setValues"]
        lines = [
            a["values"][0][0]
            for a in writes
            if (a["start_row"], a["start_column"], a["row_count"]) == (0, 0, 1)
        ]
        assert lines and "Validate this sheet: 'Measurement'" in lines[-1], lines


# --- a team workbook read as history (build-team --history) ---------------------------------


@PROPERTIES
@given(
    cells=table_cells(tl.TEAM_TABLE, tl.HISTORY_TABLE),
    period=cell_value,
)
def test_any_values_in_a_team_workbook_read_as_history_give_findings_never_an_exception(
    team_return, cells, period
):

    from workload_xl.files.team_reader import read_history

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "history.xlsx"
        wb = load_workbook(team_return)
        _type_into_tables(wb, cells)
        ((_, ref),) = list(wb[tl.TEAM_SHEET].defined_names["TeamPeriod"].destinations)
        wb[tl.TEAM_SHEET][ref.replace("$", "")] = _writable(period)
        wb.save(path)
        rows, findings = read_history([path])
        _clean_run(findings)
        assert all(r.points_per_fte is None or math.isfinite(r.points_per_fte) for r in rows)
