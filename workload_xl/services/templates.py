"""template worker / team / jobplan and build-xlsm: blank workbooks and the add-in, written
(service layer).

The add-in builder (workload_xl.addin) needs the `addin` extra (ms-ovba); it is imported only
when build_addin runs, so no other command sits on the VBA compiler.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from workload_xl.core.findings import Finding
from workload_xl.core.schemes import Scheme


@dataclass(frozen=True)
class WorkbookWritten:
    """A workbook written, or what stopped it (nothing is written then)."""

    path: Path
    problems: list[Finding] = field(default_factory=list)

    @property
    def exit_code(self) -> int:
        return 1 if self.problems else 0


def worker_template(
    output: Path, scheme: Scheme, *, rows: int = 40, force: bool = False
) -> WorkbookWritten:
    """A worker measurement workbook for the scheme: one worker, one period, `rows` rows."""
    from workload_xl.files.worker_template import write_worker_workbook

    return WorkbookWritten(output, write_worker_workbook(output, scheme, rows=rows, force=force))


def team_template(output: Path, *, force: bool = False) -> WorkbookWritten:
    """A blank team workbook (build-team fills one from worker sheets)."""
    from workload_xl.files.team_workbook import write_team_workbook

    return WorkbookWritten(output, write_team_workbook(output, None, force=force))


def jobplan_template(output: Path, *, force: bool = False) -> WorkbookWritten:
    """A blank CAPA job plan workbook for a CAMHS team."""
    from workload_xl.files.jobplan_workbook import write_jobplan_workbook

    return WorkbookWritten(output, write_jobplan_workbook(output, force=force))


@dataclass(frozen=True)
class AddinBuilt:
    """workload.xlsm (or workload.xlam) written, or what stopped it: `missing` names the
    builder's dependency that is not installed (the `addin` extra)."""

    path: Path
    problems: list[Finding] = field(default_factory=list)
    missing: str | None = None

    @property
    def exit_code(self) -> int:
        return 1 if self.problems or self.missing else 0


def build_addin(output: Path, *, force: bool = False) -> AddinBuilt:
    """Build the Excel workbook or, for an .xlam output, the add-in (the Workload ribbon tab,
    its macros, the functions)."""
    try:
        from workload_xl.addin.build import write_xlsm
    except ImportError as missing:  # ms-ovba, in the addin extra
        return AddinBuilt(output, missing=missing.name)
    return AddinBuilt(output, write_xlsm(output, force=force))
