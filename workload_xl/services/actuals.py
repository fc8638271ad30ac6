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
    from workload_xl.core.capa.actuals import (
        ClinicianMonth,
        Counts,
        plan_and_actual,
        planned_per_month,
        waits_of,
    )
    from workload_xl.core.capa.exports import load_activity_mapping
    from workload_xl.core.capa.signals import actuals_signals
    from workload_xl.files.activity_reader import read_activity
    from workload_xl.files.actuals_workbook import read_actuals_history, write_actuals_workbook
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

    plans = {c.name: planned_per_month(c, settings) for c in plan.clinicians}
    delivered = {(d.month, d.clinician): d for d in export.delivered}
    rows: list[ClinicianMonth] = []
    for month in export.months:
        for name in names:
            d = delivered.get((month, name))
            counts = Counts() if d is None else Counts(d.choice, d.new_core, d.core)
            rows.append(ClinicianMonth(month, name, plans[name], counts))
    rates = {m: settings.transfer_rate for m in export.months}
    targets = {"choice": settings.choice_target_weeks, "core": settings.core_target_weeks}
    waits = [waits_of(t, targets[t.stream]) for t in export.waits]
    carried: tuple[str, ...] = ()
    if history is not None:
        old_rows, old_rates, old_waits = history
        new = set(export.months)
        replaced = sorted({r.month for r in old_rows} & new)
        kept = [r for r in old_rows if r.month not in new]
        carried = tuple(sorted({r.month for r in kept}))
        rows = kept + rows
        rates = {**{m: r for m, r in old_rates.items() if m not in new}, **rates}
        waits = [w for w in old_waits if w.month not in new] + waits
        if replaced:
            found.append(
                finding(
                    "activity-month-replaced",
                    f"{', '.join(replaced)} {'is' if len(replaced) == 1 else 'are'} in both "
                    f"{Path(previous).name} and the export; the export's figures are used, as "
                    "the newer count.",
                    workbook=str(previous),
                )
            )
    rows.sort(key=lambda r: r.month)
    actuals = plan_and_actual(rows, plan_rates=rates, waits=waits)
    signals = actuals_signals(actuals, settings.transfer_rate)
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
            Path(output), actuals, signals, notes=notes, force=force, made=made
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
    )
