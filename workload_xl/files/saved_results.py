"""The results Excel saved in a workbook's formula cells, read without a second openpyxl load
(files edge).

openpyxl reads a formula cell as its formula or, with `data_only=True`, as the result saved
with it, never both, so the readers used to open every workbook twice. Loading the package is
most of a read (styles, tables, names, a cell object for every cell) and the second load
doubled it. Here the first load's own reader is kept, and a sheet's saved results are read when
a reader first asks for one: a single pass of the expat parser over that sheet's XML that keeps
only the formula cells' `<v>` text and type. Each result is then turned into a Python value
exactly as openpyxl's data-only reader turns it (a number as int or float as written, a date-
formatted number as a date or time, a yes/no as bool, an error as its text, a shared string by
its index, an empty result as None), so every finding reads the same figures as before. (Only a
formula whose result is an inline string, which neither Excel nor LibreOffice writes, reads as
None where openpyxl reads its text.) The pass costs about a tenth of a load; python-calamine,
faster still, was not used because it returns every number as a float and reads an error result
as blank, so findings would show 12.0 for 12 and lose '#N/A'.

The file guard has already refused any part with a declaration and capped every part's size;
the pass also refuses entity declarations and external entities, as defusedxml (openpyxl's
parser here) does, and a sheet it cannot parse (which openpyxl has just parsed) reads as holding
no saved results rather than raising.
"""

from __future__ import annotations

import contextlib
import io
import re
import zipfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from xml.parsers import expat

from openpyxl import Workbook
from openpyxl.packaging.relationship import get_dependents, get_rels_path
from openpyxl.reader.excel import ExcelReader
from openpyxl.styles.numbers import is_date_format, is_timedelta_format
from openpyxl.utils.cell import coordinate_to_tuple
from openpyxl.utils.datetime import from_excel, from_ISO8601
from openpyxl.worksheet.worksheet import Worksheet
from openpyxl.xml.constants import SHEET_MAIN_NS

from workload_xl.core.cells import parse_reference

TABLE_TYPE = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/table"
"""A relationship to a table part (openpyxl's Table._rel_type)."""

_CELL = f"{SHEET_MAIN_NS} c"
_FORMULA = f"{SHEET_MAIN_NS} f"
_VALUE = f"{SHEET_MAIN_NS} v"


class SavedResults:
    """A loaded workbook's saved formula results, each sheet read once on first use."""

    def __init__(
        self,
        path: Path,
        wb: Workbook,
        parts: dict[str, str],
        strings: list,
        kept: dict[str, bytes] | None = None,
    ) -> None:
        self._path, self._wb, self._parts, self._strings = Path(path), wb, parts, strings
        self._kept = kept or {}  # sheet parts already unpacked for openpyxl, by part name
        self._sheets: dict[Worksheet, dict[tuple[int, int], tuple[str, str | None]]] = {}

    def result(self, cell) -> Any:
        """What `load_workbook(data_only=True)` reads at a cell of the loaded workbook: a
        formula cell's saved result (None when none was saved), else the cell's value."""
        if cell.data_type != "f":
            return cell.value
        saved = self._sheet(cell.parent).get((cell.row, cell.column))
        if saved is None:
            return None
        number_format = cell.number_format if saved[0] == "n" else "General"
        return as_saved_value(*saved, number_format, self._wb.epoch, self._strings)

    def _sheet(self, ws: Worksheet) -> dict[tuple[int, int], tuple[str, str | None]]:
        found = self._sheets.get(ws)
        if found is None:
            try:
                part = self._parts[ws.title]
                xml = self._kept.get(part)
                if xml is None:
                    with zipfile.ZipFile(self._path) as archive:
                        xml = archive.read(part)
                found = {coordinate_to_tuple(a): v for a, v in formula_results(xml).items()}
            except (KeyError, ValueError, expat.ExpatError, zipfile.BadZipFile):
                found = {}
            self._sheets[ws] = found
        return found


@dataclass(frozen=True)
class SheetChoice:
    """The worksheets a reader needs the cells of: those holding a table `table` accepts by
    name, and those any of the defined names in `names` point at (folded). The others load
    with no cells (their names, order and state kept), which saves parsing them: a worker
    workbook's Scheme sheet, a third of its cells, is the tool's own copy of the scheme file
    and nothing reads it back."""

    table: Callable[[str], bool]
    names: frozenset[str] = frozenset()

    def named_sheets(self, defined: Iterable[tuple[str, str]]) -> set[str]:
        """The sheets (folded) that the chosen of these defined names, (name, reference text),
        point at, whatever their scope."""
        found = set()
        for name, text in defined:
            if name.casefold() in self.names:
                place = parse_reference(text)
                if place is not None:
                    found.add(place[0].casefold())
        return found


def load_with_results(
    path: Path, choice: SheetChoice | None = None
) -> tuple[Workbook, SavedResults]:
    """`load_workbook(path)` (formulas), and the results saved with them; with a `choice`,
    only the worksheets it names are read whole. The caller catches openpyxl's errors and
    silences its warnings, as for load_workbook."""
    reader = ExcelReader(path)  # what load_workbook does, keeping the reader
    chosen = None
    if choice is not None:
        reader.archive.close()
        reader.archive = chosen = _ChosenSheets(path, reader, choice)
    reader.read()
    parts = {sheet.name: rel.target for sheet, rel in reader.parser.find_sheets()}
    kept = chosen.unpacked if chosen is not None else None
    return reader.wb, SavedResults(path, reader.wb, parts, reader.shared_strings, kept)


_EMPTY_SHEET = f'<worksheet xmlns="{SHEET_MAIN_NS}"><sheetData/></worksheet>'.encode()


