"""Fairness flags on a team sheet (core layer): who carries well more, or less, than the scheme
expects of them compared with colleagues, for how long, and whether the team's load is moving.

Every comparison is of one measure, load against expected (core.expected): a worker's points
÷ what the scheme expects of their band and FTE, so a protected newly qualified caseload reads
as about 100% and the whole team is one comparison group. The rules and their calibrated
settings are core.disparity's, shared with the trend report. The flags say what the numbers
show (a load well off the team's middle, a wide spread, co-worked cases, a disparity that
lasts, a rise or fall) and never give a verdict. team.py rolls the sheets up; this module
flags the result, both while a team sheet is built and when the add-in re-flags one a manager
corrected.
"""

from __future__ import annotations

import statistics
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from workload_xl.contracts import team as tl
from workload_xl.core import coworking, disparity
from workload_xl.core.expected import counted_loads, expected_points, load_against_expected
from workload_xl.core.findings import Finding
from workload_xl.core.period import Period
from workload_xl.core.rules import finding
from workload_xl.core.schemes import Scheme
from workload_xl.core.values import fmt, points_per_fte

if TYPE_CHECKING:  # the records are team.py's; team.py imports this module to flag them
    from workload_xl.core.returns import WorkerPeriod
    from workload_xl.core.team import TeamSettings, TeamSheet, WorkerRow


def coefficient_of_variation(values: Sequence[float]) -> float | None:
    """Sample standard deviation over the mean: how widely a team's loads differ."""
    if len(values) < 2:
        return None
    mean = statistics.fmean(values)
    if mean <= 0:
        return None
    return statistics.stdev(values) / mean


@dataclass(frozen=True)
class Placement:
    """Where flags are written: the team sheet's workbook and tab, the cell of a worker's
    figure (`worker_cell(row index, column key)`), the cell of the team's spread and that of
    the team's points per FTE. The edges say this, so the flags never know the layout."""

    workbook: str
    sheet: str
    worker_cell: Callable[[int, str], str]
    spread_cell: str
    team_cell: str = ""


class _Flags(list):
    """The findings of one flagging run, each placed on the team sheet."""

    def __init__(self, place: Placement):
        super().__init__()
        self.place = place

    def add(self, rule: str, message: str, cell: str, field_name: str, value) -> None:
        self.append(
            finding(
                rule,
                message,
                workbook=self.place.workbook,
                sheet=self.place.sheet,
                cell=cell,
                field=field_name,
                value=value,
            )
        )


def flag_team(team: TeamSheet, settings: TeamSettings, place: Placement) -> list[Finding]:
    """Every flag on a team sheet being built: loads well off the team's middle, the team's
    spread, co-worked cases, and, over the history, lasting disparities and rises or falls.
    Notes each flag on the worker's row and returns the findings."""
    found = _Flags(place)
    middle = _measure(team.workers, settings)
    team.median_load = middle
    team.spread = coefficient_of_variation(_loads_in_figures(team.workers))
    _flag_outliers(team.workers, middle, settings, found)
    _flag_spread(team.workers, team.spread, settings, found)
    _flag_co_working(team, found)
    _flag_persistence(team, settings, found)
    _flag_team_movement(team, settings, found)
    _flag_worker_trends(team, settings, found)
    return list(found)


def flag_workers(
    workers: list[WorkerRow],
    settings: TeamSettings,
    *,
    workbook: str,
    sheet: str,
    cell: Callable[[int, str], str],
) -> list[Finding]:
    """Expected points, loads against expected and outlier flags for workers as a Team sheet
    shows them now, and the team's spread: the add-in's Flag outliers, after a manager
    corrected an FTE or a band by hand. `cell(index, column key)` says where a figure stands."""
    for w in workers:
        w.flags = []
    found = _Flags(Placement(workbook, sheet, cell, ""))
    middle = _measure(workers, settings)
    _flag_outliers(workers, middle, settings, found)
    _flag_spread(workers, coefficient_of_variation(_loads_in_figures(workers)), settings, found)
    return list(found)


# --- this period ---------------------------------------------------------------------------


