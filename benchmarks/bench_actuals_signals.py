"""How often `workload-xl capa actuals` says a team has run off its plan when it has not, and
how soon it says so when it has: false-alarm and detection rates of its signals against the
plan, on simulated CAMHS teams, measured in one run.

Each simulated team is the demo's CAMHS team (`workload_xl.demo.camhs_team`: 6 clinicians,
9 Choice hours and 91 Core hours a week), planned by the real code
(`core.capa.actuals.planned_per_month`): 33.75 Choice appointments, 195 Core appointments
and 22.95 new Core Partnerships a month. The demo's plan has 26 new Core a month, more than
the 68% of Choice (22.95) the plan's transfer rate assumes, so a team delivering it exactly
would be rightly flagged above 68%; here the Core Partnership is 8.5 appointments long
(195 ÷ 22.95) instead of 7.5, which puts the plan in balance: every series' plan is the
team's true mean. Each month, for each clinician, Choice and Core appointments are Poisson
counts round their plan; the team's new Core Partnerships are each of its Choice
appointments going on to Core with the true transfer rate's chance (so they are Poisson too,
with the transfer rate new Core ÷ Choice as the command works it out). `--spread` adds a
month-to-month swing shared by the team's counts (leave, sickness, school holidays), a
normal factor with that standard deviation, on top of the Poisson noise.

The months go through the real code path: clinicians' months (`ClinicianMonth`) into
`plan_and_actual`, the team's series from `core.capa.signals.team_series`, and each month's
verdict from `against_plan` on the months up to it, as `actuals_signals` gives it (checked
against `actuals_signals` on a `PlanAndActual` built from those months alone, for the first
teams of each scenario). Scenarios, 24 months each:

- **on plan**: every count's true mean is its plan, all along. Judged at every month from
  the 6th to the 24th (19 runs a team), any signal is a false alarm: the share of
  team-months with a signal, per series and for any series, and the share of teams flagged
  at least once in a year of monthly runs (months 13 to 24).
- **plan 5% high**: the team delivers 5% below plan on every count, all along (the transfer
  rate stays 68%): a small, real, harmless difference, to show what it does.
- **drifts**, a step after month `--onset` (12: a year on plan first): the transfer rate
  rising from 68% to 75% or 80% (so new Core rises with it), or new Core Partnerships
  falling 15% or 25% below plan (Choice steady, so the transfer rate falls too). Detected:
  the drifting series (the transfer rate; new Core) has a signal that way (above; below) in
  a month after the onset. Reported: the share found within `--window` months (12, a year:
  a run of 7 months says nothing sooner than 7), and the median months from the onset to the
  first signal (">12" when fewer than half are found in a year).

Targets: on plan, at most 5% of team-months with any signal; the transfer rate at 80% and
new Core 25% below plan each found within a year in at least 80% of teams. The exit status
is 1 when a target is missed. `--run-length`, `--min-months`, `--special-gap` and
`--special-cause` measure other settings of the rules: the run of months on one side of the
plan, MIN_MONTHS_FOR_RANGE, SPECIAL_CAUSE_GAP (how far off plan a special cause must be), and
which of spc's rules make the latest month a special cause (`near-limits`: outside the limits
or two of three near one; `outside-limits`; `none`), so that a proposed change is measured
before it is made.

Run: `python benchmarks/bench_actuals_signals.py [--teams N] [--seed S] [--onset K]
[--window 12] [--spread 0.05] [--run-length 7] [--min-months 6] [--special-gap 0.3]
[--special-cause any]`.
"""

from __future__ import annotations

import argparse
import dataclasses
import math
import random
import statistics
import sys
import time
from collections import Counter
from dataclasses import dataclass, field

from workload_xl.core import spc
from workload_xl.core.capa import signals as capa_signals
from workload_xl.core.capa.actuals import (
    ClinicianMonth,
    Counts,
    months_between,
    plan_and_actual,
    planned_per_month,
)
from workload_xl.core.capa.settings import CapaSettings
from workload_xl.demo import camhs_team

