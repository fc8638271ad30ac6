"""The package reader (files.package_book) reads a workbook exactly as openpyxl does, and
hands a workbook it cannot read so to openpyxl.

Beyond these cases, the suite runs with WORKLOAD_XL_COMPARE_READERS set (tests/conftest.py):
every workbook any test validates is read by both, and a difference fails that test.
"""

from __future__ import annotations

import datetime as dt
import re
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.libreoffice import recalculate, require_soffice
from workload_xl.demo import generate
from workload_xl.files import worker_reader
from workload_xl.files.package_book import PackageBook, read_package_book
from workload_xl.files.worker_reader import OpenpyxlBook, open_book, read_book

SHEET = "xl/worksheets/sheet1.xml"
MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
WORKSHEET = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet"


def both_reads(path: Path):
    """(the engine that read the file, its read, openpyxl's read of it)."""
    book, problems = open_book(path, str(path))
    read = read_book(book, str(path)) if book is not None else (problems, None)
    old, old_problems = open_book(path, str(path), package=False)
    expected = read_book(old, str(path)) if old is not None else (old_problems, None)
    return type(book), read, expected


def rewrite(path: Path, target: Path, change: Callable[[dict[str, bytes]], None]) -> Path:
    """A copy of the workbook at `path` with its parts changed by `change` (part -> bytes)."""
    with zipfile.ZipFile(path) as archive:
        parts = {name: archive.read(name) for name in archive.namelist()}
    change(parts)
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in parts.items():
            archive.writestr(name, data)
    return target


def in_sheet(pattern: str, replacement: str, count: int = 1):
    def change(parts: dict[str, bytes]) -> None:
        xml, done = re.subn(pattern, replacement, parts[SHEET].decode(), count=count)
        assert done, pattern
        parts[SHEET] = xml.encode()

    return change


def in_part(part: str, pattern: str, replacement: str):
    """A change to one part of the package: `pattern` replaced once (it must be there)."""

    def change(parts: dict[str, bytes]) -> None:
        xml, done = re.subn(pattern, replacement, parts[part].decode(), count=1)
        assert done, pattern
        parts[part] = xml.encode()

    return change


def in_workbook(pattern: str, replacement: str):
    return in_part("xl/workbook.xml", pattern, replacement)


def both(*changes: Callable[[dict[str, bytes]], None]):
    def change(parts: dict[str, bytes]) -> None:
        for each in changes:
            each(parts)

    return change


def before_sheet_data_end(cells: str):
    return in_sheet("</sheetData>", f'<row r="90">{cells}</row></sheetData>')


def with_shared_strings(parts: dict[str, bytes]) -> None:
    """The worker's name as a shared string of two runs, a phonetic guide and an escape."""
    parts["xl/sharedStrings.xml"] = (
        f'<sst xmlns="{MAIN}" count="2" uniqueCount="2"><si><t>unused</t></si>'
        '<si><r><t xml:space="preserve">Jo </t></r><r><rPr><b/></rPr><t>Bloggs_x005F_x</t>'
        '</r><rPh sb="0" eb="1"><t>ジョ</t></rPh></si></sst>'
    ).encode()
    types = parts["[Content_Types].xml"].decode()
    parts["[Content_Types].xml"] = types.replace(
        "</Types>",
        '<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.'
        'openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>',
    ).encode()
    in_sheet(
        r'<c r="B4" s="(\d+)" t="inlineStr"><is><t>[^<]*</t></is></c>',
        r'<c r="B4" s="\1" t="s"><v>1</v></c>',
    )(parts)


def shared_formulas(parts: dict[str, bytes]) -> None:
    """The Scheme points column's formulas as Excel saves a filled-down column: one master,
    the rest pointing at it."""
    xml = parts[SHEET].decode()
    cells = re.findall(r'<c r="(G(1[5-9]|2[0-4]))" s="(\d+)"><f>([^<]*)</f>', xml)
    assert len(cells) >= 5, "the Scheme points column's formulas"
    first, _, style, formula = cells[0]
    xml = xml.replace(
        f'<c r="{first}" s="{style}"><f>{formula}</f>',
        f'<c r="{first}" s="{style}"><f t="shared" ref="{first}:G24" si="0">{formula}</f>',
    )
    for address, _, style, formula in cells[1:]:
        xml = xml.replace(
            f'<c r="{address}" s="{style}"><f>{formula}</f>',
            f'<c r="{address}" s="{style}"><f t="shared" si="0"/>',
        )
    parts[SHEET] = xml.encode()


