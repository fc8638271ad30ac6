"""Builds workload.xlsm, the self-contained Excel workbook, and workload.xlam, the Excel add-in,
from text and data alone (add-in).

The two differ only where `Flavour` says: the workbook carries a blank Measurement sheet and
xlwings' stand-alone module, whose buttons work on the workbook's own sheets; the add-in
carries xlwings' custom add-in module (PROJECT_NAME "workload"), whose buttons and functions
work on whichever workbook is active, so a worker's .xlsx and a team workbook stay free of
macros.

No binary is edited by hand and none is committed as a source: the sheets come from openpyxl,
the VBA modules from `xlsm_vba` (the buttons, the functions and the pinned xlwings package),
vbaProject.bin from `vba_project`, the ribbon from the button data. The package is then put
together at the zip level, in this order, because each step must come after the one before:

1. openpyxl writes the sheets ("Start here", the settings sheet xlwings reads) with the code
   names the VBA project's document modules carry;
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
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from xml.etree import ElementTree as ET

from openpyxl import Workbook
from openpyxl.styles import Alignment
from openpyxl.xml.functions import tostring

from workload_xl.addin.vba import (
    ADDIN_PROJECT_NAME,
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
    xlwings_addin_module,
    xlwings_module,
)
from workload_xl.addin.vba_project import project_id, vba_project_bin
from workload_xl.contracts import worker as layout
from workload_xl.core.findings import Finding
from workload_xl.core.schemes import SchemeRegistry
from workload_xl.excel.buttons import BUTTONS, RIBBON_TAB, UDF_MODULE, Button
from workload_xl.files import cached_values
from workload_xl.files.atomic import write_atomically
from workload_xl.files.printing import (
    PrintLayout,
    apply_print_layout,
    fit_wrapped_rows,
    wrap_across,
)
from workload_xl.files.style import BOLD, NOTE, TITLE, put
from workload_xl.files.worker_template import add_measurement_sheet

XLSM_NAME = "workload.xlsm"
XLAM_NAME = "workload.xlam"
START_SHEET = "Start here"
CONFIG_SHEET = "xlwings.conf"  # the sheet the workbook's GetConfig reads, by this exact name
ADDIN_CONFIG_SHEET = f"{ADDIN_PROJECT_NAME}.conf"  # the add-in's: PROJECT_NAME & ".conf"
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
ADDIN_SHEET_CODE_NAMES = {START_SHEET: "Sheet1", ADDIN_CONFIG_SHEET: "Sheet2"}

CONFIG_ROWS: tuple[tuple[str, str], ...] = (("UDF Modules", UDF_MODULE),)
"""Only where xlwings' defaults will not do: without it xlwings looks for the functions in a
module named after the workbook. The interpreter is left to xlwings (a user's xlwings.conf
file, else `python`), so no row may name it: a row, even blank, would override the file."""
ADDIN_CONFIG_ROWS: tuple[tuple[str, str], ...] = (
    ("UDF Modules", UDF_MODULE),
    ("ADD_WORKBOOK_TO_PYTHONPATH", "false"),
)
"""The add-in's settings sheet. The active workbook's folder stays off Python's path: the
add-in runs for any workbook, from any folder (Downloads, a share), and a file there named
like a module must not stand in for the tool. No interpreter row, for the reason above: the
interpreter is in the user's workload.conf, written by `workload-xl addin install`."""
BUILD_TIME = dt.datetime(2026, 1, 1)
"""The document's created and modified dates: fixed, so two builds are the same file."""
ZIP_TIME = (1980, 1, 1, 0, 0, 0)  # the earliest date a zip entry can carry

VBA_PROJECT_PART = "xl/vbaProject.bin"
CUSTOM_UI_PART = "customUI/customUI14.xml"
CONTENT_TYPES_PART = "[Content_Types].xml"
VBA_CONTENT_TYPE = "application/vnd.ms-office.vbaProject"
XLSX_MAIN = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"
XLSM_MAIN = "application/vnd.ms-excel.sheet.macroEnabled.main+xml"
XLAM_MAIN = "application/vnd.ms-excel.addin.macroEnabled.main+xml"
VBA_RELATIONSHIP = "http://schemas.microsoft.com/office/2006/relationships/vbaProject"
UI_RELATIONSHIP = "http://schemas.microsoft.com/office/2007/relationships/ui/extensibility"
RELS_NS = "http://schemas.openxmlformats.org/package/2006/relationships"