class _ChosenSheets(zipfile.ZipFile):
    """The workbook's package as openpyxl's reader opens it, but for a worksheet the choice
    does not need, whose part opens as an empty sheet. Which are needed is worked out when
    the first worksheet is opened: by then the reader has read the workbook part (its sheets
    and defined names), and each sheet's relationships name its tables."""

    def __init__(self, path: Path, reader: ExcelReader, choice: SheetChoice) -> None:
        super().__init__(path)
        self._reader, self._choice = reader, choice
        self._chosen: tuple[frozenset[str], frozenset[str]] | None = None
        """(the sheet parts opened empty, those read whole), once worked out."""
        self._deciding = False  # the parts read to decide are opened as they are
        self.unpacked: dict[str, bytes] = {}
        """The worksheets read, as unpacked for openpyxl: the saved results' pass reads them
        from here, not from the file again."""

    def open(self, name, *args, **kwargs):  # type: ignore[override]
        part = name.filename if isinstance(name, zipfile.ZipInfo) else name
        if self._chosen is None and not self._deciding:
            self._deciding = True
            try:
                sheets = self._sheet_parts()
                if part in sheets:
                    self._chosen = self._choose(sheets)
            except (KeyError, ValueError, zipfile.BadZipFile):
                self._chosen = (frozenset(), frozenset())  # every sheet, as openpyxl reads it
            finally:
                self._deciding = False
        if self._chosen is not None and not args:
            skipped, read = self._chosen
            if part in skipped:
                return io.BytesIO(_EMPTY_SHEET)
            if part in read:
                data = super().read(name)  # a sheet read whole: its XML kept for the results
                self.unpacked[part] = data
                return io.BytesIO(data)
        return super().open(name, *args, **kwargs)

    def _sheet_parts(self) -> dict[str, str]:
        """Each worksheet's part and title, once the reader has read the workbook part."""
        parser = getattr(self._reader, "parser", None)
        if parser is None:
            return {}
        return {rel.target: sheet.name for sheet, rel in parser.find_sheets()}

    def _choose(self, sheets: dict[str, str]) -> tuple[frozenset[str], frozenset[str]]:
        """(the sheet parts not needed, those needed), of the parts the package holds."""
        named = self._named_sheets()
        present = set(self.namelist())
        skipped, read = set(), set()
        for part, title in sheets.items():
            if part not in present:
                continue
            tables = self._tables(part, present)
            needed = title.casefold() in named or any(map(self._choice.table, tables))
            (read if needed else skipped).add(part)
        return frozenset(skipped), frozenset(read)

    def _named_sheets(self) -> set[str]:
        """The sheets (folded) the chosen defined names point at, whatever their scope."""
        defined = self._reader.parser.defined_names.definedName
        return self._choice.named_sheets((d.name, d.attr_text or "") for d in defined)

    def _tables(self, part: str, present: set[str]) -> list[str]:
        """The display names of the tables a worksheet part's relationships name."""
        rels = get_rels_path(part)
        if rels not in present:
            return []
        names = []
        for rel in get_dependents(self, rels).find(TABLE_TYPE):
            with contextlib.suppress(KeyError):
                names.append(display_name(self.read(rel.target)))
        return names


_DISPLAY_NAME = re.compile(rb'\bdisplayName\s*=\s*["\']([^"\']{1,255})')


def display_name(table_xml: bytes) -> str:
    """A table part's display name, found without parsing the part: what a choice of sheets
    goes by (so the package reader chooses the same sheets)."""
    found = _DISPLAY_NAME.search(table_xml)
    return found[1].decode("utf-8", "replace") if found else ""


def formula_results(xml: bytes) -> dict[str, tuple[str, str | None]]:
    """Each formula cell of a sheet's XML: its address -> (its t attribute, its <v> text, None
    when it has none). Cells without an address or a formula are left out."""
    found: dict[str, tuple[str, str | None]] = {}
    cell, kind, formula, text = None, "n", False, None

    def start(name: str, attributes: dict[str, str]) -> None:
        nonlocal cell, kind, formula, text
        if name == _CELL:
            cell, kind, formula, text = attributes.get("r"), attributes.get("t", "n"), False, None
        elif name == _FORMULA:
            formula = True
        elif name == _VALUE and formula:
            text = []
            parser.CharacterDataHandler = text.append

    def end(name: str) -> None:
        if name == _VALUE:
            parser.CharacterDataHandler = None
        elif name == _CELL and formula and cell:
            found[cell] = (kind, "".join(text) if text is not None else None)

    def refuse(*_args) -> None:
        raise ValueError("A worksheet declares an entity, which a workbook never does.")

    parser = expat.ParserCreate(namespace_separator=" ")
    parser.buffer_text = True
    parser.StartElementHandler = start
    parser.EndElementHandler = end
    parser.EntityDeclHandler = refuse
    parser.ExternalEntityRefHandler = refuse
    parser.Parse(xml, True)
    return found


def as_saved_value(kind: str, text: str | None, number_format: str, epoch, strings: list) -> Any:
    """A saved result as openpyxl's data-only reader reads it (WorkSheetParser.parse_cell),
    by the cell's number format (only a number's is looked at)."""
    if kind == "inlineStr" or not text:
        return None
    if kind == "n":
        value: Any = float(text) if "." in text or "E" in text or "e" in text else int(text)
        if number_format != "General" and is_date_format(number_format):
            try:
                return from_excel(value, epoch, timedelta=is_timedelta_format(number_format))
            except (OverflowError, ValueError):  # openpyxl warns, and reads it as an error
                return "#VALUE!"
        return value
    if kind == "s":
        return strings[int(text)]
    if kind == "b":
        return bool(int(text))
    if kind == "d":
        return from_ISO8601(text)
    return text  # "str" and "e": the text itself
