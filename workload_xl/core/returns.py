"""A team's monthly return as the performance team receives it, checked (core layer).

A return is a team workbook, read by whichever reader is fastest, into these records. Only
rows are trusted: each worker's points are recomputed from the Cases rows, and points per FTE
from points and FTE, never taken from a result cached in the file. Case references travel;
case names never do (a return has none to give).
"""

from __future__ import annotations

import datetime as dt
import math
from collections import defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field, replace
from functools import reduce
from itertools import groupby, repeat
from operator import add
from typing import TYPE_CHECKING, NamedTuple, overload

from workload_xl.core import coworking
from workload_xl.core.findings import Finding
from workload_xl.core.measurement import MOST_UNITS
from workload_xl.core.period import Period
from workload_xl.core.rules import finding
from workload_xl.core.values import points_per_fte

if TYPE_CHECKING:  # the store reads returns with no need of the scheme loader
    from workload_xl.core.schemes import Scheme

TOLERANCE = 0.01

LINE_POINTS_LIMIT = 1_000_000.0
"""The most points, either side of zero, any row of a return may hold, counted in the team
figures or not: tens of thousands of times the most any item of a shipped scheme gives, so only
a slip goes beyond it. With every row within it, every total the store and the reports make
from the rows is a finite number."""


def line_bounds(scheme: Scheme) -> tuple[dict[str, float], dict[str, float], float, float]:
    """The least and most agreed points one row of an item may hold in a return, by item code
    (a return has no quantity, so an activity may hold up to MOST_UNITS of its most), and the
    bounds for a code the scheme does not have: never negative, at most its largest activity's.
    Within TOLERANCE, as the worker sheet's `points-out-of-range`."""
    low: dict[str, float] = {}
    high: dict[str, float] = {}
    for item in scheme.items:
        units = 1.0 if item.is_case else MOST_UNITS
        low[item.code] = (item.min if item.is_case else 0.0) - TOLERANCE
        high[item.code] = item.max * units + TOLERANCE
    return low, high, -TOLERANCE, max(high.values(), default=LINE_POINTS_LIMIT)


@dataclass(frozen=True)
class WorkerPeriod:
    """One worker's figures in one period: a row of a return, of the store, or of a team
    workbook's history. The one record for all three, so a figure read one way is read the
    same way everywhere; where it came from decides which optional fields are filled.

    `period` is the `Period` a workbook gives, or the text the store holds (which trend
    reports parse, as a store an older version made may hold text no period parses from).
    `points_per_fte` is worked out from points and FTE (when asked: a store edited by hand
    may hold an FTE no division takes), unless the row was read with one: a history row keeps
    the figure its team workbook shows."""

    worker: str
    band: str
    fte: float | None
    cases: int
    total_points: float
    counted: bool
    total_cell: str = ""  # where the worker's total points stand on the Team sheet
    period: Period | str | None = None
    period_kind: str = ""  # with a stored period's text: month or four-week
    team: str = ""
    service: str = ""
    shown_points_per_fte: float | None = None
    expected_points: float | None = None
    """What the return's scheme expects of the worker (core.expected.expected_points), filled at
    consolidation and read back from the store; None without a reference level, for a band
    the scheme does not know, or for a row stored before the store kept it."""
    scheme_id: str = ""
    scheme_version: str = ""  # of a stored row's return: a new version starts a new series

    @property
    def points_per_fte(self) -> float | None:
        if self.shown_points_per_fte is not None:
            return self.shown_points_per_fte
        return points_per_fte(self.total_points, self.fte)


class ReturnLine(NamedTuple):
    """A case or activity row of a return. A tuple, not a dataclass: a thousand returns hold
    close to a million of them, and a tuple is made several times faster."""

    worker: str
    case_ref: str
    item_code: str
    kind: str
    agreed_points: float | None


class LineRows(Sequence[ReturnLine]):
    """A return's lines held as one flat tuple of values, line after line (worker, case_ref,
    item_code, kind, agreed_points, worker, ...), as a worker process sends them: the
    consolidating process stores them as they are (store.database binds the tuple to its
    INSERT), so no line becomes a record of its own there. Read like a list of ReturnLine
    (each made when asked for), and equal to one holding the same lines."""

    __slots__ = ("flat",)

    def __init__(self, flat: tuple = ()) -> None:
        if len(flat) % LINE_WIDTH:
            raise ValueError(f"{len(flat)} values are not whole lines of {LINE_WIDTH}")
        self.flat = flat

    def __len__(self) -> int:
        return len(self.flat) // LINE_WIDTH

    def __iter__(self) -> Iterator[ReturnLine]:
        values = iter(self.flat)  # whole lines: __init__ checked the length
        lines = zip(*[values] * LINE_WIDTH, strict=False)
        return map(tuple.__new__, repeat(ReturnLine), lines)  # a record a line, made in C

    @overload
    def __getitem__(self, index: int) -> ReturnLine: ...
    @overload
    def __getitem__(self, index: slice) -> list[ReturnLine]: ...
    def __getitem__(self, index):
        if isinstance(index, slice):
            return list(self)[index]
        row = range(len(self))[index]  # an IndexError past either end, as a list's
        return ReturnLine(*self.flat[row * LINE_WIDTH : (row + 1) * LINE_WIDTH])

    def __eq__(self, other: object) -> bool:
        if isinstance(other, LineRows):
            return self.flat == other.flat
        if isinstance(other, list | tuple):
            return list(self) == list(other)
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]  # equal to a list, which has none

    def __repr__(self) -> str:
        return f"LineRows({list(self)!r})"


