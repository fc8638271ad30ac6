"""CAPA capacity against need, and the team's balance of the two (core layer).

Choice is counted in appointments a week, Core and Specific Partnership in new cases a
quarter. Specific Partnership is its own stream: the share of referrals needing specialist
work, episodes of their own length, capacity from the clinicians' Specific hours.

Demand and capacity run on different clocks. Referrals arrive in every week of the year (13
a quarter, `weeks_per_quarter`); clinicians work 45 weeks of it (`working_weeks_per_year`,
11.25 a quarter), the rest being annual leave, bank holidays and training. So need is counted
over 13 weeks a quarter and capacity over 11.25 working weeks: leave is allowed for once, in
the capacity, and never in the demand.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from workload_xl.core.capa.demand import check_referrals
from workload_xl.core.capa.plans import Clinician, bad_hours, nameless
from workload_xl.core.capa.settings import DEFAULT_SETTINGS, CapaSettings, check_settings
from workload_xl.core.capa.shared import TOLERANCE, about, raise_on_errors


def choice_needed_per_week(referrals_per_week: float) -> float:
    """Choice appointments needed a week = accepted referrals a week.

    CAPA plans for full attendance (non-attendance is usually under 5%), so every accepted
    referral needs one Choice appointment; the Choice slots are adjusted over about six weeks
    as referrals vary.
    """
    raise_on_errors(check_referrals(referrals_per_week))
    return float(referrals_per_week)


def choice_slots_per_week(clinician: Clinician, settings: CapaSettings = DEFAULT_SETTINGS) -> float:
    """A clinician's Choice appointments in a working week = weekly Choice hours ÷ hours per
    appointment: the slots of the job plan's week, what a week away costs."""
    raise_on_errors(check_settings(settings))
    return clinician.choice / settings.hours_per_appointment


def choice_delivered_per_week(
    clinician: Clinician, settings: CapaSettings = DEFAULT_SETTINGS
) -> float:
    """A clinician's Choice appointments delivered a week, averaged over the year's 52 weeks:
    Choice hours ÷ hours per appointment × working weeks ÷ 52.

    The job plan's week happens in 45 weeks of 52, so 6 weekly slots deliver 6 × 45 ÷ 52 = 5.19
    a week against referrals that arrive every week. This is the one place leave is counted
    for Choice, as `new_core_per_quarter` counts it for Core with 11.25 working weeks.
    """
    return choice_slots_per_week(clinician, settings) * settings.working_share


def core_sessions_per_week(
    clinician: Clinician, settings: CapaSettings = DEFAULT_SETTINGS
) -> float:
    """A clinician's weekly Core sessions = weekly Core hours ÷ hours per half-day session.

    11 hours ÷ 3.5 = 3.14 sessions: how the CAPA materials turn hours into sessions, so that
    11 Core hours give the published 9.4 new Core Partnerships a quarter.
    """
    raise_on_errors(check_settings(settings))
    return clinician.core / settings.hours_per_session


def new_core_per_quarter(
    core_sessions_per_week: float, settings: CapaSettings = DEFAULT_SETTINGS
) -> float:
    """New Core Partnerships a quarter that weekly Core sessions can take on.

    CAPA: Core sessions a week × appointments per session × working weeks per quarter ÷ mean
    appointments per Partnership. The published worked example: 1 session × 2 × 11.25 ÷ 7.5
    = 3 a quarter for each weekly session; 11 Core hours are 11 ÷ 3.5 sessions, so about 9.4.
    """
    raise_on_errors(check_settings(settings))
    return (
        core_sessions_per_week
        * settings.appointments_per_session
        * settings.working_weeks_per_quarter
        / settings.mean_core_appointments
    )


def specific_sessions_per_week(
    clinician: Clinician, settings: CapaSettings = DEFAULT_SETTINGS
) -> float:
    """A clinician's weekly Specific sessions = weekly Specific hours ÷ hours per session."""
    raise_on_errors(check_settings(settings))
    return clinician.specific / settings.hours_per_session


def new_specific_per_quarter(
    specific_sessions_per_week: float, settings: CapaSettings = DEFAULT_SETTINGS
) -> float:
    """New Specific Partnerships a quarter that weekly Specific sessions can take on.

    The Core formula with Specific's own numbers: sessions a week × Specific appointments per
    session × working weeks per quarter ÷ mean appointments per Specific episode. With the
    defaults one weekly session gives 2 × 11.25 ÷ 12 = 1.875 a quarter.
    """
    raise_on_errors(check_settings(settings))
    return (
        specific_sessions_per_week
        * settings.specific_appointments_per_session
        * settings.working_weeks_per_quarter
        / settings.mean_specific_appointments
    )


def core_needed_per_quarter(
    referrals_per_week: float, settings: CapaSettings = DEFAULT_SETTINGS
) -> float:
    """New Core Partnerships needed a quarter = referrals a week × weeks in a quarter ×
    transfer rate.

    Referrals arrive in all 13 weeks of a quarter, whoever is on leave, so demand is counted
    over 13 weeks, not the clinicians' 11.25 working weeks. With the defaults that is 13 × 0.68
    = 8.84 × weekly referrals: the CAPA rule of thumb, which says a team is roughly in balance
    when its new Core Partnerships a quarter are 8–9 × its accepted referrals a week (13 × 66%
    to 70% = 8.6 to 9.1).
    """
    raise_on_errors(check_settings(settings) + check_referrals(referrals_per_week))
    return referrals_per_week * settings.weeks_per_quarter * settings.transfer_rate


