"""A workbook read straight from its package's XML, as openpyxl's reader would read it
(files edge).

Why: loading a measurement sheet with openpyxl was most of `validate`'s and `build-team`'s
time, and of the demo's: openpyxl builds an element tree for every row, a cell object with a
style array for every cell, and an object with checked attributes for every style, border,
fill, font and print setting, none of which a reader of values uses. Here one expat pass over
each sheet the reader needs turns its cells into the values, types and formulas openpyxl's
reader gives (`WorkSheetParser.parse_cell`, the same number casting, dates by the same number
formats, shared formulas through openpyxl's own Translator, text as `Text.content` reads it),
the defined names are bound as openpyxl's `WorkbookParser.assign_names` binds them, and the
results Excel saved come from the same pass `files.saved_results` makes. About a quarter of
the time of an openpyxl load.

Exactness matters more than speed, so the reader declines (`read_package_book` gives None)
whenever a package has anything it does not read exactly as openpyxl does: merged cells,
hyperlinks and comments (openpyxl makes cells for them), array and data-table formulas, a
cell or row without an address, a chart sheet, a strict-OOXML sheet, a table whose name and
display name differ, a sheet title openpyxl would rename or refuse, and any part it cannot
parse. Also whatever openpyxl would read otherwise than this reader does: an element inside
a value, formula, text or defined name (openpyxl reads the text before it), a shared string
inside another, a row or table list out of its place (openpyxl finds those anywhere), a
workbook part twice or in another namespace (openpyxl takes the last, by local name), a
sheet number or state openpyxl refuses, and two sheets that are one worksheet part. The
caller then loads the file with openpyxl, exactly as before, so a damaged file gets the
same finding as ever. `tests/test_package_book.py` compares the two readers on every kind
of workbook the tool writes and on files LibreOffice saved.

The file guard has already refused declarations and capped every part; expat here also
refuses entity declarations, as for the saved results.
"""

from __future__ import annotations

import posixpath
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from xml.parsers import expat

from openpyxl.formula.translate import Translator
from openpyxl.styles.numbers import (
    BUILTIN_FORMATS,
    BUILTIN_FORMATS_MAX_SIZE,
    is_date_format,
    is_timedelta_format,
)
from openpyxl.utils.cell import coordinate_to_tuple
from openpyxl.utils.datetime import CALENDAR_MAC_1904, WINDOWS_EPOCH, from_excel, from_ISO8601
from openpyxl.workbook.defined_name import RESERVED_REGEX
from openpyxl.xml.constants import SHEET_MAIN_NS

from workload_xl.contracts.grid import Names, Table, names_from
from workload_xl.files.loading import bounded_table
from workload_xl.files.saved_results import (
    TABLE_TYPE,
    SheetChoice,
    as_saved_value,
    display_name,
)

SUPPORTED_SUFFIXES = (".xlsx", ".xlsm", ".xltx", ".xltm")
"""The file names openpyxl's reader opens (any other it refuses, which is a finding)."""

