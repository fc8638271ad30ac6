"""What each add-in button does, through xlwings (live-Excel edge).

Each entry point takes the book (`xw.Book.caller()` when Excel's RunPython calls it with
none) and, for the buttons that ask for a file or folder, the `path` the VBA asked for. It
reads whole ranges (a sheet's used range, one call, once a press; a sheet's own defined
names, once), so a press costs Excel calls in proportion to the sheets it reads and never to
the book's names or rows. It hands the core the same `SheetData` the file readers build, and
writes whole ranges back (one call per block of values, one per block of colours). The same
functions run against a live Excel (Windows, macOS), xlwings Server and xlwings Lite, and in
the tests against xlwings' remote engine.

Nothing a user does here ends in a traceback dialog: a problem becomes a sentence in the
status line at the top of the Errors sheet (`STATUS_CELL`), and the book is left as it was.

Highlights never lose a user's own fill: the fill a cell had is recorded on a hidden sheet
(`HIGHLIGHTS_SHEET`) before it is coloured, and Clear highlights (or the next Validate) puts
it back. Engines that cannot read a fill (xlwings Server and Lite read no formats) record it
as unknown, and such a cell gets no fill back.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import inspect
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import xlwings as xw

from workload_xl.contracts import allocation as allocation_sheet
from workload_xl.contracts import grid as grid_contract
from workload_xl.contracts import team as tl
from workload_xl.contracts import worker as layout
from workload_xl.contracts.grid import UNREADABLE, Names, SheetValues, Table
from workload_xl.core import cells, validation
from workload_xl.core.findings import SEVERITY_ORDER, Finding, Refused, Severity
from workload_xl.core.measurement import SheetData
from workload_xl.core.paths import SafeName, safe_file_name
from workload_xl.core.schemes import SchemeError
from workload_xl.core.validation import SheetResult
from workload_xl.core.values import clean_text, is_blank, points_per_fte
from workload_xl.excel import registry
from workload_xl.excel.buttons import BUTTONS

if TYPE_CHECKING:
    from workload_xl.core.team import TeamBuild, WorkerRow

# What one button alone uses (the team roll-up, the fairness flags) is imported in that
# button's functions: a press loads what the pressed button needs, and Validate this sheet,
# the press made most, starts without them (tests/test_startup.py).

ERRORS_SHEET = "Errors"
STATUS_CELL = "A1"
ERRORS_TOP = 3  # the findings table's heading row on the Errors sheet
ERRORS_HEADINGS = ("Severity", "Sheet", "Cell", "Field", "Rule", "Message")
HIGHLIGHTS_SHEET = "Workload highlights"
HIGHLIGHTS_HEADINGS = ("Sheet", "Cell", "Own fill", "Highlight")
UNKNOWN_FILL = "unknown"
TEAM_SHEET = tl.TEAM_SHEET
TEAM_TOP = tl.BOOK_HEADING_ROW  # heading row of the team figures on the add-in's Team sheet

FILLS = {Severity.ERROR: "#FFC7CE", Severity.WARNING: "#FFEB9C", Severity.INFO: "#DDEBF7"}
"""Excel's own light red, yellow and blue 'good, bad and neutral' fills, by severity."""

_LABEL = {b.entry: b.label for b in BUTTONS}


# --- every button: the book, and no traceback ---------------------------------------------


_STATUS_SHEETS = {"try_allocation": (allocation_sheet.SHEET, allocation_sheet.STATUS_CELL)}
"""Buttons that say what they did on their own sheet (when the book has it), not on Errors."""


def _button(function: Callable[..., str]) -> Callable[..., None]:
    """Run a button's work on the book and write its one-line outcome in the status cell.

    Any exception becomes that line (what stopped, and what to do); the work writes
    nothing before it has everything it needs, so a stop leaves the book as it was.
    """
    takes_path = "path" in inspect.signature(function).parameters

    @functools.wraps(function)
    def run(book: xw.Book | None = None, path: str | None = None) -> None:
        book = book if book is not None else xw.Book.caller()
        label = _LABEL.get(function.__name__, function.__name__)
        try:
            outcome = function(book, path) if takes_path else function(book)
        except _Stop as stop:
            outcome = str(stop)
        except Refused as problem:  # e.g. the scheme folder cannot be used: say which, how
            where = " ".join(f"{f.workbook}: {f.message}" for f in problem.findings)
            outcome = f"stopped: {where} Nothing was changed."
        except SchemeError as problem:  # a scheme file is wrong: say which, how
            outcome = f"stopped: {problem} Nothing was changed."
        except Exception as exc:  # a bug or a book we did not foresee: say so, briefly
            detail = " ".join(str(exc).split())[:160]
            outcome = (
                f"stopped ({type(exc).__name__}{': ' + detail if detail else ''}). "
                "Nothing was changed. Save the workbook and send it to the workload-xl team."
            )
        _status(book, f"{label}: {outcome}", *_status_place(book, function.__name__))

    return run


