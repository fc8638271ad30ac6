"""The performance team's returns store: one SQLite file, no server (store edge).

Years of returns that nobody can collect again live here, so every ingest is one transaction
(a crash or kill leaves the store as it was before that file), the same file ingested twice
changes nothing, and a revised return supersedes the earlier one while both stay, with the
supersession recorded. The schema is versioned; docs/returns-store.md documents it.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import sqlite3
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from itertools import chain, repeat
from pathlib import Path

from .returns import TeamReturn

SCHEMA_VERSION = 1

SCHEMA = """
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


class StoreError(Exception):
    """The store cannot be used; the message says why and what to do."""


@dataclass(frozen=True)
class Ingested:
    """What one ingest did: 'stored', 'already' (same bytes), with any submission replaced."""

    outcome: str
    submission_id: int
    superseded_id: int | None = None
    superseded_file: str = ""


@dataclass(frozen=True)
class Team:
    service: str
    name: str
    added_at: str


@dataclass(frozen=True)
class Submission:
    id: int
    file_name: str
    sha256: str
    ingested_at: str
    team: str
    service: str
    scheme_id: str
    scheme_version: str
    period: str
    period_kind: str
    superseded_by: int | None


@dataclass(frozen=True)
class WorkerPeriod:
    """One worker's figures in one current return: what trend reports are made of."""

    service: str
    team: str
    period: str
    period_kind: str
    worker: str
    band: str
    fte: float | None
    cases: int
    total_points: float
    counted: bool

    @property
    def points_per_fte(self) -> float | None:
        return self.total_points / self.fte if self.fte else None


def now_text(now: dt.datetime | None = None) -> str:
    moment = now or dt.datetime.now(dt.UTC)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    return moment.astimezone(dt.UTC).isoformat(timespec="seconds")


