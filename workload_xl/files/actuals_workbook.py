"""Writes the CAPA "Plan and actual" workbook, and reads an earlier one back as history
(files edge).

A Summary of the gaps and signals in words; the team and each clinician by month and by
quarter, planned against delivered; native line charts of the team's months. The clinicians'
months are values (the plan then in force, and what the export counted); every gap, every team
figure and every quarter is a native formula over them (SUMPRODUCT), with Python's figure saved as
its result (files.cached_values), so the workbook reads right before any recalculation and a
figure corrected by hand flows through. The history reader takes the clinicians' months, the
plan's transfer rate and the waits back from the same sheets, so the monthly series grows
from one run to the next as the team workbook's History sheet does.
"""

from __future__ import annotations

import datetime as dt
import math
import warnings
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.chart import LineChart, Reference
from openpyxl.chart.marker import Marker
from openpyxl.styles import Alignment
from openpyxl.utils import get_column_letter

from workload_xl.contracts import actuals as ac
from workload_xl.core.capa.actuals import (
    ClinicianMonth,
    Counts,
    Line,
    PlanAndActual,
    Waits,
    quarter_of,
)
from workload_xl.core.capa.signals import Signals
from workload_xl.core.findings import Finding
from workload_xl.core.rules import finding
from workload_xl.files import cached_values
from workload_xl.files.atomic import write_atomically
from workload_xl.files.file_guard import inspect_workbook_file
from workload_xl.files.printing import (
    PrintLayout,
    apply_print_layout,
    break_after_columns,
    chart_on_a_page_below,
    fit_wrapped_rows,
    freeze_below,
)
from workload_xl.files.style import BOLD, NOTE, TITLE, add_table, put, set_value

SUMMARY_LAYOUT = PrintLayout("portrait")
TABLE_LAYOUT = PrintLayout("landscape", (ac.HEADER_ROW, ac.HEADER_ROW))
TEAM_MONTHS_LAYOUT = PrintLayout(
    "landscape",
    (ac.HEADER_ROW, ac.HEADER_ROW),
    fit_to_width=False,
    narrow_margins=True,
    title_columns=("A", "B"),
)
"""'Team by month' has 24 columns, unreadable shrunk to one page wide: it prints at full size
in blocks (`TEAM_MONTHS_PAGES`), each page with the Month and Quarter columns."""
TEAM_MONTHS_PAGES = (
    ac.figure_columns()[5],
    ac.TRANSFER_RATE_PLANNED,
    ac.WAIT_COLUMNS["choice"][-1],
)
"""The last column of each printed block of 'Team by month' but the last, at most 8 columns
a landscape page: Choice and new Core Partnerships; Core appointments and the transfer rate;
the waits for Choice; the waits for Core and the words."""
CHARTS_LAYOUT = PrintLayout("landscape")
SUMMARY_WIDTH = 78
"""The Summary's one column, narrower than a portrait page (as the trend report's)."""
CHART_ROWS = 30
"""Rows from one chart to the next: each starts a landscape page (its height fits in 25)."""
WORDS_WIDTH = 50
FIGURE_FORMAT = "0.0"
COUNT_FORMAT = "0"
"""Whole counts (appointments delivered, a plan that comes out whole) show as whole numbers;
a plan's or gap's fraction of an appointment keeps its decimal."""
RATE_FORMAT = "0%"
_WRAPPED = Alignment(wrap_text=True, vertical="top")


def write_actuals_workbook(
    path: Path,
    pa: PlanAndActual,
    signals: Signals,
    *,
    notes: Sequence[str] = (),
    force: bool = False,
    made: dt.datetime | None = None,
    held: str = "",
) -> list[Finding]:
    wb = build_actuals_workbook(pa, signals, notes=notes, made=made, held=held)
    return write_atomically(path, lambda temp: cached_values.save(wb, temp), force=force)