_WORKBOOK_TYPES = tuple(
    f"application/vnd.{kind}.{part}.main+xml"
    for kind, part in (
        ("ms-excel", "template.macroEnabled"),
        ("openxmlformats-officedocument.spreadsheetml", "template"),
        ("ms-excel", "sheet.macroEnabled"),
        ("openxmlformats-officedocument.spreadsheetml", "sheet"),
    )
)
"""The workbook part's content types, in the order openpyxl looks for them."""
_SHARED_STRINGS_TYPE = (
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"
)
_RELATIONSHIPS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PACKAGE_RELATIONSHIPS = "http://schemas.openxmlformats.org/package/2006/relationships"
_CONTENT_TYPES = "http://schemas.openxmlformats.org/package/2006/content-types"
_WORKSHEET_TYPE = f"{_RELATIONSHIPS}/worksheet"
_PRINTER_SETTINGS_TYPE = f"{_RELATIONSHIPS}/printerSettings"
_SHEET_RELATIONS = frozenset({TABLE_TYPE, _PRINTER_SETTINGS_TYPE})
"""What a sheet may be related to for this reader: anything else (comments, drawings,
pivot tables) and openpyxl is used."""
_INVALID_TITLE = re.compile(r"[\\*?:/\[\]]")
_MAIN = SHEET_MAIN_NS + " "
_DECLINED_TAGS = frozenset(_MAIN + tag for tag in ("mergeCells", "hyperlinks"))
_PLACED_TAGS = frozenset(_MAIN + tag for tag in ("row", "tableParts", "mergeCells", "hyperlinks"))
"""What openpyxl's sheet parser reads wherever it stands (it matches these tags at any depth),
and this reader only in its place: one out of its place and the reader declines."""
_SHEET_STATES = frozenset({"visible", "hidden", "veryHidden"})
"""The sheet states openpyxl accepts: any other and it calls the file damaged."""


class _Declined(Exception):
    """The package has something this reader does not read exactly as openpyxl does."""


@dataclass(frozen=True)
class TablePart:
    """A table as the readers use it: its name and range, and its totals rows."""

    name: str
    ref: str
    totals_rows: int


@dataclass
class PackageSheet:
    """One worksheet: its title, its tables (by name), and, if it was read, its cells as
    openpyxl's reader gives them, (value, data type, style index) by (row, column)."""

    title: str
    tables: dict[str, TablePart] = field(default_factory=dict)
    cells: dict[tuple[int, int], tuple[Any, str, int]] = field(default_factory=dict)
    results: dict[tuple[int, int], tuple[str, str | None]] = field(default_factory=dict)

    @property
    def max_row(self) -> int:
        return max((row for row, _ in self.cells), default=1)

    @property
    def max_column(self) -> int:
        return max((column for _, column in self.cells), default=1)


@dataclass(frozen=True)
class _Styles:
    """Each cell style's number format, and which of them show dates and durations."""

    formats: tuple[str, ...]
    dates: frozenset[int]
    durations: frozenset[int]


class PackageBook:
    """A workbook read from its package, as the grid interface (contracts.grid) reads one,
    with the same answers `worker_reader.OpenpyxlBook` gives for the same file."""

    def __init__(self, name: str, sheets: list[PackageSheet], names: Names, styles, strings, epoch):
        self.name = name
        self.names = names
        self._sheets = {sheet.title: sheet for sheet in sheets}
        self._order = sheets
        self._styles: _Styles = styles
        self._strings, self._epoch = strings, epoch

    @property
    def sheet_names(self) -> list[str]:
        return [sheet.title for sheet in self._order]

    def worksheet_tables(self) -> list[tuple[str, dict[str, str]]]:
        """Each worksheet's title and its tables' display names by table name, in order."""
        return [(ws.title, {name: name for name in ws.tables}) for ws in self._order]

    def value(self, sheet: str, row: int, column: int) -> Any:
        return self._seen(self._sheets[sheet], self._touch(sheet, row, column), (row, column))

    def cached(self, sheet: str, row: int, column: int) -> Any:
        return self._result(self._sheets[sheet], self._touch(sheet, row, column), (row, column))

    def formula(self, sheet: str, row: int, column: int) -> str | None:
        value, data_type, _ = self._touch(sheet, row, column)
        return str(value) if data_type == "f" and value else None

    def cells(self, sheet: str) -> Iterator[tuple[int, int, Any]]:
        ws = self._sheets[sheet]
        for (row, column), cell in sorted(ws.cells.items()):
            yield row, column, self._seen(ws, cell, (row, column))

    def read_table(self, sheet: str, name: str) -> Table:
        """A table as the grid interface's, its rows as the user sees them (as
        `OpenpyxlBook.table` reads it, bounded as `files.loading.table_bounds` bounds it)."""
        ws = self._sheets[sheet]
        table = ws.tables[name]
        min_col, min_row, max_col, max_row = bounded_table(
            table.ref, table.totals_rows, ws.max_row, ws.max_column
        )
        span = range(min_col, max_col + 1)
        headers = tuple(self._touch(ws.title, min_row, c)[0] for c in span)
        cells = ws.cells
        rows = [
            [
                None if (cell := cells.get((r, c))) is None else self._seen(ws, cell, (r, c))
                for c in span
            ]
            for r in range(min_row + 1, max_row + 1)
        ]
        return Table(table.name, ws.title, min_row, min_col, headers, rows)

    def _touch(self, sheet: str, row: int, column: int) -> tuple[Any, str, int]:
        """The cell, made empty if absent, as openpyxl's `ws.cell` makes it (which counts
        towards the sheet's extent, as it does there)."""
        cells = self._sheets[sheet].cells
        cell = cells.get((row, column))
        if cell is None:
            cell = cells[(row, column)] = (None, "n", 0)
        return cell

    def _seen(self, ws: PackageSheet, cell: tuple[Any, str, int], at: tuple[int, int]) -> Any:
        """What the user sees: for a formula, the result Excel saved, else its own text (as
        `OpenpyxlBook._seen`)."""
        if cell[1] == "f":
            cached = self._result(ws, cell, at)
            return cell[0] if cached is None else cached
        return cell[0]

    def _result(self, ws: PackageSheet, cell: tuple[Any, str, int], at: tuple[int, int]) -> Any:
        if cell[1] != "f":
            return cell[0]
        saved = ws.results.get(at)
        if saved is None:
            return None
        number_format = self._styles.formats[cell[2]]
        return as_saved_value(*saved, number_format, self._epoch, self._strings)


