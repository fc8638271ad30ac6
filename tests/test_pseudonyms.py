"""Pseudonyms for worker and manager names: keyed, stable, and nothing of the name left."""

from __future__ import annotations

import hashlib
import hmac
import sqlite3
import zipfile

import pytest
from click.testing import CliRunner

from workload_xl.cli import main
from workload_xl.core.period import Period
from workload_xl.core.pseudonyms import KeyFileError, Pseudonymiser, load_key, new_key
from workload_xl.core.returns import TeamReturn, WorkerPeriod
from workload_xl.store.database import ReturnsStore

from .test_personal_data import TEAMS, write_workers

KEY = bytes(range(32))


def test_a_pseudonym_is_the_keyed_hash_of_the_name_as_a_person_writes_it():
    p = Pseudonymiser(KEY)
    expected = hmac.new(KEY, b"jo smith", hashlib.sha256).hexdigest()[:8].upper()
    assert p.name("Jo Smith") == f"W-{expected}"
    assert p.name(" jo\u00a0 SMITH ") == p.name("Jo Smith")  # one person, however typed
    assert p.name("Jo Smyth") != p.name("Jo Smith")
    assert Pseudonymiser(bytes(32)).name("Jo Smith") != p.name("Jo Smith")  # the key matters
    assert p.name(p.name("Jo Smith")) == p.name("Jo Smith")  # a pseudonym stays itself
    assert p.name("") == ""


def test_key_files_are_made_and_checked(tmp_path):
    assert len(bytes.fromhex(new_key())) == 32 and new_key() != new_key()
    for content, words in (("zz", "not a workload-xl key"), ("00ff", "too short")):
        (tmp_path / "bad.key").write_text(content)
        with pytest.raises(KeyFileError, match=words):
            load_key(tmp_path / "bad.key")
    with pytest.raises(KeyFileError, match="workload-xl key new"):
        load_key(tmp_path / "missing.key")


def test_consolidate_and_report_with_a_key_hold_and_show_no_names(tmp_path, registry):
    inputs = tmp_path / "workers"
    write_workers(inputs, registry)
    out = tmp_path / "out"
    out.mkdir()
    runner = CliRunner()
    made = runner.invoke(main, ["key", "new", "-o", str(tmp_path / "team.key")])
    assert made.exit_code == 0, made.output
    assert (tmp_path / "team.key").stat().st_mode & 0o077 == 0  # private to its owner
    for team in TEAMS:
        for period in ("2026-09", "2026-10"):
            done = runner.invoke(
                main,
                [
                    "build-team",
                    str(inputs / team / period),
                    "-o",
                    str(out / f"{team[:5]}-{period}.xlsx"),
                ],
            )
            assert done.exit_code in (0, 1), done.output
    store = tmp_path / "pseudonymous.sqlite"
    key = ["--pseudonymise", str(tmp_path / "team.key")]
    done = runner.invoke(main, ["consolidate", str(out), "--store", str(store), *key])
    assert done.exit_code == 0, done.output
    p = Pseudonymiser(load_key(tmp_path / "team.key"))
    db = sqlite3.connect(store)
    workers = {row[0] for row in db.execute("SELECT worker FROM worker_periods")}
    assert workers == {p.name(f"Worker {t}{w}") for t in range(2) for w in range(4)}
    lines = {row[0] for row in db.execute("SELECT DISTINCT worker FROM return_lines")}
    assert lines == workers
    managers = {row[0] for row in db.execute("SELECT manager FROM submissions")}
    assert managers == {p.name("Sam Okoro")}
    db.close()
    raw = b"".join(f.read_bytes() for f in tmp_path.glob("pseudonymous.sqlite*"))
    assert b"Worker 0" not in raw and b"Sam Okoro" not in raw

    # A store with names (one worker far above colleagues for 8 months), reported with the
    # key: the report names the worker without it, and shows only a pseudonym with it.
    named = tmp_path / "named.sqlite"
    with ReturnsStore.open(named) as opened:
        for month in range(3, 11):
            people = [
                WorkerPeriod(
                    f"Worker {i}",
                    "Social worker",
                    1.0,
                    10,
                    80.0 * (2 if i == 0 else 1) + month % 3,
                    True,
                )
                for i in range(5)
            ]
            ret = TeamReturn(
                "n.xlsx",
                "North Hub",
                "First Response",
                "childrens-social-care",
                "2026.1",
                Period(2026, month),
                "Sam Okoro",
                people,
                [],
            )
            opened.ingest(ret, sha256=f"{month:064d}", source_path=f"n-{month}.xlsx")
    internal = tmp_path / "internal.xlsx"
    done = runner.invoke(main, ["report", "--store", str(named), "-o", str(internal)])
    assert done.exit_code == 0 and "Worker 0" in done.output, done.output
    report = tmp_path / "shared.xlsx"
    done = runner.invoke(main, ["report", "--store", str(named), "-o", str(report), *key])
    assert done.exit_code == 0, done.output
    assert p.name("Worker 0") in done.output and "Worker " not in done.output
    with zipfile.ZipFile(report) as archive:
        text = "".join(archive.read(n).decode("utf-8", "replace") for n in archive.namelist())
    assert p.name("Worker 0") in text and "Worker 0" not in text

    wrong = runner.invoke(
        main,
        [
            "report",
            "--store",
            str(named),
            "-o",
            str(tmp_path / "x.xlsx"),
            "--pseudonymise",
            str(tmp_path / "none.key"),
        ],
    )
    assert wrong.exit_code == 2 and "workload-xl key new" in wrong.output


def test_report_with_another_key_than_the_stores_pseudonyms_is_refused(tmp_path):
    """The store's pseudonyms are its key's: a report given another key would show them as
    if they were that key's, so it is refused and writes nothing; the store's own key, or no
    key, reports them as stored."""
    from workload_xl.files.team_workbook import write_team_workbook

    from .test_consolidate import team_sheet

    inbox = tmp_path / "inbox"
    inbox.mkdir()
    for month in (9, 10):
        sheet = team_sheet(
            "First Response", "childrens-social-care", "East", Period(2026, month), 0
        )
        assert write_team_workbook(inbox / f"east-{month}.xlsx", sheet) == []
    keys = [tmp_path / "store.key", tmp_path / "other.key"]
    runner = CliRunner()
    for key in keys:
        assert runner.invoke(main, ["key", "new", "-o", str(key)]).exit_code == 0
    store = tmp_path / "returns.sqlite"
    done = runner.invoke(
        main, ["consolidate", str(inbox), "--store", str(store), "--pseudonymise", str(keys[0])]
    )
    assert done.exit_code == 0, done.output
    other = tmp_path / "other.xlsx"
    wrong = runner.invoke(
        main, ["report", "--store", str(store), "-o", str(other), "--pseudonymise", str(keys[1])]
    )
    said = " ".join(wrong.output.split())
    assert wrong.exit_code == 2, said
    assert "store-people-mismatch" in said and "holds pseudonyms made with another key" in said
    assert f"this key's is {Pseudonymiser(load_key(keys[1])).fingerprint}" in said
    assert not other.exists()
    for given in ([], ["--pseudonymise", str(keys[0])]):
        out = tmp_path / f"report-{len(given)}.xlsx"
        right = runner.invoke(main, ["report", "--store", str(store), "-o", str(out), *given])
        assert right.exit_code == 0 and out.is_file(), right.output
