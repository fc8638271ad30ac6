"""The worker measurement workbook's contract: its names, table and columns, as data (contract).

The template writer, the openpyxl reader and the xlwings edge all read this one description,
so the documented contract (docs/workbook-format.md) and the code cannot drift apart; a test
checks the document against it. Cells are found by these names, never by fixed addresses.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from workload_xl.contracts.grid import UNREADABLE, Book, Table
from workload_xl.core.cells import address, column_letter, column_number
from workload_xl.core.measurement import MOST_UNITS, Cell, SheetData, TableRow, TotalCell
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
    """What the field holds, shown by Excel when the cell is picked (the template's prompt)."""
    fix: str = ""
    """What to do when the field is blank, as an instruction: the finding's second sentence
    (the hint describes; the fix instructs, so a message reads once)."""


HEADER_FIELDS: tuple[HeaderField, ...] = (
    HeaderField(
        "worker",
        "Worker",
        "Worker",
        True,
        "@",
        "The worker's full name.",
        "Type the worker's full name.",
    ),
    HeaderField(
        "team",
        "Team",
        "Team",
        True,
        "@",
        "The team's name as the performance team knows it.",
        "Type the team's name as the performance team knows it.",
    ),
    HeaderField(
        "service",
        "Service",
        "Service",
        True,
        "@",
        "Pick the service from the list.",
        "Pick the service from the list.",
    ),
    HeaderField(
        "period",
        "Period",
        "Period",
        True,
        "@",
        "A month as 2026-10, or a 4-week period as 2026-P07.",
        "Type a month as 2026-10, or a 4-week period as 2026-P07.",
    ),
    HeaderField(
        "fte",
        "FTE",
        "FTE",
        True,
        "0.00",
        f"Full-time equivalent, {FTE_RANGE}.",
        f"Type the worker's full-time equivalent, {FTE_RANGE}.",
    ),
    HeaderField(
        "band",
        "ExperienceBand",
        "Experience band",
        True,
        "@",
        "Pick the band from the list.",
        "Pick the band from the list.",
    ),
    HeaderField(
        "manager",
        "Manager",
        "Manager",
        False,
        "@",
        "The manager who agreed the points.",
        "Once the points are agreed, type the name of the manager who agreed them.",
    ),
    HeaderField(
        "date_agreed",
        "DateAgreed",
        "Date agreed",
        False,
        "yyyy-mm-dd",
        "The date worker and manager agreed the points.",
        "Once the points are agreed, type the date worker and manager agreed them, e.g. "
        "2026-10-28.",
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


def _cell(key: str) -> str:
    """A placeholder for a column's cell or range, filled by `row_formula` or
    `total_formula` with plain addresses on the sheet itself (`$C15`, `$H$15:$H$54`).

    Plain addresses, not structured references: a sheet copied inside its workbook gets its
    table renamed (WorkItems_2), and LibreOffice leaves the copy's `WorkItems[...]` references
    reading the original's table; an address with no sheet name always reads the sheet it is
    on, in every spreadsheet program, and grows when rows are inserted inside the table."""
    return "{" + key + "}"


def _lookup(scheme_column: str, otherwise: str) -> str:
    item = _cell("item")
    return (
        f'=IF({item}="","",IFERROR(INDEX({scheme_column},MATCH({item},ItemLabels,0)),{otherwise}))'
    )


def _units() -> str:
    """The row's quantity as validation reads it: blank, unreadable, 0 or less, or more than
    MOST_UNITS count as 1, so the Scheme points column gives what Python gives."""
    q = _cell("quantity")
    return f"IFERROR(IF(AND(--{q}>0,--{q}<={MOST_UNITS:g}),--{q},1),1)"


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
        18,
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
            f'=IF({_cell("item")}="","",IFERROR(INDEX(ItemPoints,MATCH({_cell("item")},'
            f'ItemLabels,0))*{_units()},""))'
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
    Column("notes", "Notes", 28, True, False, hint="Why points differ from the scheme, etc."),
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


def _counted(kind: str) -> str:
    """The agreed points of the rows of one kind, counted as validation counts them.

    A row counts when its item is one of the scheme's (its Kind is "case" or "activity", so
    unknown items and rows without an item count nothing) and its points are a number or a
    number typed as text (" 4 " is 4); blanks, other text and TRUE or FALSE count nothing. The
    text-to-number step is written with REPT, not IF or IFERROR, so that SUMPRODUCT works on
    the whole column without an array formula in every version of Excel and in LibreOffice:
    REPT(points, 1) is the points as text, REPT(points, 0) is "", and "0" stands in when the
    points are not a number."""
    p = _cell("agreed_points")
    number = f"ISNUMBER(--{p})*(1-ISLOGICAL({p}))*(1-ISBLANK({p}))"
    return f'=SUMPRODUCT(({_cell("kind")}="{kind}")*(REPT({p},{number})&REPT(0,1-{number})))'


TOTAL_FIELDS: tuple[TotalField, ...] = (
    TotalField("case_count", "CaseCount", "Cases", f'=COUNTIFS({_cell("kind")},"case")', "0"),
    TotalField("case_points", "CasePoints", "Case points", _counted("case")),
    TotalField("activity_points", "ActivityPoints", "Activity points", _counted("activity")),
    TotalField("total_points", "TotalPoints", "Total points", "=CasePoints+ActivityPoints"),
    TotalField(
        "scheme_points", "SchemePointsTotal", "Scheme points", f"=SUM({_cell('scheme_points')})"
    ),
    TotalField(
        "points_per_fte",
        "PointsPerFTE",
        "Points per FTE",
        '=IF(AND(ISNUMBER(FTE),FTE>0),TotalPoints/FTE,"")',
        "0.0",
    ),
)

LEGACY_TOTAL_FORMULAS = {
    "case_count": '=COUNTIFS(WorkItems[Kind],"case")',
    "case_points": '=SUMIFS(WorkItems[Agreed points],WorkItems[Kind],"case")',
    "activity_points": '=SUMIFS(WorkItems[Agreed points],WorkItems[Kind],"activity")',
    "total_points": "=SUM(WorkItems[Agreed points])",
    "scheme_points": "=SUM(WorkItems[Scheme points])",
}
"""The totals of templates made before the totals used plain addresses, over the sheet's own
table (`WorkItems` stands for the table's name): still accepted, though they count rows
validation does not (unknown items) and miss points typed as text."""

_PLACEHOLDER = re.compile(r"\{([a-z_]+)\}")


def row_formula(column: Column, letters: Mapping[str, str], row: int) -> str:
    """A calculated column's formula on one sheet row: `{item}` becomes `$C15`, the row's own
    cell in the column `letters` gives for the key."""
    return _PLACEHOLDER.sub(lambda m: f"${letters[m[1]]}{row}", column.formula)


def total_formula(total: TotalField, letters: Mapping[str, str], first: int, last: int) -> str:
    """A total's formula over the table's data rows `first` to `last`: `{kind}` becomes
    `$F$15:$F$54`, the whole column of the table that `letters` gives for the key."""
    return _PLACEHOLDER.sub(
        lambda m: f"${letters[m[1]]}${first}:${letters[m[1]]}${last}", total.formula
    )


def total_formulas(letters: Mapping[str, str], first: int, last: int) -> dict[str, str]:
    """Every total's formula over those rows, by layout key."""
    return {t.key: total_formula(t, letters, first, last) for t in TOTAL_FIELDS}


TEMPLATE_FIRST_ROW = 15
"""The first data row of the table in a template (its heading is on row 14)."""
TEMPLATE_LETTERS = {c.key: column_letter(i) for i, c in enumerate(COLUMNS, start=1)}
"""The column of each key in a template, where the table starts in column A."""


def template_row_formula(column: Column) -> str:
    """A calculated column's formula on the template's first row, as docs/workbook-format.md
    shows it."""
    return row_formula(column, TEMPLATE_LETTERS, TEMPLATE_FIRST_ROW)


def template_total_formula(total: TotalField, rows: int = 0) -> str:
    """A total's formula in a template with `rows` table rows (40 by default), as the docs
    show it."""
    last = TEMPLATE_FIRST_ROW + (rows or DEFAULT_TABLE_ROWS) - 1
    return total_formula(total, TEMPLATE_LETTERS, TEMPLATE_FIRST_ROW, last)


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
    _mark_rows_without_formulas(book, sheet, rows, columns)
    top, bottom, left, right = table.top, table.bottom, table.left, table.right
    stray = [
        Cell(value, address(row, column))
        for row, column, value in book.cells(sheet)
        if row >= top and not (row <= bottom and left <= column <= right) and not is_blank(value)
    ]
    return SheetData(book.name, sheet, header, columns, rows, totals, stray, table.name)


_INPUT_KEYS = tuple(c.key for c in COLUMNS if c.is_input)
_CALCULATED = tuple(c for c in COLUMNS if c.formula)


def _mark_rows_without_formulas(
    book: Book, sheet: str, rows: list[TableRow], columns: Mapping[str, str]
) -> None:
    """Note, on each row with entries, the calculated columns that hold no formula there.

    Only rows with entries are looked at (one call per cell in a live Excel), and nothing is
    noted on an engine that reads no formulas."""
    present = [(c.key, column_number(columns[c.key])) for c in _CALCULATED if c.key in columns]
    for row in rows:
        if row.is_empty(_INPUT_KEYS):
            continue
        missing = []
        for key, column in present:
            formula = book.formula(sheet, row.row, column)
            if formula == UNREADABLE:
                return
            if not formula:
                missing.append(key)
        row.no_formula = tuple(missing)


def _at(values, index: int):
    return values[index] if index < len(values) else None
