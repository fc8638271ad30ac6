"""Real clients' saves keep the answers: LibreOffice saves, copies a sheet, inserts a row.

A worker sheet is written by the tool, then saved by LibreOffice headless (a convert, which
recalculates) or edited through LibreOffice's UNO API the way a user edits in Calc (Duplicate
Sheet, Insert Rows), by tests/uno_edit.py under the system Python with python3-uno. The
figures expected are worked out by hand from the scheme (childrens-social-care: Child in need
5 points, Child protection plan 8, Looked after child 7, Duty day 2 a day, Training day 1.5 a
day) and the rows written.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from openpyxl import load_workbook

from tests.conftest import valid_content
from tests.libreoffice import edit_in_libreoffice, recalculate, require_soffice
from workload_xl.contracts import worker as layout
from workload_xl.files.worker_template import WorkerSheetContent, write_worker_workbook
from workload_xl.services.validate import validate_files

pytestmark = pytest.mark.libreoffice

TOTAL_RULES = {"total-mismatch", "total-not-formula"}

# Rows 15 onwards: what each counts, worked out by hand (a row Python does not count counts
# nothing natively either).
AWKWARD_LINES = [
    {"case_ref": "C1", "item": "Child in need", "agreed_points": 5},  # case 5
    {"case_ref": "C2", "item": "Not an item", "agreed_points": 8},  # unknown: nothing
    {"case_ref": "C3", "item": "Child protection plan", "agreed_points": "8"},  # text: case 8
    {},  # a blank row
    {"agreed_points": 4},  # points but no item: nothing
    {"item": "Duty day", "quantity": "2", "agreed_points": 4},  # activity 4, scheme 2 x 2
    {"item": "Duty day", "quantity": "abc", "agreed_points": 2},  # activity 2, scheme 2 x 1
    {"item": "Training day", "quantity": 0, "agreed_points": 1.5},  # activity 1.5, scheme 1.5
    {"case_ref": "C4", "item": "Looked after child", "agreed_points": " 6 "},  # case 6
    {"case_ref": "C5", "item": "Child in need", "agreed_points": "-2"},  # case -2
    {"case_ref": "C6", "item": "Child in need", "agreed_points": "lots"},  # a case, no points
    {"case_ref": "C7", "item": "Child in need"},  # a case, no points
    {"item": "Training day", "quantity": 1000, "agreed_points": 3},  # activity 3, scheme 1.5
]
AWKWARD_TOTALS = {
    "case_count": 6,  # C1, C3, C4, C5, C6, C7
    "case_points": 5 + 8 + 6 - 2,
    "activity_points": 4 + 2 + 1.5 + 3,
    "total_points": 17 + 10.5,
    "scheme_points": 5 + 8 + 4 + 2 + 1.5 + 7 + 5 + 5 + 5 + 1.5,
    "points_per_fte": 27.5 / 0.8,
}
AWKWARD_SCHEME_POINTS = [5, None, 8, None, None, 4, 2, 1.5, 7, 5, 5, 5, 1.5]  # per row


def write_sheet(path: Path, registry, lines: list[dict]) -> Path:
    header = valid_content().header
    problems = write_worker_workbook(
        path, registry.get("childrens-social-care"), WorkerSheetContent(header, lines)
    )
    assert problems == []
    return path


def native_totals(path: Path, sheet: str = layout.MEASUREMENT_SHEET) -> dict[str, float]:
    """The totals LibreOffice calculated and saved, by layout key, found by defined name."""
    wb = load_workbook(path, data_only=True)
    ws = wb[sheet]
    found = {}
    for spec in layout.TOTAL_FIELDS:
        ((_, ref),) = list(ws.defined_names[spec.name].destinations)
        found[spec.key] = ws[ref.replace("$", "")].value
    return found


def figures(measurement) -> dict[str, float]:
    return {
        "case_count": measurement.case_count,
        "case_points": measurement.case_points,
        "activity_points": measurement.activity_points,
        "total_points": measurement.total_points,
        "scheme_points": sum(line.scheme_points for line in measurement.lines),
        "points_per_fte": measurement.points_per_fte,
    }


def found(path: Path) -> list[tuple[str, str, str]]:
    return sorted((f.sheet, f.cell, f.rule) for f in validate_files([path]).report.findings)


@pytest.fixture(scope="module")
def saved(tmp_path_factory, registry) -> tuple[Path, Path]:
    """The awkward sheet as the tool wrote it, and as LibreOffice saved it (recalculated)."""
    soffice = require_soffice()
    folder = tmp_path_factory.mktemp("saves")
    written = write_sheet(folder / "awkward.xlsx", registry, AWKWARD_LINES)
    (converted,) = recalculate([written], folder / "saved", soffice=soffice)
    return written, converted


def test_python_counts_the_awkward_rows_as_worked_out_by_hand(saved):
    written, _ = saved
    (m,) = validate_files([written]).measurements
    assert figures(m) == pytest.approx(AWKWARD_TOTALS)


def test_the_native_totals_count_what_python_counts_after_a_libreoffice_save(saved):
    _, converted = saved
    assert native_totals(converted) == pytest.approx(AWKWARD_TOTALS)
    ws = load_workbook(converted, data_only=True)[layout.MEASUREMENT_SHEET]
    letter = layout.TEMPLATE_LETTERS["scheme_points"]
    shown = [ws[f"{letter}{15 + i}"].value for i in range(len(AWKWARD_LINES))]
    assert [None if v in (None, "") else v for v in shown] == AWKWARD_SCHEME_POINTS


def test_a_libreoffice_save_adds_no_finding(saved):
    written, converted = saved
    before, after = found(written), found(converted)
    assert after == before
    assert not {rule for _, _, rule in after} & TOTAL_RULES
    # the awkward rows' own findings are all there, each once
    rules = [rule for _, _, rule in after]
    for rule in ("item-unknown", "item-missing", "quantity-invalid", "points-negative"):
        assert rule in rules
    assert rules.count("number-as-text") == 4  # "8", "2", " 6 ", "-2"


def test_a_libreoffice_save_keeps_the_formulas_the_validator_expects(saved):
    _, converted = saved
    wb = load_workbook(converted)
    ws = wb[layout.MEASUREMENT_SHEET]
    assert ws["D10"].value == "=CasePoints+ActivityPoints"
    assert ws["D11"].value == "=SUM($G$15:$G$54)"
    assert ws["F15"].value.startswith('=IF($C15="","",')


# --- a sheet copied inside its workbook -----------------------------------------------------


@pytest.fixture(scope="module")
def copied(tmp_path_factory, registry) -> Path:
    """A valid sheet duplicated in LibreOffice, the copy then given its own worker and rows."""
    folder = tmp_path_factory.mktemp("copy")
    written = write_sheet(folder / "team.xlsx", registry, valid_content().lines)
    edits = [
        ["copy_sheet", "Measurement", "Kim", 1],
        ["set", "Kim", "B4", "Kim Example"],  # Worker
        ["set", "Kim", "H15", 6],  # Child in need agreed at 6 instead of 5
        ["set", "Kim", "A20", "C100009"],
        ["set", "Kim", "C20", "Child protection plan"],
        ["set", "Kim", "H20", 8],
    ]
    return edit_in_libreoffice(written, folder / "copied.xlsx", edits)


def test_a_copied_sheet_gets_a_table_of_its_own_name(copied):
    wb = load_workbook(copied)
    assert list(wb["Measurement"].tables) == ["WorkItems"]
    (name,) = wb["Kim"].tables
    assert name != "WorkItems" and layout.is_measurement_table(name)


def test_a_copied_sheet_counts_its_own_rows(copied):
    assert native_totals(copied, "Kim") == pytest.approx(
        {
            "case_count": 4,
            "case_points": 6 + 8 + 7 + 8,
            "activity_points": 6 + 3,
            "total_points": 38,
            "scheme_points": 5 + 8 + 7 + 6 + 3 + 8,
            "points_per_fte": 38 / 0.8,
        }
    )
    assert native_totals(copied)["total_points"] == 29  # the original, untouched


def test_a_copied_sheet_validates_with_only_its_real_findings(copied):
    run = validate_files([copied])
    assert [(f.sheet, f.cell, f.rule) for f in run.report.findings] == [
        ("Kim", "H15", "points-adjusted")
    ]
    totals = {m.sheet: (m.worker, m.total_points) for m in run.measurements}
    assert totals == {"Measurement": ("Jo Example", 29), "Kim": ("Kim Example", 38)}


# --- a row inserted inside the table ------------------------------------------------------


@pytest.fixture(scope="module")
def inserted(tmp_path_factory, registry) -> Path:
    """A valid sheet with a row inserted in LibreOffice above row 17 and filled in."""
    folder = tmp_path_factory.mktemp("insert")
    written = write_sheet(folder / "sheet.xlsx", registry, valid_content().lines)
    edits = [
        ["unprotect", "Measurement"],
        ["insert_rows", "Measurement", 17, 1],
        ["set", "Measurement", "A17", "C100010"],
        ["set", "Measurement", "C17", "Child in need"],
        ["set", "Measurement", "H17", 5],
    ]
    return edit_in_libreoffice(written, folder / "inserted.xlsx", edits)


def test_an_inserted_row_gets_its_own_finding_and_fix(inserted):
    run = validate_files([inserted])
    (row,) = [f for f in run.report.findings if f.rule == "row-formulas-missing"]
    assert (row.sheet, row.cell, row.severity) == ("Measurement", "E17", "error")
    assert "Copy the formulas down from the row above" in row.message
    assert "'Unit', 'Kind' and 'Scheme points'" in row.message
    assert not [f for f in run.report.findings if f.rule == "number-as-text"]


def test_the_totals_an_inserted_row_upsets_point_at_it_not_at_text(inserted):
    run = validate_files([inserted])
    (m,) = run.measurements
    assert m.case_count == 4 and m.total_points == 29 + 5  # Python counts the new row
    native = native_totals(inserted)
    assert native["case_count"] == 3 and native["total_points"] == 29  # the sheet does not
    mismatches = [f for f in run.report.findings if f.rule == "total-mismatch"]
    assert {f.cell for f in mismatches} == {"D7", "D8", "D10", "D11", "D12"}
    for f in mismatches:
        assert "row 17 has no formulas" in f.message and "typed as text" not in f.message


def test_the_fixed_inserted_row_validates_clean(inserted, tmp_path):
    formulas = {
        key: layout.row_formula(layout.COLUMN_BY_KEY[key], layout.TEMPLATE_LETTERS, 17)
        for key in ("unit", "kind", "scheme_points")
    }
    edits = [
        ["set_formula", "Measurement", f"{layout.TEMPLATE_LETTERS[key]}17", formula]
        for key, formula in formulas.items()
    ]
    fixed = edit_in_libreoffice(inserted, tmp_path / "fixed.xlsx", edits)
    assert validate_files([fixed]).report.findings == []
    assert native_totals(fixed)["total_points"] == 34


def test_the_workbooks_dates_survive_the_edits(inserted):
    ws = load_workbook(inserted)[layout.MEASUREMENT_SHEET]
    assert ws["B11"].value.date() == dt.date(2026, 10, 28)
