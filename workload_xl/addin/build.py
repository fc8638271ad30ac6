"""Builds workload.xlsm, the Excel add-in workbook, from text and data alone (add-in).

No binary is edited by hand and none is committed as a source: the sheets come from openpyxl,
the VBA modules from `xlsm_vba` (the buttons, the functions and the pinned xlwings package),
vbaProject.bin from `vba_project`, the ribbon from the button data. The package is then put
together at the zip level, in this order, because each step must come after the one before:

1. openpyxl writes the sheets ("Start here", "xlwings.conf") with the code names the VBA
   project's document modules carry;
2. the VBA project goes in: xl/vbaProject.bin, its relationship from the workbook, the `bin`
   content type, and the workbook's macro-enabled content type;
3. the ribbon goes in last: customUI/customUI14.xml and its relationship from the package.
   Saving the file through openpyxl again would keep vbaProject.bin but drop that
   relationship (found in a trial), so nothing may run after this step but the zip writer.

Building twice gives the same bytes: the zip's timestamps, the document's created and modified
dates, the VBA project's GUID and its encryption seed are fixed, and every part is written in
a fixed order.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile
from collections.abc import Sequence
from pathlib import Path
from xml.etree import ElementTree as ET

from openpyxl import Workbook
from openpyxl.styles import Alignment
from openpyxl.xml.functions import tostring

from workload_xl.addin.vba import (
    WORKBOOK_BASE,
    WORKSHEET_BASE,
    Udf,
    UdfArgument,
    VbaModule,
    custom_ui,
    describe_udf,
    dictionary_class,
    document_module,
    load_udfs,
    udf_module,
    workload_module,
    xlwings_module,
)
from workload_xl.addin.vba_project import vba_project_bin
from workload_xl.contracts import worker as layout
from workload_xl.core.findings import Finding
from workload_xl.core.schemes import SchemeRegistry
from workload_xl.excel.buttons import BUTTONS, RIBBON_TAB, UDF_MODULE, Button
from workload_xl.files.atomic import write_atomically
from workload_xl.files.style import BOLD, NOTE, TITLE
from workload_xl.files.worker_template import add_measurement_sheet

XLSM_NAME = "workload.xlsm"
START_SHEET = "Start here"
CONFIG_SHEET = "xlwings.conf"  # the sheet xlwings' GetConfig reads, by this exact name
WORKBOOK_CODE_NAME = "ThisWorkbook"
DEFAULT_SCHEME = "childrens-social-care"
"""The scheme of the blank measurement sheet the workbook ships with, so the buttons work the
moment it opens; a service on another scheme brings in its own worker workbook's tabs."""
SHEET_CODE_NAMES = {
    START_SHEET: "Sheet1",
    CONFIG_SHEET: "Sheet2",
    layout.MEASUREMENT_SHEET: "Sheet3",
    layout.SCHEME_SHEET: "Sheet4",
}

CONFIG_ROWS: tuple[tuple[str, str], ...] = (("UDF Modules", UDF_MODULE),)
"""Only where xlwings' defaults will not do: without it xlwings looks for the functions in a
module named after the workbook. The interpreter is left to xlwings (a user's xlwings.conf
file, else `python`), so no row may name it: a row, even blank, would override the file."""

BUILD_TIME = dt.datetime(2026, 1, 1)
"""The document's created and modified dates: fixed, so two builds are the same file."""
ZIP_TIME = (1980, 1, 1, 0, 0, 0)  # the earliest date a zip entry can carry

VBA_PROJECT_PART = "xl/vbaProject.bin"
CUSTOM_UI_PART = "customUI/customUI14.xml"
CONTENT_TYPES_PART = "[Content_Types].xml"
VBA_CONTENT_TYPE = "application/vnd.ms-office.vbaProject"
XLSX_MAIN = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"
XLSM_MAIN = "application/vnd.ms-excel.sheet.macroEnabled.main+xml"
VBA_RELATIONSHIP = "http://schemas.microsoft.com/office/2006/relationships/vbaProject"
UI_RELATIONSHIP = "http://schemas.microsoft.com/office/2007/relationships/ui/extensibility"
RELS_NS = "http://schemas.openxmlformats.org/package/2006/relationships"


