"""The totals' formulas read the sheet's own rows, an older template's are still accepted over
the sheet's own table, and a row without its calculated-column formulas is its own finding.

Edits are made with openpyxl on workbooks the tool wrote (LibreOffice's own saves, copies and
inserted rows are in test_libreoffice_saves.py)."""

from __future__ import annotations

from workload_xl.contracts import worker as layout

TOTAL_POINTS = "D10"  # the template's TotalPoints cell


def test_the_totals_use_plain_addresses_over_the_table_rows(make_sheet):
    sheet = make_sheet()
    formulas = layout.total_formulas(layout.TEMPLATE_LETTERS, 15, 54)
    assert formulas["scheme_points"] == "=SUM($G$15:$G$54)"
    assert formulas["case_count"] == '=COUNTIFS($F$15:$F$54,"case")'
    assert "WorkItems" not in "".join(formulas.values())
    assert sheet.findings() == []


def test_an_older_templates_total_over_the_sheets_own_table_is_accepted(make_sheet):
    def older(ws, wb, _):
        ws[TOTAL_POINTS] = "=SUM(WorkItems_2[Agreed points])"
        table = ws.tables["WorkItems"]
        table.displayName = table.name = "WorkItems_2"

    sheet = make_sheet().edit(older)
    assert sheet.findings() == []  # cached values are absent: nothing to compare


def test_a_total_reading_another_sheets_table_gives_this_sheets_formula(make_sheet):
    def copied(ws, wb, _):  # what LibreOffice leaves in a copy of an older template
        ws[TOTAL_POINTS] = "=SUM(WorkItems[Agreed points])"
        table = ws.tables["WorkItems"]
        table.displayName = table.name = "WorkItems_2"

    sheet = make_sheet().edit(copied)
    ((rule, message),) = [(f.rule, f.message) for f in sheet.run().report.findings]
    assert rule == "total-not-formula"
    assert "SUM(WorkItems[Agreed points])" in message
    assert "Put back =CasePoints+ActivityPoints" in message


def test_a_changed_range_is_reported_with_the_range_of_this_sheets_table(make_sheet):
    def shortened(ws, wb, _):
        ws["D11"] = "=SUM($G$15:$G$40)"  # leaves rows 41 to 54 out

    (f,) = make_sheet().edit(shortened).run().report.findings
    assert (f.rule, f.cell) == ("total-not-formula", "D11")
    assert "Put back =SUM($G$15:$G$54)" in f.message


def test_a_row_without_its_formulas_is_its_own_finding(make_sheet):
    def pasted_over(ws, wb, _):  # row 17 (Looked after child) loses its calculated cells
        for letter in ("E", "F", "G"):
            ws[f"{letter}17"] = None

    (f,) = make_sheet().edit(pasted_over).run().report.findings
    assert (f.rule, f.cell, f.severity) == ("row-formulas-missing", "E17", "error")
    assert "Row 17 has no formulas in 'Unit', 'Kind' and 'Scheme points'" in f.message
    assert "Copy the formulas down from the row above" in f.message


def test_an_empty_row_without_formulas_is_not_reported(make_sheet):
    def cleared(ws, wb, _):
        for letter in ("E", "F", "G"):
            ws[f"{letter}40"] = None

    assert make_sheet().edit(cleared).findings() == []
