"""Cells styled alike through StyleStamps are written exactly as cells styled one by one: the
same sheet XML and the same style lists, byte for byte (the stamps only skip openpyxl's
hashing of each style object for every cell)."""

from __future__ import annotations

import io
import zipfile

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill, Protection

from workload_xl.files.style import StyleStamps

GREY = PatternFill("solid", fgColor="EDEDED")


LOOKS = {  # a different look for each of three columns, as a table's columns have
    1: {"protection": Protection(locked=False), "number_format": "0.0"},
    2: {"fill": GREY, "alignment": Alignment(wrap_text=True, vertical="top")},
    3: {"font": Font(bold=True), "number_format": "dd/mm/yyyy"},
}


def _parts(stamped: bool) -> dict[str, bytes]:
    wb = Workbook()
    ws = wb.active
    ws["A1"].font = Font(italic=True)  # a style made before the stamps, as a title's
    stamps = StyleStamps(LOOKS)
    for row in range(2, 30):
        for column in (1, 2, 3):
            cell = ws.cell(row, column, row * column)
            if stamped:
                stamps.apply(cell, column)
            else:
                for name, value in LOOKS[column].items():
                    setattr(cell, name, value)
    out = io.BytesIO()
    wb.save(out)
    with zipfile.ZipFile(out) as archive:
        return {n: archive.read(n) for n in archive.namelist() if n != "docProps/core.xml"}


def test_stamped_cells_are_written_as_cells_styled_one_by_one():
    stamped, one_by_one = _parts(True), _parts(False)
    assert stamped.keys() == one_by_one.keys()
    for name in stamped:
        assert stamped[name] == one_by_one[name], name
    # and the looks really differ by column (the test would pass on unstyled cells otherwise)
    sheet = stamped["xl/worksheets/sheet1.xml"].decode()
    assert {f'<c r="{c}2" s=' in sheet for c in "ABC"} == {True}
    assert stamped["xl/styles.xml"].count(b"<xf ") >= 5
