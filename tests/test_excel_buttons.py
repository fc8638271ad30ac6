"""The add-in's buttons, run through xlwings' own remote engine on workbooks written to disk.

Each test writes a real workbook, turns it into the JSON xlwings Server receives, presses a
button (calls its entry point with the `xw.Book`), and checks the actions xlwings would send
back to Excel; where a second press matters, the actions are applied to the file and the
button pressed again on the result.
"""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from openpyxl import load_workbook

from workload_xl.contracts import worker as layout
from workload_xl.excel import entry
from workload_xl.excel.buttons import BUTTONS
from workload_xl.files.worker_template import (
    WorkerSheetContent,
    build_team_of_worker_sheets,
)
from workload_xl.services.consolidate import consolidate_files
from workload_xl.store.database import ReturnsStore

from . import xlwings_remote as remote
from .conftest import CSC, valid_content

ERROR = entry.FILLS["error"].lower()


def press(button, workbook: Path, active: str | None = None, **kwargs) -> list[dict]:
    book = remote.book(workbook, active)
    button(book, **kwargs)
    return book.json()["actions"]


def status(actions: list[dict]) -> str:
    """The last status line a button wrote (A1 of the Errors sheet)."""
    lines = [
        a["values"][0][0]
        for a in actions
        if a["func"] == "setValues"
        and (a["start_row"], a["start_column"], a["row_count"]) == (0, 0, 1)
        and a["column_count"] == 1
    ]
    assert lines, "the button wrote no status line"
    return lines[-1]


def sheet_position(actions: list[dict], path: Path, name: str) -> int:
    """Where a sheet is: already in the book, or added by one of the actions."""
    names = load_workbook(path).sheetnames
    if name in names:
        return names.index(name)
    added = [a["args"][0] for a in actions if a["func"] == "addSheet" and a["args"][1] == name]
    assert added, f"no sheet {name!r}"
    return added[0]


def with_mistakes() -> WorkerSheetContent:
    content = valid_content()
    content.lines[0]["agreed_points"] = 999  # outside the range: an error
    content.lines[1]["agreed_points"] = "lots"  # not a number: an error
    return content


@pytest.fixture
def sheet_with_mistakes(make_sheet):
    return make_sheet(with_mistakes())


# --- Validate this sheet / Clear highlights ---------------------------------------------------


def test_validate_colours_each_finding_cell_in_one_call_and_lists_them_with_links(
    sheet_with_mistakes,
):
    path = sheet_with_mistakes.path
    actions = press(entry.validate_sheet, path)
    first, second = (sheet_with_mistakes.table_cell("agreed_points", i) for i in (0, 1))

    colours = [a for a in actions if a["func"] == "setRangeColors" and a["sheet_position"] == 0]
    assert len(colours) == 1  # one call for every highlighted cell on the sheet
    block = colours[0]
    top = f"{remote.get_column_letter(block['start_column'] + 1)}{block['start_row'] + 1}"
    assert top == first and block["row_count"] == 2
    assert block["args"][0] == [[ERROR], [ERROR]]

    errors = remote.values_written(actions, sheet_position(actions, path, entry.ERRORS_SHEET))
    table = {k: v for k, v in errors.items() if int(k.lstrip("ABCDEFGH")) > entry.ERRORS_TOP}
    rules = {v for k, v in table.items() if k.startswith("E")}
    assert rules == {"points-out-of-range", "points-not-number"}
    links = sorted(v for k, v in table.items() if k.startswith("C"))
    assert links == [f'=HYPERLINK("#\'Measurement\'!{c}","{c}")' for c in sorted((first, second))]
    assert "'Measurement': 2 errors; 2 cells highlighted." in status(actions)


def test_a_second_press_first_restores_then_highlights_what_is_still_wrong(
    sheet_with_mistakes, tmp_path
):
    path = sheet_with_mistakes.path
    first, second = (sheet_with_mistakes.table_cell("agreed_points", i) for i in (0, 1))
    after = remote.apply(path, press(entry.validate_sheet, path), tmp_path / "after.xlsx")
    assert remote.fill_of(after, "Measurement", first) == ERROR.upper()
    assert load_workbook(after)[entry.HIGHLIGHTS_SHEET].sheet_state == "hidden"

    fixed = load_workbook(after)
    fixed["Measurement"][second] = 8  # the user corrects one mistake
    fixed.save(after)
    actions = press(entry.validate_sheet, after, active="Measurement")
    again = remote.apply(after, actions, tmp_path / "again.xlsx")
    assert remote.fill_of(again, "Measurement", second) is None  # restored
    assert remote.fill_of(again, "Measurement", first) == ERROR.upper()  # still wrong
    assert "1 error; 1 cell highlighted" in status(actions)