def read_package_book(path: Path, name: str, choice: SheetChoice | None) -> PackageBook | None:
    """The workbook at `path` (which the file guard has passed), or None when it holds
    anything this reader does not read as openpyxl does: then load it with openpyxl."""
    if Path(path).suffix.lower() not in SUPPORTED_SUFFIXES:
        return None
    try:
        with zipfile.ZipFile(path) as archive:
            return _read(archive, name, choice)
    except (
        _Declined,
        KeyError,
        ValueError,
        IndexError,
        TypeError,
        OverflowError,
        expat.ExpatError,
        zipfile.BadZipFile,
        OSError,
    ):
        return None


def _read(archive: zipfile.ZipFile, name: str, choice: SheetChoice | None) -> PackageBook:
    present = set(archive.namelist())
    overrides = _overrides(archive.read("[Content_Types].xml"))
    workbook_part = next(
        (part for kind in _WORKBOOK_TYPES for part, t in overrides if t == kind), None
    )
    if workbook_part is None:
        raise _Declined("the workbook part is found by a default content type")
    workbook = _parse_workbook(archive.read(workbook_part))
    relations = _relations(archive, workbook_part, present)
    strings_part = next((part for part, t in overrides if t == _SHARED_STRINGS_TYPE), None)
    strings = _shared_strings(archive.read(strings_part)) if strings_part else []
    styles = _parse_styles(archive.read("xl/styles.xml"))

    titles = [title for title, _ in workbook.sheets]
    folded = [title.casefold() for title in titles]
    if len(set(folded)) != len(folded) or any(
        not title or _INVALID_TITLE.search(title) for title in titles
    ):
        raise _Declined("a sheet title openpyxl would refuse or rename")
    targets = []
    for title, rid in workbook.sheets:
        kind, target = relations[rid]  # a sheet without a relation: KeyError, declined
        if kind != _WORKSHEET_TYPE or target not in present:
            raise _Declined(f"{title} is not a worksheet openpyxl reads")
        targets.append(target)
    if len(set(targets)) != len(targets):
        raise _Declined("two sheets are one worksheet part, which openpyxl reads for each")

    named = choice.named_sheets((n, text) for n, _, text in workbook.names) if choice else set()
    sheets, table_names = [], set()
    for title, target in zip(titles, targets, strict=True):
        sheet_relations = _relations(archive, target, present)
        if any(kind not in _SHEET_RELATIONS for kind, _ in sheet_relations.values()):
            raise _Declined(f"{title} has comments, drawings or other parts")
        wanted = choice is None or title.casefold() in named
        if not wanted:
            wanted = any(
                choice.table(display_name(archive.read(t)))
                for kind, t in sheet_relations.values()
                if kind == TABLE_TYPE
            )
        sheet = PackageSheet(title)
        if wanted:
            xml = archive.read(target)
            parsed = _SheetParser(strings, styles, workbook.epoch).parse(xml)
            sheet.cells = parsed.cells
            sheet.results = parsed.results
            for rid in parsed.table_ids:
                kind, table_target = sheet_relations[rid]
                table = _parse_table(archive.read(table_target))
                if table.name.casefold() in table_names:
                    raise _Declined("two tables share a name")
                table_names.add(table.name.casefold())
                sheet.tables[table.name] = table
        sheets.append(sheet)
    return PackageBook(
        name, sheets, _names(workbook.names, titles), styles, strings, workbook.epoch
    )