def _status_place(book: xw.Book, entry: str) -> tuple[str, str]:
    sheet, cell = _STATUS_SHEETS.get(entry, (ERRORS_SHEET, STATUS_CELL))
    if any(s.name.casefold() == sheet.casefold() for s in book.sheets):
        return sheet, cell
    return ERRORS_SHEET, STATUS_CELL


class _Stop(Exception):
    """A user's situation the button cannot go on from; the message says what to do."""


def _status(
    book: xw.Book, message: str, sheet: str = ERRORS_SHEET, cell: str = STATUS_CELL
) -> None:
    stamp = dt.datetime.now().strftime("%Y-%m-%d %H:%M")
    with contextlib.suppress(Exception):  # nowhere to say it: the button still ends quietly
        _sheet(book, sheet)[cell].value = [[_text(f"{stamp}  {message}")]]


# --- reading a sheet through xlwings --------------------------------------------------------


def _read(sheet: xw.Sheet) -> SheetValues:
    used = sheet.used_range
    rows, columns = used.shape
    if rows * columns > grid_contract.MAX_SHEET_CELLS:  # asked before a single value is sent
        corner = used[-1, -1].address.replace("$", "")
        raise _Stop(
            f"the sheet '{sheet.name}' is used as far as cell {corner} ({rows * columns:,} "
            "cells), far beyond any workload sheet, so it was not read. Press Ctrl+End on it to "
            "go to that cell, delete the rows and columns after your data, save and press again."
        )
    values = used.options(ndim=2).value  # one call for the whole sheet
    return SheetValues(sheet.name, used.row, used.column, values or [[]])


@dataclass(frozen=True)
class _Table:
    name: str
    top: int  # heading row
    left: int
    bottom: int  # last data row
    right: int


def _tables(sheet: xw.Sheet) -> list[_Table]:
    found = []
    for table in sheet.tables:
        area = table.range
        bottom = area.row + area.rows.count - 1
        if table.show_totals:
            bottom -= 1
        right = area.column + area.columns.count - 1
        if (bottom - area.row + 1) * (right - area.column + 1) > grid_contract.MAX_TABLE_CELLS:
            raise _Stop(
                f"the table {table.name} on '{sheet.name}' reaches row {bottom:,}, far beyond "
                "its data, so it was not read. Click in it, choose Table Design > Resize Table, "
                "end it at the last row you use and press again."
            )
        found.append(_Table(table.name, area.row, area.column, bottom, right))
    return found


def _measurement_table(sheet: xw.Sheet) -> _Table | None:
    return next((t for t in _tables(sheet) if layout.is_measurement_table(t.name)), None)


def _name_entries(names: Iterable[Any]) -> Iterable[tuple[str, str | None, str]]:
    """(name, scope sheet or None, reference text) of each of xlwings' names, which gives a
    sheet's own as 'Sheet'!Name (two calls a name: its name and what it refers to)."""
    for name in names:
        text, scope = name.name, None
        if "!" in text:
            scope, text = text.rsplit("!", 1)
            scope = scope.strip("'").replace("''", "'")
        yield text, scope, name.refers_to or ""


class _NamesRead(Mapping[tuple[str, str | None], str]):
    """The book's defined names as contracts.grid.Names looks them up, read from Excel only
    as far as asked: a sheet's own names when a name is first looked up on that sheet (a
    few calls a sheet), the book's whole list only when a sheet lacks a name of its own
    (a template's sheets have all of theirs), each read at most once a press."""

    def __init__(self, book: xw.Book, sheets: dict[str, xw.Sheet]):
        self._book = book
        self._sheets = sheets
        self._refers: dict[tuple[str, str | None], str] = {}
        self._read: set[str | None] = set()

    def _load(self, scope: str | None) -> None:
        if scope in self._read:
            return
        self._read.add(scope)
        if scope is None:
            source = self._book.names
        elif scope in self._sheets:
            source = self._sheets[scope].names
        else:
            return
        for text, where, refers in _name_entries(source):
            self._refers.setdefault((text.casefold(), where), refers)

    def __getitem__(self, key: tuple[str, str | None]) -> str:
        self._load(key[1])
        return self._refers[key]

    def __iter__(self) -> Iterator[tuple[str, str | None]]:
        self._load(None)
        return iter(dict(self._refers))

    def __len__(self) -> int:
        self._load(None)
        return len(self._refers)


