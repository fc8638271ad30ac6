"""XmR charts as NHS England's "Making Data Count" draws them, for trend reports (core layer).

An XmR chart asks of a measure over time: is this period different, or the usual up and down?
The mean and the mean moving range (the average jump from one period to the next) of a
baseline give the process limits, mean ± 2.66 × mean moving range (three sigma for
individuals), and two-sigma lines two thirds of the way out. Four patterns are special cause,
each with a stable id in RULES. For workload neither direction is better, so variation is
labelled neutrally, high or low, never improvement or concern.

Choices a reader of the chart should know (the tests pin each one):

- Baseline: limits come from the first `baseline` values of each segment and hold for the rest
  of it. A segment with fewer values gets trial limits from all of them (`trial` is True).
  A segment is the whole series, or the stretch from one `recalculate_at` index to the next:
  each has its own baseline and limits, and no pattern crosses from one segment into another,
  since the change that justified recalculating would explain it.
- Missing values: pass None (a NaN counts as None) and the period keeps its place, so labels
  and chart axes stay aligned. It has no value, no moving range and no rules; its variation is
  "no data". The baseline is the first `baseline` *present* values; a moving range is taken
  only between neighbouring periods that both have a value, never across a gap; and a gap
  breaks a run, a trend or a window of three for `two-of-three`, since nobody knows where the
  missing period lay.
- Too little data: a segment with fewer than two values, or with no two neighbouring values
  to give a moving range, has no limits (None), no rules and common variation.
- A flat baseline (mean moving range 0) puts every line on the mean: nothing in it is special
  cause, and any later value that differs is outside the limits.
- Equality: a value on the mean breaks a run; a value equal to the one before breaks a trend;
  a value on a limit or two-sigma line is not beyond it. Values within a billionth (relative)
  of a line count as on it, so rounding in the mean cannot decide a rule.
- No outlier screening: the mean moving range uses every moving range of the baseline, as the
  Making Data Count spreadsheet does (NHS-R's plot-the-dots can drop large ones first).
- `two-of-three` as Making Data Count has it (and NHS-R's plot-the-dots): three periods in a
  row, each with a value and all on the same side of the mean, of which two (or all three) lie
  beyond the two-sigma line on that side but not beyond the process limit. A value outside the
  limits is its own `outside-limits` signal and does not count; a value on the mean or a gap
  breaks the window. Only the values counted are marked. (The Western Electric rule this
  replaced let the third value lie anywhere and counted values outside the limits.)
- Direction: outside-limits, two-of-three and run-one-side are high above the mean and low
  below it; a trend is high when rising and low when falling, wherever it lies. A value in
  both a high and a low pattern takes the direction of outside-limits if it is outside the
  limits, otherwise that of the pattern that ends latest (the most recent evidence), and of
  patterns ending together, the one listed first in RULES.
"""

from __future__ import annotations

import math
import numbers
import statistics
from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from itertools import pairwise

LIMIT_FACTOR = 2.66
"""Three sigma for individuals in units of the mean moving range (3 / 1.128)."""
TWO_SIGMA_FACTOR = 2 / 3 * LIMIT_FACTOR
"""Two thirds of the way to the process limit: about two sigma, the "near limit" line."""

RULES: dict[str, str] = {
    "outside-limits": "A value above the upper process limit or below the lower one",
    "run-one-side": "Values in a row above the mean, or in a row below it",
    "trend": "Values in a row each higher than the one before, or each lower",
    "two-of-three": (
        "Of three values in a row on one side of the mean, two or three between the two-sigma "
        "line and the process limit on that side"
    ),
}
"""The special-cause rules by stable id, in order of precedence, with help text for users."""

COMMON = "common"
HIGH = "special cause high"
LOW = "special cause low"
NO_DATA = "no data"
VARIATIONS = (COMMON, HIGH, LOW, NO_DATA)
"""Every value `SpcPoint.variation` takes: neutral words, since workload has no better way."""

_RULE_ORDER = {rule: order for order, rule in enumerate(RULES)}
_REL_TOL = 1e-9
_ABS_TOL = 1e-9


def _is_whole(number: object) -> bool:
    return isinstance(number, int) and not isinstance(number, bool)


