"""The add-in's VBA modules and ribbon as text, made from the button and function data (add-in).

Nothing here is written by hand per button or per function: the `Workload` module and the
ribbon come from `excel.buttons.BUTTONS`, the `xlwings_udfs` module from `excel.udfs.UDFS` by
introspection, so adding a button or a function is a change to Python data only. The xlwings
runtime (`xlwings.bas`, `Dictionary.cls`) is read from the installed xlwings package, whose
version is pinned, so the VBA always matches the Python half it talks to.

Every source is the text as a VBA project stores it (what Excel's editor exports, minus a class
file's VERSION/BEGIN header), with CRLF line ends, in the project's code page (cp1252).
"""

from __future__ import annotations

import ast
import inspect
import io
import re
import textwrap
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import xlwings
from xlwings.utils import VBAWriter

from workload_xl.excel.buttons import BUTTONS, ENTRY_MODULE, RIBBON_TAB, UDF_MODULE, Button

CODE_PAGE = "cp1252"
WORKLOAD_MODULE = "Workload"
UDF_VBA_MODULE = "xlwings_udfs"  # the name xlwings' own "Import Functions" gives the module
XLWINGS_MODULE = "xlwings"
DICTIONARY_CLASS = "Dictionary"

CUSTOM_UI_NS = "http://schemas.microsoft.com/office/2009/07/customui"

# Characters a path may keep as they are inside the Python text RunPython runs; every other
# ASCII character becomes a \xNN escape (see PYTHON_TEXT_VBA).
SAFE_CHARACTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789 ._-:/,"

# The GUIDs Excel writes as a document module's VB_Base: the Workbook and Worksheet classes.
WORKBOOK_BASE = "0{00020819-0000-0000-C000-000000000046}"
WORKSHEET_BASE = "0{00020820-0000-0000-C000-000000000046}"
CLASS_BASE = "0{FCFB3D2A-A0FA-1068-A738-08002B3371B5}"  # a class module's base, as Excel stores

# Words VBA reserves: an argument named so would stop the wrapper module compiling.
VBA_KEYWORDS = frozenset(
    (
        "and",
        "as",
        "boolean",
        "byref",
        "byte",
        "byval",
        "call",
        "case",
        "class",
        "const",
        "currency",
        "date",
        "declare",
        "dim",
        "do",
        "double",
        "each",
        "else",
        "elseif",
        "empty",
        "end",
        "enum",
        "eqv",
        "erase",
        "error",
        "event",
        "exit",
        "false",
        "for",
        "friend",
        "function",
        "get",
        "global",
        "gosub",
        "goto",
        "if",
        "imp",
        "implements",
        "in",
        "integer",
        "is",
        "let",
        "lib",
        "like",
        "long",
        "loop",
        "lset",
        "me",
        "mod",
        "new",
        "next",
        "not",
        "nothing",
        "null",
        "on",
        "option",
        "optional",
        "or",
        "paramarray",
        "preserve",
        "private",
        "property",
        "public",
        "raiseevent",
        "redim",
        "rem",
        "resume",
        "return",
        "rset",
        "select",
        "set",
        "single",
        "static",
        "step",
        "stop",
        "string",
        "sub",
        "then",
        "to",
        "true",
        "type",
        "typeof",
        "until",
        "variant",
        "wend",
        "while",
        "with",
        "xor",
    )
)

ModuleKind = Literal["module", "class", "document"]


@dataclass(frozen=True)
class VbaModule:
    """One module of the VBA project: its name, kind and source as the project stores it."""

    name: str
    kind: ModuleKind
    source: str


@dataclass(frozen=True)
class UdfArgument:
    name: str
    optional: bool
    doc: str


