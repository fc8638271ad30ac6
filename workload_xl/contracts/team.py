"""The team workbook's contract: sheets, names, tables and columns, as data (contract).

The team sheet is what a manager signs and returns to the performance team. Its writer, its
reader (history, consolidation) and the findings that point at its cells all take places from
here, and docs/workbook-format.md documents the same names (a test checks).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from workload_xl.core.cells import address
from workload_xl.core.values import NO, YES, clean_text, read_number, read_yes_no, yes_no

if TYPE_CHECKING:
    from workload_xl.core.returns import WorkerPeriod
    from workload_xl.core.team import CaseRow, WorkerRow

TEAM_SHEET = "Team"
CASES_SHEET = "Cases"
HISTORY_SHEET = "History"
ERRORS_SHEET = "Errors"

TEAM_TABLE = "TeamWorkers"
CASES_TABLE = "TeamCases"
HISTORY_TABLE = "TeamHistory"
ERRORS_TABLE = "TeamFindings"

TABLE_TOP_ROW = 22
"""Header row of the TeamWorkers table as written; readers find the table by name."""


@dataclass(frozen=True)
class TeamField:
    key: str
    name: str  # defined name, scoped to the Team sheet
    label: str
    formula: str = ""  # a native formula the manager may keep or edit; else Python's value
    number_format: str = "General"


TEAM_HEADER: tuple[TeamField, ...] = (
    TeamField("team", "TeamName", "Team"),
    TeamField("service", "TeamService", "Service"),
    TeamField("period", "TeamPeriod", "Period", number_format="@"),
    TeamField("scheme_id", "TeamSchemeId", "Scheme"),
    TeamField("scheme_version", "TeamSchemeVersion", "Scheme version", number_format="@"),
    TeamField("manager", "TeamManager", "Manager"),
    TeamField("date_signed", "TeamDateSigned", "Date signed", number_format="yyyy-mm-dd"),
)

_COUNTED = f'{TEAM_TABLE}[In team figures],"{YES}"'


def _this_case(column: str) -> str:
    """A structured reference to this row's cell of TeamCases (Excel and LibreOffice alike)."""
    return f"{CASES_TABLE}[[#This Row],[{column}]]"


# The TeamCases columns Excel calculates, so the team's cases and points count a co-worked
# case once wherever Python is absent (core.coworking counts the same way). Comparisons are
# "=", not COUNTIFS criteria, so a reference with * or ? in it is matched as it is typed, and,
# as in Python, ignoring case.
_SAME_CASE = (
    f"({CASES_TABLE}[Case reference]={_this_case('Case reference')})"
    f'*({CASES_TABLE}[Kind]="case")*({CASES_TABLE}[In team figures]="{YES}")'
)
_HELD_ALONE = f'OR({_this_case("Kind")}<>"case",{_this_case("Case reference")}="")'
_NOT_COUNTED = f'{_this_case("In team figures")}<>"{YES}"'
CASES_CALCULATED: tuple[tuple[str, str, str], ...] = (
    (
        "In team figures",
        f"=IF(SUMPRODUCT(({TEAM_TABLE}[Worker]={_this_case('Worker')})"
        f'*({TEAM_TABLE}[In team figures]="{YES}"))>0,"{YES}","{NO}")',
        "General",
    ),
    (
        "Team share",
        f"=IF({_NOT_COUNTED},0,IF({_HELD_ALONE},1,1/SUMPRODUCT({_SAME_CASE})))",
        "0.00",
    ),
    (
        "Team points",
        f"=IF({_NOT_COUNTED},0,IF({_HELD_ALONE},N({_this_case('Agreed points')}),"
        f"SUMPRODUCT(MAX({_SAME_CASE}*{CASES_TABLE}[Agreed points]))*{_this_case('Team share')}))",
        "0.0",
    ),
)
"""(heading, formula, number format) of each calculated column of TeamCases, after
CASES_COLUMNS: whether the row's worker is in the team figures; the share of the row that
counts in the team's figures (1, or 1/n on each of n counted rows of a co-worked case, 0 when
not counted); and the points it adds to the team's total (a co-worked case's share of the
most any holder agreed)."""

TEAM_TOTALS: tuple[TeamField, ...] = (
    TeamField("workers", "TeamWorkerCount", "Workers counted", f"=COUNTIFS({_COUNTED})", "0"),
    TeamField(
        "total_fte", "TeamTotalFTE", "Total FTE", f"=SUMIFS({TEAM_TABLE}[FTE],{_COUNTED})", "0.00"
    ),
    TeamField(
        "cases",
        "TeamCaseCount",
        "Cases",
        f'=ROUND(SUMIFS({CASES_TABLE}[Team share],{CASES_TABLE}[Kind],"case"),0)',
        "0",
    ),
    TeamField(
        "total_points",
        "TeamTotalPoints",
        "Total points",
        f"=SUM({CASES_TABLE}[Team points])",
        "0.0",
    ),
    TeamField(
        "points_per_fte",
        "TeamPointsPerFTE",
        "Points per FTE",
        '=IF(TeamTotalFTE>0,TeamTotalPoints/TeamTotalFTE,"")',
        "0.0",
    ),
    TeamField("mean_ppf", "TeamMeanPPF", "Mean points per FTE", "", "0.0"),
    TeamField("median_ppf", "TeamMedianPPF", "Median points per FTE", "", "0.0"),
    TeamField("median_load", "TeamMedianLoad", "Median load against expected", "", "0%"),
    TeamField("spread", "TeamSpread", "Spread (CV)", "", "0%"),
)

