"""The team workbook as files: totals LibreOffice calculates, the chart, and no case names.

Worker workbooks are written with the package's own template writer from the roster below, and
the team workbook is built from them with `build_team_files`, as the CLI does. Every figure the
tests expect is worked out here from the roster alone (sums, and the statistics module), never
taken from the package. Workers whose sheets have errors are listed on the team sheet but left
out of its figures, so the roster holds two of them, with points that would change every total.
"""

from __future__ import annotations

import datetime as dt
import html
import json
import posixpath
import re
import statistics
import subprocess
import sys
import xml.etree.ElementTree as ET
import zipfile
from collections import Counter
from collections.abc import Collection
from dataclasses import dataclass
from pathlib import Path

import pytest
from openpyxl import load_workbook
from openpyxl.utils import range_boundaries

from tests.libreoffice import (
    recalculate,
    require_soffice,
    run_soffice,
)
from workload_xl.contracts import team as tl
from workload_xl.contracts import worker as layout
from workload_xl.core.schemes import SchemeRegistry
from workload_xl.files.worker_template import (
    WorkerSheetContent,
    build_team_of_worker_sheets,
    write_worker_workbook,
)
from workload_xl.services.build_team import TeamRun, build_team_files

CSC = "childrens-social-care"
TEAM = "First Response East"
SERVICE = "First Response"
PERIOD = "2026-10"

# --- the roster: what the test writes, and so what it expects -------------------------------


@dataclass(frozen=True)
class Line:
    item: str
    points: float
    quantity: float | None = None
    ref: str = ""
    name: str = ""  # the child's name: it must never leave the worker's own workbook


@dataclass(frozen=True)
class Worker:
    name: str
    band: str
    fte: float | None
    lines: tuple[Line, ...]
    broken: str = ""  # how the sheet was made wrong; "" for a sheet that should count

    @property
    def counted(self) -> bool:
        return not self.broken

    @property
    def file(self) -> str:
        return f"{self.name.split()[0].lower()}.xlsx"

    @property
    def total_points(self) -> float:
        return sum(line.points for line in self.lines)

    @property
    def points_per_fte(self) -> float:
        return self.total_points / self.fte

    def content(self) -> WorkerSheetContent:
        header = {
            "worker": self.name,
            "team": TEAM,
            "service": SERVICE,
            "period": PERIOD,
            "fte": self.fte,
            "band": self.band,
            "manager": "Sam Okoro",
            "date_agreed": dt.date(2026, 10, 28),
        }
        lines = [
            {
                "case_ref": line.ref or None,
                "case_name": line.name or None,
                "item": line.item,
                "quantity": line.quantity,
                "agreed_points": line.points,
            }
            for line in self.lines
        ]
        return WorkerSheetContent(header, lines)


_numbers = iter(range(1, 100))


def case(item: str, points: float, *, ref: bool = True) -> Line:
    """A case row with a distinctive made-up child's name, and a reference unless told not."""
    n = next(_numbers)
    return Line(item, points, ref=f"FRE-{40100 + n}" if ref else "", name=f"Zyxwvut Qwertyson-{n}")


def activity(item: str, quantity: float, points: float) -> Line:
    return Line(item, points, quantity)


