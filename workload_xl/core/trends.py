"""The performance team's trend report, as data: per service, never across services (core).

From the current returns in the store it builds, for each service, the teams × periods tables
(mean points per FTE, total points, FTE, spread, difference from the service mean), an XmR
chart of each team's mean points per FTE, the same rules on each worker's points per FTE
relative to their team's mean (so a lasting disparity stands apart from a noisy month), and
plain-English sentences for what needs a look. The workbook writer only lays this out.

A team's (and a service's) mean points per FTE is weighted by FTE: its counted workers' total
points ÷ their total FTE, not the plain mean of each worker's figure, so a 0.2 FTE worker
weighs 0.2 of a full-time one and one part-timer's high figure cannot move the team's.

Gaps stay gaps. A service's periods run from its first return to its last with none left out,
and a team's chart from its first return on: a period the team sent no return for is a missing
value in its series, never dropped, so no run or trend is counted across it (a team that
missed four months cannot be "20 periods in a row" above its mean), and every sentence about a
pattern over several periods names the periods missing from the team's series.

Data quality comes before trends: a return that left out so much of the team that its figures
are no trend (core.completeness) is an incomplete return. Its figures are shown, marked, but
it is a gap for the limits and every rule, and the Summary says it first.
"""

from __future__ import annotations

import statistics
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace

from workload_xl.core.completeness import (
    INCOMPLETE_BELOW,
    IncompleteReturn,
    counted,
    incomplete_returns,
)
from workload_xl.core.fairness import coefficient_of_variation
from workload_xl.core.period import MONTH, Period, PeriodError, parse_period
from workload_xl.core.recalculation import (
    Asked,
    check_asked,
    parse_asked,
    positions,
    scheme_changes,
)
from workload_xl.core.spc import SpcPoint, SpcSettings, Wording, describe, missing_periods, xmr
from workload_xl.core.values import FTE_RANGE, fte_in_range

MIN_GAP = 0.10
"""A worker's gap from the team mean that counts towards a lasting disparity: 10%, as on the
team sheet, so small steady differences stay quiet."""

RETURNED = "returned"
INCOMPLETE = "incomplete return"
NO_RETURN = "no return"
"""What a team sent for a period (TeamTrend.returns), as the report's Return table shows it."""
NO_COUNTED = "no worker counted"
"""Why a period with a return has no team figure: every worker was left out of it."""
FEW_COUNTED = "fewer than two workers in the team's figures"
NOT_COUNTED = "not in the team's figures"
ASKED = "asked for with --recalculate-at"
"""Why a chart's limits start afresh at a period given to the report."""
"""Why a worker's series has no value for a period (beside the team's own reasons)."""


@dataclass
class TeamTrend:
    team: str
    points_per_fte: list[float | None]  # total points ÷ total FTE, aligned with the periods
    total_points: list[float | None]
    total_fte: list[float | None]
    spread: list[float | None]
    vs_service: list[float | None]
    returns: list[str] = field(default_factory=list)  # RETURNED, INCOMPLETE or NO_RETURN
    first: int = 0  # the index of the team's first period with a return: its chart starts there
    spc: list[SpcPoint] = field(default_factory=list)  # periods[first:], a gap kept as a gap
    missing: dict[str, str] = field(default_factory=dict)
    """Why the chart has no value for a period, by label ("no return"): said in sentences."""
    recalculated: list[tuple[str, str]] = field(default_factory=list)
    """Where the chart's limits start afresh (the label of each new segment) and why."""


@dataclass
class WorkerSignal:
    team: str
    worker: str
    sentences: list[str]


@dataclass
class ServiceTrends:
    service: str
    periods: list[str]
    teams: list[TeamTrend]
    service_mean: list[float | None]
    workers: list[WorkerSignal] = field(default_factory=list)
    summary: list[str] = field(default_factory=list)
    incomplete: list[IncompleteReturn] = field(default_factory=list)
    data_quality: list[str] = field(default_factory=list)
    """The incomplete returns in plain words: said before any trend."""


@dataclass
class TrendReport:
    services: list[ServiceTrends]
    settings: SpcSettings
    left_out: list[str] = field(default_factory=list)  # rows whose figures make no sense
    incomplete_below: float = INCOMPLETE_BELOW

    @property
    def summary(self) -> list[str]:
        """What needs a look: data quality first (every service's), then the trends."""
        quality = [line for s in self.services for line in s.data_quality]
        return quality + [line for s in self.services for line in s.summary]


def _period(text: str, kind: str) -> Period | None:
    try:
        return parse_period(text, kind)
    except PeriodError:
        return None


