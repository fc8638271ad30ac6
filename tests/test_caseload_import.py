"""Starting a measurement workbook from a case management system's caseload report."""

from __future__ import annotations

import csv

import pytest
from click.testing import CliRunner
from openpyxl import Workbook, load_workbook

from workload_xl.cli import main
from workload_xl.contracts import worker as layout
from workload_xl.services.validate import validate_files

from .bounded_cli import run_cli
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


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-be"])
def test_a_report_saved_as_excels_unicode_text_is_read(tmp_path, encoding):
    """Excel's "Unicode Text" save: UTF-16 with its byte order mark, tab separated (utf-16
    writes the mark in this machine's order; utf-16-be is written here with the mark put
    first by hand). It was refused as holding NUL characters."""
    rows = [r[:] for r in ROWS]
    rows[1][1] = "Zoë Report"
    text = "\r\n".join("\t".join(row) for row in rows) + "\r\n"
    report = tmp_path / "r.txt"
    data = text.encode(encoding)
    report.write_bytes(data if encoding == "utf-16" else b"\xfe\xff" + data)
    out = tmp_path / "jo.xlsx"
    result = invoke(
        report, "--worker", "Jo Example", "--scheme", "childrens-social-care", "-o", out
    )
    assert result.exit_code == 0, result.output
    assert "4 case(s) for Jo Example, 3 matched" in result.output
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


# --- title lines, case-type words, rows without a reference ---------------------------------

TITLES = [["Caseload report"], ["Run on 01/12/2026"], []]


def _import(report, out, *extra):
    return run_cli(
        "import-caseload", report, "--worker", "Jo Example", "-o", out, *extra, cwd=out.parent
    )


def _items_and_refs(out, count):
    sheet = SheetFile(out)
    ws = load_workbook(out)[layout.MEASUREMENT_SHEET]
    items = [ws[sheet.table_cell("item", i)].value for i in range(count)]
    refs = [ws[sheet.table_cell("case_ref", i)].value for i in range(count)]
    return items, refs


@pytest.mark.parametrize("delimiter", [",", ";", "\t"])
def test_a_csv_report_with_title_lines_above_its_headings_is_imported_from_them(
    tmp_path, delimiter
):
    report = write_csv(tmp_path / "caseload.csv", TITLES + ROWS, delimiter=delimiter)
    out = tmp_path / "jo.xlsx"
    result = _import(report, out, "--scheme", "childrens-social-care")
    assert result.returncode == 0, result.output
    # Case ID is on row 4 of the file: the three lines above it are the report's title.
    assert "headings read from row 4 of caseload.csv" in result.stdout
    assert "caseload-title-rows" in result.output
    assert (
        "The headings of caseload.csv are read from row 4 ('Case ID', 'Child name', 'Case type',"
        in " ".join(result.output.split())
    )
    items, refs = _items_and_refs(out, 4)
    assert refs == ["C200001", "C200002", "C200003", "007"]
    assert items == ["Child in need", "Child protection plan", None, "Care proceedings"]
    # The row numbers of later findings count the title lines: the duplicate is row 9.
    assert "row 9 (first on row 5)" in " ".join(result.output.split())


def test_an_xlsx_report_with_title_lines_is_imported_from_its_headings_row(tmp_path):
    wb = Workbook()
    wb.active.title = "Caseload export"
    wb.active["A1"] = "Caseload report"
    wb.active["A2"] = "Run on 01/12/2026"
    for offset, row in enumerate(ROWS):
        for column, value in enumerate(row, start=1):
            wb.active.cell(row=5 + offset, column=column, value=value)
    wb.save(tmp_path / "caseload.xlsx")
    out = tmp_path / "jo.xlsx"
    result = _import(tmp_path / "caseload.xlsx", out, "--scheme", "childrens-social-care")
    assert result.returncode == 0, result.output
    assert "headings read from row 5 of caseload.xlsx" in result.stdout
    text = " ".join(result.output.split())
    assert "The headings of caseload.xlsx (sheet 'Caseload export') are read from row 5" in text
    assert "the 2 line(s) above them are taken as the report's title" in text
    _items, refs = _items_and_refs(out, 4)
    assert refs == ["C200001", "C200002", "C200003", "007"]
    # 'Early Help' is row 8 of the sheet: its finding points at the Case type cell there.
    assert "C8" in result.output and "'Early Help'" in result.output


