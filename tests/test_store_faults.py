"""The returns store under faults, and taking everything out of it (export, check)."""

from __future__ import annotations

import contextlib
import csv
import hashlib
import multiprocessing
import os
import sqlite3
import subprocess
import sys
import textwrap

from openpyxl import load_workbook

from workload_xl.core.period import Period
from workload_xl.core.returns import ReturnLine, TeamReturn, WorkerPeriod
from workload_xl.files.return_reader import read_team_return
from workload_xl.store.database import ReturnsStore
from workload_xl.store.export import TABLES, export_store, neutralised

from .conftest import header_journal, posix_only


def a_return(team: str, workers: int = 4, lines: int = 50, name: str = "Worker") -> TeamReturn:
    people = [
        WorkerPeriod(f"{name} {i}", "Social worker", 1.0, lines, float(lines), True)
        for i in range(workers)
    ]
    rows = [
        ReturnLine(w.worker, f"C{i:02d}{j:04d}", "CIN", "case", 1.0)
        for i, w in enumerate(people)
        for j in range(lines)
    ]
    return TeamReturn(
        f"{team}.xlsx",
        team,
        "First Response",
        "childrens-social-care",
        "2026.1",
        Period(2026, 10),
        "Sam",
        people,
        rows,
    )


def _ingest_many(path: str, prefix: str, count: int, barrier) -> None:
    barrier.wait()  # both processes start writing at the same moment
    with ReturnsStore.open(path) as store:
        for i in range(count):
            digest = hashlib.sha256(f"{prefix} {i}".encode()).hexdigest()
            store.ingest(a_return(f"{prefix} {i}"), sha256=digest, source_path=f"{prefix}-{i}.xlsx")


def test_two_processes_ingesting_at_once_both_succeed(tmp_path, journal):
    path = tmp_path / "store.sqlite"
    ReturnsStore.open(path).close()  # made first, as consolidate does
    context = multiprocessing.get_context("spawn")
    barrier = context.Barrier(2)
    workers = [
        context.Process(target=_ingest_many, args=(str(path), p, 15, barrier))
        for p in ("North", "South")
    ]
    for w in workers:
        w.start()
    for w in workers:
        w.join(120)
    assert [w.exitcode for w in workers] == [0, 0]  # no "database is locked"
    with ReturnsStore.open(path) as store:
        assert len(store.submissions()) == 30
        assert store.integrity() == []
        assert header_journal(path) == journal  # while open: the journal chosen was used
    db = sqlite3.connect(path)
    assert db.execute("SELECT COUNT(*) FROM return_lines").fetchone()[0] == 30 * 4 * 50


@posix_only
def test_a_full_disk_part_way_through_an_ingest_leaves_the_store_as_it_was(tmp_path):
    """The file size limit (RLIMIT_FSIZE) makes writes past it fail as a full disk would."""
    path = tmp_path / "store.sqlite"
    with ReturnsStore.open(path) as store:
        store.ingest(a_return("Before"), sha256="a" * 64, source_path="before.xlsx")
    before = path.stat().st_size
    script = textwrap.dedent(f"""
        import resource, signal, sys
        sys.path.insert(0, {str(tmp_path.parent.parent)!r})
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        from tests.test_store_faults import a_return
        from workload_xl.store.database import ReturnsStore
        store = ReturnsStore.open({str(path)!r})
        store.db.execute("PRAGMA journal_mode = DELETE")  # so the main file must grow
        limit = {before} + 8192
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))
        try:
            store.ingest(a_return("Huge", workers=40, lines=400), sha256="b" * 64,
                         source_path="huge.xlsx")
        except Exception as exc:
            print(type(exc).__name__, exc)
            sys.exit(3)
        sys.exit(0)
    """)
    import pathlib

    root = pathlib.Path(__file__).resolve().parent.parent
    script = script.replace(repr(str(tmp_path.parent.parent)), repr(str(root)))
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 3, done.stdout + done.stderr
    with ReturnsStore.open(path) as store:
        assert [s.team for s in store.submissions()] == ["Before"]
        assert store.integrity() == []


