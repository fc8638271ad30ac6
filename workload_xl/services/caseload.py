"""import-caseload: a caseload report in, a worker measurement workbook started from it
(service layer)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from workload_xl.core.findings import Finding
from workload_xl.core.schemes import Scheme
from workload_xl.services.reading import read_bounded


@dataclass(frozen=True)
class CaseloadRun:
    """The cases imported and the workbook written; `read` False when the report could not
    be read at all."""

    output: Path
    worker: str
    read: bool
    lines: list[dict[str, Any]] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    """The import's findings, then any that stopped the writing."""
    written: bool = False
    header_row: int | None = None
    """The report's row the headings were read from (below any title lines)."""

    @property
    def matched(self) -> int:
        """Cases matched to a scheme item."""
        return sum(1 for line in self.lines if line["item"])

    @property
    def exit_code(self) -> int:
        """0 written, 1 nothing to import or not written, 2 the report cannot be read."""
        if not self.read:
            return 2
        return 0 if self.written else 1


def import_caseload(
    report: Path,
    scheme: Scheme,
    worker: str,
    output: Path,
    *,
    team: str | None = None,
    service: str | None = None,
    period: str | None = None,
    force: bool = False,
) -> CaseloadRun:
    """Read the report (CSV or XLSX), map the worker's cases to the scheme's items and write
    a measurement workbook with them (only when there is a case to write). Raises Refused,
    before reading anything, when the output is the report itself."""
    from workload_xl.services.options import output_clashes, refuse_clashes

    refuse_clashes(output_clashes([output], [("the caseload report", report)]))
    from workload_xl.core.caseload import map_caseload
    from workload_xl.files.caseload_reader import read_caseload
    from workload_xl.files.worker_template import WorkerSheetContent, write_worker_workbook

    table, problems = read_bounded(read_caseload, report)
    if table is None:
        return CaseloadRun(output, worker, False, findings=problems)
    imported = map_caseload(table, scheme, worker)
    header = {"worker": worker, "team": team, "service": service, "period": period}
    written = []
    if imported.lines:
        written = write_worker_workbook(
            output, scheme, WorkerSheetContent(header, imported.lines), force=force
        )
    return CaseloadRun(
        output,
        worker,
        True,
        imported.lines,
        imported.findings + written,
        written=bool(imported.lines) and not written,
        header_row=imported.header_row,
    )
