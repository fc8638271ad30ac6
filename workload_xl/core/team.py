"""Rolling checked worker sheets up into a team sheet, flagged by fairness.py (core layer).

Engine-agnostic: it takes checked sheets (from files or a live Excel) and returns the team's
figures and findings; the edges write them. Every worker sheet given is listed, errors or not,
so nothing is silently dropped; only sheets without errors count in the team's figures.
Scores are compared only within one service and scheme, and a worker only with colleagues of
the same experience band. The wording says what the numbers show and never gives a verdict:
there is no maximum, and the numbers inform a discussion.
"""

from __future__ import annotations

import statistics
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import PurePath

from workload_xl.contracts import team as tl
from workload_xl.core import coworking, fairness, values
from workload_xl.core.disparity import SignalSettings
from workload_xl.core.findings import Finding
from workload_xl.core.measurement import Measurement
from workload_xl.core.period import Period, PeriodError, parse_period
from workload_xl.core.returns import WorkerPeriod
from workload_xl.core.rules import finding
from workload_xl.core.schemes import Scheme, SchemeRegistry
from workload_xl.core.validation import SheetResult as SheetOutcome

DEFAULT_SPREAD_THRESHOLD = 0.25


@dataclass(frozen=True)
class TeamSettings:
    """When numbers are worth a conversation, and what the scheme expects of each worker: the
    scheme sets the spread threshold and may change the calibrated flag settings."""

    spread_threshold: float = DEFAULT_SPREAD_THRESHOLD
    signals: SignalSettings = field(default_factory=SignalSettings)
    scheme: Scheme | None = None

    @classmethod
    def for_scheme(cls, scheme: Scheme | None) -> TeamSettings:
        if scheme is None:
            return cls()
        return cls(
            spread_threshold=scheme.spread_threshold or DEFAULT_SPREAD_THRESHOLD,
            signals=scheme.flags,
            scheme=scheme,
        )


@dataclass
class WorkerRow:
    """A worker's row on the team sheet the manager sees: a second record beside
    `WorkerPeriod` because it is a different thing, not a stored figure but a row being
    judged, with its case and activity points, its source and the band figures and flags the
    fairness checks fill in place."""

    worker: str
    band: str
    fte: float | None
    cases: int
    case_points: float
    activity_points: float
    total_points: float
    points_per_fte: float | None
    counted: bool
    source: str
    expected_points: float | None = None  # what the scheme expects of the band and FTE
    load: float | None = None  # load against expected (core.expected), 1.0 = as expected
    flags: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class CaseRow:
    """A case on the team return: its reference and score, never the child's name."""

    worker: str
    case_ref: str
    item_code: str
    item_label: str
    kind: str
    agreed_points: float | None
    also_allocated_to: tuple[str, ...] = ()
    not_counted: tuple[str, ...] = ()  # those of also_allocated_to not in the team figures

    @property
    def co_worker_names(self) -> tuple[str, ...]:
        """The other workers on the case, as the Cases sheet and the flags name them: each
        one whose sheet is not in the team figures says so, as that sheet shares nothing."""
        return tuple(
            f"{name} (not in team figures)" if name in self.not_counted else name
            for name in self.also_allocated_to
        )

    @property
    def co_workers(self) -> str:
        return ", ".join(self.co_worker_names)


@dataclass
class TeamSheet:
    team: str
    service: str
    scheme_id: str
    scheme_version: str
    period: Period
    manager: str
    workers: list[WorkerRow]
    cases: list[CaseRow]
    history: list[WorkerPeriod]
    mean_ppf: float | None
    median_ppf: float | None
    spread: float | None  # the coefficient of variation of loads against expected
    co_working: str = coworking.DEFAULT  # the scheme's rule for a co-worked case
    median_load: float | None = None  # the team's middle load against expected

    @property
    def counted(self) -> list[WorkerRow]:
        return [w for w in self.workers if w.counted]

    def team_count(self) -> coworking.TeamCount:
        """The counted workers' cases and points from the Cases rows, each case once: a
        co-worked case is one case, at the most any holder agreed (core.coworking)."""
        counted = {w.worker.casefold() for w in self.counted}
        return coworking.team_count(case_lines(self.cases), counted)

    @property
    def case_count(self) -> int:
        return self.team_count().cases

    @property
    def total_points(self) -> float:
        return self.team_count().points

    @property
    def total_fte(self) -> float:
        return sum(w.fte or 0.0 for w in self.counted)

    @property
    def points_per_fte(self) -> float | None:
        return values.points_per_fte(self.total_points, self.total_fte)

    def holdings(self) -> dict[str, coworking.Holding]:
        """Each case on a counted worker's case row, by reference folded (core.coworking)."""
        counted = {w.worker.casefold() for w in self.counted}
        return coworking.holdings(case_lines(self.cases), counted)