ROSTER: tuple[Worker, ...] = (
    Worker(
        "Ada Lovell",
        "Social worker",
        1.0,
        (
            case("Child in need", 5),
            case("Child protection plan", 8),
            case("Looked after child", 7),
            activity("Duty day", 3, 6),
            activity("Training day", 2, 3),
        ),
    ),
    Worker(
        "Ben Okafor",
        "Social worker",
        0.6,
        (
            case("Child in need", 6),
            case("Child protection enquiry (section 47)", 6),
            activity("Duty day", 2, 4),
        ),
    ),
    Worker(
        "Cara Singh",
        "Social worker",
        0.8,
        (
            case("Child protection plan", 9),
            case("Pre-proceedings (PLO)", 8),
            case("Care proceedings", 12),
            activity("Court day", 1, 2),
        ),
    ),
    Worker(
        "Dev Patel",
        "Newly qualified (ASYE)",
        0.5,
        (case("Assessment in progress", 4), case("Child in need", 5)),
    ),
    Worker(
        "Ema Novak",
        "Senior practitioner",
        0.9,
        (
            case("Care proceedings", 14),
            case("Looked after child, placed out of area", 10),
            case("Child protection plan", 8),
            activity("Student supervision", 2, 3),
        ),
    ),
    Worker(
        "Fay Quinn",
        "Social worker",
        None,
        (case("Child in need", 5), case("Child protection plan", 8)),
        broken="FTE left blank",
    ),
    Worker(
        "Gus Reyes",
        "Senior practitioner",
        1.0,
        (
            case("Child protection plan", 25),
            case("Looked after child", 7, ref=False),
            activity("Duty day", 1, 2),
        ),
        broken="points out of range, and a case row with a name but no reference",
    ),
)

COUNTED = [w for w in ROSTER if w.counted]
NOT_COUNTED = [w for w in ROSTER if not w.counted]

NOTE_ON = ROSTER[1]  # a counted worker who typed a note beside the table
NOTE_NAME = "Zyxwvut Qwertyson-Note"
NOTE = f"Ring {NOTE_NAME}'s foster carer on Monday"

CASE_NAMES = [line.name for w in ROSTER for line in w.lines if line.name] + [NOTE_NAME]
CASE_REFS = [line.ref for w in ROSTER for line in w.lines if line.ref]
NAME_WORDS = ["Zyxwvut", "Qwertyson"]  # any part of any name, in any case

NATIVE_TOTALS = [f.name for f in tl.TEAM_TOTALS if f.formula]
PYTHON_TOTALS = [f.name for f in tl.TEAM_TOTALS if not f.formula]


def is_case(registry: SchemeRegistry, line: Line) -> bool:
    return registry.get(CSC).item_by_label(line.item).kind == "case"


def expected_native_totals(registry: SchemeRegistry) -> dict[str, float]:
    """The Team sheet's formula totals, by plain arithmetic over the counted workers' rows."""
    fte = sum(w.fte for w in COUNTED)
    points = sum(w.total_points for w in COUNTED)
    return {
        "TeamWorkerCount": len(COUNTED),
        "TeamTotalFTE": fte,
        "TeamCaseCount": sum(is_case(registry, line) for w in COUNTED for line in w.lines),
        "TeamTotalPoints": points,
        "TeamPointsPerFTE": points / fte,
    }


CAPACITY_FACTORS = {"Social worker": 1.0, "Newly qualified (ASYE)": 0.9, "Senior practitioner": 1.0}
"""The children's scheme's bands, as its file gives them; its reference level is 100 points."""


def load_against_expected(w: Worker) -> float:
    return w.total_points / (100 * CAPACITY_FACTORS[w.band] * w.fte)


def expected_python_totals() -> dict[str, float]:
    """The figures Python writes as values: statistics of the counted workers' points per FTE
    and of their loads against expected."""
    ppf = [w.points_per_fte for w in COUNTED]
    loads = [load_against_expected(w) for w in COUNTED]
    return {
        "TeamMeanPPF": statistics.fmean(ppf),
        "TeamMedianPPF": statistics.median(ppf),
        "TeamMedianLoad": statistics.median(loads),
        "TeamSpread": statistics.stdev(loads) / statistics.fmean(loads),
    }


# Python rounds what it writes: points per FTE to 2 places, loads and the spread to 4.
WRITTEN_TOLERANCE = {
    "TeamMeanPPF": 0.005,
    "TeamMedianPPF": 0.005,
    "TeamMedianLoad": 0.00005,
    "TeamSpread": 0.00005,
}


# --- writing the files ----------------------------------------------------------------------


@dataclass
class Built:
    inputs: list[Path]
    output: Path
    run: TeamRun


