"""Writes and reads the CAPA job-plan workbook with openpyxl (files edge).

Places come from `jobplan_layout`. The writer puts native formulas in the calculated cells
(locked) and leaves every input unlocked; the reader finds the tables by name and the demand
cell by its defined name, turns every problem into a finding naming sheet and cell (never an
exception), and never trusts a formula's saved result: the figures are `capa`'s to compute.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.chart import BarChart, Reference, Series
from openpyxl.styles import Alignment
from openpyxl.utils import get_column_letter, quote_sheetname
from openpyxl.workbook.defined_name import DefinedName
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.table import Table, TableStyleInfo

from workload_xl.contracts import jobplan as jl
from workload_xl.core import capa
from workload_xl.core.capa.shared import is_number
from workload_xl.core.cells import absolute, split_address
from workload_xl.core.findings import Finding, Refused, located
from workload_xl.core.rules import finding
from workload_xl.core.values import clean_text, is_blank, read_date
from workload_xl.files import cached_values
from workload_xl.files.atomic import write_atomically
from workload_xl.files.loading import load_formulas_and_values, table_bounds
from workload_xl.files.printing import (
    LINE_HEIGHT,
    PrintLayout,
    apply_print_layout,
    column_width,
    fit_wrapped_rows,
    freeze_below,
    lines_needed,
    wrap_across,
)
from workload_xl.files.style import (
    BOLD,
    BOX,
    CALC_FILL,
    INPUT_FILL,
    NOTE,
    TITLE,
    UNLOCKED,
    add_table,
    number_at_least,
    set_value,
)


@dataclass
class JobPlan:
    """What a job-plan workbook holds, as typed: bad values stay as they are, with findings."""

    settings: capa.CapaSettings = field(default_factory=capa.CapaSettings)
    clinicians: list[capa.Clinician] = field(default_factory=list)
    absences: list[capa.Absence] = field(default_factory=list)
    referrals_per_week: Any = None
    referral_series: list[capa.ReferralCount] = field(default_factory=list)
    choice_waiting: Any = None
    core_waiting: Any = None
    """The numbers waiting for Choice and for Core Partnership now (None when not typed)."""

    @property
    def demand_per_week(self) -> Any:
        """The referrals a week typed on the Team plan, else the series' (None if neither).
        A bad series raises Refused, with findings, as the balance would."""
        if self.referrals_per_week is not None:
            return self.referrals_per_week
        if self.referral_series:
            return capa.demand_per_week(self.referral_series)
        return None


DEFAULT_SETTINGS = capa.CapaSettings()

PRINT_LAYOUTS = {
    jl.JOBPLAN_SHEET: PrintLayout("landscape", (jl.JOBPLANS_HEADER_ROW, jl.JOBPLANS_HEADER_ROW)),
    jl.ABSENCES_SHEET: PrintLayout("portrait", (jl.ABSENCES_HEADER_ROW, jl.ABSENCES_HEADER_ROW)),
    jl.TEAM_PLAN_SHEET: PrintLayout("landscape"),
    jl.DEMAND_SHEET: PrintLayout("portrait", (jl.REFERRALS_HEADER_ROW, jl.REFERRALS_HEADER_ROW)),
    jl.SETTINGS_SHEET: PrintLayout("landscape", (jl.SETTINGS_HEADER_ROW, jl.SETTINGS_HEADER_ROW)),
}
"""How each sheet prints (files.printing): the wide Job plans table, the Team plan and the
Settings with their notes on landscape pages, the narrow Absences and Demand tables portrait;
each one page wide with its table's heading row on every page."""


# --- writing ------------------------------------------------------------------------------


def build_jobplan_workbook(
    settings: capa.CapaSettings = DEFAULT_SETTINGS,
    clinicians: Iterable[capa.Clinician] = (),
    absences: Iterable[capa.Absence] = (),
    referrals_per_week: float | None = None,
    rows: int = jl.DEFAULT_ROWS,
    referral_series: Iterable[capa.ReferralCount] = (),
    *,
    choice_waiting: float | None = None,
    core_waiting: float | None = None,
) -> Workbook:
    clinicians, absences, series = list(clinicians), list(absences), list(referral_series)
    wb = Workbook()
    wb.remove(wb.active)
    sheets = {title: wb.create_sheet(title) for title in jl.SHEETS}
    _write_settings(wb, sheets[jl.SETTINGS_SHEET], settings)
    _write_job_plans(wb, sheets[jl.JOBPLAN_SHEET], clinicians, max(rows, len(clinicians) + 5))
    _write_absences(sheets[jl.ABSENCES_SHEET], absences, max(rows, len(absences) + 5))
    waiting = {"choice": choice_waiting, "core": core_waiting}
    _write_team_plan(wb, sheets[jl.TEAM_PLAN_SHEET], referrals_per_week, waiting)
    _write_demand(sheets[jl.DEMAND_SHEET], series, max(rows, len(series) + 5))
    _remember_results(wb, settings, clinicians, series, referrals_per_week, waiting)
    for title, layout in PRINT_LAYOUTS.items():
        apply_print_layout(sheets[title], layout)
    wb.properties.creator = "workload-xl"
    wb.properties.title = "CAPA job plans"
    return wb


