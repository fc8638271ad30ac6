"""Scheme files are data: a hostile scheme folder never gives a traceback or a hang.

Each case is a real folder on disk (the shipped schemes copied in, plus one bad entry, or a
folder that is bad as a whole) and real `workload-xl` commands run on it through
`tests/bounded_cli.py`, held to 1 GB (with a 120-second guard against hangs). A bad scheme file
is one `scheme-invalid` finding naming it, said once, and the good schemes beside it still work;
a bad scheme folder is one `scheme-folder-unusable` message, the commands that need schemes exit
with 2 and the others go on as usual.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from workload_xl.core import scheme_files
from workload_xl.core.findings import Refused
from workload_xl.core.scheme_files import MAX_NESTING, MAX_SCHEME_FILES, SchemeError
from workload_xl.core.schemes import MAX_BANDS, MAX_ITEMS, SchemeRegistry, load_scheme

from .bounded_cli import run_cli

SHIPPED = Path(__file__).resolve().parent.parent / "schemes"
GOOD_IDS = sorted(p.stem for p in SHIPPED.glob("*.toml"))
CSC = "childrens-social-care"

HEADER = """id = "{id}"
title = "Hostile"
version = "1"
services = ["Hostile Service"]
period = "month"
"""
ITEM = """
[[items]]
code = "I{n}"
label = "Item {n}"
kind = "activity"
unit = "per day"
points = 1
"""


def good_folder(root: Path) -> Path:
    folder = root / "schemes"
    folder.mkdir()
    for path in SHIPPED.glob("*.toml"):
        shutil.copy(path, folder / path.name)
    return folder


# --- the bad files: each writes one entry into a folder and returns its path -----------------


def deep_array(folder: Path) -> Path:
    path = folder / "deep.toml"
    path.write_text("x = " + "[" * 100_000, encoding="utf-8")
    return path


def deep_inline_tables(folder: Path) -> Path:
    path = folder / "tables.toml"
    path.write_text("x = " + "{a = " * 50_000 + "1" + "}" * 50_000, encoding="utf-8")
    return path


def fifty_megabytes(folder: Path) -> Path:
    path = folder / "huge.toml"
    with path.open("wb") as out:
        line = b"# " + b"x" * 1021 + b"\n"
        for _ in range(50 * 1024):
            out.write(line)
    return path


def fifo(folder: Path) -> Path:
    path = folder / "bad.toml"
    os.mkfifo(path)
    return path


def link_to_dev_zero(folder: Path) -> Path:
    path = folder / "zero.toml"
    path.symlink_to("/dev/zero")
    return path


def hundred_thousand_items(folder: Path) -> Path:
    path = folder / "many-items.toml"
    path.write_text(
        HEADER.format(id="many-items") + "items = [" + "{}, " * 100_000 + "]\n", encoding="utf-8"
    )
    return path


def hundred_thousand_bands(folder: Path) -> Path:
    path = folder / "many-bands.toml"
    text = HEADER.format(id="many-bands") + "bands = [" + "{}, " * 100_000 + "]\n"
    path.write_text(text + ITEM.format(n=1), encoding="utf-8")
    return path


def not_utf8(folder: Path) -> Path:
    path = folder / "latin.toml"
    path.write_bytes(HEADER.format(id="latin").replace("Hostile", "H\xf6stile").encode("latin-1"))
    return path


def a_folder_named_toml(folder: Path) -> Path:
    path = folder / "folder.toml"
    path.mkdir()
    return path


BAD_FILES: dict[str, tuple[Callable[[Path], Path], str]] = {
    "deeply nested array": (deep_array, f"nested more than {MAX_NESTING} deep"),
    "deeply nested inline tables": (deep_inline_tables, f"nested more than {MAX_NESTING} deep"),
    "a 50 MB file": (fifty_megabytes, "larger than 1 MB"),
    "a FIFO named bad.toml": (fifo, "named pipe (FIFO)"),
    "a symlink to /dev/zero": (link_to_dev_zero, "a device"),
    "100,000 items": (hundred_thousand_items, f"at most {MAX_ITEMS}"),
    "100,000 bands": (hundred_thousand_bands, f"at most {MAX_BANDS}"),
    "not UTF-8": (not_utf8, "not UTF-8 text"),
    "a folder named *.toml": (a_folder_named_toml, "a folder, not an ordinary file"),
}


@pytest.fixture(params=list(BAD_FILES), ids=list(BAD_FILES))
def bad_file(request, tmp_path) -> tuple[Path, Path, str]:
    """A folder of the shipped schemes plus one bad entry: (folder, bad entry, what is said)."""
    make, said = BAD_FILES[request.param]
    folder = good_folder(tmp_path)
    return folder, make(folder), said


def test_a_bad_scheme_file_is_said_once_and_the_good_schemes_beside_it_still_work(
    bad_file, tmp_path
):
    folder, bad, said = bad_file
    env = {"WORKLOAD_XL_SCHEMES": str(folder)}
    listed = run_cli("schemes", cwd=tmp_path, env=env)
    listed.assert_bounded()
    assert listed.returncode == 1, listed.output  # listed, and a script learns a file is wrong
    for scheme_id in GOOD_IDS:
        assert scheme_id in listed.stdout
    assert listed.stderr.count(str(bad)) == 1, listed.stderr  # said once, naming the file
    assert listed.stderr.count("scheme-invalid") == 1
    assert said in " ".join(listed.stderr.split()), listed.stderr
    assert "The other schemes work as usual" in " ".join(listed.stderr.split())

    made = run_cli("template", "worker", "--scheme", CSC, "-o", "jo.xlsx", cwd=tmp_path, env=env)
    made.assert_bounded()
    assert made.returncode == 0, made.output
    assert (tmp_path / "jo.xlsx").is_file()
    assert made.stderr.count(str(bad)) == 1


def test_a_command_given_the_bad_scheme_says_its_file_is_wrong_and_exits_2(tmp_path):
    folder = good_folder(tmp_path)
    bad = deep_array(folder)
    env = {"WORKLOAD_XL_SCHEMES": str(folder)}
    run = run_cli("template", "worker", "--scheme", "deep", "-o", "x.xlsx", cwd=tmp_path, env=env)
    run.assert_bounded()
    assert run.returncode == 2
    assert str(bad) in run.stderr and "the scheme file for 'deep' is wrong" in run.stderr
    assert not (tmp_path / "x.xlsx").exists()
    shown = run_cli("schemes", "show", CSC, cwd=tmp_path, env=env)  # the others still show
    shown.assert_bounded()
    assert shown.returncode == 0 and "Child in need" in shown.stdout


def test_validate_beside_a_bad_scheme_file_checks_sheets_of_the_good_schemes(tmp_path):
    folder = good_folder(tmp_path)
    fifo(folder)
    env = {"WORKLOAD_XL_SCHEMES": str(folder)}
    assert (
        run_cli(
            "template", "worker", "--scheme", CSC, "-o", "jo.xlsx", cwd=tmp_path, env=env
        ).returncode
        == 0
    )
    run = run_cli("validate", "jo.xlsx", "--format", "json", cwd=tmp_path, env=env)
    run.assert_bounded()
    assert run.json()["files"] == ["jo.xlsx"]  # stdout stays JSON; the problem is on stderr
    assert "bad.toml" in run.stderr and "scheme-invalid" in run.stderr


# --- a bad folder ---------------------------------------------------------------------------


def missing_folder(root: Path) -> Path:
    return root / "no-such-folder"


def file_not_folder(root: Path) -> Path:
    path = root / "schemes.toml"
    shutil.copy(SHIPPED / f"{CSC}.toml", path)
    return path


def fifo_folder(root: Path) -> Path:
    path = root / "schemes-fifo"
    os.mkfifo(path)
    return path


def ten_thousand_files(root: Path) -> Path:
    folder = good_folder(root)
    for n in range(10_000):
        (folder / f"tiny-{n:05d}.toml").write_text(f'id = "tiny-{n:05d}"\n', encoding="utf-8")
    return folder


BAD_FOLDERS: dict[str, tuple[Callable[[Path], Path], str]] = {
    "missing": (missing_folder, "does not exist"),
    "a file": (file_not_folder, "is a file, not a folder"),
    "a FIFO": (fifo_folder, "named pipe (FIFO), not a folder"),
    "10,000 tiny files": (ten_thousand_files, f"more than {MAX_SCHEME_FILES} .toml files"),
}


@pytest.fixture(params=list(BAD_FOLDERS), ids=list(BAD_FOLDERS))
def bad_folder(request, tmp_path) -> tuple[Path, str]:
    make, said = BAD_FOLDERS[request.param]
    return make(tmp_path), said


def test_a_bad_scheme_folder_is_one_message_and_commands_needing_schemes_exit_2(
    bad_folder, tmp_path
):
    folder, said = bad_folder
    env = {"WORKLOAD_XL_SCHEMES": str(folder)}
    for args in (
        ("schemes",),
        ("template", "worker", "--scheme", CSC, "-o", "jo.xlsx"),
        # teams add checks the service against the schemes' services
        ("teams", "add", "North", "--service", "First Response", "--store", "s.sqlite"),
    ):
        run = run_cli(*args, cwd=tmp_path, env=env)
        run.assert_bounded()
        assert run.returncode == 2, run.output
        text = " ".join(run.stderr.split())
        assert run.stderr.count("scheme-folder-unusable") == 1, run.stderr
        assert str(folder) in run.stderr and said in text, run.stderr
        assert "WORKLOAD_XL_SCHEMES" in text  # how to fix it: the setting that named it
        assert run.stdout == ""
    assert not (tmp_path / "jo.xlsx").exists() and not (tmp_path / "s.sqlite").exists()


@pytest.mark.parametrize("make", [fifo_folder, ten_thousand_files], ids=["FIFO", "10,000 files"])
def test_commands_that_need_no_scheme_work_with_a_bad_scheme_folder(make, tmp_path):
    env = {"WORKLOAD_XL_SCHEMES": str(make(tmp_path))}
    from workload_xl.store.database import ReturnsStore

    with ReturnsStore.open(tmp_path / "s.sqlite") as store:
        store.add_team("First Response", "North")
    commands = [
        ("teams", "list", "--store", "s.sqlite"),
        ("store", "check", "--store", "s.sqlite"),
        ("returns", "--store", "s.sqlite", "--period", "2026-10"),
        ("key", "new", "-o", "team.key"),
        ("template", "jobplan", "-o", "jobplan.xlsx"),
        ("template", "team", "-o", "team.xlsx"),
        ("capa", "balance", "jobplan.xlsx", "--referrals", "5"),
    ]
    for args in commands:
        run = run_cli(*args, cwd=tmp_path, env=env)
        run.assert_bounded()
        assert run.returncode == 0, (args, run.output)
        assert "scheme" not in run.stderr.lower(), (args, run.stderr)
    assert {"team.key", "jobplan.xlsx", "team.xlsx", "s.sqlite"} <= {
        p.name for p in tmp_path.iterdir()
    }


# --- loading, in process: the same limits, each exactly --------------------------------------


def test_each_bad_file_is_left_out_with_one_finding_naming_it(bad_file):
    folder, bad, said = bad_file
    registry = SchemeRegistry.from_dir(folder)
    assert registry.ids == GOOD_IDS
    assert [(f.rule, f.workbook) for f in registry.problems] == [("scheme-invalid", str(bad))]
    assert said in registry.problems[0].message
    assert registry.problem(bad.stem).startswith(f"{bad}: This points scheme was not loaded")
    assert registry.problem(CSC) is None


def test_a_symlink_to_an_ordinary_scheme_file_is_read(tmp_path):
    folder = tmp_path / "schemes"
    folder.mkdir()
    (folder / f"{CSC}.toml").symlink_to(SHIPPED / f"{CSC}.toml")
    registry = SchemeRegistry.from_dir(folder)
    assert registry.ids == [CSC] and not registry.problems


@pytest.mark.skipif(not Path("/proc/self/status").is_file(), reason="needs Linux /proc")
def test_a_file_that_claims_no_size_is_still_read_only_to_the_cap(tmp_path, monkeypatch):
    """/proc files are ordinary files whose size says 0: the read itself is capped."""
    monkeypatch.setattr(scheme_files, "MAX_SCHEME_BYTES", 16)
    link = tmp_path / "proc.toml"
    link.symlink_to("/proc/self/status")
    with pytest.raises(SchemeError, match="larger than"):
        load_scheme(link)


def test_the_parser_never_recurses_too_deep_even_if_the_prescan_missed_it(tmp_path, monkeypatch):
    path = tmp_path / "deep.toml"
    path.write_text("x = " + "[" * 100_000 + "]" * 100_000, encoding="utf-8")
    monkeypatch.setattr(scheme_files, "_too_deep", lambda text, limit: 0)
    with pytest.raises(SchemeError, match="nested more than"):
        load_scheme(path)


def test_brackets_inside_strings_and_comments_are_not_nesting(tmp_path):
    many = "[" * (MAX_NESTING + 5) + "{" * (MAX_NESTING + 5)
    text = (
        HEADER.format(id="brackets").replace('title = "Hostile"', f"title = '{many}'")
        + f"""
