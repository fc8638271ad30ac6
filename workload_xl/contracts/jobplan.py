"""The CAPA job-plan workbook's contract: sheets, tables, columns and names, as data (contract).

The writer (`jobplan_workbook`) and its reader take every place from here, and the cells are
found by table and defined names, never by fixed addresses. The calculated columns and team
totals are native formulas that refer to the settings through defined names, so the workbook
works where Python is absent; each is the formula of `capa` (the tests recalculate them in
LibreOffice and compare with `capa`). Lookups are INDEX/MATCH: LibreOffice has no XLOOKUP.

Names are workbook-scoped (formulas on one sheet use names on another), unlike the worker
sheet's sheet-scoped header names.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

from workload_xl.core.capa import ABSENCE_KINDS, ACTIVITIES, CapaSettings

JOBPLAN_SHEET = "Job plans"
SETTINGS_SHEET = "Settings"
ABSENCES_SHEET = "Absences"
TEAM_PLAN_SHEET = "Team plan"
DEMAND_SHEET = "Demand"
SHEETS = (JOBPLAN_SHEET, ABSENCES_SHEET, TEAM_PLAN_SHEET, DEMAND_SHEET, SETTINGS_SHEET)

JOBPLANS_TABLE = "JobPlans"
ABSENCES_TABLE = "Absences"
SETTINGS_TABLE = "Settings"
REFERRALS_TABLE = "Referrals"

DEFAULT_ROWS = 30
JOBPLANS_HEADER_ROW = 4
ABSENCES_HEADER_ROW = 4
SETTINGS_HEADER_ROW = 1
REFERRALS_HEADER_ROW = 4
"""Header rows as written; readers find the tables by name."""

CLINICIAN_NAMES = "ClinicianNames"
"""Workbook name over the JobPlans Clinician column: the Absences drop-down of names."""


# --- settings -----------------------------------------------------------------------------


@dataclass(frozen=True)
class SettingField:
    key: str  # the CapaSettings field
    name: str  # defined name: a named INDEX/MATCH formula giving the setting's value
    label: str  # the Setting column's text, as capa's messages name the setting
    note: str
    numeric: bool = True


def _camel(key: str) -> str:
    return "".join(part.capitalize() for part in key.split("_"))


_NOTES = {
    "working_weeks_per_year": "52 weeks less annual leave, bank holidays and training (CAPA: 45).",
    "weeks_per_quarter": "Weeks in a quarter, over which referrals arrive, leave or not (13).",
    "appointments_per_session": "Appointments in a half-day Core session (CAPA: 2).",
    "hours_per_session": "Hours in a half-day session (CAPA: 3.5).",
    "mean_core_appointments": "Mean appointments in a Core Partnership (CAPA: 7.5).",
    "transfer_rate": "Share of Choice appointments going on to Core; 68% is 0.68.",
    "specific_share": (
        "Share of accepted referrals needing Specific Partnership work; 10% is 0.10 "
        "(no CAPA figure: count your own)."
    ),
    "mean_specific_appointments": "Mean appointments in a Specific episode (no CAPA figure: 12).",
    "specific_appointments_per_session": "Appointments in a half-day Specific session (2).",
    "co_therapy_rate": "Share of appointments seen by two clinicians; 0 if none.",
    "choice_target_weeks": "Target weeks from referral to Choice (CAPA: 6).",
    "core_target_weeks": "Target weeks from Choice to Core (CAPA: 4, at most 6).",
    "balance_tolerance": "Capacity within this share of need is in balance; 10% is 0.10.",
    "hours_per_appointment": "Job-plan hours a Choice appointment takes (1; 1.75 in sessions).",
    "unallocated_hours_tolerance": "Contracted hours left in no activity before it is said.",
    "leave_in_working_weeks": (
        "Kinds of absence the working weeks allow for already, separated by commas "
        f"({', '.join(ABSENCE_KINDS)}); leave blank to count every absence."
    ),
}

SETTING_FIELDS: tuple[SettingField, ...] = tuple(
    SettingField(
        f.name,
        _camel(f.name),
        f.name.replace("_", " "),
        _NOTES[f.name],
        numeric=f.name != "leave_in_working_weeks",
    )
    for f in dataclasses.fields(CapaSettings)
)
SETTING_BY_KEY = {s.key: s for s in SETTING_FIELDS}
SETTING_BY_LABEL = {s.label.casefold(): s for s in SETTING_FIELDS}
SETTINGS_COLUMNS = ("Setting", "Value", "Note")


def setting(key: str) -> str:
    """The defined name of a numeric setting, for use in formulas."""
    return SETTING_BY_KEY[key].name


# --- job plans ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Column:
    key: str  # the Clinician field, or the calculated figure's key
    header: str
    width: float
    formula: str = ""  # calculated: a native formula; else an input
    number_format: str = "General"
    hint: str = ""

    @property
    def is_input(self) -> bool:
        return not self.formula


def this_row(column: str, table: str = JOBPLANS_TABLE) -> str:
    """A structured reference to this row's cell: works in Excel and LibreOffice alike."""
    return f"{table}[[#This Row],[{column}]]"


