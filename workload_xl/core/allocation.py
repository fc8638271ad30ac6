"""Who could take a new case, and what moving a case would do: the allocation meeting's
figures (core layer).

Everything here is the team sheet's own arithmetic run again on changed rows, never a second
measure: a worker's **load against expected** (core.expected), the team's **middle** (the
median load of the workers in the team figures, core.disparity), the team's **spread** (the
coefficient of variation of those loads, `TeamSpread`) and the flags the team sheet would show
(core.fairness: outliers, a wide spread). A co-worked case counts as the scheme's `co_working`
setting says (core.coworking), before a move and after it.

The **usual range** is the team's middle plus or minus the scheme's `disparity_margin` (12
points of percentage by default): a load kept that far off the middle for three periods is a
lasting disparity (`disparity-persistent`), so a worker who would stay within it can take the
work without starting one. A load `outlier_margin` (30 points) off the middle is flagged at once
(`worker-outlier`). The numbers inform the allocation meeting; they never decide it.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace

from workload_xl.contracts import team as tl
from workload_xl.core import coworking, disparity
from workload_xl.core.expected import load_against_expected
from workload_xl.core.fairness import coefficient_of_variation, flag_workers
from workload_xl.core.findings import Finding, Refused
from workload_xl.core.returns import TeamReturn, WorkerPeriod, line_for_counting
from workload_xl.core.rules import finding
from workload_xl.core.schemes import Item, Scheme, report_key
from workload_xl.core.team import TeamSettings, WorkerRow
from workload_xl.core.values import fmt, points_per_fte

SUGGESTIONS_NAMED = 3
"""Suggested workers named in the sentence (all of them when one more would be all); the
table marks every one."""


@dataclass(frozen=True)
class Flag:
    """A flag the team sheet would show: its rule, the worker it is about ("" for the team's
    own, such as a wide spread) and its message."""

    rule: str
    worker: str
    message: str


@dataclass(frozen=True)
class Candidate:
    """A worker's row of the allocation table: their load before and after taking the work,
    whether they are suggested, their place among those suggested, and why."""

    worker: str
    band: str
    fte: float | None
    counted: bool
    expected_points: float | None
    points_before: float
    points_after: float
    load_before: float | None
    load_after: float | None
    spread_after: float | None  # the team's spread if this worker took the work
    suggested: bool
    rank: int | None  # 1 = the suggested worker with the lowest load after; None if not
    reason: str


@dataclass(frozen=True)
class Suggestion:
    """The allocation table for `quantity` more of one scheme item."""

    team: str
    period: str
    item_code: str
    item_label: str
    quantity: float
    item_points: float  # the scheme's points for one
    item_unit: str  # "per case", "per day"
    points_added: float  # item_points × quantity
    middle: float | None  # the team's median load against expected now
    usual_low: float | None
    usual_high: float | None
    margin: float  # disparity_margin: the usual range's half-width
    outlier_margin: float
    spread_before: float | None
    candidates: tuple[Candidate, ...]
    flags_before: tuple[Flag, ...]

    @property
    def suggested(self) -> tuple[Candidate, ...]:
        return tuple(c for c in self.candidates if c.suggested)

    def sentences(self) -> list[str]:
        """What the table says, in a few sentences for the meeting."""
        what = _quantity_of(self.quantity, self.item_label)
        said = [
            f"{what[:1].upper()}{what[1:]} adds {fmt(self.points_added)} points (the "
            f"scheme's {fmt(self.item_points)} {self.item_unit} × {fmt(self.quantity)})."
        ]
        if self.middle is None:
            said.append(
                "Too few workers in the team figures have a load against expected to say what "
                "is usual for this team, so no one is suggested: the loads are listed to compare."
            )
            return said
        said.append(
            f"The team's middle load against expected is {_pc(self.middle)}; its usual range "
            f"is {_pc(self.usual_low)} to {_pc(self.usual_high)} (within "
            f"{self.margin * 100:.0f} points of the middle)."
        )
        best = self.suggested
        if best:
            shown = best if len(best) <= SUGGESTIONS_NAMED + 1 else best[:SUGGESTIONS_NAMED]
            names = ", ".join(f"{c.worker} ({_pc(c.load_after)})" for c in shown)
            more = len(best) - len(shown)
            also = f"; and {more} more marked in the table" if more else ""
            said.append(
                f"Suggested (not above that range after it), lowest load first: {names}{also}."
            )
        else:
            said.append(
                f"No one would stay at or below the usual range after taking {what}: the table "
                "shows who would move least far from it."
            )
        return said


@dataclass(frozen=True)
class LoadChange:
    """A worker's figures before and after a move."""

    worker: str
    band: str
    fte: float | None
    counted: bool
    cases_before: int
    cases_after: int
    points_before: float
    points_after: float
    load_before: float | None
    load_after: float | None

    @property
    def changed(self) -> bool:
        return (
            self.cases_before != self.cases_after
            or abs(self.points_before - self.points_after) > 1e-9
            or self.load_before != self.load_after
        )


