"""The results saved in formula cells are read from the one openpyxl load, as openpyxl's data-only
reader would read them, so a workbook is loaded once per read.

The sheet below is written with openpyxl, then its XML is edited by hand to hold each kind of
result a writer saves (Excel and LibreOffice write all of these but the shared string and the
ISO date, which some other writers do). Expected values, worked out by hand: <v>5</v> is the
int 5 and <v>2.5</v> the float 2.5; <v>7.0</v> a float 7.0 (written with a point); text, a yes
(1 -> True) and an error as written; serial 45000 under dd/mm/yyyy is 15 March 2023 (45000 days
after 30 December 1899); 0.5 under hh:mm is 12:00; shared string 1 is "second"; an ISO date is
that date; an empty result is None; a typed cell (no formula) reads as typed; serial 1e9 as a
date is past 9999, which openpyxl reads as the error #VALUE!.
"""

from __future__ import annotations

import datetime as dt
import re
import warnings
import zipfile
from pathlib import Path

from openpyxl import Workbook, load_workbook
from openpyxl.workbook.defined_name import DefinedName

from workload_xl.contracts import worker as worker_layout
from workload_xl.files import saved_results, worker_reader
from workload_xl.files.saved_results import formula_results, load_with_results
from workload_xl.files.worker_reader import read_workbook
from workload_xl.files.worker_template import WorkerSheetContent, write_worker_workbook

CELLS = {  # address: (the <c> attributes after r, the <v> text, what it reads as)
    "A1": ("", "5", 5),
    "A2": ("", "2.5", 2.5),
    "A3": ("", "7.0", 7.0),
    "A4": (' t="str"', "Ann &amp; Bob", "Ann & Bob"),
    "A5": (' t="b"', "1", True),
    "A6": (' t="e"', "#N/A", "#N/A"),
    "A7": (' s="1"', "45000", dt.datetime(2023, 3, 15)),
    "A8": (' s="2"', "0.5", dt.time(12, 0)),
    "A9": (' t="s"', "1", "second"),
    "A10": (' t="d"', "2026-01-31T00:00:00", dt.datetime(2026, 1, 31)),
    "A11": ("", "", None),
    "A12": (' s="1"', "1000000000", "#VALUE!"),
}


def hand_edited(tmp_path: Path) -> Path:
    """A workbook whose A column holds a formula with each kind of saved result, and B1 a
    typed number."""
    wb = Workbook()
    ws = wb.active
    ws.title = "R & D"
    for address in CELLS:
        ws[address] = "=1+1"
    ws["A7"].number_format = "dd/mm/yyyy"
    ws["A8"].number_format = "hh:mm"
    ws["A12"].number_format = "dd/mm/yyyy"
    ws["B1"] = 42
    path = tmp_path / "results.xlsx"
    wb.save(path)
    with zipfile.ZipFile(path) as archive:
        parts = {info.filename: archive.read(info) for info in archive.infolist()}
    xml = parts["xl/worksheets/sheet1.xml"].decode()
    for address, (attributes, text, _) in CELLS.items():
        cell = re.search(rf'<c r="{address}"[^>]*>.*?</c>', xml)[0]
        style = re.search(r'\ss="\d+"', cell)
        attributes = (style[0] if style else "") + re.sub(r'\ss="\d+"', "", attributes)
        xml = xml.replace(cell, f'<c r="{address}"{attributes}><f>1+1</f><v>{text}</v></c>')
    parts["xl/worksheets/sheet1.xml"] = xml.encode()
    # openpyxl writes text inline: a shared-string table, as Excel writes one, is added
    main = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
    parts["xl/sharedStrings.xml"] = (
        f'<sst xmlns="{main}" count="2" uniqueCount="2"><si><t>first</t></si>'
        "<si><t>second</t></si></sst>"
    ).encode()
    kind = "application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"
    parts["[Content_Types].xml"] = parts["[Content_Types].xml"].replace(
        b"</Types>",
        f'<Override PartName="/xl/sharedStrings.xml" ContentType="{kind}"/></Types>'.encode(),
    )
    relation = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings"
    parts["xl/_rels/workbook.xml.rels"] = parts["xl/_rels/workbook.xml.rels"].replace(
        b"</Relationships>",
        f'<Relationship Id="rIdStrings" Type="{relation}" Target="sharedStrings.xml"/>'
        "</Relationships>".encode(),
    )
    with zipfile.ZipFile(path, "w") as archive:
        for name, data in parts.items():
            archive.writestr(name, data)
    return path


