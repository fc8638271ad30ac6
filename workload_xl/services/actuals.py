"""capa actuals: an activity export and the job plan in, the "Plan and actual" workbook and
its signals out (service layer).

History is carried with --previous: the Plan and actual workbook an earlier run wrote. Its
months are kept and the export's months added, so the monthly series grows from one run to
the next; a month in both is taken from the export (the newer count) and said so. The output
may be the previous workbook itself (with --force), since it is read before it is replaced.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from workload_xl.core.findings import Finding, Refused, Severity
from workload_xl.core.rules import finding
from workload_xl.services.options import OptionError, misnamed_output, output_clashes
from workload_xl.services.reading import read_bounded


@dataclass(frozen=True)
class CapaActualsRun:
    """What `capa actuals` worked out: `actuals` (capa.actuals.PlanAndActual) and `signals`
    (capa.signals.Signals) None when an input could not be read or the job plan has errors
    (the findings say why); `written` the workbook written, if any."""

    findings: list[Finding] = field(default_factory=list)
    actuals: Any = None
    signals: Any = None
    export: Any = None
    written: Path | None = None
    from_history: tuple[str, ...] = ()
    """The months carried from the previous workbook."""
    unreadable: bool = False
    output: Path | None = None
    """The workbook asked for: not `written` when it could not be written."""
    held: str = ""
    """Why the signals are held back ("" when they are not): a job-plan clinician has no
    rows in the export, so the team's figures are missing a clinician."""

    @property
    def exit_code(self) -> int:
        """0 worked out (the findings may say some rows were not counted), 1 the job plan or
        the export has errors so nothing was worked out, 2 an input cannot be read or the
        workbook cannot be written."""
        if self.unreadable or (self.output is not None and self.written is None and self.actuals):
            return 2
        return 1 if self.actuals is None else 0

    def to_dict(self) -> dict[str, Any]:
        pa, export = self.actuals, self.export

        def line(ln) -> dict[str, Any]:
            def counts(c):
                return None if c is None else asdict(c)

            return {
                "period": ln.period,
                "who": ln.who,
                "months": ln.months,
                "planned": counts(ln.planned),
                "delivered": counts(ln.delivered),
                "gap": counts(ln.gap),
                "transfer_rate": ln.transfer_rate,
                "words": ln.words,
            }

        def waits(w) -> dict[str, Any]:
            return {**asdict(w), "share_within": w.share_within}

        return {
            "written": None if self.written is None else str(self.written),
            "export": None
            if export is None
            else {
                "source": export.source,
                "shape": export.shape,
                "header_row": export.header_row,
                "rows_read": export.rows_read,
                "months": list(export.months),
            },
            "months": [] if pa is None else list(pa.months),
            "months_from_history": list(self.from_history),
            "team_months": [] if pa is None else [line(x) for x in pa.team_months],
            "team_quarters": [] if pa is None else [line(x) for x in pa.team_quarters],
            "clinician_months": [] if pa is None else [line(x) for x in pa.clinician_months],
            "clinician_quarters": [] if pa is None else [line(x) for x in pa.clinician_quarters],
            "waits": [] if pa is None else [waits(w) for w in pa.waits],
            "summary": [] if pa is None else list(pa.summary),
            "signals": [] if self.signals is None else [asdict(s) for s in self.signals.signals],
            "signals_held": self.held or None,
            "patterns": [] if self.signals is None else list(self.signals.patterns),
            "findings": [f.to_dict() for f in self.findings],
        }

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), indent=2, ensure_ascii=False)


