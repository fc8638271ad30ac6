"""CAPA job-plan maths: every number is the published worked example or worked out by hand here.

Findings are compared as flattened lists of (field, rule), so a test says exactly which
problems a bad input gives and that it gives no others.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from dataclasses import replace

import pytest

from workload_xl.core import capa as capa_module
from workload_xl.core.capa import (
    STATUSES,
    Absence,
    CapaSettings,
    Clinician,
    balance,
    capacity_lost,
    check,
    check_absences,
    check_job_plans,
    check_settings,
    choice_delivered_per_week,
    choice_needed_per_week,
    choice_slots_per_week,
    core_needed_per_quarter,
    core_sessions_per_week,
    hours_per_new_core,
    load,
    new_core_per_quarter,
    relief_capacity,
    target_queue_size,
    team_choice_per_week,
    team_new_core_per_quarter,
    working_days,
)
from workload_xl.core.findings import Refused, Severity
from workload_xl.core.rules import RULES

DEFAULTS = CapaSettings()
EVERY_WEEK = CapaSettings(working_weeks_per_year=52)
"""A service whose clinicians work all 52 weeks: Choice slots are delivered as planned, so a
test of a sentence's wording and rounding is not also a test of the two clocks."""

# A small team whose job plans add up exactly to their contracted hours.
# Asha: 2 + 17.5 + 4 + 5 + 2 + 2 + 3 + 1 + 1 = 37.5 hours.
ASHA = Clinician(
    "Asha",
    "Clinical psychologist",
    37.5,
    choice=2,
    core=17.5,
    specific=4,
    big_admin=5,
    team_meeting=2,
    supervision=2,
    cpd=3,
    travel=1,
    other=1,
)
# Ben: 2 + 14 + 6 + 2 + 2 + 2 + 7.5 + 1 + 1 = 37.5 hours.
BEN = Clinician(
    "Ben",
    "Mental health nurse",
    37.5,
    choice=2,
    core=14,
    big_admin=6,
    team_meeting=2,
    supervision=2,
    cpd=2,
    management=7.5,
    travel=1,
    other=1,
)
# Cara works part time (0.6 FTE): 1 + 10.5 + 4 + 2 + 1.5 + 1.5 + 2 = 22.5 hours.
CARA = Clinician(
    "Cara",
    "Family therapist",
    22.5,
    choice=1,
    core=10.5,
    big_admin=4,
    team_meeting=2,
    supervision=1.5,
    cpd=1.5,
    other=2,
)
TEAM = [ASHA, BEN, CARA]
# Choice: 2 + 2 + 1 = 5 appointments in a working week; over the year's 52 weeks, of which 45
# are worked, 5 × 45 / 52 = 4.3269 a week.
# Core: 17.5 + 14 + 10.5 = 42 hours = 42 / 3.5 = 12 sessions; 12 × 2 × 11.25 / 7.5 = 36.
TEAM_CHOICE = 5 * 45 / 52


def flat(findings):
    return [(f.field, f.rule) for f in findings]


def core_only(hours):
    return Clinician("Core clinician", contracted_hours=max(hours, 37.5), core=hours)


def choice_only(hours):
    return Clinician("Choice clinician", choice=hours)


# --- the published worked examples ---------------------------------------------------------


def test_a_quarter_has_a_quarter_of_45_working_weeks():
    assert DEFAULTS.working_weeks_per_quarter == 11.25


def test_one_weekly_core_session_gives_three_new_partnerships_a_quarter():
    # The CAPA worked example: 2 appointments × 11.25 weeks ÷ 7.5 appointments = 3.
    assert new_core_per_quarter(1) == pytest.approx(3)


def test_eleven_core_hours_give_about_9_4_new_partnerships_a_quarter():
    # 11 hours ÷ 3.5 hours a session = 3.142857 sessions; × 3 = 9.428571.
    clinician = Clinician("X", core=11)
    sessions = core_sessions_per_week(clinician)
    assert sessions == pytest.approx(11 / 3.5)
    assert new_core_per_quarter(sessions) == pytest.approx(9.428571, abs=1e-6)
    assert round(new_core_per_quarter(sessions), 1) == 9.4


def test_one_core_hour_gives_about_0_86_new_partnerships_a_quarter():
    # 3 ÷ 3.5 = 0.857 new partnerships a quarter per weekly hour; the inverse is
    # 3.5 ÷ 3 = 1.1667 weekly Core hours for each new partnership a quarter.
    assert new_core_per_quarter(1 / 3.5) == pytest.approx(0.857142, abs=1e-6)
    assert hours_per_new_core() == pytest.approx(7 / 6)


def test_services_using_seven_appointments_and_11_5_weeks_get_their_own_numbers():
    # 46 working weeks ÷ 4 = 11.5; 2 × 11.5 ÷ 7 = 3.285714.
    settings = CapaSettings(working_weeks_per_year=46, mean_core_appointments=7)
    assert new_core_per_quarter(1, settings) == pytest.approx(23 / 7)


def test_choice_appointments_needed_equal_accepted_referrals():
    assert choice_needed_per_week(12) == 12
    assert choice_needed_per_week(0) == 0


def test_choice_slots_are_choice_hours_divided_by_hours_per_appointment():
    assert choice_slots_per_week(ASHA) == 2
    # Booked in half-day sessions instead: 3.5 hours ÷ 1.75 = 2 appointments.
    assert choice_slots_per_week(choice_only(3.5), CapaSettings(hours_per_appointment=1.75)) == 2


def test_choice_delivered_a_week_counts_leave_once_in_45_weeks_of_52():
    # 6 slots in a working week, 45 working weeks a year: 6 × 45 ÷ 52 = 5.1923 a week on the
    # 52-week clock referrals arrive on (not 6, which overstates Choice by 52/45).
    assert choice_delivered_per_week(choice_only(6)) == pytest.approx(5.192308, abs=1e-6)
    # 46 working weeks: 6 × 46 ÷ 52 = 5.3077.
    settings = CapaSettings(working_weeks_per_year=46)
    assert choice_delivered_per_week(choice_only(6), settings) == pytest.approx(5.307692, abs=1e-6)
    # An hour of Choice delivers 45/52 of an appointment a week, so one more takes 52/45 hours.
    assert capa_module.hours_per_choice() == pytest.approx(52 / 45)


