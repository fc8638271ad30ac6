"""CAPA plan against actual: what the job plans say a month and a quarter, against what the
clinicians delivered, per clinician and for the team (core layer).

Choices a reader of the figures should know (the tests pin each one):

- A month's plan is a third of its quarter's, the CAPA quarter of 11.25 working weeks
  (`working_weeks_per_quarter`): Choice appointments = weekly Choice slots × 11.25 ÷ 3; new
  Core Partnerships = Core sessions a week × appointments per session × 11.25 ÷ mean Core
  appointments ÷ 3 (the CAPA formula, `new_core_per_quarter`); Core appointments = Core
  sessions a week × appointments per session × 11.25 ÷ 3. Thirds, not weeks: months of four
  and five weeks differ, but leave falls unevenly too, and thirds keep each quarter's plan
  exactly the CAPA quarter, so a month's gap is read against an average month.
- The team's figures are the sum of its clinicians', plan and delivered alike. A co-worked
  appointment is in the export once for each clinician in it, as each job plan books it, so
  the team's plan here is not divided by (1 + co-therapy rate) as the balance is.
- A month's plan leaves out each clinician's absences that the working weeks do not already
  allow for, as `capa balance` counts them (`planned_in_month`): annual leave costs nothing
  more, a month of maternity leave plans 0, and the sentence says the plan allows for it.
- A month the export (and the history) has no row in at all is a gap, kept as a gap: no plan,
  no delivered, never a zero. A figure the export left blank or gave as no count, and every
  figure of a job-plan clinician the export has no rows for in a month others have rows in,
  is a gap too (None), never a 0. A quarter counts the months it has; one with fewer than
  three says so, and its plan is that of the months it has, so its gap compares like with
  like.
- The team's figure for a month (or quarter) with a gap in any clinician's figure is a gap
  itself, not compared, and its sentence says whose figure is missing. Comparing the
  clinicians present against their own plan would look complete on the chart and in the
  signals, which read the team's months one after another: a month of five clinicians beside
  months of six reads as a fall the team never had. A manager is better served by "incomplete:
  no figure for Tom Reed" than by a figure that is quietly about a different team; each
  clinician's own line is still compared.
- The transfer rate a month is new Core Partnerships ÷ Choice appointments: in balance, CAPA
  expects the plan's transfer rate (68%) of Choice appointments to start Core.
- Waits: the share of a month's Choice appointments (first Core appointments) seen within the
  job plan's target weeks of referral (of Choice), and the median wait in weeks; a wait on the
  target (6 weeks to the day) is within it.
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from workload_xl.core.capa.absences import Absence, capacity_lost
from workload_xl.core.capa.capacity import core_sessions_per_week, new_core_per_quarter
from workload_xl.core.capa.exports import WaitTally
from workload_xl.core.capa.plans import Clinician
from workload_xl.core.capa.settings import DEFAULT_SETTINGS, CapaSettings
from workload_xl.core.capa.shared import about

TEAM = "Team"
"""The `who` of the team's lines."""
MEASURES: dict[str, str] = {
    "choice": "Choice appointments",
    "new_core": "New Core Partnerships",
    "core": "Core appointments",
}
"""The three figures, by key, as sentences name them."""
STREAMS: dict[str, str] = {
    "choice": "from referral to Choice",
    "core": "from Choice to Core",
}


@dataclass(frozen=True)
class Counts:
    """The three figures; a figure None is a gap (a count the export left blank or gave as
    something that is not a count, or a clinician the export has no rows for), never a 0. A
    sum or a difference with a gap in a figure has a gap in that figure."""

    choice: float | None = 0.0
    new_core: float | None = 0.0
    core: float | None = 0.0

    def __add__(self, other: Counts) -> Counts:
        pairs = zip(self.figures(), other.figures(), strict=True)
        return Counts(*(_with(a, b, 1) for a, b in pairs))

    def __sub__(self, other: Counts) -> Counts:
        pairs = zip(self.figures(), other.figures(), strict=True)
        return Counts(*(_with(a, b, -1) for a, b in pairs))

    def figures(self) -> tuple[float | None, float | None, float | None]:
        """Choice, new Core and Core, in that order (MEASURES')."""
        return (self.choice, self.new_core, self.core)

    def get(self, key: str) -> float | None:
        value = getattr(self, key)
        return None if value is None else float(value)

    @property
    def missing(self) -> tuple[str, ...]:
        """The keys of the figures that are gaps."""
        return tuple(key for key in MEASURES if getattr(self, key) is None)


