"""Choice and Partnership Approach (CAPA) job-plan maths for CAMHS teams (core layer).

CAPA asks two questions of a team's job plans: are there enough Choice appointments for the
referrals coming in, and enough Core Partnership time for the share of them that go on to
treatment? Every formula here is the published CAPA one (York and Kingsbury's CAPA materials
and the CAPA job-planning tools), or the NHS demand-and-capacity convention for queues, and
each docstring names its source. Every number a service agrees locally is a setting with the
CAPA default, so the maths never hides a constant.

Choices a reader of the numbers should know (the tests pin each one):

- Core time is counted in half-day sessions: weekly Core hours ÷ `hours_per_session` (3.5).
  A session holds `appointments_per_session` (2) appointments plus their write-up, so one
  weekly session gives 2 × 11.25 ÷ 7.5 = 3 new Core Partnerships a quarter, and one weekly
  Core hour about 0.86 (3 ÷ 3.5): the published "11 hours give about 9.4".
- Choice time is counted in appointments: weekly Choice hours ÷ `hours_per_appointment` (1),
  since a Choice clinic is booked hour by hour. A team that books Choice in half-day sessions
  like Core sets `hours_per_appointment` to 1.75 (3.5 ÷ 2).
- Co-therapy: `co_therapy_rate` is the share of appointments two clinicians see together.
  Each such appointment uses two clinicians' slots, so the team's capacity is the sum of
  its clinicians' slots ÷ (1 + co_therapy_rate), for Choice and Core alike. Per-clinician
  figures are that clinician's own slots, before the division.
- Balance: capacity ÷ need within ±`balance_tolerance` (inclusive) is "in balance", below it
  "short", above it "surplus". Nothing else is said: these numbers open a discussion.
- Hours in a balance are weekly job-plan hours: how many hours a week of Choice or Core time
  would close the gap, co-therapy included.
- Absences: each weekday (Monday to Friday, bank holidays included) is assumed to carry a
  fifth of a clinician's weekly job plan, whatever their contracted hours, since the tool
  does not know which days a part-time clinician works. An absent weekday costs 45/52 of a
  day of job plan (`working_weeks_per_year` ÷ 52), because the 45 working weeks already allow
  for the 7 weeks a year nobody works: so a clinician away for a whole quarter loses exactly
  the quarter's capacity (11.25 weeks), not 13 weeks of it. For the same reason, kinds in
  `leave_in_working_weeks` (annual leave, by default) are counted as days away but cost no
  capacity: the 45 weeks allow for them already. A day with two absences counts once, and
  costs capacity if either absence does.
- Bad settings, hours and dates are findings (data), collected in one pass. The maths
  functions refuse inputs that would make their numbers meaningless by raising `CapaError`,
  which carries the same findings.
"""

from __future__ import annotations

import datetime as dt
import itertools
import math
import numbers
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from workload_xl.core.findings import Finding, Severity
from workload_xl.core.rules import finding

# --- rules --------------------------------------------------------------------------------


def _finding(rule_id: str, message: str, **where: Any) -> Finding:
    return finding(rule_id, message, **where)


class CapaError(ValueError):
    """Inputs the CAPA maths cannot use; carries the findings that say why, as validation does."""

    def __init__(self, findings: Sequence[Finding]) -> None:
        self.findings = tuple(findings)
        super().__init__(" ".join(f.message for f in self.findings))


def _raise_on_errors(found: Iterable[Finding]) -> None:
    errors = [f for f in found if f.severity is Severity.ERROR]
    if errors:
        raise CapaError(errors)


# --- settings -----------------------------------------------------------------------------

ANNUAL_LEAVE = "annual leave"
MATERNITY_LEAVE = "maternity leave"
LONG_TERM_SICKNESS = "long-term sickness"
OTHER_ABSENCE = "other"
ABSENCE_KINDS = (ANNUAL_LEAVE, MATERNITY_LEAVE, LONG_TERM_SICKNESS, OTHER_ABSENCE)
"""The kinds of absence a job plan records."""


