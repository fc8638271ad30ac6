"""The calibrated rules of core.disparity on hand-made series: margins, runs, gaps, baselines."""

from __future__ import annotations

import pytest

from workload_xl.core.disparity import (
    SignalSettings,
    gaps_from_middle,
    lasting_run,
    movement,
    relative_loads,
    standing,
    trend_only,
)
from workload_xl.core.expected import expected_points, load_against_expected
from workload_xl.core.schemes import SchemeRegistry

SETTINGS = SignalSettings()


def test_expected_points_are_reference_times_band_factor_times_fte():
    scheme = SchemeRegistry.from_dir().get("childrens-social-care")
    assert expected_points(scheme, "Newly qualified (ASYE)", 0.8) == pytest.approx(100 * 0.9 * 0.8)
    assert expected_points(scheme, "asye", 1.0) == pytest.approx(90)  # the band's id too
    assert expected_points(scheme, "Advanced practitioner", 0.5) == pytest.approx(40)
    assert expected_points(scheme, "No such band", 1.0) is None
    assert expected_points(scheme, "Social worker", None) is None
    assert load_against_expected(81, 90) == pytest.approx(0.9)
    assert load_against_expected(81, None) is None


def test_without_an_expectation_a_load_is_points_per_fte_over_the_band_median():
    loads = relative_loads(
        {"a": None, "b": None, "c": None, "d": None, "e": 1.1},
        {"a": 80.0, "b": 100.0, "c": 120.0, "d": 50.0, "e": 110.0},
        {"a": "SW", "b": "sw", "c": "SW", "d": "Senior", "e": "Senior"},
        3,
    )
    # a, b, c: one band (case ignored), median 100; d alone in its band; e has its own load
    assert loads == {"a": 0.8, "b": 1.0, "c": 1.2, "e": 1.1}


def test_gaps_are_from_the_median_load_and_need_enough_workers():
    middle, gaps = gaps_from_middle({"a": 0.9, "b": 1.0, "c": 1.4}, 3)
    assert middle == 1.0 and gaps == pytest.approx({"a": -0.1, "b": 0.0, "c": 0.4})
    assert gaps_from_middle({"a": 0.9, "b": 1.4}, 3) == (None, {})
    assert [standing(g, 0.30) for g in (0.30, 0.29, -0.30, None)] == [1, 0, -1, 0]


def test_a_lasting_run_counts_back_from_the_latest_period_and_stops_at_a_gap():
    assert lasting_run([0.0, 0.13, 0.2, 0.12], SETTINGS) == 3
    assert lasting_run([0.2, 0.2, -0.13, -0.2, -0.5], SETTINGS) == -3
    assert lasting_run([0.2, 0.2, 0.11], SETTINGS) == 0  # the latest is inside the margin
    assert lasting_run([0.2, 0.2, None, 0.2, 0.2], SETTINGS) == 0  # a gap breaks the run
    assert lasting_run([0.2, 0.2, 0.2, -0.2, 0.2], SETTINGS) == 0


def test_a_shift_is_the_latest_run_above_the_mean_of_the_periods_before_it():
    before = [100, 98, 102, 99, 101, 100]  # mean 100
    up = [101, 104, 102, 103, 101, 105, 102]
    found = movement(before + up, SETTINGS)
    assert found is not None and (found.rule, found.direction, found.periods) == ("shift", 1, 7)
    assert found.baseline_mean == pytest.approx(100)
    assert movement(before[1:] + up, SETTINGS) is None  # only 5 periods before the run
    assert movement([*before, *up[:3], 100, *up[4:]], SETTINGS) is None  # one on the mean
    assert movement([*before, *up[:3], None, *up[4:]], SETTINGS) is None  # a gap in the run
    down = [99, 97, 98, 95, 96, 99, 94]
    assert movement(before + down, SETTINGS).direction == -1
    # the baseline is at most 12 periods: older ones do not count
    assert movement([200] * 5 + [100] * 12 + up, SETTINGS).rule == "shift"


def test_a_trend_is_seven_values_each_beyond_the_one_before():
    rising = [1, 2, 3, 4, 5, 6, 7]
    assert movement(rising, SETTINGS).rule == "trend"  # no baseline needed
    assert trend_only([9, *rising], SETTINGS).direction == 1
    assert trend_only([1, 2, 3, 4, 5, 6, 6], SETTINGS) is None  # equal values break it
    assert trend_only([1, 2, 3, 4, 5, 6], SETTINGS) is None  # too short
    shift_only = [100] * 6 + [101, 104, 102, 103, 101, 105, 102]
    assert movement(shift_only, SETTINGS).rule == "shift"
    assert trend_only(shift_only, SETTINGS) is None
    assert trend_only(rising, SignalSettings(run_length=5)).periods == 5


def test_settings_refuse_nonsense():
    with pytest.raises(ValueError):
        SignalSettings(disparity_margin=0.5)
    with pytest.raises(ValueError):
        SignalSettings(run_length=1)
    with pytest.raises(ValueError):
        SignalSettings(min_baseline=13)
