"""The performance team's trend report, as data: per service, never across services (core).

From the current returns in the store it builds, for each service, the teams × periods tables
(mean points per FTE, total points, FTE, spread, difference from the service mean), an XmR
chart of each team's mean points per FTE, each worker's load against expected beside the
team's middle and each team's beside the service's, by the team sheet's calibrated rules
(core.disparity: a lasting disparity stands apart from a noisy month), and plain-English
sentences for what needs a look. The workbook writer only lays this out.

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

from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace

from workload_xl.core import disparity
from workload_xl.core.completeness import (
    INCOMPLETE_BELOW,
    IncompleteReturn,
    counted,
    incomplete_returns,
)
from workload_xl.core.expected import counted_loads
from workload_xl.core.fairness import coefficient_of_variation
from workload_xl.core.period import MONTH, Period, PeriodError, parse_period
from workload_xl.core.recalculation import (
    Asked,
    check_asked,
    parse_asked,
    positions,
    scheme_changes,
)
from workload_xl.core.scheme_options import SignalSettings
from workload_xl.core.spc import SpcPoint, SpcSettings, Wording, describe, xmr
from workload_xl.core.values import FTE_RANGE, fte_in_range

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
    load: list[float | None] = field(default_factory=list)
    """The team's load against expected: its counted workers' total points ÷ their total
    expected points (core.expected), or its points per FTE ÷ the service's when the store
    holds no expected points for every counted worker then."""
    against_service: list[float | None] = field(default_factory=list)
    """Its load minus the service's, in points of percentage (0.12 is 12 points)."""
    returns: list[str] = field(default_factory=list)  # RETURNED, INCOMPLETE or NO_RETURN
    first: int = 0  # the index of the team's first period with a return: its chart starts there
    spc: list[SpcPoint] = field(default_factory=list)  # periods[first:], a gap kept as a gap
    missing: dict[str, str] = field(default_factory=dict)
    """Why the chart has no value for a period, by label ("no return"): said in sentences."""
    recalculated: list[tuple[str, str]] = field(default_factory=list)
    """Where the chart's limits start afresh (the label of each new segment) and why."""


@dataclass
class WorkerSignal:
    """A worker's load against expected standing out from the team's middle: what the
    Summary says, and (for benchmarks and tools) which rule, over which periods, which way."""

    team: str
    worker: str
    sentences: list[str]
    rule: str = ""  # "disparity-persistent" or "worker-outlier", as on the team sheet
    first: str = ""
    last: str = ""
    direction: int = 0


@dataclass(frozen=True)
class TeamSignal:
    """A team's load against expected standing apart from the service's for a while."""

    team: str
    sentence: str
    rule: str
    first: str
    last: str
    direction: int


