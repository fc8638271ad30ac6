"""The worker measurement workbook's contract: its names, table and columns, as data (contract).

The template writer, the openpyxl reader and the xlwings edge all read this one description,
so the documented contract (docs/workbook-format.md) and the code cannot drift apart; a test
checks the document against it. Cells are found by these names, never by fixed addresses.
"""

from __future__ import annotations

from dataclasses import dataclass

from workload_xl.contracts.grid import UNREADABLE, Book, Table
from workload_xl.core.cells import address, column_letter
from workload_xl.core.measurement import Cell, SheetData, TableRow, TotalCell
from workload_xl.core.values import FTE_RANGE, is_blank

MEASUREMENT_SHEET = "Measurement"
SCHEME_SHEET = "Scheme"
TABLE_NAME = "WorkItems"
"""Table of cases and activities. A worker sheet copied into a team workbook may carry a suffix
(Excel renames WorkItems to WorkItems2, ...), so readers match on this prefix."""

SCHEME_ITEMS_TABLE = "SchemeItems"
SCHEME_BANDS_TABLE = "SchemeBands"
SCHEME_SERVICES_TABLE = "SchemeServices"


@dataclass(frozen=True)
class HeaderField:
    key: str
    name: str  # the defined name (scoped to the measurement sheet)
    label: str
    required: bool  # blank is an error (True) or a warning before signing (False)
    number_format: str = "General"
    hint: str = ""


HEADER_FIELDS: tuple[HeaderField, ...] = (
    HeaderField("worker", "Worker", "Worker", True, "@", "The worker's full name."),
    HeaderField(
        "team", "Team", "Team", True, "@", "The team's name as the performance team knows it."
    ),
    HeaderField("service", "Service", "Service", True, "@", "Pick the service from the list."),
    HeaderField(
        "period",
        "Period",
        "Period",
        True,
        "@",
        "A month as 2026-10, or a 4-week period as 2026-P07.",
    ),
    HeaderField("fte", "FTE", "FTE", True, "0.00", f"Full-time equivalent, {FTE_RANGE}."),
    HeaderField(
        "band", "ExperienceBand", "Experience band", True, "@", "Pick the band from the list."
    ),
    HeaderField("manager", "Manager", "Manager", False, "@", "The manager who agreed the points."),
    HeaderField(
        "date_agreed",
        "DateAgreed",
        "Date agreed",
        False,
        "yyyy-mm-dd",
        "The date worker and manager agreed the points.",
    ),
    HeaderField(
        "scheme_id", "SchemeId", "Scheme", True, "@", "Filled by the template; do not change."
    ),
    HeaderField(
        "scheme_version",
        "SchemeVersion",
        "Scheme version",
        True,
        "@",
        "Filled by the template; do not change.",
    ),
)

HEADER_BY_KEY = {f.key: f for f in HEADER_FIELDS}


@dataclass(frozen=True)
class Column:
    key: str
    header: str
    width: float
    is_input: bool
    required: bool = False
    formula: str = ""  # a calculated column: Excel formula with {row:Col} placeholders
    number_format: str = "General"
    hint: str = ""


def this_row(column: str, table: str = TABLE_NAME) -> str:
    """A structured reference to this row's cell: works in Excel and LibreOffice alike."""
    return f"{table}[[#This Row],[{column}]]"


def _lookup(scheme_column: str, otherwise: str) -> str:
    item = this_row("Item")
    return (
        f'=IF({item}="","",IFERROR(INDEX({scheme_column},MATCH({item},ItemLabels,0)),{otherwise}))'
    )


COLUMNS: tuple[Column, ...] = (
    Column(
        "case_ref",
        "Case reference",
        16,
        True,
        False,
        number_format="@",
        hint="The case management system's reference. Required on case rows.",
    ),
    Column(
        "case_name",
        "Case name",
        22,
        True,
        False,
        number_format="@",
        hint="Optional. Stays in this workbook: never sent on to the team sheet.",
    ),
    Column("item", "Item", 36, True, True, hint="Pick from the list of the scheme's items."),
    Column(
        "quantity",
        "Quantity",
        9,
        True,
        False,
        number_format="General",
        hint="Days, sessions or hours for activities; blank means 1.",
    ),
    Column("unit", "Unit", 11, False, formula=_lookup("ItemUnits", '"unknown item"')),
    Column("kind", "Kind", 9, False, formula=_lookup("ItemKinds", '""')),
    Column(
        "scheme_points",
        "Scheme points",
        10,
        False,
        number_format="General",
        formula=(
            f'=IF({this_row("Item")}="","",IFERROR(INDEX(ItemPoints,MATCH({this_row("Item")},'
            f'ItemLabels,0))*IF({this_row("Quantity")}="",1,{this_row("Quantity")}),""))'
        ),
    ),
    Column(
        "agreed_points",
        "Agreed points",
        10,
        True,
        True,
        number_format="General",
        hint="The points worker and manager agree, within the scheme's range.",
    ),
    Column("notes", "Notes", 36, True, False, hint="Why points differ from the scheme, etc."),
)

