"""No single file can stop a command, and no size or shape of input can exhaust its time or memory:
far cells, stretched tables, lying zip headers, floods of tiny entries, deep nesting, pipes and
devices, duplicate or mismatched part names, and readers that crash or stall.

Every attack runs through the real CLI in a child process held to 1 GB of address space, with a
120-second guard against hangs (tests/bounded_cli.py), on every command that could meet it:
`validate`, `build-team` (its worker sheets and `--history`), `consolidate`, `import-caseload`.
Each test checks the finding (its rule, and the sheet and cell where there is one), the exit
code, that no traceback or native backtrace reaches the user, the peak memory, and that every
other file in the run was still read or stored.
"""

from __future__ import annotations

import os
import re
import shutil
import sqlite3
import sys
import threading
import time
import zipfile
from pathlib import Path

import pytest
from openpyxl import Workbook

from workload_xl.core.period import Period
from workload_xl.core.schemes import SchemeRegistry
from workload_xl.core.team import CaseRow
from workload_xl.files import isolation
from workload_xl.files.file_guard import _Extent, inspect_workbook_file
from workload_xl.files.team_workbook import write_team_workbook
from workload_xl.files.worker_template import write_worker_workbook

from .bounded_cli import run_cli
from .conftest import valid_content
from .test_consolidate import team_sheet
from .test_hostile_files import rewrite_zip, understate_size

CSC = "childrens-social-care"
SERVICE = "Safeguarding and Support"
POSIX = os.name == "posix"


# --- making files ---------------------------------------------------------------------------


def sheet_part(path: Path, sheet: str) -> str:
    """The zip part holding a sheet, found as Excel would: workbook.xml, then its rels."""
    with zipfile.ZipFile(path) as archive:
        book = archive.read("xl/workbook.xml").decode()
        rels = archive.read("xl/_rels/workbook.xml.rels").decode()
    rid = re.search(rf'<sheet [^>]*name="{re.escape(sheet)}"[^>]*r:id="([^"]+)"', book)[1]
    target = re.search(rf'<Relationship [^>]*Id="{rid}"[^>]*Target="([^"]+)"', rels)
    if target is None:  # attributes in the other order
        target = re.search(rf'<Relationship [^>]*Target="([^"]+)"[^>]*Id="{rid}"', rels)
    return "xl/" + target[1].lstrip("/").removeprefix("xl/")


def table_part(path: Path, table: str) -> str:
    with zipfile.ZipFile(path) as archive:
        for name in archive.namelist():
            if name.startswith("xl/tables/") and f'name="{table}"'.encode() in archive.read(name):
                return name
    raise AssertionError(table)


def edit_part(source: Path, target: Path, part: str, change) -> Path:
    with zipfile.ZipFile(source) as archive:
        data = archive.read(part)
    return rewrite_zip(source, target, {part: change(data)})


def with_far_cell(source: Path, target: Path, sheet: str, cell: str) -> Path:
    """One cell far out, added to the sheet's XML with its <dimension> left alone."""
    row = re.search(r"\d+", cell)[0]
    far = f'<row r="{row}"><c r="{cell}" t="inlineStr"><is><t>x</t></is></c></row>'.encode()
    return edit_part(
        source,
        target,
        sheet_part(source, sheet),
        lambda xml: xml.replace(b"</sheetData>", far + b"</sheetData>"),
    )


def with_table_ref(source: Path, target: Path, table: str, ref: str) -> Path:
    new = f'ref="{ref}"'.encode()
    return edit_part(
        source,
        target,
        table_part(source, table),
        lambda xml: re.sub(rb'\bref="[^"]+"', new, xml, count=1),
    )


def team_return(folder: Path, team: str, month: int = 10) -> Path:
    path = folder / f"{team} 2026-{month:02d}.xlsx"
    assert write_team_workbook(path, team_sheet(SERVICE, CSC, team, Period(2026, month), 0)) == []
    return path


@pytest.fixture(scope="module")
def returns(tmp_path_factory) -> list[Path]:
    """Three sound team returns, from three teams."""
    folder = tmp_path_factory.mktemp("returns")
    return [team_return(folder, team) for team in ("North", "South", "East")]


@pytest.fixture(scope="module")
def worker_book(tmp_path_factory) -> Path:
    registry = SchemeRegistry.from_dir()
    path = tmp_path_factory.mktemp("worker") / "Jo Example.xlsx"
    assert write_worker_workbook(path, registry.get(CSC), valid_content()) == []
    return path


def store_teams(store: Path) -> list[str]:
    with sqlite3.connect(f"file:{store}?mode=ro", uri=True) as db:
        return sorted(row[0] for row in db.execute("SELECT team FROM submissions"))


def only(findings: list[dict], rule: str) -> dict:
    found = [f for f in findings if f["rule"] == rule]
    assert len(found) == 1, findings
    return found[0]


# --- one poisoned return in a month's consolidation ---------------------------------------