def build_trend_report(
    rows: Iterable,
    *,
    service: str | None = None,
    first: str | None = None,
    last: str | None = None,
    settings: SpcSettings | None = None,
    recalculate_at: Sequence[str] = (),
    incomplete_below: float = INCOMPLETE_BELOW,
) -> TrendReport:
    """`rows` are the store's WorkerPeriod records (core.returns; current returns only).

    `incomplete_below` is the share of a team's usual counted FTE or workers below which a
    return that left workers out is incomplete (core.completeness).

    `recalculate_at` names known changes (a restructure), each `PERIOD` for every series or
    `TEAM=PERIOD` for one team's: the series gets fresh limits from there on, from its own
    points after it, as it does from a period whose scheme version differs from the period
    before (core.recalculation). RecalculationError says what is wrong with a value.
    """
    asked = parse_asked(recalculate_at)
    settings = settings or SpcSettings()
    by_service: dict[str, list] = defaultdict(list)
    names: dict[str, str] = {}
    senseless: Counter[tuple[str, str, str]] = Counter()
    for row in rows:
        if not isinstance(row.service, str) or not isinstance(row.team, str):
            continue  # not a row any version of the tool wrote
        if service and row.service.casefold() != service.casefold():
            continue
        if row.counted and not sensible(row):
            senseless[(row.service, row.team, str(row.period))] += 1
            continue
        key = row.service.casefold()
        names.setdefault(key, row.service)
        by_service[key].append(row)
    teams = {r.team: r.period_kind for group in by_service.values() for r in group}
    check_asked(asked, teams, {group[0].period_kind for group in by_service.values()})
    services = [
        _service_trends(names[key], group, first, last, settings, asked, incomplete_below)
        for key, group in sorted(by_service.items())
    ]
    return TrendReport(
        [s for s in services if s.periods], settings, _left_out(senseless), incomplete_below
    )


POINTS_LIMIT = 1e12
"""The most points (either side of zero) a worker's row may carry into the report: far beyond
any real workload, and small enough that every sum, mean and spread the report makes stays a
finite number, whatever the store holds."""


def sensible(row) -> bool:
    """Whether a counted worker row's FTE and points are ones the checks accept today (FTE in
    range or blank, points a finite number within POINTS_LIMIT). A store made by an older
    version, or edited by hand, can hold others: an FTE of 1e-307 makes points per FTE
    infinite, and the report cannot chart that."""
    fte, points = row.fte, row.total_points
    if fte is not None and (type(fte) not in (int, float) or not fte_in_range(fte)):
        return False
    return type(points) in (int, float) and -POINTS_LIMIT <= points <= POINTS_LIMIT


def _left_out(senseless: Counter[tuple[str, str, str]]) -> list[str]:
    return [
        f"{service}, team {team}, {period}: {count} worker row{'s' if count > 1 else ''} not "
        f"counted, because the store holds an FTE or points no sheet could give "
        f"(FTE must be {FTE_RANGE}; points a number no larger than {POINTS_LIMIT:,.0f}). The "
        "store may have been made by an older version: correct that return and consolidate it "
        "again."
        for (service, team, period), count in sorted(senseless.items())
    ]


def _in_range(period: Period, first: Period | None, last: Period | None) -> bool:
    return (first is None or period >= first) and (last is None or period <= last)


