"""XmR charts: every mean, moving range and limit worked out by hand here, never read back.

Each series is small enough to add up in a comment. Rules are checked on a series built to fire
them and on a near miss that must not, and results are compared as flattened lists of
(index, rules, variation) for the points that stand out.
"""

from __future__ import annotations

import math

import pytest

from workload_xl.core.spc import RULES, VARIATIONS, SpcSettings, Wording, describe, xmr

HIGH, LOW, COMMON = "special cause high", "special cause low", "common"
OUT, RUN, TREND, TWO = "outside-limits", "run-one-side", "trend", "two-of-three"

# The baseline most tests start from: twelve months with only common-cause variation.
BASELINE = [10, 13, 12, 14, 11, 12, 13, 10, 12, 14, 11, 12]
# Sum: 10+13+12+14+11+12+13+10+12+14+11+12 = 144, so the mean is 144 / 12 = 12.
MEAN = 12
# Moving ranges: |13-10|=3, |12-13|=1, |14-12|=2, |11-14|=3, |12-11|=1, |13-12|=1, |10-13|=3,
# |12-10|=2, |14-12|=2, |11-14|=3, |12-11|=1; sum 22 over 11 ranges, so the mean is 2.
MOVING_RANGES = [None, 3, 1, 2, 3, 1, 1, 3, 2, 2, 3, 1]
MR_BAR = 2
UPPER = 12 + 2.66 * 2  # 17.32
LOWER = 12 - 2.66 * 2  # 6.68
UPPER_2S = 12 + 2 / 3 * 2.66 * 2  # 12 + 3.5467 = 15.5467
LOWER_2S = 12 - 2 / 3 * 2.66 * 2  # 12 - 3.5467 = 8.4533

TEAM, MEASURE = "Team North", "mean points per FTE"
# April 2025 to March 2026 for the baseline, so April 2026 is the first point after it.
MONTHS = [f"{year}-{month:02d}" for year in (2025, 2026, 2027) for month in range(1, 13)][3:]


def special(points):
    """The points that stand out, flattened: (index, rules, variation)."""
    return [(p.index, p.rules, p.variation) for p in points if p.rules]


def marked(indices, rules, variation):
    return [(i, rules, variation) for i in indices]


# --- limits -------------------------------------------------------------------------------


def test_the_mean_and_mean_moving_range_come_from_a_twelve_point_baseline():
    points = xmr(BASELINE)
    assert [p.mean for p in points] == [MEAN] * 12
    assert [p.mean_moving_range for p in points] == pytest.approx([MR_BAR] * 12)
    assert [p.moving_range for p in points] == MOVING_RANGES
    assert not any(p.trial for p in points)


def test_the_process_limits_are_the_mean_plus_or_minus_2_66_mean_moving_ranges():
    points = xmr(BASELINE)
    assert [p.upper_limit for p in points] == pytest.approx([17.32] * 12)
    assert [p.lower_limit for p in points] == pytest.approx([6.68] * 12)


def test_the_two_sigma_lines_lie_two_thirds_of_the_way_to_the_limits():
    points = xmr(BASELINE)
    # (2/3) × 2.66 × 2 = 3.546666…: 15.546666… above the mean, 8.453333… below.
    assert [p.upper_two_sigma for p in points] == pytest.approx([15.5466667] * 12)
    assert [p.lower_two_sigma for p in points] == pytest.approx([8.4533333] * 12)


def test_a_baseline_of_common_cause_variation_marks_nothing():
    points = xmr(BASELINE)
    assert special(points) == []
    assert {p.variation for p in points} == {COMMON}


def test_points_after_the_baseline_are_judged_against_the_baseline_limits():
    points = xmr([*BASELINE, 40, 0, 25])
    # Had all 15 values been used, the mean would be (144 + 65) / 15 = 13.93.
    assert {(p.mean, p.upper_limit, p.lower_limit) for p in points} == {(MEAN, UPPER, LOWER)}
    # 40 and 25 lie above 17.32, 0 below 6.68: each outside the limits, its own signal. (The
    # old two-of-three also marked 40 and 25, two of three beyond the upper two-sigma line.)
    assert special(points) == [(12, (OUT,), HIGH), (13, (OUT,), LOW), (14, (OUT,), HIGH)]