class _Book:
    """A book in Excel as the grid interface (contracts.grid) reads it, read once for the
    whole press: its sheets listed once, its defined names read once (when first needed),
    and each sheet's used range read once (one call) when first asked for. In Excel every
    read is a COM call, so a press costs calls in proportion to the sheets it reads, not to
    the sheets times the names."""

    def __init__(self, book: xw.Book):
        self.name = book.name
        self._book = book
        self._sheets = {s.name: s for s in book.sheets}  # one name read per sheet
        self.sheet_names = list(self._sheets)
        self._grids: dict[str, SheetValues] = {}

    @functools.cached_property
    def names(self) -> Names:
        return Names(_NamesRead(self._book, self._sheets))

    def sheet(self, name: str) -> xw.Sheet:
        return self._sheets[name]

    def grid(self, sheet: str) -> SheetValues:
        if sheet not in self._grids:
            self._grids[sheet] = _read(self._sheets[sheet])
        return self._grids[sheet]

    def value(self, sheet: str, row: int, column: int) -> Any:
        return self.grid(sheet).at(row, column)

    cached = value  # what Excel shows is its saved result

    def formula(self, sheet: str, row: int, column: int) -> str | None:
        return _formula(self._sheets[sheet], cells.address(row, column))

    def cells(self, sheet: str) -> Iterable[tuple[int, int, Any]]:
        return self.grid(sheet).cells()

    def measurement_sheets(self) -> list[tuple[xw.Sheet, _Table]]:
        """Every sheet holding a measurement table, with it (each sheet's tables read once)."""
        found = []
        for sheet in self._sheets.values():
            table = _measurement_table(sheet)
            if table is not None:
                found.append((sheet, table))
        return found

    def sheet_data(self, sheet: xw.Sheet, table: _Table) -> SheetData:
        """The measurement sheet as the core reads it, by the one decoder the file reader
        uses, from the sheet's used range read once."""
        grid = self.grid(sheet.name)
        span = range(table.left, table.right + 1)
        rows = [[grid.at(r, c) for c in span] for r in range(table.top + 1, table.bottom + 1)]
        headers = tuple(grid.at(table.top, c) for c in span)
        found = Table(table.name, sheet.name, table.top, table.left, headers, rows)
        return layout.sheet_data(self, sheet.name, found)

    def validate(self, sheet: xw.Sheet, table: _Table) -> SheetResult:
        return validation.validate_sheet(self.sheet_data(sheet, table), registry())


def _formula(sheet: xw.Sheet, address: str) -> str | None:
    """A totals cell's formula (None when typed over), or UNREADABLE on engines without."""
    try:
        text = sheet[address].formula
    except (NotImplementedError, AttributeError):
        return UNREADABLE
    if not isinstance(text, str):
        return UNREADABLE
    return text if text.startswith("=") else None


# --- writing ----------------------------------------------------------------------------------


def _sheet(book: xw.Book, name: str, *, hidden: bool = False) -> xw.Sheet:
    """The sheet called `name`, added at the end if the book has none."""
    for sheet in book.sheets:
        if sheet.name.casefold() == name.casefold():
            return sheet
    sheet = book.sheets.add(name=name, after=book.sheets[len(book.sheets) - 1])
    if hidden:
        sheet.visible = False
    return sheet