GAP = Counts(None, None, None)
"""A clinician's month the export has no rows for: every figure a gap."""


def _with(a: float | None, b: float | None, sign: int) -> float | None:
    return None if a is None or b is None else a + sign * b


def planned_per_month(clinician: Clinician, settings: CapaSettings = DEFAULT_SETTINGS) -> Counts:
    """One clinician's plan for a month: a third of the CAPA quarter (see the module)."""
    weeks = settings.working_weeks_per_quarter
    sessions = core_sessions_per_week(clinician, settings)
    return Counts(
        choice=clinician.choice / settings.hours_per_appointment * weeks / 3,
        new_core=new_core_per_quarter(sessions, settings) / 3,
        core=sessions * settings.appointments_per_session * weeks / 3,
    )


def planned_in_month(
    clinician: Clinician,
    absences: Sequence[Absence],
    month: str,
    settings: CapaSettings = DEFAULT_SETTINGS,
) -> tuple[Counts, str]:
    """One clinician's plan for `month` ("2026-06") with the absences the working weeks do
    not already allow for left out, as `capa balance` counts them (`absences.capacity_lost`):
    the month's plan times the share of its weekdays they are at work. Annual leave is inside
    the 45 working weeks a year, so it costs nothing more; maternity leave for a whole month
    plans 0. With the words that say what the plan allows for ("" when nothing)."""
    base = planned_per_month(clinician, settings)
    year, number = (int(p) for p in month.split("-"))
    first = dt.date(year, number, 1)
    last = dt.date(year, number, calendar.monthrange(year, number)[1])
    lost = capacity_lost([clinician], absences, first, last, settings)
    loss = next((x for x in lost.losses if x.clinician == clinician.name), None)
    if loss is None or not loss.fraction:
        return base, ""
    share = 1.0 - loss.fraction
    planned = Counts(*(None if v is None else v * share for v in base.figures()))
    costly = [k for k in loss.kinds if k not in settings.leave_in_working_weeks] or list(loss.kinds)
    days = loss.working_days - loss.planned_days
    kinds = " and ".join(costly)
    return planned, (
        f"the plan allows for {days} working day{'s' * (days != 1)} of {kinds} "
        f"(of the month's {lost.period_working_days})"
    )


@dataclass(frozen=True)
class ClinicianMonth:
    """One clinician's month: the plan then in force (less the absences it allows for, said
    in `leave`) and what they delivered (GAP when the export has no rows for them)."""

    month: str
    clinician: str
    planned: Counts
    delivered: Counts
    leave: str = ""


@dataclass(frozen=True)
class Line:
    """One row of plan against actual: a clinician or the team (`who` TEAM), in a month
    ("2026-06") or a quarter ("2026-Q2"). `planned` and `delivered` are None for a gap;
    `months` is how many months with figures it sums (1 for a month, up to 3 for a quarter)."""

    period: str
    who: str
    planned: Counts | None
    delivered: Counts | None
    months: int
    words: str

    @property
    def gap(self) -> Counts | None:
        if self.planned is None or self.delivered is None:
            return None
        return self.delivered - self.planned

    @property
    def transfer_rate(self) -> float | None:
        if self.delivered is None or not self.delivered.choice:
            return None
        if self.delivered.new_core is None:
            return None
        return self.delivered.new_core / self.delivered.choice


@dataclass(frozen=True)
class Waits:
    """A month's waits in one stream against the job plan's target weeks."""

    month: str
    stream: str
    target_weeks: float
    seen: int
    within_target: int
    median_weeks: float | None

    @property
    def share_within(self) -> float | None:
        return self.within_target / self.seen if self.seen else None


def waits_of(tally: WaitTally, target_weeks: float) -> Waits:
    """A month's waits from its histogram of days: how many, how many within the target
    (on it counts), and the median in weeks (the mean of the two middle waits for an even
    number)."""
    seen = sum(n for _, n in tally.days)
    within = sum(n for days, n in tally.days if days <= target_weeks * 7 + 1e-9)
    return Waits(tally.month, tally.stream, target_weeks, seen, within, _median(tally.days, seen))


