"""Consolidation end to end: two years of returns from teams in two services, into the store,
then the tracker and the trend report, every figure checked against the inputs written here."""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import statistics
from dataclasses import replace
from itertools import pairwise
from pathlib import Path

import pytest
from click.testing import CliRunner
from openpyxl import load_workbook

from workload_xl.cli import main
from workload_xl.core.period import FOUR_WEEKS, Period, previous_months
from workload_xl.core.team import CaseRow, TeamSheet, WorkerRow
from workload_xl.core.trends import build_trend_report
from workload_xl.files.team_workbook import write_team_workbook
from workload_xl.services.consolidate import consolidate_files
from workload_xl.store.database import ReturnsStore

from .conftest import posix_only, sha256

SERVICES = {
    "Safeguarding and Support": ("childrens-social-care", ["North", "South"], "month"),
    "Leaving Care": ("leaving-care", ["LC Team"], FOUR_WEEKS),
}
WORKERS = ("Ann", "Bob", "Cat", "Dan")
OCT = Period(2026, 10)


def periods_of(kind: str) -> list[Period]:
    if kind == "month":
        return previous_months(Period(2026, 10), 24)
    out = [Period(2026, 11, FOUR_WEEKS)]
    while len(out) < 24:
        out.insert(0, out[0].previous())
    return out


def points(team: str, worker: str, index: int) -> float:
    """A known, varied load: South shifts up by 30 points from its 19th period on."""
    base = 80 + 5 * WORKERS.index(worker) + (index * 7) % 5
    return base + (30 if team == "South" and index >= 18 else 0)


def team_sheet(
    service: str, scheme_id: str, team: str, period: Period, index: int, bump: float = 0
) -> TeamSheet:
    workers, cases = [], []
    for worker in WORKERS:
        total = points(team, worker, index) + bump
        # two cases scored within the scheme's range, the rest of the load as duty days
        workers.append(
            WorkerRow(
                worker,
                "Social worker",
                1.0,
                2,
                13.0,
                total - 13.0,
                total,
                total,
                True,
                f"{worker}.xlsx (Measurement)",
            )
        )
        ref = f"{team[:2].upper()}{WORKERS.index(worker)}"
        cases += [
            CaseRow(worker, f"{ref}-1", "CIN", "Child in need", "case", 5.0),
            CaseRow(worker, f"{ref}-2", "CPP", "Child protection plan", "case", 8.0),
            CaseRow(worker, "", "DUTY", "Duty day", "activity", total - 13.0),
        ]
    values = [w.points_per_fte for w in workers]
    return TeamSheet(
        team,
        service,
        scheme_id,
        "2026.1",
        period,
        "Manager",
        workers,
        cases,
        [],
        statistics.fmean(values),
        statistics.median(values),
        statistics.stdev(values) / statistics.fmean(values),
    )


@pytest.fixture(scope="module")
def inbox(tmp_path_factory) -> Path:
    """Every team's returns, each monthly file last saved on the 3rd of the month after its
    period (when the team sent it: the tracker's received day, as they have no date signed)."""
    folder = tmp_path_factory.mktemp("inbox")
    for service, (scheme_id, teams, kind) in SERVICES.items():
        for team in teams:
            for index, period in enumerate(periods_of(kind)):
                path = folder / f"{team}-{period}.xlsx".replace(" ", "-")
                assert (
                    write_team_workbook(path, team_sheet(service, scheme_id, team, period, index))
                    == []
                )
                if kind == "month":
                    after = period.next()
                    sent = dt.datetime(after.year, after.number, 3, 10, 0).timestamp()
                    os.utime(path, (sent, sent))
    return folder


@pytest.fixture
def store_path(tmp_path) -> Path:
    return tmp_path / "returns.sqlite"