def date_system_1904(parts: dict[str, bytes]) -> None:
    workbook = parts["xl/workbook.xml"].decode()
    workbook, done = re.subn(r"<workbookPr\b[^>]*/>", '<workbookPr date1904="1"/>', workbook)
    if not done:
        workbook = re.sub(r"(<workbook\b[^>]*>)", r'\1<workbookPr date1904="1"/>', workbook)
    parts["xl/workbook.xml"] = workbook.encode()


READ_BY_PACKAGE = {
    "shared strings with runs, a phonetic guide and an escape": with_shared_strings,
    "shared formulas": shared_formulas,
    "the 1904 date system": date_system_1904,
    "values of every kind below the table": before_sheet_data_end(
        '<c r="B90" t="b"><v>1</v></c><c r="C90" t="e"><v>#N/A</v></c>'
        '<c r="D90" t="str"><v>typed text</v></c><c r="E90" t="d"><v>2026-10-01T09:30:00</v></c>'
        '<c r="F90" s="9"><v>46320.5</v></c><c r="G90"><v>1E3</v></c><c r="H90"><v>7</v></c>'
        '<c r="I90" t="inlineStr"><is><r><t>run </t></r><r><t>two</t></r></is></c>'
    ),
    "a total whose saved result is an error": in_sheet(
        r'<c r="D10" s="(\d+)"><f>([^<]*)</f><v>[^<]*</v></c>',
        r'<c r="D10" s="\1" t="e"><f>\2</f><v>#N/A</v></c>',
    ),
    "a total saved with no result": in_sheet(
        r'<c r="D10" s="(\d+)"><f>([^<]*)</f><v>[^<]*</v></c>', r'<c r="D10" s="\1"><f>\2</f></c>'
    ),
}

READ_BY_OPENPYXL = {
    "merged cells": in_sheet(
        "</sheetData>", '</sheetData><mergeCells count="1"><mergeCell ref="F4:G4"/></mergeCells>'
    ),
    "an array formula": in_sheet(
        r'<c r="D10" s="(\d+)"><f>', r'<c r="D10" s="\1"><f t="array" ref="D10">'
    ),
    "a cell without its address": before_sheet_data_end("<c><v>5</v></c>"),
    "a cell style the file does not have": in_sheet(r'<c r="B4" s="\d+"', '<c r="B4" s="999"'),
    "a table part that is missing": lambda parts: parts.pop("xl/tables/table1.xml"),
    "a damaged sheet": in_sheet("</sheetData>", "</sheetDat>"),
    # openpyxl reads every child of the sheet list as a sheet, whatever its name.
    "a sheet list entry in another namespace": in_workbook(
        "</sheets>",
        '<x:sheet xmlns:x="urn:example" name="Copy" sheetId="3" r:id="rId2"/></sheets>',
    ),
}


@pytest.mark.parametrize("case", list(READ_BY_PACKAGE))
def test_what_the_package_reader_reads_it_reads_as_openpyxl(case, make_sheet, tmp_path):
    path = rewrite(make_sheet().path, tmp_path / "changed.xlsx", READ_BY_PACKAGE[case])
    engine, read, expected = both_reads(path)
    assert engine is PackageBook
    assert read == expected
    assert read.sheets, "the changed workbook still reads as a measurement sheet"