def test_clear_highlights_gives_each_cell_back_the_fill_recorded_for_it(make_sheet, tmp_path):
    sheet = make_sheet(with_mistakes())
    cell = sheet.table_cell("agreed_points", 0)
    after = remote.apply(sheet.path, press(entry.validate_sheet, sheet.path), tmp_path / "a.xlsx")
    # Desktop Excel can read a cell's own fill and records it; this engine records "unknown".
    wb = load_workbook(after)
    record = wb[entry.HIGHLIGHTS_SHEET]
    rows = {r[1].value: r for r in record.iter_rows(min_row=2)}
    assert rows[cell][2].value == entry.UNKNOWN_FILL
    rows[cell][2].value = "#FFFF00"  # as a desktop press records a user's yellow
    wb.save(after)

    actions = press(entry.clear_highlights, after, active="Measurement")
    cleared = remote.apply(after, actions, tmp_path / "cleared.xlsx")
    assert remote.fill_of(cleared, "Measurement", cell) == "#FFFF00"
    other = sheet.table_cell("agreed_points", 1)
    assert remote.fill_of(cleared, "Measurement", other) is None
    assert "2 cells back to their own fill" in status(actions)
    assert press(entry.clear_highlights, cleared, active="Measurement")  # nothing left:
    assert "no highlights to clear" in status(press(entry.clear_highlights, cleared, "Measurement"))


def test_validate_on_a_sheet_that_is_not_a_measurement_sheet_says_so_and_changes_nothing(
    make_sheet,
):
    path = make_sheet().path
    actions = press(entry.validate_sheet, path, active="Scheme")
    assert "not a measurement sheet" in status(actions)
    assert "Traceback" not in status(actions)
    touched = {a["func"] for a in actions}
    assert touched <= {"addSheet", "setValues"}  # only the Errors sheet and its status line
    assert [a for a in actions if a["func"] == "setValues"] == [
        a for a in actions if a["func"] == "setValues" and a["start_row"] == 0
    ]


def test_an_unexpected_failure_is_one_short_status_line_not_a_traceback(make_sheet, monkeypatch):
    path = make_sheet().path

    def broken(*_args, **_kwargs):
        raise KeyError("boom")

    monkeypatch.setattr(entry.validation, "validate_sheet", broken)
    message = status(press(entry.validate_sheet, path))
    assert "Validate this sheet: stopped (KeyError: 'boom')" in message
    assert "Traceback" not in message and len(message) < 300


# --- Add worker sheet -------------------------------------------------------------------------


def test_add_worker_sheet_copies_the_sheet_and_empties_the_workers_entries(make_sheet):
    sheet = make_sheet()
    actions = press(entry.add_worker_sheet, sheet.path)
    funcs = [a["func"] for a in actions]
    assert "copySheet" in funcs and "setSheetName" in funcs
    renamed = next(a for a in actions if a["func"] == "setSheetName")
    assert renamed["args"] == ["New worker"]
    position = renamed["sheet_position"]
    cleared = [
        a
        for a in actions
        if a["sheet_position"] == position and a["func"] in ("rangeClearContents", "setValues")
    ]
    addresses = set()
    for a in cleared:
        for r in range(a["row_count"]):
            column = remote.get_column_letter(a["start_column"] + 1)
            addresses.add(f"{column}{a['start_row'] + 1 + r}")
    assert sheet.header_cell("worker") in addresses and sheet.header_cell("fte") in addresses
    assert sheet.header_cell("team") not in addresses  # the team stays
    assert sheet.table_cell("case_name", 0) in addresses
    assert sheet.table_cell("agreed_points", 2) in addresses
    assert "added the sheet 'New worker'" in status(actions)


# --- Import caseload report ---------------------------------------------------------------


