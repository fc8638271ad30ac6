"""The worker and team workbooks printed by LibreOffice, read back page by page.

Everything is printed in one soffice start (a module fixture). The expected page counts are
worked out from the layouts (files.worker_template, files.team_workbook), as Excel sizes a
column (a width of w takes 7w + 5 pixels, 0.75 points each) and a row (15 points a line):

- Measurement sheet: portrait A4, narrow margins (0.25 inch at the sides, 0.75 inch top and
  bottom): 559 x 734 points to print on. Its columns (16+18+36+9+11+9+10+10+28 = 147) take
  147*7 + 9*5 = 1074 pixels = 805 points, so one page wide is 559/805 = 69%, and a page holds
  734/0.69 = 1063 points of sheet. Above the table: the title (about 19 points), 12 rows of 15
  and the heading row of 2 lines (30): about 230 points. The 40 rows of a template or of a
  sheet started from a caseload take 600: 830 points, one page, with about 230 points (15
  lines) to spare for wrapped rows. A sheet of 100 rows (1500 points) takes two pages: the
  first holds 1063 - 230 = 833 points (55 rows); the other 45 rows and the repeated heading
  (705 points) fit on the second.
- Scheme sheet: landscape, normal margins (0.75 inch sides, 1 inch top and bottom): 734 x 451
  points. Columns A:M (185 units) take 1360 pixels = 1020 points: 72%, 626 points of sheet a
  page; the scheme's 16 rows, its title and its note take under 400. One page.
- Team sheet: landscape, normal margins. Its 13 columns (206 + the wider Source, 212 units)
  take 1549 pixels = 1162 points: 63%, 714 points of sheet a page. The summary above the table
  (rows 1-21) takes about 320 points and the heading of 3 lines 45: 350 points are left, 23
  one-line worker rows or 11 rows whose flags take two lines. The team below has 7 rows: one
  page.
- History: portrait, normal margins (487 x 698 points), 7 columns (93 units, 515 points):
  95%, 735 points a page; the heading and 7 rows take 120. One page.

LibreOffice here draws Calibri with a wider substitute font, and widens the columns to match,
so its pages are a little smaller than Excel's: a count that holds for Excel holds here too.
"""

from __future__ import annotations

import csv
import datetime as dt
import html
import re
import subprocess
from pathlib import Path

import pytest
from openpyxl import load_workbook

from tests.pdf_pages import footer_sheet, page_count, pages, print_to_pdf, whole_text
from workload_xl.contracts import team as tl
from workload_xl.contracts import worker as layout
from workload_xl.core.schemes import SchemeRegistry
from workload_xl.files.printing import LINE_HEIGHT, lines_needed
from workload_xl.files.worker_template import (
    WorkerSheetContent,
    build_team_of_worker_sheets,
    write_worker_workbook,
)
from workload_xl.services.build_team import build_team_files
from workload_xl.services.caseload import import_caseload

pytestmark = pytest.mark.libreoffice

CSC = "childrens-social-care"
TEAM = "First Response East"
TYPES = ("Child in Need", "Child Protection Plan", "CLA", "Section 47", "Single Assessment")
ITEMS = {  # the scheme's item for each case type above, and its points
    "Child in Need": ("Child in need", 5),
    "Child Protection Plan": ("Child protection plan", 8),
    "CLA": ("Looked after child", 7),
    "Section 47": ("Child protection enquiry (section 47)", 6),
    "Single Assessment": ("Assessment in progress", 4),
}


def _header(worker: str, band: str, fte: float | None) -> dict:
    return {
        "worker": worker,
        "team": TEAM,
        "service": "First Response",
        "period": "2026-10",
        "fte": fte,
        "band": band,
        "manager": "Sam Okoro",
        "date_agreed": dt.date(2026, 10, 28),
    }


def _cases(first: int, count: int) -> list[dict]:
    lines = []
    for n in range(count):
        item, points = ITEMS[TYPES[n % len(TYPES)]]
        lines.append(
            {"case_ref": f"C{first + n}", "case_name": f"Child {first + n}", "item": item}
            | {"agreed_points": points}
        )
    return lines


ROSTER = (  # worker, band, FTE, cases: an outlier, a sheet with an error, a duplicate
    ("Ann Shah", "Social worker", 1.0, 14),
    ("Bob Reid", "Social worker", 1.0, 15),
    ("Cat Lowe", "Social worker", 0.8, 11),
    ("Dan Pike", "Social worker", 1.0, 28),  # far above the others
    ("Eve Ngata", "Social worker", 1.0, 13),
    ("Fay Moss", "Social worker", None, 12),  # FTE left blank: an error, not counted
    ("Ann Shah", "Social worker", 1.0, 3),  # a second sheet for Ann: not counted
)