MONTHS = 24
FIRST_JUDGED = 6  # months of history at the first run judged
YEAR_FROM = 13  # "a year of monthly runs": the runs with 13 to 24 months of history
WINDOW = 12  # months after the onset within which a drift should be found: a year
TRANSFER_RATE = 0.68
TARGET_FALSE = 0.05
TARGET_FOUND = 0.80
LABELS = months_between("2025-01", "2026-12")
SERIES = ("transfer_rate", "choice", "new_core", "core")
NARROWER = {
    "near-limits": ("outside-limits", "two-of-three"),
    "outside-limits": ("outside-limits",),
    "none": (),
}
"""Narrower special-cause rules `--special-cause` measures, by the spc rules they keep."""


@dataclass(frozen=True)
class Scenario:
    """A kind of team: true means as shares of plan, from `start` (0: all along; None: the
    onset) on. `watch` is the drifting series and the side it drifts to; `target` whether its
    detection is judged against TARGET_FOUND."""

    name: str
    choice: float = 1.0
    rate: float = TRANSFER_RATE
    new_core: float = 1.0
    core: float = 1.0
    start: int | None = 0
    watch: tuple[str, int] | None = None
    target: bool = False


SCENARIOS = (
    Scenario("on plan"),
    Scenario("plan 5% high", choice=0.95, core=0.95),
    Scenario("transfer rate 75%", rate=0.75, start=None, watch=("transfer_rate", 1)),
    Scenario("transfer rate 80%", rate=0.80, start=None, watch=("transfer_rate", 1), target=True),
    Scenario("new Core 15% below", new_core=0.85, start=None, watch=("new_core", -1)),
    Scenario("new Core 25% below", new_core=0.75, start=None, watch=("new_core", -1), target=True),
)


@dataclass
class Tally:
    teams: int = 0
    team_months: int = 0
    flagged: int = 0
    by_series: Counter = field(default_factory=Counter)
    by_why: Counter = field(default_factory=Counter)
    teams_in_year: int = 0
    found_in_window: int = 0
    months_to_find: list[float] = field(default_factory=list)


def poisson(rng: random.Random, mean: float) -> int:
    """A Poisson count (Knuth's method: the means here are under 100)."""
    if mean <= 0:
        return 0
    limit, k, product = math.exp(-mean), 0, rng.random()
    while product > limit:
        k += 1
        product *= rng.random()
    return k


def balanced_settings() -> CapaSettings:
    """The CAPA defaults with the Core Partnership long enough that the demo team's plan
    starts 68% of its Choice appointments in Core (see the module)."""
    team = camhs_team()
    plans = [planned_per_month(c) for c in team]
    choice = sum(p.choice for p in plans)
    core = sum(p.core for p in plans)
    return dataclasses.replace(
        CapaSettings(), mean_core_appointments=core / (TRANSFER_RATE * choice)
    )


def simulate(
    scenario: Scenario, rng: random.Random, onset: int, spread: float, settings: CapaSettings
) -> list[ClinicianMonth]:
    """A team's 24 months of clinicians' plan and delivered counts."""
    team = camhs_team()
    plans = {c.name: planned_per_month(c, settings) for c in team}
    core_weights = [plans[c.name].new_core for c in team]
    start = onset if scenario.start is None else scenario.start
    rows = []
    for index, month in enumerate(LABELS[:MONTHS]):
        on = index >= start
        swing = max(0.0, 1 + rng.gauss(0, spread)) if spread else 1.0
        choice_share = (scenario.choice if on else 1.0) * swing
        core_share = (scenario.core if on else 1.0) * swing
        rate = (scenario.rate if on else TRANSFER_RATE) * (scenario.new_core if on else 1.0)
        choice = {name: poisson(rng, p.choice * choice_share) for name, p in plans.items()}
        started = sum(rng.random() < rate for _ in range(sum(choice.values())))
        new_core = Counter(rng.choices(range(len(team)), core_weights, k=started))
        for n, clinician in enumerate(team):
            plan = plans[clinician.name]
            delivered = Counts(
                choice[clinician.name], new_core[n], poisson(rng, plan.core * core_share)
            )
            rows.append(ClinicianMonth(month, clinician.name, plan, delivered))
    return rows


