"""The tool's package writer (files.sheet_writer) writes the bytes openpyxl writes: every
workbook the tool writes, and cells of every kind, compared part by part with the writer
openpyxl's `Workbook.save` uses."""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile
from decimal import Decimal
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st
from openpyxl import Workbook
from openpyxl.cell.rich_text import CellRichText, TextBlock
from openpyxl.cell.text import InlineFont
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font
from openpyxl.writer.excel import ExcelWriter

from workload_xl.demo import run_demo
from workload_xl.files import sheet_writer
from workload_xl.files.sheet_writer import PackageWriter

_MODIFIED = re.compile(rb"<dcterms:(?:modified|created)[^>]*>[^<]*</dcterms:(?:modified|created)>")


def package(wb: Workbook, writer=PackageWriter) -> dict[str, bytes]:
    """The parts `writer` writes for `wb`, in order, the save's own time left out."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as archive:
        writer(wb, archive).save()
    with zipfile.ZipFile(buffer) as archive:
        return {name: _MODIFIED.sub(b"", archive.read(name)) for name in archive.namelist()}


_MADE = re.compile(rb"Made \d{4}-\d\d-\d\d \d\d:\d\d")
"""The moment a report says it was made, a minute apart in two runs."""


def parts(path: Path, folder: Path) -> dict[str, bytes]:
    """The parts of the workbook at `path`, the save's moments and its folder's name (which a
    summary quotes) left out."""
    with zipfile.ZipFile(path) as archive:
        return {
            name: _MADE.sub(b"Made", _MODIFIED.sub(b"", archive.read(name))).replace(
                str(folder).encode(), b"FOLDER"
            )
            for name in archive.namelist()
        }


def test_every_workbook_the_demo_writes_is_byte_for_byte_what_openpyxl_writes(
    tmp_path, monkeypatch
):
    """The demo writes every kind of workbook the tool writes (worker measurement sheets,
    team sheets, the trend report, job plans, plan and actual): written by openpyxl's own
    writer, each is the same, part for part."""
    assert run_demo(tmp_path / "ours", months=2, echo=lambda _: None) == 0
    monkeypatch.setattr(PackageWriter, "write_worksheet", ExcelWriter.write_worksheet)
    assert run_demo(tmp_path / "them", months=2, echo=lambda _: None) == 0
    ours = sorted(p.relative_to(tmp_path / "ours") for p in (tmp_path / "ours").rglob("*.xlsx"))
    theirs = sorted(p.relative_to(tmp_path / "them") for p in (tmp_path / "them").rglob("*.xlsx"))
    assert ours == theirs and len(ours) > 100
    kinds = {path.name.split("-")[0] for path in ours}
    assert {"team", "trend", "camhs"} <= kinds, kinds
    for relative in ours:
        if relative.name == "sent-as-csv.xlsx":
            continue
        mine, expected = (
            parts(tmp_path / "ours" / relative, tmp_path / "ours"),
            parts(tmp_path / "them" / relative, tmp_path / "them"),
        )
        assert list(mine) == list(expected), relative
        differ = [name for name in mine if mine[name] != expected[name]]
        assert not differ, (relative, differ)


CELLS = [
    "plain",
    " leading space",
    "trailing space ",
    "   ",
    "",
    "a & b < c > d \" ' ",
    "two\nlines\r\nand a\ttab",
    "émoji 😀 and 中文",
    0,
    -0.0,
    1e-300,
    1.7976931348623157e308,
    0.1 + 0.2,
    123456789012345678,
    -5,
    float("nan"),
    float("inf"),
    True,
    False,
    '=A1&"<"&B2',
    "=SUM(A1:A3)",
    "#N/A",
    dt.date(2026, 10, 28),
    dt.datetime(2026, 10, 28, 9, 30),
    dt.time(9, 30),
    Decimal("1.25"),
    None,
]


def _cells_workbook(values) -> Workbook:
    wb = Workbook()
    ws = wb.active
    for row, value in enumerate(values, start=1):
        ws.cell(row, 1, value)
        styled = ws.cell(row, 2, value)
        styled.font = Font(bold=True)
        styled.alignment = Alignment(wrap_text=True)
    ws.cell(1, 3).font = Font(italic=True)  # styled, empty
    ws.cell(2, 3, "#DIV/0!").data_type = "e"
    ws.cell(3, 3, "=")
    ws.cell(4, 3, CellRichText(["rich ", TextBlock(InlineFont(b=True), "text")]))
    ws.cell(5, 3, "linked").hyperlink = "https://example.org/a?b=1&c=2"
    commented = ws.cell(6, 3, "noted")
    commented.comment = Comment("A note", "Tester")
    ws.row_dimensions[2].height = 30
    wb.create_sheet("Second")["A1"] = "=Sheet!A1"
    return wb


def test_cells_of_every_kind_are_written_as_openpyxl_writes_them():
    assert package(_cells_workbook(CELLS)) == package(_cells_workbook(CELLS), ExcelWriter)


@settings(max_examples=150, deadline=None)
@given(
    st.lists(
        st.one_of(
            st.text(st.characters(blacklist_categories=("Cs", "Cc")), max_size=40),
            st.integers(min_value=-(10**20), max_value=10**20),
            st.floats(allow_nan=True, allow_infinity=True),
            st.booleans(),
        ),
        max_size=12,
    )
)
def test_any_text_or_number_is_written_as_openpyxl_writes_it(values):
    assert package(_cells_workbook(values)) == package(_cells_workbook(values), ExcelWriter)


def test_with_lxml_openpyxl_writes_the_sheets_itself(monkeypatch):
    """Where lxml is installed openpyxl writes through it (a writer this one cannot add text
    to), and the sheets are openpyxl's own."""

    def refuse(*_args):
        raise AssertionError("a cell written as text beside lxml")

    monkeypatch.setattr(sheet_writer, "LXML", True)
    monkeypatch.setattr(sheet_writer, "plain_cell", refuse)
    assert package(_cells_workbook(CELLS)) == package(_cells_workbook(CELLS), ExcelWriter)
