"""The Python API the CLI and the Excel add-in share: files in, findings and results out.

Thin glue: the files edge reads, the core judges. Exceptions never escape for bad input; they
become findings naming the file.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from .findings import Report
from .measurement import Measurement
from .schemes import SchemeRegistry
from .validation import validate_sheet
from .worker_reader import read_workbook

WORKBOOK_SUFFIXES = (".xlsx", ".xlsm")


@dataclass
class ValidationRun:
    report: Report
    measurements: list[Measurement] = field(default_factory=list)
    unreadable: list[str] = field(default_factory=list)

    @property
    def exit_code(self) -> int:
        """0 clean or warnings only, 1 errors in a sheet, 2 a file could not be read at all."""
        if self.unreadable:
            return 2
        return 1 if self.report.has_errors else 0


def expand_inputs(inputs: Iterable[Path]) -> list[Path]:
    """Files as given, and the workbooks inside any folder given (Excel's lock files skipped).

    A folder with no workbooks in it stays in the list, so the reader reports it instead of a
    run that silently checks nothing.
    """
    paths: list[Path] = []
    for item in inputs:
        item = Path(item)
        found = []
        if item.is_dir():
            found = [
                p for p in sorted(item.rglob("*"))
                if p.suffix.lower() in WORKBOOK_SUFFIXES and not p.name.startswith("~$")
            ]  # fmt: skip
        paths.extend(found or [item])
    return paths


def validate_files(
    inputs: Iterable[Path],
    registry: SchemeRegistry | None = None,
    scheme_id: str | None = None,
) -> ValidationRun:
    registry = registry or SchemeRegistry.from_dir()
    run = ValidationRun(Report())
    for path in expand_inputs(inputs):
        run.report.files.append(str(path))
        read = read_workbook(path)
        run.report.extend(read.findings)
        if read.unreadable:
            run.unreadable.append(str(path))
        for sheet in read.sheets:
            result = validate_sheet(sheet, registry, scheme_id)
            run.report.extend(result.findings)
            run.measurements.append(result.measurement)
    return run