@dataclass
class ServiceTrends:
    service: str
    periods: list[str]
    teams: list[TeamTrend]
    service_mean: list[float | None]
    load: list[float | None] = field(default_factory=list)
    """The service's load against expected: total points ÷ total expected points."""
    bands: list[tuple[str, list[float | None]]] = field(default_factory=list)
    """Points per FTE of the service's counted workers of each experience band, by period."""
    workers: list[WorkerSignal] = field(default_factory=list)
    team_signals: list[TeamSignal] = field(default_factory=list)
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
    signals: SignalSettings = field(default_factory=SignalSettings)

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
    signals_at: SignalSettings | None = None,
    team_points: Mapping[tuple[str, str, str], float] | None = None,
) -> TrendReport:
    """`rows` are the store's WorkerPeriod records (core.returns; current returns only).

    `incomplete_below` is the share of a team's usual counted FTE or workers below which a
    return that left workers out is incomplete (core.completeness).

    `team_points` are each team's total points by (service, team, period) folded, as its team
    sheet counts them (a co-worked case once: the store's team_periods); without them a
    team's points are its workers' added up.

    `signals_at` are the disparity rules' settings (core.disparity), the team sheet's; by
    default the calibrated ones with the report's run length.

    `recalculate_at` names known changes (a restructure), each `PERIOD` for every series or
    `TEAM=PERIOD` for one team's: the series gets fresh limits from there on, from its own
    points after it, as it does from a period whose scheme version differs from the period
    before (core.recalculation). RecalculationError says what is wrong with a value.
    """
    asked = parse_asked(recalculate_at)
    settings = settings or SpcSettings()
    signals_at = signals_at or SignalSettings(run_length=settings.run_length)
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
        _service_trends(
            names[key],
            group,
            first,
            last,
            settings,
            asked,
            incomplete_below,
            signals_at,
            {(s.casefold(), t.casefold(), p): v for (s, t, p), v in (team_points or {}).items()},
        )
        for key, group in sorted(by_service.items())
    ]
    return TrendReport(
        [s for s in services if s.periods],
        settings,
        _left_out(senseless),
        incomplete_below,
        signals_at,
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
    signals_at: SignalSettings | None = None,
    team_points: Mapping[tuple[str, str, str], float] | None = None,
) -> ServiceTrends:
    signals_at = signals_at or SignalSettings(run_length=settings.run_length)
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

    def points_of(key: str, period: Period, group: list) -> float:
        """A team's total points in a period: its team sheet's (a co-worked case once), when
        the caller gives them, else its counted workers' added up."""
        given = (team_points or {}).get((name.casefold(), key, str(period)))
        return sum(r.total_points for r in group) if given is None or not group else given

    by_period: dict[Period, dict[str, list]] = defaultdict(dict)
    for (team_key, period), group in cells.items():  # one pass: never periods × cells
        by_period[period][team_key] = in_figures(group)
    service_mean, service_load = [], []
    for p in periods:
        groups = by_period.get(p, {})
        rows_then = [r for g in groups.values() for r in g]
        total = sum(points_of(k, p, g) for k, g in groups.items())
        service_mean.append(_per_fte(rows_then, total))
        service_load.append(_load(rows_then, total))

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
            total = points_of(key, periods[index], group)
            mean = _per_fte(group, total)
            status = NO_RETURN if index not in returned else RETURNED
            trend.returns.append(INCOMPLETE if labels[index] in found else status)
            trend.points_per_fte.append(mean)
            trend.total_points.append(total if group else None)
            trend.total_fte.append(sum(r.fte for r in group) if group else None)
            trend.spread.append(coefficient_of_variation(values))
            base = service_mean[index]
            trend.vs_service.append(None if mean is None or base is None else mean - base)
            load, theirs = _load(group, total), service_load[index]
            if load is None or theirs is None:  # no expected points: against the service's
                load, theirs = (None, None) if mean is None or not base else (mean / base, 1.0)
            trend.load.append(load)
            trend.against_service.append(None if load is None else load - theirs)
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

    trends = ServiceTrends(
        name,
        labels,
        teams,
        service_mean,
        load=service_load,
        bands=_by_band(cells, periods, in_figures),
        incomplete=incomplete,
    )
    gaps = {(t.team.casefold(), i) for t in teams for i, s in enumerate(t.returns) if s != RETURNED}
    word, words = ("month", "months") if kind == MONTH else ("period", "periods")
    trends.workers = _worker_signals(
        cells,
        periods,
        team_names,
        signals_at,
        gaps,
        Wording("this worker", "the worker's", word, words),
    )
    trends.data_quality = [f"{name}: {found.sentence(word)}" for found in incomplete]
    trends.summary = _summary(trends, signals_at, Wording("this team", "the team's", word, words))
    return trends