@dataclass(frozen=True)
class CapaSettings:
    """The numbers a service agrees locally, with the defaults of the CAPA materials.

    - `working_weeks_per_year` 45: 52 weeks less annual leave, bank holidays and training;
      a quarter is a quarter of it, 11.25 weeks (some materials use 11.5).
    - `appointments_per_session` 2 in a half-day session of `hours_per_session` 3.5 hours.
    - `mean_core_appointments` 7.5 appointments in a Core Partnership (some services use 7).
    - `transfer_rate` 0.68: the share of Choice appointments that go on to Core (66–70%).
    - `co_therapy_rate` 0: the share of appointments seen by two clinicians.
    - `choice_target_weeks` 6 from referral to Choice; `core_target_weeks` 4 from Choice to
      Core (at most 6).
    - `balance_tolerance` 0.10: capacity within ±10% of need is "in balance".
    - `hours_per_appointment` 1: the hours a Choice appointment takes in a job plan.
    - `unallocated_hours_tolerance` 1: contracted hours left in no activity before a job plan
      says so (an information finding, not an error).
    - `leave_in_working_weeks` ("annual leave",): kinds of absence the 45 working weeks allow
      for already, so they cost no capacity; () counts every absence as capacity lost.

    Bad values are reported by `check_settings` as findings, not raised here, so a settings
    sheet with three mistakes shows all three.
    """

    working_weeks_per_year: float = 45
    appointments_per_session: float = 2
    hours_per_session: float = 3.5
    mean_core_appointments: float = 7.5
    transfer_rate: float = 0.68
    co_therapy_rate: float = 0.0
    choice_target_weeks: float = 6
    core_target_weeks: float = 4
    balance_tolerance: float = 0.10
    hours_per_appointment: float = 1.0
    unallocated_hours_tolerance: float = 1.0
    leave_in_working_weeks: tuple[str, ...] = (ANNUAL_LEAVE,)

    @property
    def working_weeks_per_quarter(self) -> float:
        """Working weeks per year ÷ 4: 45 ÷ 4 = 11.25 in the CAPA worked example."""
        return self.working_weeks_per_year / 4


def _positive(v: float) -> bool:
    return v > 0


_SETTING_CHECKS: dict[str, tuple[Callable[[float], bool], str]] = {
    "working_weeks_per_year": (lambda v: 0 < v <= 52, "more than 0 and at most 52"),
    "appointments_per_session": (_positive, "more than 0"),
    "hours_per_session": (_positive, "more than 0"),
    "mean_core_appointments": (_positive, "more than 0"),
    "transfer_rate": (lambda v: 0 <= v <= 1, "between 0 and 1 (68% is 0.68)"),
    "co_therapy_rate": (lambda v: 0 <= v <= 1, "between 0 and 1"),
    "choice_target_weeks": (_positive, "more than 0 weeks"),
    "core_target_weeks": (_positive, "more than 0 weeks"),
    "balance_tolerance": (lambda v: 0 <= v < 1, "at least 0 and below 1 (10% is 0.10)"),
    "hours_per_appointment": (_positive, "more than 0"),
    "unallocated_hours_tolerance": (lambda v: v >= 0, "0 or more hours"),
}
"""What each numeric setting must be, in the words a settings sheet shows."""


def check_settings(settings: CapaSettings) -> list[Finding]:
    """Every setting the maths cannot use, each as a `capa-setting-invalid` finding."""
    found = []
    for name, (ok, requirement) in _SETTING_CHECKS.items():
        value = getattr(settings, name)
        if not _is_number(value) or not ok(float(value)):
            label = name.replace("_", " ")
            found.append(
                _finding(
                    "capa-setting-invalid",
                    f"The setting '{label}' is {value!r}; it must be {requirement}.",
                    field=name,
                    value=value,
                )
            )
    kinds = settings.leave_in_working_weeks
    if isinstance(kinds, str) or not all(kind in ABSENCE_KINDS for kind in kinds):
        found.append(
            _finding(
                "capa-setting-invalid",
                f"The setting 'leave in working weeks' is {kinds!r}; it must list kinds of "
                f"absence from: {', '.join(ABSENCE_KINDS)}.",
                field="leave_in_working_weeks",
                value=kinds,
            )
        )
    return found


def check_referrals(referrals_per_week: object) -> list[Finding]:
    """Accepted referrals per week must be a number, 0 or more."""
    if _is_number(referrals_per_week) and float(referrals_per_week) >= 0:  # type: ignore[arg-type]
        return []
    return [
        _finding(
            "capa-referrals-invalid",
            f"Accepted referrals per week are {referrals_per_week!r}; type a number, 0 or more.",
            field="referrals_per_week",
            value=referrals_per_week,
        )
    ]


