"""The bulk reader of team returns: real team workbooks, read back field by field.

Worker workbooks are written from the roster below, the team workbook is built from them with
`build_team_files` as the CLI does, and the fast reader's return is checked against the roster
(what was written) and against an openpyxl read of the same file. Broken returns are made the
way people break them: in the workbook, saved again.
"""

from __future__ import annotations

import os
import shutil
import threading
import time
import zipfile
from dataclasses import dataclass, replace
from pathlib import Path

import pytest
from openpyxl import load_workbook
from openpyxl.utils import get_column_letter, range_boundaries

from workload_xl.contracts import team as tl
from workload_xl.core.expected import expected_points
from workload_xl.core.period import Period
from workload_xl.core.returns import ReturnLine, WorkerPeriod
from workload_xl.core.rules import FILE_LEVEL_RULES
from workload_xl.core.schemes import SchemeRegistry
from workload_xl.files import return_reader
from workload_xl.files.return_reader import read_team_return, read_team_returns
from workload_xl.files.worker_template import WorkerSheetContent, write_worker_workbook
from workload_xl.services.build_team import build_team_files

CSC = "childrens-social-care"
TEAM, SERVICE, PERIOD, MANAGER = "Team A", "Safeguarding and Support", "2026-10", "Sam Okoro"

MANY = 40
"""Files enough to keep two worker processes busy with several each."""


@dataclass(frozen=True)
class Worker:
    name: str
    band: str
    fte: float
    cases: dict[str, float]  # case reference -> points (all "Child in need", 4 to 8)
    duty_days: int = 0
    cpp: int = 0  # child protection plans, 8 points each
    broken: bool = False  # a sheet with an error: listed, not counted

    def lines(self) -> list[tuple[str, str, str, str, float]]:
        """(worker, case ref, item code, kind, points): what the TeamCases rows must say."""
        rows = [(self.name, ref, "CIN", "case", points) for ref, points in self.cases.items()]
        rows += [
            (self.name, f"{self.name[:3].upper()}-P{i}", "CPP", "case", 8.0)
            for i in range(self.cpp)
        ]
        if self.duty_days:
            rows.append((self.name, "", "DUTY", "activity", 2.0 * self.duty_days))
        return rows

    @property
    def total(self) -> float:
        return sum(line[-1] for line in self.lines())

    @property
    def case_count(self) -> int:
        return sum(1 for line in self.lines() if line[3] == "case")

    def content(self) -> WorkerSheetContent:
        lines = [
            {
                "case_ref": ref,
                "case_name": f"Child {ref}",
                "item": "Child in need",
                "agreed_points": points,
            }
            for ref, points in self.cases.items()
        ]
        lines += [
            {
                "case_ref": f"{self.name[:3].upper()}-P{i}",
                "case_name": f"Child P{i}",
                "item": "Child protection plan",
                "agreed_points": 8,
            }
            for i in range(self.cpp)
        ]
        if self.duty_days:
            lines.append(
                {
                    "item": "Duty day",
                    "quantity": self.duty_days,
                    "agreed_points": 2 * self.duty_days,
                }
            )
        header = {
            "worker": self.name,
            "team": TEAM,
            "service": SERVICE,
            "period": PERIOD,
            "fte": self.fte,
            "band": self.band,
            "manager": MANAGER,
            "date_agreed": "2026-10-28",
        }
        return WorkerSheetContent(header, lines)


def refs(prefix: str, points: list[float]) -> dict[str, float]:
    return {f"{prefix}{i:03d}": p for i, p in enumerate(points)}


ROSTER = (
    Worker("Ann Ash", "Social worker", 1.0, refs("ANN", [5, 5, 6, 4, 5, 7, 5, 5]), 2, cpp=2),
    Worker("Bob Birch", "Social worker", 0.8, refs("BOB", [5, 5, 5, 8, 5]), 1),
    Worker("Cat Cedar", "Social worker", 0.6, refs("CAT", [5, 6, 5])),
    Worker("Dee Dale", "Senior practitioner", 1.0, refs("DEE", [5, 5, 5, 5, 5, 5, 4]), 3),
    Worker("Zed Zinc", "Social worker", 1.0, refs("ZED", [5, 99]), 1, broken=True),
)
BY_NAME = {w.name: w for w in ROSTER}


