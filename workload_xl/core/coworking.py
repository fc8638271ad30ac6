"""How a co-worked case counts: each worker's points under the scheme's rule, and a team's
figures with each case once (core layer).

A case on more than one worker's sheet (the same case reference, ignoring case) is real work
for each of them, but it is one case: a team's case count and total points must never count
it twice. The scheme's `co_working` setting says what each worker's own figures hold; the
team's figures are the same under either rule. The team sheet, its native formulas
(contracts/team.py), the return reader and the store all count this way, so a return read back
gives the totals its team sheet shows.

Only rows of workers in the team figures (`counted`, names folded) share a case: a sheet left
out of the figures keeps the points it gives, and takes nothing from its colleagues'.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass

from workload_xl.core.scheme_options import DEFAULT as DEFAULT
from workload_xl.core.scheme_options import FULL as FULL
from workload_xl.core.scheme_options import RULES as RULES
from workload_xl.core.scheme_options import SHARE as SHARE
from workload_xl.core.values import fmt

Line = tuple[str, str, str, float | None]
"""(worker, case reference, kind, agreed points): a row of a team sheet or of a return."""


@dataclass(frozen=True)
class Holding:
    """A case held by workers in the team figures: on how many of their rows, and its points,
    the most any of them agreed (what the case is worth to the team, once)."""

    rows: int
    points: float

    @property
    def share(self) -> float:
        """Each holder's equal share of the case's points."""
        return self.points / self.rows


@dataclass(frozen=True)
class WorkerCount:
    """A worker's cases and points, a co-worked case counted under the scheme's rule."""

    cases: int
    case_points: float
    activity_points: float

    @property
    def total_points(self) -> float:
        return self.case_points + self.activity_points


@dataclass(frozen=True)
class TeamCount:
    """A team's cases and points, each case once."""

    cases: int
    points: float


def holdings(lines: Iterable[Line], counted: Collection[str]) -> dict[str, Holding]:
    """Every case with a reference on a counted worker's case row, by its reference folded.
    A case on one such row is a holding of one row: held alone."""
    rows: dict[str, int] = {}
    most: dict[str, float] = {}
    counts: dict[str, bool] = {}  # a name as typed -> whether it is counted: one fold a name
    for worker, ref, kind, points in lines:
        if kind != "case" or not ref:
            continue
        is_counted = counts.get(worker)
        if is_counted is None:
            is_counted = counts[worker] = worker.casefold() in counted
        if not is_counted:
            continue
        key = ref.casefold()
        rows[key] = rows.get(key, 0) + 1
        most[key] = max(most.get(key, 0.0), points or 0.0)
    return {key: Holding(n, most[key]) for key, n in rows.items()}


def co_worked(lines: Iterable[Line], counted: Collection[str]) -> dict[str, Holding]:
    """The cases held on more than one counted row, by reference folded."""
    return {key: held for key, held in holdings(lines, counted).items() if held.rows > 1}


def worker_counts(
    lines: Iterable[Line], counted: Collection[str], rule: str = DEFAULT
) -> dict[str, WorkerCount]:
    """Each worker's cases and points (by name folded) from their rows. With "full" a row
    counts its agreed points; with "share" a counted worker's row of a co-worked case counts
    an equal share of the case's points instead. A co-worked case stays one case on each
    holder's caseload either way."""
    lines = list(lines)
    shared = co_worked(lines, counted) if rule == SHARE else {}
    counts: dict[str, bool] = {}
    tally: dict[str, list] = {}  # by name as typed: [cases, case points, activity points]
    for worker, ref, kind, points in lines:
        row = tally.get(worker)
        if row is None:
            row = tally[worker] = [0, 0.0, 0.0]
        if kind != "case":
            row[2] += points or 0.0
            continue
        row[0] += 1
        held = shared.get(ref.casefold()) if shared and ref else None
        if held is not None:
            is_counted = counts.get(worker)
            if is_counted is None:
                is_counted = counts[worker] = worker.casefold() in counted
            if is_counted:
                row[1] += held.share
                continue
        row[1] += points or 0.0
    folded: dict[str, list] = {}
    for worker, (cases, case_points, activity_points) in tally.items():
        into = folded.setdefault(worker.casefold(), [0, 0.0, 0.0])
        into[0] += cases
        into[1] += case_points
        into[2] += activity_points
    return {key: WorkerCount(*row) for key, row in folded.items()}


def team_count(lines: Iterable[Line], counted: Collection[str]) -> TeamCount:
    """The counted workers' cases and points, each case once: a case held on several counted
    rows counts one case, at the most any holder agreed; a case row with no reference counts
    as a case of its own. The same whatever the scheme's rule."""
    lines = list(lines)
    held = holdings(lines, counted)
    cases = len(held)
    points = sum(h.points for h in held.values())
    counts: dict[str, bool] = {}
    for worker, ref, kind, agreed in lines:
        if kind == "case" and ref:
            continue  # in a holding already
        is_counted = counts.get(worker)
        if is_counted is None:
            is_counted = counts[worker] = worker.casefold() in counted
        if is_counted:
            points += agreed or 0.0
            cases += kind == "case"
    return TeamCount(cases, points)


def how_it_counts(rule: str, held: Holding | None) -> str:
    """One sentence for a manager on how a co-worked case counts here: `held` is the case's
    holding among the counted workers (None: no holder is counted; one row: one is)."""
    if held is None:
        return "None of these sheets is in the team figures, so the case is in none of them."
    if held.rows < 2:
        return (
            "Only one of these sheets is in the team figures, so the case counts once there, "
            "in full."
        )
    if rule == SHARE:
        return (
            f'The scheme shares a co-worked case\'s points (co_working = "share"): each of '
            f"the {held.rows} workers counts {fmt(held.share)} of its "
            f"{fmt(held.points)} points (the most any of them agreed), and the team's total "
            "counts the case once."
        )
    return (
        f"The scheme counts a co-worked case in full for each worker (co_working = "
        f'"full"): each keeps the points their own sheet gives; the team\'s total counts the '
        f"case once, at {fmt(held.points)} points (the most any of them agreed)."
    )