@dataclass(frozen=True)
class ReferralCount:
    """Accepted referrals from `start` to `end`, both days included: a week, a month, or any
    stretch a service counts by."""

    start: dt.date
    end: dt.date
    referrals: float


def check_referral_series(series: Sequence[ReferralCount]) -> list[Finding]:
    """Each count needs dates in order and a number of referrals, 0 or more; two counts may
    not cover the same day, or its referrals would be counted twice."""
    found: list[Finding] = []
    spans: list[tuple[dt.date, dt.date]] = []
    for count in series:
        start, end = _day_or_none(count.start), _day_or_none(count.end)
        if start is None or end is None or end < start:
            bad = "start" if start is None else "end"
            found.append(
                _finding(
                    "capa-referrals-invalid",
                    f"A referral count runs from {_shown(count.start)} to {_shown(count.end)}; "
                    "give its first and last day as dates, the last on or after the first.",
                    field=bad,
                    value=getattr(count, bad),
                )
            )
        else:
            spans.append((start, end))
        if not (_is_number(count.referrals) and float(count.referrals) >= 0):
            found.append(
                _finding(
                    "capa-referrals-invalid",
                    f"Accepted referrals are {count.referrals!r} for the count starting "
                    f"{count.start}; type a number, 0 or more.",
                    field="referrals",
                    value=count.referrals,
                )
            )
    spans.sort()
    for (_, end), (start, _) in itertools.pairwise(spans):
        if start <= end:
            found.append(
                _finding(
                    "capa-referrals-invalid",
                    f"The referral count starting {start} overlaps the one before it (which ends "
                    f"{end}), so some days would be counted twice. Correct the dates.",
                    field="start",
                    value=start,
                )
            )
    return found


def demand_per_week(series: Sequence[ReferralCount]) -> float:
    """Accepted referrals a week from a weekly or monthly series: all the referrals ÷ all
    the days counted × 7.

    Weighted by days, so October (31 days) weighs more than February and weeks and months may
    be mixed; a weekly series gives the mean of its weeks. CAPA adjusts Choice slots over
    about six weeks as referrals vary, so a service gives the stretch it plans for (the last
    six weeks, or the same quarter last year). Raises CapaError for a bad or empty series.
    """
    _raise_on_errors(check_referral_series(series))
    days = sum((_day(count.end) - _day(count.start)).days + 1 for count in series)
    if not days:
        raise CapaError(
            [
                _finding(
                    "capa-referrals-invalid",
                    "The referral series is empty; "
                    "give at least one count, or the referrals a week.",
                    field="referrals",
                )
            ]
        )
    return sum(float(count.referrals) for count in series) / days * 7


# --- job plans ----------------------------------------------------------------------------

ACTIVITIES: dict[str, str] = {
    "choice": "Choice",
    "core": "Core Partnership",
    "specific": "Specific Partnership",
    "big_admin": "Big Admin",
    "team_meeting": "team meeting",
    "supervision": "supervision",
    "cpd": "CPD, research and audit",
    "management": "management",
    "travel": "travel",
    "other": "other tasks",
}
"""The activities of a CAPA job plan, by field name, with the names clinicians use."""


@dataclass(frozen=True)
class Clinician:
    """One clinician's CAPA job plan: weekly hours in each activity against contracted hours.

    Big Admin is reports, calls and liaison; other tasks include consultation and Tier 2 work.
    """

    name: str
    profession: str = ""
    contracted_hours: float = 37.5
    choice: float = 0.0
    core: float = 0.0
    specific: float = 0.0
    big_admin: float = 0.0
    team_meeting: float = 0.0
    supervision: float = 0.0
    cpd: float = 0.0
    management: float = 0.0
    travel: float = 0.0
    other: float = 0.0

    @property
    def allocated_hours(self) -> float:
        """Weekly hours in all activities of the job plan together."""
        return sum(float(getattr(self, name)) for name in ACTIVITIES)

    @property
    def unallocated_hours(self) -> float:
        """Contracted hours in no activity; negative when the plan is over-allocated."""
        return float(self.contracted_hours) - self.allocated_hours


@dataclass(frozen=True)
class Absence:
    """A clinician away from `start` to `end`, both days included; `kind` is in ABSENCE_KINDS."""

    clinician: str
    kind: str
    start: dt.date
    end: dt.date