@pytest.fixture(scope="module")
def built(tmp_path_factory, registry) -> Path:
    """The team workbook for the roster, built from worker workbooks as the CLI builds it."""
    folder = tmp_path_factory.mktemp("return-reader")
    inputs = folder / "in"
    inputs.mkdir()
    for w in ROSTER:
        path = inputs / f"{w.name.split()[0].lower()}.xlsx"
        assert write_worker_workbook(path, registry.get(CSC), w.content()) == []
    output = folder / "team.xlsx"
    run = build_team_files([inputs], output, registry=registry)
    assert run.written, [str(f) for f in run.build.findings]
    return output


@pytest.fixture
def copy(built, tmp_path):
    """A copy of the built team workbook, changed as a manager would and saved."""

    def make(change=None, name: str = "return.xlsx") -> Path:
        path = tmp_path / name
        shutil.copy(built, path)
        if change is not None:
            wb = load_workbook(path)
            change(wb)
            wb.save(path)
        return path

    return make


def name_cell(wb, name: str) -> tuple[str, str]:
    """(sheet, cell) a Team-sheet-scoped defined name points at, found as any reader would."""
    dn = wb[tl.TEAM_SHEET].defined_names[name]
    sheet, ref = next(dn.destinations)
    return sheet, ref.replace("$", "")


def table_rows(wb, table_name: str) -> tuple[object, list[dict], list[int]]:
    """(sheet, records by heading, Excel row of each record) of a table, via openpyxl."""
    for ws in wb.worksheets:
        if table_name in ws.tables:
            min_col, min_row, max_col, max_row = range_boundaries(ws.tables[table_name].ref)
            grid = list(
                ws.iter_rows(
                    min_row=min_row,
                    max_row=max_row,
                    min_col=min_col,
                    max_col=max_col,
                    values_only=True,
                )
            )
            records = [dict(zip(grid[0], row, strict=True)) for row in grid[1:]]
            return ws, records, list(range(min_row + 1, max_row + 1))
    raise AssertionError(f"no table {table_name}")


def column_of(ws, table_name: str, heading: str) -> str:
    min_col, min_row, max_col, _ = range_boundaries(ws.tables[table_name].ref)
    for column in range(min_col, max_col + 1):
        if ws.cell(min_row, column).value == heading:
            return get_column_letter(column)
    raise AssertionError(heading)


def only(findings, rule: str = "return-invalid"):
    assert [f.rule for f in findings] == [rule], [str(f) for f in findings]
    return findings[0]


# --- a sound return, field by field ---------------------------------------------------------


def test_every_field_of_the_return_is_what_was_written(built, registry):
    ret, findings = read_team_return(built, registry)
    assert findings == []
    scheme = registry.get(CSC)
    assert (ret.source, ret.team, ret.service, ret.period, ret.manager) == (
        str(built),
        TEAM,
        SERVICE,
        Period(2026, 10),
        MANAGER,
    )
    assert (ret.scheme_id, ret.scheme_version) == (CSC, scheme.version)
    assert sorted(w.worker for w in ret.workers) == sorted(BY_NAME)
    for w in ret.workers:
        expected = BY_NAME[w.worker]
        assert (w.band, w.fte, w.cases, w.total_points, w.counted) == (
            expected.band,
            expected.fte,
            expected.case_count,
            expected.total,
            not expected.broken,
        )
        assert isinstance(w.cases, int) and isinstance(w.total_points, float)
    written = sorted(line for w in ROSTER for line in w.lines())
    read = sorted((x.worker, x.case_ref, x.item_code, x.kind, x.agreed_points) for x in ret.lines)
    assert read == written
    assert {x.worker for x in ret.counted} == {w.name for w in ROSTER if not w.broken}


def test_worker_totals_are_the_sums_of_their_case_rows(built, registry):
    ret, _ = read_team_return(built, registry)
    for w in ret.workers:
        rows = [line for line in ret.lines if line.worker == w.worker]
        assert w.total_points == sum(line.agreed_points for line in rows)
        assert w.cases == sum(1 for line in rows if line.kind == "case")


def test_each_total_cell_is_where_the_workers_total_stands_on_the_team_sheet(built, registry):
    ret, _ = read_team_return(built, registry)
    wb = load_workbook(built)
    ws, records, rows = table_rows(wb, tl.TEAM_TABLE)
    column = column_of(ws, tl.TEAM_TABLE, "Total points")
    where = {r["Worker"]: f"{column}{row}" for r, row in zip(records, rows, strict=True)}
    assert {w.worker: w.total_cell for w in ret.workers} == where
    for w in ret.workers:
        assert ws[w.total_cell].value == BY_NAME[w.worker].total


