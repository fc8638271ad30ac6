"""The one finding type every check returns, and the report that gathers them (core layer).

Findings are data, not exceptions: validation collects every problem in one pass so a manager
fixes a sheet in one sitting. The same record is rendered as highlighted cells in Excel, as a
table or JSON on the command line, and as a flat list in tests.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, field, replace
from enum import StrEnum
from typing import Any

from workload_xl.core.cells import column_number


class Severity(StrEnum):
    """How much a finding matters: errors block a sheet, warnings and info inform."""

    ERROR = "error"
    WARNING = "warning"
    INFO = "info"


SEVERITY_ORDER = {Severity.ERROR: 0, Severity.WARNING: 1, Severity.INFO: 2}


@dataclass(frozen=True, slots=True)
class Finding:
    """One problem (or observation) at one place.

    `cell` is always an address such as "H17" (never the value: that is `value`), so every
    renderer can point the user at the spot to fix.
    """

    rule: str
    severity: Severity
    message: str
    workbook: str = ""
    sheet: str = ""
    cell: str = ""
    field: str = ""
    value: Any = None

    @property
    def location(self) -> str:
        """Where to look, in the words a spreadsheet user uses."""
        parts = [self.workbook or "(no file)"]
        if self.sheet:
            parts.append(f"sheet '{self.sheet}'")
        if self.cell:
            parts.append(f"cell {self.cell}")
        return ", ".join(parts)

    def __str__(self) -> str:
        return f"{self.severity.upper()} [{self.rule}] {self.location}: {self.message}"

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["severity"] = str(self.severity)
        data["value"] = json_safe(self.value)
        return data

    def flat(self) -> tuple[str, str, str]:
        """(cell, field, rule): the compact shape tests compare against literal lists."""
        return (self.cell, self.field, self.rule)


class Refused(Exception):
    """Work that cannot go on, with the findings that say why: the one exception that carries
    findings, so every caller (CLI, add-in, demo) turns it back into findings the same way
    instead of knowing a type per module."""

    def __init__(self, findings: Finding | Iterable[Finding]) -> None:
        self.findings = (findings,) if isinstance(findings, Finding) else tuple(findings)
        super().__init__(" ".join(f.message for f in self.findings))


def located(
    findings: Iterable[Finding],
    *,
    workbook: str | None = None,
    sheet: str | None = None,
    cells: Mapping[str, str] | None = None,
) -> list[Finding]:
    """Findings placed where they belong, after the fact: the one way to stamp a location on
    findings a check made without knowing it (the CAPA checks know fields, not cells; the
    store knows its refusal, not the path it was given as). Each part given replaces the
    finding's own; `cells` maps a finding's field to its cell, and a field it lacks gets none.
    """
    where: dict[str, str] = {}
    if workbook is not None:
        where["workbook"] = workbook
    if sheet is not None:
        where["sheet"] = sheet
    if cells is None:
        return [replace(f, **where) for f in findings]
    return [replace(f, **where, cell=cells.get(f.field, "")) for f in findings]


def json_safe(value: Any) -> Any:
    """Values found in cells, made safe for JSON without losing what the user typed."""
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, float):
        return (
            value if value == value and value not in (float("inf"), float("-inf")) else str(value)
        )
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, list | tuple):  # a worker's flags: a JSON list, not its Python text
        return [json_safe(item) for item in value]
    return str(value)


@dataclass
class Report:
    """Every finding from one run, plus what was looked at, so 'no findings' is provable."""

    findings: list[Finding] = field(default_factory=list)
    files: list[str] = field(default_factory=list)

    def extend(self, findings: list[Finding]) -> None:
        self.findings.extend(findings)

    @property
    def counts(self) -> dict[str, int]:
        counted = Counter(str(f.severity) for f in self.findings)
        return {str(s): counted.get(str(s), 0) for s in Severity}

    @property
    def has_errors(self) -> bool:
        return any(f.severity is Severity.ERROR for f in self.findings)

    def sorted(self) -> list[Finding]:
        """Findings in reading order: file, then sheet, then row and column of the cell."""
        return sorted(self.findings, key=_reading_order)

    def to_dict(self) -> dict[str, Any]:
        return {
            "files": list(self.files),
            "counts": self.counts,
            "findings": [f.to_dict() for f in self.sorted()],
        }


def _reading_order(finding: Finding) -> tuple:
    letters = "".join(ch for ch in finding.cell if ch.isalpha())
    digits = "".join(ch for ch in finding.cell if ch.isdigit())
    column = column_number(letters)
    return (
        finding.workbook,
        finding.sheet,
        int(digits) if digits else 0,
        column,
        SEVERITY_ORDER[finding.severity],
        finding.rule,
    )
