"""Every validation rule, each with a sheet that breaks it and the valid sheet that does not.

Workbooks are written to disk, changed the way users change them, saved, and read back; the
flattened findings (cell, field, rule) are compared with literal expectations.
"""

from __future__ import annotations

import pytest
from openpyxl.workbook.defined_name import DefinedName

from workload_xl.contracts import worker as layout
from workload_xl.core.findings import Severity
from workload_xl.core.rules import RULES
from workload_xl.files import worker_template

from .conftest import valid_content


def test_a_valid_sheet_has_no_findings_at_all(make_sheet):
    assert make_sheet().findings() == []


def test_a_valid_sheet_gives_the_measurement_roll_up_needs(make_sheet):
    run = make_sheet().run()
    (m,) = run.measurements
    assert (m.worker, m.team, m.service, str(m.period), m.fte, m.band) == (
        "Jo Example",
        "First Response East",
        "First Response",
        "2026-10",
        0.8,
        "Social worker",
    )
    assert (m.case_count, m.case_points, m.activity_points, m.total_points) == (3, 20, 9, 29)
    assert m.points_per_fte == pytest.approx(29 / 0.8)
    assert [line.case_ref for line in m.lines if line.kind == "case"] == [
        "C100001",
        "C100002",
        "C100003",
    ]
    assert run.exit_code == 0


def _set_header(key, value):
    def change(ws, wb, sheet):
        ws[sheet.header_cell(key)] = value

    return change


def _set_cell(column, line, value):
    def change(ws, wb, sheet):
        ws[sheet.table_cell(column, line)] = value

    return change


HEADER_CASES = [
    # (id, header key, value typed, rule, field)
    ("worker blank", "worker", None, "header-missing", "Worker"),
    ("team blank", "team", "  ", "header-missing", "Team"),
    ("service blank", "service", None, "header-missing", "Service"),
    ("band blank", "band", None, "header-missing", "Experience band"),
    ("manager blank before signing", "manager", None, "header-blank", "Manager"),
    ("date agreed blank before signing", "date_agreed", None, "header-blank", "Date agreed"),
    ("service of another scheme", "service", "Leaving Care", "service-unknown", "Service"),
    ("band not in scheme", "band", "Wizard", "band-unknown", "Experience band"),
    ("FTE blank", "fte", None, "fte-invalid", "FTE"),
    ("FTE zero", "fte", 0, "fte-invalid", "FTE"),
    ("FTE as hours", "fte", 37, "fte-invalid", "FTE"),
    ("FTE as words", "fte", "full time", "fte-invalid", "FTE"),
    ("period blank", "period", None, "period-invalid", "Period"),
    ("period month 13", "period", "2026-13", "period-invalid", "Period"),
    ("period misspelt", "period", "Octobr 2026", "period-invalid", "Period"),
    ("4-week period on a monthly scheme", "period", "2026-P07", "period-invalid", "Period"),
    ("date agreed not a date", "date_agreed", "next Tuesday", "date-invalid", "Date agreed"),
    ("scheme unknown", "scheme_id", "adult-care", "scheme-unknown", "Scheme"),
    ("scheme blank", "scheme_id", None, "header-missing", "Scheme"),
    ("scheme version old", "scheme_version", "2025.1", "scheme-version-mismatch", "Scheme version"),
]


@pytest.mark.parametrize(
    ("key", "value", "rule", "field"),
    [c[1:] for c in HEADER_CASES],
    ids=[c[0] for c in HEADER_CASES],
)
def test_each_header_mistake_is_found_at_its_cell(make_sheet, key, value, rule, field):
    sheet = make_sheet().edit(_set_header(key, value))
    found = sheet.findings()
    if rule == "scheme-unknown" or (rule == "header-missing" and key == "scheme_id"):
        # without a scheme the items cannot be checked; the sheet still reports the cause
        found = [f for f in found if f[2] in (rule,)]
    assert found == [(sheet.header_cell(key), field, rule)]


@pytest.mark.parametrize("period", ["2026-10", "Oct 2026", "10/2026", "october 2026"])
def test_periods_typed_in_common_forms_are_accepted(make_sheet, period):
    sheet = make_sheet().edit(_set_header("period", period))
    assert sheet.findings() == []
    assert str(sheet.run().measurements[0].period) == "2026-10"