def _names(entries: list[tuple[str, str | None, str]], titles: list[str]) -> Names:
    """The defined names as openpyxl binds them (`WorkbookParser.assign_names` and
    `DefinedNameList.by_sheet`), listed as `worker_reader.defined_names` lists them: the
    book's, then each sheet's own; print titles, print areas and filters are not names there."""
    book: dict[str, str] = {}
    local: dict[int, dict[str, str]] = {}
    for name, scope, text in entries:
        if scope is None:
            if name not in ("_xlnm.Print_Titles", "_xlnm.Print_Area", "_xlnm._FilterDatabase"):
                book[name] = text
            continue
        index = int(scope)
        if not 0 <= index < len(titles):
            raise _Declined("a defined name for a sheet that is not there")
        if RESERVED_REGEX.match(name) is None:
            local.setdefault(index, {})[name] = text
    listed = [(name, None, text) for name, text in book.items()]
    for index, title in enumerate(titles):
        listed += [(name, title, text) for name, text in local.get(index, {}).items()]
    return names_from(listed)


@dataclass(frozen=True)
class _Workbook:
    sheets: list[tuple[str, str]]  # (title, relation id)
    names: list[tuple[str, str | None, str]]  # (name, localSheetId or None, text)
    epoch: Any


def _parse_workbook(xml: bytes) -> _Workbook:
    """The sheets, defined names and date system, as openpyxl's `WorkbookPackage.from_tree`
    reads them: it takes the workbook's parts by local name (the last of each), every child
    of `<sheets>` as a sheet, and a defined name's text up to its first child element; the
    reader declines whatever it would read otherwise."""
    sheets: list[tuple[str, str]] = []
    names: list[tuple[str, str | None, str]] = []
    epoch = WINDOWS_EPOCH
    defined: list | None = None
    text: list[str] = []
    path: list[str] = []
    parts: set[str] = set()

    def start(tag: str, attributes: dict[str, str]) -> None:
        nonlocal defined, epoch, text
        if defined is not None:
            raise _Declined("an element inside a defined name: openpyxl reads the text before it")
        depth = len(path)
        path.append(tag)
        if depth == 1:
            local = tag.rpartition(" ")[2]
            if local in _WORKBOOK_PARTS:
                if tag != _MAIN + local or local in parts:
                    raise _Declined(f"{local} twice or in another namespace")
                parts.add(local)
        elif depth == 2 and path[1] == _MAIN + "sheets":
            if tag != _MAIN + "sheet":
                raise _Declined("something in the sheet list that openpyxl reads as a sheet")
        elif depth == 2 and path[1] == _MAIN + "definedNames":
            if tag != _MAIN + "definedName" and tag.endswith(" definedName"):
                raise _Declined("a defined name in another namespace, which openpyxl reads")
        elif tag in _WORKBOOK_PLACED and not (depth == 2 and path[1] == _MAIN + "definedNames"):
            raise _Declined(f"{tag} out of its place")
        if tag == _MAIN + "sheet":
            rid = attributes.get(f"{_RELATIONSHIPS} id")
            if not rid or "name" not in attributes:
                raise _Declined("a sheet openpyxl would leave out")
            if not _is_integer(attributes.get("sheetId")):
                raise _Declined("a sheet number that is not a number: openpyxl calls it damaged")
            if attributes.get("state", "visible") not in _SHEET_STATES:
                raise _Declined("a sheet state openpyxl refuses")
            sheets.append((attributes["name"], rid))
        elif tag == _MAIN + "definedName":
            defined, text = [attributes["name"], attributes.get("localSheetId")], []
            parser.CharacterDataHandler = text.append
        elif tag == _MAIN + "workbookPr":
            date1904 = attributes.get("date1904", "false").lower()
            if date1904 not in ("0", "1", "false", "true"):
                raise _Declined("an unusual date system flag")
            if date1904 in ("1", "true"):
                epoch = CALENDAR_MAC_1904

    def end(tag: str) -> None:
        nonlocal defined
        path.pop()
        if tag == _MAIN + "definedName" and defined is not None:
            parser.CharacterDataHandler = None
            names.append((defined[0], defined[1], "".join(text)))
            defined = None

    parser = _parser(start, end)
    parser.Parse(xml, True)
    return _Workbook(sheets, names, epoch)


