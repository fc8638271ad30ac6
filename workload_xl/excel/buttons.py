"""The add-in's buttons as data: what the ribbon shows, the VBA sub each calls, the Python
entry point that sub runs (core-free: no xlwings import, so the workbook builder and the
tests read it without Excel).

Each entry point lives in `workload_xl.excel.entry` and takes the book as its first argument
(`xw.Book.caller()` when Excel calls it); a button that needs a file or folder gets the
path the VBA asked the user for as `path=` (see `asks`).
"""

from __future__ import annotations

from dataclasses import dataclass

ENTRY_MODULE = "workload_xl.excel.entry"
UDF_MODULE = "workload_xl.excel.udfs"
RIBBON_TAB = "Workload"


@dataclass(frozen=True)
class Button:
    sub: str  # the VBA sub (and ribbon control id): letters only, unique
    label: str  # on the ribbon
    entry: str  # the Python function in ENTRY_MODULE
    image: str  # a built-in Office icon (imageMso)
    tip: str  # the ribbon's screen tip: what pressing it does
    group: str  # the ribbon group
    asks: str = ""  # "file" or "folder": the VBA asks the user first and passes path=

    @property
    def run_python(self) -> str:
        """The Python statement RunPython executes (without a path argument)."""
        return f"import {ENTRY_MODULE} as wl; wl.{self.entry}()"


BUTTONS: tuple[Button, ...] = (
    Button(
        "ValidateSheet",
        "Validate this sheet",
        "validate_sheet",
        "AcceptInvitation",
        "Check the active measurement sheet against its points scheme. Problems are "
        "highlighted and listed on the Errors sheet with links to their cells.",
        "Measurement sheet",
    ),
    Button(
        "ClearHighlights",
        "Clear highlights",
        "clear_highlights",
        "ClearFormats",
        "Remove the highlights Validate left, restoring each cell's own fill.",
        "Measurement sheet",
    ),
    Button(
        "AddWorkerSheet",
        "Add worker sheet",
        "add_worker_sheet",
        "TableInsert",
        "Add a new blank measurement sheet for the scheme this workbook uses.",
        "Measurement sheet",
    ),
    Button(
        "ImportCaseload",
        "Import caseload report",
        "import_caseload",
        "ImportExcel",
        "Fill the active sheet's table from a case-management caseload report (CSV or "
        "Excel), mapping case types to the scheme's items.",
        "Measurement sheet",
        asks="file",
    ),
    Button(
        "BuildTeamSheet",
        "Build team sheet",
        "build_team_sheet",
        "PivotTableLayoutReportLayout",
        "Build the Team sheet from the worker sheets in this workbook.",
        "Team",
    ),
    Button(
        "BuildTeamFromFolder",
        "Build from a folder",
        "build_team_sheet_from_folder",
        "FileOpen",
        "Build the Team sheet from the worker workbooks in a folder you choose.",
        "Team",
        asks="folder",
    ),
    Button(
        "FlagOutliers",
        "Flag outliers",
        "flag_outliers",
        "ConditionalFormattingHighlightCells",
        "Mark workers whose points per FTE stand well apart from their band on the Team "
        "sheet, to open a discussion.",
        "Team",
    ),
    Button(
        "ExportTeamReturn",
        "Export team return",
        "export_team_return",
        "FileSaveAs",
        "Write this month's team return for the performance team: figures and case "
        "references, never case names.",
        "Team",
        asks="folder",
    ),
    Button(
        "TryAllocation",
        "Try an allocation",
        "try_allocation",
        "AddressBook",
        "On a team workbook: who could take one more of the item typed on the Allocation "
        "sheet, or what moving a case would do, with each worker's load before and after. "
        "No worker sheet changes.",
        "Team",
    ),
)

BUTTON_BY_SUB = {b.sub: b for b in BUTTONS}
