"""The add-in's spreadsheet functions, called through xlwings' own custom-function server.

`xlwings.server.custom_functions_call` is what xlwings Server and xlwings Lite run when Excel
calculates a cell: it applies the `@xw.arg`/`@xw.ret` conversions, so these tests see the
functions exactly as a worksheet does (ranges in as 2-D lists, arrays out).
"""

from __future__ import annotations

import asyncio
import math

import pytest
import xlwings as xw
from openpyxl import load_workbook
from xlwings import server

from workload_xl.contracts import worker as layout
from workload_xl.excel import udfs
from workload_xl.services.validate import validate_files

from .conftest import CSC, valid_content


def call(name: str, *args):
    data = {
        "func_name": name,
        "args": list(args),
        "version": xw.__version__,
        "client": "Office.js",
        "runtime": "1.4",
        "culture_info_name": "en-GB",
        "caller_address": "Sheet1!Z1",
    }
    return asyncio.run(server.custom_functions_call(data, udfs))


def column(*values):
    return [[v] for v in values]


def test_points_for_a_column_of_items_in_one_call_times_quantity(registry):
    scheme = registry.get(CSC)
    cin, duty = scheme.item_by_label("Child in need"), scheme.item_by_label("Duty day")
    result = call(
        "wl_points",
        column("Child in need", "Duty day", "", "child IN need"),
        column(None, 3, None, 2),
        [[CSC]],
    )
    assert result == [[cin.points], [duty.points * 3], [""], [cin.points * 2]]


def test_points_name_what_is_wrong_row_by_row_or_for_the_whole_call():
    result = call(
        "wl_points",
        column("Child in need", "Nonsense", "Duty day"),
        column(None, None, -1),
        [[CSC]],
    )
    assert result[1] == [f"'Nonsense' is not an item of the scheme {CSC}."]
    assert result[2] == ["The quantity must be above 0, or blank for 1."]
    assert call("wl_points", column("Duty day"), None, [["no-such-scheme"]])[0][0].startswith(
        "'no-such-scheme' is not a scheme this tool knows"
    )
    uneven = call("wl_points", column("Duty day", "Duty day"), column(1, 2, 3), [[CSC]])
    assert uneven == [
        [
            "The ranges are different sizes (2 × 1 and 3 × 1 cells): give ranges "
            "of the same rows, or a single cell."
        ]
    ]


def test_check_gives_each_row_the_message_validation_gives_its_cell(make_sheet):
    content = valid_content()
    content.lines[0]["agreed_points"] = 999
    content.lines[1]["agreed_points"] = "lots"
    content.lines[3]["agreed_points"] = 7  # duty day x3 gives 6: adjusted, a warning
    sheet = make_sheet(content)
    expected = {}
    for f in validate_files([sheet.path]).report.findings:
        if f.field == "Agreed points":
            expected[f.cell] = f.message
    ws = load_workbook(sheet.path)[layout.MEASUREMENT_SHEET]
    cells = [sheet.table_cell("agreed_points", i) for i in range(len(content.lines))]

    def read(key):
        return column(*(ws[sheet.table_cell(key, i)].value for i in range(len(content.lines))))

    result = call("wl_check", read("item"), read("quantity"), read("agreed_points"), [[CSC]])
    assert {cells[i]: row[0] for i, row in enumerate(result) if row[0]} == expected
    assert len(expected) == 3


def test_points_per_fte_broadcasts_one_fte_and_refuses_impossible_ftes():
    assert call("wl_per_fte", column(30, 45, None), [[0.75]]) == [[40.0], [60.0], [""]]
    bad = call("wl_per_fte", column(30, 30), column(0, 1.5))
    assert bad == [
        ["FTE is 0; it must be at least 0.01 and at most 1."],
        ["FTE is 1.5; it must be at least 0.01 and at most 1."],
    ]


