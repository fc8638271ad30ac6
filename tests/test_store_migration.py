"""A store made by an older version: read as it is, migrated when opened for writing.

The store of version 1 is written here with the schema version 1 had, statement for statement
(copied from workload_xl/store/database.py as it stood before version 2), and filled with raw
SQL as that version's ingest filled it, so the test does not depend on today's code to make it.
"""

from __future__ import annotations

import hashlib
import sqlite3
from pathlib import Path

import pytest

from workload_xl.core.period import Period
from workload_xl.core.returns import TeamReturn, WorkerPeriod
from workload_xl.store.database import SCHEMA_VERSION, ReturnsStore

from .bounded_cli import run_cli

VERSION_1 = """
CREATE TABLE IF NOT EXISTS meta (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS teams (
    id INTEGER PRIMARY KEY,
    service TEXT NOT NULL COLLATE NOCASE,
    name TEXT NOT NULL COLLATE NOCASE,
    added_at TEXT NOT NULL,
    UNIQUE (service, name)
);
CREATE TABLE IF NOT EXISTS submissions (
    id INTEGER PRIMARY KEY,
    file_name TEXT NOT NULL,
    source_path TEXT NOT NULL,
    sha256 TEXT NOT NULL UNIQUE,
    ingested_at TEXT NOT NULL,
    team TEXT NOT NULL COLLATE NOCASE,
    service TEXT NOT NULL COLLATE NOCASE,
    scheme_id TEXT NOT NULL,
    scheme_version TEXT NOT NULL,
    period TEXT NOT NULL,
    period_kind TEXT NOT NULL,
    manager TEXT NOT NULL DEFAULT '',
    superseded_by INTEGER REFERENCES submissions (id),
    superseded_at TEXT
);
CREATE INDEX IF NOT EXISTS submissions_by_team_period
    ON submissions (service, team, period);
CREATE TABLE IF NOT EXISTS worker_periods (
    submission_id INTEGER NOT NULL REFERENCES submissions (id),
    worker TEXT NOT NULL,
    band TEXT NOT NULL,
    fte REAL,
    cases INTEGER NOT NULL,
    total_points REAL NOT NULL,
    counted INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS worker_periods_by_submission ON worker_periods (submission_id);
CREATE TABLE IF NOT EXISTS return_lines (
    submission_id INTEGER NOT NULL REFERENCES submissions (id),
    worker TEXT NOT NULL,
    case_ref TEXT NOT NULL,
    item_code TEXT NOT NULL,
    kind TEXT NOT NULL,
    agreed_points REAL
);
CREATE INDEX IF NOT EXISTS return_lines_by_submission ON return_lines (submission_id);
CREATE VIEW IF NOT EXISTS current_submissions AS
    SELECT * FROM submissions WHERE superseded_by IS NULL;
"""


def version_1_store(path: Path) -> Path:
    """A store as version 1 made it: two monthly returns of North, two workers each."""
    db = sqlite3.connect(path)
    db.executescript(VERSION_1)
    db.execute("INSERT INTO meta VALUES ('schema_version', '1')")
    db.execute("INSERT INTO meta VALUES ('created_at', '2026-10-01T09:00:00+00:00')")
    db.execute("INSERT INTO meta VALUES ('people', 'names')")
    for n, period in enumerate(("2026-09", "2026-10"), start=1):
        db.execute(
            "INSERT INTO submissions (id, file_name, source_path, sha256, ingested_at, team, "
            "service, scheme_id, scheme_version, period, period_kind, manager) "
            "VALUES (?, ?, ?, ?, ?, 'North', 'First Response', 'childrens-social-care', "
            "'2026.1', ?, 'month', 'Sam')",
            (n, f"n{n}.xlsx", f"/in/n{n}.xlsx", f"{n:064x}", f"{period}-28T10:00:00+00:00", period),
        )
        db.executemany(
            "INSERT INTO worker_periods VALUES (?, ?, 'Social worker', ?, 4, ?, 1)",
            [(n, "Ann", 1.0, 100.0 + n), (n, "Bob", 0.5, 50.0 + n)],
        )
        db.execute("INSERT INTO return_lines VALUES (?, 'Ann', 'C1', 'CIN', 'case', 5.0)", (n,))
    db.commit()
    db.close()
    return path


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def schema(path: Path) -> set[tuple[str, str, str]]:
    db = sqlite3.connect(path)
    try:
        rows = db.execute(
            "SELECT type, name, sql FROM sqlite_master WHERE name NOT LIKE 'sqlite_%'"
        ).fetchall()
    finally:
        db.close()
    return {(kind, name, " ".join(str(sql).split())) for kind, name, sql in rows}