def check_job_plans(team: Sequence[Clinician], settings: CapaSettings) -> list[Finding]:
    """Every job plan problem in the team, clinician by clinician.

    Negative or non-numeric hours and contracted hours not above 0 are errors; activity hours
    above contracted hours are an error (the plan promises time that does not exist); more
    than `unallocated_hours_tolerance` hours in no activity is information, since the time may
    be real but unplanned. A name used twice is an error: absences could not be told apart.
    """
    found: list[Finding] = []
    seen: set[str] = set()
    for clinician in team:
        who = clinician.name
        if not str(who).strip():
            found += _nameless([clinician])
            continue
        if who in seen:
            found.append(
                _finding(
                    "capa-clinician-duplicate",
                    f"There are two job plans for {who}; give each clinician one job plan.",
                    field="name",
                    value=who,
                )
            )
        seen.add(who)
        bad = _bad_hours(clinician)
        found += bad
        if bad:
            continue
        spare = clinician.unallocated_hours
        tolerance = settings.unallocated_hours_tolerance
        if not (_is_number(tolerance) and tolerance >= 0):  # said by check_settings
            tolerance = CapaSettings().unallocated_hours_tolerance
        if spare < -_TOLERANCE:
            found.append(
                _finding(
                    "capa-hours-over-contract",
                    f"{who}'s job plan has {_hours(clinician.allocated_hours)} of activities "
                    f"a week but {_hours(clinician.contracted_hours)} contracted: "
                    f"{_hours(-spare)} too many. Take hours out of activities.",
                    field="contracted_hours",
                    value=clinician.contracted_hours,
                )
            )
        elif spare > tolerance + _TOLERANCE:
            found.append(
                _finding(
                    "capa-hours-unallocated",
                    f"{_hours(spare)} of {who}'s {_hours(clinician.contracted_hours)} "
                    "contracted a week are in no activity of the job plan.",
                    field="contracted_hours",
                    value=clinician.contracted_hours,
                )
            )
    return found


def _nameless(team: Sequence[Clinician]) -> list[Finding]:
    """A job plan with no name cannot be counted for anyone, nor its absences matched."""
    return [
        _finding(
            "capa-clinician-missing",
            "A job plan has hours but no clinician's name. Type the name, or clear the row.",
            field="name",
        )
        for clinician in team
        if not str(clinician.name).strip()
    ]


def _bad_hours(clinician: Clinician) -> list[Finding]:
    found = []
    contracted = clinician.contracted_hours
    if not _is_number(contracted) or contracted <= 0:
        found.append(
            _finding(
                "capa-hours-invalid",
                f"{clinician.name}'s contracted hours are {contracted!r}; type the weekly "
                "hours of the contract, more than 0.",
                field="contracted_hours",
                value=contracted,
            )
        )
    for name, label in ACTIVITIES.items():
        value = getattr(clinician, name)
        if not _is_number(value) or value < 0:
            found.append(
                _finding(
                    "capa-hours-invalid",
                    f"{clinician.name}'s {label} hours are {value!r}; type weekly hours, "
                    "0 or more.",
                    field=name,
                    value=value,
                )
            )
    return found


# --- capacity -----------------------------------------------------------------------------


def choice_needed_per_week(referrals_per_week: float) -> float:
    """Choice appointments needed a week = accepted referrals a week.

    CAPA plans for full attendance (non-attendance is usually under 5%), so every accepted
    referral needs one Choice appointment; the Choice slots are adjusted over about six weeks
    as referrals vary.
    """
    _raise_on_errors(check_referrals(referrals_per_week))
    return float(referrals_per_week)


def choice_slots_per_week(clinician: Clinician, settings: CapaSettings = CapaSettings()) -> float:
    """A clinician's Choice appointments a week = weekly Choice hours ÷ hours per appointment."""
    _raise_on_errors(check_settings(settings))
    return clinician.choice / settings.hours_per_appointment


def core_sessions_per_week(clinician: Clinician, settings: CapaSettings = CapaSettings()) -> float:
    """A clinician's weekly Core sessions = weekly Core hours ÷ hours per half-day session.

    11 hours ÷ 3.5 = 3.14 sessions: how the CAPA materials turn hours into sessions, so that
    11 Core hours give the published 9.4 new Core Partnerships a quarter.
    """
    _raise_on_errors(check_settings(settings))
    return clinician.core / settings.hours_per_session


