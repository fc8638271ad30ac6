"""validate's screen: a line per file with its counts, the findings at or above
--min-severity under it, and the total last, saying what was not shown and how to see it."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from workload_xl.cli import main

from .conftest import valid_content


def run(*args):
    return CliRunner(env={"COLUMNS": "100"}).invoke(
        main, [str(a) for a in args], catch_exceptions=False
    )


def heads(output: str) -> list[str]:
    """The lines that are not a finding's wrapped message (those are indented 10 spaces)."""
    return [line for line in output.splitlines() if not line.startswith(" " * 10)]


@pytest.fixture
def team_folder(make_sheet, tmp_path):
    """Three sheets: a clean one; one with an error (40 points for a child in need, whose
    range is 4 to 8) and a warning (no manager); one with two info findings (points agreed
    away from the scheme's: 6 for a child in need, 5 points; 9 for a child protection plan,
    8 points)."""
    make_sheet(name="a-clean.xlsx")
    b = make_sheet(name="b-errors.xlsx")
    b.edit(lambda ws, wb, s: ws.__setitem__(s.table_cell("agreed_points", 0), 40))
    b.edit(lambda ws, wb, s: ws.__setitem__(s.header_cell("manager"), None))
    content = valid_content()
    content.lines[0]["agreed_points"] = 6
    content.lines[1]["agreed_points"] = 9
    c = make_sheet(content, name="c-info.xlsx")
    return tmp_path, b, c


def test_validate_shows_each_files_counts_and_errors_and_warnings_but_not_info(team_folder):
    folder, b, _ = team_folder
    result = run("validate", folder)
    assert result.exit_code == 1
    manager, points = b.header_cell("manager"), b.table_cell("agreed_points", 0)
    assert heads(result.output) == [
        f"{folder / 'a-clean.xlsx'}: 0 error(s), 0 warning(s), 0 info",
        f"{folder / 'b-errors.xlsx'}: 1 error(s), 1 warning(s), 0 info",
        f"  WARNING 'Measurement' {manager:<5}header-blank",
        f"  ERROR   'Measurement' {points:<5}points-out-of-range",
        f"{folder / 'c-info.xlsx'}: 0 error(s), 0 warning(s), 2 info",
        "",
        "3 files checked: 1 error(s), 1 warning(s), 2 info. Not shown: 2 info finding(s); "
        "add --min-severity info to see them.",
    ]


def test_min_severity_info_shows_everything_and_hides_nothing(team_folder):
    folder, _, c = team_folder
    result = run("validate", folder, "--min-severity", "info")
    first, second = c.table_cell("agreed_points", 0), c.table_cell("agreed_points", 1)
    lines = heads(result.output)
    assert lines[-5:] == [
        f"{folder / 'c-info.xlsx'}: 0 error(s), 0 warning(s), 2 info",
        f"  INFO    'Measurement' {first:<5}points-adjusted",
        f"  INFO    'Measurement' {second:<5}points-adjusted",
        "",
        "3 files checked: 1 error(s), 1 warning(s), 2 info.",
    ]
    assert "Agreed points 9 differ from the scheme's 8" in result.output


def test_min_severity_error_shows_errors_only_and_says_what_it_left_out(team_folder):
    folder, b, _ = team_folder
    result = run("validate", folder, "--min-severity", "error")
    assert result.exit_code == 1
    lines = heads(result.output)
    assert [line for line in lines if line.startswith("  ")] == [
        f"  ERROR   'Measurement' {b.table_cell('agreed_points', 0):<5}points-out-of-range"
    ]
    assert lines[-1] == (
        "3 files checked: 1 error(s), 1 warning(s), 2 info. Not shown: 1 warning finding(s) "
        "and 2 info finding(s); add --min-severity info to see them."
    )


def test_with_only_warnings_hidden_the_last_line_points_at_min_severity_warning(make_sheet):
    sheet = make_sheet().edit(lambda ws, wb, s: ws.__setitem__(s.header_cell("manager"), None))
    result = run("validate", sheet.path, "--min-severity", "error")
    assert result.exit_code == 0
    assert result.output.splitlines()[-1] == (
        "1 file checked: 0 error(s), 1 warning(s), 0 info. Not shown: 1 warning finding(s); "
        "add --min-severity warning to see them."
    )


@pytest.mark.parametrize("severity", ["error", "warning", "info"])
def test_json_carries_every_finding_whatever_min_severity_says(team_folder, severity):
    folder, _, _ = team_folder
    result = run("validate", folder, "--format", "json", "--min-severity", severity)
    data = json.loads(result.output)
    assert data["counts"] == {"error": 1, "warning": 1, "info": 2}
    assert sorted(f["rule"] for f in data["findings"]) == [
        "header-blank",
        "points-adjusted",
        "points-adjusted",
        "points-out-of-range",
    ]


def test_a_wrong_min_severity_is_a_usage_error(make_sheet):
    result = CliRunner().invoke(main, ["validate", str(make_sheet().path), "--min-severity", "all"])
    assert result.exit_code == 2
    assert "'all' is not one of 'error', 'warning', 'info'" in result.output
