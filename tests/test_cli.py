"""The command line: what admins and the performance team run, end to end on real files."""

from __future__ import annotations

import json
import subprocess
import sys

from click.testing import CliRunner

from workload_xl.cli import main
from workload_xl.services.validate import validate_files

from .conftest import sha256


def run(*args: str):
    return CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)


def test_python_dash_m_runs_the_same_cli():
    done = subprocess.run(
        [sys.executable, "-m", "workload_xl", "--help"], capture_output=True, text=True, check=False
    )
    assert done.returncode == 0
    assert "validate" in done.stdout and "import-caseload" in done.stdout


def test_schemes_lists_every_scheme(registry):
    result = run("schemes")
    assert result.exit_code == 0
    for scheme in registry:
        assert scheme.id in result.output and scheme.version in result.output


def test_schemes_show_prints_items_ranges_and_bands(registry):
    result = run("schemes", "show", "leaving-care")
    assert result.exit_code == 0
    scheme = registry.get("leaving-care")
    for item in scheme.items:
        assert item.label in result.output
    assert "Senior personal adviser" in result.output
    assert "4 weeks" in result.output


def test_an_unknown_scheme_is_a_usage_error_listing_the_known_ones():
    result = CliRunner().invoke(main, ["schemes", "show", "adult-care"])
    assert result.exit_code == 2
    assert "no scheme 'adult-care'" in result.output and "leaving-care" in result.output


def test_template_worker_writes_a_workbook_that_validates_as_an_unfilled_sheet(tmp_path):
    out = tmp_path / "blank.xlsx"
    assert run("template", "worker", "--scheme", "fostering-adoption", "-o", out).exit_code == 0
    found = {f.rule for f in validate_files([out]).report.findings}
    assert found == {"header-missing", "header-blank", "fte-invalid", "period-invalid"}


def test_template_worker_never_overwrites_without_force(tmp_path):
    out = tmp_path / "blank.xlsx"
    out.write_text("precious")
    result = run("template", "worker", "--scheme", "leaving-care", "-o", out)
    assert result.exit_code == 1
    assert "output-exists" in result.output and out.read_text() == "precious"
    assert (
        run("template", "worker", "--scheme", "leaving-care", "-o", out, "--force").exit_code == 0
    )
    assert out.read_bytes()[:2] == b"PK"


def test_validate_exits_0_for_a_clean_sheet_and_says_so(make_sheet):
    sheet = make_sheet()
    result = run("validate", sheet.path)
    assert result.exit_code == 0
    assert "1 file checked: 0 error(s), 0 warning(s), 0 info." in result.output


def test_validate_exits_0_with_only_warnings(make_sheet):
    sheet = make_sheet().edit(lambda ws, wb, s: ws.__setitem__(s.header_cell("manager"), None))
    assert run("validate", sheet.path).exit_code == 0


def test_validate_exits_1_on_errors_and_names_file_sheet_and_cell(make_sheet):
    sheet = make_sheet().edit(
        lambda ws, wb, s: ws.__setitem__(s.table_cell("agreed_points", 0), 40)
    )
    result = run("validate", sheet.path)
    assert result.exit_code == 1
    assert str(sheet.path) in result.output
    assert "'Measurement'" in result.output
    assert sheet.table_cell("agreed_points", 0) in result.output
    assert "points-out-of-range" in result.output and "4 to 8" in result.output


def test_validate_exits_2_when_a_file_cannot_be_read(make_sheet, tmp_path):
    bad = tmp_path / "notes.xlsx"
    bad.write_text("not a workbook")
    result = run("validate", make_sheet().path, bad)
    assert result.exit_code == 2
    assert "Traceback" not in result.output


def test_validate_json_equals_the_api_report(make_sheet):
    sheet = make_sheet().edit(
        lambda ws, wb, s: ws.__setitem__(s.table_cell("agreed_points", 0), "five")
    )
    result = run("validate", sheet.path, "--format", "json")
    assert result.exit_code == 1
    assert json.loads(result.output) == validate_files([sheet.path]).report.to_dict()
    (finding,) = json.loads(result.output)["findings"]
    assert set(finding) == {
        "rule",
        "severity",
        "workbook",
        "sheet",
        "cell",
        "field",
        "value",
        "message",
    }
    # Text in a points cell may be anything, a child's name included: it is not repeated.
    assert (finding["rule"], finding["severity"], finding["value"]) == (
        "points-not-number",
        "error",
        None,
    )
    assert "five" not in finding["message"]


def test_validate_takes_folders_and_skips_excel_lock_files(make_sheet, tmp_path):
    make_sheet(name="a.xlsx")
    make_sheet(name="b.xlsx")
    (tmp_path / "~$a.xlsx").write_bytes(b"lock")
    result = run("validate", tmp_path, "--format", "json")
    assert result.exit_code == 0
    assert sorted(p.rsplit("/", 1)[-1] for p in json.loads(result.output)["files"]) == [
        "a.xlsx",
        "b.xlsx",
    ]


def test_validate_never_changes_the_files_it_reads(make_sheet):
    sheet = make_sheet().edit(
        lambda ws, wb, s: ws.__setitem__(s.table_cell("agreed_points", 0), -1)
    )
    before = sha256(sheet.path)
    run("validate", sheet.path)
    run("validate", sheet.path, "--format", "json")
    assert sha256(sheet.path) == before


def test_validate_against_an_unknown_scheme_is_a_usage_error(make_sheet):
    result = CliRunner().invoke(main, ["validate", str(make_sheet().path), "--scheme", "nope"])
    assert result.exit_code == 2 and "no scheme 'nope'" in result.output