def note_beside_table(ws) -> str:
    """Type the note two columns right of the worker's table, as a worker jotting a reminder."""
    (ref,) = [r for name, r in ws.tables.items() if name.startswith(layout.TABLE_NAME)]
    _, top, last_column, _ = range_boundaries(ref)
    cell = ws.cell(top + 2, last_column + 2, NOTE)
    return cell.coordinate


def check_built(run: TeamRun, output: Path) -> None:
    problems = [str(f) for f in run.build.findings if f.rule.startswith(("output", "file"))]
    assert run.written and output.is_file(), problems
    assert run.build.team is not None


@pytest.fixture(scope="module")
def from_files(tmp_path_factory, registry) -> Built:
    """One worker workbook per worker, then the team workbook built from them."""
    folder = tmp_path_factory.mktemp("team-from-files")
    scheme = registry.get(CSC)
    inputs = []
    for worker in ROSTER:
        path = folder / worker.file
        assert write_worker_workbook(path, scheme, worker.content()) == []
        inputs.append(path)
    noted = folder / NOTE_ON.file
    wb = load_workbook(noted)
    note_beside_table(wb[layout.MEASUREMENT_SHEET])
    wb.save(noted)
    output = folder / "team-from-files.xlsx"
    run = build_team_files(inputs, output, registry=registry)
    check_built(run, output)
    return Built(inputs, output, run)


@pytest.fixture(scope="module")
def from_tabs(tmp_path_factory, registry) -> Built:
    """The same workers as tabs of one workbook, then the team workbook built from it."""
    folder = tmp_path_factory.mktemp("team-from-tabs")
    wb = build_team_of_worker_sheets(registry.get(CSC), [w.content() for w in ROSTER])
    assert NOTE_ON.name in wb.sheetnames, wb.sheetnames
    note_beside_table(wb[NOTE_ON.name])
    source = folder / "one-tab-per-worker.xlsx"
    wb.save(source)
    output = folder / "team-from-tabs.xlsx"
    run = build_team_files([source], output, registry=registry)
    check_built(run, output)
    return Built([source], output, run)


@pytest.fixture(scope="module")
def recalculated(from_files, from_tabs, tmp_path_factory) -> dict[Path, Path]:
    """Both team workbooks recalculated by LibreOffice in one batch: source -> result."""
    soffice = require_soffice()
    sources = [from_files.output, from_tabs.output]
    outdir = tmp_path_factory.mktemp("team-recalculated")
    converted = recalculate(sources, outdir, soffice=soffice)
    return dict(zip(sources, converted, strict=True))


# --- reading the files back -----------------------------------------------------------------


def team_sheet(path: Path, *, data_only: bool = True):
    return load_workbook(path, data_only=data_only)[tl.TEAM_SHEET]


def named_value(ws, name: str):
    """The value of the cell a Team-sheet-scoped defined name points at."""
    assert name in ws.defined_names, f"the Team sheet has no defined name {name}"
    ((sheet, ref),) = list(ws.defined_names[name].destinations)
    assert sheet == ws.title, f"{name} points at {sheet}, not the Team sheet"
    return ws[ref.replace("$", "")].value


def team_records(ws) -> tuple[int, dict[str, int], list[dict]]:
    """(first data row, header -> column, one dict per row) of the TeamWorkers table."""
    assert tl.TEAM_TABLE in ws.tables, f"no {tl.TEAM_TABLE} table on the Team sheet"
    min_col, min_row, max_col, max_row = range_boundaries(ws.tables[tl.TEAM_TABLE].ref)
    headers = {ws.cell(min_row, col).value: col for col in range(min_col, max_col + 1)}
    records = [
        {header: ws.cell(row, col).value for header, col in headers.items()}
        for row in range(min_row + 1, max_row + 1)
    ]
    return min_row + 1, headers, records


