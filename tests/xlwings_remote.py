"""A real workbook file as xlwings' remote engine sees it, and its answer applied back.

xlwings Server and Office.js send the workbook to Python as JSON (sheets' values from A1,
defined names, tables) and get back a list of actions (write these values, colour these
cells, add this sheet). `payload(path)` builds that JSON from a file a test wrote, the way
xlwings' own Office Scripts client builds it (xlwings/js/xlwings.ts), so `xw.Book(json=...)`
gives the button entry points a live-looking book. `apply(path, actions)` carries out the
actions a button returned on the file with openpyxl, so a test can press a second button on
the result, as a user would. `counting_calls()` counts the calls a press makes into the engine,
which in desktop Excel are COM round trips.

Formula cells are sent with the result saved in the file (None for a file openpyxl wrote, as
nothing has calculated it): the entry points never rely on those results.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import inspect
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

os.environ.setdefault("XLWINGS_LICENSE_KEY", "noncommercial")

import xlwings as xw
from openpyxl import load_workbook
from openpyxl.styles import PatternFill
from openpyxl.utils import get_column_letter, range_boundaries
from xlwings.pro import _xlremote


def payload(path: Path, active: str | None = None) -> dict[str, Any]:
    formulas = load_workbook(path)
    values = load_workbook(path, data_only=True)
    sheets = formulas.sheetnames
    names = []
    for name, defined in formulas.defined_names.items():
        names.extend(_name(name, defined, sheets, None))
    for ws in formulas.worksheets:
        for name, defined in ws.defined_names.items():
            names.extend(_name(name, defined, sheets, ws.title))
    book = {
        "name": path.name,
        "active_sheet_index": sheets.index(active) if active else formulas.index(formulas.active),
        "selection": "A1",
    }
    return {
        "client": "Microsoft Office Scripts",
        "version": xw.__version__,
        "book": book,
        "names": names,
        "sheets": [_sheet(ws, values[ws.title]) for ws in formulas.worksheets],
    }


def _name(name: str, defined, sheets: list[str], scope: str | None) -> list[dict]:
    try:
        destinations = list(defined.destinations)
    except Exception:
        return []
    if len(destinations) != 1:
        return []
    sheet, address = destinations[0]
    if sheet not in sheets:
        return []
    return [
        {
            "name": name,
            "sheet_index": sheets.index(sheet),
            "address": address.replace("$", ""),
            "scope_sheet_name": scope,
            "scope_sheet_index": sheets.index(scope) if scope else None,
            "book_scope": scope is None,
        }
    ]


def _sheet(ws, value_ws) -> dict[str, Any]:
    rows, columns = ws.max_row, ws.max_column
    grid = []
    for r in range(1, rows + 1):
        line = []
        for c in range(1, columns + 1):
            cell = ws.cell(r, c)
            value = value_ws.cell(r, c).value if cell.data_type == "f" else cell.value
            line.append(_json_value(value))
        grid.append(line)
    tables = []
    for table in ws.tables.values():
        min_col, min_row, max_col, max_row = range_boundaries(table.ref)
        totals = table.totalsRowCount or 0
        first = f"{get_column_letter(min_col)}{min_row}"
        last_col = get_column_letter(max_col)
        tables.append(
            {
                "name": table.displayName,
                "range_address": table.ref,
                "header_row_range_address": f"{first}:{last_col}{min_row}",
                "data_body_range_address": (
                    f"{get_column_letter(min_col)}{min_row + 1}:{last_col}{max_row - totals}"
                ),
                "total_row_range_address": (
                    f"{get_column_letter(min_col)}{max_row}:{last_col}{max_row}" if totals else None
                ),
                "show_headers": True,
                "show_totals": bool(totals),
                "table_style": "TableStyleMedium2",
                "show_autofilter": True,
            }
        )
    return {"name": ws.title, "values": grid, "pictures": [], "tables": tables}


def _json_value(value: Any) -> Any:
    """As Office Scripts sends a cell: blanks "", dates as ISO text, numbers and text as is."""
    if value is None:
        return ""
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        value = dt.datetime.combine(value, dt.time())
    if isinstance(value, dt.datetime):  # as JavaScript's Date.toISOString() writes it
        return value.strftime("%Y-%m-%dT%H:%M:%S.") + f"{value.microsecond // 1000:03d}Z"
    return value


def book(path: Path, active: str | None = None) -> xw.Book:
    return xw.Book(json=payload(path, active))


# --- the answer, applied -------------------------------------------------------------------


def apply(path: Path, actions: list[dict], out: Path) -> Path:
    """Carry out a button's actions on a copy of the workbook file, as Excel would."""
    wb = load_workbook(path)
    for action in actions:
        handler = _HANDLERS.get(action["func"])
        if handler is None:
            raise AssertionError(f"the test cannot apply the action {action['func']!r}")
        handler(wb, action)
    wb.save(out)
    return out


def _ws(wb, action):
    return wb.worksheets[action["sheet_position"]]


def _cells(action):
    top, left = action["start_row"] + 1, action["start_column"] + 1
    for r in range(action["row_count"]):
        for c in range(action["column_count"]):
            yield r, c, top + r, left + c


