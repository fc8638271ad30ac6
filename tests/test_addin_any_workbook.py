"""Every button of workload.xlam, pressed on workbooks that carry no VBA, through xlwings' remote
engine.

In the add-in, RunPython's caller is the workbook active when a button is pressed (xlwings'
custom add-in module passes `--wb=ActiveWorkbook.Name`; test_xlsm_build checks the VBA). So
each button must act on the book it is given, whatever that book is: a worker's own .xlsx
measurement workbook as `workload-xl template worker` writes it, and the team workbook
`workload-xl build-team` writes. Each test writes such a file, checks it holds no VBA at all,
presses a button on it (the entry point with the remote `xw.Book`, or with no book at all and
that book as xlwings' caller) and checks what the button wrote back and said.
"""

from __future__ import annotations

import csv
import zipfile
from pathlib import Path

import pytest
import xlwings as xw
from openpyxl import load_workbook

from workload_xl.contracts import team as tl
from workload_xl.excel import entry
from workload_xl.excel.buttons import BUTTONS
from workload_xl.services.build_team import roll_up_files, write_team

from . import xlwings_remote as remote
from .conftest import valid_content
from .test_excel_buttons import sheet_position, status


def no_vba(path: Path) -> Path:
    """The file is a plain workbook: no VBA project, no macro content type, no ribbon."""
    with zipfile.ZipFile(path) as archive:
        names = archive.namelist()
        types = archive.read("[Content_Types].xml").decode("utf-8")
    assert path.suffix == ".xlsx"
    assert not [n for n in names if "vba" in n.casefold() or n.startswith("customUI")]
    assert "macroEnabled" not in types
    return path


@pytest.fixture
def measurement(make_sheet) -> Path:
    """A worker's own measurement workbook with two mistakes (points 999 and "lots")."""
    content = valid_content()
    content.lines[0]["agreed_points"] = 999
    content.lines[1]["agreed_points"] = "lots"
    return no_vba(make_sheet(content, name="jo-measurement.xlsx").path)


@pytest.fixture
def workers_folder(make_sheet, tmp_path) -> Path:
    folder = tmp_path / "workers"
    folder.mkdir()
    for index, fte in enumerate((1.0, 1.0, 0.4)):
        content = valid_content()
        content.header["worker"] = f"Worker {index + 1}"
        content.header["fte"] = fte
        sheet = make_sheet(content, name=f"worker-{index}.xlsx")
        sheet.path.rename(folder / sheet.path.name)
    return folder


@pytest.fixture
def team_workbook(workers_folder, registry, tmp_path) -> Path:
    """The team workbook build-team writes from three worker workbooks."""
    path = tmp_path / "team-2026-10.xlsx"
    build, _ = roll_up_files([workers_folder], registry, output=str(path))
    assert build.team is not None
    assert write_team(path, build) == []
    return no_vba(path)


@pytest.fixture
def caseload(tmp_path) -> Path:
    report = tmp_path / "caseload.csv"
    with report.open("w", newline="") as handle:
        csv.writer(handle).writerows(
            [
                ["Case ID", "Child name", "Case type", "Allocated worker"],
                ["C300001", "Fay Report", "Child in Need", "Jo Example"],
            ]
        )
    return report


def as_caller(function, workbook: Path, **kwargs) -> list[dict]:
    """Press a button as Excel's RunPython does: with no book, so the entry point asks xlwings
    for its caller, which is the remote book of `workbook` (what set_mock_caller arranges)."""
    book = remote.book(workbook)
    book.set_mock_caller()
    try:
        function(**kwargs)
    finally:
        del xw.Book._mock_caller
    return book.json()["actions"]


def test_every_button_is_tested_here_on_both_workbooks():
    pressed = {entry_name for entry_name, _ in MEASUREMENT} | {e for e, _ in TEAM}
    assert pressed == {b.entry for b in BUTTONS}
    assert len(MEASUREMENT) == len(TEAM) == len(BUTTONS)


# What each button says on a worker's measurement workbook, its measurement sheet active.
MEASUREMENT = (
    ("validate_sheet", "Validate this sheet: 'Measurement': 2 errors; 2 cells highlighted."),
    ("clear_highlights", "Clear highlights: there were no highlights to clear."),
    ("add_worker_sheet", "added the sheet 'New worker', a blank copy of 'Measurement'"),
    ("import_caseload", "1 cases imported from caseload.csv into 'Measurement' from row 20"),
    ("build_team_sheet", "built from this workbook's worker sheets: 1 workers, 2026-10"),
    ("build_team_sheet_from_folder", "workers, 2026-10"),
    ("flag_outliers", "this workbook has no Team sheet. Press Build team sheet first."),
    ("export_team_return", "First Response East 2026-10 team return.xlsx (1 workers"),
    ("try_allocation", "this workbook is not a team workbook (it has no TeamWorkers table)"),
)