def test_core_needed_is_referrals_times_13_weeks_a_quarter_times_transfer_rate():
    # Referrals arrive in all 13 weeks of a quarter: 1 × 13 × 0.68 = 8.84, not 11.25 × 0.68.
    assert DEFAULTS.weeks_per_quarter == 13
    assert core_needed_per_quarter(1) == pytest.approx(8.84)
    # 6 × 8.84 = 53.04.
    assert core_needed_per_quarter(6) == pytest.approx(53.04)
    # A service counting 12 weeks a quarter: 6 × 12 × 0.68 = 48.96.
    assert core_needed_per_quarter(6, CapaSettings(weeks_per_quarter=12)) == pytest.approx(48.96)


@pytest.mark.parametrize("transfer_rate", [0.66, 0.68, 0.70])
def test_the_rule_of_thumb_need_is_8_6_to_9_1_times_weekly_referrals(transfer_rate):
    # 13 × 0.66 = 8.58, 13 × 0.68 = 8.84, 13 × 0.70 = 9.10: the published 8–9.
    per_referral = core_needed_per_quarter(1, CapaSettings(transfer_rate=transfer_rate))
    assert per_referral == pytest.approx(13 * transfer_rate)
    assert 8.5 < per_referral < 9.2


@pytest.mark.parametrize("transfer_rate", [0.66, 0.70])
@pytest.mark.parametrize("times", [8.5, 9])
def test_a_team_with_8_to_9_times_its_weekly_referrals_in_new_core_is_in_balance(
    times, transfer_rate
):
    # 10 accepted referrals a week and new Core Partnerships a quarter of 8.5 or 9 × 10: 85 or
    # 90. Each weekly session gives 3, so 85 ÷ 3 = 28.33 sessions = 99.17 Core hours.
    # Need 10 × 13 × 0.66 = 85.8 or × 0.70 = 91: ratios 85 ÷ 91 = 0.934 to 90 ÷ 85.8 = 1.049,
    # all within 10%.
    team = [core_only(times * 10 / 3 * 3.5)]
    settings = CapaSettings(transfer_rate=transfer_rate)
    result = balance(team, 10, settings)
    assert result.core.capacity == pytest.approx(times * 10)
    assert result.core.need == pytest.approx(10 * 13 * transfer_rate)
    assert result.core.status == "in balance"
    assert result.core.sentence.startswith("Core Partnership capacity is in balance with demand")


def test_the_old_clock_would_have_called_a_short_team_in_balance():
    # 91 Core hours (26 sessions, 78 a quarter) and 11 referrals a week: need 11 × 13 × 0.68 =
    # 97.24, 78 ÷ 97.24 = 0.802: 20% short. Over 11.25 weeks the need would be 84.15 and the
    # team only 7% short, "in balance".
    result = balance([core_only(91)], 11)
    assert result.core.need == pytest.approx(97.24)
    assert result.core.ratio == pytest.approx(78 / 97.24)
    assert result.core.sentence == (
        "Core Partnership capacity is 20% short of demand: about 19 new cases a quarter."
    )


# --- Specific Partnership: its own stream --------------------------------------------------


def test_one_weekly_specific_session_gives_its_own_episodes_a_quarter():
    # 2 appointments a session × 11.25 working weeks ÷ 12 appointments an episode = 1.875.
    assert capa_module.new_specific_per_quarter(1) == pytest.approx(1.875)
    # Asha's 4 Specific hours are 4 ÷ 3.5 = 1.1429 sessions: 1.1429 × 1.875 = 2.1429.
    assert capa_module.specific_sessions_per_week(ASHA) == pytest.approx(4 / 3.5)
    assert capa_module.team_new_specific_per_quarter(TEAM) == pytest.approx(2.142857, abs=1e-6)
    # A service with 1 Specific appointment a session and episodes of 6: 1 × 11.25 ÷ 6.
    settings = CapaSettings(specific_appointments_per_session=1, mean_specific_appointments=6)
    assert capa_module.new_specific_per_quarter(1, settings) == pytest.approx(1.875)
    # One more a quarter takes 3.5 × 12 ÷ (2 × 11.25) = 1.8667 weekly Specific hours.
    assert capa_module.hours_per_new_specific() == pytest.approx(3.5 * 12 / 22.5)


def test_specific_need_is_referrals_times_13_weeks_times_the_share_needing_it():
    # 10 referrals a week × 13 weeks × 10% = 13 new Specific Partnerships a quarter.
    assert capa_module.specific_needed_per_quarter(10) == pytest.approx(13)
    # A service where a quarter of referrals need Specific work: 10 × 13 × 0.25 = 32.5.
    settings = CapaSettings(specific_share=0.25)
    assert capa_module.specific_needed_per_quarter(10, settings) == pytest.approx(32.5)


def test_specific_partnership_has_its_own_balance_line_and_sentence():
    # TEAM, 4 referrals: need 4 × 1.3 = 5.2; capacity 2.1429; 0.412: 59% short, gap 3.06.
    result = balance(TEAM, 4)
    side = result.specific
    assert (side.activity, side.unit) == ("Specific Partnership", "new cases a quarter")
    assert side.need == pytest.approx(5.2)
    assert side.capacity == pytest.approx(2.142857, abs=1e-6)
    assert side.status == "short"
    # 3.0571 new cases × 1.8667 hours each = 5.7067 weekly Specific hours short.
    assert side.gap_hours == pytest.approx(-(5.2 - 2.142857142857) * 3.5 * 12 / 22.5)
    assert side.sentence == (
        "Specific Partnership capacity is 59% short of demand: about 3 new cases a quarter."
    )
    assert result.sentences == (result.choice.sentence, result.core.sentence, side.sentence)
    assert result.sides == (result.choice, result.core, side)


def test_a_team_with_enough_specific_hours_is_in_balance_and_no_share_is_no_demand():
    # 7 Specific hours = 2 sessions = 3.75 a quarter; 3 referrals need 3 × 1.3 = 3.9: 0.962.
    specialist = Clinician("Specialist", specific=7)
    assert balance([specialist], 3).specific.sentence == (
        "Specific Partnership capacity is in balance with demand: 4% short of it, within the "
        "10% tolerance."
    )
    none = balance([specialist], 3, CapaSettings(specific_share=0)).specific
    assert (none.need, none.ratio, none.status) == (0, None, "surplus")
    assert none.sentence == (
        "There is no demand for Specific Partnership; its capacity is about 4 new cases a quarter."
    )


# --- team totals and co-therapy -----------------------------------------------------------


