"""capa balance: a CAPA job plan in, the team's balance of capacity and demand out (service
layer)."""

from __future__ import annotations

import datetime as dt
import json
import math
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from workload_xl.core.findings import Finding, Refused, Severity, json_safe
from workload_xl.services.options import OptionError
from workload_xl.services.reading import read_bounded


@dataclass(frozen=True)
class CapaBalanceRun:
    """The balance and waiting lists with everyone and without the clinicians left out, and
    the capacity lost to planned absences; `plan` None when the job plan could not be read,
    `stopped` when the job plan has an error, so nothing is worked out (the findings say
    which)."""

    plan: Any
    findings: list[Finding] = field(default_factory=list)
    stopped: bool = False
    demand: float | None = None
    without: tuple[str, ...] = ()
    before: Any = None
    after: Any = None
    lost: Any = None
    demand_from_series: bool = False
    """The demand is the Demand sheet's referral series, not a figure given or typed."""
    waiting: tuple[Any, ...] = ()
    """The Choice and Core waiting lists (capa.WaitingList) with everyone."""
    waiting_without: tuple[Any, ...] = ()
    left_out_away: tuple[str, ...] = ()
    """Clinicians left out with --without whose absences fall in the period: not counted."""

    @property
    def exit_code(self) -> int:
        """0 worked out, 1 the job plan has errors (nothing worked out), 2 it cannot be
        read."""
        if self.plan is None:
            return 2
        return 1 if self.stopped else 0

    def to_dict(self) -> dict[str, Any]:
        def plain(value):
            return json.loads(json.dumps(asdict(value), default=json_safe))

        return {
            "referrals_per_week": self.demand,
            "balance": self.before and plain(self.before),  # None: nothing worked out
            "without": list(self.without),
            "balance_without": self.after and plain(self.after),
            "waiting_lists": {w.key: plain(w) for w in self.waiting},
            "waiting_lists_without": {w.key: plain(w) for w in self.waiting_without},
            "capacity_lost": self.lost and plain(self.lost),
            "left_out_away": list(self.left_out_away),
            "findings": [f.to_dict() for f in self.findings],
        }

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), indent=2, ensure_ascii=False)


def capa_balance(
    jobplan: Path,
    *,
    without: tuple[str, ...] = (),
    period: str | None = None,
    referrals: float | None = None,
) -> CapaBalanceRun:
    """Read the job plan and work out its balance. `period` is START:END dates; a name in
    `without` with no job plan, a missing demand, `referrals` below 0 or not finite, or a
    period that is not two dates in order raise OptionError (the period and the referrals
    before the job plan is read, the others after), before any figure is worked out."""
    from workload_xl.core import capa as maths
    from workload_xl.files.jobplan_workbook import read_jobplan_workbook

    without = tuple(without)
    dates = read_period(period) if period else None
    if referrals is not None and not (math.isfinite(referrals) and referrals >= 0):
        raise OptionError(  # the option's mistake, not the job plan's: said before reading it
            f"{referrals:g} is not a number of accepted referrals a week. Give a number, 0 or "
            "more, such as --referrals 12.5.",
            "--referrals",
        )
    plan, problems = read_bounded(read_jobplan_workbook, jobplan)
    if plan is None:
        return CapaBalanceRun(None, problems)
    without = _left_out(plan, without, jobplan)
    if any(f.severity is Severity.ERROR for f in problems):
        # As the maths refuses bad hours: a balance worked out from a job plan with an
        # error (hours over the contract, a clinician counted twice, an absence with no
        # valid dates) would count time that is not there, so none is shown.
        return CapaBalanceRun(plan, problems, stopped=True)
    names = {c.casefold() for c in without}
    team = [c for c in plan.clinicians if c.name.casefold() not in names]
    demand = referrals if referrals is not None else plan.demand_per_week
    if demand is None:
        raise OptionError(
            "the job plan has no accepted referrals a week nor a "
            "referral series; give them with --referrals."
        )
    try:
        before = maths.balance(plan.clinicians, demand, plan.settings)
        after = maths.balance(team, demand, plan.settings) if names else None
        queues = (plan.choice_waiting, plan.core_waiting, plan.settings)
        waiting = maths.waiting_lists(plan.clinicians, demand, *queues)
        waiting_without = maths.waiting_lists(team, demand, *queues) if names else ()
        lost = None
        if dates:
            lost = maths.capacity_lost(team, plan.absences, *dates, plan.settings)
    except Refused as error:
        return CapaBalanceRun(plan, _new_findings(error.findings, problems, jobplan), stopped=True)
    return CapaBalanceRun(
        plan,
        problems,
        demand=demand,
        without=without,
        before=before,
        after=after,
        lost=lost,
        demand_from_series=referrals is None and plan.referrals_per_week is None,
        waiting=waiting,
        waiting_without=waiting_without,
        left_out_away=_left_out_away(plan, names, dates),
    )


