"""Every command on a Windows code page: a cp1252 or cp850 console, pipe or redirected file
shows "?" for what it cannot show, never a UnicodeEncodeError, and JSON stays valid and whole.

The names here ("Łódź North", "Zoë Ćwik") hold letters neither code page has (Ł, ź, Ć), so
every command below prints at least one character its stream cannot encode.
"""

from __future__ import annotations

import csv
import dataclasses
import json
from pathlib import Path

import click
import pytest

from workload_xl.cli import main
from workload_xl.console import json_for
from workload_xl.core import capa
from workload_xl.demo import CAMHS_ABSENCES, CAMHS_REFERRALS, CAMHS_WAITING, camhs_team
from workload_xl.files.jobplan_workbook import write_jobplan_workbook
from workload_xl.files.worker_template import write_worker_workbook

from .bounded_cli import run_cli
from .conftest import CSC, valid_content

TEAM = "Łódź North"
WORKER = "Zoë Ćwik"
CLINICIAN = "Łukasz Żak"
SHOWN = "?ód? North"  # Ł and ź are in neither cp1252 nor cp850; ó is in both
ENCODINGS = ("cp1252", "cp850")
ASCII_ONLY = {"schemes", "schemes show"}
"""The commands whose output holds no name of a person, a team or a file."""


@pytest.fixture(scope="module")
def world(tmp_path_factory, registry) -> Path:
    """A folder named with Polish letters: a worker sheet, its team workbook, a store holding
    its return, a job plan and a caseload report."""
    top = tmp_path_factory.mktemp("enc") / "Łódź"
    (top / "sheets").mkdir(parents=True)
    content = valid_content()
    header = {**content.header, "team": TEAM, "worker": WORKER}
    sheet = top / "sheets" / "Zoë Ćwik.xlsx"
    assert (
        write_worker_workbook(sheet, registry.get(CSC), dataclasses.replace(content, header=header))
        == []
    )
    warned = top / "warned" / "Zoë Ćwik.xlsx"  # a warning names the file
    warned.parent.mkdir()
    header["manager"] = ""
    assert (
        write_worker_workbook(
            warned, registry.get(CSC), dataclasses.replace(content, header=header)
        )
        == []
    )
    for args in (
        ("build-team", top / "sheets", "-o", top / "Łódź team.xlsx"),
        ("consolidate", top / "Łódź team.xlsx", "--store", top / "store.sqlite"),
        (
            "teams",
            "add",
            TEAM,
            *(f"Łódź {side} {enc}" for side in ("East", "West") for enc in ENCODINGS),
            "--service",
            "First Response",
            "--store",
            top / "store.sqlite",
        ),
    ):
        assert run_cli(*args).returncode == 0
    _jobplan_with(top / "jobplan.xlsx", CLINICIAN)
    with (top / "activity.csv").open("w", newline="", encoding="utf-8") as handle:
        csv.writer(handle).writerows(
            [
                ["Clinician", "Month", "Choice appointments", "New Core Partnerships"],
                [CLINICIAN, "2026-09", 8, 5],
                ["Źdźisław Łęcki", "2026-09", 3, 1],  # no job plan: a finding naming him
            ]
        )
    with (top / "caseload.csv").open("w", newline="", encoding="utf-8") as handle:
        csv.writer(handle).writerows(
            [
                ["Case ID", "Child name", "Case type", "Allocated worker"],
                ["C1", "Ćma", "CLA", WORKER],
            ]
        )
    return top


def _jobplan_with(path: Path, name: str) -> None:
    """The demo's CAMHS job plan, its first clinician renamed."""
    team = camhs_team()
    team[0] = dataclasses.replace(team[0], name=name)
    absences = [capa.Absence(*absence) for absence in CAMHS_ABSENCES]
    problems = write_jobplan_workbook(
        path, capa.CapaSettings(), team, absences, CAMHS_REFERRALS, **CAMHS_WAITING
    )
    assert problems == []


