"""Writes the worker measurement workbook from a scheme, with openpyxl (files edge).

Everything about where things go comes from `layout`; this module only turns that description
into cells, names, a table, drop-downs and print settings. Native formulas stay in the sheet so
it works where Python is absent; Python never reads them back as truth.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.formatting.rule import FormulaRule
from openpyxl.styles import Alignment, PatternFill
from openpyxl.utils import get_column_letter, quote_sheetname
from openpyxl.workbook.defined_name import DefinedName
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.table import Table, TableStyleInfo

from workload_xl.contracts import worker as layout
from workload_xl.core.cells import absolute
from workload_xl.core.findings import Finding
from workload_xl.core.measurement import MOST_UNITS
from workload_xl.core.schemes import Scheme, SchemeRegistry
from workload_xl.core.validation import validate_sheet
from workload_xl.core.values import FTE_MAX, FTE_MIN, clean_text, read_number
from workload_xl.files import cached_values
from workload_xl.files.atomic import write_atomically
from workload_xl.files.printing import (
    PrintLayout,
    apply_print_layout,
    fit_wrapped_rows,
    freeze_below,
)
from workload_xl.files.style import (
    BOLD,
    BOX,
    CALC_FILL,
    INPUT_FILL,
    NOTE,
    TITLE,
    UNLOCKED,
    StyleStamps,
    add_table,
    free_sheet_title,
    number_at_least,
    put,
    set_value,
)
from workload_xl.files.worker_reader import OpenpyxlBook

TITLE_ROW = 1
HEADER_FIRST_ROW = 4
TABLE_HEADER_ROW = layout.TEMPLATE_FIRST_ROW - 1  # 14

_RANGE_FILL = PatternFill("solid", fgColor="F8CBAD")
_TOP_WRAPPED = Alignment(wrap_text=True, vertical="top")
_TOP = Alignment(vertical="top")
_WRAPPED_COLUMNS = frozenset({"case_name", "item", "notes"})
"""The table's columns whose text may be longer than the column is wide: they wrap, and the
rows written with text get the height it needs (rows typed into later grow as Excel fits them)."""

MEASUREMENT_PRINT = PrintLayout(
    orientation="portrait",
    title_rows=(TABLE_HEADER_ROW, TABLE_HEADER_ROW),
    footer="Worker signature: ____________   Manager signature: ____________",
    narrow_margins=True,
)
"""Portrait, so that a normal sheet, its spare rows included, prints on one page to sign.

The table's empty rows hold formulas (Unit, Kind, Scheme points) and the table's banding, so
Excel and LibreOffice count them as used and print them: they cannot be left off the page, and
a fixed print area would leave off the rows a user adds. On a landscape page, fitted one page
wide, the title, header and the 40 rows of a template took two pages, the second all empty
rows; on a portrait page with narrow margins, fitted one page wide (about 70%), they fill about four
fifths of one page, leaving room for rows whose text wraps (docs/workbook-format.md,
Printing). A longer table goes on to more pages, its heading repeated."""

SCHEME_PRINT = PrintLayout(orientation="landscape", title_rows=(1, 1))
"""The Scheme sheet's three tables stand side by side: landscape, one page wide."""


@dataclass
class WorkerSheetContent:
    """What to pre-fill: header values by layout key, and table rows by column key."""

    header: dict[str, Any] = field(default_factory=dict)
    lines: list[dict[str, Any]] = field(default_factory=list)


def build_worker_workbook(
    scheme: Scheme,
    content: WorkerSheetContent | None = None,
    *,
    rows: int = layout.DEFAULT_TABLE_ROWS,
) -> Workbook:
    wb = Workbook()
    wb.remove(wb.active)
    add_measurement_sheet(wb, scheme, content, rows=rows, title=layout.MEASUREMENT_SHEET)
    wb.properties.creator = "workload-xl"
    wb.properties.title = f"Workload measurement sheet ({scheme.title})"
    return wb


def build_team_of_worker_sheets(
    scheme: Scheme, contents: Iterable[WorkerSheetContent], *, rows: int = layout.DEFAULT_TABLE_ROWS
) -> Workbook:
    """One workbook holding one measurement sheet per worker, each on a tab of its own."""
    wb = Workbook()
    wb.remove(wb.active)
    for content in contents:
        add_measurement_sheet(wb, scheme, content, rows=rows)
    wb.properties.creator = "workload-xl"
    wb.properties.title = f"Workload measurement sheets ({scheme.title})"
    return wb


