"""The job plan workbook, the trend report and the store export, printed by LibreOffice as a
user prints them: pages per sheet, long texts whole, charts within the page, headings fitted.

The three workbooks are made once and printed in one LibreOffice run (tests/pdf_pages.py).
"""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest
from openpyxl import load_workbook

from tests.pdf_pages import pages, print_to_pdf, whole_text
from workload_xl.contracts import jobplan as jl
from workload_xl.core.period import Period
from workload_xl.core.returns import ReturnLine, TeamReturn, WorkerPeriod
from workload_xl.demo import write_camhs_jobplan
from workload_xl.services.report import trend_report
from workload_xl.services.store_export import export_store_tables
from workload_xl.store.database import ReturnsStore

SERVICE, SCHEME = "First Response", "childrens-social-care"
DEMAND_NOTE = (
    "Accepted referrals by week or by month, for demand when the Team plan's referrals a week "
    "are left blank: all the referrals ÷ all the days counted × 7."
)


def twelve_months() -> list[Period]:
    """2025-11 to 2026-10."""
    out = [Period(2026, 10)]
    while len(out) < 12:
        out.insert(0, out[0].previous())
    return out


def a_return(team: str, period: Period, points: dict[str, float]) -> TeamReturn:
    """A return of full-time social workers, each with one case line of the points given."""
    workers = [WorkerPeriod(name, "Social worker", 1.0, 1, p, True) for name, p in points.items()]
    lines = [
        ReturnLine(name, f"C{i}", "CP", "case", p) for i, (name, p) in enumerate(points.items())
    ]
    return TeamReturn(
        f"{team}-{period}.xlsx", team, SERVICE, SCHEME, "2026.1", period, "Manager", workers, lines
    )


def year_of_two_teams(path: Path) -> None:
    """North and South, a return a month for a year; North's Asha carries far more than her
    colleagues every month, so the report has a sentence about her."""
    with ReturnsStore.open(path) as store:
        for team in ("North", "South"):
            store.add_team(SERVICE, team)
        n = 0
        for month, period in enumerate(twelve_months()):
            for team, people in (
                ("North", {"Asha Rao": 160.0, "Ben Ode": 90.0 + month, "Cy Lam": 95.0}),
                ("South", {"Dee Fox": 100.0, "Eli Hart": 98.0 - month, "Fay Mo": 102.0}),
            ):
                ret = a_return(team, period, people)
                store.ingest(ret, sha256=f"{n:064x}", source_path=ret.source)
                n += 1


def unhyphenated(page_texts) -> str:
    """The pages' text as `whole_text`, without hyphens: pdftotext drops the hyphen at a
    line's end ("2026-" above "10)" reads "202610)"), so texts are compared without them."""
    return whole_text(page_texts).replace("-", "")


@pytest.fixture(scope="module")
def printed(tmp_path_factory) -> dict[str, object]:
    folder = tmp_path_factory.mktemp("print")
    jobplan = folder / "jobplans.xlsx"
    assert write_camhs_jobplan(jobplan) == []
    store = folder / "returns.sqlite"
    year_of_two_teams(store)
    report_path = folder / "report.xlsx"
    run = trend_report(store, report_path)
    assert run.problems == []
    export = folder / "export"
    export.mkdir()
    export_store_tables(store, export)
    books = [jobplan, report_path, export / "returns-store.xlsx"]
    pdfs = print_to_pdf(books, folder / "pdf")
    return {
        "paths": dict(zip(("jobplan", "report", "export"), books, strict=True)),
        "pages": dict(zip(("jobplan", "report", "export"), map(pages, pdfs), strict=True)),
        "report": run.report,
    }


# --- the job plan workbook ------------------------------------------------------------------


def test_every_job_plan_sheet_prints_on_one_page(printed):
    sheets = printed["pages"]["jobplan"]
    # Six clinicians in 30 table rows (header at row 4): 35 rows of 15 points on a landscape
    # page; the Team plan's 25 rows and its charts below; Absences and Demand 34 short rows
    # portrait; Settings 18 rows. Each sheet one page, 5 in all (14 before any page setup).
    assert {sheet: len(texts) for sheet, texts in sheets.items()} == dict.fromkeys(jl.SHEETS, 1)


def test_the_job_plans_table_prints_one_page_wide_with_every_column(printed):
    (page,) = printed["pages"]["jobplan"][jl.JOBPLAN_SHEET]
    text = whole_text([page])
    # the first, a middle and the last column's headings (pdftotext reads wrapped headings
    # side by side, so by word), and each of the six clinicians, on the page
    for heading in ("Clinician", "Profession", "Unallocated", "Specific"):
        assert heading in text
    for name in ("Asha Rao", "Tom Reed", "Mo Khan", "Lena Ortiz", "Ravi Shah", "Jess Lowe"):
        assert name in text


def test_the_team_plan_sentences_and_sheet_notes_print_whole(printed):
    wb = load_workbook(printed["paths"]["jobplan"], data_only=True)
    team_plan = wb[jl.TEAM_PLAN_SHEET]
    verdicts = [
        team_plan[ref.replace("$", "")].value
        for name in (*jl.VERDICT_NAMES, *jl.WAITING_VERDICT_NAMES)
        for _, ref in wb.defined_names[name].destinations
    ]
    assert verdicts[3].startswith("The Choice waiting list has 30 waiting")
    text = whole_text(printed["pages"]["jobplan"][jl.TEAM_PLAN_SHEET])
    for verdict in verdicts:
        assert verdict in text
    # the waiting list's longest label, in a column narrower than it, wraps whole
    assert "Load (demand ÷ capacity; above 1 the list grows)" in text
    # a note longer than the narrow Demand table is wrapped across it, not cut at its edge
    assert DEMAND_NOTE in whole_text(printed["pages"]["jobplan"][jl.DEMAND_SHEET])