def _cases(top: Path, enc: str) -> dict[str, tuple[tuple, set[int]]]:
    """Each command's arguments (its outputs named for the encoding) and the exit statuses
    its run may end with."""
    store = top / "store.sqlite"
    return {
        "schemes": (("schemes",), {0}),
        "schemes show": (("schemes", "show", CSC), {0}),
        "template worker": (
            ("template", "worker", "--scheme", CSC, "-o", top / f"Ćwik {enc}.xlsx"),
            {0},
        ),
        "template team": (("template", "team", "-o", top / f"Łódź {enc}.xlsx"), {0}),
        "template jobplan": (("template", "jobplan", "-o", top / f"Łódź plan {enc}.xlsx"), {0}),
        "build-xlsm": (("build-xlsm", "-o", top / f"Łódź {enc}.xlsm"), {0}),
        "validate": (("validate", top / "warned"), {0}),
        "build-team": (
            ("build-team", top / "sheets", "-o", top / f"team {enc}.xlsx"),
            {0},
        ),
        "key new": (("key", "new", "-o", top / f"klucz {enc}.key"), {0}),
        "consolidate": (("consolidate", top / "Łódź team.xlsx", "--store", store), {0}),
        "teams add": (
            ("teams", "add", TEAM, "--service", "First Response", "--store", store),
            {0},
        ),
        "teams list": (("teams", "list", "--store", store), {0}),
        "teams rename": (
            (
                "teams",
                "rename",
                f"Łódź East {enc}",
                f"Łódź Wschód {enc}",
                "--service",
                "First Response",
                "--store",
                store,
            ),
            {0},
        ),
        "teams remove": (
            (
                "teams",
                "remove",
                f"Łódź West {enc}",
                "--service",
                "First Response",
                "--store",
                store,
            ),
            {0},
        ),
        "store check": (("store", "check", "--store", store), {0}),
        "store export": (
            ("store", "export", "--store", store, "-o", _folder(top / f"eksport {enc}")),
            {0},
        ),
        "returns": (("returns", "--store", store, "--period", "2026-10"), {0}),
        "report": (("report", "--store", store, "-o", top / f"raport {enc}.xlsx"), {0}),
        "capa balance": (("capa", "balance", top / "jobplan.xlsx", "--without", CLINICIAN), {0}),
        "capa actuals": (
            (
                "capa",
                "actuals",
                top / "activity.csv",
                "--jobplan",
                top / "jobplan.xlsx",
                "-o",
                top / f"Łódź plan and actual {enc}.xlsx",
            ),
            {0},
        ),
        "allocate": (("allocate", top / "Łódź team.xlsx", "--item", "Child protection plan"), {0}),
        "import-caseload": (
            (
                "import-caseload",
                top / "caseload.csv",
                "--worker",
                WORKER,
                "--scheme",
                CSC,
                "--service",
                "First Response",
                "-o",
                top / f"Ćwik cases {enc}.xlsx",
            ),
            {0},
        ),
        "demo": (("demo", "--out", top / f"próba ź {enc}", "--months", "1"), {0}),
        # laid out as on Windows, in a profile folder whose name no code page here can show
        "addin install": (("addin", "install", "--platform", "windows"), {0}),
        "addin status": (("addin", "status", "--platform", "windows"), {0}),
        "addin remove": (("addin", "remove", "--platform", "windows"), {0}),
    }


def _env(top: Path, command: str, enc: str) -> dict | None:
    """The add-in commands' user folders (APPDATA, USERPROFILE, HOME) in `top`, named in
    letters neither code page has; None for the others."""
    if not command.startswith("addin"):
        return None
    profile = _folder(top / f"Łukasz profile {enc}")
    return {"APPDATA": str(profile / "AppData"), "USERPROFILE": str(profile), "HOME": str(profile)}


def _folder(path: Path) -> Path:
    path.mkdir(exist_ok=True)
    return path