def test_two_years_of_returns_from_two_services_go_into_the_store(inbox, store_path):
    hashes = {p: sha256(p) for p in inbox.iterdir()}
    run = consolidate_files([inbox], store_path)
    assert run.exit_code == 0, run.report.findings
    assert len(run.stored) == 72 and run.failed == [] and run.already == []
    assert {p: sha256(p) for p in inbox.iterdir()} == hashes  # sources only read
    with ReturnsStore.open(store_path) as store:
        subs = store.submissions()
        rows = store.worker_periods()
        assert store.integrity() == []
    assert len(subs) == 72 and len(rows) == 72 * 4
    north = {(r.period, r.worker): r.total_points for r in rows if r.team == "North"}
    months = periods_of("month")
    for index, period in enumerate(months):
        for worker in WORKERS:
            assert north[(str(period), worker)] == pytest.approx(points("North", worker, index))
    sample = next(s for s in subs if s.team == "LC Team")
    assert (sample.period_kind, sample.scheme_id, sample.service) == (
        FOUR_WEEKS,
        "leaving-care",
        "Leaving Care",
    )
    assert len(sample.sha256) == 64 and sample.file_name.startswith("LC-Team-")


def test_the_same_files_again_change_nothing_and_a_revision_supersedes(
    inbox, store_path, tmp_path, monkeypatch
):
    from workload_xl.files import return_reader

    consolidate_files([inbox], store_path)
    copy = tmp_path / "copy-of-north.xlsx"
    shutil.copy(inbox / "North-2026-10.xlsx", copy)
    read = []
    real = return_reader.read_team_returns

    def watched(paths, *args, **kwargs):  # the real reader, with what it is given noted
        read.extend(paths)
        return real(paths, *args, **kwargs)

    monkeypatch.setattr(return_reader, "read_team_returns", watched)
    again = consolidate_files([inbox, copy], store_path)
    assert len(again.already) == 73 and again.stored == []
    assert read == []  # files the store has seen are known by their bytes, not parsed again
    assert {f.rule for f in again.report.findings} == {"return-already-stored"}
    revised = tmp_path / "North-2026-10-revised.xlsx"
    write_team_workbook(
        revised,
        team_sheet(
            "Safeguarding and Support",
            "childrens-social-care",
            "North",
            Period(2026, 10),
            23,
            bump=12,
        ),
    )
    run = consolidate_files([revised], store_path)
    assert run.superseded == ["North-2026-10.xlsx"]
    (found,) = run.report.findings
    assert found.rule == "return-superseded"
    with ReturnsStore.open(store_path) as store:
        subs = store.submissions()
        current = store.worker_periods()
    assert len(subs) == 73
    latest = {
        r.worker: r.total_points for r in current if r.team == "North" and r.period == "2026-10"
    }
    assert latest == {w: pytest.approx(points("North", w, 23) + 12) for w in WORKERS}


def test_a_failing_file_is_refused_and_named_while_the_others_go_in(
    inbox, store_path, tmp_path, registry
):
    from workload_xl.files.worker_template import write_worker_workbook

    bad = tmp_path / "bad"
    bad.mkdir()
    (bad / "random.xlsx").write_bytes(b"\x00\x01" * 300)
    scheme = registry.get("childrens-social-care")
    write_worker_workbook(bad / "a-worker-sheet.xlsx", scheme)  # in a folder: skipped
    write_worker_workbook(tmp_path / "named-worker-sheet.xlsx", scheme)  # named: refused
    good = [inbox / "North-2026-09.xlsx", inbox / "South-2026-09.xlsx"]
    run = consolidate_files([bad, tmp_path / "named-worker-sheet.xlsx", *good], store_path)
    assert run.exit_code == 1
    assert sorted(Path(p).name for p in run.failed) == ["named-worker-sheet.xlsx", "random.xlsx"]
    assert [Path(p).name for p in run.skipped] == ["a-worker-sheet.xlsx"]
    assert len(run.stored) == 2
    rules = {(Path(f.workbook).name, f.rule) for f in run.report.findings}
    assert ("named-worker-sheet.xlsx", "return-invalid") in rules
    assert ("random.xlsx", "file-not-workbook") in rules
    assert ("bad", "return-skipped") in rules