@dataclass(frozen=True)
class Move:
    """What moving one case from one worker to another would do to both and to the team."""

    team: str
    period: str
    case_ref: str
    items: tuple[str, ...]  # the item labels of the case's rows that move
    giver: str
    taker: str
    points_moved: float  # what the giver's total loses
    co_working: str
    how_it_counts: str  # how the case counts, in a sentence, when it is co-worked; else ""
    workers: tuple[LoadChange, ...]
    middle_before: float | None
    middle_after: float | None
    spread_before: float | None
    spread_after: float | None
    flags_before: tuple[Flag, ...]
    flags_after: tuple[Flag, ...]

    def change(self, worker: str) -> LoadChange:
        key = worker.casefold()
        return next(w for w in self.workers if w.worker.casefold() == key)

    @property
    def flags_gone(self) -> tuple[Flag, ...]:
        after = {(f.rule, f.worker) for f in self.flags_after}
        return tuple(f for f in self.flags_before if (f.rule, f.worker) not in after)

    @property
    def flags_new(self) -> tuple[Flag, ...]:
        before = {(f.rule, f.worker) for f in self.flags_before}
        return tuple(f for f in self.flags_after if (f.rule, f.worker) not in before)

    def sentences(self) -> list[str]:
        giver, taker = self.change(self.giver), self.change(self.taker)
        items = " and ".join(self.items)
        said = [
            f"Moving case {self.case_ref} ({items}, {fmt(self.points_moved)} points on "
            f"{giver.worker}'s figures) from {giver.worker} to {taker.worker}:",
        ]
        for side in (giver, taker):
            said.append(
                f"  {side.worker}: {fmt(side.points_before)} → {fmt(side.points_after)} points, "
                f"load {_pc(side.load_before)} → {_pc(side.load_after)}"
                + ("" if side.counted else " (not in the team figures)")
                + "."
            )
        if self.how_it_counts:
            said.append(f"  {self.how_it_counts}")
        said.append(
            f"  The team's spread (the coefficient of variation of loads) "
            f"{_pc(self.spread_before)} → {_pc(self.spread_after)}; its middle "
            f"{_pc(self.middle_before)} → {_pc(self.middle_after)}."
        )
        gone = "; ".join(_flag_text(f) for f in self.flags_gone) or "none"
        new = "; ".join(_flag_text(f) for f in self.flags_new) or "none"
        said.append(f"  Flags the team sheet would no longer show: {gone}. New flags: {new}.")
        return said


# --- working it out ------------------------------------------------------------------------


@dataclass(frozen=True)
class _Figures:
    """A team's loads as its team sheet works them out, by worker name folded."""

    cases: dict[str, int]
    points: dict[str, float]
    expected: dict[str, float | None]
    loads: dict[str, float | None]
    middle: float | None
    spread: float | None
    flags: tuple[Flag, ...]


def _people(team: TeamReturn) -> list[WorkerPeriod]:
    """Each worker once, by name ignoring case: the row in the team figures where there is one
    (an extra sheet's row is not a second worker)."""
    chosen: dict[str, WorkerPeriod] = {}
    for w in team.workers:
        key = w.worker.casefold()
        if key not in chosen or (w.counted and not chosen[key].counted):
            chosen[key] = w
    return list(chosen.values())