_WORKBOOK_PARTS = frozenset({"workbookPr", "properties", "sheets", "definedNames"})
"""The workbook's parts this reader reads, by local name as openpyxl matches them
(`properties` is openpyxl's other name for workbookPr)."""
_WORKBOOK_PLACED = frozenset(_MAIN + tag for tag in ("sheet", "definedName", "workbookPr"))


def _is_integer(text: str | None) -> bool:
    """Whether openpyxl's Integer descriptor takes the text (it calls int on it)."""
    try:
        int(text)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return False
    return True


def _overrides(xml: bytes) -> list[tuple[str, str]]:
    """(part name, content type) of each Override in [Content_Types].xml, in order."""
    found = []

    def start(tag: str, attributes: dict[str, str]) -> None:
        if tag == f"{_CONTENT_TYPES} Override":
            found.append((attributes["PartName"].lstrip("/"), attributes["ContentType"]))

    _parser(start, None).Parse(xml, True)
    return found


def _relations(archive: zipfile.ZipFile, part: str, present: set[str]) -> dict[str, tuple]:
    """A part's relationships: id -> (type, target part), targets made absolute as
    openpyxl's `get_dependents` makes them; none when the part has no relationships."""
    folder, base = posixpath.split(part)
    rels = posixpath.join(folder, "_rels", base + ".rels")
    if rels not in present:
        return {}
    found: dict[str, tuple] = {}

    def start(tag: str, attributes: dict[str, str]) -> None:
        if tag == f"{_PACKAGE_RELATIONSHIPS} Relationship":
            target = attributes["Target"]
            if attributes.get("TargetMode") != "External":
                if target.startswith("/"):
                    target = target[1:]
                else:
                    target = posixpath.normpath(posixpath.join(folder, target))
            found[attributes["Id"]] = (attributes["Type"], target)

    _parser(start, None).Parse(archive.read(rels), True)
    return found


