"""A workbook as every contract reads it: cells, tables and defined names (contract).

Three engines read workbooks: openpyxl (files), python-calamine (the fast returns reader) and
xlwings (the add-in). Each edge fills this one small interface and every contract (the worker
sheet, the team return) decodes from it once, so the three cannot read the same book three
ways. Rows and columns are 1-based, as Excel counts them (row 1 is the sheet's first row,
column 1 is A); `Table.rows` is a plain list of lists, as the engines give them, so a reader of
hundreds of rows works on lists, not on a call per cell.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from workload_xl.core.cells import address, parse_reference
from workload_xl.core.values import clean_text


@dataclass(frozen=True)
class Place:
    """One cell: its sheet, row and column (1-based)."""

    sheet: str
    row: int
    column: int

    @property
    def address(self) -> str:
        return address(self.row, self.column)


@dataclass(frozen=True)
class Table:
    """An Excel table: where it stands, its column headers and its data rows (no header row,
    no totals row), each row a sequence in the order of `headers`."""

    name: str
    sheet: str
    top: int  # the header row
    left: int  # the first column
    headers: tuple[str, ...]
    rows: Sequence[Sequence[Any]]

    @property
    def bottom(self) -> int:
        """The last data row (the header row when there are none)."""
        return self.top + len(self.rows)

    @property
    def right(self) -> int:
        return self.left + len(self.headers) - 1

    def row_number(self, index: int) -> int:
        """The sheet row of data row `index` (0-based)."""
        return self.top + 1 + index

    def address(self, index: int, row: int) -> str:
        """The address of column `index` (0-based, in `headers`) on sheet row `row`."""
        return address(row, self.left + index)

    def columns(self, wanted: Mapping[str, str]) -> dict[str, int | None]:
        """Each wanted key's column index by its heading (trimmed, any case); None if absent.
        The first column with a heading wins."""
        headings: dict[str, int] = {}
        for i, heading in enumerate(self.headers):
            headings.setdefault(clean_text(heading).casefold(), i)
        return {key: headings.get(heading.casefold()) for key, heading in wanted.items()}


@dataclass(frozen=True)
class Columns:
    """A table with the columns a reader wants, found by heading (`Table.columns`): each
    key's index in a row, and the address of a key's cell on a sheet row."""

    table: Table
    index: Mapping[str, int]

    @property
    def name(self) -> str:
        return self.table.name

    @property
    def sheet(self) -> str:
        return self.table.sheet

    @property
    def top(self) -> int:
        return self.table.top

    def cell(self, key: str, row: int) -> str:
        return self.table.address(self.index[key], row)


@dataclass(frozen=True)
class Names:
    """A book's defined names: each name's reference text by (name folded, the sheet it is
    scoped to, or None for a workbook-wide name). Excel compares names ignoring case."""

    refers: Mapping[tuple[str, str | None], str]

    def refers_to(self, name: str, sheet: str) -> str | None:
        """The text a name refers to as `sheet` sees it: the sheet's own name first, then the
        book's; None when there is neither."""
        key = name.casefold()
        found = self.refers.get((key, sheet))
        return found if found is not None else self.refers.get((key, None))

    def place(self, name: str, sheet: str) -> Place | None:
        """The one cell a name refers to; None when missing or not one cell (a range, #REF!)."""
        text = self.refers_to(name, sheet)
        found = parse_reference(text) if text else None
        return Place(*found) if found is not None else None


@dataclass(frozen=True)
class SheetValues:
    """A block of a sheet's values as one 2-D list (an engine's used range or sheet data),
    with the place of its top-left cell: what xlwings and calamine give for a whole sheet."""

    sheet: str
    top: int  # row of values[0]
    left: int  # column of values[0][0]
    values: list[list[Any]]

    def at(self, row: int, column: int, empty: Any = None) -> Any:
        """The value at a cell of the sheet; `empty` outside the block."""
        r, c = row - self.top, column - self.left
        if 0 <= r < len(self.values) and 0 <= c < len(self.values[r]):
            return self.values[r][c]
        return empty

    def cells(self) -> Iterable[tuple[int, int, Any]]:
        for r, row in enumerate(self.values):
            for c, value in enumerate(row):
                yield self.top + r, self.left + c, value


UNREADABLE = "unreadable"
"""What `Book.formula` gives on an engine that reads no formulas (xlwings Server and Lite)."""

MAX_SHEET_CELLS = 2_000_000
"""Cells one sheet may span from A1 to its last row and column (rows x columns): what a
reader that builds the sheet as a grid allocates. A team workbook's largest sheet spans under
10,000 (800 case rows of 8 columns); a caseload report of 10,000 cases of 40 columns, 400,000.
The file guard checks a file against it before it is opened (files.file_guard), the add-in
a sheet's used range before a value is sent (excel.entry)."""
MAX_TABLE_CELLS = 1_000_000
"""Cells one table's reference may span: a team's case table of 6,000 rows spans 42,000."""


class Book(Protocol):
    """A workbook, whichever engine opened it."""

    name: str
    names: Names

    @property
    def sheet_names(self) -> Sequence[str]: ...

    def value(self, sheet: str, row: int, column: int) -> Any:
        """What the user sees in a cell (a formula's saved result; None or "" when empty)."""
        ...

    def cached(self, sheet: str, row: int, column: int) -> Any:
        """A formula cell's saved result (None when none was saved); else the value."""
        ...

    def formula(self, sheet: str, row: int, column: int) -> str | None:
        """The cell's formula text, None when it holds no formula, or UNREADABLE."""
        ...

    def cells(self, sheet: str) -> Iterable[tuple[int, int, Any]]:
        """(row, column, value) of the cells the sheet holds, row by row."""
        ...


def names_from(entries: Iterable[tuple[str, str | None, str]]) -> Names:
    """Names from (name, scope sheet or None, reference text), as an edge lists them."""
    return Names({(name.casefold(), scope): text for name, scope, text in entries})
