"""A file name made from what people type is safe on every system, and a name too long for a
file name is shortened and said: Export team return with a 300-character team name writes a
return instead of failing with 'Errno 36'."""

from __future__ import annotations

import unicodedata
from pathlib import Path

import pytest

from workload_xl.core.paths import NAME_BYTES_LIMIT, STEM_LIMIT, safe_file_name
from workload_xl.excel import entry
from workload_xl.files.worker_template import build_team_of_worker_sheets
from workload_xl.services.consolidate import consolidate_files
from workload_xl.store.database import ReturnsStore

from . import xlwings_remote as remote
from .conftest import CSC, valid_content

TAIL, EXTENSION = " 2026-10 team return", ".xlsx"

WINDOWS_FORBIDDEN = set('<>:"/\\|?*') | {chr(n) for n in range(32)}
WINDOWS_RESERVED = {
    "CON",
    "PRN",
    "AUX",
    "NUL",
    *(f"COM{n}" for n in range(1, 10)),
    *(f"LPT{n}" for n in range(1, 10)),
}


def return_name(team: str):
    return safe_file_name(team, tail=TAIL, extension=EXTENSION, fallback="Team")


def assert_windows_safe(name: str) -> None:
    assert not set(name) & WINDOWS_FORBIDDEN, name
    assert name == name.rstrip(" .") and name == name.lstrip(" "), name
    assert name.split(".")[0].rstrip(" ").upper() not in WINDOWS_RESERVED, name
    assert len(name.encode("utf-8")) <= NAME_BYTES_LIMIT, name
    assert name not in (".", "..")


def test_an_ordinary_team_name_is_kept_as_it_is():
    assert return_name("First Response East") == (
        "First Response East 2026-10 team return.xlsx",
        False,
    )
    assert return_name("Children & Families (West)").name == (
        "Children & Families (West) 2026-10 team return.xlsx"
    )


@pytest.mark.parametrize(
    "device", ["CON", "con", "Prn", "AUX", "nul", "COM1", "com9", "LPT1", "lpt9", "NUL ", "CONIN$"]
)
def test_a_name_windows_keeps_for_a_device_gets_an_underscore_with_or_without_extension(device):
    for extension in ("", ".xlsx", ".txt"):
        name = safe_file_name(device, extension=extension).name
        assert name.startswith("_"), name
        assert_windows_safe(name)
    dotted = return_name(f"{device}.backup").name  # 'CON.backup 2026-10 …' is CON to Windows
    assert dotted.startswith("_") and dotted.endswith(" team return.xlsx")
    assert_windows_safe(dotted)


def test_a_name_that_only_starts_like_a_device_is_left_alone():
    for team in ("CON 2", "Console team", "COM10", "Nullarbor", "LPT"):
        assert not return_name(team).name.startswith("_"), team


def test_characters_windows_forbids_and_control_characters_become_underscores():
    name = return_name('North<>:"/\\|?*East\x00\x1f\x7f').name
    assert name == "North_________East___ 2026-10 team return.xlsx"
    assert_windows_safe(name)
    assert "/" not in return_name("../../etc/passwd").name
    assert return_name("../../etc/passwd").name == "_.._etc_passwd 2026-10 team return.xlsx"


def test_spaces_are_tidied_and_leading_and_trailing_dots_and_spaces_go():
    assert return_name("  North \t\n  East  ").name == "North East 2026-10 team return.xlsx"
    assert return_name("North East...").name == "North East 2026-10 team return.xlsx"
    assert return_name(".hidden").name == "hidden 2026-10 team return.xlsx"
    assert safe_file_name("trailing. . .").name == "trailing"
    assert safe_file_name("a\u00a0b").name == "a b"  # a non-breaking space is a space


@pytest.mark.parametrize("team", ["", "   ", "...", ". .", "\u200b"])
def test_a_name_with_nothing_left_becomes_the_fallback(team):
    name = return_name(team).name
    assert name in ("Team 2026-10 team return.xlsx", "_ 2026-10 team return.xlsx"), name
    assert_windows_safe(name)


def test_a_long_name_is_cut_to_the_limit_keeping_the_period_and_suffix_whole():
    made = return_name("A" * 300)
    assert made.shortened
    stem = made.name.removesuffix(EXTENSION)
    assert stem.endswith(TAIL) and len(stem) == STEM_LIMIT
    assert made.name == "A" * (STEM_LIMIT - len(TAIL)) + TAIL + EXTENSION
    words = return_name("Children and Families " * 20).name  # a cut never ends in a space
    assert " " + TAIL not in words and words.endswith(TAIL + EXTENSION)
    assert_windows_safe(words)