def test_written_workbooks_get_ordinary_permissions_not_private_temp_ones(tmp_path):
    plain = tmp_path / "plain.txt"
    plain.write_text("x")
    out = tmp_path / "blank.xlsx"
    assert run("template", "worker", "--scheme", "leaving-care", "-o", out).exit_code == 0
    assert out.stat().st_mode & 0o777 == plain.stat().st_mode & 0o777
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []


def test_an_output_in_a_missing_folder_is_a_finding_not_a_traceback(tmp_path):
    result = run(
        "template",
        "worker",
        "--scheme",
        "leaving-care",
        "-o",
        tmp_path / "no-such-folder" / "x.xlsx",
    )
    assert result.exit_code == 1
    flat = " ".join(result.output.split())  # however the message wraps
    assert "output-unwritable" in flat and "does not exist" in flat


def test_a_workbook_without_a_measurement_table_cannot_be_read_as_one(tmp_path):
    from openpyxl import Workbook

    plain = tmp_path / "plain.xlsx"
    wb = Workbook()
    wb.active["A1"] = "Case"
    wb.save(plain)
    result = run("validate", plain, "--format", "json")
    assert result.exit_code == 2
    assert [f["rule"] for f in json.loads(result.output)["findings"]] == ["not-measurement-sheet"]


def test_a_team_workbook_in_a_folder_of_worker_sheets_is_skipped_not_an_error(make_sheet, tmp_path):
    make_sheet(name="jo.xlsx")
    assert run("template", "team", "-o", tmp_path / "team-2026-10.xlsx").exit_code == 0
    result = run("validate", tmp_path, "--format", "json")
    assert result.exit_code == 0
    found = json.loads(result.output)["findings"]
    assert [(f["rule"], f["severity"]) for f in found] == [("team-workbook-given", "info")]


# --- the trend report -------------------------------------------------------------------------


def store_of(path, rows, scheme_version=lambda period: "2026.1"):
    """A returns store holding `rows` (WorkerPeriod records with team, service and period), one
    return a team and period, filled as consolidation fills it."""
    from collections import defaultdict

    from workload_xl.core.period import parse_period
    from workload_xl.core.returns import ReturnLine, TeamReturn
    from workload_xl.store.database import ReturnsStore

    returns = defaultdict(list)
    for row in rows:
        returns[(row.service, row.team, row.period)].append(row)
    with ReturnsStore.open(path) as store:
        for n, ((service, team, period), workers) in enumerate(sorted(returns.items())):
            ret = TeamReturn(
                f"{team}-{period}.xlsx",
                team,
                service,
                "childrens-social-care",
                scheme_version(period),
                parse_period(period),
                "Manager",
                workers,
                # as a team sheet's Cases rows give them: a worker's points are their rows'
                [ReturnLine(w.worker, "", "DUTY", "activity", w.total_points) for w in workers],
            )
            store.ingest(ret, sha256=f"{n:064x}", source_path=ret.source)
    return path


def test_report_says_an_incomplete_return_first_and_takes_its_share_as_an_option(tmp_path):
    from .test_trend_measures import twelve_worker_team

    store = store_of(tmp_path / "returns.sqlite", twelve_worker_team())
    done = run("report", "--store", store, "-o", tmp_path / "report.xlsx")
    assert done.exit_code == 0, done.output
    lines = done.output.splitlines()
    assert lines[1] == "What needs a look:"
    assert lines[2].startswith("  - Safeguarding: North, 2026-03: incomplete return. 7 of 12")
    assert len(lines) == 3
    # At 30%, 4.0 of 10.2 FTE (39%) and 5 of 12 workers (42%) are complete enough: the month
    # is charted, and its 102.5 points per FTE lies above the upper limit 100.66.
    done = run("report", "--store", store, "-o", tmp_path / "r2.xlsx", "--incomplete-below", "30")
    assert done.exit_code == 0, done.output
    assert "incomplete return" not in done.output
    assert "unusually high for this team in 2026-03" in done.output


def test_report_recalculate_at_takes_team_equals_period_repeated(tmp_path):
    from .test_trend_measures import two_teams_with_a_step

    store = store_of(tmp_path / "returns.sqlite", two_teams_with_a_step())
    out = tmp_path / "report.xlsx"
    done = run("report", "--store", store, "-o", out, "--recalculate-at", "North=2026-01")
    assert done.exit_code == 0, done.output
    looks = [line for line in done.output.splitlines() if line.startswith("  - ")]
    assert looks and all(line.startswith("  - Safeguarding: South:") for line in looks)
    done = run(
        "report",
        "--store",
        store,
        "-o",
        out,
        "--force",
        "--recalculate-at",
        "North=2026-01",
        "--recalculate-at",
        "South=2026-01",
    )
    assert done.exit_code == 0, done.output
    assert "Nothing stands out." in done.output


def test_report_recalculate_at_an_unknown_team_is_a_usage_error_naming_the_teams(tmp_path):
    from .test_trend_measures import two_teams_with_a_step

    store = store_of(tmp_path / "returns.sqlite", two_teams_with_a_step())
    out = tmp_path / "report.xlsx"
    done = CliRunner().invoke(
        main, ["report", "--store", str(store), "-o", str(out), "--recalculate-at", "Nort=2026-01"]
    )
    assert done.exit_code == 2
    assert "--recalculate-at" in done.output and "no team called 'Nort'" in done.output
    assert "North, South" in done.output and "Traceback" not in done.output
    assert not out.exists()
