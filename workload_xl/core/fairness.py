"""Fairness flags on a team sheet, and the statistics behind them (core layer).

Teams are small (a dozen workers, a handful per experience band), so the measures are robust
ones: a worker is compared with the median of similar colleagues, in units of the median
absolute deviation, so one very busy colleague cannot hide another. The flags say what the
numbers show (outliers within a band, a wide spread, co-worked cases, a disparity that lasts,
a trend) and never give a verdict. team.py rolls the sheets up; this module flags the result,
both while a team sheet is built and when the add-in re-flags one a manager corrected.
"""

from __future__ import annotations

import statistics
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from itertools import pairwise
from typing import TYPE_CHECKING

from workload_xl.contracts import team as tl
from workload_xl.core import coworking
from workload_xl.core.findings import Finding
from workload_xl.core.period import Period
from workload_xl.core.rules import finding
from workload_xl.core.values import fmt

if TYPE_CHECKING:  # the records are team.py's; team.py imports this module to flag them
    from workload_xl.core.returns import WorkerPeriod
    from workload_xl.core.team import TeamSettings, TeamSheet, WorkerRow

MAD_TO_SD = 1.4826
"""Scales the median absolute deviation to the standard deviation of normal data."""
MEAN_AD_TO_SD = 1.2533
"""Scales the mean absolute deviation likewise; used when more than half the values tie."""


def robust_scores(values: Sequence[float]) -> list[float | None]:
    """How many robust standard deviations each value lies from the median.

    The modified z-score of Iglewicz and Hoaglin. When more than half the values are equal the
    MAD is 0, so the mean absolute deviation stands in (as SPSS and others do); when every
    value is equal there is no spread and every score is 0.
    """
    if not values:
        return []
    middle = statistics.median(values)
    deviations = [abs(v - middle) for v in values]
    scale = MAD_TO_SD * statistics.median(deviations)
    if scale == 0:
        scale = MEAN_AD_TO_SD * statistics.fmean(deviations)
    if scale == 0:
        return [0.0 for _ in values]
    return [(v - middle) / scale for v in values]


def coefficient_of_variation(values: Sequence[float]) -> float | None:
    """Sample standard deviation over the mean: how widely a team's loads differ."""
    if len(values) < 2:
        return None
    mean = statistics.fmean(values)
    if mean <= 0:
        return None
    return statistics.stdev(values) / mean


def run_direction(values: Sequence[float]) -> int:
    """+1 if every value is higher than the one before, -1 if every one is lower, else 0."""
    if len(values) < 2:
        return 0
    steps = [b - a for a, b in pairwise(values)]
    if all(step > 0 for step in steps):
        return 1
    if all(step < 0 for step in steps):
        return -1
    return 0


@dataclass(frozen=True)
class Placement:
    """Where flags are written: the team sheet's workbook and tab, the cell of a worker's
    figure (`worker_cell(row index, column key)`) and the cell of the team's spread. The
    edges say this, so the flags never know the team sheet's layout."""

    workbook: str
    sheet: str
    worker_cell: Callable[[int, str], str]
    spread_cell: str


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
    """Every flag on a team sheet being built: outliers within a band, the team's spread,
    co-worked cases, and, over the history, lasting disparities and trends. Notes each flag
    on the worker's row and returns the findings."""
    found = _Flags(place)
    _flag_outliers(team.workers, settings, found)
    _flag_spread(team.workers, team.spread, settings, found)
    _flag_co_working(team, found)
    _flag_persistence(team, settings, found)
    _flag_trends(team, settings, found)
    return list(found)


def flag_workers(
    workers: list[WorkerRow],
    settings: TeamSettings,
    *,
    workbook: str,
    sheet: str,
    cell: Callable[[int, str], str],
) -> list[Finding]:
    """Band means, differences and outlier flags for workers as a Team sheet shows them now,
    and the team's spread: the add-in's Flag outliers, after a manager corrected an FTE or a
    band by hand. `cell(index, column key)` says where a worker's figure stands."""
    for w in workers:
        w.flags, w.band_mean, w.band_difference, w.robust_score = [], None, None, None
    values = [w.points_per_fte for w in workers if w.counted and w.points_per_fte is not None]
    found = _Flags(Placement(workbook, sheet, cell, ""))
    _flag_outliers(workers, settings, found)
    _flag_spread(workers, coefficient_of_variation(values), settings, found)
    return list(found)


@dataclass
class _BandStats:
    mean: float
    median: float
    scores: dict[int, float | None]  # by id() of the row; None when the band is too small

    def standing(self, row, value: float, settings: TeamSettings) -> int:
        """+1 well above, -1 well below, 0 neither: statistically unusual *and* a difference of
        at least `min_difference` of the band median, so a tight band's small gaps stay quiet."""
        score = self.scores.get(id(row))
        if score is None or abs(score) <= settings.outlier_threshold:
            return 0
        if abs(value - self.median) < settings.min_difference * abs(self.median):
            return 0
        return 1 if score > 0 else -1


def _band_stats(rows: Sequence, key, settings: TeamSettings) -> dict[str, _BandStats]:
    """Per experience band, over the rows counted in the team's figures."""
    groups: dict[str, list] = defaultdict(list)
    for row in rows:
        if row.counted and key(row) is not None:
            groups[row.band].append(row)
    result = {}
    for band, members in groups.items():
        values = [key(r) for r in members]
        scores = (
            robust_scores(values) if len(values) >= settings.min_band_size else [None] * len(values)
        )
        result[band] = _BandStats(
            statistics.fmean(values),
            statistics.median(values),
            dict(zip(map(id, members), scores, strict=True)),
        )
    return result