COLUMN_BY_KEY = {c.key: c for c in COLUMNS}
REQUIRED_COLUMNS = tuple(c for c in COLUMNS if c.required)


@dataclass(frozen=True)
class TotalField:
    key: str
    name: str
    label: str
    formula: str
    number_format: str = "General"


TOTAL_FIELDS: tuple[TotalField, ...] = (
    TotalField("case_count", "CaseCount", "Cases", f'=COUNTIFS({TABLE_NAME}[Kind],"case")', "0"),
    TotalField(
        "case_points",
        "CasePoints",
        "Case points",
        f'=SUMIFS({TABLE_NAME}[Agreed points],{TABLE_NAME}[Kind],"case")',
    ),
    TotalField(
        "activity_points",
        "ActivityPoints",
        "Activity points",
        f'=SUMIFS({TABLE_NAME}[Agreed points],{TABLE_NAME}[Kind],"activity")',
    ),
    TotalField("total_points", "TotalPoints", "Total points", f"=SUM({TABLE_NAME}[Agreed points])"),
    TotalField(
        "scheme_points", "SchemePointsTotal", "Scheme points", f"=SUM({TABLE_NAME}[Scheme points])"
    ),
    TotalField(
        "points_per_fte",
        "PointsPerFTE",
        "Points per FTE",
        '=IF(AND(ISNUMBER(FTE),FTE>0),TotalPoints/FTE,"")',
        "0.0",
    ),
)

TOTAL_BY_KEY = {t.key: t for t in TOTAL_FIELDS}

# Workbook-scoped names over the Scheme sheet that the formulas and drop-downs use.
SCHEME_LOOKUP_NAMES = {
    "ItemLabels": "Label",
    "ItemKinds": "Kind",
    "ItemUnits": "Unit",
    "ItemPoints": "Points",
    "ItemMins": "Min",
    "ItemMaxes": "Max",
}
BAND_LABELS_NAME = "BandLabels"
SERVICE_NAMES_NAME = "ServiceNames"

DEFAULT_TABLE_ROWS = 40


# --- reading: one decoder for every engine ----------------------------------------------------


def is_measurement_table(name: str) -> bool:
    """Whether a table is a sheet's WorkItems (a copied sheet's WorkItems2 too)."""
    return name.casefold().startswith(TABLE_NAME.casefold())


def sheet_data(book: Book, sheet: str, table: Table) -> SheetData:
    """A measurement sheet as the core reads it, found by its names and its table, from any
    engine's `Book`: header cells by defined name (the sheet's own, else the book's), totals
    with their formulas, the table's rows by column heading, and stray cells beside or below."""
    sheets = set(book.sheet_names)
    header: dict[str, Cell | None] = {}
    for spec in HEADER_FIELDS:
        place = book.names.place(spec.name, sheet)
        if place is None or place.sheet not in sheets:
            header[spec.key] = None
            continue
        header[spec.key] = Cell(book.value(place.sheet, place.row, place.column), place.address)

    totals: dict[str, TotalCell] = {}
    for spec in TOTAL_FIELDS:
        place = book.names.place(spec.name, sheet)
        if place is None or place.sheet != sheet:
            continue
        formula = book.formula(sheet, place.row, place.column)
        if formula == UNREADABLE:  # this engine reads no formulas: Excel keeps them
            break
        cached = book.cached(sheet, place.row, place.column)
        totals[spec.key] = TotalCell(place.address, formula, cached)

    found = table.columns({c.key: c.header for c in COLUMNS})
    indexes = {key: index for key, index in found.items() if index is not None}
    indexes = dict(sorted(indexes.items(), key=lambda item: item[1]))  # in the sheet's order
    columns = {key: column_letter(table.left + index) for key, index in indexes.items()}
    rows = [
        TableRow(table.row_number(i), {key: _at(values, index) for key, index in indexes.items()})
        for i, values in enumerate(table.rows)
    ]
    top, bottom, left, right = table.top, table.bottom, table.left, table.right
    stray = [
        Cell(value, address(row, column))
        for row, column, value in book.cells(sheet)
        if row >= top and not (row <= bottom and left <= column <= right) and not is_blank(value)
    ]
    return SheetData(book.name, sheet, header, columns, rows, totals, stray)


def _at(values, index: int):
    return values[index] if index < len(values) else None
