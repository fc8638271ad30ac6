"""The "Plan and actual" workbook's contract: its sheets, tables and columns, as data
(contract).

`capa actuals` writes it (files/actuals_workbook.py) and reads it back as history when it is
given with --previous, so both take every sheet and heading from here, and
docs/workbook-format.md documents them (a test compares the two). The gap, team and quarter
figures are native formulas over the clinicians' rows, so they recalculate when a figure is
corrected by hand.
"""

from __future__ import annotations

TITLE = "Plan and actual"
SUMMARY_SHEET = "Summary"
TEAM_MONTHS_SHEET = "Team by month"
TEAM_QUARTERS_SHEET = "Team by quarter"
CLINICIAN_MONTHS_SHEET = "Clinicians by month"
CLINICIAN_QUARTERS_SHEET = "Clinicians by quarter"
CHARTS_SHEET = "Charts"
SHEETS = (
    SUMMARY_SHEET,
    TEAM_MONTHS_SHEET,
    TEAM_QUARTERS_SHEET,
    CLINICIAN_MONTHS_SHEET,
    CLINICIAN_QUARTERS_SHEET,
    CHARTS_SHEET,
)

HEADER_ROW = 4
"""Each table's headings; its rows follow, then a Total row."""

TEAM_MONTHS_TABLE = "TeamMonths"
TEAM_QUARTERS_TABLE = "TeamQuarters"
CLINICIAN_MONTHS_TABLE = "ClinicianMonths"
CLINICIAN_QUARTERS_TABLE = "ClinicianQuarters"

FIGURES = ("choice", "new_core", "core")
FIGURE_HEADINGS = {
    "choice": "Choice",
    "new_core": "New Core Partnerships",
    "core": "Core appointments",
}
"""Each figure has three columns: planned, delivered and gap (delivered − planned)."""


def figure_columns() -> tuple[str, ...]:
    return tuple(
        f"{FIGURE_HEADINGS[key]} {part}"
        for key in FIGURES
        for part in ("planned", "delivered", "gap")
    )


IN_WORDS = "In words"
TRANSFER_RATE = "Transfer rate"
TRANSFER_RATE_PLANNED = "Transfer rate planned"
WAIT_COLUMNS = {
    "choice": (
        "Seen for Choice with a referral date",
        "Choice within target",
        "Choice share within target",
        "Choice median wait (weeks)",
        "Choice target (weeks)",
    ),
    "core": (
        "Started Core with a Choice date",
        "Core within target",
        "Core share within target",
        "Core median wait (weeks)",
        "Core target (weeks)",
    ),
}
"""A stream's waits: how many had the date, how many within the target, that share, the median
and the target."""

CLINICIAN_MONTH_COLUMNS = ("Month", "Quarter", "Clinician", *figure_columns(), IN_WORDS)
TEAM_MONTH_COLUMNS = (
    "Month",
    "Quarter",
    *figure_columns(),
    TRANSFER_RATE,
    TRANSFER_RATE_PLANNED,
    *WAIT_COLUMNS["choice"],
    *WAIT_COLUMNS["core"],
    IN_WORDS,
)
TEAM_QUARTER_COLUMNS = ("Quarter", "Months counted", *figure_columns(), TRANSFER_RATE, IN_WORDS)
CLINICIAN_QUARTER_COLUMNS = (
    "Quarter",
    "Clinician",
    "Months counted",
    *figure_columns(),
    IN_WORDS,
)
TOTAL_LABEL = "Total"

SUMMARY_HEADINGS = (
    "Gaps",
    "Signals against the plan",
    "Patterns in the monthly figures",
    "How to read this workbook",
)
CHART_TITLES = (
    "Choice appointments: planned and delivered",
    "New Core Partnerships: planned and delivered",
    "Core appointments: planned and delivered",
    "Transfer rate to Core: actual and planned",
)