def specific_needed_per_quarter(
    referrals_per_week: float, settings: CapaSettings = DEFAULT_SETTINGS
) -> float:
    """New Specific Partnerships needed a quarter = referrals a week × weeks in a quarter ×
    share of referrals needing Specific work: 13 × 0.10 = 1.3 × weekly referrals with the
    defaults. Demand on the 13-week clock, as for Core."""
    raise_on_errors(check_settings(settings) + check_referrals(referrals_per_week))
    return referrals_per_week * settings.weeks_per_quarter * settings.specific_share


def delivered(slots: float, settings: CapaSettings) -> float:
    """Appointments a team delivers from its clinicians' slots: ÷ (1 + co-therapy rate)."""
    return slots / (1 + settings.co_therapy_rate)


def team_choice_per_week(
    team: Sequence[Clinician], settings: CapaSettings = DEFAULT_SETTINGS
) -> float:
    """The team's Choice appointments delivered a week, averaged over the year: its
    clinicians' delivered slots ÷ (1 + co-therapy rate)."""
    return delivered(sum(choice_delivered_per_week(c, settings) for c in team), settings)


def team_new_core_per_quarter(
    team: Sequence[Clinician], settings: CapaSettings = DEFAULT_SETTINGS
) -> float:
    """The team's new Core Partnerships a quarter, ÷ (1 + co-therapy rate)."""
    sessions = sum(core_sessions_per_week(c, settings) for c in team)
    return delivered(new_core_per_quarter(sessions, settings), settings)


def team_new_specific_per_quarter(
    team: Sequence[Clinician], settings: CapaSettings = DEFAULT_SETTINGS
) -> float:
    """The team's new Specific Partnerships a quarter, ÷ (1 + co-therapy rate)."""
    sessions = sum(specific_sessions_per_week(c, settings) for c in team)
    return delivered(new_specific_per_quarter(sessions, settings), settings)


def hours_per_choice(settings: CapaSettings = DEFAULT_SETTINGS) -> float:
    """Weekly job-plan hours for one more Choice appointment delivered a week, co-therapy
    included: an hour of Choice in the job plan delivers 45/52 of an appointment a week, so
    one more takes 52/45 = 1.16 hours with the defaults."""
    return settings.hours_per_appointment * (1 + settings.co_therapy_rate) / settings.working_share


def hours_per_new_core(settings: CapaSettings = DEFAULT_SETTINGS) -> float:
    """Weekly job-plan Core hours for one more new Core Partnership a quarter.

    The inverse of new_core_per_quarter for one hour: 3.5 × 7.5 ÷ (2 × 11.25) = 1.17 hours
    with the defaults (one hour gives 0.86), times (1 + co-therapy rate).
    """
    one_hour = new_core_per_quarter(1 / settings.hours_per_session, settings)
    return (1 + settings.co_therapy_rate) / one_hour


def hours_per_new_specific(settings: CapaSettings = DEFAULT_SETTINGS) -> float:
    """Weekly job-plan Specific hours for one more new Specific Partnership a quarter:
    3.5 × 12 ÷ (2 × 11.25) = 1.87 hours with the defaults, times (1 + co-therapy rate)."""
    one_hour = new_specific_per_quarter(1 / settings.hours_per_session, settings)
    return (1 + settings.co_therapy_rate) / one_hour


# --- balance ------------------------------------------------------------------------------

IN_BALANCE = "in balance"
SHORT = "short"
SURPLUS = "surplus"
STATUSES = (IN_BALANCE, SHORT, SURPLUS)
"""Every value `Side.status` takes: no other verdict is given."""


@dataclass(frozen=True)
class Side:
    """Capacity against need for one part of the CAPA pathway: Choice, Core or Specific
    Partnership.

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
    """A team's CAPA balance: Choice per week, Core and Specific Partnership per quarter."""

    choice: Side
    core: Side
    specific: Side

    @property
    def sides(self) -> tuple[Side, Side, Side]:
        return (self.choice, self.core, self.specific)

    @property
    def sentences(self) -> tuple[str, str, str]:
        return tuple(side.sentence for side in self.sides)  # type: ignore[return-value]


def balance(
    team: Sequence[Clinician],
    demand_per_week: float,
    settings: CapaSettings = DEFAULT_SETTINGS,
) -> Balance:
    """Does the team's job-planned capacity meet demand, for Choice, Core and Specific?

    Choice: the team's appointments delivered a week (over the year's 52 weeks) against
    accepted referrals a week. Core: the team's new Core Partnerships a quarter (from 11.25
    working weeks) against referrals × 13 weeks × transfer rate. Specific: the same, with the
    share of referrals needing Specific work for the transfer rate. Raises Refused for bad
    settings, referrals or job-plan hours, or a plan with no name (over- or under-allocated
    plans are still counted: their Choice and Core hours are what they are).
    """
    raise_on_errors(
        check_settings(settings)
        + check_referrals(demand_per_week)
        + nameless(team)
        + [f for c in team for f in bad_hours(c)]
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
    specific = _side(
        "Specific Partnership",
        ("new case", "new cases", "a quarter"),
        team_new_specific_per_quarter(team, settings),
        specific_needed_per_quarter(demand_per_week, settings),
        hours_per_new_specific(settings),
        settings.balance_tolerance,
    )
    return Balance(choice=choice, core=core, specific=specific)


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
    elif abs(ratio - 1) <= tolerance + TOLERANCE:
        status = IN_BALANCE
    else:
        status = SHORT if ratio < 1 else SURPLUS

    def amount(x: float) -> str:
        n = about(x)
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
        pct = about(abs(ratio - 1) * 100)
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
                f"{about(tolerance * 100)}% tolerance."
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