def write_jobplan_workbook(
    path: Path,
    settings: capa.CapaSettings = DEFAULT_SETTINGS,
    clinicians: Iterable[capa.Clinician] = (),
    absences: Iterable[capa.Absence] = (),
    referrals_per_week: float | None = None,
    rows: int = jl.DEFAULT_ROWS,
    *,
    referral_series: Iterable[capa.ReferralCount] = (),
    choice_waiting: float | None = None,
    core_waiting: float | None = None,
    force: bool = False,
) -> list[Finding]:
    wb = build_jobplan_workbook(
        settings,
        clinicians,
        absences,
        referrals_per_week,
        rows,
        referral_series,
        choice_waiting=choice_waiting,
        core_waiting=core_waiting,
    )
    return write_atomically(path, lambda temp: cached_values.save(wb, temp), force=force)


def _name(wb: Workbook, name: str, ws, ref: str) -> None:
    wb.defined_names[name] = DefinedName(name, attr_text=f"{quote_sheetname(ws.title)}!{ref}")


def _title(ws, title: str, note: str, columns: int) -> None:
    """The sheet's title, and its note wrapped across the sheet's `columns` (text running
    past the last column would be cut off at the page's edge)."""
    ws.cell(1, 1, title).font = TITLE
    ws.cell(2, 1, note).font = NOTE
    wrap_across(ws, 2, columns)


def _protect(ws) -> None:
    """Calculated cells read-only; rows can still be inserted, deleted, sorted and filtered."""
    ws.protection.sheet = True
    for action in (
        "formatCells",
        "formatColumns",
        "formatRows",
        "insertRows",
        "deleteRows",
        "sort",
        "autoFilter",
    ):
        setattr(ws.protection, action, False)  # False: this action stays allowed


def _add_table(ws, name: str, top: int, columns: Sequence[jl.Column], last_row: int) -> None:
    add_table(
        ws, name, top, last_row, [(c.header, c.formula) for c in columns], "TableStyleMedium2"
    )


def _write_rows(ws, top: int, columns, records: list[dict[str, Any]], rows: int) -> None:
    for index, column in enumerate(columns, start=1):
        cell = ws.cell(top, index, column.header)
        cell.font = BOLD
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        ws.column_dimensions[get_column_letter(index)].width = column.width
    for offset in range(rows):
        record = records[offset] if offset < len(records) else {}
        for index, column in enumerate(columns, start=1):
            cell = ws.cell(top + 1 + offset, index)
            if column.formula:
                cell.value = column.formula
                cell.fill = CALC_FILL
            else:
                set_value(cell, record.get(column.key))
                cell.protection = UNLOCKED
            cell.number_format = column.number_format
    fit_wrapped_rows(ws, [top])
    freeze_below(ws, top + 1, 2)


def _validate(ws, dv: DataValidation, ref: str, title: str, prompt: str) -> None:
    dv.promptTitle, dv.prompt = title[:32], prompt[:255]
    dv.showInputMessage = bool(prompt)
    dv.add(ref)
    ws.add_data_validation(dv)


def _table_sheet(
    ws,
    title: tuple[str, str],
    table: str,
    top: int,
    columns: Sequence[jl.Column],
    records: Sequence[Any],
    rows: int,
) -> None:
    """A sheet whose heart is one input table: title, note, the rows written, the table."""
    _write_rows(ws, top, columns, [dataclasses.asdict(r) for r in records], rows)
    _add_table(ws, table, top, columns, top + rows)
    _title(ws, *title, len(columns))


def _date_validation(ws, ref: str, key: str, hint: str) -> None:
    dates = DataValidation(
        type="date",
        operator="greaterThan",
        formula1="36526",
        allow_blank=True,
        showErrorMessage=True,
        errorTitle="Date",
        error="Type a date, e.g. 2026-10-28.",
    )
    _validate(ws, dates, ref, key.title(), hint)


def _column_ref(columns, key: str, top: int, rows: int) -> str:
    letter = get_column_letter([c.key for c in columns].index(key) + 1)
    return f"{letter}{top + 1}:{letter}{top + rows}"


