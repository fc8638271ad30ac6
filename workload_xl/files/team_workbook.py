"""Writes the Team Workload Measurement workbook with openpyxl (files edge).

Python's figures are written as values; the totals a manager reads and may adjust stay native
formulas over the table. Fairness findings become highlighted cells with a note, and every
finding is listed on the Errors sheet, so the workbook explains itself without Python. It
carries case references and counts, never a case's name: a TeamSheet has none to give.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path

from openpyxl import Workbook
from openpyxl.chart import BarChart, Reference
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter, quote_sheetname
from openpyxl.workbook.defined_name import DefinedName
from openpyxl.worksheet.hyperlink import Hyperlink
from openpyxl.worksheet.table import Table, TableStyleInfo

from workload_xl.contracts import team as tl
from workload_xl.core.cells import absolute
from workload_xl.core.findings import SEVERITY_ORDER, Finding, Severity
from workload_xl.core.team import CaseRow, TeamSheet
from workload_xl.core.values import NO, YES
from workload_xl.files import cached_values
from workload_xl.files.atomic import write_atomically
from workload_xl.files.printing import (
    PrintLayout,
    apply_print_layout,
    fit_wrapped_rows,
    freeze_below,
)
from workload_xl.files.style import (
    BOLD,
    CALC_FILL,
    INPUT_FILL,
    NOTE,
    TITLE,
    StyleStamps,
    add_table,
    put,
    set_value,
)

_MUTED = Font(italic=True, color="7F7F7F")
_TOP_WRAPPED = Alignment(wrap_text=True, vertical="top")
_TOP = Alignment(vertical="top")

TEAM_PRINT = PrintLayout(
    orientation="landscape",
    title_rows=(tl.TABLE_TOP_ROW, tl.TABLE_TOP_ROW),
    footer="Manager signature: ____________   Date: ________",
)
_WRAPPED_TEAM_COLUMNS = frozenset({"worker", "band", "flags", "source"})
"""The Team table's text columns: they wrap, each row as tall as its flags need, so a flag
prints whole, the most important text on the page."""
SEVERITY_FILLS = {
    Severity.ERROR: PatternFill("solid", fgColor="F4B6B6"),
    Severity.WARNING: PatternFill("solid", fgColor="F8CBAD"),
    Severity.INFO: PatternFill("solid", fgColor="DDEBF7"),
}


def build_team_workbook(
    team: TeamSheet | None, findings: Iterable[Finding] = (), output: str = ""
) -> Workbook:
    """The team workbook; with no team, the blank template."""
    findings = list(findings)
    wb = Workbook()
    ws = wb.active
    ws.title = tl.TEAM_SHEET
    _write_team_sheet(ws, team)
    _write_cases(wb.create_sheet(tl.CASES_SHEET), team)
    _write_history(wb.create_sheet(tl.HISTORY_SHEET), team)
    _write_errors(wb.create_sheet(tl.ERRORS_SHEET), findings, output)
    _highlight(ws, [f for f in findings if f.workbook == output and f.sheet == tl.TEAM_SHEET])
    wb.properties.creator = "workload-xl"
    wb.properties.title = "Team workload measurement sheet"
    return wb


def write_team_workbook(
    path: Path, team: TeamSheet | None, findings: Iterable[Finding] = (), *, force: bool = False
) -> list[Finding]:
    wb = build_team_workbook(team, findings, output=str(path))
    return write_atomically(path, lambda temp: cached_values.save(wb, temp), force=force)


# --- the Team sheet ------------------------------------------------------------------------


def _name(ws, name: str, ref: str) -> None:
    ws.defined_names[name] = DefinedName(name, attr_text=f"{quote_sheetname(ws.title)}!{ref}")


def _header_values(team: TeamSheet | None) -> dict:
    if team is None:
        return {}
    return {
        "team": team.team,
        "service": team.service,
        "period": str(team.period),
        "scheme_id": team.scheme_id,
        "scheme_version": team.scheme_version,
        "manager": team.manager or None,
        "mean_ppf": tl.rounded(team.mean_ppf),
        "median_ppf": tl.rounded(team.median_ppf),
        "median_load": tl.rounded(team.median_load, 4),
        "spread": tl.rounded(team.spread, 4),
    }


def _write_team_sheet(ws, team: TeamSheet | None) -> None:
    put(ws, 1, 1, "Team workload measurement sheet").font = TITLE
    put(
        ws,
        2,
        1,
        "Points inform a discussion; there is no maximum. Flags say what the numbers "
        "show, compared with colleagues of the same experience band.",
    ).font = NOTE
    values = _header_values(team)
    results = _team_results(team)
    places = tl.field_places()
    for spec in tl.TEAM_HEADER + tl.TEAM_TOTALS:
        row, column = places[spec.key]
        label = put(ws, row, column - 1, spec.label)
        label.font = BOLD
        label.alignment = Alignment(horizontal="right")
        cell = ws.cell(row, column)
        if spec.formula:
            cell.value = spec.formula
            cached_values.remember(ws, cell.coordinate, results[spec.key])
        else:
            set_value(cell, values.get(spec.key))
        cell.number_format = spec.number_format
        cell.fill = INPUT_FILL if spec.key in ("manager", "date_signed") else CALC_FILL
        _name(ws, spec.name, absolute((row, column)))
    _write_workers(ws, team)


def _team_results(team: TeamSheet | None) -> dict[str, object]:
    """Python's figure for each native total on the Team sheet (core.team, each co-worked
    case once), so a reader that does not recalculate sees what Excel shows; a blank
    template's are those of no workers and no cases."""
    if team is None:
        return {"workers": 0, "total_fte": 0, "cases": 0, "total_points": 0, "points_per_fte": ""}
    ppf = team.points_per_fte
    return {
        "workers": len(team.counted),
        "total_fte": team.total_fte,
        "cases": team.case_count,
        "total_points": team.total_points,
        "points_per_fte": "" if ppf is None else ppf,
    }