def test_load_against_expected_is_points_over_reference_times_band_factor_times_fte():
    # the children's scheme: 100 points a month, Newly qualified (ASYE) 0.9, Social worker 1.0
    bands = column("Newly qualified (ASYE)", "Social worker", "social-worker", "Social worker")
    got = call("wl_load", column(81, 100, 84, None), column(0.9, 1, 0.8, 1), bands, [[CSC]])
    assert got == [[pytest.approx(1.0)], [pytest.approx(1.0)], [pytest.approx(1.05)], [""]]
    (unknown,) = call("wl_load", [[90]], [[1]], [["Manager"]], [[CSC]])
    assert "'Manager' is not a band of the scheme" in unknown[0] and "Social worker" in unknown[0]
    (fte,) = call("wl_load", [[90]], [[2]], [["Social worker"]], [[CSC]])
    assert fte == ["FTE is 2; it must be at least 0.01 and at most 1."]


def test_the_lite_add_in_offers_every_function():
    from workload_xl.excel import lite

    assert {f.__name__ for f in udfs.UDFS} <= set(lite.__all__)
    assert all(getattr(lite, f.__name__) is f for f in udfs.UDFS)


def test_capa_functions_give_the_published_worked_example():
    # CAPA: one weekly session gives 2 x 11.25 / 7.5 = 3 new Core Partnerships a quarter;
    # 11 Core hours are 11 / 3.5 sessions, about 9.4.
    result = call("capa_new_core", column(3.5, 11, None))
    assert result[0] == [pytest.approx(3.0)]
    assert result[1][0] == pytest.approx(11 / 3.5 * 3) and round(result[1][0], 1) == 9.4
    assert result[2] == [""]
    assert call("capa_new_core", [[7]], None, None, None, [[7]])[0][0] == pytest.approx(
        7 / 3.5 * 2 * 11.25 / 7
    )
    assert call("capa_choice_needed", column(12, 0)) == [[12.0], [0.0]]
    assert call("capa_balance", column(9, 12), column(12, 12)) == [[0.75], [1.0]]


def test_capa_functions_turn_bad_settings_and_inputs_into_messages():
    assert "must be more than 0" in call("capa_new_core", [[7]], None, None, None, [[0]])[0][0]
    assert call("capa_choice_needed", column(-3))[0][0].startswith("Accepted referrals")
    assert call("capa_balance", [[5]], [[0]]) == [
        ["Demand must be above 0 and capacity 0 or more."]
    ]


def test_capa_waiting_list_functions_give_the_nhs_worked_figures():
    # The white paper's list (Fong et al. 2022): 30 a week in, 27 out: load 30 ÷ 27 = 1.111;
    # a 52-week target: 30 × 52 ÷ 4 = 390 waiting; 1,200 waiting brought to 390 in 26 weeks
    # needs 30 + (1200 − 390) ÷ 26 = 61.15 a week.
    load = call("capa_load", column(30, 0, 5, None), column(27, 0, 0, 3))
    assert load[0] == [pytest.approx(30 / 27)]
    assert load[1] == [0.0]  # no demand and no capacity: nothing queues
    assert load[2] == ["There is no capacity: the list grows without limit."]
    assert load[3] == [""]
    assert call("capa_target_queue", column(30, 5), column(52, 6)) == [[390.0], [7.5]]
    relief = call("capa_relief_capacity", column(30, 5), column(1200, 40), column(52, 6), [[26]])
    # A CAMHS Choice list: 5 a week, 40 waiting, 6-week target (7.5 waiting), in 26 weeks:
    # 5 + (40 − 7.5) ÷ 26 = 6.25.
    assert relief == [[pytest.approx(30 + 810 / 26)], [pytest.approx(6.25)]]


def test_capa_weeks_to_target_at_present_capacity_or_why_never():
    # 4 a week in, 6 out, 10 waiting, 6-week target (4 × 6 ÷ 4 = 6 waiting): (10 − 6) ÷ 2 = 2.
    result = call(
        "capa_weeks_to_target", column(4, 4, 4), column(6, 6, 4), column(10, 5, 10), [[6]]
    )
    assert result[0] == [pytest.approx(2.0)]
    assert result[1] == [0.0]  # 5 waiting is within the target of 6 already
    assert result[2] == [
        "Never at present capacity: capacity must be above demand for the list to come down."
    ]