def parts_mentioning(xlsx: Path, needles: list[str]) -> dict[str, list[str]]:
    """Every part of the zip (its name and its text, XML entities decoded) holding a needle,
    case-insensitively: cells, strings, comments, charts, drawings, docProps, defined names."""
    found = {}
    with zipfile.ZipFile(xlsx) as package:
        for info in package.infolist():
            text = html.unescape(package.read(info).decode("utf-8", errors="replace"))
            haystack = f"{info.filename}\n{text}".casefold()
            hits = [needle for needle in needles if needle.casefold() in haystack]
            if hits:
                found[info.filename] = hits
    return found


def mentioned(text: str, needles: list[str]) -> list[str]:
    return [needle for needle in needles if needle.casefold() in text.casefold()]


# --- the package's XML, followed the way Excel follows it -----------------------------------

NS = {
    "main": "http://schemas.openxmlformats.org/spreadsheetml/2006/main",
    "r": "http://schemas.openxmlformats.org/officeDocument/2006/relationships",
    "rel": "http://schemas.openxmlformats.org/package/2006/relationships",
    "c": "http://schemas.openxmlformats.org/drawingml/2006/chart",
    "a": "http://schemas.openxmlformats.org/drawingml/2006/main",
}


def relations(package: zipfile.ZipFile, part: str) -> list[tuple[str, str, str]]:
    """(id, type's last word, target part) for each internal relationship of a part."""
    folder, name = posixpath.split(part)
    rels = posixpath.join(folder, "_rels", f"{name}.rels")
    if rels not in package.namelist():
        return []
    found = []
    for rel in ET.fromstring(package.read(rels)).findall("rel:Relationship", NS):
        if rel.get("TargetMode") == "External":
            continue
        target = rel.get("Target")
        path = target.lstrip("/") if target.startswith("/") else posixpath.join(folder, target)
        found.append((rel.get("Id"), rel.get("Type").rsplit("/", 1)[-1], posixpath.normpath(path)))
    return found


def sheet_part(package: zipfile.ZipFile, title: str) -> str:
    workbook = ET.fromstring(package.read("xl/workbook.xml"))
    (rid,) = [
        sheet.get(f"{{{NS['r']}}}id")
        for sheet in workbook.iterfind(".//main:sheet", NS)
        if sheet.get("name") == title
    ]
    (part,) = [path for i, _, path in relations(package, "xl/workbook.xml") if i == rid]
    return part


def charts_on_sheet(package: zipfile.ZipFile, title: str) -> list[str]:
    charts = []
    for _, kind, drawing in relations(package, sheet_part(package, title)):
        if kind == "drawing":
            charts += [path for _, k, path in relations(package, drawing) if k == "chart"]
    return charts


def reference(series, where: str) -> tuple[str, tuple[int, int, int, int]]:
    """(sheet, (min col, min row, max col, max row)) of a series' formula, e.g. its values."""
    formula = series.find(f"c:{where}//c:f", NS)
    assert formula is not None, f"the series has no {where} reference"
    sheet, _, cells = formula.text.rpartition("!")
    return sheet.strip("'").replace("''", "'"), range_boundaries(cells.replace("$", ""))


def render_pdf(source: Path, outdir: Path, soffice: str) -> subprocess.CompletedProcess:
    return run_soffice([source], outdir, "pdf", soffice)


# --- the roster is what the tests say it is -------------------------------------------------


def test_only_the_deliberately_broken_sheets_have_errors(from_files):
    errors = {f.workbook for f in from_files.run.build.findings if f.severity == "error"}
    broken = {str(path) for path, w in zip(from_files.inputs, ROSTER, strict=True) if w.broken}
    assert errors == broken
    assert NOT_COUNTED and all(w.total_points > 0 for w in NOT_COUNTED)