def build_actuals_workbook(
    pa: PlanAndActual,
    signals: Signals,
    *,
    notes: Sequence[str] = (),
    made: dt.datetime | None = None,
    held: str = "",
) -> Workbook:
    wb = Workbook()
    summary = wb.active
    summary.title = ac.SUMMARY_SHEET
    team_months = wb.create_sheet(ac.TEAM_MONTHS_SHEET)
    team_quarters = wb.create_sheet(ac.TEAM_QUARTERS_SHEET)
    clinician_months = wb.create_sheet(ac.CLINICIAN_MONTHS_SHEET)
    clinician_quarters = wb.create_sheet(ac.CLINICIAN_QUARTERS_SHEET)
    charts = wb.create_sheet(ac.CHARTS_SHEET)
    _write_summary(summary, pa, signals, notes, made or dt.datetime.now(), held)
    last_clinician_row = _write_clinician_months(clinician_months, pa)
    last_team_row = _write_team_months(team_months, pa, last_clinician_row)
    _write_team_quarters(team_quarters, pa, last_team_row)
    _write_clinician_quarters(clinician_quarters, pa, last_clinician_row)
    _write_charts(charts, team_months, pa, last_team_row)
    apply_print_layout(summary, SUMMARY_LAYOUT)
    for ws in (team_quarters, clinician_months, clinician_quarters):
        apply_print_layout(ws, TABLE_LAYOUT)
    apply_print_layout(team_months, TEAM_MONTHS_LAYOUT)
    break_after_columns(
        team_months, [_column_index(ac.TEAM_MONTH_COLUMNS, h) for h in TEAM_MONTHS_PAGES]
    )
    apply_print_layout(charts, CHARTS_LAYOUT)
    wb.properties.creator = "workload-xl"
    wb.properties.title = ac.TITLE
    return wb


# --- the sheets ---------------------------------------------------------------------------


def _heading(ws, title: str, note: str) -> None:
    put(ws, 1, 1, title).font = TITLE
    put(ws, 2, 1, note).font = NOTE


def _write_summary(
    ws, pa: PlanAndActual, signals: Signals, notes, made: dt.datetime, held: str = ""
) -> None:
    span = f"{pa.months[0]} to {pa.months[-1]}" if pa.months else "no months"
    _heading(ws, ac.TITLE, f"Made {made:%Y-%m-%d %H:%M}. Months: {span}.")
    ws.column_dimensions["A"].width = SUMMARY_WIDTH
    blocks = (
        (ac.SUMMARY_HEADINGS[0], list(pa.summary)),
        (
            ac.SUMMARY_HEADINGS[1],
            list(signals.sentences)
            or ([held] if held else [])
            or [
                "None: no figure has run off its plan for long enough to be more than the "
                "usual up and down."
            ],
        ),
        (
            ac.SUMMARY_HEADINGS[2],
            list(signals.patterns) or ["None: every monthly figure stayed within its usual range."],
        ),
        (ac.SUMMARY_HEADINGS[3], [*HOW_TO_READ, *notes]),
    )
    row = 4
    for heading, lines in blocks:
        put(ws, row, 1, heading).font = BOLD
        for line in lines:
            row += 1
            put(ws, row, 1, line).alignment = _WRAPPED
        row += 2
    fit_wrapped_rows(ws, range(4, row + 1), last_column=1)


HOW_TO_READ = (
    "A month's plan is a third of the quarter's CAPA plan (11.25 working weeks a quarter by "
    "default): Choice = weekly Choice slots × 11.25 ÷ 3; new Core Partnerships = Core sessions "
    "a week × appointments per session × 11.25 ÷ mean Core appointments ÷ 3; Core appointments "
    "= Core sessions a week × appointments per session × 11.25 ÷ 3.",
    "Gap = delivered − planned: below 0 is below plan. The team's figures are the sum of its "
    "clinicians'; a quarter counts the months it has. A month with no activity in the export "
    "is a gap, left blank, never a zero.",
    "Transfer rate = new Core Partnerships ÷ Choice appointments in the month.",
    "Signals use the trend report's rules (NHS 'Making Data Count'): the latest month is a "
    "signal when the team has been on one side of the plan for 7 months in a row, when it is "
    "unusual that way on the team's XmR chart (outside the usual range, twice in three months "
    "close to its edge, a run or a trend), or when the plan lies outside the usual range and "
    "the latest 6 months or more are all on the other side, if a tenth or more off it on "
    "average; waits, when 3 months to the latest are over target. Patterns are the XmR "
    "chart's own: a month outside the usual range, 7 in a row on one side of the team's own "
    "average, 7 rising or falling. Neither direction is better: they are facts to discuss.",
)


def _format_of(value: float) -> str:
    """ "0" for a whole number (to the tenth the other format shows), "0.0" for a fraction."""
    return COUNT_FORMAT if abs(value - round(value)) < 0.05 else FIGURE_FORMAT