@dataclass(frozen=True)
class SpcSettings:
    """How a series is charted. Users may choose 6 for `run_length`; Making Data Count uses 7.

    `recalculate_at` holds indices into the series where a known change (a restructure, a new
    scheme) starts a new segment with its own baseline and limits. `two_sigma_of_three` turns
    the `two-of-three` rule on or off. A bad setting fails here, before any chart is drawn.
    """

    baseline: int = 12
    run_length: int = 7
    recalculate_at: tuple[int, ...] = ()
    two_sigma_of_three: bool = True

    def __post_init__(self) -> None:
        if not _is_whole(self.baseline) or self.baseline < 2:
            raise ValueError(
                f"The baseline must be a whole number of at least 2 values, not {self.baseline!r}:"
                " limits need at least one moving range."
            )
        if not _is_whole(self.run_length) or self.run_length < 3:
            raise ValueError(
                f"The run length must be a whole number of at least 3, not {self.run_length!r}:"
                " Making Data Count uses 7, some teams choose 6."
            )
        at = tuple(self.recalculate_at)
        if not all(_is_whole(i) and i >= 1 for i in at):
            raise ValueError(
                f"Limits can be recalculated only at whole positions after the first value, "
                f"not at {at!r}."
            )
        if list(at) != sorted(set(at)):
            raise ValueError(
                f"Recalculation points must be in increasing order, each once, not {at!r}."
            )
        object.__setattr__(self, "recalculate_at", at)


@dataclass(frozen=True)
class SpcPoint:
    """One period of an XmR chart: its value, the lines drawn at it, and what stands out.

    The lines are those of the point's segment (None when the segment has too little data), so
    a chart writer can draw them point by point. `rules` lists, in RULES order, the special-cause
    rules this point is part of; `variation` is one of VARIATIONS.
    """

    index: int
    label: str
    value: float | None
    mean: float | None
    upper_limit: float | None
    lower_limit: float | None
    upper_two_sigma: float | None
    lower_two_sigma: float | None
    trial: bool
    rules: tuple[str, ...]
    variation: str
    segment: int
    """0 for the first segment, 1 after the first recalculation, and so on."""
    moving_range: float | None
    """The jump from the period before, within the segment; None first and next to a gap."""
    mean_moving_range: float | None
    """The baseline's mean moving range, from which the limits are drawn."""


@dataclass(frozen=True)
class _Pattern:
    """One instance of a rule: which points it marks, and whether it points high or low."""

    rule: str
    direction: int
    indices: tuple[int, ...]


def xmr(
    values: Sequence[float | None],
    labels: Sequence[str] | None = None,
    settings: SpcSettings = SpcSettings(),
) -> list[SpcPoint]:
    """The XmR chart of a series, one point per value, oldest first.

    `labels` name the periods (e.g. "2026-10") for charts and sentences; without them the
    points are called "point 1", "point 2" and so on. See the module docstring for baselines,
    missing values and the rules.
    """
    clean = [_number(value, i) for i, value in enumerate(values)]
    if labels is None:
        names = [f"point {i + 1}" for i in range(len(clean))]
    else:
        names = [str(label) for label in labels]
        if len(names) != len(clean):
            raise ValueError(f"There are {len(clean)} values but {len(names)} labels.")
    beyond = [i for i in settings.recalculate_at if i >= len(clean)]
    if beyond:
        raise ValueError(
            f"Limits are to be recalculated at position {beyond[0]} (counting from 0), but the "
            f"series has only {len(clean)} values."
        )
    starts = [0, *settings.recalculate_at]
    stops = [*settings.recalculate_at, len(clean)]
    points: list[SpcPoint] = []
    for segment, (start, stop) in enumerate(zip(starts, stops, strict=True)):
        points += _segment_points(clean, names, start, stop, segment, settings.baseline)
    return _marked(points, _patterns(points, settings))


@dataclass(frozen=True)
class Wording:
    """How `describe` names a series to its reader: whose usual range it is, and what its
    periods are called ("this team", "the team's", "month", "months")."""

    who: str = "this series"
    whose: str = "its"
    period: str = "period"
    periods: str = "periods"

    def count(self, n: int) -> str:
        return f"{n} {self.period if n == 1 else self.periods}"