def new_core_per_quarter(
    core_sessions_per_week: float, settings: CapaSettings = CapaSettings()
) -> float:
    """New Core Partnerships a quarter that weekly Core sessions can take on.

    CAPA: Core sessions a week × appointments per session × working weeks per quarter ÷ mean
    appointments per Partnership. The published worked example: 1 session × 2 × 11.25 ÷ 7.5
    = 3 a quarter for each weekly session; 11 Core hours are 11 ÷ 3.5 sessions, so about 9.4.
    """
    _raise_on_errors(check_settings(settings))
    return (
        core_sessions_per_week
        * settings.appointments_per_session
        * settings.working_weeks_per_quarter
        / settings.mean_core_appointments
    )


def core_needed_per_quarter(
    referrals_per_week: float, settings: CapaSettings = CapaSettings()
) -> float:
    """New Core Partnerships needed a quarter = referrals a week × weeks a quarter × transfer.

    With the defaults that is 11.25 × 0.68 = 7.65 × weekly referrals. The CAPA rule of thumb
    says a team is roughly in balance at 8–9 × weekly referrals: that is more than the formula
    gives with these defaults (7.65), and is reached only with 11.5 weeks and 70% (8.05) or
    more; the materials do not say where the extra comes from. The formula is used here, so
    the settings decide; a service that wants the rule of thumb's margin raises the transfer
    rate or the working weeks.
    """
    _raise_on_errors(check_settings(settings) + check_referrals(referrals_per_week))
    return referrals_per_week * settings.working_weeks_per_quarter * settings.transfer_rate


def _delivered(slots: float, settings: CapaSettings) -> float:
    """Appointments a team delivers from its clinicians' slots: ÷ (1 + co-therapy rate)."""
    return slots / (1 + settings.co_therapy_rate)


def team_choice_per_week(
    team: Sequence[Clinician], settings: CapaSettings = CapaSettings()
) -> float:
    """The team's Choice appointments a week: its clinicians' slots ÷ (1 + co-therapy rate)."""
    return _delivered(sum(choice_slots_per_week(c, settings) for c in team), settings)


def team_new_core_per_quarter(
    team: Sequence[Clinician], settings: CapaSettings = CapaSettings()
) -> float:
    """The team's new Core Partnerships a quarter, ÷ (1 + co-therapy rate)."""
    sessions = sum(core_sessions_per_week(c, settings) for c in team)
    return _delivered(new_core_per_quarter(sessions, settings), settings)


def hours_per_choice(settings: CapaSettings = CapaSettings()) -> float:
    """Weekly job-plan hours for one more Choice appointment a week, co-therapy included."""
    return settings.hours_per_appointment * (1 + settings.co_therapy_rate)


def hours_per_new_core(settings: CapaSettings = CapaSettings()) -> float:
    """Weekly job-plan Core hours for one more new Core Partnership a quarter.

    The inverse of new_core_per_quarter for one hour: 3.5 × 7.5 ÷ (2 × 11.25) = 1.17 hours
    with the defaults (one hour gives 0.86), times (1 + co-therapy rate).
    """
    one_hour = new_core_per_quarter(1 / settings.hours_per_session, settings)
    return (1 + settings.co_therapy_rate) / one_hour


# --- balance ------------------------------------------------------------------------------

IN_BALANCE = "in balance"
SHORT = "short"
SURPLUS = "surplus"
STATUSES = (IN_BALANCE, SHORT, SURPLUS)
"""Every value `Side.status` takes: no other verdict is given."""


@dataclass(frozen=True)
class Side:
    """Capacity against need for one part of the CAPA pathway, Choice or Core Partnership.

    `gap` is capacity − need in the side's unit (positive: more than needed; negative: short),
    and `gap_hours` the same in weekly job-plan hours. `ratio` is capacity ÷ need, None when
    there is no need.
    """

    activity: str
    unit: str
    capacity: float
    need: float
    ratio: float | None
    gap: float
    gap_hours: float
    status: str
    sentence: str


@dataclass(frozen=True)
class Balance:
    """A team's CAPA balance: Choice per week and Core Partnership per quarter."""

    choice: Side
    core: Side

    @property
    def sentences(self) -> tuple[str, str]:
        return (self.choice.sentence, self.core.sentence)