def test_the_team_plan_shows_a_week_and_a_quarter_on_charts_of_their_own(printed):
    wb = load_workbook(printed["paths"]["jobplan"])
    charts = wb[jl.TEAM_PLAN_SHEET]._charts
    assert len(charts) == 2
    # Balance rows: 9 Choice (appointments a week), 10 Core and 11 Specific (new cases a
    # quarter); Capacity in column B, Needed in C.
    with zipfile.ZipFile(printed["paths"]["jobplan"]) as archive:
        parts = sorted(n for n in archive.namelist() if n.startswith("xl/charts/chart"))
        xml = [archive.read(n).decode() for n in parts]
    assert len(xml) == 2
    week, quarter = sorted(xml, key=lambda x: "Appointments a week" not in x)
    assert "'Team plan'!$B$9" in week and "'Team plan'!$C$9" in week
    assert "$B$10" not in week and "New cases a quarter" not in week
    assert "'Team plan'!$B$10:$B$11" in quarter and "'Team plan'!$C$10:$C$11" in quarter
    assert "$B$9<" not in quarter and "Appointments a week" not in quarter
    # both within columns A to E: the sheet is one page wide, so they print within the page
    text = whole_text(printed["pages"]["jobplan"][jl.TEAM_PLAN_SHEET])
    assert "Choice: appointments a week" in text
    assert "new cases a quarter" in text


def test_job_plan_headings_fit_and_the_freeze_leaves_room(printed):
    wb = load_workbook(printed["paths"]["jobplan"])
    plans = wb[jl.JOBPLAN_SHEET]
    # "Choice a week over the year" in a column 11 wide (12 characters a line): "Choice a",
    # "week over", "the year": three lines of 15 points.
    assert plans.row_dimensions[jl.JOBPLANS_HEADER_ROW].height == 45
    assert plans.freeze_panes == "B5"
    assert plans.print_title_rows == "$4:$4"
    assert plans.page_setup.orientation == "landscape"
    assert wb[jl.ABSENCES_SHEET].page_setup.orientation == "portrait"
    assert all(ws.page_setup.fitToWidth == 1 for ws in wb.worksheets)


# --- the trend report -----------------------------------------------------------------------


def test_the_report_summary_prints_every_sentence_whole(printed):
    summary = printed["report"].summary
    asha = [line for line in summary if "Asha Rao" in line]
    assert asha and asha[0].startswith("First Response: Asha Rao (North): load against expected")
    text = unhyphenated(printed["pages"]["report"]["Summary"])
    for line in summary:
        assert line.replace("-", "") in text
    assert (
        "A period a team sent no return for stays a gap in its chart: no run or trend is counted "
        "across it, and the sentences name the periods missing." in text
    )


def test_each_report_chart_prints_on_a_page_of_its_own_with_its_labels_on_one_line(printed):
    sheets = printed["pages"]["report"]
    periods = [str(p) for p in twelve_months()]
    # XmR sheets: 12 points under a heading row (rows 4 to 16) fill less than a landscape
    # page; the chart follows on a page of its own: 2 pages.
    for team in ("North", "South"):
        xmr = sheets[f"SPC {team}"]
        assert len(xmr) == 2
        table, chart = xmr
        assert "Upper process limit" in whole_text([table])
        assert f"{team}: mean points per FTE" in chart
        # each period once under the chart, on one line (never "2025-" above "11")
        assert [whole_text([chart]).count(p) for p in periods] == [1] * 12
    # The service sheet: the title rows, then 8 tables of a title, a heading and a row a team
    # (a service row in 2 of them; 1 band in the band table) and 2 blank rows: 3 + 2 × 7 +
    # 5 × 6 + 5 = 52 rows, which fit one landscape page at the scale that fits the 13 columns
    # to its width (LibreOffice's columns print wider than Excel's, about 60%); the chart on a
    # second page.
    service = sheets[SERVICE]
    assert len(service) == 2
    assert "First Response: mean points per FTE by team" in service[1]
    assert [whole_text([service[1]]).count(p) for p in periods] == [1] * 12


def test_xmr_heading_rows_are_tall_enough_for_their_wrapped_headings(printed):
    wb = load_workbook(printed["paths"]["report"])
    xmr = wb["SPC North"]
    # "Upper process limit" in a column 11 wide (12 characters a line) takes three lines.
    assert xmr.row_dimensions[4].height == 45
    assert xmr.print_title_rows == "$4:$4"
    assert xmr.freeze_panes == "B5"
    text = whole_text(printed["pages"]["report"]["SPC North"][:1])
    for heading in ("Upper process limit", "Lower two sigma", "Incomplete return"):
        assert heading in text


# --- the store export -----------------------------------------------------------------------


def test_every_export_sheet_prints_one_page_wide_with_its_headings_on_every_page(printed):
    sheets = printed["pages"]["export"]
    assert list(sheets) == [
        "meta",
        "teams",
        "submissions",
        "worker_periods",
        "return_lines by year",
    ]
    assert len(sheets["teams"]) == 1  # two teams
    assert len(sheets["return_lines by year"]) == 1  # a year of two teams' one item: 2 rows
    assert len(sheets["worker_periods"]) >= 2  # 24 returns of 3 workers: 72 rows
    wb = load_workbook(printed["paths"]["export"], read_only=True)
    try:
        headings = {ws.title: [c.value for c in next(ws.iter_rows(max_row=1))] for ws in wb}
    finally:
        wb.close()
    for table, texts in sheets.items():
        first, last = headings[table][0], headings[table][-1]
        for page in texts:
            assert first in page and last in page, (table, first, last)