def test_export_writes_every_table_whole_to_csv_and_a_workbook_text_kept_as_text(tmp_path):
    path = tmp_path / "store.sqlite"
    with ReturnsStore.open(path) as store:
        store.ingest(
            a_return("North", name='=HYPERLINK("http://x")'),
            sha256="a" * 64,
            source_path="north.xlsx",
        )
        store.ingest(
            a_return("South", workers=2, lines=3), sha256="b" * 64, source_path="south.xlsx"
        )
        store.add_team("First Response", "+East")
        store.ingest(
            a_return("South", workers=2, lines=3, name="Older"),
            sha256="c" * 64,
            source_path="south-older.xlsx",
        )  # supersedes South's first return
        out = tmp_path / "export"
        out.mkdir()
        done, problems = export_store(store.db, out, sheet_rows=4)
    assert problems == []
    db = sqlite3.connect(path)
    for exported in done:
        expected = db.execute(f"SELECT COUNT(*) FROM {exported.table}").fetchone()[0]
        with exported.csv_path.open(encoding="utf-8-sig", newline="") as handle:
            rows = list(csv.reader(handle))
        assert exported.rows == expected == len(rows) - 1, exported.table
    assert {e.table for e in done} == set(TABLES)

    lines = next(e for e in done if e.table == "return_lines")
    with lines.csv_path.open(encoding="utf-8-sig", newline="") as handle:
        workers = {row[1] for row in list(csv.reader(handle))[1:]}
    assert '\'=HYPERLINK("http://x") 0' in workers  # neutralised, never a formula
    assert not any(w.startswith("=") for w in workers)

    wb = load_workbook(out / "returns-store.xlsx")
    # Worker rows whole, 3 a sheet under the heading: North's 4, South's 2 and 2 again: 8.
    people = next(e for e in done if e.table == "worker_periods")
    assert people.sheets == ("worker_periods", "worker_periods (2)", "worker_periods (3)")
    assert sum(wb[name].max_row - 1 for name in people.sheets) == people.rows == 8
    cell = wb["worker_periods"]["B2"]
    assert cell.value == '=HYPERLINK("http://x") 0' and cell.data_type == "s"
    assert wb["teams"]["C2"].value == "+East"
    # The lines summed by year, team and item over current returns: North's 4 workers x 50
    # lines of 1 point, and South's revised return's 2 x 3 (the first one's 6 left out).
    assert lines.sheets == ("return_lines by year",)
    summary = [[c.value for c in row] for row in wb["return_lines by year"].iter_rows()]
    assert summary == [
        ["year", "service", "team", "item_code", "kind", "returns", "lines", "agreed_points"],
        ["2026", "First Response", "North", "CIN", "case", 1, 200, 200],
        ["2026", "First Response", "South", "CIN", "case", 1, 6, 6],
    ]

    _, problems = export_store(sqlite3.connect(path), out)
    assert [p.rule for p in problems] == ["output-exists"]  # never over a file unasked


def test_neutralising_leaves_numbers_and_ordinary_text_alone():
    assert neutralised("-5") == "'-5" and neutralised(-5) == -5
    assert neutralised("@SUM(A1)") == "'@SUM(A1)" and neutralised("\tx") == "'\tx"
    assert neutralised("Jo Example") == "Jo Example" and neutralised(None) is None


@posix_only
def test_consolidate_into_a_store_that_cannot_grow_is_a_finding_not_a_traceback(tmp_path, registry):
    from benchmarks.corpus import synthetic_team, write_with_project

    folder = tmp_path / "returns"
    folder.mkdir()
    for seed in (1, 2):  # real team workbooks, as the tool writes them
        write_with_project(
            folder / f"team-{seed}.xlsx",
            synthetic_team(seed, registry.get("childrens-social-care"), workers=6, rows=30),
        )
    store = tmp_path / "store.sqlite"
    ReturnsStore.open(store).close()
    script = textwrap.dedent(f"""
        import resource, signal, sys
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        from workload_xl.cli import main
        size = {store.stat().st_size}
        resource.setrlimit(resource.RLIMIT_FSIZE, (size, size))
        sys.argv = ["workload-xl", "consolidate", {str(folder)!r}, "--store", {str(store)!r}]
        main()
    """)
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=120
    )
    output = done.stdout + done.stderr
    assert done.returncode == 2, output
    assert "Traceback" not in output and "store-unusable" in output
    assert "could not be written" in " ".join(output.split())  # however the message wraps
    with ReturnsStore.open(store) as opened:
        stored = opened.submissions()
        assert opened.integrity() == []
    assert len(stored) < 2  # the run stopped at the file the store could not take
    db = sqlite3.connect(store)
    for submission in stored:  # and what went in before it went in whole
        lines = db.execute(
            "SELECT COUNT(*) FROM return_lines WHERE submission_id = ?", (submission.id,)
        ).fetchone()[0]
        ret, _ = read_team_return(folder / submission.file_name, registry)
        assert lines == len(ret.lines)


def test_store_check_and_export_from_the_command_line(tmp_path):
    from click.testing import CliRunner

    from workload_xl.cli import main

    path = tmp_path / "store.sqlite"
    with ReturnsStore.open(path) as store:
        store.ingest(a_return("North"), sha256="a" * 64, source_path="north.xlsx")
    runner = CliRunner()
    checked = runner.invoke(main, ["store", "check", "--store", str(path)])
    assert checked.exit_code == 0, checked.output
    assert "1 returns stored (1 current, 0 superseded)" in checked.output
    assert "Integrity check: sound." in checked.output

    out = tmp_path / "out"
    out.mkdir()
    exported = runner.invoke(main, ["store", "export", "--store", str(path), "-o", str(out)])
    assert exported.exit_code == 0, exported.output
    assert sorted(p.name for p in out.iterdir()) == sorted(
        [f"{t}.csv" for t in TABLES] + ["returns-store.xlsx"]
    )
    assert "return_lines: 200 rows -> return_lines.csv" in exported.output
    again = runner.invoke(main, ["store", "export", "--store", str(path), "-o", str(out)])
    assert again.exit_code == 1 and "output-exists" in again.output

    missing = runner.invoke(main, ["store", "check", "--store", str(tmp_path / "none.sqlite")])
    assert missing.exit_code == 2 and "store-unusable" in missing.output