@dataclass(frozen=True)
class Udf:
    """A spreadsheet function as Excel sees it: its name in capitals, arguments and help."""

    excel_name: str
    python_name: str
    arguments: tuple[UdfArgument, ...]
    description: str

    @property
    def call(self) -> str:
        """How the function reads in a formula: =WL_POINTS(items, [quantities], [scheme])."""
        shown = (f"[{a.name}]" if a.optional else a.name for a in self.arguments)
        return f"={self.excel_name}({', '.join(shown)})"


# --- the xlwings runtime, from the installed package ----------------------------------------


def xlwings_folder() -> Path:
    return Path(xlwings.__file__).resolve().parent


def _package_text(relative: str) -> str:
    return _crlf((xlwings_folder() / relative).read_bytes().decode(CODE_PAGE))


def xlwings_module() -> VbaModule:
    """xlwings' stand-alone module (what `xlwings quickstart --standalone` puts in a book)."""
    return VbaModule(XLWINGS_MODULE, "module", _package_text("xlwings.bas"))


ADDIN_PROJECT_NAME = "workload"
"""xlwings' PROJECT_NAME in the add-in: its settings sheet is "workload.conf" and its user
config file %USERPROFILE%\\.workload\\workload.conf (macOS: workload.conf in Excel's container)."""
_PROJECT_NAME_LINE = 'Public Const PROJECT_NAME As String = "{}"'
_SHIPPED_PROJECT_NAME = "myaddin"


def xlwings_addin_module(project_name: str = ADDIN_PROJECT_NAME) -> VbaModule:
    """xlwings' module for a custom add-in (`xlwings_custom_addin.bas`), with its PROJECT_NAME
    set: it is xlwings.bas with ActiveWorkbook where that has ThisWorkbook, so RunPython's
    caller (`--wb=`), the settings sheet it reads first and the folder it puts on Python's path
    are those of the workbook active when a button is pressed, not the add-in's own."""
    if not re.fullmatch(r"[a-z][a-z0-9_]{0,30}", project_name):
        raise ValueError(f"An add-in's project name must be lower-case letters: {project_name!r}")
    text = _package_text("xlwings_custom_addin.bas")
    shipped = _PROJECT_NAME_LINE.format(_SHIPPED_PROJECT_NAME)
    if text.count(shipped) != 1:
        raise ValueError(
            f"xlwings_custom_addin.bas of xlwings {xlwings.__version__} has no line {shipped!r}"
        )
    source = text.replace(shipped, _PROJECT_NAME_LINE.format(project_name))
    return VbaModule(XLWINGS_MODULE, "module", source)


def dictionary_class() -> VbaModule:
    """xlwings' Dictionary class (its Mac stand-in for Scripting.Dictionary), as Excel stores
    an imported .cls: without the VERSION/BEGIN..END header, with VB_Base after VB_Name and
    VB_TemplateDerived/VB_Customizable after the class attributes, as in the quickstart
    workbook Excel saved for xlwings."""
    return VbaModule(
        DICTIONARY_CLASS, "class", _stored_class(_package_text("addin/Dictionary.cls"))
    )


def _stored_class(exported: str) -> str:
    lines = exported.split("\r\n")
    start = next(i for i, line in enumerate(lines) if line.startswith("Attribute VB_Name"))
    lines = lines[start:]
    lines.insert(1, f'Attribute VB_Base = "{CLASS_BASE}"')
    exposed = next(i for i, line in enumerate(lines) if line.startswith("Attribute VB_Exposed"))
    lines[exposed + 1 : exposed + 1] = [
        "Attribute VB_TemplateDerived = False",
        "Attribute VB_Customizable = False",
    ]
    return "\r\n".join(lines)


def document_module(code_name: str, base: str) -> VbaModule:
    """The empty module behind a workbook or sheet, exactly as Excel stores a new one."""
    lines = [
        f'Attribute VB_Name = "{code_name}"',
        f'Attribute VB_Base = "{base}"',
        "Attribute VB_GlobalNameSpace = False",
        "Attribute VB_Creatable = False",
        "Attribute VB_PredeclaredId = True",
        "Attribute VB_Exposed = True",
        "Attribute VB_TemplateDerived = False",
        "Attribute VB_Customizable = True",
    ]
    return VbaModule(code_name, "document", _lines(lines))


