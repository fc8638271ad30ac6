"""The store protects itself: no output over the store or an input, another application's
SQLite file left alone, read commands that never change the store, names and pseudonyms never
mixed, and changes of service or people held for a decision. Real files, real CLI runs."""

from __future__ import annotations

import dataclasses
import hashlib
import os
import shutil
import sqlite3
import stat
from pathlib import Path, PureWindowsPath

import pytest

from workload_xl.core.findings import Refused
from workload_xl.core.period import Period
from workload_xl.core.pseudonyms import KeyFileError, Pseudonymiser, load_key
from workload_xl.core.returns import ReturnLine, TeamReturn, WorkerPeriod
from workload_xl.files.atomic import same_file, write_atomically
from workload_xl.files.team_workbook import write_team_workbook
from workload_xl.services.consolidate import consolidate_files
from workload_xl.store.database import NAMES, PSEUDONYMS, ReturnsStore, sqlite_uri

from .bounded_cli import run_cli
from .conftest import posix_only
from .test_consolidate import team_sheet

OCTOBER = Period(2026, 10)
KEY = bytes(range(32))
READ_COMMANDS = {
    "returns": ["returns", "--period", "2026-10"],
    "report": ["report", "-o", "report.xlsx"],
    "store check": ["store", "check"],
    "store export": ["store", "export", "-o", "export"],
    "teams list": ["teams", "list"],
}


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def said(text: str) -> str:
    """What a command printed, with the line wrapping of findings undone."""
    return " ".join(text.split())


def beside(path: Path) -> list[str]:
    """The files SQLite makes beside a database while it is in use."""
    return sorted(p.name for p in path.parent.glob(path.name + "-*"))


