"""The committed worker templates, filled in and recalculated by LibreOffice, total correctly.

Each template in templates/ is loaded as committed (never regenerated), filled the way a worker
would fill it and saved as a copy; LibreOffice headless recalculates every copy in one batch.
The native formulas' results must equal what the scheme and plain arithmetic say, and what
workload_xl computes from the same rows.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook
from openpyxl.utils import range_boundaries

from tests.libreoffice import recalculate, require_soffice
from workload_xl.contracts import worker as layout
from workload_xl.core.period import MONTH
from workload_xl.core.schemes import SchemeRegistry
from workload_xl.services.validate import validate_files

pytestmark = pytest.mark.libreoffice

ROOT = Path(__file__).resolve().parents[1]
TEMPLATES = sorted((ROOT / "templates").glob("worker-*.xlsx"))
TEMPLATE_IDS = [path.stem for path in TEMPLATES]
NEGATIVE_TEMPLATE = TEMPLATES[0] if TEMPLATES else None
STALE_TEMPLATE = TEMPLATES[-1] if TEMPLATES else None

FTE = 0.8
ACTIVITY_QUANTITIES = (2, None, 0.5, 3)  # None: left blank, which counts as 1
TOTAL_RULES = ("total-mismatch", "total-not-formula")


@dataclass(frozen=True)
class PlannedRow:
    """One table row as the test wrote it, with what the scheme says it is worth."""

    row: int
    label: str
    kind: str
    unit: str
    quantity: float | None
    scheme_points: float
    agreed: float

    @property
    def adjusted(self) -> bool:
        return self.agreed != self.scheme_points


@dataclass
class FilledCopy:
    template: Path
    template_sha: str
    path: Path
    fte: float
    rows: list[PlannedRow]
    blank_rows: list[int]
    columns: dict[str, str]  # layout column key -> letter
    totals: dict[str, str] = field(default_factory=dict)  # defined name -> cell address
    typed_total: float | None = None


@dataclass
class Batch:
    filled: dict[str, FilledCopy]  # template file name -> its filled copy
    negative: FilledCopy
    stale: FilledCopy
    converted: dict[Path, Path]  # filled copy -> LibreOffice's recalculated file


# --- reading the workbook contract ----------------------------------------------------------


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def named_cell(wb, ws, name: str):
    """The cell a defined name points at: the sheet's own name first, then the workbook's."""
    for scope in (ws.defined_names, wb.defined_names):
        defined = scope.get(name)
        if defined is not None:
            ((sheet, ref),) = list(defined.destinations)
            return wb[sheet][ref.replace("$", "")]
    raise AssertionError(f"{ws.title} has no defined name {name}")


def find_table(ws, prefix: str):
    for table in ws.tables.values():
        if table.displayName.lower().startswith(prefix.lower()):
            return table
    raise AssertionError(f"{ws.title} has no table named {prefix}")


def table_columns(ws, table) -> tuple[int, int, dict[str, int]]:
    """(first data row, last row, header text -> column number) of a table."""
    min_col, min_row, max_col, max_row = range_boundaries(table.ref)
    headers = {ws.cell(min_row, col).value: col for col in range(min_col, max_col + 1)}
    return min_row + 1, max_row - (table.totalsRowCount or 0), headers


def table_records(ws, name: str) -> list[dict[str, Any]]:
    first, last, headers = table_columns(ws, find_table(ws, name))
    return [
        {header: ws.cell(row, col).value for header, col in headers.items()}
        for row in range(first, last + 1)
    ]


def measurement_sheet(wb):
    return wb[layout.MEASUREMENT_SHEET]


# --- filling a template the way a worker would ----------------------------------------------


def plan_rows(items: list[dict[str, Any]], first_row: int) -> tuple[list[PlannedRow], list[int]]:
    """One row per scheme item, one empty row among them; every third row's points adjusted."""
    planned, blank_rows = [], []
    row = first_row
    activities = 0
    for index, item in enumerate(items):
        if index == 3:
            blank_rows.append(row)  # an empty row in the middle counts as nothing
            row += 1
        quantity = None
        if item["Kind"] == "activity":
            quantity = ACTIVITY_QUANTITIES[activities % len(ACTIVITY_QUANTITIES)]
            activities += 1
        times = 1 if quantity is None else quantity
        scheme_points = item["Points"] * times
        agreed = scheme_points
        if index % 3 == 1:  # adjusted, but within the scheme's range
            other = item["Max"] if item["Max"] != item["Points"] else item["Min"]
            agreed = (item["Points"] + other) / 2 * times
        planned.append(
            PlannedRow(
                row, item["Label"], item["Kind"], item["Unit"], quantity, scheme_points, agreed
            )
        )
        row += 1
    return planned, blank_rows