@dataclass(frozen=True)
class Flavour:
    """What the self-contained workbook and the add-in do not share."""

    file_name: str
    main_content_type: str  # the workbook part's content type: .xlsm or .xlam
    config_sheet: str
    config_rows: tuple[tuple[str, str], ...]
    sheet_code_names: dict[str, str]
    start_lines: tuple[str, ...]
    xlwings: Callable[[], VbaModule]
    measurement_sheet: bool  # ships a blank Measurement sheet (and its Scheme sheet)
    title: str


def vba_modules(
    buttons: Sequence[Button] = BUTTONS,
    udfs: Sequence[Udf] | None = None,
    flavour: Flavour | None = None,
) -> list[VbaModule]:
    """Every module of the VBA project, in the order the editor lists them (the functions read
    from `excel.udfs` unless given); the workbook's unless another flavour is given."""
    flavour = flavour or XLSM
    return [
        document_module(WORKBOOK_CODE_NAME, WORKBOOK_BASE),
        *(document_module(code, WORKSHEET_BASE) for code in flavour.sheet_code_names.values()),
        workload_module(buttons),
        udf_module(udfs),
        flavour.xlwings(),
        dictionary_class(),
    ]


def build(flavour: Flavour, buttons: Sequence[Button] = BUTTONS) -> bytes:
    """The whole workbook or add-in, as bytes."""
    udfs = [describe_udf(f) for f in load_udfs()]
    parts = _sheets(flavour, buttons, udfs)
    modules = vba_modules(buttons, udfs, flavour)
    parts = _with_vba_project(
        parts, vba_project_bin(modules, project_id(flavour.file_name)), flavour
    )
    parts = _with_ribbon(parts, custom_ui(buttons))  # last, see the module docstring
    return _zip(parts)


def build_xlsm(buttons: Sequence[Button] = BUTTONS) -> bytes:
    """workload.xlsm, as bytes."""
    return build(XLSM, buttons)


def build_xlam(buttons: Sequence[Button] = BUTTONS) -> bytes:
    """workload.xlam, as bytes."""
    return build(XLAM, buttons)


def flavour_for(path: Path) -> Flavour | None:
    """The flavour a file name asks for by its extension (.xlsm or .xlam), else None."""
    return {".xlsm": XLSM, ".xlam": XLAM}.get(Path(path).suffix.lower())


def write_xlsm(path: Path, *, force: bool = False) -> list[Finding]:
    """Build the workbook (an .xlam path: the add-in) and write it whole or not at all; never
    over a file unless forced."""
    data = build(flavour_for(path) or XLSM)
    return write_atomically(Path(path), lambda temp: temp.write_bytes(data), force=force)


# --- 1. the sheets, through openpyxl --------------------------------------------------------


def _sheets(flavour: Flavour, buttons: Sequence[Button], udfs: Sequence[Udf]) -> dict[str, bytes]:
    wb = Workbook()
    wb.code_name = WORKBOOK_CODE_NAME
    start = wb.active
    start.title = START_SHEET
    _write_start_sheet(start, flavour, buttons, udfs)
    if flavour.measurement_sheet:
        scheme = SchemeRegistry.from_dir().get(DEFAULT_SCHEME)
        add_measurement_sheet(wb, scheme, title=layout.MEASUREMENT_SHEET)
        wb.move_sheet(START_SHEET, offset=-wb.index(start))  # first: Start here, Measurement
    wb.active = 0
    config = wb.create_sheet(flavour.config_sheet)
    _write_config_sheet(config, flavour.config_rows)
    for ws in wb.worksheets:
        ws.sheet_properties.codeName = flavour.sheet_code_names[ws.title]
    wb.properties.title = flavour.title
    wb.properties.creator = "workload-xl"
    wb.properties.created = BUILD_TIME

    buffer = io.BytesIO()
    wb.save(buffer)  # sets the modified date to now; replaced below
    wb.properties.modified = BUILD_TIME
    with zipfile.ZipFile(buffer) as archive:
        parts = {name: archive.read(name) for name in archive.namelist()}
    parts["docProps/core.xml"] = tostring(wb.properties.to_tree())
    parts = cached_values.with_results(wb, parts)  # the Measurement sheet's results, saved
    # The content types first, as Office writes them; the rest in openpyxl's order.
    return {CONTENT_TYPES_PART: parts.pop(CONTENT_TYPES_PART), **parts}