def _worker_values(team: TeamSheet | None) -> list[list]:
    if team is None or not team.workers:
        return [[None] * len(tl.TEAM_COLUMNS)]
    return [tl.encode_worker(w) for w in team.workers]


def _write_workers(ws, team: TeamSheet | None) -> None:
    top = tl.TABLE_TOP_ROW
    for index, column in enumerate(tl.TEAM_COLUMNS, start=1):
        cell = put(ws, top, index, column.header)
        cell.font = BOLD
        cell.alignment = _TOP_WRAPPED
        ws.column_dimensions[get_column_letter(index)].width = column.width
    rows = _worker_values(team)
    for offset, values in enumerate(rows, start=1):
        for index, (column, value) in enumerate(zip(tl.TEAM_COLUMNS, values, strict=True), 1):
            cell = ws.cell(top + offset, index)
            set_value(cell, value)
            cell.number_format = column.number_format
            cell.alignment = _TOP_WRAPPED if column.key in _WRAPPED_TEAM_COLUMNS else _TOP
            if values[list(tl.TEAM_COLUMN_BY_KEY).index("counted")] == NO:
                cell.font = _MUTED
    last = top + len(rows)
    table = Table(
        displayName=tl.TEAM_TABLE, ref=f"A{top}:{get_column_letter(len(tl.TEAM_COLUMNS))}{last}"
    )
    table.tableStyleInfo = TableStyleInfo(name="TableStyleLight9", showRowStripes=True)
    ws.add_table(table)
    fit_wrapped_rows(ws, range(top, last + 1))
    freeze_below(ws, top + 1, 2)  # the table starts low: the Worker column stays, not 22 rows
    apply_print_layout(ws, TEAM_PRINT)
    if team is not None:
        counted = sum(1 for w in team.workers if w.counted and w.points_per_fte is not None)
        if counted:
            _add_chart(ws, top, counted)


