"""`workload-xl addin install | status | remove`, on this Linux machine with the Windows and the
macOS layouts: APPDATA, USERPROFILE and HOME point at temporary folders.

The settings file written is checked against what xlwings' VBA reads, taken from the VBA
itself (the add-in's xlwings module, PROJECT_NAME "workload"): the file's path as its
GetConfigFilePath builds it, the keys RunPython and the functions ask GetConfig for, and the
lines read the way its GetConfigFromFile reads them (VBA's Input #: two quoted,
comma-separated fields a line, keys compared ignoring case, the first match wins).
"""

from __future__ import annotations

import csv
import os
import re
from pathlib import Path

import pytest
import xlwings

from workload_xl.addin.vba import ADDIN_PROJECT_NAME, xlwings_addin_module
from workload_xl.core.findings import Refused
from workload_xl.excel.buttons import UDF_MODULE
from workload_xl.services import addin as service

from .bounded_cli import run_cli

ROOT = Path(__file__).resolve().parent.parent
XLAM = ROOT / "workload.xlam"
VBA = xlwings_addin_module().source


@pytest.fixture
def windows(tmp_path) -> dict[str, str]:
    profile = tmp_path / "Users" / "jo.example"
    (profile / "AppData" / "Roaming").mkdir(parents=True)
    return {"USERPROFILE": str(profile), "APPDATA": str(profile / "AppData" / "Roaming")}


@pytest.fixture
def venv(tmp_path) -> Path:
    """A Windows venv's Scripts folder: python.exe and pythonw.exe side by side."""
    scripts = tmp_path / "council tools" / ".venv" / "Scripts"
    scripts.mkdir(parents=True)
    for name in ("python.exe", "pythonw.exe"):
        (scripts / name).write_bytes(b"MZ")
    return scripts / "python.exe"


def vba_expression(name: str, branch: str) -> str:
    """The right-hand side of `name = ...` in the #If Mac (branch "mac") or #Else ("win")
    branch of the function that sets it."""
    body = re.search(rf"Function {name}\(\).*?End Function", VBA, re.DOTALL)[0]
    mac, win = re.search(r"#If Mac Then(.*?)#Else(.*?)#End If", body, re.DOTALL).groups()
    text = mac if branch == "mac" else win
    return re.search(rf"^\s*{name} = (.+)$", text, re.MULTILINE)[1].strip()


def evaluate(expression: str, environ: dict[str, str], mac_home: str = "") -> str:
    """A VBA string expression of literals, PROJECT_NAME, Environ("X") and GetMacDir("$HOME",
    ...) joined by &."""
    project = re.search(r'PROJECT_NAME As String = "([^"]+)"', VBA)[1]
    out = []
    for part in (p.strip() for p in expression.split(" & ")):
        if part == "PROJECT_NAME":
            out.append(project)
        elif m := re.fullmatch(r'Environ\("(\w+)"\)', part):
            out.append(environ[m[1]])
        elif part.startswith('GetMacDir("$HOME"'):
            out.append(mac_home)
        else:
            assert re.fullmatch(r'"[^"]*"', part), part
            out.append(part[1:-1])
    return "".join(out)


def vba_reads(path: Path, key: str, encoding: str) -> str | None:
    """What GetConfigFromFile gives for `key`: Input # reads two fields a line."""
    text = path.read_bytes().decode(encoding)
    for fields in csv.reader(text.splitlines()):
        if len(fields) >= 2 and fields[0].lower() == key.lower():
            return fields[1]
    return None


def test_the_project_name_is_the_one_the_service_writes_for():
    assert service.PROJECT_NAME == ADDIN_PROJECT_NAME == "workload"
    assert service.UDF_MODULE == UDF_MODULE
    for key in (*service.INTERPRETER_KEY.values(), service.UDF_KEY):
        assert f'GetConfig("{key}"' in VBA, key


def test_install_on_windows_writes_what_xlwings_vba_reads(windows, venv):
    where = service.places("windows", windows)
    changed = service.install(where, python=venv)
    assert changed.problems == [] and changed.exit_code == 0

    xlstart = Path(windows["APPDATA"]) / "Microsoft" / "Excel" / "XLSTART"
    assert (xlstart / "workload.xlam").read_bytes() == XLAM.read_bytes()
    # The settings file is where the add-in's VBA looks for it: its own expression, evaluated.
    expected = evaluate(vba_expression("GetConfigFilePath", "win"), windows)
    assert expected == windows["USERPROFILE"] + "\\.workload\\workload.conf"
    assert where.config == Path(expected.replace("\\", "/"))
    assert where.config.is_file()
    raw = where.config.read_bytes()
    assert raw.count(b"\r\n") == 2 and b"\n" not in raw.replace(b"\r\n", b"")
    pythonw = str(venv.with_name("pythonw.exe"))
    assert vba_reads(where.config, "INTERPRETER_WIN", "cp1252") == pythonw
    assert vba_reads(where.config, "UDF MODULES", "cp1252") == "workload_xl.excel.udfs"
    assert vba_reads(where.config, "INTERPRETER_MAC", "cp1252") is None
    assert any("Restart Excel" in line for line in changed.done)

    state = service.status(where)
    assert state.addin_installed and state.addin_current and state.interpreter_found
    text = "\n".join(state.lines())
    assert f"installed: {xlstart / 'workload.xlam'}" in text
    assert f"settings: {where.config}" in text
    assert f"Python for the buttons: {pythonw} (found)" in text