class ReturnsStore:
    """One open store. Use as a context manager; every write is its own transaction."""

    def __init__(self, connection: sqlite3.Connection, path: Path):
        self.db = connection
        self.path = path

    @classmethod
    def open(cls, path: Path, *, create: bool = True) -> ReturnsStore:
        path = Path(path)
        if not path.exists() and not create:
            raise StoreError(f"There is no returns store at {path}. Check the name, or make "
                             "one by consolidating returns into it.")  # fmt: skip
        try:
            db = sqlite3.connect(path, timeout=60, isolation_level=None)
            db.execute("PRAGMA foreign_keys = ON")
            db.execute("PRAGMA busy_timeout = 60000")
            db.execute("PRAGMA journal_mode = WAL")
            # WAL with NORMAL sync: a killed process loses nothing committed and the file is
            # never damaged; only a power cut can undo the last returns, which a rerun (the
            # same files are known by their bytes) stores again. FULL cost ~1.5 ms a file.
            db.execute("PRAGMA synchronous = NORMAL")
            store = cls(db, path)
            store._migrate()
        except sqlite3.DatabaseError as exc:
            raise StoreError(
                f"{path} cannot be used as a returns store ({exc}). Check it is "
                "the right file; a store is made by `workload-xl consolidate`."
            ) from None
        return store

    def close(self) -> None:
        self.db.close()

    def __enter__(self) -> ReturnsStore:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def _migrate(self) -> None:
        with self.transaction():
            for statement in _statements(SCHEMA):
                self.db.execute(statement)
            row = self.db.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
            if row is None:
                self.db.execute(
                    "INSERT INTO meta VALUES ('schema_version', ?)", (str(SCHEMA_VERSION),)
                )
                self.db.execute("INSERT INTO meta VALUES ('created_at', ?)", (now_text(),))
            elif int(row[0]) > SCHEMA_VERSION:
                raise StoreError(
                    f"{self.path} was made by a newer version of workload-xl "
                    f"(schema {row[0]}); update workload-xl to use it."
                )

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """BEGIN IMMEDIATE takes the write lock at once, so two ingests queue, never clash."""
        try:
            self.db.execute("BEGIN IMMEDIATE")
            try:
                yield
            except BaseException:
                with contextlib.suppress(sqlite3.Error):  # a failed write may have ended it
                    self.db.execute("ROLLBACK")
                raise
            self.db.execute("COMMIT")
        except sqlite3.OperationalError as exc:  # a full disk, a read-only share, a lock
            with contextlib.suppress(sqlite3.Error):
                self.db.execute("ROLLBACK")
            raise StoreError(
                f"{self.path} could not be written ({exc}). Nothing of this change was "
                "stored. Check the disk has space and the store's folder is writable, then "
                "run the command again."
            ) from None

    # --- submissions --------------------------------------------------------------------

    def ingest(self, ret: TeamReturn, *, sha256: str, source_path: str,
               now: dt.datetime | None = None) -> Ingested:  # fmt: skip
        """Store one return, whole or not at all, superseding an earlier one for its period."""
        moment = now_text(now)
        with self.transaction():
            known = self.db.execute("SELECT id FROM submissions WHERE sha256 = ?",
                                    (sha256,)).fetchone()  # fmt: skip
            if known:
                return Ingested("already", known[0])
            earlier = self.db.execute(
                "SELECT id, file_name FROM current_submissions WHERE service = ? AND team = ? "
                "AND period = ? ORDER BY id DESC LIMIT 1",
                (ret.service, ret.team, str(ret.period))).fetchone()  # fmt: skip
            cursor = self.db.execute(
                "INSERT INTO submissions (file_name, source_path, sha256, ingested_at, team, "
                "service, scheme_id, scheme_version, period, period_kind, manager) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (Path(source_path).name, source_path, sha256, moment, ret.team, ret.service,
                 ret.scheme_id, ret.scheme_version, str(ret.period), ret.period.kind,
                 ret.manager),
            )  # fmt: skip
            new_id = cursor.lastrowid
            self.db.executemany(
                "INSERT INTO worker_periods VALUES (?, ?, ?, ?, ?, ?, ?)",
                [(new_id, w.worker, w.band, w.fte, w.cases, w.total_points, int(w.counted))
                 for w in ret.workers],
            )  # fmt: skip
            # (id,) + line: a ReturnLine is (worker, case_ref, item_code, kind, agreed_points)
            _insert_many(self.db, "return_lines", 6, map(tuple.__add__, repeat((new_id,)),
                                                           ret.lines))  # fmt: skip
            if earlier:
                self.db.execute(
                    "UPDATE submissions SET superseded_by = ?, superseded_at = ? WHERE id = ?",
                    (new_id, moment, earlier[0]))  # fmt: skip
                return Ingested("stored", new_id, earlier[0], earlier[1])
            return Ingested("stored", new_id)

    def known_hashes(self) -> set[str]:
        """The SHA-256 of every file ever ingested: the same bytes are never stored twice."""
        return {row[0] for row in self.db.execute("SELECT sha256 FROM submissions")}

    def submissions(self, *, current_only: bool = False) -> list[Submission]:
        table = "current_submissions" if current_only else "submissions"
        rows = self.db.execute(
            f"SELECT id, file_name, sha256, ingested_at, team, service, scheme_id, "
            f"scheme_version, period, period_kind, superseded_by FROM {table} ORDER BY id"
        ).fetchall()
        return [Submission(*row) for row in rows]

    def worker_periods(self, service: str | None = None) -> list[WorkerPeriod]:
        """Every worker row of every current return (one per team and period)."""
        query = (
            "SELECT s.service, s.team, s.period, s.period_kind, w.worker, w.band, w.fte, "
            "w.cases, w.total_points, w.counted FROM worker_periods w "
            "JOIN current_submissions s ON s.id = w.submission_id"
        )
        params: tuple = ()
        if service:
            query += " WHERE s.service = ?"
            params = (service,)
        rows = self.db.execute(query + " ORDER BY s.service, s.team, s.period", params)
        return [WorkerPeriod(*row[:9], bool(row[9])) for row in rows.fetchall()]

    # --- teams --------------------------------------------------------------------------

    def add_team(self, service: str, name: str, now: dt.datetime | None = None) -> bool:
        """Add a team to the list returns are expected from; False if it was there already."""
        with self.transaction():
            cursor = self.db.execute(
                "INSERT OR IGNORE INTO teams (service, name, added_at) VALUES (?, ?, ?)",
                (service.strip(), name.strip(), now_text(now)))  # fmt: skip
            return cursor.rowcount == 1

    def teams(self) -> list[Team]:
        rows = self.db.execute(
            "SELECT service, name, added_at FROM teams "
            "ORDER BY service COLLATE NOCASE, name COLLATE NOCASE"
        )
        return [Team(*row) for row in rows.fetchall()]

    def integrity(self) -> list[str]:
        """SQLite's own integrity and foreign-key checks: an empty list means a sound store."""
        problems = [row[0] for row in self.db.execute("PRAGMA integrity_check") if row[0] != "ok"]
        problems += [f"foreign key: {row}" for row in self.db.execute("PRAGMA foreign_key_check")]
        return problems


ROWS_A_STATEMENT = 100
"""Rows one INSERT carries. Python's sqlite3 steps a statement once a row with executemany,
and that stepping, not SQLite's own work, is most of an ingest's cost: 100 rows a statement
ingested a return of 800 lines in about three quarters of the time (well under SQLite's limit
of 32,766 bound values)."""


def _insert_many(db: sqlite3.Connection, table: str, width: int, rows: Iterable[tuple]) -> None:
    rows = list(rows)
    full = len(rows) - len(rows) % ROWS_A_STATEMENT
    if full:
        one = "(" + ", ".join("?" * width) + ")"
        statement = f"INSERT INTO {table} VALUES " + ", ".join([one] * ROWS_A_STATEMENT)
        db.executemany(statement, [tuple(chain.from_iterable(rows[start:start + ROWS_A_STATEMENT]))
                                   for start in range(0, full, ROWS_A_STATEMENT)])  # fmt: skip
    if full < len(rows):
        db.executemany(f"INSERT INTO {table} VALUES ({', '.join('?' * width)})", rows[full:])


def _statements(script: str) -> Iterable[str]:
    """The schema's statements one by one, so they run inside our own transaction."""
    for statement in script.split(";"):
        if statement.strip():
            yield statement
