"""Every output is whole or absent: written beside its target and renamed into place, never
over a file unasked, and a target that cannot be written is a finding, not a traceback."""

from __future__ import annotations

import subprocess
import sys
import textwrap

import pytest
from click.testing import CliRunner
from openpyxl import load_workbook

from workload_xl.cli import main

from .conftest import posix_only


def run(*args):
    return CliRunner().invoke(main, [str(a) for a in args])


def test_a_target_that_is_a_folder_is_a_finding_even_with_force(tmp_path):
    target = tmp_path / "team.xlsx"
    target.mkdir()  # e.g. a folder someone named like the workbook
    result = run("template", "team", "-o", target, "--force")
    assert result.exit_code == 1, result.output
    assert "output-unwritable" in result.output and "Traceback" not in result.output
    assert target.is_dir() and [p.name for p in tmp_path.iterdir()] == ["team.xlsx"]


@posix_only
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
    assert "output-unwritable" in result.output
    said = " ".join(result.output.split())
    for holder in ("Excel (close the workbook there)", "antivirus", "OneDrive"):
        assert holder in said, said
    assert list(tmp_path.iterdir()) == []  # the temporary file is gone too


def test_a_rename_blocked_for_a_moment_is_tried_again_and_succeeds(tmp_path, monkeypatch):
    """Antivirus or OneDrive opens a new file for a moment: the third try gets through."""
    import os

    from workload_xl.files import atomic

    real, tries, pauses = os.replace, [], []

    def held_twice(*args, **kwargs):
        tries.append(1)
        if len(tries) <= 2:
            raise PermissionError(13, "The process cannot access the file")
        return real(*args, **kwargs)

    monkeypatch.setattr(os, "replace", held_twice)
    monkeypatch.setattr(atomic.time, "sleep", pauses.append)
    target = tmp_path / "team.xlsx"
    assert atomic.write_atomically(target, lambda temp: temp.write_bytes(b"PK")) == []
    assert target.read_bytes() == b"PK" and len(tries) == 3 and pauses == [0.05, 0.1]


def test_a_rename_held_for_good_is_tried_for_about_a_second_then_a_finding(tmp_path, monkeypatch):
    import os

    from workload_xl.files import atomic

    pauses = []

    def held(*_args, **_kwargs):
        raise PermissionError(13, "The process cannot access the file")

    monkeypatch.setattr(os, "replace", held)
    monkeypatch.setattr(atomic.time, "sleep", pauses.append)
    (problem,) = atomic.write_atomically(tmp_path / "t.xlsx", lambda temp: temp.write_bytes(b"x"))
    assert problem.rule == "output-unwritable"
    assert problem.message == atomic.HELD_MESSAGE.format(path=tmp_path / "t.xlsx")
    assert sum(pauses) == pytest.approx(1.0) and len(pauses) == 6


def test_a_path_too_long_for_windows_gets_its_own_message(tmp_path):
    """On Linux a 300-character name fails as Windows fails a 300-character path; told it is
    Windows, the finding says the path is too long and what to do."""
    from workload_xl.files import atomic

    target = tmp_path / ("a" * 300 + ".xlsx")
    (problem,) = atomic.write_atomically(target, lambda t: t.write_bytes(b"x"), platform="win32")
    assert problem.message.startswith(f"{target} is {len(str(target))} characters long, more ")
    assert "than the 259 Windows allows" in problem.message and "C:\\Returns" in problem.message
    (elsewhere,) = atomic.write_atomically(target, lambda t: t.write_bytes(b"x"), platform="linux")
    assert "characters long" not in elsewhere.message and "cannot be written" in elsewhere.message


def test_a_workbook_path_too_long_for_windows_is_said_so_when_read(tmp_path, monkeypatch):
    from workload_xl.files import file_guard, windows

    monkeypatch.setattr(windows, "is_windows", lambda platform=None: True)
    long = tmp_path / ("b" * 150) / ("c" * 150 + ".xlsx")
    (problem,) = file_guard.inspect_workbook_file(long)
    assert problem.rule == "file-not-found"
    assert problem.message == windows.too_long_message(str(long))
    short = tmp_path / "missing.xlsx"
    assert file_guard.inspect_workbook_file(short)[0].message.endswith(
        "does not exist. Check the name and folder."
    )


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