def test_an_interrupted_consolidation_leaves_whole_returns_and_can_be_run_again(
    inbox, store_path, monkeypatch
):
    """Ctrl-C (or a crash) part-way: the files before are stored whole, none is half-stored."""
    from workload_xl.store.database import ReturnsStore as Store

    real = Store.ingest
    calls = {"n": 0}

    def ingest_then_die(self, ret, **kwargs):
        calls["n"] += 1
        if calls["n"] == 5:
            self.db.execute("BEGIN IMMEDIATE")
            self.db.execute(
                "INSERT INTO submissions (file_name, source_path, sha256, "
                "ingested_at, team, service, scheme_id, scheme_version, period, "
                "period_kind) VALUES ('x','x','x','x','x','x','x','x','x','x')"
            )
            raise KeyboardInterrupt  # the transaction is never committed
        return real(self, ret, **kwargs)

    monkeypatch.setattr(Store, "ingest", ingest_then_die)
    run = consolidate_files([inbox], store_path)
    assert run.interrupted and len(run.stored) == 4
    monkeypatch.setattr(Store, "ingest", real)
    with ReturnsStore.open(store_path) as store:
        assert store.integrity() == []
        assert len(store.submissions()) == 4
        assert all(
            n == 4
            for (n,) in store.db.execute(
                "SELECT COUNT(*) FROM worker_periods GROUP BY submission_id"
            )
        )
    rerun = consolidate_files([inbox], store_path)
    assert (len(rerun.already), len(rerun.stored)) == (4, 68)


def test_a_store_that_is_not_a_store_stops_the_run(inbox, tmp_path):
    junk = tmp_path / "returns.sqlite"
    junk.write_text("my notes")
    result = CliRunner().invoke(main, ["consolidate", str(inbox), "--store", str(junk)])
    assert result.exit_code == 2 and "store-unusable" in result.output
    assert junk.read_text() == "my notes"


def test_the_commands_a_performance_team_runs(inbox, store_path, tmp_path):
    runner = CliRunner()
    added = runner.invoke(
        main,
        [
            "teams",
            "add",
            "North",
            "South",
            "West",
            "--service",
            "Safeguarding and Support",
            "--store",
            str(store_path),
        ],
    )
    assert added.exit_code == 0 and "Added: West" in added.output
    done = runner.invoke(
        main, ["consolidate", str(inbox), "--store", str(store_path), "--format", "json"]
    )
    assert done.exit_code == 0
    assert len(json.loads(done.output)["stored"]) == 72
    status = runner.invoke(
        main,
        ["returns", "--store", str(store_path), "--period", "2026-10", "--today", "2026-12-01"],
    )
    assert status.exit_code == 0
    lines = {line.split()[-1]: line for line in status.output.splitlines() if "xlsx" in line}
    # sent (the file's time) on 2026-11-03, by the due day 2026-11-07
    assert lines["North-2026-10.xlsx"].split()[-6:] == [
        "on",
        "time",
        "2026-11-03",
        "file",
        "time",
        "North-2026-10.xlsx",
    ]
    assert "West" in status.output and "missing" in status.output
    listed = runner.invoke(main, ["teams", "list", "--store", str(store_path)])
    assert "West" in listed.output
    out = tmp_path / "report.xlsx"
    report = runner.invoke(main, ["report", "--store", str(store_path), "-o", str(out)])
    assert report.exit_code == 0, report.output
    assert "South: mean points per FTE was unusually high for this team" in report.output


