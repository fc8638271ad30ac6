"""What users do to a workbook's structure in Excel: merged cells, hidden and filtered rows, a
resized or deleted table, renamed or deleted sheets and names, header fields moved. Each edit
is made with openpyxl as Excel would save it; the answer is findings and a clean exit, never an
exception, and where the data is still all there, the same answer as before the edit.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner
from openpyxl import load_workbook
from openpyxl.utils import get_column_letter, quote_sheetname, range_boundaries
from openpyxl.workbook.defined_name import DefinedName

from workload_xl.cli import main
from workload_xl.contracts import team as tl
from workload_xl.contracts import worker as layout
from workload_xl.core.rules import RULES
from workload_xl.files.return_reader import read_team_return

from .conftest import valid_content

SHEET = layout.MEASUREMENT_SHEET


def table_area(ws, name: str) -> tuple[int, int, int, int]:
    return range_boundaries(ws.tables[name].ref)


def rename_sheet(wb, old: str, new: str) -> None:
    """As Excel renames a sheet: references to it in names follow."""
    ws = wb[old]
    ws.title = new
    olds = (f"{quote_sheetname(old)}!", f"'{old}'!", f"{old}!")
    for scope in (wb.defined_names, ws.defined_names):
        for name, defined in list(scope.items()):
            text = defined.attr_text
            for before in olds:
                text = text.replace(before, f"{quote_sheetname(new)}!")
            scope[name] = DefinedName(name, attr_text=text, localSheetId=defined.localSheetId)


# --- the worker's measurement sheet ---------------------------------------------------------


def merge_in_table(wb) -> None:
    ws = wb[SHEET]
    left, top, _, _ = table_area(ws, layout.TABLE_NAME)
    ws.merge_cells(start_row=top + 8, start_column=left, end_row=top + 8, end_column=left + 2)


def hide_rows(wb) -> None:
    ws = wb[SHEET]
    _, top, _, _ = table_area(ws, layout.TABLE_NAME)
    for row in range(top + 1, top + 4):
        ws.row_dimensions[row].hidden = True


def filter_rows(wb) -> None:
    """A filter on the table showing only activities: case rows are hidden, not gone."""
    ws = wb[SHEET]
    table = ws.tables[layout.TABLE_NAME]
    _, top, _, _ = table_area(ws, layout.TABLE_NAME)
    table.autoFilter.add_filter_column(2, ["Duty day", "Training day"])
    for row in range(top + 1, top + 4):
        ws.row_dimensions[row].hidden = True


def resize(ws, name: str, bottom) -> None:
    """The table's last row moved, as dragging its corner does: `bottom(top, old bottom)`."""
    left, top, right, last = table_area(ws, name)
    ref = f"{get_column_letter(left)}{top}:{get_column_letter(right)}{bottom(top, last)}"
    ws.tables[name].ref = ref


def grow_table(wb) -> None:
    resize(wb[SHEET], layout.TABLE_NAME, lambda _, last: last + 25)


def shrink_table(wb) -> None:
    """Rows 4 and 5 of the data are left below the table: still typed, no longer counted."""
    resize(wb[SHEET], layout.TABLE_NAME, lambda top, _: top + 3)


def delete_table(wb) -> None:
    del wb[SHEET].tables[layout.TABLE_NAME]


def rename_measurement_sheet(wb) -> None:
    rename_sheet(wb, SHEET, "Jo's sheet (Oct)")


def delete_scheme_sheet(wb) -> None:
    del wb[layout.SCHEME_SHEET]


def delete_header_names(wb) -> None:
    for spec in layout.HEADER_FIELDS[:5]:
        del wb[SHEET].defined_names[spec.name]


def move_header_fields(wb) -> None:
    """Cut and paste of the header block two columns right: the names follow the cells."""
    ws = wb[SHEET]
    for spec in layout.HEADER_FIELDS:
        ((_, ref),) = list(ws.defined_names[spec.name].destinations)
        cell = ws[ref.replace("$", "")]
        target = ws.cell(cell.row, cell.column + 5)
        target.value, cell.value = cell.value, None
        ws.defined_names[spec.name] = DefinedName(
            spec.name, attr_text=f"'{SHEET}'!${target.column_letter}${target.row}"
        )


EDITS: dict[str, tuple[Callable, str | None]] = {
    # edit: (change, what validation says: "same" as before, or a rule that must appear)
    "merged cells in the table": (merge_in_table, "same"),
    "hidden rows": (hide_rows, "same"),
    "filtered rows": (filter_rows, "same"),
    "table grown": (grow_table, "same"),
    "table shrunk": (shrink_table, "outside-table"),
    "table deleted": (delete_table, "not-measurement-sheet"),
    "sheet renamed": (rename_measurement_sheet, "same"),
    "scheme sheet deleted": (delete_scheme_sheet, "same"),
    "header names deleted": (delete_header_names, "name-missing"),
    "header fields moved": (move_header_fields, "same"),
}