def test_import_caseload_writes_the_workers_cases_into_the_empty_rows_one_call_a_column(
    make_sheet, tmp_path
):
    sheet = make_sheet()
    report = tmp_path / "caseload.csv"
    with report.open("w", newline="") as handle:
        csv.writer(handle).writerows(
            [
                ["Case ID", "Child name", "Case type", "Allocated worker"],
                ["C300001", "Fay Report", "Child in Need", "Jo Example"],
                ["C300002", "Gus Report", "CP", "Jo Example"],
                ["C300003", "Hal Report", "CLA", "Someone Else"],
            ]
        )
    actions = press(entry.import_caseload, sheet.path, path=str(report))
    written = remote.values_written(actions, 0)
    first_free = 5  # valid_content has five rows
    assert written[sheet.table_cell("case_ref", first_free)] == "C300001"
    assert written[sheet.table_cell("case_ref", first_free + 1)] == "C300002"
    assert written[sheet.table_cell("case_name", first_free)] == "Fay Report"
    assert written[sheet.table_cell("item", first_free + 1)] == "Child protection plan"
    assert sheet.table_cell("case_ref", first_free + 2) not in written
    writes = [a for a in actions if a["func"] == "setValues" and a["sheet_position"] == 0]
    assert len(writes) == 3  # reference, name, item: one call each
    assert "2 cases imported from caseload.csv" in status(actions)


def test_import_caseload_without_a_file_or_with_a_bad_one_says_what_to_do(make_sheet, tmp_path):
    sheet = make_sheet()
    assert "no caseload report was chosen" in status(press(entry.import_caseload, sheet.path))
    missing = press(entry.import_caseload, sheet.path, path=str(tmp_path / "none.csv"))
    assert "nothing was imported from none.csv" in status(missing)


# --- Build team sheet / Flag outliers / Export team return ----------------------------------


def team_workbook(registry, tmp_path: Path, ftes=(1.0, 1.0, 1.0, 1.0), court=True) -> Path:
    contents = []
    for index, fte in enumerate(ftes):
        content = valid_content()
        content.header["worker"] = f"Worker {index + 1}"
        content.header["fte"] = fte
        for n, line in enumerate(content.lines):
            if line.get("case_ref"):
                line["case_ref"] = f"C{index}{n:04d}"
                line["case_name"] = f"Zebedee Quixote{index}{n}"
        contents.append(content)
    if court:
        contents[-1].lines.append({"item": "Court day", "quantity": 6, "agreed_points": 60})
    path = tmp_path / "team.xlsx"
    build_team_of_worker_sheets(registry.get(CSC), contents).save(path)
    return path


def test_build_team_sheet_writes_the_team_figures_in_one_call_and_no_case_names(registry, tmp_path):
    path = team_workbook(registry, tmp_path)
    actions = press(entry.build_team_sheet, path)
    position = sheet_position(actions, path, entry.TEAM_SHEET)
    team = remote.values_written(actions, position)
    blocks = [
        a
        for a in actions
        if a["func"] == "setValues" and a["row_count"] > 1 and a["sheet_position"] == position
    ]
    assert len(blocks) == 1
    heading = entry.TEAM_TOP
    assert team[f"A{heading}"] == "Worker"
    workers = [team[f"A{heading + i}"] for i in range(1, 5)]
    assert workers == ["Worker 1", "Worker 2", "Worker 3", "Worker 4"]
    assert team["B3"] == "First Response East" and team["B5"] == "2026-10"
    assert "Zebedee" not in repr(actions)  # no case name anywhere the button wrote
    assert "4 workers, 2026-10" in status(actions)


def test_build_from_a_folder_reads_the_worker_workbooks_there(registry, tmp_path, make_sheet):
    folder = tmp_path / "workers"
    folder.mkdir()
    for index in range(3):
        content = valid_content()
        content.header["worker"] = f"Folder Worker {index}"
        make_sheet(content, name=f"w{index}.xlsx").path.rename(folder / f"w{index}.xlsx")
    book_file = make_sheet(name="admin.xlsx").path  # the open workbook: any workbook
    actions = press(entry.build_team_sheet_from_folder, book_file, path=str(folder))
    team = remote.values_written(actions, sheet_position(actions, book_file, entry.TEAM_SHEET))
    top = entry.TEAM_TOP
    assert [team[f"A{top + i}"] for i in (1, 2, 3)] == [f"Folder Worker {i}" for i in range(3)]
    assert f"built from the workbooks in {folder}" in status(actions)
    none = press(entry.build_team_sheet_from_folder, book_file)
    assert "no folder was chosen" in status(none)