def _service_trends(
    name: str,
    rows: Sequence,
    first: str | None,
    last: str | None,
    settings: SpcSettings,
    asked: Sequence[Asked] = (),
    incomplete_below: float = INCOMPLETE_BELOW,
) -> ServiceTrends:
    kind = rows[0].period_kind
    lo = _period(first, kind) if first else None
    hi = _period(last, kind) if last else None
    cells: dict[tuple[str, Period], list] = defaultdict(list)
    team_names: dict[str, str] = {}
    for row in rows:
        period = _period(row.period, kind)
        if period is None or not _in_range(period, lo, hi):
            continue
        team_names.setdefault(row.team.casefold(), row.team)
        cells[(row.team.casefold(), period)].append(row)
    periods = _every_period(sorted({p for _, p in cells}))
    changes: dict[str, list[tuple[Period, str]]] = {}  # by team key: where, and why

    def chart(team: str, values: list[float | None], labels: list[str]) -> list[SpcPoint]:
        """A series of `team`'s (its own or a worker's), with fresh limits at its changes."""
        series = [_period(label, kind) for label in labels]
        where = positions(series, [p for p, _ in changes[team]])
        return xmr(values, labels, replace(settings, recalculate_at=where))

    labels = [str(p) for p in periods]

    def in_figures(group) -> list:
        return [r for r in group if r.counted and r.points_per_fte is not None]

    service_mean = []
    for p in periods:
        rows_then = [r for (_, q), g in cells.items() if q == p for r in in_figures(g)]
        service_mean.append(_per_fte(rows_then))

    teams, incomplete = [], []
    for key in sorted(team_names, key=str.casefold):
        trend = TeamTrend(team_names[key], [], [], [], [], [])
        returned = {i: cells[(key, p)] for i, p in enumerate(periods) if (key, p) in cells}
        found = incomplete_returns(
            trend.team,
            {labels[i]: counted(rows, in_figures(rows)) for i, rows in returned.items()},
            incomplete_below,
        )
        incomplete += found.values()
        for index in range(len(periods)):
            group = in_figures(returned.get(index, []))
            values = [r.points_per_fte for r in group]
            mean = _per_fte(group)
            status = NO_RETURN if index not in returned else RETURNED
            trend.returns.append(INCOMPLETE if labels[index] in found else status)
            trend.points_per_fte.append(mean)
            trend.total_points.append(sum(r.total_points for r in group) if group else None)
            trend.total_fte.append(sum(r.fte for r in group) if group else None)
            trend.spread.append(coefficient_of_variation(values))
            base = service_mean[index]
            trend.vs_service.append(None if mean is None or base is None else mean - base)
        trend.first = min(returned)
        schemes = [_scheme(returned[i]) if i in returned else None for i in range(len(periods))]
        changes[key] = sorted(
            [(a.period, ASKED) for a in asked if a.applies_to(trend.team) and a.period.kind == kind]
            + [(periods[i], why) for i, why in scheme_changes(schemes)]
        )
        charted = [
            None if status == INCOMPLETE else value
            for value, status in zip(trend.points_per_fte, trend.returns, strict=True)
        ]
        trend.missing = {
            labels[i]: NO_COUNTED if trend.returns[i] == RETURNED else trend.returns[i]
            for i in range(trend.first, len(periods))
            if charted[i] is None
        }
        trend.spc = chart(key, charted[trend.first :], labels[trend.first :])
        trend.recalculated = [(str(p), why) for p, why in _starting(changes[key], trend.spc, kind)]
        teams.append(trend)

    trends = ServiceTrends(name, labels, teams, service_mean, incomplete=incomplete)
    gaps = {(t.team.casefold(), i) for t in teams for i, s in enumerate(t.returns) if s != RETURNED}
    word, words = ("month", "months") if kind == MONTH else ("period", "periods")
    trends.workers = _worker_signals(
        cells,
        periods,
        team_names,
        settings,
        chart,
        gaps,
        Wording("this worker", "the worker's", word, words),
    )
    trends.data_quality = [f"{name}: {found.sentence(word)}" for found in incomplete]
    trends.summary = _summary(
        trends, settings.run_length, Wording("this team", "the team's", word, words)
    )
    return trends


def _every_period(returned: list[Period]) -> list[Period]:
    """Every period from the first returned to the last, those nobody returned included."""
    if not returned:
        return []
    periods = [returned[0]]
    while periods[-1] < returned[-1]:
        periods.append(periods[-1].next())
    return periods


def _per_fte(rows: Sequence) -> float | None:
    """Total points ÷ total FTE of counted worker-periods; None without FTE."""
    fte = sum(r.fte for r in rows)
    return sum(r.total_points for r in rows) / fte if rows and fte > 0 else None


def _scheme(rows: Sequence) -> tuple[str, str]:
    """The scheme and version of a return (every row of it has the same)."""
    return (str(rows[0].scheme_id or ""), str(rows[0].scheme_version or ""))


def _starting(
    changes: list[tuple[Period, str]], spc: list[SpcPoint], kind: str
) -> list[tuple[Period, str]]:
    """The changes that started a segment of the chart, one a segment in order: of changes
    starting the same segment, the reasons are joined."""
    firsts = [_period(p.label, kind) for p in spc]
    by_start: dict[int, list[str]] = {}
    for change, why in changes:
        index = next((i for i, p in enumerate(firsts) if p >= change), None)
        if index:
            reasons = by_start.setdefault(index, [])
            if why not in reasons:
                reasons.append(why)
    return [(firsts[i], " and ".join(by_start[i])) for i in sorted(by_start)]


