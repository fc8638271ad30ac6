"""Writes the trend report workbook with native Excel charts, with openpyxl (files edge).

A Summary sheet says in plain words what needs a look; each service has a sheet of teams ×
periods tables and a line chart; each team has an XmR sheet with its values, mean, process
limits and special-cause points marked. Values only (no formulas): the report is a snapshot of
the store, and Python made every number from the rows. It carries no case names.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection
from pathlib import Path

from openpyxl import Workbook
from openpyxl.chart import LineChart, Reference
from openpyxl.chart.marker import Marker
from openpyxl.styles import Alignment, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.table import Table, TableStyleInfo

from workload_xl.contracts import report as rc
from workload_xl.core.findings import Finding
from workload_xl.core.trends import INCOMPLETE, ServiceTrends, TeamTrend, TrendReport
from workload_xl.files.atomic import write_atomically
from workload_xl.files.printing import (
    PrintLayout,
    apply_print_layout,
    chart_on_a_page_below,
    fit_wrapped_rows,
    freeze_below,
    wrap_across,
)
from workload_xl.files.sheet_writer import save_workbook
from workload_xl.files.style import BOLD, NOTE, TITLE, cell_text, free_sheet_title, put, set_value


def write_report(
    path: Path, report: TrendReport, *, force: bool = False, made: dt.datetime | None = None
) -> list[Finding]:
    wb = build_report_workbook(report, made=made)
    return write_atomically(path, lambda temp: save_workbook(wb, temp), force=force)


def build_report_workbook(report: TrendReport, made: dt.datetime | None = None) -> Workbook:
    wb = Workbook()
    names = _Names()
    _write_summary(wb.active, report, made or dt.datetime.now())
    apply_print_layout(wb.active, SUMMARY_LAYOUT)
    for service in report.services:
        ws = wb.create_sheet(names.sheet(service.service))
        _write_service(ws, service, names)
        apply_print_layout(ws, SERVICE_LAYOUT)
        for team in service.teams:
            ws = wb.create_sheet(names.sheet(f"{rc.SPC_SHEET_PREFIX}{team.team}"))
            _write_team(ws, service, team, names)
            apply_print_layout(ws, XMR_LAYOUT)
    wb.properties.creator = "workload-xl"
    wb.properties.title = rc.TITLE
    return wb


SUMMARY_LAYOUT = PrintLayout("portrait")
SERVICE_LAYOUT = PrintLayout("landscape")
XMR_LAYOUT = PrintLayout("landscape", (rc.SPC_HEADER_ROW, rc.SPC_HEADER_ROW))
"""How the report prints (files.printing): the Summary's sentences on portrait pages, the
tables landscape, every sheet one page wide; each chart on a page of its own after its
tables, as wide as the page, so its period labels have room."""

SUMMARY_WIDTH = 78
"""The Summary's one column, narrower than a portrait page in Excel and in LibreOffice (whose
fallback for Calibri is wider), its sentences wrapped to fit: a single column wider than the
page is cut at its edge, as fitting to one page wide never splits or shrinks one column."""


def _straight(chart) -> None:
    """Straight segments between points: a smoothed curve would invent values between them."""
    for series in chart.series:
        series.smooth = False


class _Names:
    """Sheet titles and table names that Excel accepts and that never collide."""

    def __init__(self):
        self.sheets: set[str] = {"summary"}
        self.count = 0

    def sheet(self, wanted: str) -> str:
        title = free_sheet_title(wanted, self.sheets)
        self.sheets.add(title.casefold())
        return title

    def table(self, stem: str) -> str:
        self.count += 1
        return f"{stem}{self.count}"


def _write_summary(ws, report: TrendReport, made: dt.datetime) -> None:
    ws.title = rc.SUMMARY_SHEET
    put(ws, 1, 1, rc.TITLE).font = TITLE
    services = ", ".join(s.service for s in report.services) or "none"
    put(
        ws,
        2,
        1,
        (
            f"Made {made:%Y-%m-%d %H:%M} from the returns store. Services: {services}. "
            "Each service is shown on its own: scores are never compared across services."
        ),
    ).font = NOTE
    put(ws, 4, 1, "What needs a look").font = BOLD
    lines = report.summary or [
        "Nothing stands out: every team's mean points per FTE stayed within its usual range "
        "with no unusual pattern, and no worker's load against expected (nor any team's "
        "against the service's) stood well apart for long."
    ]
    for offset, line in enumerate(lines, start=5):
        set_value(ws.cell(offset, 1), line)
    row = 6 + len(lines)
    if report.left_out:
        put(ws, row, 1, "Left out of the figures").font = BOLD
        for offset, line in enumerate(report.left_out, start=row + 1):
            set_value(ws.cell(offset, 1), line)
        row += len(report.left_out) + 2
    notes = [
        "How to read this report",
        "Each team's mean points per FTE (its counted workers' total points ÷ their total FTE, "
        "so each worker weighs by their FTE) is plotted on an XmR chart (NHS 'Making Data Count'): "
        "the mean, and process limits at the mean ± 2.66 × the mean moving range, from the first "
        f"{report.settings.baseline} points (fewer points give trial limits, labelled so). A "
        "team's limits are worked out afresh from a period whose scheme or scheme version "
        "differs from its return before, and from any period given with --recalculate-at (its "
        "sheet says where).",
        "Special cause: a point outside the limits; "
        f"{report.settings.run_length} points in a row on one side of the mean; "
        f"{report.settings.run_length} points in a row rising or falling; of 3 points in a row "
        "all on one side of the mean, 2 or 3 between the two-sigma line and the process limit on "
        "that side (a point beyond the limits is its own signal and does not count).",
        "In the sentences under What needs a look, a team's usual range is the one between its "
        "process limits: 'unusually high (or low) for this team' is a point outside the limits; "
        "'higher (or lower) than the team's usual for N months in a row' is a run on one side "
        "of the mean; 'rising (or falling) for N months in a row' a trend; 'close to the top "
        "(or bottom) of the team's usual range twice in three months' two of three points "
        "between two sigma and the limit.",
        "For workload neither direction is better, so variation is labelled neutral: special "
        "cause high or low. The numbers inform a discussion; there is no maximum.",
        "Workers, and teams against their service, are compared by load against expected, as "
        "on the team sheet: a worker's points ÷ the points the scheme expects of their band and "
        "FTE (reference points × band capacity factor × FTE; without them, points per FTE ÷ "
        "the band's median), beside the team's middle (the median load). A worker at least "
        f"{report.signals.disparity_margin * 100:.0f} points of percentage off the middle, on "
        f"the same side, for {report.signals.disparity_periods} or more months in a row is a "
        "lasting disparity; at least "
        f"{report.signals.outlier_margin * 100:.0f} points off in the latest month is said "
        "too. A team is compared with the service's load in the same way. These are the "
        "calibrated settings benchmarks/bench_signals.py measures.",
        "A period a team sent no return for stays a gap in its chart: no run or trend is "
        "counted across it, and the sentences name the periods missing.",
        "An incomplete return left out so many workers (their sheets had errors) that the "
        "team's counted FTE or workers fell below "
        f"{report.incomplete_below:.0%} of its usual (the median of its other periods): it is "
        "said first, shaded in the tables and shown on the chart as a cross, but left out of "
        "the limits and every rule, like a missing period.",
    ]
    for offset, note in enumerate(notes):
        put(ws, row + offset, 1, note).font = BOLD if offset == 0 else NOTE
    ws.column_dimensions["A"].width = SUMMARY_WIDTH
    for line in ws.iter_rows(min_row=2, max_col=1):
        line[0].alignment = _WRAPPED
    fit_wrapped_rows(ws, range(2, ws.max_row + 1))


def _block(
    ws,
    top: int,
    title: str,
    service: ServiceTrends,
    rows: list[tuple[str, list]],
    number_format: str,
    names: _Names,
    shaded: Collection[tuple[int, int]] = (),
) -> int:
    """A titled teams × periods table, the `shaded` (row, period) cells shaded as incomplete
    returns; returns the next free row."""
    put(ws, top, 1, title).font = BOLD
    header = top + 1
    put(ws, header, 1, "Team")
    for index, label in enumerate(service.periods, start=2):
        put(ws, header, index, label)
    for offset, (name, values) in enumerate(rows, start=1):
        set_value(ws.cell(header + offset, 1), name)
        for index, value in enumerate(values, start=2):
            shown = round(value, 4) if isinstance(value, float) else value
            cell = ws.cell(header + offset, index, shown)
            cell.number_format = number_format
            if (offset - 1, index - 2) in shaded:
                cell.fill = _INCOMPLETE
    last_col = get_column_letter(len(service.periods) + 1)
    table = Table(
        displayName=names.table(title.split()[0].replace("-", "")),
        ref=f"A{header}:{last_col}{header + max(1, len(rows))}",
    )
    table.tableStyleInfo = TableStyleInfo(name="TableStyleLight9", showRowStripes=True)
    ws.add_table(table)
    return header + len(rows) + 3


def _write_service(ws, service: ServiceTrends, names: _Names) -> None:
    put(ws, 1, 1, f"{service.service}: teams over time").font = TITLE
    put(
        ws,
        2,
        1,
        "Counted workers only (sheets without errors). Spread is the coefficient of variation. "
        "Shaded: an incomplete return (so many workers left out that the figures are no trend; "
        "see the Return table).",
    ).font = NOTE
    teams = service.teams
    shaded = {
        (row, index)
        for row, team in enumerate(teams)
        for index, status in enumerate(team.returns)
        if status == INCOMPLETE
    }
    row = 4
    mean_top = row + 1
    for block in rc.SERVICE_BLOCKS:
        rows = [(t.team, getattr(t, block.field)) for t in teams]
        if block.service_mean_row:
            whole = service.service_mean if block.field == "points_per_fte" else service.load
            rows.append(("Service mean" if block.field == "points_per_fte" else "Service", whole))
        row = _block(ws, row, block.title, service, rows, block.number_format, names, shaded)
    bands = [(band or "(no band)", values) for band, values in service.bands]
    row = _block(ws, row, rc.BAND_BLOCK_TITLE, service, bands, "0.0", names)
    ws.column_dimensions["A"].width = 34
    wrap_across(ws, 2, len(service.periods) + 1)
    freeze_below(ws, 1, 2)
    if service.periods:
        chart = LineChart()
        chart.title = cell_text(f"{service.service}: mean points per FTE by team")
        chart.y_axis.title = "Mean points per FTE"
        last_col = len(service.periods) + 1
        data = Reference(
            ws, min_col=1, max_col=last_col, min_row=mean_top + 1, max_row=mean_top + len(teams) + 1
        )
        chart.add_data(data, from_rows=True, titles_from_data=True)
        chart.set_categories(Reference(ws, min_col=2, max_col=last_col, min_row=mean_top))
        chart.x_axis.delete = chart.y_axis.delete = False
        _straight(chart)
        chart_on_a_page_below(ws, chart, row, last_col, SERVICE_LAYOUT)


def _write_team(ws, service: ServiceTrends, team: TeamTrend, names: _Names) -> None:
    put(ws, 1, 1, f"{team.team} ({service.service}): mean points per FTE, XmR chart").font = TITLE
    put(
        ws,
        2,
        1,
        "Special cause points are marked. Neither direction is better for workload: "
        "high and low are both worth a conversation.",
    ).font = NOTE
    if team.recalculated:
        fresh = "; ".join(f"from {label} ({why})" for label, why in team.recalculated)
        put(ws, 3, 1, f"Limits worked out afresh {fresh}.").font = NOTE
    top = rc.SPC_HEADER_ROW
    for index, column in enumerate(rc.SPC_COLUMNS, start=1):
        cell = put(ws, top, index, column.heading)
        cell.font = BOLD
        cell.alignment = _WRAPPED
        ws.column_dimensions[get_column_letter(index)].width = column.width
    for row in (2, 3):
        wrap_across(ws, row, len(rc.SPC_COLUMNS))
    fit_wrapped_rows(ws, [top])
    freeze_below(ws, top + 1, 2)
    for offset, point in enumerate(team.spc, start=1):
        special = point.variation.startswith("special")
        at = team.first + offset - 1
        incomplete = team.returns[at] == INCOMPLETE
        values = [
            point.label,
            point.value,
            point.mean,
            point.upper_limit,
            point.lower_limit,
            point.upper_two_sigma,
            point.lower_two_sigma,
            point.value if special else None,
            team.points_per_fte[at] if incomplete else None,
            ", ".join(point.rules),
            INCOMPLETE if incomplete else point.variation,
            "trial" if point.trial else "baseline",
        ]
        for index, value in enumerate(values, start=1):
            cell = put(
                ws, top + offset, index, round(value, 4) if isinstance(value, float) else value
            )
            cell.number_format = rc.SPC_COLUMNS[index - 1].number_format
    last = top + max(1, len(team.spc))
    table = Table(
        displayName=names.table("SPC"), ref=f"A{top}:{get_column_letter(len(rc.SPC_COLUMNS))}{last}"
    )
    table.tableStyleInfo = TableStyleInfo(name="TableStyleLight9", showRowStripes=True)
    ws.add_table(table)
    if team.spc:
        _xmr_chart(ws, team, top, last)


def _xmr_chart(ws, team: TeamTrend, top: int, last: int) -> None:
    chart = LineChart()
    chart.title = cell_text(f"{team.team}: mean points per FTE")
    chart.y_axis.title = "Mean points per FTE"
    chart.add_data(
        Reference(ws, min_col=2, max_col=rc.SPC_CHART_SERIES + 1, min_row=top, max_row=last),
        titles_from_data=True,
    )
    chart.set_categories(Reference(ws, min_col=1, min_row=top + 1, max_row=last))
    value, mean, upper, lower, upper2, lower2, special, incomplete = chart.series
    value.marker = Marker(symbol="circle", size=6)
    for limit in (upper, lower):
        limit.graphicalProperties.line.dashStyle = "dash"
        limit.graphicalProperties.line.solidFill = "7F7F7F"
    for near in (upper2, lower2):
        near.graphicalProperties.line.dashStyle = "sysDot"
        near.graphicalProperties.line.solidFill = "BFBFBF"
    mean.graphicalProperties.line.solidFill = "404040"
    special.marker = Marker(symbol="circle", size=9)
    special.marker.graphicalProperties = _fill("ED7D31")
    special.graphicalProperties.line.noFill = True
    incomplete.marker = Marker(symbol="x", size=9)
    incomplete.marker.graphicalProperties = _fill("7F7F7F")
    incomplete.graphicalProperties.line.noFill = True
    chart.x_axis.delete = chart.y_axis.delete = False
    _straight(chart)
    chart_on_a_page_below(ws, chart, last + 2, len(rc.SPC_COLUMNS), XMR_LAYOUT)


_INCOMPLETE = PatternFill("solid", fgColor=rc.INCOMPLETE_FILL)
_WRAPPED = Alignment(wrap_text=True, vertical="top")


def _fill(colour: str):
    from openpyxl.chart.shapes import GraphicalProperties

    props = GraphicalProperties(solidFill=colour)
    props.line.solidFill = colour
    return props