def _column_index(columns: Sequence[str], heading: str) -> int:
    return columns.index(heading) + 1


def _figures(ws, row: int, first: int, line: Line, sources: dict[str, str] | None) -> None:
    """Planned, delivered and gap for the three figures from column `first`: values (or
    sum formulas `sources` by heading) for planned and delivered, a formula for the gap."""
    for k, key in enumerate(ac.FIGURES):
        col = first + 3 * k
        planned, delivered, gap = (ws.cell(row, col + j) for j in range(3))
        if line.planned is None or line.delivered is None:
            continue
        values = (line.planned.get(key), line.delivered.get(key))
        for cell, value, part in zip(
            (planned, delivered), values, ("planned", "delivered"), strict=True
        ):
            if value is None:  # a gap in this figure: left blank, never 0
                continue
            heading = f"{ac.FIGURE_HEADINGS[key]} {part}"
            if sources is None:
                cell.value = value
            else:
                cell.value = sources[heading]
                cached_values.remember(ws, cell.coordinate, value)
            cell.number_format = _format_of(value)
        if values[0] is None or values[1] is None:
            continue
        gap.value = f"={delivered.coordinate}-{planned.coordinate}"
        gap.number_format = _format_of(values[1] - values[0])
        cached_values.remember(ws, gap.coordinate, values[1] - values[0])


def _sums(sheet: str, columns: Sequence[str], last: int, criteria: Sequence[tuple[str, str]]):
    """Formulas, by heading, summing each planned and delivered column of a table's rows on
    `sheet` where the criteria columns equal the given cells. SUMPRODUCT of exact matches,
    not SUMIFS: a SUMIFS criterion "2026-06" is read as a date by Excel and matches no month
    written as text."""

    def rng(heading: str) -> str:
        letter = get_column_letter(_column_index(columns, heading))
        return f"'{sheet}'!${letter}${ac.HEADER_ROW + 1}:${letter}${max(last, ac.HEADER_ROW + 1)}"

    where = "*".join(f"({rng(h)}={cell})" for h, cell in criteria)
    return {
        heading: f"=SUMPRODUCT({where}*({rng(heading)}))"
        for heading in ac.figure_columns()
        if not heading.endswith(" gap")
    }


def _width_of(heading: str) -> float:
    """A column wide enough for its heading's longest word in bold (wrapped at words, never
    inside one: no "appointmen ts"), at least 9 (a month, "2026-06") and 18 for a name."""
    if heading == "Clinician":
        return 18
    longest = max(len(word) for word in heading.split())
    return max(9.0, math.ceil(longest * 1.1) + 1)


def _table(ws, name: str, columns: Sequence[str], last: int) -> None:
    for col, heading in enumerate(columns, start=1):
        cell = put(ws, ac.HEADER_ROW, col, heading)
        cell.font = BOLD
        cell.alignment = _WRAPPED
        ws.column_dimensions[get_column_letter(col)].width = _width_of(heading)
    words = _column_index(columns, ac.IN_WORDS)
    ws.column_dimensions[get_column_letter(words)].width = WORDS_WIDTH
    fit_wrapped_rows(ws, [ac.HEADER_ROW])
    for row in range(ac.HEADER_ROW + 1, last + 1):
        ws.cell(row, words).alignment = _WRAPPED
    fit_wrapped_rows(ws, range(ac.HEADER_ROW + 1, last + 1), first_column=words, last_column=words)
    add_table(
        ws,
        name,
        ac.HEADER_ROW,
        max(last, ac.HEADER_ROW + 1),
        [(h, None) for h in columns],
        "TableStyleLight9",
    )
    freeze_below(ws, ac.HEADER_ROW + 1, 2)


def _totals(ws, row: int, columns: Sequence[str], first: int, last: int, expected) -> None:
    """The Total row under a table: SUM of every planned, delivered and gap column."""
    put(ws, row, 1, ac.TOTAL_LABEL).font = BOLD
    for heading in ac.figure_columns():
        col = _column_index(columns, heading)
        letter = get_column_letter(col)
        cell = ws.cell(row, col)
        cell.value = f"=SUM({letter}{first}:{letter}{max(last, first)})"
        cell.number_format = _format_of(expected[heading])
        cell.font = BOLD
        cached_values.remember(ws, cell.coordinate, expected[heading])


