"""The committed templates are exactly what the generator makes from the schemes today."""

from __future__ import annotations

from pathlib import Path

import pytest
from openpyxl import load_workbook

from workload_xl.contracts import worker as layout
from workload_xl.core.paths import templates_dir
from workload_xl.files.worker_template import write_worker_workbook

TEMPLATES = sorted(templates_dir().glob("worker-*.xlsx"))


def fingerprint(path: Path) -> dict:
    """Everything a user or reader depends on, none of the zip's timestamps."""
    wb = load_workbook(path)
    saved = load_workbook(path, data_only=True)
    sheets = {}
    for ws in wb.worksheets:
        sheets[ws.title] = {
            # the result saved with each formula, which readers that do not recalculate show
            "results": {
                c.coordinate: saved[ws.title][c.coordinate].value
                for row in ws.iter_rows()
                for c in row
                if c.data_type == "f"
            },
            "cells": {
                c.coordinate: (
                    c.value,
                    c.data_type,
                    c.number_format,
                    c.font.b,
                    c.fill.fgColor.rgb,
                    c.protection.locked,
                )
                for row in ws.iter_rows()
                for c in row
                if c.value is not None or c.fill.fill_type
            },
            "names": {n: d.attr_text for n, d in ws.defined_names.items()},
            "tables": {
                t.displayName: (
                    t.ref,
                    [
                        (
                            c.name,
                            c.calculatedColumnFormula.attr_text
                            if c.calculatedColumnFormula
                            else None,
                        )
                        for c in t.tableColumns
                    ],
                )
                for t in ws.tables.values()
            },
            "validations": sorted(
                (str(dv.sqref), dv.type, dv.formula1, dv.formula2, dv.prompt)
                for dv in ws.data_validations.dataValidation
            ),
            "conditional": sorted(
                (str(rng.sqref), tuple(r.formula))
                for rng in ws.conditional_formatting
                for r in rng.rules
            ),
            "widths": {k: v.width for k, v in ws.column_dimensions.items()},
            "print": (
                ws.print_title_rows,
                str(ws.print_area),
                ws.page_setup.orientation,
                ws.page_setup.fitToWidth,
                ws.sheet_properties.pageSetUpPr.fitToPage,
            ),
            "protected": (ws.protection.sheet, ws.protection.insertRows, ws.protection.sort),
        }
    names = {n: d.attr_text for n, d in wb.defined_names.items()}
    return {"sheets": sheets, "names": names}


def test_committed_team_template_matches_what_the_generator_makes(tmp_path):
    from workload_xl.files.team_workbook import write_team_workbook

    fresh = tmp_path / "team.xlsx"
    assert write_team_workbook(fresh, None) == []
    assert fingerprint(templates_dir() / "team.xlsx") == fingerprint(fresh), (
        "templates/team.xlsx is out of date: regenerate it with "
        "`workload-xl template team -o templates/team.xlsx --force`"
    )


def test_committed_jobplan_template_matches_what_the_generator_makes(tmp_path):
    from workload_xl.files.jobplan_workbook import write_jobplan_workbook

    fresh = tmp_path / "jobplan.xlsx"
    assert write_jobplan_workbook(fresh) == []
    assert fingerprint(templates_dir() / "jobplan.xlsx") == fingerprint(fresh), (
        "templates/jobplan.xlsx is out of date: regenerate it with "
        "`workload-xl template jobplan -o templates/jobplan.xlsx --force`"
    )


def test_there_is_a_committed_template_for_every_scheme(registry):
    assert sorted(p.stem.removeprefix("worker-") for p in TEMPLATES) == sorted(registry.ids)


@pytest.mark.parametrize("template", TEMPLATES, ids=lambda p: p.name)
def test_committed_template_matches_what_the_generator_makes(template, registry, tmp_path):
    scheme = registry.get(template.stem.removeprefix("worker-"))
    fresh = tmp_path / template.name
    assert write_worker_workbook(fresh, scheme) == []
    assert fingerprint(template) == fingerprint(fresh), (
        f"{template} is out of date: regenerate it with "
        f"`workload-xl template worker --scheme {scheme.id} -o {template} --force`"
    )


@pytest.mark.parametrize("template", TEMPLATES, ids=lambda p: p.name)
def test_template_prints_one_page_wide_with_the_table_header_repeated(template):
    ws = load_workbook(template)[layout.MEASUREMENT_SHEET]
    assert ws.sheet_properties.pageSetUpPr.fitToPage is True
    assert (ws.page_setup.fitToWidth, ws.page_setup.fitToHeight) == (1, 0)
    assert ws.print_title_rows is not None


@pytest.mark.parametrize("template", TEMPLATES, ids=lambda p: p.name)
def test_template_header_fields_are_sheet_scoped_names_and_rows_live_in_the_table(template):
    wb = load_workbook(template)
    ws = wb[layout.MEASUREMENT_SHEET]
    for field in layout.HEADER_FIELDS + layout.TOTAL_FIELDS:
        assert field.name in ws.defined_names, field.name
    table = ws.tables[layout.TABLE_NAME]
    header_row = [c.value for c in ws[table.ref.split(":")[0][1:]] if c.value]
    assert header_row == [c.header for c in layout.COLUMNS]
    items = [dv for dv in ws.data_validations.dataValidation if dv.formula1 == "=ItemLabels"]
    assert len(items) == 1 and items[0].type == "list"


def test_item_drop_down_offers_exactly_the_scheme_labels(registry):
    template = templates_dir() / "worker-childrens-social-care.xlsx"
    wb = load_workbook(template)
    sheet, ref = next(wb.defined_names["ItemLabels"].destinations)
    labels = [row[0].value for row in wb[sheet][ref.replace("$", "")]]
    assert labels == [item.label for item in registry.get("childrens-social-care").items]


@pytest.mark.parametrize("template", TEMPLATES, ids=lambda p: p.name)
def test_calculated_cells_are_read_only_and_everything_typed_stays_editable(template):
    wb = load_workbook(template)
    ws = wb[layout.MEASUREMENT_SHEET]
    assert ws.protection.sheet and wb[layout.SCHEME_SHEET].protection.sheet
    assert ws.protection.insertRows is False and ws.protection.deleteRows is False
    table = ws.tables[layout.TABLE_NAME]
    top = int(table.ref.split(":")[0][1:])
    for index, column in enumerate(layout.COLUMNS, start=1):
        assert ws.cell(top + 1, index).protection.locked is not column.is_input, column.header
    for field in layout.HEADER_FIELDS + layout.TOTAL_FIELDS:
        _, ref = next(ws.defined_names[field.name].destinations)
        editable = field in layout.HEADER_FIELDS and not field.key.startswith("scheme")
        assert ws[ref.replace("$", "")].protection.locked is not editable, field.name