def _capitalised(label: str) -> str:
    return label[:1].upper() + label[1:]


ACTIVITY_HEADERS = {key: _capitalised(label) for key, label in ACTIVITIES.items()}
"""The JobPlans header of each activity's weekly hours, by Clinician field."""

_NAMED = f'{this_row("Clinician")}=""'
_ALLOCATED = ",".join(this_row(h) for h in ACTIVITY_HEADERS.values())

JOBPLAN_COLUMNS: tuple[Column, ...] = (
    Column(
        "name",
        "Clinician",
        22,
        number_format="@",
        hint="The clinician's name, as on the Absences sheet.",
    ),
    Column("profession", "Profession", 16, number_format="@"),
    Column(
        "contracted_hours",
        "Contracted hours",
        11,
        number_format="0.0#",
        hint="Weekly contracted hours, above 0 (37.5 full time).",
    ),
    *(
        Column(key, header, 11, number_format="0.0#", hint=f"Weekly hours of {label}, 0 or more.")
        for (key, label), header in zip(ACTIVITIES.items(), ACTIVITY_HEADERS.values(), strict=True)
    ),
    Column("allocated_hours", "Allocated hours", 11, f'=IF({_NAMED},"",SUM({_ALLOCATED}))', "0.0#"),
    Column(
        "unallocated_hours",
        "Unallocated hours",
        11,
        f'=IF({_NAMED},"",{this_row("Contracted hours")}-{this_row("Allocated hours")})',
        "0.0#",
    ),
    Column(
        "choice_slots",
        "Choice a week over the year",
        11,
        f'=IF({_NAMED},"",{this_row(ACTIVITY_HEADERS["choice"])}'
        f"/{setting('hours_per_appointment')}*{setting('working_weeks_per_year')}/52)",
        "0.0#",
    ),
    Column(
        "new_core",
        "New Core a quarter",
        11,
        f'=IF({_NAMED},"",{this_row(ACTIVITY_HEADERS["core"])}'
        f"/{setting('hours_per_session')}*{setting('appointments_per_session')}"
        f"*{setting('working_weeks_per_year')}/4/{setting('mean_core_appointments')})",
        "0.0#",
    ),
    Column(
        "new_specific",
        "New Specific a quarter",
        11,
        f'=IF({_NAMED},"",{this_row(ACTIVITY_HEADERS["specific"])}'
        f"/{setting('hours_per_session')}*{setting('specific_appointments_per_session')}"
        f"*{setting('working_weeks_per_year')}/4/{setting('mean_specific_appointments')})",
        "0.0#",
    ),
)
JOBPLAN_COLUMN_BY_KEY = {c.key: c for c in JOBPLAN_COLUMNS}
JOBPLAN_INPUTS = tuple(c for c in JOBPLAN_COLUMNS if c.is_input)


# --- absences -----------------------------------------------------------------------------

ABSENCE_COLUMNS: tuple[Column, ...] = (
    Column(
        "clinician",
        "Clinician",
        22,
        number_format="@",
        hint="Pick the clinician: names come from the Job plans sheet.",
    ),
    Column("kind", "Kind", 20, hint="Pick the kind of absence from the list."),
    Column("start", "Start", 12, number_format="yyyy-mm-dd", hint="First day away."),
    Column("end", "End", 12, number_format="yyyy-mm-dd", hint="Last day away."),
)
ABSENCE_COLUMN_BY_KEY = {c.key: c for c in ABSENCE_COLUMNS}


# --- demand: a referral series -------------------------------------------------------------