def test_team_capacity_adds_every_clinicians_slots_part_time_included():
    assert team_choice_per_week(TEAM) == pytest.approx(TEAM_CHOICE)
    assert team_new_core_per_quarter(TEAM) == pytest.approx(36)
    # Cara alone: 10.5 hours = 3 sessions = 9 new partnerships a quarter.
    assert team_new_core_per_quarter([CARA]) == pytest.approx(9)


def test_co_therapy_divides_team_capacity_by_one_plus_its_rate():
    settings = CapaSettings(co_therapy_rate=0.25)
    # 4.3269 ÷ 1.25 = 3.4615 appointments a week; 36 ÷ 1.25 = 28.8 new partnerships a quarter.
    assert team_choice_per_week(TEAM, settings) == pytest.approx(3.461538, abs=1e-6)
    assert team_new_core_per_quarter(TEAM, settings) == pytest.approx(28.8)
    # A clinician's own slots are not divided.
    assert choice_slots_per_week(ASHA, settings) == 2


# --- balance ------------------------------------------------------------------------------


def test_the_example_team_is_in_balance_for_choice_and_core_with_four_referrals_a_week():
    result = balance(TEAM, 4)
    # Choice: 4.3269 ÷ 4 = 1.082, 8% above, within 10%.
    assert result.choice.capacity == pytest.approx(TEAM_CHOICE)
    assert (result.choice.need, result.choice.ratio) == (4, pytest.approx(TEAM_CHOICE / 4))
    # The gap in weekly job-plan hours: 5 hours planned against 4 × 52/45 = 4.6222 needed.
    assert result.choice.gap_hours == pytest.approx(5 - 4 * 52 / 45)
    assert result.choice.status == "in balance"
    # Core: need 4 × 13 × 0.68 = 35.36; 36 ÷ 35.36 = 1.018, 2% above, within 10%.
    assert result.core.need == pytest.approx(35.36)
    assert result.core.ratio == pytest.approx(36 / 35.36)
    assert result.core.gap == pytest.approx(0.64)
    # 0.64 new partnerships × 7/6 hours each = 0.7467 weekly Core hours to spare.
    assert result.core.gap_hours == pytest.approx(0.64 * 7 / 6)
    assert result.core.status == "in balance"
    assert result.sentences[:2] == (
        "Choice capacity is in balance with demand: 8% above it, within the 10% tolerance.",
        "Core Partnership capacity is in balance with demand: 2% above it, within the 10% "
        "tolerance.",
    )


def test_with_five_referrals_the_example_team_is_short_of_both():
    # Choice 4.3269 ÷ 5 = 0.865: 13% short, 0.67 of an appointment (about 1).
    # Core 36 ÷ (5 × 8.84 = 44.2) = 0.814: 19% short, 8.2 new cases (about 8).
    result = balance(TEAM, 5)
    assert result.sentences[:2] == (
        "Choice capacity is 13% short of demand: about 1 appointment a week.",
        "Core Partnership capacity is 19% short of demand: about 8 new cases a quarter.",
    )


def test_core_capacity_11_percent_short_reads_as_a_sentence():
    # 46 Core hours ÷ 3.5 × 3 = 39.43 new a quarter; need 5 × 8.84 = 44.2;
    # 39.43 ÷ 44.2 = 0.892 (11% short), gap 4.77 (about 5).
    result = balance([core_only(46)], 5)
    assert result.core.status == "short"
    assert result.core.gap == pytest.approx(46 / 3.5 * 3 - 44.2)
    assert result.core.sentence == (
        "Core Partnership capacity is 11% short of demand: about 5 new cases a quarter."
    )


@pytest.mark.parametrize(
    ("choice_hours", "status"),
    [
        # 9 referrals a week; h hours of Choice deliver h × 45/52 a week.
        (9.3, "short"),  # 8.048 ÷ 9 = 0.894: just beyond 10% short
        (9.36, "in balance"),  # 8.1 ÷ 9 = 0.90: on the edge counts as in balance
        (10.4, "in balance"),  # 9 ÷ 9 = 1
        (11.44, "in balance"),  # 9.9 ÷ 9 = 1.10: on the edge, whatever the float rounding
        (11.5, "surplus"),  # 9.952 ÷ 9 = 1.106: just beyond 10% above
    ],
)
def test_choice_status_turns_on_either_side_of_the_tolerance(choice_hours, status):
    assert balance([choice_only(choice_hours)], 9).choice.status == status


@pytest.mark.parametrize(
    ("sessions", "status"),
    [
        # Transfer 0.8 makes need 10 × 13 × 0.8 = 104; each session gives 3.
        (31, "short"),  # 93 ÷ 104 = 0.894
        (32, "in balance"),  # 96 ÷ 104 = 0.923
        (38, "in balance"),  # 114 ÷ 104 = 1.096
        (39, "surplus"),  # 117 ÷ 104 = 1.125
    ],
)
def test_core_status_turns_on_either_side_of_the_tolerance(sessions, status):
    settings = CapaSettings(transfer_rate=0.8)
    assert balance([core_only(sessions * 3.5)], 10, settings).core.status == status


def test_a_wider_tolerance_moves_the_edge():
    settings = CapaSettings(balance_tolerance=0.2)
    # 9.5 hours deliver 8.22 a week: 0.822 of 10; 9 hours deliver 7.79: 0.779.
    assert balance([choice_only(9.5)], 10, settings).choice.status == "in balance"
    assert balance([choice_only(9)], 10, settings).choice.status == "short"


def test_choice_shortfall_is_given_in_appointments_and_in_clinician_hours():
    # 9 slots with 50% co-therapy deliver 9 × 45/52 ÷ 1.5 = 5.1923 a week; need 10; gap
    # -4.8077 appointments (about 5), 48% short. Each appointment a week takes 1 hour × 1.5
    # clinicians × 52/45 = 1.7333 weekly hours: 10 need 17.333 against the 9 planned, -8.333.
    result = balance([choice_only(9)], 10, CapaSettings(co_therapy_rate=0.5))
    assert result.choice.gap == pytest.approx(9 * 45 / 52 / 1.5 - 10)
    assert result.choice.gap_hours == pytest.approx(9 - 10 * 1.5 * 52 / 45)
    assert result.choice.sentence == (
        "Choice capacity is 48% short of demand: about 5 appointments a week."
    )


