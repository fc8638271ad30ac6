"""The commands that read no workbook start without openpyxl, numpy or pandas: each is run in
a child process (tests/bounded_cli.py) with Python's import profile on, and the modules it
imported are read from that profile. Which modules load is deterministic; how long start-up
takes is the benchmark's to report (benchmarks/bench_startup.py)."""

from __future__ import annotations

import re
import subprocess
import sys

import pytest

from .bounded_cli import run_cli

HEAVY = ("openpyxl", "numpy", "pandas", "python_calamine", "xlwings")


def imported(stderr: str) -> set[str]:
    """Every module a child imported, from `python -X importtime`'s lines on stderr."""
    return {m[1] for m in re.finditer(r"^import time:\s+\d+ \|\s+\d+ \| +(\S+)$", stderr, re.M)}


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    path = tmp_path_factory.mktemp("startup") / "returns.db"
    added = run_cli("teams", "add", "North", "--service", "First Response", "--store", path)
    assert added.returncode == 0, added.output
    return path


COMMANDS = {
    "--help": lambda store: ["--help"],
    "schemes": lambda store: ["schemes"],
    "teams list": lambda store: ["teams", "list", "--store", store],
    "returns": lambda store: ["returns", "--store", store, "--period", "2026-10"],
    "store check": lambda store: ["store", "check", "--store", store],
    "key new": lambda store: ["key", "new", "-o", store.parent / "people.key", "--force"],
}


@pytest.mark.parametrize("command", list(COMMANDS))
def test_a_command_that_reads_no_workbook_imports_no_spreadsheet_or_data_library(store, command):
    done = run_cli(*COMMANDS[command](store), env={"PYTHONPROFILEIMPORTTIME": "1"})
    assert done.returncode in (0, 1), done.output[-2000:]
    modules = imported(done.stderr)
    assert "workload_xl.cli" in modules  # the profile is read: the check can fail
    assert "click" in modules
    loaded = sorted(m for m in modules if m.split(".")[0] in HEAVY)
    assert loaded == [], loaded


def test_the_profile_sees_openpyxl_when_a_command_reads_a_workbook(make_sheet):
    """The same check on `validate`, which must read the file with openpyxl."""
    done = run_cli(
        "validate", make_sheet().path, "--format", "json", env={"PYTHONPROFILEIMPORTTIME": "1"}
    )
    assert "openpyxl" in imported(done.stderr), done.output[-2000:]


ONE_BUTTON_ONLY = (
    "workload_xl.files.file_guard",  # reading files: no button press reads the sheet's file
    "workload_xl.core.team",  # the roll-up: Build team sheet, Flag outliers, allocation
    "workload_xl.core.fairness",  # Flag outliers
    "workload_xl.services.build_team",
    "workload_xl.core.caseload",  # Import caseload (pandas)
    "openpyxl",
)


def test_the_add_in_entry_loads_only_what_every_button_needs():
    """Every button press first imports workload_xl.excel.entry (the ribbon's RunPython): the
    modules only one button uses are imported when that button is pressed, so Validate this
    sheet starts without the team roll-up, the fairness flags or the file guard."""
    done = subprocess.run(
        [sys.executable, "-X", "importtime", "-c", "import workload_xl.excel.entry"],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    modules = imported(done.stderr)
    assert {"workload_xl.excel.entry", "workload_xl.core.validation"} <= modules
    assert sorted(modules & set(ONE_BUTTON_ONLY)) == []


def test_returns_reads_no_scheme_file_when_every_listed_team_has_returned(tmp_path):
    """A team's returns say which kind of period it sends; the schemes are asked only of a
    listed team with none yet. So the usual `returns` (every team has sent something before)
    starts without the TOML reader and the scheme files."""
    from workload_xl.core.period import Period

    from .test_tracker import SERVICE, team_return

    inbox = tmp_path / "inbox"
    inbox.mkdir()
    team_return(inbox, "North", Period(2026, 9))
    store = tmp_path / "returns.db"
    for step in (
        ["teams", "add", "North", "--service", SERVICE, "--store", store],
        ["consolidate", inbox, "--store", store],
    ):
        done = run_cli(*step)
        assert done.returncode == 0, done.output[-2000:]
    done = run_cli(
        "returns", "--store", store, "--period", "2026-10", env={"PYTHONPROFILEIMPORTTIME": "1"}
    )
    assert done.returncode == 0 and "North" in done.stdout, done.output[-2000:]
    modules = imported(done.stderr)
    assert "workload_xl.services.returns" in modules  # the profile is read: the check can fail
    assert not {"tomllib", "workload_xl.core.scheme_heads"} & modules
