"""Each command's service, called directly (no CLI) on real files the project's writers
made: it returns its own frozen result type, and the CLI's JSON is that result's."""

from __future__ import annotations

import csv
import dataclasses
import json
import subprocess
import sys

import pytest
from click.testing import CliRunner

from workload_xl.cli import main
from workload_xl.core import capa
from workload_xl.core.findings import Refused
from workload_xl.core.period import FOUR_WEEKS, MONTH, Period, period_kind
from workload_xl.core.schemes import SchemeRegistry
from workload_xl.core.team import TeamBuild
from workload_xl.files.jobplan_workbook import write_jobplan_workbook
from workload_xl.services.build_team import TeamRun, build_team_files, roll_up, write_team
from workload_xl.services.capa import CapaBalanceRun, capa_balance
from workload_xl.services.caseload import CaseloadRun, import_caseload
from workload_xl.services.consolidate import ConsolidationRun, consolidate_files
from workload_xl.services.keys import KeyWritten, load_pseudonymiser, new_key_file
from workload_xl.services.options import OptionError
from workload_xl.services.report import ReportRun, trend_report
from workload_xl.services.returns import ReturnsRun, returns_for
from workload_xl.services.schemes import find_scheme, load_schemes
from workload_xl.services.store_check import StoreCheck, check_store
from workload_xl.services.store_export import StoreExport, export_store_tables
from workload_xl.services.teams import TeamsAdded, TeamsListed, add_teams, list_teams
from workload_xl.services.templates import (
    AddinBuilt,
    WorkbookWritten,
    build_addin,
    jobplan_template,
    team_template,
    worker_template,
)
from workload_xl.services.validate import ValidationRun, validate_files

from .conftest import CSC


def frozen(result: object) -> bool:
    return dataclasses.is_dataclass(result) and type(result).__dataclass_params__.frozen


@pytest.fixture
def team_return(make_sheet, registry, tmp_path):
    """A team workbook built by the build-team service from a worker workbook."""
    make_sheet()
    output = tmp_path / "team.xlsx"
    run = build_team_files([make_sheet().path], output, registry=registry)
    assert run.written
    return output


def test_validate_files_returns_a_validation_run_whose_json_the_cli_prints(make_sheet, registry):
    sheet = make_sheet()
    run = validate_files([sheet.path], registry)
    assert isinstance(run, ValidationRun) and frozen(run)
    assert run.exit_code == 0 and len(run.sheets) == 1
    printed = CliRunner().invoke(main, ["validate", str(sheet.path), "--format", "json"])
    assert printed.output == run.to_json() + "\n"


def test_build_team_files_returns_a_team_run_whose_json_the_cli_prints(
    make_sheet, registry, tmp_path
):
    sheet = make_sheet()
    run = build_team_files([sheet.path], tmp_path / "team.xlsx", registry=registry)
    assert isinstance(run, TeamRun) and frozen(run)
    assert run.written and run.exit_code == 0 and run.build.team is not None
    again = tmp_path / "again.xlsx"
    printed = CliRunner().invoke(
        main, ["build-team", str(sheet.path), "-o", str(again), "--format", "json"]
    )
    expected = build_team_files([sheet.path], again, registry=registry, force=True).to_dict()
    assert json.loads(printed.output) == expected


def test_roll_up_takes_sheets_already_read_as_the_add_in_does(make_sheet, registry, tmp_path):
    results = validate_files([make_sheet().path], registry).sheets
    build = roll_up(results, registry, output="team.xlsx")
    assert isinstance(build, TeamBuild) and build.team is not None
    assert write_team(tmp_path / "team.xlsx", build) == []
    assert (tmp_path / "team.xlsx").exists()


def test_consolidate_returns_and_report_on_a_real_store(team_return, registry, tmp_path):
    store_path = tmp_path / "returns.sqlite"
    run = consolidate_files([team_return], store_path, registry=registry)
    assert isinstance(run, ConsolidationRun) and frozen(run)
    assert run.stored == [str(team_return)] and run.exit_code == 0
    assert json.loads(run.to_json())["stored"] == [str(team_return)]

    added = add_teams(store_path, "First Response", ["First Response East"])
    assert isinstance(added, TeamsAdded) and frozen(added)
    assert added.added == [("First Response East", True)] and added.refused is None
    listed = list_teams(store_path)
    assert isinstance(listed, TeamsListed) and listed.teams[0].name == "First Response East"

    returned = returns_for(store_path, "2026-10", "2026-11-05")
    assert isinstance(returned, ReturnsRun) and frozen(returned)
    assert returned.period == Period(2026, 10, MONTH)
    assert [s.team for s in returned.statuses] == ["First Response East"]
    with pytest.raises(OptionError):
        returns_for(store_path, "Octobr", None)

    report = trend_report(store_path, tmp_path / "report.xlsx")
    assert isinstance(report, ReportRun) and frozen(report)
    assert report.written and (tmp_path / "report.xlsx").exists()

    checked = check_store(store_path)
    assert isinstance(checked, StoreCheck) and frozen(checked)
    assert (checked.held, checked.current, checked.findings) == (1, 1, [])
    (tmp_path / "export").mkdir()
    exported = export_store_tables(store_path, tmp_path / "export")
    assert isinstance(exported, StoreExport) and exported.exit_code == 0 and exported.done
    made = export_store_tables(store_path, tmp_path / "nowhere" / "export")
    assert made.made_folder and made.exit_code == 0 and not exported.made_folder
    assert (tmp_path / "nowhere" / "export" / "returns-store.xlsx").is_file()
    (tmp_path / "a-file").write_text("mine")
    blocked = export_store_tables(store_path, tmp_path / "a-file")
    assert blocked.exit_code == 1 and [f.rule for f in blocked.problems] == ["output-unwritable"]
    assert "a file of that name is there" in blocked.problems[0].message
    assert (tmp_path / "a-file").read_text() == "mine"


