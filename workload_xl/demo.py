"""A realistic demo: teams, workers and a year of measurement workbooks with planted mistakes.

The demo is the README's first command, so it shows what the tool is for in a minute: sheets
that look like a real service's (caseloads that carry over month to month, part-time workers,
a worker persistently carrying more), then validation finding the mistakes people really make.
Names are invented. Everything is generated from a fixed seed, so the demo is reproducible.
"""

from __future__ import annotations

import csv
import datetime as dt
import os
import random
import shutil
from calendar import monthrange
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from workload_xl.contracts import worker as layout
from workload_xl.core.paths import safe_file_name
from workload_xl.core.period import FOUR_WEEKS, MONTH, Period, previous_months
from workload_xl.core.schemes import Scheme, SchemeRegistry
from workload_xl.core.team import TeamBuild
from workload_xl.core.tracker import due_date
from workload_xl.core.values import points_per_fte
from workload_xl.files import cached_values
from workload_xl.files.atomic import write_atomically
from workload_xl.files.worker_template import WorkerSheetContent, build_worker_workbook
from workload_xl.render import findings_text, summary_line, team_text
from workload_xl.services.build_team import roll_up, write_team
from workload_xl.services.consolidate import consolidate_files
from workload_xl.services.report import trend_report
from workload_xl.services.returns import returns_for
from workload_xl.services.validate import validate_files
from workload_xl.store.database import ReturnsStore

MARKER = ".workload-xl-demo"
LAST_MONTH = Period(2026, 10, MONTH)

FIRST_NAMES = [
    "Amira",
    "Ben",
    "Chloe",
    "Dev",
    "Ella",
    "Farah",
    "Gareth",
    "Hana",
    "Isaac",
    "Jade",
    "Kofi",
    "Leah",
    "Mo",
    "Nia",
    "Owen",
    "Priya",
    "Rhys",
    "Sade",
    "Tom",
    "Uma",
    "Vik",
    "Wren",
    "Yusuf",
    "Zoe",
    "Aled",
    "Bea",
    "Cal",
    "Dina",
]
SURNAMES = [
    "Ahmed",
    "Brown",
    "Clarke",
    "Davies",
    "Evans",
    "Fofana",
    "Green",
    "Hughes",
    "Iqbal",
    "Jones",
    "Khan",
    "Lewis",
    "Morgan",
    "Nowak",
    "Okafor",
    "Patel",
    "Quinn",
    "Roberts",
    "Singh",
    "Taylor",
    "Usman",
    "Walsh",
    "Young",
    "Zielinski",
]


@dataclass(frozen=True)
class DemoTeam:
    name: str
    service: str
    scheme_id: str
    manager: str


TEAMS = (
    DemoTeam("First Response East", "First Response", "childrens-social-care", "Sam Okoro"),
    DemoTeam(
        "Safeguarding North", "Safeguarding and Support", "childrens-social-care", "Helen Price"
    ),
    DemoTeam("Leaving Care", "Leaving Care", "leaving-care", "Marcus Bell"),
    DemoTeam(
        "Fostering and Adoption", "Fostering and Adoption", "fostering-adoption", "Rachel Lowe"
    ),
)


@dataclass
class DemoWorker:
    name: str
    band: str
    fte: float
    load: float  # how many cases relative to colleagues: 1.0 typical
    cases: list[dict] = field(default_factory=list)
    loads: tuple[float, ...] = ()  # a planted change, month by month (then the last holds)

    def load_in(self, month: int) -> float:
        if not self.loads:
            return self.load
        return self.loads[min(month, len(self.loads) - 1)]


@dataclass
class PlantedMistake:
    path: Path
    what: str


