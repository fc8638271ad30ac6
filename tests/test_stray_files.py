"""Stray files in input folders (macOS `._` files, the tool's own temporary files, Office and
LibreOffice lock files, Windows' and macOS's folder files) are skipped with an info finding,
never read as workbooks; the tool's temporary files are hidden on Windows while written."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from workload_xl.files import atomic, windows
from workload_xl.files.inputs import list_inputs

from .bounded_cli import run_cli

STRAYS = (
    "._a.xlsx",
    ".~wl-a-k2j4h5g6.xlsx",
    "~$a.xlsx",
    ".~lock.a.xlsx#",
    "Thumbs.db",
    "desktop.ini",
    ".DS_Store",
)


def _folder_with_strays(folder: Path, sheet: Path) -> Path:
    folder.mkdir()
    shutil.copy(sheet, folder / "a.xlsx")
    for name in STRAYS:
        (folder / name).write_bytes(b"\x00\x05\x16\x07 Mac OS X        ")  # not a zip
    return folder


def test_every_stray_file_is_skipped_with_an_info_finding_naming_it(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    for name in (*STRAYS, "a.xlsx", "b.XLSM", "notes.txt"):
        (folder / name).write_bytes(b"x")
    listed = list_inputs([folder])
    assert [p.name for p in listed.paths] == ["a.xlsx", "b.XLSM"]
    skipped = sorted(Path(f.workbook).name for f in listed.skipped)
    assert skipped == sorted(STRAYS)
    assert {(f.rule, f.severity) for f in listed.skipped} == {("input-skipped", "info")}
    apple = next(f for f in listed.skipped if f.workbook.endswith("._a.xlsx"))
    assert apple.message.startswith(f"{folder / '._a.xlsx'} was skipped, not read as a workbook")
    assert "macOS" in apple.message


def test_a_stray_file_named_on_its_own_is_still_read(tmp_path):
    (tmp_path / "._a.xlsx").write_bytes(b"x")
    listed = list_inputs([tmp_path / "._a.xlsx"])
    assert listed.paths == [tmp_path / "._a.xlsx"] and listed.skipped == []


@pytest.mark.parametrize("command", ["validate", "build-team", "consolidate"])
def test_a_folder_copied_from_a_mac_is_read_without_an_unreadable_file(
    tmp_path, make_sheet, command
):
    folder = _folder_with_strays(tmp_path / "in", make_sheet(name="sheet.xlsx").path)
    if command == "consolidate":
        team = tmp_path / "team.xlsx"
        assert run_cli("build-team", folder, "-o", team).returncode == 0
        shutil.move(team, folder / "team.xlsx")
        (folder / "a.xlsx").unlink()
        args = ("consolidate", folder, "--store", tmp_path / "s.sqlite")
    elif command == "build-team":
        args = ("build-team", folder, "-o", tmp_path / "team.xlsx")
    else:
        args = ("validate", folder)
    run = run_cli(*args, "--format", "json")
    assert run.returncode == 0, run.output  # validate exited 2 on ._a.xlsx before
    found = [f for f in run.json()["findings"] if f["rule"] == "input-skipped"]
    assert sorted(Path(f["workbook"]).name for f in found) == sorted(STRAYS)
    assert not [f for f in run.json()["findings"] if f["rule"].startswith("file-")]


class FakeKernel:
    """GetFileAttributesW and SetFileAttributesW over a dict, noting each file's attributes
    and whether it held bytes when they were set."""

    def __init__(self) -> None:
        self.attributes: dict[str, int] = {}
        self.calls: list[tuple[str, int, int]] = []

    def GetFileAttributesW(self, path: str) -> int:
        return self.attributes.get(path, 0x80)

    def SetFileAttributesW(self, path: str, value: int) -> int:
        self.attributes[path] = value
        self.calls.append((Path(path).name, value, Path(path).stat().st_size))
        return 1


def test_the_temporary_file_is_hidden_while_written_and_the_output_is_not(tmp_path, monkeypatch):
    kernel = FakeKernel()
    real = windows.hide
    monkeypatch.setattr(
        windows,
        "hide",
        lambda path, hidden=True: real(path, hidden, platform="win32", kernel32=kernel),
    )
    target = tmp_path / "team.xlsx"
    assert atomic.write_atomically(target, lambda temp: temp.write_bytes(b"PK data")) == []
    (first, hidden, size_then), (second, shown, size_after) = kernel.calls
    assert first == second and first.startswith(".~wl-team-") and first.endswith(".xlsx")
    assert (hidden, size_then) == (0x80 | 0x2, 0)  # hidden before its first byte
    assert (shown, size_after) == (0x80, 7)  # and shown again before the rename
    assert target.read_bytes() == b"PK data"


def test_hiding_is_nothing_off_windows_and_nothing_when_windows_says_no(tmp_path):
    assert windows.hide(str(tmp_path), platform="linux") is False

    class Refusing(FakeKernel):
        def GetFileAttributesW(self, path: str) -> int:
            return windows.INVALID_FILE_ATTRIBUTES

    assert windows.hide(str(tmp_path), platform="win32", kernel32=Refusing()) is False