def _write_settings(wb: Workbook, ws, settings: capa.CapaSettings) -> None:
    top = jl.SETTINGS_HEADER_ROW
    for index, header in enumerate(jl.SETTINGS_COLUMNS, start=1):
        ws.cell(top, index, header).font = BOLD
    last = top + len(jl.SETTING_FIELDS)
    for row, spec in enumerate(jl.SETTING_FIELDS, start=top + 1):
        ws.cell(row, 1, spec.label)
        value = getattr(settings, spec.key)
        if not spec.numeric:
            value = ", ".join(value)
        cell = ws.cell(row, 2)
        set_value(cell, value)
        cell.fill, cell.border, cell.protection = INPUT_FILL, BOX, UNLOCKED
        note = ws.cell(row, 3, spec.note)
        note.protection, note.alignment = UNLOCKED, Alignment(wrap_text=True, vertical="top")
    table = Table(displayName=jl.SETTINGS_TABLE, ref=f"A{top}:C{last}")
    table.tableStyleInfo = TableStyleInfo(name="TableStyleLight9", showRowStripes=True)
    ws.add_table(table)
    sheet = quote_sheetname(ws.title)
    values = f"{sheet}!$B${top + 1}:$B${last}"
    labels = f"{sheet}!$A${top + 1}:$A${last}"
    for spec in jl.SETTING_FIELDS:
        if spec.numeric:  # the value found by its label, so sorting the table breaks nothing
            wb.defined_names[spec.name] = DefinedName(
                spec.name, attr_text=f'INDEX({values},MATCH("{spec.label}",{labels},0))'
            )
    for letter, width in zip("ABC", (28, 14, 80), strict=True):
        ws.column_dimensions[letter].width = width
    fit_wrapped_rows(ws, range(top + 1, last + 1))
    freeze_below(ws, top + 1)
    _protect(ws)


def _write_job_plans(wb: Workbook, ws, clinicians: list[capa.Clinician], rows: int) -> None:
    top = jl.JOBPLANS_HEADER_ROW
    _table_sheet(
        ws,
        (
            "CAPA job plans",
            "Weekly hours of each clinician's job plan. Grey "
            "columns are calculated; the settings they use are on the Settings sheet.",
        ),
        jl.JOBPLANS_TABLE,
        top,
        jl.JOBPLAN_COLUMNS,
        clinicians,
        rows,
    )
    _name(wb, jl.CLINICIAN_NAMES, ws, f"$A${top + 1}:$A${top + rows}")
    for column in jl.JOBPLAN_INPUTS[2:]:
        low = "0.01" if column.key == "contracted_hours" else "0"
        dv = number_at_least(low, column.header, column.hint or "Type weekly hours.")
        ref = _column_ref(jl.JOBPLAN_COLUMNS, column.key, top, rows)
        _validate(ws, dv, ref, column.header, column.hint)
    _protect(ws)


def _write_absences(ws, absences: list[capa.Absence], rows: int) -> None:
    top = jl.ABSENCES_HEADER_ROW
    _table_sheet(
        ws,
        ("Absences", "Each absence from its first to its last day away, both included."),
        jl.ABSENCES_TABLE,
        top,
        jl.ABSENCE_COLUMNS,
        absences,
        rows,
    )
    columns = jl.ABSENCE_COLUMNS
    hint = jl.ABSENCE_COLUMN_BY_KEY
    names = DataValidation(
        type="list",
        formula1=f"={jl.CLINICIAN_NAMES}",
        allow_blank=True,
        showErrorMessage=True,
        errorTitle="Clinician",
        error="Pick a clinician with a job plan.",
    )
    _validate(
        ws, names, _column_ref(columns, "clinician", top, rows), "Clinician", hint["clinician"].hint
    )
    kinds = DataValidation(
        type="list",
        formula1=f'"{",".join(capa.ABSENCE_KINDS)}"',
        allow_blank=True,
        showErrorMessage=True,
        errorTitle="Kind",
        error="Pick a kind of absence from the list.",
    )
    _validate(ws, kinds, _column_ref(columns, "kind", top, rows), "Kind", hint["kind"].hint)
    for key in ("start", "end"):
        _date_validation(ws, _column_ref(columns, key, top, rows), key, hint[key].hint)
    _protect(ws)


def _write_demand(ws, series: list[capa.ReferralCount], rows: int) -> None:
    top = jl.REFERRALS_HEADER_ROW
    _table_sheet(
        ws,
        (
            "Referral series",
            "Accepted referrals by week or by month, for demand "
            "when the Team plan's referrals a week are left blank: all the referrals "
            "÷ all the days counted × 7.",
        ),
        jl.REFERRALS_TABLE,
        top,
        jl.REFERRAL_COLUMNS,
        series,
        rows,
    )
    hint = jl.REFERRAL_COLUMN_BY_KEY
    for key in ("start", "end"):
        _date_validation(ws, _column_ref(jl.REFERRAL_COLUMNS, key, top, rows), key, hint[key].hint)
    count = number_at_least("0", "Referrals", "Type the referrals accepted, 0 or more.")
    _validate(
        ws,
        count,
        _column_ref(jl.REFERRAL_COLUMNS, "referrals", top, rows),
        "Referrals",
        hint["referrals"].hint,
    )
    _protect(ws)