def balance(
    team: Sequence[Clinician],
    demand_per_week: float,
    settings: CapaSettings = CapaSettings(),
) -> Balance:
    """Does the team's job-planned capacity meet demand, for Choice and for Core?

    Choice: the team's appointments a week against accepted referrals a week. Core: the
    team's new Core Partnerships a quarter against referrals × weeks a quarter × transfer
    rate. Raises CapaError for bad settings, referrals or job-plan hours, or a plan with no
    name (over- or under-allocated plans are still counted: their Choice and Core hours are
    what they are).
    """
    _raise_on_errors(
        check_settings(settings)
        + check_referrals(demand_per_week)
        + _nameless(team)
        + [f for c in team for f in _bad_hours(c)]
    )
    choice = _side(
        "Choice",
        ("appointment", "appointments", "a week"),
        team_choice_per_week(team, settings),
        choice_needed_per_week(demand_per_week),
        hours_per_choice(settings),
        settings.balance_tolerance,
    )
    core = _side(
        "Core Partnership",
        ("new case", "new cases", "a quarter"),
        team_new_core_per_quarter(team, settings),
        core_needed_per_quarter(demand_per_week, settings),
        hours_per_new_core(settings),
        settings.balance_tolerance,
    )
    return Balance(choice=choice, core=core)


def _side(
    activity: str,
    unit: tuple[str, str, str],
    capacity: float,
    need: float,
    hours_each: float,
    tolerance: float,
) -> Side:
    one, many, per = unit
    gap = capacity - need
    ratio = capacity / need if need > 0 else None
    if ratio is None:
        status = SURPLUS if capacity > 0 else IN_BALANCE
    elif abs(ratio - 1) <= tolerance + _TOLERANCE:
        status = IN_BALANCE
    else:
        status = SHORT if ratio < 1 else SURPLUS

    def amount(x: float) -> str:
        n = _about(x)
        if n == 0:
            return f"less than 1 {one} {per}"
        return f"about {n} {one if n == 1 else many} {per}"

    if ratio is None:
        sentence = (
            f"There is no demand for {activity}; its capacity is {amount(capacity)}."
            if capacity > 0
            else f"There is no demand for {activity} and no capacity for it."
        )
    else:
        pct = _about(abs(ratio - 1) * 100)
        if status == SHORT:
            sentence = f"{activity} capacity is {pct}% short of demand: {amount(-gap)}."
        elif status == SURPLUS:
            sentence = (
                f"{activity} capacity is {pct}% above demand: {amount(gap)} more than needed."
            )
        else:
            where = "equal to it" if pct == 0 else f"{pct}% {'short of' if gap < 0 else 'above'} it"
            sentence = (
                f"{activity} capacity is in balance with demand: {where}, within the "
                f"{_about(tolerance * 100)}% tolerance."
            )
    return Side(
        activity=activity,
        unit=f"{many} {per}",
        capacity=capacity,
        need=need,
        ratio=ratio,
        gap=gap,
        gap_hours=gap * hours_each,
        status=status,
        sentence=sentence,
    )


# --- absences -----------------------------------------------------------------------------


@dataclass(frozen=True)
class AbsenceLoss:
    """What one clinician's absences cost over a period.

    `working_days` counts weekdays away in the period (each once, whatever the kind);
    `planned_days` those only of kinds the working weeks allow for (annual leave). The rest
    cost capacity: `fraction` of the period's weekdays, `weeks` of job plan (days ÷ 5 × 45/52),
    and the Choice slots, new Core Partnerships and contracted hours those weeks hold, in the
    clinician's own slots (before any co-therapy division).
    """

    clinician: str
    kinds: tuple[str, ...]
    working_days: int
    planned_days: int
    fraction: float
    weeks: float
    choice_slots: float
    new_core: float
    hours: float


@dataclass(frozen=True)
class CapacityLost:
    """Capacity lost to absences over a period, clinician by clinician, with the findings.

    `period_working_days` counts the weekdays of the period; `period_weeks` the working weeks
    it holds (weekdays ÷ 5 × 45/52: 11.25 for a 13-week quarter). The team totals divide by
    (1 + co-therapy rate), as team capacity does.
    """

    start: dt.date | None
    end: dt.date | None
    period_working_days: int
    period_weeks: float
    losses: tuple[AbsenceLoss, ...]
    team_choice_slots: float
    team_new_core: float
    team_hours: float
    findings: tuple[Finding, ...]


