"""The Python API the CLI and the Excel add-in share: files in, findings and results out.

Thin glue: the files edge reads, the core judges. Exceptions never escape for bad input; they
become findings naming the file.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from .findings import Report
from .inputs import expand_inputs
from .measurement import Measurement
from .schemes import SchemeRegistry
from .team import TeamBuild
from .validation import SheetResult, validate_sheet
from .worker_reader import read_workbook


@dataclass
class ValidationRun:
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
            run.sheets.append(result)
    return run


@dataclass
class TeamRun:
    """A team sheet built from files: the build, and whether the output was written."""

    build: TeamBuild
    written: bool
    unreadable: list[str] = field(default_factory=list)

    @property
    def exit_code(self) -> int:
        """0 written and no errors, 1 errors (or not written), 2 an input could not be read."""
        if self.unreadable:
            return 2
        return 1 if self.build.has_errors or not self.written else 0


def build_team_files(
    inputs: Iterable[Path],
    output: Path,
    *,
    registry: SchemeRegistry | None = None,
    period: str | None = None,
    history: Iterable[Path] = (),
    force: bool = False,
) -> TeamRun:
    """Validate every worker sheet in the inputs, roll them up and write the team workbook."""
    from .team import build_team
    from .team_reader import read_history
    from .team_workbook import write_team_workbook

    registry = registry or SchemeRegistry.from_dir()
    run = validate_files(inputs, registry)
    file_problems = [f for f in run.report.findings if f.workbook in run.unreadable]
    kind = _period_kind(run, registry)
    earlier, history_problems = read_history(list(history), kind) if history else ([], [])
    build = build_team(run.sheets, registry, output=str(output), period=period, history=earlier)
    build.findings[:0] = file_problems + history_problems
    if build.team is None:
        return TeamRun(build, False, run.unreadable)
    problems = write_team_workbook(output, build.team, build.findings, force=force)
    build.findings.extend(problems)
    return TeamRun(build, not problems, run.unreadable)


def _period_kind(run: ValidationRun, registry: SchemeRegistry) -> str:
    for sheet in run.sheets:
        scheme = registry.get(sheet.measurement.scheme_id or "")
        if scheme is not None:
            return scheme.period
    return "month"