def fill_template(
    template: Path, copy: Path, registry: SchemeRegistry, *, typed_total: float | None = None
) -> FilledCopy:
    template_sha = sha256(template)
    wb = load_workbook(template)
    ws = measurement_sheet(wb)
    scheme_sheet = wb[layout.SCHEME_SHEET]
    items = table_records(scheme_sheet, layout.SCHEME_ITEMS_TABLE)
    bands = table_records(scheme_sheet, layout.SCHEME_BANDS_TABLE)
    services = table_records(scheme_sheet, layout.SCHEME_SERVICES_TABLE)
    scheme = registry.get(named_cell(wb, ws, "SchemeId").value)
    assert scheme is not None, f"{template.name} names no known scheme"

    header = {
        "Worker": "Alex Example",
        "Team": "North Team",
        "Service": services[0]["Service"],
        "Period": "2026-10" if scheme.period == MONTH else "2026-P07",
        "FTE": FTE,
        "ExperienceBand": bands[0]["Band"],
        "Manager": "Sam Manager",
        "DateAgreed": dt.date(2026, 10, 28),
    }
    for name, value in header.items():
        named_cell(wb, ws, name).value = value

    table = find_table(ws, layout.TABLE_NAME)
    first, last, headers = table_columns(ws, table)
    by_key = {c.key: headers[c.header] for c in layout.COLUMNS}
    planned, blank_rows = plan_rows(items, first)
    assert planned[-1].row <= last, f"{template.name}'s table is too short for the test"
    for number, line in enumerate(planned, start=1):
        cells = {"item": line.label, "quantity": line.quantity, "agreed_points": line.agreed}
        if line.kind == "case":
            cells |= {"case_ref": f"REF-{number:04d}", "case_name": f"Child {number}"}
        if line.adjusted:
            cells["notes"] = "Agreed with the manager: more complex than usual."
        for key, value in cells.items():
            ws.cell(line.row, by_key[key]).value = value

    totals = {t.name: named_cell(wb, ws, t.name).coordinate for t in layout.TOTAL_FIELDS}
    if typed_total is not None:  # a user typing over the total, before LibreOffice sees it
        named_cell(wb, ws, "TotalPoints").value = typed_total
    copy.parent.mkdir(parents=True, exist_ok=True)
    wb.save(copy)
    letters = {key: ws.cell(first, col).column_letter for key, col in by_key.items()}
    return FilledCopy(
        template, template_sha, copy, FTE, planned, blank_rows, letters, totals, typed_total
    )


def arithmetic_totals(copy: FilledCopy) -> dict[str, float]:
    """The totals by plain arithmetic on the rows the test wrote, keyed by layout total key."""
    cases = [line for line in copy.rows if line.kind == "case"]
    activities = [line for line in copy.rows if line.kind == "activity"]
    total = sum(line.agreed for line in copy.rows)
    return {
        "case_count": len(cases),
        "case_points": sum(line.agreed for line in cases),
        "activity_points": sum(line.agreed for line in activities),
        "total_points": total,
        "scheme_points": sum(line.scheme_points for line in copy.rows),
        "points_per_fte": total / copy.fte,
    }


STALE = 999