def test_a_series_shorter_than_the_baseline_gets_trial_limits_from_all_its_points():
    points = xmr([5, 7, 4, 6, 5, 8, 6, 7])
    # Mean: (5+7+4+6+5+8+6+7) / 8 = 48 / 8 = 6.
    # Moving ranges: 2, 3, 2, 1, 3, 2, 1; sum 14 over 7 ranges = 2.
    assert all(p.trial for p in points)
    assert [p.mean for p in points] == [6] * 8
    assert [p.mean_moving_range for p in points] == pytest.approx([2] * 8)
    assert [p.upper_limit for p in points] == pytest.approx([6 + 2.66 * 2] * 8)  # 11.32
    assert [p.lower_limit for p in points] == pytest.approx([6 - 2.66 * 2] * 8)  # 0.68
    assert [p.upper_two_sigma for p in points] == pytest.approx([9.5466667] * 8)


def test_a_recalculation_point_gives_each_segment_its_own_baseline_and_limits():
    settings = SpcSettings(baseline=4, recalculate_at=(6,))
    points = xmr([10, 12, 10, 12, 11, 12, 20, 23, 20, 17, 19, 21], settings=settings)
    # Segment 0: baseline 10, 12, 10, 12: mean 44 / 4 = 11; ranges 2, 2, 2: mean 2.
    # Limits 11 ± 5.32 = 16.32 and 5.68, also for 11 and 12 after the baseline.
    # Segment 1: baseline 20, 23, 20, 17: mean 80 / 4 = 20; ranges 3, 3, 3: mean 3.
    # Limits 20 ± 2.66 × 3 = 20 ± 7.98 = 27.98 and 12.02. The jump 12 → 20 is in neither.
    assert [p.segment for p in points] == [0] * 6 + [1] * 6
    assert [p.mean for p in points] == [11] * 6 + [20] * 6
    assert [p.mean_moving_range for p in points] == pytest.approx([2] * 6 + [3] * 6)
    assert [p.upper_limit for p in points] == pytest.approx([16.32] * 6 + [27.98] * 6)
    assert [p.lower_limit for p in points] == pytest.approx([5.68] * 6 + [12.02] * 6)
    assert points[6].moving_range is None
    assert not any(p.trial for p in points)
    assert special(points) == []


def test_a_run_does_not_cross_a_recalculation_point():
    values = [10, 14, 10, 14, 13, 13, 13, 9, 13, 9]
    # One segment: baseline 10, 14, 10, 14 has mean 12, so 14, 13, 13, 13 (indices 3 to 6) are
    # four in a row above it: a run of 3 or more.
    assert special(xmr(values, settings=SpcSettings(baseline=4, run_length=3))) == marked(
        range(3, 7), (RUN,), HIGH
    )
    # Recalculated at 5: segment 0 ends with 14, 13 above its mean 12 (two); segment 1 has
    # baseline 13, 13, 9, 13 with mean 48 / 4 = 12 and starts 13, 13 above it (two).
    settings = SpcSettings(baseline=4, run_length=3, recalculate_at=(5,))
    assert special(xmr(values, settings=settings)) == []


# --- outside-limits -----------------------------------------------------------------------


def test_a_point_above_the_upper_limit_is_special_cause_high():
    assert special(xmr([*BASELINE, 18])) == [(12, (OUT,), HIGH)]  # 18 > 17.32


def test_a_point_below_the_lower_limit_is_special_cause_low():
    assert special(xmr([*BASELINE, 6])) == [(12, (OUT,), LOW)]  # 6 < 6.68


def test_points_just_inside_the_limits_are_common_cause():
    # 17.3 < 17.32 and 6.7 > 6.68; each is beyond a two-sigma line, but alone.
    assert special(xmr([*BASELINE, 17.3])) == []
    assert special(xmr([*BASELINE, 6.7])) == []


# --- run-one-side -------------------------------------------------------------------------