def _text(value: Any) -> Any:
    """Text a user or a scheme supplied, written so Excel keeps it as text: a leading
    apostrophe stops "=HYPERLINK(...)" in a case note becoming a formula."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@"):
        return "'" + value
    return value


def _link(sheet: str, cell: str) -> str:
    """A formula that jumps to a cell of this workbook; quotes doubled as Excel needs."""
    quoted = "'" + sheet.replace("'", "''") + "'"
    target = f"#{quoted}!{cell}".replace('"', '""')
    return f'=HYPERLINK("{target}","{cell}")'


def _write_findings(book: xw.Book, findings: list[Finding]) -> None:
    """The Errors sheet: headings and one row per finding (one call), links to the cells."""
    sheet = _sheet(book, ERRORS_SHEET)
    _clear_below(sheet, ERRORS_TOP)
    rows: list[list[Any]] = [list(ERRORS_HEADINGS)]
    for f in sorted(findings, key=lambda f: (SEVERITY_ORDER[f.severity], f.sheet, f.cell)):
        linked = f.sheet and f.cell and f.workbook in ("", book.name)
        rows.append(
            [
                str(f.severity),
                _text(f.sheet),
                _link(f.sheet, f.cell) if linked else f.cell,
                _text(f.field),
                f.rule,
                _text(f.message),
            ]
        )
    if len(rows) == 1:
        rows.append(["", "", "", "", "", "No problems found."])
    sheet[f"A{ERRORS_TOP}"].value = rows


def _clear_below(sheet: xw.Sheet, top: int) -> None:
    """Empty the sheet from row `top` down (what an earlier press wrote), in one call."""
    used = sheet.used_range
    last_row = used.row + used.rows.count - 1
    last_column = used.column + used.columns.count - 1
    if last_row >= top:
        sheet.range((top, 1), (last_row, max(last_column, 1))).clear_contents()


# --- highlights ---------------------------------------------------------------------------


def _highlight(book: xw.Book, findings: list[Finding]) -> int:
    """Colour each finding's cell by its worst severity, recording the fill it had."""
    worst: dict[tuple[str, str], Severity] = {}
    names = {s.name for s in book.sheets}
    for f in findings:
        if f.sheet in names and f.cell and f.workbook in ("", book.name):
            key = (f.sheet, f.cell)
            if key not in worst or SEVERITY_ORDER[f.severity] < SEVERITY_ORDER[worst[key]]:
                worst[key] = f.severity
    if not worst:
        return 0
    record = []
    by_sheet: dict[str, dict[str, str]] = {}
    for (sheet, cell), severity in sorted(worst.items()):
        own = _fill(book.sheets[sheet][cell])
        record.append([_text(sheet), cell, own, FILLS[severity]])
        by_sheet.setdefault(sheet, {})[cell] = FILLS[severity]
    store = _sheet(book, HIGHLIGHTS_SHEET, hidden=True)
    _clear_below(store, 1)
    store["A1"].value = [list(HIGHLIGHTS_HEADINGS), *record]
    for sheet, colours in by_sheet.items():
        _paint(book.sheets[sheet], colours)
    return len(worst)


def _fill(cell: xw.Range) -> str:
    """A cell's own fill as #RRGGBB, "" for none, UNKNOWN_FILL where the engine cannot say."""
    try:
        colour = cell.color
    except NotImplementedError:
        return UNKNOWN_FILL
    if colour is None:
        return ""
    if isinstance(colour, str):
        return colour.upper()
    red, green, blue = colour
    return f"#{red:02X}{green:02X}{blue:02X}"


def _paint(sheet: xw.Sheet, colours: dict[str, str | None]) -> None:
    """Set fills on scattered cells in one call: the block around them, others kept (...)."""
    places = {address: cells.split_address(address) for address in colours}
    top = min(r for r, _ in places.values())
    bottom = max(r for r, _ in places.values())
    left = min(c for _, c in places.values())
    right = max(c for _, c in places.values())
    matrix: list[list[Any]] = [[...] * (right - left + 1) for _ in range(bottom - top + 1)]
    for address, (row, column) in places.items():
        matrix[row - top][column - left] = colours[address]
    sheet.range((top, left), (bottom, right)).set_colors(matrix)


def _restore(book: xw.Book) -> int:
    """Put back the fills recorded by the last highlighting; empty the record."""
    store = next((s for s in book.sheets if s.name.casefold() == HIGHLIGHTS_SHEET.casefold()), None)
    if store is None:
        return 0
    grid = _read(store)
    by_sheet: dict[str, dict[str, str | None]] = {}
    names = {s.name for s in book.sheets}
    for row in grid.values[1:]:
        if len(row) < 3 or is_blank(row[0]) or is_blank(row[1]):
            continue
        sheet, cell, own = str(row[0]).lstrip("'"), clean_text(row[1]), clean_text(row[2])
        if sheet in names:
            by_sheet.setdefault(sheet, {})[cell] = None if own in ("", UNKNOWN_FILL) else own
    for sheet, colours in by_sheet.items():
        _paint(book.sheets[sheet], colours)
    _clear_below(store, 1)
    return sum(len(c) for c in by_sheet.values())


# --- the buttons ----------------------------------------------------------------------------


def _active_measurement(book: xw.Book) -> tuple[xw.Sheet, _Table]:
    sheet = book.sheets.active
    table = _measurement_table(sheet)
    if table is None:
        raise _Stop(
            f"the active sheet '{sheet.name}' is not a measurement sheet (it has no "
            f"{layout.TABLE_NAME} table). Click a worker's measurement sheet and press again."
        )
    return sheet, table