def contents(path: Path) -> list[tuple]:
    """Every row of every table: what a store holds, whatever SQLite did to its header."""
    db = sqlite3.connect(path)
    try:
        tables = [
            r[0]
            for r in db.execute("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
        ]
        return [(t, *row) for t in tables for row in db.execute(f'SELECT * FROM "{t}"')]
    finally:
        db.close()


def a_return(
    team="North", service="First Response", people=("Ann", "Bob"), manager="Sam", period=OCTOBER
) -> TeamReturn:
    workers = [WorkerPeriod(p, "Social worker", 1.0, 1, 10.0, True) for p in people]
    lines = [ReturnLine(p, f"C-{p}", "CIN", "case", 10.0) for p in people]
    return TeamReturn(
        f"{team}.xlsx",
        team,
        service,
        "childrens-social-care",
        "2026.1",
        period,
        manager,
        workers,
        lines,
    )


def a_store(path: Path) -> Path:
    with ReturnsStore.open(path) as store:
        store.add_team("Safeguarding and Support", "North")
        store.ingest(a_return(), sha256="a" * 64, source_path="north.xlsx")
    return path


def write_return(
    path: Path,
    team="North",
    service="Safeguarding and Support",
    index=0,
    period=OCTOBER,
    manager="Manager",
    rename=None,
) -> Path:
    sheet = team_sheet(service, "childrens-social-care", team, period, index)
    if rename:
        sheet.workers = [dataclasses.replace(w, worker=rename + w.worker) for w in sheet.workers]
        sheet.cases = [dataclasses.replace(c, worker=rename + c.worker) for c in sheet.cases]
    sheet.manager = manager
    assert write_team_workbook(path, sheet) == []
    return path


def foreign_database(path: Path, wal: bool = False) -> Path:
    db = sqlite3.connect(path)
    if wal:
        db.execute("PRAGMA journal_mode = WAL")
    db.execute("CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT)")
    db.execute("CREATE TABLE teams (id INTEGER PRIMARY KEY, name TEXT)")  # a name we use too
    db.execute("INSERT INTO users (name) VALUES ('someone')")
    db.commit()
    db.close()
    return path


# --- (1) no output over the store or an input ------------------------------------------------


@pytest.mark.parametrize("spelling", ["same", "dotted", "hard link", "symlink"])
def test_report_over_its_own_store_is_refused_however_the_store_is_named(tmp_path, spelling):
    # A store may have any name; one named like a workbook is what a report's -o could be.
    store = a_store(tmp_path / "returns.xlsx")
    (tmp_path / "sub").mkdir()
    output = {
        "same": Path("returns.xlsx"),
        "dotted": Path("sub/../returns.xlsx"),
        "hard link": tmp_path / "link.xlsx",
        "symlink": tmp_path / "sym.xlsx",
    }[spelling]
    if spelling == "hard link":
        os.link(store, output)
    if spelling == "symlink":
        output.symlink_to(store)
    before = digest(store)
    run = run_cli("report", "--store", "returns.xlsx", "-o", output, "--force", cwd=tmp_path)
    run.assert_bounded()
    assert run.returncode == 2
    assert "output-is-input" in said(run.stderr) and "the returns store" in said(run.stderr)
    assert "Give the output another name" in said(run.stderr)
    assert digest(store) == before
    with ReturnsStore.open(store, read_only=True) as opened:
        assert len(opened.submissions()) == 1


def test_report_over_its_key_file_is_refused(tmp_path):
    store = a_store(tmp_path / "returns.sqlite")
    key = tmp_path / "team-key.xlsx"  # a key may have any name, even a workbook's
    key.write_text(KEY.hex() + "\n")
    before = digest(key)
    run = run_cli(
        "report", "--store", store, "-o", key, "--force", "--pseudonymise", key, cwd=tmp_path
    )
    run.assert_bounded()
    assert run.returncode == 2 and "the key file" in said(run.stderr)
    assert digest(key) == before


@pytest.mark.parametrize("store_name", ["returns-store.xlsx", "meta.csv"])
def test_store_export_never_writes_over_the_store_it_exports(tmp_path, store_name):
    store = a_store(tmp_path / store_name)
    before = digest(store)
    run = run_cli("store", "export", "--store", store, "-o", tmp_path, "--force", cwd=tmp_path)
    run.assert_bounded()
    assert (
        run.returncode == 2
        and "output-is-input" in said(run.stderr)
        and store_name in said(run.stderr)
    )
    assert digest(store) == before
    assert not (tmp_path / "teams.csv").exists()  # nothing written at all


def test_consolidate_never_takes_its_store_as_an_input_or_the_key_as_its_store(tmp_path):
    store = a_store(tmp_path / "returns.sqlite")
    before = digest(store)
    run = run_cli("consolidate", store, "--store", store, cwd=tmp_path)
    run.assert_bounded()
    assert run.returncode == 2 and "output-is-input" in said(run.output)
    assert digest(store) == before
    key = tmp_path / "team.key"
    key.write_text(KEY.hex() + "\n")
    key_before = digest(key)
    run = run_cli("consolidate", tmp_path, "--store", key, "--pseudonymise", key, cwd=tmp_path)
    run.assert_bounded()
    assert run.returncode == 2 and "the key file" in said(run.stderr)
    assert digest(key) == key_before


def test_build_team_never_writes_over_a_worker_sheet_or_a_history_workbook(tmp_path, make_sheet):
    worker = make_sheet(name="jo.xlsx").path
    history = write_return(tmp_path / "history.xlsx", period=Period(2026, 9))
    before = digest(worker), digest(history)
    for args in ([tmp_path, "-o", worker], [worker, "-o", history, "--history", history]):
        run = run_cli("build-team", *args, "--force", cwd=tmp_path)
        run.assert_bounded()
        assert run.returncode == 2 and "output-is-input" in said(run.stderr), run.output
    assert "a history workbook" in said(run.stderr)
    assert (digest(worker), digest(history)) == before


def test_import_caseload_never_writes_over_its_report(tmp_path):
    report = tmp_path / "caseload.xlsx"
    report.write_bytes(b"not read")
    run = run_cli(
        "import-caseload",
        report,
        "--worker",
        "Jo",
        "--scheme",
        "childrens-social-care",
        "-o",
        report,
        "--force",
        cwd=tmp_path,
    )
    run.assert_bounded()
    assert run.returncode == 2 and "the caseload report" in said(run.stderr)
    assert report.read_bytes() == b"not read"


def test_paths_are_compared_as_the_files_they_name(tmp_path):
    (tmp_path / "a.txt").write_text("a")
    assert same_file(tmp_path / "a.txt", tmp_path / "." / "a.txt")
    assert not same_file(tmp_path / "a.txt", tmp_path / "b.txt")
    assert same_file(tmp_path / "new.txt", tmp_path / "x" / ".." / "new.txt")  # neither exists


# --- (2) another application's SQLite file, read-only opens, damaged meta ----------------------


@pytest.mark.parametrize("command", ["consolidate", "teams add", *READ_COMMANDS])
def test_another_applications_database_is_refused_and_left_byte_for_byte(tmp_path, command):
    other = foreign_database(tmp_path / "app.db")
    (tmp_path / "export").mkdir()
    before = digest(other)
    args = {
        "consolidate": ["consolidate", tmp_path / "nothing.xlsx"],
        "teams add": ["teams", "add", "North", "--service", "First Response"],
    }.get(command)
    run = run_cli(*(args or READ_COMMANDS[command]), "--store", other, cwd=tmp_path)
    run.assert_bounded()
    assert run.returncode == 2, run.output
    assert "store-foreign" in said(run.output) and "not a returns store" in said(run.output)
    assert "users" in said(run.output)  # it says what the file holds
    assert digest(other) == before
    assert beside(other) == []


def test_a_foreign_database_in_wal_mode_is_left_as_it_was_by_consolidate(tmp_path):
    other = foreign_database(tmp_path / "app.db", wal=True)
    before = digest(other)
    run = run_cli("consolidate", tmp_path / "x.xlsx", "--store", other, cwd=tmp_path)
    run.assert_bounded()
    assert run.returncode == 2 and "store-foreign" in said(run.output)
    assert digest(other) == before and beside(other) == []


@pytest.mark.parametrize("command", list(READ_COMMANDS))
def test_read_commands_never_change_the_store_nor_make_files_beside_it(tmp_path, command):
    store = a_store(tmp_path / "returns.sqlite")
    (tmp_path / "export").mkdir()
    before = digest(store)
    run = run_cli(*READ_COMMANDS[command], "--store", store, cwd=tmp_path)
    run.assert_bounded()
    assert run.returncode in (0, 1), run.output  # report: 1 when nothing matches the filters
    assert digest(store) == before
    assert beside(store) == []


@pytest.mark.parametrize("command", list(READ_COMMANDS))
def test_a_missing_store_is_a_message_for_read_commands_and_no_file_is_made(tmp_path, command):
    (tmp_path / "export").mkdir()
    run = run_cli(*READ_COMMANDS[command], "--store", "missing.sqlite", cwd=tmp_path)
    run.assert_bounded()
    assert run.returncode == 2 and "There is no returns store at missing.sqlite" in said(run.stderr)
    assert not (tmp_path / "missing.sqlite").exists()


@pytest.mark.parametrize(
    "command",
    [
        ("consolidate", "inbox"),
        ("teams", "add", "North", "--service", "Safeguarding and Support"),
    ],
)
def test_a_store_in_a_folder_that_does_not_exist_says_so_and_makes_nothing(tmp_path, command):
    """SQLite says only "unable to open database file"; the user needs to hear that the
    folder is missing (as the workbook writers say it), and no folder is made for them."""
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    write_team_workbook(
        inbox / "north.xlsx",
        team_sheet(
            "Safeguarding and Support", "childrens-social-care", "North", Period(2026, 10), 0
        ),
    )
    run = run_cli(*command, "--store", Path("perf team", "returns.sqlite"), cwd=tmp_path)
    run.assert_bounded()
    where = str(Path("perf team", "returns.sqlite"))
    assert run.returncode == 2, run.output
    assert (
        f"The folder perf team does not exist, so no returns store can be made at {where}. "
        "Create the folder first" in said(run.output)
    )
    assert "unable to open database file" not in run.output
    assert not (tmp_path / "perf team").exists()


def test_a_read_only_store_file_can_still_be_read(tmp_path):
    store = a_store(tmp_path / "returns.sqlite")
    store.chmod(0o444)
    try:
        with ReturnsStore.open(store, read_only=True) as opened:
            assert len(opened.submissions()) == 1
            with pytest.raises(Refused, match="could not be written"):
                opened.add_team("FR", "West")
    finally:
        store.chmod(0o644)


DAMAGE = {
    "meta missing": "DROP TABLE meta",
    "no schema_version": "DELETE FROM meta WHERE key = 'schema_version'",
    "not a number": "UPDATE meta SET value = 'one' WHERE key = 'schema_version'",
    "version 0": "UPDATE meta SET value = '0' WHERE key = 'schema_version'",
}


@pytest.mark.parametrize("damage", list(DAMAGE))
@pytest.mark.parametrize("command", ["consolidate", "store check", "report"])
def test_a_damaged_meta_table_is_a_finding_never_a_traceback(tmp_path, damage, command):
    store = a_store(tmp_path / "returns.sqlite")
    db = sqlite3.connect(store)
    db.execute(DAMAGE[damage])
    db.commit()
    db.close()
    before = digest(store)
    args = {
        "consolidate": ["consolidate", tmp_path / "x.xlsx"],
        "store check": ["store", "check"],
        "report": ["report", "-o", "r.xlsx"],
    }[command]
    run = run_cli(*args, "--store", store, cwd=tmp_path)
    run.assert_bounded()
    assert run.returncode == (1 if command == "store check" else 2), run.output  # check: found
    assert "store-damaged" in said(run.output) and "returns.sqlite is a returns store, but" in said(
        run.output
    )
    assert digest(store) == before


def test_sqlite_uris_are_built_for_spaces_windows_drives_and_shares():
    assert sqlite_uri(Path("/srv/my returns/s#1?.sqlite"), read_only=True) == (
        "file:///srv/my%20returns/s%231%3F.sqlite?mode=ro"
    )
    assert sqlite_uri(PureWindowsPath(r"C:\Users\Perf Team\returns.sqlite")) == (
        "file:///C:/Users/Perf%20Team/returns.sqlite"
    )
    assert sqlite_uri(PureWindowsPath(r"\\server\share\returns 2026.sqlite")) == (
        "file:////server/share/returns%202026.sqlite"
    )


def test_a_store_in_a_folder_with_spaces_and_a_hash_opens_read_only(tmp_path):
    folder = tmp_path / "perf team #1"
    folder.mkdir()
    store = a_store(folder / "returns 100%.sqlite")
    with ReturnsStore.open(store, read_only=True) as opened:
        assert len(opened.submissions()) == 1


# --- (3) names or pseudonyms, and with which key ------------------------------------------------


def test_the_store_records_names_or_pseudonyms_and_a_fingerprint_never_the_key(tmp_path):
    named, hidden = tmp_path / "named.sqlite", tmp_path / "hidden.sqlite"
    a_store(named)
    key = Pseudonymiser(KEY)
    with ReturnsStore.open(hidden) as store:
        assert store.people() == (None, "")
        store.ingest(
            key.team_return(a_return()),
            sha256="b" * 64,
            source_path="n.xlsx",
            pseudonym_key=key.fingerprint,
        )
        assert store.people() == (PSEUDONYMS, key.fingerprint)
    with ReturnsStore.open(named, read_only=True) as store:
        assert store.people() == (NAMES, "")
    assert KEY.hex().encode() not in hidden.read_bytes() and KEY not in hidden.read_bytes()
    assert key.fingerprint != Pseudonymiser(bytes(32)).fingerprint


@pytest.mark.parametrize(
    "first, then, words",
    [
        ("key", None, "holds pseudonyms"),
        (None, "key", "holds workers' real names"),
        ("key", "other", "made with another key"),
    ],
)
def test_consolidating_with_another_mode_or_key_is_refused_before_anything_is_stored(
    tmp_path, first, then, words
):
    keys = {"key": tmp_path / "team.key", "other": tmp_path / "other.key"}
    keys["key"].write_text(KEY.hex() + "\n")
    keys["other"].write_text(bytes(32).hex() + "\n")
    store = tmp_path / "returns.sqlite"

    def consolidate(path, key):
        extra = ["--pseudonymise", keys[key]] if key else []
        return run_cli("consolidate", path, "--store", store, *extra, cwd=tmp_path)

    done = consolidate(write_return(tmp_path / "sept.xlsx", period=Period(2026, 9)), first)
    assert done.returncode == 0, done.output
    before = digest(store)
    run = consolidate(write_return(tmp_path / "oct.xlsx", index=1), then)
    run.assert_bounded()
    assert run.returncode == 2, run.output
    assert "store-people-mismatch" in said(run.output) and words in said(run.output)
    assert digest(store) == before


def test_a_store_from_before_the_mode_was_recorded_is_judged_by_what_it_holds(tmp_path):
    key = Pseudonymiser(KEY)
    for name, ret in (("named", a_return()), ("hidden", key.team_return(a_return()))):
        path = tmp_path / f"{name}.sqlite"
        with ReturnsStore.open(path) as store:
            store.ingest(ret, sha256="c" * 64, source_path="n.xlsx")
            store.db.execute("DELETE FROM meta WHERE key IN ('people', 'pseudonym_key')")
        with ReturnsStore.open(path) as store:
            if name == "named":
                assert store.people() == (NAMES, "")
                with pytest.raises(Refused, match="real names"):
                    store.check_people(key.fingerprint)
            else:
                assert store.people() == (PSEUDONYMS, "")  # the key is not known yet
                store.check_people(key.fingerprint)  # so any key is taken, and recorded
                later = key.team_return(a_return(period=Period(2026, 11)))
                store.ingest(
                    later, sha256="d" * 64, source_path="nov.xlsx", pseudonym_key=key.fingerprint
                )
                assert store.people() == (PSEUDONYMS, key.fingerprint)


# --- (4) small items ----------------------------------------------------------------------


@pytest.mark.parametrize("key_path", ["folder", "/dev/zero", "big"])
def test_a_key_that_is_not_a_small_regular_file_is_a_plain_message(tmp_path, key_path):
    (tmp_path / "folder").mkdir()
    (tmp_path / "big").write_bytes(b"0" * 100_000)
    store = a_store(tmp_path / "returns.sqlite")
    run = run_cli(
        "report", "--store", store, "-o", "r.xlsx", "--pseudonymise", key_path, cwd=tmp_path
    )
    run.assert_bounded()
    assert run.returncode == 2 and "key file" in said(run.stderr), run.output
    with pytest.raises(KeyFileError):
        load_key(tmp_path / key_path)


@posix_only
def test_a_key_file_is_private_from_its_first_byte(tmp_path):
    seen = []

    def write(temp: Path) -> None:
        seen.append(stat.S_IMODE(temp.stat().st_mode))
        temp.write_text(KEY.hex())
        seen.append(stat.S_IMODE(temp.stat().st_mode))

    old = os.umask(0)  # even where new files would be readable by everyone
    try:
        assert write_atomically(tmp_path / "team.key", write, private=True) == []
    finally:
        os.umask(old)
    assert seen == [0o600, 0o600]
    assert stat.S_IMODE((tmp_path / "team.key").stat().st_mode) == 0o600
    run = run_cli("key", "new", "-o", "cli.key", cwd=tmp_path)
    assert run.returncode == 0
    assert stat.S_IMODE((tmp_path / "cli.key").stat().st_mode) == 0o600


@pytest.mark.parametrize("name", ["", "   "])
def test_teams_add_refuses_a_blank_name(tmp_path, name):
    run = run_cli(
        "teams", "add", "North", name, "--service", "FR", "--store", "s.sqlite", cwd=tmp_path
    )
    run.assert_bounded()
    assert run.returncode == 2 and "team name is blank" in said(run.stderr)
    assert not (tmp_path / "s.sqlite").exists()


# --- (5) changes of service or people are held for a decision ----------------------------------


def test_a_revision_with_the_same_people_still_supersedes_and_both_stay(tmp_path):
    with ReturnsStore.open(tmp_path / "s.sqlite") as store:
        first = store.ingest(a_return(), sha256="a" * 64, source_path="v1.xlsx")
        second = store.ingest(
            a_return(people=("Ann", "Cat")), sha256="b" * 64, source_path="v2.xlsx"
        )
        assert second.outcome == "stored" and second.superseded_id == first.submission_id
        assert len(store.submissions()) == 2 and len(store.submissions(current_only=True)) == 1


def test_the_same_team_name_in_another_service_with_other_people_is_another_team(tmp_path):
    with ReturnsStore.open(tmp_path / "s.sqlite") as store:
        store.ingest(a_return(), sha256="a" * 64, source_path="fr.xlsx")
        other = a_return(service="Children in Care", people=("Eve",), manager="Kim")
        done = store.ingest(other, sha256="b" * 64, source_path="cic.xlsx")
        assert done.outcome == "stored" and done.superseded == ()
        assert len(store.submissions(current_only=True)) == 2


@pytest.mark.parametrize("change", ["service", "people"])
def test_a_return_that_changes_service_or_people_is_held_then_accepted(tmp_path, change):
    store = tmp_path / "returns.sqlite"
    first = write_return(tmp_path / "north-oct.xlsx")
    assert run_cli("consolidate", first, "--store", store, cwd=tmp_path).returncode == 0
    if change == "service":
        second = write_return(tmp_path / "north-oct-v2.xlsx", service="Children in Care", index=1)
        words = "the team would count in two services"
    else:  # another team's sheet sent under North's name
        second = write_return(tmp_path / "north-oct-v2.xlsx", manager="Other", rename="X", index=1)
        words = "it may be another team's return"
    before = contents(store)
    run = run_cli("consolidate", second, "--store", store, cwd=tmp_path)
    run.assert_bounded()
    assert run.returncode == 1, run.output
    assert "return-held" in said(run.stdout) and words in said(run.stdout)
    assert "north-oct-v2.xlsx" in said(run.stdout) and "north-oct.xlsx" in said(
        run.stdout
    )  # both named
    assert "--accept-changes" in said(run.stdout)
    assert contents(store) == before  # nothing stored
    run = run_cli("consolidate", second, "--store", store, "--accept-changes", cwd=tmp_path)
    assert run.returncode == 0, run.output
    with ReturnsStore.open(store, read_only=True) as opened:
        current = opened.submissions(current_only=True)
        assert [s.file_name for s in current] == ["north-oct-v2.xlsx"]
        assert len(opened.submissions()) == 2  # the earlier one stays, superseded


def test_held_returns_are_counted_by_the_api(tmp_path):
    store = tmp_path / "returns.sqlite"
    assert consolidate_files([write_return(tmp_path / "a.xlsx")], store).exit_code == 0
    moved = write_return(tmp_path / "b.xlsx", service="Children in Care", index=1)
    run = consolidate_files([moved], store)
    assert run.held == [str(moved)] and run.stored == [] and run.exit_code == 1


# --- a store another tool has changed -------------------------------------------------------

TAMPERING = {
    "a view dropped": "DROP VIEW current_submissions",
    "a column renamed": "ALTER TABLE worker_periods RENAME COLUMN fte TO fte_old",
    "a trigger that wipes lines": (
        "CREATE TRIGGER wipe AFTER INSERT ON submissions BEGIN DELETE FROM return_lines; END"
    ),
    "a view that never ends": (
        "DROP VIEW current_submissions; CREATE VIEW current_submissions AS WITH RECURSIVE "
        "r(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM r) SELECT s.* FROM submissions s, r"
    ),
    "an extra table": "CREATE TABLE notes (text)",
}


@pytest.fixture(scope="module")
def sound_store(tmp_path_factory) -> tuple[Path, Path]:
    """A store holding one return, and a second return to consolidate into it."""
    folder = tmp_path_factory.mktemp("sound")
    first, second = folder / "North.xlsx", folder / "South.xlsx"
    for path, team in ((first, "North"), (second, "South")):
        sheet = team_sheet(
            "Safeguarding and Support", "childrens-social-care", team, Period(2026, 10), 0
        )
        assert write_team_workbook(path, sheet) == []
    store = folder / "returns.sqlite"
    assert consolidate_files([first], store).exit_code == 0
    return store, second


@pytest.mark.parametrize("change", list(TAMPERING), ids=lambda c: c.replace(" ", "-"))
def test_a_store_another_tool_changed_is_refused_by_every_command_unchanged(
    change, sound_store, tmp_path
):
    """Reading it would fail or never end, and writing to it could delete returns: every
    command says the store is damaged, and leaves it byte for byte as it was."""
    sound, second = sound_store
    store = tmp_path / "returns.sqlite"
    shutil.copy(sound, store)
    db = sqlite3.connect(store)
    db.executescript(TAMPERING[change])
    db.commit()
    db.close()
    before = hashlib.sha256(store.read_bytes()).hexdigest()
    (tmp_path / "out").mkdir()
    for command in (
        ["returns", "--period", "2026-10"],
        ["report", "-o", tmp_path / "r.xlsx"],
        ["store", "check"],
        ["store", "export", "-o", tmp_path / "out"],
        ["consolidate", second],
    ):
        run = run_cli(*command, "--store", store, cwd=tmp_path)
        run.assert_bounded()
        damaged = 1 if command[0] == "store" and command[1] == "check" else 2  # it checks
        assert run.returncode == damaged and "store-damaged" in run.output, (command, run.output)
    assert hashlib.sha256(store.read_bytes()).hexdigest() == before


def test_a_blob_another_tool_put_in_the_store_is_exported_as_hex(sound_store, tmp_path):
    store = tmp_path / "returns.sqlite"
    shutil.copy(sound_store[0], store)
    with sqlite3.connect(store) as db:
        db.execute("UPDATE worker_periods SET band = x'00ff' WHERE rowid = 1")
    out = tmp_path / "export"
    out.mkdir()
    run = run_cli("store", "export", "--store", store, "-o", out, "--force", cwd=tmp_path)
    run.assert_bounded()
    assert run.returncode == 0, run.output
    assert "00ff" in (out / "worker_periods.csv").read_text(encoding="utf-8-sig")
    assert (out / "returns-store.xlsx").is_file()


@pytest.mark.skipif(os.name != "posix", reason="FIFOs are POSIX")
def test_a_store_path_that_is_a_pipe_is_named_as_one(tmp_path):
    pipe = tmp_path / "returns.sqlite"
    os.mkfifo(pipe)
    run = run_cli("returns", "--store", pipe, "--period", "2026-10", cwd=tmp_path)
    run.assert_bounded()
    assert run.returncode == 2 and "pipe" in run.output and "folder" not in run.output


@pytest.mark.parametrize(
    "name",
    ["North\u202eEast", "North\x07", "N" * 201],
    ids=["right-to-left-override", "bell", "too-long"],
)
def test_teams_add_refuses_invisible_characters_and_endless_names(name, tmp_path):
    run = run_cli(
        "teams",
        "add",
        name,
        "--service",
        "First Response",
        "--store",
        tmp_path / "returns.sqlite",
        cwd=tmp_path,
    )
    run.assert_bounded()
    assert run.returncode != 0 and "control characters" in said(run.output), run.output


def test_teams_add_folds_spaces_as_returns_are_read(tmp_path):
    store = tmp_path / "returns.sqlite"
    run = run_cli(
        "teams",
        "add",
        "North\tEast ",
        "--service",
        " First  Response",
        "--store",
        store,
        cwd=tmp_path,
    )
    run.assert_bounded()
    assert run.returncode == 0, run.output
    with ReturnsStore.open(store, create=False, read_only=True) as opened:
        assert [(t.service, t.name) for t in opened.teams()] == [("First Response", "North East")]


# --- the key file on Windows ---------------------------------------------------------------


class _Icacls:
    """Stands in for icacls: records each command and the key file's content at that moment."""

    def __init__(self, returncode: int = 0):
        self.returncode = returncode
        self.calls: list[tuple[list[str], str]] = []

    def __call__(self, command, **_):
        import subprocess

        self.calls.append((command, Path(command[1]).read_text(encoding="ascii")))
        return subprocess.CompletedProcess(command, self.returncode, "", "")


def test_on_windows_the_key_file_is_kept_to_the_owner_before_the_key_is_written(
    tmp_path, monkeypatch
):
    from workload_xl.services.keys import new_key_file

    monkeypatch.setenv("USERNAME", "jo.example")
    monkeypatch.setenv("USERDOMAIN", "COUNCIL")
    icacls = _Icacls()
    written = new_key_file(tmp_path / "team.key", platform="win32", run=icacls)
    assert written.problems == [] and written.restricted is True and written.advice == ""
    ((command, content_then),) = icacls.calls
    assert command[0] == "icacls" and command[2:] == [
        "/inheritance:r",
        "/grant:r",
        "COUNCIL\\jo.example:(F)",
    ]
    assert content_then == ""  # the access list is set on the empty temporary file
    assert Path(command[1]).parent == tmp_path and command[1] != str(tmp_path / "team.key")
    load_key(tmp_path / "team.key")  # and the key that went in afterwards is whole


def test_when_windows_refuses_the_key_file_says_how_to_check_who_can_read_it(tmp_path, monkeypatch):
    from workload_xl.services.keys import new_key_file

    monkeypatch.setenv("USERNAME", "jo.example")
    written = new_key_file(tmp_path / "team.key", platform="win32", run=_Icacls(returncode=5))
    assert written.restricted is False and written.exit_code == 0
    assert f'icacls "{tmp_path / "team.key"}"' in written.advice
    assert "Properties > Security" in written.advice
    elsewhere = new_key_file(tmp_path / "other.key")
    assert elsewhere.restricted is None and elsewhere.advice == ""
