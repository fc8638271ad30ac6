"""The statistics behind fairness flags, small enough to check by hand (core layer).

Teams are small (a dozen workers, a handful per experience band), so the measures are robust
ones: a worker is compared with the median of similar colleagues, in units of the median
absolute deviation, so one very busy colleague cannot hide another. Nothing here judges: it
says how far a number is from its peers, and the wording of findings is left to team.py.
"""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from itertools import pairwise

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