def _counted(team: TeamReturn) -> set[str]:
    return {w.worker.casefold() for w in team.workers if w.counted}


def _tally(lines: Iterable[coworking.Line], team: TeamReturn) -> dict[str, coworking.WorkerCount]:
    return coworking.worker_counts(lines, _counted(team), team.co_working)


def _measure(
    people: Sequence[WorkerPeriod],
    tally: dict[str, coworking.WorkerCount],
    settings: TeamSettings,
    extra: dict[str, float] | None = None,
) -> _Figures:
    """The team sheet's figures for these people with these counts (and `extra` points for
    some of them): loads, middle, spread and the flags core.fairness gives."""
    extra = extra or {}
    rows = []
    for w in people:
        key = w.worker.casefold()
        count = tally.get(key, coworking.WorkerCount(0, 0.0, 0.0))
        total = count.total_points + extra.get(key, 0.0)
        rows.append(
            WorkerRow(
                worker=w.worker,
                band=w.band,
                fte=w.fte,
                cases=count.cases,
                case_points=count.case_points,
                activity_points=count.activity_points,
                total_points=total,
                points_per_fte=points_per_fte(total, w.fte),
                counted=w.counted,
                source="",
            )
        )
    where: dict[str, int] = {}

    def cell(index: int, key: str) -> str:
        address = tl.worker_cell(index, key)
        where[address] = index
        return address

    found = flag_workers(rows, settings, workbook="", sheet=tl.TEAM_SHEET, cell=cell)
    loads = {i: w.load for i, w in enumerate(rows) if w.counted and w.load is not None}
    middle, _ = disparity.gaps_from_middle(loads, settings.signals.min_workers)
    return _Figures(
        cases={w.worker.casefold(): w.cases for w in rows},
        points={w.worker.casefold(): w.total_points for w in rows},
        expected={w.worker.casefold(): w.expected_points for w in rows},
        loads={w.worker.casefold(): w.load for w in rows},
        middle=middle,
        spread=coefficient_of_variation(list(loads.values())),
        flags=tuple(_flag(f, rows, where) for f in found),
    )


def _flag(found: Finding, rows: list[WorkerRow], where: dict[str, int]) -> Flag:
    index = where.get(found.cell)
    about = rows[index].worker if found.rule == "worker-outlier" and index is not None else ""
    return Flag(found.rule, about, found.message)


def suggest(
    team: TeamReturn,
    scheme: Scheme,
    item: Item,
    quantity: float = 1.0,
    settings: TeamSettings | None = None,
) -> Suggestion:
    """Every worker's load before and after taking `quantity` more of `item` at the scheme's
    points, whether they would stay within the team's usual range, and why not."""
    settings = settings or TeamSettings.for_scheme(scheme)
    people = _people(team)
    tally = _tally(map(line_for_counting, team.lines), team)
    now = _measure(people, tally, settings)
    added = item.points * quantity
    signals = settings.signals
    middle = now.middle
    low = None if middle is None else middle - signals.disparity_margin
    high = None if middle is None else middle + signals.disparity_margin
    rows = []
    for w in people:
        key = w.worker.casefold()
        before = now.loads.get(key)
        if w.counted:
            then = _measure(people, tally, settings, {key: added})
            after, spread = then.loads.get(key), then.spread
        else:
            after = load_against_expected(now.points[key] + added, now.expected.get(key))
            spread = None
        fits = w.counted and after is not None and high is not None and after <= high + 1e-9
        rows.append(
            Candidate(
                worker=w.worker,
                band=w.band,
                fte=w.fte,
                counted=w.counted,
                expected_points=now.expected.get(key),
                points_before=now.points[key],
                points_after=now.points[key] + added,
                load_before=before,
                load_after=after,
                spread_after=spread,
                suggested=fits,
                rank=None,
                reason=_reason(w, before, after, middle, low, high, signals, item, quantity),
            )
        )
    rows.sort(key=_order)
    ranked, place = [], 0
    for row in rows:
        if row.suggested:
            place += 1
            row = replace(row, rank=place)
        ranked.append(row)
    return Suggestion(
        team=team.team,
        period=str(team.period),
        item_code=item.code,
        item_label=item.label,
        quantity=quantity,
        item_points=item.points,
        item_unit=item.unit,
        points_added=added,
        middle=middle,
        usual_low=low,
        usual_high=high,
        margin=signals.disparity_margin,
        outlier_margin=signals.outlier_margin,
        spread_before=now.spread,
        candidates=tuple(ranked),
        flags_before=now.flags,
    )