POISONS = {
    "a cell at XFD1048576 on the Team sheet": (
        lambda good, bad: with_far_cell(good, bad, "Team", "XFD1048576"),
        "sheet-too-large",
        "Team",
        "XFD1048576",
    ),
    "a cell at ZZ200000 on the Cases sheet": (
        lambda good, bad: with_far_cell(good, bad, "Cases", "ZZ200000"),
        "sheet-too-large",
        "Cases",
        "ZZ200000",
    ),
    "a case table covering the whole sheet": (
        lambda good, bad: with_table_ref(good, bad, "TeamCases", "A1:XFD1048576"),
        "table-too-large",
        "Cases",
        "XFD1048576",
    ),
    "a worker table stretched to row 1,048,576": (
        lambda good, bad: with_table_ref(good, bad, "TeamWorkers", "A22:L1048576"),
        "table-too-large",
        "Team",
        "L1048576",
    ),
}


@pytest.mark.parametrize("poison", list(POISONS), ids=lambda p: p.replace(" ", "-"))
def test_one_poisoned_return_costs_only_itself_and_the_month_is_stored(poison, returns, tmp_path):
    make, rule, sheet, cell = POISONS[poison]
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    for good in returns:
        shutil.copy(good, inbox / good.name)
    bad = make(returns[0], inbox / "West 2026-10.xlsx")
    store = tmp_path / "returns.sqlite"
    for attempt in ("first run", "rerun"):  # a rerun is not blocked by the same file either
        run = run_cli("consolidate", inbox, "--store", store, "--format", "json", cwd=tmp_path)
        run.assert_bounded()
        assert run.returncode == 1, (attempt, run.output[-2000:])
        report = run.json()
        found = only(report["findings"], rule)
        assert (found["workbook"], found["sheet"], found["cell"]) == (str(bad), sheet, cell)
        assert "Excel" in found["message"]  # says how to mend it
        assert report["failed"] == [str(bad)]
        assert len(report["stored"]) + len(report["already"]) == 3
    assert store_teams(store) == ["East", "North", "South"]
    text = run_cli("consolidate", inbox, "--store", store, cwd=tmp_path)
    text.assert_bounded()
    assert "4 file(s): 0 stored, 3 already in the store" in text.stdout  # the summary


@pytest.mark.parametrize("poison", list(POISONS)[:3], ids=lambda p: p.replace(" ", "-"))
def test_a_poisoned_team_workbook_given_as_history_is_named_and_the_team_sheet_built(
    poison, returns, worker_book, tmp_path
):
    make, rule, _, _ = POISONS[poison]
    bad = make(returns[0], tmp_path / "last month.xlsx")
    out = tmp_path / "team.xlsx"
    run = run_cli(
        "build-team", worker_book, "-o", out, "--history", bad, "--format", "json", cwd=tmp_path
    )
    run.assert_bounded()
    assert out.is_file(), run.output[-2000:]
    history = only(run.json()["findings"], "history-unreadable")
    assert history["workbook"] == str(bad)
    assert ("spans" if rule == "sheet-too-large" else "Resize Table") in history["message"]


# --- worker sheets and caseload reports ------------------------------------------------------


def test_validate_refuses_a_worker_table_stretched_to_the_last_row_at_its_cell(
    worker_book, tmp_path
):
    bad = with_table_ref(worker_book, tmp_path / "stretched.xlsx", "WorkItems", "A14:N1048576")
    good_copy = shutil.copy(worker_book, tmp_path / "beside.xlsx")
    run = run_cli("validate", bad, good_copy, "--format", "json", cwd=tmp_path)
    run.assert_bounded()
    assert run.returncode == 2
    report = run.json()
    found = only(report["findings"], "table-too-large")
    assert (found["workbook"], found["cell"]) == (str(bad), "N1048576")
    assert "WorkItems" in found["message"] and "Resize Table" in found["message"]
    assert report["files"] == [str(bad), str(good_copy)]  # the other file was read
    assert not [
        f
        for f in report["findings"]
        if f["workbook"] == str(good_copy) and f["severity"] == "error"
    ]


def test_a_table_stretched_within_the_cap_reads_as_if_it_ended_at_its_data(worker_book, tmp_path):
    """Readers read only rows that hold cells: a table reaching row 60,000 (840,000 cells,
    under the cap) validates exactly as the table it was, without creating its empty rows."""
    with zipfile.ZipFile(worker_book) as archive:
        ref = re.search(rb'\bref="([^"]+)"', archive.read(table_part(worker_book, "WorkItems")))
    top_left = ref[1].decode().split(":")[0]
    stretched = with_table_ref(
        worker_book, tmp_path / "long.xlsx", "WorkItems", f"{top_left}:N60000"
    )

    def seen(path: Path) -> list[tuple]:
        run = run_cli("validate", path, "--format", "json", cwd=tmp_path)
        run.assert_bounded()
        return sorted((f["rule"], f["sheet"], f["cell"]) for f in run.json()["findings"])

    assert seen(stretched) == seen(worker_book)