def _write_start_sheet(
    ws, flavour: Flavour, buttons: Sequence[Button], udfs: Sequence[Udf]
) -> None:
    """The sheet a user reads first. Every text goes in through the one text guard
    (`files.style.put`): a function's signature such as =WL_POINTS(items, ...) is text to read,
    and written any other way it would become a formula (#NAME? in every cell)."""
    wrap = Alignment(wrap_text=True, vertical="top")
    for column, width in zip("ABCD", (44, 64, 20, 22), strict=True):
        ws.column_dimensions[column].width = width

    rows = iter(range(1, 10_000))

    def row(*values: str, font=None, wrapped: bool = False) -> None:
        number = next(rows)
        for column, value in enumerate(values, start=1):
            cell = put(ws, number, column, value)
            if font is not None:
                cell.font = font
            if wrapped:
                cell.alignment = wrap
        if wrapped:
            fit_wrapped_rows(ws, [number])

    row(flavour.title, font=TITLE)
    for line in flavour.start_lines:
        row(line)
        wrap_across(ws, ws.max_row, last_column=4)  # a line longer than column A prints whole
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
        f"This sheet is written by `workload-xl build-xlsm -o {flavour.file_name}`; the file is "
        "rebuilt, not edited.",
        font=NOTE,
    )
    wrap_across(ws, ws.max_row, last_column=4)
    apply_print_layout(ws, PrintLayout(orientation="landscape"))
    ws.sheet_view.showGridLines = False


def _argument_line(argument: UdfArgument) -> str:
    name = argument.name + (" (optional)" if argument.optional else "")
    return f"{name}: {argument.doc}" if argument.doc else name


START_LINES = (
    "This workbook puts the Workload tab on Excel's ribbon and the workload functions in "
    "Excel's function list.",
    "It needs Excel on Windows, with Python on this computer and the tool installed as the "
    "README's Windows section says (it brings xlwings, the bridge the buttons use).",
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


ADDIN_START_LINES = (
    "This add-in puts the Workload tab on Excel's ribbon and the workload functions in Excel's "
    "function list, for every workbook you open.",
    "Install it with the command workload-xl addin install (the README's Windows section says "
    "how): it copies this file into Excel's start-up folder and tells it which Python to use.",
    "The buttons work on the workbook that is active when you press them: a worker's "
    "measurement workbook, a team workbook, any .xlsx. Those files stay free of macros.",
    "The functions work in a cell of any open workbook while the add-in is loaded.",
    f"The {ADDIN_CONFIG_SHEET} sheet tells xlwings where the functions are. The Python to use "
    f"is in the file .{ADDIN_PROJECT_NAME}\\{ADDIN_PROJECT_NAME}.conf in your user folder, "
    "which workload-xl addin install writes.",
)


def _write_config_sheet(ws, rows: Sequence[tuple[str, str]]) -> None:
    for number, (key, value) in enumerate(rows, start=1):
        put(ws, number, 1, key)
        put(ws, number, 2, value)
    ws.column_dimensions["A"].width = 30
    ws.column_dimensions["B"].width = 28
    notes = (
        "xlwings reads its settings here: a key in column A, its value in column B, from A1 "
        "down to the first blank cell.",
        "Settings not listed use xlwings' defaults (or the user's settings file).",
    )
    for number, note in enumerate(notes, start=1):
        put(ws, number, 4, note).font = NOTE
    apply_print_layout(ws, PrintLayout(orientation="landscape"))


XLSM = Flavour(
    file_name=XLSM_NAME,
    main_content_type=XLSM_MAIN,
    config_sheet=CONFIG_SHEET,
    config_rows=CONFIG_ROWS,
    sheet_code_names=SHEET_CODE_NAMES,
    start_lines=START_LINES,
    xlwings=xlwings_module,
    measurement_sheet=True,
    title="Workload add-in",
)
XLAM = Flavour(
    file_name=XLAM_NAME,
    main_content_type=XLAM_MAIN,
    config_sheet=ADDIN_CONFIG_SHEET,
    config_rows=ADDIN_CONFIG_ROWS,
    sheet_code_names=ADDIN_SHEET_CODE_NAMES,
    start_lines=ADDIN_START_LINES,
    xlwings=xlwings_addin_module,
    measurement_sheet=False,
    title="Workload add-in for every workbook",
)


# --- 2. the VBA project ---------------------------------------------------------------------


def _with_vba_project(
    parts: dict[str, bytes], vba_bin: bytes, flavour: Flavour
) -> dict[str, bytes]:
    parts = dict(parts)
    types = parts[CONTENT_TYPES_PART].decode("utf-8")
    main = f'ContentType="{XLSX_MAIN}"'
    if types.count(main) != 1:
        raise ValueError("openpyxl wrote an unexpected [Content_Types].xml: no workbook part")
    types = types.replace(main, f'ContentType="{flavour.main_content_type}"')
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