def _order(row: Candidate) -> tuple:
    """Suggested first, then the others in the team figures, lowest load after first; then
    those with no load, by name."""
    return (
        not row.suggested,
        not row.counted or row.load_after is None,
        row.load_after if row.load_after is not None else 0.0,
        row.spread_after if row.spread_after is not None else 0.0,
        row.worker.casefold(),
    )


def _reason(
    w: WorkerPeriod,
    before: float | None,
    after: float | None,
    middle: float | None,
    low: float | None,
    high: float | None,
    signals: disparity.SignalSettings,
    item: Item,
    quantity: float,
) -> str:
    """Why a worker is suggested or not, in a sentence a manager reads out."""
    what = _quantity_of(quantity, item.label)
    if not w.counted:
        return (
            "Not in the team figures (their sheet has errors, no FTE, or is an extra sheet), so "
            "their load is not compared: fix their sheet and build the team sheet again."
        )
    if after is None:
        return (
            f"No load against expected can be worked out for the band '{w.band}' (the scheme "
            "has no such band, or too few workers share it): check their band."
        )
    if middle is None or low is None or high is None:
        return "Too few workers with a load to say what is usual for the team."
    step = "" if before is None else f", {_points(after - before)} on their load"
    if after <= high + 1e-9:
        if after < low:
            return f"Would be at {_pc(after)}, still below the team's usual range: has room."
        return f"Would be at {_pc(after)}, within the team's usual range{step}."
    after_shown, high_shown = _pc_apart(after, high)
    beyond = f"above the team's usual range (up to {high_shown})"
    flagged = (
        "; the team sheet would flag them as well above colleagues"
        if after - middle >= signals.outlier_margin - 1e-9
        else ""
    )
    if before is not None and before > high + 1e-9:
        return (
            f"Already {beyond} at {_pc(before)}; {what} would take them to {after_shown}{flagged}."
        )
    if w.fte is not None and w.fte < 1 and before is not None and before >= 1 - 0.005:
        return (
            f"Part-time ({fmt(w.fte)} FTE) and already at what the scheme expects of them "
            f"({_pc(before)}): {what} would take them to {after_shown}{step}, {beyond}{flagged}."
        )
    over = " and over what the scheme expects of their band and FTE" if after > 1 + 1e-9 else ""
    opening = f"{what[:1].upper()}{what[1:]} would take them to {after_shown}{step}"
    return f"{opening}, {beyond}{over}{flagged}."


