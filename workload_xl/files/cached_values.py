"""Python's figure saved as the result of every formula the tool writes (files edge).

Excel recalculates a workbook when it opens it, but most readers never do: pandas (openpyxl and
calamine engines), python-calamine, Power Query, Outlook's and SharePoint's previews and an
analyst's script read the result saved in the file, and openpyxl saves none, so they read every
total and calculated column as blank. Each writer therefore says, cell by cell, what its
formula shows (`remember`), as Python computes it with the core (never by reading the formula
text), and `save` puts those results into the file after openpyxl has written it.

Why a step after openpyxl's save rather than moving the writers to xlsxwriter (which can write
a formula's result): the three writers use openpyxl's tables with calculated columns, sheet-
and book-scoped defined names, data validations, conditional formats, protection, charts,
comments and hyperlinks, and the demo and the add-in builder edit the openpyxl `Workbook` a
writer returns before it is saved; a rewrite of all that in another library,
with the committed templates kept as they are, is a far larger change than adding a value to
the cells openpyxl writes as `<c r="D7" s="3"><f>...</f><v /></c>`. The step touches nothing
else: every other part of the package is copied as it was (same names, order and dates), and
in a sheet only the empty `<v />` of a remembered formula cell is filled (with `t="str"`,
`t="b"` or `t="e"` for text, a yes/no or an error: the inline result types a formula cell
takes, so the shared strings are never touched). A cell typed over after it was remembered
(no longer a formula) keeps what was typed; a formula whose figure Python does not know (its
inputs would be refused) stays without a result, as before. The cost, measured on a worker
sheet of 30 cases: about 6 ms to work the figures out and 12 ms to rewrite the package, on
some 35 ms of openpyxl's building and saving; xlsxwriter's speed is left for another day.
"""

from __future__ import annotations

import io
import math
import re
import weakref
import zipfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

from openpyxl import Workbook
from openpyxl.worksheet.worksheet import Worksheet

from workload_xl.files.sheet_writer import PackageWriter, save_workbook
from workload_xl.files.style import cell_text


@dataclass(frozen=True)
class ErrorValue:
    """An error result, as Excel shows it ("#N/A", "#DIV/0!")."""

    text: str


_RESULTS: weakref.WeakKeyDictionary[Worksheet, dict[str, Any]] = weakref.WeakKeyDictionary()
"""Each sheet's remembered results by cell address, kept only while the sheet lives."""


def remember(ws: Worksheet, coordinate: str, value: Any) -> None:
    """The result the formula at `coordinate` shows: a number, text ("" for an empty text
    result), a bool, an ErrorValue, or None when Python does not know it (nothing saved)."""
    results = _RESULTS.setdefault(ws, {})
    if value is None:
        results.pop(coordinate, None)
    else:
        results[coordinate] = value


def remembered(ws: Worksheet) -> dict[str, Any]:
    """The results remembered for a sheet, by cell address (a copy)."""
    return dict(_RESULTS.get(ws, {}))


def save(wb: Workbook, path: Path) -> None:
    """`wb.save(path)` with the remembered results in the formula cells of the file (written
    by files.sheet_writer, the same bytes faster).

        openpyxl writes the package uncompressed into memory, the results go into its sheets,
        and each part is compressed once on its way to the file: saving the file and then
        unpacking and packing it again to fill the results cost the demo a second or two."""
    by_title = _by_title(wb)
    if not by_title:
        save_workbook(wb, path)
        return
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED, allowZip64=True) as archive:
        PackageWriter(wb, archive).save()  # what wb.save does, into an uncompressed package
    with zipfile.ZipFile(buffer) as archive:
        infos = archive.infolist()
        contents = _filled({info.filename: archive.read(info) for info in infos}, by_title)
    _write_package(Path(path), infos, contents)


def with_results(wb: Workbook, parts: Mapping[str, bytes]) -> dict[str, bytes]:
    """The parts of a package openpyxl saved from `wb` (part name -> bytes, in order), with
    the remembered results filled in: for a builder that assembles the package itself (the
    add-in's workbook.xlsm)."""
    return _filled(dict(parts), _by_title(wb))