def _add_chart(ws, top: int, counted: int) -> None:
    """Bars of each counted worker's load against expected (100% is what the scheme expects
    of their band and FTE): the one measure the flags compare."""
    keys = list(tl.TEAM_COLUMN_BY_KEY)
    load = keys.index("load") + 1
    workers = Reference(ws, min_col=1, min_row=top + 1, max_row=top + counted)
    bars = BarChart()
    bars.type = "col"
    bars.title = "Load against expected (100% = what the scheme expects)"
    bars.y_axis.title = "Load against expected"
    bars.y_axis.number_format = "0%"
    bars.add_data(
        Reference(ws, min_col=load, min_row=top, max_row=top + counted), titles_from_data=True
    )
    bars.set_categories(workers)
    bars.y_axis.scaling.min = 0  # bars start at zero, so their lengths compare honestly
    bars.x_axis.delete = bars.y_axis.delete = False  # openpyxl 3.1 leaves axes hidden in Excel
    bars.legend.position = "b"
    bars.height, bars.width = 9.5, 26
    ws.add_chart(bars, "D3")


def _highlight(ws, findings: list[Finding]) -> None:
    """Colour each flagged cell by its most serious finding and leave the messages as a note."""
    by_cell: dict[str, list[Finding]] = {}
    for f in findings:
        if f.cell:
            by_cell.setdefault(f.cell, []).append(f)
    order = {Severity.ERROR: 0, Severity.WARNING: 1, Severity.INFO: 2}
    for address, group in by_cell.items():
        group.sort(key=lambda f: order[f.severity])
        cell = ws[address]
        cell.fill = SEVERITY_FILLS[group[0].severity]
        text = "\n\n".join(f"{f.severity.upper()} ({f.rule}): {f.message}" for f in group)
        comment = Comment(text[:2000], "workload-xl")
        comment.width, comment.height = 320, 160
        cell.comment = comment


# --- Cases, History, Errors ----------------------------------------------------------------


_WRAPPED_HEADINGS = frozenset(
    {"Item", "Also allocated to", "Workbook", "Message", "Worker", "Experience band", "Field"}
)
"""The Cases, History and Errors columns whose text may be longer than the column is wide:
they wrap, with rows as tall as they need, so a long message prints whole."""


def _table_sheet(
    ws,
    name: str,
    headings: tuple[str, ...],
    rows: list[list],
    widths: tuple[int, ...],
    calculated: tuple[tuple[str, str, str], ...] = (),
    results: Sequence[Sequence[object]] = (),
    *,
    orientation: str = "landscape",
) -> None:
    """A table from A1: Python's values under `headings`, then the `calculated` columns
    (heading, formula, number format), a native formula in every row (grey) and as the
    column's own formula, with Python's figure for it from `results` (a row of figures for
    each row, the blank row's included). It prints one page wide in `orientation`, its
    heading row on every page, long texts wrapped in rows as tall as they need."""
    columns = [(heading, None) for heading in headings]
    columns += [(heading, formula) for heading, formula, _ in calculated]
    for index, (heading, _) in enumerate(columns, start=1):
        cell = put(ws, 1, index, heading)
        cell.font = BOLD
        cell.alignment = _TOP_WRAPPED
    aligned = [_TOP_WRAPPED if heading in _WRAPPED_HEADINGS else _TOP for heading, _ in columns]
    looks: dict[int, dict] = {i: {"alignment": aligned[i - 1]} for i in range(1, len(headings) + 1)}
    for index, (_, _, number_format) in enumerate(calculated, len(headings) + 1):
        looks[index] = {
            "alignment": aligned[index - 1],
            "number_format": number_format,
            "fill": CALC_FILL,
        }  # a calculated cell: grey, with the layout's number format
    stamps = StyleStamps(looks)
    written = rows or [[None] * len(headings)]
    for r, row in enumerate(written, start=2):
        for index, value in enumerate(row, start=1):
            set_value(ws.cell(r, index), value)
        for index in range(1, len(headings) + 1):
            stamps.apply(ws.cell(r, index), index)
        figures = results[r - 2] if r - 2 < len(results) else ()
        for index, (_, formula, _) in enumerate(calculated, len(headings) + 1):
            cell = ws.cell(r, index)
            cell.value = formula  # a formula the layout declares
            stamps.apply(cell, index)
            if figures:
                cached_values.remember(ws, cell.coordinate, figures[index - len(headings) - 1])
    last_row = len(written) + 1
    add_table(ws, name, 1, last_row, columns, "TableStyleLight1")
    for index, width in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(index)].width = width
    fit_wrapped_rows(ws, range(1, last_row + 1))
    freeze_below(ws, 2)
    apply_print_layout(ws, PrintLayout(orientation=orientation, title_rows=(1, 1)))