def _write_team_plan(
    wb: Workbook, ws, referrals_per_week: float | None, waiting: dict[str, Any]
) -> None:
    left = jl.HOURS_COLUMN
    widths = {"A": 36, "B": 14, "C": 14, "D": 16, "E": 60}
    widths |= {get_column_letter(left): 26, get_column_letter(left + 1): 10}
    for letter, width in widths.items():
        ws.column_dimensions[letter].width = width
    _title(
        ws,
        "CAPA team plan",
        "Capacity from the job plans against need from accepted referrals. The numbers "
        "open a discussion; they are not a verdict.",
        left + 1,
    )
    row = jl.REFERRALS_ROW
    _label(ws, row, jl.REFERRALS_LABEL)
    cell = ws.cell(row, 2)
    set_value(cell, referrals_per_week)
    cell.fill, cell.border, cell.protection = INPUT_FILL, BOX, UNLOCKED
    _name(wb, jl.REFERRALS_NAME, ws, absolute((row, 2)))
    dv = number_at_least("0", "Referrals", "Type accepted referrals a week, 0 or more.")
    _validate(
        ws,
        dv,
        cell.coordinate,
        "Referrals",
        "Accepted referrals a week, on average. Leave blank to use the referral series "
        "on the Demand sheet.",
    )
    for row, label, name, formula in (
        (jl.SERIES_ROW, jl.SERIES_LABEL, jl.SERIES_NAME, jl.SERIES_FORMULA),
        (jl.DEMAND_ROW, jl.DEMAND_LABEL, jl.DEMAND_NAME, jl.DEMAND_FORMULA),
    ):
        _label(ws, row, label)
        cell = ws.cell(row, 2, formula)
        cell.fill, cell.border, cell.number_format = CALC_FILL, BOX, "0.0#"
        _name(wb, name, ws, absolute((row, 2)))

    top = jl.BALANCE_HEADER_ROW
    for column, header in enumerate(jl.BALANCE_HEADERS, start=1):
        ws.cell(top, column, header).font = BOLD
    for row, side in enumerate(jl.BALANCE_ROWS, start=top + 1):
        _label(ws, row, side.label)
        for column, total in enumerate(
            (side.capacity, side.need, side.ratio, side.verdict), start=2
        ):
            cell = ws.cell(row, column, total.formula)
            cell.number_format = total.number_format
            cell.fill, cell.border = CALC_FILL, BOX
            cell.alignment = Alignment(wrap_text=column == 5, vertical="top")
            _name(wb, total.name, ws, absolute((row, column)))
        ws.row_dimensions[row].height = 45  # the longest sentence, on three lines

    fit_wrapped_rows(ws, range(jl.REFERRALS_ROW, jl.DEMAND_ROW + 1), last_column=1)
    for offset, header in enumerate(jl.HOURS_HEADERS):
        ws.cell(top, left + offset, header).font = BOLD
    for row, (label, total) in enumerate(jl.HOURS_TOTALS, start=top + 1):
        ws.cell(row, left, label)
        cell = ws.cell(row, left + 1, total.formula)
        cell.number_format, cell.fill, cell.border = "0.0#", CALC_FILL, BOX
        _name(wb, total.name, ws, absolute((row, left + 1)))
    below = _write_waiting(wb, ws, waiting)
    for chart, anchor in _balance_charts(ws, top):
        ws.add_chart(chart, f"{anchor}{below + 2}")
    _protect(ws)


BALANCE_CHARTS = (
    ("Choice: appointments a week", "Appointments a week", ("choice",), "A", 10.5),
    (
        "Core and Specific Partnerships: new cases a quarter",
        "New cases a quarter",
        ("core", "specific"),
        "D",
        13.5,
    ),
)
"""The Team plan's charts of capacity against need, one a unit: Choice appointments a week
are never drawn on the axis of new cases a quarter. (title, axis title, balance rows, anchor
column, width in cm): side by side below the waiting lists, within columns A to E."""


def _balance_charts(ws, top: int) -> list[tuple[BarChart, str]]:
    """A column chart of capacity against need for each unit in BALANCE_CHARTS, from the
    balance table's rows (its header at `top`)."""
    row_of = {side.key: row for row, side in enumerate(jl.BALANCE_ROWS, start=top + 1)}
    charts = []
    for title, axis, keys, anchor, width in BALANCE_CHARTS:
        first, last = row_of[keys[0]], row_of[keys[-1]]
        chart = BarChart()
        chart.type = "col"
        chart.title = title
        chart.y_axis.title = axis
        for column in (2, 3):  # Capacity, Needed
            values = Reference(ws, min_col=column, min_row=first, max_row=last)
            chart.series.append(Series(values, title=ws.cell(top, column).value))
        chart.set_categories(Reference(ws, min_col=1, min_row=first, max_row=last))
        chart.x_axis.delete = chart.y_axis.delete = False
        chart.width, chart.height = width, 7.5
        charts.append((chart, anchor))
    return charts