REFERRAL_COLUMNS: tuple[Column, ...] = (
    Column(
        "start",
        "Start",
        12,
        number_format="yyyy-mm-dd",
        hint="First day of the week or month counted.",
    ),
    Column(
        "end", "End", 12, number_format="yyyy-mm-dd", hint="Last day of the week or month counted."
    ),
    Column(
        "referrals",
        "Accepted referrals",
        12,
        number_format="0.##",
        hint="Referrals accepted from Start to End, 0 or more.",
    ),
    Column(
        "days",
        "Days",
        8,
        f'=IF(OR({this_row("Start", "Referrals")}="",{this_row("End", "Referrals")}=""),"",'
        f"{this_row('End', 'Referrals')}-{this_row('Start', 'Referrals')}+1)",
        "0",
    ),
)
REFERRAL_COLUMN_BY_KEY = {c.key: c for c in REFERRAL_COLUMNS}

# --- team plan: demand and totals ---------------------------------------------------------

REFERRALS_NAME = "ReferralsPerWeek"
REFERRALS_LABEL = "Accepted referrals a week"
SERIES_NAME = "SeriesPerWeek"
SERIES_LABEL = "From the referral series (Demand sheet)"
SERIES_FORMULA = (
    f"=IF(N(SUM({REFERRALS_TABLE}[Days]))>0,SUMIFS({REFERRALS_TABLE}[Accepted referrals],"
    f'{REFERRALS_TABLE}[Days],">0")/SUM({REFERRALS_TABLE}[Days])*7,"")'
)
"""capa.demand_per_week as a formula: referrals over the days counted, × 7."""
DEMAND_NAME = "DemandPerWeek"
DEMAND_LABEL = "Demand used: referrals a week"
DEMAND_FORMULA = (
    f'=IF(ISNUMBER({REFERRALS_NAME}),{REFERRALS_NAME},IF(ISNUMBER({SERIES_NAME}),{SERIES_NAME},""))'
)
"""The referrals a week typed above, else the series': what the balance is worked out on."""


@dataclass(frozen=True)
class TeamTotal:
    key: str
    name: str  # workbook-scoped defined name of the cell
    formula: str
    number_format: str = "0.0#"


@dataclass(frozen=True)
class BalanceRow:
    """One side of the CAPA balance: capacity, need, capacity ÷ need and what that means, in
    one row."""

    key: str  # "choice", "core" or "specific", as capa.Balance
    label: str
    capacity: TeamTotal
    need: TeamTotal
    ratio: TeamTotal
    activity: str  # as capa's sentences name it
    unit: tuple[str, str, str]  # one, many, per: as capa's sentences count it
    verdict_name: str

    @property
    def verdict(self) -> TeamTotal:
        return TeamTotal("verdict", self.verdict_name, verdict_formula(self), "General")


def verdict_formula(side: BalanceRow) -> str:
    """capa's balance sentence as a native formula, so the sheet says what its numbers mean
    as the user edits them, with Python absent: the same words, percentages and rounding
    (halves up, as capa's `_about` and Excel's ROUND both do for positive numbers)."""
    one, many, per = side.unit
    capacity, need, ratio = side.capacity.name, side.need.name, side.ratio.name
    tolerance = setting("balance_tolerance")
    pct = f"ROUND(ABS({ratio}-1)*100,0)"

    def amount(x: str) -> str:
        n = f"ROUND({x},0)"
        return (
            f'IF({n}=0,"less than 1 {one} {per}",'
            f'"about "&{n}&IF({n}=1," {one}"," {many}")&" {per}")'
        )

    activity = side.activity
    no_demand = (
        f'IF({capacity}>0,"There is no demand for {activity}; its capacity is "'
        f'&{amount(capacity)}&".","There is no demand for {activity} and no capacity '
        f'for it.")'
    )
    balanced = (
        f'"{activity} capacity is in balance with demand: "&IF({pct}=0,"equal to it",'
        f'{pct}&"% "&IF({capacity}-{need}<0,"short of","above")&" it")&", within the "'
        f'&ROUND({tolerance}*100,0)&"% tolerance."'
    )
    short = (
        f'"{activity} capacity is "&{pct}&"% short of demand: "&{amount(f"{need}-{capacity}")}&"."'
    )
    surplus = (
        f'"{activity} capacity is "&{pct}&"% above demand: "'
        f'&{amount(f"{capacity}-{need}")}&" more than needed."'
    )
    return (
        f'=IF(NOT(ISNUMBER({DEMAND_NAME})),"Type the accepted referrals a week above, or '
        f'a referral series on the Demand sheet.",'
        f"IF(N({need})<=0,{no_demand},"
        f"IF(ABS({ratio}-1)<={tolerance}+1E-9,{balanced},IF({ratio}<1,{short},{surplus}))))"
    )