@dataclass
class TeamBuild:
    """The team sheet, or None when the sheets cannot be put together; and every finding."""

    team: TeamSheet | None
    findings: list[Finding]
    excluded: list[SheetOutcome] = field(default_factory=list)

    @property
    def has_errors(self) -> bool:
        return any(f.severity == "error" for f in self.findings)


class _Findings(list):
    def __init__(self, output: str):
        super().__init__()
        self.output = output

    def add(
        self,
        rule: str,
        message: str,
        cell: str = "",
        field_name: str = "",
        value=None,
        sheet: str = tl.TEAM_SHEET,
    ) -> None:
        self.append(
            finding(
                rule,
                message,
                workbook=self.output,
                sheet=sheet,
                cell=cell,
                field=field_name,
                value=value,
            )
        )


def _where(m: Measurement) -> str:
    """The worker's sheet: folder, file and tab, enough to tell two 'jo.xlsx' apart without
    the whole path."""
    path = PurePath(m.workbook)
    folder = f"{path.parent.name}/" if path.parent.name else ""
    return f"{folder}{path.name} ({m.sheet})"


def build_team(
    sheets: Sequence[SheetOutcome],
    registry: SchemeRegistry,
    *,
    output: str,
    period: str | None = None,
    history: Sequence[WorkerPeriod] = (),
    settings: TeamSettings | None = None,
) -> TeamBuild:
    """Check the sheets belong together, roll them up, and flag what deserves a conversation."""
    found = _Findings(output)
    everything = [f for sheet in sheets for f in sheet.findings]
    if not sheets:
        found.add(
            "team-no-sheets",
            "No worker measurement sheets were found in the inputs. "
            "Give worker workbooks, folders of them, or a workbook with one tab per worker.",
        )
        return TeamBuild(None, list(found))

    scheme = _one_scheme(sheets, registry, found)
    if scheme is None or not _one_service(sheets, found):
        return TeamBuild(None, everything + found)
    chosen, excluded = _one_period(sheets, scheme, period, found)
    if chosen is None:
        return TeamBuild(None, everything + found, excluded)
    the_period, included = chosen
    # Sheets left out for another period are not part of this team sheet, nor their findings.
    sheet_findings = [f for sheet in included for f in sheet.findings]
    settings = settings or TeamSettings.for_scheme(scheme)

    team_name = _team_name(included, found)
    workers = _worker_rows(included, scheme, found)
    cases = _case_rows(included, scheme, {w.worker.casefold() for w in workers if w.counted})
    _count_co_working(workers, cases, scheme.co_working)
    counted = [w for w in workers if w.counted and w.points_per_fte is not None]
    ppfs = [w.points_per_fte for w in counted]
    team = TeamSheet(
        team=team_name,
        service=next((s.measurement.service for s in included if s.measurement.service), ""),
        scheme_id=scheme.id,
        scheme_version=scheme.version,
        period=the_period,
        manager=_most_common(s.measurement.manager for s in included),
        workers=workers,
        cases=cases,
        history=[],
        mean_ppf=statistics.fmean(ppfs) if ppfs else None,
        median_ppf=statistics.median(ppfs) if ppfs else None,
        spread=None,  # of loads against expected: fairness.flag_team works it out
        co_working=scheme.co_working,
    )
    team.history = _merge_history(history, team)
    place = fairness.Placement(
        output,
        tl.TEAM_SHEET,
        tl.worker_cell,
        tl.field_cell("spread"),
        tl.field_cell("points_per_fte"),
    )
    found.extend(fairness.flag_team(team, settings, place))
    return TeamBuild(team, sheet_findings + found, excluded)


def _most_common(texts) -> str:
    counted = Counter(text for text in texts if text)
    return counted.most_common(1)[0][0] if counted else ""


def _display_name(m: Measurement) -> str:
    return m.worker or f"(no name: {m.sheet})"


# --- do the sheets belong together? --------------------------------------------------------


