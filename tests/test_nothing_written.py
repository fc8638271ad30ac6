"""A build or a consolidation that writes nothing says why in its last line, where a person
looks after a long table (the output-exists error used to come at line 19 of 77)."""

from __future__ import annotations

import copy

import pytest
from click.testing import CliRunner

from workload_xl.cli import main

from .conftest import valid_content


def run(*args):
    return CliRunner(env={"COLUMNS": "100"}).invoke(
        main, [str(a) for a in args], catch_exceptions=False
    )


def last_line(result) -> str:
    return result.output.rstrip("\n").splitlines()[-1]


def worker(name: str, period: str = "2026-10"):
    content = copy.deepcopy(valid_content())
    content.header.update(worker=name, period=period)
    for i, line in enumerate(content.lines):
        if line.get("case_ref"):
            line["case_ref"] = f"{name[:3].upper()}{i:03d}"
    return content


@pytest.fixture
def team(make_sheet, tmp_path):
    """Three worker sheets for 2026-10 in a folder, and the team workbook built from them."""
    (tmp_path / "in").mkdir()
    for name in ("Ann Ash", "Bob Birch", "Cat Cedar"):
        make_sheet(worker(name), name=f"in/{name.split()[0].lower()}.xlsx")
    out = tmp_path / "team.xlsx"
    built = run("build-team", tmp_path / "in", "-o", out)
    assert built.exit_code == 0 and last_line(built) == f"Wrote {out}.", built.output
    return tmp_path / "in", out


def test_build_team_over_an_existing_workbook_says_so_last(team):
    folder, out = team
    before = out.read_bytes()
    result = run("build-team", folder, "-o", out)
    assert result.exit_code == 1
    assert last_line(result) == (
        f"Nothing written: {out} already exists; add --force to replace it."
    )
    assert out.read_bytes() == before
    assert last_line(run("build-team", folder, "-o", out, "--force")) == f"Wrote {out}."


def test_build_team_from_two_periods_says_why_last(team, make_sheet, tmp_path):
    folder, _ = team
    make_sheet(worker("Dee Dogwood", period="2026-09"), name="in/dee.xlsx")
    result = run("build-team", folder, "-o", tmp_path / "new.xlsx")
    assert result.exit_code == 1 and not (tmp_path / "new.xlsx").exists()
    assert "These sheets are for different periods: 2026-09 (1 sheet), 2026-10 (3 sheets)" in (
        " ".join(result.output.split())
    )
    assert last_line(result) == (
        "Nothing written: the worker sheets are for different periods "
        "(team-mixed-periods, said above)."
    )


def test_consolidating_a_return_already_stored_says_nothing_changed_last(team, tmp_path):
    _, out = team
    store = tmp_path / "returns.sqlite"
    first = run("consolidate", out, "--store", store)
    assert first.exit_code == 0
    assert last_line(first) == (
        "1 file(s): 1 stored, 0 already in the store, 0 earlier return(s) superseded, "
        f"0 refused. Store: {store}"
    )
    again = run("consolidate", out, "--store", store)
    assert again.exit_code == 0
    assert last_line(again) == (
        "Nothing stored: the file is in the store already, so the store is unchanged."
    )


def test_consolidating_a_worker_sheet_says_it_was_refused_last(team, tmp_path):
    folder, _ = team
    result = run("consolidate", folder / "ann.xlsx", "--store", tmp_path / "returns.sqlite")
    assert result.exit_code == 1
    assert last_line(result) == "Nothing stored: 1 refused (the errors above say why)."


def test_consolidating_into_a_file_that_is_no_store_says_so_last(team, tmp_path):
    _, out = team
    store = tmp_path / "notes.sqlite"
    store.write_text("my notes")
    result = run("consolidate", out, "--store", store)
    assert result.exit_code == 2 and store.read_text() == "my notes"
    assert last_line(result) == (
        "Nothing stored: the returns store cannot be opened or written "
        "(store-unusable, said above)."
    )