def add_measurement_sheet(
    wb: Workbook,
    scheme: Scheme,
    content: WorkerSheetContent | None = None,
    *,
    rows: int = layout.DEFAULT_TABLE_ROWS,
    title: str | None = None,
):
    """Add a measurement sheet, with the Scheme sheet it looks items up on if there is none.

    Each sheet gets its own table (WorkItems, WorkItems2, ...: Excel wants table names unique in
    a workbook) and sheet-scoped names, so many workers' sheets can share one workbook.
    """
    content = content or WorkerSheetContent()
    rows = max(rows, len(content.lines) + 5)
    if layout.SCHEME_SHEET not in wb.sheetnames:
        _write_scheme_sheet(wb, wb.create_sheet(layout.SCHEME_SHEET), scheme)
    worker = str(content.header.get("worker") or "")
    position = len(_measurement_sheets(wb))  # after the other workers' tabs, before Scheme
    ws = wb.create_sheet(
        free_sheet_title(title or worker or layout.MEASUREMENT_SHEET, wb.sheetnames), position
    )
    ws.sheet_properties.tabColor = "5B9BD5"
    table = _free_table_name(wb)
    header = {"scheme_id": scheme.id, "scheme_version": scheme.version}
    if len(scheme.services) == 1:
        header["service"] = scheme.services[0]
    header.update({k: v for k, v in content.header.items() if v is not None})
    _write_title(ws, scheme)
    _write_header(ws, header)
    _write_totals(ws, rows)
    _write_table(ws, rows, content.lines, table)
    _write_validations(ws, rows)
    _write_page_setup(ws)
    _protect_calculations(ws)
    _remember_results(ws, scheme, table)
    return ws


def _measurement_sheets(wb: Workbook) -> list:
    return [
        ws for ws in wb.worksheets if any(name.startswith(layout.TABLE_NAME) for name in ws.tables)
    ]


def _free_table_name(wb: Workbook) -> str:
    taken = {name.casefold() for ws in wb.worksheets for name in ws.tables}
    name, n = layout.TABLE_NAME, 2
    while name.casefold() in taken:
        name, n = f"{layout.TABLE_NAME}{n}", n + 1
    return name


_LETTERS = layout.TEMPLATE_LETTERS  # the table starts in column A


def write_worker_workbook(
    path: Path,
    scheme: Scheme,
    content: WorkerSheetContent | None = None,
    *,
    rows: int = layout.DEFAULT_TABLE_ROWS,
    force: bool = False,
) -> list[Finding]:
    wb = build_worker_workbook(scheme, content, rows=rows)
    return write_atomically(path, lambda temp: cached_values.save(wb, temp), force=force)


# --- the measurement sheet -----------------------------------------------------------------


def _write_title(ws, scheme: Scheme) -> None:
    ws.cell(TITLE_ROW, 1, "Workload measurement sheet").font = TITLE
    ws.cell(
        TITLE_ROW + 1,
        1,
        f"{scheme.title}, version {scheme.version}. "
        "The points inform a discussion; there is no maximum.",
    ).font = NOTE


def _header_cells() -> dict[str, tuple[int, int]]:
    """Header fields in two blocks: who and when (A:B), the scheme and totals (C:D)."""
    left = [f for f in layout.HEADER_FIELDS if not f.key.startswith("scheme")]
    places = {f.key: (HEADER_FIRST_ROW + i, 2) for i, f in enumerate(left)}
    places["scheme_id"] = (HEADER_FIRST_ROW, 4)
    places["scheme_version"] = (HEADER_FIRST_ROW + 1, 4)
    return places


def _name_on_sheet(ws, name: str, row: int, column: int) -> None:
    ref = f"{quote_sheetname(ws.title)}!{absolute((row, column))}"
    ws.defined_names[name] = DefinedName(name, attr_text=ref)


def _write_header(ws, values: Mapping[str, Any]) -> None:
    for key, (row, column) in _header_cells().items():
        spec = layout.HEADER_BY_KEY[key]
        label = ws.cell(row, column - 1, spec.label)
        label.font = BOLD
        label.alignment = Alignment(horizontal="right")
        cell = ws.cell(row, column)
        set_value(cell, values.get(key))
        cell.number_format = spec.number_format
        cell.border = BOX
        if key.startswith("scheme"):
            cell.fill = CALC_FILL
        else:
            cell.fill = INPUT_FILL
            cell.protection = UNLOCKED
        _name_on_sheet(ws, spec.name, row, column)