def period_end(period: Period) -> dt.date:
    """The last day of a demo period: a month's last day; for a 4-week period, that of the
    demo's Leaving Care calendar, whose P01 begins on 1 January, each period 28 days, P13
    running to 31 December. (The tracker does not know a service's 4-week calendar, so it
    gives 4-week periods no due date: only whether a return has arrived.)"""
    if period.kind == MONTH:
        return dt.date(period.year, period.number, monthrange(period.year, period.number)[1])
    if period.number == 13:
        return dt.date(period.year, 12, 31)
    return dt.date(period.year, 1, 1) + dt.timedelta(days=28 * period.number - 1)


def last_four_weeks() -> Period:
    """The demo's latest 4-week period: the one in which its latest month ends, so the two
    kinds of return cover the same year."""
    end = period_end(LAST_MONTH)
    return Period(end.year, min(13, (end - dt.date(end.year, 1, 1)).days // 28 + 1), FOUR_WEEKS)


def _periods(scheme: Scheme, count: int) -> list[Period]:
    if scheme.period == MONTH:
        return previous_months(LAST_MONTH, count)
    periods = [last_four_weeks()]
    while len(periods) < count:
        periods.insert(0, periods[0].previous())
    return periods


def _case_name(rng: random.Random) -> str:
    return f"{rng.choice(FIRST_NAMES)} {rng.choice(SURNAMES)}"


def _new_case(rng: random.Random, scheme: Scheme, serial: list[int]) -> dict:
    cases = [i for i in scheme.items if i.is_case]
    weights = [4 if i.points <= 6 else 2 for i in cases]
    item = rng.choices(cases, weights)[0]
    serial[0] += 1
    agreed = item.points
    if rng.random() < 0.15:  # a complex case scored higher, inside the range
        agreed = min(item.max, item.points + rng.choice((1, 2)))
    return {
        "case_ref": f"C{100000 + serial[0]}",
        "case_name": _case_name(rng),
        "item": item.label,
        "agreed_points": agreed,
    }


def _workers(rng: random.Random, scheme: Scheme, count: int) -> list[DemoWorker]:
    names = rng.sample([f"{f} {s}" for f in FIRST_NAMES for s in SURNAMES], count)
    bands = [b.label for b in scheme.bands] or ["All workers"]
    workers = []
    for index, name in enumerate(names):
        # three newcomers, the rest in the next two bands: enough in each band to compare
        band = bands[0] if index < 3 else (bands[1:3] or bands)[index % 2]
        fte = rng.choice((1.0, 1.0, 1.0, 0.8, 0.6))
        workers.append(DemoWorker(name, band, fte, load=1.0))
    workers[3].load = 1.8  # one worker persistently carries far more than colleagues
    workers[7].load = 0.6  # and one far less
    # a newcomer building a caseload over their first seven months, and a worker whose cases
    # are handed on month by month before a long leave: full time, so each month differs
    workers[0].fte = workers[10].fte = 1.0
    workers[0].loads = (0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0)
    workers[10].loads = (1.0, 0.9, 0.8, 0.7, 0.6, 0.5, 0.4)
    return workers


def _activities(rng: random.Random, scheme: Scheme, fte: float) -> list[dict]:
    lines = []
    for item in (i for i in scheme.items if not i.is_case):
        if rng.random() < 0.5:
            quantity = max(1, round(rng.randint(1, 4) * fte))
            lines.append(
                {"item": item.label, "quantity": quantity, "agreed_points": item.points * quantity}
            )
    return lines


def _duty(scheme: Scheme) -> list[dict]:
    """Two duty days, the same every month: a planted change shows in the cases alone."""
    item = next((i for i in scheme.items if not i.is_case), None)
    if item is None:
        return []
    return [{"item": item.label, "quantity": 2, "agreed_points": item.points * 2}]


def generate(
    out: Path,
    registry: SchemeRegistry,
    months: int = 12,
    seed: int = 2026,
    workers_per_team: int = 12,
) -> tuple[list[Path], list[PlantedMistake]]:
    rng = random.Random(seed)
    written: list[Path] = []
    planted: list[PlantedMistake] = []
    serial = [0]
    for team in TEAMS:
        scheme = registry.get(team.scheme_id)
        if scheme is None:
            continue
        workers = _workers(rng, scheme, workers_per_team)
        periods = _periods(scheme, months)
        for period_index, period in enumerate(periods):
            folder = out / _slug(team.name) / str(period)
            folder.mkdir(parents=True, exist_ok=True)
            last = period_index == len(periods) - 1
            for worker_index, worker in enumerate(workers):
                load = worker.load_in(period_index)
                target = round(14 * worker.fte * load * (0.9 if "ASYE" in worker.band else 1.0))
                if worker.loads:  # a planted change: cases added or handed on, none closed
                    del worker.cases[target:]
                    while len(worker.cases) < target:
                        worker.cases.append(_new_case(rng, scheme, serial))
                else:
                    worker.cases = [c for c in worker.cases if rng.random() > 0.12]
                    while len(worker.cases) < target + rng.randint(-1, 1):
                        worker.cases.append(_new_case(rng, scheme, serial))
                if team is TEAMS[1] and worker_index == 6:  # co-works a case with a colleague
                    shared = workers[5].cases[0]
                    if all(c["case_ref"] != shared["case_ref"] for c in worker.cases):
                        worker.cases.append(dict(shared))
                activities = _duty(scheme) if worker.loads else _activities(rng, scheme, worker.fte)
                lines = [dict(c) for c in worker.cases] + activities
                header = {
                    "worker": worker.name,
                    "team": team.name,
                    "service": team.service,
                    "period": str(period),
                    "fte": worker.fte,
                    "band": worker.band,
                    "manager": team.manager,
                    "date_agreed": _date_agreed(period),
                }
                path = folder / f"{_slug(worker.name)}.xlsx"
                plant_here = last and (team is TEAMS[0] or worker_index == 8)
                mistake = _plant(header, lines, worker_index) if plant_here else None
                wb = build_worker_workbook(scheme, WorkerSheetContent(header, lines))
                if mistake == "total typed over":
                    ws = wb[layout.MEASUREMENT_SHEET]
                    _, address = next(ws.defined_names["TotalPoints"].destinations)
                    ws[address] = 100
                    # as Excel would show it once the total is typed over: 100 points per FTE
                    _, per_fte = next(ws.defined_names["PointsPerFTE"].destinations)
                    cached_values.remember(
                        ws, per_fte.replace("$", ""), points_per_fte(100, header["fte"]) or ""
                    )
                if mistake == "note outside the table":
                    ws = wb[layout.MEASUREMENT_SHEET]
                    ws.cell(ws.max_row + 2, 3, "Also covering duty for Tom next week")
                write_atomically(path, lambda temp, wb=wb: cached_values.save(wb, temp), force=True)
                written.append(path)
                if mistake:
                    planted.append(PlantedMistake(path, mistake))
    broken = out / _slug(TEAMS[0].name) / str(LAST_MONTH) / "sent-as-csv.xlsx"
    broken.write_text("Worker,Item,Points\nJo,Child in need,5\n", encoding="utf-8")
    planted.append(PlantedMistake(broken, "a CSV file renamed .xlsx"))
    written.append(broken)
    _write_caseload_report(out / "caseload-report.csv", rng, registry)
    return written, planted


def _date_agreed(period: Period) -> dt.date:
    """The day a worker's sheet was agreed: the 25th of a month, three days before a 4-week
    period ends."""
    if period.kind == MONTH:
        return dt.date(period.year, period.number, 25)
    return period_end(period) - dt.timedelta(days=3)


def _plant(header: dict, lines: list[dict], worker_index: int) -> str | None:
    """Mistakes people really make, one per sheet: in the first team's last month, and a
    misspelt period in each other team's."""
    case_rows = [line for line in lines if line.get("case_ref")]
    match worker_index:
        case 1:
            case_rows[0]["agreed_points"] = 25
            return "agreed points far outside the scheme's range"
        case 2:
            lines.append(dict(case_rows[0]))
            return "the same case entered twice"
        case 4:
            header["fte"] = None
            return "FTE left blank"
        case 5:
            case_rows[1]["item"] = "Child protection"
            return "an item typed instead of picked from the list"
        case 6:
            case_rows[0]["agreed_points"] = f" {case_rows[0]['agreed_points']:g} "
            return "points typed as text"
        case 8:
            header["period"] = "Octobr 2026"
            return "a misspelt period"
        case 9:
            return "total typed over"
        case 10:
            return "note outside the table"
        case 11:
            case_rows[2]["case_ref"] = None
            return "a case with no reference"
    return None


def _write_caseload_report(path: Path, rng: random.Random, registry: SchemeRegistry) -> None:
    """A caseload report as a case management system exports it, to try import-caseload on."""
    types = [
        "Child in Need",
        "Child Protection Plan",
        "CLA",
        "Section 47",
        "Single Assessment",
        "Early Help",
    ]  # Early Help maps to no item: the import reports it
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["Case ID", "Child name", "Case type", "Allocated worker", "Start date"])
        for n in range(14):
            worker = "Jo Example" if n < 12 else "Someone Else"
            writer.writerow(
                [
                    f"C{200000 + n}",
                    _case_name(rng),
                    types[n % len(types)],
                    worker,
                    f"2026-0{1 + n % 9}-1{n % 9}",
                ]
            )


def build_demo_team_sheets(
    out: Path, run, registry: SchemeRegistry
) -> list[tuple[Path, TeamBuild]]:
    """A team sheet per team and period, from sheets already validated: no file read twice."""
    by_folder: dict[Path, list] = {}
    for sheet in run.sheets:
        by_folder.setdefault(Path(sheet.measurement.workbook).parent, []).append(sheet)
    built = []
    for team in TEAMS:
        history: list = []
        team_folder = out / _slug(team.name)
        for folder in sorted(p for p in by_folder if p.parent == team_folder):
            path = team_folder / f"team-{folder.name}.xlsx"
            build = roll_up(by_folder[folder], registry, output=str(path), history=history)
            if build.team is None:
                continue
            write_team(path, build, force=True)
            history = build.team.history
            built.append((path, build))
    return built


def sent_day(period: Period, today: dt.date, late: bool = False) -> dt.date:
    """The day the demo's team sends its return for `period`: three days after the period
    ends (for a month, the 3rd, before the tracker's due day, the 7th), or, `late`, three days
    after the month's due day; never after `today`, the day the demo runs (a return not yet
    sent would be one the tracker does not count as arrived)."""
    due = due_date(period)
    day = due + dt.timedelta(days=3) if late and due else period_end(period) + dt.timedelta(days=3)
    return min(day, today)


def consolidate_demo_returns(
    store_path: Path,
    built: list[tuple[Path, TeamBuild]],
    registry: SchemeRegistry,
    today: dt.date | None = None,
) -> tuple[int, str]:
    """Ingest every team sheet as received at a realistic moment (sent_day, never after
    `today`, by default the day the demo runs): most three days after the period ends, one
    team's latest return late, and one team's latest return held back (missing).

    The demo's files were all written just now, so each is given the modification time of
    the moment it would have been sent, the day consolidation reads when neither --received
    nor the Team sheet's Date signed says otherwise, and all are consolidated in one run as
    the performance team does: one run starts its reader processes once (a run per file
    cost the demo half a minute of CPU starting them)."""
    with ReturnsStore.open(store_path) as store:
        for team in TEAMS:
            store.add_team(team.service, team.name)
    held_back = f"{TEAMS[3].name} {LAST_MONTH}"
    sent: list[Path] = []
    latest = None
    for path, build in built:
        team = build.team
        if f"{team.team} {team.period}" == held_back:
            continue
        late = team.team == TEAMS[0].name and team.period == LAST_MONTH
        day = sent_day(team.period, today or dt.date.today(), late)
        moment = dt.datetime.combine(day, dt.time(9))
        os.utime(path, (moment.timestamp(), moment.timestamp()))
        sent.append(path)
        latest = moment if latest is None else max(latest, moment)
    run = consolidate_files(sent, store_path, registry=registry, now=latest)
    return len(run.stored), held_back


CAMHS_TEAM = (
    # name, profession, contracted hours, Choice, Core, Specific, Big Admin, meeting,
    # supervision, CPD, management, travel, other
    ("Asha Rao", "Clinical psychologist", 37.5, 2, 18, 4, 5, 2, 2, 2, 0, 1.5, 1),
    ("Tom Reed", "Mental health nurse", 37.5, 2, 22, 0, 6, 2, 2, 1.5, 0, 2, 0),
    ("Mo Khan", "Family therapist", 22.5, 1, 13, 0, 4, 2, 1.5, 1, 0, 0, 0),
    ("Lena Ortiz", "Psychiatrist", 30, 1, 10, 6, 5, 2, 1, 2, 2, 1, 0),
    ("Ravi Shah", "Mental health nurse", 37.5, 2, 22, 0, 6, 2, 2, 1.5, 0, 2, 0),
    ("Jess Lowe", "Team manager", 37.5, 1, 6, 0, 4, 2, 2, 1.5, 19, 1, 1),
)


CAMHS_ABSENCES = (
    ("Tom Reed", "maternity leave", dt.date(2026, 2, 16), dt.date(2026, 8, 14)),
    ("Asha Rao", "annual leave", dt.date(2026, 5, 26), dt.date(2026, 6, 5)),
    ("Ravi Shah", "long-term sickness", dt.date(2026, 6, 1), dt.date(2026, 6, 12)),
)
CAMHS_REFERRALS = 11.0
CAMHS_WAITING = {"choice_waiting": 30, "core_waiting": 24}
"""The demo team's planned absences, accepted referrals a week and numbers waiting."""


def camhs_team() -> list:
    """The demo CAMHS team's job plans, as capa.Clinician records."""
    from workload_xl.core import capa

    fields = (
        "choice",
        "core",
        "specific",
        "big_admin",
        "team_meeting",
        "supervision",
        "cpd",
        "management",
        "travel",
        "other",
    )
    return [
        capa.Clinician(name, job, hours, **dict(zip(fields, plan, strict=True)))
        for name, job, hours, *plan in CAMHS_TEAM
    ]


def write_camhs_jobplan(path: Path) -> list:
    """The demo team's CAPA job plan workbook, written over any earlier one at `path`; the
    findings say why it could not be written (none when it was)."""
    from workload_xl.core import capa
    from workload_xl.files.jobplan_workbook import write_jobplan_workbook

    absences = [capa.Absence(*absence) for absence in CAMHS_ABSENCES]
    return write_jobplan_workbook(
        path,
        capa.CapaSettings(),
        camhs_team(),
        absences,
        CAMHS_REFERRALS,
        **CAMHS_WAITING,
        force=True,
    )


def _camhs_demo(out: Path, echo: Callable[[str], None]) -> None:
    """A CAMHS team's CAPA job plans, its balance and waiting lists, and what its planned
    absences cost a quarter."""
    from workload_xl.core import capa

    team = camhs_team()
    path = out / "camhs-jobplans.xlsx"
    for problem in write_camhs_jobplan(path):
        echo(f"  {problem.message}")
    referrals = CAMHS_REFERRALS
    echo(
        f"A CAMHS team's CAPA job plans: {path} ({len(team)} clinicians, {referrals:g} accepted "
        "referrals a week)."
    )
    for sentence in capa.balance(team, referrals).sentences:
        echo(f"  {sentence}")
    for waiting_list in capa.waiting_lists(team, referrals, *CAMHS_WAITING.values()):
        echo(f"  {waiting_list.sentence}")
    absences = [capa.Absence(*absence) for absence in CAMHS_ABSENCES]
    lost = capa.capacity_lost(team, absences, dt.date(2026, 4, 1), dt.date(2026, 6, 30))
    tom = next(loss for loss in lost.losses if loss.clinician == "Tom Reed")
    echo(
        f"  Tom Reed's maternity leave costs April to June {tom.choice_slots:.0f} Choice slots "
        f"and {tom.new_core:.1f} new Core Partnerships; with Ravi Shah's sickness the team "
        f"loses {lost.team_choice_slots:.0f} and {lost.team_new_core:.1f}. {lost.note}"
    )


CAMHS_ACTIVITY_MONTHS = tuple(f"2026-{m:02d}" for m in range(4, 10))
CAMHS_CHOICE_OFFSETS = (0, -1, 1, 0, -1, 0)
CAMHS_TRANSFER_RATES = (0.76, 0.77, 0.78, 0.79, 0.80, 0.80)
"""Six months of the demo team's activity: each month's Choice appointments round the plan of
the clinicians then at work (give or take one), and a share of them going on to Core that
rises month by month, well past the 68% the plan assumes, to 80%."""


def _shares(total: int, weights: list[float]) -> list[int]:
    """`total` split in whole numbers by `weights`, largest remainders first."""
    if not total or not sum(weights):
        return [0] * len(weights)
    exact = [total * w / sum(weights) for w in weights]
    whole = [int(x) for x in exact]
    for i in sorted(range(len(exact)), key=lambda i: whole[i] - exact[i])[: total - sum(whole)]:
        whole[i] += 1
    return whole


def _at_work(month: str) -> tuple[dict[str, float], dict[str, list[dt.date]]]:
    """Each demo clinician's share of the month at work, after the absences the working weeks
    do not already allow for (as `capa balance` counts them: Tom Reed's maternity leave, Ravi
    Shah's sickness), and the weekdays they are in (no appointments on any day away, annual
    leave included)."""
    import calendar

    from workload_xl.core import capa

    year, number = (int(p) for p in month.split("-"))
    first = dt.date(year, number, 1)
    last = dt.date(year, number, calendar.monthrange(year, number)[1])
    absences = [capa.Absence(*absence) for absence in CAMHS_ABSENCES]
    lost = capa.capacity_lost(camhs_team(), absences, first, last)
    share = {c.name: 1.0 for c in camhs_team()}
    share.update({loss.clinician: 1 - loss.fraction for loss in lost.losses})
    days = [first + dt.timedelta(days=k) for k in range((last - first).days + 1)]
    weekdays = {
        c.name: [
            d
            for d in days
            if d.weekday() < 5
            and not any(a.clinician == c.name and a.start <= d <= a.end for a in absences)
        ]
        for c in camhs_team()
    }
    return share, weekdays


def write_camhs_activity(path: Path) -> Path:
    """The demo team's activity export, one row per appointment as a clinical system exports
    it: Choice appointments round the plan of those at work (33.75 a month with everyone in),
    new Core Partnerships at a rising share of them, the rest of each job plan's Core
    appointments as follow-ups, and the referral and Choice dates the waits are worked out
    from. Nobody has an appointment on a day they are away: Tom Reed's rows stop for his
    maternity leave (to 14 August) and Ravi Shah's for his sickness (1 to 12 June)."""
    import csv

    from workload_xl.core.capa.actuals import planned_per_month

    team = camhs_team()
    choice_plan = [planned_per_month(c).choice for c in team]
    core_plan = [planned_per_month(c).core for c in team]
    with path.open("w", newline="", encoding="utf-8") as handle:
        out = csv.writer(handle)
        out.writerow(["CAMHS appointments by clinician"])
        out.writerow(
            ["Clinician", "Appointment date", "Appointment type", "Referral date", "Choice date"]
        )
        months = zip(CAMHS_ACTIVITY_MONTHS, CAMHS_CHOICE_OFFSETS, CAMHS_TRANSFER_RATES, strict=True)
        for k, (month, offset, rate) in enumerate(months):
            share, weekdays = _at_work(month)
            at_work = [share[c.name] for c in team]
            choices = round(sum(p * a for p, a in zip(choice_plan, at_work, strict=True))) + offset
            choice = _shares(choices, [p * a for p, a in zip(choice_plan, at_work, strict=True)])
            new_core = _shares(
                round(choices * rate), [p * a for p, a in zip(core_plan, at_work, strict=True)]
            )
            for clinician, c, n, planned, a in zip(
                team, choice, new_core, core_plan, at_work, strict=True
            ):
                days = weekdays[clinician.name]
                for j in range(c):
                    day = days[(3 * j) % len(days)]
                    referral = day - dt.timedelta(days=35 + j % 3 * 7)
                    out.writerow([clinician.name, day, "Choice", referral, ""])
                for j in range(n):
                    day = days[(5 * j) % len(days)]
                    chosen = day - dt.timedelta(days=21 + 3 * k + j % 2 * 7)
                    out.writerow([clinician.name, day, "Core first", "", chosen])
                for j in range(max(0, round(planned * a) - n)):
                    day = days[j % len(days)]
                    out.writerow([clinician.name, day, "Core follow-up", "", ""])
    return path


def _camhs_actuals_demo(out: Path, echo: Callable[[str], None]) -> None:
    """Six months of the CAMHS team's activity against its job plans: what `workload-xl capa
    actuals` says, the transfer rate's drift flagged."""
    from workload_xl.services.actuals import capa_actuals

    export = write_camhs_activity(out / "camhs-activity.csv")
    workbook = out / "camhs-plan-and-actual.xlsx"
    run = capa_actuals(export, out / "camhs-jobplans.xlsx", workbook, force=True)
    if run.actuals is None:
        for problem in run.findings:
            echo(f"  {problem.message}")
        return
    months = run.actuals.months
    echo(
        f"Six months of its activity ({export.name}, {months[0]} to {months[-1]}) against the "
        f"job plans: {workbook}."
    )
    for sentence in (*run.actuals.summary, *run.signals.sentences):
        echo(f"  {sentence}")


def _allocation_demo(
    team_file: Path, registry: SchemeRegistry, echo: Callable[[str], None]
) -> None:
    """Who in the showcase team could take a new case: what `workload-xl allocate` says."""
    from workload_xl.core.findings import Refused
    from workload_xl.services.allocate import allocate_file

    try:
        run, _ = allocate_file(team_file, registry, item=NEW_CASE)
    except Refused:  # a scheme without the item: the tour goes on
        return
    if run is None or run.suggestion is None:
        return
    echo("")
    echo(
        f"A new {NEW_CASE} case comes in: workload-xl allocate {_quoted(team_file)} "
        f'--item "{NEW_CASE}"'
    )
    for line in run.sentences():
        echo(f"  {line}")


NEW_CASE = "Child protection plan"


def _slug(text: str) -> str:
    """A name as a file or folder name: lower case, words joined by hyphens, and safe on every
    system (paths.safe_file_name) whatever the name."""
    slug = "-".join("".join(ch if ch.isalnum() else " " for ch in text.lower()).split())
    return safe_file_name(slug, fallback="unnamed").name


def run_demo(
    out: Path,
    months: int = 12,
    echo: Callable[[str], None] = print,
    today: dt.date | None = None,
) -> int:
    """Make the demo in `out` and tell its story. Every command it prints works as printed
    from the folder it was run in (paths are built from `out`). `today` (by default the day
    it runs) is the latest day a demo return is sent."""
    today = today or dt.date.today()
    if out.exists() and any(out.iterdir()) and not (out / MARKER).exists():
        echo(f"{out} exists and is not an earlier demo: choose a new folder with --out.")
        return 2
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    (out / MARKER).write_text("Made by `workload-xl demo`; safe to delete.\n", encoding="utf-8")
    registry = SchemeRegistry.from_dir()
    written, planted = generate(out, registry, months=months)
    teams = ", ".join(t.name for t in TEAMS)
    echo(
        f"Made {len(written)} measurement workbooks in {out}: {len(TEAMS)} teams ({teams}), "
        f"12 workers each, {months} periods."
    )
    echo(f"Planted {len(planted)} mistakes in the latest period:")
    for mistake in planted:
        echo(f"  {mistake.path.relative_to(out)}: {mistake.what}")
    echo("")
    echo("Validating every workbook...")
    run = validate_files([out], registry)
    by_rule = Counter(f.rule for f in run.report.findings)
    echo(summary_line(run.report))
    echo("Findings by rule: " + ", ".join(f"{rule} {n}" for rule, n in by_rule.most_common()))
    echo("")
    problems = [f for f in run.report.sorted() if f.severity != "info" and f.rule != "header-blank"]
    echo("Errors and warnings found (info findings such as points-adjusted are in the JSON):")
    echo(findings_text(problems))
    echo("")
    echo("Building each team's sheet for every period, each with the one before as history...")
    built = build_demo_team_sheets(out, run, registry)
    echo(f"Wrote {len(built)} team workbooks (team-<period>.xlsx in each team's folder).")
    showcase = next(
        (b for b in reversed(built) if b[1].team and b[1].team.team == TEAMS[1].name), None
    )
    if showcase:
        echo("")
        echo(f"One of them, {showcase[0].relative_to(out)}:")
        echo(team_text(showcase[1], str(showcase[0]), written=True))
        _allocation_demo(showcase[0], registry, echo)
    echo("")
    echo("Consolidating the team sheets into a returns store, as the performance team does...")
    store_path = out / "returns.sqlite"
    stored, missing = consolidate_demo_returns(store_path, built, registry, today)
    echo(f"Stored {stored} returns in {store_path} (held back on purpose: {missing}).")
    as_of = min(due_date(LAST_MONTH) + dt.timedelta(days=16), today)
    statuses = returns_for(store_path, LAST_MONTH, as_of).statuses
    echo(f"Returns for {LAST_MONTH}, as of {as_of}:")
    for status in statuses:
        echo(f"  {status.service} / {status.team}: {status.status}")
    report = trend_report(store_path, out / "trend-report.xlsx", force=True).report
    echo("")
    echo(f"Wrote the trend report {out / 'trend-report.xlsx'}. What needs a look:")
    for line in report.summary[:15]:
        echo(f"  - {line}")
    if len(report.summary) > 15:
        echo(f"  ... and {len(report.summary) - 15} more on its Summary sheet.")
    echo("")
    _camhs_demo(out, echo)
    _camhs_actuals_demo(out, echo)
    echo("")
    store = _quoted(store_path)
    # a folder of worker workbooks alone: the demo's own folder holds team sheets, job plans,
    # reports and a CSV renamed .xlsx, which validate cannot read as measurement workbooks
    workers = out / _slug(TEAMS[1].name) / str(LAST_MONTH)
    echo(f"Try: workload-xl validate {_quoted(workers)} --format json")
    echo(f"     workload-xl returns --store {store} --period {LAST_MONTH}")
    echo(f"     workload-xl report --store {store} -o report.xlsx --run-length 6")
    echo(
        f'     workload-xl capa balance {_quoted(out / "camhs-jobplans.xlsx")} --without "Mo Khan"'
    )
    echo(
        f"     workload-xl import-caseload {_quoted(out / 'caseload-report.csv')} --worker "
        f'"Jo Example" --scheme childrens-social-care --service "First Response" -o jo.xlsx'
    )
    return 0


def _quoted(path: Path | str) -> str:
    """A path for a command to copy: in double quotes when it holds a space or a character a
    shell treats specially, as bash, cmd.exe and PowerShell all read them."""
    text = str(path)
    plain = all(ch.isalnum() or ch in "-_./\\:" for ch in text)
    return text if plain and text else f'"{text}"'