def meta(path: Path) -> dict[str, str]:
    db = sqlite3.connect(path)
    try:
        return dict(db.execute("SELECT key, value FROM meta").fetchall())
    finally:
        db.close()


def test_a_version_1_store_is_read_as_it_is_without_a_change(tmp_path):
    path = version_1_store(tmp_path / "old.sqlite")
    before = digest(path)
    with ReturnsStore.open(path, read_only=True) as store:
        assert store.version == 1
        rows = store.worker_periods()
    assert digest(path) == before
    assert [(r.period, r.worker, r.fte, r.total_points) for r in rows] == [
        ("2026-09", "Ann", 1.0, 101.0),
        ("2026-09", "Bob", 0.5, 51.0),
        ("2026-10", "Ann", 1.0, 102.0),
        ("2026-10", "Bob", 0.5, 52.0),
    ]
    assert {r.expected_points for r in rows} == {None}  # version 1 kept none
    assert {(r.scheme_id, r.scheme_version) for r in rows} == {("childrens-social-care", "2026.1")}


def test_opening_a_version_1_store_for_writing_migrates_it_keeping_every_return(tmp_path):
    path = version_1_store(tmp_path / "old.sqlite")
    fresh = tmp_path / "new.sqlite"
    ReturnsStore.open(fresh).close()
    with ReturnsStore.open(path) as store:
        assert store.version == SCHEMA_VERSION == 4
        assert store.integrity() == []
        rows = store.worker_periods()
        subs = store.submissions()
    info = meta(path)
    assert info["schema_version"] == "4" and {
        "migrated_to_2",
        "migrated_to_3",
        "migrated_to_4",
    } <= set(info)
    # Version 3's received day: unknown for the returns stored before it.
    assert [(s.received_on, s.received_from) for s in subs] == [(None, None), (None, None)]
    assert info["created_at"] == "2026-10-01T09:00:00+00:00" and info["people"] == "names"
    # The same schema as a store made today, to the letter: one recognised as sound.
    assert schema(path) == schema(fresh)
    assert [(r.period, r.worker, r.total_points, r.expected_points) for r in rows] == [
        ("2026-09", "Ann", 101.0, None),
        ("2026-09", "Bob", 51.0, None),
        ("2026-10", "Ann", 102.0, None),
        ("2026-10", "Bob", 52.0, None),
    ]
    db = sqlite3.connect(path)
    assert db.execute("SELECT COUNT(*) FROM return_lines").fetchone() == (2,)
    db.close()
    # Opened again: nothing more to do.
    with ReturnsStore.open(path) as store:
        assert store.version == 4
    assert meta(path)["migrated_to_4"] == info["migrated_to_4"]


def test_a_migrated_store_keeps_the_expected_points_of_the_returns_after_it(tmp_path):
    path = version_1_store(tmp_path / "old.sqlite")
    workers = [WorkerPeriod("Ann", "Social worker", 1.0, 4, 103.0, True, expected_points=100.0)]
    ret = TeamReturn(
        "n3.xlsx",
        "North",
        "First Response",
        "childrens-social-care",
        "2026.1",
        Period(2026, 11),
        "Sam",
        workers,
    )
    with ReturnsStore.open(path) as store:
        assert store.ingest(ret, sha256="3" * 64, source_path="/in/n3.xlsx").outcome == "stored"
        rows = store.worker_periods()
    assert [(r.period, r.expected_points) for r in rows if r.worker == "Ann"] == [
        ("2026-09", None),
        ("2026-10", None),
        ("2026-11", 100.0),
    ]


def test_a_store_that_is_half_version_1_is_damaged_not_migrated(tmp_path):
    """Version 2's column on a store that says version 1: another tool changed it."""
    path = version_1_store(tmp_path / "odd.sqlite")
    db = sqlite3.connect(path)
    db.execute("ALTER TABLE worker_periods ADD COLUMN expected_points REAL")
    db.commit()
    db.close()
    before = digest(path)
    from workload_xl.core.findings import Refused

    with pytest.raises(Refused, match="changed by another tool"):
        ReturnsStore.open(path)
    assert digest(path) == before