def test_a_report_lacking_a_column_below_title_lines_names_the_row_it_read(tmp_path):
    rows = [*TITLES, ["Case ID", "Child name", "Worker"], ["C1", "Ava", "Jo Example"]]
    result = _import(
        write_csv(tmp_path / "r.csv", rows),
        tmp_path / "jo.xlsx",
        "--scheme",
        "childrens-social-care",
    )
    assert result.returncode == 1
    text = " ".join(result.output.split())
    assert "caseload-column-missing" in text
    assert (
        "The report has no case type column (the headings are read from row 4: 'Case ID', "
        "'Child name', 'Worker')" in text
    )
    assert "no case reference column" not in text


CSC_WORDS = {
    "CP Plan": "Child protection plan",
    "C.P. plan": "Child protection plan",
    "Child Protection": "Child protection plan",
    "S47 Enquiry": "Child protection enquiry (section 47)",
    "Section 47": "Child protection enquiry (section 47)",
    "section-47 enquiry": "Child protection enquiry (section 47)",
    "CLA": "Looked after child",
    "LAC": "Looked after child",
    "Looked After": "Looked after child",
    "Children in Care": "Looked after child",
    "CIN": "Child in need",
    "Child in Need": "Child in need",
    "CLA Out of Area": "Looked after child, placed out of area",
    "Public Law Outline": "Pre-proceedings (PLO)",
    "Early Help": None,  # no item for it in the scheme: reported, never guessed
    "Private fostering": None,
    "Care Leaver": None,
}
LEAVING_CARE_WORDS = {
    "Relevant Child": "Relevant child (16-17)",
    "Former Relevant": "Former relevant child (18-21)",
    "FRC": "Former relevant child (18-21)",
    "Care Leaver 21-25": "Care leaver 21-25 (on request)",
    "Unaccompanied Asylum Seeking Child": "Unaccompanied asylum-seeking young person",
    "Staying Put": "Staying Put arrangement",
    "University": "Care leaver in higher education",
    "Care Leaver": None,  # no age or status: which item would be a guess
    "Pathway Plan": None,
    "CP Plan": None,  # a children's social care word: not this scheme's
}
FOSTERING_WORDS = {
    "Mainstream Foster Carer": "Foster carer household (supervising)",
    "Family and Friends Carer": "Connected person carer household",
    "Form F Assessment": "Fostering assessment (Form F)",
    "Reg 24": "Connected person assessment (Regulation 24)",
    "Stage 2 Assessment": "Adopter assessment (stage 2)",
    "SGO": "Special guardianship support",
    "Private fostering": None,
    "CLA": None,
}


@pytest.mark.parametrize(
    ("scheme", "words"),
    [
        ("childrens-social-care", CSC_WORDS),
        ("leaving-care", LEAVING_CARE_WORDS),
        ("fostering-adoption", FOSTERING_WORDS),
    ],
)
def test_common_case_type_words_map_to_the_schemes_own_items(tmp_path, scheme, words):
    heading = {"leaving-care": "Status", "fostering-adoption": "Category"}.get(scheme, "Type")
    rows = [["Case ref", heading]] + [[f"R{i}", word] for i, word in enumerate(words)]
    out = tmp_path / "jo.xlsx"
    result = _import(write_csv(tmp_path / "r.csv", rows), out, "--scheme", scheme)
    assert result.returncode == 0, result.output
    items, refs = _items_and_refs(out, len(words))
    assert refs == [f"R{i}" for i in range(len(words))]
    assert dict(zip(words, items, strict=True)) == words
    unmapped = [word for word, item in words.items() if item is None]
    assert result.output.count("caseload-type-unmapped") == len(unmapped)