def test_build_team_sheet_in_a_workbook_without_worker_tabs_says_what_to_do(tmp_path):
    from openpyxl import Workbook

    empty = tmp_path / "empty.xlsx"
    Workbook().save(empty)
    message = status(press(entry.build_team_sheet, empty))
    assert "no worker measurement sheets" in message and "Build from a folder" in message


def test_flag_outliers_reflags_the_team_sheet_as_the_manager_corrected_it(registry, tmp_path):
    path = team_workbook(registry, tmp_path, ftes=(1.0, 1.0, 1.0, 1.0, 1.0), court=False)
    built = remote.apply(path, press(entry.build_team_sheet, path), tmp_path / "built.xlsx")
    wb = load_workbook(built)
    team = wb[entry.TEAM_SHEET]
    top = entry.TEAM_TOP
    flags_column = next(c.column_letter for c in team[top] if c.value == "Flags")
    fte_column = next(c.column_letter for c in team[top] if c.value == "FTE")
    assert not any(team[f"{flags_column}{top + i}"].value for i in range(1, 6))  # all alike
    team[f"{fte_column}{top + 1}"] = 0.4  # the manager corrects a part-timer's FTE
    wb.save(built)

    actions = press(entry.flag_outliers, built, active=entry.TEAM_SHEET)
    flagged = remote.apply(built, actions, tmp_path / "flagged.xlsx")
    after = load_workbook(flagged)[entry.TEAM_SHEET]
    flags = [after[f"{flags_column}{top + i}"].value for i in range(1, 6)]
    # 29 points each, 100 expected of a full-time social worker: 29%; at 0.4 FTE 72.5%
    assert flags[0] == "load 72%, well above the team's 29%"
    load_column = next(c.column_letter for c in team[top] if c.value == "Load against expected")
    loads = [after[f"{load_column}{top + i}"].value for i in range(1, 6)]
    assert loads == [0.725] + [0.29] * 4
    assert remote.fill_of(flagged, entry.TEAM_SHEET, f"A{top + 1}") == "#FFEB9C"
    assert remote.fill_of(flagged, entry.TEAM_SHEET, f"A{top + 2}") is None
    assert "of 5 workers flagged" in status(actions)


def test_flag_outliers_without_a_team_sheet_says_to_build_it_first(make_sheet):
    message = status(press(entry.flag_outliers, make_sheet().path))
    assert "Press Build team sheet first" in message


def test_export_team_return_writes_a_return_the_consolidation_reads_without_case_names(
    registry, tmp_path
):
    path = team_workbook(registry, tmp_path)
    out = tmp_path / "returns"
    out.mkdir()
    before = path.read_bytes()
    actions = press(entry.export_team_return, path, path=str(out))
    files = list(out.glob("*.xlsx"))
    assert [f.name for f in files] == ["First Response East 2026-10 team return.xlsx"]
    assert path.read_bytes() == before
    assert "Zebedee" not in _all_text(files[0])
    run = consolidate_files([out], tmp_path / "store.sqlite")
    assert len(run.stored) == 1 and not run.failed, run.report.findings
    with ReturnsStore.open(tmp_path / "store.sqlite") as store:
        stored = [(s.team, s.period) for s in store.submissions()]
        workers = {w.worker for w in store.worker_periods()}
    assert stored == [("First Response East", "2026-10")]
    assert workers == {"Worker 1", "Worker 2", "Worker 3", "Worker 4"}
    assert "wrote" in status(actions) and "4 workers" in status(actions)
    again = press(entry.export_team_return, path, path=str(out))  # never overwrites
    assert "exists already" in status(again) and "--force" not in status(again)
    assert "Move or rename" in status(again)


def _all_text(path: Path) -> str:
    import zipfile

    with zipfile.ZipFile(path) as archive:
        return "".join(archive.read(n).decode("utf-8", "replace") for n in archive.namelist())


