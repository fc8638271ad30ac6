"""The returns store: provenance, idempotent ingest, supersession, crash safety, the tracker."""

from __future__ import annotations

import datetime as dt
import os
import sqlite3
import subprocess
import sys
import textwrap
import time
from itertools import chain

import pytest

from workload_xl.core.findings import Refused
from workload_xl.core.period import Period
from workload_xl.core.returns import LineRows, ReturnLine, TeamReturn, WorkerPeriod
from workload_xl.core.tracker import due_date, return_statuses
from workload_xl.store.database import ReturnsStore

from .conftest import header_journal

MOMENT = dt.datetime(2026, 11, 3, 9, 30, tzinfo=dt.UTC)


OCTOBER = Period(2026, 10)


def a_return(team="North", period=OCTOBER, workers=3, points=80.0, service="FR"):
    people = [
        WorkerPeriod(f"Worker {i}", "Social worker", 1.0, 10, points + i, True)
        for i in range(workers)
    ]
    lines = [
        ReturnLine(w.worker, f"C{i}{j}", "CIN", "case", w.total_points / 10)
        for i, w in enumerate(people)
        for j in range(10)
    ]
    return TeamReturn(
        "north.xlsx", team, service, "childrens-social-care", "2026.1", period, "Sam", people, lines
    )


def counts(path) -> tuple[int, int, int]:
    db = sqlite3.connect(path)
    return tuple(
        db.execute(f"SELECT COUNT(*) FROM {t}").fetchone()[0]
        for t in ("submissions", "worker_periods", "return_lines")
    )


@pytest.mark.parametrize("form", ["records", "flat"])
@pytest.mark.parametrize("n_lines", [0, 1, 99, 100, 101, 250, 1000])
def test_every_line_is_stored_whole_and_in_order_however_many(tmp_path, n_lines, form):
    """Lines go in a hundred to a statement: the counts either side of that are checked, with
    the lines as records and as the flat tuple a worker process sends (LineRows)."""
    ret = a_return()
    lines = [
        ReturnLine(
            f"Worker {i % 3}",
            f"C{i}",
            "CIN" if i % 2 else "",
            "case",
            None if i % 7 == 0 else i / 4,
        )
        for i in range(n_lines)
    ]
    ret.lines = lines if form == "records" else LineRows(tuple(chain.from_iterable(lines)))
    with ReturnsStore.open(tmp_path / "store.sqlite") as store:
        store.ingest(a_return(team="South"), sha256="b" * 64, source_path="south.xlsx")
        done = store.ingest(ret, sha256="a" * 64, source_path="north.xlsx")
        stored = store.db.execute(
            "SELECT worker, case_ref, item_code, kind, agreed_points FROM return_lines "
            "WHERE submission_id = ? ORDER BY rowid",
            (done.submission_id,),
        ).fetchall()
    assert [ReturnLine(*row) for row in stored] == lines


def test_flat_lines_read_as_the_records_they_hold():
    ann = ReturnLine("Ann", "C1", "CIN", "case", 4.0)
    bob = ReturnLine("Bob", "C2", "ACT", "activity", None)
    rows = LineRows(("Ann", "C1", "CIN", "case", 4.0, "Bob", "C2", "ACT", "activity", None))
    assert len(rows) == 2 and list(rows) == [ann, bob] and rows == [ann, bob]
    assert rows[0] == ann and rows[-1].kind == "activity" and rows[1:] == [bob]
    assert rows != [ann] and rows != [bob, ann] and LineRows() == []
    with pytest.raises(IndexError):
        rows[2]
    with pytest.raises(ValueError):
        LineRows(("Ann", "C1", "CIN", "case"))  # not a whole line


def test_a_return_is_stored_with_its_provenance_and_rows(tmp_path):
    path = tmp_path / "store.sqlite"
    with ReturnsStore.open(path) as store:
        done = store.ingest(a_return(), sha256="a" * 64, source_path="in/north.xlsx", now=MOMENT)
        (sub,) = store.submissions()
        rows = store.worker_periods()
    assert done.outcome == "stored" and done.superseded_id is None
    assert (
        sub.file_name,
        sub.sha256,
        sub.ingested_at,
        sub.team,
        sub.service,
        sub.scheme_id,
        sub.scheme_version,
        sub.period,
        sub.period_kind,
    ) == (
        "north.xlsx",
        "a" * 64,
        "2026-11-03T09:30:00+00:00",
        "North",
        "FR",
        "childrens-social-care",
        "2026.1",
        "2026-10",
        "month",
    )
    assert [(r.worker, r.total_points, r.points_per_fte) for r in rows] == [
        ("Worker 0", 80.0, 80.0),
        ("Worker 1", 81.0, 81.0),
        ("Worker 2", 82.0, 82.0),
    ]
    assert counts(path) == (1, 3, 30)