def _left_out(plan, typed: tuple[str, ...], jobplan: Path) -> tuple[str, ...]:
    """The --without names as the job plan spells them (letter case, spaces and accents as
    typed do not matter, as capa actuals matches an export's names); OptionError quoting
    each name as typed with no job plan, with the closest name when one is close, else the
    names the job plans have."""
    from workload_xl.contracts import jobplan as layout
    from workload_xl.core.capa.exports import closest_name, name_key
    from workload_xl.core.values import clean_text

    by_key = {name_key(c.name): c.name for c in plan.clinicians}
    found, unknown = [], []
    for name in typed:
        plan_name = by_key.get(name_key(name))
        if plan_name is None:
            unknown.append(clean_text(name))
        elif plan_name not in found:
            found.append(plan_name)
    if not unknown:
        return tuple(found)
    hints = []
    for name in unknown:
        close = closest_name(name, list(by_key.values()))
        if close:
            which = f" for {name!r}" if len(unknown) > 1 else ""
            hints.append(f" Did you mean {close!r}{which}?")
    have = ", ".join(c.name for c in plan.clinicians) or "nobody"
    quoted = " or ".join(repr(n) for n in unknown)
    raise OptionError(
        f"{jobplan} has no job plan for {quoted}.{''.join(hints)} Its '"
        f"{layout.JOBPLAN_SHEET}' sheet has job plans for: {have}. Give --without a name "
        "as the Clinician column there spells it (letter case and spacing do not matter).",
        "--without",
    )


def _new_findings(refused, read: list[Finding], jobplan: Path) -> list[Finding]:
    """The reader's findings, then those the maths refused with that the reader did not
    already give: the reader checks the same job plans and names their cells, so the same
    error is said once, where it is, never again under "(no file)"."""
    from workload_xl.core.findings import located

    said = {(f.rule, f.message) for f in read}
    extra = [f for f in refused if (f.rule, f.message) not in said]
    return read + located(extra, workbook=str(jobplan))


EXAMPLE_PERIOD = "2026-04-01:2026-06-30"


def read_period(text: str) -> tuple[dt.date, dt.date]:
    """The first and last day of a --period given as START:END (dates as 2026-04-01, or as UK
    users type them, 01/04/2026); OptionError in plain words for anything else."""
    from workload_xl.core.values import read_date

    parts = text.split(":")
    if len(parts) != 2 or not all(p.strip() for p in parts):
        raise OptionError(
            f"{text!r} is not a period: give its first and last day joined by a colon, "
            f"e.g. {EXAMPLE_PERIOD}.",
            "--period",
        )
    start, end = (read_date(p.strip()) for p in parts)
    for typed, found in zip(parts, (start, end), strict=True):
        if found is None:
            raise OptionError(
                f"{typed.strip()!r} in {text!r} is not a date: type dates as year-month-day "
                f"(or day/month/year), e.g. {EXAMPLE_PERIOD}.",
                "--period",
            )
    assert start is not None and end is not None
    if end < start:
        raise OptionError(
            f"{text!r} ends on {end:%d %B %Y}, before it starts on {start:%d %B %Y}: give the "
            f"first day first, e.g. {EXAMPLE_PERIOD}.",
            "--period",
        )
    return start, end


def _left_out_away(plan, names: set[str], dates) -> tuple[str, ...]:
    """The clinicians left out with --without who are away in the period: their absences
    are not counted, since the what-if has no capacity of theirs to lose."""
    from workload_xl.core import capa as maths

    if not dates or not names:
        return ()
    left_out = [c for c in plan.clinicians if c.name.casefold() in names]
    lost = maths.capacity_lost(left_out, plan.absences, *dates, plan.settings)
    return tuple(loss.clinician for loss in lost.losses)
