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
    "weeks_to_target": "Weeks in which to bring each waiting list down to its target size (13).",
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
        Column(key, header, 12, number_format="0.0#", hint=f"Weekly hours of {label}, 0 or more.")
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
NO_DEMAND_TEXT = (
    "Type the accepted referrals a week above, or a referral series on the Demand sheet."
)
"""What each verdict on the Team plan says while there is no demand to work from."""


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
        f'=IF(NOT(ISNUMBER({DEMAND_NAME})),"{NO_DEMAND_TEXT}",'
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

# --- team plan: waiting lists -------------------------------------------------------------

WEEKS_TO_TARGET = setting("weeks_to_target")
NEVER_TEXT = "not at present capacity"
"""What the weeks-at-present cell shows when present capacity never brings the list down."""


@dataclass(frozen=True)
class WaitingStream:
    """One waiting list on the Team plan: Choice or Core Partnership, one column each.

    `demand` and `capacity` are formula bodies for the stream's demand and capacity a week
    (both over the year's 52 weeks); `hours_each` the weekly job-plan hours one more a week
    takes, as capa.waiting_lists counts them.
    """

    key: str  # "choice" or "core", as capa.WAITING_STREAMS
    prefix: str  # the start of each of its defined names
    header: str
    demand: str
    capacity: str
    target_weeks: str  # the defined name of its target-wait setting
    hours_each: str

    def name(self, measure: str) -> str:
        return f"{self.prefix}{measure}"

    @property
    def waiting_name(self) -> str:
        return self.name("Waiting")

    @property
    def verdict_name(self) -> str:
        return self.name("WaitingVerdict")


WAITING_STREAMS: tuple[WaitingStream, ...] = (
    WaitingStream(
        "choice",
        "Choice",
        "Choice",
        f"N({DEMAND_NAME})",
        "TeamChoicePerWeek",
        setting("choice_target_weeks"),
        f"{setting('hours_per_appointment')}*{_CO_THERAPY}*52/{setting('working_weeks_per_year')}",
    ),
    WaitingStream(
        "core",
        "Core",
        "Core Partnership",
        f"N({DEMAND_NAME})*{setting('transfer_rate')}",
        f"TeamNewCorePerQuarter/{setting('weeks_per_quarter')}",
        setting("core_target_weeks"),
        f"{setting('hours_per_session')}*{setting('mean_core_appointments')}"
        f"/({setting('appointments_per_session')}*{setting('working_weeks_per_year')}/4)"
        f"*{_CO_THERAPY}*{setting('weeks_per_quarter')}",
    ),
)


@dataclass(frozen=True)
class WaitingMeasure:
    """One row of the waiting-list block: a label, a number format and, for each stream, a
    formula (none for the number waiting, which is typed)."""

    key: str  # the capa.WaitingList field it equals
    measure: str  # the end of each stream's defined name
    label: str  # text, or a formula giving the text
    number_format: str = "0.0#"

    def formula(self, stream: WaitingStream) -> str:
        return _WAITING_FORMULAS[self.measure](stream) if self.measure != "Waiting" else ""


def _waiting_names(s: WaitingStream) -> dict[str, str]:
    keys = ("Waiting", "TargetWait", "DemandPerWeek", "CapacityPerWeek", "TargetQueue")
    keys += ("ReliefCapacity", "ExtraPerWeek", "WeeksAtPresent")
    return {k: s.name(k) for k in keys}


def _load(s: WaitingStream) -> str:
    n = _waiting_names(s)
    d, c = n["DemandPerWeek"], n["CapacityPerWeek"]
    return f'=IF({c}>0,{d}/{c},IF({d}>0,"",0))'


def _relief(s: WaitingStream) -> str:
    n = _waiting_names(s)
    w = n["Waiting"]
    return f'=IF(ISNUMBER({w}),{n["DemandPerWeek"]}+({w}-{n["TargetQueue"]})/{WEEKS_TO_TARGET},"")'


def _weeks_at_present(s: WaitingStream) -> str:
    n = _waiting_names(s)
    w, q, d, c = n["Waiting"], n["TargetQueue"], n["DemandPerWeek"], n["CapacityPerWeek"]
    return (
        f"=IF(ISNUMBER({w}),IF({w}-{q}<=1E-9,0,IF({c}-{d}>1E-9,({w}-{q})/({c}-{d}),"
        f'"{NEVER_TEXT}")),"")'
    )


_WAITING_FORMULAS = {
    "TargetWait": lambda s: f"={s.target_weeks}",
    "DemandPerWeek": lambda s: f"={s.demand}",
    "CapacityPerWeek": lambda s: f"={s.capacity}",
    "Load": _load,
    "TargetQueue": lambda s: f"={s.name('DemandPerWeek')}*{s.name('TargetWait')}/4",
    "ReliefCapacity": _relief,
    "ExtraPerWeek": lambda s: (
        f"=IF(ISNUMBER({s.waiting_name}),MAX(0,{s.name('ReliefCapacity')}"
        f'-{s.name("CapacityPerWeek")}),"")'
    ),
    "ExtraHours": lambda s: (
        f'=IF(ISNUMBER({s.waiting_name}),{s.name("ExtraPerWeek")}*{s.hours_each},"")'
    ),
    "WeeksAtPresent": _weeks_at_present,
}

