"""build-team: worker sheets in, the team sheet rolled up, flagged and written (service layer).

One pipeline under the command, the add-in's team buttons and the demo: the sheets may come
from files (`build_team_files`, `roll_up_files`) or already decoded from a live book
(`roll_up`), and all of them share the roll-up, the flags and the writing.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from workload_xl.core.findings import Finding, Report, json_safe
from workload_xl.core.schemes import SchemeRegistry
from workload_xl.core.team import TeamBuild, build_team
from workload_xl.core.validation import SheetResult
from workload_xl.services.validate import ValidationRun, validate_files


@dataclass(frozen=True)
class TeamRun:
    """A team sheet built from files: the build, and whether the output was written."""

    build: TeamBuild
    written: bool
    unreadable: list[str] = field(default_factory=list)
    inputs: tuple[str, ...] = ()
    output: str = ""

    @property
    def exit_code(self) -> int:
        """0 written and no errors, 1 errors (or not written), 2 an input could not be read."""
        if self.unreadable:
            return 2
        return 1 if self.build.has_errors or not self.written else 0

    def to_dict(self) -> dict[str, Any]:
        data = Report(self.build.findings, list(self.inputs)).to_dict()
        data["team"] = self.build.team and team_summary(self.build.team)
        data["written"] = self.output if self.written else None
        return data

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), indent=2, ensure_ascii=False)


def team_summary(team) -> dict[str, Any]:
    """The team sheet's figures as plain JSON values (the JSON output's "team")."""
    return {
        "team": team.team,
        "service": team.service,
        "period": str(team.period),
        "scheme": team.scheme_id,
        "cases": team.case_count,
        "total_points": team.total_points,
        "total_fte": team.total_fte,
        "points_per_fte": team.points_per_fte,
        "mean_points_per_fte": team.mean_ppf,
        "median_points_per_fte": team.median_ppf,
        "median_load_against_expected": team.median_load,
        "spread": team.spread,
        "workers": [{k: json_safe(v) for k, v in vars(w).items()} for w in team.workers],
    }


def roll_up(
    sheets: Sequence[SheetResult],
    registry: SchemeRegistry,
    *,
    output: str,
    period: str | None = None,
    history: Sequence = (),
    early: Sequence[Finding] = (),
) -> TeamBuild:
    """The team sheet from validated worker sheets, however they were read; `early` are the
    findings of reading (files not read, history not usable), listed first."""
    build = build_team(sheets, registry, output=output, period=period, history=history)
    build.findings[:0] = list(early)
    return build


def roll_up_files(
    inputs: Iterable[Path],
    registry: SchemeRegistry,
    *,
    output: str,
    period: str | None = None,
    history: Iterable[Path] = (),
) -> tuple[TeamBuild, list[str]]:
    """The team sheet from worker workbooks (files or folders), and the files not read. A
    team workbook named among them is said (team-workbook-named), listed first."""
    from workload_xl.files.team_reader import read_history

    history = list(history)
    run = validate_files(inputs, registry, command="build-team")
    file_problems = [
        f
        for f in run.report.findings
        if f.workbook in run.unreadable or f.rule == "team-workbook-named"
    ]
    kind = _period_kind(run, registry)
    earlier, history_problems = read_history(history, kind) if history else ([], [])
    build = roll_up(
        run.sheets,
        registry,
        output=output,
        period=period,
        history=earlier,
        early=file_problems + history_problems,
    )
    return build, run.unreadable


def write_team(output: Path, build: TeamBuild, *, force: bool = False) -> list[Finding]:
    """Write the built team sheet as a team workbook; what stopped the writing, as findings."""
    from workload_xl.files.team_workbook import write_team_workbook

    assert build.team is not None
    return write_team_workbook(output, build.team, build.findings, force=force)


def build_team_files(
    inputs: Iterable[Path],
    output: Path,
    *,
    registry: SchemeRegistry | None = None,
    period: str | None = None,
    history: Iterable[Path] = (),
    force: bool = False,
) -> TeamRun:
    """Validate every worker sheet in the inputs, roll them up and write the team workbook.
    Raises Refused, before reading anything, when the output is one of the workbooks read."""
    from workload_xl.files.inputs import list_inputs
    from workload_xl.services.options import files_named, refuse_clashes, team_output_clashes

    inputs, history = list(inputs), list(history)
    listed = list_inputs(inputs)
    workbooks = listed.paths  # folders listed once
    refuse_clashes(team_output_clashes(output, workbooks, files_named(history)))
    registry = registry or SchemeRegistry.from_dir()
    build, unreadable = roll_up_files(  # inputs and history as given: folders walked there
        inputs, registry, output=str(output), period=period, history=history
    )
    named = tuple(str(p) for p in inputs)
    if build.team is None:
        build.findings.extend(listed.skipped)
        return TeamRun(build, False, unreadable, named, str(output))
    problems = write_team(output, build, force=force)
    build.findings.extend(problems + listed.skipped)  # said here, not on the Errors sheet
    return TeamRun(build, not problems, unreadable, named, str(output))


def _period_kind(run: ValidationRun, registry: SchemeRegistry) -> str:
    for sheet in run.sheets:
        scheme = registry.get(sheet.measurement.scheme_id or "")
        if scheme is not None:
            return scheme.period
    return "month"