def test_a_row_without_a_case_reference_is_imported_with_a_warning_at_its_row(tmp_path):
    rows = [r[:] for r in ROWS]
    rows[2][0] = ""  # Ben Report's case, on row 3 of the file, has no reference
    out = tmp_path / "jo.xlsx"
    result = _import(
        write_csv(tmp_path / "caseload.csv", rows), out, "--scheme", "childrens-social-care"
    )
    assert result.returncode == 0, result.output  # a warning: the workbook is written
    text = " ".join(result.output.split())
    rule = "caseload-ref-missing"
    assert f"WARNING A3 {rule}" in text
    assert (
        "Row 3 of caseload.csv has no case reference (case type 'CP'). It is imported with "
        "the reference blank, so the case still counts on the sheet" in text
    )
    assert "Ben Report" not in result.output  # case names stay in the worker's workbook
    items, refs = _items_and_refs(out, 4)
    assert refs == ["C200001", None, "C200003", "007"]
    assert items[1] == "Child protection plan"
    rules = [(f.rule, f.cell) for f in validate_files([out]).report.findings]
    assert sum(rule == "case-ref-missing" for rule, _ in rules) == 1


# --- the service given with --service --------------------------------------------------------


@pytest.fixture(scope="module")
def demo_report(tmp_path_factory, registry):
    """The demo's caseload report (`workload-xl demo` writes it beside the workbooks)."""
    from workload_xl.demo import generate

    folder = tmp_path_factory.mktemp("demo")
    generate(folder, registry, months=1)
    return folder / "caseload-report.csv"


def _import_service(report, out, scheme, service):
    return _import(report, out, "--scheme", scheme, "--service", service, "--period", "2026-10")


def test_a_misspelt_service_is_refused_before_anything_is_written(demo_report, tmp_path):
    out = tmp_path / "jo.xlsx"
    result = _import_service(demo_report, out, "childrens-social-care", "First Respons")
    assert result.returncode == 2, result.output
    text = " ".join(result.output.split())
    assert (
        "Invalid value for --service: the scheme 'childrens-social-care' does not serve the "
        "service 'First Respons'. Did you mean 'First Response'? The services of the scheme "
        "'childrens-social-care': First Response, Safeguarding and Support, Children in Care."
    ) in text
    assert "`workload-xl schemes show childrens-social-care` lists them" in text
    assert not out.exists() and "Wrote" not in text
    result.assert_no_traceback()


def test_a_service_of_another_scheme_is_refused_naming_the_scheme_it_belongs_to(
    demo_report, tmp_path
):
    out = tmp_path / "jo.xlsx"
    result = _import_service(demo_report, out, "leaving-care", "First Response")
    assert result.returncode == 2, result.output
    text = " ".join(result.output.split())
    assert (
        "the service 'First Response' belongs to the scheme 'childrens-social-care', not to "
        "'leaving-care'. The services of the scheme 'leaving-care': Leaving Care. Give "
        "--scheme childrens-social-care" in text
    )
    assert not out.exists()
    typo = _import_service(demo_report, out, "leaving-care", "first respons")
    assert typo.returncode == 2, typo.output
    assert (
        "Did you mean 'First Response'? It is a service of the scheme 'childrens-social-care'."
        in " ".join(typo.output.split())
    )
    assert not out.exists()


def test_the_service_is_written_as_the_scheme_spells_it_and_validates(demo_report, tmp_path):
    out = tmp_path / "jo.xlsx"
    result = _import_service(demo_report, out, "childrens-social-care", "first  response")
    assert result.returncode == 0, result.output
    assert load_workbook(out)[layout.MEASUREMENT_SHEET][
        SheetFile(out).header_cell("service")
    ].value == ("First Response")
    assert "service-unknown" not in {f.rule for f in validate_files([out]).report.findings}