TEAM_FIELD_BY_KEY = {f.key: f for f in TEAM_HEADER + TEAM_TOTALS}


@dataclass(frozen=True)
class TeamColumn:
    key: str
    header: str
    width: float
    number_format: str = "General"


TEAM_COLUMNS: tuple[TeamColumn, ...] = (
    TeamColumn("worker", "Worker", 28),  # wide enough for the labels beside the totals
    TeamColumn("band", "Experience band", 22),
    TeamColumn("fte", "FTE", 7, "0.00"),
    TeamColumn("cases", "Cases", 7, "0"),
    TeamColumn("case_points", "Case points", 9, "0.0"),
    TeamColumn("activity_points", "Activity points", 9, "0.0"),
    TeamColumn("total_points", "Total points", 9, "0.0"),
    TeamColumn("points_per_fte", "Points per FTE", 9, "0.0"),
    TeamColumn("expected_points", "Expected points", 9, "0.0"),
    TeamColumn("load", "Load against expected", 10, "0%"),
    TeamColumn("counted", "In team figures", 9),
    TeamColumn("flags", "Flags", 48),
    TeamColumn("source", "Source", 36),
)
TEAM_COLUMN_BY_KEY = {c.key: c for c in TEAM_COLUMNS}

CASES_COLUMNS = (
    "Worker",
    "Case reference",
    "Item code",
    "Item",
    "Kind",
    "Agreed points",
    "Also allocated to",
)
HISTORY_COLUMNS = (
    "Period",
    "Worker",
    "Experience band",
    "FTE",
    "Total points",
    "Points per FTE",
    "In team figures",
)
ERRORS_COLUMNS = ("Severity", "Rule", "Workbook", "Sheet", "Cell", "Field", "Message")


def worker_cell(index: int, key: str) -> str:
    """Address of worker row `index` (0-based) in a column of the team table as written."""
    column = list(TEAM_COLUMN_BY_KEY).index(key) + 1
    return address(TABLE_TOP_ROW + 1 + index, column)


def field_cell(key: str) -> str:
    """Address of a header or total field on the Team sheet as written."""
    row, column = field_places()[key]
    return address(row, column)


def field_places() -> dict[str, tuple[int, int]]:
    """Header fields in A:B from row 4, then the totals below them; the chart sits beside."""
    places = {f.key: (4 + i, 2) for i, f in enumerate(TEAM_HEADER)}
    first_total = 5 + len(TEAM_HEADER)
    places.update({f.key: (first_total + i, 2) for i, f in enumerate(TEAM_TOTALS)})
    return places


# --- a worker's row of TeamWorkers (and of TeamHistory): one codec ------------------------------

WORKER_HEADINGS = {c.key: c.header for c in TEAM_COLUMNS}
"""Column key -> heading; TeamHistory's columns are headed as TeamWorkers' are."""

WORKER_NUMBERS = (
    "fte",
    "cases",
    "case_points",
    "activity_points",
    "total_points",
    "points_per_fte",
)


def rounded(value: float | None, places: int = 2) -> float | None:
    """A figure as the team workbook shows it (two places unless said)."""
    return None if value is None else round(value, places)


def encode_worker(w: WorkerRow) -> list:
    """A worker's TeamWorkers row, in the order of TEAM_COLUMNS."""
    record = {
        "worker": w.worker,
        "band": w.band,
        "fte": w.fte,
        "cases": w.cases,
        "case_points": w.case_points,
        "activity_points": w.activity_points,
        "total_points": w.total_points,
        "points_per_fte": rounded(w.points_per_fte),
        "expected_points": rounded(w.expected_points),
        "load": rounded(w.load, 4),
        "counted": yes_no(w.counted),
        "flags": "; ".join(w.flags),
        "source": w.source,
    }
    return [record[c.key] for c in TEAM_COLUMNS]


@dataclass(frozen=True)
class WorkerEntry:
    """A TeamWorkers or TeamHistory row as read, before any reader judges it. A blank FTE
    reads as None, a blank count or points as 0; a number cell holding something else reads
    the same and its key is in `not_numbers`; `counted` is None when the cell says neither
    yes nor no."""

    worker: str
    band: str
    fte: float | None
    cases: int  # 0 when blank or not a number, as the points are
    case_points: float
    activity_points: float
    total_points: float
    points_per_fte: float | None  # as the sheet shows it
    counted: bool | None
    source: str
    not_numbers: tuple[str, ...] = ()


