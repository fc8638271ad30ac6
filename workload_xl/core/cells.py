"""Cell references as defined names hold them, parsed without a spreadsheet library (core).

Both the fast returns reader (calamine gives no defined names) and the live-Excel edge (xlwings
gives a name's `refers_to` text) need the sheet and cell a name points at.
"""

from __future__ import annotations

import re

_REFERENCE = re.compile(r"^(?:'((?:[^']|'')+)'|([^'!]+))!\$?([A-Za-z]{1,3})\$?([0-9]{1,7})$")


def parse_reference(text: str) -> tuple[str, int, int] | None:
    """('Sheet', row, column), 0-based, of a reference to one cell such as 'Team'!$B$4;
    None for anything else (a range, a constant, #REF!)."""
    match = _REFERENCE.match(text.lstrip("="))
    if match is None:
        return None
    sheet = match[1].replace("''", "'") if match[1] is not None else match[2]
    column = 0
    for ch in match[3].upper():
        column = column * 26 + ord(ch) - 64
    return sheet, int(match[4]) - 1, column - 1