def move_case(
    team: TeamReturn,
    scheme: Scheme,
    case_ref: str,
    to_worker: str,
    from_worker: str | None = None,
    settings: TeamSettings | None = None,
    said: dict[str, str] | None = None,
) -> Move:
    """Both workers' figures, the team's spread and middle, and the team sheet's flags before
    and after `case_ref` moves to `to_worker` (from its one holder, or from `from_worker` when
    it is co-worked). A case the taker co-works already leaves them its only holder, keeping
    the points their own sheet gives it. Refused, with findings, for a worker or case the team
    workbook does not hold. `said` names where each was given (by "move", "to" and "from":
    the option, or the cell), for the findings."""
    settings = settings or TeamSettings.for_scheme(scheme)
    said = {**OPTIONS, **(said or {})}
    people = _people(team)
    taker = _worker(people, to_worker, said["to"], team.source)
    holders = _holders(team, case_ref, said["move"])
    giver = _giver(holders, taker, from_worker, people, case_ref, team, said["from"])
    key = case_ref.strip().casefold()
    taker_holds = taker.worker.casefold() in {h.casefold() for h in holders}
    moved, items = [], []
    for line in team.lines:
        worker, ref, item_code, kind, _ = line
        ours = kind == "case" and ref.casefold() == key and worker.casefold() == giver.casefold()
        if not ours:
            moved.append(line_for_counting(line))
            continue
        item = scheme.item_by_code(item_code)
        items.append(item.label if item else item_code)
        if not taker_holds:
            moved.append((taker.worker, ref, kind, line.agreed_points))
    before_tally = _tally(map(line_for_counting, team.lines), team)
    now = _measure(people, before_tally, settings)
    then = _measure(people, _tally(moved, team), settings)
    held = coworking.holdings(map(line_for_counting, team.lines), _counted(team))
    holding = held.get(key)
    how = ""
    if len(holders) > 1:
        how = f"Case {case_ref} is co-worked. " + coworking.how_it_counts(team.co_working, holding)
    changes = tuple(
        LoadChange(
            worker=w.worker,
            band=w.band,
            fte=w.fte,
            counted=w.counted,
            cases_before=now.cases[k],
            cases_after=then.cases[k],
            points_before=now.points[k],
            points_after=then.points[k],
            load_before=now.loads.get(k),
            load_after=then.loads.get(k),
        )
        for w in people
        for k in (w.worker.casefold(),)
    )
    giver_key = giver.casefold()
    return Move(
        team=team.team,
        period=str(team.period),
        case_ref=next(r for _, r, _, kind, _ in team.lines if r.casefold() == key),
        items=tuple(dict.fromkeys(items)),
        giver=next(w.worker for w in people if w.worker.casefold() == giver_key),
        taker=taker.worker,
        points_moved=now.points[giver_key] - then.points[giver_key],
        co_working=team.co_working,
        how_it_counts=how,
        workers=changes,
        middle_before=now.middle,
        middle_after=then.middle,
        spread_before=now.spread,
        spread_after=then.spread,
        flags_before=now.flags,
        flags_after=then.flags,
    )


# --- what the user named -------------------------------------------------------------------

OPTIONS = {
    "item": "--item",
    "quantity": "--quantity",
    "move": "--move",
    "to": "--to",
    "from": "--from",
}
"""Where each input is given on the command line: what a finding says when not told."""


def find_item(scheme: Scheme, text: str, *, where: str = "--item", **place: str) -> Item:
    """The scheme item `text` names: its label or code, ignoring letter case, spaces and
    punctuation ("child-protection plan", "CPP"), or a case type the scheme's caseload import
    maps to it ("CP plan"), as a manager types it for the meeting. (A worker sheet's Item cell
    matches the label alone, as its formulas do; here nothing is scored, so any name that
    means one item will do.) Refused with the closest label as a hint when none matches."""
    typed = " ".join(str(text or "").split())
    found = _item_named(scheme, typed) if typed else None
    if found is not None:
        return found
    close = difflib.get_close_matches(typed, [i.label for i in scheme.items], n=1)
    if close:
        hint = f" Did you mean '{close[0]}'?"
    else:
        cases = ", ".join(f"'{i.label}'" for i in scheme.items if i.is_case)
        hint = f" The scheme's case items are {cases}."
    shown = f"'{typed}'" if typed else "No item"
    raise Refused(
        finding(
            "allocation-item-unknown",
            f"{shown} is not an item of the scheme {scheme.id} ({where}).{hint}",
            field="Item",
            value=typed,
            **place,
        )
    )


def _item_named(scheme: Scheme, typed: str) -> Item | None:
    found = scheme.item_by_label(typed) or scheme.find_item(typed)
    if found is not None:
        return found
    key = report_key(typed)
    found = next(
        (i for i in scheme.items if key in (report_key(i.label), report_key(i.code))), None
    )
    code = scheme.caseload.code_for(typed)
    return found or (scheme.item_by_code(code) if code else None)