def test_seven_points_in_a_row_above_the_mean_are_a_run():
    # The baseline ends on 12, the mean itself, so the run starts with the first 13.
    points = xmr([*BASELINE, 13, 14, 13, 14, 13, 14, 13])
    assert special(points) == marked(range(12, 19), (RUN,), HIGH)


def test_seven_points_in_a_row_below_the_mean_are_a_run():
    # 10 and 11 are below 12 but above the lower two-sigma line 8.45.
    points = xmr([*BASELINE, 11, 10, 11, 10, 11, 10, 11])
    assert special(points) == marked(range(12, 19), (RUN,), LOW)


def test_six_points_in_a_row_are_no_run_when_seven_are_needed():
    assert special(xmr([*BASELINE, 13, 14, 13, 14, 13, 14])) == []


def test_six_points_in_a_row_are_a_run_when_the_user_chooses_six():
    points = xmr([*BASELINE, 13, 14, 13, 14, 13, 14], settings=SpcSettings(run_length=6))
    assert special(points) == marked(range(12, 18), (RUN,), HIGH)


def test_a_point_exactly_on_the_mean_breaks_a_run():
    # Three above, one on the mean (12), four above: seven above the mean, but not in a row.
    assert special(xmr([*BASELINE, 13, 14, 13, 12, 13, 14, 13, 14])) == []
    # Just above the mean instead, all eight are in one run.
    points = xmr([*BASELINE, 13, 14, 13, 12.5, 13, 14, 13, 14])
    assert special(points) == marked(range(12, 20), (RUN,), HIGH)


def test_a_value_on_the_mean_but_for_rounding_still_breaks_a_run():
    # Baseline 0.1, 0.3, 0.2: the mean is 0.6 / 3 = 0.2, which floating point makes
    # 0.19999999999999998; the value 0.2 is on it all the same, so 0.3, 0.2, 0.3, 0.3 is no run.
    settings = SpcSettings(baseline=3, run_length=3)
    assert special(xmr([0.1, 0.3, 0.2, 0.3, 0.3], settings=settings)) == []


# --- trend --------------------------------------------------------------------------------


def test_seven_rising_points_are_a_trend_high_even_below_the_mean():
    # 12 (the last of the baseline) falls to 9, so the trend starts at 9: seven points, six
    # rises. 9, 10 and 11 are below the mean, yet a rising trend is high.
    points = xmr([*BASELINE, 9, 10, 11, 12.5, 13, 14, 15])
    assert special(points) == marked(range(12, 19), (TREND,), HIGH)


def test_six_rising_points_are_no_trend_when_seven_are_needed():
    # 12 falls to 10, so the rise is 10, 11, 12.5, 13, 14, 15: six points.
    assert special(xmr([*BASELINE, 10, 11, 12.5, 13, 14, 15])) == []
    points = xmr([*BASELINE, 10, 11, 12.5, 13, 14, 15], settings=SpcSettings(run_length=6))
    assert special(points) == marked(range(12, 18), (TREND,), HIGH)


def test_seven_falling_points_are_a_trend_low_even_above_the_mean():
    # 12 rises to 15, so the fall starts at 15: 15, 14, 13, 11.5, 11, 10, 9.
    points = xmr([*BASELINE, 15, 14, 13, 11.5, 11, 10, 9])
    assert special(points) == marked(range(12, 19), (TREND,), LOW)


def test_a_value_equal_to_the_one_before_breaks_a_trend():
    # 9, 10, 11 then 11 again, then 12.5, 13, 14, 15: eight values, no seven strictly rising.
    assert special(xmr([*BASELINE, 9, 10, 11, 11, 12.5, 13, 14, 15])) == []


# --- two-of-three -------------------------------------------------------------------------


def test_two_of_three_points_above_the_upper_two_sigma_line_mark_those_two():
    # 16 > 15.55 twice in 16, 13, 16; the 13 between them is not marked.
    points = xmr([*BASELINE, 16, 13, 16])
    assert special(points) == [(12, (TWO,), HIGH), (14, (TWO,), HIGH)]


def test_two_of_three_points_below_the_lower_two_sigma_line_are_low():
    # 8 < 8.45 twice in 8, 11, 8 (and 8 > 6.68, inside the limits).
    points = xmr([*BASELINE, 8, 11, 8])
    assert special(points) == [(12, (TWO,), LOW), (14, (TWO,), LOW)]