def working_days(start: dt.date, end: dt.date) -> int:
    """Weekdays (Monday to Friday) from `start` to `end`, both included; 0 if end is earlier."""
    start, end = _day(start), _day(end)
    if end < start:
        return 0
    total = (end - start).days + 1
    weeks, extra = divmod(total, 7)
    first = start.weekday()
    return weeks * 5 + sum(1 for k in range(extra) if (first + k) % 7 < 5)


def check_absences(absences: Sequence[Absence], team: Sequence[Clinician]) -> list[Finding]:
    """Every absence that cannot be counted as typed: bad dates, unknown clinician or kind."""
    names = {c.name for c in team}
    found = []
    for absence in absences:
        start, end = _day_or_none(absence.start), _day_or_none(absence.end)
        if start is None or end is None:
            found.append(
                _finding(
                    "capa-absence-dates-invalid",
                    f"{absence.clinician}'s {absence.kind} has no valid start and end date; "
                    "type both as dates.",
                    field="start" if start is None else "end",
                    value=absence.start if start is None else absence.end,
                )
            )
        elif end < start:
            found.append(
                _finding(
                    "capa-absence-dates-invalid",
                    f"{absence.clinician}'s {absence.kind} ends on {end:%d %B %Y}, before it "
                    f"starts on {start:%d %B %Y}; check the dates.",
                    field="end",
                    value=absence.end,
                )
            )
        if absence.clinician not in names:
            found.append(
                _finding(
                    "capa-absence-clinician-unknown",
                    f"An absence is for {absence.clinician!r}, who has no job plan; it is left "
                    "out until the name matches a job plan.",
                    field="clinician",
                    value=absence.clinician,
                )
            )
        if absence.kind not in ABSENCE_KINDS:
            found.append(
                _finding(
                    "capa-absence-kind-unknown",
                    f"{absence.clinician}'s absence is of kind {absence.kind!r}; choose one of "
                    f"{', '.join(ABSENCE_KINDS)}. It is counted as capacity lost.",
                    field="kind",
                    value=absence.kind,
                )
            )
    return found


def capacity_lost(
    team: Sequence[Clinician],
    absences: Sequence[Absence],
    start: dt.date,
    end: dt.date,
    settings: CapaSettings = CapaSettings(),
) -> CapacityLost:
    """What absences cost the team from `start` to `end` (both included).

    An absence counts for the weekdays it shares with the period, so one spanning a quarter
    boundary counts in each quarter for its days there. See the module docstring for why a
    weekday costs 45/52 of a day and why annual leave costs nothing by default. Absences with
    bad dates or for an unknown clinician are findings and left out; a bad period is a finding
    and nothing is counted. Raises CapaError for bad settings or job-plan hours.
    """
    _raise_on_errors(check_settings(settings) + [f for c in team for f in _bad_hours(c)])
    found = check_absences(absences, team)
    first, last = _day_or_none(start), _day_or_none(end)
    if first is None or last is None or last < first:
        shown = f"{start} to {end}"
        found.append(
            _finding(
                "capa-period-invalid",
                f"The period {shown} does not run forwards from a start date to an end date; "
                "check both dates.",
                field="period",
                value=shown,
            )
        )
        return CapacityLost(first, last, 0, 0.0, (), 0.0, 0.0, 0.0, tuple(found))

    period_days = working_days(first, last)
    week_share = settings.working_weeks_per_year / 52
    planned = set(settings.leave_in_working_weeks)
    losses = []
    for clinician in team:
        away: set[dt.date] = set()
        costly: set[dt.date] = set()
        kinds: list[str] = []
        for absence in absences:
            a, b = _day_or_none(absence.start), _day_or_none(absence.end)
            if absence.clinician != clinician.name or a is None or b is None or b < a:
                continue
            days = _weekdays(max(a, first), min(b, last))
            if not days:
                continue
            away |= days
            if absence.kind not in planned:
                costly |= days
            if absence.kind not in kinds:
                kinds.append(absence.kind)
        if not away:
            continue
        weeks = len(costly) / 5 * week_share
        losses.append(
            AbsenceLoss(
                clinician=clinician.name,
                kinds=tuple(kinds),
                working_days=len(away),
                planned_days=len(away - costly),
                fraction=len(costly) / period_days if period_days else 0.0,
                weeks=weeks,
                choice_slots=choice_slots_per_week(clinician, settings) * weeks,
                new_core=new_core_per_quarter(core_sessions_per_week(clinician, settings), settings)
                * weeks
                / settings.working_weeks_per_quarter,
                hours=float(clinician.contracted_hours) * weeks,
            )
        )
    return CapacityLost(
        start=first,
        end=last,
        period_working_days=period_days,
        period_weeks=period_days / 5 * week_share,
        losses=tuple(losses),
        team_choice_slots=_delivered(sum(x.choice_slots for x in losses), settings),
        team_new_core=_delivered(sum(x.new_core for x in losses), settings),
        team_hours=sum(x.hours for x in losses),
        findings=tuple(found),
    )