@pytest.mark.parametrize(("name", "said"), MEASUREMENT, ids=[m[0] for m in MEASUREMENT])
def test_each_button_on_a_plain_measurement_workbook(
    name, said, measurement, workers_folder, caseload, tmp_path
):
    kwargs = {
        "import_caseload": {"path": str(caseload)},
        "build_team_sheet_from_folder": {"path": str(workers_folder)},
        "export_team_return": {"path": str(tmp_path)},
    }.get(name, {})
    actions = as_caller(getattr(entry, name), measurement, **kwargs)
    line = status(actions)
    assert said in line, line
    assert "Traceback" not in line and "stopped" not in line
    names = load_workbook(measurement).sheetnames
    if name == "validate_sheet":
        colours = [a for a in actions if a["func"] == "setRangeColors"]
        assert [a["sheet_position"] for a in colours] == [names.index("Measurement")]
    if name == "build_team_sheet_from_folder":
        team = remote.values_written(actions, sheet_position(actions, measurement, tl.TEAM_SHEET))
        top = entry.TEAM_TOP
        assert [team[f"A{top + i}"] for i in (1, 2, 3)] == ["Worker 1", "Worker 2", "Worker 3"]
    if name == "export_team_return":
        assert (tmp_path / "First Response East 2026-10 team return.xlsx").is_file()


# What each button says on the team workbook build-team wrote, its Team sheet active.
TEAM = (
    ("validate_sheet", "the active sheet 'Team' is not a measurement sheet"),
    ("clear_highlights", "there were no highlights to clear."),
    ("add_worker_sheet", "this workbook has no measurement sheet to copy."),
    ("import_caseload", "the active sheet 'Team' is not a measurement sheet"),
    ("build_team_sheet", "this workbook's Team sheet is a team workbook's"),
    ("build_team_sheet_from_folder", "this workbook's Team sheet is a team workbook's"),
    ("flag_outliers", "1 of 3 workers flagged on the Team sheet"),
    ("export_team_return", "this workbook has no worker measurement sheets."),
    ("try_allocation", "type an item of the scheme in B4"),
)


@pytest.mark.parametrize(("name", "said"), TEAM, ids=[t[0] for t in TEAM])
def test_each_button_on_a_plain_team_workbook(
    name, said, team_workbook, workers_folder, caseload, tmp_path
):
    kwargs = {
        "import_caseload": {"path": str(caseload)},
        "build_team_sheet_from_folder": {"path": str(workers_folder)},
        "export_team_return": {"path": str(tmp_path)},
    }.get(name, {})
    before = team_workbook.read_bytes()
    actions = as_caller(getattr(entry, name), team_workbook, **kwargs)
    line = status(actions)
    assert said in line, line
    assert "Traceback" not in line
    assert team_workbook.read_bytes() == before  # a button writes through Excel, never the file
    team = load_workbook(team_workbook).sheetnames.index(tl.TEAM_SHEET)
    on_team = [a for a in actions if a.get("sheet_position") == team]
    if name == "flag_outliers":
        written = remote.values_written(actions, team)
        flags = [v for v in written.values() if isinstance(v, str) and v.startswith("load ")]
        # 29 points each; 100 expected of a full-time social worker: 29%, at 0.4 FTE 72.5%
        assert flags == ["load 72%, well above the team's 29%"]
    else:
        assert on_team == []  # the team workbook's own figures are left as they are


def test_flag_outliers_re_flags_the_team_workbook_after_the_manager_corrects_an_fte(
    team_workbook, tmp_path
):
    """The team workbook's Team sheet, as build-team wrote it: the manager finds Worker 3 is
    full-time after all, changes the FTE, presses Flag outliers; nobody is flagged now."""
    wb = load_workbook(team_workbook)
    ws = wb[tl.TEAM_SHEET]
    top = tl.TABLE_TOP_ROW
    fte = next(c.column for c in ws[top] if c.value == "FTE")
    worker = next(r for r in range(top + 1, top + 4) if ws.cell(r, 1).value == "Worker 3")
    ws.cell(worker, fte).value = 1.0
    changed = tmp_path / "corrected.xlsx"
    wb.save(changed)
    actions = as_caller(entry.flag_outliers, changed)
    assert "0 of 3 workers flagged on the Team sheet" in status(actions)