def test_two_points_beyond_two_sigma_on_opposite_sides_are_not_two_of_three():
    # 16 is above 15.55 and 8 below 8.45: two beyond a two-sigma line, but not the same one.
    assert special(xmr([*BASELINE, 16, 12, 8])) == []


def test_two_points_beyond_two_sigma_four_periods_apart_are_not_two_of_three():
    assert special(xmr([*BASELINE, 16, 13, 13, 16])) == []


def test_all_three_between_the_two_sigma_line_and_the_limit_are_marked():
    # 16, 16.5 and 17 each lie between 15.55 and 17.32.
    assert special(xmr([*BASELINE, 16, 16.5, 17])) == marked(range(12, 15), (TWO,), HIGH)


def test_the_third_value_on_the_other_side_of_the_mean_is_not_two_of_three():
    # 16, 11, 16: two beyond the upper two-sigma line, but 11 is below the mean 12. The old
    # rule (any two of three beyond the same line) flagged 16 and 16; Making Data Count does
    # not, as the three are not all on one side.
    assert special(xmr([*BASELINE, 16, 11, 16])) == []


def test_a_value_on_the_mean_breaks_the_window_of_three():
    # 16, 12, 16: 12 is on the mean, on neither side (the old rule flagged 16 and 16).
    assert special(xmr([*BASELINE, 16, 12, 16])) == []


def test_a_gap_breaks_the_window_of_three():
    # 16, no value, 16: the missing period may have lain anywhere (the old rule flagged both).
    assert special(xmr([*BASELINE, 16, None, 16])) == []


def test_a_value_outside_the_limits_is_its_own_signal_and_does_not_count_towards_two_of_three():
    # 18 > 17.32 is outside; of 18, 16, 13 only 16 lies between 15.55 and 17.32, so there is no
    # two-of-three. The old rule counted 18 as beyond the two-sigma line: 18 and 16 were two of
    # three (18 marked both outside-limits and two-of-three).
    assert special(xmr([*BASELINE, 18, 16, 13])) == [(12, (OUT,), HIGH)]


def test_two_between_the_lines_beside_one_outside_are_two_of_three_without_it():
    # 18, 16, 16: 18 is outside the limits (its own signal, not counted); 16 and 16 lie between
    # 15.55 and 17.32, all three above the mean: two-of-three marks 16 and 16 only. The old
    # rule marked 18 as two-of-three as well.
    assert special(xmr([*BASELINE, 18, 16, 16])) == [
        (12, (OUT,), HIGH),
        (13, (TWO,), HIGH),
        (14, (TWO,), HIGH),
    ]
    # Below: 6 < 6.68 is outside; 8 and 8 lie between 6.68 and 8.45.
    assert special(xmr([*BASELINE, 6, 8, 8])) == [
        (12, (OUT,), LOW),
        (13, (TWO,), LOW),
        (14, (TWO,), LOW),
    ]


def test_a_value_on_the_limit_is_within_it_and_counts_towards_two_of_three():
    # 17.32 is on the upper limit (12 + 2.66 × 2), so not outside it; with 16 it makes two of
    # 17.32, 13, 16 between the upper lines, all above the mean.
    assert special(xmr([*BASELINE, 17.32, 13, 16])) == [(12, (TWO,), HIGH), (14, (TWO,), HIGH)]


def test_the_new_two_of_three_never_flags_a_value_the_old_rule_did_not():
    """The Making Data Count rule is the old one with two more conditions (all three on one
    side of the mean, values outside the limits not counted), so it can only flag fewer: on
    every series here a value it marks was beyond the same two-sigma line as another value
    of its window of three, which is what the old rule marked."""
    import random

    generator = random.Random(14)
    checked = 0
    for _ in range(200):
        values = [*BASELINE, *(generator.uniform(5, 19) for _ in range(12))]
        points = xmr(values)
        for point in points:
            if TWO not in point.rules:
                continue
            i = point.index
            windows = [points[k : k + 3] for k in range(max(12, i - 2), i + 1) if k + 3 <= 24]
            side = 1 if point.value > UPPER_2S else -1
            checked += 1
            assert any(
                sum(1 for q in w if side * (q.value - MEAN) > 2 / 3 * 2.66 * MR_BAR) >= 2
                for w in windows
            )
    assert checked > 20  # the series do show the pattern