def truncated(series: capa_signals.Series, months: int) -> capa_signals.Series:
    return dataclasses.replace(
        series,
        labels=series.labels[:months],
        values=series.values[:months],
        plan=series.plan[:months],
    )


def verdicts(
    rows: list[ClinicianMonth], spc_settings: spc.SpcSettings, special: str = "any"
) -> dict[int, list]:
    """The signals `capa actuals` would show with the months up to each month (6 to 24).
    `special` other than "any" measures a narrower special-cause rule: the latest month
    counts only when one of the spc rules NARROWER names marks it; "none" counts no special
    cause at all (the shift and the range only)."""
    pa = plan_and_actual(rows, plan_rates=dict.fromkeys(LABELS[:MONTHS], TRANSFER_RATE))
    series = capa_signals.team_series(pa, TRANSFER_RATE)
    found = {}
    for months in range(FIRST_JUDGED, MONTHS + 1):
        kept = []
        for whole in series:
            part = truncated(whole, months)
            signal = capa_signals.against_plan(part, spc_settings)
            if signal is not None and signal.why == "special cause" and special != "any":
                latest = spc.xmr(part.values, part.labels, spc_settings)[-1]
                if special == "none" or not set(NARROWER[special]) & set(latest.rules):
                    signal = None
            if signal is not None:
                kept.append(signal)
        found[months] = kept
    return found


def check_real_path(
    rows: list[ClinicianMonth], found: dict[int, list], spc_settings: spc.SpcSettings
) -> None:
    """The verdicts are those of `actuals_signals` on the months up to each month alone."""
    for months in found:
        shown = LABELS[:months]
        pa = plan_and_actual(
            [r for r in rows if r.month in shown], plan_rates=dict.fromkeys(shown, TRANSFER_RATE)
        )
        real = capa_signals.actuals_signals(pa, TRANSFER_RATE, spc_settings).signals
        assert list(real) == found[months], (months, real, found[months])


def run(scenario: Scenario, args, settings: CapaSettings, spc_settings) -> Tally:
    rng = random.Random(f"{args.seed}-{scenario.name}-{args.spread}")
    tally = Tally(teams=args.teams)
    for number in range(args.teams):
        rows = simulate(scenario, rng, args.onset, args.spread, settings)
        found = verdicts(rows, spc_settings, args.special_cause)
        if number < 2 and args.special_cause == "any":
            check_real_path(rows, found, spc_settings)
        if scenario.watch is None:
            for signals in found.values():
                tally.team_months += 1
                tally.flagged += bool(signals)
                tally.by_series.update(s.measure for s in signals)
                tally.by_why.update(s.why for s in signals)
            tally.teams_in_year += any(found[m] for m in range(YEAR_FROM, MONTHS + 1))
            continue
        key, direction = scenario.watch
        first = next(
            (
                months - args.onset
                for months in range(args.onset + 1, MONTHS + 1)
                if any(s.measure == key and s.direction == direction for s in found[months])
            ),
            None,
        )
        tally.found_in_window += first is not None and first <= args.window
        tally.months_to_find.append(math.inf if first is None else first)
    return tally


