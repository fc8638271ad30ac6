"""CAPA waiting lists: load, target size, relief capacity and time to target, for Choice and
Core Partnership (core layer).

The NHS demand-and-capacity formulas of `queues`, on the CAPA clocks: demand a week is the
accepted referrals a week (Choice) or those × the transfer rate (Core), both over all 52 weeks;
capacity a week is what the job plans deliver averaged over the same 52 weeks (Choice: the
team's appointments a week; Core: its new Core Partnerships a quarter ÷ the 13 weeks of a
quarter). Waits are in weeks, so a target queue is a number of people: demand a week × target
wait in weeks ÷ 4.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

from workload_xl.core.capa.capacity import (
    hours_per_choice,
    hours_per_new_core,
    team_choice_per_week,
    team_new_core_per_quarter,
)
from workload_xl.core.capa.demand import check_referrals
from workload_xl.core.capa.plans import Clinician, bad_hours, nameless
from workload_xl.core.capa.queues import relief_capacity, target_queue_size, weeks_to_target
from workload_xl.core.capa.settings import DEFAULT_SETTINGS, CapaSettings, check_settings
from workload_xl.core.capa.shared import TOLERANCE, about, is_number, raise_on_errors
from workload_xl.core.findings import Finding
from workload_xl.core.rules import finding

WAITING_STREAMS: dict[str, tuple[str, str, str]] = {
    "choice": ("Choice", "appointment", "appointments"),
    "core": ("Core Partnership", "new Core Partnership", "new Core Partnerships"),
}
"""Each waiting list: the activity as sentences name it, and its unit a week (one, many)."""


@dataclass(frozen=True)
class WaitingList:
    """One waiting list against its target, in people and in a unit a week.

    `waiting` is the number waiting now (None when not recorded: then relief capacity, extra
    and weeks are None too). `load` is demand ÷ capacity, None when there is demand and no
    capacity. `relief_capacity` is the capacity a week that brings the list to its target in
    `weeks_to_target` weeks; `extra_per_week` how much that is above present capacity (0 when
    present capacity is enough) and `extra_hours` the same in weekly job-plan hours.
    `weeks_at_present` is how long present capacity takes to reach the target: 0 when the
    list is within it, None when it never does (capacity not above demand). `grows` says the
    load is above 1: the list grows without limit whatever its size.
    """

    key: str
    activity: str
    unit: str
    waiting: float | None
    target_wait_weeks: float
    demand: float
    capacity: float
    load: float | None
    target_queue: float
    weeks_to_target: float
    relief_capacity: float | None
    extra_per_week: float | None
    extra_hours: float | None
    weeks_at_present: float | None
    grows: bool
    sentence: str


def check_waiting(value: object, key: str) -> list[Finding]:
    """A number waiting must be blank or a number, 0 or more."""
    if value is None or (is_number(value) and float(value) >= 0):  # type: ignore[arg-type]
        return []
    activity = WAITING_STREAMS[key][0]
    return [
        finding(
            "capa-waiting-invalid",
            f"The number waiting for {activity} is {value!r}; type how many are waiting, "
            "0 or more, or leave it blank.",
            field=f"{key}_waiting",
            value=value,
        )
    ]


def waiting_list(
    key: str,
    demand: float,
    capacity: float,
    waiting: float | None,
    target_wait_weeks: float,
    weeks: float,
    hours_each: float,
) -> WaitingList:
    """One waiting list's figures and sentence from demand and capacity a week (one unit),
    the number waiting (or None), the target wait and the weeks to reach it. `hours_each` is
    the weekly job-plan hours one more unit a week takes."""
    activity, one, many = WAITING_STREAMS[key]
    target = target_queue_size(demand, target_wait_weeks)
    grows = demand - capacity > TOLERANCE
    if capacity > 0:
        load: float | None = demand / capacity
    else:
        load = None if demand > 0 else 0.0
    relief = extra = hours = at_present = None
    if waiting is not None:
        waiting = float(waiting)
        relief = relief_capacity(demand, waiting, target, weeks)
        extra = max(0.0, relief - capacity)
        hours = extra * hours_each
        at_present = weeks_to_target(demand, capacity, waiting, target)
    figures = WaitingList(
        key=key,
        activity=activity,
        unit=f"{many} a week",
        waiting=waiting,
        target_wait_weeks=float(target_wait_weeks),
        demand=demand,
        capacity=capacity,
        load=load,
        target_queue=target,
        weeks_to_target=float(weeks),
        relief_capacity=relief,
        extra_per_week=extra,
        extra_hours=hours,
        weeks_at_present=at_present,
        grows=grows,
        sentence="",
    )
    return _with_sentence(figures, one, many)


def waiting_lists(
    team: Sequence[Clinician],
    demand_per_week: float,
    choice_waiting: float | None = None,
    core_waiting: float | None = None,
    settings: CapaSettings = DEFAULT_SETTINGS,
) -> tuple[WaitingList, WaitingList]:
    """The team's Choice and Core waiting lists against their target waits.

    Choice: demand = accepted referrals a week, capacity = the team's Choice appointments a
    week over the year, target wait `choice_target_weeks`. Core: demand = referrals ×
    transfer rate, capacity = new Core Partnerships a quarter ÷ weeks in a quarter, target
    wait `core_target_weeks`. Raises Refused for bad settings, referrals, numbers waiting or
    job-plan hours, as `balance` does.
    """
    raise_on_errors(
        check_settings(settings)
        + check_referrals(demand_per_week)
        + check_waiting(choice_waiting, "choice")
        + check_waiting(core_waiting, "core")
        + nameless(team)
        + [f for c in team for f in bad_hours(c)]
    )
    weeks = settings.weeks_to_target
    choice = waiting_list(
        "choice",
        float(demand_per_week),
        team_choice_per_week(team, settings),
        choice_waiting,
        settings.choice_target_weeks,
        weeks,
        hours_per_choice(settings),
    )
    core = waiting_list(
        "core",
        demand_per_week * settings.transfer_rate,
        team_new_core_per_quarter(team, settings) / settings.weeks_per_quarter,
        core_waiting,
        settings.core_target_weeks,
        weeks,
        hours_per_new_core(settings) * settings.weeks_per_quarter,
    )
    return choice, core


def _with_sentence(w: WaitingList, one: str, many: str) -> WaitingList:
    """What the figures mean, in the words the Team plan's native formula uses too
    (contracts.jobplan.waiting_verdict_formula): counts rounded to whole numbers, halves up."""
    name = w.activity
    if w.capacity > 0:
        reason = f"demand is {_percent(abs(w.demand / w.capacity - 1) * 100)} above capacity"
    else:
        reason = "there is no capacity for it"
    if w.waiting is None:
        if w.grows:
            text = (
                f"The {name} waiting list grows: {reason}. Type the number waiting on the Team "
                "plan to see the capacity needed to reach its target."
            )
        else:
            text = (
                f"Type the number waiting for {name} on the Team plan to see how soon the list "
                "reaches its target."
            )
        return replace(w, sentence=text)
    q, t = about(w.waiting), about(w.target_queue)
    if w.waiting - w.target_queue <= TOLERANCE:
        if w.grows:
            text = (
                f"The {name} waiting list is within its target ({q} waiting, target about {t}) "
                f"but grows: {reason}."
            )
        else:
            text = f"The {name} waiting list is within its target: {q} waiting, target about {t}."
        return replace(w, sentence=text)
    assert w.relief_capacity is not None
    action = (
        f"To reach the target in {about(w.weeks_to_target)} weeks needs "
        f"{_amount(w.relief_capacity, one, many)}, "
        f"{_more(w.relief_capacity - w.capacity)} than now."
    )
    text = f"The {name} waiting list has {q} waiting, above its target of about {t}."
    if w.grows:
        text += f" It grows: {reason}. {action}"
    elif w.weeks_at_present is None:
        text += f" Capacity only meets demand, so it stays there. {action}"
    else:
        text += f" At present capacity it reaches the target in {_weeks(w.weeks_at_present)}."
        if w.relief_capacity - w.capacity > TOLERANCE:
            text += f" {action}"
    return replace(w, sentence=text)


def _percent(x: float) -> str:
    n = about(x)
    return "less than 1%" if n == 0 else f"{n}%"


def _amount(x: float, one: str, many: str) -> str:
    n = about(x)
    if n == 0:
        return f"less than 1 {one} a week"
    return f"about {n} {one if n == 1 else many} a week"


def _more(x: float) -> str:
    n = about(x)
    return "less than 1 more" if n == 0 else f"about {n} more"


def _weeks(x: float) -> str:
    n = about(x)
    if n == 0:
        return "less than a week"
    return "about 1 week" if n == 1 else f"about {n} weeks"