def _write_totals(ws, rows: int) -> None:
    """The totals, over the table's rows by plain addresses on this sheet (no table name), so
    a copy of the sheet counts its own rows (contracts.worker.total_formula)."""
    first = HEADER_FIRST_ROW + 3
    formulas = layout.total_formulas(_LETTERS, TABLE_HEADER_ROW + 1, TABLE_HEADER_ROW + rows)
    for offset, total in enumerate(layout.TOTAL_FIELDS):
        row = first + offset
        label = ws.cell(row, 3, total.label)
        label.font = BOLD
        label.alignment = Alignment(horizontal="right")
        cell = ws.cell(row, 4, formulas[total.key])
        cell.number_format = total.number_format
        cell.fill = CALC_FILL
        cell.border = BOX
        cell.font = BOLD
        _name_on_sheet(ws, total.name, row, 4)


def _write_table(ws, rows: int, lines: Iterable[Mapping[str, Any]], table_name: str) -> None:
    top = TABLE_HEADER_ROW
    last_row = top + rows
    columns = layout.COLUMNS
    for index, column in enumerate(columns, start=1):
        cell = ws.cell(top, index, column.header)
        cell.font = BOLD
        cell.alignment = _TOP_WRAPPED
        ws.column_dimensions[get_column_letter(index)].width = column.width
    lines = list(lines)
    stamps = StyleStamps({index: _table_look(column) for index, column in enumerate(columns, 1)})
    for r in range(top + 1, last_row + 1):
        line = lines[r - top - 1] if r - top - 1 < len(lines) else {}
        for index, column in enumerate(columns, start=1):
            cell = ws.cell(r, index)
            if column.formula:
                cell.value = layout.row_formula(column, _LETTERS, r)
            else:
                set_value(cell, line.get(column.key))
            stamps.apply(cell, index)
    add_table(
        ws,
        table_name,
        top,
        last_row,
        [(c.header, c.formula and layout.row_formula(c, _LETTERS, top + 1)) for c in columns],
        "TableStyleLight9",
    )
    fit_wrapped_rows(ws, range(top, top + len(lines) + 1))
    freeze_below(ws, top + 1)


def _table_look(column) -> dict[str, Any]:
    """A table column's look: calculated grey and locked, or an unlocked input."""
    return {
        "fill" if column.formula else "protection": CALC_FILL if column.formula else UNLOCKED,
        "number_format": column.number_format,
        "alignment": _TOP_WRAPPED if column.key in _WRAPPED_COLUMNS else _TOP,
    }


def _remember_results(ws, scheme: Scheme, table: str) -> None:
    """Python's figure for every formula of the sheet, as the core validates what was written
    (the rows and header read back through the worker contract, as any reader reads them), so
    a reader that does not recalculate sees what Excel shows (files.cached_values)."""
    book = OpenpyxlBook(ws.title, ws.parent)  # just built: no saved results yet
    data = layout.sheet_data(book, ws.title, book.table(ws, ws.tables[table]))
    measurement = validate_sheet(data, SchemeRegistry([scheme]), scheme.id).measurement
    figures = {
        "case_count": measurement.case_count,
        "case_points": measurement.case_points,
        "activity_points": measurement.activity_points,
        "total_points": measurement.total_points,
        "scheme_points": sum(line.scheme_points for line in measurement.lines),
        "points_per_fte": _or_empty(measurement.points_per_fte),
    }
    for key, total in data.totals.items():
        cached_values.remember(ws, total.address, figures[key])
    lines = {line.row: line for line in measurement.lines}
    for row in data.rows:
        item_text = clean_text(row.values.get("item"))
        item = scheme.item_by_label(str(row.values.get("item"))) if item_text else None
        line = lines.get(row.row)
        results = {"unit": "", "kind": "", "scheme_points": ""}
        if item_text and item is None:
            results["unit"] = "unknown item"
        elif item is not None:
            results["unit"], results["kind"] = item.unit, item.kind
            results["scheme_points"] = (
                line.scheme_points if line is not None and _quantity_read(row) else None
            )
        for key, value in results.items():
            if key in data.columns:
                cached_values.remember(ws, data.address(row, key), value)


def _quantity_read(row) -> bool:
    """Whether validation took the row's quantity as typed (blank, or a number above 0 and
    within MOST_UNITS): otherwise Python has no figure of its own for the scheme points."""
    number = read_number(row.values.get("quantity"))
    return number.status == "blank" or (number.value is not None and 0 < number.value <= MOST_UNITS)


