"""The add-in for xlwings Lite: Python in Excel through Pyodide, with no Python installed.

xlwings Lite runs the functions of its `main.py` as scripts (`@xw.script`) and worksheet
functions (`@xw.func`). A Lite add-in whose requirements list workload-xl needs one line in
`main.py`::

    from workload_xl.excel.lite import *  # noqa: F403

The scripts here are the buttons that work on the open book alone. Import caseload report,
Build team sheet from a folder and Export team return read or write files on the user's disk,
which Pyodide cannot reach, so they are desktop buttons only.
"""

from __future__ import annotations

import xlwings as xw

from workload_xl.excel import entry
from workload_xl.excel.udfs import (
    capa_balance,
    capa_choice_needed,
    capa_load,
    capa_new_core,
    capa_relief_capacity,
    capa_target_queue,
    capa_weeks_to_target,
    wl_check,
    wl_load,
    wl_load_after,
    wl_per_fte,
    wl_points,
)

__all__ = [
    "add_worker_sheet",
    "build_team_sheet",
    "capa_balance",
    "capa_choice_needed",
    "capa_load",
    "capa_new_core",
    "capa_relief_capacity",
    "capa_target_queue",
    "capa_weeks_to_target",
    "clear_highlights",
    "flag_outliers",
    "validate_sheet",
    "wl_check",
    "wl_load",
    "wl_load_after",
    "wl_per_fte",
    "wl_points",
]


@xw.script
def validate_sheet(book: xw.Book) -> None:
    """Check the active measurement sheet; highlight and list what is wrong."""
    entry.validate_sheet(book)


@xw.script
def clear_highlights(book: xw.Book) -> None:
    """Put back the fills Validate changed."""
    entry.clear_highlights(book)


@xw.script
def add_worker_sheet(book: xw.Book) -> None:
    """Add a blank copy of a measurement sheet for a new worker."""
    entry.add_worker_sheet(book)


@xw.script
def build_team_sheet(book: xw.Book) -> None:
    """Build the Team sheet from this workbook's worker sheets."""
    entry.build_team_sheet(book)


@xw.script
def flag_outliers(book: xw.Book) -> None:
    """Re-flag the Team sheet's workers as it stands now."""
    entry.flag_outliers(book)