def describe(
    points: Sequence[SpcPoint],
    subject: str,
    measure: str,
    *,
    notes: bool = True,
    missing: Mapping[str, str] | None = None,
    wording: Wording = Wording(),
) -> list[str]:
    """Plain sentences for a Summary sheet saying what the chart shows, oldest pattern first.

    Works from the marks `xmr` left on the points, so it never says more than the chart does.
    Facts only: which periods stood out and how, for how long; then how the usual range was
    worked out when that matters (provisional, afresh, too few values, missing periods). No
    verdicts. The words are a manager's, not a statistician's: the usual range is the one
    between the process limits, "unusually high" is outside-limits, "higher than the team's
    usual for 7 months in a row" a run, "rising for 7 months in a row" a trend, "close to the
    top of the team's usual range twice in three months" two-of-three (`wording` says whose
    usual it is and what a period is called).

    A sentence about a pattern over several periods (a run, a trend, two-of-three) names the
    series' missing periods, since no pattern is counted across them: a run that stops at a gap
    may have gone on. `missing` says why a period's value is missing, by label ("no return");
    a missing period it does not name has "no value".
    """
    found: list[tuple[int, int, str]] = []
    gaps = missing_periods(points, missing or {})
    gaps = f"; {gaps}" if gaps else ""
    w = wording

    def say(rule: str, first: SpcPoint, sentence: str) -> None:
        found.append((first.index, _RULE_ORDER[rule], f"{subject}: {measure} was {sentence}."))

    for direction, high, higher, top in (
        (1, "high", "higher", "top"),
        (-1, "low", "lower", "bottom"),
    ):
        outside = _has("outside-limits", lambda p, d=direction: _outside(p) == d)
        for block in _blocks(points, outside):
            names = _join([p.label for p in block])
            say("outside-limits", block[0], f"unusually {high} for {w.who} in {names}")
        in_run = _has("run-one-side", lambda p, d=direction: _side(p.value, p.mean) == d)
        for block in _blocks(points, in_run):
            say(
                "run-one-side",
                block[0],
                f"{higher} than {w.whose} usual for {w.count(len(block))} in a row "
                f"({_span(block)}{gaps})",
            )
        near = _has("two-of-three", lambda p, d=direction: _near_limit(p) == d)
        for block in _blocks(points, near, reach=2):
            periods = max(3, block[-1].index - block[0].index + 1)
            names = _join([p.label for p in block])
            say(
                "two-of-three",
                block[0],
                f"close to the {top} of {w.whose} usual range {_times(len(block))} in "
                f"{_in_words(periods)} {w.periods} ({names}{gaps})",
            )
    for block in _blocks(points, lambda p: "trend" in p.rules):
        for direction, piece in _monotone_pieces(block):
            word = "rising" if direction > 0 else "falling"
            say(
                "trend",
                piece[0],
                f"{word} for {w.count(len(piece))} in a row ({_span(piece)}{gaps})",
            )

    sentences = [sentence for *_, sentence in sorted(found)]
    if not found and any(p.mean is not None for p in points):
        sentences.append(
            f"{subject}: {measure} stayed within {w.whose} usual range, with nothing unusual "
            f"({_span(points)})."
        )
    return sentences + (_notes(points, subject, missing or {}, w) if notes else [])