def test_every_worker_is_listed_and_only_clean_sheets_are_in_team_figures(from_files, registry):
    _, _, records = team_records(team_sheet(from_files.output))
    by_worker = {r["Worker"]: r for r in records}
    assert sorted(by_worker) == sorted(w.name for w in ROSTER)
    for w in ROSTER:
        row = by_worker[w.name]
        assert row["In team figures"] == ("yes" if w.counted else "no"), w.name
        assert row["Experience band"] == w.band, w.name
        assert row["FTE"] == w.fte, w.name
        assert row["Cases"] == sum(is_case(registry, line) for line in w.lines), w.name
        assert row["Total points"] == pytest.approx(w.total_points), w.name
    for w in COUNTED:
        assert by_worker[w.name]["Points per FTE"] == pytest.approx(w.points_per_fte, abs=0.005)


# --- 1. totals: LibreOffice's native formulas, and Python's values ---------------------------


def test_python_writes_the_mean_median_and_spread_of_the_counted_workers(from_files):
    expected = expected_python_totals()
    assert sorted(expected) == sorted(PYTHON_TOTALS), "a Python-written total is left unchecked"
    ws = team_sheet(from_files.output, data_only=False)
    for name, value in expected.items():
        written = named_value(ws, name)
        assert isinstance(written, int | float), f"{name} is {written!r}, not a number"
        assert written == pytest.approx(value, abs=WRITTEN_TOLERANCE[name]), name


@pytest.mark.libreoffice
def test_libreoffice_calculates_every_team_total_from_the_counted_workers_only(
    from_files, recalculated, registry
):
    expected = expected_native_totals(registry)
    assert sorted(expected) == sorted(NATIVE_TOTALS), "a formula total is left unchecked"
    written = team_sheet(from_files.output, data_only=False)
    for name in NATIVE_TOTALS:
        assert str(named_value(written, name)).startswith("="), f"{name} is not a formula"

    ws = team_sheet(recalculated[from_files.output])
    calculated = {name: named_value(ws, name) for name in NATIVE_TOTALS}
    assert calculated == pytest.approx(expected)
    every_row = sum(w.total_points for w in ROSTER)
    assert calculated["TeamTotalPoints"] != pytest.approx(every_row), "nothing was left out"


@pytest.mark.libreoffice
def test_python_written_totals_survive_libreoffice_recalculation(from_files, recalculated):
    ws = team_sheet(recalculated[from_files.output])
    for name, value in expected_python_totals().items():
        assert named_value(ws, name) == pytest.approx(value, abs=WRITTEN_TOLERANCE[name]), name


# --- 2. the chart, and printing ---------------------------------------------------------------


def test_the_team_sheet_has_one_chart_of_each_workers_load_against_expected(from_files):
    first, headers, records = team_records(team_sheet(from_files.output))
    counted_rows = [first + i for i, r in enumerate(records) if r["In team figures"] == "yes"]
    assert len(counted_rows) == len(COUNTED)
    top, bottom = counted_rows[0], counted_rows[-1]
    assert counted_rows == list(range(top, bottom + 1)), "counted rows are not together"
    by_name = {r["Worker"]: r for r in records}
    for w in COUNTED:
        loaded = by_name[w.name]["Load against expected"]
        assert loaded == pytest.approx(load_against_expected(w), abs=5e-5), w.name

    with zipfile.ZipFile(from_files.output) as package:
        charts = [n for n in package.namelist() if re.fullmatch(r"xl/charts/chart\d+\.xml", n)]
        assert charts == ["xl/charts/chart1.xml"]
        assert charts_on_sheet(package, tl.TEAM_SHEET) == ["xl/charts/chart1.xml"]
        chart = ET.fromstring(package.read("xl/charts/chart1.xml"))

    plot = chart.find("c:chart/c:plotArea", NS)
    (bars,) = plot.findall("c:barChart", NS)
    assert plot.findall("c:lineChart", NS) == []
    assert bars.find("c:barDir", NS).get("val") == "col"
    (bar_series,) = bars.findall("c:ser", NS)

    def column(header: str) -> tuple[int, int, int, int]:
        return (headers[header], top, headers[header], bottom)

    def heading(header: str) -> tuple[int, int, int, int]:
        return (headers[header], first - 1, headers[header], first - 1)

    sheet = tl.TEAM_SHEET
    assert reference(bar_series, "val") == (sheet, column("Load against expected"))
    assert reference(bar_series, "tx") == (sheet, heading("Load against expected"))
    assert reference(bar_series, "cat") == (sheet, column("Worker"))