def test_surplus_sentences_say_how_much_more_than_needed():
    def said(hours, referrals):
        return balance([choice_only(hours)], referrals, EVERY_WEEK).choice.sentence

    assert said(13, 10) == (
        "Choice capacity is 30% above demand: about 3 appointments a week more than needed."
    )
    # 2.4 ÷ 2 = 1.2: 20% above, 0.4 of an appointment.
    assert said(2.4, 2) == (
        "Choice capacity is 20% above demand: less than 1 appointment a week more than needed."
    )
    # 12.5 ÷ 10: 25% above; 2.5 appointments round half up to 3.
    assert said(12.5, 10) == (
        "Choice capacity is 25% above demand: about 3 appointments a week more than needed."
    )
    # 8.6 ÷ 10: 14% short; 1.4 appointments round to 1, in the singular.
    assert said(8.6, 10) == "Choice capacity is 14% short of demand: about 1 appointment a week."


def test_no_referrals_means_any_capacity_is_a_surplus_with_no_ratio():
    result = balance(TEAM, 0)
    assert (result.choice.ratio, result.choice.status) == (None, "surplus")
    # 4.3269 appointments a week: about 4.
    assert result.choice.sentence == (
        "There is no demand for Choice; its capacity is about 4 appointments a week."
    )
    empty = balance([], 0)
    assert empty.core.status == "in balance"
    assert empty.core.sentence == "There is no demand for Core Partnership and no capacity for it."


def test_every_status_is_one_of_three_words():
    assert STATUSES == ("in balance", "short", "surplus")


# --- job plans ----------------------------------------------------------------------------


def test_a_team_whose_job_plans_add_up_has_no_findings():
    assert check_job_plans(TEAM, DEFAULTS) == []
    assert [c.unallocated_hours for c in TEAM] == [0, 0, 0]


def test_activity_hours_above_contracted_hours_are_an_error():
    # 37.5 + 2 = 39.5 hours of activities against 37.5 contracted: 2 hours over.
    over = replace(ASHA, travel=3)
    assert over.unallocated_hours == -2
    (found,) = check_job_plans([over], DEFAULTS)
    assert (found.field, found.rule, found.severity) == (
        "contracted_hours",
        "capa-hours-over-contract",
        Severity.ERROR,
    )
    assert found.message == (
        "Asha's job plan has 39.5 hours of activities a week but 37.5 hours contracted: "
        "2 hours too many. Take hours out of activities."
    )


def test_unallocated_hours_above_the_tolerance_are_information():
    # Cara with 1 hour less of other tasks: 1 hour unallocated, on the tolerance: no finding.
    assert check_job_plans([replace(CARA, other=1)], DEFAULTS) == []
    # 1.5 hours unallocated: information.
    (found,) = check_job_plans([replace(CARA, other=0.5)], DEFAULTS)
    assert (found.rule, found.severity) == ("capa-hours-unallocated", Severity.INFO)
    assert found.message == (
        "1.5 hours of Cara's 22.5 hours contracted a week are in no activity of the job plan."
    )


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({"core": -2}, [("core", "capa-hours-invalid")]),
        ({"supervision": "two"}, [("supervision", "capa-hours-invalid")]),
        ({"cpd": math.nan}, [("cpd", "capa-hours-invalid")]),
        ({"contracted_hours": 0}, [("contracted_hours", "capa-hours-invalid")]),
        ({"contracted_hours": -37.5}, [("contracted_hours", "capa-hours-invalid")]),
        ({"contracted_hours": None}, [("contracted_hours", "capa-hours-invalid")]),
    ],
)
def test_bad_hours_in_a_job_plan_are_each_an_error(changes, expected):
    found = check_job_plans([replace(BEN, **changes)], DEFAULTS)
    assert flat(found) == expected
    assert all(f.severity is Severity.ERROR for f in found)


def test_two_job_plans_with_one_name_are_an_error():
    assert flat(check_job_plans([ASHA, BEN, ASHA], DEFAULTS)) == [
        ("name", "capa-clinician-duplicate")
    ]


def test_balance_refuses_job_plans_with_negative_hours_but_counts_over_allocated_ones():
    with pytest.raises(Refused) as raised:
        balance([replace(ASHA, core=-1)], 5)
    assert flat(raised.value.findings) == [("core", "capa-hours-invalid")]
    assert balance([replace(ASHA, travel=3)], 5).choice.capacity == pytest.approx(2 * 45 / 52)


# --- settings -----------------------------------------------------------------------------


def test_the_default_settings_are_the_capa_ones_and_valid():
    assert (
        DEFAULTS.working_weeks_per_year,
        DEFAULTS.appointments_per_session,
        DEFAULTS.hours_per_session,
        DEFAULTS.mean_core_appointments,
        DEFAULTS.transfer_rate,
        DEFAULTS.co_therapy_rate,
        DEFAULTS.choice_target_weeks,
        DEFAULTS.core_target_weeks,
        DEFAULTS.balance_tolerance,
        DEFAULTS.hours_per_appointment,
    ) == (45, 2, 3.5, 7.5, 0.68, 0.0, 6, 4, 0.10, 1.0)
    assert DEFAULTS.weeks_per_quarter == 13
    assert (
        DEFAULTS.specific_share,
        DEFAULTS.mean_specific_appointments,
        DEFAULTS.specific_appointments_per_session,
    ) == (0.10, 12, 2)
    assert DEFAULTS.weeks_to_target == 13
    assert check_settings(DEFAULTS) == []


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("transfer_rate", 1.2),
        ("transfer_rate", -0.1),
        ("transfer_rate", "68%"),
        ("mean_core_appointments", 0),
        ("mean_core_appointments", -7.5),
        ("working_weeks_per_year", 0),
        ("working_weeks_per_year", 53),
        ("weeks_per_quarter", 0),
        ("weeks_per_quarter", 15),
        ("appointments_per_session", 0),
        ("hours_per_session", -3.5),
        ("hours_per_appointment", 0),
        ("choice_target_weeks", 0),
        ("core_target_weeks", -4),
        ("weeks_to_target", 0),
        ("weeks_to_target", 6.5),
        ("co_therapy_rate", 1.5),
        ("specific_share", 1.5),
        ("specific_share", -0.1),
        ("mean_specific_appointments", 0),
        ("specific_appointments_per_session", -1),
        ("balance_tolerance", -0.1),
        ("balance_tolerance", 1),
        ("unallocated_hours_tolerance", -1),
        ("hours_per_session", math.nan),
        ("hours_per_session", math.inf),
        ("appointments_per_session", True),
        ("mean_core_appointments", None),
        ("leave_in_working_weeks", ("holiday",)),
        ("leave_in_working_weeks", "annual leave"),
    ],
)
def test_each_bad_setting_gives_one_finding_naming_it(name, value):
    found = check_settings(replace(DEFAULTS, **{name: value}))
    assert flat(found) == [(name, "capa-setting-invalid")]
    assert found[0].severity is Severity.ERROR
    assert found[0].value is value


