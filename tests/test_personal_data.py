"""Case names never leave the worker's workbook, and no command writes to what it reads.

Worker workbooks are made with distinctive invented case names; the whole chain then runs
through the command line (team sheets, consolidation, the tracker, the trend report, the store
export), and every byte each command wrote is searched: every part of every workbook (cells,
shared strings, defined names, comments, chart titles, document properties), every CSV file,
the SQLite store and its journal, and everything printed. Every input is hashed before and
after every command.
"""

from __future__ import annotations

import hashlib
import re
import zipfile
from pathlib import Path

from click.testing import CliRunner

from workload_xl.cli import main
from workload_xl.files.worker_template import write_worker_workbook

from .conftest import CSC, valid_content

TEAMS = ("North Hub", "South Hub")
PERIODS = ("2026-09", "2026-10")


def case_name(team: int, worker: int, line: int) -> str:
    return f"Quillfeather{team}{worker}{line} Zephyrine"


NAMES = re.compile(r"quillfeather|zephyrine", re.IGNORECASE)


def write_workers(folder: Path, registry) -> None:
    for t, team in enumerate(TEAMS):
        for period in PERIODS:
            for w in range(4):
                content = valid_content()
                content.header.update(worker=f"Worker {t}{w}", team=team, period=period)
                for n, line in enumerate(content.lines):
                    if line.get("case_ref"):
                        line["case_ref"] = f"C{t}{w}{n:03d}"
                        line["case_name"] = case_name(t, w, n)
                path = folder / team / period / f"worker-{w}.xlsx"
                path.parent.mkdir(parents=True, exist_ok=True)
                assert write_worker_workbook(path, registry.get(CSC), content) == []


def hashes(folder: Path) -> dict[Path, str]:
    return {
        p: hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def leaks_in(path: Path) -> list[str]:
    """Where a case name appears in a file: a zip part, or the file itself."""
    data = path.read_bytes()
    found = []
    if zipfile.is_zipfile(path):
        with zipfile.ZipFile(path) as archive:
            for part in archive.namelist():
                if NAMES.search(archive.read(part).decode("utf-8", "replace")):
                    found.append(f"{path.name}:{part}")
    elif NAMES.search(data.decode("utf-8", "replace")) or NAMES.search(
        data.decode("utf-16-le", "replace")
    ):
        found.append(path.name)
    return found


def test_no_case_name_leaves_the_worker_sheets_and_no_input_is_ever_written(tmp_path, registry):
    inputs = tmp_path / "workers"
    write_workers(inputs, registry)
    assert leaks_in(next(inputs.rglob("*.xlsx")))  # the search finds names where they are
    out = tmp_path / "out"
    out.mkdir()
    store = out / "returns.sqlite"
    commands = []
    for team in TEAMS:
        for period in PERIODS:
            slug = team.split()[0].lower()
            commands.append(
                [
                    "build-team",
                    str(inputs / team / period),
                    "-o",
                    str(out / f"{slug}-{period}.xlsx"),
                    "--format",
                    "json",
                ]
            )
    commands += [
        ["consolidate", str(out), "--store", str(store), "--format", "json"],
        ["teams", "add", *TEAMS, "--service", "First Response", "--store", str(store)],
        ["returns", "--store", str(store), "--period", "2026-10", "--today", "2026-11-03"],
        ["report", "--store", str(store), "-o", str(out / "trends.xlsx")],
        ["store", "check", "--store", str(store)],
        ["store", "export", "--store", str(store), "-o", str(out)],
        ["validate", str(inputs), "--format", "json"],
    ]
    runner = CliRunner()
    printed = []
    for command in commands:
        before = hashes(inputs)
        result = runner.invoke(main, command)
        assert result.exception is None or isinstance(result.exception, SystemExit), command
        assert result.exit_code in (0, 1), (command, result.output)
        assert hashes(inputs) == before, f"{command[0]} changed an input"
        printed.append(result.output)
        if command[0] == "validate":
            continue  # findings about the worker's own sheet stay on the worker's machine
        assert not NAMES.search(result.output), (command, result.output)

    written = [p for p in out.iterdir() if p.is_file()]
    kinds = {p.suffix for p in written}
    assert {".xlsx", ".csv", ".sqlite"} <= kinds, kinds
    assert len([p for p in written if p.suffix == ".csv"]) == 5
    leaks = [leak for path in written for leak in leaks_in(path)]
    assert leaks == []
    # and the case references did travel: the store is not empty of what it should hold
    assert b"C00001" in store.read_bytes() or any(
        b"C00001" in p.read_bytes() for p in out.glob("*.sqlite*")
    )