def _expected_totals(lines: Sequence[Line]) -> dict[str, float]:
    found: dict[str, float] = {}
    for key in ac.FIGURES:
        name = ac.FIGURE_HEADINGS[key]
        pairs = [
            (ln.planned.get(key), ln.delivered.get(key))
            for ln in lines
            if ln.planned and ln.delivered
        ]
        found[f"{name} planned"] = sum(p for p, _ in pairs if p is not None)
        found[f"{name} delivered"] = sum(d for _, d in pairs if d is not None)
        found[f"{name} gap"] = sum(d - p for p, d in pairs if p is not None and d is not None)
    return found


def _write_clinician_months(ws, pa: PlanAndActual) -> int:
    columns = ac.CLINICIAN_MONTH_COLUMNS
    _heading(
        ws,
        "Each clinician by month",
        "Planned (from the job plan then in force) and delivered (from the activity export) "
        "are values; each gap is delivered − planned.",
    )
    row = ac.HEADER_ROW
    for row, line in enumerate(pa.clinician_months, start=ac.HEADER_ROW + 1):
        put(ws, row, 1, line.period)
        put(ws, row, 2, quarter_of(line.period))
        put(ws, row, 3, line.who)
        _figures(ws, row, 4, line, None)
        set_value(ws.cell(row, len(columns)), line.words)
    _table(ws, ac.CLINICIAN_MONTHS_TABLE, columns, row)
    _totals(ws, row + 1, columns, ac.HEADER_ROW + 1, row, _expected_totals(pa.clinician_months))
    return row


def _write_team_months(ws, pa: PlanAndActual, last_clinician_row: int) -> int:
    columns = ac.TEAM_MONTH_COLUMNS
    _heading(
        ws,
        "The team by month",
        "Planned and delivered are the sums of the clinicians' months (SUMPRODUCT over "
        f"'{ac.CLINICIAN_MONTHS_SHEET}'); a month with no activity is blank, a gap.",
    )
    src = ac.CLINICIAN_MONTH_COLUMNS
    row = ac.HEADER_ROW
    rate = _column_index(columns, ac.TRANSFER_RATE)
    for row, line in enumerate(pa.team_months, start=ac.HEADER_ROW + 1):
        month = line.period
        put(ws, row, 1, month)
        put(ws, row, 2, quarter_of(month))
        sources = _sums(ac.CLINICIAN_MONTHS_SHEET, src, last_clinician_row, [("Month", f"$A{row}")])
        _figures(ws, row, 3, line, sources)
        if line.delivered is not None and not line.delivered.missing:
            _share(ws, row, rate, f"G{row}", f"D{row}", line.transfer_rate)
        if month in pa.plan_rates and line.delivered is not None:
            cell = ws.cell(row, rate + 1, pa.plan_rates[month])
            cell.number_format = RATE_FORMAT
        for stream, headings in ac.WAIT_COLUMNS.items():
            waits = pa.waits_in(stream, month)
            if waits is None:
                continue
            seen_col = _column_index(columns, headings[0])
            seen = ws.cell(row, seen_col, waits.seen).coordinate
            within = ws.cell(row, seen_col + 1, waits.within_target).coordinate
            _share(ws, row, seen_col + 2, within, seen, waits.share_within if waits.seen else None)
            if waits.median_weeks is not None:
                ws.cell(row, seen_col + 3, waits.median_weeks).number_format = FIGURE_FORMAT
            ws.cell(row, seen_col + 4, waits.target_weeks)
        set_value(ws.cell(row, len(columns)), line.words)
    _table(ws, ac.TEAM_MONTHS_TABLE, columns, row)
    totals = _expected_totals(pa.team_months)
    _totals(ws, row + 1, columns, ac.HEADER_ROW + 1, row, totals)
    total, choice_total = row + 1, totals["Choice delivered"]
    new_core_total = totals["New Core Partnerships delivered"]
    rate_total = new_core_total / choice_total if choice_total else None
    _share(ws, total, rate, f"G{total}", f"D{total}", rate_total)
    return row