def test_each_kind_of_saved_result_reads_as_worked_out_by_hand(tmp_path):
    path = hand_edited(tmp_path)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        wb, results = load_with_results(path)
    ws = wb["R & D"]
    for address, (_, _, expected) in CELLS.items():
        found = results.result(ws[address])
        assert (found, type(found)) == (expected, type(expected)), address
    assert ws["A1"].value == "=1+1"  # the same load holds the formulas
    assert results.result(ws["B1"]) == 42


def test_every_result_reads_as_openpyxls_data_only_load_reads_it(tmp_path):
    path = hand_edited(tmp_path)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        wb, results = load_with_results(path)
        values = load_workbook(path, data_only=True)["R & D"]
    for row in wb["R & D"].iter_rows():
        for cell in row:
            found, expected = results.result(cell), values[cell.coordinate].value
            assert (found, type(found)) == (expected, type(expected)), cell.coordinate


def test_a_formula_cell_with_no_result_element_and_a_cell_without_a_formula_are_told_apart():
    main = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
    xml = (
        f'<worksheet xmlns="{main}"><sheetData><row r="1">'
        '<c r="A1"><f>1+1</f></c><c r="B1"><v>3</v></c><c r="C1" t="str"><f>"a"</f><v>a</v></c>'
        "</row></sheetData></worksheet>"
    ).encode()
    assert formula_results(xml) == {"A1": ("n", None), "C1": ("str", "a")}


def test_a_prefixed_namespace_reads_the_same():
    main = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
    xml = (
        f'<x:worksheet xmlns:x="{main}"><x:sheetData><x:row r="1">'
        '<x:c r="A1"><x:f>2*3</x:f><x:v>6</x:v></x:c></x:row></x:sheetData></x:worksheet>'
    ).encode()
    assert formula_results(xml) == {"A1": ("n", "6")}


def test_a_measurement_workbook_is_loaded_once_and_its_totals_read_from_that_load(
    tmp_path, monkeypatch, registry
):
    """Jo (FTE 0.8): C1 Child in need 5, C2 Child protection plan 9, Duty day x 2 agreed 4:
    2 cases, 14 case points, 4 activity points, 18 in all, 18 / 0.8 = 22.5 per FTE."""
    path = tmp_path / "jo.xlsx"
    header = {
        "worker": "Jo Example",
        "team": "Team A",
        "service": "Safeguarding and Support",
        "period": "2026-10",
        "fte": 0.8,
        "band": "Social worker",
        "manager": "Sam Okoro",
        "date_agreed": "2026-10-28",
    }
    lines = [
        {"case_ref": "C1", "item": "Child in need", "agreed_points": 5},
        {"case_ref": "C2", "item": "Child protection plan", "agreed_points": 9},
        {"item": "Duty day", "quantity": 2, "agreed_points": 4},
    ]
    scheme = registry.get("childrens-social-care")
    assert write_worker_workbook(path, scheme, WorkerSheetContent(header, lines)) == []
    loads, passes = [], []
    real_load, real_pass = saved_results.ExcelReader.read, saved_results.formula_results

    def counted_load(self, *args, **kwargs):
        loads.append(self)
        return real_load(self, *args, **kwargs)

    def counted_pass(xml):
        passes.append(len(xml))
        return real_pass(xml)

    monkeypatch.setattr(saved_results.ExcelReader, "read", counted_load)
    monkeypatch.setattr(saved_results, "formula_results", counted_pass)
    read = read_workbook(path)
    assert [sheet.sheet for sheet in read.sheets] == ["Measurement"] and not read.findings
    totals = {key: total.cached for key, total in read.sheets[0].totals.items()}
    assert totals == {
        "case_count": 2,
        "case_points": 14,
        "activity_points": 4,
        "total_points": 18,
        "scheme_points": 17,
        "points_per_fte": 22.5,
    }
    assert all(total.formula for total in read.sheets[0].totals.values())
    assert len(loads) == 1  # one openpyxl load of the package
    assert len(passes) == 1  # one pass over the Measurement sheet, the only one asked about