@_button
def validate_sheet(book: xw.Book) -> str:
    """Check the active measurement sheet; highlight and list what is wrong."""
    sheet, table = _active_measurement(book)
    result = _Book(book).validate(sheet, table)
    _restore(book)
    coloured = _highlight(book, result.findings)
    _write_findings(book, result.findings)
    return f"'{sheet.name}': {_counts(result.findings)}" + (
        f"; {coloured} cell{'s' if coloured != 1 else ''} highlighted." if coloured else "."
    )


@_button
def clear_highlights(book: xw.Book) -> str:
    restored = _restore(book)
    if not restored:
        return "there were no highlights to clear."
    return f"{restored} cell{'s' if restored != 1 else ''} back to their own fill."


@_button
def add_worker_sheet(book: xw.Book) -> str:
    """A copy of a measurement sheet with the worker's entries emptied: the copy keeps the
    scheme's drop-downs, formulas, names and protection exactly as the template made them."""
    read = _Book(book)
    sheets = read.measurement_sheets()
    if not sheets:
        raise _Stop(
            "this workbook has no measurement sheet to copy. Start from the measurement "
            "template for your scheme (ask your admin, or: workload-xl template worker)."
        )
    active = book.sheets.active
    source, table = next(((s, t) for s, t in sheets if s.name == active.name), sheets[-1])
    data = read.sheet_data(source, table)
    copy = source.copy(after=book.sheets[len(book.sheets) - 1])
    name = _free_sheet_name(book, "New worker")
    copy.name = name
    keep = {"team", "service", "period", "scheme_id", "scheme_version", "manager"}
    for key, cell in data.header.items():
        if cell is not None and key not in keep:
            copy[cell.address].value = None
    inputs = [c.key for c in layout.COLUMNS if c.is_input and c.key in data.columns]
    for key in inputs:  # one call per input column
        letter = data.columns[key]
        if table.bottom > table.top:
            copy.range(f"{letter}{table.top + 1}:{letter}{table.bottom}").clear_contents()
    return f"added the sheet '{name}', a blank copy of '{source.name}'. Type the worker's name."


def _free_sheet_name(book: xw.Book, base: str) -> str:
    taken = {s.name.casefold() for s in book.sheets}
    name, n = base, 2
    while name.casefold() in taken:
        name, n = f"{base} {n}", n + 1
    return name


@_button
def import_caseload(book: xw.Book, path: str | None = None) -> str:
    """Fill the active sheet's table from a caseload report: case reference, name, item."""
    if not path:
        raise _Stop("no caseload report was chosen. Press again and pick the report file.")
    sheet, table = _active_measurement(book)
    data = _Book(book).sheet_data(sheet, table)
    scheme_cell = data.header.get("scheme_id")
    scheme = registry().get(clean_text(scheme_cell.value) if scheme_cell else "")
    if scheme is None:
        raise _Stop(
            f"the sheet '{sheet.name}' names no scheme this tool knows; check its Scheme cell."
        )
    worker_cell = data.header.get("worker")
    worker = clean_text(worker_cell.value) if worker_cell else ""
    from workload_xl.core.caseload import map_caseload  # pandas: loaded only for this button
    from workload_xl.files.caseload_reader import read_caseload

    report, problems = read_caseload(Path(path))
    imported = map_caseload(report, scheme, worker) if report is not None else None
    findings = problems + (imported.findings if imported else [])
    if imported is None or not imported.lines:
        _write_findings(book, findings)
        raise _Stop(f"nothing was imported from {Path(path).name}; see the Errors sheet.")
    free = [r for r in data.rows if r.is_empty(_INPUTS)]
    if len(free) < len(imported.lines):
        raise _Stop(
            f"the report has {len(imported.lines)} cases but the table on '{sheet.name}' has "
            f"only {len(free)} empty rows. Add rows to the table (or a new sheet) and press "
            "again; nothing was imported."
        )
    first = free[0].row
    if any(r.row != first + i for i, r in enumerate(free[: len(imported.lines)])):
        raise _Stop(
            "the table's empty rows are not together at its end. Sort the table or "
            "clear rows in between, and press again; nothing was imported."
        )
    for key in ("case_ref", "case_name", "item"):  # one call per column
        if key not in data.columns:
            continue
        letter = data.columns[key]
        values = [[_text(line.get(key))] for line in imported.lines]
        sheet[f"{letter}{first}"].value = values
    _write_findings(book, findings)
    return (
        f"{len(imported.lines)} cases imported from {Path(path).name} into '{sheet.name}'"
        f" from row {first}; {_counts(findings)}."
    )