def test_a_caseload_report_with_one_far_cell_is_refused_at_that_cell(tmp_path):
    wb = Workbook()
    wb.active.title = "Caseload"
    for row in (["Case ID", "Case type", "Allocated worker"], ["C1", "Child in Need", "Jo"]):
        wb.active.append(row)
    wb.save(tmp_path / "plain.xlsx")
    report = with_far_cell(
        tmp_path / "plain.xlsx", tmp_path / "report.xlsx", "Caseload", "XFD1048576"
    )
    run = run_cli(
        "import-caseload",
        report,
        "--worker",
        "Jo",
        "--scheme",
        CSC,
        "-o",
        tmp_path / "jo.xlsx",
        cwd=tmp_path,
    )
    run.assert_bounded()
    assert run.returncode == 2
    assert "sheet-too-large" in run.output and "XFD1048576" in run.output
    assert not (tmp_path / "jo.xlsx").exists()


# --- parts that lie or flood -----------------------------------------------------------------


def _lying_comment(source: Path, target: Path) -> Path:
    """workbook.xml replaced by 100 MB of unclosed comment, its headers claiming 100 bytes."""
    part = "xl/workbook.xml"
    body = b'<?xml version="1.0"?>\n<!--' + b" " * (100 * 1024 * 1024)
    rewrite_zip(source, target, {part: body})
    return understate_size(target, part, 100)


def _flood(part: str, one: bytes, count: int, head: bytes, tail: bytes):
    def make(source: Path, target: Path) -> Path:
        return rewrite_zip(source, target, {part: head + one * count + tail})

    return make


def _deep(source: Path, target: Path) -> Path:
    """styles.xml nested 100,000 elements deep."""
    with zipfile.ZipFile(source) as archive:
        xml = archive.read("xl/styles.xml")
    deep = b"<extLst>" * 100_000 + b"</extLst>" * 100_000 + b"</styleSheet>"
    return rewrite_zip(source, target, {"xl/styles.xml": xml.replace(b"</styleSheet>", deep)})


def _long_token(where: str, token: bytes):
    """One part holding a 60 MB token, its size declared honestly: expat (behind openpyxl)
    re-reads an unfinished token each time it is fed, which on this costs it hours."""

    def make(source: Path, target: Path) -> Path:
        part = sheet_part(source, _first_sheet(source))
        head = b'<?xml version="1.0"?>\n<worksheet xmlns="http://schemas.openxmlformats.org/'
        head += b'spreadsheetml/2006/main">'
        body = {"prolog": b'<?xml version="1.0"?>\n' + token, "body": head + token}[where]
        return rewrite_zip(source, target, {part: body})

    return make


def _first_sheet(path: Path) -> str:
    with zipfile.ZipFile(path) as archive:
        return re.search(r'<sheet [^>]*name="([^"]+)"', archive.read("xl/workbook.xml").decode())[1]