def test_a_month_excel_turned_into_a_date_is_accepted(make_sheet):
    import datetime as dt

    sheet = make_sheet().edit(_set_header("period", dt.datetime(2026, 10, 1)))
    assert sheet.findings() == []


def test_four_week_schemes_take_four_week_periods(make_sheet):
    content = valid_content()
    content.header.update(service="Leaving Care", period="2026-P07", band="Personal adviser")
    content.lines = [
        {"case_ref": "L1", "item": "Former relevant child (18-21)", "agreed_points": 4}
    ]
    sheet = make_sheet(content, scheme_id="leaving-care")
    assert sheet.findings() == []
    sheet.edit(_set_header("period", "2026-10"))
    assert sheet.findings() == [(sheet.header_cell("period"), "Period", "period-invalid")]


ROW_CASES = [
    # (id, column, line, value, rule, field)
    ("item not in scheme", "item", 0, "Child in ned", "item-unknown", "Item"),
    ("points blank", "agreed_points", 0, None, "points-missing", "Agreed points"),
    ("points in words", "agreed_points", 0, "five", "points-not-number", "Agreed points"),
    ("points an error value", "agreed_points", 0, "#N/A", "points-not-number", "Agreed points"),
    ("points negative", "agreed_points", 0, -2, "points-negative", "Agreed points"),
    ("points above range", "agreed_points", 0, 25, "points-out-of-range", "Agreed points"),
    ("points below range", "agreed_points", 1, 2, "points-out-of-range", "Agreed points"),
    (
        "activity above range for its quantity",
        "agreed_points",
        3,
        10,
        "points-out-of-range",
        "Agreed points",
    ),
    ("points adjusted in range", "agreed_points", 0, 7, "points-adjusted", "Agreed points"),
    ("points typed as text", "agreed_points", 0, " 5 ", "number-as-text", "Agreed points"),
    ("quantity in words", "quantity", 3, "three", "quantity-invalid", "Quantity"),
    ("quantity zero", "quantity", 3, 0, "quantity-invalid", "Quantity"),
    ("case with no reference", "case_ref", 1, None, "case-ref-missing", "Case reference"),
    (
        "case reference typed twice",
        "case_ref",
        2,
        "C100001",
        "case-ref-duplicate",
        "Case reference",
    ),
]


@pytest.mark.parametrize(
    ("column", "line", "value", "rule", "field"),
    [c[1:] for c in ROW_CASES],
    ids=[c[0] for c in ROW_CASES],
)
def test_each_row_mistake_is_found_at_its_cell(make_sheet, column, line, value, rule, field):
    sheet = make_sheet().edit(_set_cell(column, line, value))
    assert sheet.findings() == [(sheet.table_cell(column, line), field, rule)]


def test_a_row_with_points_but_no_item_is_found(make_sheet):
    sheet = make_sheet().edit(_set_cell("item", 1, None))
    assert sheet.findings() == [(sheet.table_cell("item", 1), "Item", "item-missing")]


def test_an_unknown_item_message_suggests_the_closest_label(make_sheet):
    sheet = make_sheet().edit(_set_cell("item", 0, "Child in ned"))
    (found,) = sheet.run().report.findings
    assert "Did you mean 'Child in need'?" in found.message


@pytest.mark.parametrize(
    ("typed", "meant"),
    [
        ("Child in neeed", "Child in need"),  # a letter doubled
        ("Chlid protection plan", "Child protection plan"),  # two letters swapped
        ("Child protection plans", "Child protection plan"),  # a plural
        ("Duty days", "Duty day"),
        ("Looked after children", "Looked after child"),
        ("Training", "Training day"),  # a word short: 0.8 alike, its one word shared
        ("Project group", "Project or working group"),  # both its words shared
    ],
)
def test_a_near_miss_gets_the_label_it_was_meant_to_be(make_sheet, typed, meant):
    sheet = make_sheet().edit(_set_cell("item", 0, typed))
    (found,) = sheet.run().report.findings
    assert found.message == (
        "The item typed here is not an item of the scheme 'childrens-social-care'. "
        f"Did you mean '{meant}'?"
    )


@pytest.mark.parametrize(
    "typed",
    [
        "Core group meeting",  # 0.65 alike to 'Care proceedings' by letters, no word shared
        "Care planning meeting",  # one word of three shared with 'Care proceedings'
        "CP plan",
        "Ava Smith",  # a child's name typed in the wrong column
    ],
)
def test_an_item_close_to_no_label_gets_no_suggestion(make_sheet, typed):
    sheet = make_sheet().edit(_set_cell("item", 0, typed))
    (found,) = sheet.run().report.findings
    assert found.message == (
        "The item typed here is not an item of the scheme 'childrens-social-care'. "
        "Pick an item from the list."
    )