def median_months(tally: Tally, onset: int) -> str:
    """The median months from the onset to the first signal; never found counts as longest."""
    middle = statistics.median_low(tally.months_to_find) if tally.months_to_find else math.inf
    return f">{MONTHS - onset}" if math.isinf(middle) else f"{middle:g}"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--teams", type=int, default=500, help="simulated teams per scenario")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--onset", type=int, default=12, help="months before a drift starts")
    parser.add_argument(
        "--window", type=int, default=WINDOW, help="months after the onset a drift is judged in"
    )
    parser.add_argument("--spread", type=float, default=0.0, help="extra month-to-month swing")
    parser.add_argument("--run-length", type=int, default=capa_signals.SPC_SETTINGS.run_length)
    parser.add_argument("--min-months", type=int, default=capa_signals.MIN_MONTHS_FOR_RANGE)
    parser.add_argument(
        "--special-gap",
        type=float,
        default=capa_signals.SPECIAL_CAUSE_GAP,
        help="how far off plan (a share of it) a special cause must be to count",
    )
    parser.add_argument(
        "--special-cause",
        choices=("any", *NARROWER),
        default="any",
        help="measure a narrower special-cause rule (any: the command's)",
    )
    args = parser.parse_args()
    if not FIRST_JUDGED <= args.onset < MONTHS:
        parser.error(f"--onset must be from {FIRST_JUDGED} to {MONTHS - 1}")
    capa_signals.MIN_MONTHS_FOR_RANGE = args.min_months  # read by against_plan when called
    capa_signals.SPECIAL_CAUSE_GAP = args.special_gap
    spc_settings = dataclasses.replace(capa_signals.SPC_SETTINGS, run_length=args.run_length)
    settings = balanced_settings()
    began = time.perf_counter()
    print(
        f"{args.teams} simulated CAMHS teams per scenario, 6 clinicians, {MONTHS} months, "
        f"seed {args.seed}; drifts after month {args.onset}; extra spread {args.spread:.0%}; "
        f"runs of {args.run_length}, plan outside the usual range after {args.min_months} "
        f"months, special cause: {args.special_cause} and at least {args.special_gap:.0%} off plan"
    )
    results = {s.name: run(s, args, settings, spc_settings) for s in SCENARIOS}
    missed = []
    print()
    print(
        "| team | team-months with a signal | transfer rate | Choice | new Core | Core "
        "| teams flagged in a year of runs | signals by rule, per team-month |"
    )
    print("|---|---|---|---|---|---|---|---|")
    for scenario in SCENARIOS:
        if scenario.watch is not None:
            continue
        t = results[scenario.name]
        per = [f"{t.by_series[k] / t.team_months:.1%}" for k in SERIES]
        why = ", ".join(f"{w} {n / t.team_months:.1%}" for w, n in sorted(t.by_why.items()))
        print(
            f"| {scenario.name} | {t.flagged / t.team_months:.1%} | {' | '.join(per)} | "
            f"{t.teams_in_year / t.teams:.0%} | {why or 'none'} |"
        )
    print()
    print(f"| drift after month {args.onset} | found within {args.window} months | median months |")
    print("|---|---|---|")
    for scenario in SCENARIOS:
        if scenario.watch is None:
            continue
        t = results[scenario.name]
        found = t.found_in_window / t.teams
        print(f"| {scenario.name} | {found:.0%} | {median_months(t, args.onset)} |")
    print()
    on_plan = results["on plan"]
    rate = on_plan.flagged / on_plan.team_months
    lines = [
        (
            f"on plan, team-months with a signal {rate:.1%} (target at most {TARGET_FALSE:.0%})",
            rate <= TARGET_FALSE,
        )
    ]
    for scenario in SCENARIOS:
        if scenario.target:
            t = results[scenario.name]
            share = t.found_in_window / t.teams
            lines.append(
                (
                    f"{scenario.name} found within {args.window} months in {share:.0%} of teams "
                    f"(target at least {TARGET_FOUND:.0%})",
                    share >= TARGET_FOUND,
                )
            )
    for text, met in lines:
        print(f"target: {text}: {'met' if met else 'NOT met'}")
        if not met:
            missed.append(text)
    print(f"({time.perf_counter() - began:.0f} s)")
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
