"""The one workbook interface (contracts.grid) and the codecs every edge decodes through.

The same team workbook read by openpyxl (history), python-calamine (returns) and xlwings (the
add-in, through its remote engine) gives the same worker records; the same measurement sheet
read by openpyxl and by xlwings gives the same SheetData. The add-in's readers are private
helpers of excel.entry, reached here because no button returns what it read.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from workload_xl.contracts import team as tl
from workload_xl.contracts import worker as layout
from workload_xl.contracts.grid import Names, Place, SheetValues, Table, names_from
from workload_xl.core.cells import (
    absolute,
    address,
    column_letter,
    column_number,
    parse_reference,
    split_address,
)
from workload_xl.core.team import WorkerRow
from workload_xl.core.values import NO, YES, points_per_fte, read_yes_no, yes_no
from workload_xl.excel import entry
from workload_xl.files.return_reader import read_team_return
from workload_xl.files.team_reader import read_history
from workload_xl.files.worker_reader import read_workbook
from workload_xl.files.worker_template import write_worker_workbook
from workload_xl.services.build_team import build_team_files

from . import xlwings_remote as remote
from .conftest import CSC, valid_content

# --- cells ------------------------------------------------------------------------------------


def test_column_letters_and_numbers_are_inverse_and_one_based():
    for number in (1, 2, 26, 27, 52, 53, 702, 703, 16384):
        assert column_number(column_letter(number)) == number
    assert (column_letter(1), column_letter(27), column_letter(16384)) == ("A", "AA", "XFD")
    assert column_number("ab") == 28
    assert split_address("$C$12") == (12, 3) and address(12, 3) == "C12"
    with pytest.raises(ValueError):
        split_address("12C")


def test_an_address_is_built_from_a_row_and_a_column_number_or_its_letters():
    assert address(4, 2) == address(4, "B") == "B4"
    assert address(1048576, 16384) == "XFD1048576"


def test_an_absolute_address_comes_from_an_address_or_a_row_and_column():
    assert absolute("B4") == absolute("$B$4") == absolute("b$4") == "$B$4"
    assert absolute((4, 2)) == "$B$4"
    assert absolute((12, 27)) == absolute(address(12, 27)) == "$AA$12"
    for text in ("12C", "B", "B4:C5", ""):
        with pytest.raises(ValueError):
            absolute(text)


def test_a_reference_to_one_cell_is_parsed_one_based_and_anything_else_is_none():
    assert parse_reference("'Team'!$B$4") == ("Team", 4, 2)
    assert parse_reference("='Jo''s sheet'!C7") == ("Jo's sheet", 7, 3)
    assert parse_reference("Team!$B$4:$B$4") == ("Team", 4, 2)
    for text in ("Team!$B$4:$B$5", "#REF!", "Team!#REF!", "42", "Team!A1,Team!B2"):
        assert parse_reference(text) is None


# --- names, tables, sheet values --------------------------------------------------------------


def test_a_sheets_own_name_wins_over_the_books_and_names_ignore_case():
    names = names_from(
        [("Period", None, "'Team'!$B$6"), ("PERIOD", "Other", "Other!$C$2"), ("Odd", None, "#REF!")]
    )
    assert names.place("period", "Team") == Place("Team", 6, 2)
    assert names.place("Period", "Other") == Place("Other", 2, 3)
    assert names.place("Period", "Other").address == "C2"
    assert names.refers_to("odd", "Team") == "#REF!" and names.place("odd", "Team") is None
    assert names.place("Missing", "Team") is None
    assert Names({}).refers_to("x", "Team") is None


def test_a_table_knows_its_cells_and_finds_columns_by_heading():
    table = Table("T", "S", 22, 2, (" Worker ", "fte", "Worker"), [["a", 1, "b"], ["c", 2, "d"]])
    assert (table.bottom, table.right) == (24, 4)
    assert table.row_number(1) == 24 and table.address(1, 24) == "C24"
    assert table.columns({"worker": "Worker", "fte": "FTE", "band": "Band"}) == {
        "worker": 0,
        "fte": 1,
        "band": None,
    }


def test_sheet_values_are_found_from_their_top_left_cell():
    block = SheetValues("S", 3, 2, [["a", "b"], ["c"]])
    assert block.at(3, 2) == "a" and block.at(4, 2) == "c"
    assert block.at(4, 3) is None and block.at(1, 1, "") == ""
    assert list(block.cells()) == [(3, 2, "a"), (3, 3, "b"), (4, 2, "c")]


# --- value rules ------------------------------------------------------------------------------


def test_yes_and_no_are_written_one_way_and_read_in_any_case():
    assert (yes_no(True), yes_no(False)) == (YES, NO) == ("yes", "no")
    assert [read_yes_no(v) for v in (" Yes ", "NO", "yes\u00a0", "y", "", None, 1.0)] == [
        True,
        False,
        True,
        None,
        None,
        None,
        None,
    ]
    assert points_per_fte(30.0, 0.5) == 60.0
    assert points_per_fte(30.0, 0.0) is None and points_per_fte(30.0, None) is None


# --- the team return's worker row -------------------------------------------------------------


def test_a_worker_row_encoded_then_decoded_gives_back_its_figures():
    row = WorkerRow(
        worker="Ann Ash",
        band="Social worker",
        fte=0.8,
        cases=7,
        case_points=35.0,
        activity_points=4.5,
        total_points=39.5,
        points_per_fte=39.5 / 0.8,
        counted=False,
        source="ann.xlsx / Measurement",
        expected_points=80.0,
        load=39.5 / 80.0,
        flags=["above", "co-works"],
    )
    values = tl.encode_worker(row)
    table = Table(tl.TEAM_TABLE, tl.TEAM_SHEET, 22, 1, tuple(tl.WORKER_HEADINGS.values()), [values])
    entry_ = tl.decode_worker(values, table.columns(tl.WORKER_HEADINGS))
    assert (entry_.worker, entry_.band, entry_.fte, entry_.cases) == ("Ann Ash", row.band, 0.8, 7)
    assert (entry_.case_points, entry_.activity_points, entry_.total_points) == (35.0, 4.5, 39.5)
    assert entry_.points_per_fte == round(39.5 / 0.8, 2)
    assert entry_.counted is False and entry_.source == row.source and entry_.not_numbers == ()


def test_a_worker_row_with_text_numbers_and_a_bad_yes_no_says_which_cells():
    columns = {"worker": 0, "fte": 1, "cases": 2, "total_points": 3, "counted": 4}
    decoded = tl.decode_worker([" Bob ", "0.5", "many", "", "perhaps"], columns)
    assert (decoded.worker, decoded.fte, decoded.cases, decoded.total_points) == ("Bob", 0.5, 0, 0)
    assert decoded.not_numbers == ("cases",) and decoded.counted is None
    assert decoded.band == "" and decoded.points_per_fte is None


# --- three engines, one reading ---------------------------------------------------------------


@pytest.fixture(scope="module")
def team_file(tmp_path_factory, registry) -> Path:
    folder = tmp_path_factory.mktemp("grid")
    inputs = folder / "in"
    inputs.mkdir()
    for index, (name, fte) in enumerate((("Ann Ash", 1.0), ("Bob Birch", 0.8), ("Cat Cole", 0.6))):
        content = valid_content()
        content.header["worker"] = name
        content.header["fte"] = fte
        for n, line in enumerate(content.lines):
            if line.get("case_ref"):
                line["case_ref"] = f"C{index}{n:04d}"
        path = inputs / f"{name.split()[0].lower()}.xlsx"
        assert write_worker_workbook(path, registry.get(CSC), content) == []
    output = folder / "team.xlsx"
    run = build_team_files([inputs], output, registry=registry)
    assert run.written, [str(f) for f in run.build.findings]
    return output


def _figures(rows) -> list[tuple]:
    return sorted(
        (r.worker, r.band, r.fte, r.cases, round(r.total_points, 6), r.counted) for r in rows
    )


def test_openpyxl_calamine_and_xlwings_read_the_same_workers_from_a_team_return(
    team_file, registry
):
    ret, findings = read_team_return(team_file, registry)
    assert ret is not None, [f.message for f in findings]
    history, problems = read_history([team_file])
    assert problems == []
    current = history[:3]  # TeamWorkers' rows come first; TeamHistory repeats them, with no cases
    assert all(h.period == ret.period for h in current)

    book = remote.book(team_file, tl.TEAM_SHEET)
    grid = entry._read(book.sheets[tl.TEAM_SHEET])
    heading, columns = entry._find_headings(grid)
    added = []
    for row in range(heading + 1, grid.top + len(grid.values)):
        name = grid.at(row, columns["worker"])
        if not name:
            break
        added.append(entry._worker_from(grid, row, columns, name))

    assert len(ret.workers) == 3
    assert _figures(ret.workers) == _figures(current) == _figures(added)
    assert [w.points_per_fte for w in sorted(ret.workers, key=lambda w: w.worker)] == [
        w.points_per_fte for w in sorted(added, key=lambda w: w.worker)
    ]


def test_openpyxl_and_xlwings_read_the_same_measurement_sheet(make_sheet):
    sheet = make_sheet(valid_content())
    read = read_workbook(sheet.path)
    assert read.findings == [] and len(read.sheets) == 1
    from_file = read.sheets[0]

    book = remote.book(sheet.path)
    xl_sheet = book.sheets[from_file.sheet]
    table = entry._measurement_table(xl_sheet)
    from_excel = entry._Book(book).sheet_data(xl_sheet, table)

    assert from_excel.header == from_file.header
    assert from_excel.columns == from_file.columns
    # Formula columns differ by engine, not by decoder: a file openpyxl wrote holds no saved
    # results, so the file reader shows the formula text and the remote engine sends None.
    typed = [c.key for c in layout.COLUMNS if c.is_input]
    assert [(r.row, [r.values[k] for k in typed]) for r in from_excel.rows] == [
        (r.row, [r.values[k] for k in typed]) for r in from_file.rows
    ]
    assert from_excel.stray == from_file.stray
    assert {k: (t.address, t.formula) for k, t in from_excel.totals.items()} in (
        {},  # an engine that reads no formulas leaves the totals to Excel
        {k: (t.address, t.formula) for k, t in from_file.totals.items()},
    )


def test_the_add_ins_team_sheet_is_written_and_found_again_by_its_contract():
    """contracts.team lays out the add-in's own Team sheet and finds it again, even moved."""

    workers = [
        WorkerRow("Ann Lee", "Social worker", 1.0, 3, 40.0, 10.0, 50.0, 50.0, True, "a.xlsx"),
        WorkerRow("Bo Chan", "Social worker", 0.5, 2, 20.0, 5.0, 25.0, 50.0, False, "b.xlsx"),
    ]
    header = {"team": "North", "service": "CSC", "period": "2026-10", "scheme": "csc 3"}
    rows = tl.book_rows(header, workers)
    assert rows[tl.BOOK_HEADING_ROW - 1] == [c.header for c in tl.TEAM_COLUMNS]
    moved = [[None, *row] for row in [[None] * len(rows[0]), *rows]]  # down one, right one
    offset, columns = tl.book_headings(moved)
    assert offset == tl.BOOK_HEADING_ROW and columns["worker"] == 1
    assert tl.book_scheme_id([r[1:] for r in moved]) == "csc"
    decoded = [
        tl.decode_worker(row, columns) for row in moved[offset + 1 :] if row[columns["worker"]]
    ]
    assert [(e.worker, e.fte, e.counted) for e in decoded] == [
        ("Ann Lee", 1.0, True),
        ("Bo Chan", 0.5, False),
    ]
    assert tl.book_headings([["Worker", "FTE"]]) is None
