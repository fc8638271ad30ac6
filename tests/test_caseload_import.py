"""Starting a measurement workbook from a case management system's caseload report."""

from __future__ import annotations

import csv

from click.testing import CliRunner
from openpyxl import Workbook, load_workbook

from workload_xl.cli import main
from workload_xl.contracts import worker as layout
from workload_xl.services.validate import validate_files

from .conftest import SheetFile

ROWS = [
    ["Case ID", "Child name", "Case type", "Allocated worker"],
    ["C200001", "Ava Report", "Child in Need", "Jo Example"],
    ["C200002", "Ben Report", "CP", "jo example "],
    ["C200003", "Cai Report", "Early Help", "Jo Example"],
    ["C200004", "Dee Report", "CLA", "Someone Else"],
    ["C200001", "Ava Report", "Child in Need", "Jo Example"],
    ["007", "Eve Report", "Care Proceedings", "Jo Example"],
]


def write_csv(path, rows=ROWS, encoding="utf-8", delimiter=","):
    with path.open("w", newline="", encoding=encoding) as handle:
        csv.writer(handle, delimiter=delimiter).writerows(rows)
    return path


def invoke(*args):
    return CliRunner().invoke(main, ["import-caseload", *map(str, args)])


def test_import_fills_one_row_per_case_of_that_worker_mapping_case_types(tmp_path):
    out = tmp_path / "jo.xlsx"
    result = invoke(
        write_csv(tmp_path / "report.csv"),
        "--worker",
        "Jo Example",
        "--scheme",
        "childrens-social-care",
        "-o",
        out,
        "--team",
        "FR East",
        "--service",
        "First Response",
        "--period",
        "2026-10",
    )
    assert result.exit_code == 0, result.output
    assert "4 case(s) for Jo Example, 3 matched" in result.output
    sheet = SheetFile(out)
    ws = load_workbook(out)[layout.MEASUREMENT_SHEET]
    refs = [ws[sheet.table_cell("case_ref", i)].value for i in range(5)]
    items = [ws[sheet.table_cell("item", i)].value for i in range(4)]
    assert refs == ["C200001", "C200002", "C200003", "007", None]
    assert items == ["Child in need", "Child protection plan", None, "Care proceedings"]
    assert ws[sheet.header_cell("team")].value == "FR East"
    assert ws[sheet.table_cell("case_name", 0)].value == "Ava Report"


def test_import_reports_unmapped_types_and_duplicates_by_row(tmp_path):
    report = write_csv(tmp_path / "report.csv")
    result = invoke(
        report,
        "--worker",
        "Jo Example",
        "--scheme",
        "childrens-social-care",
        "-o",
        tmp_path / "jo.xlsx",
    )
    assert "caseload-type-unmapped" in result.output and "'Early Help'" in result.output
    assert "C4" in result.output  # the report's own cell, as Excel shows the CSV
    assert "caseload-ref-duplicate" in result.output and "row 6" in result.output


def test_the_imported_sheet_asks_for_agreed_points_and_the_unmapped_item(tmp_path):
    out = tmp_path / "jo.xlsx"
    invoke(
        write_csv(tmp_path / "r.csv"),
        "--worker",
        "Jo Example",
        "--scheme",
        "childrens-social-care",
        "-o",
        out,
        "--service",
        "First Response",
    )
    rules = [f.rule for f in validate_files([out]).report.findings]
    assert rules.count("points-missing") == 3
    assert rules.count("item-missing") == 1


def test_reports_from_older_systems_in_windows_1252_with_semicolons_are_read(tmp_path):
    rows = [r[:] for r in ROWS]
    rows[1][1] = "Zoë Report"
    report = write_csv(tmp_path / "r.csv", rows, encoding="cp1252", delimiter=";")
    out = tmp_path / "jo.xlsx"
    assert (
        invoke(
            report, "--worker", "Jo Example", "--scheme", "childrens-social-care", "-o", out
        ).exit_code
        == 0
    )
    ws = load_workbook(out)[layout.MEASUREMENT_SHEET]
    assert ws[SheetFile(out).table_cell("case_name", 0)].value == "Zoë Report"


