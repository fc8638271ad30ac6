"""The table type both edges hand the core, and the checked record validation returns (core).

`SheetData` is what a measurement sheet holds, cell by cell with addresses, whether it came
from a file (openpyxl) or a live Excel (xlwings): the core never knows which. `Measurement` is
the checked, typed record that roll-up and consolidation use.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from workload_xl.core import cells
from workload_xl.core.period import Period
from workload_xl.core.values import is_blank, points_per_fte


@dataclass(frozen=True, slots=True)
class Cell:
    value: Any
    address: str


@dataclass(frozen=True, slots=True)
class TotalCell:
    """A totals cell: its formula text (None if the user typed over it) and cached result."""

    address: str
    formula: str | None
    cached: Any


@dataclass
class TableRow:
    row: int
    values: dict[str, Any]
    no_formula: tuple[str, ...] = ()
    """The calculated columns (layout keys) whose cell on this row holds no formula: a row a
    client inserted without them (LibreOffice does not fill a table's formulas in)."""

    def is_empty(self, keys: tuple[str, ...]) -> bool:
        return all(is_blank(self.values.get(k)) for k in keys)


@dataclass
class SheetData:
    """One measurement sheet as read, before any judgement."""

    workbook: str
    sheet: str
    header: dict[str, Cell | None]  # layout key -> cell; None when the defined name is missing
    columns: dict[str, str]  # layout column key -> column letter, for columns present
    rows: list[TableRow]
    totals: dict[str, TotalCell] = field(default_factory=dict)
    stray: list[Cell] = field(default_factory=list)
    table: str = ""  # the name of the sheet's table (WorkItems, WorkItems2, WorkItems_2 ...)

    def address(self, row: TableRow, key: str) -> str:
        letter = self.columns.get(key)
        return cells.address(row.row, letter) if letter else ""


@dataclass(frozen=True)
class Line:
    """One case or activity row, checked.

    It has no case name on purpose: names stay in the worker's own workbook, and anything built
    from a Measurement (team sheets, returns, reports) cannot carry one.
    """

    row: int
    item_code: str
    kind: str
    quantity: float
    scheme_points: float
    agreed_points: float | None
    case_ref: str = ""


@dataclass
class Measurement:
    """One worker's agreed workload for one period under one scheme."""

    workbook: str
    sheet: str
    worker: str
    team: str
    service: str
    period: Period | None
    fte: float | None
    band: str
    scheme_id: str
    scheme_version: str
    manager: str = ""
    date_agreed: dt.date | None = None
    lines: list[Line] = field(default_factory=list)

    @property
    def case_count(self) -> int:
        return sum(1 for line in self.lines if line.kind == "case")

    def _points(self, kind: str | None) -> float:
        return sum(
            line.agreed_points or 0.0 for line in self.lines if kind is None or line.kind == kind
        )

    @property
    def case_points(self) -> float:
        return self._points("case")

    @property
    def activity_points(self) -> float:
        return self._points("activity")

    @property
    def total_points(self) -> float:
        return self._points(None)

    @property
    def points_per_fte(self) -> float | None:
        return points_per_fte(self.total_points, self.fte)


MOST_UNITS = 744.0
"""The most days, sessions or hours of one activity a row may give (a quantity): the hours in a
31-day month. More is a slip, on the worker sheet and in the team return alike."""