def _loads(rows: Sequence, settings: TeamSettings) -> dict[int, float]:
    """Each counted row's load against expected, by its index in `rows`, with the expected
    points this scheme gives the row's band and FTE (core.expected.counted_loads)."""
    scheme: Scheme | None = settings.scheme
    return counted_loads(
        rows, lambda row: expected_points(scheme, row.band, row.fte), settings.signals.min_workers
    )


def _measure(workers: list[WorkerRow], settings: TeamSettings) -> float | None:
    """Fill each row's expected points and load against expected; the team's median load."""
    loads = _loads(workers, settings)
    for index, w in enumerate(workers):
        w.expected_points = expected_points(settings.scheme, w.band, w.fte)
        w.load = loads.get(index)
        if w.load is None and w.expected_points:
            w.load = load_against_expected(w.total_points, w.expected_points)
    middle, _ = disparity.gaps_from_middle(loads, settings.signals.min_workers)
    return middle


def _loads_in_figures(workers: list[WorkerRow]) -> list[float]:
    return [w.load for w in workers if w.counted and w.load is not None]


def _basis(settings: TeamSettings, band: str) -> str:
    """How a load was worked out, for a message: from the scheme, or from the band's median."""
    scheme = settings.scheme
    if expected_points(scheme, band, 1.0) is not None:
        return ""
    why = (
        "the scheme sets no reference level"
        if scheme is None or not scheme.reference_points
        else f"the scheme has no band '{band}'"
    )
    return f" (points per FTE against the median of the band '{band}', as {why})"


def _flag_outliers(
    workers: list[WorkerRow], middle: float | None, settings: TeamSettings, found: _Flags
) -> None:
    cell = found.place.worker_cell
    margin = settings.signals.outlier_margin
    counted = [w for w in workers if w.counted and w.points_per_fte is not None]
    if middle is None:
        if counted:
            _too_few(workers, settings, found)
        return
    for index, w in enumerate(workers):
        if not w.counted or w.load is None:
            continue
        side = disparity.standing(w.load - middle, margin)
        if side:
            direction = "above" if side > 0 else "below"
            w.flags.append(f"load {w.load:.0%}, well {direction} the team's {middle:.0%}")
            found.add(
                "worker-outlier",
                f"{w.worker}'s load against expected is {w.load:.0%}{_basis(settings, w.band)}, "
                f"well {direction} the team's middle of {middle:.0%} ({_pp(w.load - middle)}; "
                f"flagged at {margin * 100:.0f} or more). Worth discussing whether work is "
                "shared fairly.",
                cell(index, "load"),
                tl.WORKER_HEADINGS["load"],
                round(w.load, 4),
            )
    _too_few(workers, settings, found)


def _band_count(workers: list[WorkerRow], band: str) -> int:
    key = (band or "").casefold()
    return sum(
        1
        for w in workers
        if w.counted and w.points_per_fte is not None and (w.band or "").casefold() == key
    )


def _too_few(workers: list[WorkerRow], settings: TeamSettings, found: _Flags) -> None:
    """Say once per band when a band has too few workers to compare within (only where the
    scheme gives no expectation, so the band's median is the comparison), and once when the
    team has too few loads for a middle."""
    need = settings.signals.min_workers
    with_load = sum(1 for w in workers if w.counted and w.load is not None)
    reported = set()
    for index, w in enumerate(workers):
        if not w.counted or w.points_per_fte is None or w.expected_points is not None:
            continue
        key = (w.band or "").casefold()
        size = _band_count(workers, w.band)
        if key in reported or size >= need:
            continue
        reported.add(key)
        found.add(
            "band-too-small",
            f"Only {size} counted worker{'s' if size > 1 else ''} in the band "
            f"'{w.band or '(none)'}'{_basis(settings, w.band)}: too few to say whether "
            f"anyone's load is unusual (at least {need} are needed). Give the band a capacity "
            "factor and the scheme a reference level to compare everyone against it.",
            found.place.worker_cell(index, "band"),
            tl.WORKER_HEADINGS["band"],
            w.band,
        )
    if 0 < with_load < need and not reported:
        index = next(i for i, w in enumerate(workers) if w.counted and w.load is not None)
        found.add(
            "band-too-small",
            f"Only {with_load} counted worker{'s' if with_load > 1 else ''} have a load "
            f"against expected: too few to say whether anyone's load is unusual (at least "
            f"{need} are needed).",
            found.place.worker_cell(index, "load"),
            tl.WORKER_HEADINGS["load"],
            with_load,
        )