_INPUTS = tuple(c.key for c in layout.COLUMNS if c.is_input)


def _team_from_book(book: xw.Book, folder: str | None) -> tuple[TeamBuild, str]:
    """The team built from this book's worker sheets, or from the workbooks in `folder`,
    by the same roll-up as `workload-xl build-team` (services.build_team)."""
    from workload_xl.services.build_team import roll_up, roll_up_files

    if folder:
        build, _ = roll_up_files([Path(folder)], registry(), output=book.name)
        where = f"the workbooks in {folder}"
    else:
        read = _Book(book)
        sheets = read.measurement_sheets()
        if not sheets:
            raise _Stop(
                "this workbook has no worker measurement sheets. Copy the worker tabs in, or "
                "press Build from a folder and choose the folder of worker workbooks."
            )
        build = roll_up([read.validate(s, t) for s, t in sheets], registry(), output=book.name)
        where = "this workbook's worker sheets"
    if build.team is None:
        _write_findings(book, build.findings)
        raise _Stop(f"no team sheet could be built from {where}; see the Errors sheet.")
    return build, where


@_button
def build_team_sheet(book: xw.Book) -> str:
    """The Team sheet in this workbook, from its worker tabs: header and one row a worker."""
    return _build_team_sheet(book, None)


@_button
def build_team_sheet_from_folder(book: xw.Book, path: str | None = None) -> str:
    """The Team sheet in this workbook, from the worker workbooks in a folder."""
    if not path:
        raise _Stop("no folder was chosen. Press again and pick the folder of worker workbooks.")
    return _build_team_sheet(book, path)


def _build_team_sheet(book: xw.Book, path: str | None) -> str:
    _refuse_a_team_workbook(book)
    build, where = _team_from_book(book, path)
    team = build.team
    assert team is not None
    sheet = _sheet(book, TEAM_SHEET)
    _clear_below(sheet, 1)
    sheet["A1"].value = _team_block(team)
    _write_findings(book, build.findings)
    flagged = sum(1 for w in team.workers if w.flags)
    return (
        f"built from {where}: {len(team.workers)} workers, {team.period}; "
        f"{flagged} flagged; {_counts(build.findings)}."
    )


def _refuse_a_team_workbook(book: xw.Book) -> None:
    """The add-in works on any open workbook, the team workbook build-team wrote included: its
    Team sheet holds a table (with native totals over it) that the add-in's block of values
    would write over, so a build stops there and says where to build instead."""
    existing = next((s for s in book.sheets if s.name.casefold() == TEAM_SHEET.casefold()), None)
    tables = [t.name for t in existing.tables] if existing is not None else []
    if tables:
        raise _Stop(
            f"this workbook's {existing.name} sheet is a team workbook's (it holds the table "
            f"{tables[0]}), and building here would write over it. Open a new blank workbook "
            "or a worker's workbook and press again; nothing was changed."
        )


def _team_block(team) -> list[list[Any]]:
    header = {
        "team": team.team,
        "service": team.service,
        "period": str(team.period),
        "scheme": f"{team.scheme_id} {team.scheme_version}",
    }
    return tl.book_rows(header, team.workers, _text)


@_button
def flag_outliers(book: xw.Book) -> str:
    """Re-flag the Team sheet's workers as it stands now (a manager may have corrected an
    FTE or a band): expected points, loads against expected and flags rewritten in one call,
    flagged rows coloured in one."""
    sheet = next((s for s in book.sheets if s.name.casefold() == TEAM_SHEET.casefold()), None)
    if sheet is None:
        raise _Stop("this workbook has no Team sheet. Press Build team sheet first.")
    grid = _read(sheet)
    heading_row, columns = _find_headings(grid)
    workers = []
    for row in range(heading_row + 1, grid.top + len(grid.values)):
        name = clean_text(grid.at(row, columns["worker"]))
        if not name:
            break
        workers.append(_worker_from(grid, row, columns, name))
    if not workers:
        raise _Stop(f"the Team sheet lists no workers under row {heading_row}.")
    from workload_xl.core.fairness import flag_workers
    from workload_xl.core.team import TeamSettings

    scheme = registry().get(tl.book_scheme_id(grid.values))
    settings = TeamSettings.for_scheme(scheme) if scheme else TeamSettings()

    def cell(index: int, key: str) -> str:
        return cells.address(heading_row + 1 + index, columns.get(key, columns["worker"]))

    findings = flag_workers(workers, settings, workbook=book.name, sheet=sheet.name, cell=cell)
    first = min(columns[k] for k in ("expected_points", "load", "flags"))
    last = max(columns[k] for k in ("expected_points", "load", "flags"))
    block = []
    for w in workers:
        record = dict(zip([c.key for c in tl.TEAM_COLUMNS], tl.encode_worker(w), strict=True))
        by_column = {columns[k]: record[k] for k in ("expected_points", "load", "flags")}
        block.append([by_column.get(c) for c in range(first, last + 1)])
    sheet.range((heading_row + 1, first)).value = block
    colours = {
        cells.address(heading_row + 1 + i, columns["worker"]): (
            FILLS[Severity.WARNING] if w.flags else None
        )
        for i, w in enumerate(workers)
    }
    _paint(sheet, colours)
    _write_findings(book, findings)
    flagged = sum(1 for w in workers if w.flags)
    return f"{flagged} of {len(workers)} workers flagged on the Team sheet; {_counts(findings)}."