SIXTY_MB = 60 * 1024 * 1024
SST = b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
STYLES = b'<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><cellXfs>'
FLOODS = {
    "a part inflating to 100 MB whose headers say 100 bytes": (_lying_comment, "file-corrupt"),
    "three million shared strings": (
        _flood("xl/sharedStrings.xml", b"<si><t>a</t></si>", 3_000_000, SST, b"</sst>"),
        "file-too-large",
    ),
    "six hundred thousand cell styles": (
        _flood("xl/styles.xml", b"<xf/>", 600_000, STYLES, b"</cellXfs></styleSheet>"),
        "file-too-large",
    ),
    "styles nested 100,000 deep": (_deep, "file-unsafe"),
    "a 60 MB comment never closed, in a sheet's prolog": (
        _long_token("prolog", b"<!--" + b" " * SIXTY_MB),
        "file-unsafe",
    ),
    "a 60 MB comment sprinkled with tags, in a sheet": (
        _long_token("body", b"<!--" + b"<a>" * (SIXTY_MB // 3) + b"-->"),
        "file-unsafe",
    ),
    "a 60 MB attribute": (
        _long_token("body", b'<sheetPr codeName="' + b"x" * SIXTY_MB + b'"/>'),
        "file-unsafe",
    ),
    "a 60 MB CDATA section": (
        _long_token("body", b"<![CDATA[" + b"<" * SIXTY_MB + b"]]>"),
        "file-unsafe",
    ),
}


@pytest.mark.parametrize("flood", list(FLOODS), ids=lambda f: f.replace(" ", "-"))
def test_a_part_that_lies_or_floods_is_refused_by_validate_and_consolidate(
    flood, returns, worker_book, tmp_path
):
    make, rule = FLOODS[flood]
    sheet = make(worker_book, tmp_path / "sheet.xlsx")
    run = run_cli("validate", sheet, "--format", "json", cwd=tmp_path)
    run.assert_bounded()
    assert run.returncode == 2
    assert [f["rule"] for f in run.json()["findings"]] == [rule]
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    make(returns[0], inbox / "bad.xlsx")
    shutil.copy(returns[1], inbox / "good.xlsx")
    run = run_cli(
        "consolidate", inbox, "--store", tmp_path / "s.sqlite", "--format", "json", cwd=tmp_path
    )
    run.assert_bounded()
    assert run.returncode == 1
    report = run.json()
    assert only(report["findings"], rule)["workbook"] == str(inbox / "bad.xlsx")
    assert report["stored"] == [str(inbox / "good.xlsx")]


def _twice(source: Path, target: Path) -> Path:
    """xl/workbook.xml present twice: two readers could read two different workbooks."""
    rewrite_zip(source, target)
    with zipfile.ZipFile(target, "a") as archive, pytest.warns(UserWarning):
        archive.writestr("xl/workbook.xml", b"<workbook/>")
    return target


def _misnamed(source: Path, target: Path) -> Path:
    """The local header of xl/workbook.xml names another part than the central directory."""
    rewrite_zip(source, target)
    data = bytearray(target.read_bytes())
    local = data.find(b"PK\x03\x04")
    while local >= 0:
        name_length = int.from_bytes(data[local + 26 : local + 28], "little")
        name = bytes(data[local + 30 : local + 30 + name_length])
        if name == b"xl/workbook.xml":
            data[local + 30 : local + 30 + name_length] = b"xl/workbooc.xml"
            break
        local = data.find(b"PK\x03\x04", local + 4)
    target.write_bytes(data)
    return target


@pytest.mark.parametrize("make", [_twice, _misnamed], ids=["named-twice", "misnamed"])
def test_parts_named_twice_or_two_ways_are_refused_the_same_way_by_every_command(
    make, returns, worker_book, tmp_path
):
    sheet = make(worker_book, tmp_path / "sheet.xlsx")
    run = run_cli("validate", sheet, "--format", "json", cwd=tmp_path)
    run.assert_bounded()
    assert [f["rule"] for f in run.json()["findings"]] == ["file-unsafe"]
    team = make(returns[0], tmp_path / "team.xlsx")
    run = run_cli(
        "consolidate", team, "--store", tmp_path / "s.sqlite", "--format", "json", cwd=tmp_path
    )
    run.assert_bounded()
    assert [f["rule"] for f in run.json()["findings"]] == ["file-unsafe"]
    assert run.returncode == 1


# --- only regular files ----------------------------------------------------------------------


@pytest.fixture
def special_folder(tmp_path, returns, worker_book) -> Path:
    """A folder where a FIFO, a link to /dev/zero and a link to the FIFO pose as workbooks."""
    if not POSIX:
        pytest.skip("FIFOs and /dev/zero are POSIX")
    folder = tmp_path / "folder with spaces"
    folder.mkdir()
    os.mkfifo(folder / "x.xlsx")
    (folder / "zero.xlsx").symlink_to("/dev/zero")
    (folder / "pipe link.xlsx").symlink_to(folder / "x.xlsx")
    return folder


SPECIAL = ["pipe link.xlsx", "x.xlsx", "zero.xlsx"]


def _named_special(findings: list[dict], folder: Path) -> list[str]:
    return sorted(
        Path(f["workbook"]).name
        for f in findings
        if "not a file but a pipe" in f["message"] and Path(f["workbook"]).parent == folder
    )


def test_validate_and_build_team_skip_pipes_and_devices_with_a_finding(
    special_folder, worker_book, tmp_path
):
    shutil.copy(worker_book, special_folder / "Jo Example.xlsx")
    run = run_cli("validate", special_folder, "--format", "json", cwd=tmp_path)
    run.assert_bounded()
    assert run.returncode == 2
    report = run.json()
    assert _named_special(report["findings"], special_folder) == SPECIAL
    assert str(special_folder / "Jo Example.xlsx") in report["files"]
    out = tmp_path / "team.xlsx"
    run = run_cli(
        "build-team",
        special_folder,
        "-o",
        out,
        "--history",
        special_folder / "zero.xlsx",
        "--format",
        "json",
        cwd=tmp_path,
    )
    run.assert_bounded()
    assert out.is_file()
    both = sorted([*SPECIAL, "zero.xlsx"])  # among the sheets, and again as history
    assert _named_special(run.json()["findings"], special_folder) == both


def test_consolidate_skips_pipes_and_devices_before_hashing_them(special_folder, returns, tmp_path):
    shutil.copy(returns[0], special_folder / "North.xlsx")
    run = run_cli(
        "consolidate",
        special_folder,
        "--store",
        tmp_path / "s.sqlite",
        "--format",
        "json",
        cwd=tmp_path,
    )
    run.assert_bounded()
    report = run.json()
    assert _named_special(report["findings"], special_folder) == SPECIAL
    assert report["stored"] == [str(special_folder / "North.xlsx")]


# --- the guard's extent scan, on every way a cell can be written -----------------------------


def _sheet(cells: bytes) -> bytes:
    return (
        b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        b'<dimension ref="A1"/><sheetData>' + cells + b"</sheetData></worksheet>"
    )


EXTENTS = {
    "as Excel writes it": (b'<row r="3"><c r="C3"><v>1</v></c></row>', (3, 3)),
    "single quotes": (b"<row r='1'><c r='XFD1048576'><v>1</v></c></row>", (1048576, 16384)),
    "r after other attributes": (b'<row r="1"><c s="1" r="XFD9"><v>1</v></c></row>', (9, 16384)),
    "a namespace prefix": (b'<x:row r="1"><x:c r="ZZ5"><x:v>1</x:v></x:c></x:row>', (5, 702)),
    "cells with no address": (b"<row>" + b"<c/>" * 20_000 + b"<c><v>1</v></c></row>", (1, 20_001)),
    "a cell row beyond its row": (b'<row r="1"><c r="A900000"><v>1</v></c></row>', (900000, 1)),
    "lower-case letters": (b'<row r="1"><c r="xfd1"><v>1</v></c></row>', (1, 16384)),
}


@pytest.mark.parametrize("case", list(EXTENTS), ids=lambda c: c.replace(" ", "-"))
def test_the_extent_scan_covers_every_way_a_cell_can_be_placed(case):
    cells, (rows, columns) = EXTENTS[case]
    xml = _sheet(cells)
    for size in (7, 64, 65536):  # split at every kind of boundary
        extent, carry = _Extent(), b""
        for start in range(0, len(xml), size):
            carry = extent.feed(carry + xml[start : start + size])
        extent.feed(carry)
        got_rows, got_columns = extent.span()
        assert got_rows >= rows and got_columns >= columns, (size, extent.span())
        assert got_rows * got_columns <= 4 * max(rows, 999) * max(columns, 26), extent.span()


def test_a_far_cell_written_any_way_is_refused_before_any_reader(worker_book, tmp_path):
    for number, far in enumerate(
        [
            b"<c r='XFD1048576' t='n'><v>1</v></c>",
            b'<x:c r="XFD1048576"><x:v>1</x:v></x:c>',
            b'<c t="n" r="XFD1048576"><v>1</v></c>',
        ]
    ):
        row = b'<row r="1048576">' + far + b"</row></sheetData>"
        bad = edit_part(
            worker_book,
            tmp_path / f"far-{number}.xlsx",
            sheet_part(worker_book, "Measurement"),
            lambda xml, row=row: xml.replace(b"</sheetData>", row),
        )
        assert [f.rule for f in inspect_workbook_file(bad)] == ["sheet-too-large"], far


def test_the_guard_passes_every_workbook_the_tool_writes(returns, worker_book, tmp_path):
    """The caps leave room: templates, team returns and a job plan pass untouched."""
    from workload_xl.files.jobplan_workbook import write_jobplan_workbook

    plan = tmp_path / "plan.xlsx"
    assert write_jobplan_workbook(plan) == []
    for path in [*returns, worker_book, plan, *Path("templates").glob("*.xlsx")]:
        assert inspect_workbook_file(path) == [], path


# --- worker processes: time, memory, crashes -------------------------------------------------


def sleep_then(seconds: float) -> float:
    time.sleep(seconds)
    return seconds


def allocate(megabytes: int) -> int:
    return len(bytearray(megabytes * 1024 * 1024))


def abort(_: object) -> None:
    print("a native backtrace would be printed here", file=sys.stderr, flush=True)
    os.abort()


def exit_on_die(item: str) -> str:
    if item == "die":
        os._exit(3)  # as a native crash ends a worker: no reply, no exception
    return item


def test_a_worker_found_dead_when_given_its_next_file_costs_only_the_file_it_held(monkeypatch):
    """A worker may die on a file in the moment before it is given the next one: the send
    then meets a closed pipe (CI once raised BrokenPipeError out of a consolidation). Made
    certain here by waiting, before each give, for a worker holding "die" to have died."""
    real_give = isolation._Worker.give
    sends_to_the_dead = []

    def give_once_dead(worker, job, items):
        if worker.jobs and items[worker.jobs[-1]] == "die":
            worker.process.join(timeout=60)
            sends_to_the_dead.append(worker.process.exitcode)
        return real_give(worker, job, items)

    monkeypatch.setattr(isolation._Worker, "give", give_once_dead)
    items = ["a", "die", "b", "c", "die", "d"]
    got = list(isolation.map_in_workers(exit_on_die, items, workers=1, seconds=60))
    assert [(item, getattr(o, "value", None) or o.why) for item, o in got] == [
        ("a", "a"),
        ("die", "crashed"),
        ("b", "b"),
        ("c", "c"),
        ("die", "crashed"),
        ("d", "d"),
    ]
    assert sends_to_the_dead and set(sends_to_the_dead) == {3}


def test_a_worker_that_dies_idle_is_replaced_and_no_file_is_charged(monkeypatch):
    """Killed from outside while it holds nothing (the system's out-of-memory killer, a
    user's task manager), a worker is replaced when it is next given a file."""
    real_give = isolation._Worker.give
    killed = []

    def kill_before_a(worker, job, items):
        if not worker.jobs and not killed:
            worker.process.kill()
            worker.process.join(timeout=60)
            killed.append(worker.process.pid)
        return real_give(worker, job, items)

    monkeypatch.setattr(isolation._Worker, "give", kill_before_a)
    got = list(isolation.map_in_workers(exit_on_die, ["a", "b", "c"], workers=1))
    assert killed
    assert [(item, getattr(o, "value", None)) for item, o in got] == [
        ("a", "a"),
        ("b", "b"),
        ("c", "c"),
    ]


def test_results_come_back_in_input_order_with_each_failure_in_its_place():
    items = [0.01, 0.3, 0.0, 0.2, 0.05]
    got = list(isolation.map_in_workers(sleep_then, items, workers=2, seconds=10))
    assert [item for item, _ in got] == items
    assert [outcome.value for _, outcome in got] == items


def test_a_file_past_its_time_is_stopped_and_the_rest_go_on():
    # 20 s: far above what sleep_then(0.0) takes on a loaded machine, far below the stall's 600.
    got = list(isolation.map_in_workers(sleep_then, [0.0, 600, 0.0], workers=1, seconds=20))
    assert [type(outcome).__name__ for _, outcome in got] == ["Done", "Failed", "Done"]
    assert got[1][1].why == "slow"


@pytest.mark.skipif(not POSIX, reason="address-space limits are POSIX")
def test_a_file_that_asks_for_too_much_memory_fails_in_its_worker_and_the_rest_go_on():
    got = list(
        isolation.map_in_workers(allocate, [1, 2048, 1], workers=1, memory=512 * 1024 * 1024)
    )
    assert [getattr(outcome, "why", None) for _, outcome in got] == [None, "memory", None]
    assert got[2][1].value == 1024 * 1024


def test_a_worker_that_crashes_natively_costs_its_file_and_prints_nothing(tmp_path):
    """os.abort() is what a Rust panic that cannot unwind, or an allocation failure, does.
    Run in a child so its standard error can be read whole."""
    script = (
        "import sys; sys.path.insert(0, '.')\n"
        "from workload_xl.files import isolation\n"
        "from tests.test_bounded_reading import abort, sleep_then\n"
        "got = list(isolation.map_in_workers(abort, [1, 2], workers=2))\n"
        "got += list(isolation.map_in_workers(sleep_then, [0.0], workers=1))\n"
        "print([getattr(o, 'why', 'done') for _, o in got])\n"
    )
    import subprocess

    done = subprocess.run(
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=Path(__file__).parent.parent,
    )
    assert done.stdout.strip() == "['crashed', 'crashed', 'done']", done.stderr
    assert done.stderr == ""


def test_stopping_a_run_early_ends_its_workers():
    outcomes = isolation.map_in_workers(sleep_then, [0.0] + [60.0] * 4, workers=2)
    next(outcomes)
    before = {t.ident for t in threading.enumerate()}
    outcomes.close()
    import multiprocessing

    deadline = time.monotonic() + 60
    while multiprocessing.active_children() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert multiprocessing.active_children() == []
    assert {t.ident for t in threading.enumerate()} <= before


def test_where_no_process_can_start_files_are_read_here_with_the_same_outcomes(monkeypatch):
    """Pyodide (xlwings Lite) and some sandboxes cannot start processes: reading still works,
    bounded by the file guard's caps alone."""

    def cannot(*args, **kwargs):
        raise NotImplementedError("no processes in this Python")

    monkeypatch.setattr(isolation, "_Worker", cannot)
    got = list(isolation.map_in_workers(sleep_then, [0.0, 0.01], workers=2))
    assert [(item, outcome.value) for item, outcome in got] == [(0.0, 0.0), (0.01, 0.01)]


@pytest.mark.skipif(not POSIX, reason="FIFOs and /dev/zero are POSIX")
@pytest.mark.parametrize("special", ["fifo", "dev-zero"])
def test_a_caseload_report_that_is_a_pipe_or_a_device_is_refused_without_reading(special, tmp_path):
    report = tmp_path / "caseload report.csv"
    if special == "fifo":
        os.mkfifo(report)
    else:
        report.symlink_to("/dev/zero")
    run = run_cli(
        "import-caseload",
        report,
        "--worker",
        "Jo",
        "--scheme",
        CSC,
        "-o",
        tmp_path / "jo.xlsx",
        cwd=tmp_path,
    )
    run.assert_bounded()
    assert run.returncode == 2
    assert "not a file but a pipe" in run.output


def test_a_file_larger_than_any_workbook_is_refused_by_its_size_before_it_is_read(
    returns, tmp_path
):
    """65 MB (sparse, so the test writes almost nothing): not opened as a zip, not hashed."""
    big = tmp_path / "inbox" / "huge.xlsx"
    big.parent.mkdir()
    with big.open("wb") as handle:
        handle.write(b"PK\x03\x04")
        handle.truncate(65 * 1024 * 1024)
    shutil.copy(returns[0], big.parent / "North.xlsx")
    for command in (["validate", big], ["consolidate", big.parent, "--store", tmp_path / "s"]):
        run = run_cli(*command, "--format", "json", cwd=tmp_path)
        run.assert_bounded()
        found = only(run.json()["findings"], "file-too-large")
        assert found["workbook"] == str(big) and "65 MB" in found["message"]


# --- numbers that pass a range check but make no sense, through consolidate and report -----


def _tiny_fte(sheet):
    sheet.workers[0].fte = 1e-307


def _negative_points(sheet):
    first = sheet.cases[0]
    sheet.cases[0] = CaseRow(
        first.worker, first.case_ref, first.item_code, first.item_label, first.kind, -50.0
    )


def _infinite_total(sheet):
    duty = next(i for i, c in enumerate(sheet.cases) if c.kind == "activity")
    row = sheet.cases[duty]
    huge = CaseRow(row.worker, "", row.item_code, row.item_label, row.kind, 1e308)
    sheet.cases[duty : duty + 1] = [huge, huge]


def _worker_twice(sheet):
    sheet.workers.append(sheet.workers[0])


SENSELESS = {
    "an FTE of 1e-307": _tiny_fte,
    "points of -50": _negative_points,
    "two rows of 1e308 points": _infinite_total,
    "a worker listed twice": _worker_twice,
}


def test_numbers_that_make_no_sense_are_refused_at_their_cell_and_the_rest_stored(tmp_path):
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    good = team_return(inbox, "North")
    bad = {}
    for number, (what, change) in enumerate(SENSELESS.items()):
        sheet = team_sheet(SERVICE, CSC, f"Team {number}", Period(2026, 10), 0)
        change(sheet)
        bad[what] = inbox / f"Team {number} 2026-10.xlsx"
        assert write_team_workbook(bad[what], sheet) == []
    store = tmp_path / "returns.sqlite"
    run = run_cli("consolidate", inbox, "--store", store, "--format", "json", cwd=tmp_path)
    run.assert_bounded()
    assert run.returncode == 1
    report = run.json()
    assert report["stored"] == [str(good)]
    assert sorted(report["failed"]) == sorted(map(str, bad.values()))
    for what, path in bad.items():
        mine = [f for f in report["findings"] if f["workbook"] == str(path)]
        assert mine and all(f["rule"] == "return-invalid" and f["cell"] for f in mine), what
    shown = run_cli("report", "--store", store, "-o", tmp_path / "trend.xlsx", cwd=tmp_path)
    shown.assert_bounded()
    assert shown.returncode == 0 and (tmp_path / "trend.xlsx").is_file()


# --- parts are known by what they are, not by their names -----------------------------------


def move_part(source: Path, target: Path, old: str, new: str, change=None) -> Path:
    """A copy with one part moved (and its relationships and content type following it), as
    readers find parts: through the relationships, whatever they are called."""
    with zipfile.ZipFile(source) as archive:
        parts = {info.filename: archive.read(info) for info in archive.infolist()}
    data = parts.pop(old)
    parts[new] = change(data) if change else data
    old_rel = old.split("/", 1)[1] if old.startswith("xl/") else old
    new_rel = new.split("/", 1)[1] if new.startswith("xl/") else new
    for name in list(parts):
        if name.endswith(".rels") or name == "[Content_Types].xml":
            text = parts[name].replace(old.encode(), new.encode())
            text = text.replace(old_rel.encode(), new_rel.encode())
            parts[name] = text.replace(
                old.rsplit("/", 1)[1].encode(), new.rsplit("/", 1)[1].encode()
            )
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in parts.items():
            archive.writestr(name, content)
    return target


FAR_ROW = b'<row r="1048576"><c r="XFD1048576"><v>1</v></c></row></sheetData>'


def _far(xml: bytes) -> bytes:
    return xml.replace(b"</sheetData>", FAR_ROW)


@pytest.mark.parametrize(
    "new", ["xl/data/sheet9.xml", "xl/worksheets/sheet9.XML", "xl/worksheets/sheet9.bin"]
)
def test_a_sheet_moved_or_renamed_is_still_scanned_as_a_sheet(new, returns, tmp_path):
    good = returns[0]
    bad = move_part(good, tmp_path / "moved.xlsx", sheet_part(good, "Team"), new, _far)
    for command in (["validate", bad], ["consolidate", bad, "--store", tmp_path / "s"]):
        run = run_cli(*command, "--format", "json", cwd=tmp_path)
        run.assert_bounded()
        found = only(run.json()["findings"], "sheet-too-large")
        assert (found["sheet"], found["cell"]) == ("Team", "XFD1048576"), command[0]


def test_a_table_renamed_and_flooded_is_still_held_to_the_caps(worker_book, tmp_path):
    old = table_part(worker_book, "WorkItems")
    flood = lambda xml: xml.replace(b"</table>", b"<x/>" * 5_000_000 + b"</table>")  # noqa: E731
    bad = move_part(worker_book, tmp_path / "flood.xlsx", old, "xl/tables/table1.bin", flood)
    run = run_cli("validate", bad, "--format", "json", cwd=tmp_path)
    run.assert_bounded()
    assert [f["rule"] for f in run.json()["findings"]] == ["file-too-large"]


FAR_CELLS = {
    "a tab after the tag": b'<c\tr="XFD999"><v>1</v></c>',
    "a new line after the tag": b'<c\nr="XFD999"><v>1</v></c>',
    "dollar signs": b'<c r="$XFD$999"><v>1</v></c>',
}


@pytest.mark.parametrize("case", list(FAR_CELLS), ids=lambda c: c.replace(" ", "-"))
def test_a_far_cell_written_with_odd_spacing_or_dollars_is_found(case, returns, tmp_path):
    row = b'<row r="999">' + FAR_CELLS[case] + b"</row></sheetData>"
    bad = edit_part(
        returns[0],
        tmp_path / "odd.xlsx",
        sheet_part(returns[0], "Team"),
        lambda xml: xml.replace(b"</sheetData>", row),
    )
    assert [f.rule for f in inspect_workbook_file(bad)] == ["sheet-too-large"]


def test_addresses_written_with_character_references_are_refused(returns, tmp_path):
    row = b'<row r="1"><c r="&#88;FD1048576"><v>1</v></c></row></sheetData>'
    bad = edit_part(
        returns[0],
        tmp_path / "escaped.xlsx",
        sheet_part(returns[0], "Team"),
        lambda xml: xml.replace(b"</sheetData>", row),
    )
    assert [f.rule for f in inspect_workbook_file(bad)] == ["file-unsafe"]
    table = with_table_ref(
        returns[0], tmp_path / "escaped-table.xlsx", "TeamCases", "A1:G&#49;048576"
    )
    assert [f.rule for f in inspect_workbook_file(table)] == ["file-unsafe"]


def test_two_hundred_small_sheets_are_not_taken_for_a_huge_workbook(tmp_path):
    wb = Workbook()
    for number in range(200):
        wb.create_sheet(f"Sheet {number}")["A1"] = number
    wb.save(tmp_path / "many.xlsx")
    assert inspect_workbook_file(tmp_path / "many.xlsx") == []


def test_a_reversed_table_range_is_named_by_its_far_corner(returns, tmp_path):
    bad = with_table_ref(returns[0], tmp_path / "reversed.xlsx", "TeamCases", "I1048576:A1")
    (found,) = inspect_workbook_file(bad)
    assert (found.rule, found.cell) == ("table-too-large", "I1048576")


@pytest.mark.skipif(not POSIX, reason="FIFOs are POSIX")
@pytest.mark.parametrize(
    "command",
    [["template", "worker", "--scheme", CSC], ["key", "new"]],
    ids=["template", "key-new"],
)
def test_force_never_writes_over_a_pipe_or_a_link(command, tmp_path):
    pipe = tmp_path / "pipe.xlsx"
    os.mkfifo(pipe)
    real = tmp_path / "real.xlsx"
    real.write_bytes(b"keep me")
    link = tmp_path / "link.xlsx"
    link.symlink_to(real)
    for target in (pipe, link):
        run = run_cli(*command, "-o", target, "--force", cwd=tmp_path)
        run.assert_bounded()
        said = " ".join(run.output.split())  # the text report wraps its lines
        assert run.returncode != 0 and "is not a file" in said, run.output
    assert pipe.is_fifo() and link.is_symlink() and real.read_bytes() == b"keep me"


@pytest.mark.parametrize("method", [zipfile.ZIP_BZIP2, zipfile.ZIP_LZMA], ids=["bzip2", "lzma"])
def test_parts_compressed_as_excel_never_does_are_refused_by_every_command(
    method, returns, worker_book, tmp_path
):
    """openpyxl reads bzip2 and LZMA parts, calamine does not: refused alike, before either."""
    sheet = rewrite_zip(worker_book, tmp_path / "sheet.xlsx", compression=method)
    team = rewrite_zip(returns[0], tmp_path / "team.xlsx", compression=method)
    for command in (["validate", sheet], ["consolidate", team, "--store", tmp_path / "s"]):
        run = run_cli(*command, "--format", "json", cwd=tmp_path)
        run.assert_bounded()
        found = only(run.json()["findings"], "file-corrupt")
        assert "never uses" in found["message"], command[0]


def test_a_comment_split_anywhere_is_a_comment_and_a_doctype_split_anywhere_is_refused():
    """Openers and terminators cut across chunks are judged whole: the scan defers a `<!`
    near a chunk's end until it can tell a comment or CDATA from a declaration."""
    from workload_xl.files.file_guard import _Tokens

    head = b'<?xml version="1.0"?>\n'
    cases = {
        head + b"<!-- a -->\n<root><![CDATA[<x>]]></root>": False,
        head + b"<!-- <!DOCTYPE inside a comment --><root/>": False,
        head + b"<!-- a --><!DOCTYPE root [<!ENTITY e 'x'>]><root/>": True,
        head + b"<root/><!DOCTYPE root>": True,
    }
    for xml, declared in cases.items():
        for cut in range(1, len(xml)):
            tokens = _Tokens()
            fine = tokens.feed(xml[:cut]) and tokens.feed(xml[cut:]) and tokens.feed(b"", True)
            assert (not fine and tokens.declaration) == declared, (xml, cut)
            assert fine == (not declared), (xml, cut)