def _median(days: Sequence[tuple[int, int]], seen: int) -> float | None:
    if not seen:
        return None
    wanted = ((seen - 1) // 2, seen // 2)
    found: list[int] = []
    passed = 0
    for value, n in days:
        for w in wanted:
            if passed <= w < passed + n:
                found.append(value)
        passed += n
    return sum(found) / len(found) / 7


@dataclass(frozen=True)
class PlanAndActual:
    """The whole comparison: every month from the first to the last with figures (gaps
    included), the team's and each clinician's lines by month and by quarter, the plan's
    transfer rate by month, and the waits."""

    months: tuple[str, ...]
    quarters: tuple[str, ...]
    clinicians: tuple[str, ...]
    clinician_months: tuple[Line, ...]
    team_months: tuple[Line, ...]
    clinician_quarters: tuple[Line, ...]
    team_quarters: tuple[Line, ...]
    plan_rates: Mapping[str, float]
    waits: tuple[Waits, ...]

    def team_month(self, month: str) -> Line:
        return next(line for line in self.team_months if line.period == month)

    def waits_in(self, stream: str, month: str) -> Waits | None:
        return next((w for w in self.waits if w.stream == stream and w.month == month), None)

    @property
    def summary(self) -> tuple[str, ...]:
        """The team's gaps in words for the latest month and the latest quarter."""
        said = [line.words for line in (self.team_months[-1:] + self.team_quarters[-1:])]
        return tuple(said)


def quarter_of(month: str) -> str:
    """ "2026-05" is in "2026-Q2" (calendar quarters: Q1 is January to March)."""
    year, number = month.split("-")
    return f"{year}-Q{(int(number) - 1) // 3 + 1}"


def months_between(first: str, last: str) -> tuple[str, ...]:
    """Every month from `first` to `last`, both included."""
    year, month = (int(p) for p in first.split("-"))
    found = []
    while f"{year:04d}-{month:02d}" <= last:
        found.append(f"{year:04d}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return tuple(found)


def gap_words(
    who: str,
    period: str,
    planned: Counts | None,
    delivered: Counts | None,
    months: int = 1,
    of: int = 1,
    why: Mapping[str, str] | None = None,
    leave: str = "",
) -> str:
    """The gap in plain words: "The team: Choice appointments were 3 above plan, new Core
    Partnerships were 4 below plan and Core appointments were on plan in 2026-06." Figures
    rounded to whole appointments (halves up); "on plan" is within half of one. A figure with
    a gap is said to be incomplete and not compared, with `why` (by figure) when given;
    `leave` says what the plan allows for."""
    subject = "The team" if who == TEAM else who
    if planned is None or delivered is None:
        return f"{subject}: no activity in the export for {period} (a gap, not a zero)."
    why = why or {}
    partial = f" ({months} of its {of} months)" if months < of else ""
    allowed = f"; {leave}" if leave else ""
    gaps = [k for k in MEASURES if planned.get(k) is None or delivered.get(k) is None]
    if len(gaps) == len(MEASURES) and len({why.get(k, "") for k in gaps}) == 1:
        reason = f" ({why[gaps[0]]})" if why.get(gaps[0]) else ""
        return (
            f"{subject}: the figures for {period}{partial} are incomplete{reason}, so they "
            f"are not compared{allowed}."
        )
    parts = []
    for key, name in MEASURES.items():
        if parts and name.startswith("New "):  # mid-sentence: "and new Core Partnerships"
            name = "new" + name[3:]
        p, d = planned.get(key), delivered.get(key)
        if p is None or d is None:
            reason = f" ({why[key]})" if why.get(key) else ""
            parts.append(f"{name} are not compared, the figure being incomplete{reason}")
            continue
        gap = d - p
        n = about(abs(gap))
        if n == 0:
            parts.append(f"{name} were on plan")
        else:
            parts.append(f"{name} were {n} {'below' if gap < 0 else 'above'} plan")
    listed = ", ".join(parts[:-1]) + " and " + parts[-1]
    return f"{subject}: {listed} in {period}{partial}{allowed}."


def _missing_words(rows: Sequence[ClinicianMonth]) -> dict[str, str]:
    """Whose figure is a gap, by figure: "none for Tom Reed in 2026-05"."""
    found: dict[str, str] = {}
    for key in MEASURES:
        gaps = [r for r in rows if r.delivered.get(key) is None or r.planned.get(key) is None]
        if not gaps:
            continue
        names = list(dict.fromkeys(r.clinician for r in gaps))
        months = list(dict.fromkeys(r.month for r in gaps))
        shown = ", ".join(names[:4]) + (f" and {len(names) - 4} more" if len(names) > 4 else "")
        found[key] = f"no figure for {shown} in {', '.join(months)}"
    return found


def _leave_words(rows: Sequence[ClinicianMonth]) -> str:
    away = list(dict.fromkeys(r.clinician for r in rows if r.leave))
    if not away:
        return ""
    return f"the plan allows for the leave of {', '.join(away)}"


def _sum(counts: Iterable[Counts]) -> Counts:
    total = Counts()
    for c in counts:
        total = total + c
    return total


def plan_and_actual(
    rows: Sequence[ClinicianMonth],
    *,
    plan_rates: Mapping[str, float],
    waits: Sequence[Waits] = (),
) -> PlanAndActual:
    """Lines for every clinician and the team, month by month and quarter by quarter, from
    the clinicians' months (the export's and those carried from history). `plan_rates` is
    the transfer rate the plan assumed, by month."""
    present = sorted({r.month for r in rows})
    months = months_between(present[0], present[-1]) if present else ()
    quarters = tuple(dict.fromkeys(quarter_of(m) for m in months))
    clinicians = tuple(dict.fromkeys(r.clinician for r in rows))
    by_month: dict[str, list[ClinicianMonth]] = {}
    for r in rows:
        by_month.setdefault(r.month, []).append(r)

    clinician_months = tuple(
        Line(
            r.month,
            r.clinician,
            r.planned,
            r.delivered,
            1,
            gap_words(r.clinician, r.month, r.planned, r.delivered, leave=r.leave),
        )
        for m in months
        for r in by_month.get(m, [])
    )
    team_months = []
    for m in months:
        mine = by_month.get(m)
        planned = _sum(r.planned for r in mine) if mine else None
        delivered = _sum(r.delivered for r in mine) if mine else None
        words = (
            gap_words(
                TEAM, m, planned, delivered, why=_missing_words(mine), leave=_leave_words(mine)
            )
            if mine
            else gap_words(TEAM, m, None, None)
        )
        team_months.append(Line(m, TEAM, planned, delivered, 1 if mine else 0, words))
    clinician_quarters = []
    team_quarters = []
    for q in quarters:
        in_q = [m for m in months if quarter_of(m) == q and m in by_month]
        of = 3
        for who in clinicians:
            mine = [r for m in in_q for r in by_month[m] if r.clinician == who]
            if not mine:
                continue
            planned = _sum(r.planned for r in mine)
            delivered = _sum(r.delivered for r in mine)
            clinician_quarters.append(
                Line(
                    q,
                    who,
                    planned,
                    delivered,
                    len(mine),
                    gap_words(
                        who,
                        q,
                        planned,
                        delivered,
                        len(mine),
                        of,
                        why=_missing_words(mine),
                        leave=_leave_words(mine) and "the plan allows for their leave",
                    ),
                )
            )
        mine = [r for m in in_q for r in by_month[m]]
        planned = _sum(r.planned for r in mine) if mine else None
        delivered = _sum(r.delivered for r in mine) if mine else None
        team_quarters.append(
            Line(
                q,
                TEAM,
                planned,
                delivered,
                len(in_q),
                gap_words(
                    TEAM,
                    q,
                    planned,
                    delivered,
                    len(in_q),
                    of,
                    why=_missing_words(mine),
                    leave=_leave_words(mine),
                ),
            )
        )
    return PlanAndActual(
        months=months,
        quarters=quarters,
        clinicians=clinicians,
        clinician_months=clinician_months,
        team_months=tuple(team_months),
        clinician_quarters=tuple(clinician_quarters),
        team_quarters=tuple(team_quarters),
        plan_rates={m: plan_rates[m] for m in months if m in plan_rates},
        waits=tuple(sorted(waits, key=lambda w: (w.stream, w.month))),
    )
