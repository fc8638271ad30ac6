"""Signals on CAPA actuals: has the team run off its plan, by the trend report's rules (core
layer).

Each monthly series of the team (its transfer rate from Choice to Core, its Choice
appointments, new Core Partnerships and Core appointments, and, when the export has the
dates, its median waits) is charted as an XmR chart (`core.spc`, the Making Data Count rules
the trend report uses, with their calibrated settings: limits from the first 12 months, runs
of 7). Two questions are asked of it:

- Against the plan, the latest month decides, and three things make it a signal: a *shift*,
  `run_length` (7) months in a row on one side of the plan's figure (the run rule, with the
  plan for its centre line); a *special cause*, the latest month marked unusual by the XmR
  rules (outside the limits, two of three near a limit, a run or a trend) in the direction
  of its side of the plan (low and below plan, high and above it); and the plan *outside the
  usual range*, beyond the process limits while the latest `MIN_MONTHS_FOR_RANGE` (6) or more
  months are all on the other side: the process is centred away from the plan, Making Data
  Count's "consistently above (or below) target" (not for flat months, whose limits sit on
  their mean: any plan would lie outside them). The sentence says how long the team has
  been on that side ("New Core Partnerships have been below plan for 4 months (2026-06 to
  2026-09)"). Otherwise none: a month or two off plan is the usual up and down. Each rule
  also needs the gap to matter (`MATERIAL_GAP`): the months on that side must be off the
  plan by at least a tenth of it on average, so a team one new Core Partnership a month over
  a plan of 26 is not told it has run off its plan however steady that one is; and a special
  cause needs three tenths (`SPECIAL_CAUSE_GAP`), since an unusual month by limits drawn from a
  year or less comes by chance too often to be said on a smaller gap (measured).
- Waits against the job plan's targets are facts, not patterns: when the median wait has been
  over the target, or half or fewer were seen within it, for `WAIT_MONTHS` (3) months in a
  row up to the latest, that is the signal, said as what happened ("No new Core Partnership
  started within the 4-week target in 2026-07 to 2026-09; the median wait was 5.1 weeks in
  2026-09."). It takes the place of the median wait's signal against its target.
- Within the series: the spc sentences (unusually high or low, a run on one side of its own
  mean, a trend), in neutral words, since neither direction is better for workload. A share
  seen within target that reached 0% or 100% in any month has none: a share pinned at its
  bound has no room either side, so its limits mislead ("close to the bottom of the usual
  range" for a month in which nobody was seen in time); the wait signal says what happened.

Gaps stay gaps: a month with no figure breaks a run and is named in the sentences.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from workload_xl.core import spc
from workload_xl.core.capa.actuals import MEASURES, STREAMS, PlanAndActual, Waits

MIN_MONTHS_FOR_RANGE = 6
"""The fewest months in a row on one side of the plan before a plan outside the usual range
is a signal: half the 12-month baseline, so trial limits from two or three months never
decide it."""
MATERIAL_GAP = 0.10
"""How far off the plan the months must be, on average, as a share of the plan, before any
rule against the plan signals: a tenth, the gap a team manager would act on (3 new Core
Partnerships a month of 26, 7 points of a 68% transfer rate). Smaller gaps are within what one
appointment more or less, or a week's rounding of the plan, makes."""
SPECIAL_CAUSE_GAP = 0.30
"""How far off the plan, on average over its months on that side, a series must be for an
unusual latest month (a special cause) to be a signal before a run of 7 months makes one:
three tenths. Measured by benchmarks/bench_actuals_signals.py (500 simulated teams the demo's
size, seed 2026): with only the tenth every rule needs, special causes alone made 6.3% of the
monthly runs of a team on plan show a signal (limits drawn from a year or less of months swing
by chance); with three tenths 1.9%, and all the signals 4.2%, while a transfer rate risen to
80% is still said within a year in 92% of teams and a quarter fewer new Core Partnerships in
86%."""
WAIT_MONTHS = 3
"""How many months in a row up to the latest the waits must be over target to be a signal: a
quarter, as the CAPA plan is reviewed."""
WAIT_WORDS: dict[str, tuple[str, str, str]] = {
    "choice": ("Choice appointment was", "Choice appointments were", " from referral"),
    "core": ("new Core Partnership started", "new Core Partnerships started", ""),
}
"""How a wait signal names a stream's appointments (one, many) and where its wait starts."""
SPC_SETTINGS = spc.SpcSettings()
"""The trend report's calibrated settings: limits from 12 months, runs of 7."""
WORDING = spc.Wording("the team", "the team's", "month", "months")