def test_two_of_three_can_be_switched_off():
    settings = SpcSettings(two_sigma_of_three=False)
    assert special(xmr([*BASELINE, 16, 13, 16], settings=settings)) == []


# --- direction when patterns disagree -----------------------------------------------------


def test_a_point_outside_the_limits_keeps_that_direction_within_an_opposite_pattern():
    # 18 > 17.32 is outside; it also starts the fall 18, 15, 14, 13, 11, 10, 9.
    points = xmr([*BASELINE, 18, 15, 14, 13, 11, 10, 9])
    assert special(points) == [(12, (OUT, TREND), HIGH), *marked(range(13, 19), (TREND,), LOW)]


def test_a_point_in_a_high_and_a_low_pattern_takes_the_one_that_ends_later():
    # Run above the mean: 14, 13.5, 14, 13.8, 13.6, 13.4, 13.2 (indices 12 to 18).
    # Fall: 14, 13.8, 13.6, 13.4, 13.2, 11, 10 (indices 14 to 20), ending after the run.
    points = xmr([*BASELINE, 14, 13.5, 14, 13.8, 13.6, 13.4, 13.2, 11, 10])
    assert special(points) == [
        *marked([12, 13], (RUN,), HIGH),
        *marked(range(14, 19), (RUN, TREND), LOW),
        *marked([19, 20], (TREND,), LOW),
    ]


def test_patterns_that_end_together_go_by_the_order_of_the_rules():
    # 15.5, 15, …, 12.5: seven above the mean (a run, high) and seven falling (a trend, low),
    # both ending at index 18; run-one-side comes before trend in RULES. All stay below the
    # upper two-sigma line 15.55.
    points = xmr([*BASELINE, 15.5, 15, 14.5, 14, 13.5, 13, 12.5])
    assert special(points) == marked(range(12, 19), (RUN, TREND), HIGH)


def test_a_peak_shared_by_a_rise_and_a_fall_belongs_to_the_later_fall():
    # Baseline 10, 14, 10, 14: mean 12, ranges 4, 4, 4. Then 11, 12, 13 rise; 13, 12, 11 fall.
    settings = SpcSettings(baseline=4, run_length=3)
    points = xmr([10, 14, 10, 14, 11, 12, 13, 12, 11], settings=settings)
    assert special(points) == [*marked([4, 5], (TREND,), HIGH), *marked([6, 7, 8], (TREND,), LOW)]


# --- labels -------------------------------------------------------------------------------


def test_variation_is_labelled_neutrally_high_or_low():
    points = xmr([*BASELINE, 18, 6])
    assert [p.variation for p in points[-3:]] == [COMMON, HIGH, LOW]
    assert VARIATIONS == ("common", "special cause high", "special cause low", "no data")
    assert not any("improvement" in v or "concern" in v for v in VARIATIONS)


def test_rule_ids_are_the_four_documented_kebab_case_ids_each_with_help():
    assert list(RULES) == ["outside-limits", "run-one-side", "trend", "two-of-three"]
    assert all(text and text[0].isupper() for text in RULES.values())


def test_points_carry_their_labels_or_a_position():
    assert [p.label for p in xmr([1, 2], ["2026-01", "2026-02"])] == ["2026-01", "2026-02"]
    assert [p.label for p in xmr([1, 2])] == ["point 1", "point 2"]


# --- edge cases ---------------------------------------------------------------------------


def test_fewer_than_two_points_have_no_limits_and_no_rules():
    assert xmr([]) == []
    (point,) = xmr([5])
    lines = (point.mean, point.upper_limit, point.lower_limit, point.upper_two_sigma)
    assert lines == (None, None, None, None)
    assert (point.rules, point.variation, point.trial) == ((), COMMON, False)