def openpyxl_return(path: Path) -> dict:
    """The same return read with openpyxl, by defined names and tables: the reference."""
    wb = load_workbook(path)
    header = {}
    for key in ("team", "service", "period", "scheme_id", "scheme_version", "manager"):
        sheet, cell = name_cell(wb, tl.TEAM_FIELD_BY_KEY[key].name)
        header[key] = wb[sheet][cell].value
    ws, records, rows = table_rows(wb, tl.TEAM_TABLE)
    column = column_of(ws, tl.TEAM_TABLE, "Total points")
    workers = [
        WorkerPeriod(
            r["Worker"],
            r["Experience band"],
            float(r["FTE"]),
            int(r["Cases"]),
            float(r["Total points"]),
            r["In team figures"] == "yes",
            f"{column}{row}",
        )
        for r, row in zip(records, rows, strict=True)
    ]
    _, cases, _ = table_rows(wb, tl.CASES_TABLE)
    lines = [
        ReturnLine(
            r["Worker"],
            r["Case reference"] or "",
            r["Item code"],
            r["Kind"],
            float(r["Agreed points"]),
        )
        for r in cases
    ]
    return {"header": header, "workers": workers, "lines": lines}


def test_the_fast_reader_agrees_with_openpyxl_on_the_same_file(built, registry):
    ret, _ = read_team_return(built, registry)
    reference = openpyxl_return(built)
    header = reference["header"]
    assert (
        ret.team,
        ret.service,
        str(ret.period),
        ret.scheme_id,
        ret.scheme_version,
        ret.manager,
    ) == (
        header["team"],
        header["service"],
        header["period"],
        header["scheme_id"],
        header["scheme_version"],
        header["manager"],
    )
    # What the scheme expects of each worker is worked out, not read: openpyxl reads none.
    scheme = registry.get(ret.scheme_id)
    assert [w.expected_points for w in ret.workers] == [
        expected_points(scheme, w.band, w.fte) for w in reference["workers"]
    ]
    assert all(w.expected_points is not None for w in ret.workers)
    assert [replace(w, expected_points=None) for w in ret.workers] == reference["workers"]
    assert ret.lines == reference["lines"]
    assert all(type(line) is ReturnLine for line in ret.lines)


def test_header_cells_are_found_by_name_not_by_address(copy, registry):
    def move_period(wb):
        ws = wb[tl.TEAM_SHEET]
        _, cell = name_cell(wb, "TeamPeriod")
        ws[cell] = "not a period"  # the old place no longer holds the period
        ws["P40"] = "Oct 2026"
        ws.defined_names["TeamPeriod"].attr_text = "'Team'!$P$40"

    ret, findings = read_team_return(copy(move_period), registry)
    assert findings == [] and ret.period == Period(2026, 10)


def test_sheet_data_that_does_not_start_at_a1_is_read_at_the_right_cells(copy, registry):
    def clear_top(wb):
        ws = wb[tl.TEAM_SHEET]
        for row in ws.iter_rows(min_row=1, max_row=3):
            for cell in row:
                cell.value = None

    ret, findings = read_team_return(copy(clear_top), registry)
    assert findings == []
    assert (ret.team, ret.service, str(ret.period), ret.manager) == (TEAM, SERVICE, PERIOD, MANAGER)


def test_numbers_typed_as_text_are_read_as_numbers(copy, registry, built):
    wb = load_workbook(built)
    ws, records, rows = table_rows(wb, tl.TEAM_TABLE)
    fte = f"{column_of(ws, tl.TEAM_TABLE, 'FTE')}{rows[0]}"
    name = records[0]["Worker"]

    def as_text(wb):
        wb[tl.TEAM_SHEET][fte] = " 0.5 "

    ret, findings = read_team_return(copy(as_text), registry)
    assert findings == []
    assert next(w for w in ret.workers if w.worker == name).fte == 0.5


# --- a manager's edited total: the rows win -------------------------------------------------


