"""What a scheme expects of a worker, and a worker's load against it (core layer).

The one disparity measure every output uses, named the same way everywhere: **load against
expected**. Where the scheme sets a reference level (a full-time worker's points a month) and
the worker's band a capacity factor, a worker's expected points are

    expected points = reference points × band capacity factor × FTE

and their load against expected is points ÷ expected points. A newly qualified worker on the
protected caseload the scheme intends (factor 0.9: 81 points at 0.9 FTE of a 100-point
reference) reads as 100%, like a full-time colleague on 100 points, so the whole team is one
comparison group and nobody is an outlier for carrying what the scheme asks of them. Without a
reference level, or for a band the scheme does not know, there is nothing to expect, and the
measure falls back to points per FTE ÷ the median points per FTE of the same band that period.

Probation's Workload Measurement Tool makes the same comparison (capacity % = points ÷ the
points a worker's grade and contracted hours should carry).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from workload_xl.core.disparity import relative_loads
from workload_xl.core.schemes import Band, Scheme


def band_of(scheme: Scheme | None, band: str) -> Band | None:
    """The scheme's band a sheet names, by label or id, ignoring letter case: sheets pick the
    label from a list, stores made by other versions may hold the id."""
    if scheme is None or not isinstance(band, str):
        return None
    key = band.strip().casefold()
    return next((b for b in scheme.bands if key in (b.label.casefold(), b.id.casefold())), None)


def expected_points(scheme: Scheme | None, band: str, fte: float | None) -> float | None:
    """reference points × band capacity factor × FTE, or None when the scheme sets no
    reference level, the band is not one of the scheme's, or the FTE is blank or not above 0."""
    if scheme is None or not scheme.reference_points:
        return None
    found = band_of(scheme, band)
    if found is None or fte is None or not fte > 0:
        return None
    return scheme.reference_points * found.capacity_factor * fte


def load_against_expected(points: float, expected: float | None) -> float | None:
    """Points ÷ expected points (1.0 is what the scheme expects), None without an expectation."""
    if expected is None or not expected > 0:
        return None
    return points / expected


def counted_loads(
    rows: Sequence[Any], expected_of: Callable[[Any], float | None], min_workers: int
) -> dict[int, float]:
    """Each counted row's load against expected (rows with `counted`, `total_points`,
    `points_per_fte` and `band`: the team sheet's workers, the history's or the store's
    worker-periods), by its index in `rows`: points ÷ `expected_of(row)` where that gives
    expected points, else points per FTE ÷ the median of the band's (core.disparity)."""
    loads, ppfs, bands = {}, {}, {}
    for index, row in enumerate(rows):
        if not row.counted or row.points_per_fte is None:
            continue
        loads[index] = load_against_expected(row.total_points, expected_of(row))
        ppfs[index] = row.points_per_fte
        bands[index] = row.band or ""
    return relative_loads(loads, ppfs, bands, min_workers)