def capa_actuals(
    report: Path,
    jobplan: Path,
    output: Path | None = None,
    *,
    previous: Path | None = None,
    mapping: Path | None = None,
    force: bool = False,
    today: dt.date | None = None,
    made: dt.datetime | None = None,
) -> CapaActualsRun:
    """Read the job plan, the export (and the previous workbook), work out plan against
    actual and its signals, and write the workbook to `output` when given. An output named
    as another kind of file raises OptionError, one that would overwrite the export or the
    job plan Refused, before anything is read."""
    from workload_xl.core import capa as maths
    from workload_xl.core.capa.actuals import plan_and_actual, waits_of
    from workload_xl.core.capa.exports import load_activity_mapping
    from workload_xl.core.capa.signals import actuals_signals
    from workload_xl.files.activity_reader import read_activity
    from workload_xl.files.actuals_workbook import read_actuals_history, write_actuals_workbook
    from workload_xl.files.atomic import missing_folder
    from workload_xl.files.jobplan_workbook import read_jobplan_workbook

    if output is not None:
        wrong = misnamed_output(Path(output), "the Plan and actual workbook")
        if wrong:
            raise OptionError(wrong, "-o")
        clashes = output_clashes(
            [Path(output)], [("the activity export", report), ("the job plan", jobplan)]
        )
        if clashes:
            raise Refused(clashes)
        missing = missing_folder(Path(output), "the Plan and actual workbook")
        if missing is not None:  # said before anything is read, as writing it would say
            return CapaActualsRun([missing], unreadable=True, output=Path(output))
    today = today or dt.date.today()
    the_mapping = load_activity_mapping(mapping)
    plan, found = read_bounded(read_jobplan_workbook, jobplan)
    if plan is None:
        return CapaActualsRun(found, unreadable=True)
    settings = plan.settings
    errors = [f for f in found if f.severity is Severity.ERROR]
    errors += maths.check_settings(settings)
    if errors:
        return CapaActualsRun(found + [f for f in errors if f not in found])
    names = [c.name for c in plan.clinicians]
    reader = functools.partial(read_activity, mapping=the_mapping, clinicians=names, today=today)
    export, problems = read_bounded(reader, Path(report))
    found = found + problems
    if export is None:
        return CapaActualsRun(found, unreadable=True)
    found = found + list(export.findings)
    history = None
    if previous is not None:
        history, problems = read_bounded(read_actuals_history, Path(previous))
        found = found + problems
        if history is None:
            return CapaActualsRun(found, export=export, unreadable=True)
    if not export.usable:
        return CapaActualsRun(found, export=export)

    rows, missing = _clinician_months(plan, export, settings)
    found += _missing_findings(export, missing)
    held = _held(export, missing, len(export.months))
    if held:
        found.append(finding("activity-signals-held", held, workbook=export.source))
    rates = {m: settings.transfer_rate for m in export.months}
    targets = {"choice": settings.choice_target_weeks, "core": settings.core_target_weeks}
    waits = [waits_of(t, targets[t.stream]) for t in export.waits]
    carried: tuple[str, ...] = ()
    if history is not None:
        old_rows, old_rates, old_waits = history
        new = set(export.months)
        replaced = sorted({r.month for r in old_rows} & new)
        losing = _losing(old_rows, rows, replaced)
        kept = [r for r in old_rows if r.month not in new]
        carried = tuple(sorted({r.month for r in kept}))
        rows = kept + rows
        rates = {**{m: r for m, r in old_rates.items() if m not in new}, **rates}
        waits = [w for w in old_waits if w.month not in new] + waits
        if replaced:
            lost = (
                " "
                + "; ".join(
                    f"in {m}, {', '.join(who)} had figures there and "
                    f"{'has' if len(who) == 1 else 'have'} none in the export"
                    for m, who in losing.items()
                )
                + ". Check the export covers every clinician for those months, or give the "
                "previous workbook's export again with the new months."
                if losing
                else ""
            )
            found.append(
                finding(
                    "activity-month-replaced",
                    f"{', '.join(replaced)} {'is' if len(replaced) == 1 else 'are'} in both "
                    f"{Path(previous).name} and the export; the export's figures replace the "
                    f"previous workbook's, as the newer count.{lost}",
                    workbook=str(previous),
                )
            )
    rows.sort(key=lambda r: r.month)
    actuals = plan_and_actual(rows, plan_rates=rates, waits=waits)
    signals = actuals_signals(actuals, settings.transfer_rate)
    if held:
        signals = type(signals)((), ())
    written = None
    if output is not None:
        notes = [
            f"The activity export: {report} ({export.shape}, headings on row "
            f"{export.header_row}, {export.rows_read:,} rows counted). The job plan: {jobplan}."
        ]
        if carried:
            notes.append(
                f"Months carried from {previous}: {', '.join(carried)} (their plan is the one "
                "then in force)."
            )
        problems = write_actuals_workbook(
            Path(output), actuals, signals, notes=notes, force=force, made=made, held=held
        )
        found = found + problems
        if not problems:
            written = Path(output)
    return CapaActualsRun(
        found,
        actuals=actuals,
        signals=signals,
        export=export,
        written=written,
        from_history=carried,
        output=None if output is None else Path(output),
        held=held,
    )