@pytest.mark.parametrize(
    ("typed", "hint"),
    [
        ("CIN", "CIN is the code of 'Child in need'"),
        ("Child  in need", "differs from 'Child in need' only in spacing"),
        ("Child\u00a0in need", "differs from 'Child in need' only in spacing"),
    ],
)
def test_items_are_matched_as_the_sheets_own_formulas_match_them(make_sheet, typed, hint):
    """Python must not count a row that the sheet's MATCH leaves out of its totals."""
    sheet = make_sheet().edit(_set_cell("item", 0, typed))
    assert sheet.findings() == [(sheet.table_cell("item", 0), "Item", "item-unknown")]
    assert hint in sheet.run().report.findings[0].message


def test_item_labels_ignore_letter_case_as_match_does(make_sheet):
    assert make_sheet().edit(_set_cell("item", 0, "CHILD IN NEED")).findings() == []


def test_a_formula_without_a_saved_result_is_shown_as_typed(make_sheet):
    sheet = make_sheet().edit(_set_cell("agreed_points", 0, "=2+3"))
    assert sheet.findings() == [
        (sheet.table_cell("agreed_points", 0), "Agreed points", "points-not-number")
    ]
    assert "'=2+3'" in sheet.run().report.findings[0].message


def test_measurements_carry_case_references_but_never_case_names(make_sheet):
    (m,) = make_sheet().run().measurements
    assert "Ava Test" not in repr(m)
    assert "C100001" in repr(m)


def test_every_problem_is_collected_in_one_pass(make_sheet):
    def many(ws, wb, sheet):
        ws[sheet.header_cell("fte")] = 2
        ws[sheet.table_cell("agreed_points", 0)] = "five"
        ws[sheet.table_cell("case_ref", 1)] = None
        ws[sheet.table_cell("item", 2)] = "Nonsense"

    sheet = make_sheet().edit(many)
    assert sheet.findings() == [
        (sheet.header_cell("fte"), "FTE", "fte-invalid"),
        (sheet.table_cell("agreed_points", 0), "Agreed points", "points-not-number"),
        (sheet.table_cell("case_ref", 1), "Case reference", "case-ref-missing"),
        (sheet.table_cell("item", 2), "Item", "item-unknown"),
    ]


def test_text_typed_below_or_beside_the_table_is_reported_as_ignored(make_sheet):
    def stray(ws, wb, sheet):
        below = sheet.table_cell("item", layout.DEFAULT_TABLE_ROWS + 2)
        ws[below] = "Also covering duty"
        beside = "K" + sheet.table_cell("item", 0)[1:]
        ws[beside] = 4
        stray.cells = [below, beside]

    sheet = make_sheet().edit(stray)
    assert sorted(sheet.findings()) == sorted((c, "", "outside-table") for c in stray.cells)
    assert all(f.severity is Severity.WARNING for f in sheet.run().report.findings)


def test_a_total_typed_over_with_a_wrong_number_is_a_mismatch(make_sheet):
    sheet = make_sheet().edit(lambda ws, wb, s: ws.__setitem__(s.total_cell("total_points"), 99))
    assert sheet.findings() == [
        (sheet.total_cell("total_points"), "Total points", "total-mismatch")
    ]
    (found,) = sheet.run().report.findings
    assert "99" in found.message and "29" in found.message


def test_a_total_typed_over_with_the_right_number_still_warns_it_will_not_update(make_sheet):
    sheet = make_sheet().edit(lambda ws, wb, s: ws.__setitem__(s.total_cell("total_points"), 29))
    assert sheet.findings() == [
        (sheet.total_cell("total_points"), "Total points", "total-not-formula")
    ]


def test_a_total_formula_edited_to_miss_rows_is_reported(make_sheet):
    def shrink(ws, wb, sheet):
        first = sheet.table_cell("agreed_points", 0)
        ws[sheet.total_cell("total_points")] = f"=SUM({first}:{first[0]}{int(first[1:]) + 1})"

    sheet = make_sheet().edit(shrink)
    assert sheet.findings() == [
        (sheet.total_cell("total_points"), "Total points", "total-not-formula")
    ]