def _or_empty(value):
    """A figure, or the empty text a formula shows where there is none (no FTE)."""
    return "" if value is None else value


def _letter(key: str) -> str:
    return get_column_letter(list(layout.COLUMN_BY_KEY).index(key) + 1)


def _column_range(key: str, rows: int) -> str:
    letter = _letter(key)
    return f"{letter}{TABLE_HEADER_ROW + 1}:{letter}{TABLE_HEADER_ROW + rows}"


def _write_validations(ws, rows: int) -> None:
    def add(dv: DataValidation, ref: str, title: str, prompt: str) -> None:
        dv.promptTitle, dv.prompt = title[:32], prompt[:255]
        dv.showInputMessage = True
        dv.add(ref)
        ws.add_data_validation(dv)

    item = DataValidation(
        type="list",
        formula1="=ItemLabels",
        allow_blank=True,
        showErrorMessage=True,
        errorTitle="Not an item of this scheme",
        error="Pick an item from the list. Ask your manager if none fits.",
    )
    add(item, _column_range("item", rows), "Item", layout.COLUMN_BY_KEY["item"].hint)
    points = number_at_least("0", "Points are a number", "Type a number, 0 or more.")
    add(
        points,
        _column_range("agreed_points", rows),
        "Agreed points",
        layout.COLUMN_BY_KEY["agreed_points"].hint,
    )
    quantity = DataValidation(
        type="decimal",
        operator="greaterThan",
        formula1="0",
        allow_blank=True,
        showErrorMessage=True,
        errorTitle="Quantity",
        error="Type a number above 0.",
    )
    add(
        quantity, _column_range("quantity", rows), "Quantity", layout.COLUMN_BY_KEY["quantity"].hint
    )

    places = _header_cells()

    def header_ref(key: str) -> str:
        row, column = places[key]
        return f"{get_column_letter(column)}{row}"

    fte = DataValidation(
        type="decimal",
        operator="between",
        formula1=f"{FTE_MIN:g}",  # the one FTE range (measurement.py), as Excel checks it
        formula2=f"{FTE_MAX:g}",
        allow_blank=True,
        showErrorMessage=True,
        errorTitle="FTE",
        error="FTE is above 0 and at most 1, e.g. 0.6 for three days a week.",
    )
    add(fte, header_ref("fte"), "FTE", layout.HEADER_BY_KEY["fte"].hint)
    for key, name in (("band", layout.BAND_LABELS_NAME), ("service", layout.SERVICE_NAMES_NAME)):
        dv = DataValidation(
            type="list",
            formula1=f"={name}",
            allow_blank=True,
            showErrorMessage=True,
            errorTitle=layout.HEADER_BY_KEY[key].label,
            error="Pick from the list.",
        )
        add(dv, header_ref(key), layout.HEADER_BY_KEY[key].label, layout.HEADER_BY_KEY[key].hint)
    date = DataValidation(
        type="date",
        operator="greaterThan",
        formula1="36526",
        allow_blank=True,
        showErrorMessage=True,
        errorTitle="Date agreed",
        error="Type a date, e.g. 2026-10-28.",
    )
    add(date, header_ref("date_agreed"), "Date agreed", layout.HEADER_BY_KEY["date_agreed"].hint)

    # Out-of-range agreed points turn orange even where Python is absent.
    first = TABLE_HEADER_ROW + 1
    item, quantity, points = (
        f"${_letter(key)}{first}" for key in ("item", "quantity", "agreed_points")
    )

    def bound(name: str) -> str:
        return f'INDEX({name},MATCH({item},ItemLabels,0))*IF({quantity}="",1,{quantity})'

    rule = FormulaRule(
        formula=[
            f"IFERROR(AND(ISNUMBER({points}),OR({points}<{bound('ItemMins')},"
            f"{points}>{bound('ItemMaxes')})),FALSE)"
        ],
        fill=_RANGE_FILL,
    )
    ws.conditional_formatting.add(_column_range("agreed_points", rows), rule)


def _protect_calculations(ws) -> None:
    """Make the calculated cells read-only while everything a user types stays editable.

    Rows can still be inserted, deleted, filtered and formatted. Sorting is let through too,
    but Excel and LibreOffice refuse to sort a range holding locked cells (the calculated
    columns), so sorting needs the sheet unprotected (docs/workbook-format.md says so). There
    is no password: a manager who must change the layout can unprotect the sheet (Review >
    Unprotect Sheet).
    """
    protection = ws.protection
    protection.sheet = True
    for action in (
        "formatCells",
        "formatColumns",
        "formatRows",
        "insertRows",
        "deleteRows",
        "sort",
        "autoFilter",
    ):
        setattr(protection, action, False)  # False: this action stays allowed