# a comment {many}
note = \"\"\"{many} "quoted" \\\"\"\" still "" text {many}\"\"\"\"
[[items]]
code = "A"
label = "{many} \\" {many}"
kind = "activity"
unit = "per day"
points = 1
description = '''{many} ' '' {many}'''
"""
    )
    path = tmp_path / "brackets.toml"
    path.write_text(text, encoding="utf-8")
    scheme = load_scheme(path)
    assert scheme.title == many and scheme.note.endswith(f'{many}"')


def test_nesting_exactly_at_the_limit_reaches_the_parser(tmp_path):
    at = tmp_path / "at.toml"
    at.write_text(f"x = {'[' * MAX_NESTING}{']' * MAX_NESTING}\n", encoding="utf-8")
    with pytest.raises(SchemeError, match="unknown key"):  # parsed: the key is what is wrong
        load_scheme(at)
    over = tmp_path / "over.toml"
    over.write_text(f"x = {'[' * (MAX_NESTING + 1)}{']' * (MAX_NESTING + 1)}\n")
    with pytest.raises(SchemeError, match="nested more than"):
        load_scheme(over)


@pytest.mark.parametrize(("count", "loads"), [(MAX_ITEMS, True), (MAX_ITEMS + 1, False)])
def test_a_scheme_holds_at_most_the_item_limit(tmp_path, count, loads):
    path = tmp_path / "items.toml"
    text = HEADER.format(id="items") + "".join(ITEM.format(n=n) for n in range(count))
    path.write_text(text, encoding="utf-8")
    if loads:
        assert len(load_scheme(path).items) == count
    else:
        with pytest.raises(SchemeError, match=f"lists {count} items; a scheme holds at most"):
            load_scheme(path)


def test_a_message_quotes_a_huge_value_cut_short(tmp_path):
    path = tmp_path / "long.toml"
    path.write_text(HEADER.format(id="long").replace('"month"', "[" + "1, " * 100 + "]"))
    with pytest.raises(SchemeError) as caught:
        load_scheme(path)
    assert len(str(caught.value)) < 300


@pytest.mark.parametrize(
    ("count", "usable"), [(MAX_SCHEME_FILES, True), (MAX_SCHEME_FILES + 1, False)]
)
def test_a_scheme_folder_holds_at_most_the_file_limit(tmp_path, count, usable):
    for n in range(count):
        (tmp_path / f"s{n:03d}.toml").write_text("", encoding="utf-8")
    (tmp_path / ".hidden.toml").write_text("", encoding="utf-8")  # an editor's: not counted
    if usable:
        registry = SchemeRegistry.from_dir(tmp_path)
        assert len(registry.problems) == count and not registry.ids
    else:
        with pytest.raises(Refused) as caught:
            SchemeRegistry.from_dir(tmp_path)
        (problem,) = caught.value.findings
        assert problem.rule == "scheme-folder-unusable"
        assert problem.workbook == str(tmp_path)


def test_a_registry_with_problems_goes_to_worker_processes_intact(tmp_path):
    import pickle

    folder = good_folder(tmp_path)
    fifo(folder)
    registry = SchemeRegistry.from_dir(folder)
    again = pickle.loads(pickle.dumps(registry))
    assert again.ids == registry.ids and again.problems == registry.problems


# --- the add-in ------------------------------------------------------------------------------


def test_a_spreadsheet_function_names_a_bad_scheme_folder_in_its_cell(tmp_path, monkeypatch):
    from workload_xl import excel

    from .test_excel_udfs import call, column

    monkeypatch.setenv("WORKLOAD_XL_SCHEMES", str(fifo_folder(tmp_path)))
    excel.registry.cache_clear()
    try:
        result = call("wl_points", column("Duty day"), None, [[CSC]])
    finally:
        excel.registry.cache_clear()
    assert "named pipe (FIFO), not a folder" in result[0][0]
    assert "Traceback" not in result[0][0]


def test_a_button_says_the_scheme_folder_is_unusable_not_send_it_to_the_team(
    tmp_path, monkeypatch, make_sheet
):
    from workload_xl import excel
    from workload_xl.excel import entry

    from .test_excel_buttons import press, status

    sheet = make_sheet()
    monkeypatch.setenv("WORKLOAD_XL_SCHEMES", str(missing_folder(tmp_path)))
    excel.registry.cache_clear()
    try:
        message = status(press(entry.validate_sheet, sheet.path))
    finally:
        excel.registry.cache_clear()
    assert "does not exist" in message and "WORKLOAD_XL_SCHEMES" in message, message
    assert "send it to the workload-xl team" not in message