def _write_cases(ws, team: TeamSheet | None) -> None:
    rows = [] if team is None else [tl.encode_case(c) for c in team.cases]
    widths = (22, 16, 12, 36, 9, 10, 30, 10, 8, 8)
    _table_sheet(
        ws, tl.CASES_TABLE, tl.CASES_COLUMNS, rows, widths, tl.CASES_CALCULATED, _case_results(team)
    )


def _case_results(team: TeamSheet | None) -> list[list[object]]:
    """Python's figures for each Cases row's calculated columns, in CASES_CALCULATED's order:
    whether its worker is in the team figures, its share of the case and the points it adds
    to the team's total (core.coworking: a co-worked case once, at the most any holder
    agreed). With no case rows, the one blank row's: not counted, nothing."""
    if team is None or not team.cases:
        return [[NO, 0, 0]]
    counted = {w.worker.casefold() for w in team.counted}
    held = team.holdings()
    return [_case_result(case, counted, held) for case in team.cases]


def _case_result(case: CaseRow, counted: set[str], held: dict) -> list[object]:
    if case.worker.casefold() not in counted:
        return [NO, 0, 0]
    if case.kind != "case" or not case.case_ref:
        return [YES, 1, case.agreed_points or 0]
    holding = held[case.case_ref.casefold()]
    return [YES, 1 / holding.rows, holding.points / holding.rows]


def _write_history(ws, team: TeamSheet | None) -> None:
    rows = [] if team is None else [tl.encode_history(h) for h in team.history]
    widths = (10, 22, 24, 7, 10, 10, 10)
    _table_sheet(ws, tl.HISTORY_TABLE, tl.HISTORY_COLUMNS, rows, widths, orientation="portrait")


def _write_errors(ws, findings: list[Finding], output: str) -> None:
    """Every finding, the worker sheets' and the team's, with a link to team-sheet cells.

    The value found in a cell is left out: the message says what is wrong, and a value could
    be personal data typed where it should not be.
    """
    rows = [
        [
            str(f.severity),
            f.rule,
            _short_path(f.workbook, output),
            f.sheet,
            f.cell,
            f.field,
            f.message,
        ]
        for f in sorted(findings, key=_order)
    ]
    _table_sheet(ws, tl.ERRORS_TABLE, tl.ERRORS_COLUMNS, rows, (9, 22, 34, 16, 7, 16, 70))
    for offset, f in enumerate(sorted(findings, key=_order), start=2):
        ws.cell(offset, 1).fill = SEVERITY_FILLS[f.severity]
        if f.workbook == output and f.sheet and f.cell:
            link = ws.cell(offset, 5)
            target = f"{quote_sheetname(f.sheet)}!{f.cell}"
            link.hyperlink = Hyperlink(ref=link.coordinate, location=target, display=f.cell)
            link.font = Font(color="0563C1", underline="single")
    ws.sheet_properties.tabColor = (
        "C00000" if any(f.severity == Severity.ERROR for f in findings) else "A6A6A6"
    )


def _short_path(workbook: str, output: str) -> str:
    return "(this workbook)" if workbook == output else workbook


def _order(f: Finding) -> tuple:
    return (SEVERITY_ORDER[f.severity], f.workbook, f.sheet, f.cell, f.rule)
