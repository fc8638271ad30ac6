"""One text path: every output built from hostile names holds only the formulas its layout
declares.

Every workbook the tool writes is built twice, through the real commands, from the same
shape of input: once with plain names, once with every name field holding text a spreadsheet
would run ('=HYPERLINK(...)', '+1', '-1+2', '@SUM(A1)', '=1+1'). Each written file is then read
as raw XML: every formula in it (a cell's <f>, a table's calculated column, a defined name)
must be one the plain build has too, so nothing typed ever became a formula; and openpyxl must
open it.
"""

from __future__ import annotations

import csv
import re
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner
from defusedxml import ElementTree
from openpyxl import load_workbook

from workload_xl.cli import main
from workload_xl.core import capa
from workload_xl.files.jobplan_workbook import write_jobplan_workbook
from workload_xl.files.worker_template import write_worker_workbook

from .conftest import CSC, valid_content

HOSTILE = ('=HYPERLINK("http://x","y")', "+1", "-1+2", "@SUM(A1)", "=1+1")
PLAIN = ("Ann Ash", "Bob Birch", "Cat Cedar", "Dee Dale", "Eve Elm")
SERVICE, PERIODS = "First Response", ("2026-09", "2026-10")


def formulas(path: Path) -> set[str]:
    """Every formula in the file's XML: cells' and charts' <f>, tables' calculated columns,
    defined names, each in its shape (`_shape`)."""
    found: set[str] = set()
    with zipfile.ZipFile(path) as archive:
        for name in archive.namelist():
            if not name.endswith(".xml"):
                continue
            root = ElementTree.fromstring(archive.read(name))
            for element in root.iter():
                tag = element.tag.rsplit("}", 1)[-1]
                if tag in ("f", "calculatedColumnFormula", "definedName") and element.text:
                    found.add(_shape(element.text))
    return found


def _shape(formula: str) -> str:
    """A formula with its row numbers and sheet names (charts refer to sheets named after
    teams) replaced, so only what it computes is compared."""
    formula = re.sub(r"('(?:[^']|'')*'|[A-Za-z0-9_.]+)!", "<sheet>!", formula)
    return re.sub(r"(?<=[A-Z$])\d+", "#", formula)


def build_everything(root: Path, names: tuple[str, ...], registry) -> dict[str, Path]:
    """Every output, from `names` in every name field: worker, team, manager, case reference,
    case name, notes, clinician. Two teams and two periods, so the report has trends."""
    runner = CliRunner()
    out: dict[str, Path] = {}
    root.mkdir()
    inbox = root / "inbox"
    inbox.mkdir()

    def run(*args) -> None:
        done = runner.invoke(main, [str(a) for a in args])
        assert done.exit_code in (0, 1), (args, done.output)

    # a worker sheet started from a caseload report
    report = root / "caseload.csv"
    with report.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["Case ID", "Child name", "Case type", "Allocated worker"])
        for n, name in enumerate(names):
            writer.writerow([f"{name}{n}", name, "Child in Need", names[0]])
    out["caseload"] = root / "from-caseload.xlsx"
    run(
        "import-caseload",
        report,
        "--worker",
        names[0],
        "--scheme",
        CSC,
        "--team",
        names[1],
        "--service",
        SERVICE,
        "--period",
        PERIODS[1],
        "-o",
        out["caseload"],
    )

    # worker sheets, team sheets for two teams and two periods, a store, a report, an export
    for t, team in enumerate(names[:2]):
        for p, period in enumerate(PERIODS):
            folder = root / f"workers-{t}-{p}"
            folder.mkdir()
            for w, worker in enumerate(names):
                content = valid_content()
                content.header.update(
                    worker=worker, team=team, manager=names[-1], service=SERVICE, period=period
                )
                for n, line in enumerate(content.lines):
                    line["notes"] = names[n % len(names)]
                    if line.get("case_ref"):
                        line["case_ref"] = f"{names[n % len(names)]}-{t}{w}{n}"
                        line["case_name"] = names[(n + 1) % len(names)]
                    if p and w == t:  # a load that moves, so the report has something to say
                        line["agreed_points"] = line["agreed_points"]
                sheet = folder / f"w{w}.xlsx"
                assert write_worker_workbook(sheet, registry.get(CSC), content) == []
                out.setdefault("worker", sheet)
            team_book = inbox / f"team-{t}-{p}.xlsx"
            run("build-team", folder, "-o", team_book)
            out.setdefault("team", team_book)
    store = root / "store.sqlite"
    run("teams", "add", names[0], names[1], "--service", SERVICE, "--store", store)
    run("consolidate", inbox, "--store", store)
    out["report"] = root / "report.xlsx"
    run("report", "--store", store, "-o", out["report"])
    export = root / "export"
    export.mkdir()
    run("store", "export", "--store", store, "-o", export)
    out["export"] = export / "returns-store.xlsx"
    out["blank team"] = root / "blank-team.xlsx"
    run("template", "team", "-o", out["blank team"])

    # a CAPA job plan naming its clinicians
    team = [capa.Clinician(name, name, 37.5, choice=6, core=12) for name in names]
    out["job plan"] = root / "plan.xlsx"
    assert write_jobplan_workbook(out["job plan"], clinicians=team, referrals_per_week=3.0) == []

    # its Plan and actual, from an activity export naming the same clinicians
    activity = root / "activity.csv"
    with activity.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["Clinician", "Month", "Choice appointments", "New Core Partnerships"])
        for month in PERIODS:
            writer.writerows([name, month, 20, 5] for name in names)
    out["plan and actual"] = root / "plan-and-actual.xlsx"
    run("capa", "actuals", activity, "--jobplan", out["job plan"], "-o", out["plan and actual"])
    return out


@pytest.fixture(scope="module")
def outputs(tmp_path_factory, registry) -> tuple[dict[str, Path], dict[str, Path]]:
    root = tmp_path_factory.mktemp("one-text-path")
    return (
        build_everything(root / "plain", PLAIN, registry),
        build_everything(root / "hostile", HOSTILE, registry),
    )


@pytest.mark.parametrize(
    "output",
    ["caseload", "worker", "team", "report", "export", "blank team", "job plan", "plan and actual"],
)
def test_every_formula_in_an_output_from_hostile_names_is_one_its_layout_declares(outputs, output):
    plain, hostile = outputs
    assert hostile[output].exists(), output
    declared = formulas(plain[output])
    found = formulas(hostile[output])
    assert found - declared == set()
    assert not [f for f in found if "HYPERLINK" in f or "SUM(A1)" in f]


def test_the_hostile_names_arrive_as_text(outputs):
    _, hostile = outputs
    texts = set()
    for path in hostile.values():
        wb = load_workbook(path)
        texts |= {
            c.value
            for ws in wb.worksheets
            for row in ws.iter_rows()
            for c in row
            if isinstance(c.value, str)
        }
    for name in HOSTILE:
        assert name in texts, name
    # the trend report's XmR sheet heads with the team's name, as text
    report = load_workbook(hostile["report"])
    headings = [ws["A1"].value for ws in report.worksheets]
    assert f"{HOSTILE[0]} ({SERVICE}): mean points per FTE, XmR chart" in headings
    assert all(ws["A1"].data_type != "f" for ws in report.worksheets)


def test_sheet_titles_made_from_hostile_names_are_ones_excel_accepts(outputs):
    _, hostile = outputs
    for path in hostile.values():
        for title in load_workbook(path).sheetnames:
            assert len(title) <= 31 and not set(title) & set("[]:*?/\\"), (path.name, title)
            assert not title.startswith("'") and not title.endswith("'"), title
