"""Cell addresses: A1 references and column letters, worked out once for every layer (core).

Both the fast returns reader (calamine gives no defined names) and the live-Excel edge (xlwings
gives a name's `refers_to` text) need the sheet and cell a name points at, and every reader
and writer turns column numbers into letters and back. Rows and columns here are 1-based, as
Excel counts them.
"""

from __future__ import annotations

import re

_REFERENCE = re.compile(
    r"^(?:'((?:[^']|'')+)'|([^'!]+))!\$?([A-Za-z]{1,3})\$?([0-9]{1,7})"
    r"(?::\$?([A-Za-z]{1,3})\$?([0-9]{1,7}))?$"
)
_ADDRESS = re.compile(r"^\$?([A-Za-z]{1,3})\$?([0-9]{1,7})$")


def column_letter(number: int) -> str:
    """1 -> A, 27 -> AA: spreadsheet column names, without importing a spreadsheet library."""
    letters = ""
    while number > 0:
        number, remainder = divmod(number - 1, 26)
        letters = chr(65 + remainder) + letters
    return letters


def column_number(letters: str) -> int:
    """A -> 1, AA -> 27 (either case): the inverse of `column_letter`."""
    number = 0
    for ch in letters.upper():
        number = number * 26 + ord(ch) - 64
    return number


def address(row: int, column: int | str) -> str:
    """B4 for row 4, column 2 (or column "B", for callers that hold a column's letters)."""
    return f"{column if isinstance(column, str) else column_letter(column)}{row}"


def absolute(where: str | tuple[int, int]) -> str:
    """$B$4 for B4 (or $B$4) or for (row 4, column 2): the form a defined name refers to, so
    the name keeps its cell wherever a formula using it is copied. ValueError for text that is
    not one cell's address."""
    row, column = split_address(where) if isinstance(where, str) else where
    return f"${column_letter(column)}${row}"


def split_address(text: str) -> tuple[int, int]:
    """(row, column) of an address such as B4 or $B$4; ValueError for anything else."""
    match = _ADDRESS.match(text)
    if match is None:
        raise ValueError(f"{text!r} is not a cell address")
    return int(match[2]), column_number(match[1])


def parse_reference(text: str) -> tuple[str, int, int] | None:
    """('Sheet', row, column), 1-based, of a reference to one cell such as 'Team'!$B$4 (or
    'Team'!$B$4:$B$4, which is the same cell); None for anything else (a range of several
    cells, a constant, #REF!)."""
    match = _REFERENCE.match(text.lstrip("="))
    if match is None:
        return None
    sheet = match[1].replace("''", "'") if match[1] is not None else match[2]
    row, column = int(match[4]), column_number(match[3])
    if match[5] is not None and (int(match[6]), column_number(match[5])) != (row, column):
        return None
    return sheet, row, column
