"""The team workbook's contract: sheets, names, tables and columns, as data (core).

The team sheet is what a manager signs and returns to the performance team. Its writer, its
reader (history, consolidation) and the findings that point at its cells all take places from
here, and docs/workbook-format.md documents the same names (a test checks).
"""

from __future__ import annotations

from dataclasses import dataclass

from workload_xl.core.measurement import column_letter

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

_COUNTED = f'{TEAM_TABLE}[In team figures],"yes"'

TEAM_TOTALS: tuple[TeamField, ...] = (
    TeamField("workers", "TeamWorkerCount", "Workers counted", f"=COUNTIFS({_COUNTED})", "0"),
    TeamField(
        "total_fte", "TeamTotalFTE", "Total FTE", f"=SUMIFS({TEAM_TABLE}[FTE],{_COUNTED})", "0.00"
    ),
    TeamField("cases", "TeamCaseCount", "Cases", f"=SUMIFS({TEAM_TABLE}[Cases],{_COUNTED})", "0"),
    TeamField(
        "total_points",
        "TeamTotalPoints",
        "Total points",
        f"=SUMIFS({TEAM_TABLE}[Total points],{_COUNTED})",
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
    TeamColumn("worker", "Worker", 24),
    TeamColumn("band", "Experience band", 22),
    TeamColumn("fte", "FTE", 7, "0.00"),
    TeamColumn("cases", "Cases", 7, "0"),
    TeamColumn("case_points", "Case points", 9, "0.0"),
    TeamColumn("activity_points", "Activity points", 9, "0.0"),
    TeamColumn("total_points", "Total points", 9, "0.0"),
    TeamColumn("points_per_fte", "Points per FTE", 9, "0.0"),
    TeamColumn("band_mean", "Band mean points per FTE", 11, "0.0"),
    TeamColumn("band_difference", "Difference from band mean", 11, "+0.0;-0.0;0.0"),
    TeamColumn("counted", "In team figures", 9),
    TeamColumn("flags", "Flags", 48),
    TeamColumn("source", "Source", 30),
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
    return f"{column_letter(column)}{TABLE_TOP_ROW + 1 + index}"


def field_cell(key: str) -> str:
    """Address of a header or total field on the Team sheet as written."""
    row, column = field_places()[key]
    return f"{column_letter(column)}{row}"


def field_places() -> dict[str, tuple[int, int]]:
    """Header fields in A:B from row 4, then the totals below them; the chart sits beside."""
    places = {f.key: (4 + i, 2) for i, f in enumerate(TEAM_HEADER)}
    first_total = 5 + len(TEAM_HEADER)
    places.update({f.key: (first_total + i, 2) for i, f in enumerate(TEAM_TOTALS)})
    return places
