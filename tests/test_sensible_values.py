"""Values checked against sense, not just range: an FTE too small to divide by, points beyond
the scheme's range or beyond any total a store can sum, a worker counted twice in one return.

Returns are real team workbooks built from worker sheets (test_return_reader's roster), broken
the way a hand edit breaks them and saved again; each problem is one finding at its cell, read
the same by the column-wise fast path and the row-by-row checks.
"""

# ruff: noqa: F811 (fixtures imported from test_return_reader are test arguments here)
from __future__ import annotations

import pytest
from openpyxl import load_workbook

import workload_xl.files.return_reader as reader
from workload_xl.contracts import team as tl
from workload_xl.core.measurement import MOST_UNITS
from workload_xl.core.values import FTE_MAX, FTE_MIN, fte_in_range, read_number
from workload_xl.excel.udfs import wl_per_fte
from workload_xl.files.return_reader import read_team_return

from .conftest import valid_content

# the roster's team workbook (`built`) and copies of it to break (`copy`) are pytest fixtures
from .test_return_reader import built, column_of, copy, only, set_table_cell, table_rows  # noqa: F401


def cell_of(path, table: str, heading: str, worker: str, nth: int = 0) -> str:
    ws, records, rows = table_rows(load_workbook(path), table)
    index = [i for i, r in enumerate(records) if r["Worker"] == worker][nth]
    return f"{column_of(ws, table, heading)}{rows[index]}"


@pytest.fixture(params=["column-wise", "row-by-row"])
def path_taken(request, monkeypatch):
    """Each check runs through the fast path and through the row-by-row checks."""
    if request.param == "row-by-row":
        monkeypatch.setattr(reader, "_clean_lines", lambda rows, columns: None)
    return request.param


# --- one definition of the FTE range --------------------------------------------------------


def test_the_fte_range_is_one_definition_the_sheet_the_return_and_the_add_in_share():
    assert (FTE_MIN, FTE_MAX) == (0.01, 1.0)
    assert fte_in_range(0.01) and fte_in_range(1.0) and fte_in_range(0.6)
    for bad in (0.0, 0.009, 1e-307, 5e-324, -1.0, 1.0000001, float("nan"), float("inf")):
        assert not fte_in_range(bad), bad
    assert wl_per_fte([[10.0]], [[0.01]]) == [[1000.0]]
    assert wl_per_fte([[10.0]], [[0.005]]) == [
        ["FTE is 0.005; it must be at least 0.01 and at most 1."]
    ]


@pytest.mark.parametrize("fte", [0.005, 1e-307])
def test_a_worker_sheet_with_an_fte_too_small_to_divide_by_is_an_error(make_sheet, fte):
    content = valid_content()
    content.header["fte"] = fte
    sheet = make_sheet(content)
    assert (sheet.header_cell("fte"), "FTE", "fte-invalid") in sheet.findings()


def test_the_smallest_fte_is_accepted_on_the_worker_sheet(make_sheet):
    content = valid_content()
    content.header["fte"] = FTE_MIN
    run = make_sheet(content).run()
    assert [f.rule for f in run.report.findings if f.severity == "error"] == []


@pytest.mark.parametrize("fte", [0.005, 1e-307, 0])
def test_a_return_with_an_fte_too_small_to_divide_by_is_one_finding_at_its_cell(
    copy, registry, fte
):
    path = copy(set_table_cell(tl.TEAM_TABLE, "FTE", fte))
    ret, findings = read_team_return(path, registry)
    problem = only(findings)
    assert ret is None and problem.cell == cell_of(path, tl.TEAM_TABLE, "FTE", "Bob Birch")
    assert "at least 0.01 and at most 1" in problem.message


def test_a_quantity_no_period_can_hold_is_an_error(make_sheet):
    content = valid_content()
    duty = next(line for line in content.lines if line["item"] == "Duty day")
    duty["quantity"], duty["agreed_points"] = MOST_UNITS + 1, 2 * (MOST_UNITS + 1)
    sheet = make_sheet(content)
    assert "quantity-invalid" in [rule for _, _, rule in sheet.findings()]


# --- a worker once per return ---------------------------------------------------------------


def test_a_worker_counted_twice_in_one_return_is_one_finding_at_the_second_row(copy, registry):
    """Cat's row renamed to Bob (letter case differs, as a hand edit would): both in the team
    figures, so Bob's points would count twice."""
    path = copy(set_table_cell(tl.TEAM_TABLE, "Worker", "bob BIRCH", worker="Cat Cedar"))
    ret, findings = read_team_return(path, registry)
    problem = only(findings)
    assert ret is None
    assert (problem.cell, problem.field) == (
        cell_of(path, tl.TEAM_TABLE, "Worker", "bob BIRCH"),
        "Worker",
    )
    assert "count twice" in problem.message