def test_the_crafted_values_are_really_read(make_sheet, tmp_path):
    """The comparisons above compare what matters: the shared string, the values below the
    table and the shared formulas arrive as values, not as blanks on both sides."""
    path = rewrite(make_sheet().path, tmp_path / "strings.xlsx", with_shared_strings)
    _, read, _ = both_reads(path)
    assert read.sheets[0].header["worker"].value == "Jo Bloggs_x"
    path = rewrite(
        make_sheet().path,
        tmp_path / "values.xlsx",
        READ_BY_PACKAGE["values of every kind below the table"],
    )
    _, read, _ = both_reads(path)
    stray = {cell.address: cell.value for cell in read.sheets[0].stray}
    assert stray["B90"] is True and stray["C90"] == "#N/A" and stray["D90"] == "typed text"
    assert stray["E90"] == dt.datetime(2026, 10, 1, 9, 30)
    assert stray["F90"] == dt.datetime(2026, 10, 25, 12, 0) and stray["G90"] == 1000.0
    assert stray["H90"] == 7 and isinstance(stray["H90"], int) and stray["I90"] == "run two"
    path = rewrite(make_sheet().path, tmp_path / "shared.xlsx", shared_formulas)
    book, _ = open_book(path, "shared.xlsx")
    table_row = book.read_table("Measurement", "WorkItems").top + 3
    formula = book.formula("Measurement", table_row, 7)
    assert formula == book_formula(make_sheet().path, table_row)
    assert f"$C{table_row}" in formula, "the master's formula, moved to the row"


def book_formula(path: Path, row: int) -> str | None:
    book, _ = open_book(path, "plain.xlsx", package=False)
    return book.formula("Measurement", row, 7)


@pytest.mark.parametrize("case", list(READ_BY_OPENPYXL))
def test_what_the_package_reader_declines_openpyxl_reads_as_before(case, make_sheet, tmp_path):
    path = rewrite(make_sheet().path, tmp_path / "changed.xlsx", READ_BY_OPENPYXL[case])
    assert read_package_book(path, "changed.xlsx", worker_reader.NEEDED_SHEETS) is None
    engine, read, expected = both_reads(path)
    assert engine in (OpenpyxlBook, type(None))  # openpyxl read it, or said why it could not
    if engine is type(None):
        assert read == expected and read[0], "the same findings as before"


def test_the_demo_workbooks_are_read_by_the_package_reader_as_openpyxl_reads_them(
    registry, tmp_path
):
    written, planted = generate(tmp_path, registry, months=2)
    workbooks = [path for path in written if path.name != "sent-as-csv.xlsx"]
    assert len(workbooks) > 90 and planted
    for path in workbooks:
        engine, read, expected = both_reads(path)
        assert engine is PackageBook, path
        assert read == expected, path


def test_a_workbook_libreoffice_saved_reads_the_same(make_sheet, tmp_path):
    """LibreOffice saves shared strings, relative part names and its own styles: the
    package reader reads what it saves, as openpyxl does."""
    require_soffice()
    saved = recalculate([make_sheet().path], tmp_path / "saved")[0]
    engine, read, expected = both_reads(saved)
    assert engine is PackageBook
    assert read == expected and read.sheets[0].header["worker"].value == "Jo Example"