WAITING_MEASURES: tuple[WaitingMeasure, ...] = (
    WaitingMeasure("waiting", "Waiting", "Number waiting now", "0"),
    WaitingMeasure("target_wait_weeks", "TargetWait", "Target wait (weeks)", "0.#"),
    WaitingMeasure("demand", "DemandPerWeek", "Demand a week"),
    WaitingMeasure("capacity", "CapacityPerWeek", "Capacity a week"),
    WaitingMeasure("load", "Load", "Load (demand ÷ capacity; above 1 the list grows)", "0.00"),
    WaitingMeasure("target_queue", "TargetQueue", "Target size (demand × target wait ÷ 4)"),
    WaitingMeasure(
        "relief_capacity",
        "ReliefCapacity",
        f'="Capacity a week to reach the target in "&{WEEKS_TO_TARGET}&" weeks"',
    ),
    WaitingMeasure("extra_per_week", "ExtraPerWeek", "More a week than now, for that"),
    WaitingMeasure("extra_hours", "ExtraHours", "More job-plan hours a week, for that"),
    WaitingMeasure(
        "weeks_at_present", "WeeksAtPresent", "Weeks to reach the target at present capacity"
    ),
)
WAITING_HEADERS = ("Waiting lists", *(s.header for s in WAITING_STREAMS))
WAITING_NAMES = tuple(s.name(m.measure) for m in WAITING_MEASURES for s in WAITING_STREAMS)
WAITING_VERDICT_NAMES = tuple(s.verdict_name for s in WAITING_STREAMS)


def waiting_verdict_formula(s: WaitingStream) -> str:
    """capa.WaitingList's sentence as a native formula: the same words, counts rounded to
    whole numbers, halves up (ROUND does so for positive numbers, as capa's `about`)."""
    from workload_xl.core.capa import WAITING_STREAMS as UNITS

    activity, one, many = UNITS[s.key]
    w, d, c = s.waiting_name, s.name("DemandPerWeek"), s.name("CapacityPerWeek")
    q, r, at = s.name("TargetQueue"), s.name("ReliefCapacity"), s.name("WeeksAtPresent")
    pct = f"ROUND(ABS({d}/{c}-1)*100,0)"
    reason = (
        f'IF({c}>0,"demand is "&IF({pct}=0,"less than 1",{pct})&"% above capacity",'
        f'"there is no capacity for it")'
    )
    grows = f"{d}-{c}>1E-9"
    n = f"ROUND({r},0)"
    amount = (
        f'IF({n}=0,"less than 1 {one} a week","about "&{n}&IF({n}=1," {one}"," {many}")&" a week")'
    )
    m = f"ROUND({r}-{c},0)"
    more = f'IF({m}=0,"less than 1 more","about "&{m}&" more")'
    action = (
        f'"To reach the target in "&ROUND({WEEKS_TO_TARGET},0)&" weeks needs "&{amount}'
        f'&", "&{more}&" than now."'
    )
    k = f"ROUND({at},0)"
    weeks = f'IF({k}=0,"less than a week",IF({k}=1,"about 1 week","about "&{k}&" weeks"))'
    counts = f'ROUND({w},0)&" waiting, target about "&ROUND({q},0)'
    unrecorded = (
        f'IF({grows},"The {activity} waiting list grows: "&{reason}&". Type the number '
        f'waiting on the Team plan to see the capacity needed to reach its target.",'
        f'"Type the number waiting for {activity} on the Team plan to see how soon the list '
        f'reaches its target.")'
    )
    within = (
        f'IF({grows},"The {activity} waiting list is within its target ("&{counts}&") but '
        f'grows: "&{reason}&".","The {activity} waiting list is within its target: "'
        f'&{counts}&".")'
    )
    above = (
        f'"The {activity} waiting list has "&ROUND({w},0)&" waiting, above its target of '
        f'about "&ROUND({q},0)&"."&IF({grows}," It grows: "&{reason}&". "&{action},'
        f'IF(NOT(ISNUMBER({at}))," Capacity only meets demand, so it stays there. "&{action},'
        f'" At present capacity it reaches the target in "&{weeks}&"."'
        f'&IF({r}-{c}>1E-9," "&{action},"")))'
    )
    return (
        f'=IF(NOT(ISNUMBER({DEMAND_NAME})),"{NO_DEMAND_TEXT}",'
        f"IF(NOT(ISNUMBER({w})),{unrecorded},IF({w}-{q}<=1E-9,{within},{above})))"
    )


WAITING_HEADER_ROW = BALANCE_HEADER_ROW + len(BALANCE_ROWS) + 2
"""The waiting-list block's header row as written, below the balance."""