def _label(ws, row: int, text: str) -> None:
    """A bold label in column A, wrapped at the top of its row (beside a taller sentence, or
    too long for the column, it stays whole and level with its figures)."""
    cell = ws.cell(row, 1, text)
    cell.font, cell.alignment = BOLD, Alignment(wrap_text=True, vertical="top")


def _write_waiting(wb: Workbook, ws, waiting: dict[str, Any]) -> int:
    """The waiting-list block below the balance: a column per list, the number waiting typed,
    then its load, target size, relief capacity and weeks to target, and a sentence a list.
    Returns the last row written."""
    top = jl.WAITING_HEADER_ROW
    for column, header in enumerate(jl.WAITING_HEADERS, start=1):
        ws.cell(top, column, header).font = BOLD
    wrapped = Alignment(wrap_text=True, vertical="top")
    for row, measure in enumerate(jl.WAITING_MEASURES, start=top + 1):
        ws.cell(row, 1, measure.label).alignment = wrapped
        for column, stream in enumerate(jl.WAITING_STREAMS, start=2):
            cell = ws.cell(row, column)
            cell.number_format, cell.border = measure.number_format, BOX
            if measure.measure == "Waiting":
                set_value(cell, waiting.get(stream.key))
                cell.fill, cell.protection = INPUT_FILL, UNLOCKED
                dv = number_at_least("0", "Waiting", "Type how many are waiting, 0 or more.")
                _validate(
                    ws,
                    dv,
                    cell.coordinate,
                    "Waiting",
                    f"How many are waiting for {stream.header} now. Leave blank if not known.",
                )
            else:
                cell.value, cell.fill = measure.formula(stream), CALC_FILL
                cell.alignment = wrapped  # "not at present capacity" over two lines
            _name(wb, stream.name(measure.measure), ws, absolute((row, column)))
    row = top + len(jl.WAITING_MEASURES)
    fit_wrapped_rows(ws, range(top + 1, row + 1), last_column=1)
    never = top + 1 + [m.key for m in jl.WAITING_MEASURES].index("weeks_at_present")
    lines = lines_needed(jl.NEVER_TEXT, column_width(ws, 2))
    ws.row_dimensions[never].height = max(ws.row_dimensions[never].height or 0, lines * LINE_HEIGHT)
    for stream in jl.WAITING_STREAMS:
        row += 1
        _label(ws, row, f"What it means: {stream.header}")
        cell = ws.cell(row, 2, jl.waiting_verdict_formula(stream))
        cell.fill, cell.border = CALC_FILL, BOX
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        ws.merge_cells(start_row=row, start_column=2, end_row=row, end_column=5)
        ws.row_dimensions[row].height = 45
        _name(wb, stream.verdict_name, ws, absolute((row, 2)))
    return row


# --- Python's figures for the formulas ---------------------------------------------------


def _remember_results(
    wb: Workbook,
    settings: capa.CapaSettings,
    clinicians: list[capa.Clinician],
    series: list[capa.ReferralCount],
    referrals_per_week: Any,
    waiting: dict[str, Any],
) -> None:
    """Python's figure (capa's) for every formula written, so a reader that does not
    recalculate sees what Excel shows (files.cached_values). Where capa refuses the inputs
    (a bad setting, hours typed as text), the formulas it would answer get no result."""
    plans, demand_sheet = wb[jl.JOBPLAN_SHEET], wb[jl.DEMAND_SHEET]
    named = [c for c in clinicians if clean_text(c.name)]
    for offset in range(_table_rows(plans, jl.JOBPLANS_TABLE)):
        clinician = clinicians[offset] if offset < len(clinicians) else None
        figures = _clinician_figures(clinician, settings)
        for index, column in enumerate(jl.JOBPLAN_COLUMNS, start=1):
            if column.formula:
                cell = plans.cell(jl.JOBPLANS_HEADER_ROW + 1 + offset, index)
                cached_values.remember(plans, cell.coordinate, figures.get(column.key))
    days = [c.key for c in jl.REFERRAL_COLUMNS].index("days") + 1
    for offset in range(_table_rows(demand_sheet, jl.REFERRALS_TABLE)):
        count = series[offset] if offset < len(series) else None
        cell = demand_sheet.cell(jl.REFERRALS_HEADER_ROW + 1 + offset, days)
        cached_values.remember(demand_sheet, cell.coordinate, _days(count))
    for name, value in _team_plan_figures(settings, named, series, referrals_per_week, waiting):
        ws, coordinate = _named_cell(wb, name)
        cached_values.remember(ws, coordinate, value)
    plan = wb[jl.TEAM_PLAN_SHEET]
    for row, measure in enumerate(jl.WAITING_MEASURES, start=jl.WAITING_HEADER_ROW + 1):
        if measure.label.startswith("="):  # the one label that names a setting
            weeks = settings.weeks_to_target
            text = (
                f"Capacity a week to reach the target in {format(weeks, '.15g')} weeks"
                if is_number(weeks)
                else None
            )
            cached_values.remember(plan, plan.cell(row, 1).coordinate, text)