def plant_stale_results(copy: FilledCopy) -> list[str]:
    """Give every formula the test checks a wrong saved result, as a stale Excel file has.

    openpyxl saves formulas with no result, which LibreOffice computes whatever its settings;
    a saved result it keeps unless told to recalculate on load. Returns the cells planted.
    """
    cells = list(copy.totals.values()) + [
        f"{copy.columns[key]}{line.row}"
        for line in copy.rows
        for key in ("unit", "kind", "scheme_points")
    ]
    assert load_workbook(copy.path).sheetnames[0] == layout.MEASUREMENT_SHEET
    part = "xl/worksheets/sheet1.xml"  # openpyxl's name for the first sheet
    planted = copy.path.with_name(f"{copy.path.stem}-planting.xlsx")
    with zipfile.ZipFile(copy.path) as source, zipfile.ZipFile(planted, "w") as target:
        for info in source.infolist():
            data = source.read(info)
            if info.filename == part:
                text = data.decode("utf-8")
                for cell in cells:
                    pattern = rf'(<c r="{cell}"[^>]*><f>[^<]*</f>)<v ?/>'
                    text, count = re.subn(pattern, rf"\g<1><v>{STALE}</v>", text)
                    assert count == 1, f"no formula without a result at {cell}"
                data = text.encode("utf-8")
            target.writestr(info, data, compress_type=zipfile.ZIP_DEFLATED)
    planted.replace(copy.path)
    return cells


# --- fixtures: fill every template, then one LibreOffice batch ------------------------------


@pytest.fixture(scope="module")
def batch(tmp_path_factory, registry) -> Batch:
    soffice = require_soffice()
    assert TEMPLATES, "no templates/worker-*.xlsx are committed"
    folder = tmp_path_factory.mktemp("libreoffice")
    filled = {
        template.name: fill_template(template, folder / "filled" / template.name, registry)
        for template in TEMPLATES
    }
    wrong = filled[NEGATIVE_TEMPLATE.name]
    wrong_total = sum(line.agreed for line in wrong.rows) + 7.5
    negative = fill_template(
        NEGATIVE_TEMPLATE,
        folder / "filled" / f"{NEGATIVE_TEMPLATE.stem}-total-typed-over.xlsx",
        registry,
        typed_total=wrong_total,
    )
    stale = fill_template(
        STALE_TEMPLATE, folder / "filled" / f"{STALE_TEMPLATE.stem}-stale.xlsx", registry
    )
    plant_stale_results(stale)
    sources = [copy.path for copy in filled.values()] + [negative.path, stale.path]
    converted = recalculate(sources, folder / "recalculated", soffice=soffice)
    return Batch(filled, negative, stale, dict(zip(sources, converted, strict=True)))


def values_sheet(path: Path):
    return measurement_sheet(load_workbook(path, data_only=True))


def check_calculated_columns(copy: FilledCopy, converted: Path) -> None:
    """Unit, Kind and Scheme points as LibreOffice calculated them equal the scheme's."""
    ws = values_sheet(converted)
    letter = copy.columns
    for line in copy.rows:
        where = f"row {line.row} ({line.label})"
        assert ws[f"{letter['unit']}{line.row}"].value == line.unit, where
        assert ws[f"{letter['kind']}{line.row}"].value == line.kind, where
        points = ws[f"{letter['scheme_points']}{line.row}"].value
        assert points == pytest.approx(line.scheme_points), where
    last_row = max(line.row for line in copy.rows) + 3
    for row in [*copy.blank_rows, last_row]:
        for key in ("unit", "kind", "scheme_points"):
            assert ws[f"{letter[key]}{row}"].value in (None, ""), f"{key} on empty row {row}"


def check_totals(copy: FilledCopy, converted: Path) -> None:
    """Every native total equals workload_xl's figure and plain arithmetic on the rows."""
    run = validate_files([copy.path])  # the filled copy, as LibreOffice received it
    (m,) = run.measurements
    python = {
        "case_count": m.case_count,
        "case_points": m.case_points,
        "activity_points": m.activity_points,
        "total_points": m.total_points,
        "scheme_points": sum(line.scheme_points for line in m.lines),
        "points_per_fte": m.points_per_fte,
    }
    assert set(python) == {t.key for t in layout.TOTAL_FIELDS}, "a total is left unchecked"
    assert python == pytest.approx(arithmetic_totals(copy))

    wb = load_workbook(converted, data_only=True)
    ws = measurement_sheet(wb)
    native = {t.key: named_cell(wb, ws, t.name).value for t in layout.TOTAL_FIELDS}
    assert native == pytest.approx(python)