def _parse_styles(xml: bytes) -> _Styles:
    """Each cell style's number format code, as openpyxl's stylesheet normalises them."""
    custom: dict[int, str] = {}
    ids: list[int] = []
    inside = [False]

    def start(tag: str, attributes: dict[str, str]) -> None:
        if tag == _MAIN + "numFmt":
            custom[int(attributes["numFmtId"])] = attributes["formatCode"]
        elif tag == _MAIN + "cellXfs":
            inside[0] = True
        elif tag == _MAIN + "xf" and inside[0]:
            ids.append(int(attributes.get("numFmtId", 0)))

    def end(tag: str) -> None:
        if tag == _MAIN + "cellXfs":
            inside[0] = False

    _parser(start, end).Parse(xml, True)
    if not ids:
        raise _Declined("no cell styles: openpyxl uses its own")
    formats, dates, durations = [], set(), set()
    for index, number in enumerate(ids):
        if number in custom:
            code: str | None = custom[number]
        elif number < BUILTIN_FORMATS_MAX_SIZE:
            code = BUILTIN_FORMATS.get(number)
        else:
            raise _Declined("a style with a number format the file does not define")
        if is_date_format(code):
            dates.add(index)
        if is_timedelta_format(code):
            durations.add(index)
        formats.append(code if code is not None else "General")
    return _Styles(tuple(formats), frozenset(dates), frozenset(durations))


def _shared_strings(xml: bytes) -> list[str]:
    """The shared strings as openpyxl's `read_string_table` reads them: each item's plain
    text and its runs' text (not its phonetic guide), with "x005F_" taken out."""
    strings: list[str] = []
    reading = _TextReader()
    inside = [False]

    def start(tag: str, attributes: dict[str, str]) -> None:
        if tag == _MAIN + "si":
            if inside[0]:
                raise _Declined("a shared string inside another: openpyxl numbers it first")
            inside[0] = True
            reading.begin()
        elif inside[0]:
            reading.start(tag, parser)

    def end(tag: str) -> None:
        if not inside[0]:
            return
        if tag == _MAIN + "si" and reading.depth == 0:
            inside[0] = False
            strings.append(reading.content().replace("x005F_", ""))
        else:
            reading.end(tag, parser)

    parser = _parser(start, end)
    parser.Parse(xml, True)
    return strings


class _TextReader:
    """A rich text item's content as openpyxl's `Text.from_tree(node).content` gives it: the
    last plain `<t>` child's text, then each `<r>` run's last `<t>` text; by local name, as
    openpyxl's serialiser matches children."""

    def begin(self) -> None:
        self.depth, self.plain, self.runs, self.run, self.text = 0, None, [], None, None
        self.in_run = False

    def start(self, tag: str, parser) -> None:
        if self.text is not None:
            raise _Declined("an element inside a text: openpyxl reads the text before it")
        self.depth += 1
        local = tag.rpartition(" ")[2]
        if self.depth == 1 and local == "r":
            self.in_run, self.run = True, None
        elif local == "t" and (self.depth == 1 or (self.depth == 2 and self.in_run)):
            self.text = []
            parser.CharacterDataHandler = self.text.append

    def end(self, tag: str, parser) -> None:
        local = tag.rpartition(" ")[2]
        if local == "t" and self.text is not None and (self.depth == 1 or self.in_run):
            parser.CharacterDataHandler = None
            text = "".join(self.text) or None  # an empty <t/> reads as None there
            if self.depth == 1:
                self.plain = text
            else:
                self.run = text
            self.text = None
        elif self.depth == 1 and local == "r":
            self.runs.append(self.run)
            self.in_run = False
        self.depth -= 1

    def content(self) -> str:
        snippets = [] if self.plain is None else [self.plain]
        return "".join(snippets + [run for run in self.runs if run is not None])


@dataclass
class _Parsed:
    cells: dict[tuple[int, int], tuple[Any, str, int]]
    results: dict[tuple[int, int], tuple[str, str | None]]
    table_ids: list[str]