def _share(ws, row: int, column: int, part: str, whole: str, value: float | None) -> None:
    """A share Excel works out, `part` ÷ `whole` (a transfer rate: new Core Partnerships ÷
    Choice appointments in columns G and D; the share seen within a target), blank when the
    whole is 0, with Python's figure for it ("" for none)."""
    cell = ws.cell(row, column)
    cell.value = f'=IF({whole}=0,"",{part}/{whole})'
    cell.number_format = RATE_FORMAT
    cached_values.remember(ws, cell.coordinate, "" if value is None else value)


def _write_team_quarters(ws, pa: PlanAndActual, last_team_row: int) -> None:
    columns = ac.TEAM_QUARTER_COLUMNS
    _heading(
        ws,
        "The team by quarter",
        "Each quarter sums its months on 'Team by month' (SUMPRODUCT); one with fewer than three "
        "months says so.",
    )
    src = ac.TEAM_MONTH_COLUMNS
    row = ac.HEADER_ROW
    rate = _column_index(columns, ac.TRANSFER_RATE)
    for row, line in enumerate(pa.team_quarters, start=ac.HEADER_ROW + 1):
        put(ws, row, 1, line.period)
        ws.cell(row, 2, line.months)
        sources = _sums(ac.TEAM_MONTHS_SHEET, src, last_team_row, [("Quarter", f"$A{row}")])
        _figures(ws, row, 3, line, sources)
        if line.delivered is not None and not line.delivered.missing:
            _share(ws, row, rate, f"G{row}", f"D{row}", line.transfer_rate)
        set_value(ws.cell(row, len(columns)), line.words)
    _table(ws, ac.TEAM_QUARTERS_TABLE, columns, row)
    _totals(ws, row + 1, columns, ac.HEADER_ROW + 1, row, _expected_totals(pa.team_quarters))


def _write_clinician_quarters(ws, pa: PlanAndActual, last_clinician_row: int) -> None:
    columns = ac.CLINICIAN_QUARTER_COLUMNS
    _heading(
        ws,
        "Each clinician by quarter",
        f"Each quarter sums the clinician's months on '{ac.CLINICIAN_MONTHS_SHEET}' (SUMPRODUCT).",
    )
    src = ac.CLINICIAN_MONTH_COLUMNS
    row = ac.HEADER_ROW
    for row, line in enumerate(pa.clinician_quarters, start=ac.HEADER_ROW + 1):
        put(ws, row, 1, line.period)
        put(ws, row, 2, line.who)
        ws.cell(row, 3, line.months)
        sources = _sums(
            ac.CLINICIAN_MONTHS_SHEET,
            src,
            last_clinician_row,
            [("Quarter", f"$A{row}"), ("Clinician", f"$B{row}")],
        )
        _figures(ws, row, 4, line, sources)
        set_value(ws.cell(row, len(columns)), line.words)
    _table(ws, ac.CLINICIAN_QUARTERS_TABLE, columns, row)
    _totals(ws, row + 1, columns, ac.HEADER_ROW + 1, row, _expected_totals(pa.clinician_quarters))


def _write_charts(ws, data, pa: PlanAndActual, last: int) -> None:
    """A line chart of the team's months for each figure (planned and delivered) and for the
    transfer rate against the plan's, each on a page of its own."""
    if not pa.months:
        put(ws, 1, 1, "No months to chart.")
        return
    columns = ac.TEAM_MONTH_COLUMNS
    rate = _column_index(columns, ac.TRANSFER_RATE)
    pairs = [(3, 4), (6, 7), (9, 10), (rate, rate + 1)]
    row = 1
    for title, (first, second) in zip(ac.CHART_TITLES, pairs, strict=True):
        chart = LineChart()
        chart.title = title
        for col in (first, second):
            chart.add_data(
                Reference(data, min_col=col, min_row=ac.HEADER_ROW, max_row=last),
                titles_from_data=True,
            )
        chart.set_categories(Reference(data, min_col=1, min_row=ac.HEADER_ROW + 1, max_row=last))
        for series in chart.series:
            series.smooth = False
            series.marker = Marker(symbol="circle", size=6)
        for col, series in zip((first, second), chart.series, strict=True):
            planned = columns[col - 1].endswith("planned")
            series.graphicalProperties.line.dashStyle = "dash" if planned else "solid"
        chart.x_axis.delete = chart.y_axis.delete = False
        if first == rate:
            chart.y_axis.number_format = "0%"
        chart_on_a_page_below(ws, chart, row, 12, CHARTS_LAYOUT)
        row += CHART_ROWS