def _worker_signals(
    cells, periods, team_names, settings, chart, gaps, wording: Wording
) -> list[WorkerSignal]:
    """Each worker's points per FTE minus their team's mean, through the same SPC rules, and a
    check for a lasting gap: the SPC mean of a worker who is always far above colleagues sits
    far above zero, so a steady disparity needs its own test against the team mean itself.

    A worker's series runs from their first counted period to their last; a period between
    without a team mean to compare with, or without the worker in the team's figures, is a
    gap that no run crosses, as is a period the team has an incomplete return or none for
    (`gaps`: team key and period index)."""
    found: list[WorkerSignal] = []
    for key in sorted(team_names, key=str.casefold):
        series: dict[str, dict[int, tuple[float, float]]] = defaultdict(dict)
        shown: dict[str, str] = {}
        why: dict[int, str] = {}
        for index, p in enumerate(periods):
            returned = cells.get((key, p), [])
            group = [r for r in returned if r.counted and r.points_per_fte]
            if (key, index) in gaps:
                why[index] = INCOMPLETE if returned else NO_RETURN
                continue
            if len(group) < 2:
                why[index] = FEW_COUNTED
                continue
            mean = statistics.fmean(r.points_per_fte for r in group)
            for r in group:
                shown.setdefault(r.worker.casefold(), r.worker)
                series[r.worker.casefold()][index] = (r.points_per_fte - mean, mean)
        for worker_key, values in sorted(series.items()):
            subject = f"{shown[worker_key]} ({team_names[key]})"
            span = range(min(values), max(values) + 1)
            labels = [str(periods[i]) for i in span]
            missing = {str(periods[i]): why.get(i, NOT_COUNTED) for i in span if i not in values}
            spc = chart(key, [values[i][0] if i in values else None for i in span], labels)
            sentences = signals(
                spc,
                subject=subject,
                measure="points per FTE relative to the team mean",
                missing=missing,
                wording=wording,
            )
            points = [(str(periods[i]), *values.get(i, (None, None))) for i in span]
            gap = lasting_gap(points, settings.run_length, gaps=missing_periods(spc, missing))
            if gap:
                sentences.insert(0, f"{subject}: {gap}")
            if sentences:
                found.append(WorkerSignal(team_names[key], shown[worker_key], sentences))
    return found


def lasting_gap(
    points: Sequence[tuple[str, float | None, float | None]],
    length: int,
    margin: float = MIN_GAP,
    gaps: str = "",
) -> str:
    """The latest run of `length` or more periods in a row in which a worker's points per FTE
    were more than `margin` (a fraction of the team mean) above, or below, the team mean.

    `points` are (period, worker minus team mean, team mean), oldest first; a period without
    them (None) breaks a run. `gaps` names the missing periods, for the sentence.
    """
    best = ""
    run: list[str] = []
    side = 0
    for label, difference, mean in points:
        if difference is None or mean is None:
            sign = 0
        else:
            sign = 1 if difference > margin * mean else -1 if difference < -margin * mean else 0
        if sign and sign == side:
            run.append(label)
        else:
            run, side = ([label], sign) if sign else ([], 0)
        if len(run) >= length:
            word = "above" if side > 0 else "below"
            best = (
                f"points per FTE more than {margin:.0%} {word} the team mean for "
                f"{len(run)} periods in a row ({run[0]} to {run[-1]}{'; ' + gaps if gaps else ''})."
            )
    return best


def _summary(trends: ServiceTrends, run_length: int, wording: Wording) -> list[str]:
    lines = []
    for team in trends.teams:
        lines += signals(
            team.spc,
            subject=team.team,
            measure="mean points per FTE",
            missing=team.missing,
            wording=wording,
        )
        above = _run_against_service(team, trends.periods, run_length, wording)
        if above:
            lines.append(above)
    for signal in trends.workers:
        lines += signal.sentences
    return [f"{trends.service}: {line}" for line in lines]


def signals(
    points: Sequence[SpcPoint],
    subject: str,
    measure: str,
    missing: dict[str, str] | None = None,
    wording: Wording | None = None,
) -> list[str]:
    """The plain-English sentences for a series, only when it shows special-cause variation:
    the Summary lists what needs a look, not every series that is behaving as usual.
    `missing` says why a period has no value (describe names those periods)."""
    if not any(p.variation.startswith("special") for p in points):
        return []
    return describe(
        points,
        subject=subject,
        measure=measure,
        notes=False,
        missing=missing,
        wording=wording or Wording(),
    )


def _run_against_service(team: TeamTrend, labels: list[str], length: int, wording: Wording) -> str:
    """'higher than the service's for 7 months in a row', if the latest `length` (the
    report's --run-length) or more periods show it. A gap or an incomplete return ends the
    run."""
    run, side, end = 0, 0, len(team.vs_service) - 1
    for value, status in zip(reversed(team.vs_service), reversed(team.returns), strict=True):
        sign = 0 if value is None or value == 0 else (1 if value > 0 else -1)
        if status == INCOMPLETE:
            sign = 0
        if sign == 0 or (side and sign != side):
            break
        side, run = sign, run + 1
    if run < length:
        return ""
    word = "higher" if side > 0 else "lower"
    gaps = missing_periods(team.spc, team.missing)
    return (
        f"{team.team}: mean points per FTE was {word} than the service's for "
        f"{wording.count(run)} in a row "
        f"({labels[end - run + 1]} to {labels[end]}{'; ' + gaps if gaps else ''})."
    )