def test_a_settings_sheet_with_three_mistakes_shows_all_three():
    bad = CapaSettings(transfer_rate=68, mean_core_appointments=0, core_target_weeks=0)
    assert flat(check_settings(bad)) == [
        ("mean_core_appointments", "capa-setting-invalid"),
        ("transfer_rate", "capa-setting-invalid"),
        ("core_target_weeks", "capa-setting-invalid"),
    ]


def test_the_maths_refuses_bad_settings_with_the_same_findings():
    with pytest.raises(Refused) as raised:
        new_core_per_quarter(1, CapaSettings(mean_core_appointments=0))
    assert flat(raised.value.findings) == [("mean_core_appointments", "capa-setting-invalid")]
    assert "mean core appointments" in str(raised.value)


@pytest.mark.parametrize("referrals", [-1, "five", None, math.nan])
def test_bad_referrals_are_a_finding_and_balance_refuses_them(referrals):
    with pytest.raises(Refused) as raised:
        balance(TEAM, referrals)
    assert flat(raised.value.findings) == [("referrals_per_week", "capa-referrals-invalid")]


# --- absences -----------------------------------------------------------------------------

# The last quarter of 2025/26, 1 January to 31 March 2026 (1 January is a Thursday).
# January: Thu 1, Fri 2, then 5-9, 12-16, 19-23, 26-30 = 2 + 20 = 22 weekdays.
# February: 2-6, 9-13, 16-20, 23-27 = 20. March: 2-6, 9-13, 16-20, 23-27, Mon 30, Tue 31 = 22.
Q4 = (dt.date(2026, 1, 1), dt.date(2026, 3, 31))
Q4_DAYS = 22 + 20 + 22  # 64
# The first quarter of 2026/27, 1 April to 30 June 2026 (1 April is a Wednesday).
# April: 1-3, 6-10, 13-17, 20-24, 27-30 = 3 + 15 + 4 = 22. May: Fri 1, 4-8, 11-15, 18-22,
# 25-29 = 21. June: 1-5, 8-12, 15-19, 22-26, Mon 29, Tue 30 = 22.
Q1 = (dt.date(2026, 4, 1), dt.date(2026, 6, 30))
Q1_DAYS = 22 + 21 + 22  # 65

# Cara's maternity leave, Monday 16 February to Friday 14 August 2026, spans the boundary.
# In Q4: 16-20 and 23-27 February (10), 2-27 March (20), Mon 30 and Tue 31 March (2) = 32.
# In Q1: every weekday, 65.
MATERNITY = Absence("Cara", "maternity leave", dt.date(2026, 2, 16), dt.date(2026, 8, 14))
WEEK_SHARE = 45 / 52  # an absent weekday costs 45/52 of a day of job plan


def test_working_days_count_mondays_to_fridays_both_ends_included():
    assert working_days(*Q4) == Q4_DAYS == 64
    assert working_days(*Q1) == Q1_DAYS == 65
    assert working_days(dt.date(2026, 3, 28), dt.date(2026, 3, 29)) == 0  # a weekend
    assert working_days(dt.date(2026, 3, 27), dt.date(2026, 3, 30)) == 2  # Fri and Mon
    assert working_days(dt.date(2026, 3, 31), dt.date(2026, 3, 30)) == 0


def test_a_maternity_leave_counts_in_each_quarter_for_its_days_there():
    before = capacity_lost(TEAM, [MATERNITY], *Q4)
    (loss,) = before.losses
    assert (loss.clinician, loss.kinds, loss.working_days, loss.planned_days) == (
        "Cara",
        ("maternity leave",),
        32,
        0,
    )
    assert loss.fraction == pytest.approx(32 / 64)
    # 32 days = 6.4 weeks × 45/52 = 5.538 weeks of job plan.
    weeks = 32 / 5 * WEEK_SHARE
    assert loss.weeks == pytest.approx(weeks)
    assert loss.choice_slots == pytest.approx(1 * weeks)  # 1 Choice appointment a week
    # Part time, 22.5 contracted hours a week: 22.5 × 5.538 = 124.6 hours.
    assert loss.hours == pytest.approx(22.5 * weeks)
    # 3 sessions give 9 a quarter of 11.25 weeks: 9 × 5.538 ÷ 11.25 = 4.43.
    assert loss.new_core == pytest.approx(9 * weeks / 11.25)
    assert before.period_working_days == 64
    assert before.findings == ()

    (after,) = capacity_lost(TEAM, [MATERNITY], *Q1).losses
    assert (after.working_days, after.fraction) == (65, 1)
    # A whole quarter away loses exactly the quarter's capacity: 11.25 weeks, 9 partnerships.
    assert after.weeks == pytest.approx(11.25)
    assert after.new_core == pytest.approx(9)
    assert after.choice_slots == pytest.approx(11.25)
    assert after.hours == pytest.approx(22.5 * 11.25)
    assert after.new_specific == 0  # Cara has no Specific hours


def test_an_absence_costs_specific_partnerships_too():
    # Asha off sick all of Q1 (65 weekdays = 11.25 weeks of job plan): her whole quarter of
    # Specific capacity, 4 ÷ 3.5 × 1.875 = 2.1429, and of Core, 17.5 ÷ 3.5 × 3 = 15.
    sick = Absence("Asha", "long-term sickness", *Q1)
    lost = capacity_lost(TEAM, [sick], *Q1)
    (loss,) = lost.losses
    assert loss.new_specific == pytest.approx(2.142857, abs=1e-6)
    assert loss.new_core == pytest.approx(15)
    assert lost.team_new_specific == pytest.approx(2.142857, abs=1e-6)


def test_a_full_time_clinicians_absence_costs_their_own_job_plan():
    # Ben off sick Monday 2 to Friday 13 March: 10 weekdays = 2 weeks × 45/52 = 1.731 weeks.
    sick = Absence("Ben", "long-term sickness", dt.date(2026, 3, 2), dt.date(2026, 3, 13))
    (loss,) = capacity_lost(TEAM, [sick], *Q4).losses
    weeks = 2 * WEEK_SHARE
    assert loss.choice_slots == pytest.approx(2 * weeks)
    # 14 hours = 4 sessions = 12 a quarter; 12 × 1.731 ÷ 11.25 = 1.846.
    assert loss.new_core == pytest.approx(12 * weeks / 11.25)
    assert loss.hours == pytest.approx(37.5 * weeks)