READ_ALIKE_OR_DECLINED = {
    # openpyxl reads an element's text only up to its first child element.
    "an element inside a value": in_sheet(r"<v>0\.8</v>", "<v>0.8<x/>5</v>"),
    "an element inside a formula": in_sheet(
        r"<f>CasePoints\+ActivityPoints</f><v>[^<]*</v>", "<f>CasePoints+ActivityPoints<x/>+1</f>"
    ),
    "an element inside a cell's text": in_sheet("<t>Jo Example</t>", "<t>Jo<x/> Example</t>"),
    "an element inside a run's text": in_sheet(
        "<is><t>Jo Example</t></is>", "<is><r><t>Jo<x/> Example</t></r></is>"
    ),
    "an element inside a shared string": both(
        with_shared_strings,
        in_part("xl/sharedStrings.xml", "<t>Bloggs_x005F_x</t>", "<t>Bloggs<x/>_x005F_x</t>"),
    ),
    "an element inside a defined name": in_workbook(
        r"\$B\$4</definedName>", "$B$4<x/>0</definedName>"
    ),
    # openpyxl numbers the inner item first, then the outer.
    "a shared string inside another": both(
        with_shared_strings,
        in_part(
            "xl/sharedStrings.xml",
            "<si><t>unused</t></si>",
            "<si><t>unused</t><si><t>in</t></si></si>",
        ),
    ),
    # openpyxl reads a row wherever it is in the sheet.
    "a row after the sheet's data": in_sheet(
        "</sheetData>",
        '</sheetData><row r="4"><c r="B4" t="inlineStr"><is><t>Someone else</t></is></c></row>',
    ),
    "a row inside a cell": in_sheet(
        "<t>Jo Example</t></is>",
        '<t>Jo Example</t></is><row r="90"><c r="B90" t="inlineStr"><is><t>Stray</t></is></c>'
        "</row>",
    ),
    "a row inside the sheet's extensions": in_sheet(
        "</worksheet>",
        '<extLst><ext uri="x"><row r="4"><c r="B4" t="inlineStr"><is><t>Someone else</t></is>'
        "</c></row></ext></extLst></worksheet>",
    ),
    # openpyxl takes the last workbookPr, and the last table list, by local name.
    "two workbook properties": both(
        date_system_1904, in_workbook(r"(<workbookPr\b[^>]*/>)", r"\1<workbookPr/>")
    ),
    "a defined name in another namespace": in_workbook(
        r'(<definedName name="Worker"[^<]*</definedName>)',
        r'\1<x:definedName xmlns:x="urn:example" name="Worker" localSheetId="0">'
        r"'Measurement'!$B$5</x:definedName>",
    ),
    "workbook properties in another namespace": in_workbook(
        r"(<workbookPr\b[^>]*/>)", r'\1<x:workbookPr xmlns:x="urn:example" date1904="1"/>'
    ),
    "two table lists": in_sheet("</tableParts>", '</tableParts><tableParts count="0"/>'),
    # openpyxl calls the file damaged.
    "a sheet number that is not a number": in_workbook('sheetId="1"', 'sheetId="one"'),
    "a sheet state openpyxl does not know": in_workbook('state="visible"', 'state="shown"'),
}


@pytest.mark.parametrize("case", list(READ_ALIKE_OR_DECLINED))
def test_the_package_reader_reads_as_openpyxl_or_declines(case, make_sheet, tmp_path):
    path = rewrite(make_sheet().path, tmp_path / "changed.xlsx", READ_ALIKE_OR_DECLINED[case])
    declined = read_package_book(path, "changed.xlsx", worker_reader.NEEDED_SHEETS) is None
    _, read, expected = both_reads(path)
    assert declined or read == expected


ONE_PART_TWICE = {
    "by one relation": in_workbook(
        "</sheets>", '<sheet name="Copy" sheetId="3" state="visible" r:id="rId2"/></sheets>'
    ),
    "by two relations": both(
        in_workbook(
            "</sheets>", '<sheet name="Copy" sheetId="3" state="visible" r:id="rId9"/></sheets>'
        ),
        in_part(
            "xl/_rels/workbook.xml.rels",
            "</Relationships>",
            f'<Relationship Type="{WORKSHEET}" Target="/xl/worksheets/sheet2.xml" Id="rId9"/>'
            "</Relationships>",
        ),
    ),
}


@pytest.mark.parametrize("case", list(ONE_PART_TWICE))
def test_two_sheets_that_are_one_worksheet_part_are_read_by_openpyxl(case, make_sheet, tmp_path):
    """openpyxl reads the part once for each sheet; the reader does not vouch for that (on a
    sheet it reads, the tables would share names), so it declines any such workbook."""
    path = rewrite(make_sheet().path, tmp_path / "changed.xlsx", ONE_PART_TWICE[case])
    assert read_package_book(path, "changed.xlsx", worker_reader.NEEDED_SHEETS) is None
    engine, read, expected = both_reads(path)
    assert engine is OpenpyxlBook and read == expected


def test_the_1904_helper_changes_only_the_workbook_properties(make_sheet, tmp_path):
    path = rewrite(make_sheet().path, tmp_path / "1904.xlsx", date_system_1904)
    with zipfile.ZipFile(path) as archive:
        workbook = archive.read("xl/workbook.xml").decode()
    assert len(re.findall(r"<workbookPr\b", workbook)) == 1, "one workbookPr element"
    assert "<workbookProtection />" in workbook, "the protection element is left as it was"