class _SheetParser:
    """One worksheet's cells, as openpyxl's `WorkSheetParser` reads them (not data-only).

    Depths: 0 the worksheet, 1 its parts (sheetData, tableParts, ...), 2 a row or a table
    part, 3 a cell, 4 a cell's formula, value or inline text, 5 and on inside that text."""

    def __init__(self, strings: list[str], styles: _Styles, epoch) -> None:
        self._strings, self._styles, self._epoch = strings, styles, epoch

    def parse(self, xml: bytes) -> _Parsed:
        cells: dict[tuple[int, int], tuple[Any, str, int]] = {}
        results: dict[tuple[int, int], tuple[str, str | None]] = {}
        table_ids: list[str] = []
        shared: dict[str, Translator] = {}
        path: list[str] = []
        cell: dict[str, Any] = {}
        inline = _TextReader()
        count = len(self._styles.formats)
        sheet_data, table_parts = _MAIN + "sheetData", _MAIN + "tableParts"
        seen_table_parts: list[str] = []

        def start(tag: str, attributes: dict[str, str]) -> None:
            nonlocal cell
            depth = len(path)
            path.append(tag)
            if depth == 0:
                if tag != _MAIN + "worksheet":
                    raise _Declined("not a transitional worksheet")
            elif depth == 1:
                if tag in _DECLINED_TAGS:
                    raise _Declined("merged cells or hyperlinks")
                if tag == _MAIN + "row":
                    raise _Declined("a row outside the sheet's data, which openpyxl reads")
                if tag == table_parts:
                    if seen_table_parts:
                        raise _Declined("two table lists: openpyxl reads the last")
                    seen_table_parts.append(tag)
            elif path[1] != sheet_data:
                if depth == 2 and path[1] == table_parts and tag == _MAIN + "tablePart":
                    table_ids.append(attributes[f"{_RELATIONSHIPS} id"])
                elif tag in _PLACED_TAGS:
                    raise _Declined(f"{tag} out of its place, where openpyxl reads it")
            elif depth == 2:
                if tag != _MAIN + "row" or "r" not in attributes:
                    raise _Declined("a row without its number")
                cell = {"row": _row_number(attributes["r"])}
            elif depth > 3 and tag in _PLACED_TAGS:
                raise _Declined(f"{tag} inside a cell, where openpyxl reads it")
            elif depth == 3:
                if tag != _MAIN + "c" or not attributes.get("r"):
                    raise _Declined("a cell without its address")
                if "s" in attributes and not attributes["s"]:
                    raise _Declined("a cell with an empty style")
                cell = {"row": cell["row"], "attributes": attributes, "seen": []}
            elif depth == 4:
                if tag in (_MAIN + "f", _MAIN + "v") and tag in cell["seen"]:
                    raise _Declined("a cell with two formulas or two values")
                cell["seen"].append(tag)
                if tag == _MAIN + "f":
                    kind = attributes.get("t")
                    if kind in ("array", "dataTable"):
                        raise _Declined("an array or data-table formula")
                    cell["f"] = (kind, attributes.get("si"), [])
                    parser.CharacterDataHandler = cell["f"][2].append
                elif tag == _MAIN + "v":
                    cell["v"] = []
                    parser.CharacterDataHandler = cell["v"].append
                elif tag == _MAIN + "is" and "is" not in cell:
                    cell["is"] = None
                    inline.begin()
            elif path[4] == _MAIN + "is" and "is" in cell and cell["is"] is None:
                if tag in (_MAIN + "f", _MAIN + "v"):
                    raise _Declined("a formula or value inside a cell's text")
                inline.start(tag, parser)
            elif path[4] in (_MAIN + "f", _MAIN + "v"):
                raise _Declined("an element inside a formula or value: openpyxl reads up to it")

        def end(tag: str) -> None:
            nonlocal cell
            depth = len(path) - 1
            if depth >= 3 and path[1] == sheet_data:
                if depth == 3:
                    place, value = self._cell(cell, shared, count)
                    cells[place] = value
                    if "f" in cell:  # its saved result, as saved_results.formula_results reads
                        seen = cell["seen"]
                        after = "v" in cell and seen.index(_MAIN + "v") > seen.index(_MAIN + "f")
                        text = "".join(cell["v"]) if after else None
                        results[place] = (cell["attributes"].get("t", "n"), text)
                    cell = {"row": cell["row"]}
                elif depth == 4:
                    parser.CharacterDataHandler = None
                    if tag == _MAIN + "is" and "is" in cell and cell["is"] is None:
                        cell["is"] = inline.content()
                elif path[4] == _MAIN + "is" and "is" in cell and cell["is"] is None:
                    inline.end(tag, parser)
            path.pop()

        parser = _parser(start, end)
        parser.Parse(xml, True)
        return _Parsed(cells, results, table_ids)

    def _cell(self, cell: dict[str, Any], shared: dict[str, Translator], count: int):
        """A cell as `WorkSheetParser.parse_cell` reads it: (row, column), (value, type,
        style)."""
        attributes = cell["attributes"]
        data_type = attributes.get("t", "n")
        coordinate = attributes["r"]
        style = int(attributes.get("s", 0))
        if not 0 <= style < count:
            raise _Declined("a cell style the file does not define")
        row, column = coordinate_to_tuple(coordinate)
        if "f" in cell:
            kind, index, written = cell["f"]
            formula = "=" + "".join(written)
            if kind == "shared":
                if index in shared:
                    formula = shared[index].translate_formula(coordinate)
                elif formula != "=":
                    shared[index] = Translator(formula, coordinate)
            return (row, column), (formula, "f", style)
        value: Any = None
        if data_type != "inlineStr" and "v" in cell:
            value = "".join(cell["v"]) or None
        if value is not None:
            if data_type == "n":
                value = _cast_number(value)
                if style in self._styles.dates:
                    try:
                        durations = self._styles.durations
                        value = from_excel(value, self._epoch, timedelta=style in durations)
                        data_type = "d"
                    except (OverflowError, ValueError):  # openpyxl warns, and so reads it
                        data_type, value = "e", "#VALUE!"
            elif data_type == "s":
                value = self._strings[int(value)]
            elif data_type == "b":
                value = bool(int(value))
            elif data_type == "str":
                data_type = "s"
            elif data_type == "d":
                value = from_ISO8601(value)
        elif data_type == "inlineStr" and "is" in cell:
            data_type, value = "s", cell["is"] or ""
        return (row, column), (value, data_type, style)