# --- the Workload module: one sub per button ------------------------------------------------

_DIALOG = {"file": "msoFileDialogFilePicker", "folder": "msoFileDialogFolderPicker"}

PYTHON_TEXT_VBA = """\
Private Function AskPath(ByVal kind As Long, ByVal title As String) As String
    ' The file or folder the user picks, or "" when they cancel.
    With Application.FileDialog(kind)
        .Title = title
        .AllowMultiSelect = False
        If .Show = -1 Then AskPath = .SelectedItems(1)
    End With
End Function

Private Function PythonText(ByVal text As String) As String
    ' text as a Python string literal that survives the command line RunPython builds
    ' (python -c "..." through cmd.exe on Windows, through sh on a Mac): every ASCII
    ' character but letters, digits, space and . _ - : / , becomes a \\xNN escape, so no
    ' quote, backslash, %, &, ^ or $ in a path ever reaches a shell or ends the -c text.
    Dim i As Long, code As Long, c As String, result As String
    For i = 1 To Len(text)
        c = Mid$(text, i, 1)
        code = AscW(c) And &HFFFF&
        If code < 128 And InStr(1, SAFE_CHARACTERS, c, vbBinaryCompare) = 0 Then
            result = result & "\\x" & Right$("0" & Hex$(code), 2)
        Else
            result = result & c
        End If
    Next i
    PythonText = "'" & result & "'"
End Function
"""


def python_text(text: str) -> str:
    """What the VBA function PythonText makes of `text` (for tests and documentation)."""
    escaped = "".join(
        f"\\x{ord(c):02X}" if ord(c) < 128 and c not in SAFE_CHARACTERS else c for c in text
    )
    return f"'{escaped}'"


def vba_string(text: str) -> str:
    """A VBA string literal: quotes doubled, as VBA requires."""
    if any(c in text for c in "\r\n"):
        raise ValueError(f"A VBA string literal cannot hold a line break: {text!r}")
    return '"' + text.replace('"', '""') + '"'


def button_sub(button: Button) -> str:
    """The public sub a ribbon button or a sheet button runs."""
    body: list[str]
    if button.asks:
        if button.asks not in _DIALOG:
            raise ValueError(f"Button {button.sub}: asks must be file or folder, not {button.asks}")
        if not button.run_python.endswith("()"):
            raise ValueError(f"Button {button.sub}: run_python must end with a call: ()")
        head = button.run_python[:-1]  # "import ... as wl; wl.import_caseload("
        body = [
            "Dim chosen As String",
            f"chosen = AskPath({_DIALOG[button.asks]}, {vba_string(button.label)})",
            'If chosen = "" Then Exit Sub',
            f'RunPython {vba_string(head + "path=")} & PythonText(chosen) & ")"',
        ]
    else:
        body = [f"RunPython {vba_string(button.run_python)}"]
    tip = textwrap.wrap(button.tip, 92)
    return _lines(
        [f"Public Sub {button.sub}()", *(f"    ' {line}" for line in tip)]
        + [f"    {line}" for line in body]
        + ["End Sub"]
    )


def ribbon_callback(button: Button) -> str:
    return _lines(
        [
            f"Public Sub Ribbon_{button.sub}(control As IRibbonControl)",
            f"    {button.sub}",
            "End Sub",
        ]
    )