LINE_WIDTH = 5
"""The values of a ReturnLine: worker, case_ref, item_code, kind, agreed_points."""


def line_for_counting(line: ReturnLine) -> coworking.Line:
    """A return's row as core.coworking counts it."""
    worker, case_ref, _, kind, agreed = line
    return worker, case_ref, kind, agreed


@dataclass
class TeamReturn:
    source: str
    team: str
    service: str
    scheme_id: str
    scheme_version: str
    period: Period
    manager: str = ""
    workers: list[WorkerPeriod] = field(default_factory=list)
    lines: list[ReturnLine] | LineRows = field(default_factory=list)
    co_working: str = coworking.DEFAULT  # the scheme's rule for a co-worked case
    date_signed: dt.date | None = None
    """The Team sheet's Date signed (TeamDateSigned), when it holds a date: the day the
    manager signed the return, which the tracker counts as the day it was sent
    (core.tracker.received_day)."""
    date_signed_at: tuple[str, str] = ("", "")  # (sheet, cell) of the date signed

    @property
    def counted(self) -> list[WorkerPeriod]:
        return [w for w in self.workers if w.counted and w.points_per_fte is not None]

    def team_count(self) -> coworking.TeamCount:
        """The team's cases and points from the rows, each case once, as its team sheet's
        totals count them (core.coworking)."""
        counted = {w.worker.casefold() for w in self.workers if w.counted}
        return coworking.team_count(map(line_for_counting, self.lines), counted)


@dataclass(frozen=True)
class TeamPeriod:
    """A team's figures in one period, as its team sheet's totals give them: the workers in
    the team figures and their FTE, and their cases and points with each case once, however
    many of them hold it. What the store gives for each current return."""

    service: str
    team: str
    period: str
    period_kind: str
    workers: int
    fte: float
    cases: int
    total_points: float

    @property
    def points_per_fte(self) -> float | None:
        return points_per_fte(self.total_points, self.fte)


def _by_name(lines: Sequence[ReturnLine]) -> tuple[dict[str, float], dict[str, int]]:
    """Each worker's points (by name as typed, in order of first line) and number of case
    lines, added line after line in the lines' order, as a loop over them would: a run of
    one worker's lines at a time (a return lists each worker's together), its points added
    in C onto the worker's total so far. None and zero points add nothing."""
    if isinstance(lines, LineRows):
        flat = lines.flat
        names, kinds, points = flat[0::LINE_WIDTH], flat[3::LINE_WIDTH], flat[4::LINE_WIDTH]
    else:
        names, _, _, kinds, points = tuple(zip(*lines, strict=True)) or ((),) * LINE_WIDTH
    if not len(names) == len(kinds) == len(points):
        raise ValueError("the lines' columns differ in length")
    by_name: dict[str, float] = {}
    cases: dict[str, int] = {}
    end = 0
    for name, run in groupby(names):  # a run's lines are slices of the columns, in C
        start, end = end, end + len(list(run))
        by_name[name] = reduce(add, filter(None, points[start:end]), by_name.get(name, 0.0))
        count = kinds[start:end].count("case")
        if count:
            cases[name] = cases.get(name, 0) + count
    return by_name, cases


def _same_float(total: object, shown: object) -> bool:
    """Whether the rows' total is the Team sheet's figure exactly, both floats, the sign of
    zero included: then the worker's record, kept as it is, holds what a new one would."""
    return (
        type(total) is type(shown) is float
        and total == shown
        and math.copysign(1.0, total) == math.copysign(1.0, shown)  # type: ignore[arg-type]
    )


def recompute_workers(ret: TeamReturn) -> list[Finding]:
    """Replace each worker's cases and points with what the Cases rows add up to.

    A manager may have edited a total on the Team sheet; the rows are what was agreed. Where
    the two differ the rows win, and a warning says so. A co-worked case counts as the
    scheme's `co_working` rule says, as it did on the team sheet (core.coworking).
    """
    points: dict[str, float] = defaultdict(float)
    cases: dict[str, int] = defaultdict(int)
    if ret.co_working == coworking.SHARE:
        counted = {w.worker.casefold() for w in ret.workers if w.counted}
        lines = (line_for_counting(line) for line in ret.lines)
        for key, count in coworking.worker_counts(lines, counted, ret.co_working).items():
            points[key], cases[key] = count.total_points, count.cases
    else:
        by_name, cases_by_name = _by_name(ret.lines)  # as typed: one casefold a name
        for worker, total in by_name.items():
            points[worker.casefold()] += total
        for worker, count in cases_by_name.items():
            cases[worker.casefold()] += count
    problems: list[Finding] = []
    fixed = []
    for w in ret.workers:
        key = w.worker.casefold()
        total, count = points.get(key, 0.0), cases.get(key, 0)
        if abs(total - w.total_points) > TOLERANCE or count != w.cases:
            problems.append(
                finding(
                    "return-total-mismatch",
                    f"{w.worker}'s row on the Team sheet shows "
                    f"{w.total_points:g} points and {w.cases} cases, "
                    "but the Cases sheet adds up to "
                    f"{total:g} points and {count} cases. The Cases rows are used.",
                    workbook=ret.source,
                    sheet="Team",
                    cell=w.total_cell,
                    field="Total points",
                    value=w.total_points,
                )
            )
        if count == w.cases and _same_float(total, w.total_points):
            fixed.append(w)  # as the rows say already: the record as it is
        else:
            fixed.append(replace(w, cases=count, total_points=total))  # every other field kept
    ret.workers = fixed
    return problems