def test_an_edited_total_gives_a_mismatch_warning_and_the_rows_win(copy, registry, built):
    wb = load_workbook(built)
    ws, records, rows = table_rows(wb, tl.TEAM_TABLE)
    ann = next(i for i, r in enumerate(records) if r["Worker"] == "Ann Ash")
    cell = f"{column_of(ws, tl.TEAM_TABLE, 'Total points')}{rows[ann]}"

    def edit(wb):
        wb[tl.TEAM_SHEET][cell] = 10

    ret, findings = read_team_return(copy(edit), registry)
    mismatch = only(findings, "return-total-mismatch")
    assert (mismatch.sheet, mismatch.cell, mismatch.value) == (tl.TEAM_SHEET, cell, 10)
    assert "Ann Ash" in mismatch.message
    assert next(w for w in ret.workers if w.worker == "Ann Ash").total_points == (
        BY_NAME["Ann Ash"].total
    )


# --- returns that cannot be used: one finding each, never an exception ----------------------


def set_name(key: str, value):
    def change(wb):
        sheet, cell = name_cell(wb, tl.TEAM_FIELD_BY_KEY[key].name)
        wb[sheet][cell] = value

    return change


@pytest.mark.parametrize(
    ("key", "value", "words"),
    [
        ("period", None, "blank"),
        ("period", "2026-P07", "4-week period"),
        ("period", "Octember 2026", "not a period"),
        ("team", "  ", "blank"),
        ("service", "Adult social care", "not one the scheme"),
        ("scheme_id", "no-such-scheme", "not one this tool knows"),
        ("scheme_version", None, "blank"),
    ],
)
def test_a_bad_header_field_is_one_finding_at_its_cell(copy, registry, built, key, value, words):
    ret, findings = read_team_return(copy(set_name(key, value)), registry)
    problem = only(findings)
    sheet, cell = name_cell(load_workbook(built), tl.TEAM_FIELD_BY_KEY[key].name)
    assert ret is None
    label = tl.TEAM_FIELD_BY_KEY[key].label
    assert (problem.sheet, problem.cell, problem.field) == (sheet, cell, label)
    assert words in problem.message and problem.workbook.endswith("return.xlsx")


def test_a_deleted_defined_name_is_one_finding(copy, registry):
    def delete(wb):
        del wb[tl.TEAM_SHEET].defined_names["TeamService"]

    ret, findings = read_team_return(copy(delete), registry)
    assert ret is None and "TeamService" in only(findings).message


def set_table_cell(table: str, heading: str, value, worker: str = "Bob Birch"):
    def change(wb):
        ws, records, rows = table_rows(wb, table)
        index = next(i for i, r in enumerate(records) if r["Worker"] == worker)
        ws[f"{column_of(ws, table, heading)}{rows[index]}"] = value

    return change


@pytest.mark.parametrize(
    ("table", "heading", "value"),
    [
        (tl.TEAM_TABLE, "FTE", "full time"),
        (tl.TEAM_TABLE, "FTE", 1.5),
        (tl.TEAM_TABLE, "Total points", "lots"),
        (tl.TEAM_TABLE, "Cases", "twelve"),
        (tl.TEAM_TABLE, "In team figures", "maybe"),
        (tl.TEAM_TABLE, "In team figures", None),
        (tl.CASES_TABLE, "Agreed points", "five"),
        (tl.CASES_TABLE, "Kind", "visit"),
    ],
)
def test_a_bad_row_value_is_one_finding_at_its_cell(copy, registry, table, heading, value):
    path = copy(set_table_cell(table, heading, value))
    ret, findings = read_team_return(path, registry)
    problem = only(findings)
    wb = load_workbook(path)
    ws, records, rows = table_rows(wb, table)
    index = next(i for i, r in enumerate(records) if r["Worker"] == "Bob Birch")
    assert ret is None
    assert (problem.sheet, problem.cell, problem.field) == (
        ws.title,
        f"{column_of(ws, table, heading)}{rows[index]}",
        heading,
    )
    assert "Bob Birch" in problem.message


def test_a_missing_cases_table_is_one_finding(copy, registry):
    def drop(wb):
        del wb[tl.CASES_SHEET].tables[tl.CASES_TABLE]

    ret, findings = read_team_return(copy(drop), registry)
    assert ret is None and tl.CASES_TABLE in only(findings).message


def test_a_missing_column_is_one_finding(copy, registry):
    def rename(wb):
        ws = wb[tl.CASES_SHEET]
        ws[f"{column_of(ws, tl.CASES_TABLE, 'Agreed points')}1"] = "Points"
        ws.tables[tl.CASES_TABLE].tableColumns[5].name = "Points"

    ret, findings = read_team_return(copy(rename), registry)
    assert ret is None and "'Agreed points'" in only(findings).message


