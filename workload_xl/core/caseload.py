"""Mapping a case management system's caseload report onto a scheme's items (core layer).

Managers start a measurement sheet from the caseload report, not from a blank page. The
report's columns and case types vary by system, so the scheme file says how to read them; a
case type it does not know is left blank on the sheet and reported, never guessed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from workload_xl.core.cells import address
from workload_xl.core.findings import Finding
from workload_xl.core.rules import finding
from workload_xl.core.schemes import Scheme
from workload_xl.core.values import clean_text


@dataclass
class CaseloadTable:
    """A caseload report as read from CSV or XLSX: headings and rows of text."""

    source: str
    sheet: str
    headings: list[str]
    rows: list[list[str]]
    first_data_row: int = 2


@dataclass
class CaseloadImport:
    lines: list[dict[str, Any]] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    unmapped: dict[str, int] = field(default_factory=dict)


def _find_column(headings: list[str], candidates: tuple[str, ...]) -> int | None:
    folded = [clean_text(h).casefold() for h in headings]
    for name in candidates:
        key = clean_text(name).casefold()
        if key in folded:
            return folded.index(key)
    return None


def map_caseload(table: CaseloadTable, scheme: Scheme, worker: str) -> CaseloadImport:
    result = CaseloadImport()
    mapping = scheme.caseload
    where = {"workbook": table.source, "sheet": table.sheet}

    def add(rule: str, message: str, **extra: Any) -> None:
        result.findings.append(finding(rule, message, **where, **extra))

    ref_col = _find_column(table.headings, mapping.reference_columns)
    type_col = _find_column(table.headings, mapping.type_columns)
    name_col = _find_column(table.headings, mapping.name_columns)
    worker_col = _find_column(table.headings, mapping.worker_columns)
    for column, what, names in (
        (ref_col, "case reference", mapping.reference_columns),
        (type_col, "case type", mapping.type_columns),
    ):
        if column is None:
            add(
                "caseload-column-missing",
                f"The report has no {what} column. The scheme "
                f"'{scheme.id}' looks for a column headed one of: {', '.join(names)}. "
                f"Rename the column in the report, or add its heading to the scheme file.",
                field=what,
            )
    if ref_col is None or type_col is None:
        return result

    seen: dict[str, int] = {}
    for offset, row in enumerate(table.rows):
        row_number = table.first_data_row + offset
        cells = row + [""] * (len(table.headings) - len(row))
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
        if reference:  # a row without one is imported; validation then asks for it
            seen[reference.casefold()] = row_number
        code = mapping.case_types.get(case_type.casefold())
        item = scheme.item_by_code(code) if code else scheme.find_item(case_type)
        if item is None or not item.is_case:
            result.unmapped[case_type] = result.unmapped.get(case_type, 0) + 1
            add(
                "caseload-type-unmapped",
                f"Case type '{case_type}' (case {reference}) matches "
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
