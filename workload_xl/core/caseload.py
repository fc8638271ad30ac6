"""Mapping a case management system's caseload report onto a scheme's items (core layer).

Managers start a measurement sheet from the caseload report, not from a blank page. The
report's columns and case types vary by system, so the scheme file says how to read them; a
case type it does not know is left blank on the sheet and reported, never guessed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import PurePath
from typing import Any

from workload_xl.core.cells import address
from workload_xl.core.findings import Finding
from workload_xl.core.rules import finding
from workload_xl.core.schemes import CaseloadMapping, Scheme, report_key
from workload_xl.core.values import clean_text

MAX_TITLE_ROWS = 30
"""How far down the headings are looked for: case systems put a title, the date it was run,
the filters chosen and a blank line above them; thirty rows leaves room for a long list."""


@dataclass(frozen=True)
class CaseloadTable:
    """A caseload report as read from CSV or XLSX: its rows of text as they are in the file,
    title lines and headings included (the scheme's column names say which row holds the
    headings); `first_row` is the number rows[0] has in Excel."""

    source: str
    sheet: str
    rows: list[list[str]]
    first_row: int = 1


@dataclass
class CaseloadImport:
    lines: list[dict[str, Any]] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    unmapped: dict[str, int] = field(default_factory=dict)
    header_row: int | None = None
    """The row the headings were read from, as Excel numbers it (None: the report is empty)."""


def _find_column(headings: list[str], candidates: tuple[str, ...]) -> int | None:
    folded = [report_key(h) for h in headings]
    for name in candidates:
        key = report_key(name)
        if key and key in folded:
            return folded.index(key)
    return None


def _header_index(rows: list[list[str]], mapping: CaseloadMapping) -> int | None:
    """The row holding the headings: the first with both the columns the import needs (a case
    reference and a case type), within the first rows; else the one naming most of the
    scheme's columns (so a report lacking one is told which); else the first non-blank row."""
    needed = (mapping.reference_columns, mapping.type_columns)
    known = (*needed, mapping.name_columns, mapping.worker_columns)
    best, most = None, 0
    for index, row in enumerate(rows[: MAX_TITLE_ROWS + 1]):
        named = [_find_column(row, names) is not None for names in known]
        if all(named[: len(needed)]):
            return index
        if sum(named) > most:
            best, most = index, sum(named)
    if best is not None:
        return best
    return next((i for i, row in enumerate(rows) if any(clean_text(c) for c in row)), None)


def _headings_shown(headings: list[str], limit: int = 8) -> str:
    shown = [f"'{clean_text(h)}'" for h in headings if clean_text(h)]
    more = f" and {len(shown) - limit} more" if len(shown) > limit else ""
    return ", ".join(shown[:limit]) + more


def map_caseload(table: CaseloadTable, scheme: Scheme, worker: str) -> CaseloadImport:
    """The worker's cases in the report, each with the scheme item its case type maps to
    (blank and reported when none does), and a finding for each row the import could not take
    as it is. Rows are numbered as in the report, so each finding points at its cell."""
    result = CaseloadImport()
    mapping = scheme.caseload
    where = {"workbook": table.source, "sheet": table.sheet}
    report = PurePath(table.source).name + (f" (sheet '{table.sheet}')" if table.sheet else "")

    def add(rule: str, message: str, **extra: Any) -> None:
        result.findings.append(finding(rule, message, **where, **extra))

    top = _header_index(table.rows, mapping)
    headings = table.rows[top] if top is not None else []
    header_row = table.first_row + (top or 0)
    result.header_row = header_row if top is not None else None
    skipped = sum(1 for row in table.rows[: top or 0] if any(clean_text(c) for c in row))
    if skipped:
        add(
            "caseload-title-rows",
            f"The headings of {report} are read from row {header_row} "
            f"({_headings_shown(headings)}); the {skipped} line(s) above them are taken as the "
            "report's title and not imported.",
            cell=address(header_row, 1),
        )
    ref_col = _find_column(headings, mapping.reference_columns)
    type_col = _find_column(headings, mapping.type_columns)
    name_col = _find_column(headings, mapping.name_columns)
    worker_col = _find_column(headings, mapping.worker_columns)
    read_from = (
        f" (the headings are read from row {header_row}: {_headings_shown(headings)})"
        if headings
        else " (it is empty)"
    )
    for column, what, names in (
        (ref_col, "case reference", mapping.reference_columns),
        (type_col, "case type", mapping.type_columns),
    ):
        if column is None:
            add(
                "caseload-column-missing",
                f"The report has no {what} column{read_from}. The scheme "
                f"'{scheme.id}' looks for a column headed one of: {', '.join(names)}. "
                f"Rename the column in the report, or add its heading to the scheme file.",
                field=what,
            )
    if ref_col is None or type_col is None:
        return result

    seen: dict[str, int] = {}
    for offset, row in enumerate(table.rows[top + 1 :]):
        row_number = header_row + 1 + offset
        cells = row + [""] * (len(headings) - len(row))
        if worker_col is not None and clean_text(cells[worker_col]).casefold() != (
            clean_text(worker).casefold()
        ):
            continue
        reference = clean_text(cells[ref_col])
        case_type = clean_text(cells[type_col])
        if not reference and not case_type:
            continue
        ref_cell = address(row_number, ref_col + 1)
        if reference and reference.casefold() in seen:
            add(
                "caseload-ref-duplicate",
                f"Case {reference} is listed again on row {row_number}"
                f" (first on row {seen[reference.casefold()]}); it is imported once.",
                cell=ref_cell,
                field="case reference",
                value=reference,
            )
            continue
        if reference:
            seen[reference.casefold()] = row_number
        else:  # imported, so the case still counts; the sheet asks for its reference
            add(
                "caseload-ref-missing",
                f"Row {row_number} of {report} has no case reference (case type "
                f"'{case_type}'). It is imported with the reference blank, so the case still "
                "counts on the sheet: fill in its reference from the case system before the "
                "points are agreed (validate reports the blank until then).",
                cell=ref_cell,
                field="case reference",
            )
        code = mapping.code_for(case_type)
        item = scheme.item_by_code(code) if code else scheme.find_item(case_type)
        if item is None or not item.is_case:
            result.unmapped[case_type] = result.unmapped.get(case_type, 0) + 1
            which = f"case {reference}" if reference else f"row {row_number}"
            add(
                "caseload-type-unmapped",
                f"Case type '{case_type}' ({which}) matches "
                f"no case item of '{scheme.id}'. Its row is imported with the item blank: pick "
                "the item on the sheet, or add the type to [caseload.case_types] in the scheme.",
                cell=address(row_number, type_col + 1),
                field="case type",
                value=case_type,
            )
        result.lines.append(
            {
                "case_ref": reference,
                "case_name": clean_text(cells[name_col]) if name_col is not None else None,
                "item": item.label if item is not None and item.is_case else None,
            }
        )
    if not result.lines:
        whose = f" for {worker}" if worker_col is not None else ""
        add(
            "caseload-no-cases",
            f"The report lists no cases{whose}. Check the worker's name is "
            "spelt as in the report, and that the right report was exported.",
            value=worker,
        )
    return result