def workload_module(buttons: Sequence[Button] = BUTTONS) -> VbaModule:
    """The module behind the Workload tab: a sub per button, a ribbon callback per button."""
    _check_buttons(buttons)
    head = _lines(
        [
            f'Attribute VB_Name = "{WORKLOAD_MODULE}"',
            "' The Workload tab's buttons: each sub runs one Python entry point in",
            f"' {ENTRY_MODULE} through xlwings' RunPython.",
            "' Made by `workload-xl build-xlsm` from workload_xl/excel/buttons.py:",
            "' change that file and rebuild, never this module (a rebuild replaces it).",
            "Option Explicit",
            "",
            # Declarations go before the first procedure, or the module does not compile.
            f'Private Const SAFE_CHARACTERS As String = "{SAFE_CHARACTERS}"',
            "",
        ]
    )
    parts = [button_sub(b) for b in buttons]
    parts += [ribbon_callback(b) for b in buttons]
    parts.append(_crlf(PYTHON_TEXT_VBA))
    return VbaModule(WORKLOAD_MODULE, "module", head + _crlf("\n").join(parts))


def _check_buttons(buttons: Sequence[Button]) -> None:
    subs = [b.sub for b in buttons]
    if len(set(subs)) != len(subs):
        raise ValueError(f"Two buttons share a sub name: {subs}")
    for sub in subs:
        if not re.fullmatch(r"[A-Za-z]{1,40}", sub):
            raise ValueError(f"A button's sub must be letters only (at most 40): {sub!r}")


# --- the xlwings_udfs module: one wrapper per function, in xlwings' own shape ---------------


def load_udfs() -> tuple[Callable[..., Any], ...]:
    """The functions the add-in offers (imported late: the module imports xlwings' UDF
    decorators and the core)."""
    from workload_xl.excel.udfs import UDFS

    return tuple(UDFS)


def describe_udf(function: Callable[..., Any]) -> Udf:
    """The function as Excel sees it, read from its signature, docstring and `@xw.arg` docs.

    The argument docs are read from the decorators' source, not from `__xlfunc__`: xlwings'
    decorators record nothing outside Windows (they are no-ops on Linux and a Mac unless
    XLWINGS_ON_SERVER is set), and the build must give the same text everywhere.
    """
    docs = _argument_docs(function)
    arguments = []
    for parameter in inspect.signature(function).parameters.values():
        if parameter.kind not in (parameter.POSITIONAL_ONLY, parameter.POSITIONAL_OR_KEYWORD):
            raise ValueError(
                f"{function.__name__}: only plain arguments are supported, not {parameter}"
            )
        if parameter.name == "caller":
            raise ValueError(f"{function.__name__}: xlwings' caller argument is not supported")
        if parameter.name.lower() in VBA_KEYWORDS:
            raise ValueError(
                f"{function.__name__}: the argument {parameter.name} is a VBA keyword; "
                "the wrapper would not compile, so rename it"
            )
        optional = parameter.default is not parameter.empty
        arguments.append(UdfArgument(parameter.name, optional, docs.get(parameter.name, "")))
    description = " ".join(inspect.getdoc(function).split()) if function.__doc__ else ""
    return Udf(function.__name__.upper(), function.__name__, tuple(arguments), description)


def _argument_docs(function: Callable[..., Any]) -> dict[str, str]:
    source = textwrap.dedent(inspect.getsource(function))
    definition = ast.parse(source).body[0]
    docs = {}
    for decorator in getattr(definition, "decorator_list", []):
        if not isinstance(decorator, ast.Call) or not decorator.args:
            continue
        name = decorator.func.attr if isinstance(decorator.func, ast.Attribute) else ""
        if name != "arg" or not isinstance(decorator.args[0], ast.Constant):
            continue
        for keyword in decorator.keywords:
            if keyword.arg == "doc":
                docs[decorator.args[0].value] = ast.literal_eval(keyword.value)
    return docs