def test_an_extra_row_for_a_worker_not_in_the_team_figures_is_allowed(copy, registry):
    """build-team lists a worker's extra sheet with 'no': that return is sound."""

    def extra(wb):
        set_table_cell(tl.TEAM_TABLE, "Worker", "Bob Birch", worker="Cat Cedar")(wb)
        ws, records, rows = table_rows(wb, tl.TEAM_TABLE)
        index = [i for i, r in enumerate(records) if r["Worker"] == "Bob Birch"][1]
        ws[f"{column_of(ws, tl.TEAM_TABLE, 'In team figures')}{rows[index]}"] = "no"

    ret, findings = read_team_return(copy(extra), registry)
    assert ret is not None, [str(f) for f in findings]
    assert [w.worker for w in ret.counted].count("Bob Birch") == 1


# --- points within the scheme's range and finite in total -----------------------------------


def set_line_points(worker: str, value, *, nth: int = 0, code: str | None = None):
    def change(wb):
        ws, records, rows = table_rows(wb, tl.CASES_TABLE)
        index = [
            i
            for i, r in enumerate(records)
            if r["Worker"] == worker and (code is None or r["Item code"] == code)
        ][nth]
        ws[f"{column_of(ws, tl.CASES_TABLE, 'Agreed points')}{rows[index]}"] = value

    return change


@pytest.mark.parametrize(
    ("value", "code", "words"),
    [
        (99.0, "CIN", "outside the range 4 to 8 the scheme allows for 'Child in need'"),
        (3.0, "CIN", "outside the range 4 to 8"),
        (-50.0, "CIN", "outside the range 4 to 8"),
        (
            3 * MOST_UNITS + 1,
            "DUTY",
            "outside the range 0 to 2232 the scheme allows for 'Duty day' (744 days at most)",
        ),
        (-1.0, "DUTY", "outside the range 0 to 2232"),
        (-1e308, "CIN", "more than any row can hold"),
        (1e308, "DUTY", "more than any row can hold"),
    ],
)
def test_points_outside_the_schemes_range_for_a_counted_worker_are_one_finding_at_the_cell(
    copy, registry, path_taken, value, code, words
):
    path = copy(set_line_points("Ann Ash", value, code=code))
    ret, findings = read_team_return(path, registry)
    problem = only(findings)
    assert ret is None and words in problem.message, problem.message
    assert (problem.cell, problem.field) == (
        cell_of(
            path,
            tl.CASES_TABLE,
            "Agreed points",
            "Ann Ash",
            nth=[
                r["Item code"]
                for r in table_rows(load_workbook(path), tl.CASES_TABLE)[1]
                if r["Worker"] == "Ann Ash"
            ].index(code),
        ),
        "Agreed points",
    )


def test_points_at_the_ends_of_the_schemes_range_are_accepted(copy, registry, path_taken):
    def ends(wb):
        set_line_points("Ann Ash", 4.0, code="CIN")(wb)
        set_line_points("Ann Ash", 8.0, nth=1, code="CIN")(wb)
        set_line_points("Ann Ash", 0.0, code="DUTY")(wb)
        set_line_points("Dee Dale", 3 * MOST_UNITS, code="DUTY")(wb)

    ret, findings = read_team_return(copy(ends), registry)
    assert ret is not None, [str(f) for f in findings]
    assert {f.rule for f in findings} <= {"return-total-mismatch"}


def test_two_rows_of_huge_points_never_make_an_infinite_total(copy, registry, path_taken):
    """Zed's sheet has errors, so Zed is not counted and a row out of the scheme's range is
    allowed (the worker sheet says what is wrong): but no row may be beyond any sum."""

    def huge(wb):
        set_line_points("Zed Zinc", 1e308)(wb)
        set_line_points("Zed Zinc", 1e308, nth=1)(wb)

    path = copy(huge)
    ret, findings = read_team_return(path, registry)
    assert ret is None
    assert [f.rule for f in findings] == ["return-invalid", "return-invalid"]
    assert all("more than any row can hold" in f.message for f in findings)


def test_an_uncounted_workers_row_outside_the_schemes_range_is_kept(built, registry, path_taken):
    """The roster's Zed has a Child in need scored 99 on a sheet with errors: listed, not
    counted, and the return is sound (as build-team's promise: never dropped)."""
    ret, findings = read_team_return(built, registry)
    assert ret is not None and findings == []
    assert 99.0 in [line.agreed_points for line in ret.lines if line.worker == "Zed Zinc"]
    assert "Zed Zinc" not in [w.worker for w in ret.counted]


@pytest.mark.parametrize("text", ["1_5", "1__0", "_5"])
def test_points_typed_with_an_underscore_are_not_a_number_as_in_excel(make_sheet, text):
    """Python's float() reads "1_5" as 15 (digit grouping in source code); Excel keeps it as
    text. Points so typed are an error at their cell, never fifteen points."""

    def points_findings(points: str) -> set:
        content = valid_content()
        content.lines[1]["agreed_points"] = points
        return {(cell, rule) for cell, field, rule in make_sheet(content).findings()}

    said = points_findings(text)
    assert said == points_findings("lots") and said, said
    assert read_number(text).value is None