def test_without_pythonw_the_venvs_python_is_written(windows, venv):
    venv.with_name("pythonw.exe").unlink()
    where = service.places("windows", windows)
    service.install(where, python=venv)
    assert vba_reads(where.config, "INTERPRETER_WIN", "cp1252") == str(venv)


def test_remove_takes_away_only_what_install_made(windows, venv):
    where = service.places("windows", windows)
    where.startup.mkdir(parents=True)
    personal = where.startup / "PERSONAL.XLSB"  # the user's own macros: never touched
    personal.write_bytes(b"mine")
    where.config.parent.mkdir(parents=True)
    where.config.write_bytes(
        b'"SHOW CONSOLE","True"\r\n"interpreter_win","C:\\old\\python.exe"\r\n'
    )

    service.install(where, python=venv)
    assert vba_reads(where.config, "SHOW CONSOLE", "cp1252") == "True"  # kept
    pythonw = str(venv.with_name("pythonw.exe"))
    assert vba_reads(where.config, "INTERPRETER_WIN", "cp1252") == pythonw  # one line, ours
    assert where.config.read_bytes().lower().count(b"interpreter_win") == 1
    service.install(where, python=venv)  # twice: the same

    removed = service.remove(where)
    assert removed.problems == []
    assert not where.addin.exists() and personal.read_bytes() == b"mine"
    assert where.startup.is_dir()  # it was there before
    # The user's own settings are back as they were; the add-in's are gone.
    assert vba_reads(where.config, "SHOW CONSOLE", "cp1252") == "True"
    assert vba_reads(where.config, "INTERPRETER_WIN", "cp1252") == "C:\\old\\python.exe"
    assert vba_reads(where.config, "UDF MODULES", "cp1252") is None
    assert not where.manifest.exists()
    again = service.remove(where)
    assert again.done == [] and "Nothing to remove" in again.kept[0]


def test_remove_deletes_the_folders_install_created_when_empty(windows, venv):
    where = service.places("windows", windows)
    service.install(where, python=venv)
    service.remove(where)
    assert not where.startup.exists() and not where.config.parent.exists()
    assert Path(windows["APPDATA"]).is_dir()


def test_an_add_in_file_changed_since_install_is_kept(windows, venv):
    where = service.places("windows", windows)
    service.install(where, python=venv)
    where.addin.write_bytes(b"someone else's add-in")
    removed = service.remove(where)
    assert where.addin.read_bytes() == b"someone else's add-in"
    assert removed.kept == [f"Kept {where.addin}: it changed since install copied it."]
    assert not service.status(where).addin_current


def test_an_add_in_excel_holds_open_gets_a_clear_message(windows, venv, monkeypatch):
    """Excel opens every file in XLSTART when it starts and holds it: Windows then refuses to
    replace or delete it (PermissionError)."""
    where = service.places("windows", windows)
    service.install(where, python=venv)
    real_replace, real_unlink = os.replace, Path.unlink

    def held(source, target, *args, **kwargs):
        if Path(target) == where.addin:
            raise PermissionError(13, "The process cannot access the file")
        return real_replace(source, target, *args, **kwargs)

    def held_unlink(path, *args, **kwargs):
        if path == where.addin:
            raise PermissionError(13, "The process cannot access the file")
        return real_unlink(path, *args, **kwargs)

    monkeypatch.setattr(os, "replace", held)
    again = service.install(where, python=venv)
    [problem] = again.problems
    assert problem.rule == "output-unwritable" and again.exit_code == 1
    assert "Excel has it open" in problem.message and "Quit Excel" in problem.message
    assert str(where.addin) in problem.message
    monkeypatch.setattr(Path, "unlink", held_unlink)
    removed = service.remove(where)
    assert "Excel has it open" in removed.problems[0].message
    assert where.addin.is_file() and where.manifest.is_file()  # nothing half-removed