@pytest.fixture(scope="module")
def printed(tmp_path_factory):
    """Every workbook of the tests, written and printed once: {name: (xlsx, {sheet: pages})}."""
    registry = SchemeRegistry.from_dir()
    scheme = registry.get(CSC)
    folder = tmp_path_factory.mktemp("print")
    files: dict[str, Path] = {}

    files["template"] = folder / "template.xlsx"
    assert write_worker_workbook(files["template"], scheme) == []

    report = folder / "caseload.csv"
    with report.open("w", newline="", encoding="utf-8") as handle:
        rows = csv.writer(handle)
        rows.writerow(["Case ID", "Child name", "Case type", "Allocated worker"])
        for n in range(18):
            rows.writerow([f"C2000{n:02}", f"Child {n}", TYPES[n % 5], "Jo Example"])
        for n in range(95):
            rows.writerow([f"C3000{n:02}", f"Child {n}", TYPES[n % 5], "Max Long"])
    files["imported"] = folder / "jo.xlsx"
    assert import_caseload(report, scheme, "Jo Example", files["imported"]).written
    files["long"] = folder / "max.xlsx"  # 95 cases: 100 rows
    assert import_caseload(report, scheme, "Max Long", files["long"]).written

    files["two"] = folder / "two-workers.xlsx"
    both = [
        WorkerSheetContent(_header(name, band, fte), _cases(100 * i, count))
        for i, (name, band, fte, count) in enumerate(ROSTER[:2], start=1)
    ]
    build_team_of_worker_sheets(scheme, both).save(files["two"])

    sheets = folder / "sheets"
    sheets.mkdir()
    for i, (name, band, fte, count) in enumerate(ROSTER, start=1):
        content = WorkerSheetContent(_header(name, band, fte), _cases(10_000 + 100 * i, count))
        path = sheets / f"{i}-{name.split()[0].lower()}.xlsx"
        assert write_worker_workbook(path, scheme, content) == []
    files["team"] = folder / "team.xlsx"
    run = build_team_files([sheets], files["team"], registry=registry)
    assert run.written

    pdfs = print_to_pdf(list(files.values()), folder / "pdf")
    return {
        key: (path, pdf, pages(pdf)) for (key, path), pdf in zip(files.items(), pdfs, strict=True)
    }


def test_a_worker_sheet_its_spare_rows_included_prints_on_one_page_to_sign(printed):
    for key in ("template", "imported"):
        _, _, by_sheet = printed[key]
        assert len(by_sheet[layout.MEASUREMENT_SHEET]) == 1, key
        assert "Worker signature" in by_sheet[layout.MEASUREMENT_SHEET][0]
    # the multi-worker workbook: each worker's sheet one page, named in its footer
    _, _, by_sheet = printed["two"]
    assert len(by_sheet["Ann Shah"]) == 1 and len(by_sheet["Bob Reid"]) == 1


def test_a_long_worker_sheet_goes_on_to_a_second_page_with_its_heading_again(printed):
    _, _, by_sheet = printed["long"]
    measurement = by_sheet[layout.MEASUREMENT_SHEET]
    assert len(measurement) == 2
    for page in measurement:
        assert "Case reference" in page and "Notes" in page
    assert "C300094" in whole_text(measurement[1:])


def test_the_scheme_sheet_prints_on_one_landscape_page(printed):
    path, _, by_sheet = printed["template"]
    assert len(by_sheet[layout.SCHEME_SHEET]) == 1
    text = whole_text(by_sheet[layout.SCHEME_SHEET])
    # every table of it, its widest column (Service, in M) included, and the long description
    assert "Child protection enquiry (section 47)" in text and "Capacity factor" in text
    assert "Safeguarding and Support" in text
    assert load_workbook(path)[layout.SCHEME_SHEET].page_setup.orientation == "landscape"


def test_the_worker_sheet_headings_have_the_height_their_wrapped_lines_need(printed):
    for key in ("template", "imported", "two"):
        wb = load_workbook(printed[key][0])
        ws = wb.worksheets[0]
        heading = layout.TEMPLATE_FIRST_ROW - 1
        # "Scheme points" and "Agreed points" in columns 10 wide (11 characters a line): 2 lines
        assert ws.row_dimensions[heading].height == 2 * 15, key
        assert ws.freeze_panes is None  # 14 rows above the table: frozen, they fill a laptop
        assert ws.print_title_rows == f"${heading}:${heading}"
        assert ws.page_setup.orientation == "portrait"