def _table_rows(ws, name: str) -> int:
    _, top, _, bottom = table_bounds(ws, ws.tables[name])
    return bottom - top


def _named_cell(wb: Workbook, name: str) -> tuple[Any, str]:
    title, ref = next(wb.defined_names[name].destinations)
    return wb[title], ref.replace("$", "")


def _clinician_figures(
    clinician: capa.Clinician | None, settings: capa.CapaSettings
) -> dict[str, Any]:
    """A JobPlans row's calculated columns: empty text on a row with no name, as the sheet's
    formulas show; nothing where capa refuses the row's hours or the settings."""
    keys = ("allocated_hours", "unallocated_hours", "choice_slots", "new_core", "new_specific")
    if clinician is None or not clean_text(clinician.name):
        return dict.fromkeys(keys, "")
    try:
        return dict(
            zip(
                keys,
                (
                    clinician.allocated_hours,
                    clinician.unallocated_hours,
                    capa.choice_delivered_per_week(clinician, settings),
                    capa.new_core_per_quarter(
                        capa.core_sessions_per_week(clinician, settings), settings
                    ),
                    capa.new_specific_per_quarter(
                        capa.specific_sessions_per_week(clinician, settings), settings
                    ),
                ),
                strict=True,
            )
        )
    except (Refused, TypeError, ValueError):
        return {}


def _days(count: capa.ReferralCount | None) -> Any:
    """The days a referral count covers, both ends included; empty text without both."""
    if count is None or count.start is None or count.end is None:
        return ""
    start, end = read_date(count.start), read_date(count.end)
    if start is None or end is None:
        return None
    return (end - start).days + 1


def _team_plan_figures(
    settings: capa.CapaSettings,
    team: list[capa.Clinician],
    series: list[capa.ReferralCount],
    referrals_per_week: Any,
    waiting: dict[str, Any],
) -> list[tuple[str, Any]]:
    """(defined name, capa's figure) for each formula on the Team plan: demand, the balance
    and the verdicts, the team's hours, the waiting lists and their sentences."""
    try:
        from_series = capa.demand_per_week(series) if series else None
    except Refused:
        return []
    demand = float(referrals_per_week) if is_number(referrals_per_week) else from_series
    figures: list[tuple[str, Any]] = [
        (jl.SERIES_NAME, _or_empty(from_series)),
        (jl.DEMAND_NAME, _or_empty(demand)),
    ]
    try:
        result = capa.balance(team, demand or 0.0, settings)
        lists = capa.waiting_lists(
            team, demand or 0.0, waiting.get("choice"), waiting.get("core"), settings
        )
        hours = {
            "contracted_hours": sum(float(c.contracted_hours) for c in team),
            "unallocated_hours": sum(c.unallocated_hours for c in team),
        }
        hours |= {key: sum(float(getattr(c, key)) for c in team) for key in capa.ACTIVITIES}
    except (Refused, TypeError, ValueError):
        return figures
    for row, side in zip(jl.BALANCE_ROWS, result.sides, strict=True):
        figures += [
            (row.capacity.name, side.capacity),
            (row.need.name, side.need),
            (row.ratio.name, _or_empty(side.ratio)),
            (row.verdict_name, side.sentence if demand is not None else jl.NO_DEMAND_TEXT),
        ]
    figures += [(total.name, hours[total.key]) for _, total in jl.HOURS_TOTALS]
    for stream, figured in zip(jl.WAITING_STREAMS, lists, strict=True):
        for measure in jl.WAITING_MEASURES:
            if measure.measure == "Waiting":
                continue
            value = getattr(figured, measure.key)
            if measure.key == "weeks_at_present" and value is None:
                value = "" if figured.waiting is None else jl.NEVER_TEXT
            figures.append((stream.name(measure.measure), _or_empty(value)))
        verdict = figured.sentence if demand is not None else jl.NO_DEMAND_TEXT
        figures.append((stream.verdict_name, verdict))
    return figures


def _or_empty(value: Any) -> Any:
    """A figure, or the empty text a formula shows where there is none."""
    return "" if value is None else value


# --- reading ------------------------------------------------------------------------------


def _as_jobplan(problem: Finding) -> Finding:
    """A text file given as the job plan is most often the activity export in the wrong
    place (`capa actuals JOBPLAN --jobplan EXPORT.csv`): the finding says so, beside the
    guard's "save it as .xlsx", which alone would have the user save the export as one."""
    if problem.rule != "file-not-workbook" or "text or CSV file" not in problem.message:
        return problem
    return replace(
        problem,
        message=f"{problem.message} If it is the activity export, it goes first: "
        "workload-xl capa actuals EXPORT.csv --jobplan JOBPLANS.xlsx; the job plan is the "
        "workbook `workload-xl template jobplan` writes.",
    )