def test_capa_waiting_list_functions_name_a_bad_argument():
    assert call("capa_target_queue", [[5]], [[0]]) == [["The target wait must be above 0."]]
    assert call("capa_relief_capacity", [[5]], [[-1]], [[6]], [[13]]) == [
        ["The number waiting must be 0 or more."]
    ]
    assert call("capa_relief_capacity", [[5]], [[40]], [[6]], [[0]]) == [
        ["The number of weeks must be above 0."]
    ]
    assert call("capa_load", [["lots"]], [[3]]) == [["The demand is not a number: type a number."]]


HOSTILE = ["#N/A", "#REF!", True, 1e308, -1e308, float("nan"), " 3 ", "三", "=1+1", "x" * 5000]


@pytest.mark.parametrize("value", HOSTILE, ids=[repr(v)[:12] for v in HOSTILE])
def test_no_argument_gives_a_traceback_in_a_cell(value):
    for name, args in (
        ("wl_points", (column(value), column(value), [[value]])),
        ("wl_points", (column(value), None, [[CSC]])),
        ("wl_check", (column(value), column(value), column(value), [[CSC]])),
        ("wl_per_fte", (column(value), column(value))),
        ("capa_choice_needed", (column(value),)),
        ("capa_new_core", (column(value), [[value]], None, None, None)),
        ("capa_balance", (column(value), column(value))),
        ("capa_load", (column(value), column(value))),
        ("capa_target_queue", (column(value), column(value))),
        ("capa_relief_capacity", (column(value), column(value), [[value]], [[value]])),
        ("capa_weeks_to_target", (column(value), column(value), [[value]], [[value]])),
    ):
        result = call(name, *args)
        cell = result[0][0]
        assert isinstance(cell, float | int | str), (name, cell)
        if isinstance(cell, str):
            assert "Traceback" not in cell and "Error" not in cell and len(cell) < 300
        else:
            assert not math.isnan(cell) or value != value  # NaN only ever from a NaN given


def test_every_function_has_a_description_and_help_for_each_argument():
    meta = server.custom_functions_meta(udfs)["functions"]
    assert {f["name"] for f in meta} == {f.__name__.upper() for f in udfs.UDFS}
    for function in meta:
        assert function["description"], function["name"]
        for parameter in function["parameters"]:
            assert parameter["description"], (function["name"], parameter["name"])


def test_a_bug_inside_a_function_is_a_short_message_in_its_cell_not_a_traceback(monkeypatch):
    def broken(*_args, **_kwargs):
        raise ZeroDivisionError("deep inside")

    monkeypatch.setattr(udfs, "check_entry", broken)
    result = call(
        "wl_check", column("Child in need", ""), column(1, None), column(5, None), [[CSC]]
    )
    assert result[0][0].startswith("This could not be worked out (ZeroDivisionError)")
    assert result[1] == [""]  # the empty row still answers
    assert "Traceback" not in result[0][0] and "deep inside" not in result[0][0]


def test_a_broken_scheme_file_is_a_message_in_the_cell(tmp_path, monkeypatch):
    from workload_xl import excel

    (tmp_path / "broken.toml").write_text('id = "broken"\nitems = "not a list"\n')
    monkeypatch.setenv("WORKLOAD_XL_SCHEMES", str(tmp_path))
    excel.registry.cache_clear()
    try:
        result = call("wl_points", column("Duty day"), None, [["broken"]])
    finally:
        excel.registry.cache_clear()  # the next test loads the real schemes again
    assert result[0][0].startswith("A points scheme file is wrong:")
    assert "broken.toml" in result[0][0] and "Traceback" not in result[0][0]


def test_the_fte_help_in_excel_states_the_one_fte_range():
    """The function's help is read from source as a literal for the VBA wrappers, so it cannot
    use the constant: this keeps the two in step."""
    import inspect

    from workload_xl.core.values import FTE_RANGE

    assert f"Full-time equivalent, {FTE_RANGE} " in inspect.getsource(udfs)