def _set_values(wb, action):
    ws = _ws(wb, action)
    for r, row in enumerate(action["values"]):
        for c, value in enumerate(row):
            ws.cell(action["start_row"] + 1 + r, action["start_column"] + 1 + c).value = (
                None if value == "" else value
            )


def _add_sheet(wb, action):
    position, name = action["args"][0], action["args"][1] if len(action["args"]) > 1 else None
    wb.create_sheet(title=name, index=position)


def _visibility(wb, action):
    _ws(wb, action).sheet_state = "visible" if action["args"][0] == "Visible" else "hidden"


def _fill(colour: str | None) -> PatternFill:
    if colour is None:
        return PatternFill(fill_type=None)
    return PatternFill("solid", fgColor=colour.lstrip("#").upper())


def _colour(wb, action):
    ws = _ws(wb, action)
    for _, _, row, column in _cells(action):
        ws.cell(row, column).fill = _fill(action["args"][0])


def _colours(wb, action):
    ws = _ws(wb, action)
    matrix = action["args"][0]
    for r, c, row, column in _cells(action):
        if matrix[r][c] != "keep":
            ws.cell(row, column).fill = _fill(matrix[r][c])


def _clear_contents(wb, action):
    ws = _ws(wb, action)
    for _, _, row, column in _cells(action):
        ws.cell(row, column).value = None


def _rename(wb, action):
    _ws(wb, action).title = action["args"][0]


def _copy(wb, action):
    source = _ws(wb, action)
    copy = wb.copy_worksheet(source)
    copy.title = action["args"][-1] if action["args"] else copy.title


_HANDLERS = {
    "setValues": _set_values,
    "addSheet": _add_sheet,
    "setSheetVisibility": _visibility,
    "setRangeColor": _colour,
    "setRangeColors": _colours,
    "rangeClearContents": _clear_contents,
    "setSheetName": _rename,
}


def fill_of(path: Path, sheet: str, cell: str) -> str | None:
    """A cell's solid fill as #RRGGBB, None for none."""
    fill = load_workbook(path)[sheet][cell].fill
    if fill is None or fill.fill_type != "solid":
        return None
    rgb = fill.fgColor.rgb
    return "#" + (rgb[-6:] if isinstance(rgb, str) else "000000").upper()


def values_written(actions: list[dict], sheet_position: int) -> dict[str, Any]:
    """Every cell a button's setValues actions wrote on a sheet, by address."""
    written = {}
    for action in actions:
        if action["func"] == "setValues" and action["sheet_position"] == sheet_position:
            for r, row in enumerate(action["values"]):
                for c, value in enumerate(row):
                    address = (
                        f"{get_column_letter(action['start_column'] + 1 + c)}"
                        f"{action['start_row'] + 1 + r}"
                    )
                    written[address] = value
    return written


# --- what a press costs in Excel: the engine's calls, counted -------------------------------


@dataclass
class Calls:
    """The calls a press made into xlwings' engine (`total`, and by `Class.member`)."""

    total: int = 0
    by_member: dict[str, int] = field(default_factory=dict)


@contextlib.contextmanager
def counting_calls() -> Iterator[Calls]:
    """Count every call the code makes into the remote engine's own objects (its Book,
    Sheets, Sheet, Range, Names, Name, Tables, Table...: each method and each property read
    or set), as desktop Excel would see them: on Windows each of these is a COM round trip.

    Only the outermost call counts: what the engine does inside one call is that call's
    business (the remote engine answers from the JSON it holds, Excel from its own memory).
    xlwings' engine-neutral helpers (base_classes, main) are not counted themselves, only
    the engine calls they make, so a helper that walks every name costs what Excel's would.
    """
    calls = Calls()
    depth = 0

    def counted(function: Callable, member: str) -> Callable:
        @functools.wraps(function)
        def call(*args, **kwargs):
            nonlocal depth
            if depth == 0:
                calls.total += 1
                calls.by_member[member] = calls.by_member.get(member, 0) + 1
            depth += 1
            try:
                return function(*args, **kwargs)
            finally:
                depth -= 1

        return call

    replaced = []
    for class_name, cls in vars(_xlremote).items():
        if not inspect.isclass(cls) or cls.__module__ != _xlremote.__name__:
            continue
        for member, attribute in list(vars(cls).items()):
            if member.startswith("__") and member not in _DUNDER_CALLS:
                continue
            label = f"{class_name}.{member}"
            if isinstance(attribute, property):
                wrapped = property(
                    counted(attribute.fget, label) if attribute.fget else None,
                    counted(attribute.fset, f"{label}=") if attribute.fset else None,
                )
            elif inspect.isfunction(attribute):
                wrapped = counted(attribute, label)
            else:
                continue
            replaced.append((cls, member, attribute))
            setattr(cls, member, wrapped)
    try:
        yield calls
    finally:
        for cls, member, attribute in replaced:
            setattr(cls, member, attribute)


_DUNDER_CALLS = ("__call__", "__iter__", "__len__", "__getitem__", "__contains__")
"""The engine's collection protocol: indexing and walking a collection are calls too."""
