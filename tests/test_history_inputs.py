"""build-team --history takes team workbooks: a folder gives its team workbooks only, told
apart by the team contract (a TeamWorkers table), not by name; what was skipped is said."""

from __future__ import annotations

import json
import shutil

import pytest
from click.testing import CliRunner

from workload_xl.cli import main
from workload_xl.core.period import Period
from workload_xl.services.build_team import build_team_files

from .test_nothing_written import worker


def run(*args):
    return CliRunner(env={"COLUMNS": "100"}).invoke(
        main, [str(a) for a in args], catch_exceptions=False
    )


@pytest.fixture
def team_folder(make_sheet, tmp_path):
    """A team's folder as a manager keeps it: a subfolder of worker sheets per month and the
    team workbook built from September's, with October's sheets waiting to be built. The
    September team workbook is saved under a name that says nothing (notes.xlsx), and a
    worker sheet under a team workbook's name (team-2026-08.xlsx)."""
    team = tmp_path / "team"
    for month in ("2026-09", "2026-10"):
        (team / month).mkdir(parents=True)
        for name in ("Ann Ash", "Bob Birch", "Cat Cedar"):
            make_sheet(worker(name, month), name=f"team/{month}/{name.split()[0].lower()}.xlsx")
    built = run("build-team", team / "2026-09", "-o", team / "notes.xlsx")
    assert built.exit_code == 0, built.output
    shutil.copy(team / "2026-09" / "ann.xlsx", team / "team-2026-08.xlsx")
    return team


def test_a_history_folder_gives_its_team_workbooks_and_says_what_it_skipped(team_folder):
    team = team_folder
    out = team / "team-2026-10.xlsx"
    done = build_team_files([team / "2026-10"], out, history=[team])
    assert done.written and Period(2026, 9) in {h.period for h in done.build.team.history}
    history = [f for f in done.build.findings if f.rule.startswith("history")]
    assert [(f.rule, f.severity, f.workbook) for f in history] == [
        ("history-skipped", "info", str(team))
    ]
    assert history[0].message == (
        f"7 workbook(s) in {team} are not team workbooks (they have no TeamWorkers table), so "
        "--history skipped them: 2026-09/ann.xlsx, 2026-09/bob.xlsx, 2026-09/cat.xlsx and 4 "
        "more. --history reads the team workbooks build-team wrote; give worker sheets as the "
        "inputs instead."
    )


def test_build_team_prints_what_history_skipped_with_the_teams_own_findings(team_folder):
    team = team_folder
    result = run("build-team", team / "2026-10", "-o", team / "t.xlsx", "--history", team)
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert str(team) in lines
    assert lines[lines.index(str(team)) + 1].split() == ["INFO", "history-skipped"]
    assert "Worker sheets:" not in result.output  # nothing of the sheets' to count
    assert lines[-1] == f"Wrote {team / 't.xlsx'}."


def test_a_worker_sheet_named_on_its_own_as_history_is_a_warning_that_is_shown(team_folder):
    team = team_folder
    sheet = team / "2026-09" / "ann.xlsx"
    result = run("build-team", team / "2026-10", "-o", team / "t.xlsx", "--history", sheet)
    assert result.exit_code == 0
    lines = result.output.splitlines()
    assert lines[lines.index(str(sheet)) + 1].split() == ["WARNING", "history-unreadable"]
    assert (
        f"{sheet} cannot be used as history: it is not a team workbook (it has no TeamWorkers "
        "table)." in " ".join(result.output.split())
    )
    data = json.loads(
        run(
            "build-team",
            team / "2026-10",
            "-o",
            team / "u.xlsx",
            "--history",
            sheet,
            "--format",
            "json",
        ).output
    )
    assert [f["rule"] for f in data["findings"] if f["rule"].startswith("history")] == [
        "history-unreadable"
    ]