def test_consolidation_stores_what_the_scheme_expects_of_each_worker(tmp_path, store_path):
    """expected points = reference points × band capacity factor × FTE, under the return's
    scheme (childrens-social-care 2026.1: 100 points; ASYE 0.9, Social worker 1.0, Advanced
    practitioner 0.8): 100 × 0.9 × 0.8 = 72, 100 × 1.0 × 1.0 = 100, 100 × 0.8 × 0.5 = 40; a
    band the scheme does not have, none. A return made with another version of the scheme than
    the file loaded gets none (its reference level may differ)."""
    people = [
        ("Ann", "Newly qualified (ASYE)", 0.8),
        ("Bob", "Social worker", 1.0),
        ("Cat", "Advanced practitioner", 0.5),
        ("Dan", "Team leader", 1.0),
    ]
    sheet = team_sheet("Safeguarding and Support", "childrens-social-care", "North", OCT, 0)
    workers = [
        replace(w, worker=name, band=band, fte=fte)
        for w, (name, band, fte) in zip(sheet.workers, people, strict=True)
    ]
    cases = [replace(c, worker=people[WORKERS.index(c.worker)][0]) for c in sheet.cases]
    inbox = tmp_path / "in"
    inbox.mkdir()
    assert write_team_workbook(inbox / "a.xlsx", replace(sheet, workers=workers, cases=cases)) == []
    older = replace(
        sheet, workers=workers, cases=cases, period=OCT.previous(), scheme_version="2025.1"
    )
    assert write_team_workbook(inbox / "b.xlsx", older) == []
    consolidate_files([inbox], store_path)
    with ReturnsStore.open(store_path) as store:
        rows = store.worker_periods()
    expected = {(r.period, r.worker): r.expected_points for r in rows}
    assert expected == {
        ("2026-10", "Ann"): pytest.approx(72.0),
        ("2026-10", "Bob"): pytest.approx(100.0),
        ("2026-10", "Cat"): pytest.approx(40.0),
        ("2026-10", "Dan"): None,
        ("2026-09", "Ann"): None,
        ("2026-09", "Bob"): None,
        ("2026-09", "Cat"): None,
        ("2026-09", "Dan"): None,
    }
    assert {(r.period, r.scheme_id, r.scheme_version) for r in rows} == {
        ("2026-10", "childrens-social-care", "2026.1"),
        ("2026-09", "childrens-social-care", "2025.1"),
    }


# --- the trend report -----------------------------------------------------------------------


def test_the_report_figures_are_the_inputs_rolled_up_per_service(inbox, store_path):
    consolidate_files([inbox], store_path)
    with ReturnsStore.open(store_path) as store:
        report = build_trend_report(store.worker_periods())
    services = {s.service: s for s in report.services}
    assert set(services) == set(SERVICES)
    safeguarding = services["Safeguarding and Support"]
    assert safeguarding.periods == [str(p) for p in periods_of("month")]
    north, south = safeguarding.teams
    for index in range(24):
        n = [points("North", w, index) for w in WORKERS]
        s = [points("South", w, index) for w in WORKERS]
        assert north.points_per_fte[index] == pytest.approx(sum(n) / 4.0)
        assert north.total_points[index] == pytest.approx(sum(n))
        assert north.total_fte[index] == pytest.approx(4.0)
        assert north.spread[index] == pytest.approx(statistics.stdev(n) / statistics.fmean(n))
        assert safeguarding.service_mean[index] == pytest.approx(statistics.fmean(n + s))
        assert south.vs_service[index] == pytest.approx(
            statistics.fmean(s) - statistics.fmean(n + s)
        )
    # South's step up of 30 points is special-cause variation, high; North's is not.
    assert any(p.variation == "special cause high" for p in south.spc[18:])
    assert all(p.variation == "common" for p in north.spc)
    assert any(line.startswith("Safeguarding and Support: South") for line in report.summary)
    # North's own series says nothing; only that, once South stepped up, North's load sits
    # more than 12 points below the service's (which South now lifts)
    (north_said,) = [line for line in report.summary if ": North:" in line]
    assert "North: load against expected was lower than the service's" in north_said
    assert north_said.count("%, ") and "to 2026-10)" in north_said


def test_the_report_can_be_limited_to_one_service_and_a_range_of_periods(inbox, store_path):
    consolidate_files([inbox], store_path)
    with ReturnsStore.open(store_path) as store:
        report = build_trend_report(
            store.worker_periods(), service="leaving care", first="2026-P01", last="2026-P06"
        )
    (only,) = report.services
    assert only.service == "Leaving Care"
    assert only.periods == [f"2026-P{n:02d}" for n in range(1, 7)]


def test_the_report_workbook_has_a_summary_service_sheets_and_xmr_charts(
    inbox, store_path, tmp_path
):
    from workload_xl.files.report_workbook import write_report

    consolidate_files([inbox], store_path)
    with ReturnsStore.open(store_path) as store:
        report = build_trend_report(store.worker_periods())
    out = tmp_path / "report.xlsx"
    assert write_report(out, report) == []
    wb = load_workbook(out)
    assert wb.sheetnames[:2] == ["Summary", "Leaving Care"]
    assert {"SPC North", "SPC South", "SPC LC Team"} <= set(wb.sheetnames)
    summary = [row[0] for row in wb["Summary"].iter_rows(min_row=5, values_only=True) if row[0]]
    assert summary[: len(report.summary)] == report.summary
    south = wb["SPC South"]
    table = south.tables[next(iter(south.tables))]
    rows = list(south[table.ref])
    assert [c.value for c in rows[0]][:4] == [
        "Period",
        "Mean points per FTE",
        "Mean",
        "Upper process limit",
    ]
    assert len(rows) == 25
    import zipfile

    with zipfile.ZipFile(out) as archive:
        charts = [n for n in archive.namelist() if n.startswith("xl/charts/chart")]
    assert len(charts) == 2 + 3  # one per service sheet, one per team