def vba_modules(
    buttons: Sequence[Button] = BUTTONS, udfs: Sequence[Udf] | None = None
) -> list[VbaModule]:
    """Every module of the workbook's VBA project, in the order the editor lists them (the
    functions read from `excel.udfs` unless given)."""
    return [
        document_module(WORKBOOK_CODE_NAME, WORKBOOK_BASE),
        *(document_module(code, WORKSHEET_BASE) for code in SHEET_CODE_NAMES.values()),
        workload_module(buttons),
        udf_module(udfs),
        xlwings_module(),
        dictionary_class(),
    ]


def build_xlsm(buttons: Sequence[Button] = BUTTONS) -> bytes:
    """The whole workbook, as bytes."""
    udfs = [describe_udf(f) for f in load_udfs()]
    parts = _sheets(buttons, udfs)
    parts = _with_vba_project(parts, vba_project_bin(vba_modules(buttons, udfs)))
    parts = _with_ribbon(parts, custom_ui(buttons))  # last, see the module docstring
    return _zip(parts)


def write_xlsm(path: Path, *, force: bool = False) -> list[Finding]:
    """Build the workbook and write it whole or not at all; never over a file unless forced."""
    data = build_xlsm()
    return write_atomically(Path(path), lambda temp: temp.write_bytes(data), force=force)


# --- 1. the sheets, through openpyxl --------------------------------------------------------


def _sheets(buttons: Sequence[Button], udfs: Sequence[Udf]) -> dict[str, bytes]:
    wb = Workbook()
    wb.code_name = WORKBOOK_CODE_NAME
    start = wb.active
    start.title = START_SHEET
    _write_start_sheet(start, buttons, udfs)
    scheme = SchemeRegistry.from_dir().get(DEFAULT_SCHEME)
    add_measurement_sheet(wb, scheme, title=layout.MEASUREMENT_SHEET)
    wb.move_sheet(START_SHEET, offset=-wb.index(start))  # first: Start here, Measurement, ...
    wb.active = 0
    config = wb.create_sheet(CONFIG_SHEET)
    _write_config_sheet(config)
    for ws in wb.worksheets:
        ws.sheet_properties.codeName = SHEET_CODE_NAMES[ws.title]
    wb.properties.title = "Workload add-in"
    wb.properties.creator = "workload-xl"
    wb.properties.created = BUILD_TIME

    buffer = io.BytesIO()
    wb.save(buffer)  # sets the modified date to now; replaced below
    wb.properties.modified = BUILD_TIME
    with zipfile.ZipFile(buffer) as archive:
        parts = {name: archive.read(name) for name in archive.namelist()}
    parts["docProps/core.xml"] = tostring(wb.properties.to_tree())
    # The content types first, as Office writes them; the rest in openpyxl's order.
    return {CONTENT_TYPES_PART: parts.pop(CONTENT_TYPES_PART), **parts}


def _write_start_sheet(ws, buttons: Sequence[Button], udfs: Sequence[Udf]) -> None:
    wrap = Alignment(wrap_text=True, vertical="top")
    for column, width in zip("ABCD", (44, 64, 20, 22), strict=True):
        ws.column_dimensions[column].width = width

    def row(*values: str, font=None, wrapped: bool = False) -> None:
        ws.append(list(values))
        for cell in ws[ws.max_row]:
            if font is not None:
                cell.font = font
            if wrapped:
                cell.alignment = wrap

    ws.append(["Workload add-in"])
    ws["A1"].font = TITLE
    for line in START_LINES:
        row(line)
    row()
    row(f"The buttons (the {RIBBON_TAB} tab on the ribbon)", font=BOLD)
    row("Button", "What it does", "Ribbon group", "Macro", font=BOLD)
    for button in buttons:
        row(button.label, button.tip, button.group, button.sub, wrapped=True)
    row()
    row("The functions (type them in a cell like any Excel function)", font=BOLD)
    row("Function", "What it gives", "Arguments", font=BOLD)
    for udf in udfs:
        arguments = "\n".join(_argument_line(a) for a in udf.arguments)
        row(udf.call, udf.description, arguments, wrapped=True)
        ws.merge_cells(start_row=ws.max_row, start_column=3, end_row=ws.max_row, end_column=4)
    row()
    row(
        "This sheet is written by `workload-xl build-xlsm`; the workbook is rebuilt, not edited.",
        font=NOTE,
    )
    ws.sheet_view.showGridLines = False