def test_the_same_file_twice_changes_nothing(tmp_path):
    path = tmp_path / "store.sqlite"
    with ReturnsStore.open(path) as store:
        store.ingest(a_return(), sha256="a" * 64, source_path="north.xlsx", now=MOMENT)
        again = store.ingest(a_return(), sha256="a" * 64, source_path="copy.xlsx")
    assert again.outcome == "already"
    assert counts(path) == (1, 3, 30)


def test_a_newer_return_supersedes_and_both_stay(tmp_path):
    path = tmp_path / "store.sqlite"
    with ReturnsStore.open(path) as store:
        first = store.ingest(a_return(points=80), sha256="a" * 64, source_path="v1.xlsx")
        second = store.ingest(
            a_return(team="north", points=90), sha256="b" * 64, source_path="v2.xlsx"
        )
        other = store.ingest(
            a_return(period=Period(2026, 9)), sha256="c" * 64, source_path="sep.xlsx"
        )
        everything = store.submissions()
        current = store.submissions(current_only=True)
        rows = store.worker_periods()
    assert (second.superseded_id, second.superseded_file) == (first.submission_id, "v1.xlsx")
    assert other.superseded_id is None
    assert len(everything) == 3 and everything[0].superseded_by == second.submission_id
    assert {s.file_name for s in current} == {"v2.xlsx", "sep.xlsx"}
    assert sorted({(r.period, r.total_points) for r in rows if r.worker == "Worker 0"}) == [
        ("2026-09", 80.0),
        ("2026-10", 90.0),
    ]


def test_a_failure_part_way_through_an_ingest_leaves_nothing_behind(tmp_path, monkeypatch):
    path = tmp_path / "store.sqlite"
    with ReturnsStore.open(path) as store:
        store.ingest(a_return(period=Period(2026, 9)), sha256="a" * 64, source_path="sep.xlsx")
        broken = a_return()
        broken.lines.append(ReturnLine("Worker 0", None, "CIN", "case", 1.0))  # NOT NULL fails
        with pytest.raises(sqlite3.IntegrityError):
            store.ingest(broken, sha256="b" * 64, source_path="oct.xlsx")
        assert store.integrity() == []
    assert counts(path) == (1, 3, 30)


def test_a_process_killed_while_ingesting_leaves_a_consistent_store(tmp_path, journal):
    """Kill -9 at a random moment: every stored return is complete, none half-written, with
    the write-ahead log and with the rollback journal (a network share's)."""
    path = tmp_path / "store.sqlite"
    script = textwrap.dedent(f"""
        import sys
        sys.path.insert(0, {str(os.getcwd())!r})
        from tests.test_store import a_return
        from workload_xl.core.period import Period
        from workload_xl.store.database import ReturnsStore
        with ReturnsStore.open({str(path)!r}) as store:
            for i in range(100000):
                store.ingest(a_return(team=f"T{{i}}", workers=40), sha256=f"{{i:064d}}",
                             source_path=f"t{{i}}.xlsx")
                if i == 5:
                    print("ready", flush=True)
    """)
    child = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE)
    assert child.stdout.readline().strip() == b"ready"
    time.sleep(0.3)
    child.kill()  # SIGKILL on POSIX, TerminateProcess on Windows: no clean-up either way
    child.wait()
    assert header_journal(path) == journal
    with ReturnsStore.open(path) as store:
        assert store.integrity() == []
        subs = store.submissions()
        per = {}
        for row in store.db.execute(
            "SELECT submission_id, COUNT(*) FROM worker_periods GROUP BY submission_id"
        ):
            per[row[0]] = row[1]
        lines = dict(
            store.db.execute(
                "SELECT submission_id, COUNT(*) FROM return_lines GROUP BY submission_id"
            ).fetchall()
        )
    assert len(subs) > 5
    assert all(per.get(s.id) == 40 and lines.get(s.id) == 400 for s in subs)