def _commands(group: click.Group, prefix: str = "") -> set[str]:
    """Every command a user can run: the leaves, and groups that run by themselves."""
    found = set()
    for name, command in group.commands.items():
        path = f"{prefix}{name}"
        if isinstance(command, click.Group):
            found |= _commands(command, path + " ")
            if command.invoke_without_command:
                found.add(path)
        else:
            found.add(path)
    return found


def test_every_command_is_tested_on_the_windows_code_pages(tmp_path):
    assert set(_cases(tmp_path, "x")) == _commands(main)


@pytest.mark.parametrize("enc", ENCODINGS)
@pytest.mark.parametrize("command", sorted(_commands(main)))
def test_a_command_prints_on_a_windows_code_page_to_a_file(world, command, enc):
    args, statuses = _cases(world, enc)[command]
    run = run_cli(
        *args,
        encoding=enc,
        to_files=True,
        timeout=240 if command == "demo" else 60,
        env=_env(world, command, enc),
    )
    run.assert_no_traceback()
    assert "UnicodeEncodeError" not in run.output
    assert run.returncode in statuses, run.output[-3000:]
    if command not in ASCII_ONLY:
        assert "?" in run.output  # something was replaced, so something was unshowable


@pytest.mark.parametrize("enc", ENCODINGS)
def test_teams_add_stores_the_name_whole_and_shows_what_the_console_can(tmp_path, enc):
    store = tmp_path / "store.sqlite"
    schemes = tmp_path / "schemes"  # a service the schemes know, named in letters cp1252 lacks
    schemes.mkdir()
    scheme = (Path(__file__).resolve().parents[1] / "schemes" / "leaving-care.toml").read_text(
        encoding="utf-8"
    )
    assert 'services = ["Leaving Care"]' in scheme
    (schemes / "leaving-care.toml").write_text(
        scheme.replace('services = ["Leaving Care"]', 'services = ["Łęczna"]'), encoding="utf-8"
    )
    run = run_cli(
        "teams",
        "add",
        TEAM,
        "--service",
        "Łęczna",
        "--store",
        store,
        encoding=enc,
        env={"WORKLOAD_XL_SCHEMES": str(schemes)},
    )
    assert run.returncode == 0, run.output
    assert run.stdout == f"Added: {SHOWN} (?\u0119czna)\n".replace("\u0119", "?")
    listed = run_cli("teams", "list", "--store", store, encoding="utf-8")
    assert TEAM in listed.stdout and "Łęczna" in listed.stdout


@pytest.mark.parametrize("command", ["validate", "build-team", "consolidate"])
@pytest.mark.parametrize("enc", ENCODINGS)
def test_json_on_a_windows_code_page_is_valid_and_loses_no_letter(world, tmp_path, command, enc):
    args = {
        "validate": ("validate", world / "sheets"),
        "build-team": ("build-team", world / "sheets", "-o", tmp_path / "t.xlsx"),
        "consolidate": ("consolidate", world / "Łódź team.xlsx", "--store", tmp_path / "s.sqlite"),
    }[command]
    run = run_cli(*args, "--format", "json", encoding=enc, to_files=True)
    assert run.returncode == 0, run.output
    assert "?" not in run.stdout  # nothing replaced: escaped instead
    assert "\\u0141" in run.stdout  # Ł, as JSON's escape
    said = json.dumps(run.json(), ensure_ascii=False)
    assert str(world / "sheets") in said or str(world / "Łódź team.xlsx") in said


def test_json_escapes_only_what_the_stream_cannot_encode():
    class Stream:
        encoding = "cp1252"

    text = json.dumps({"team": "Łódź é", "emoji": "\U0001f600"}, ensure_ascii=False)
    escaped = json_for(text, Stream())
    assert escaped == '{"team": "\\u0141\u00f3d\\u017a \u00e9", "emoji": "\\ud83d\\ude00"}'
    assert json.loads(escaped) == {"team": "Łódź é", "emoji": "\U0001f600"}