_CO_THERAPY = f"(1+{setting('co_therapy_rate')})"


def _ratio(name: str, capacity: str, need: str) -> TeamTotal:
    return TeamTotal("ratio", name, f'=IF(N({need})>0,{capacity}/{need},"")', "0.00")


BALANCE_ROWS: tuple[BalanceRow, ...] = (
    BalanceRow(
        "choice",
        "Choice appointments a week",
        TeamTotal(
            "capacity",
            "TeamChoicePerWeek",
            f"=SUM({JOBPLANS_TABLE}[Choice a week over the year])/{_CO_THERAPY}",
        ),
        TeamTotal("need", "ChoiceNeededPerWeek", f"=N({DEMAND_NAME})"),
        _ratio("ChoiceBalanceRatio", "TeamChoicePerWeek", "ChoiceNeededPerWeek"),
        "Choice",
        ("appointment", "appointments", "a week"),
        "ChoiceVerdict",
    ),
    BalanceRow(
        "core",
        "New Core Partnerships a quarter",
        TeamTotal(
            "capacity",
            "TeamNewCorePerQuarter",
            f"=SUM({JOBPLANS_TABLE}[New Core a quarter])/{_CO_THERAPY}",
        ),
        TeamTotal(
            "need",
            "CoreNeededPerQuarter",
            f"=N({DEMAND_NAME})*{setting('weeks_per_quarter')}*{setting('transfer_rate')}",
        ),
        _ratio("CoreBalanceRatio", "TeamNewCorePerQuarter", "CoreNeededPerQuarter"),
        "Core Partnership",
        ("new case", "new cases", "a quarter"),
        "CoreVerdict",
    ),
    BalanceRow(
        "specific",
        "New Specific Partnerships a quarter",
        TeamTotal(
            "capacity",
            "TeamNewSpecificPerQuarter",
            f"=SUM({JOBPLANS_TABLE}[New Specific a quarter])/{_CO_THERAPY}",
        ),
        TeamTotal(
            "need",
            "SpecificNeededPerQuarter",
            f"=N({DEMAND_NAME})*{setting('weeks_per_quarter')}*{setting('specific_share')}",
        ),
        _ratio("SpecificBalanceRatio", "TeamNewSpecificPerQuarter", "SpecificNeededPerQuarter"),
        "Specific Partnership",
        ("new case", "new cases", "a quarter"),
        "SpecificVerdict",
    ),
)
BALANCE_HEADERS = ("", "Capacity", "Needed", "Capacity ÷ need", "What it means")
TEAM_TOTAL_NAMES = tuple(
    total.name for row in BALANCE_ROWS for total in (row.capacity, row.need, row.ratio)
)
VERDICT_NAMES = tuple(row.verdict_name for row in BALANCE_ROWS)

HOURS_TOTALS: tuple[tuple[str, TeamTotal], ...] = (
    (
        "Contracted hours",
        TeamTotal(
            "contracted_hours", "TeamContractedHours", f"=SUM({JOBPLANS_TABLE}[Contracted hours])"
        ),
    ),
    *(
        (header, TeamTotal(key, f"TeamHours{_camel(key)}", f"=SUM({JOBPLANS_TABLE}[{header}])"))
        for key, header in ACTIVITY_HEADERS.items()
    ),
    (
        "Unallocated hours",
        TeamTotal(
            "unallocated_hours",
            "TeamUnallocatedHours",
            f"=SUM({JOBPLANS_TABLE}[Unallocated hours])",
        ),
    ),
)
"""The team's weekly hours by activity type, beside the balance on the Team plan sheet."""
HOURS_HEADERS = ("Team hours a week", "Hours")
HOURS_COLUMN = 7  # G: label, H: hours
REFERRALS_ROW = 4
SERIES_ROW = 5
DEMAND_ROW = 6
BALANCE_HEADER_ROW = 8
"""Rows of the Team plan sheet as written; readers find the cells by name."""