@pytest.mark.libreoffice
def test_libreoffice_prints_the_team_workbook_to_pdf(from_files, tmp_path):
    soffice = require_soffice()
    done = render_pdf(from_files.output, tmp_path, soffice)
    pdf = tmp_path / f"{from_files.output.stem}.pdf"
    output = f"stdout: {done.stdout}\nstderr: {done.stderr}"
    assert done.returncode == 0, output
    assert not re.search(r"^Error", f"{done.stdout}\n{done.stderr}", re.MULTILINE), output
    assert pdf.is_file(), output
    data = pdf.read_bytes()
    assert data.startswith(b"%PDF-") and data.rstrip().endswith(b"%%EOF")
    pages = len(re.findall(rb"/Type\s*/Page\b(?!s)", data))
    sheets = len(load_workbook(from_files.output).sheetnames)
    assert pages >= sheets, f"{pages} pages for {sheets} sheets"


# --- 3. personal data ------------------------------------------------------------------------


def test_the_worker_sheets_hold_the_case_names_so_the_search_can_find_them(from_files):
    found = set()
    for path in from_files.inputs:
        found |= {name for hits in parts_mentioning(path, CASE_NAMES).values() for name in hits}
    assert found == set(CASE_NAMES)
    noted = from_files.inputs[ROSTER.index(NOTE_ON)]
    flagged = [
        f
        for f in from_files.run.build.findings
        if f.workbook == str(noted) and f.rule == "outside-table"
    ]
    assert flagged, "the note beside the table was not noticed"


def test_no_case_name_reaches_any_part_of_the_team_workbook(from_files):
    with zipfile.ZipFile(from_files.output) as package:
        parts = set(package.namelist())
    searched = {"xl/workbook.xml", "docProps/core.xml", "docProps/app.xml", "xl/charts/chart1.xml"}
    assert searched <= parts
    assert any(part.startswith("xl/comments") for part in parts), "no comments to search"
    assert parts_mentioning(from_files.output, CASE_NAMES + NAME_WORDS) == {}


def test_the_team_workbook_carries_every_case_reference(from_files):
    hits = parts_mentioning(from_files.output, CASE_REFS).values()
    assert {ref for refs in hits for ref in refs} == set(CASE_REFS)
    cases = load_workbook(from_files.output)[tl.CASES_SHEET]
    refs = {row[1] for row in cases.iter_rows(min_row=2, values_only=True)}
    assert set(CASE_REFS) <= refs


@pytest.mark.parametrize("output_format", ["json", "text"])
def test_build_team_on_the_command_line_prints_no_case_name(from_files, tmp_path, output_format):
    output = tmp_path / "team-from-cli.xlsx"
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "workload_xl",
            "build-team",
            *map(str, from_files.inputs),
            "-o",
            str(output),
            "--format",
            output_format,
        ],
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
        stdin=subprocess.DEVNULL,
    )
    assert done.returncode == 1, done.stderr  # written, but the broken sheets have errors
    assert output.is_file()
    if output_format == "json":
        report = json.loads(done.stdout)
        assert report["written"] == str(output)
        assert any(f["rule"] == "outside-table" for f in report["findings"])
        values = [str(f["value"]) for f in report["findings"] if f["value"] is not None]
        assert mentioned("\n".join(values), CASE_NAMES + NAME_WORDS) == []
    assert mentioned(done.stdout, CASE_NAMES + NAME_WORDS) == []
    assert mentioned(done.stderr, CASE_NAMES + NAME_WORDS) == []
    assert parts_mentioning(output, CASE_NAMES + NAME_WORDS) == {}


# --- 4. one workbook with a tab per worker ---------------------------------------------------


def without_source(team) -> list[dict]:
    rows = []
    for w in team.workers:
        row = dict(vars(w))
        row.pop("source")
        rows.append(row)
    return rows


