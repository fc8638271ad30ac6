"""Text a user typed is written as text in every workbook the tool writes, never as a formula.

openpyxl writes any string that starts with "=" as a formula, so a worker called
'=HYPERLINK("http://evil","PWNED")' or a case reference '=cmd|...' would run in the next
person's Excel. Worker sheets carrying such text in every free-text field go through the whole
chain; every cell of every workbook written is then checked: no formula holds the marker, and
the text arrives as typed (trimmed).
"""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner
from openpyxl import load_workbook

from workload_xl.cli import main
from workload_xl.core import capa
from workload_xl.files.jobplan_workbook import read_jobplan_workbook, write_jobplan_workbook
from workload_xl.files.worker_template import write_worker_workbook

from .conftest import CSC, valid_content

MARK = "PWNED"
PAYLOADS = (
    f'=HYPERLINK("http://example.invalid","{MARK}")',
    f"+{MARK}+1",
    f"-{MARK}-1",
    f"@SUM({MARK})",
    f"=cmd|' /C calc'!{MARK}",
)


def formulas_with_mark(path: Path) -> list[str]:
    wb = load_workbook(path)
    found = []
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                if cell.data_type == "f" and MARK in str(cell.value):
                    found.append(f"{path.name}!{ws.title}!{cell.coordinate}")
    return found


def texts(path: Path) -> set[str]:
    wb = load_workbook(path)
    return {
        str(c.value)
        for ws in wb.worksheets
        for row in ws.iter_rows()
        for c in row
        if isinstance(c.value, str)
    }


def test_typed_text_that_looks_like_a_formula_stays_text_through_every_output(tmp_path, registry):
    inputs = tmp_path / "workers"
    inputs.mkdir()
    for index, payload in enumerate(PAYLOADS):
        content = valid_content()
        content.header.update(worker=f"{payload} {index}", manager=payload, team="North Hub")
        for n, line in enumerate(content.lines):
            line["notes"] = payload
            if line.get("case_ref"):
                line["case_ref"] = f"{payload}-{index}{n}"
                line["case_name"] = payload
        assert write_worker_workbook(inputs / f"w{index}.xlsx", registry.get(CSC), content) == []
    out = tmp_path / "out"
    out.mkdir()
    runner = CliRunner()
    team = out / "team.xlsx"
    done = runner.invoke(main, ["build-team", str(inputs), "-o", str(team)])
    assert done.exit_code in (0, 1), done.output
    store = tmp_path / "store.sqlite"
    assert runner.invoke(main, ["consolidate", str(out), "--store", str(store)]).exit_code == 0
    report = out / "report.xlsx"
    assert runner.invoke(main, ["report", "--store", str(store), "-o", str(report)]).exit_code == 0
    export = tmp_path / "export"
    export.mkdir()
    done = runner.invoke(main, ["store", "export", "--store", str(store), "-o", str(export)])
    assert done.exit_code == 0, done.output

    written = [*inputs.glob("*.xlsx"), team, report, export / "returns-store.xlsx"]
    assert [hit for path in written for hit in formulas_with_mark(path)] == []
    arrived = texts(team)
    assert f"{PAYLOADS[0]} 0" in arrived and f"{PAYLOADS[1]} 1" in arrived  # workers' names
    assert PAYLOADS[0] in arrived  # the manager, as the team's most common
    assert any(t.startswith(f"{PAYLOADS[4]}-4") for t in arrived)  # a case reference
    for csv_file in export.glob("*.csv"):
        for line in csv_file.read_text(encoding="utf-8-sig").splitlines():
            for cell in line.split(","):
                assert not cell.strip('"').startswith(("=", "+", "-", "@")), (csv_file, cell)


def test_a_job_plan_keeps_formula_like_names_as_text(tmp_path):
    team = [capa.Clinician(payload, payload, 37.5, choice=6, core=12) for payload in PAYLOADS]
    path = tmp_path / "plan.xlsx"
    assert write_jobplan_workbook(path, clinicians=team, referrals_per_week=3.0) == []
    assert formulas_with_mark(path) == []
    plan, _ = read_jobplan_workbook(path)
    assert [c.name for c in plan.clinicians] == list(PAYLOADS)


def test_scheme_text_starting_with_a_formula_sign_stays_text_on_the_scheme_sheet(tmp_path):
    """Item, band and service labels come from a scheme file an admin edits: each payload is
    written to the worker workbook's Scheme sheet as the text it is."""
    import re

    from workload_xl.core.paths import schemes_dir
    from workload_xl.core.schemes import SchemeRegistry

    source = (schemes_dir() / f"{CSC}.toml").read_text(encoding="utf-8")
    labels = (f"{p} {n}".replace('"', "'") for n in range(1000) for p in PAYLOADS)

    def poisoned(match: re.Match) -> str:
        return f'label = "{next(labels)}"'

    folder = tmp_path / "schemes"
    folder.mkdir()
    (folder / f"{CSC}.toml").write_text(
        re.sub(r'label = "[^"]*"', poisoned, source), encoding="utf-8"
    )
    scheme = SchemeRegistry.from_dir(folder).get(CSC)
    assert scheme is not None and any(b.label.startswith("=") for b in scheme.bands)
    path = tmp_path / "worker.xlsx"
    assert write_worker_workbook(path, scheme) == []
    assert formulas_with_mark(path) == []
    written = {c.value for row in load_workbook(path)["Scheme"].iter_rows() for c in row}
    assert {b.label for b in scheme.bands} <= written
    assert {i.label for i in scheme.items} <= written