def test_xlsx_reports_are_read_too(tmp_path):
    wb = Workbook()
    for row in ROWS:
        wb.active.append(row)
    wb.save(tmp_path / "r.xlsx")
    out = tmp_path / "jo.xlsx"
    result = invoke(
        tmp_path / "r.xlsx",
        "--worker",
        "Jo Example",
        "--scheme",
        "childrens-social-care",
        "-o",
        out,
    )
    assert result.exit_code == 0, result.output


def test_a_report_without_a_case_type_column_names_the_headings_it_looks_for(tmp_path):
    report = write_csv(tmp_path / "r.csv", [["Case ID", "Worker"], ["C1", "Jo Example"]])
    result = invoke(
        report,
        "--worker",
        "Jo Example",
        "--scheme",
        "childrens-social-care",
        "-o",
        tmp_path / "jo.xlsx",
    )
    assert result.exit_code == 1
    assert "caseload-column-missing" in result.output and "Legal status" in result.output
    assert not (tmp_path / "jo.xlsx").exists()


def test_a_worker_with_no_cases_in_the_report_gets_a_finding_and_no_file(tmp_path):
    result = invoke(
        write_csv(tmp_path / "r.csv"),
        "--worker",
        "Nobody",
        "--scheme",
        "childrens-social-care",
        "-o",
        tmp_path / "n.xlsx",
    )
    assert result.exit_code == 1 and "caseload-no-cases" in result.output
    assert not (tmp_path / "n.xlsx").exists()


def test_a_missing_or_broken_report_is_a_finding_not_a_traceback(tmp_path):
    result = invoke(
        tmp_path / "none.csv",
        "--worker",
        "Jo",
        "--scheme",
        "childrens-social-care",
        "-o",
        tmp_path / "x.xlsx",
    )
    assert result.exit_code == 2 and "caseload-unreadable" in result.output
    fake = tmp_path / "fake.xlsx"
    fake.write_bytes(b"\x00\x01garbage")
    result = invoke(
        fake, "--worker", "Jo", "--scheme", "childrens-social-care", "-o", tmp_path / "x.xlsx"
    )
    assert result.exit_code == 2 and "file-not-workbook" in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)


def test_a_report_with_bytes_no_encoding_expects_is_still_imported(tmp_path):
    report = tmp_path / "r.csv"
    report.write_bytes(b"Case ID,Child name,Case type\nC1,Odd\x81Name,CIN\n")
    out = tmp_path / "jo.xlsx"
    result = invoke(report, "--worker", "Jo", "--scheme", "childrens-social-care", "-o", out)
    assert result.exit_code == 0, result.output
    assert "Traceback" not in result.output


def test_cases_without_references_are_imported_and_not_taken_for_duplicates(tmp_path):
    rows = [["Case ID", "Case type"], ["", "CIN"], ["", "CP"], ["C9", "CLA"]]
    out = tmp_path / "jo.xlsx"
    result = invoke(
        write_csv(tmp_path / "r.csv", rows),
        "--worker",
        "Jo",
        "--scheme",
        "childrens-social-care",
        "-o",
        out,
    )
    assert result.exit_code == 0, result.output
    assert "caseload-ref-duplicate" not in result.output
    rules = [f.rule for f in validate_files([out]).report.findings]
    assert rules.count("case-ref-missing") == 2


def test_findings_about_an_xlsx_report_name_its_real_sheet(tmp_path):
    wb = Workbook()
    wb.active.title = "Caseload export"
    for row in ROWS:
        wb.active.append(row)
    wb.save(tmp_path / "r.xlsx")
    result = invoke(
        tmp_path / "r.xlsx",
        "--worker",
        "Jo Example",
        "--scheme",
        "childrens-social-care",
        "-o",
        tmp_path / "jo.xlsx",
    )
    assert "'Caseload export'" in result.output