def test_annual_leave_is_counted_as_days_away_but_costs_nothing_by_default():
    leave = Absence("Ben", "annual leave", dt.date(2026, 3, 23), dt.date(2026, 3, 27))
    (loss,) = capacity_lost(TEAM, [leave], *Q4).losses
    assert (loss.working_days, loss.planned_days, loss.fraction) == (5, 5, 0)
    assert (loss.choice_slots, loss.new_core, loss.hours) == (0, 0, 0)
    # A service that counts annual leave too: 5 days = 1 week × 45/52.
    counted = capacity_lost(TEAM, [leave], *Q4, CapaSettings(leave_in_working_weeks=()))
    assert counted.losses[0].choice_slots == pytest.approx(2 * WEEK_SHARE)


def test_a_costed_period_says_the_leave_it_does_not_count_again_and_why():
    leave = Absence("Ben", "annual leave", dt.date(2026, 3, 23), dt.date(2026, 3, 27))
    assert capacity_lost(TEAM, [leave, MATERNITY], *Q4).note == (
        "Annual leave is already inside the 45 working weeks a year, so it is not counted "
        "twice: the 5 days of it in this period cost no more capacity."
    )
    assert capacity_lost(TEAM, [MATERNITY], *Q4).note.endswith("none falls in this period.")
    both = CapaSettings(leave_in_working_weeks=("annual leave", "other"), working_weeks_per_year=46)
    one_day = Absence("Ben", "other", dt.date(2026, 3, 2), dt.date(2026, 3, 2))
    assert capacity_lost(TEAM, [one_day], *Q4, both).note == (
        "Annual leave and other are already inside the 46 working weeks a year, so they are "
        "not counted twice: the 1 day of them in this period costs no more capacity."
    )
    counted = CapaSettings(leave_in_working_weeks=())
    assert capacity_lost(TEAM, [leave], *Q4, counted).note.startswith(
        "Every absence is counted as capacity lost"
    )


def test_a_day_with_two_absences_counts_once_and_costs_if_either_does():
    # Sick 2-13 March (10 weekdays), annual leave 9-20 March (10): together 2-20 March, 15.
    # 9-13 March are both, and cost capacity; 16-20 March are only leave, and do not.
    absences = [
        Absence("Asha", "long-term sickness", dt.date(2026, 3, 2), dt.date(2026, 3, 13)),
        Absence("Asha", "annual leave", dt.date(2026, 3, 9), dt.date(2026, 3, 20)),
    ]
    (loss,) = capacity_lost(TEAM, absences, *Q4).losses
    assert (loss.working_days, loss.planned_days) == (15, 5)
    assert loss.fraction == pytest.approx(10 / 64)
    assert loss.kinds == ("long-term sickness", "annual leave")


def test_team_totals_add_clinicians_losses_and_allow_for_co_therapy():
    absences = [
        MATERNITY,
        Absence("Ben", "other", dt.date(2026, 3, 2), dt.date(2026, 3, 13)),
    ]
    settings = CapaSettings(co_therapy_rate=0.25)
    lost = capacity_lost(TEAM, absences, *Q4, settings)
    assert [x.clinician for x in lost.losses] == ["Ben", "Cara"]
    cara_weeks, ben_weeks = 32 / 5 * WEEK_SHARE, 10 / 5 * WEEK_SHARE
    assert lost.team_choice_slots == pytest.approx((1 * cara_weeks + 2 * ben_weeks) / 1.25)
    assert lost.team_hours == pytest.approx(22.5 * cara_weeks + 37.5 * ben_weeks)
    assert lost.period_weeks == pytest.approx(64 / 5 * WEEK_SHARE)


def test_an_absence_outside_the_period_costs_nothing_there():
    autumn = (dt.date(2025, 10, 1), dt.date(2025, 12, 31))
    assert capacity_lost(TEAM, [MATERNITY], *autumn).losses == ()


def test_dates_excel_hands_over_as_datetimes_are_read_as_days():
    absence = replace(MATERNITY, start=dt.datetime(2026, 2, 16), end=dt.datetime(2026, 8, 14))
    period = (dt.datetime(2026, 1, 1, 9, 0), dt.date(2026, 3, 31))
    (loss,) = capacity_lost(TEAM, [absence], *period).losses
    assert loss.working_days == 32


def test_an_absence_ending_before_it_starts_is_an_error_and_left_out():
    backwards = Absence("Ben", "long-term sickness", dt.date(2026, 3, 13), dt.date(2026, 3, 2))
    lost = capacity_lost(TEAM, [backwards, MATERNITY], *Q4)
    assert flat(lost.findings) == [("end", "capa-absence-dates-invalid")]
    assert lost.findings[0].severity is Severity.ERROR
    assert lost.findings[0].message == (
        "Ben's long-term sickness ends on 02 March 2026, before it starts on 13 March 2026; "
        "check the dates."
    )
    assert [x.clinician for x in lost.losses] == ["Cara"]


def test_an_absence_without_dates_is_an_error():
    assert flat(check_absences([Absence("Ben", "other", None, dt.date(2026, 3, 2))], TEAM)) == [
        ("start", "capa-absence-dates-invalid")
    ]


def test_an_absence_for_someone_without_a_job_plan_is_a_warning_and_left_out():
    stranger = replace(MATERNITY, clinician="Dev")
    lost = capacity_lost(TEAM, [stranger], *Q4)
    assert flat(lost.findings) == [("clinician", "capa-absence-clinician-unknown")]
    assert lost.findings[0].severity is Severity.WARNING
    assert lost.losses == ()


def test_an_absence_of_an_unknown_kind_is_a_warning_and_still_costs_capacity():
    odd = replace(MATERNITY, kind="secondment")
    lost = capacity_lost(TEAM, [odd], *Q4)
    assert flat(lost.findings) == [("kind", "capa-absence-kind-unknown")]
    assert lost.losses[0].fraction == pytest.approx(32 / 64)


def test_a_period_ending_before_it_starts_is_an_error_and_nothing_is_counted():
    lost = capacity_lost(TEAM, [MATERNITY], dt.date(2026, 3, 31), dt.date(2026, 1, 1))
    assert flat(lost.findings) == [("period", "capa-period-invalid")]
    assert lost.losses == ()