def _flag_outliers(workers: list[WorkerRow], settings: TeamSettings, found: _Flags) -> None:
    cell = found.place.worker_cell
    bands = _band_stats(workers, lambda w: w.points_per_fte, settings)
    small_reported = set()
    for index, w in enumerate(workers):
        if w.band not in bands or w.points_per_fte is None:
            continue
        stats = bands[w.band]
        w.band_mean = stats.mean
        w.band_difference = w.points_per_fte - stats.mean
        w.robust_score = stats.scores.get(id(w))
        if not w.counted:
            continue
        size = len(stats.scores)
        if w.robust_score is None:
            if w.band not in small_reported:
                small_reported.add(w.band)
                found.add(
                    "band-too-small",
                    f"Only {size} counted worker{'s' if size > 1 else ''}"
                    f" in the band '{w.band or '(none)'}': too few to say whether anyone's "
                    f"load is unusual (at least {settings.min_band_size} are needed).",
                    cell(index, "band"),
                    tl.WORKER_HEADINGS["band"],
                    w.band,
                )
            continue
        standing = stats.standing(w, w.points_per_fte, settings)
        if standing:
            direction = "above" if standing > 0 else "below"
            w.flags.append(f"{direction} similar colleagues ({w.robust_score:+.1f})")
            found.add(
                "worker-outlier",
                f"{w.worker}'s points per FTE ({fmt1(w.points_per_fte)}) are well {direction} "
                f"those of colleagues in the band '{w.band}' (band median "
                f"{fmt1(stats.median)}, mean {fmt1(stats.mean)}; {abs(w.robust_score):.1f} "
                "robust deviations from the median). Worth discussing whether work is shared "
                "fairly.",
                cell(index, "points_per_fte"),
                tl.WORKER_HEADINGS["points_per_fte"],
                round(w.points_per_fte, 2),
            )


def _flag_spread(
    workers: list[WorkerRow], spread: float | None, settings: TeamSettings, found: _Flags
) -> None:
    counted = [w for w in workers if w.counted and w.points_per_fte is not None]
    if spread is None or len(counted) < settings.min_band_size:
        return
    if spread > settings.spread_threshold:
        low = min(counted, key=lambda w: w.points_per_fte)
        high = max(counted, key=lambda w: w.points_per_fte)
        found.add(
            "team-spread-wide",
            f"Points per FTE differ widely across the team: the "
            f"coefficient of variation is {spread:.0%} (above "
            f"{settings.spread_threshold:.0%}), from {fmt1(low.points_per_fte)} "
            f"({low.worker}) to {fmt1(high.points_per_fte)} ({high.worker}).",
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


def _outliers_by_period(team: TeamSheet, settings: TeamSettings) -> dict[Period, dict[str, int]]:
    """For every period in the history, which workers stood out in their band (+1 / -1)."""
    by_period: dict[Period, list[WorkerPeriod]] = defaultdict(list)
    for row in team.history:
        by_period[row.period].append(row)
    result = {}
    for period, rows in by_period.items():
        bands = _band_stats(rows, lambda r: r.points_per_fte, settings)
        flagged = {}
        for row in rows:
            stats = bands.get(row.band)
            standing = stats.standing(row, row.points_per_fte, settings) if stats else 0
            if standing:
                flagged[row.worker.casefold()] = standing
        result[period] = flagged
    return result


def _flag_persistence(team: TeamSheet, settings: TeamSettings, found: _Flags) -> None:
    flagged = _outliers_by_period(team, settings)
    for index, w in enumerate(team.workers):
        key = w.worker.casefold()
        direction = flagged.get(team.period, {}).get(key)
        if not w.counted or direction is None:
            continue
        run, period = 0, team.period
        while flagged.get(period, {}).get(key) == direction:
            run, period = run + 1, period.previous()
        if run >= settings.persistent_periods:
            side = "above" if direction > 0 else "below"
            w.flags.append(f"{side} colleagues {run} periods running")
            found.add(
                "disparity-persistent",
                f"{w.worker}'s points per FTE have been well "
                f"{side} similar colleagues' for {run} periods running (since "
                f"{period.next()}). A lasting difference like this calls for a "
                "conversation about how work is allocated.",
                found.place.worker_cell(index, "flags"),
                tl.WORKER_HEADINGS["points_per_fte"],
                run,
            )


def _flag_trends(team: TeamSheet, settings: TeamSettings, found: _Flags) -> None:
    series: dict[str, dict[Period, float]] = defaultdict(dict)
    for row in team.history:
        if row.counted and row.points_per_fte is not None:
            series[row.worker.casefold()][row.period] = row.points_per_fte
    for index, w in enumerate(team.workers):
        if not w.counted:
            continue
        points, period = [], team.period
        for _ in range(settings.trend_periods):
            if period not in series[w.worker.casefold()]:
                break
            points.append(series[w.worker.casefold()][period])
            period = period.previous()
        if len(points) < settings.trend_periods:
            continue
        points.reverse()
        direction = run_direction(points)
        if direction:
            rule, word = ("trend-rising", "risen") if direction > 0 else ("trend-falling", "fallen")
            path = " → ".join(fmt1(p) for p in points)
            w.flags.append(f"{word} {len(points) - 1} times running")
            found.add(
                rule,
                f"{w.worker}'s points per FTE have {word} {len(points) - 1} times running, "
                f"over {len(points)} periods: {path}.",
                found.place.worker_cell(index, "points_per_fte"),
                tl.WORKER_HEADINGS["points_per_fte"],
                round(points[-1], 2),
            )


def fmt1(number: float | None) -> str:
    return "" if number is None else f"{number:.1f}"