def test_a_flat_series_has_every_line_on_the_mean_and_nothing_special():
    points = xmr([5] * 12)
    # Every moving range is 0, so the limits are 5 ± 2.66 × 0 = 5.
    assert {(p.mean, p.upper_limit, p.lower_limit, p.upper_two_sigma) for p in points} == {
        (5, 5, 5, 5)
    }
    assert special(points) == []


def test_a_later_point_off_a_flat_baseline_is_outside_the_limits():
    assert special(xmr([5] * 12 + [6])) == [(12, (OUT,), HIGH)]


def test_a_missing_value_keeps_its_place_but_no_moving_range_crosses_it():
    points = xmr([10, 12, None, 18, 16])
    # Present: 10, 12, 18, 16: mean 56 / 4 = 14. Ranges only between neighbours: |12-10| = 2
    # and |16-18| = 2, mean 2 (bridging the gap would add |18-12| = 6 and give 10 / 3).
    assert [p.value for p in points] == [10, 12, None, 18, 16]
    assert [p.moving_range for p in points] == [None, 2, None, None, 2]
    assert {(p.mean, p.mean_moving_range) for p in points} == {(14, 2)}
    assert [p.variation for p in points] == [COMMON, COMMON, "no data", COMMON, COMMON]
    assert all(p.trial for p in points)  # four values, fewer than 12


def test_the_baseline_counts_present_values_not_periods():
    settings = SpcSettings(baseline=4)
    points = xmr([10, None, 12, 10, 12, 30], settings=settings)
    # Baseline 10, 12, 10, 12 (the gap skipped): mean 11; ranges 2, 2 (none across the gap).
    # 30 > 11 + 5.32 = 16.32. Counting periods, the baseline would be 10, 12, 10 alone.
    assert {(p.mean, p.mean_moving_range) for p in points} == {(11, 2)}
    assert special(points) == [(5, (OUT,), HIGH)]


def test_a_missing_value_breaks_a_run():
    settings = SpcSettings(baseline=4, run_length=3)
    # Baseline 10, 14, 10, 14: mean 12. Then 13, 13, 13, 13: with 14 a run of five above it.
    assert special(xmr([10, 14, 10, 14, 13, 13, 13, 13], settings=settings)) == marked(
        range(3, 8), (RUN,), HIGH
    )
    # With the middle one missing: 14, 13 and 13, 13 are runs of two.
    assert special(xmr([10, 14, 10, 14, 13, None, 13, 13], settings=settings)) == []


def test_not_a_number_counts_as_missing():
    assert xmr([10, math.nan, 12])[1].value is None


@pytest.mark.parametrize(
    "settings",
    [
        {"baseline": 1},
        {"run_length": 2},
        {"run_length": 6.5},
        {"recalculate_at": (0,)},
        {"recalculate_at": (5, 3)},
        {"recalculate_at": (3, 3)},
    ],
)
def test_a_bad_setting_fails_when_it_is_made(settings):
    with pytest.raises(ValueError):
        SpcSettings(**settings)


def test_a_recalculation_beyond_the_series_is_refused():
    with pytest.raises(ValueError, match="only 3 values"):
        xmr([1, 2, 3], settings=SpcSettings(recalculate_at=(3,)))


@pytest.mark.parametrize(
    ("values", "labels"),
    [([1, 2, 3], ["a", "b"]), ([1, "2"], None), ([1, math.inf], None)],
)
def test_values_that_are_not_a_series_of_numbers_are_refused(values, labels):
    with pytest.raises(ValueError):
        xmr(values, labels)


# --- sentences ----------------------------------------------------------------------------

# How the trend report words a team's monthly series.
WORDS = Wording("this team", "the team's", "month", "months")


def test_the_summary_names_the_run_and_the_point_outside_the_limits():
    points = xmr([*BASELINE, 13, 14, 13, 14, 13, 14, 18], MONTHS[:19])
    assert describe(points, TEAM, MEASURE, wording=WORDS) == [
        "Team North: mean points per FTE was higher than the team's usual for 7 months in a "
        "row (2026-04 to 2026-10).",
        "Team North: mean points per FTE was unusually high for this team in 2026-10.",
    ]