# --- reading history ----------------------------------------------------------------------


def read_actuals_history(
    path: Path,
) -> tuple[tuple[list[ClinicianMonth], dict[str, float], list[Waits]] | None, list[Finding]]:
    """The clinicians' months, the plan's transfer rate by month and the waits of an earlier
    Plan and actual workbook; None with findings when it is not one this tool can read."""
    name = str(path)
    problems = inspect_workbook_file(Path(path), name)
    if problems:
        return None, problems
    from openpyxl import load_workbook

    def refused(why: str) -> tuple[None, list[Finding]]:
        return None, [
            finding(
                "activity-previous-unreadable",
                f"{name} is not a Plan and actual workbook this tool can read: {why}. Give the "
                "workbook an earlier `capa actuals` wrote, or leave --previous out to start a "
                "new history.",
                workbook=name,
            )
        ]

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            book = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:
        return refused(f"it could not be opened ({type(exc).__name__})")
    try:
        for sheet in (ac.CLINICIAN_MONTHS_SHEET, ac.TEAM_MONTHS_SHEET):
            if sheet not in book.sheetnames:
                return refused(f"it has no '{sheet}' sheet")
        clinicians = _rows(book[ac.CLINICIAN_MONTHS_SHEET], ac.CLINICIAN_MONTH_COLUMNS)
        team = _rows(book[ac.TEAM_MONTHS_SHEET], ac.TEAM_MONTH_COLUMNS)
    finally:
        book.close()
    if isinstance(clinicians, str) or isinstance(team, str):
        why = clinicians if isinstance(clinicians, str) else team
        return refused(str(why))
    months: list[ClinicianMonth] = []
    for number, row in clinicians:
        record = _clinician_month(row)
        if record is None:
            return refused(
                f"row {number} of '{ac.CLINICIAN_MONTHS_SHEET}' has no month, clinician or "
                "figure where one should be"
            )
        months.append(record)
    rates: dict[str, float] = {}
    waits: list[Waits] = []
    for _, row in team:
        month = str(row.get("Month") or "")
        rate = row.get(ac.TRANSFER_RATE_PLANNED)
        if isinstance(rate, int | float):
            rates[month] = float(rate)
        for stream, headings in ac.WAIT_COLUMNS.items():
            seen, within, _, median, target = (row.get(h) for h in headings)
            if isinstance(seen, int | float) and isinstance(target, int | float):
                waits.append(
                    Waits(
                        month,
                        stream,
                        float(target),
                        int(seen),
                        int(within or 0),
                        float(median) if isinstance(median, int | float) else None,
                    )
                )
    return (months, rates, waits), []


def _rows(ws, columns: Sequence[str]) -> list[tuple[int, dict[str, Any]]] | str:
    """The table's rows below its headings, as heading → value, up to the Total row."""
    found: list[tuple[int, dict[str, Any]]] = []
    headings: list[str] | None = None
    for number, values in enumerate(ws.iter_rows(values_only=True), start=1):
        if number < ac.HEADER_ROW:
            continue
        if number == ac.HEADER_ROW:
            headings = [str(v) if v is not None else "" for v in values]
            missing = [c for c in columns if c not in headings]
            if missing:
                return f"'{ws.title}' has no column '{missing[0]}' on row {ac.HEADER_ROW}"
            continue
        assert headings is not None
        row = dict(zip(headings, values, strict=False))
        first = row.get(columns[0])
        if first in (None, "") or first == ac.TOTAL_LABEL:
            break
        found.append((number, row))
    if headings is None:
        return f"'{ws.title}' has no headings on row {ac.HEADER_ROW}"
    return found


def _clinician_month(row: dict[str, Any]) -> ClinicianMonth | None:
    month, who = row.get("Month"), row.get("Clinician")
    if not isinstance(month, str) or not isinstance(who, str) or not who.strip():
        return None
    figures = []
    for part in ("planned", "delivered"):
        values = [row.get(f"{ac.FIGURE_HEADINGS[key]} {part}") for key in ac.FIGURES]
        if any(isinstance(v, bool) or not isinstance(v, int | float | None) for v in values):
            return None
        figures.append(Counts(*(None if v is None else float(v) for v in values)))
    if all(v is None for v in (figures[0].choice, figures[0].new_core, figures[0].core)):
        return None
    return ClinicianMonth(month, who, figures[0], figures[1])