def _one_scheme(sheets, registry, found) -> Scheme | None:
    by_scheme = defaultdict(list)
    for s in sheets:
        scheme = registry.get(s.measurement.scheme_id) if s.measurement.scheme_id else None
        if scheme is not None:
            by_scheme[scheme.id].append(s)
    if len(by_scheme) > 1:
        listing = "; ".join(
            f"{sid}: {', '.join(_where(s.measurement) for s in group[:3])}"
            + (" ..." if len(group) > 3 else "")
            for sid, group in by_scheme.items()
        )
        found.add(
            "team-mixed-schemes",
            "These sheets use different points schemes, and scores "
            f"are never compared across schemes. Build one team sheet per scheme. {listing}",
        )
        return None
    if not by_scheme:
        found.add(
            "team-no-sheets",
            "None of the sheets names a known points scheme, so no team "
            "sheet can be built. Fix the scheme on the worker sheets first.",
        )
        return None
    return registry.get(next(iter(by_scheme)))


def _one_service(sheets, found) -> bool:
    services = defaultdict(list)
    for s in sheets:
        if s.measurement.service:
            services[s.measurement.service.casefold()].append(s.measurement)
    if len(services) > 1:
        listing = "; ".join(
            f"{group[0].service}: {', '.join(m.worker or m.sheet for m in group)}"
            for group in services.values()
        )
        found.add(
            "team-mixed-services",
            "These sheets come from different services, and scores "
            f"are compared only within a service. Build one team sheet per service. "
            f"{listing}",
        )
        return False
    return True


def _one_period(sheets, scheme: Scheme, asked: str | None, found):
    if asked:
        try:
            wanted = parse_period(asked, scheme.period)
        except PeriodError as problem:
            found.add("team-mixed-periods", f"--period {asked}: {problem}")
            return None, []
        included = [s for s in sheets if s.measurement.period == wanted]
        excluded = [s for s in sheets if s.measurement.period != wanted]
        for s in excluded:
            m = s.measurement
            if m.period is None:
                found.append(
                    finding(
                        "sheet-other-period",
                        "This sheet's period cannot be read, so with "
                        f"--period {wanted} it is left out. Fix its period to include it.",
                        workbook=m.workbook,
                        sheet=m.sheet,
                        field="Period",
                    )
                )
                continue
            found.append(
                finding(
                    "sheet-other-period",
                    f"This sheet is for {m.period}, not "
                    f"{wanted}, so it is left out of the team sheet.",
                    workbook=m.workbook,
                    sheet=m.sheet,
                    field="Period",
                    value=str(m.period),
                )
            )
        if not included:
            found.add("team-no-sheets", f"No sheet is for {wanted}. Check --period.")
            return None, excluded
        return (wanted, included), excluded
    periods = Counter(s.measurement.period for s in sheets if s.measurement.period)
    if len(periods) > 1:
        listing = ", ".join(
            f"{p} ({n} sheet{'s' if n > 1 else ''})" for p, n in sorted(periods.items())
        )
        found.add(
            "team-mixed-periods",
            f"These sheets are for different periods: {listing}. "
            "Give one period's sheets, or pick one with --period.",
        )
        return None, []
    if not periods:
        found.add(
            "team-no-sheets",
            "No sheet has a readable period, so the team sheet cannot "
            "say which period it is for. Fix the periods on the worker sheets.",
        )
        return None, []
    return (next(iter(periods)), list(sheets)), []


def _team_name(included, found) -> str:
    names = Counter(s.measurement.team for s in included if s.measurement.team)
    if not names:
        return ""
    name = names.most_common(1)[0][0]
    others = sorted({n for n in names if n.casefold() != name.casefold()})
    if others:
        found.add(
            "team-mixed-teams",
            f"Most sheets say the team is '{name}', some say {', '.join(others)}. The team "
            f"sheet uses '{name}'; check the others are in this team.",
            tl.field_cell("team"),
            "Team",
            name,
        )
    return name


# --- rows ----------------------------------------------------------------------------------