def _by_band(cells, periods, in_figures) -> list[tuple[str, list[float | None]]]:
    """Per experience band (as the rows name it, letter case aside), the points per FTE of
    the service's counted workers of that band in each period, in band name order."""
    shown: dict[str, str] = {}
    rows: dict[tuple[str, int], list] = defaultdict(list)
    index_of = {p: i for i, p in enumerate(periods)}
    for (_, period), group in cells.items():
        for r in in_figures(group):
            key = (r.band or "").casefold()
            shown.setdefault(key, r.band or "")
            rows[(key, index_of[period])].append(r)
    return [
        (shown[key], [_per_fte(rows[(key, i)]) for i in range(len(periods))])
        for key in sorted(shown)
    ]


def _every_period(returned: list[Period]) -> list[Period]:
    """Every period from the first returned to the last, those nobody returned included."""
    if not returned:
        return []
    periods = [returned[0]]
    while periods[-1] < returned[-1]:
        periods.append(periods[-1].next())
    return periods


def _per_fte(rows: Sequence, points: float | None = None) -> float | None:
    """Total points (`points`, else the rows' added up) ÷ total FTE of counted
    worker-periods; None without FTE."""
    fte = sum(r.fte for r in rows)
    if points is None:
        points = sum(r.total_points for r in rows)
    return points / fte if rows and fte > 0 else None


def _load(rows: Sequence, points: float | None = None) -> float | None:
    """Total points (`points`, else the rows' added up) ÷ total expected points of counted
    worker-periods, when every one of them has expected points (core.expected); else None."""
    if not rows or any(not r.expected_points for r in rows):
        return None
    if points is None:
        points = sum(r.total_points for r in rows)
    return points / sum(r.expected_points for r in rows)


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
    cells, periods, team_names, signals_at: SignalSettings, gaps, wording: Wording
) -> list[WorkerSignal]:
    """Each worker's load against expected (core.expected: from the expected points the store
    keeps, else points per FTE against their band's median) beside the team's middle, by the
    rules the team sheet uses (core.disparity): a lasting disparity anywhere in the report, and
    a load well off the middle in the report's latest period. A worker's series runs from their
    first counted period to their last; a period between without a middle to compare with, or
    without the worker in the team's figures, is a gap that no run crosses, as is a period the
    team has an incomplete return or none for (`gaps`: team key and period index)."""
    found: list[WorkerSignal] = []
    latest = len(periods) - 1
    for key in sorted(team_names, key=str.casefold):
        series: dict[str, dict[int, tuple[float, float, float]]] = defaultdict(dict)
        shown: dict[str, str] = {}
        why: dict[int, str] = {}
        for index, p in enumerate(periods):
            returned = cells.get((key, p), [])
            if (key, index) in gaps:
                why[index] = INCOMPLETE if returned else NO_RETURN
                continue
            gaps_then = _gaps_from_middle(returned, signals_at)
            if not gaps_then:
                why[index] = FEW_COUNTED
                continue
            for row, entry in gaps_then:
                shown.setdefault(row.worker.casefold(), row.worker)
                series[row.worker.casefold()][index] = entry
        for worker_key, values in sorted(series.items()):
            team, worker = team_names[key], shown[worker_key]
            span = range(min(values), max(values) + 1)
            said = _lasting(team, worker, values, span, periods, signals_at, wording)
            now = values.get(latest)
            side = disparity.standing(now[2] if now else None, signals_at.outlier_margin)
            if side and not (said and said[0].last == str(periods[latest])):
                word = "above" if side > 0 else "below"
                said.append(
                    WorkerSignal(
                        team,
                        worker,
                        [
                            f"{worker} ({team}): load against expected {now[0]:.0%} in "
                            f"{periods[latest]}, well {word} the team's middle of {now[1]:.0%} "
                            f"({now[2] * 100:+.0f} points)."
                        ],
                        "worker-outlier",
                        str(periods[latest]),
                        str(periods[latest]),
                        side,
                    )
                )
            found += said
    return found