def team_findings(run: TeamRun, output: Path) -> Counter:
    return Counter(
        (f.rule, f.severity, f.cell, f.field, str(f.value), f.message)
        for f in run.build.findings
        if f.workbook == str(output)
    )


def sheet_findings(run: TeamRun, output: Path) -> Counter:
    """The worker sheets' findings, wherever each sheet lives."""
    return Counter(
        (f.rule, f.severity, f.cell, f.field, str(f.value), f.message)
        for f in run.build.findings
        if f.workbook != str(output)
    )


def sheet_values(ws, skip_columns: Collection[int] = ()) -> dict[str, object]:
    return {
        cell.coordinate: cell.value
        for row in ws.iter_rows()
        for cell in row
        if cell.value is not None and cell.column not in skip_columns
    }


def test_a_workbook_with_a_tab_per_worker_gives_the_same_team_as_separate_files(
    from_files, from_tabs
):
    one, many = from_tabs.run.build.team, from_files.run.build.team
    for figure in (
        "team",
        "service",
        "period",
        "scheme_id",
        "scheme_version",
        "manager",
        "total_points",
        "total_fte",
        "points_per_fte",
        "mean_ppf",
        "median_ppf",
        "spread",
    ):
        assert getattr(one, figure) == getattr(many, figure), figure
    assert without_source(one) == without_source(many)
    assert sorted(one.cases, key=repr) == sorted(many.cases, key=repr)
    assert team_findings(from_tabs.run, from_tabs.output) == team_findings(
        from_files.run, from_files.output
    )
    assert sheet_findings(from_tabs.run, from_tabs.output) == sheet_findings(
        from_files.run, from_files.output
    )
    source = from_tabs.inputs[0]
    assert {w.source for w in one.workers} == {
        f"{source.parent.name}/{source.name} ({w.name})" for w in ROSTER
    }


def test_a_workbook_with_a_tab_per_worker_writes_the_same_team_workbook(from_files, from_tabs):
    one = load_workbook(from_tabs.output)
    many = load_workbook(from_files.output)
    assert one.sheetnames == many.sheetnames
    _, headers, _ = team_records(one[tl.TEAM_SHEET])
    source = {headers["Source"]}
    assert sheet_values(one[tl.TEAM_SHEET], source) == sheet_values(many[tl.TEAM_SHEET], source)
    for title in (tl.CASES_SHEET, tl.HISTORY_SHEET):
        assert sheet_values(one[title]) == sheet_values(many[title]), title


@pytest.mark.libreoffice
def test_libreoffice_totals_agree_for_a_tab_per_worker_and_separate_files(
    from_files, from_tabs, recalculated, registry
):
    totals = [f.name for f in tl.TEAM_TOTALS]
    one = team_sheet(recalculated[from_tabs.output])
    many = team_sheet(recalculated[from_files.output])
    assert {n: named_value(one, n) for n in totals} == {n: named_value(many, n) for n in totals}
    assert {n: named_value(one, n) for n in NATIVE_TOTALS} == pytest.approx(
        expected_native_totals(registry)
    )


def test_a_name_typed_into_the_item_column_does_not_reach_the_team_output(tmp_path, registry):
    slipped = "Zyxwvut Qwertyson-Slip"
    worker = Worker("Hal Moss", "Social worker", 1.0, (Line(slipped, 5, ref="FRE-49901"),))
    inputs = []
    for w in (ROSTER[0], worker):
        inputs.append(tmp_path / w.file)
        assert write_worker_workbook(inputs[-1], registry.get(CSC), w.content()) == []
    output = tmp_path / "team.xlsx"
    run = build_team_files(inputs, output, registry=registry)
    check_built(run, output)
    assert any(f.rule == "item-unknown" for f in run.build.findings)
    carried = "\n".join(f"{f.message}\n{f.value}" for f in run.build.findings)
    assert parts_mentioning(output, [slipped]) == {}
    assert mentioned(carried, [slipped]) == []