_NUMBERS = ("", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten")


def _in_words(n: int) -> str:
    return _NUMBERS[n] if 0 < n < len(_NUMBERS) else str(n)


def _times(n: int) -> str:
    return {1: "once", 2: "twice"}.get(n, f"{_in_words(n)} times")


# --- limits -------------------------------------------------------------------------------


def _segment_points(
    values: list[float | None],
    labels: list[str],
    start: int,
    stop: int,
    segment: int,
    baseline: int,
) -> list[SpcPoint]:
    """The points of one segment with its own limits, before any rule is applied."""
    present = [(i, values[i]) for i in range(start, stop) if values[i] is not None]
    base = present[:baseline]
    ranges = [abs(b - a) for (i, a), (j, b) in pairwise(base) if j == i + 1]
    mean = statistics.fmean(v for _, v in base) if ranges else None
    mr_bar = statistics.fmean(ranges) if mean is not None else None
    trial = mean is not None and len(present) < baseline

    def line(factor: float) -> float | None:
        return None if mean is None or mr_bar is None else mean + factor * mr_bar

    points = []
    for i in range(start, stop):
        value, before = values[i], values[i - 1] if i > start else None
        points.append(
            SpcPoint(
                index=i,
                label=labels[i],
                value=value,
                mean=mean,
                upper_limit=line(LIMIT_FACTOR),
                lower_limit=line(-LIMIT_FACTOR),
                upper_two_sigma=line(TWO_SIGMA_FACTOR),
                lower_two_sigma=line(-TWO_SIGMA_FACTOR),
                trial=trial,
                rules=(),
                variation=NO_DATA if value is None else COMMON,
                segment=segment,
                moving_range=None if value is None or before is None else abs(value - before),
                mean_moving_range=mr_bar,
            )
        )
    return points


# --- rules --------------------------------------------------------------------------------


def _patterns(points: list[SpcPoint], settings: SpcSettings) -> list[_Pattern]:
    """Every instance of every rule, segment by segment."""
    found: list[_Pattern] = []
    for seg in _segments(points):
        if seg[0].mean is None:
            continue
        found += [_Pattern("outside-limits", _outside(p), (p.index,)) for p in seg if _outside(p)]
        sides = [0 if p.value is None else _side(p.value, p.mean) for p in seg]
        for first, last, side in _streaks(sides):
            if last - first + 1 >= settings.run_length:
                indices = tuple(p.index for p in seg[first : last + 1])
                found.append(_Pattern("run-one-side", side, indices))
        steps = [_step(p, q) for p, q in pairwise(seg)]
        for first, last, step in _streaks(steps):
            # Steps first..last join points first..last + 1: NHS counts points, not steps.
            if last - first + 2 >= settings.run_length:
                indices = tuple(p.index for p in seg[first : last + 2])
                found.append(_Pattern("trend", step, indices))
        if settings.two_sigma_of_three:
            for k in range(len(seg) - 2):
                window = seg[k : k + 3]
                side = sides[k]
                if side == 0 or any(sides[k + j] != side for j in (1, 2)):
                    continue  # a gap, a value on the mean, or values on both sides
                marked = tuple(p.index for p in window if _near_limit(p) == side)
                if len(marked) >= 2:
                    found.append(_Pattern("two-of-three", side, marked))
    return found


def _marked(points: list[SpcPoint], patterns: list[_Pattern]) -> list[SpcPoint]:
    """The points with their rules and variation, settling high-and-low as the module says."""
    containing: dict[int, list[_Pattern]] = defaultdict(list)
    for pattern in patterns:
        for i in pattern.indices:
            containing[i].append(pattern)
    marked = []
    for point in points:
        mine = containing.get(point.index)
        if not mine:
            marked.append(point)
            continue
        rules = tuple(sorted({p.rule for p in mine}, key=_RULE_ORDER.__getitem__))
        outside = [p for p in mine if p.rule == "outside-limits"]
        chosen = outside[0] if outside else max(mine, key=_recency)
        variation = HIGH if chosen.direction > 0 else LOW
        marked.append(replace(point, rules=rules, variation=variation))
    return marked


def _recency(pattern: _Pattern) -> tuple[int, int]:
    """Later-ending patterns first; of those ending together, the rule listed first in RULES."""
    return pattern.indices[-1], -_RULE_ORDER[pattern.rule]


def _outside(point: SpcPoint) -> int:
    """+1 above the upper process limit, -1 below the lower one, else 0."""
    return _beyond(point.value, point.upper_limit, point.lower_limit)


def _beyond_two_sigma(point: SpcPoint) -> int:
    """+1 above the upper two-sigma line, -1 below the lower one, else 0."""
    return _beyond(point.value, point.upper_two_sigma, point.lower_two_sigma)


def _near_limit(point: SpcPoint) -> int:
    """+1 between the upper two-sigma line and the upper limit, -1 between the lower ones, else
    0: beyond a two-sigma line but not outside the limits (on a limit is not outside it)."""
    return _beyond_two_sigma(point) if not _outside(point) else 0


def _beyond(value: float | None, upper: float | None, lower: float | None) -> int:
    """+1 above `upper`, -1 below `lower`, else 0 (also when any of them is missing)."""
    if value is None or upper is None or lower is None:
        return 0
    if _side(value, upper) > 0:
        return 1
    if _side(value, lower) < 0:
        return -1
    return 0


def _step(before: SpcPoint, after: SpcPoint) -> int:
    """+1 if the value rose, -1 if it fell, 0 if it stayed or either is missing."""
    if before.value is None or after.value is None:
        return 0
    return _side(after.value, before.value)


def _side(value: float, line: float) -> int:
    """+1 above the line, -1 below, 0 on it (within rounding)."""
    if math.isclose(value, line, rel_tol=_REL_TOL, abs_tol=_ABS_TOL):
        return 0
    return 1 if value > line else -1


def _streaks(signs: list[int]) -> list[tuple[int, int, int]]:
    """Maximal stretches of one non-zero sign, as (first position, last position, sign)."""
    streaks, start = [], 0
    for k in range(1, len(signs) + 1):
        if k == len(signs) or signs[k] != signs[start]:
            if signs[start] != 0:
                streaks.append((start, k - 1, signs[start]))
            start = k
    return streaks


def _segments(points: Sequence[SpcPoint]) -> list[list[SpcPoint]]:
    segments: list[list[SpcPoint]] = []
    for point in points:
        if segments and segments[-1][-1].segment == point.segment:
            segments[-1].append(point)
        else:
            segments.append([point])
    return segments


# --- sentences ----------------------------------------------------------------------------


def _has(rule: str, where: Callable[[SpcPoint], bool]) -> Callable[[SpcPoint], bool]:
    """Points marked with `rule` that also meet `where` (which may then assume a value)."""
    return lambda p: rule in p.rules and where(p)


def _blocks(
    points: Sequence[SpcPoint], keep: Callable[[SpcPoint], bool], reach: int = 1
) -> list[list[SpcPoint]]:
    """Kept points grouped when at most `reach` periods apart within one segment, with no gap
    between them."""
    blocks: list[list[SpcPoint]] = []
    gap = False
    for point in points:
        if point.value is None:
            gap = True
            continue
        if not keep(point):
            continue
        last = blocks[-1][-1] if blocks else None
        near = last and last.segment == point.segment and point.index - last.index <= reach
        if near and not gap:
            blocks[-1].append(point)
        else:
            blocks.append([point])
        gap = False
    return blocks


def _monotone_pieces(block: list[SpcPoint]) -> list[tuple[int, list[SpcPoint]]]:
    """The trends within a run of trend-marked points: a peak or trough belongs to both sides.

    Two marked trends can meet across a single step the other way (rising to a peak, one step
    down, rising again); that two-point piece is no trend, and run_length is at least 3, so
    pieces of fewer than three points are dropped.
    """
    pieces: list[tuple[int, list[SpcPoint]]] = []
    direction, piece = 0, [block[0]]
    for before, after in pairwise(block):
        step = _step(before, after)
        if step and direction in (0, step):
            direction = step
            piece.append(after)
        else:
            pieces.append((direction, piece))
            direction, piece = step, ([before, after] if step else [after])
    pieces.append((direction, piece))
    return [(d, p) for d, p in pieces if d and len(p) >= 3]


def _notes(
    points: Sequence[SpcPoint], subject: str, missing: Mapping[str, str], w: Wording
) -> list[str]:
    """How the usual range (the limits) was worked out, where a reader needs to know to trust
    the sentences: afresh (recalculated), provisional (trial), or not at all."""
    notes = []
    for seg in _segments(points):
        present = [p for p in seg if p.value is not None]
        if seg[0].segment > 0:
            notes.append(f"{subject}: usual range worked out afresh from {seg[0].label}.")
        if seg[0].mean is None:
            notes.append(
                f"{subject}: too few {w.periods} to work out a usual range ({_span(seg)})."
            )
        elif seg[0].trial:
            notes.append(
                f"{subject}: usual range provisional, from only {w.count(len(present))} "
                f"({_span(seg)})."
            )
    gaps = missing_periods(points, missing)
    if gaps:
        notes.append(f"{subject}: {gaps}.")
    return notes


def missing_periods(points: Sequence[SpcPoint], missing: Mapping[str, str] | None = None) -> str:
    """The missing periods, by why they are missing (`missing`, by label; else "no value"):
    "no return for 2026-03 and 2026-04; no value for 2026-07", or "" with none. Three or more
    in a row for one reason are written as a span ("2026-03 to 2026-06")."""
    missing = missing or {}
    stretches: list[tuple[str, list[SpcPoint]]] = []
    for point in points:
        if point.value is not None:
            continue
        why = missing.get(point.label, "no value")
        last = stretches[-1] if stretches else None
        if last and last[0] == why and last[1][-1].index == point.index - 1:
            last[1].append(point)
        else:
            stretches.append((why, [point]))
    reasons: dict[str, list[str]] = {}
    for why, stretch in stretches:
        names = [_span(stretch)] if len(stretch) > 2 else [p.label for p in stretch]
        reasons.setdefault(why, []).extend(names)
    return "; ".join(f"{why} for {_join(names)}" for why, names in reasons.items())


def _span(points: Sequence[SpcPoint]) -> str:
    first, last = points[0].label, points[-1].label
    return first if first == last else f"{first} to {last}"


def _join(names: list[str]) -> str:
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"


# --- inputs -------------------------------------------------------------------------------


def _number(value: object, index: int) -> float | None:
    """A value as a float; None and NaN mean the period has no value."""
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise ValueError(f"Value {index} ({value!r}) is not a number.")
    number = float(value)
    if math.isnan(number):
        return None
    if math.isinf(number):
        raise ValueError(f"Value {index} is infinite.")
    return number