@pytest.mark.parametrize(
    "team",
    [
        "日本語チーム" * 60,
        "😀" * 300,
        "e\u0301" * 300,
        "Ωmega-" * 80,
        "\U0001f468\u200d\U0001f469\u200d\U0001f467" * 80,
    ],
)
def test_a_long_unicode_name_is_cut_between_characters_within_windows_and_linux_limits(team):
    made = return_name(team)
    assert made.shortened
    assert_windows_safe(made.name)
    assert made.name.endswith(TAIL + EXTENSION)
    stem = made.name.removesuffix(EXTENSION)
    assert len(stem.encode("utf-16-le")) // 2 <= STEM_LIMIT  # Windows counts UTF-16 units
    assert unicodedata.category(stem.removesuffix(TAIL)[-1])[0] != "M"  # no accent cut off
    assert made.name == unicodedata.normalize("NFC", made.name)


def test_a_lone_surrogate_or_a_direction_override_cannot_reach_the_file_system(tmp_path):
    for team in ("bad\ud800name", "invoice\u202excod.exe", "tab\u0085line"):
        name = return_name(team).name
        assert_windows_safe(name)
        (tmp_path / name).write_bytes(b"")  # the file system accepts it
    assert "\u202e" not in return_name("invoice\u202excod.exe").name


def test_every_name_made_can_be_written_on_this_system(tmp_path):
    for team in ("A" * 300, "日本語" * 200, "😀" * 300, "CON", 'x<>:"|?*' * 50, "é" * 300):
        path = tmp_path / return_name(team).name
        path.write_bytes(b"")
        assert path.exists()


# --- the Export team return button ----------------------------------------------------------


def team_book(registry, tmp_path: Path, team: str) -> Path:
    contents = []
    for index in range(3):
        content = valid_content()
        content.header["worker"] = f"Worker {index + 1}"
        content.header["team"] = team
        for n, line in enumerate(content.lines):
            if line.get("case_ref"):
                line["case_ref"] = f"C{index}{n:04d}"
        contents.append(content)
    path = tmp_path / "team.xlsx"
    build_team_of_worker_sheets(registry.get(CSC), contents).save(path)
    return path


def press_export(path: Path, out: Path) -> str:
    book = remote.book(path)
    entry.export_team_return(book, path=str(out))
    lines = [
        a["values"][0][0]
        for a in book.json()["actions"]
        if a["func"] == "setValues"
        and (a["start_row"], a["start_column"], a["row_count"], a["column_count"]) == (0, 0, 1, 1)
    ]
    assert lines, "the button wrote no status line"
    return lines[-1]


def test_export_team_return_with_a_300_character_team_name_writes_a_shortened_file_and_says_so(
    registry, tmp_path
):
    team = "Children and Families Social Work Service " * 8  # 336 characters
    team = team.strip()
    path = team_book(registry, tmp_path, team)
    out = tmp_path / "returns"
    out.mkdir()
    message = press_export(path, out)
    files = list(out.glob("*.xlsx"))
    assert len(files) == 1, message
    name = files[0].name
    assert name.endswith(" 2026-10 team return.xlsx") and name.startswith("Children and Families")
    assert len(name.removesuffix(".xlsx")) <= STEM_LIMIT
    assert "Errno" not in message and "stopped" not in message, message
    assert "wrote" in message and "was shortened" in message, message
    run = consolidate_files([out], tmp_path / "store.sqlite")  # the return is a good one
    assert len(run.stored) == 1 and not run.failed, run.report.findings
    with ReturnsStore.open(tmp_path / "store.sqlite") as store:
        assert [s.team for s in store.submissions()] == [team]  # the full name is kept inside
    again = press_export(path, out)  # the same shortened name: never overwritten
    assert "exists already" in again and len(list(out.glob("*.xlsx"))) == 1


def test_export_team_return_with_an_ordinary_name_says_nothing_about_shortening(registry, tmp_path):
    path = team_book(registry, tmp_path, "North/South: East?")
    out = tmp_path / "returns"
    out.mkdir()
    message = press_export(path, out)
    assert [f.name for f in out.glob("*.xlsx")] == ["North_South_ East_ 2026-10 team return.xlsx"]
    assert "shortened" not in message and "wrote" in message, message