def decode_worker(values: Sequence[Any], columns: Mapping[str, int | None]) -> WorkerEntry:
    """A row's cells (`values`, as an engine gives a table's row) by column index (from
    `Table.columns(WORKER_HEADINGS)`; None or absent for a column the table lacks)."""

    width = len(values)
    cell = {k: values[i] for k, i in columns.items() if i is not None and i < width}.get
    numbers: dict[str, float | None] = {}
    wrong = []
    for key in WORKER_NUMBERS:
        if key not in columns:  # a column this reader does not read: no figure
            numbers[key] = None
            continue
        number = read_number(cell(key))
        numbers[key] = number.value
        if number.status == "invalid":
            wrong.append(key)
    return WorkerEntry(
        worker=clean_text(cell("worker")),
        band=clean_text(cell("band")),
        fte=numbers["fte"],
        cases=round(numbers["cases"] or 0.0),
        case_points=numbers["case_points"] or 0.0,
        activity_points=numbers["activity_points"] or 0.0,
        total_points=numbers["total_points"] or 0.0,
        points_per_fte=numbers["points_per_fte"],
        counted=read_yes_no(cell("counted")),
        source=clean_text(cell("source")),
        not_numbers=tuple(wrong),
    )


def encode_case(c: CaseRow) -> list:
    """A case's TeamCases row, in the order of CASES_COLUMNS."""
    return [
        c.worker,
        c.case_ref,
        c.item_code,
        c.item_label,
        c.kind,
        c.agreed_points,
        c.co_workers,
    ]


def encode_history(h: WorkerPeriod) -> list:
    """A worker-period's TeamHistory row, in the order of HISTORY_COLUMNS."""
    return [
        str(h.period),
        h.worker,
        h.band,
        h.fte,
        h.total_points,
        rounded(h.points_per_fte),
        yes_no(h.counted),
    ]


# --- the add-in's own Team sheet ---------------------------------------------------------
# Build team sheet writes the team into a sheet of the add-in workbook itself (not a team
# workbook file): a title, the header fields by label in column A, a blank row, then the
# TeamWorkers headings and one row a worker. Flag outliers reads it back by its labels and
# headings, wherever a manager has moved the rows.

BOOK_TITLE = "Team workload"
BOOK_LABELS = ("Team", "Service", "Period", "Scheme")
BOOK_HEADING_ROW = 2 + len(BOOK_LABELS) + 2
"""The row of the table's headings as Build team sheet writes it (title, blank, the labels,
blank): row 8."""
BOOK_NEEDED = frozenset(
    {
        "worker",
        "band",
        "fte",
        "total_points",
        "counted",
        "points_per_fte",
        "expected_points",
        "load",
        "flags",
    }
)
"""The headings Flag outliers needs to find the add-in's Team sheet table."""


def book_rows(
    header: Mapping[str, Any], workers: Sequence[WorkerRow], text: Any = lambda v: v
) -> list[list[Any]]:
    """The add-in's Team sheet as one block of rows from A1. `header` has a value for each
    of BOOK_LABELS (keyed by the label, folded); `text` makes a value safe for the sheet."""
    width = len(TEAM_COLUMNS)
    pad = [None] * (width - 2)
    labelled = [[label, text(header[label.casefold()]), *pad] for label in BOOK_LABELS]
    rows = [[text(v) for v in encode_worker(w)] for w in workers]
    return [
        [BOOK_TITLE, None, *pad],
        [None] * width,
        *labelled,
        [None] * width,
        [c.header for c in TEAM_COLUMNS],
        *rows,
    ]


def book_headings(values: Sequence[Sequence[Any]]) -> tuple[int, dict[str, int]] | None:
    """(offset of the heading row, {key: column offset}) of the add-in's Team sheet table in
    a block of the sheet's values; None when no row has BOOK_NEEDED's headings."""
    wanted = {c.header.casefold(): c.key for c in TEAM_COLUMNS}
    for offset, row in enumerate(values):
        found: dict[str, int] = {}
        for index, value in enumerate(row):
            key = wanted.get(clean_text(value).casefold())
            if key and key not in found:
                found[key] = index
        if found.keys() >= BOOK_NEEDED:
            return offset, found
    return None


def book_label(values: Sequence[Sequence[Any]], label: str) -> Any:
    """The value beside `label` in column A of the add-in's Team sheet; None without one."""
    wanted = label.casefold()
    for row in values:
        if row and clean_text(row[0]).casefold() == wanted:
            return row[1] if len(row) > 1 else None
    return None


def book_scheme_id(values: Sequence[Sequence[Any]]) -> str:
    """The scheme id on the add-in's Team sheet: its Scheme label shows "id version"."""
    return clean_text(book_label(values, "Scheme")).split(" ")[0]