def _write_page_setup(ws) -> None:
    """No fixed print area: Excel prints the used range, so rows added later print too."""
    apply_print_layout(ws, MEASUREMENT_PRINT)


# --- the Scheme sheet ----------------------------------------------------------------------

_SCHEME_COLUMNS = ("Code", "Label", "Kind", "Unit", "Points", "Min", "Max", "Description")
_SCHEME_WIDTHS = (14, 36, 9, 11, 8, 6, 6, 26, 2, 26, 15, 2, 24)
"""Columns A to M: the items (A:H), a gap, the bands (J:K), a gap, the services (M)."""


def _write_scheme_sheet(wb: Workbook, ws, scheme: Scheme) -> None:
    """Reference data for the lookups; protected because editing it here changes nothing."""
    # Scheme text comes from a file an admin edits: every cell goes through the text guard,
    # so a label starting with "=" stays text.
    rows = [_SCHEME_COLUMNS] + [
        (i.code, i.label, i.kind, i.unit, i.points, i.min, i.max, i.description)
        for i in scheme.items
    ]
    for row, values in enumerate(rows, start=1):
        for column, value in enumerate(values, start=1):
            put(ws, row, column, value)
    last = len(scheme.items) + 1
    _add_plain_table(ws, layout.SCHEME_ITEMS_TABLE, f"A1:H{last}")
    sheet = quote_sheetname(ws.title)
    for name, header in layout.SCHEME_LOOKUP_NAMES.items():
        letter = get_column_letter(_SCHEME_COLUMNS.index(header) + 1)
        wb.defined_names[name] = DefinedName(
            name, attr_text=f"{sheet}!${letter}$2:${letter}${last}"
        )

    bands = [(b.label, b.capacity_factor) for b in scheme.bands] or [("All workers", 1.0)]
    ws["J1"], ws["K1"] = "Band", "Capacity factor"
    for offset, (label, factor) in enumerate(bands, start=2):
        put(ws, offset, 10, label)
        put(ws, offset, 11, factor)
    _add_plain_table(ws, layout.SCHEME_BANDS_TABLE, f"J1:K{len(bands) + 1}")
    wb.defined_names[layout.BAND_LABELS_NAME] = DefinedName(
        layout.BAND_LABELS_NAME, attr_text=f"{sheet}!$J$2:$J${len(bands) + 1}"
    )

    ws["M1"] = "Service"
    for offset, service in enumerate(scheme.services, start=2):
        put(ws, offset, 13, service)
    _add_plain_table(ws, layout.SCHEME_SERVICES_TABLE, f"M1:M{len(scheme.services) + 1}")
    wb.defined_names[layout.SERVICE_NAMES_NAME] = DefinedName(
        layout.SERVICE_NAMES_NAME, attr_text=f"{sheet}!$M$2:$M${len(scheme.services) + 1}"
    )

    row = max(last, len(bands) + 1, len(scheme.services) + 1) + 2
    ws.cell(row, 1, f"{scheme.title}, version {scheme.version} ({scheme.id})").font = BOLD
    ws.cell(row + 1, 1, scheme.note).font = NOTE
    # Widths that print one landscape page wide at a readable size: long labels wrap, and
    # the empty columns between the tables are narrow.
    for letter, width in zip("ABCDEFGHIJKLM", _SCHEME_WIDTHS, strict=True):
        ws.column_dimensions[letter].width = width
    tables_end = row - 2  # the last row of the longest of the three tables
    stamps = StyleStamps({True: {"alignment": _TOP_WRAPPED}, False: {"alignment": _TOP}})
    for cells in ws.iter_rows(min_row=1, max_row=tables_end):
        for cell in cells:  # labels, descriptions, bands and services wrap
            stamps.apply(cell, cell.column in (2, 8, 10, 13))
    fit_wrapped_rows(ws, range(1, tables_end + 1))
    freeze_below(ws, 2)
    apply_print_layout(ws, SCHEME_PRINT)
    ws.protection.sheet = True


def _add_plain_table(ws, name: str, ref: str) -> None:
    table = Table(displayName=name, ref=ref)
    table.tableStyleInfo = TableStyleInfo(name="TableStyleLight1", showRowStripes=True)
    ws.add_table(table)
