"""Every output is whole or absent: written beside its target and renamed into place, never
over a file unasked, and a target that cannot be written is a finding, not a traceback."""

from __future__ import annotations

import subprocess
import sys
import textwrap

from click.testing import CliRunner
from openpyxl import load_workbook

from workload_xl.cli import main


def run(*args):
    return CliRunner().invoke(main, [str(a) for a in args])


def test_a_target_that_is_a_folder_is_a_finding_even_with_force(tmp_path):
    target = tmp_path / "team.xlsx"
    target.mkdir()  # e.g. a folder someone named like the workbook
    result = run("template", "team", "-o", target, "--force")
    assert result.exit_code == 1, result.output
    assert "output-unwritable" in result.output and "Traceback" not in result.output
    assert target.is_dir() and [p.name for p in tmp_path.iterdir()] == ["team.xlsx"]


def test_a_full_disk_while_writing_leaves_the_old_file_whole_and_no_partial_file(tmp_path):
    """The file-size limit stops the write part-way, as a full disk would."""
    target = tmp_path / "template.xlsx"
    assert run("template", "worker", "--scheme", "leaving-care", "-o", target).exit_code == 0
    before = target.read_bytes()
    script = textwrap.dedent(f"""
        import resource, signal, sys
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (2048, 2048))
        from workload_xl.cli import main
        sys.argv = ["workload-xl", "template", "worker", "--scheme", "childrens-social-care",
                    "-o", {str(target)!r}, "--force"]
        main()
    """)
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=120
    )
    output = done.stdout + done.stderr
    assert done.returncode == 1, output
    assert "output-unwritable" in output and "Traceback" not in output
    assert target.read_bytes() == before  # the earlier file, untouched
    assert [p.name for p in tmp_path.iterdir()] == ["template.xlsx"]  # no temporary left
    load_workbook(target)  # and still a workbook


def test_an_existing_output_is_kept_unless_force_is_given(tmp_path):
    target = tmp_path / "plan.xlsx"
    assert run("template", "jobplan", "-o", target).exit_code == 0
    before = target.read_bytes()
    again = run("template", "jobplan", "-o", target)
    assert again.exit_code == 1 and "output-exists" in again.output
    assert target.read_bytes() == before
    assert run("template", "jobplan", "-o", target, "--force").exit_code == 0


def test_a_macro_enabled_workbook_is_read_as_data_and_nothing_in_it_runs(tmp_path, registry):
    """workload.xlsm carries VBA; validating it reads its cells and never its macros."""
    import shutil
    from pathlib import Path

    copy = tmp_path / "workload.xlsm"
    shutil.copy(Path(__file__).resolve().parent.parent / "workload.xlsm", copy)
    before = copy.read_bytes()
    result = run("validate", copy, "--format", "json")
    # its blank Measurement sheet is read like any other: data only, the header not filled in
    assert result.exit_code == 1 and "header-missing" in result.output, result.output
    assert copy.read_bytes() == before


def test_a_target_locked_by_another_program_is_a_finding(tmp_path, monkeypatch):
    """Excel on Windows locks an open workbook: the rename into place is refused."""
    import os

    def locked(*_args, **_kwargs):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(os, "replace", locked)
    result = run("template", "team", "-o", tmp_path / "team.xlsx")
    assert result.exit_code == 1, result.output
    assert "output-unwritable" in result.output and "Close the file" in result.output
    assert list(tmp_path.iterdir()) == []  # the temporary file is gone too


def test_the_capa_and_caseload_commands_never_change_what_they_read(tmp_path):
    import csv
    import hashlib

    from workload_xl.core import capa
    from workload_xl.files.jobplan_workbook import write_jobplan_workbook

    plan = tmp_path / "plan.xlsx"
    team = [capa.Clinician("Asha Rao", "Nurse", 37.5, choice=6, core=14, big_admin=5)]
    assert write_jobplan_workbook(plan, clinicians=team, referrals_per_week=4.0) == []
    report = tmp_path / "caseload.csv"
    with report.open("w", newline="") as handle:
        csv.writer(handle).writerows(
            [
                ["Case ID", "Child name", "Case type", "Allocated worker"],
                ["C1", "Ava Report", "CIN", "Jo Example"],
            ]
        )

    def digest(path):
        return hashlib.sha256(path.read_bytes()).hexdigest()

    before = {plan: digest(plan), report: digest(report)}
    assert run("capa", "balance", plan, "--without", "Asha Rao").exit_code in (0, 1)
    assert run("capa", "balance", plan, "--format", "json").exit_code == 0
    done = run(
        "import-caseload",
        report,
        "--worker",
        "Jo Example",
        "--scheme",
        "childrens-social-care",
        "--service",
        "First Response",
        "-o",
        tmp_path / "jo.xlsx",
    )
    assert done.exit_code in (0, 1), done.output
    assert {path: digest(path) for path in before} == before
