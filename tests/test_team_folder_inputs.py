"""A team's folder holds both kinds of workbook: worker measurement workbooks, and the team
workbooks build-team made from them. Each command says plainly which kind it was given when it
is the wrong one: consolidate passes over a folder's worker workbooks, said once for the
folder, and validate and build-team name a team workbook given on its own as one."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from workload_xl.cli import main

from .test_nothing_written import worker


def run(*args):
    return CliRunner(env={"COLUMNS": "100"}).invoke(
        main, [str(a) for a in args], catch_exceptions=False
    )


def flat(text: str) -> str:
    return " ".join(text.split())  # however the message wraps


@pytest.fixture
def team_folder(make_sheet, tmp_path):
    """A team's folder as a manager keeps it: a subfolder of three worker sheets a month, and
    beside them the team workbook build-team made from each month's sheets."""
    team = tmp_path / "team"
    for month in ("2026-09", "2026-10"):
        (team / month).mkdir(parents=True)
        for name in ("Ann Ash", "Bob Birch", "Cat Cedar"):
            make_sheet(worker(name, month), name=f"team/{month}/{name.split()[0].lower()}.xlsx")
        built = run("build-team", team / month, "-o", team / f"team-{month}.xlsx")
        assert built.exit_code == 0, built.output
    return team


def test_consolidating_a_teams_folder_stores_its_team_workbooks_and_skips_the_rest_once(
    team_folder, tmp_path
):
    store = tmp_path / "returns.sqlite"
    result = run("consolidate", team_folder, "--store", store)
    assert result.exit_code == 0, result.output
    text = flat(result.output)
    assert "return-invalid" not in text and "ERROR" not in text
    assert text.count("return-skipped") == 1
    assert (
        f"6 workbook(s) in {team_folder} are worker measurement workbooks, not team workbooks "
        "(they have no TeamWorkers table), so consolidate skipped them: 2026-09/ann.xlsx, "
        "2026-09/bob.xlsx, 2026-09/cat.xlsx and 3 more. consolidate reads the team workbooks "
        "build-team wrote" in text
    )
    assert result.output.splitlines()[-1] == (
        "8 file(s): 2 stored, 0 already in the store, 0 earlier return(s) superseded, "
        f"0 refused, 6 worker workbook(s) skipped. Store: {store}"
    )
    again = json.loads(run("consolidate", team_folder, "--store", store, "--format", "json").output)
    assert (again["stored"], again["failed"]) == ([], [])
    assert sorted(again["already"]) == [
        str(team_folder / "team-2026-09.xlsx"),
        str(team_folder / "team-2026-10.xlsx"),
    ]
    assert len(again["skipped"]) == 6 and all("team-" not in p for p in again["skipped"])
    assert [f["rule"] for f in again["findings"] if f["rule"] == "return-skipped"] == [
        "return-skipped"
    ]


def test_a_folder_of_worker_workbooks_alone_stores_nothing_says_why_and_exits_1(
    team_folder, tmp_path
):
    """The wrong folder (a month's worker sheets): nothing stored, which a script checking
    the exit status must not take for a month consolidated."""
    result = run("consolidate", team_folder / "2026-10", "--store", tmp_path / "r.sqlite")
    assert result.exit_code == 1, result.output
    assert result.output.splitlines()[-1] == (
        "Nothing stored: 3 worker workbook(s) skipped (consolidate takes team workbooks: "
        "build-team makes them)."
    )


def test_a_worker_workbook_named_on_its_own_or_a_damaged_file_in_the_folder_is_still_refused(
    team_folder, tmp_path
):
    sheet = team_folder / "2026-10" / "ann.xlsx"
    (team_folder / "2026-10" / "damaged.xlsx").write_bytes(b"PK\x03\x04" + b"\x00" * 200)
    store = tmp_path / "returns.sqlite"
    result = run("consolidate", team_folder, sheet, "--store", store, "--format", "json")
    assert result.exit_code == 1
    data = json.loads(result.output)
    # ann.xlsx, named on its own as well as found in the folder, is refused (each time read)
    assert sorted(set(data["failed"])) == [
        str(sheet),
        str(team_folder / "2026-10" / "damaged.xlsx"),
    ]
    assert len(data["stored"]) == 2 and len(data["skipped"]) == 5
    assert str(sheet) not in data["skipped"]
    named = [f for f in data["findings"] if f["workbook"] == str(sheet)]
    assert {f["rule"] for f in named} == {"return-invalid"}
    assert "is a worker's measurement workbook, not a team workbook" in named[0]["message"]
    damaged = [f for f in data["findings"] if f["workbook"].endswith("damaged.xlsx")]
    assert damaged and damaged[0]["rule"].startswith("file-")


def test_build_team_given_a_team_workbook_names_it_as_one_and_what_to_give_instead(
    team_folder, tmp_path
):
    given = team_folder / "team-2026-09.xlsx"
    out = tmp_path / "x.xlsx"
    result = run("build-team", given, "-o", out)
    assert result.exit_code == 1 and not out.exists()
    lines = result.output.splitlines()
    assert lines[lines.index(str(given)) + 1].split() == ["WARNING", "team-workbook-named"]
    assert (
        f"{given} is a team workbook (built by build-team), not a worker measurement "
        "workbook, so build-team did not read it" in flat(result.output)
    )
    assert "Give build-team the team's worker workbooks" in flat(result.output)
    assert "team-no-sheets" in lines[-1]


def test_build_team_with_a_team_workbook_among_worker_sheets_writes_and_says_it(team_folder):
    given = team_folder / "team-2026-09.xlsx"
    sheets = sorted((team_folder / "2026-10").glob("*.xlsx"))
    out = team_folder / "again.xlsx"
    result = run("build-team", *sheets, given, "-o", out, "--format", "json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["written"] == str(out)
    found = [(f["rule"], f["severity"], f["workbook"]) for f in data["findings"]]
    assert ("team-workbook-named", "warning", str(given)) in found


def test_validate_given_a_team_workbook_says_so_at_the_default_severity_and_exits_0(
    team_folder,
):
    given = team_folder / "team-2026-09.xlsx"
    result = run("validate", given)
    assert result.exit_code == 0
    assert "team-workbook-named" in result.output and "Not shown" not in result.output
    assert (
        f"{given} is a team workbook (built by build-team), not a worker measurement "
        "workbook, so validate did not check it" in flat(result.output)
    )
    assert "Give validate those worker workbooks" in flat(result.output)
    assert result.output.splitlines()[-1] == "1 file checked: 0 error(s), 1 warning(s), 0 info."
    # found in the team's folder beside the worker sheets, team workbooks are passed over quietly
    result = run("validate", team_folder, "--format", "json")
    assert result.exit_code == 0
    found = [(f["rule"], f["severity"]) for f in json.loads(result.output)["findings"]]
    assert sorted(set(found)) == [("team-workbook-given", "info")] and len(found) == 2
