"""A button press costs Excel calls in proportion to the sheets it reads, never to the sheets
times the book's names or rows: counted through xlwings' remote engine, as desktop Excel
would receive them (each a COM round trip), on books written to disk.

The counts are deterministic, so they are asserted here; the benchmark
(benchmarks/bench_addin_calls.py) prints them for 12, 40 and 100 tabs.
"""

from __future__ import annotations

import pytest
from openpyxl.workbook.defined_name import DefinedName

from benchmarks.bench_addin_calls import book_of_tabs, per_tab, press
from workload_xl.contracts import worker as layout
from workload_xl.excel import entry

from . import xlwings_remote as remote
from .conftest import valid_content

TABS = (1, 12, 40)


@pytest.fixture(scope="module")
def books(tmp_path_factory):
    folder = tmp_path_factory.mktemp("tabs")
    return {n: book_of_tabs(folder, n) for n in TABS}


@pytest.mark.parametrize(
    ("button", "most_a_tab"),
    [
        # a tab's name is read a few times (finding the Errors sheet, the highlights)
        (entry.validate_sheet, 10),
        # a tab's tables, its used range once, its own 16 names (4 calls each in Excel)
        (entry.build_team_sheet, 120),
    ],
)
def test_a_press_costs_the_same_calls_for_each_tab_on_12_tabs_as_on_40(books, button, most_a_tab):
    presses = {n: press(button, path) for n, path in books.items()}
    assert all("stopped" not in p.status for p in presses.values()), presses
    cost = per_tab({n: p.calls for n, p in presses.items()})
    assert max(cost.values()) <= 1.1 * min(cost.values()), cost
    assert cost[40] <= most_a_tab, cost
    assert presses[40].actions == presses[12].actions  # the same writes, whatever the book


def test_build_team_sheet_reads_every_worker_of_the_40_tabs(books):
    done = press(entry.build_team_sheet, books[40])
    assert "40 workers, 2026-10" in done.status


@pytest.mark.parametrize("button", [entry.validate_sheet, entry.build_team_sheet])
def test_more_table_rows_or_more_names_in_the_book_cost_no_more_calls(books, tmp_path, button):
    plain = press(button, books[12]).calls
    rows = book_of_tabs(tmp_path, 12, rows=4 * layout.DEFAULT_TABLE_ROWS)
    names = book_of_tabs(tmp_path, 12, names=300)
    assert press(button, rows).calls == plain
    assert press(button, names).calls == plain


def test_the_count_sees_every_call_the_reading_makes(books):
    """The counter can fail: reading every one of the book's names is two calls (the
    collection, its count) and four a name (its handle and text as xlwings lists them, then
    its text and reference as we read them), and a sheet's used range is counted by name."""
    book = remote.book(books[12], "Worker 1")
    names = len(remote.payload(books[12])["names"])
    with remote.counting_calls() as calls:
        found = [(n.name, n.refers_to) for n in book.names]
    assert len(found) == names
    assert calls.total == 2 + 4 * names
    with remote.counting_calls() as calls:
        values = book.sheets["Worker 1"].used_range.options(ndim=2).value
    assert calls.by_member.get("Sheet.used_range") == 1 and values[0]


def test_a_name_the_sheet_lacks_is_looked_up_in_the_books_names_once(make_sheet):
    """The sheet's own names come first; only a name it lacks sends the press to the book's
    whole list (read once), where the workbook-wide FTE is found, as the file reader finds it."""

    def rescope(ws, wb, sheet):
        name = ws.defined_names.pop("FTE")
        wb.defined_names["FTE"] = DefinedName("FTE", attr_text=name.attr_text)

    sheet = make_sheet(valid_content()).edit(rescope)
    book = remote.book(sheet.path)
    with remote.counting_calls() as calls:
        entry.validate_sheet(book)
    actions = book.json()["actions"]
    assert calls.by_member["Book.names"] == 1
    assert "'Measurement': no problems found." in str(actions[-1]["values"])
    gone = make_sheet(valid_content()).edit(lambda ws, wb, s: ws.defined_names.pop("FTE"))
    book = remote.book(gone.path)
    entry.validate_sheet(book)
    assert "name-missing" in repr(book.json()["actions"])