def _worker_rows(included, scheme: Scheme, found) -> list[WorkerRow]:
    """One row per sheet. When a worker has several sheets, the first without errors counts
    and the others are listed as extra, so the team's figures hold each worker once."""
    band_order = {b.label: i for i, b in enumerate(scheme.bands)}
    chosen = _chosen_sheets(included)
    rows: list[tuple[WorkerRow, bool]] = []
    for s in included:
        m = s.measurement
        extra = chosen[_display_name(m).casefold()] is not s
        row = WorkerRow(
            worker=_display_name(m),
            band=m.band,
            fte=m.fte,
            cases=m.case_count,
            case_points=m.case_points,
            activity_points=m.activity_points,
            total_points=m.total_points,
            points_per_fte=m.points_per_fte,
            counted=not s.has_errors and not extra and m.fte is not None,
            source=_where(m),
        )
        if extra:
            row.flags.append("an extra sheet for this worker: not in team figures")
        elif s.has_errors:
            row.flags.append("the sheet has errors (see the Errors sheet): not in team figures")
        rows.append((row, extra))
    rows.sort(
        key=lambda pair: (
            not pair[0].counted,
            band_order.get(pair[0].band, 99),
            pair[0].worker.casefold(),
            pair[1],
        )
    )
    for index, (row, extra) in enumerate(rows):
        if extra:
            found.add(
                "worker-duplicate",
                f"{row.worker} has more than one sheet; {row.source} is an extra one and is "
                "not counted (the first sheet without errors is). Remove the extra sheet.",
                tl.worker_cell(index, "worker"),
                tl.WORKER_HEADINGS["worker"],
                row.worker,
            )
    return [row for row, _ in rows]


def _chosen_sheets(included) -> dict[str, SheetOutcome]:
    """Each worker's one sheet that speaks for them: the first without errors, else the first."""
    sheets_of: dict[str, list] = defaultdict(list)
    for s in included:
        sheets_of[_display_name(s.measurement).casefold()].append(s)
    return {
        key: next((s for s in group if not s.has_errors), group[0])
        for key, group in sheets_of.items()
    }


def _case_rows(included, scheme: Scheme, counted: set[str]) -> list[CaseRow]:
    """The rows of each worker's chosen sheet: an extra sheet's rows would count twice under
    the same name once the return is consolidated. A case row names every other worker whose
    sheet holds the case, counted (`counted`, names folded) or not, each once."""
    included = list(_chosen_sheets(included).values())
    holders: dict[str, dict[str, None]] = defaultdict(dict)  # an ordered set of names
    for s in included:
        for line in s.measurement.lines:
            if line.kind == "case" and line.case_ref:
                holders[line.case_ref.casefold()][_display_name(s.measurement)] = None
    rows = []
    for s in included:
        m = s.measurement
        for line in m.lines:
            item = scheme.item_by_code(line.item_code)
            name = _display_name(m)
            others = tuple(w for w in holders.get(line.case_ref.casefold(), {}) if w != name)
            if line.kind != "case":
                others = ()
            rows.append(
                CaseRow(
                    name,
                    line.case_ref,
                    line.item_code,
                    item.label if item else line.item_code,
                    line.kind,
                    line.agreed_points,
                    others,
                    tuple(w for w in others if w.casefold() not in counted),
                )
            )
    return rows


def case_lines(cases: Sequence[CaseRow]) -> list[coworking.Line]:
    """The Cases rows as core.coworking counts them."""
    return [(c.worker, c.case_ref, c.kind, c.agreed_points) for c in cases]


def _count_co_working(workers: list[WorkerRow], cases: list[CaseRow], rule: str) -> None:
    """Each counted worker's cases and points from their Cases rows under the scheme's rule
    (core.coworking): with "share", a co-worked case gives each holder an equal share. A row
    not in the team figures keeps what its sheet gives; with "full" every row does."""
    if rule != coworking.SHARE:
        return
    counted = {w.worker.casefold() for w in workers if w.counted}
    counts = coworking.worker_counts(case_lines(cases), counted, rule)
    for w in workers:
        figures = counts.get(w.worker.casefold()) if w.counted else None
        if figures is None:
            continue
        w.cases = figures.cases
        w.case_points = figures.case_points
        w.activity_points = figures.activity_points
        w.total_points = figures.total_points
        w.points_per_fte = values.points_per_fte(w.total_points, w.fte)


# --- over time -----------------------------------------------------------------------------


def _merge_history(earlier: Sequence[WorkerPeriod], team: TeamSheet) -> list[WorkerPeriod]:
    """Earlier periods and this one, oldest first, one row per worker and period: where a
    worker has several rows for a period (an extra sheet), the counted one is kept."""
    rows: dict[tuple[Period, str], WorkerPeriod] = {}

    def keep(row: WorkerPeriod) -> None:
        key = (row.period, row.worker.casefold())
        if key not in rows or (row.counted and not rows[key].counted):
            rows[key] = row

    for w in team.workers:
        keep(
            WorkerPeriod(
                w.worker, w.band, w.fte, w.cases, w.total_points, w.counted, period=team.period
            )
        )
    for row in earlier:
        if row.period != team.period and row.period.kind == team.period.kind:
            keep(row)
    return sorted(rows.values(), key=lambda r: (r.period, r.worker.casefold()))