def _clinician_months(plan, export, settings):
    """Every job-plan clinician's month of the export: the plan then in force (less the
    absences it allows for) and what the export counts. A clinician with no rows in a month
    the export has is a gap (capa.actuals.GAP), not 0, unless their plan that month is 0 in
    every figure (away all month): nothing was owed and nothing is missing. Also, by
    clinician, the months they are missing from."""
    from workload_xl.core.capa.actuals import GAP, ClinicianMonth, Counts, planned_in_month

    delivered = {(d.month, d.clinician): d for d in export.delivered}
    rows = []
    missing: dict[str, list[str]] = {}
    for month in export.months:
        for clinician in plan.clinicians:
            name = clinician.name
            planned, leave = planned_in_month(clinician, plan.absences, month, settings)
            d = delivered.get((month, name))
            if d is not None:
                counts = Counts(d.choice, d.new_core, d.core)
            elif any(planned.get(k) for k in ("choice", "new_core", "core")):
                counts = GAP
                missing.setdefault(name, []).append(month)
            else:
                counts = Counts()
            rows.append(ClinicianMonth(month, name, planned, counts, leave))
    return rows, missing


def _months_said(months) -> str:
    return (
        ", ".join(months)
        if len(months) <= 4
        else f"{months[0]} to {months[-1]} ({len(months)} months)"
    )


def _missing_findings(export, missing) -> list[Finding]:
    """A warning for each job-plan clinician the export has no rows for in a month it has,
    and for each month inside the export's range with no rows at all."""
    from workload_xl.core.capa.actuals import months_between

    found = []
    for name, months in missing.items():
        whole = len(months) == len(export.months)
        when = "in any month" if whole else f"in {_months_said(months)}"
        found.append(
            finding(
                "activity-clinician-missing",
                f"{export.source}: {name} has a job plan but no rows in the export {when}, "
                "though other clinicians have rows there. Their figures are left a gap, not "
                "0, and the team's figures for those months are incomplete, so not compared. "
                "Check the export includes every clinician (and how the clinical system spells "
                "their name).",
                workbook=export.source,
                field="clinician",
                value=name,
            )
        )
    if export.months:
        have = set(export.months)
        for month in months_between(export.months[0], export.months[-1]):
            if month not in have:
                found.append(
                    finding(
                        "activity-month-missing",
                        f"{month} has no rows in the export: check the export covers it. It "
                        "is left a gap, not a month of no activity.",
                        workbook=export.source,
                        field="month",
                        value=month,
                    )
                )
    return found


def _held(export, missing, months: int) -> str:
    """Why the signals are held back, or "": a job-plan clinician with no rows in any of the
    export's months leaves every month of the team's figures incomplete, and a signal on the
    months before it (from --previous) would be one on a different team."""
    gone = [name for name, m in missing.items() if len(m) == months]
    if not gone:
        return ""
    unknown = [
        str(f.value) for f in export.findings if f.rule == "activity-clinician-unknown" and f.value
    ]
    names = ", ".join(gone)
    also = (
        f" (the export names {', '.join(repr(u) for u in unknown[:3])}, who "
        f"{'has' if len(unknown) == 1 else 'have'} no job plan: a misspelling?)"
        if unknown
        else ""
    )
    return (
        f"Signals against the plan are held back: {names} "
        f"{'has' if len(gone) == 1 else 'have'} no rows in the export{also}, so the team's "
        "figures are missing a clinician. Correct the names or the export and run again."
    )


def _losing(old_rows, new_rows, replaced) -> dict[str, list[str]]:
    """By replaced month, the clinicians with figures in the previous workbook who have none
    in the new export's month."""
    had_new = {
        (r.month, r.clinician)
        for r in new_rows
        if r.delivered.missing != ("choice", "new_core", "core")
    }
    losing: dict[str, list[str]] = {}
    for r in old_rows:
        kept = r.delivered is not None and len(r.delivered.missing) < 3
        if kept and r.month in replaced and (r.month, r.clinician) not in had_new:
            losing.setdefault(r.month, []).append(r.clinician)
    return losing