@pytest.mark.parametrize(
    "command", [["store", "check"], ["returns", "--period", "2026-10"], ["teams", "list"]]
)
def test_reading_commands_take_a_version_1_store_and_leave_it_as_it_was(tmp_path, command):
    path = version_1_store(tmp_path / "old.sqlite")
    before = digest(path)
    done = run_cli(*command, "--store", path, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert digest(path) == before


def test_the_report_reads_a_version_1_store_without_changing_it(tmp_path):
    path = version_1_store(tmp_path / "old.sqlite")
    before = digest(path)
    done = run_cli("report", "--store", path, "-o", tmp_path / "r.xlsx", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "Wrote" in done.stdout and (tmp_path / "r.xlsx").is_file()
    assert digest(path) == before


def version_2_store(path: Path) -> Path:
    """A store as version 2 left it: version 1's, with each worker row's expected points,
    and North and South listed."""
    version_1_store(path)
    db = sqlite3.connect(path)
    db.execute("ALTER TABLE worker_periods ADD COLUMN expected_points REAL")
    db.execute("UPDATE meta SET value = '2' WHERE key = 'schema_version'")
    db.executemany(
        "INSERT INTO teams (service, name, added_at) VALUES ('First Response', ?, ?)",
        [("North", "2026-09-01T09:00:00+00:00"), ("South", "2026-09-01T09:00:00+00:00")],
    )
    db.commit()
    db.close()
    return path


def test_the_tracker_counts_a_return_stored_before_version_3_as_received_when_consolidated(
    tmp_path,
):
    """Version 1 and 2 kept no received day: North's 2026-10 return was consolidated on
    2026-10-28 (ingested_at), before its due day 2026-11-07, so it is on time, known from
    "consolidated", whether the store is read as it is or migrated."""
    from workload_xl.services.returns import returns_for

    path = version_2_store(tmp_path / "old.sqlite")
    with ReturnsStore.open(path, read_only=True) as store:
        assert store.version == 2
    before = digest(path)
    as_is = returns_for(path, "2026-10", "2026-11-20").statuses
    assert digest(path) == before
    with ReturnsStore.open(path) as store:  # migrated to this version
        assert store.version == SCHEMA_VERSION
    migrated = returns_for(path, "2026-10", "2026-11-20").statuses
    for statuses in (as_is, migrated):
        north = [s for s in statuses if s.team == "North"]  # South sent nothing
        assert [(s.team, s.status, s.received, s.received_from) for s in north] == [
            ("North", "on time", "2026-10-28", "consolidated")
        ]


def test_a_store_that_is_half_version_2_is_damaged_not_migrated(tmp_path):
    """Version 3's columns on a store that says version 2: another tool changed it."""
    path = version_2_store(tmp_path / "odd.sqlite")
    db = sqlite3.connect(path)
    db.execute("ALTER TABLE submissions ADD COLUMN received_on TEXT")
    db.commit()
    db.close()
    before = digest(path)
    from workload_xl.core.findings import Refused

    with pytest.raises(Refused, match="changed by another tool"):
        ReturnsStore.open(path)
    assert digest(path) == before


def test_a_version_2_store_lists_its_teams_as_it_is_and_takes_a_removal_once_migrated(tmp_path):
    """Version 3 keeps a team that left the list (removed_at, renamed_to on `teams`): a
    version 2 store is read without them, and `teams remove` migrates it first."""
    path = version_2_store(tmp_path / "v2.sqlite")
    before = digest(path)
    listed = run_cli("teams", "list", "--store", path, cwd=tmp_path)
    assert listed.returncode == 0, listed.stderr
    assert "North" in listed.stdout and "South" in listed.stdout
    assert "No longer listed" not in listed.stdout
    assert digest(path) == before
    removed = run_cli(
        "teams", "remove", "South", "--service", "First Response", "--store", path, cwd=tmp_path
    )
    assert removed.returncode == 0, removed.stderr
    info = meta(path)
    assert info["schema_version"] == "4" and "migrated_to_2" not in info
    assert "migrated_to_3" in info and "migrated_to_4" in info
    fresh = tmp_path / "new.sqlite"
    ReturnsStore.open(fresh).close()
    assert schema(path) == schema(fresh)
    with ReturnsStore.open(path, read_only=True) as store:
        assert [t.name for t in store.teams()] == ["North"]
        assert [(t.name, bool(t.removed_at)) for t in store.teams(listed_only=False)] == [
            ("North", False),
            ("South", True),
        ]
        assert len(store.submissions()) == 2  # North's returns, as they were