def _column_text(pdf: Path, page: int, heading: str, right: str | None) -> str:
    """The text printed in one column of a page: the words from the left edge of `heading`
    (on the heading row) up to the left edge of the `right` heading (or the page's edge), so a
    wrapped cell's lines read together, as on paper, not interleaved with the next column's."""
    out = subprocess.run(
        ["pdftotext", "-bbox", "-f", str(page), "-l", str(page), str(pdf), "-"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    words = [
        (float(y), float(x0), float(x1), html.unescape(w))
        for x0, y, x1, w in re.findall(
            r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="[\d.]+">([^<]*)</word>',
            out,
        )
    ]
    rows = {y for y, _, _, w in words if w == heading} & (
        {y for y, _, _, w in words if w == right} if right else {y for y, *_ in words}
    )
    top = min(rows)
    left = next(x0 for y, x0, _, w in words if w == heading and y == top)
    edge = next((x0 for y, x0, _, w in words if w == right and y == top), float("inf"))
    inside = sorted((y, x0, w) for y, x0, x1, w in words if y >= top and left - 1 <= x0 < edge)
    return " ".join(w for _, _, w in inside)


def test_the_team_sheet_prints_every_flag_whole_on_one_page(printed):
    path, pdf, by_sheet = printed["team"]
    assert len(by_sheet[tl.TEAM_SHEET]) == 1
    ws = load_workbook(path)[tl.TEAM_SHEET]
    flags_column = list(tl.TEAM_COLUMN_BY_KEY).index("flags") + 1
    rows = range(tl.TABLE_TOP_ROW + 1, tl.TABLE_TOP_ROW + 1 + len(ROSTER))
    flags = {row: ws.cell(row, flags_column).value for row in rows}
    flags = {row: text for row, text in flags.items() if text}
    assert "the sheet has errors (see the Errors sheet): not in team figures" in flags.values()
    assert "an extra sheet for this worker: not in team figures" in flags.values()
    assert any(text.startswith("load ") for text in flags.values())  # Dan, the outlier
    printed_flags = " ".join(_column_text(pdf, 1, "Flags", "Source").split())
    width = tl.TEAM_COLUMN_BY_KEY["flags"].width
    for row, text in flags.items():
        assert text in printed_flags, text
        # each row as tall as its flag's lines: 48 wide holds 52 characters a line
        lines = lines_needed(text, width)
        assert ws.row_dimensions[row].height == (lines * LINE_HEIGHT if lines > 1 else None)
    longest = max(flags.values(), key=len)
    assert len(longest) > 52 and ws.row_dimensions[_row_of(flags, longest)].height == 30
    # "Load against expected" 10 wide (11 characters a line): "Load", "against", "expected"
    assert ws.row_dimensions[tl.TABLE_TOP_ROW].height == 3 * 15
    assert ws.freeze_panes == "B1"  # the Worker column, not the 22 rows above the table
    assert ws.print_title_rows == f"${tl.TABLE_TOP_ROW}:${tl.TABLE_TOP_ROW}"
    assert "Manager signature" in by_sheet[tl.TEAM_SHEET][0]


def _footer(pdf: Path, number: int) -> str | None:
    args = ["pdftotext", "-layout", "-f", str(number), "-l", str(number), str(pdf), "-"]
    return footer_sheet(subprocess.run(args, capture_output=True, text=True, check=True).stdout)


def _row_of(flags: dict[int, str], text: str) -> int:
    return next(row for row, flag in flags.items() if flag == text)


def test_cases_history_and_errors_print_one_page_wide_headings_on_every_page(printed):
    path, _, by_sheet = printed["team"]
    wb = load_workbook(path)
    assert len(by_sheet[tl.HISTORY_SHEET]) == 1
    for sheet, headings, orientation in (
        (tl.CASES_SHEET, (tl.CASES_COLUMNS[0], tl.CASES_CALCULATED[-1][0]), "landscape"),
        (tl.HISTORY_SHEET, (tl.HISTORY_COLUMNS[0], tl.HISTORY_COLUMNS[-1]), "portrait"),
        (tl.ERRORS_SHEET, (tl.ERRORS_COLUMNS[0], tl.ERRORS_COLUMNS[-1]), "landscape"),
    ):
        ws = wb[sheet]
        assert ws.page_setup.orientation == orientation, sheet
        assert ws.freeze_panes == "A2" and ws.print_title_rows == "$1:$1", sheet
        for page in by_sheet[sheet]:  # first and last heading on every page: one page wide
            words = set(whole_text([page]).split())
            assert all(set(h.split()) <= words for h in headings), sheet
    # Cases: 93 rows do not fit one page (at Excel's 83%, 35 rows a page, so three); LibreOffice
    # here, with its wider substitute font, fits them on two. It then adds a page with nothing on
    # it, not even the footer, whenever the heading row has a height of its own (tried: without
    # that height, no such page); a blank page is LibreOffice's, so the count is not pinned, but
    # no page without a footer may carry any text.
    assert len(by_sheet[tl.CASES_SHEET]) >= 2
    assert all(not page.strip() for page in by_sheet.get("", [])), by_sheet.get("")


def test_every_errors_message_prints_whole(printed):
    path, pdf, by_sheet = printed["team"]
    ws = load_workbook(path)[tl.ERRORS_SHEET]
    messages = [ws.cell(row, 7).value for row in range(2, ws.max_row + 1)]
    assert any("FTE" in m for m in messages)  # Fay's blank FTE
    numbers = [n for n in range(1, page_count(pdf) + 1) if _footer(pdf, n) == tl.ERRORS_SHEET]
    assert len(numbers) == len(by_sheet[tl.ERRORS_SHEET]) >= 1
    columns = " ".join(_column_text(pdf, n, "Message", None) for n in numbers)
    columns = " ".join(columns.split())
    for message in messages:
        assert message in columns, message
    longest = max(messages, key=len)
    row = 2 + messages.index(longest)
    assert ws.row_dimensions[row].height == lines_needed(longest, 70) * LINE_HEIGHT
    assert lines_needed(longest, 70) >= 2  # a message longer than a line: it wraps