def _pp(gap: float) -> str:
    """A gap between two loads, in points of percentage: '+41 points', '-33 points'."""
    return f"{gap * 100:+.0f} points"


def _flag_spread(
    workers: list[WorkerRow], spread: float | None, settings: TeamSettings, found: _Flags
) -> None:
    counted = [w for w in workers if w.counted and w.load is not None]
    if spread is None or len(counted) < settings.signals.min_workers:
        return
    if spread > settings.spread_threshold:
        low = min(counted, key=lambda w: w.load)
        high = max(counted, key=lambda w: w.load)
        found.add(
            "team-spread-wide",
            f"Loads against expected differ widely across the team: the coefficient of "
            f"variation is {spread:.0%} (above {settings.spread_threshold:.0%}), from "
            f"{low.load:.0%} ({low.worker}) to {high.load:.0%} ({high.worker}).",
            found.place.spread_cell,
            "Spread",
            round(spread, 4),
        )


def _flag_co_working(team: TeamSheet, found: _Flags) -> None:
    """Each co-worked case noted on every holder's row, and reported once, saying how the
    scheme's `co_working` rule counts it (core.coworking)."""
    row_of: dict[str, int] = {}
    for i, w in enumerate(team.workers):  # a worker's first row: the counted one, if any
        row_of.setdefault(w.worker, i)
    holdings = team.holdings()
    sharing = team.co_working == coworking.SHARE
    reported = set()
    for case in team.cases:
        if not case.also_allocated_to:
            continue
        others = case.co_workers
        held = holdings.get(case.case_ref.casefold())
        index = row_of.get(case.worker)
        if index is not None:
            note = f"co-works case {case.case_ref} with {others}"
            if sharing and held is not None and held.rows > 1 and team.workers[index].counted:
                note += f" ({fmt(held.share)} of its {fmt(held.points)} points counted here)"
            team.workers[index].flags.append(note)
        if case.case_ref.casefold() in reported:
            continue
        reported.add(case.case_ref.casefold())
        check = "" if sharing else " Check each worker's points reflect their part of the work."
        holder = case.worker
        if index is None or not team.workers[index].counted:
            holder += " (not in team figures)"
        *first, last = (holder, *case.co_worker_names)
        found.add(
            "case-co-worked",
            f"Case {case.case_ref} is on the sheets of {', '.join(first)} and {last}. "
            "Co-working is allowed. "
            f"{coworking.how_it_counts(team.co_working, held)}{check}",
            found.place.worker_cell(index, "cases") if index is not None else "",
            "Case reference",
            case.case_ref,
        )


# --- over time -----------------------------------------------------------------------------


def _periods(team: TeamSheet) -> list[Period]:
    """Every period from the history's first to this one, oldest first, missing ones too: a
    period with no row is a gap that no run crosses."""
    first = min((r.period for r in team.history), default=team.period)
    periods, period = [], team.period
    while period >= first and len(periods) < 1200:
        periods.append(period)
        period = period.previous()
    return periods[::-1]


def _by_period(team: TeamSheet) -> dict[Period, list[WorkerPeriod]]:
    rows: dict[Period, list[WorkerPeriod]] = defaultdict(list)
    for row in team.history:
        rows[row.period].append(row)
    return rows


def _gaps_by_period(
    team: TeamSheet, settings: TeamSettings
) -> dict[Period, dict[str, tuple[float, float, float]]]:
    """For each period, each counted worker's (load, team middle, gap from it), by name."""
    result = {}
    for period, rows in _by_period(team).items():
        loads = _loads(rows, settings)
        middle, gaps = disparity.gaps_from_middle(loads, settings.signals.min_workers)
        result[period] = {
            rows[i].worker.casefold(): (loads[i], middle, gap) for i, gap in gaps.items()
        }
    return result