def udf_wrapper(udf: Udf, module_name: str = UDF_MODULE) -> str:
    """The VBA wrapper xlwings' `generate_vba_wrapper` writes for a function (xlwings.udfs, not
    importable outside Windows), line for line: its VBAWriter, its #If App parts and its
    `On Error GoTo failed`. One difference: the VBA function is named in capitals (WL_POINTS)
    while Python is still called by its own name, which `XLPy.CallUDF` looks up."""
    out = io.StringIO()
    vba = VBAWriter(out)
    signature = ", ".join(("Optional " if a.optional else "") + a.name for a in udf.arguments)
    args_vba = "Array(" + ", ".join(a.name for a in udf.arguments) + ")"
    name, python = udf.excel_name, udf.python_name
    with vba.block(f"Function {name}({signature})"):
        with vba.block('#If App = "Microsoft Excel" Then'):
            vba.writeln("If TypeOf Application.Caller Is Range Then On Error GoTo failed")
            vba.writeln(
                f'{name} = XLPy.CallUDF("{module_name}", "{python}", '
                f"{args_vba}, ThisWorkbook, Application.Caller)"
            )
            vba.writeln("Exit Function")
        with vba.block("#Else"):
            vba.writeln(f'{name} = XLPy.CallUDF("{module_name}", "{python}", {args_vba})')
            vba.writeln("Exit Function")
        vba.writeln("#End If")
        vba.write_label("failed")
        vba.writeln(f"{name} = Err.Description")
    vba.writeln("End Function")
    vba.writeln("")
    return _crlf(out.getvalue())


def udf_module(udfs: Iterable[Udf] | None = None, module_name: str = UDF_MODULE) -> VbaModule:
    """The module xlwings' "Import Functions" would write for `module_name`, with its header."""
    udfs = list(udfs) if udfs is not None else [describe_udf(f) for f in load_udfs()]
    names = [u.excel_name for u in udfs]
    if len(set(names)) != len(names):
        raise ValueError(f"Two functions share an Excel name: {names}")
    head = _lines(
        [
            f'Attribute VB_Name = "{UDF_VBA_MODULE}"',
            f"'Made by workload-xl build-xlsm from {module_name}, in the shape xlwings'",
            "'own import gives - changes will be lost with the next build!",
            """#Const App = "Microsoft Excel" 'Adjust when using outside of Excel""",
        ]
    )
    return VbaModule(
        UDF_VBA_MODULE, "module", head + "".join(udf_wrapper(u, module_name) for u in udfs)
    )


# --- the ribbon -----------------------------------------------------------------------------


def custom_ui(buttons: Sequence[Button] = BUTTONS) -> bytes:
    """The customUI14.xml part: a Workload tab, a group per distinct group, a large button per
    BUTTONS entry whose onAction is that button's ribbon callback in the Workload module."""
    _check_buttons(buttons)
    # Plain names and an xmlns attribute: ElementTree's default_namespace refuses the
    # unqualified attributes customUI uses, and prefixed element names would be uglier.
    root = ET.Element("customUI", {"xmlns": CUSTOM_UI_NS})
    tabs = ET.SubElement(ET.SubElement(root, "ribbon"), "tabs")
    tab = ET.SubElement(tabs, "tab", {"id": "WorkloadTab", "label": RIBBON_TAB})
    groups: dict[str, ET.Element] = {}
    for button in buttons:
        if button.group not in groups:
            group_id = "Group" + re.sub(r"[^A-Za-z0-9]", "", button.group.title())
            groups[button.group] = ET.SubElement(
                tab, "group", {"id": group_id, "label": button.group}
            )
        ET.SubElement(
            groups[button.group],
            "button",
            {
                "id": button.sub,
                "label": button.label,
                "imageMso": button.image,
                "size": "large",
                "screentip": button.label,
                "supertip": button.tip,
                "onAction": f"Ribbon_{button.sub}",
            },
        )
    ET.indent(root)
    text = ET.tostring(root, encoding="unicode")
    return ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n' + text + "\n").encode()


# --- helpers --------------------------------------------------------------------------------


def _crlf(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\n", "\r\n")


def _lines(lines: Iterable[str]) -> str:
    return "".join(f"{line}\r\n" for line in lines)