def _find_headings(grid: SheetValues) -> tuple[int, dict[str, int]]:
    """The Team sheet's heading row and columns (contracts.team finds them, wherever the
    manager moved them); a message to the user when there is no such table."""
    found = tl.book_headings(grid.values)
    if found is None:
        raise _Stop(
            "the Team sheet has no table headed Worker, Experience band, FTE, ... "
            "Press Build team sheet to write it again."
        )
    offset, columns = found
    return grid.top + offset, {key: grid.left + index for key, index in columns.items()}


def _worker_from(grid: SheetValues, row: int, columns: dict[str, int], name: str) -> WorkerRow:
    """A worker's row of the Team sheet, by the codec the team return is read with."""
    from workload_xl.core.team import WorkerRow

    at = {key: column - grid.left for key, column in columns.items()}
    entry = tl.decode_worker(grid.values[row - grid.top], at)
    return WorkerRow(
        worker=name,
        band=entry.band,
        fte=entry.fte,
        cases=entry.cases,
        case_points=entry.case_points,
        activity_points=entry.activity_points,
        total_points=entry.total_points,
        points_per_fte=points_per_fte(entry.total_points, entry.fte),
        counted=entry.counted is True,
        source=entry.source,
    )


@_button
def export_team_return(book: xw.Book, path: str | None = None) -> str:
    """The team return for the performance team: a team workbook file built from this
    book's worker sheets, in the chosen folder (else beside this workbook). It has case
    references and no case names; `workload-xl consolidate` reads it."""
    build, _ = _team_from_book(book, None)
    team = build.team
    assert team is not None
    folder = Path(path) if path else _book_folder(book)
    name = _return_name(team.team, str(team.period))
    output = folder / name.name
    if output.exists():
        raise _Stop(
            f"{output} exists already. Move or rename it (it may be last month's "
            "return sent again), or choose another folder, and press again."
        )
    from workload_xl.services.build_team import write_team

    problems = write_team(output, build, force=False)
    if problems:
        _write_findings(book, problems + build.findings)
        raise _Stop(problems[0].message)
    _write_findings(book, build.findings)
    shortened = (
        " The team's name is too long for a file name, so the file name was shortened."
        if name.shortened
        else ""
    )
    return (
        f"wrote {output} ({len(team.workers)} workers, {team.period}); "
        f"{_counts(build.findings)}.{shortened}"
    )


def _book_folder(book: xw.Book) -> Path:
    full = Path(book.fullname)
    if full.parent == Path(".") or not full.parent.exists():
        raise _Stop(
            "this workbook has not been saved to a folder yet. Save it, or choose a "
            "folder for the return, and press again."
        )
    return full.parent


def _return_name(team: str, period: str) -> SafeName:
    """`<Team> <period> team return.xlsx`, safe on every system: a team name too long for a
    file name is cut (the period and " team return" are kept), and `shortened` says so."""
    return safe_file_name(team, tail=f" {period} team return", extension=".xlsx", fallback="Team")


# --- Try an allocation ------------------------------------------------------------------------