def read_jobplan_workbook(
    path: Path, label: str | None = None
) -> tuple[JobPlan | None, list[Finding]]:
    """The job plan a workbook holds, with every problem as a finding naming sheet and cell.

    None only when the file cannot be read as a job-plan workbook at all. Otherwise the values
    are as typed (text hours stay text), so `capa.check` on them says the same as the
    findings, and `capa.balance` refuses what the findings call errors.
    """
    name = label or str(Path(path))
    books, problems = load_formulas_and_values(Path(path), name)
    if books is None:
        return None, [_as_jobplan(f) for f in problems]
    reader = _Reader(name, *books)
    tables = {
        key: reader.table(key) for key in (jl.JOBPLANS_TABLE, jl.ABSENCES_TABLE, jl.SETTINGS_TABLE)
    }
    series_table = reader.table(jl.REFERRALS_TABLE)  # optional: workbooks before the series
    missing = [key for key, found in tables.items() if found is None]
    if missing:
        return None, [
            finding(
                "not-jobplan-workbook",
                f"{name} is not a CAPA job-plan workbook: it has no Excel table named "
                f"{' or '.join(missing)}. Start from the job-plan template, or copy your rows "
                "into it.",
                workbook=name,
            )
        ]
    settings = reader.settings(tables[jl.SETTINGS_TABLE])
    clinicians = reader.clinicians(tables[jl.JOBPLANS_TABLE], settings)
    absences = reader.absences(tables[jl.ABSENCES_TABLE], clinicians)
    referrals = reader.referrals()
    series = reader.series(series_table) if series_table is not None else []
    choice_waiting, core_waiting = (reader.waiting(s) for s in jl.WAITING_STREAMS)
    plan = JobPlan(settings, clinicians, absences, referrals, series, choice_waiting, core_waiting)
    return plan, reader.findings