def test_a_deleted_defined_name_is_reported_by_name(make_sheet):
    sheet = make_sheet().edit(lambda ws, wb, s: ws.defined_names.pop("FTE"))
    assert sheet.findings() == [("", "FTE", "name-missing")]


def test_a_workbook_scoped_name_is_found_when_the_sheet_name_is_gone(make_sheet):
    def rescope(ws, wb, sheet):
        name = ws.defined_names.pop("FTE")
        wb.defined_names["FTE"] = DefinedName("FTE", attr_text=name.attr_text)

    assert make_sheet().edit(rescope).findings() == []


def test_a_sheet_not_made_from_the_template_gets_one_name_finding_not_ten(make_sheet):
    def strip(ws, wb, sheet):
        for field in layout.HEADER_FIELDS:
            ws.defined_names.pop(field.name)

    found = make_sheet().edit(strip).findings()
    assert found == [("", "", "name-missing")]


def test_a_renamed_required_column_is_reported(make_sheet):
    def rename(ws, wb, sheet):
        address = sheet.table_cell("agreed_points", -1)
        ws[address] = "Points"
        table = ws.tables[layout.TABLE_NAME]
        for column in table.tableColumns:
            if column.name == "Agreed points":
                column.name = "Points"

    assert make_sheet().edit(rename).findings() == [("", "Agreed points", "column-missing")]


def test_checking_against_another_scheme_says_the_sheet_names_a_different_one(make_sheet):
    sheet = make_sheet()
    found = sheet.findings(scheme_id="leaving-care")
    assert (sheet.header_cell("scheme_id"), "Scheme", "scheme-mismatch") in found


def test_the_reader_finds_everything_by_names_wherever_the_template_put_it(make_sheet, monkeypatch):
    """A user who inserts rows above the table moves every address; nothing may break."""
    usual = make_sheet().run()
    monkeypatch.setattr(worker_template, "HEADER_FIRST_ROW", 9)
    monkeypatch.setattr(worker_template, "TABLE_HEADER_ROW", 27)
    moved = make_sheet()
    assert moved.table_cell("item", 0) == "C28"
    moved_run = moved.run()
    assert moved_run.report.findings == []
    a, b = usual.measurements[0], moved_run.measurements[0]
    assert (a.total_points, a.case_count, a.fte, a.period) == (
        b.total_points,
        b.case_count,
        b.fte,
        b.period,
    )
    broken = moved.edit(_set_cell("agreed_points", 0, -1))
    assert broken.findings() == [("H28", "Agreed points", "points-negative")]


def test_user_text_starting_with_equals_is_written_as_text_not_a_formula(make_sheet):
    content = valid_content()
    content.lines[0]["case_name"] = '=HYPERLINK("http://example.invalid","x")'
    sheet = make_sheet(content)
    from openpyxl import load_workbook

    ws = load_workbook(sheet.path)[layout.MEASUREMENT_SHEET]
    cell = ws[sheet.table_cell("case_name", 0)]
    assert cell.data_type == "s"
    assert cell.value == content.lines[0]["case_name"]


def test_every_rule_has_a_test_that_names_it():
    """A rule without a broken example is a rule nobody has seen fire."""
    import pathlib

    text = "\n".join(p.read_text() for p in pathlib.Path(__file__).parent.glob("test_*.py"))
    untested = sorted(r for r in RULES if f'"{r}"' not in text)
    assert untested == []


@pytest.mark.parametrize(
    ("key", "message"),
    [
        ("worker", "Worker is blank. Type the worker's full name."),
        ("team", "Team is blank. Type the team's name as the performance team knows it."),
        (
            "manager",
            "Manager is blank. Once the points are agreed, type the name of the manager who "
            "agreed them.",
        ),
        (
            "date_agreed",
            "Date agreed is blank. Once the points are agreed, type the date worker and "
            "manager agreed them, e.g. 2026-10-28.",
        ),
    ],
)
def test_a_blank_header_field_is_said_once_as_an_instruction(make_sheet, key, message):
    """The field's description (Excel's prompt) is not repeated after the instruction, as in
    'Manager is blank: fill it in when the points are agreed. The manager who agreed the
    points.'"""
    sheet = make_sheet().edit(lambda ws, wb, s: ws.__setitem__(s.header_cell(key), None))
    (found,) = sheet.run().report.findings
    assert found.message == message
    assert layout.HEADER_BY_KEY[key].hint not in found.message
