"""Input checks with plain messages (issue 16, item 4): what a command is given is refused
before anything is read or written, in words that say what to type instead, with click's
usage-error code (2)."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from workload_xl.cli import main
from workload_xl.store.database import ReturnsStore


def run(*args, cwd: Path | None = None):
    return CliRunner().invoke(main, [str(a) for a in args])


def said(result) -> str:
    """The output with click's wrapping undone."""
    return " ".join(result.output.split())


@pytest.fixture
def store(tmp_path) -> Path:
    path = tmp_path / "returns.sqlite"
    with ReturnsStore.open(path) as opened:
        opened.add_team("First Response", "North")
    return path


# --- outputs are named as the kind of file written ------------------------------------------

WORKBOOK_COMMANDS = {
    "template worker": (["template", "worker", "--scheme", "leaving-care"], "a worker template"),
    "template team": (["template", "team"], "a team workbook"),
    "template jobplan": (["template", "jobplan"], "a job plan workbook"),
    "build-team": (["build-team", "{inputs}"], "a team workbook"),
    "report": (["report", "--store", "{store}"], "a trend report"),
    "import-caseload": (
        ["import-caseload", "{caseload}", "--worker", "Jo", "--scheme", "childrens-social-care"],
        "a measurement workbook",
    ),
    "capa actuals": (
        ["capa", "actuals", "{caseload}", "--jobplan", "{caseload}"],
        "the Plan and actual workbook",
    ),
}


def workbook_command(tmp_path: Path, store: Path, command: str) -> tuple[list[str], str]:
    """The arguments of one of WORKBOOK_COMMANDS, its inputs made in `tmp_path`, and what it
    writes ("a trend report")."""
    args, what = WORKBOOK_COMMANDS[command]
    inputs = tmp_path / "sheets"
    inputs.mkdir()
    caseload = tmp_path / "caseload.csv"
    caseload.write_text("Case ID,Case type,Allocated worker\nC1,Child in Need,Jo\n")
    return [a.format(inputs=inputs, store=store, caseload=caseload) for a in args], what


@pytest.mark.parametrize("name", ["out.csv", "x.pdf", "out.xlsm", "noending"])
@pytest.mark.parametrize("command", list(WORKBOOK_COMMANDS))
def test_a_workbook_output_not_named_xlsx_is_refused_naming_the_name_to_use(
    tmp_path, store, command, name
):
    filled, what = workbook_command(tmp_path, store, command)
    out = tmp_path / name
    result = run(*filled, "-o", out)
    assert result.exit_code == 2, result.output
    stem = name.split(".")[0]
    assert f"{out}: {what} is an Excel workbook; name it {tmp_path / stem}.xlsx." in said(result)
    assert not out.exists()
    left = sorted(p.name for p in tmp_path.iterdir())
    assert left == ["caseload.csv", "returns.sqlite", "sheets"]


@pytest.mark.parametrize("command", list(WORKBOOK_COMMANDS))
def test_a_workbook_output_that_is_a_folder_is_said_to_be_one(tmp_path, store, command):
    """-o "Team North" where that folder exists: not "name it Team North.xlsx", which would
    write beside the folder, but a file in it."""
    filled, what = workbook_command(tmp_path, store, command)
    folder = tmp_path / "Team North"
    folder.mkdir()
    result = run(*filled, "-o", folder)
    assert result.exit_code == 2, result.output
    stem = "-".join(what.split()[1:]).lower()  # "a trend report": trend-report
    example = folder / f"{stem}.xlsx"
    assert f"{folder} is a folder. Name the file to write in it, such as {example}." in said(result)
    assert list(folder.iterdir()) == []


def test_a_workbook_output_named_xlsx_in_capitals_is_written(tmp_path):
    out = tmp_path / "BLANK.XLSX"
    assert run("template", "team", "-o", out).exit_code == 0
    assert out.is_file()


def test_build_xlsm_takes_only_a_macro_workbook_or_an_add_in(tmp_path):
    result = run("build-xlsm", "-o", tmp_path / "workload.xlsx")
    assert result.exit_code == 2
    assert (
        f"is an Excel macro workbook; name it {tmp_path / 'workload.xlsm'} or "
        f"{tmp_path / 'workload.xlam'}." in said(result)
    )
    assert list(tmp_path.iterdir()) == []


def test_store_export_takes_a_folder_not_a_file_name(tmp_path, store):
    for name in ("export.csv", "export.xlsx"):
        result = run("store", "export", "--store", store, "-o", tmp_path / name)
        assert result.exit_code == 2
        assert f"store export writes a folder of files, not one {name[6:]} file" in said(result)
        assert f"name a folder, e.g. {tmp_path / 'export'}." in said(result)
        assert not (tmp_path / name).exists()
    dotted = tmp_path / "exports.2026"  # a folder's name may hold a dot
    assert run("store", "export", "--store", store, "-o", dotted).exit_code == 0
    assert (dotted / "teams.csv").is_file()


def test_store_export_makes_its_folder_and_says_so(tmp_path, store):
    folder = tmp_path / "store-export"
    result = run("store", "export", "--store", store, "-o", f"{folder}/")
    assert result.exit_code == 0, result.output
    assert "(made for it)" in result.output
    assert (folder / "returns-store.xlsx").is_file()
    teams = (folder / "teams.csv").read_text(encoding="utf-8-sig").splitlines()
    assert len(teams) == 2 and "North" in teams[1]
    again = run("store", "export", "--store", store, "-o", folder, "--force")
    assert again.exit_code == 0 and "(made for it)" not in again.output


