"""The rules that flag a disparity or a trend, with the settings they were calibrated at (core).

One set of rules for the team sheet, the add-in's Flag outliers and the trend report, on one
measure (core.expected's load against expected):

- **well above / below colleagues**, this period: a worker's load against expected is at
  least `outlier_margin` (30 points of percentage) away from the team's median load;
- **a lasting disparity**: at least `disparity_margin` (12 points) away, on the same side,
  for `disparity_periods` (3) periods running, none missing;
- **rising / falling**, for a team's points per FTE (total points ÷ total FTE): Making Data
  Count's shift rule (the latest `run_length` periods all above, or all below, the mean of
  the periods before them: up to `baseline` of them, at least `min_baseline`) and trend rule
  (`run_length` periods each higher, or each lower, than the one before); for a worker, the
  trend rule on their own points per FTE, once their series is `run_length` periods long.

Why these numbers: a rule applied to a dozen workers every month fires somewhere most months
unless its rate per worker is tiny, so a manager learns to ignore it. The defaults are the
ones benchmarks/bench_signals.py measured on simulated teams (12 workers, 24 months, equal
true loads, 8% month-to-month noise): fewer than 5% of team-months flagged by chance, and at
least 80% of a planted +25% worker flagged within 3 months and of a team rising 3% a month
within 6. Every figure is a setting a scheme (or a command) can change; the README shows the
measured rates at 5%, 8% and 12% noise.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from itertools import pairwise

from workload_xl.core.scheme_options import SignalSettings


def relative_loads(
    loads: Mapping[str, float | None],
    points_per_fte: Mapping[str, float | None],
    bands: Mapping[str, str],
    min_workers: int,
) -> dict[str, float]:
    """Each counted worker's load against expected, where `loads` has one (the scheme sets a
    reference level and knows their band); else their points per FTE ÷ the median of their
    band's (when the band has at least `min_workers`). Keyed as the inputs are."""
    result = {key: load for key, load in loads.items() if load is not None}
    by_band: dict[str, list[str]] = {}
    for key, band in bands.items():
        if key not in result and points_per_fte.get(key) is not None:
            by_band.setdefault(band.casefold(), []).append(key)
    for members in by_band.values():
        if len(members) < min_workers:
            continue
        middle = _median(points_per_fte[k] for k in members)
        if middle > 0:
            result.update({k: points_per_fte[k] / middle for k in members})
    return result


def gaps_from_middle(loads: Mapping[str, float], min_workers: int) -> tuple[float | None, dict]:
    """The team's median load and each worker's load minus it (None and {} when fewer than
    `min_workers` have a load): the comparison every disparity rule makes."""
    if len(loads) < min_workers:
        return None, {}
    middle = _median(loads.values())
    return middle, {key: load - middle for key, load in loads.items()}


def standing(gap: float | None, margin: float) -> int:
    """+1 at least `margin` above the team's middle, -1 at least that far below, else 0."""
    if gap is None:
        return 0
    return 1 if gap >= margin else -1 if gap <= -margin else 0


def lasting_run(gaps: Sequence[float | None], settings: SignalSettings) -> int:
    """How many of the latest periods in a row (oldest first in `gaps`; None for a period
    with no figure, which breaks the run) sit at least `disparity_margin` off the middle on the
    same side, signed by the side, when that is `disparity_periods` or more; else 0."""
    side, run = 0, 0
    for gap in reversed(gaps):
        sign = standing(gap, settings.disparity_margin)
        if sign == 0 or (side and sign != side):
            break
        side, run = sign, run + 1
    return side * run if run >= settings.disparity_periods else 0


@dataclass(frozen=True)
class Movement:
    """A rise or fall ending at the latest period: which rule, which way, over how many."""

    rule: str  # "shift" or "trend"
    direction: int
    periods: int
    baseline_mean: float | None = None


def movement(series: Sequence[float | None], settings: SignalSettings) -> Movement | None:
    """Making Data Count's shift and trend rules on the latest `run_length` periods of a series
    (oldest first; None for a missing period, which no run crosses)."""
    length = settings.run_length
    if len(series) < length or any(v is None for v in series[-length:]):
        return None
    latest = [float(v) for v in series[-length:]]
    steps = [b - a for a, b in pairwise(latest)]
    if all(s > 0 for s in steps) or all(s < 0 for s in steps):
        return Movement("trend", 1 if steps[0] > 0 else -1, length)
    before = [v for v in series[:-length][-settings.baseline :] if v is not None]
    if len(before) < settings.min_baseline:
        return None
    mean = _mean(before)
    if all(v > mean for v in latest):
        return Movement("shift", 1, length, mean)
    if all(v < mean for v in latest):
        return Movement("shift", -1, length, mean)
    return None


def trend_only(series: Sequence[float | None], settings: SignalSettings) -> Movement | None:
    """The trend rule alone, for one worker's own series: a shift in one worker's points is
    a dozen times as likely somewhere in a team by chance, and the disparity rules already say
    when a worker moves away from colleagues."""
    found = movement(series, settings)
    return found if found is not None and found.rule == "trend" else None


def _median(values: Iterable[float]) -> float:
    """statistics.median, imported when a team is compared: every scheme load imports this
    module for its settings, and a command that only lists schemes should not pay for it."""
    import statistics

    return statistics.median(values)


def _mean(values: Sequence[float]) -> float:
    import statistics

    return statistics.fmean(values)