def _flag_persistence(team: TeamSheet, settings: TeamSettings, found: _Flags) -> None:
    periods = _periods(team)
    by_period = _gaps_by_period(team, settings)
    for index, w in enumerate(team.workers):
        if not w.counted:
            continue
        key = w.worker.casefold()
        entries = [by_period.get(p, {}).get(key) for p in periods]
        run = disparity.lasting_run([e[2] if e else None for e in entries], settings.signals)
        if not run:
            continue
        side = "above" if run > 0 else "below"
        shown = entries[-abs(run) :]
        path = ", ".join(f"{load:.0%}" for load, _, _ in shown)
        middles = ", ".join(f"{middle:.0%}" for _, middle, _ in shown)
        since = periods[-abs(run)]
        margin = settings.signals.disparity_margin
        w.flags.append(f"{side} colleagues {abs(run)} periods running")
        found.add(
            "disparity-persistent",
            f"{w.worker}'s load against expected has been at least {margin * 100:.0f} points "
            f"{side} the team's middle for {abs(run)} periods running (since {since}): "
            f"{path}, against the team's {middles}. A lasting difference like this calls "
            "for a conversation about how work is allocated.",
            found.place.worker_cell(index, "flags"),
            tl.WORKER_HEADINGS["load"],
            abs(run),
        )


def team_series(team: TeamSheet) -> tuple[list[Period], list[float | None]]:
    """The team's points per FTE (total points ÷ total FTE of counted workers) in every period
    from the first in its history to this one; None where a period has no counted worker."""
    periods = _periods(team)
    by_period = _by_period(team)
    series = []
    for p in periods:
        rows = [r for r in by_period.get(p, []) if r.counted and r.fte]
        series.append(points_per_fte(sum(r.total_points for r in rows), sum(r.fte for r in rows)))
    return periods, series


def _flag_team_movement(team: TeamSheet, settings: TeamSettings, found: _Flags) -> None:
    periods, series = team_series(team)
    moved = disparity.movement(series, settings.signals)
    if moved is None:
        return
    rule, word = ("trend-rising", "risen") if moved.direction > 0 else ("trend-falling", "fallen")
    span = f"{periods[-moved.periods]} to {periods[-1]}"
    path = " → ".join(fmt1(v) for v in series[-moved.periods :])
    if moved.rule == "trend":
        what = f"have {word} {moved.periods - 1} times running ({span}): {path}"
    else:
        side = "above" if moved.direction > 0 else "below"
        what = (
            f"have been {side} their usual level ({fmt1(moved.baseline_mean)}, the mean of "
            f"the periods before) for {moved.periods} periods running ({span}): {path}"
        )
    found.add(
        rule,
        f"The team's points per FTE {what}. Worth asking what changed, and whether it will last.",
        found.place.team_cell,
        tl.TEAM_FIELD_BY_KEY["points_per_fte"].label,
        round(series[-1], 2),
    )


def _flag_worker_trends(team: TeamSheet, settings: TeamSettings, found: _Flags) -> None:
    periods = _periods(team)
    series: dict[str, dict[Period, float]] = defaultdict(dict)
    for row in team.history:
        if row.counted and row.points_per_fte is not None:
            series[row.worker.casefold()][row.period] = row.points_per_fte
    for index, w in enumerate(team.workers):
        if not w.counted:
            continue
        own = [series[w.worker.casefold()].get(p) for p in periods]
        moved = disparity.trend_only(own, settings.signals)
        if moved is None:
            continue
        rising = moved.direction > 0
        rule, word = ("trend-rising", "risen") if rising else ("trend-falling", "fallen")
        points = own[-moved.periods :]
        path = " → ".join(fmt1(p) for p in points)
        w.flags.append(f"{word} {moved.periods - 1} times running")
        found.add(
            rule,
            f"{w.worker}'s points per FTE have {word} {moved.periods - 1} times running, "
            f"over {moved.periods} periods: {path}.",
            found.place.worker_cell(index, "points_per_fte"),
            tl.WORKER_HEADINGS["points_per_fte"],
            round(points[-1], 2),
        )


def fmt1(number: float | None) -> str:
    return "" if number is None else f"{number:.1f}"