@pytest.mark.libreoffice
def test_the_report_opens_in_libreoffice_with_its_charts(inbox, store_path, tmp_path):
    """LibreOffice reads the report and writes it back with every chart it found in it."""
    import zipfile

    from tests.libreoffice import recalculate, require_soffice, run_soffice
    from workload_xl.files.report_workbook import write_report

    soffice = require_soffice()
    consolidate_files([inbox], store_path)
    with ReturnsStore.open(store_path) as store:
        report = build_trend_report(store.worker_periods())
    out = tmp_path / "report.xlsx"
    assert write_report(out, report) == []
    (converted,) = recalculate([out], tmp_path / "lo", soffice=soffice)
    with zipfile.ZipFile(converted) as archive:
        charts = [n for n in archive.namelist() if n.startswith("xl/charts/chart")]
    assert len(charts) == 5
    pdf = run_soffice([out], tmp_path / "pdf", "pdf", soffice)
    assert pdf.returncode == 0
    assert (tmp_path / "pdf" / "report.pdf").stat().st_size > 10_000


def test_a_recalculation_point_gives_the_shifted_team_fresh_limits(inbox, store_path):
    """South's step up of 30 from its 19th period is a known change: recalculating the limits
    there makes the new level the new normal (those later points are no longer outside)."""
    consolidate_files([inbox], store_path)
    with ReturnsStore.open(store_path) as store:
        rows = store.worker_periods(service="Safeguarding and Support")
    change = str(periods_of("month")[18])
    report = build_trend_report(rows, recalculate_at=[change])
    south = report.services[0].teams[1]
    after = south.spc[18:]
    values = [statistics.fmean(points("South", w, i) for w in WORKERS) for i in range(18, 24)]
    moving = [abs(b - a) for a, b in pairwise(values)]
    mean, mr = statistics.fmean(values), statistics.fmean(moving)
    assert after[0].mean == pytest.approx(mean) and after[0].trial
    assert after[0].upper_limit == pytest.approx(mean + 2.66 * mr)
    assert all("outside-limits" not in p.rules for p in after)
    assert south.spc[0].mean != pytest.approx(mean)


# --- how many files are read at once ------------------------------------------------------


def store_rows(store_path: Path) -> list[tuple]:
    with ReturnsStore.open(store_path, create=False) as store:
        return store.db.execute(
            "SELECT s.file_name, l.worker, l.case_ref, l.item_code, l.kind, l.agreed_points "
            "FROM return_lines l JOIN submissions s ON s.id = l.submission_id "
            "ORDER BY s.file_name, l.rowid"
        ).fetchall()


def test_processes_1_reads_in_one_worker_process_and_stores_what_two_store(
    inbox, tmp_path, monkeypatch
):
    from workload_xl.files import return_reader

    runner = CliRunner()
    parallel = tmp_path / "parallel.sqlite"
    done = runner.invoke(
        main, ["consolidate", str(inbox), "--store", str(parallel), "--processes", "2"]
    )
    assert done.exit_code == 0, done.output

    real, asked = return_reader.isolation.map_in_workers, []

    def counted(*args, workers, **kwargs):
        asked.append(workers)
        return real(*args, workers=workers, **kwargs)

    monkeypatch.setattr(return_reader.isolation, "map_in_workers", counted)
    alone = tmp_path / "alone.sqlite"
    done = runner.invoke(
        main, ["consolidate", str(inbox), "--store", str(alone), "--processes", "1"]
    )
    assert done.exit_code == 0, done.output
    assert asked == [1]  # one worker process: the limits hold however few are asked for
    rows = store_rows(alone)
    assert len({row[0] for row in rows}) == 72
    assert rows == store_rows(parallel)
    refused = runner.invoke(
        main, ["consolidate", str(inbox), "--store", str(alone), "--processes", "0"]
    )
    assert refused.exit_code == 2 and "--processes" in refused.output


