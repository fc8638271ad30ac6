"""The performance team's returns store: one SQLite file, no server (store edge).

Years of returns that nobody can collect again live here, so every ingest is one transaction
(a crash or kill leaves the store as it was before that file), the same file ingested twice
changes nothing, and a revised return supersedes the earlier one while both stay, with the
supersession recorded. The schema is versioned; docs/returns-store.md documents it.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import math
import os
import sqlite3
import time
import unicodedata
from collections import defaultdict
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import replace
from itertools import chain
from pathlib import Path, PurePath
from typing import TYPE_CHECKING, NamedTuple
from urllib.parse import quote

from workload_xl.core.findings import Refused
from workload_xl.core.rules import finding
from workload_xl.core.values import clean_text

if TYPE_CHECKING:  # the records are imported where rows become them, so a command that
    # only lists teams or checks the store starts without the returns' core modules
    from workload_xl.core.returns import TeamPeriod, TeamReturn, WorkerPeriod
    from workload_xl.files.volumes import Probe

SCHEMA_VERSION = 4
MAX_TEAM_NAME = 200
"""Characters a listed team's name or service may have: a team's name is a few words."""

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
"""The first schema (version 1). A new store is made with it and then every migration, so a
store made now and one migrated from an older version have the same schema, to the letter."""

MIGRATIONS: dict[int, tuple[str, ...]] = {
    2: ("ALTER TABLE worker_periods ADD COLUMN expected_points REAL",),
    3: (
        "ALTER TABLE submissions ADD COLUMN received_on TEXT",
        "ALTER TABLE submissions ADD COLUMN received_from TEXT",
    ),
    4: (
        "ALTER TABLE teams ADD COLUMN removed_at TEXT",
        "ALTER TABLE teams ADD COLUMN renamed_to TEXT",
    ),
}
"""The statements that take a store from the version before to this one, by version: 2 adds
each worker row's expected points, 3 each return's day received and where that day came from
(core.tracker's RECEIVED_FROM), both empty for rows stored before; 4 lets a team leave the
list (`teams remove`, `teams rename`) with its row kept: when it left, and its new name."""


DATA_TABLES = ("teams", "submissions", "worker_periods", "return_lines")
"""The tables that make a file a returns store (with `meta`); any other SQLite file is refused."""

NAMES, PSEUDONYMS = "names", "pseudonyms"
"""What the store holds for people (meta `people`): their names, or keyed pseudonyms."""

_PSEUDONYM_GLOB = "W-" + "[0-9A-F]" * 8


JOURNAL_ENVIRONMENT = "WORKLOAD_XL_STORE_JOURNAL"
"""Set to `delete` (or `wal`) to choose the store's journal whatever its location says: for
a network file system the tool cannot recognise (then `delete`)."""

WAL, DELETE = "wal", "delete"


# The store's rows and answers are named tuples, not dataclasses: every command that opens
# the store imports this module, and on Python 3.11 a named tuple class costs a fifth of a
# frozen dataclass's to make (benchmarks/bench_startup.py holds start-up to 1.5x of click's).


class Journal(NamedTuple):
    """How the store keeps a transaction whole: SQLite's write-ahead log while writing
    (`wal`, the faster, for a local disk) or its rollback journal (`delete`, for a network
    share or a synced folder, where the write-ahead log does not work). `why` says it for
    `store check`."""

    mode: str
    why: str

    @property
    def sentence(self) -> str:
        if self.mode == WAL:
            return (
                f"Journal: write-ahead log (WAL) while writing, rollback journal at rest, "
                f"as the store is on {self.why}."
            )
        return f"Journal: rollback journal (DELETE), as {self.why}."


def journal_for(
    path: Path | str, probe: Probe | None = None, environ: dict | None = None
) -> Journal:
    """The journal a store at `path` uses: the rollback journal on a network share or in a
    synced folder (workload_xl.files.volumes says which), or wherever WORKLOAD_XL_STORE_JOURNAL
    says `delete`; the write-ahead log on a local disk."""
    chosen = (environ if environ is not None else os.environ).get(JOURNAL_ENVIRONMENT, "")
    chosen = chosen.strip().lower()
    if chosen == DELETE:
        return Journal(DELETE, f"{JOURNAL_ENVIRONMENT} asks for it")
    from workload_xl.files.volumes import locate

    location = locate(path, probe)
    if chosen == WAL:
        return Journal(WAL, f"{location.where} ({JOURNAL_ENVIRONMENT} asks for WAL)")
    if location.local:
        return Journal(WAL, location.where)
    return Journal(
        DELETE, f"the store is on {location.where}, where SQLite's write-ahead log does not work"
    )


NEW_NAME = "new name"
"""The field of a rename's refusal that is about the name asked for, not the team renamed."""


def _refused(message: str, rule: str = "store-unusable") -> Refused:
    """The store cannot be used: Refused, carrying the one finding that says why and what to
    do. The finding names no file; the caller places it at the store it was given."""
    return Refused(finding(rule, message))


class Ingested(NamedTuple):
    """What one ingest did: 'stored', 'already' (same bytes) or 'held' (a change of service or
    of people that waits for a decision: nothing stored), with any submissions replaced."""

    outcome: str
    submission_id: int | None
    superseded: tuple[tuple[int, str], ...] = ()
    held_reason: str = ""
    """Why it was held; it names the other return's file."""

    @property
    def superseded_id(self) -> int | None:
        return self.superseded[0][0] if self.superseded else None

    @property
    def superseded_file(self) -> str:
        return self.superseded[0][1] if self.superseded else ""


class Team(NamedTuple):
    """A team on the list returns are expected from; one that left it (removed, or renamed
    to `renamed_to`) keeps its row, with when it left (`removed_at`)."""

    service: str
    name: str
    added_at: str
    removed_at: str = ""
    renamed_to: str = ""


class Submission(NamedTuple):
    """One row of the submissions table: a return stored, and the one that replaced it."""

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
    received_on: str | None = None
    """The day the team sent the return (YYYY-MM-DD); None in a store made before version 3,
    whose returns the tracker counts as received the day they were consolidated."""
    received_from: str | None = None
    """Where `received_on` came from: a key of core.tracker.RECEIVED_FROM."""


def now_text(now: dt.datetime | None = None) -> str:
    moment = now or dt.datetime.now(dt.UTC)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    return moment.astimezone(dt.UTC).isoformat(timespec="seconds")


class ReturnsStore:
    """One open store. Use as a context manager; every write is its own transaction."""

    def __init__(
        self,
        connection: sqlite3.Connection,
        path: Path,
        *,
        read_only: bool = False,
        journal: Journal | None = None,
        probe: Probe | None = None,
    ):
        self.db = connection
        self.path = path
        self.read_only = read_only
        self._journal = journal
        self._probe = probe
        self.version = SCHEMA_VERSION
        """The store's schema version: older only for a store opened read-only, which is read
        as it is and never migrated."""

    @property
    def journal(self) -> Journal:
        """The journal this store writes with (see journal_for). A store opened only to read
        writes with none, so it finds out where its file lives (which reads the system's
        mounts) only when asked, as store check asks."""
        if self._journal is None:
            self._journal = journal_for(self.path, self._probe)
        return self._journal

    @classmethod
    def open(
        cls,
        path: Path,
        *,
        create: bool = True,
        read_only: bool = False,
        probe: Probe | None = None,
    ) -> ReturnsStore:
        """Open a returns store; `read_only` for commands that only read, which never change
        the file (SQLite's mode=ro) and never make one. A file that is not a returns store, or
        whose meta table is damaged, is refused before anything is written to it. The journal
        follows where the file is (`probe` asks the system; see journal_for)."""
        path = Path(path)
        journal = None if read_only else journal_for(path, probe)
        if not path.exists():
            if read_only or not create:
                raise _refused(
                    f"There is no returns store at {path}. Check the name, or make "
                    "one by consolidating returns into it."
                )
            folder = path.parent
            if not folder.is_dir():  # SQLite would say only "unable to open database file"
                raise _refused(
                    f"The folder {folder} does not exist, so no returns store can be made at "
                    f"{path}. Create the folder first, or give --store a file in a folder "
                    "that exists."
                )
        elif path.is_dir():
            raise _refused(
                f"{path} is a folder, not a returns store. Give the store's file "
                "(for example returns.sqlite)."
            )
        elif not path.is_file():
            raise _refused(
                f"{path} is not a file but a pipe, a device or a link to one, so "
                "it is not opened. Give the store's file (for example "
                "returns.sqlite)."
            )
        db = None
        try:
            if read_only:
                db = sqlite3.connect(
                    sqlite_uri(path, read_only=True), uri=True, timeout=60, isolation_level=None
                )
            else:
                db = sqlite3.connect(path, timeout=60, isolation_level=None)
            db.execute("PRAGMA busy_timeout = 60000")
            version = _recognise(db, path)  # only reads: a foreign file is left as it was
            if read_only and not version:
                raise _refused(
                    f"{path} is an empty SQLite database, not a returns store. "
                    "Check the --store path.",
                    "store-foreign",
                )
            db.execute("PRAGMA foreign_keys = ON")
            if journal is not None and journal.mode == WAL:
                _write_ahead(db)
                # WAL with NORMAL sync: a killed process loses nothing committed and the file
                # is never damaged; only a power cut can undo the last returns, which a rerun
                # (the same files are known by their bytes) stores again. FULL cost ~1.5 ms a
                # file.
                db.execute("PRAGMA synchronous = NORMAL")
            elif not read_only:
                # The rollback journal, with FULL sync: NORMAL there could damage the file
                # if the share or the power goes mid-commit. A store left in WAL mode by a
                # local writer is brought back to it when no one else has it open.
                db.execute("PRAGMA busy_timeout = 0")
                with contextlib.suppress(sqlite3.OperationalError):
                    db.execute("PRAGMA journal_mode = DELETE")
                db.execute("PRAGMA busy_timeout = 60000")
                db.execute("PRAGMA synchronous = FULL")
            store = cls(db, path, read_only=read_only, journal=journal, probe=probe)
            store.version = version or SCHEMA_VERSION
            if not version:
                store._create()
            elif version < SCHEMA_VERSION and not read_only:
                _migrate(store)
        except Refused:
            if db is not None:
                db.close()
            raise
        except sqlite3.DatabaseError as exc:
            if db is not None:
                db.close()
            raise _refused(
                f"{path} cannot be used as a returns store ({exc}). Check it is "
                "the right file; a store is made by `workload-xl consolidate`."
            ) from None
        return store

    @classmethod
    def open_to_ingest(cls, path: Path, pseudonym_key: str | None) -> ReturnsStore:
        """The store opened for returns with names (`pseudonym_key` None) or pseudonyms made
        with that key. It is judged read-only first, so a store that cannot take them, or a
        file that is no store, is refused left byte for byte as it was. (A file in WAL mode is
        judged by the writing connection instead, which reads before it writes and removes the
        -wal and -shm files as it closes; a read-only one would leave them behind.)"""
        path = Path(path)
        if path.is_file() and path.stat().st_size and not _in_wal_mode(path):
            with cls.open(path, read_only=True) as looked:
                looked.check_people(pseudonym_key)
        store = cls.open(path)
        try:
            store.check_people(pseudonym_key)
        except Refused:
            store.close()
            raise
        return store

    def close(self) -> None:
        """Close; a writer leaves the file in rollback-journal mode when it is the last one, so
        a later read-only open has no -wal or -shm file to make beside it."""
        if not self.read_only:
            with contextlib.suppress(sqlite3.Error):  # another connection still has it open
                self.db.execute("PRAGMA busy_timeout = 0")
                self.db.execute("PRAGMA journal_mode = DELETE")
        self.db.close()

    def __enter__(self) -> ReturnsStore:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def _create(self) -> None:
        with self.transaction():
            if _tables(self.db):  # another process made it meanwhile: leave it be
                return
            for statement in _statements_up_to(SCHEMA_VERSION):
                self.db.execute(statement)
            self.db.execute("INSERT INTO meta VALUES ('schema_version', ?)", (str(SCHEMA_VERSION),))
            self.db.execute("INSERT INTO meta VALUES ('created_at', ?)", (now_text(),))

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
            raise _refused(
                f"{self.path} could not be written ({exc}). Nothing of this change was "
                "stored. Check the disk has space and the store's folder is writable, then "
                "run the command again."
            ) from None

    # --- submissions --------------------------------------------------------------------

    def ingest(
        self,
        ret: TeamReturn,
        *,
        sha256: str,
        source_path: str,
        now: dt.datetime | None = None,
        pseudonym_key: str | None = None,
        accept_changes: bool = False,
        received_on: dt.date | None = None,
        received_from: str = "",
    ) -> Ingested:
        """Store one return, whole or not at all, superseding an earlier one for its period.

        `received_on` is the day the team sent it and `received_from` where that day came from
        (core.tracker.received_day chooses both); without them, the day it is stored, as
        "consolidated".

        `pseudonym_key` is the fingerprint of the key the return's names were pseudonymised
        with (None: real names); a store holds one or the other, so a mismatch is refused
        (Refused, nothing stored). A return that changes the service of the team's current
        return for the period, or that shares neither a worker nor its manager with the return
        it would supersede, is held ('held', nothing stored) unless `accept_changes`.
        """
        moment = now_text(now)
        if received_on is None:
            received_on, received_from = dt.date.fromisoformat(moment[:10]), "consolidated"
        db = self.db
        with self.transaction():
            known = db.execute(_KNOWN_FILE, (sha256,)).fetchone()
            if known:
                return Ingested("already", known[0])
            ret = self._under_current_name(ret)
            people = self._people()
            self._check_people(pseudonym_key, *people[:2])
            period = str(ret.period)
            earlier = db.execute(_CURRENT_RETURNS, (ret.team, period)).fetchall()
            replaced, held = self._judge(ret, earlier)
            if held and not accept_changes:
                return Ingested("held", None, held_reason=held)
            self._hold_people(pseudonym_key, *people)
            new_id = db.execute(
                _INSERT_SUBMISSION,
                (
                    os.path.basename(source_path),  # Path(source_path).name, without the Path
                    source_path,
                    sha256,
                    moment,
                    ret.team,
                    ret.service,
                    ret.scheme_id,
                    ret.scheme_version,
                    period,
                    ret.period.kind,
                    ret.manager,
                    received_on.isoformat(),
                    received_from,
                ),
            ).lastrowid
            db.executemany(
                _INSERT_WORKER,
                [
                    (
                        new_id,
                        w.worker,
                        w.band,
                        w.fte,
                        w.cases,
                        w.total_points,
                        int(w.counted),
                        w.expected_points,
                    )
                    for w in ret.workers
                ],
            )
            _insert_lines(db, new_id, _flat_lines(ret.lines))
            if replaced:
                db.executemany(_SUPERSEDE, [(new_id, moment, old_id) for old_id, _ in replaced])
            return Ingested("stored", new_id, replaced)

    def _judge(self, ret: TeamReturn, earlier: list[tuple]):
        """The current returns `ret` replaces (id, file), and why it waits for a decision
        (naming the other return's file), or None.

        The same team name in another service is another team, unless the two returns share a
        worker or the manager: then the team is moving service and would count in both. In the
        same service a return that shares no worker and not the manager with the one it would
        replace may be another team's, sent under the wrong team name."""
        replaced, held = [], None
        for old_id, old_file, old_service, old_manager in earlier:
            shares = self._shares_people(ret, old_id, old_manager)
            if old_service.casefold() == ret.service.casefold():
                replaced.append((old_id, old_file))
                if shares is False and held is None:
                    held = (
                        f"none of its workers nor its manager are on the return it "
                        f"would replace for {ret.team}, {ret.period} ({old_file}): it may "
                        "be another team's return under the wrong team name"
                    )
            elif shares:
                replaced.append((old_id, old_file))
                held = (
                    f"it names the service {ret.service!r}, but the same team's current "
                    f"return for {ret.period} ({old_file}) is in {old_service!r}: the team "
                    "would count in two services"
                )
        return tuple(replaced), held

    def _shares_people(self, ret: TeamReturn, old_id: int, old_manager: str) -> bool | None:
        """Whether two returns share a worker or their manager; None when one names nobody."""
        manager = _person(ret.manager)
        if manager and manager == _person(old_manager):
            return True
        workers = {_person(w.worker) for w in ret.workers} - {""}
        rows = self.db.execute(
            "SELECT worker FROM worker_periods WHERE submission_id = ?", (old_id,)
        )
        before = {_person(row[0]) for row in rows} - {""}
        if not workers or not before:
            return None
        return bool(workers & before)

    # --- people: names or pseudonyms --------------------------------------------------------

    def people(self) -> tuple[str | None, str]:
        """What the store holds for people: (NAMES, ""), (PSEUDONYMS, key fingerprint), or
        (None, "") while it holds no returns. A store from before this was recorded is judged
        by what it holds: any name that is not a pseudonym means names, otherwise pseudonyms
        with a key not yet known (the next ingest with a key records its fingerprint)."""
        return self._people()[:2]

    def _people(self) -> tuple[str | None, str, dict[str, str]]:
        """people(), and the meta rows it was read from (what is recorded already)."""
        meta = dict(self.db.execute(_PEOPLE_META).fetchall())
        if "people" in meta:
            return meta["people"], meta.get("pseudonym_key", ""), meta
        if self.db.execute("SELECT 1 FROM submissions LIMIT 1").fetchone() is None:
            return None, "", meta
        named = self.db.execute(
            "SELECT 1 FROM worker_periods WHERE worker NOT GLOB ? UNION ALL SELECT 1 FROM "
            "submissions WHERE manager != '' AND manager NOT GLOB ? LIMIT 1",
            (_PSEUDONYM_GLOB, _PSEUDONYM_GLOB),
        ).fetchone()
        return (NAMES if named else PSEUDONYMS), "", meta

    def check_people(self, pseudonym_key: str | None) -> None:
        """Refused, before anything is stored, when returns pseudonymised with
        `pseudonym_key` (None: with real names) would be mixed with what the store holds."""
        self._check_people(pseudonym_key, *self.people())

    def _check_people(self, pseudonym_key: str | None, held: str | None, key: str) -> None:
        """check_people, with what the store holds read already (`people`)."""
        if held is None:
            return
        where = f"{self.path} holds"
        if held == NAMES and pseudonym_key:
            raise _refused(
                f"{where} workers' real names, so pseudonymised returns would sit next to them "
                "and the store would hold both. Consolidate without --pseudonymise, or into a "
                "new store kept for pseudonymised returns.",
                "store-people-mismatch",
            )
        if held == PSEUDONYMS and not pseudonym_key:
            raise _refused(
                f"{where} pseudonyms, so these returns would put real names next to them. Add "
                "--pseudonymise with the key file the store was made with.",
                "store-people-mismatch",
            )
        if held == PSEUDONYMS and key and pseudonym_key != key:
            raise _refused(
                f"{where} pseudonyms made with another key (fingerprint {key}; this key's is "
                f"{pseudonym_key}), so the same person would get two pseudonyms. Give the key "
                "file the store was made with.",
                "store-people-mismatch",
            )

    def _hold_people(
        self, pseudonym_key: str | None, held: str | None, key: str, meta: dict[str, str]
    ) -> None:
        """Inside an ingest's transaction, after `_check_people` with the same reading of the
        store (`_people`): record what the store holds, where meta does not say so already."""
        people = held or (PSEUDONYMS if pseudonym_key else NAMES)
        if meta.get("people") != people:
            self.db.execute("INSERT OR REPLACE INTO meta VALUES ('people', ?)", (people,))
        if pseudonym_key and not key:
            self.db.execute(
                "INSERT OR REPLACE INTO meta VALUES ('pseudonym_key', ?)", (pseudonym_key,)
            )

    def known_hashes(self) -> set[str]:
        """The SHA-256 of every file ever ingested: the same bytes are never stored twice."""
        return {row[0] for row in self.db.execute("SELECT sha256 FROM submissions")}

    def submissions(self, *, current_only: bool = False) -> list[Submission]:
        """Every return stored (or only the current ones), oldest first. A store of version 1
        or 2 (opened read-only, so not migrated) has no received day: it reads as None."""
        table = "current_submissions" if current_only else "submissions"
        received = "received_on, received_from" if self.version >= 3 else "NULL, NULL"
        rows = self.db.execute(
            f"SELECT id, file_name, sha256, ingested_at, team, service, scheme_id, "
            f"scheme_version, period, period_kind, superseded_by, {received} FROM {table} "
            "ORDER BY id"
        ).fetchall()
        return [Submission(*row) for row in rows]

    def worker_periods(self, service: str | None = None) -> list[WorkerPeriod]:
        """Every worker row of every current return (one per team and period), with its
        return's scheme and version. A store of version 1 (opened read-only, so not migrated)
        has no expected points: they read as None."""
        from workload_xl.core.returns import WorkerPeriod

        expected = "w.expected_points" if self.version >= 2 else "NULL"
        query = (
            "SELECT s.service, s.team, s.period, s.period_kind, w.worker, w.band, w.fte, "
            f"w.cases, w.total_points, w.counted, s.scheme_id, s.scheme_version, {expected} "
            "FROM worker_periods w JOIN current_submissions s ON s.id = w.submission_id"
        )
        params: tuple = ()
        if service:
            query += " WHERE s.service = ?"
            params = (service,)
        rows = self.db.execute(query + " ORDER BY s.service, s.team, s.period", params)
        return [
            WorkerPeriod(
                worker=worker,
                band=band,
                fte=fte,
                cases=cases,
                total_points=total,
                counted=bool(counted),
                period=period,
                period_kind=kind,
                team=team,
                service=service_,
                expected_points=expected,
                scheme_id=scheme_id,
                scheme_version=scheme_version,
            )
            for (
                service_,
                team,
                period,
                kind,
                worker,
                band,
                fte,
                cases,
                total,
                counted,
                scheme_id,
                scheme_version,
                expected,
            ) in rows
        ]

    def team_periods(self, service: str | None = None) -> list[TeamPeriod]:
        """Each current return's team figures, as its team sheet's totals give them: a
        co-worked case counts once, from the stored rows (core.coworking)."""
        from workload_xl.core import coworking
        from workload_xl.core.returns import TeamPeriod

        where, params = (" WHERE s.service = ?", (service,)) if service else ("", ())
        subs = self.db.execute(
            "SELECT s.id, s.service, s.team, s.period, s.period_kind FROM current_submissions s"
            + where
            + " ORDER BY s.service, s.team, s.period",
            params,
        ).fetchall()
        workers: dict[int, list[tuple]] = defaultdict(list)
        for sub, worker, fte, counted in self.db.execute(
            "SELECT w.submission_id, w.worker, w.fte, w.counted FROM worker_periods w "
            "JOIN current_submissions s ON s.id = w.submission_id" + where,
            params,
        ):
            if counted:
                workers[sub].append((str(worker), fte if _is_number(fte) else 0.0))
        lines: dict[int, list[tuple]] = defaultdict(list)
        for sub, worker, ref, kind, points in self.db.execute(
            "SELECT l.submission_id, l.worker, l.case_ref, l.kind, l.agreed_points "
            "FROM return_lines l JOIN current_submissions s ON s.id = l.submission_id" + where,
            params,
        ):  # a store edited by hand may hold anything: text stays text, points a number
            points = points if _is_number(points) else None
            lines[sub].append((str(worker), str(ref or ""), str(kind), points))
        found = []
        for sub, service_, team, period, kind in subs:
            counted = workers.get(sub, [])
            names = {worker.casefold() for worker, _ in counted}
            count = coworking.team_count(lines.get(sub, []), names)
            fte = sum(f for _, f in counted)
            found.append(
                TeamPeriod(
                    service_, team, period, kind, len(counted), fte, count.cases, count.points
                )
            )
        return found

    # --- teams --------------------------------------------------------------------------

    def add_team(self, service: str, name: str, now: dt.datetime | None = None) -> bool:
        """Add a team to the list returns are expected from; False if it was there already."""
        # As a return's team and service are read: spaces, tabs and line breaks folded, so
        # the listed team matches the returns that name it.
        name, service = clean_text(name), clean_text(service)
        if not name or not service:
            raise _refused("A team needs a name and a service; one of them is blank.")
        for what, text in (("team name", name), ("service", service)):
            self._check_name(what, text)
        with self.transaction():
            left = self.db.execute(
                "SELECT name, removed_at, COALESCE(renamed_to, '') FROM teams "
                "WHERE service = ? AND name = ? AND removed_at IS NOT NULL",
                (service, name),
            ).fetchone()
            if left and left[2]:
                raise _refused(
                    f"{left[0]} ({service}) was renamed {left[2]} on {left[1][:10]}, and "
                    f"returns that name {left[0]} are stored under {left[2]}: give the "
                    "new team another name."
                )
            if left:  # taken off the list before: expected again from now on
                self.db.execute(
                    "UPDATE teams SET removed_at = NULL WHERE service = ? AND name = ?",
                    (service, name),
                )
                return True
            cursor = self.db.execute(
                "INSERT OR IGNORE INTO teams (service, name, added_at) VALUES (?, ?, ?)",
                (service, name, now_text(now)),
            )
            return cursor.rowcount == 1

    def teams(self, *, listed_only: bool = True) -> list[Team]:
        """The teams returns are expected from; with `listed_only` False, those that left
        the list too (removed or renamed), each with when it left. A store older than version
        4 (opened read-only) has none that left."""
        if self.version < 4:
            query = "SELECT service, name, added_at FROM teams"
        else:
            query = "SELECT service, name, added_at, COALESCE(removed_at, ''), "
            query += "COALESCE(renamed_to, '') FROM teams"
            query += " WHERE removed_at IS NULL" if listed_only else ""
        rows = self.db.execute(query + " ORDER BY service COLLATE NOCASE, name COLLATE NOCASE")
        return [Team(*row) for row in rows.fetchall()]

    def remove_team(self, service: str, name: str, now: dt.datetime | None = None) -> Team:
        """Take a team off the list: no return is expected from it from now on. Its row stays,
        with when it left, and so do its returns, in every report of the periods they are
        for. Refused when the team is not on the list."""
        with self.transaction():
            team = self._listed(service, name)
            self.db.execute(
                "UPDATE teams SET removed_at = ? WHERE service = ? AND name = ?",
                (now_text(now), team.service, team.name),
            )
            return team

    def rename_team(
        self, service: str, name: str, new_name: str, now: dt.datetime | None = None
    ) -> tuple[Team, int]:
        """Give a listed team a new name, with its history: its returns are the new name's
        from now on (so its trend runs on unbroken), the old name's row stays as a record of
        the rename, and a return that still names the old team (a late one, or a correction
        on last month's sheet) is stored under the new name. Returns the old team and how
        many of its returns were carried over. Refused when the team is not listed, or when
        the new name is a team's already (on the list, once listed, or with returns): two
        teams' returns are never merged."""
        new_name = clean_text(new_name)
        moment = now_text(now)
        with self.transaction():
            team = self._listed(service, name)
            try:
                self._new_name(team, new_name)
            except Refused as problem:  # said of the new name, so the user knows which to fix
                raise Refused(replace(f, field=NEW_NAME) for f in problem.findings) from None
            if new_name.casefold() == team.name.casefold():  # its letter case only: one row
                self.db.execute(
                    "UPDATE teams SET name = ? WHERE service = ? AND name = ?",
                    (new_name, team.service, team.name),
                )
            else:
                self.db.execute(
                    "UPDATE teams SET removed_at = ?, renamed_to = ? "
                    "WHERE service = ? AND name = ?",
                    (moment, new_name, team.service, team.name),
                )
                self.db.execute(
                    "INSERT INTO teams (service, name, added_at) VALUES (?, ?, ?)",
                    (team.service, new_name, team.added_at),
                )
            carried = self.db.execute(
                "UPDATE submissions SET team = ? WHERE service = ? AND team = ?",
                (new_name, team.service, team.name),
            ).rowcount
            return team, carried

    def _new_name(self, team: Team, new_name: str) -> None:
        """Refused when `team` cannot take `new_name`: blank or unusable, its name already,
        or another team's (on the list, once listed, or with returns)."""
        self._check_name("team name", new_name)
        if new_name == team.name:
            raise _refused(f"{team.name} is the team's name already: nothing to do.")
        if new_name.casefold() != team.name.casefold():
            self._unused(team.service, new_name)

    def _listed(self, service: str, name: str) -> Team:
        """The listed team of this service and name (letter case and spacing as typed do not
        matter), or Refused naming the service's listed teams."""
        service, name = clean_text(service), clean_text(name)
        for team in self.teams(listed_only=False):
            if (team.service.casefold(), team.name.casefold()) != (
                service.casefold(),
                name.casefold(),
            ):
                continue
            if team.renamed_to:
                raise _refused(
                    f"{team.name} ({team.service}) was renamed {team.renamed_to} on "
                    f"{team.removed_at[:10]}: give its new name."
                )
            if team.removed_at:
                raise _refused(
                    f"{team.name} ({team.service}) was taken off the list on "
                    f"{team.removed_at[:10]}. Add it again with `workload-xl teams add` "
                    "if returns are expected from it once more."
                )
            return team
        listed = [t.name for t in self.teams() if t.service.casefold() == service.casefold()]
        names = ", ".join(listed) if listed else "none"
        raise _refused(
            f"No team {name!r} is listed for {service!r} (its listed teams: {names}). Give "
            "the team and the service as `workload-xl teams list` shows them."
        )

    def _unused(self, service: str, name: str) -> None:
        """Refused when `name` is a team's in the store already: listed, once listed, or
        named by a return."""
        row = self.db.execute(
            "SELECT name, COALESCE(renamed_to, ''), COALESCE(removed_at, '') FROM teams "
            "WHERE service = ? AND name = ?",
            (service, name),
        ).fetchone()
        returns = self.db.execute(
            "SELECT COUNT(*), MIN(service) FROM submissions WHERE team = ?", (name,)
        ).fetchone()
        if row is None and not returns[0]:
            return
        if row is not None and not row[2]:
            why = "is on the list already"
        elif row is not None:
            why = "was on the list before"
        else:
            why = f"has {returns[0]} return(s) in the store, in {returns[1]}"
        raise _refused(
            f"{name} {why}: a team cannot take another team's name, as their returns would "
            "become one team's. Choose another name; to close one of two teams that merged, "
            "use `workload-xl teams remove`."
        )

    def _under_current_name(self, ret: TeamReturn) -> TeamReturn:
        """The return as its team is now called: a return naming a renamed team (a late
        return, a correction to an old sheet) belongs to the team's new name."""
        name = ret.team
        for _ in range(100):  # a chain of renames, followed to its end
            row = self.db.execute(
                "SELECT renamed_to FROM teams WHERE service = ? AND name = ? "
                "AND renamed_to IS NOT NULL",
                (ret.service, name),
            ).fetchone()
            if row is None:
                break
            name = row[0]
        return ret if name == ret.team else replace(ret, team=name)

    def _check_name(self, what: str, text: str) -> None:
        """Refused for a blank name, or one too long or holding invisible characters."""
        if not text:
            raise _refused(f"The {what} is blank: give it as it stands on the team's sheet.")
        if len(text) > MAX_TEAM_NAME or any(unicodedata.category(c) in ("Cc", "Cf") for c in text):
            raise _refused(
                f"That {what} is longer than {MAX_TEAM_NAME} characters or holds invisible "
                "control characters (pasted from another program?). Type it again, as it "
                "stands on the team's sheet."
            )

    def integrity(self) -> list[str]:
        """SQLite's own integrity and foreign-key checks: an empty list means a sound store."""
        problems = [row[0] for row in self.db.execute("PRAGMA integrity_check") if row[0] != "ok"]
        problems += [f"foreign key: {row}" for row in self.db.execute("PRAGMA foreign_key_check")]
        return problems


def _migrate(store: ReturnsStore) -> None:
    """Bring a store made by an older version up to this one, in one transaction (a crash
    part-way leaves it as it was), recording when in meta (`migrated_to_<version>`). Its
    returns stay as they were; columns added are empty for the rows already stored."""
    with store.transaction():
        version = _recognise(store.db, store.path)  # another process may have done it
        for number in range(version + 1, SCHEMA_VERSION + 1):
            for statement in MIGRATIONS[number]:
                store.db.execute(statement)
            when = (f"migrated_to_{number}", now_text())
            store.db.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", when)
        store.db.execute(
            "UPDATE meta SET value = ? WHERE key = 'schema_version'", (str(SCHEMA_VERSION),)
        )
    store.version = SCHEMA_VERSION


def sqlite_uri(path: PurePath | str, *, read_only: bool = False) -> str:
    """An SQLite `file:` URI for a path: absolute, with forward slashes, and every character
    that means something in a URI (a space, ?, #, %) percent-encoded. A Windows drive path
    becomes file:///C:/..., a UNC path file:////server/share/... (an empty authority, which
    SQLite accepts; pathlib's as_uri would put the server in the authority, which it refuses).
    """
    path = path if isinstance(path, PurePath) else Path(path)
    if not path.is_absolute():
        path = Path(os.path.abspath(path))
    text = path.as_posix()
    if not text.startswith("/"):
        text = "/" + text  # C:/x -> /C:/x
    uri = "file://" + quote(text, safe="/:")
    return uri + "?mode=ro" if read_only else uri


def _write_ahead(db: sqlite3.Connection, seconds: float = 60) -> None:
    """Put the store in WAL mode for writing. A store at rest is in rollback-journal mode (see
    close), and the switch needs the file to itself, which SQLite does not wait for: two
    processes opening at once retry here, as the busy timeout would, up to `seconds`."""
    deadline = time.monotonic() + seconds
    while True:
        try:
            mode = db.execute("PRAGMA journal_mode = WAL").fetchone()
            if (mode and str(mode[0]).lower() == "wal") or time.monotonic() > deadline:
                return  # past the deadline the rollback journal serves: slower, as safe
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or time.monotonic() > deadline:
                raise
        time.sleep(0.02)


def _in_wal_mode(path: Path) -> bool:
    """Whether an SQLite file's header says write-ahead logging (bytes 18 and 19 are 2)."""
    try:
        with Path(path).open("rb") as handle:
            header = handle.read(20)
    except OSError:
        return False
    return header[:16] == b"SQLite format 3\x00" and header[18:20] == b"\x02\x02"


def _tables(db: sqlite3.Connection) -> set[str]:
    return {row[0] for row in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}


def _recognise(db: sqlite3.Connection, path: Path) -> int:
    """A returns store's schema version, 0 for an empty database (a new store); Refused for
    any other SQLite file, a store whose meta table is damaged, or one from a newer version.
    Reads only, so a refused file is left byte for byte as it was."""
    tables = _tables(db)
    if not tables:
        return 0
    if not set(DATA_TABLES) <= tables:
        shown = ", ".join(sorted(tables)[:6]) + (", ..." if len(tables) > 6 else "")
        raise _refused(
            f"{path} is an SQLite database, but not a returns store: it holds other tables "
            f"({shown}), probably another application's. Nothing was changed in it. Check the "
            "--store path: give the returns store, or a new file name to make a new store.",
            "store-foreign",
        )
    if "meta" not in tables:
        raise _damaged(path, "its meta table is missing")
    try:
        meta = dict(db.execute("SELECT key, value FROM meta").fetchall())
    except sqlite3.DatabaseError as exc:
        raise _damaged(path, f"its meta table cannot be read ({exc})") from None
    version = meta.get("schema_version")
    if version is None:
        raise _damaged(path, "its meta table has no schema_version")
    try:
        number = int(str(version).strip())
    except ValueError:
        raise _damaged(path, f"its schema_version is {str(version)[:40]!r}, not a number") from None
    if number > SCHEMA_VERSION:
        raise _refused(
            f"{path} was made by a newer version of workload-xl "
            f"(schema {number}); update workload-xl to use it."
        )
    if number < 1:
        raise _damaged(
            path, f"its schema_version is {number}, which no version of workload-xl writes"
        )
    problem = _schema_problem(db, number)
    if problem:
        raise _damaged(path, problem)
    return number


def _schema_problem(db: sqlite3.Connection, version: int) -> str:
    """What differs between the file's tables, indexes, views and triggers and the ones
    workload-xl makes for a store of its `version`, or "". A view dropped or rewritten, a
    column renamed, a trigger added by another tool would make reads fail or writes delete
    returns; each version's schema is known exactly (the first and its migrations), so any
    difference is damage."""
    found = _schema_of(db)
    expected = _expected_schema(version)
    for key in sorted(expected.keys() - found.keys()):
        return f"its {key[0]} {key[1]} is missing"
    for key in sorted(found.keys() - expected.keys()):
        return (
            f"it holds a {key[0]} {key[1]!r} that workload-xl never makes (another tool "
            "added it; it could change or hide returns)"
        )
    for key in sorted(expected):
        if found[key] != expected[key]:
            return f"its {key[0]} {key[1]} was changed by another tool"
    return ""


def _schema_of(db: sqlite3.Connection) -> dict[tuple[str, str], str]:
    rows = db.execute(
        "SELECT type, name, sql FROM sqlite_master WHERE name NOT LIKE 'sqlite_%'"
    ).fetchall()
    return {(kind, name): " ".join(str(sql or "").split()) for kind, name, sql in rows}


@functools.cache
def _expected_schema(version: int = SCHEMA_VERSION) -> dict[tuple[str, str], str]:
    """The schema objects of a store of `version`, as SQLite records them."""
    db = sqlite3.connect(":memory:")
    try:
        for statement in _statements_up_to(version):
            db.execute(statement)
        return _schema_of(db)
    finally:
        db.close()


def _statements_up_to(version: int) -> list[str]:
    """The first schema's statements, then each migration's up to `version`."""
    statements = list(_statements(SCHEMA))
    for number in range(2, version + 1):
        statements += MIGRATIONS[number]
    return statements


def _damaged(path: Path, what: str) -> Refused:
    return _refused(
        f"{path} is a returns store, but {what}. Nothing was changed in it. Restore the file "
        "from a backup, or ask whoever looks after the store to set it right with an SQLite "
        f"tool (this version writes schema_version {SCHEMA_VERSION}); or rebuild the store by "
        "consolidating the returns into a new file.",
        "store-damaged",
    )


ROWS_A_STATEMENT = 100
"""Rows one INSERT carries. Python's sqlite3 steps a statement once a row with executemany,
and that stepping, not SQLite's own work, is most of an ingest's cost: 100 rows a statement
ingested a return of 800 lines in about three quarters of the time (well under SQLite's limit
of 999 bound values in its oldest builds)."""

LINE_WIDTH = 5
"""A return line's values: worker, case_ref, item_code, kind, agreed_points (a ReturnLine)."""

_KNOWN_FILE = "SELECT id FROM submissions WHERE sha256 = ?"
_CURRENT_RETURNS = (
    "SELECT id, file_name, service, manager FROM current_submissions "
    "WHERE team = ? AND period = ? ORDER BY id DESC"
)
_PEOPLE_META = "SELECT key, value FROM meta WHERE key IN ('people', 'pseudonym_key')"
_INSERT_SUBMISSION = (
    "INSERT INTO submissions (file_name, source_path, sha256, ingested_at, team, "
    "service, scheme_id, scheme_version, period, period_kind, manager, "
    "received_on, received_from) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
)
_INSERT_WORKER = (
    "INSERT INTO worker_periods (submission_id, worker, band, fte, cases, "
    "total_points, counted, expected_points) VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
)
_SUPERSEDE = "UPDATE submissions SET superseded_by = ?, superseded_at = ? WHERE id = ?"
"""An ingest's statements, written once: SQLite's statement cache then prepares each once."""


@functools.lru_cache(maxsize=ROWS_A_STATEMENT + 1)
def _lines_statement(rows: int) -> str:
    """One INSERT of `rows` return lines whose submission id is bound once, as ?1: its
    parameters are the id and then the lines' values one after another, as the reader gives
    them, so no line is turned into a tuple of its own on the way in."""
    values = (
        "(?1, " + ", ".join(f"?{2 + row * LINE_WIDTH + i}" for i in range(LINE_WIDTH)) + ")"
        for row in range(rows)
    )
    return "INSERT INTO return_lines VALUES " + ", ".join(values)


def _flat_lines(lines) -> tuple:
    """A return's lines as one tuple of values, line after line: the reader's own when it
    gives them so (`flat`, core.returns.LineRows), else built from the records."""
    flat = getattr(lines, "flat", None)
    if flat is not None:
        return flat
    return tuple(chain.from_iterable(lines))


def _insert_lines(db: sqlite3.Connection, submission_id: int, flat: tuple) -> None:
    step = ROWS_A_STATEMENT * LINE_WIDTH
    full = len(flat) - len(flat) % step
    if full:
        db.executemany(
            _lines_statement(ROWS_A_STATEMENT),
            [(submission_id, *flat[start : start + step]) for start in range(0, full, step)],
        )
    if full < len(flat):
        db.execute(
            _lines_statement((len(flat) - full) // LINE_WIDTH), (submission_id, *flat[full:])
        )


def _is_number(value: object) -> bool:
    """A finite number, as a figure the store gives must be (not text, NaN or infinity)."""
    return type(value) in (int, float) and -math.inf < value < math.inf


def _person(name: str) -> str:
    """A name as people compare it: letter case and spacing ignored."""
    return " ".join(str(name or "").split()).casefold()


def _statements(script: str) -> Iterable[str]:
    """The schema's statements one by one, so they run inside our own transaction."""
    for statement in script.split(";"):
        if statement.strip():
            yield statement