def test_every_button_has_an_entry_point_taking_the_book():
    for button in BUTTONS:
        function = getattr(entry, button.entry)
        assert callable(function)
        parameters = list(__import__("inspect").signature(function).parameters)
        assert parameters[0] == "book" and (not button.asks or "path" in parameters)
    assert layout.TABLE_NAME == "WorkItems"


# --- xlwings Lite -----------------------------------------------------------------------------


def test_the_lite_scripts_run_through_xlwings_script_runner_with_the_book_injected(
    sheet_with_mistakes,
):
    import asyncio

    import xlwings as xw
    from xlwings import server

    from workload_xl.excel import lite

    names = {s["function_name"] for s in server.custom_scripts_meta(lite)}
    assert names == {
        "validate_sheet",
        "clear_highlights",
        "add_worker_sheet",
        "build_team_sheet",
        "flag_outliers",
    }
    book = remote.book(sheet_with_mistakes.path)
    asyncio.run(
        server.custom_scripts_call(lite, "validate_sheet", typehint_to_value={xw.Book: book})
    )
    actions = book.json()["actions"]
    assert "'Measurement': 2 errors; 2 cells highlighted." in status(actions)
    functions = {f["name"] for f in server.custom_functions_meta(lite)["functions"]}
    assert {"WL_POINTS", "CAPA_NEW_CORE", "CAPA_BALANCE"} <= functions


def test_text_a_user_typed_goes_back_into_excel_as_text_not_a_formula(registry, tmp_path):
    """The add-in writes through Excel, which runs any string starting with '=': a worker
    called '=HYPERLINK(...)' must arrive on the Team sheet as the text typed."""
    contents = []
    for index, name in enumerate(('=HYPERLINK("http://example.invalid","x")', "+1", "@me")):
        content = valid_content()
        content.header["worker"] = f"{name}{index}"
        contents.append(content)
    path = tmp_path / "team.xlsx"
    build_team_of_worker_sheets(registry.get(CSC), contents).save(path)
    actions = press(entry.build_team_sheet, path)
    team = remote.values_written(actions, sheet_position(actions, path, entry.TEAM_SHEET))
    names = {team[f"A{entry.TEAM_TOP + i}"] for i in (1, 2, 3)}
    assert names == {'\'=HYPERLINK("http://example.invalid","x")0', "'+11", "'@me2"}


# --- workload.xlsm itself, as a user first opens it ---------------------------------------


def test_the_add_in_workbook_works_the_moment_it_opens(tmp_path):
    """workload.xlsm ships with a blank Measurement sheet: Validate says what to fill in, and
    Add worker sheet copies it."""
    import shutil

    book_file = tmp_path / "workload.xlsm"
    shutil.copy(Path(__file__).resolve().parent.parent / "workload.xlsm", book_file)
    actions = press(entry.validate_sheet, book_file, active=layout.MEASUREMENT_SHEET)
    assert "'Measurement': " in status(actions) and "error" in status(actions)
    position = sheet_position(actions, book_file, entry.ERRORS_SHEET)
    rules = set(remote.values_written(actions, position).values())
    assert "header-missing" in rules
    added = press(entry.add_worker_sheet, book_file, active=layout.MEASUREMENT_SHEET)
    assert "copySheet" in {a["func"] for a in added}
    assert "a blank copy of 'Measurement'" in status(added)


def test_a_sheet_used_far_beyond_its_data_is_not_read_and_says_where(make_sheet, monkeypatch):
    """The live reader asks a sheet's used range how big it is before any value is sent: a
    cell far out (here past a cap lowered to keep the payload small) stops the button with the
    far cell named, not a read of millions of cells."""
    from openpyxl import load_workbook

    path = make_sheet().path
    wb = load_workbook(path)
    wb["Measurement"]["Z200"] = "x"
    wb.save(path)
    monkeypatch.setattr(entry.grid_contract, "MAX_SHEET_CELLS", 3000)
    line = status(press(entry.validate_sheet, path, active="Measurement"))
    assert "Z200" in line and "Ctrl+End" in line and "Traceback" not in line


def test_a_table_stretched_far_beyond_its_rows_is_not_read(make_sheet, monkeypatch):
    path = make_sheet().path
    monkeypatch.setattr(entry.grid_contract, "MAX_TABLE_CELLS", 100)
    line = status(press(entry.validate_sheet, path, active="Measurement"))
    assert "Resize Table" in line and "WorkItems" in line