def test_check_gathers_settings_job_plans_and_absences_in_one_pass():
    found = check(
        CapaSettings(transfer_rate=2),
        [replace(ASHA, core=-1), BEN],
        [replace(MATERNITY, clinician="Dev")],
    )
    assert flat(found) == [
        ("transfer_rate", "capa-setting-invalid"),
        ("core", "capa-hours-invalid"),
        ("clinician", "capa-absence-clinician-unknown"),
    ]


def test_every_capa_finding_comes_from_the_one_rule_catalogue():
    import pathlib

    package = pathlib.Path(capa_module.__file__).parent
    source = "".join(module.read_text() for module in sorted(package.glob("*.py")))
    used = set(re.findall(r'"(capa-[a-z-]+)"', source))
    assert used and used <= set(RULES)


# --- queues -------------------------------------------------------------------------------


def test_load_is_demand_over_capacity_and_above_one_the_queue_grows():
    # The white paper's list (Fong et al. 2022): 30 a week in, 27 out: 30 ÷ 27 = 1.11.
    assert load(30, 27) == pytest.approx(1.1111, abs=1e-4)
    assert load(5, 0) == math.inf
    assert load(0, 0) == 0


def test_target_queue_size_is_demand_times_target_wait_over_four():
    # 30 a week with a 52-week target: 30 × 52 ÷ 4 = 390.
    assert target_queue_size(30, 52) == 390
    # A CAMHS Choice list: 5 referrals a week, 6-week target: 5 × 6 ÷ 4 = 7.5.
    assert target_queue_size(5, DEFAULTS.choice_target_weeks) == 7.5


def test_relief_capacity_clears_the_excess_over_the_weeks_given():
    # 30 + (1200 - 390) ÷ 26 = 30 + 31.15 = 61.15.
    assert relief_capacity(30, 1200, 390, 26) == pytest.approx(61.1538, abs=1e-4)
    # 5 + (40 - 7.5) ÷ 10 = 8.25; a queue below target needs less than demand.
    assert relief_capacity(5, 40, 7.5, 10) == 8.25
    assert relief_capacity(5, 2.5, 7.5, 10) == 4.5


def test_queue_formulas_refuse_impossible_inputs():
    with pytest.raises(ValueError):
        relief_capacity(5, 40, 7.5, 0)
    with pytest.raises(ValueError):
        target_queue_size(5, 0)
    with pytest.raises(ValueError):
        load(-1, 5)


# --- demand from a referral series -----------------------------------------------------------


def _week(monday: dt.date, referrals) -> capa_module.ReferralCount:
    return capa_module.ReferralCount(monday, monday + dt.timedelta(days=6), referrals)


def test_a_weekly_series_gives_the_mean_of_its_weeks():
    mondays = [dt.date(2026, 9, 7) + dt.timedelta(weeks=i) for i in range(6)]
    series = [_week(m, n) for m, n in zip(mondays, (4, 6, 5, 7, 3, 5), strict=True)]
    assert capa_module.demand_per_week(series) == pytest.approx(30 / 6)


def test_a_monthly_series_is_weighted_by_the_days_in_each_month():
    # September 30 days, 20 referrals; October 31 days, 31 referrals: 51 in 61 days.
    series = [
        capa_module.ReferralCount(dt.date(2026, 9, 1), dt.date(2026, 9, 30), 20),
        capa_module.ReferralCount(dt.date(2026, 10, 1), dt.date(2026, 10, 31), 31),
    ]
    assert capa_module.demand_per_week(series) == pytest.approx(51 / 61 * 7)
    mixed = [*series, _week(dt.date(2026, 11, 2), 9)]  # a week after the months
    assert capa_module.demand_per_week(mixed) == pytest.approx(60 / 68 * 7)


def test_a_bad_series_is_refused_with_a_finding_for_each_problem():
    bad = [
        capa_module.ReferralCount(dt.date(2026, 9, 1), dt.date(2026, 9, 30), 20),
        capa_module.ReferralCount(dt.date(2026, 9, 28), dt.date(2026, 10, 4), -1),  # overlaps, < 0
        capa_module.ReferralCount("last week", dt.date(2026, 1, 1), 2),
        capa_module.ReferralCount(
            dt.date(2026, 3, 9), dt.date(2026, 3, 2), 2
        ),  # ends before it starts
    ]
    with pytest.raises(Refused) as raised:
        capa_module.demand_per_week(bad)
    found = [(f.rule, f.field) for f in raised.value.findings]
    assert found == [
        ("capa-referrals-invalid", "referrals"),
        ("capa-referrals-invalid", "start"),
        ("capa-referrals-invalid", "end"),
        ("capa-referrals-invalid", "start"),  # the overlap, at the later count's start
    ]
    messages = " ".join(f.message for f in raised.value.findings)
    assert "'last week' to 2026-01-01" in messages and "overlaps" in messages
    with pytest.raises(Refused, match="empty"):
        capa_module.demand_per_week([])


# --- waiting lists --------------------------------------------------------------------------

# TEAM with 4 referrals a week: Choice demand 4 a week against 4.3269 delivered (load 0.924),
# target 4 × 6 ÷ 4 = 6 waiting. Core demand 4 × 0.68 = 2.72 new a week against 36 ÷ 13 =
# 2.7692 a week (load 0.982), target 2.72 × 4 ÷ 4 = 2.72 waiting.


def test_weeks_to_target_is_the_excess_over_the_weekly_surplus():
    # 10 waiting, target 6, 6 out and 4 in a week: (10 − 6) ÷ 2 = 2 weeks.
    assert capa_module.weeks_to_target(4, 6, 10, 6) == 2
    assert capa_module.weeks_to_target(4, 6, 5, 6) == 0  # within target already
    assert capa_module.weeks_to_target(4, 4, 10, 6) is None  # capacity only meets demand
    assert capa_module.weeks_to_target(5, 4, 10, 6) is None  # the list grows


