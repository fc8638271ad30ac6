"""workload.xlsm and workload.xlam, built from text and checked as Excel would find them.

Every check runs on both: the self-contained workbook and the add-in for every workbook. Each
is built once into a temporary folder, then read back only through independent
readers: oletools decodes the VBA project, olefile checks the compound file strictly, the
ribbon and the package relationships are parsed as XML, and LibreOffice opens the workbook
and decodes the VBA itself. Nothing is stubbed. What cannot be checked here is Excel itself
(compiling the VBA, showing the ribbon): the README gives the manual check.
"""

from __future__ import annotations

import ast
import importlib
import inspect
import io
import re
import struct
import subprocess
import sys
import tomllib
import warnings
import zipfile
from pathlib import Path
from xml.etree import ElementTree as ET

import olefile
import pytest
import xlwings
from openpyxl import load_workbook
from openpyxl.utils import get_column_letter, range_boundaries

from workload_xl.addin import build as xlsm_build
from workload_xl.addin import vba as xlsm_vba
from workload_xl.addin.ovba_compression import compress
from workload_xl.contracts import worker as layout
from workload_xl.excel.buttons import BUTTONS, ENTRY_MODULE, RIBBON_TAB, UDF_MODULE
from workload_xl.excel.udfs import UDFS

from .libreoffice import require_soffice, run_soffice

with warnings.catch_warnings():  # oletools still calls pyparsing's old names
    warnings.simplefilter("ignore", DeprecationWarning)
    from oletools.olevba import VBA_Parser, decompress_stream

ROOT = Path(__file__).resolve().parent.parent
QUICKSTART = Path(xlwings.__file__).resolve().parent / "quickstart_standalone.xlsm"
QUICKSTART_ADDIN = Path(xlwings.__file__).resolve().parent / "quickstart_addin_ribbon.xlam"
FLAVOURS = {"xlsm": xlsm_build.XLSM, "xlam": xlsm_build.XLAM}
SHIPPED_XLWINGS = {"xlsm": "xlwings.bas", "xlam": "xlwings_custom_addin.bas"}
CT_NS = "{http://schemas.openxmlformats.org/package/2006/content-types}"
RELS_NS = "{http://schemas.openxmlformats.org/package/2006/relationships}"
UI_NS = "{http://schemas.microsoft.com/office/2009/07/customui}"
EXPECTED_MODULES = {"xlwings", "Dictionary", "Workload", "xlwings_udfs"}


@pytest.fixture(scope="module", params=sorted(FLAVOURS))
def kind(request) -> str:
    """ "xlsm" (the workbook) or "xlam" (the add-in): every test that builds runs on both."""
    return request.param


@pytest.fixture(scope="module")
def flavour(kind) -> xlsm_build.Flavour:
    return FLAVOURS[kind]