def test_by_default_one_file_is_read_per_usable_core(inbox, registry, monkeypatch):
    from workload_xl.files import return_reader

    affinity = return_reader.isolation.os
    monkeypatch.setattr(affinity, "sched_getaffinity", lambda pid: {0, 2, 5}, raising=False)
    assert return_reader.usable_cores() == 3
    many = set(range(return_reader.MAX_DEFAULT_PROCESSES * 4))
    monkeypatch.setattr(affinity, "sched_getaffinity", lambda pid: many, raising=False)
    assert return_reader.usable_cores() == return_reader.MAX_DEFAULT_PROCESSES
    affinity = return_reader.isolation.os
    monkeypatch.setattr(affinity, "sched_getaffinity", lambda pid: {0, 2, 5}, raising=False)
    seen = []

    def spy(paths, registry, workers, seconds):
        seen.append(workers)
        return iter(())

    monkeypatch.setattr(return_reader, "_in_processes", spy)
    paths = sorted(inbox.glob("*.xlsx"))
    list(return_reader.read_team_returns(paths, registry))
    monkeypatch.setattr(affinity, "sched_getaffinity", lambda pid: {0}, raising=False)
    list(return_reader.read_team_returns(paths[:41], registry))
    assert seen == [3, 1]


def test_consolidation_reads_with_one_process_fewer_than_its_cores(inbox, tmp_path, monkeypatch):
    """The consolidating process stores every return itself, so it counts as one of the
    cores: on one or two cores one worker process reads (as --processes 1 does), on three
    two, and never more than eight."""
    from workload_xl.files import return_reader

    real, asked = return_reader.isolation.map_in_workers, []

    def counted(*args, workers, **kwargs):
        asked.append(workers)
        return real(*args, workers=workers, **kwargs)

    monkeypatch.setattr(return_reader.isolation, "map_in_workers", counted)
    affinity = return_reader.isolation.os
    few = sorted(inbox.glob("*.xlsx"))[:3]
    for number, cores in enumerate([{0}, {0, 1}, {0, 2, 5}, set(range(32))]):
        monkeypatch.setattr(affinity, "sched_getaffinity", lambda _, c=cores: c, raising=False)
        run = consolidate_files(few, tmp_path / f"store-{number}.sqlite")
        assert len(run.stored) == 3
    assert asked == [1, 2, 3, 8]  # one per core, up to 8
    given = consolidate_files(few, tmp_path / "given.sqlite", processes=2)
    assert len(given.stored) == 3 and asked[-1] == 2  # --processes N is taken as given


# --- Ctrl-C ---------------------------------------------------------------------------------


def test_an_interrupted_run_keeps_what_it_stored_and_a_rerun_stores_the_rest(inbox, store_path):
    done: list[Path] = []

    def press_ctrl_c_after_five(path: Path) -> None:
        done.append(path)
        if len(done) == 5:
            raise KeyboardInterrupt

    run = consolidate_files([inbox], store_path, progress=press_ctrl_c_after_five, processes=2)
    assert run.interrupted and run.exit_code == 130
    assert [Path(p) for p in run.stored] == done
    with ReturnsStore.open(store_path, create=False) as store:
        assert [s.file_name for s in store.submissions()] == [p.name for p in done]
        assert store.integrity() == []
    rerun = consolidate_files([inbox], store_path)
    assert not rerun.interrupted and (len(rerun.already), len(rerun.stored)) == (5, 67)


def _group_ends(group: int, seconds: float = 60) -> bool:
    """Whether every process of the group ends within `seconds`: multiprocessing's helper
    processes (the fork server, the resource tracker) leave a moment after the run."""
    import os
    import time

    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            os.killpg(group, 0)
        except ProcessLookupError:
            return True
        time.sleep(0.05)
    return False


