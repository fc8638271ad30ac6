"""The report, the returns tracker and the store export never break on a value the store can
hold: every extreme today's checks allow, and the values a store made by an older version
could hold (an FTE of 1e-307 once made every report fail with an AttributeError).

Stores are filled through the store's own API (`ReturnsStore.ingest`), as consolidation fills
them; the commands run as a user runs them, in a child process held to 1 GB with a
120-second guard against hangs (tests/bounded_cli.py), and must finish without a traceback.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from openpyxl import load_workbook

from workload_xl.core.measurement import MOST_UNITS
from workload_xl.core.period import Period
from workload_xl.core.returns import LINE_POINTS_LIMIT, ReturnLine, TeamReturn, WorkerPeriod
from workload_xl.core.values import FTE_MIN
from workload_xl.files.style import TEXT_LIMIT
from workload_xl.store.database import ReturnsStore

from .bounded_cli import run_cli

SERVICE, SCHEME = "First Response", "childrens-social-care"
LONGEST = "L" * (TEXT_LIMIT - 1) + "Z"  # a name as long as a cell can hold
UNICODE = ("Zoë Ñúñez", "王小明", "محمد علي", "Ama 🙂 Owusu", "Rene\u0301e", "Ōtsuka Łukasz")
LARGEST_ACTIVITY = 3 * MOST_UNITS  # Duty day: 3 points a day at most, 744 days at most


def worker(
    name: str, fte: float | None, lines: list[tuple[str, str, str, float]], counted: bool = True
) -> tuple[WorkerPeriod, list[ReturnLine]]:
    rows = [ReturnLine(name, ref, code, kind, points) for ref, code, kind, points in lines]
    total = sum(p for *_, p in lines)
    cases = sum(1 for _, _, kind, _ in lines if kind == "case")
    return WorkerPeriod(name, "Social worker", fte, cases, total, counted), rows


def a_return(team: str, period: Period, people) -> TeamReturn:
    workers = [w for w, _ in people]
    lines = [line for _, rows in people for line in rows]
    return TeamReturn(
        f"{team[:20]}-{period}.xlsx",
        team,
        SERVICE,
        SCHEME,
        "2026.1",
        period,
        "Manager",
        workers,
        lines,
    )


LAST = Period(2026, 10)


def months(count: int) -> list[Period]:
    """The `count` months up to LAST, oldest first."""
    out = [LAST]
    while len(out) < count:
        out.insert(0, out[0].previous())
    return out


def fill(store: ReturnsStore, returns: list[TeamReturn]) -> None:
    for n, ret in enumerate(returns):
        store.ingest(ret, sha256=f"{n:064x}", source_path=ret.source)


def extremes() -> list[TeamReturn]:
    """Every extreme the checks allow, each in a team of its own."""
    returns = []
    # the smallest FTE carrying the largest points a row may hold: 50 days' duty at its most
    biggest = worker("Max Load", FTE_MIN, [("", "DUTY", "activity", LARGEST_ACTIVITY)] * 50)
    zero = worker("No Load", 1.0, [])
    returns.append(a_return("One Period", Period(2026, 10), [biggest, zero]))
    # many workers over two years, every one on zero points but one
    for index, period in enumerate(months(24)):
        people = [worker(f"Worker {i:04d}", 1.0, []) for i in range(400)]
        people.append(
            worker(
                "Case Holder",
                0.5,
                [(f"C{index}", "CIN", "case", 8.0), (f"D{index}", "CIN", "case", 4.0)],
            )
        )
        returns.append(a_return("Many Workers", period, people))
    # a period only one team returned, by a worker in one period only
    returns.append(
        a_return(
            "Lone Team", Period(2024, 1), [worker("Once Only", 0.6, [("C1", "CPP", "case", 8.0)])]
        )
    )
    # names at the length limit, and two teams alike in their first 31 characters
    long_ref = "R" * TEXT_LIMIT
    for suffix in ("", " B"):
        people = [
            worker(LONGEST + suffix, 1.0, [(long_ref, "CIN", "case", 5.0)]),
            worker(LONGEST[:-1] + "Y", 1.0, [("", "DUTY", "activity", 3.0)]),
        ]
        for period in months(3):
            returns.append(a_return(LONGEST[: TEXT_LIMIT - len(suffix)] + suffix, period, people))
    # unicode everywhere, an uncounted worker with the most negative points a row may hold
    for period in months(8):
        people = [
            worker(name, 0.01 + i / 10, [(f"{name}-{i}", "LAC", "case", 7.0)])
            for i, name in enumerate(UNICODE)
        ]
        people.append(
            worker(
                "Not Counted",
                None,
                [("", "DUTY", "activity", -LINE_POINTS_LIMIT)] * 100,
                counted=False,
            )
        )
        returns.append(a_return("Équipe Nord 北", period, people))
    return returns


def run_all(store_path: Path, tmp_path: Path) -> dict[str, object]:
    """report, returns and store export over the store: each finishes, bounded, no traceback."""
    runs = {}
    runs["report"] = run_cli(
        "report", "--store", store_path, "-o", tmp_path / "report.xlsx", cwd=tmp_path
    )
    runs["returns"] = run_cli("returns", "--store", store_path, "--period", "2026-10", cwd=tmp_path)
    (tmp_path / "export").mkdir()
    runs["export"] = run_cli(
        "store", "export", "--store", store_path, "-o", tmp_path / "export", cwd=tmp_path
    )
    for name, run in runs.items():
        run.assert_bounded()
        assert run.returncode == 0, (name, run.output[-2000:])
    load_workbook(tmp_path / "report.xlsx")
    load_workbook(tmp_path / "export" / "returns-store.xlsx", read_only=True).close()
    return runs


def test_every_extreme_the_checks_allow_goes_through_report_returns_and_export(tmp_path):
    store_path = tmp_path / "store.sqlite"
    with ReturnsStore.open(store_path) as store:
        store.add_team(SERVICE, "Team Not Yet Returned")
        fill(store, extremes())
    runs = run_all(store_path, tmp_path)
    assert "Left out" not in runs["report"].output  # nothing here is beyond the checks
    report = load_workbook(tmp_path / "report.xlsx")
    assert len(set(report.sheetnames)) == len(report.sheetnames)
    assert all(len(title) <= 31 for title in report.sheetnames)
    texts = {
        c.value
        for ws in report.worksheets
        for row in ws.iter_rows()
        for c in row
        if isinstance(c.value, str)
    }
    assert "Équipe Nord 北" in texts and "SPC Équipe Nord 北" in report.sheetnames
    assert all(len(t) <= TEXT_LIMIT for t in texts)
    exported = load_workbook(tmp_path / "export" / "returns-store.xlsx", read_only=True)
    names = {row[1] for row in exported["worker_periods"].iter_rows(values_only=True)}
    exported.close()
    assert set(UNICODE) | {LONGEST, "Max Load"} <= names


@pytest.mark.parametrize(
    ("fte", "points"),
    [
        (1e-307, 80.0),  # the case: points per FTE overflow to infinity
        (5e-324, 80.0),
        (0.0, 80.0),
        (-1.0, 80.0),
        (37.5, 80.0),  # hours typed for FTE, before FTE was checked
        (1.0, float("inf")),
        (1.0, -1e308),
        (1.0, 1e308),
    ],
)
def test_a_store_from_an_older_version_holding_senseless_values_still_reports(
    tmp_path, fte, points
):
    """The row is left out of the figures and the report says so, with where it is: not a
    traceback, and the other teams' figures are still there."""
    sound = [worker(f"Sound {i}", 1.0, [(f"S{i}", "CIN", "case", 5.0)]) for i in range(3)]
    store_path = tmp_path / "old.sqlite"
    with ReturnsStore.open(store_path) as store:
        returns = [a_return("North", p, sound) for p in months(6)]
        returns += [a_return("South", p, sound) for p in months(6)]
        odd = worker("Odd One", fte, [("X1", "CIN", "case", 5.0)])
        odd = (WorkerPeriod("Odd One", "Social worker", fte, 1, points, True), odd[1])
        returns[-1] = a_return("South", months(6)[-1], [*sound, odd])
        fill(store, returns)
    runs = run_all(store_path, tmp_path)
    said = runs["report"].stderr
    assert "Left out of the figures" in said and "team South, 2026-10: 1 worker row" in said
    report = load_workbook(tmp_path / "report.xlsx")
    assert {"SPC North", "SPC South"} <= set(report.sheetnames)
    summary = [c.value for c in report["Summary"]["A"] if isinstance(c.value, str)]
    assert "Left out of the figures" in summary


def test_text_where_a_number_belongs_in_an_edited_store_still_reports(tmp_path):
    """SQLite keeps whatever a hand edit puts in a column: the report leaves that row out."""
    sound = [worker(f"Sound {i}", 1.0, [(f"S{i}", "CIN", "case", 5.0)]) for i in range(3)]
    store_path = tmp_path / "edited.sqlite"
    with ReturnsStore.open(store_path) as store:
        fill(store, [a_return("North", p, sound) for p in months(4)])
    db = sqlite3.connect(store_path)
    with db:
        db.execute("UPDATE worker_periods SET fte = 'full time' WHERE rowid = 1")
        db.execute("UPDATE worker_periods SET total_points = 'lots' WHERE rowid = 2")
    db.close()
    runs = run_all(store_path, tmp_path)
    assert "2 worker rows not counted" in runs["report"].stderr
