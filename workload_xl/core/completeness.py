"""Which team returns left out so much of the team that their figures are no trend (core layer).

A worker whose sheet had errors is kept on the team's return but left out of its figures
(`WorkerPeriod.counted` is False). When most of a team is left out in one period, its totals
collapse (410 points on 4.0 FTE against its usual 1,000 on 10.2) and its mean rests on a few
people: a chart would show a fall that is only missing sheets. Such an **incomplete return**
is a matter of data quality, said before any trend: the trend report shows its figures, marked,
but keeps them out of the limits and every rule, as it does a missing period.

A return is incomplete when it left at least one worker out and its counted FTE, or its
counted workers, are below `share` (a setting, 75% by default) of the team's usual: the median
of the team's other periods. A team that only shrank (nobody left out) is never incomplete,
and a team's only return has no usual to compare with.
"""

from __future__ import annotations

import statistics
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from workload_xl.core.values import fte_in_range

INCOMPLETE_BELOW = 0.75
"""A return counting less than this share of the team's usual FTE or workers is incomplete."""


@dataclass(frozen=True)
class Counted:
    """What one return put in the team's figures, and what it left out."""

    workers: int
    fte: float
    left_out: int
    left_out_fte: float
    left_out_without_fte: int

    @property
    def on_return(self) -> int:
        return self.workers + self.left_out


@dataclass(frozen=True)
class IncompleteReturn:
    """A return that left out so much of the team that its figures are no trend."""

    team: str
    period: str
    counted: Counted
    usual_workers: float
    usual_fte: float

    def sentence(self, period_word: str = "period") -> str:
        """What a manager reads first in the report: whose return, what was left out, what
        the figures then count against the team's usual, and what to do."""
        c = self.counted
        fte = f"{c.left_out_fte:.1f} FTE"
        if c.left_out_without_fte:
            fte += f", {_workers(c.left_out_without_fte)} with no FTE given"
        return (
            f"{self.team}, {self.period}: incomplete return. {c.left_out} of "
            f"{_workers(c.on_return)} ({fte}) {'was' if c.left_out == 1 else 'were'} left out of "
            "the team's figures because their sheets had errors, so the figures count "
            f"{_workers(c.workers)} on {c.fte:.1f} FTE against the team's usual "
            f"{_workers(self.usual_workers)} on {self.usual_fte:.1f} FTE. The {period_word} is "
            "shown, marked incomplete, but not used to judge the team's trend. Correct the sheets "
            "with errors, build the team sheet again and consolidate it again."
        )


def counted(rows: Sequence, in_figures: Sequence) -> Counted:
    """What a return's worker rows (`rows`) put in the team's figures (`in_figures`, those
    rows counted with a points-per-FTE figure) and what they left out (`counted` False)."""
    left = [r for r in rows if not r.counted]
    known = [r.fte for r in left if _usable_fte(r.fte)]
    return Counted(
        workers=len(in_figures),
        fte=sum(r.fte for r in in_figures),
        left_out=len(left),
        left_out_fte=sum(known),
        left_out_without_fte=len(left) - len(known),
    )


def incomplete_returns(
    team: str, returns: Mapping[str, Counted], share: float = INCOMPLETE_BELOW
) -> dict[str, IncompleteReturn]:
    """The team's incomplete returns by period, from what each of its returns counted."""
    if not 0 < share <= 1:
        raise ValueError(
            f"The share of a team's usual that is incomplete must be above 0 and "
            f"at most 1 (100%), not {share!r}."
        )
    found = {}
    for period, mine in returns.items():
        others = [c for p, c in returns.items() if p != period]
        if not mine.left_out or not others:
            continue
        usual_fte = statistics.median(c.fte for c in others)
        usual_workers = statistics.median(c.workers for c in others)
        if mine.fte < share * usual_fte or mine.workers < share * usual_workers:
            found[period] = IncompleteReturn(team, period, mine, usual_workers, usual_fte)
    return found


def _usable_fte(fte: object) -> bool:
    return type(fte) in (int, float) and fte_in_range(fte)


def _workers(count: float) -> str:
    return f"{count:g} worker{'' if count == 1 else 's'}"