@pytest.fixture(scope="module")
def built(flavour, tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("built") / flavour.file_name
    assert xlsm_build.write_xlsm(path) == []
    return path


def _macros(path: Path) -> dict[str, str]:
    parser = VBA_Parser(str(path))
    try:
        return {Path(n).stem: c for _, _, n, c in parser.extract_macros()}
    finally:
        parser.close()


@pytest.fixture(scope="module")
def vba(built) -> dict[str, str]:
    """Every module's source as oletools decodes it from the built workbook, by name."""
    parser = VBA_Parser(str(built))
    try:
        return {Path(name).stem: code for _, _, name, code in parser.extract_macros()}
    finally:
        parser.close()


@pytest.fixture(scope="module")
def parts(built) -> dict[str, bytes]:
    with zipfile.ZipFile(built) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def as_workbook(path: Path) -> bytes:
    """The built file's bytes as openpyxl and LibreOffice open them. Neither opens an .xlam
    (openpyxl goes by the extension and the workbook part's content type, LibreOffice by the
    content type): the add-in's parts are given unchanged but for that one content type."""
    data = path.read_bytes()
    if path.suffix != ".xlam":
        return data
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w") as copy:
        for info in source.infolist():
            part = source.read(info)
            if info.filename == "[Content_Types].xml":
                assert part.count(xlsm_build.XLAM_MAIN.encode()) == 1
                part = part.replace(xlsm_build.XLAM_MAIN.encode(), xlsm_build.XLSM_MAIN.encode())
            copy.writestr(info, part)
    return out.getvalue()


def load_built(path: Path):
    return load_workbook(io.BytesIO(as_workbook(path)))


def procedures(code: str) -> dict[str, str]:
    """Sub and Function names declared in VBA code, with their parameter lists."""
    found = re.finditer(
        r"^(?:Public |Private )?(?:Sub|Function) (\w+)\(([^)]*)\)", code, flags=re.MULTILINE
    )
    return {m[1]: m[2] for m in found}


def all_procedures(vba: dict[str, str]) -> dict[str, str]:
    return {name: args for code in vba.values() for name, args in procedures(code).items()}


# --- the VBA project ----------------------------------------------------------------------


def test_every_module_is_in_the_decoded_vba_project(vba, flavour):
    assert set(vba) >= EXPECTED_MODULES
    document_modules = {"ThisWorkbook", *flavour.sheet_code_names.values()}
    assert set(vba) == EXPECTED_MODULES | document_modules


def test_every_module_decodes_to_exactly_the_source_built(vba, flavour):
    for module in xlsm_build.vba_modules(flavour=flavour):
        assert vba[module.name] == module.source, module.name


def test_xlwings_vba_is_the_pinned_version(vba):
    code = vba["xlwings"]
    assert re.search(r"^'Version: (\S+)", code, re.MULTILINE)[1] == xlwings.__version__
    constant = re.search(r'XLWINGS_VERSION As String = "([^"]+)"', code)[1]
    assert constant == xlwings.__version__
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    assert f"xlwings=={xlwings.__version__}" in pyproject["project"]["dependencies"]


def _project_name(code: str) -> str:
    return re.search(r'^Public Const PROJECT_NAME As String = "([^"]*)"', code, re.MULTILINE)[1]


def test_xlwings_module_is_the_packages_own_file_with_only_its_project_name_set(vba, kind):
    """The workbook has xlwings' stand-alone module unchanged; the add-in its custom add-in
    module with one line changed, PROJECT_NAME, from "myaddin" to "workload"."""
    shipped = (xlsm_vba.xlwings_folder() / SHIPPED_XLWINGS[kind]).read_bytes().decode("cp1252")
    ours, theirs = vba["xlwings"].replace("\r\n", "\n"), shipped.replace("\r\n", "\n")
    changed = [(a, b) for a, b in zip(theirs.split("\n"), ours.split("\n"), strict=True) if a != b]
    if kind == "xlsm":
        assert changed == []
        assert _project_name(ours) == "xlwings"
    else:
        assert changed == [
            (
                'Public Const PROJECT_NAME As String = "myaddin"',
                'Public Const PROJECT_NAME As String = "workload"',
            )
        ]


def test_the_add_ins_runpython_calls_python_with_the_active_workbook_as_caller(built, kind):
    """What makes the add-in work on any workbook: RunPython passes `--wb=` the active
    workbook's name (xw.Book.caller() reads it), reads the settings sheet of the active
    workbook first, then the add-in's own; the stand-alone module passes its own workbook."""
    code = _macros(built)["xlwings"]
    owner = "ActiveWorkbook" if kind == "xlam" else "ThisWorkbook"
    assert f'" --wb=" & """" & {owner}.Name & """ --from_xl=1"' in code
    assert f"Set wb = {owner}" in code
    if kind == "xlam":
        assert 'SheetExists(ActiveWorkbook, PROJECT_NAME & ".conf")' in code
        assert 'SheetExists(ThisWorkbook, PROJECT_NAME & ".conf")' in code
        assert "ThisWorkbook.Name" not in code


def test_class_and_xlwings_modules_match_what_excel_stored_in_xlwings_quickstart(vba, kind):
    """xlwings ships quickstart_standalone.xlsm and quickstart_addin_ribbon.xlam, saved by
    Excel: their xlwings and Dictionary modules are the same files. Excel's stored text must
    be ours, but for the case of names the VBA editor normalises across a project (Err, err)
    and, in the add-in, the project's name."""
    excel = _macros(QUICKSTART if kind == "xlsm" else QUICKSTART_ADDIN)
    for name in ("xlwings", "Dictionary"):
        ours, theirs = vba[name].replace("\r\n", "\n"), excel[name].replace("\r\n", "\n")
        if kind == "xlam" and name == "xlwings":
            theirs = theirs.replace(
                'PROJECT_NAME As String = "myaddin"', 'PROJECT_NAME As String = "workload"'
            )
        assert ours.casefold() == theirs.casefold(), name
        attributes = [line for line in ours.split("\n") if line.startswith("Attribute ")]
        assert attributes == [line for line in theirs.split("\n") if line.startswith("Attribute ")]


def _dir_records(data: bytes) -> list[tuple[int, bytes]]:
    """The dir stream's records as (id, data): each is id, size, data, except PROJECTVERSION,
    whose size says 4 and whose data is 6 bytes ([MS-OVBA] 2.3.4.2.1.11)."""
    records, at = [], 0
    while at < len(data):
        kind, size = struct.unpack_from("<HI", data, at)
        size = 6 if kind == 0x0009 else size
        records.append((kind, data[at + 6 : at + 6 + size]))
        at += 6 + size
    return records


def _dir_stream(xlsm: Path) -> list[tuple[int, bytes]]:
    with zipfile.ZipFile(xlsm) as archive:
        ole = olefile.OleFileIO(archive.read("xl/vbaProject.bin"))
    return _dir_records(decompress_stream(bytearray(ole.openstream("VBA/dir").read())))


def test_dir_stream_has_the_record_layout_excel_wrote_in_the_quickstart(built):
    """Project information, then per module the same records in the same order; only the
    references differ (the quickstart has MSForms, and no stdole)."""
    reference_ids = {0x0016, 0x003E, 0x000D, 0x000E, 0x002F, 0x0030, 0x0033}

    def layout(records):
        ids = [kind for kind, _ in records if kind not in reference_ids]
        start = ids.index(0x000F)  # PROJECTMODULES
        modules, current = [], []
        for kind in ids[start + 2 : -1]:  # after PROJECTMODULES and PROJECTCOOKIE, to the end
            current.append(kind)
            if kind == 0x002B:  # a module's terminator
                modules.append(tuple(current))
                current = []
        return ids[:start], modules, ids[-1]

    ours, excels = layout(_dir_stream(built)), layout(_dir_stream(QUICKSTART))
    assert ours[0] == excels[0]
    assert set(ours[1]) == set(excels[1])
    assert ours[2] == excels[2] == 0x0010


def test_module_types_in_the_dir_stream(built):
    """A class module is typed like a document module (0x22), a standard module 0x21."""
    names, types = [], []
    for kind, data in _dir_stream(built):
        if kind == 0x0019:
            names.append(data.decode("cp1252"))
        elif kind in (0x0021, 0x0022):
            types.append(kind)
    by_name = dict(zip(names, types, strict=True))
    assert by_name["Dictionary"] == by_name["ThisWorkbook"] == 0x0022
    assert by_name["Workload"] == by_name["xlwings"] == by_name["xlwings_udfs"] == 0x0021


def test_vba_project_is_a_sound_compound_file_with_the_projects_streams(parts):
    ole = olefile.OleFileIO(parts["xl/vbaProject.bin"], raise_defects=olefile.DEFECT_INCORRECT)
    streams = {"/".join(entry) for entry in ole.listdir()}
    assert {"PROJECT", "PROJECTwm", "VBA/dir", "VBA/_VBA_PROJECT", "VBA/Workload"} <= streams
    project = ole.openstream("PROJECT").read().decode("cp1252")
    assert "Module=Workload" in project and "Class=Dictionary" in project
    assert "Document=ThisWorkbook/&H00000000" in project
    # No performance cache: Office compiles the source on open, as for the quickstart.
    assert ole.openstream("VBA/_VBA_PROJECT").read() == b"\xcc\x61\xff\xff\x00\x03\x00"


def test_compound_file_directories_are_sorted_red_black_trees(parts):
    """Windows finds a stream by walking its storage's tree ([MS-CFB] 2.6.4): names ordered by
    length, then upper case; a black root, no red node with a red child, and the same number
    of black nodes on every path. olefile lists entries without checking this."""
    ole = olefile.OleFileIO(parts["xl/vbaProject.bin"])
    entries, none = ole.direntries, olefile.NOSTREAM
    red = 0

    def walk(sid: int) -> tuple[list, int]:
        """The subtree's names in order, and its black height."""
        if sid == none:
            return [], 1
        entry = entries[sid]
        left, left_height = walk(entry.sid_left)
        right, right_height = walk(entry.sid_right)
        assert left_height == right_height, entry.name
        if entry.color == red:
            for child in (entry.sid_left, entry.sid_right):
                assert child == none or entries[child].color != red, entry.name
        key = (len(entry.name), entry.name.upper())
        return [*left, key, *right], left_height + (entry.color != red)

    storages = [e for e in entries if e is not None and e.entry_type in (1, 5)]
    assert len(storages) == 2  # the root and VBA
    for storage in storages:
        assert entries[storage.sid_child].color != red, storage.name
        names, _ = walk(storage.sid_child)
        assert names == sorted(names) and len(set(names)) == len(names), storage.name


def test_compression_matches_the_specs_examples_and_round_trips():
    """[MS-OVBA] 3.2.1 and 3.2.3 exactly; 3.2.2 as the spec's corrected example."""
    assert compress(b"abcdefghijklmnopqrstuv.").hex(" ") == (
        "01 19 b0 00 61 62 63 64 65 66 67 68 00 69 6a 6b 6c 6d 6e 6f 70 00 71 72 73 74 75 76 2e"
    )
    assert compress(b"a" * 73).hex(" ") == "01 03 b0 02 61 45 00"
    normal = b"#aaabcdefaaaaghijaaaaaklaaamnopqaaaaaaaaaaaarstuvwxyzaaa"
    assert compress(normal).hex(" ") == (
        "01 2f b0 00 23 61 61 61 62 63 64 65 82 66 00 70 61 67 68 69 6a 01 38 08 61 6b 6c "
        "00 20 6d 6e 6f 70 06 71 02 70 04 00 72 73 74 75 76 10 77 78 79 7a 00 2c"
    )
    # Long runs late in a chunk (where a token holds at most 18 bytes), several chunks, and
    # bytes that do not compress.
    hard = (b"x" * 3000 + b" " * 200 + b"ab" * 900 + bytes(range(256)) * 20)[:20000]
    assert decompress_stream(bytearray(compress(hard))) == hard


# --- the Workload module and the ribbon ---------------------------------------------------


def test_every_button_has_a_sub_without_arguments_and_a_ribbon_callback(vba):
    subs = procedures(vba["Workload"])
    for button in BUTTONS:
        assert subs[button.sub] == "", button.sub
        assert subs[f"Ribbon_{button.sub}"] == "control As IRibbonControl"


def test_generated_modules_have_only_comments_between_procedures(vba):
    """VBA takes declarations (Const, Dim, Option) only before the first procedure: anything
    else between or after procedures stops the module compiling."""
    header = re.compile(r"(Public |Private )?(Sub|Function) \w+\(")
    for name in ("Workload", "xlwings_udfs"):
        lines = vba[name].split("\r\n")
        first = next(i for i, line in enumerate(lines) if header.match(line))
        inside = False
        for line in lines[first:]:
            if header.match(line):
                inside = True
            elif line in ("End Sub", "End Function"):
                inside = False
            elif not inside:
                assert not line.strip() or line.lstrip().startswith("'"), (name, line)


def test_no_public_procedure_name_is_declared_twice(vba):
    """A name in two modules is "ambiguous" to a ribbon callback or a formula. (One module
    may declare a name twice, in the branches of an #If, as xlwings.bas does.)"""
    seen: dict[str, str] = {}
    for module, code in vba.items():
        found = re.findall(r"^(?:Public )?(?:Sub|Function) (\w+)\(", code, re.MULTILINE)
        for name in {n.casefold() for n in found}:
            assert name not in seen, (name, module, seen.get(name))
            seen[name] = module


def test_every_ribbon_action_names_a_sub_in_the_vba(parts, vba):
    root = ET.fromstring(parts[xlsm_build.CUSTOM_UI_PART])
    assert root.tag == f"{UI_NS}customUI"
    tabs = root.findall(f"{UI_NS}ribbon/{UI_NS}tabs/{UI_NS}tab")
    assert [t.get("label") for t in tabs] == [RIBBON_TAB]
    groups = tabs[0].findall(f"{UI_NS}group")
    assert [g.get("label") for g in groups] == list(dict.fromkeys(b.group for b in BUTTONS))
    buttons = [b for g in groups for b in g.findall(f"{UI_NS}button")]
    assert [b.get("id") for b in buttons] == [b.sub for b in BUTTONS]
    declared = all_procedures(vba)
    for element, button in zip(buttons, BUTTONS, strict=True):
        action = element.get("onAction")
        assert action in declared, action
        assert declared[action] == "control As IRibbonControl"
        assert (element.get("label"), element.get("imageMso")) == (button.label, button.image)
        assert (element.get("size"), element.get("supertip")) == ("large", button.tip)


def _vba_string_expression(expression: str, stand_in: str) -> str:
    """The Python text a VBA string expression gives: literals joined by &, with `stand_in`
    for every part that is not a literal (a path the user chose)."""
    parts = re.findall(r'"((?:[^"]|"")*)"|([^&"\s][^&"]*)', expression)
    return "".join(
        literal.replace('""', '"') if literal or not other else stand_in for literal, other in parts
    )


def run_python_calls(code: str, stand_in: str) -> list[str]:
    return [
        _vba_string_expression(m[1], stand_in)
        for m in re.finditer(r"^\s*RunPython (.+)$", code, flags=re.MULTILINE)
    ]


def test_every_run_python_is_python_that_calls_an_entry_point_that_exists(vba):
    entry = importlib.import_module(ENTRY_MODULE)
    stand_in = xlsm_vba.python_text("C:\\Users\\Jo O'Neil\\100% caseload & more.csv")
    calls = run_python_calls(vba["Workload"], stand_in)
    assert len(calls) == len(BUTTONS)
    called = []
    for text in calls:
        tree = ast.parse(text)
        imports, expression = tree.body
        assert isinstance(imports, ast.Import)
        [alias] = imports.names
        assert importlib.util.find_spec(alias.name) is not None
        assert alias.name == ENTRY_MODULE
        call = expression.value
        assert isinstance(call, ast.Call) and call.func.value.id == alias.asname
        function = getattr(entry, call.func.attr)
        keywords = {k.arg: ast.literal_eval(k.value) for k in call.keywords}
        # The call as Python will make it must fit the entry point's own signature.
        inspect.signature(function, follow_wrapped=False).bind(*call.args, **keywords)
        called.append((call.func.attr, sorted(keywords)))
    expected = [(b.entry, ["path"] if b.asks else []) for b in BUTTONS]
    assert sorted(called) == sorted(expected)


def test_file_and_folder_buttons_ask_with_the_right_dialog(vba):
    code = vba["Workload"]
    for button in BUTTONS:
        body = re.search(rf"Sub {button.sub}\(\)\r?\n(.*?)End Sub", code, re.DOTALL)[1]
        dialogs = re.findall(r"msoFileDialog\w+", body)
        expected = {"file": ["msoFileDialogFilePicker"], "folder": ["msoFileDialogFolderPicker"]}
        assert dialogs == expected.get(button.asks, []), button.sub
        if button.asks:
            assert 'If chosen = "" Then Exit Sub' in body  # cancel does nothing


def test_the_vba_path_escape_is_the_one_python_mirrors(vba):
    constant = re.search(r'SAFE_CHARACTERS As String = "([^"]*)"', vba["Workload"])[1]
    assert constant == xlsm_vba.SAFE_CHARACTERS


@pytest.mark.parametrize(
    "path",
    [
        "C:\\Users\\Jo O'Neil\\Case load (March) 100% & more!\\",
        "\\\\server\\share\\$team\\report`s ^ | <x> ;.csv",
        "/Users/jo/Documents/Équipe Nord/caseload.csv",
        "C:\\",
    ],
)
def test_a_path_survives_the_shell_as_runpython_passes_it(path):
    """The escaped path holds nothing cmd.exe or sh would act on, and Python reads it back
    exactly through sh as xlwings' Mac runner quotes the command (cmd.exe is not here)."""
    text = xlsm_vba.python_text(path)
    assert ast.literal_eval(text) == path
    assert not set(text[1:-1]) & set("\"'%&|<>^$`!;*?")
    assert all(text[i + 1] == "x" for i, c in enumerate(text) if c == "\\")
    command = f"import sys; sys.stdout.buffer.write({text}.encode())"
    done = subprocess.run(
        ["sh", "-c", f'"{sys.executable}" -B -c "{command} "'], capture_output=True, check=True
    )
    assert done.stdout.decode() == path


# --- the functions ------------------------------------------------------------------------


def test_every_function_has_a_wrapper_with_its_arguments(vba):
    code = vba["xlwings_udfs"]
    declared = procedures(code)
    assert len(declared) == len(UDFS)
    for function in UDFS:
        name = function.__name__.upper()
        parameters = inspect.signature(function).parameters.values()
        expected = ", ".join(
            ("Optional " if p.default is not p.empty else "") + p.name for p in parameters
        )
        assert declared[name] == expected, name
        array = f"Array({', '.join(p.name for p in parameters)})"
        call = f'XLPy.CallUDF("{UDF_MODULE}", "{function.__name__}", {array}'
        assert f"{name} = {call}, ThisWorkbook, Application.Caller)" in code
        assert f"{name} = {call})" in code
        assert f"{name} = Err.Description" in code


def test_wrappers_call_what_the_standalone_xlwings_module_defines(vba):
    """XLPy, not Py: the stand-alone module's name for its Python object."""
    assert "XLPy" in procedures(vba["xlwings"])
    assert "Py.CallUDF" not in vba["xlwings_udfs"].replace("XLPy.CallUDF", "")
    assert '#Const App = "Microsoft Excel"' in vba["xlwings_udfs"]


# --- the workbook and its package ---------------------------------------------------------


def test_content_types_and_relationships_for_macros_and_the_ribbon(parts, kind):
    types = ET.fromstring(parts["[Content_Types].xml"])
    defaults = {d.get("Extension"): d.get("ContentType") for d in types.iter(f"{CT_NS}Default")}
    overrides = {o.get("PartName"): o.get("ContentType") for o in types.iter(f"{CT_NS}Override")}
    assert defaults["bin"] == "application/vnd.ms-office.vbaProject"
    main = {"xlsm": "sheet", "xlam": "addin"}[kind]
    assert overrides["/xl/workbook.xml"] == f"application/vnd.ms-excel.{main}.macroEnabled.main+xml"
    assert defaults["xml"] == "application/xml"  # covers customUI14.xml

    def relationships(part: str) -> dict[str, str]:
        root = ET.fromstring(parts[part])
        found = [(r.get("Type"), r.get("Target"), r.get("Id")) for r in root]
        ids = [i for _, _, i in found]
        assert len(set(ids)) == len(ids), f"{part} repeats a relationship id"
        return {kind: target for kind, target, _ in found}

    package = relationships("_rels/.rels")
    ui = "http://schemas.microsoft.com/office/2007/relationships/ui/extensibility"
    assert package[ui] == "customUI/customUI14.xml" in parts
    workbook = relationships("xl/_rels/workbook.xml.rels")
    vba_kind = "http://schemas.microsoft.com/office/2006/relationships/vbaProject"
    assert workbook[vba_kind] == "vbaProject.bin" and "xl/vbaProject.bin" in parts
    names = list(parts)
    assert (names[0], names[-1]) == ("[Content_Types].xml", "customUI/customUI14.xml")


def test_sheet_code_names_have_their_document_modules(built, vba):
    wb = load_built(built)
    assert wb.code_name == "ThisWorkbook" and "ThisWorkbook" in vba
    for ws in wb.worksheets:
        assert ws.sheet_properties.codeName in vba, ws.title


def test_the_settings_sheet_is_the_one_xlwings_reads_and_names_no_interpreter(built, kind):
    """xlwings reads the sheet named PROJECT_NAME & ".conf" (its GetConfigFromSheet), keys in
    capitals; a row there overrides the user's settings file, so no row names a Python. The
    add-in also keeps the active workbook's folder off Python's path."""
    code = _macros(built)["xlwings"]
    assert 'Set sht = wb.Sheets(PROJECT_NAME & ".conf")' in code
    assert "d.Add UCase(cell.Value), cell.Offset(0, 1).Value" in code
    wb = load_built(built)
    sheet = f"{_project_name(code)}.conf"
    assert sheet in wb.sheetnames
    settings = {}
    for key, value in wb[sheet].iter_rows(min_col=1, max_col=2, values_only=True):
        if key is None:  # xlwings reads from A1 down to the first blank cell
            break
        settings[key.upper()] = value
    expected = {"UDF MODULES": UDF_MODULE}
    if kind == "xlam":
        expected["ADD_WORKBOOK_TO_PYTHONPATH"] = "false"
    assert settings == expected
    for key in settings:  # each key is one the module asks for, as it asks
        assert f'GetConfig("{key}"' in code, key


def test_start_here_explains_every_button_and_function(built):
    wb = load_built(built)
    assert wb.sheetnames[0] == xlsm_build.START_SHEET
    text = "\n".join(
        str(v) for row in wb[xlsm_build.START_SHEET].iter_rows(values_only=True) for v in row if v
    )
    for button in BUTTONS:
        assert button.label in text and button.tip in text and button.sub in text
    for function in UDFS:
        assert f"={function.__name__.upper()}(" in text
        assert " ".join(inspect.getdoc(function).split()) in text


def test_a_formula_cell_is_only_where_the_layout_declares_one(built, flavour):
    """The Start here sheet's signatures (=WL_POINTS(items, ...)) are text to read: every cell
    of the file that holds a formula, read from its XML, is a Measurement sheet total or a
    calculated column of its WorkItems table, with the formula the layout gives it."""
    declared: dict[tuple[str, str], str] = {}
    wb = load_built(built)
    for ws in wb.worksheets:
        for table in ws.tables.values():
            if not layout.is_measurement_table(table.displayName):
                continue
            min_col, min_row, _, max_row = range_boundaries(table.ref)
            letters = {c.key: get_column_letter(min_col + i) for i, c in enumerate(layout.COLUMNS)}
            for column in layout.COLUMNS:
                for row in range(min_row + 1, max_row + 1):
                    if column.formula:
                        declared[(ws.title, f"{letters[column.key]}{row}")] = layout.row_formula(
                            column, letters, row
                        )
            totals = layout.total_formulas(letters, min_row + 1, max_row)
            for total in layout.TOTAL_FIELDS:
                cell = ws.defined_names[total.name].attr_text.split("!")[1].replace("$", "")
                declared[(ws.title, cell)] = totals[total.key]
    assert bool(declared) == flavour.measurement_sheet
    titles = {f"xl/worksheets/sheet{n}.xml": ws.title for n, ws in enumerate(wb.worksheets, 1)}
    found: dict[tuple[str, str], str] = {}
    main = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
    with zipfile.ZipFile(built) as archive:
        for part, title in titles.items():
            for cell in ET.fromstring(archive.read(part)).iter(f"{main}c"):
                formula = cell.find(f"{main}f")
                if formula is not None:
                    found[(title, cell.get("r"))] = "=" + (formula.text or "")
    assert found == declared


def test_the_start_here_signatures_are_text_cells(built):
    ws = load_built(built)[xlsm_build.START_SHEET]
    calls = [c for row in ws.iter_rows() for c in row if str(c.value or "").startswith("=WL_")]
    assert [c.value for c in calls][:1] == ["=WL_POINTS(items, [quantities], [scheme])"]
    assert {c.data_type for c in calls} == {"s"}


# --- reproducible, and the committed copy is current ---------------------------------------


def test_two_builds_are_byte_identical(built, flavour):
    assert xlsm_build.build(flavour) == built.read_bytes()


def test_the_workbook_and_the_add_in_are_different_vba_projects():
    from workload_xl.addin.vba_project import project_id

    assert project_id(xlsm_build.XLSM_NAME) != project_id(xlsm_build.XLAM_NAME)


def _zip_parts(path: Path) -> list[tuple]:
    with zipfile.ZipFile(path) as archive:
        return [
            (
                i.filename,
                i.date_time,
                i.compress_type,
                i.create_system,
                i.external_attr,
                archive.read(i),
            )
            for i in archive.infolist()
        ]


def test_committed_workbook_is_what_the_builder_makes(built, flavour):
    """Every part, byte for byte, in the same order with the same zip attributes. The
    deflated bytes themselves are not compared: zlib builds may compress the same part
    differently, which changes nothing a reader sees."""
    committed = ROOT / flavour.file_name
    assert committed.is_file(), f"run: workload-xl build-xlsm -o {flavour.file_name}"
    assert _zip_parts(committed) == _zip_parts(built), (
        f"{flavour.file_name} is out of date: workload-xl build-xlsm -o {flavour.file_name} --force"
    )


# --- LibreOffice opens it -----------------------------------------------------------------


@pytest.mark.libreoffice
def test_libreoffice_opens_the_workbook_and_decodes_the_same_vba(built, flavour, tmp_path):
    """Converted to .ods, the workbook keeps the Start here text, and LibreOffice's own VBA
    import (Basic/VBAProject in the .ods) finds every module with its kind and its code."""
    soffice = require_soffice()
    source = tmp_path / "workload.xlsm"  # the add-in's parts, see as_workbook
    source.write_bytes(as_workbook(built))
    done = run_soffice([source], tmp_path / "out", "ods", soffice)
    converted = tmp_path / "out" / "workload.ods"
    assert converted.is_file(), done.stderr
    with zipfile.ZipFile(converted) as ods:
        content = ods.read("content.xml").decode("utf-8")
        assert f'table:name="{xlsm_build.START_SHEET}"' in content
        for button in BUTTONS:
            assert button.label in content
        kinds = {"module": "normal", "class": "class", "document": "document"}
        script = "{http://openoffice.org/2000/script}"
        for module in xlsm_build.vba_modules(flavour=flavour):
            root = ET.fromstring(ods.read(f"Basic/VBAProject/{module.name}.xml"))
            assert root.get(f"{script}moduleType") == kinds[module.kind], module.name
            theirs = [
                line
                for line in root.text.split("\n")
                if not line.startswith(("Rem Attribute VBA_ModuleType", "Option VBASupport"))
                and line != "Option ClassModule"
            ]
            ours = [
                line for line in module.source.split("\r\n") if not line.startswith("Attribute ")
            ]
            assert "\n".join(theirs).rstrip("\n") == "\n".join(ours).rstrip("\n"), module.name


def test_cli_builds_and_refuses_to_overwrite(tmp_path):
    from click.testing import CliRunner

    from workload_xl.cli import main

    out = tmp_path / "addin.xlsm"
    first = CliRunner().invoke(main, ["build-xlsm", "-o", str(out)])
    assert first.exit_code == 0, first.output
    assert "Next: open it in Excel and enable macros" in " ".join(first.output.split())
    again = CliRunner().invoke(main, ["build-xlsm", "-o", str(out)])
    assert again.exit_code == 1 and "--force" in again.output
    forced = CliRunner().invoke(main, ["build-xlsm", "-o", str(out), "--force"])
    assert forced.exit_code == 0
    wrong = CliRunner().invoke(main, ["build-xlsm", "-o", str(tmp_path / "addin.xlsx")])
    assert wrong.exit_code == 2 and not (tmp_path / "addin.xlsx").exists()
    assert zipfile.is_zipfile(out)
    addin = tmp_path / "workload.xlam"
    done = CliRunner().invoke(main, ["build-xlsm", "-o", str(addin)])
    assert done.exit_code == 0, done.output
    assert "Next: workload-xl addin install copies it" in " ".join(done.output.split())
    assert addin.read_bytes() == xlsm_build.build_xlam()
    assert out.read_bytes() == xlsm_build.build_xlsm()


def test_every_formula_in_the_workbook_saves_its_result(built, flavour):
    """The Measurement sheet's totals and calculated columns carry Python's figure as their
    saved result, so a reader that does not recalculate sees what Excel shows."""
    wb = load_built(built)
    titles = {f"xl/worksheets/sheet{n}.xml": ws.title for n, ws in enumerate(wb.worksheets, 1)}
    main = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
    without = []
    formulas = 0
    with zipfile.ZipFile(built) as archive:
        for part, title in titles.items():
            for cell in ET.fromstring(archive.read(part)).iter(f"{main}c"):
                if cell.find(f"{main}f") is None:
                    continue
                formulas += 1
                value = cell.find(f"{main}v")
                saved_text = cell.get("t") in ("str", "inlineStr")  # "" is a result too
                if value is None or (value.text is None and not saved_text):
                    without.append((title, cell.get("r")))
    assert bool(formulas) == flavour.measurement_sheet
    assert without == []