@dataclass(frozen=True)
class Signal:
    """One series off its plan: `direction` +1 above, -1 below; `why` is "shift" (a run of
    months on one side of the plan), "special cause" (the latest month unusual, that way) or
    "outside usual range" (the plan beyond the limits), or "over target" (the waits over the
    job plan's target, `over_target`)."""

    measure: str
    direction: int
    first: str
    last: str
    months: int
    why: str
    sentence: str


@dataclass(frozen=True)
class Series:
    """A team's monthly series with its plan line (one per month, None where there is none)."""

    key: str
    subject: str
    """How the sentence opens: "New Core Partnerships have", "The transfer rate to Core has"."""
    measure: str
    """How the spc sentences name it: "new Core Partnerships"."""
    labels: tuple[str, ...]
    values: tuple[float | None, ...]
    plan: tuple[float | None, ...]
    plan_words: str = "plan"
    """What the plan is called: "plan", "the 68% the plan assumes", "the 6-week target"."""
    above: str = ""
    below: str = ""
    """What being above or below the plan means, said after the sentence (may be empty)."""
    bounded: bool = False
    """A share from 0 to 1: no spc sentences when a month sits on either bound."""


@dataclass(frozen=True)
class Signals:
    signals: tuple[Signal, ...]
    patterns: tuple[str, ...]

    @property
    def sentences(self) -> tuple[str, ...]:
        return tuple(s.sentence for s in self.signals)


def _side(value: float | None, line: float | None) -> int:
    if value is None or line is None or math.isclose(value, line, rel_tol=1e-9, abs_tol=1e-9):
        return 0
    return 1 if value > line else -1


def against_plan(
    series: Series, settings: spc.SpcSettings = SPC_SETTINGS, material: float = MATERIAL_GAP
) -> Signal | None:
    """The signal for a series that has run off its plan, or None (see the module): the
    months on the latest month's side must be off the plan by `material` of it on average."""
    points = spc.xmr(series.values, series.labels, settings)
    sides = [_side(v, p) for v, p in zip(series.values, series.plan, strict=True)]
    last = max((i for i, v in enumerate(series.values) if v is not None), default=None)
    if last is None or sides[last] == 0:
        return None
    side = sides[last]
    first = last
    while first > 0 and sides[first - 1] == side:
        first -= 1
    length = last - first + 1
    run = range(first, last + 1)
    gap = sum(abs(series.values[i] - series.plan[i]) for i in run) / length  # type: ignore[operator]
    plan = sum(abs(series.plan[i]) for i in run) / length  # type: ignore[arg-type]
    if gap < material * plan - 1e-9:
        return None
    why = None
    point = points[last]
    if length >= settings.run_length:
        why = "shift"
    elif point.variation == (spc.HIGH if side > 0 else spc.LOW) and (
        gap >= SPECIAL_CAUSE_GAP * plan - 1e-9
    ):
        why = "special cause"
    elif length >= MIN_MONTHS_FOR_RANGE and _plan_beyond_limits(point, series.plan[last], side):
        why = "outside usual range"
    if why is None:
        return None
    names = (series.labels[first], series.labels[last])
    span = names[0] if length == 1 else f"{names[0]} to {names[1]}"
    where = "above" if side > 0 else "below"
    meaning = series.above if side > 0 else series.below
    how_long = f"in {span}" if length == 1 else f"for {length} months ({span})"
    sentence = (
        f"{series.subject} been {where} {series.plan_words} {how_long}"
        + (f": {meaning}" if meaning else "")
        + "."
    )
    return Signal(series.key, side, names[0], names[1], length, why, sentence)


def _plan_beyond_limits(point: spc.SpcPoint, plan: float | None, side: int) -> bool:
    """The plan lies beyond the process limit on the far side from the values (+1: the values
    are above the plan, which is below the lower limit)."""
    if plan is None or point.upper_limit is None or point.lower_limit is None:
        return False
    if not point.mean_moving_range:  # flat months: no usual range to judge the plan by
        return False
    limit = point.lower_limit if side > 0 else point.upper_limit
    return _side(plan, limit) == -side