def _jo_workbook(tmp_path: Path, registry) -> Path:
    path = tmp_path / "jo.xlsx"
    header = {"worker": "Jo Example", "team": "Team A", "period": "2026-10", "fte": 1.0}
    lines = [{"case_ref": "C1", "item": "Child in need", "agreed_points": 5}]
    content = WorkerSheetContent(header, lines)
    scheme = registry.get("childrens-social-care")
    assert write_worker_workbook(path, scheme, content) == []
    return path


def test_validation_reads_the_measurement_sheet_whole_and_not_the_scheme_sheet(tmp_path, registry):
    """The Scheme sheet is the tool's copy of the scheme file: validation loads it empty (its
    title and place kept), and reads the Measurement sheet as a whole load does."""
    path = _jo_workbook(tmp_path, registry)
    chosen, _ = load_with_results(path, worker_reader.NEEDED_SHEETS)
    whole, _ = load_with_results(path)
    assert chosen.sheetnames == whole.sheetnames == ["Measurement", "Scheme"]
    assert not chosen["Scheme"]._cells and whole["Scheme"]["B2"].value  # a label there
    assert {k: c.value for k, c in chosen["Measurement"]._cells.items()} == {
        k: c.value for k, c in whole["Measurement"]._cells.items()
    }
    assert list(chosen["Measurement"].tables) == list(whole["Measurement"].tables)
    read = read_workbook(path)
    assert read.sheets[0].header["worker"].value == "Jo Example" and not read.findings


def test_a_sheet_a_header_name_points_at_is_read_though_it_holds_no_table(tmp_path, registry):
    """A manager who keeps the worker's name on a Details sheet (the Worker name pointing
    there) still has it read: a sheet a header field's name points at is read whole."""
    path = _jo_workbook(tmp_path, registry)
    wb = load_workbook(path)
    details = wb.create_sheet("Details")
    details["C3"] = "Jo Moved"
    ws = wb["Measurement"]
    worker = next(spec for spec in worker_layout.HEADER_FIELDS if spec.key == "worker")
    del ws.defined_names[worker.name]
    ws.defined_names[worker.name] = DefinedName(worker.name, attr_text="Details!$C$3")
    wb.save(path)
    chosen, _ = load_with_results(path, worker_reader.NEEDED_SHEETS)
    assert chosen["Details"]["C3"].value == "Jo Moved" and not chosen["Scheme"]._cells
    assert read_workbook(path).sheets[0].header["worker"].value == "Jo Moved"


def test_a_damaged_sheet_validation_does_not_need_no_longer_stops_the_file(tmp_path, registry):
    """A broken Scheme sheet (its XML cut short) made the whole file unreadable; validation
    never reads that sheet, so the measurement sheet is checked as usual. A broken
    Measurement sheet still makes the file unreadable."""
    path = _jo_workbook(tmp_path, registry)
    with zipfile.ZipFile(path) as archive:
        parts = {info.filename: archive.read(info) for info in archive.infolist()}
    broken = tmp_path / "broken-scheme.xlsx"
    with zipfile.ZipFile(broken, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in parts.items():
            archive.writestr(name, data[: len(data) // 2] if name.endswith("sheet2.xml") else data)
    read = read_workbook(broken)
    assert [s.sheet for s in read.sheets] == ["Measurement"] and not read.findings
    broken = tmp_path / "broken-measurement.xlsx"
    with zipfile.ZipFile(broken, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in parts.items():
            archive.writestr(name, data[: len(data) // 2] if name.endswith("sheet1.xml") else data)
    read = read_workbook(broken)
    assert not read.sheets and [f.rule for f in read.findings] == ["file-corrupt"]