# --- tests ----------------------------------------------------------------------------------


def test_the_templates_are_committed():
    assert TEMPLATES, "no templates/worker-*.xlsx in templates/"


@pytest.mark.parametrize("template", TEMPLATES, ids=TEMPLATE_IDS)
def test_the_committed_template_is_never_modified(batch, template):
    copies = [*batch.filled.values(), batch.negative, batch.stale]
    for copy in (c for c in copies if c.template == template):
        assert sha256(template) == copy.template_sha, f"{template.name} was changed"
        assert sha256(copy.path) != copy.template_sha, "the copy was not filled in"


@pytest.mark.parametrize("template", TEMPLATES, ids=TEMPLATE_IDS)
def test_the_filled_copy_is_valid_before_libreoffice(batch, template):
    copy = batch.filled[template.name]
    run = validate_files([copy.path])
    assert run.exit_code == 0, [str(f) for f in run.report.findings]
    assert {f.rule for f in run.report.findings} <= {"points-adjusted"}
    adjusted = {f"{copy.columns['agreed_points']}{line.row}" for line in copy.rows if line.adjusted}
    assert adjusted, "the test adjusts no points"
    assert {f.cell for f in run.report.findings} == adjusted


@pytest.mark.parametrize("template", TEMPLATES, ids=TEMPLATE_IDS)
def test_calculated_columns_follow_the_scheme_after_recalculation(batch, template):
    copy = batch.filled[template.name]
    check_calculated_columns(copy, batch.converted[copy.path])


@pytest.mark.parametrize("template", TEMPLATES, ids=TEMPLATE_IDS)
def test_native_totals_equal_what_python_computes_from_the_rows(batch, template):
    copy = batch.filled[template.name]
    check_totals(copy, batch.converted[copy.path])


@pytest.mark.parametrize("template", TEMPLATES, ids=TEMPLATE_IDS)
def test_the_recalculated_file_validates_like_the_filled_copy(batch, template):
    copy = batch.filled[template.name]
    converted = validate_files([batch.converted[copy.path]])
    total_findings = [str(f) for f in converted.report.findings if f.rule in TOTAL_RULES]
    assert total_findings == []
    before = validate_files([copy.path])
    assert [f.flat() for f in converted.report.sorted()] == [
        f.flat() for f in before.report.sorted()
    ]
    assert converted.exit_code == 0


def test_a_total_typed_over_is_reported_after_recalculation(batch):
    copy = batch.negative
    converted = batch.converted[copy.path]
    wb = load_workbook(converted, data_only=True)
    ws = measurement_sheet(wb)
    total_cell = copy.totals["TotalPoints"]
    assert named_cell(wb, ws, "TotalPoints").value == pytest.approx(copy.typed_total)

    run = validate_files([converted])
    mismatched = {f.cell for f in run.report.findings if f.rule == "total-mismatch"}
    # The typed-over cell, and every total whose formula uses it (Points per FTE), disagree
    # with the rows; the other totals still count the rows.
    follows = {copy.totals[t.name] for t in layout.TOTAL_FIELDS if "TotalPoints" in t.formula}
    assert mismatched == {total_cell} | follows
    assert not [f for f in run.report.findings if f.rule == "total-not-formula"]


def test_libreoffice_replaces_stale_saved_results(batch):
    """The forced recalculation: saved results are recomputed, not trusted."""
    copy = batch.stale
    before = validate_files([copy.path])
    stale_totals = {f.cell for f in before.report.findings if f.rule == "total-mismatch"}
    assert stale_totals == set(copy.totals.values()), "the stale results were not planted"

    converted = batch.converted[copy.path]
    check_calculated_columns(copy, converted)
    check_totals(copy, converted)
    after = validate_files([converted])
    assert [str(f) for f in after.report.findings if f.rule in TOTAL_RULES] == []