def test_a_worker_workbook_instead_of_a_team_workbook_is_one_finding(built, registry):
    worker_file = built.parent / "in" / "ann.xlsx"
    ret, findings = read_team_return(worker_file, registry)
    assert ret is None and "worker's measurement workbook" in only(findings).message


def test_random_bytes_are_one_file_level_finding(tmp_path, registry):
    path = tmp_path / "noise.xlsx"
    path.write_bytes(os.urandom(4096))
    ret, findings = read_team_return(path, registry)
    assert ret is None and len(findings) == 1 and findings[0].rule in FILE_LEVEL_RULES


def test_damage_only_the_parser_sees_is_a_file_finding_not_a_traceback(built, tmp_path, registry):
    """Well-formed zip, CRCs right, no DTD: the file guard passes it, and calamine fails."""
    path = tmp_path / "damaged.xlsx"
    with zipfile.ZipFile(built) as source, zipfile.ZipFile(path, "w") as target:
        for info in source.infolist():
            data = source.read(info)
            if info.filename == "xl/worksheets/sheet2.xml":
                data = data[: len(data) // 2]
            target.writestr(info, data)
    ret, findings = read_team_return(path, registry)
    assert ret is None and only(findings, "file-corrupt").workbook == str(path)


def test_a_panic_in_the_rust_reader_is_a_file_finding(built, registry, monkeypatch):
    class PanicException(BaseException):  # what pyo3 raises when Rust code panics
        pass

    def panic(*args, **kwargs):
        raise PanicException("index out of bounds")

    monkeypatch.setattr(return_reader.CalamineWorkbook, "from_path", panic)
    ret, findings = read_team_return(built, registry)
    assert ret is None and "PanicException" in only(findings, "file-corrupt").message


def test_a_missing_file_is_one_file_level_finding(tmp_path, registry):
    ret, findings = read_team_return(tmp_path / "absent.xlsx", registry)
    assert ret is None and only(findings, "file-not-found")


# --- many files -----------------------------------------------------------------------------


@pytest.fixture
def mixed(copy, tmp_path) -> list[Path]:
    """Enough files for worker processes: sound, damaged, edited and invalid, interleaved."""
    good = copy(name="good.xlsx")
    edited = copy(set_table_cell(tl.TEAM_TABLE, "Total points", 1), name="edited.xlsx")
    blank = copy(set_name("period", None), name="blank.xlsx")
    noise = tmp_path / "noise.xlsx"
    noise.write_bytes(b"\x00" * 100)
    paths = [good, noise, edited, blank] * (MANY // 4 + 1)
    assert len(paths) >= MANY
    return paths


def rules_of(results) -> list[tuple[bool, list[str]]]:
    return [(ret is None, [f.rule for f in found]) for _, ret, found in results]


@pytest.mark.parametrize("processes", [True, False], ids=["processes", "threads"])
def test_many_files_come_back_in_input_order_each_as_if_read_alone(mixed, registry, processes):
    results = list(read_team_returns(mixed, registry, threads=2, processes=processes))
    assert [path for path, _, _ in results] == mixed
    alone = [(path, *read_team_return(path, registry)) for path in mixed[:4]]
    assert rules_of(results) == rules_of(alone) * (len(mixed) // 4)
    assert rules_of(alone) == [
        (False, []),
        (True, ["file-not-workbook"]),
        (False, ["return-total-mismatch"]),
        (True, ["return-invalid"]),
    ]
    for (_, ret, found), (_, ref, ref_found) in zip(results, alone * len(mixed), strict=False):
        assert found == ref_found
        if ret is not None:
            assert (ret.team, ret.period, ret.workers, ret.lines) == (
                ref.team,
                ref.period,
                ref.workers,
                ref.lines,
            )
            assert all(type(line) is ReturnLine for line in ret.lines)


def test_few_files_are_read_in_a_worker_process_as_if_read_alone(mixed, registry):
    few = mixed[:4]
    assert rules_of(read_team_returns(few, registry)) == rules_of(
        (path, *read_team_return(path, registry)) for path in few
    )


def test_even_one_file_is_held_to_the_time_limit(copy, registry):
    """No batch is too small for the limits: one stalling file among two is stopped."""
    good = copy(name="good.xlsx")
    staller = copy(set_name("scheme_id", "stall-me"), name="staller.xlsx")
    results = list(
        read_team_returns(
            [staller, good],
            StallingRegistry(list(registry)),
            threads=1,
            file_seconds=STALL_BUDGET_SECONDS,
        )
    )
    assert [found[0].rule if found else None for _, _, found in results] == ["file-too-slow", None]
    assert results[1][1] is not None


class CrashingRegistry(SchemeRegistry):
    """Ends its process, as a crash in the Rust reader would, on the scheme id 'crash-me'."""

    def get(self, scheme_id: str):
        if str(scheme_id).strip() == "crash-me":
            os._exit(70)
        return super().get(scheme_id)


def test_a_file_that_kills_a_worker_gets_a_finding_and_the_run_goes_on(mixed, copy, registry):
    killer = copy(set_name("scheme_id", "crash-me"), name="killer.xlsx")
    paths = [*mixed[: MANY - 1], killer, *mixed[:8]]
    crashing = CrashingRegistry(list(registry))
    results = list(read_team_returns(paths, crashing, threads=2))
    assert [path for path, _, _ in results] == paths
    index = paths.index(killer)
    ret, found = results[index][1:]
    assert ret is None and only(found, "file-corrupt").workbook == str(killer)
    others = results[:index] + results[index + 1 :]
    expected = [(path, *read_team_return(path, registry)) for path, _, _ in others]
    assert rules_of(others) == rules_of(expected)


def test_the_file_queued_behind_one_that_kills_the_worker_is_read_by_the_next(copy, registry):
    """A worker holds the file it reads and the next one; when the first kills it, the next
    (given, not begun) is read by the worker started in its place, and the finding names
    only the file that killed it."""
    good = copy(name="good.xlsx")
    edited = copy(set_table_cell(tl.TEAM_TABLE, "Total points", 1), name="edited.xlsx")
    killer = copy(set_name("scheme_id", "crash-me"), name="killer.xlsx")
    paths = [good, killer, edited, good]
    results = list(read_team_returns(paths, CrashingRegistry(list(registry)), threads=1))
    assert [path for path, _, _ in results] == paths
    assert rules_of(results) == [
        (False, []),
        (True, ["file-corrupt"]),
        (False, ["return-total-mismatch"]),
        (False, []),
    ]
    assert results[1][2][0].workbook == str(killer)


STALL_BUDGET_SECONDS = 20.0
"""Each file's budget in the stall tests: far above the fraction of a second an ordinary test
file needs even on a loaded machine, so only the stalling file can run past it."""


class StallingRegistry(SchemeRegistry):
    """Hangs its process for good, as a reader stuck on a hostile file would, on 'stall-me'."""

    def get(self, scheme_id: str):
        if str(scheme_id).strip() == "stall-me":
            threading.Event().wait()  # never set: the process waits until it is stopped
        return super().get(scheme_id)


def test_a_file_that_stalls_a_worker_is_stopped_with_a_finding_and_the_run_goes_on(
    mixed, copy, registry
):
    staller = copy(set_name("scheme_id", "stall-me"), name="staller.xlsx")
    paths = [*mixed[: MANY - 1], staller, *mixed[:8]]
    started = time.monotonic()
    results = list(
        read_team_returns(
            paths,
            StallingRegistry(list(registry)),
            threads=2,
            file_seconds=STALL_BUDGET_SECONDS,
        )
    )
    assert time.monotonic() - started < 600  # the stalled file was stopped, not waited for
    assert [path for path, _, _ in results] == paths
    index = paths.index(staller)
    ret, found = results[index][1:]
    assert ret is None and only(found, "file-too-slow").workbook == str(staller)
    assert "20 seconds" in found[0].message
    others = results[:index] + results[index + 1 :]
    expected = [(path, *read_team_return(path, registry)) for path, _, _ in others]
    assert rules_of(others) == rules_of(expected)


def test_a_workbook_saved_with_shared_strings_reads_the_same(registry, tmp_path):
    """The benchmark corpus's xlsxwriter writer stores text as Excel does (shared strings);
    the project writer writes it inline. Both must read back to the same return."""
    pytest.importorskip("xlsxwriter")
    from benchmarks.corpus import synthetic_team, write_with_project, write_with_xlsxwriter

    team = synthetic_team(7, registry.get(CSC), workers=6, rows=12)
    write_with_project(tmp_path / "project.xlsx", team)
    write_with_xlsxwriter(tmp_path / "xlsxwriter.xlsx", team)
    a, fa = read_team_return(tmp_path / "project.xlsx", registry)
    b, fb = read_team_return(tmp_path / "xlsxwriter.xlsx", registry)
    assert fa == fb == []
    assert (a.team, a.service, a.period, a.manager, a.workers, a.lines) == (
        b.team,
        b.service,
        b.period,
        b.manager,
        b.workers,
        b.lines,
    )
    assert len(a.lines) == len(team.cases)


def test_the_column_wise_path_reads_what_the_row_by_row_checks_read(built, registry, monkeypatch):
    """Clean tables take a quicker column-wise path; it must give the very same lines."""
    import workload_xl.files.return_reader as reader

    quick, _ = read_team_return(built, registry)
    monkeypatch.setattr(reader, "_clean_lines", lambda rows, columns: None)
    checked, _ = read_team_return(built, registry)
    assert quick.lines == checked.lines and len(quick.lines) > 5
    assert [type(line) for line in quick.lines] == [type(line) for line in checked.lines]


def test_a_worker_process_sends_the_same_lines_and_totals_by_either_path(
    built, registry, monkeypatch
):
    """The column-wise path hands a worker process its flat tuple of lines straight away;
    the row-by-row path's records are packed into one: the same values, the same totals
    recomputed from them, each name sent once."""
    import workload_xl.files.return_reader as reader

    monkeypatch.setattr(reader, "_worker_registry", registry)
    quick, quick_findings = reader._read_in_worker(built)
    monkeypatch.setattr(reader, "_clean_lines", lambda rows, columns: None)
    checked, checked_findings = reader._read_in_worker(built)
    assert type(quick.lines) is tuple and quick.lines == checked.lines and len(quick.lines) > 25
    assert quick.workers == checked.workers and quick_findings == checked_findings
    names = quick.lines[0::5]
    assert len({id(name) for name in names}) == len(set(names)) < len(names)


@pytest.mark.parametrize(
    "odd",
    ["Ann  Lee", "Ann Lee ", " Ann Lee", "Ann\u00a0Lee", "Ann\tLee", "Ann| Lee", "Ann |Lee", "A|B"],
)
def test_the_column_wise_path_cleans_text_as_clean_text_does(odd):
    """Names, codes and kinds are judged a distinct value at a time: any cell that needs
    cleaning is cleaned as `clean_text` cleans it, wherever it stands, and each distinct
    value is one object."""
    from workload_xl.core.values import clean_text

    rows = [
        [name, f"R{i}", code, "x", kind, float(i), ""]
        for i, (name, code, kind) in enumerate(
            [("Bo Chan", "CIN", "case"), (odd, f" {odd}", "Case"), ("Bo Chan", "CIN", "case")] * 5
        )
    ]
    names, refs, codes, kinds, points = return_reader._clean_lines(rows, (0, 1, 2, 4, 5))
    assert refs == tuple(row[1] for row in rows)
    assert names == tuple(clean_text(row[0]) for row in rows)
    assert codes == tuple(clean_text(row[2]) for row in rows)
    assert kinds == ("case",) * len(rows) and points == tuple(map(float, range(len(rows))))
    assert len({id(name) for name in names}) == len(set(names)) == 2


@pytest.mark.parametrize("value", [None, "=1/0"], ids=["blank", "error value"])
def test_blank_or_error_agreed_points_are_a_warning_at_the_cell_and_count_zero(
    copy, registry, built, value
):
    """Calamine reads an error such as #DIV/0! as empty, so both look alike to the reader:
    the row is kept, counts 0, and the warning says which cell to look at."""
    _, before, _ = table_rows(load_workbook(built), tl.CASES_TABLE)
    index = next(i for i, r in enumerate(before) if r["Worker"] == "Bob Birch")
    path = copy(set_table_cell(tl.CASES_TABLE, "Agreed points", value))
    ret, findings = read_team_return(path, registry)
    # and the Team sheet's total, made when the row had points, no longer matches the rows
    assert sorted(f.rule for f in findings) == ["return-points-blank", "return-total-mismatch"]
    warning = next(f for f in findings if f.rule == "return-points-blank")
    ws, _, rows = table_rows(load_workbook(path), tl.CASES_TABLE)
    assert (warning.sheet, warning.cell) == (
        ws.title,
        f"{column_of(ws, tl.CASES_TABLE, 'Agreed points')}{rows[index]}",
    )
    assert ret is not None and "Bob Birch" in warning.message
    bob = next(w for w in ret.workers if w.worker == "Bob Birch")
    expected = BY_NAME["Bob Birch"].total - before[index]["Agreed points"]
    assert bob.total_points == pytest.approx(expected)


def _read_row_by_row(path: Path, registry, monkeypatch):
    """The return read with the TeamWorkers rows taken one by one, as before the column-wise
    read: what `_clean_workers` must give for the rows it takes."""
    with monkeypatch.context() as patched:
        patched.setattr(return_reader, "_clean_workers", lambda grid, expect: None)
        return read_team_return(path, registry)


def test_the_column_wise_workers_read_gives_what_the_row_by_row_read_gives(
    built, registry, monkeypatch
):
    taken = []
    clean = return_reader._clean_workers
    monkeypatch.setattr(
        return_reader,
        "_clean_workers",
        lambda grid, expect: taken.append(clean(grid, expect)) or taken[-1],
    )
    ret, findings = read_team_return(built, registry)
    assert taken and taken[0] is not None, "the tool's own rows take the column-wise read"
    slow, slow_findings = _read_row_by_row(built, registry, monkeypatch)
    assert vars(ret) == vars(slow) and findings == slow_findings
    assert [w.worker for w in ret.workers] == [w.name for w in ROSTER]


@pytest.mark.parametrize(
    ("heading", "value"),
    [
        ("Worker", " Bob  Birch "),  # text that needs cleaning
        ("Worker", "Ann Ash"),  # a second row for a worker in the figures
        ("Experience band", 3),  # a number where text is written
        ("FTE", None),  # blank
        ("FTE", 0.001),
        ("Cases", "12"),  # a number typed as text
        ("In team figures", "Yes"),  # another case: read, but not as written
        ("In team figures", "no"),
    ],
)
def test_rows_the_column_wise_read_declines_are_read_row_by_row(
    copy, registry, monkeypatch, heading, value
):
    """Each of these makes `_clean_workers` decline the whole table; the return and findings
    are then the row-by-row read's, whatever they are."""
    path = copy(set_table_cell(tl.TEAM_TABLE, heading, value))
    assert read_team_return(path, registry) == _read_row_by_row(path, registry, monkeypatch)


WORKBOOK_PARTS = {
    "as written": None,  # the built workbook's own part
    "a child element in a defined name": b'<definedNames><definedName name="TeamName" '
    b"localSheetId=\"0\">'Team'!$B$4<b/>'Team'!$B$5</definedName></definedNames>",
    "text after the child": b'<definedNames><definedName name="A"> x <b>y</b> z</definedName>'
    b"</definedNames>",
    "two sheet lists, the last wins": b'<sheets><sheet name="One"/></sheets><sheets>'
    b'<sheet name="Two"/><other name="No"/></sheets>',
    "a sheet in another namespace and a namespaced name": b'<sheets><x:sheet xmlns:x="urn:x" '
    b'name="Ns"/><sheet xmlns:x="urn:x" x:name="Attr"/></sheets>',
    "two defined-name lists": b'<definedNames><definedName name="A">1</definedName>'
    b'</definedNames><definedNames><other name="B" localSheetId="9">2</other></definedNames>',
    "references and a section": b'<definedNames><definedName name="A">&amp;&#65;'
    b"<![CDATA[<c>]]></definedName></definedNames>",
    "a name nested deeper": b'<x><definedNames><definedName name="A">1</definedName>'
    b"</definedNames></x>",
}


@pytest.mark.parametrize("case", list(WORKBOOK_PARTS))
def test_the_workbook_part_read_from_events_is_the_tree_read(case, built):
    with zipfile.ZipFile(built) as archive:
        part = archive.read("xl/workbook.xml")
    extra = WORKBOOK_PARTS[case]
    if extra is not None:
        part = part.replace(b"<calcPr", extra + b"<calcPr", 1)
        assert extra in part
    events = return_reader._WorkbookPart.read(part)
    assert events == return_reader._workbook_tree(part)
    assert events[0], "the part's sheets are read"


def test_a_workbook_part_expat_refuses_raises_the_tree_parsers_error():
    """The finding for a damaged part names the error the tree parser gives (ParseError),
    as before the part was read from events."""
    with pytest.raises(Exception) as raised:
        return_reader._workbook_names(b"<workbook><sheets></workbook>")
    assert type(raised.value).__name__ == "ParseError"
    assert "mismatched tag" in str(raised.value)