def rules_of(output: str) -> list[tuple[str, str]]:
    return sorted((f["rule"], f["cell"]) for f in json.loads(output)["findings"])


@pytest.mark.parametrize("edit", list(EDITS), ids=list(EDITS))
def test_structural_edits_to_a_measurement_sheet_give_findings_never_an_exception(make_sheet, edit):
    change, expected = EDITS[edit]
    before = make_sheet(valid_content())
    after = make_sheet(valid_content())
    wb = load_workbook(after.path)
    change(wb)
    wb.save(after.path)
    runner = CliRunner()
    first = runner.invoke(main, ["validate", str(before.path), "--format", "json"])
    second = runner.invoke(main, ["validate", str(after.path), "--format", "json"])
    assert second.exception is None or isinstance(second.exception, SystemExit), second.output
    assert second.exit_code in (0, 1, 2)
    found = rules_of(second.output)
    assert all(rule in RULES for rule, _ in found)
    if expected == "same":
        assert found == rules_of(first.output)
    else:
        assert expected in {rule for rule, _ in found}, found


def test_rows_left_below_a_shrunk_table_are_named_and_not_counted(make_sheet):
    sheet = make_sheet(valid_content())
    wb = load_workbook(sheet.path)
    shrink_table(wb)
    wb.save(sheet.path)
    run = sheet.run()
    (measurement,) = run.measurements
    assert len(measurement.lines) == 3  # the three case rows still in the table
    stray = [f for f in run.report.findings if f.rule == "outside-table"]
    assert stray and all(f.severity == "warning" for f in stray)


# --- the team return --------------------------------------------------------------------------


@pytest.fixture(scope="module")
def team_return(tmp_path_factory, registry) -> Path:
    from benchmarks.corpus import synthetic_team, write_with_project

    path = tmp_path_factory.mktemp("structure") / "team.xlsx"
    write_with_project(
        path, synthetic_team(5, registry.get("childrens-social-care"), workers=6, rows=10)
    )
    return path


def _cases_area(wb):
    ws = next(w for w in wb.worksheets if tl.CASES_TABLE in w.tables)
    return ws, table_area(ws, tl.CASES_TABLE)


def r_merge(wb):
    ws, (left, top, _, _) = _cases_area(wb)
    ws.merge_cells(start_row=top + 2, start_column=left + 3, end_row=top + 2, end_column=left + 4)


def r_hide(wb):
    ws, (_, top, _, bottom) = _cases_area(wb)
    for row in range(top + 1, bottom + 1, 2):
        ws.row_dimensions[row].hidden = True


def r_grow(wb):
    ws, _ = _cases_area(wb)
    resize(ws, tl.CASES_TABLE, lambda _, last: last + 30)


def r_rename(wb):
    rename_sheet(wb, tl.TEAM_SHEET, "Team (October)")


def r_delete_cases(wb):
    del wb[tl.CASES_SHEET]


def r_delete_names(wb):
    for spec in tl.TEAM_HEADER[:3]:
        for scope in (wb.defined_names, wb[tl.TEAM_SHEET].defined_names):
            if spec.name in scope:
                del scope[spec.name]


RETURN_EDITS = {
    "merged cells": (r_merge, "return-invalid"),  # as in Excel, a merge keeps one value
    "hidden rows": (r_hide, "same"),
    "cases table grown": (r_grow, "same"),
    "team sheet renamed": (r_rename, "same"),
    "cases sheet deleted": (r_delete_cases, "return-invalid"),
    "header names deleted": (r_delete_names, "return-invalid"),
}


@pytest.mark.parametrize("edit", list(RETURN_EDITS), ids=list(RETURN_EDITS))
def test_structural_edits_to_a_team_return_give_findings_never_an_exception(
    team_return, registry, tmp_path, edit
):
    change, expected = RETURN_EDITS[edit]
    original, original_findings = read_team_return(team_return, registry)
    wb = load_workbook(team_return)
    change(wb)
    edited = tmp_path / "edited.xlsx"
    wb.save(edited)
    ret, findings = read_team_return(edited, registry)
    assert all(f.rule in RULES for f in findings)
    if expected == "same":
        assert [f.rule for f in findings] == [f.rule for f in original_findings]
        assert ret is not None and original is not None
        assert (ret.workers, ret.lines) == (original.workers, original.lines)
    else:
        assert ret is None and expected in {f.rule for f in findings}