def _argument_line(argument: UdfArgument) -> str:
    name = argument.name + (" (optional)" if argument.optional else "")
    return f"{name}: {argument.doc}" if argument.doc else name


START_LINES = (
    "This workbook puts the Workload tab on Excel's ribbon and the workload functions in "
    "Excel's function list.",
    "It needs Excel on Windows, with Python on this computer and the tool installed: "
    "pip install workload-xl (it brings xlwings, the bridge the buttons use).",
    "Open it and enable macros when Excel asks: the buttons and functions are VBA macros "
    "that call Python.",
    "The buttons work on the sheets of this workbook. It comes with a blank Measurement sheet "
    "for children's social care: fill it in, and Add worker sheet makes blank copies of it.",
    "For another scheme, bring in that scheme's sheets: in a worker workbook select the "
    "Measurement and Scheme tabs, right-click > Move or Copy > To book: this workbook, tick "
    "Create a copy.",
    "A button of your own on any sheet: Developer > Insert > Button (Form Control), then "
    "choose its macro from the Macro column below.",
    f"The {CONFIG_SHEET} sheet tells xlwings where the functions are. Leave it as it is; to "
    "use a particular Python, add a row Interpreter_Win with the path to its python.exe.",
)


def _write_config_sheet(ws) -> None:
    for key, value in CONFIG_ROWS:
        ws.append([key, value])
    ws.column_dimensions["A"].width = 16
    ws.column_dimensions["B"].width = 28
    notes = (
        "xlwings reads its settings here: a key in column A, its value in column B, from A1 "
        "down to the first blank cell.",
        "Settings not listed use xlwings' defaults (or a user's xlwings.conf file).",
    )
    for number, note in enumerate(notes, start=1):
        ws.cell(number, 4, note).font = NOTE


# --- 2. the VBA project ---------------------------------------------------------------------


def _with_vba_project(parts: dict[str, bytes], vba_bin: bytes) -> dict[str, bytes]:
    parts = dict(parts)
    types = parts[CONTENT_TYPES_PART].decode("utf-8")
    main = f'ContentType="{XLSX_MAIN}"'
    if types.count(main) != 1:
        raise ValueError("openpyxl wrote an unexpected [Content_Types].xml: no workbook part")
    types = types.replace(main, f'ContentType="{XLSM_MAIN}"')
    types = _insert_before(
        types, "</Types>", f'<Default Extension="bin" ContentType="{VBA_CONTENT_TYPE}" />'
    )
    parts[CONTENT_TYPES_PART] = types.encode("utf-8")
    rels = "xl/_rels/workbook.xml.rels"
    parts[rels] = _add_relationship(parts[rels], VBA_RELATIONSHIP, "vbaProject.bin")
    parts[VBA_PROJECT_PART] = vba_bin
    return parts


# --- 3. the ribbon, last --------------------------------------------------------------------


def _with_ribbon(parts: dict[str, bytes], ui: bytes) -> dict[str, bytes]:
    parts = dict(parts)
    parts["_rels/.rels"] = _add_relationship(parts["_rels/.rels"], UI_RELATIONSHIP, CUSTOM_UI_PART)
    parts[CUSTOM_UI_PART] = ui
    return parts


# --- the package ----------------------------------------------------------------------------


def _add_relationship(rels: bytes, kind: str, target: str) -> bytes:
    """The relationships part with one more, under the first rIdN it does not use."""
    root = ET.fromstring(rels)
    used = {r.get("Id") for r in root.iter(f"{{{RELS_NS}}}Relationship")}
    number = 1
    while f"rId{number}" in used:
        number += 1
    new = f'<Relationship Type="{kind}" Target="{target}" Id="rId{number}" />'
    return _insert_before(rels.decode("utf-8"), "</Relationships>", new).encode("utf-8")


def _insert_before(text: str, closing: str, new: str) -> str:
    if not re.search(re.escape(closing) + r"\s*$", text):
        raise ValueError(f"Expected the part to end with {closing}")
    at = text.rindex(closing)
    return text[:at] + new + text[at:]


def _zip(parts: dict[str, bytes]) -> bytes:
    """The parts in a zip whose every entry has the same fixed date and attributes."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in parts.items():
            info = zipfile.ZipInfo(name, date_time=ZIP_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.create_system = 0  # MS-DOS, as Office writes, whatever system builds it
            info.external_attr = 0
            archive.writestr(info, data, compresslevel=6)
    return buffer.getvalue()