def _cast_number(value: str) -> int | float:
    """A number's text as openpyxl casts it (`worksheet._reader._cast_number`)."""
    if "." in value or "E" in value or "e" in value:
        return float(value)
    return int(value)


def _row_number(text: str) -> int:
    """A row's r attribute as openpyxl reads it."""
    try:
        return int(text)
    except ValueError:
        number = float(text)
        if not number.is_integer():
            raise
        return int(number)


def _parse_table(xml: bytes) -> TablePart:
    found: list[TablePart] = []

    def start(tag: str, attributes: dict[str, str]) -> None:
        if not found and tag == _MAIN + "table":
            name, display = attributes.get("name"), attributes.get("displayName")
            if not display or name != display or not attributes.get("ref"):
                raise _Declined("a table openpyxl would name or place otherwise")
            found.append(
                TablePart(display, attributes["ref"], int(attributes.get("totalsRowCount", 0)))
            )

    _parser(start, None).Parse(xml, True)
    if not found:
        raise _Declined("a table part with no table")
    return found[0]


def _parser(start, end) -> expat.XMLParserType:
    """An expat parser by namespace that refuses entity declarations and external entities,
    as defusedxml does for openpyxl."""

    def refuse(*_args) -> None:
        raise _Declined("a part declares an entity, which a workbook never does")

    parser = expat.ParserCreate(namespace_separator=" ")
    parser.buffer_text = True
    parser.StartElementHandler = start
    if end is not None:
        parser.EndElementHandler = end
    parser.EntityDeclHandler = refuse
    parser.ExternalEntityRefHandler = refuse
    return parser