def test_install_on_macos_follows_xlwings_places(tmp_path):
    home = tmp_path / "Users" / "jo"
    home.mkdir(parents=True)
    python = tmp_path / "venv" / "bin" / "python"
    python.parent.mkdir(parents=True)
    python.write_bytes(b"")
    where = service.places("macos", {"HOME": str(home)})
    changed = service.install(where, python=python)
    assert changed.problems == []
    # GetMacDir("$HOME") in Excel's sandbox is ~/Library/Containers/com.microsoft.Excel/Data,
    # the folder xlwings' own Python writes its Mac settings to (xlwings/__init__.py).
    sandbox = home / "Library" / "Containers" / "com.microsoft.Excel" / "Data"
    expected = evaluate(vba_expression("GetConfigFilePath", "mac"), {}, mac_home=str(sandbox))
    assert where.config == Path(expected) == sandbox / "workload.conf"
    source = (Path(xlwings.__file__).parent / "__init__.py").read_text(encoding="utf-8")
    assert '"Containers",\n        "com.microsoft.Excel",\n        "Data",' in source
    assert vba_reads(where.config, "INTERPRETER_MAC", "utf-8") == str(python)
    assert b"\r\n" not in where.config.read_bytes()
    script = home / "Library/Application Scripts/com.microsoft.Excel"
    assert (script / f"xlwings-{xlwings.__version__}.applescript").is_file()
    assert (where.startup / "workload.xlam").read_bytes() == XLAM.read_bytes()
    assert "Startup.localized/Excel" in where.startup.as_posix()
    service.remove(where)
    assert not (script / f"xlwings-{xlwings.__version__}.applescript").exists()
    assert not where.config.exists() and not where.addin.exists()


def test_a_python_path_the_settings_file_cannot_carry_is_refused(windows, tmp_path):
    python = tmp_path / "Łódź" / "Scripts" / "python.exe"
    python.parent.mkdir(parents=True)
    python.write_bytes(b"MZ")
    where = service.places("windows", windows)
    with pytest.raises(Refused) as refused:
        service.install(where, python=python)
    [problem] = refused.value.findings
    assert problem.rule == "addin-not-installable" and "'Ł'" in problem.message
    assert "C:\\workload\\.venv" in problem.message
    assert not where.addin.exists() and not where.config.exists()


def test_no_excel_platform_or_no_user_folders_is_one_clear_refusal():
    with pytest.raises(Refused) as linux:
        service.places("linux", {})  # what this_platform() gives Linux: None, neither
    assert "Windows or macOS" in linux.value.findings[0].message
    with pytest.raises(Refused) as unset:
        service.places("windows", {"USERPROFILE": "C:\\Users\\jo"})
    assert "%APPDATA% is not set" in unset.value.findings[0].message


def test_the_commands_install_report_and_remove(windows, tmp_path):
    env = {**windows, "HOME": str(tmp_path / "home")}
    installed = run_cli("addin", "install", "--platform", "windows", env=env, cwd=tmp_path)
    installed.assert_no_traceback()
    assert installed.returncode == 0, installed.output
    assert "Copied the add-in to" in installed.stdout and "Restart Excel" in installed.stdout
    where = service.places("windows", windows)
    assert where.addin.is_file()
    status = run_cli("addin", "status", "--platform", "windows", env=env, cwd=tmp_path)
    assert status.returncode == 0
    assert f"Add-in: installed: {where.addin}" in status.stdout
    assert "Functions' module: workload_xl.excel.udfs" in status.stdout
    removed = run_cli("addin", "remove", "--platform", "windows", env=env, cwd=tmp_path)
    assert removed.returncode == 0 and f"Removed {where.addin}." in removed.stdout
    after = run_cli("addin", "status", "--platform", "windows", env=env, cwd=tmp_path)
    assert "Add-in: not installed" in after.stdout and "no settings file" in after.stdout


@pytest.mark.skipif(service.this_platform() is not None, reason="for a computer without Excel")
def test_on_a_computer_without_excel_the_command_says_so(tmp_path):
    done = run_cli("addin", "install", cwd=tmp_path)
    done.assert_no_traceback()
    assert done.returncode == 2 and "Windows or macOS" in done.stderr


@pytest.mark.skipif(service.this_platform() is not None, reason="for a computer without Excel")
@pytest.mark.parametrize("command", ["status", "remove"])
def test_status_and_remove_on_a_computer_without_excel_answer_that_nothing_is_here(
    tmp_path, command
):
    """Nothing to look at or take away is an answer, not an error: exit 0, in the same words
    as install's refusal, and nothing written."""
    done = run_cli("addin", command, cwd=tmp_path)
    done.assert_no_traceback()
    assert done.returncode == 0, done.output
    said = " ".join(done.stdout.split())
    assert said.startswith("Nothing is installed for Excel on this computer.")
    assert "this computer is neither" in said and done.stderr == ""
    assert [p for p in tmp_path.iterdir() if not p.name.startswith(".peak")] == []