def test_the_summary_names_a_falling_trend_and_a_point_below_the_limit():
    points = xmr([*BASELINE, 15, 14, 13, 11.5, 11, 10, 9, 6], MONTHS[:20])
    assert describe(points, TEAM, MEASURE, wording=WORDS) == [
        "Team North: mean points per FTE was falling for 8 months in a row (2026-04 to 2026-11).",
        "Team North: mean points per FTE was unusually low for this team in 2026-11.",
    ]


def test_the_summary_names_the_periods_close_to_the_edge_of_the_usual_range():
    points = xmr([*BASELINE, 16, 13, 16], MONTHS[:15])
    assert describe(points, TEAM, MEASURE, wording=WORDS) == [
        "Team North: mean points per FTE was close to the top of the team's usual range twice "
        "in three months (2026-04 and 2026-06).",
    ]
    # 8, 8, 8 all lie between the lower two-sigma line 8.45 and the lower limit 6.68.
    points = xmr([*BASELINE, 8, 8, 8], MONTHS[:15])
    assert describe(points, TEAM, MEASURE, wording=WORDS) == [
        "Team North: mean points per FTE was close to the bottom of the team's usual range "
        "three times in three months (2026-04, 2026-05 and 2026-06).",
    ]


def test_the_summary_does_not_join_two_of_three_across_a_gap():
    # 16, 13, 16, no value, 16, 13, 16: two windows of three, each two-of-three; the gap
    # keeps them two sentences, not "4 times in 7 months".
    points = xmr([*BASELINE, 16, 13, 16, None, 16, 13, 16], MONTHS[:19])
    assert describe(points, TEAM, MEASURE, notes=False, wording=WORDS) == [
        "Team North: mean points per FTE was close to the top of the team's usual range twice "
        "in three months (2026-04 and 2026-06; no value for 2026-07).",
        "Team North: mean points per FTE was close to the top of the team's usual range twice "
        "in three months (2026-08 and 2026-10; no value for 2026-07).",
    ]


def test_the_summary_says_so_when_there_is_only_common_cause_variation():
    assert describe(xmr(BASELINE, MONTHS[:12]), TEAM, MEASURE, wording=WORDS) == [
        "Team North: mean points per FTE stayed within the team's usual range, with nothing "
        "unusual (2025-04 to 2026-03).",
    ]


def test_without_wording_a_series_is_described_in_general_words():
    points = xmr([*BASELINE, 13, 14, 13, 14, 13, 14, 18], MONTHS[:19])
    assert describe(points, "Series", "the value") == [
        "Series: the value was higher than its usual for 7 periods in a row (2026-04 to 2026-10).",
        "Series: the value was unusually high for this series in 2026-10.",
    ]


def test_the_summary_says_when_limits_are_trial_recalculated_or_missing_a_value():
    settings = SpcSettings(baseline=4, recalculate_at=(6,))
    values = [10, 12, 10, 12, None, 12, 20, 23, 20]
    assert describe(xmr(values, MONTHS[:9], settings), TEAM, MEASURE, wording=WORDS) == [
        "Team North: mean points per FTE stayed within the team's usual range, with nothing "
        "unusual (2025-04 to 2025-12).",
        "Team North: usual range worked out afresh from 2025-10.",
        "Team North: usual range provisional, from only 3 months (2025-10 to 2025-12).",
        "Team North: no value for 2025-08.",
    ]


def test_the_summary_says_when_there_are_too_few_values_for_limits():
    assert describe(xmr([5], ["2026-10"]), TEAM, MEASURE, wording=WORDS) == [
        "Team North: too few months to work out a usual range (2026-10).",
    ]


def test_the_summary_describes_a_rise_and_a_fall_that_share_a_peak_as_two_trends():
    settings = SpcSettings(baseline=4, run_length=3)
    points = xmr([10, 14, 10, 14, 11, 12, 13, 12, 11], settings=settings)
    assert describe(points, TEAM, MEASURE, wording=WORDS) == [
        "Team North: mean points per FTE was rising for 3 months in a row (point 5 to point 7).",
        "Team North: mean points per FTE was falling for 3 months in a row (point 7 to point 9).",
    ]