def _worker(people: Sequence[WorkerPeriod], name: str, where: str, source: str) -> WorkerPeriod:
    key = " ".join(str(name or "").split()).casefold()
    found = next((w for w in people if " ".join(w.worker.split()).casefold() == key), None)
    if found is not None:
        return found
    names = [w.worker for w in people]
    close = difflib.get_close_matches(str(name), names, n=1)
    hint = f" Did you mean '{close[0]}'?" if close else f" Its workers are {', '.join(names)}."
    raise Refused(
        finding(
            "allocation-worker-unknown",
            f"'{name}' ({where}) is not a worker on the Team sheet of {source}.{hint}",
            workbook=source,
            sheet=tl.TEAM_SHEET,
            field="Worker",
            value=name,
        )
    )


def _holders(team: TeamReturn, case_ref: str, said: str) -> list[str]:
    """The workers whose case rows hold the reference (ignoring case), each once, in order."""
    key = str(case_ref or "").strip().casefold()
    holders = {
        w: None for w, ref, _, kind, _ in team.lines if kind == "case" and ref.casefold() == key
    }
    if key and holders:
        return list(holders)
    refs = sorted({ref for _, ref, _, kind, _ in team.lines if kind == "case" and ref})
    close = difflib.get_close_matches(str(case_ref).strip(), refs, n=1)
    hint = f" Did you mean {close[0]}?" if close else ""
    raise Refused(
        finding(
            "allocation-case-unknown",
            f"No case row on the {tl.CASES_SHEET} sheet of {team.source} has the case reference "
            f"'{str(case_ref).strip()}' ({said}).{hint} Give the reference as the Case "
            "reference column shows it.",
            workbook=team.source,
            sheet=tl.CASES_SHEET,
            field="Case reference",
            value=str(case_ref).strip(),
        )
    )


def _giver(
    holders: list[str],
    taker: WorkerPeriod,
    from_worker: str | None,
    people: Sequence[WorkerPeriod],
    case_ref: str,
    team: TeamReturn,
    said: str,
) -> str:
    """The holder whose part of the case moves."""
    others = [h for h in holders if h.casefold() != taker.worker.casefold()]
    listed = " and ".join(holders)

    def invalid(message: str) -> Refused:
        return Refused(
            finding(
                "allocation-move-invalid",
                message,
                workbook=team.source,
                sheet=tl.CASES_SHEET,
                field="Case reference",
                value=case_ref,
            )
        )

    if from_worker:
        giver = _worker(people, from_worker, said, team.source).worker
        if giver.casefold() == taker.worker.casefold():
            raise invalid(f"--from and --to both name {giver}: name the worker the case goes to.")
        if giver.casefold() not in {h.casefold() for h in holders}:
            raise invalid(f"{giver} does not hold case {case_ref}: it is on the sheet of {listed}.")
        return next(h for h in holders if h.casefold() == giver.casefold())
    if not others:
        raise invalid(
            f"Case {case_ref} is {taker.worker}'s already: name another worker with --to."
        )
    if len(others) > 1:
        raise invalid(
            f"Case {case_ref} is co-worked by {listed}: say whose part moves with --from."
        )
    return others[0]


# --- words ---------------------------------------------------------------------------------


def _pc(value: float | None) -> str:
    return "–" if value is None else f"{value:.0%}"


def _pc_apart(value: float, limit: float) -> tuple[str, str]:
    """Both as percentages, with a decimal when whole ones would read the same ("112.2%,
    above the usual range up to 111.7%", never "112%, above ... up to 112%")."""
    if _pc(value) != _pc(limit):
        return _pc(value), _pc(limit)
    return f"{value:.1%}", f"{limit:.1%}"


def _points(gap: float) -> str:
    return f"{gap * 100:+.0f} percentage points"


def _quantity_of(quantity: float, label: str) -> str:
    """ "one more Child protection plan", or "Duty day × 2": a label is not pluralised (the
    scheme's labels are phrases, "Court attendance", whose plural no rule finds)."""
    return f"one more {label}" if quantity == 1 else f"{label} × {fmt(quantity)}"


def _flag_text(flag: Flag) -> str:
    rule = flag.rule.replace("-", " ")
    return f"{flag.worker}: {rule}" if flag.worker else rule