def team_series(pa: PlanAndActual, transfer_rate: float) -> list[Series]:
    """The team's series of a plan and actual: the transfer rate, the three counts and, when
    the export had the dates, the median waits against their targets and the shares seen
    within them (which have no plan line: only their own patterns are said)."""
    labels = pa.months
    lines = [pa.team_month(m) for m in labels]
    found = [
        Series(
            "transfer_rate",
            "The transfer rate to Core has",
            "the transfer rate from Choice to Core",
            labels,
            tuple(line.transfer_rate for line in lines),
            tuple(pa.plan_rates.get(m, transfer_rate) for m in labels),
            plan_words=f"the {transfer_rate * 100:.0f}% the plan assumes",
            above="the plan's Core demand is too low",
            below="the plan's Core demand is too high",
        )
    ]
    for key, name in MEASURES.items():
        found.append(
            Series(
                key,
                f"{name} have",
                "the number of " + (name[0].lower() + name[1:] if key == "new_core" else name),
                labels,
                tuple(
                    None if line.delivered is None else line.delivered.get(key) for line in lines
                ),
                tuple(None if line.planned is None else line.planned.get(key) for line in lines),
            )
        )
    for stream, words in STREAMS.items():
        waits = [pa.waits_in(stream, m) for m in labels]
        if not any(w is not None and w.median_weeks is not None for w in waits):
            continue
        target = next(w.target_weeks for w in waits if w is not None)
        found.append(
            Series(
                f"{stream}_wait",
                f"The median wait {words} has",
                f"the median wait {words} (weeks)",
                labels,
                tuple(None if w is None else w.median_weeks for w in waits),
                tuple(target if w is None else w.target_weeks for w in waits),
                plan_words=f"the {target:g}-week target",
            )
        )
        found.append(
            Series(
                f"{stream}_within_target",
                f"The share seen within target {words} has",
                f"the share seen within the target {words}",
                labels,
                tuple(None if w is None else w.share_within for w in waits),
                (None,) * len(labels),  # no plan for the share: its patterns only
                bounded=True,
            )
        )
    return found


def actuals_signals(
    pa: PlanAndActual, transfer_rate: float, settings: spc.SpcSettings = SPC_SETTINGS
) -> Signals:
    """Every signal against the plan, and the spc sentences of each series, for the team."""
    signals: list[Signal] = []
    patterns: list[str] = []
    over = {stream: over_target(pa, stream) for stream in STREAMS}
    for series in team_series(pa, transfer_rate):
        if not any(v is not None for v in series.values):
            continue
        stream = series.key.removesuffix("_wait")
        signal = over.get(stream) if stream != series.key else None
        signal = signal or against_plan(series, settings)
        if signal:
            signals.append(signal)
        if series.bounded and any(v is not None and v in (0.0, 1.0) for v in series.values):
            continue
        points = spc.xmr(series.values, series.labels, settings)
        for sentence in spc.describe(
            points, "The team", series.measure, notes=False, wording=WORDING
        ):
            if "stayed within" not in sentence:
                patterns.append(sentence)
    return Signals(tuple(signals), tuple(patterns))


def over_target(pa: PlanAndActual, stream: str, months: int = WAIT_MONTHS) -> Signal | None:
    """The waits of a stream over the job plan's target for `months` or more months in a row
    up to the latest month (the median over the target, or half or fewer seen within it), in
    plain words, or None. A month with no waits ends the run: a gap is not a month on target."""
    waits = [pa.waits_in(stream, m) for m in pa.months]
    seen = [i for i, w in enumerate(waits) if w is not None and w.seen]
    if not seen:
        return None
    last = seen[-1]

    def over(w: Waits | None) -> bool:
        if w is None or not w.seen or w.median_weeks is None:
            return False
        return w.median_weeks > w.target_weeks + 1e-9 or 2 * w.within_target <= w.seen

    first = last
    while first > 0 and over(waits[first - 1]):
        first -= 1
    if not over(waits[last]) or last - first + 1 < months:
        return None
    run = [w for w in waits[first : last + 1] if w is not None]
    latest = run[-1]
    one, many, start = WAIT_WORDS[stream]
    span = f"{pa.months[first]} to {pa.months[last]}"
    target = f"within the {latest.target_weeks:g}-week target{start} in {span}"
    if all(w.within_target == 0 for w in run):
        said = f"No {one} {target}"
    else:
        share = latest.within_target / latest.seen
        said = f"Half or fewer of the {many} {target} ({share:.0%} in {pa.months[last]})"
    sentence = f"{said}; the median wait was {latest.median_weeks:.1f} weeks in {pa.months[last]}."
    return Signal(
        f"{stream}_wait", 1, pa.months[first], pa.months[last], len(run), "over target", sentence
    )