def test_the_summary_does_not_call_one_step_down_between_two_rises_a_trend():
    # Baseline 10, 14, 10, 14 (mean 12); then 11, 12, 13 rise, 13 → 11.5 falls once,
    # and 11.5, 12.5, 13.5 rise: every value from 11 on is marked as part of a trend.
    settings = SpcSettings(baseline=4, run_length=3)
    points = xmr([10, 14, 10, 14, 11, 12, 13, 11.5, 12.5, 13.5], settings=settings)
    assert special(points) == marked(range(4, 10), (TREND,), HIGH)
    assert describe(points, TEAM, MEASURE, wording=WORDS) == [
        "Team North: mean points per FTE was rising for 3 months in a row (point 5 to point 7).",
        "Team North: mean points per FTE was rising for 3 months in a row (point 8 to point 10).",
    ]


def test_the_summary_does_not_join_runs_across_a_recalculation_point():
    # Segment 0: baseline 10, 14, 10, 14 (mean 12), then 13, 13, 13: 14, 13, 13, 13 run above.
    # Segment 1 (from index 7): baseline 13, 13, 13, 9 (mean 48 / 4 = 12, ranges 0, 0, 4, mean
    # 4 / 3), so 13, 13, 13 run above it too; 9 and 11 stay inside 12 ± 2.66 × 4 / 3 = 12 ± 3.55.
    settings = SpcSettings(baseline=4, run_length=3, recalculate_at=(7,))
    points = xmr([10, 14, 10, 14, 13, 13, 13, 13, 13, 13, 9, 11], settings=settings)
    assert describe(points, TEAM, MEASURE, wording=WORDS) == [
        "Team North: mean points per FTE was higher than the team's usual for 4 months in a "
        "row (point 4 to point 7).",
        "Team North: mean points per FTE was higher than the team's usual for 3 months in a "
        "row (point 8 to point 10).",
        "Team North: usual range worked out afresh from point 8.",
    ]


def test_a_sentence_about_a_run_names_the_missing_periods_and_why():
    # Baseline 10, 14, 10, 14: mean 12, moving ranges 4, 4, 4. Then 13, a gap of two, 13, 13,
    # 13: 14, 13 is a run of two; the last three above 12 are a run of 3.
    settings = SpcSettings(baseline=4, run_length=3)
    points = xmr([10, 14, 10, 14, 13, None, None, 13, 13, 13], MONTHS[:10], settings)
    missing = {"2025-09": "no return"}
    assert describe(points, TEAM, MEASURE, missing=missing, wording=WORDS) == [
        "Team North: mean points per FTE was higher than the team's usual for 3 months in a "
        "row (2025-11 to 2026-01; no return for 2025-09; no value for 2025-10).",
        "Team North: no return for 2025-09; no value for 2025-10.",
    ]


def test_three_or_more_missing_periods_in_a_row_are_named_as_a_span():
    settings = SpcSettings(baseline=4, run_length=3)
    values = [10, 14, 10, 14, None, None, None, 13, 13, 13, None]
    points = xmr(values, MONTHS[:11], settings)
    assert describe(points, TEAM, MEASURE, notes=False, wording=WORDS) == [
        "Team North: mean points per FTE was higher than the team's usual for 3 months in a "
        "row (2025-11 to 2026-01; no value for 2025-08 to 2025-10 and 2026-02).",
    ]


@pytest.mark.parametrize(
    "values",
    [
        [*BASELINE, 13, 14, 13, 14, 13, 14, 18],
        [*BASELINE, 15, 14, 13, 11.5, 11, 10, 9, 6],
        [*BASELINE, 16, 13, 16, 8, 8, 8],
        [*BASELINE, 40, 0, 25],
        [5],
        [10, 12, 10, 12, None, 12, 20, 23, 20],
    ],
)
def test_no_sentence_a_manager_reads_uses_the_statisticians_words(values):
    settings = SpcSettings(baseline=4, recalculate_at=(6,)) if len(values) == 9 else SpcSettings()
    points = xmr(values, MONTHS[: len(values)], settings)
    text = " ".join(describe(points, TEAM, MEASURE, wording=WORDS)).casefold()
    for word in ("sigma", "process limit", "limit", "special cause", "common cause", "trial"):
        assert word not in text
