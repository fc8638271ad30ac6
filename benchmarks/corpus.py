"""Synthetic team workbooks for benchmarks: N realistic team returns, written quickly.

Each team is made from a seed (so a corpus is reproducible) straight into `TeamSheet` records,
never through worker workbooks: about 20 workers with about 40 rows each on the Cases sheet, a
few months of history and a few findings, as in DESIGN.md's measurement.

Two writers:
- "project": the package's own team workbook writer (openpyxl). Exact, ~0.6 s a file here.
- "xlsxwriter": the same contract (sheets, sheet-scoped defined names, tables and headings, all
  taken from `team_layout`) written with xlsxwriter, ~5x faster. It stores strings in the shared
  string table, as Excel does when a manager saves a return, where openpyxl writes them inline.
  Its formulas carry a cached 0, which no reader of ours may trust (DESIGN.md's pitfalls).

Files are written by a process pool (both cores). Run on its own to make a folder:
`python benchmarks/corpus.py FOLDER --files 1000 [--writer xlsxwriter|project]`.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from workload_xl.contracts import team as tl
from workload_xl.core.fairness import coefficient_of_variation
from workload_xl.core.period import MONTH, Period
from workload_xl.core.returns import WorkerPeriod
from workload_xl.core.schemes import Scheme, SchemeRegistry
from workload_xl.core.team import CaseRow, TeamSheet, WorkerRow

SCHEME = "childrens-social-care"
PERIOD = Period(2026, 10, MONTH)
MANIFEST = "corpus.json"

FIRST = (
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
)
LAST = (
    "Adebayo",
    "Brennan",
    "Chowdhury",
    "Davies",
    "Evans",
    "Fraser",
    "Gill",
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
    "Thomas",
    "Usman",
    "Vaughan",
    "Williams",
    "Young",
)
TEAMS = (
    "First Response East",
    "First Response West",
    "Safeguarding North",
    "Safeguarding South",
    "Children in Care Central",
    "Children in Care Coast",
)


def synthetic_team(
    seed: int, scheme: Scheme, *, workers: int = 20, rows: int = 40, history: int = 3
) -> TeamSheet:
    """A plausible team return: whole-number points within the scheme's range, part-timers,
    a worker or two not counted, and every total consistent with its rows."""
    rng = random.Random(seed)
    cases = [item for item in scheme.items if item.is_case]
    activities = [item for item in scheme.items if not item.is_case]
    team_name = f"{TEAMS[seed % len(TEAMS)]} {seed // len(TEAMS) + 1}"
    service = scheme.services[seed % len(scheme.services)]
    prefix = "".join(word[0] for word in team_name.split()[:3]).upper()
    people = rng.sample([f"{f} {la}" for f in FIRST for la in LAST], workers)
    worker_rows: list[WorkerRow] = []
    lines: list[CaseRow] = []
    for index, name in enumerate(people):
        band = rng.choice(scheme.bands).label if scheme.bands else ""
        fte = rng.choice((1.0, 1.0, 1.0, 0.8, 0.6, 0.5))
        count = max(4, rows + rng.randint(-6, 6))
        own: list[CaseRow] = []
        for k in range(count):
            item = rng.choice(cases) if k < count * 0.85 else rng.choice(activities)
            points = float(rng.randint(int(item.min), int(item.max)))
            ref = f"{prefix}-{seed:04d}-{index:02d}{k:03d}" if item.is_case else ""
            own.append(CaseRow(name, ref, item.code, item.label, item.kind, points))
        total = sum(line.agreed_points for line in own)
        case_points = sum(line.agreed_points for line in own if line.kind == "case")
        counted = index < workers - 1 or rng.random() < 0.5
        row = WorkerRow(
            worker=name,
            band=band,
            fte=fte,
            cases=sum(1 for line in own if line.kind == "case"),
            case_points=case_points,
            activity_points=total - case_points,
            total_points=total,
            points_per_fte=total / fte,
            counted=counted,
            source=f"{prefix}/{name}.xlsx (Sheet)",
        )
        if not counted:
            row.flags.append("the sheet has errors (see the Errors sheet): not in team figures")
        worker_rows.append(row)
        lines.extend(own)
    values = [w.points_per_fte for w in worker_rows if w.counted]
    for band in {w.band for w in worker_rows}:
        members = [w for w in worker_rows if w.band == band and w.counted]
        if members:
            mean = statistics.fmean(w.points_per_fte for w in members)
            for w in members:
                w.band_mean, w.band_difference = mean, w.points_per_fte - mean
    earlier, past = PERIOD, []
    for _ in range(history):
        earlier = earlier.previous()
        for w in worker_rows:
            total = w.total_points * rng.uniform(0.85, 1.15)
            past.append(
                WorkerPeriod(
                    w.worker,
                    w.band,
                    w.fte,
                    0,
                    round(total, 1),
                    True,
                    period=earlier,
                    shown_points_per_fte=round(total / w.fte, 2),
                )
            )
    return TeamSheet(
        team=team_name,
        service=service,
        scheme_id=scheme.id,
        scheme_version=scheme.version,
        period=PERIOD,
        manager=f"{rng.choice(FIRST)} {rng.choice(LAST)}",
        workers=worker_rows,
        cases=lines,
        history=past,
        mean_ppf=statistics.fmean(values),
        median_ppf=statistics.median(values),
        spread=coefficient_of_variation(values),
    )


# --- writers -------------------------------------------------------------------------------


def write_with_project(path: Path, team: TeamSheet) -> None:
    from workload_xl.files.team_workbook import write_team_workbook

    problems = write_team_workbook(path, team, force=True)
    if problems:
        raise RuntimeError(f"{path}: {problems[0].message}")


def write_with_xlsxwriter(path: Path, team: TeamSheet) -> None:
    """The team workbook contract written by xlsxwriter: same sheets, names, tables, headings
    and header places as the project's writer, values where it writes values and the native
    total formulas where it writes formulas."""
    import xlsxwriter

    wb = xlsxwriter.Workbook(str(path))
    bold = wb.add_format({"bold": True})
    ws = wb.add_worksheet(tl.TEAM_SHEET)
    ws.write(0, 0, "Team workload measurement sheet", bold)
    ws.write(1, 0, "Points inform a discussion; there is no maximum.")
    header = {
        "team": team.team,
        "service": team.service,
        "period": str(team.period),
        "scheme_id": team.scheme_id,
        "scheme_version": team.scheme_version,
        "manager": team.manager,
        "mean_ppf": team.mean_ppf,
        "median_ppf": team.median_ppf,
        "spread": team.spread,
    }
    places = tl.field_places()
    for spec in tl.TEAM_HEADER + tl.TEAM_TOTALS:
        row, column = places[spec.key]
        ws.write_string(row - 1, column - 2, spec.label, bold)
        if spec.formula:
            ws.write_formula(row - 1, column - 1, spec.formula)
        elif isinstance(header.get(spec.key), str):
            ws.write_string(row - 1, column - 1, header[spec.key])
        elif header.get(spec.key) is not None:
            ws.write_number(row - 1, column - 1, round(header[spec.key], 4))
        address = f"${chr(64 + column)}${row}"
        wb.define_name(f"'{tl.TEAM_SHEET}'!{spec.name}", f"='{tl.TEAM_SHEET}'!{address}")
    data = [tl.encode_worker(w) for w in team.workers]
    _table(ws, tl.TEAM_TABLE, tl.TABLE_TOP_ROW - 1, [c.header for c in tl.TEAM_COLUMNS], data)
    cases = [tl.encode_case(c) for c in team.cases]
    _table(wb.add_worksheet(tl.CASES_SHEET), tl.CASES_TABLE, 0, tl.CASES_COLUMNS, cases)
    history = [tl.encode_history(h) for h in team.history]
    _table(wb.add_worksheet(tl.HISTORY_SHEET), tl.HISTORY_TABLE, 0, tl.HISTORY_COLUMNS, history)
    errors = [
        [
            "info",
            "band-too-small",
            "(this workbook)",
            tl.TEAM_SHEET,
            "",
            "Experience band",
            "Too few workers share this band to compare them.",
        ]
    ]
    _table(wb.add_worksheet(tl.ERRORS_SHEET), tl.ERRORS_TABLE, 0, tl.ERRORS_COLUMNS, errors)
    wb.close()


def _table(ws, name: str, top: int, headings, rows: list[list]) -> None:
    """A table whose header row is 0-based row `top`, values written as the project does
    (None as an empty cell, text always as text)."""
    rows = rows or [[None] * len(headings)]
    ws.add_table(
        top,
        0,
        top + len(rows),
        len(headings) - 1,
        {
            "name": name,
            "columns": [{"header": h} for h in headings],
            "style": "Table Style Light 9",
        },
    )
    for r, values in enumerate(rows, start=top + 1):
        for c, value in enumerate(values):
            if value is None:
                continue
            if isinstance(value, str):
                ws.write_string(r, c, value)
            else:
                ws.write_number(r, c, value)


WRITERS = {"project": write_with_project, "xlsxwriter": write_with_xlsxwriter}


def default_writer() -> str:
    try:
        import xlsxwriter  # noqa: F401
    except ImportError:
        return "project"
    return "xlsxwriter"


def _write_one(job: tuple[str, int, str, int, int]) -> str:
    folder, seed, writer, workers, rows = job
    scheme = SchemeRegistry.from_dir().get(SCHEME)
    path = Path(folder) / f"team-{seed:05d}.xlsx"
    WRITERS[writer](path, synthetic_team(seed, scheme, workers=workers, rows=rows))
    return str(path)


def write_corpus(
    folder: Path,
    count: int,
    *,
    writer: str | None = None,
    workers: int = 20,
    rows: int = 40,
    processes: int = 2,
) -> list[Path]:
    """`count` team workbooks in `folder`; an existing corpus of the same shape is reused."""
    writer = writer or default_writer()
    folder.mkdir(parents=True, exist_ok=True)
    shape = {"count": count, "writer": writer, "workers": workers, "rows": rows}
    manifest = folder / MANIFEST
    paths = [folder / f"team-{seed:05d}.xlsx" for seed in range(count)]
    reuse = manifest.is_file() and json.loads(manifest.read_text()) == shape
    if reuse and all(p.is_file() for p in paths):
        return paths
    manifest.unlink(missing_ok=True)
    jobs = [(str(folder), seed, writer, workers, rows) for seed in range(count)]
    if processes > 1 and count > 1:
        with ProcessPoolExecutor(processes) as pool:
            list(pool.map(_write_one, jobs, chunksize=8))
    else:
        for job in jobs:
            _write_one(job)
    manifest.write_text(json.dumps(shape))
    return paths


def main() -> None:
    parser = argparse.ArgumentParser(description="Write a corpus of synthetic team workbooks.")
    parser.add_argument("folder", type=Path)
    parser.add_argument("--files", type=int, default=1000)
    parser.add_argument("--writer", choices=sorted(WRITERS), default=None)
    parser.add_argument("--processes", type=int, default=2)
    args = parser.parse_args()
    start = time.perf_counter()
    paths = write_corpus(args.folder, args.files, writer=args.writer, processes=args.processes)
    seconds = time.perf_counter() - start
    print(f"{len(paths)} team workbooks in {args.folder} ({seconds:.1f} s)")


if __name__ == "__main__":
    main()
