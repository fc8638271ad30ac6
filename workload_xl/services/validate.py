"""validate: measurement workbooks in, every finding and the validated sheets out (service
layer).

Thin glue: the files edge reads, the core judges. Exceptions never escape for bad input; they
become findings naming the file.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from workload_xl.core.findings import Finding, Report
from workload_xl.core.measurement import Measurement
from workload_xl.core.rules import finding
from workload_xl.core.schemes import SchemeRegistry
from workload_xl.core.validation import SheetResult, validate_sheet
from workload_xl.files import isolation
from workload_xl.files.inputs import list_inputs
from workload_xl.files.worker_reader import WorkbookRead, read_workbook


@dataclass(frozen=True)
class ValidationRun:
    """Every sheet of every file checked: the findings, the sheets and the files not read."""

    report: Report
    sheets: list[SheetResult] = field(default_factory=list)
    unreadable: list[str] = field(default_factory=list)

    @property
    def measurements(self) -> list[Measurement]:
        return [sheet.measurement for sheet in self.sheets]

    @property
    def exit_code(self) -> int:
        """0 clean or warnings only, 1 errors in a sheet, 2 a file could not be read at all."""
        if self.unreadable:
            return 2
        return 1 if self.report.has_errors else 0

    def to_dict(self) -> dict[str, Any]:
        return self.report.to_dict()

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), indent=2, ensure_ascii=False)


def validate_files(
    inputs: Iterable[Path],
    registry: SchemeRegistry | None = None,
    scheme_id: str | None = None,
    *,
    command: str = "validate",
) -> ValidationRun:
    """Check every measurement sheet in the inputs (files or folders of them).

    A team workbook found in a folder is skipped (team-workbook-given, info); one named on
    its own is said as a warning (team-workbook-named), naming what `command` takes instead."""
    registry = registry or SchemeRegistry.from_dir()
    run = ValidationRun(Report())
    listed = list_inputs(inputs)
    run.report.extend(listed.skipped)
    paths = listed.paths
    for path, read in isolation.read_each(read_workbook, paths, _not_read):
        run.report.files.append(str(path))
        if path not in listed.found_in and [f.rule for f in read.findings] == [TEAM_GIVEN]:
            run.report.extend([team_workbook_named(str(path), command)])
            continue
        run.report.extend(read.findings)
        if read.unreadable:
            run.unreadable.append(str(path))
        for sheet in read.sheets:
            result = validate_sheet(sheet, registry, scheme_id)
            run.report.extend(result.findings)
            run.sheets.append(result)
    return run


TEAM_GIVEN = "team-workbook-given"

INSTEAD = {
    "validate": (
        "so validate did not check it: validate checks the worker measurement workbooks a team "
        "workbook is built from. Give validate those worker workbooks (or the folder that "
        "holds them); what build-team found in them is listed on the team workbook's Errors "
        "sheet."
    ),
    "build-team": (
        "so build-team did not read it: build-team builds a team workbook from the worker "
        "measurement workbooks. Give build-team the team's worker workbooks (or the folder "
        "that holds them); to use this team workbook's figures for the persistent and trend "
        "flags, give it with --history."
    ),
}


def team_workbook_named(name: str, command: str) -> Finding:
    """A team workbook named on its own where worker sheets are read: said as what it is,
    and what to give `command` instead."""
    return finding(
        "team-workbook-named",
        f"{name} is a team workbook (built by build-team), not a worker measurement workbook, "
        + INSTEAD[command],
        workbook=name,
    )


def _not_read(_path: Path, problem) -> WorkbookRead:
    return WorkbookRead([], [problem])
