"""openpyxl's package writer, with a worksheet's plain cells written as text (files edge).

Why: openpyxl serialises every cell through an element tree (an Element and its children,
the namespace bookkeeping of et_xmlfile's incremental writer, escaping), about half the time
of saving a workbook, and writes each sheet through a temporary file on disk (on Windows, a
file an antivirus scanner looks at, for every sheet of every workbook). Here a plain cell's
XML is put together as text, the very bytes openpyxl writes for it, and each sheet is written
in memory. A cell that is not plain (a comment, a hyperlink, rich text, a date, an array or
data-table formula, a number type other than int and float) is written by openpyxl's own
function, in its place; the rows, and everything around the cells, are openpyxl's. Where
lxml is installed openpyxl writes through lxml instead, and this writer is openpyxl's, unchanged.

`tests/test_sheet_writer.py` checks the packages written so are byte for byte openpyxl's, for
every kind of workbook the tool writes and for cells of every kind.
"""

from __future__ import annotations

import math
import zipfile
from io import BytesIO
from xml.sax.saxutils import escape

from openpyxl import LXML
from openpyxl.cell._writer import write_cell
from openpyxl.comments.comment_sheet import CommentRecord
from openpyxl.drawing.spreadsheet_drawing import SpreadsheetDrawing
from openpyxl.utils.cell import get_column_letter
from openpyxl.worksheet._writer import WorksheetWriter
from openpyxl.writer.excel import ExcelWriter

_PLAIN_TYPES = {"n": (int, float), "b": (bool,), "e": (str,), "s": (str,), "f": (str,)}
"""The value types a cell of each data type has when this writer writes it itself."""


def save_workbook(wb, path) -> None:
    """`wb.save(path)`, through this writer."""
    archive = zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, allowZip64=True)
    PackageWriter(wb, archive).save()  # closes the archive, as openpyxl's save_workbook


class PackageWriter(ExcelWriter):
    """`ExcelWriter` (what `Workbook.save` uses), writing each worksheet in memory with its
    plain cells as text."""

    def write_worksheet(self, ws) -> None:
        if LXML or self.workbook.write_only:
            super().write_worksheet(ws)
            return
        ws._drawing = SpreadsheetDrawing()
        ws._drawing.charts = ws._charts
        ws._drawing.images = ws._images
        writer = _SheetWriter(ws, out=BytesIO())
        writer.write()
        ws._rels = writer._rels
        self._archive.writestr(ws.path[1:], writer.read())
        self.manifest.append(ws)


class _SheetWriter(WorksheetWriter):
    """openpyxl's worksheet writer, but for a row's plain cells."""

    def write_row(self, xf, row, row_idx) -> None:
        attrs = {"r": f"{row_idx}"}
        dims = self.ws.row_dimensions
        attrs.update(dims.get(row_idx, {}))
        with xf.element("row", attrs):
            text = xf._file  # et_xmlfile's writer of text, as it writes its own tags
            for cell in row:
                if cell._comment is not None:
                    self.ws._comments.append(CommentRecord.from_cell(cell))
                styled = cell.has_style
                if cell._value is None and not styled and not cell._comment:
                    continue
                xml = plain_cell(cell, styled)
                if xml is None:
                    write_cell(xf, self.ws, cell, styled)
                else:
                    text(xml)


def plain_cell(cell, styled: bool) -> str | None:
    """The XML openpyxl writes for a cell (`cell._writer.etree_write_cell`), or None when it
    is not a plain one."""
    value, data_type = cell._value, cell.data_type
    if cell.hyperlink is not None or data_type not in _PLAIN_TYPES:
        return None
    if value is not None and type(value) not in _PLAIN_TYPES[data_type]:
        return None
    start = f'<c r="{get_column_letter(cell.column)}{cell.row}"'
    if styled:
        start += f' s="{cell.style_id}"'
    if data_type == "s":
        start += ' t="inlineStr"'
    elif data_type != "f":
        start += f' t="{data_type}"'
    if value is None or value == "":
        return start + " />"
    if data_type == "f":
        if len(value) < 2:
            return None  # "=" alone: openpyxl writes an empty formula element
        return f"{start}><f>{escape(value[1:])}</f><v /></c>"
    if data_type == "s":
        stripped = value.strip()
        space = ' xml:space="preserve"' if stripped and stripped != value else ""
        return f"{start}><is><t{space}>{escape(value)}</t></is></c>"
    if data_type == "e":
        return f"{start}><v>{escape(value)}</v></c>"
    if isinstance(value, float) and (math.isnan(value) or math.isinf(value)):
        return f"{start}><v /></c>"
    return f"{start}><v>{format(value, '.16g')}</v></c>"
