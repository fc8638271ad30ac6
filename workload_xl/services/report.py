"""report: the returns store in, the trend report (teams over time, XmR charts, what needs a
look) written (service layer).

One pipeline under the command and the demo: store, pseudonymise, build, write.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from workload_xl.core.completeness import INCOMPLETE_BELOW
from workload_xl.core.findings import Finding
from workload_xl.core.period import PeriodError, typed_period
from workload_xl.core.recalculation import RecalculationError
from workload_xl.core.spc import SpcSettings
from workload_xl.core.trends import TrendReport, build_trend_report
from workload_xl.services.options import OptionError
from workload_xl.services.store import open_store


@dataclass(frozen=True)
class ReportRun:
    """The trend report built from the store, and what stopped its writing."""

    output: Path
    report: TrendReport
    problems: list[Finding] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        """No returns in the store match: nothing was written."""
        return not self.report.services

    @property
    def written(self) -> bool:
        return not self.empty and not self.problems

    @property
    def exit_code(self) -> int:
        """0 written, 1 nothing to report or not written."""
        return 0 if self.written else 1


def trend_report(
    store_path: Path,
    output: Path,
    *,
    service: str | None = None,
    first: str | None = None,
    last: str | None = None,
    settings: SpcSettings | None = None,
    recalculate_at: Sequence[str] = (),
    incomplete_below: float = INCOMPLETE_BELOW,
    pseudonymiser=None,
    force: bool = False,
) -> ReportRun:
    """Read every worker-period from the store (names replaced by pseudonyms with a
    `pseudonymiser`), build the report and write it, unless nothing matches. A
    `recalculate_at` value that names no team or no period is an OptionError."""
    from workload_xl.files.report_workbook import write_report

    _check_range(first, last)
    with open_store(store_path) as store:
        if pseudonymiser is not None:
            _same_key(store, pseudonymiser.fingerprint)
        rows = store.worker_periods()
        teams = store.team_periods()  # a co-worked case once, as the team sheet counts it
    if pseudonymiser is not None:
        rows = pseudonymiser.rows(rows)
    try:
        report = build_trend_report(
            rows,
            service=service,
            first=first,
            last=last,
            settings=settings,
            recalculate_at=recalculate_at,
            incomplete_below=incomplete_below,
            team_points={(t.service, t.team, t.period): t.total_points for t in teams},
        )
    except RecalculationError as problem:
        raise OptionError(str(problem), param_hint="--recalculate-at") from None
    if not report.services:
        return ReportRun(output, report)
    return ReportRun(output, report, write_report(output, report, force=force))


def _check_range(first: str | None, last: str | None) -> None:
    """--from after --to, both periods of one kind, would match no period: an OptionError
    saying so, where the store's "no returns match" would leave the user looking for
    returns that are there. (A month and a 4-week period are not compared: each service is
    reported in its own kind of period.)"""
    if not (first and last):
        return
    try:
        lo, hi = typed_period(first), typed_period(last)
    except PeriodError:
        return  # the options' own check says what is wrong with either
    if lo.kind == hi.kind and lo > hi:
        raise OptionError(
            f"{lo} is after --to {hi}, so no period is between them. Give the earlier "
            f"period to --from: --from {hi} --to {lo}.",
            "--from",
        )


def _same_key(store, fingerprint: str) -> None:
    """Refused (store-people-mismatch) when --pseudonymise gives a key other than the one the
    store's pseudonyms were made with: the report would show the store's pseudonyms, not the
    key's, and the user would take them for the key's. A store of names is pseudonymised as
    it is read; one of this key's pseudonyms is shown as it is."""
    from workload_xl.core.findings import Refused
    from workload_xl.core.rules import finding
    from workload_xl.store.database import PSEUDONYMS

    held, key = store.people()
    if held == PSEUDONYMS and key and key != fingerprint:
        raise Refused(
            finding(
                "store-people-mismatch",
                f"{store.path} holds pseudonyms made with another key (fingerprint {key}; "
                f"this key's is {fingerprint}), so this key would not give the pseudonyms the "
                "report shows. Give the key file the store was made with, or leave out "
                "--pseudonymise: the store's pseudonyms are shown as they are.",
                workbook=str(store.path),
            )
        )