def test_store_export_of_a_missing_store_makes_no_folder(tmp_path):
    folder = tmp_path / "store-export"
    result = run("store", "export", "--store", tmp_path / "none.sqlite", "-o", folder)
    assert result.exit_code == 2 and "There is no returns store" in said(result)
    assert not folder.exists()


# --- periods: one parser, one message, for every option that takes one ---------------------

PERIOD_OPTIONS = {
    "report --from": ["report", "--store", "{store}", "-o", "{out}", "--from"],
    "report --to": ["report", "--store", "{store}", "-o", "{out}", "--to"],
    "returns --period": ["returns", "--store", "{store}", "--period"],
    "build-team --period": ["build-team", "{inputs}", "-o", "{out}", "--period"],
    "import-caseload --period": [
        "import-caseload",
        "{caseload}",
        "--worker",
        "Jo",
        "--scheme",
        "childrens-social-care",
        "-o",
        "{out}",
        "--period",
    ],
    "report --recalculate-at": ["report", "--store", "{store}", "-o", "{out}", "--recalculate-at"],
}


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("2026-13", "'2026-13': the month must be 01 to 12. Type a month such as 2026-10."),
        ("2026-P14", "'2026-P14': a year has 4-week periods P01 to P13."),
        (
            "Octobr 2026",
            "'Octobr 2026' is not a period. Type a month such as 2026-10, or a 4-week period "
            "such as 2026-P07.",
        ),
    ],
)
@pytest.mark.parametrize("option", list(PERIOD_OPTIONS))
def test_every_period_option_refuses_a_period_that_is_not_one_in_the_same_words(
    tmp_path, store, option, typed, message
):
    inputs = tmp_path / "sheets"
    inputs.mkdir()
    caseload = tmp_path / "caseload.csv"
    caseload.write_text("Case ID,Case type,Allocated worker\nC1,Child in Need,Jo\n")
    out = tmp_path / "out.xlsx"
    args = [
        a.format(store=store, out=out, inputs=inputs, caseload=caseload)
        for a in PERIOD_OPTIONS[option]
    ]
    result = run(*args, typed)
    assert result.exit_code == 2, result.output
    assert f"Invalid value for '{args[-1]}'" in said(result) and message in said(result)
    assert not out.exists()


@pytest.mark.parametrize(("first", "last"), [("2026-10", "2026-01"), ("2026-P09", "2026-P02")])
def test_a_report_range_given_back_to_front_is_said_to_be_so(tmp_path, store, first, last):
    """Not "no returns match": the returns are there, the range holds no period."""
    out = tmp_path / "out.xlsx"
    result = run("report", "--store", store, "-o", out, "--from", first, "--to", last)
    assert result.exit_code == 2, result.output
    assert (
        f"{first} is after --to {last}, so no period is between them. Give the earlier "
        f"period to --from: --from {last} --to {first}." in said(result)
    )
    assert not out.exists()
    other_kind = "2026-01" if "P" in first else "2026-P02"  # before `first`, of the other kind
    mixed = run("report", "--store", store, "-o", out, "--from", first, "--to", other_kind)
    assert "is after --to" not in said(mixed)  # a month and a 4-week period: not compared


def test_a_period_typed_another_way_is_read_as_the_same_period(tmp_path, make_sheet):
    sheet = make_sheet(name="jo.xlsx").path  # a sheet for 2026-10
    out = tmp_path / "team.xlsx"
    result = run("build-team", sheet, "-o", out, "--period", "Oct 2026")
    assert result.exit_code == 0, result.output
    assert out.is_file()
    other = run("build-team", sheet, "-o", tmp_path / "t2.xlsx", "--period", "2026-09")
    assert other.exit_code == 1 and "No sheet is for 2026-09" in said(other)


# --- teams add: the service is one the schemes serve -----------------------------------------


def test_teams_add_refuses_a_misspelt_service_suggesting_the_close_one(tmp_path):
    path = tmp_path / "returns.sqlite"
    result = run("teams", "add", "North", "--service", "First Respons", "--store", path)
    assert result.exit_code == 2
    text = said(result)
    assert (
        "no points scheme serves the service 'First Respons'. Did you mean 'First Response'?"
        in (text)
    )
    # every service the shipped schemes serve, listed
    for service in (
        "Children in Care",
        "First Response",
        "Fostering and Adoption",
        "Leaving Care",
        "Safeguarding and Support",
    ):
        assert service in text
    assert not path.exists()  # nothing made


def test_teams_add_suggests_nothing_for_a_service_unlike_any(tmp_path):
    path = tmp_path / "returns.sqlite"
    result = run("teams", "add", "North", "--service", "Adult Mental Health", "--store", path)
    assert result.exit_code == 2 and "Did you mean" not in said(result)
    assert "The services the schemes know: Children in Care, First Response" in said(result)


def test_teams_add_stores_the_service_as_its_scheme_spells_it(tmp_path):
    path = tmp_path / "returns.sqlite"
    result = run("teams", "add", "North", "--service", "first  RESPONSE", "--store", path)
    assert result.exit_code == 0, result.output
    assert "Added: North (First Response)" in result.output
    with ReturnsStore.open(path, read_only=True) as opened:
        assert [(t.service, t.name) for t in opened.teams()] == [("First Response", "North")]