STALL_ON_THE_TENTH = """
import sys, time
from workload_xl.services import consolidate
from workload_xl.cli import main
real, calls = consolidate._ingest_one, []
def slow(*args):
    calls.append(1)
    if len(calls) == 10:
        print("STALLED", file=sys.stderr, flush=True)
        time.sleep(60)
    return real(*args)
consolidate._ingest_one = slow
main()
"""


@posix_only
def test_ctrl_c_in_a_real_run_says_what_was_kept_and_leaves_no_process(inbox, store_path):
    """A real SIGINT to the whole process group, as a terminal's Ctrl-C sends it, while worker
    processes are reading: a sentence, exit 130, no traceback, a sound store of nine returns,
    and no process left behind."""
    import os
    import signal
    import subprocess
    import sys

    child = subprocess.Popen(
        [
            sys.executable,
            "-c",
            STALL_ON_THE_TENTH,
            "consolidate",
            str(inbox),
            "--store",
            str(store_path),
            "--processes",
            "2",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    try:
        assert child.stderr is not None
        assert child.stderr.readline().strip() == "STALLED"
        os.killpg(child.pid, signal.SIGINT)
        out, err = child.communicate(timeout=60)
    finally:
        if child.poll() is None:
            os.killpg(child.pid, signal.SIGKILL)
    assert child.returncode == 130, out + err
    assert "Traceback" not in out + err
    assert "Stopped (Ctrl-C) after 9 of 72 file(s)" in err and "9 stored" in out
    assert _group_ends(child.pid), "a process of the run outlived it"
    with ReturnsStore.open(store_path, create=False) as store:
        assert len(store.submissions()) == 9 and store.integrity() == []


def _children(pid: int) -> list[int]:
    """The processes `pid` started (Linux's /proc), none where that cannot be read."""
    import glob

    found = []
    for task in glob.glob(f"/proc/{pid}/task/*/children"):
        try:
            with open(task) as listed:
                found += [int(n) for n in listed.read().split()]
        except OSError:
            pass
    return found


@pytest.mark.skipif(not Path("/proc/self/task").exists(), reason="watches /proc (Linux)")
@pytest.mark.parametrize("method", ["forkserver", "spawn"])
@pytest.mark.parametrize(
    "moment", ["loading", "first process", "workers importing", "workers starting later"]
)
def test_ctrl_c_at_any_moment_is_one_sentence_and_130_from_every_process(
    inbox, store_path, moment, method
):
    """Ctrl-C to the whole process group while the tool loads, the moment its first helper
    process appears, and while the worker processes are still importing their reader: one
    sentence, exit 130, no traceback from any process, and none left behind."""
    import os
    import signal
    import subprocess
    import sys
    import time

    child = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "workload_xl",
            "consolidate",
            str(inbox),
            "--store",
            str(store_path),
            "--processes",
            "2",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
        env={**os.environ, "WORKLOAD_XL_START_METHOD": method},
    )
    try:
        if moment == "loading":
            time.sleep(0.15)
        else:
            deadline = time.monotonic() + 120
            while not _children(child.pid) and time.monotonic() < deadline:
                time.sleep(0.002)
            assert _children(child.pid), "no worker process was started"
            time.sleep({"first process": 0, "workers importing": 0.1}.get(moment, 0.4))
        os.killpg(child.pid, signal.SIGINT)
        out, err = child.communicate(timeout=60)
    finally:
        if child.poll() is None:
            os.killpg(child.pid, signal.SIGKILL)
    assert "Traceback" not in out + err and "KeyboardInterrupt" not in out + err, err
    if moment == "workers starting later" and "72 stored" in out:
        # the run was done: Ctrl-C came as Python was closing, which ends it with 0, or, on
        # a busy machine, killed by that SIGINT before it could say anything more
        assert child.returncode in (0, 130, -signal.SIGINT), out + err
    else:
        # 130, or killed by SIGINT, which a shell reports as 130 too: CPython now and then
        # ends a process that caught a Ctrl-C by sending itself SIGINT once it has exited.
        assert child.returncode in (130, -signal.SIGINT), out + err
        assert "Stopped (Ctrl-C)" in err and err.count("Stopped") == 1, err
    assert _group_ends(child.pid), "a process of the run outlived it"
    if store_path.exists():
        with ReturnsStore.open(store_path, create=False) as store:
            assert store.integrity() == []
