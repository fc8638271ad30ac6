"""The shared page setup (workload_xl.files.printing), printed by LibreOffice and read back."""

from __future__ import annotations

import re

from openpyxl import Workbook
from openpyxl.styles import Alignment

from tests.pdf_pages import pages, print_to_pdf, whole_text
from workload_xl.files.printing import (
    PrintLayout,
    apply_print_layout,
    fit_wrapped_rows,
    freeze_below,
    lines_needed,
)

FLAG = "load 131% is well above the team's middle of 102.5% for 3 periods running"


def test_lines_needed_counts_wrapping_and_the_texts_own_line_breaks():
    # 30 units of width hold 33 characters a line: 70 characters take 3 lines, plus 1 for "b".
    assert lines_needed("a" * 70 + "\nb", 30) == 4
    assert lines_needed("", 10) == 1


def test_a_table_low_on_the_sheet_freezes_its_columns_only():
    ws = Workbook().active
    freeze_below(ws, 4, 2)
    assert ws.freeze_panes == "B4"
    freeze_below(ws, 22, 2)
    assert ws.freeze_panes == "B1"
    freeze_below(ws, 22, 1)
    assert ws.freeze_panes is None


def test_a_wide_sheet_prints_one_page_wide_with_its_name_in_every_footer(tmp_path):
    wb = Workbook()
    ws = wb.active
    ws.title = "Team"
    for row in range(1, 61):
        for column in range(1, 15):
            ws.cell(row, column, f"r{row}c{column}")
        ws.cell(row, 15, FLAG).alignment = Alignment(wrap_text=True, vertical="top")
    ws.column_dimensions["O"].width = 25
    fit_wrapped_rows(ws, range(1, 61))
    apply_print_layout(ws, PrintLayout(title_rows=(1, 1), footer="Manager signature: ____"))
    wb.save(tmp_path / "wide.xlsx")
    printed = pages(print_to_pdf([tmp_path / "wide.xlsx"], tmp_path / "pdf")[0])
    assert list(printed) == ["Team"]
    # 15 columns fitted to one page wide: every page holds the first column and the last two.
    for page in printed["Team"]:
        assert re.search(r"\br\d+c1\b", page) and re.search(r"\br\d+c14\b", page)
        assert FLAG in " ".join(page.split())
    # Each of the 60 rows' flag whole, and row 1's again at the top of every later page.
    assert whole_text(printed["Team"]).count(FLAG) == 60 + len(printed["Team"]) - 1