def check(
    settings: CapaSettings,
    team: Sequence[Clinician] = (),
    absences: Sequence[Absence] = (),
) -> list[Finding]:
    """Every finding about settings, job plans and absences, in one pass."""
    return (
        check_settings(settings) + check_job_plans(team, settings) + check_absences(absences, team)
    )


# --- queues -------------------------------------------------------------------------------


def load(demand: float, capacity: float) -> float:
    """Queue load = demand ÷ capacity (NHS demand and capacity; Fong et al. 2022).

    Above 1 the queue grows without limit; below 1 it is the share of time the list is not
    empty. No capacity with demand is an infinite load; no demand at all is a load of 0.
    """
    if demand < 0 or capacity < 0:
        raise ValueError("Demand and capacity cannot be negative.")
    if capacity == 0:
        return math.inf if demand > 0 else 0.0
    return demand / capacity


def target_queue_size(demand: float, target_wait: float) -> float:
    """The list size at which waits meet the target = demand × target wait ÷ 4.

    The convention of the NHS demand-and-capacity guidance (Fong et al. 2022, and the NHS-R
    NHSRwaitinglist package's default factor): aim for a mean wait of a quarter of the target,
    which leaves about a 1.8% chance of a wait beyond it (e⁻⁴ if waits are exponential), and
    by Little's law the queue is demand × mean wait. Demand and wait in the same time unit.
    """
    if demand < 0 or target_wait <= 0:
        raise ValueError("Demand cannot be negative and the target wait must be above 0.")
    return demand * target_wait / 4


def relief_capacity(demand: float, queue: float, target_queue: float, weeks: float) -> float:
    """Capacity a week to bring a queue to its target size in `weeks` weeks.

    NHS demand and capacity: demand + (queue − target queue) ÷ weeks. A queue already below
    target gives less than demand: the list may grow back to target.
    """
    if weeks <= 0:
        raise ValueError("The weeks to reach the target must be above 0.")
    return demand + (queue - target_queue) / weeks


# --- helpers ------------------------------------------------------------------------------

_TOLERANCE = 1e-9
"""Rounding slack, so 0.1 + 0.2 hours never decides a rule or a status."""


def _is_number(value: object) -> bool:
    return (
        isinstance(value, numbers.Real)
        and not isinstance(value, bool)
        and math.isfinite(float(value))  # type: ignore[arg-type]
    )


def _day(value: dt.date) -> dt.date:
    """A date, taking the day of a datetime (Excel hands dates over as datetimes)."""
    return value.date() if isinstance(value, dt.datetime) else value


def _shown(value: object) -> str:
    """A date as 2026-10-01, anything else as typed ('blank' for nothing)."""
    if isinstance(value, dt.date):
        return _day(value).isoformat()
    return "blank" if value is None else repr(value)


def _day_or_none(value: object) -> dt.date | None:
    return _day(value) if isinstance(value, dt.date) else None


def _weekdays(start: dt.date, end: dt.date) -> set[dt.date]:
    if end < start:
        return set()
    days = (start + dt.timedelta(days=k) for k in range((end - start).days + 1))
    return {d for d in days if d.weekday() < 5}


def _about(x: float) -> int:
    """Rounded to the nearest whole number, halves up (not Python's round-half-even)."""
    return math.floor(x + 0.5)


def _hours(x: float) -> str:
    text = f"{float(x):.2f}".rstrip("0").rstrip(".")
    return f"{text} hour" if text == "1" else f"{text} hours"