def _gaps_from_middle(rows: Sequence, signals_at: SignalSettings) -> list:
    """(row, (load, team's middle, load − middle)) for each counted worker of one return, with
    the expected points the store keeps for each row (core.expected.counted_loads)."""
    loads = counted_loads(rows, lambda row: row.expected_points, signals_at.min_workers)
    middle, gaps = disparity.gaps_from_middle(loads, signals_at.min_workers)
    if middle is None:
        return []
    return [(rows[i], (loads[i], middle, gap)) for i, gap in gaps.items()]


def _lasting(team, worker, values, span, periods, signals_at: SignalSettings, wording: Wording):
    """The latest lasting disparity in a worker's series (a gap ends a run), as a WorkerSignal
    in a list, or an empty list."""
    gaps = [values[i][2] if i in values else None for i in span]
    end, run = _latest_run(gaps, signals_at)
    best: list[WorkerSignal] = []
    if run:
        chosen = [span[end - k] for k in range(abs(run) - 1, -1, -1)]
        first, last = str(periods[chosen[0]]), str(periods[chosen[-1]])
        word = "above" if run > 0 else "below"
        loads = ", ".join(f"{values[i][0]:.0%}" for i in chosen)
        middles = ", ".join(f"{values[i][1]:.0%}" for i in chosen)
        sentence = (
            f"{worker} ({team}): load against expected at least "
            f"{signals_at.disparity_margin * 100:.0f} points {word} the team's middle for "
            f"{wording.count(abs(run))} in a row ({first} to {last}): {loads}, against the "
            f"team's {middles}."
        )
        direction = 1 if run > 0 else -1
        best = [
            WorkerSignal(team, worker, [sentence], "disparity-persistent", first, last, direction)
        ]
    return best


def _summary(trends: ServiceTrends, signals_at: SignalSettings, wording: Wording) -> list[str]:
    lines = []
    for team in trends.teams:
        lines += signals(
            team.spc,
            subject=team.team,
            measure="mean points per FTE",
            missing=team.missing,
            wording=wording,
        )
        against = _against_service(team, trends.periods, signals_at, wording)
        if against:
            trends.team_signals.append(against)
            lines.append(against.sentence)
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


def _latest_run(gaps: Sequence[float | None], signals_at: SignalSettings) -> tuple[int, int]:
    """(index of its last period, signed length) of the latest lasting disparity in `gaps`
    (core.disparity.lasting_run; a None ends a run), or (-1, 0) when there is none."""
    found = (-1, 0)
    for end in range(len(gaps)):
        run = disparity.lasting_run(gaps[: end + 1], signals_at)
        going_on = end + 1 < len(gaps) and disparity.lasting_run(gaps[: end + 2], signals_at)
        if run and not (going_on and (going_on > 0) == (run > 0)):
            found = (end, run)
    return found


def _against_service(
    team: TeamTrend, labels: list[str], signals_at: SignalSettings, wording: Wording
) -> TeamSignal | None:
    """The team's latest lasting disparity from the service: its load against expected at
    least `disparity_margin` above (or below) the service's for `disparity_periods` in a row,
    as between a worker and the team's middle. An incomplete return or a gap ends a run."""
    gaps = [
        None if status == INCOMPLETE else gap
        for gap, status in zip(team.against_service, team.returns, strict=True)
    ]
    end, run = _latest_run(gaps, signals_at)
    if not run:
        return None
    chosen = range(end - abs(run) + 1, end + 1)
    word = "higher" if run > 0 else "lower"
    loads = ", ".join(f"{team.load[i]:.0%}" for i in chosen)
    theirs = ", ".join(f"{team.load[i] - team.against_service[i]:.0%}" for i in chosen)
    first, last = labels[chosen[0]], labels[end]
    return TeamSignal(
        team.team,
        f"{team.team}: load against expected was {word} than the service's by at least "
        f"{signals_at.disparity_margin * 100:.0f} points for {wording.count(abs(run))} in a "
        f"row ({first} to {last}): {loads}, against the service's {theirs}.",
        "team-vs-service",
        first,
        last,
        1 if run > 0 else -1,
    )