def test_waiting_lists_on_the_capa_clocks_with_hand_worked_figures():
    choice, core = capa_module.waiting_lists(TEAM, 4, choice_waiting=20, core_waiting=10)
    assert (choice.demand, choice.capacity) == (4, pytest.approx(TEAM_CHOICE))
    assert choice.load == pytest.approx(4 / TEAM_CHOICE)
    assert choice.target_queue == 6
    # 4 + (20 − 6) ÷ 13 = 5.0769 a week, 0.75 more than the 4.3269 delivered; each more
    # appointment a week takes 52/45 hours: 0.8667 hours.
    assert choice.relief_capacity == pytest.approx(4 + 14 / 13)
    assert choice.extra_per_week == pytest.approx(0.75)
    assert choice.extra_hours == pytest.approx(0.75 * 52 / 45)
    # (20 − 6) ÷ (4.3269 − 4) = 42.82 weeks at present capacity.
    assert choice.weeks_at_present == pytest.approx(14 / (TEAM_CHOICE - 4))
    assert choice.sentence == (
        "The Choice waiting list has 20 waiting, above its target of about 6. At present "
        "capacity it reaches the target in about 43 weeks. To reach the target in 13 weeks "
        "needs about 5 appointments a week, about 1 more than now."
    )
    assert (core.demand, core.capacity) == (pytest.approx(2.72), pytest.approx(36 / 13))
    assert core.target_queue == pytest.approx(2.72)
    # 2.72 + (10 − 2.72) ÷ 13 = 3.28 a week, 0.5108 more; one more new Core a week is 13 a
    # quarter, 13 × 7/6 = 15.17 hours: 7.747 hours.
    assert core.relief_capacity == pytest.approx(3.28)
    assert core.extra_per_week == pytest.approx(3.28 - 36 / 13)
    assert core.extra_hours == pytest.approx((3.28 - 36 / 13) * 13 * 7 / 6)
    assert core.weeks_at_present == pytest.approx(7.28 / (36 / 13 - 2.72))  # 147.9
    assert core.sentence == (
        "The Core Partnership waiting list has 10 waiting, above its target of about 3. At "
        "present capacity it reaches the target in about 148 weeks. To reach the target in 13 "
        "weeks needs about 3 new Core Partnerships a week, about 1 more than now."
    )
    assert not choice.grows and not core.grows


def test_a_list_whose_load_is_above_one_grows_and_says_what_would_bring_it_down():
    # 5 referrals: Choice demand 5 against 4.3269, load 1.156 (16% above); target 7.5;
    # 5 + (20 − 7.5) ÷ 13 = 5.96 a week, 1.63 more than now.
    choice, core = capa_module.waiting_lists(TEAM, 5, choice_waiting=20)
    assert choice.grows and choice.weeks_at_present is None
    assert choice.load == pytest.approx(5 / TEAM_CHOICE)
    assert choice.relief_capacity == pytest.approx(5 + 12.5 / 13)
    assert choice.sentence == (
        "The Choice waiting list has 20 waiting, above its target of about 8. It grows: "
        "demand is 16% above capacity. To reach the target in 13 weeks needs about 6 "
        "appointments a week, about 2 more than now."
    )
    # Core: 3.4 a week against 2.7692, 23% above; no number waiting recorded.
    assert core.waiting is None and core.relief_capacity is None and core.extra_hours is None
    assert core.sentence == (
        "The Core Partnership waiting list grows: demand is 23% above capacity. Type the number "
        "waiting on the Team plan to see the capacity needed to reach its target."
    )


def test_a_list_within_its_target_says_so_and_whether_it_will_grow():
    (choice, _) = capa_module.waiting_lists(TEAM, 4, choice_waiting=5)
    assert (choice.weeks_at_present, choice.extra_per_week) == (0, 0)
    assert (
        choice.sentence
        == "The Choice waiting list is within its target: 5 waiting, target about 6."
    )
    (growing, _) = capa_module.waiting_lists(TEAM, 5, choice_waiting=5)
    assert growing.sentence == (
        "The Choice waiting list is within its target (5 waiting, target about 8) but grows: "
        "demand is 16% above capacity."
    )
    (unknown, _) = capa_module.waiting_lists(TEAM, 4)
    assert unknown.sentence == (
        "Type the number waiting for Choice on the Team plan to see how soon the list reaches "
        "its target."
    )


def test_a_list_that_capacity_only_matches_stays_and_one_with_room_comes_down_in_time():
    # 52 working weeks so 4 Choice hours deliver exactly 4 a week against 4 referrals.
    (stays, _) = capa_module.waiting_lists([choice_only(4)], 4, 10, None, EVERY_WEEK)
    # 4 + (10 − 6) ÷ 13 = 4.31 a week: 0.31 more, "less than 1".
    assert stays.weeks_at_present is None and not stays.grows
    assert stays.sentence == (
        "The Choice waiting list has 10 waiting, above its target of about 6. Capacity only "
        "meets demand, so it stays there. To reach the target in 13 weeks needs about 4 "
        "appointments a week, less than 1 more than now."
    )
    # 6 a week against 4: (10 − 6) ÷ 2 = 2 weeks, within the 13: no more capacity needed.
    (room, _) = capa_module.waiting_lists([choice_only(6)], 4, 10, None, EVERY_WEEK)
    assert room.weeks_at_present == 2 and room.extra_per_week == 0
    assert room.sentence == (
        "The Choice waiting list has 10 waiting, above its target of about 6. At present "
        "capacity it reaches the target in about 2 weeks."
    )


def test_no_capacity_for_a_list_is_said_and_its_load_is_none():
    (choice, _) = capa_module.waiting_lists([], 2, choice_waiting=10)
    assert choice.load is None and choice.grows
    # 2 + (10 − 3) ÷ 13 = 2.54 a week, all of it more than now.
    assert choice.relief_capacity == pytest.approx(2 + 7 / 13)
    assert choice.sentence == (
        "The Choice waiting list has 10 waiting, above its target of about 3. It grows: there "
        "is no capacity for it. To reach the target in 13 weeks needs about 3 appointments a "
        "week, about 3 more than now."
    )


def test_the_weeks_to_target_and_target_waits_are_settings():
    settings = CapaSettings(weeks_to_target=26, choice_target_weeks=4)
    (choice, _) = capa_module.waiting_lists(TEAM, 4, 20, None, settings)
    # Target 4 × 4 ÷ 4 = 4 waiting; 4 + (20 − 4) ÷ 26 = 4.615 a week.
    assert choice.target_queue == 4
    assert choice.relief_capacity == pytest.approx(4 + 16 / 26)
    assert "To reach the target in 26 weeks" in choice.sentence


@pytest.mark.parametrize("waiting", [-1, "twenty", math.nan])
def test_a_bad_number_waiting_is_a_finding_and_the_lists_refuse_it(waiting):
    assert flat(capa_module.check_waiting(waiting, "core")) == [
        ("core_waiting", "capa-waiting-invalid")
    ]
    with pytest.raises(Refused) as raised:
        capa_module.waiting_lists(TEAM, 4, core_waiting=waiting)
    assert flat(raised.value.findings) == [("core_waiting", "capa-waiting-invalid")]
    assert capa_module.check_waiting(None, "choice") == []