def _by_title(wb: Workbook) -> dict[str, dict[str, Any]]:
    return {ws.title: _RESULTS[ws] for ws in wb.worksheets if _RESULTS.get(ws)}


def _write_package(path: Path, infos: list[zipfile.ZipInfo], contents: Mapping[str, bytes]) -> None:
    """The parts, in order, to `path`, each compressed (as openpyxl compresses them)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for info in infos:
            archive.writestr(info, contents[info.filename], compress_type=zipfile.ZIP_DEFLATED)
    path.write_bytes(buffer.getvalue())


def _filled(
    contents: dict[str, bytes], results: Mapping[str, Mapping[str, Any]]
) -> dict[str, bytes]:
    parts = _sheet_parts(contents)
    for title, values in results.items():
        part = parts.get(title)
        if part is None or part not in contents:
            raise ValueError(f"The saved workbook has no sheet {title!r}.")
        contents[part] = _fill(contents[part].decode("utf-8"), values).encode("utf-8")
    return contents


_SHEET = re.compile(r'<sheet\b[^>]*?\bname="([^"]*)"[^>]*?\br:id="([^"]*)"')
_RELATION = re.compile(r"<Relationship\b[^>]*>")
_ATTRIBUTE = re.compile(r'(\w+)="([^"]*)"')


def _sheet_parts(contents: Mapping[str, bytes]) -> dict[str, str]:
    """Sheet title -> its part's name in the package, from workbook.xml and its relations."""
    targets = {}
    for tag in _RELATION.findall(contents["xl/_rels/workbook.xml.rels"].decode("utf-8")):
        attributes = dict(_ATTRIBUTE.findall(tag))
        target = attributes.get("Target", "")
        targets[attributes.get("Id")] = (
            target.lstrip("/") if target.startswith("/") else f"xl/{target}"
        )
    workbook = contents["xl/workbook.xml"].decode("utf-8")
    return {
        _unescape(name): targets[rid] for name, rid in _SHEET.findall(workbook) if rid in targets
    }


def _unescape(text: str) -> str:
    for entity, char in (("&lt;", "<"), ("&gt;", ">"), ("&quot;", '"'), ("&apos;", "'")):
        text = text.replace(entity, char)
    return text.replace("&amp;", "&")


_FORMULA_CELL = re.compile(r'<c r="([A-Z]+[0-9]+)"([^>]*)>(<f>[^<]*</f>)<v(?:\s*/>|></v>)</c>')
"""A formula cell as openpyxl writes it, its result empty: `<v />`, or `<v></v>` when openpyxl
writes through lxml."""
_TYPE = re.compile(r'\st="[^"]*"')


def _fill(xml: str, values: Mapping[str, Any]) -> str:
    """A sheet's XML with each formula cell in `values` given its result."""

    def result(match: re.Match) -> str:
        coordinate, attributes, formula = match.groups()
        if coordinate not in values:
            return match[0]
        kind, text = _as_result(values[coordinate])
        if text is None:
            return match[0]
        attributes = _TYPE.sub("", attributes) + (f' t="{kind}"' if kind else "")
        return f'<c r="{coordinate}"{attributes}>{formula}<v>{text}</v></c>'

    return _FORMULA_CELL.sub(result, xml)


def _as_result(value: Any) -> tuple[str, str | None]:
    """(the cell's t attribute, or "" for a number; the <v> text, or None for no result)."""
    if isinstance(value, bool):
        return "b", "1" if value else "0"
    if isinstance(value, ErrorValue):
        return "e", escape(value.text)
    if isinstance(value, int):
        return "", str(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            return "", None
        return "", repr(value if value != 0 else 0.0).removesuffix(".0")
    if isinstance(value, str):
        return "str", escape(cell_text(value))
    raise TypeError(f"A formula's result cannot be {type(value).__name__}: {value!r}")