def test_a_store_that_is_not_there_is_refused_with_its_finding(tmp_path):
    with pytest.raises(Refused) as refused:
        check_store(tmp_path / "missing.sqlite")
    assert [f.rule for f in refused.value.findings] == ["store-unusable"]


def test_capa_balance_returns_its_run_whose_json_the_cli_prints(tmp_path):
    path = tmp_path / "jobplan.xlsx"
    team = [
        capa.Clinician("Asha Rao", "Clinical psychologist", 37.5, choice=6, core=14),
        capa.Clinician("Tom Reed", "Mental health nurse", 37.5, choice=8, core=16),
    ]
    assert write_jobplan_workbook(path, capa.CapaSettings(), team, (), 6.0) == []
    run = capa_balance(path, without=("Tom Reed",))
    assert isinstance(run, CapaBalanceRun) and frozen(run)
    assert run.exit_code == 0 and run.demand == 6.0 and run.after is not None
    printed = CliRunner().invoke(
        main, ["capa", "balance", str(path), "--without", "Tom Reed", "--format", "json"]
    )
    assert printed.output == run.to_json() + "\n"
    with pytest.raises(OptionError) as unknown:
        capa_balance(path, without=("Nobody",))
    assert unknown.value.param_hint == "--without"
    assert capa_balance(tmp_path / "missing.xlsx").exit_code == 2


def test_import_caseload_returns_a_caseload_run(registry, tmp_path):
    report = tmp_path / "caseload.csv"
    with report.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["Case ID", "Child name", "Case type", "Allocated worker"])
        writer.writerow(["C1", "Ava Test", "Child in Need", "Jo Example"])
        writer.writerow(["C2", "Ben Test", "Early Help", "Jo Example"])
    output = tmp_path / "jo.xlsx"
    run = import_caseload(report, registry.get(CSC), "Jo Example", output, service="First Response")
    assert isinstance(run, CaseloadRun) and frozen(run)
    assert run.written and run.exit_code == 0 and len(run.lines) == 2 and run.matched == 1
    assert validate_files([output], registry).sheets


def test_templates_keys_and_schemes(registry, tmp_path):
    for written in (
        worker_template(tmp_path / "worker.xlsx", registry.get(CSC)),
        team_template(tmp_path / "team.xlsx"),
        jobplan_template(tmp_path / "jobplan.xlsx"),
    ):
        assert isinstance(written, WorkbookWritten) and frozen(written)
        assert written.exit_code == 0 and written.path.exists()
    assert worker_template(tmp_path / "worker.xlsx", registry.get(CSC)).exit_code == 1
    key = new_key_file(tmp_path / "key.txt")
    assert isinstance(key, KeyWritten) and key.exit_code == 0
    assert load_pseudonymiser(key.path) is not None and load_pseudonymiser(None) is None
    assert isinstance(load_schemes(), SchemeRegistry)
    assert find_scheme(registry, CSC).id == CSC
    with pytest.raises(OptionError):
        find_scheme(registry, "no-such-scheme")


def test_build_addin_returns_addin_built(tmp_path):
    built = build_addin(tmp_path / "workload.xlsm")
    assert isinstance(built, AddinBuilt) and frozen(built)
    assert built.exit_code == 0 and built.missing is None and built.path.exists()


def test_a_typed_period_is_four_weeks_only_in_the_p_form():
    assert period_kind("2026-P07") == FOUR_WEEKS
    assert period_kind(" 2026 p7 ") == FOUR_WEEKS
    assert period_kind("2026-10") == MONTH
    assert period_kind("Sept 2026") == MONTH


def test_the_cli_does_not_import_the_add_in_builder():
    """The add-in builder (and ms-ovba under it) is loaded only by build-xlsm, when it runs."""
    code = "import workload_xl.cli, sys; print('workload_xl.addin' in sys.modules)"
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True
    )
    assert done.stdout.strip() == "False"