@_button
def try_allocation(book: xw.Book) -> str:
    """The allocation table on the team workbook's Allocation sheet, for the item (and
    quantity), or the case move, typed in its cells: the same figures as `workload-xl
    allocate`. The first press adds the sheet with the cells to fill; no other sheet changes."""
    from workload_xl.services.allocate import allocate_team

    read = _Book(book)
    team = _team_in_book(book, read)
    sheet = next(
        (s for s in book.sheets if s.name.casefold() == allocation_sheet.SHEET.casefold()), None
    )
    if sheet is None:
        sheet = _sheet(book, allocation_sheet.SHEET)
        sheet["A1"].value = allocation_sheet.input_rows()
        first = allocation_sheet.INPUT_TOP
        return (
            f"type an item of the scheme in B{first} (and a quantity in B{first + 1}), or a "
            f"case reference in B{first + 2} and a worker in B{first + 4}, then press again."
        )
    grid = read.grid(sheet.name)
    block = [[grid.at(r, c) for c in (1, 2)] for r in range(1, grid.top + len(grid.values))]
    typed = allocation_sheet.inputs_from(block)
    where = {
        key: {"workbook": book.name, "sheet": sheet.name, "cell": f"B{row + 1}"}
        for key, (_, row) in typed.items()
        if row is not None
    }
    said = {key: f"cell {place['cell']} of the {sheet.name} sheet" for key, place in where.items()}
    value = {key: v for key, (v, _) in typed.items()}
    if is_blank(value["item"]) and is_blank(value["move"]):
        raise _Stop(
            f"nothing to try: type an item in the Item cell (or a case reference in Move case) "
            f"on the {sheet.name} sheet, and press again."
        )
    run = allocate_team(
        team,
        registry(),
        item=value["item"],
        quantity=value["quantity"],
        move=value["move"] if is_blank(value["item"]) else None,
        to=value["to"],
        from_worker=value["from"],
        where=where,
        said=said,
    )
    columns, rows = run.table()
    out = allocation_sheet.output_rows(run.sentences(), columns, rows)
    top = allocation_sheet.OUTPUT_TOP
    _clear_below(sheet, top)
    sheet[f"A{top}"].value = [[_text(v) for v in r] for r in out]
    heading = top + len(out) - len(rows) - 1
    for index, column in enumerate(columns, start=1):
        if column.kind == "percent" and rows:
            with contextlib.suppress(Exception):  # an engine without formats shows fractions
                sheet.range(
                    (heading + 1, index), (heading + len(rows), index)
                ).number_format = column.number_format
    if run.suggestion is not None:
        best = run.suggestion.suggested
        named = ", ".join(c.worker for c in best[:3]) or "no one"
        return f"{len(rows)} workers listed; would stay within the usual range: {named}."
    assert run.move is not None
    return f"case {run.move.case_ref} from {run.move.giver} to {run.move.taker} worked out."


def _team_in_book(book: xw.Book, read: _Book):
    """The team as this team workbook's tables hold it (services.allocate.team_from_tables)."""
    from workload_xl.services.allocate import team_from_tables

    found: dict[str, tuple[xw.Sheet, _Table]] = {}
    for sheet in book.sheets:
        for table in _tables(sheet):
            found.setdefault(table.name.casefold(), (sheet, table))
    if tl.TEAM_TABLE.casefold() not in found:
        raise _Stop(
            f"this workbook is not a team workbook (it has no {tl.TEAM_TABLE} table). Open the "
            "team workbook workload-xl build-team (or Export team return) wrote, and press again."
        )
    team_sheet, _ = found[tl.TEAM_TABLE.casefold()]
    header = {}
    for spec in tl.TEAM_HEADER:
        place = read.names.place(spec.name, team_sheet.name)
        header[spec.key] = read.value(place.sheet, place.row, place.column) if place else None
    cases = found.get(tl.CASES_TABLE.casefold())
    scheme = registry().get(clean_text(header.get("scheme_id")))
    return team_from_tables(
        book.name,
        header,
        _grid_table(read, *found[tl.TEAM_TABLE.casefold()]),
        _grid_table(read, *cases) if cases else None,
        scheme.period if scheme else "month",
    )


def _grid_table(read: _Book, sheet: xw.Sheet, table: _Table) -> Table:
    grid = read.grid(sheet.name)
    span = range(table.left, table.right + 1)
    rows = [[grid.at(r, c) for c in span] for r in range(table.top + 1, table.bottom + 1)]
    headers = tuple(grid.at(table.top, c) for c in span)
    return Table(table.name, sheet.name, table.top, table.left, headers, rows)


def _counts(findings: list[Finding]) -> str:
    counts = {s: sum(1 for f in findings if f.severity == s) for s in Severity}
    parts = [f"{n} {s}{'s' if n != 1 else ''}" for s, n in counts.items() if n]
    return ", ".join(parts) if parts else "no problems found"


__all__ = [b.entry for b in BUTTONS]