class _Reader:
    def __init__(self, name: str, formulas, values) -> None:
        self.name, self.wb, self.values = name, formulas, values
        self.findings: list[Finding] = []

    def table(self, wanted: str):
        for ws in self.wb.worksheets:
            for table in ws.tables.values():
                if table.displayName.casefold() == wanted.casefold():
                    return ws, table
        return None

    def value(self, ws, address: str) -> Any:
        """What the user sees: for a formula, its saved result, else the formula's text."""
        cell = ws[address]
        if cell.data_type == "f":
            cached = self.values.result(cell)
            return cell.value if cached is None else cached
        value = cell.value
        return clean_text(value) if isinstance(value, str) else value

    def rows(self, found, columns: Sequence[jl.Column]):
        """(row number, {key: value}, {key: address}) of each row with any input typed."""
        ws, table = found
        min_col, min_row, max_col, max_row = table_bounds(ws, table)
        by_header = {c.header.casefold(): c.key for c in columns if c.is_input}
        by_key = {c.key: c for c in columns}
        letters: dict[str, str] = {}
        for col in range(min_col, max_col + 1):
            key = by_header.get(clean_text(ws.cell(min_row, col).value).casefold())
            if key and key not in letters:
                letters[key] = get_column_letter(col)
        for key in by_header.values():
            if key not in letters:
                self.findings.append(
                    finding(
                        "jobplan-column-missing",
                        f"The {table.displayName} table has no column "
                        f"'{by_key[key].header}'"
                        "; put the column back as in the template.",
                        workbook=self.name,
                        sheet=ws.title,
                        field=key,
                    )
                )
        for r in range(min_row + 1, max_row + 1):
            cells = {key: f"{letter}{r}" for key, letter in letters.items()}
            row = {key: self.value(ws, address) for key, address in cells.items()}
            if all(is_blank(v) for v in row.values()):
                continue
            yield ws, {k: (None if is_blank(v) else v) for k, v in row.items()}, cells

    def locate(self, found: Iterable[Finding], ws, cells: dict[str, str]) -> None:
        self.findings += located(found, workbook=self.name, sheet=ws.title, cells=cells)

    def settings(self, found) -> capa.CapaSettings:
        ws, table = found
        min_col, min_row, max_col, max_row = table_bounds(ws, table)
        headers = {
            clean_text(ws.cell(min_row, c).value).casefold(): c for c in range(min_col, max_col + 1)
        }
        label_col, value_col = headers.get("setting"), headers.get("value")
        typed: dict[str, Any] = {}
        cells: dict[str, str] = {}
        if label_col and value_col:
            for r in range(min_row + 1, max_row + 1):
                spec = jl.SETTING_BY_LABEL.get(clean_text(ws.cell(r, label_col).value).casefold())
                if spec is None or spec.key in typed:
                    continue
                address = f"{get_column_letter(value_col)}{r}"
                typed[spec.key], cells[spec.key] = self.value(ws, address), address
        for spec in jl.SETTING_FIELDS:
            if spec.key not in typed:
                default = getattr(capa.CapaSettings(), spec.key)
                self.findings.append(
                    finding(
                        "capa-setting-missing",
                        f"The Settings table has no row '{spec.label}'; the CAPA default "
                        f"{default!r} is used. Put the row back as in the template.",
                        workbook=self.name,
                        sheet=ws.title,
                        field=spec.key,
                        value=None,
                    )
                )
                continue
            if not spec.numeric:
                text = typed[spec.key]
                text = "" if text is None else str(text)
                typed[spec.key] = tuple(k.strip() for k in text.split(",") if k.strip())
        settings = capa.CapaSettings(**typed)
        self.locate(capa.check_settings(settings), ws, cells)
        return settings

    def clinicians(self, found, settings: capa.CapaSettings) -> list[capa.Clinician]:
        team: list[capa.Clinician] = []
        seen: set[str] = set()
        for ws, row, cells in self.rows(found, jl.JOBPLAN_COLUMNS):
            values = {k: (0.0 if v is None and k in capa.ACTIVITIES else v) for k, v in row.items()}
            values["name"] = "" if values.get("name") is None else str(values["name"])
            values["profession"] = (
                "" if values.get("profession") is None else str(values["profession"])
            )
            clinician = capa.Clinician(**values)
            problems = capa.check_job_plans([clinician], settings)
            if clinician.name in seen:
                problems += [
                    f
                    for f in capa.check_job_plans([clinician, clinician], settings)
                    if f.rule == "capa-clinician-duplicate"
                ]
            seen.add(clinician.name)
            blank = [k for k in capa.ACTIVITIES if k in row and row[k] is None]
            if clinician.name:
                problems += capa.blank_hours(clinician, blank, settings)
            self.locate(problems, ws, cells)
            team.append(clinician)
        return team

    def absences(self, found, team: list[capa.Clinician]) -> list[capa.Absence]:
        result = []
        for ws, row, cells in self.rows(found, jl.ABSENCE_COLUMNS):
            absence = capa.Absence(
                clinician="" if row.get("clinician") is None else str(row["clinician"]),
                kind="" if row.get("kind") is None else str(row["kind"]),
                start=_date(row.get("start")),
                end=_date(row.get("end")),
            )
            self.locate(capa.check_absences([absence], team), ws, cells)
            result.append(absence)
        return result

    def series(self, found) -> list[capa.ReferralCount]:
        result = []
        for ws, row, cells in self.rows(found, jl.REFERRAL_COLUMNS):
            count = capa.ReferralCount(
                _date(row.get("start")), _date(row.get("end")), row.get("referrals")
            )
            self.locate(capa.check_referral_series([count]), ws, cells)
            result.append(count)
        overlaps = [f for f in capa.check_referral_series(result) if "overlaps" in f.message]
        for f in overlaps:
            where = next(
                (
                    cells
                    for ws_, row, cells in self.rows(found, jl.REFERRAL_COLUMNS)
                    if _date(row.get("start")) == f.value
                ),
                {},
            )
            self.locate([f], found[0], where)
        return result

    def named_cell(self, name: str) -> tuple[Any, str] | None:
        """The sheet and address of a one-cell defined name; None when it is not one."""
        defined = self.wb.defined_names.get(name)
        try:
            ((sheet, ref),) = list(defined.destinations) if defined else []
            ws = self.wb[sheet.replace("''", "'")]  # openpyxl keeps a quote doubled
            address = ref.replace("$", "")
            split_address(address)  # ValueError for a range, not one cell
        except (ValueError, KeyError, TypeError):
            return None
        return ws, address

    def waiting(self, stream: jl.WaitingStream) -> Any:
        """The number waiting as typed; None when blank, or in a workbook made before the
        Team plan recorded waiting lists (no such name: nothing to say)."""
        found = self.named_cell(stream.waiting_name)
        if found is None:
            return None
        ws, address = found
        value = self.value(ws, address)
        if is_blank(value):
            return None
        field = f"{stream.key}_waiting"
        self.locate(capa.check_waiting(value, stream.key), ws, {field: address})
        return value

    def referrals(self) -> Any:
        found = self.named_cell(jl.REFERRALS_NAME)
        if found is None:
            self.findings.append(
                finding(
                    "capa-referrals-invalid",
                    f"{self.name} has no cell named {jl.REFERRALS_NAME} for accepted referrals a "
                    "week; put it back as in the template.",
                    workbook=self.name,
                    field="referrals_per_week",
                )
            )
            return None
        ws, address = found
        value = self.value(ws, address)
        if is_blank(value):
            return None
        self.locate(capa.check_referrals(value), ws, {"referrals_per_week": address})
        return value


def _date(value: Any) -> Any:
    """A date from a date cell or text in the forms UK users type (core.values); else the
    value as typed, for the finding to show."""
    found = read_date(value)
    return value if found is None else found