def test_a_file_that_is_not_a_store_is_refused_with_a_clear_message(tmp_path):
    junk = tmp_path / "store.sqlite"
    junk.write_text("hello")
    with pytest.raises(Refused, match="cannot be used as a returns store"):
        ReturnsStore.open(junk)
    assert junk.read_text() == "hello"
    with pytest.raises(Refused, match="no returns store"):
        ReturnsStore.open(tmp_path / "none.sqlite", create=False)


def test_a_store_from_a_newer_version_is_refused(tmp_path):
    path = tmp_path / "store.sqlite"
    ReturnsStore.open(path).close()
    db = sqlite3.connect(path)
    db.execute("UPDATE meta SET value = '99' WHERE key = 'schema_version'")
    db.commit()
    db.close()
    with pytest.raises(Refused, match="newer version"):
        ReturnsStore.open(path)


def test_teams_are_listed_once_whatever_the_letter_case(tmp_path):
    with ReturnsStore.open(tmp_path / "s.sqlite") as store:
        assert store.add_team("First Response", "North")
        assert not store.add_team("first response", "NORTH")
        assert store.add_team("First Response", "South")
        assert [(t.service, t.name) for t in store.teams()] == [
            ("First Response", "North"),
            ("First Response", "South"),
        ]


# --- the returns tracker --------------------------------------------------------------------


class _Team:
    def __init__(self, service, name):
        self.service, self.name = service, name


def test_a_monthly_return_is_due_by_the_seventh_of_the_next_month():
    assert due_date(Period(2026, 10)) == dt.date(2026, 11, 7)
    assert due_date(Period(2026, 12)) == dt.date(2027, 1, 7)
    assert due_date(Period(2026, 7, "4 weeks")) is None


def test_the_tracker_says_who_returned_on_time_late_or_not_at_all(tmp_path):
    with ReturnsStore.open(tmp_path / "s.sqlite") as store:
        for name in ("North", "South", "East", "West"):
            store.add_team("FR", name)
        store.ingest(
            a_return("North"),
            sha256="a" * 64,
            source_path="n.xlsx",
            now=dt.datetime(2026, 11, 7, 23, 0),
        )
        store.ingest(
            a_return("South"),
            sha256="b" * 64,
            source_path="s.xlsx",
            now=dt.datetime(2026, 11, 8, 8, 0),
        )
        store.ingest(
            a_return("Central"),
            sha256="c" * 64,
            source_path="c.xlsx",
            now=dt.datetime(2026, 11, 10, 9, 0),
        )
        store.ingest(
            a_return("West", period=Period(2026, 9)), sha256="d" * 64, source_path="w.xlsx"
        )
        teams, subs = store.teams(), store.submissions(current_only=True)
    after = {
        s.team: s.status
        for s in return_statuses(teams, subs, Period(2026, 10), dt.date(2026, 11, 20))
    }
    assert after == {
        "North": "on time",
        "South": "late",
        "East": "missing",
        "West": "missing",
        "Central": "not on the list",
    }
    before = {
        s.team: s.status
        for s in return_statuses(teams, subs, Period(2026, 10), dt.date(2026, 11, 5))
    }
    assert before["East"] == "not yet due"


def test_four_week_returns_are_tracked_as_returned_or_not():
    class Sub:
        service, team, period, file_name, ingested_at, superseded_by = (
            "LC",
            "Leaving Care",
            "2026-P07",
            "lc.xlsx",
            "2026-08-01T00:00:00",
            None,
        )
        period_kind = "4 weeks"

    teams = [_Team("LC", "Leaving Care"), _Team("LC", "Other")]
    got = {
        s.team: s.status
        for s in return_statuses(teams, [Sub()], Period(2026, 7, "4 weeks"), dt.date(2026, 9, 1))
    }
    assert got == {"Leaving Care": "returned", "Other": "not returned"}
    monthly = return_statuses(teams, [Sub()], Period(2026, 7), dt.date(2026, 9, 1))
    assert [(s.team, s.status) for s in monthly] == [("Other", "missing")]