def test_store_check_finds_a_damaged_store(tmp_path):
    from click.testing import CliRunner

    from workload_xl.cli import main

    path = tmp_path / "store.sqlite"
    with ReturnsStore.open(path) as store:
        for i in range(40):
            store.ingest(a_return(f"Team {i}"), sha256=f"{i:064d}", source_path=f"{i}.xlsx")
        store.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    db = sqlite3.connect(path)
    # Break an index behind SQLite's back: the table and its index now disagree.
    db.execute("PRAGMA writable_schema = ON")
    db.execute(
        "UPDATE sqlite_schema SET sql = replace(sql, 'submission_id', 'worker') "
        "WHERE name = 'return_lines_by_submission'"
    )
    db.commit()
    db.close()
    checked = CliRunner().invoke(main, ["store", "check", "--store", str(path)])
    assert checked.exit_code == 1, checked.output
    assert "store-damaged" in checked.output and "Traceback" not in checked.output


@posix_only
def test_consolidate_killed_at_random_moments_leaves_a_store_a_rerun_completes(
    tmp_path, registry, journal
):
    """kill -9 of the real command at three random moments of a 60-file run: each time the
    store is sound, every return in it is whole, and running again stores the rest once,
    with the write-ahead log and with the rollback journal (a network share's)."""
    import random
    import signal
    import time

    from benchmarks.corpus import synthetic_team, write_with_xlsxwriter

    folder = tmp_path / "returns"
    folder.mkdir()
    scheme = registry.get("childrens-social-care")
    expected = {}
    for seed in range(60):
        path = folder / f"team-{seed:02d}.xlsx"
        team = synthetic_team(seed, scheme, workers=8, rows=25, history=0)
        write_with_xlsxwriter(path, team)
        expected[path.name] = len(team.cases)
    store = tmp_path / "store.sqlite"
    command = [
        sys.executable,
        "-m",
        "workload_xl",
        "consolidate",
        str(folder),
        "--store",
        str(store),
    ]
    chooser = random.Random(20261123)
    seen = []
    for _ in range(3):
        # Wait until a few more returns are in (never all: the run must be cut short), then a
        # random moment more: mid-ingest. Counted before the run starts, while nothing writes.
        target = min(max(0, _stored(store)) + chooser.randint(1, 12), len(expected) - 1)
        child = subprocess.Popen(
            command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True
        )
        deadline = time.monotonic() + 60
        while _stored(store) < target and child.poll() is None and time.monotonic() < deadline:
            time.sleep(0.005)
        time.sleep(chooser.uniform(0, 0.05))
        with contextlib.suppress(ProcessLookupError):  # it may just have finished
            os.killpg(child.pid, signal.SIGKILL)  # the command and its reader processes
        child.wait()
        header = header_journal(store)
        with ReturnsStore.open(store) as opened:
            assert opened.integrity() == []
            stored = opened.submissions()
            counts = dict(
                opened.db.execute(
                    "SELECT submission_id, COUNT(*) FROM return_lines GROUP BY submission_id"
                ).fetchall()
            )
        assert all(counts.get(s.id) == expected[s.file_name] for s in stored)
        if len(stored) < len(expected):  # cut short: killed before it could close the store
            assert header == journal
        seen.append(len(stored))
    assert any(0 < n < 60 for n in seen), seen  # killed part-way, not only after the end
    finished = subprocess.run(command, capture_output=True, text=True, timeout=300)
    assert finished.returncode == 0, finished.stdout + finished.stderr
    with ReturnsStore.open(store) as opened:
        stored = opened.submissions()
    assert sorted(s.file_name for s in stored) == sorted(expected)  # each once, none lost


def _stored(store) -> int:
    """Returns in the store now, read beside a running consolidation (WAL lets readers in)."""
    if not store.exists():
        return 0
    try:
        # read-only and never waiting: with the rollback journal a writer locks readers out,
        # and a reader that waits lets the run finish before the test can stop it
        db = sqlite3.connect(f"file:{store}?mode=ro", uri=True, timeout=0)
        try:
            return db.execute("SELECT COUNT(*) FROM submissions").fetchone()[0]
        finally:
            db.close()
    except sqlite3.Error:  # being made (no table yet), or locked this moment
        return -1
