"""A return's workers' totals, recomputed from its lines, are the sums a plain loop over the
lines makes, to the last bit (core layer).

`returns.recompute_workers` adds each worker's points a run of lines at a time, in C; floating
point addition depends on its order, so the totals must come out as adding line after line
in the lines' order does, whether the lines are records or a worker process's flat tuple, and
however a worker's lines are spread (names that differ only in case included).
"""

from __future__ import annotations

import math
import random
import struct
from collections import defaultdict
from itertools import chain

import pytest

from workload_xl.core.returns import LineRows, ReturnLine, _by_name


def _looped(lines):
    """The loop the totals were made with before: one addition a line."""
    points: dict[str, float] = defaultdict(float)
    cases: dict[str, int] = defaultdict(int)
    for worker, _, _, kind, agreed in lines:
        points[worker] += agreed or 0.0
        if kind == "case":
            cases[worker] += 1
    return dict(points), dict(cases)


def _bits(totals: dict[str, float]) -> list[tuple[str, bytes]]:
    return [(name, struct.pack("<d", value)) for name, value in totals.items()]


def _lines(seed: int) -> list[ReturnLine]:
    chosen = random.Random(seed)
    names = ["Ann Lee", "ann lee", "Bo Chan", "Cy Dee", "Di Eve"]
    values = [0.1, 0.2, 0.3, 1e16, -1e16, 2.5, 0.0, -0.0, None, 1 / 3, 7.0, 1e-300]
    lines = []
    for i in range(chosen.randint(0, 300)):
        name = chosen.choice(names) if chosen.random() < 0.3 or not lines else lines[-1].worker
        kind = chosen.choice(["case", "case", "activity"])
        lines.append(ReturnLine(name, f"R{i}", "CIN", kind, chosen.choice(values)))
    return lines


@pytest.mark.parametrize("seed", range(40))
def test_totals_by_name_are_the_line_by_line_sums_to_the_bit(seed):
    lines = _lines(seed)
    expected_points, expected_cases = _looped(lines)
    for form in (lines, LineRows(tuple(chain.from_iterable(lines)))):
        points, cases = _by_name(form)
        assert _bits(points) == _bits(expected_points)  # same names, same order, same bits
        assert cases == expected_cases


def test_a_nan_or_an_infinity_is_added_as_the_loop_adds_it():
    lines = [
        ReturnLine("Ann", "a", "CIN", "case", 1.0),
        ReturnLine("Bo", "b", "CIN", "case", math.inf),
        ReturnLine("Ann", "c", "CIN", "case", math.nan),
    ]
    points, cases = _by_name(lines)
    assert math.isnan(points["Ann"]) and points["Bo"] == math.inf
    assert cases == {"Ann": 2, "Bo": 1}


def test_no_lines_make_no_totals():
    assert _by_name([]) == ({}, {})
    assert _by_name(LineRows(())) == ({}, {})


def _return(workers, lines):
    from workload_xl.core.period import parse_period
    from workload_xl.core.returns import TeamReturn

    period = parse_period("2026-10", "month")
    return TeamReturn(
        "team.xlsx", "North", "First Response", "s", "1", period, workers=workers, lines=lines
    )


def test_a_worker_whose_row_matches_the_cases_keeps_its_record_and_one_that_differs_gets_the_rows():
    from workload_xl.core.returns import WorkerPeriod, recompute_workers

    lines = [
        ReturnLine("Ann Lee", "R1", "CIN", "case", 4.0),
        ReturnLine("Ann Lee", "R2", "DUTY", "activity", 2.5),
        ReturnLine("Bo Chan", "R3", "CIN", "case", 0.0),
        ReturnLine("Cy Dee", "R4", "CIN", "case", 3.0),
    ]
    same = WorkerPeriod("Ann Lee", "sw", 1.0, 1, 6.5, True, "H9", expected_points=90.0)
    signed_zero = WorkerPeriod("Bo Chan", "sw", 1.0, 1, -0.0, True, "H10")  # the rows: +0.0
    edited = WorkerPeriod("Cy Dee", "sw", 1.0, 1, 5.0, True, "H11", expected_points=80.0)
    ret = _return([same, signed_zero, edited], lines)
    problems = recompute_workers(ret)
    kept, zero, fixed = ret.workers
    assert kept is same  # nothing to change: no copy made
    assert zero is not signed_zero and math.copysign(1.0, zero.total_points) == 1.0
    assert (fixed.total_points, fixed.cases, fixed.expected_points) == (3.0, 1, 80.0)
    assert [p.cell for p in problems] == ["H11"]
