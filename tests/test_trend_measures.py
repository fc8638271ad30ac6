"""The trend report's team figures on hand-computed series (issue 14, first part).

A team's mean points per FTE is weighted by FTE (total points ÷ total FTE), so a part-timer
weighs what their FTE says; workers and teams are compared by load against expected, with
the team sheet's rules.
"""

from __future__ import annotations

from dataclasses import replace

import pytest

from workload_xl.core.returns import WorkerPeriod
from workload_xl.core.spc import SpcSettings
from workload_xl.core.trends import build_trend_report


def row(team: str, worker: str, period: str, fte: float, points: float) -> WorkerPeriod:
    return WorkerPeriod(
        worker=worker,
        band="Social worker",
        fte=fte,
        cases=1,
        total_points=points,
        counted=True,
        period=period,
        period_kind="month",
        team=team,
        service="Safeguarding",
    )


def test_a_teams_points_per_fte_is_its_total_points_over_its_total_fte():
    """100 points on 1.0 FTE and 30 on 0.2 FTE: 130 ÷ 1.2 = 108.33, not (100 + 150) ÷ 2."""
    rows = [row("North", "Ann", "2026-01", 1.0, 100.0), row("North", "Bo", "2026-01", 0.2, 30.0)]
    rows += [row("South", "Cy", "2026-01", 1.0, 90.0), row("South", "Di", "2026-01", 1.0, 110.0)]
    (service,) = build_trend_report(rows).services
    north, south = service.teams
    assert north.points_per_fte == [pytest.approx(130 / 1.2)]
    assert south.points_per_fte == [pytest.approx(100.0)]
    assert service.service_mean == [pytest.approx(330 / 3.2)]
    assert north.vs_service == [pytest.approx(130 / 1.2 - 330 / 3.2)]


def test_a_part_timers_high_figure_barely_moves_the_team():
    """Adding a 0.2 FTE worker at 150 points per FTE to ten full-timers at 95 moves the team
    by 0.2 × 55 ÷ 10.2 ≈ 1.08, not by 55 ÷ 11 = 5."""
    rows = [row("North", f"W{n}", "2026-01", 1.0, 95.0) for n in range(10)]
    rows.append(row("North", "Part", "2026-01", 0.2, 30.0))
    (service,) = build_trend_report(rows).services
    assert service.teams[0].points_per_fte[0] == pytest.approx((950 + 30) / 10.2)
    assert service.teams[0].points_per_fte[0] - 95 == pytest.approx(0.2 * 55 / 10.2)


def _above_service(months_run: int, north: float = 120.0, gap_at: int = 0) -> list[str]:
    """North on `north` points and South on 200 − that (1.0 FTE each, no expected points in
    the store, so each team's load is its points per FTE ÷ the service's, 100)."""
    rows = []
    for month in range(1, months_run + 1):
        if month == gap_at:
            continue
        period = f"2026-{month:02d}"
        rows += [
            row("North", "Ann", period, 1.0, north),
            row("South", "Cy", period, 1.0, 200 - north),
        ]
    report = build_trend_report(rows, settings=SpcSettings(run_length=7))
    return [line for line in report.summary if "the service's" in line]


def test_a_team_well_off_the_service_for_three_months_is_a_lasting_disparity():
    """The team sheet's rule between a worker and the team's middle, between a team and its
    service: at least 12 points of percentage off for at least 3 periods in a row."""
    assert _above_service(5) == [
        "Safeguarding: North: load against expected was higher than the service's by at least "
        "12 points for 5 months in a row (2026-01 to 2026-05): 120%, 120%, 120%, 120%, 120%, "
        "against the service's 100%, 100%, 100%, 100%, 100%.",
        "Safeguarding: South: load against expected was lower than the service's by at least "
        "12 points for 5 months in a row (2026-01 to 2026-05): 80%, 80%, 80%, 80%, 80%, "
        "against the service's 100%, 100%, 100%, 100%, 100%.",
    ]
    assert _above_service(2) == []  # two months are not yet lasting
    assert _above_service(5, north=111.0) == []  # 11 points off: within the margin
    # a month nobody returned ends a run: two, then two, is never four
    assert _above_service(5, gap_at=3) == []


def test_a_teams_load_uses_the_expected_points_the_store_keeps():
    """With expected points, a team is compared by total points ÷ total expected points: a
    team whose newly qualified workers carry their protected 90% reads as the service does."""
    rows = []
    for month in range(1, 5):
        period = f"2026-{month:02d}"
        rows += [
            replace(row("North", "Nia", period, 1.0, 90.0), expected_points=90.0),
            replace(row("North", "Ola", period, 1.0, 90.0), expected_points=90.0),
            replace(row("South", "Cy", period, 1.0, 100.0), expected_points=100.0),
            replace(row("South", "Di", period, 1.0, 100.0), expected_points=100.0),
        ]
    report = build_trend_report(rows)
    (service,) = report.services
    north = service.teams[0]
    assert north.load == [pytest.approx(1.0)] * 4 and north.against_service == [0.0] * 4
    assert north.vs_service[0] == pytest.approx(90 - 95)  # points per FTE still differ
    assert [line for line in report.summary if "service's" in line] == []


def test_the_report_says_how_the_team_figure_is_worked_out():
    from workload_xl.files.report_workbook import build_report_workbook

    rows = [row("North", "Ann", "2026-01", 1.0, 100.0), row("North", "Bo", "2026-01", 0.2, 30.0)]
    wb = build_report_workbook(build_trend_report(rows))
    text = " ".join(str(c.value) for r in wb["Summary"].iter_rows() for c in r if c.value)
    assert "total points ÷ their total FTE" in text


# --- gaps ---------------------------------------------------------------------------------

# Twelve months with only common-cause variation, one full-time worker, so points per FTE are
# the points: sum 100+130+120+140+110+120+130+100+120+140+110+120 = 1440, mean 1440 / 12 = 120;
# moving ranges 30, 10, 20, 30, 10, 10, 30, 20, 20, 30, 10: sum 220 over 11, mean 20. Limits
# 120 ± 2.66 × 20 = 66.8 and 173.2; the upper two-sigma line 120 + 2/3 × 53.2 = 155.47.
BASELINE = [100, 130, 120, 140, 110, 120, 130, 100, 120, 140, 110, 120]


def months(first_year: int, count: int) -> list[str]:
    return [f"{first_year + i // 12}-{i % 12 + 1:02d}" for i in range(count)]


def one_worker_team(values: list[float | None], first_year: int = 2024) -> list[WorkerPeriod]:
    """North, one full-time worker; None is a month North sent no return for."""
    labels = months(first_year, len(values))
    pairs = zip(labels, values, strict=True)
    return [row("North", "Ann", p, 1.0, v) for p, v in pairs if v is not None]


def test_a_team_that_missed_four_months_never_gets_one_run_across_them():
    """Ten months above the mean of 120 (130 and 140 in turn: no trend, below the two-sigma
    line), four months with no return, ten more above: two runs of ten, never one of 20."""
    above = [130, 140] * 5
    rows = one_worker_team([*BASELINE, *above, None, None, None, None, *above])
    report = build_trend_report(rows)
    (service,) = report.services
    assert service.periods == months(2024, 36)  # the four months nobody returned are kept
    (north,) = service.teams
    assert north.points_per_fte[22:26] == [None] * 4  # 2025-11 to 2026-02
    assert [p.value for p in north.spc[22:26]] == [None] * 4
    assert north.returns[21:27] == ["returned", *["no return"] * 4, "returned"]
    assert report.summary == [
        "Safeguarding: North: mean points per FTE was higher than the team's usual for 10 "
        "months in a row (2025-01 to 2025-10; no return for 2025-11 to 2026-02).",
        "Safeguarding: North: mean points per FTE was higher than the team's usual for 10 "
        "months in a row (2026-03 to 2026-12; no return for 2025-11 to 2026-02).",
    ]
    assert not any("20 months" in line for line in report.summary)


def test_a_run_after_a_gap_names_the_missing_months_and_the_months_before_are_no_run():
    """Two months above 120, no return for 2026-03 and 2026-04, seven above: the two are no run
    of 7; the seven are, and the sentence says which months are missing."""
    values = [*BASELINE, 130, 140, None, None, 130, 140, 130, 140, 130, 140, 130]
    report = build_trend_report(one_worker_team(values, first_year=2025))
    assert report.summary == [
        "Safeguarding: North: mean points per FTE was higher than the team's usual for 7 "
        "months in a row (2026-05 to 2026-11; no return for 2026-03 and 2026-04).",
    ]


def test_a_rise_is_not_counted_across_a_missing_month():
    """The baseline ends on 120; 115 falls from it, then 115, 116, 117, 118 rise, no return,
    119, 121, 122, 123 rise: eight rising values, but four and four, so no trend of 7. (Five
    below 120 and three above are no run of 7; all lie inside the two-sigma lines, 120 ± 35.47.)
    """
    values = [*BASELINE, 115, 116, 117, 118, None, 119, 121, 122, 123]
    assert build_trend_report(one_worker_team(values)).summary == []
    # Without the gap the same eight values are one rise of 8.
    joined = [*BASELINE, 115, 116, 117, 118, 119, 121, 122, 123]
    assert build_trend_report(one_worker_team(joined)).summary == [
        "Safeguarding: North: mean points per FTE was rising for 8 months in a row "
        "(2025-01 to 2025-08).",
    ]


def test_a_workers_lasting_gap_is_not_counted_across_a_month_the_team_missed():
    """Ann on 120, Bo on 80 and Cy on 100 points (1.0 FTE each, one band, no expected points,
    so each load is points per FTE ÷ the band's median, 100): Ann 20 points above the team's
    middle, Bo 20 below, for four months, then a month with no return, then four more. Each
    four is a lasting disparity (3 or more); nine in a row only without the gap."""

    def team(count_before: int, gap: bool) -> list[WorkerPeriod]:
        labels = months(2026, 9)
        rows = []
        for index, period in enumerate(labels):
            if gap and index == count_before:
                continue
            rows += [
                row("North", "Ann", period, 1.0, 120),
                row("North", "Bo", period, 1.0, 80),
                row("North", "Cy", period, 1.0, 100),
            ]
        return rows

    four = ", ".join(["120%"] * 4), ", ".join(["80%"] * 4), ", ".join(["100%"] * 4)
    assert build_trend_report(team(4, gap=True)).summary == [
        "Safeguarding: Ann (North): load against expected at least 12 points above the team's "
        f"middle for 4 months in a row (2026-06 to 2026-09): {four[0]}, against the team's "
        f"{four[2]}.",
        "Safeguarding: Bo (North): load against expected at least 12 points below the team's "
        f"middle for 4 months in a row (2026-06 to 2026-09): {four[1]}, against the team's "
        f"{four[2]}.",
    ]
    joined = build_trend_report(team(4, gap=False))
    assert [
        (w.worker, w.rule, w.first, w.last, w.direction) for w in joined.services[0].workers
    ] == [
        ("Ann", "disparity-persistent", "2026-01", "2026-09", 1),
        ("Bo", "disparity-persistent", "2026-01", "2026-09", -1),
    ]
    assert "for 9 months in a row (2026-01 to 2026-09)" in joined.summary[0]


def test_a_worker_well_off_the_middle_in_the_latest_month_is_said_alone():
    """30 points or more off the team's middle in the report's last month is said even before
    it has lasted; earlier single months are not (they were said in their own month)."""
    rows = []
    for index, period in enumerate(months(2026, 3)):
        ann = 140 if index in (0, 2) else 100
        rows += [row("North", n, period, 1.0, 100) for n in ("Bo", "Cy", "Di")]
        rows.append(row("North", "Ann", period, 1.0, ann))
    (service,) = build_trend_report(rows).services
    assert [(w.worker, w.rule, w.last) for w in service.workers] == [
        ("Ann", "worker-outlier", "2026-03")
    ]
    assert service.workers[0].sentences == [
        "Ann (North): load against expected 140% in 2026-03, well above the team's middle of "
        "100% (+40 points)."
    ]


def test_a_month_with_every_worker_left_out_is_an_incomplete_return_and_a_gap():
    """A return whose only worker was left out of the team figures gives no team figure: 0 FTE
    counted against the usual 1.0 is an incomplete return, said first; the month stays a gap
    in the series, and the run after it names it."""
    values = [*BASELINE, 130, None, *[130, 140] * 3, 130]
    rows = one_worker_team(values, first_year=2025)
    rows.append(left_out("North", "Ann", "2026-02", 1.0, 10.0))
    report = build_trend_report(rows)
    assert report.services[0].teams[0].returns[13] == "incomplete return"
    assert report.summary == [
        "Safeguarding: North, 2026-02: incomplete return. 1 of 1 worker (1.0 FTE) was left out "
        "of the team's figures because their sheets had errors, so the figures count 0 workers "
        "on 0.0 FTE against the team's usual 1 worker on 1.0 FTE. The month is shown, marked "
        "incomplete, but not used to judge the team's trend. Correct the sheets with errors, "
        "build the team sheet again and consolidate it again.",
        "Safeguarding: North: mean points per FTE was higher than the team's usual for 7 "
        "months in a row (2026-03 to 2026-09; incomplete return for 2026-02).",
    ]


# --- incomplete returns -------------------------------------------------------------------


def left_out(team: str, worker: str, period: str, fte: float, points: float) -> WorkerPeriod:
    """A worker whose sheet had errors: on the return, left out of the team's figures."""
    return replace(row(team, worker, period, fte, points), counted=False)


# Twelve workers on 10.2 FTE: eight full-time, two at 0.6 and two at 0.5 (8 + 1.2 + 1.0).
FTES = [1.0] * 8 + [0.6] * 2 + [0.5] * 2
# Points per FTE 97.5 and 98.5 in turn, every worker alike: the team's figure is the same
# (97.5 × 10.2 = 994.5 points, 98.5 × 10.2 = 1,004.7: about 1,000). Twelve months give mean
# 98, moving ranges all 1.0, limits 98 ± 2.66 = 95.34 and 100.66.
LEVELS = [97.5, 98.5] * 6 + [97.5, 98.5, None, 97.5, 98.5, 97.5]
# In 2026-03 seven sheets had errors: the five counted are three full-timers and the two at
# 0.5 (4.0 FTE), on 410 points (102.5 per FTE, above the upper limit 100.66 were it charted).
COUNTED_IN_MARCH = (0, 1, 2, 10, 11)


def twelve_worker_team(counted_in_march=COUNTED_IN_MARCH) -> list[WorkerPeriod]:
    rows = []
    for index, level in enumerate(LEVELS):
        period = months(2025, len(LEVELS))[index]
        for n, fte in enumerate(FTES):
            if level is not None:
                rows.append(row("North", f"W{n + 1:02d}", period, fte, level * fte))
            elif n in counted_in_march:
                rows.append(row("North", f"W{n + 1:02d}", period, fte, 410 / 4.0 * fte))
            else:
                rows.append(left_out("North", f"W{n + 1:02d}", period, fte, 98 * fte))
    return rows


def test_a_month_where_7_of_12_sheets_had_errors_reads_as_data_quality_never_as_a_change():
    report = build_trend_report(twelve_worker_team())
    (north,) = report.services[0].teams
    march = 14  # 2026-03
    assert north.returns[march] == "incomplete return"
    # Shown in the tables: 410 points on 4.0 FTE, 102.5 per FTE.
    assert north.total_points[march] == pytest.approx(410.0)
    assert north.total_fte[march] == pytest.approx(4.0)
    assert north.points_per_fte[march] == pytest.approx(102.5)
    # Kept out of the chart's limits and rules: a gap, and the limits are the twelve months'.
    assert north.spc[march].value is None and north.spc[march].rules == ()
    assert north.spc[march].mean == pytest.approx(98.0)
    assert north.spc[march].upper_limit == pytest.approx(98 + 2.66)
    # Seven left out: five full-timers and the two at 0.6 (5 + 1.2 = 6.2 FTE).
    assert report.summary == [
        "Safeguarding: North, 2026-03: incomplete return. 7 of 12 workers (6.2 FTE) were left "
        "out of the team's figures because their sheets had errors, so the figures count 5 "
        "workers on 4.0 FTE against the team's usual 12 workers on 10.2 FTE. The month is "
        "shown, marked incomplete, but not used to judge the team's trend. Correct the sheets "
        "with errors, build the team sheet again and consolidate it again.",
    ]


def test_the_same_month_without_the_data_quality_check_would_be_charted_as_special_cause():
    """The check is what keeps it quiet: with every return counted as complete (a share of
    1%), 102.5 lies above the upper limit 100.66 and is reported."""
    report = build_trend_report(twelve_worker_team(), incomplete_below=0.01)
    assert report.services[0].teams[0].returns[14] == "returned"
    assert report.summary == [
        "Safeguarding: North: mean points per FTE was unusually high for this team in 2026-03.",
    ]


def test_one_sheet_with_errors_is_no_incomplete_return():
    """Eleven of twelve counted, 9.2 of 10.2 FTE (90%, 11 of 12 workers 92%): above 75%."""
    counted = tuple(range(1, 12))  # W01 (1.0 FTE) left out
    report = build_trend_report(twelve_worker_team(counted))
    assert report.services[0].teams[0].returns[14] == "returned"
    assert not any("incomplete" in line for line in report.summary)


def test_the_share_that_makes_a_return_incomplete_is_a_setting():
    """4.0 of 10.2 FTE is 39% and 5 of 12 workers 42%: incomplete below 75% (the default) and
    below 40% (FTE), complete below 39% (neither is under it)."""
    for share, status in ((0.75, "incomplete return"), (0.40, "incomplete return")):
        report = build_trend_report(twelve_worker_team(), incomplete_below=share)
        assert report.services[0].teams[0].returns[14] == status
    report = build_trend_report(twelve_worker_team(), incomplete_below=0.39)
    assert report.services[0].teams[0].returns[14] == "returned"


def test_a_team_that_shrank_with_nobody_left_out_is_not_incomplete():
    """Five workers on 4.0 FTE, every sheet counted: a smaller team, not missing sheets."""
    rows = [r for r in twelve_worker_team() if r.counted]
    report = build_trend_report(rows)
    assert report.services[0].teams[0].returns[14] == "returned"


def test_an_incomplete_return_is_marked_in_the_report_workbook():
    from workload_xl.contracts.report import INCOMPLETE_FILL
    from workload_xl.files.report_workbook import build_report_workbook

    wb = build_report_workbook(build_trend_report(twelve_worker_team()))
    service = wb["Safeguarding"]
    tables = {t.displayName.rstrip("0123456789"): t.ref for t in service.tables.values()}
    returns = [list(r) for r in service[tables["Return"]]]
    assert [c.value for c in returns[0]][15:17] == ["2026-03", "2026-04"]
    assert [c.value for c in returns[1]][15:17] == ["incomplete return", "returned"]
    totals = [list(r) for r in service[tables["Total"]]]
    march = totals[1][15]
    assert march.value == pytest.approx(410.0)
    assert march.fill.fgColor.rgb.endswith(INCOMPLETE_FILL)
    assert not totals[1][16].fill.fgColor.rgb.endswith(INCOMPLETE_FILL)
    spc = wb["SPC North"]
    (ref,) = [t.ref for t in spc.tables.values()]
    table = [[c.value for c in r] for r in spc[ref]]
    heading = table[0]
    march_row = dict(zip(heading, table[15], strict=True))
    assert march_row["Period"] == "2026-03"
    assert march_row["Mean points per FTE"] is None
    assert march_row["Incomplete return"] == pytest.approx(102.5)
    assert march_row["Variation"] == "incomplete return"
    assert wb["Summary"]["A4"].value == "What needs a look"
    assert wb["Summary"]["A5"].value.startswith("Safeguarding: North, 2026-03: incomplete return.")


# --- limits recalculated per series -------------------------------------------------------


def versioned(rows: list[WorkerPeriod], new_from: str, version: str = "2026.2"):
    """The rows with their return's scheme: childrens-social-care 2026.1, then `version`
    from `new_from` on."""
    return [
        replace(
            r,
            scheme_id="childrens-social-care",
            scheme_version=version if r.period >= new_from else "2026.1",
        )
        for r in rows
    ]


# Eight months 30 points above the baseline's: 130, 160, 150, 170, 140, 150, 160, 130. Against
# the baseline (mean 120, limits 66.8 and 173.2, upper two-sigma 155.47) that is a run of 8
# above the mean, and 160, 150, 170 is two-of-three; as a process of its own it has mean
# (130+160+150+170+140+150+160+130) / 8 = 1190 / 8 = 148.75 and moving ranges 30, 10, 20, 30,
# 10, 10, 30 (140 / 7 = 20): trial limits 148.75 ± 53.2, nothing special.
STEP = [v + 30 for v in BASELINE[:8]]


def test_a_new_scheme_version_gives_the_series_fresh_limits_from_its_first_period():
    rows = versioned(one_worker_team([*BASELINE, *STEP], first_year=2025), "2026-01")
    report = build_trend_report(rows)
    (north,) = report.services[0].teams
    assert [p.segment for p in north.spc] == [0] * 12 + [1] * 8
    assert north.spc[11].mean == pytest.approx(120.0) and not north.spc[11].trial
    assert north.spc[12].mean == pytest.approx(148.75) and north.spc[12].trial
    assert north.spc[12].upper_limit == pytest.approx(148.75 + 2.66 * 20)
    assert north.recalculated == [
        ("2026-01", "the scheme childrens-social-care changed from version 2026.1 to 2026.2")
    ]
    assert report.summary == []
    # One version throughout: the step is charted against the old limits.
    same = build_trend_report(one_worker_team([*BASELINE, *STEP], first_year=2025))
    assert [p.segment for p in same.services[0].teams[0].spc] == [0] * 20
    assert same.summary == [
        "Safeguarding: North: mean points per FTE was higher than the team's usual for 8 "
        "months in a row (2026-01 to 2026-08).",
        "Safeguarding: North: mean points per FTE was close to the top of the team's usual "
        "range twice in three months (2026-02 and 2026-04).",
    ]


def test_a_new_version_after_a_gap_is_compared_with_the_last_return_before_it():
    """No return for 2025-12; 2026-01 is the first on 2026.2: fresh limits from 2026-01."""
    values = [*BASELINE[:11], None, *STEP]
    rows = versioned(one_worker_team(values, first_year=2025), "2026-01")
    (north,) = build_trend_report(rows).services[0].teams
    assert [p.segment for p in north.spc] == [0] * 12 + [1] * 8
    assert north.recalculated[0][0] == "2026-01"


def two_teams_with_a_step() -> list[WorkerPeriod]:
    rows = one_worker_team([*BASELINE, *STEP], first_year=2025)
    return rows + [replace(r, team="South") for r in rows]


def test_recalculate_at_team_equals_period_gives_only_that_team_fresh_limits():
    report = build_trend_report(two_teams_with_a_step(), recalculate_at=["north=2026-01"])
    north, south = report.services[0].teams
    assert [p.segment for p in north.spc] == [0] * 12 + [1] * 8
    assert north.recalculated == [("2026-01", "asked for with --recalculate-at")]
    assert [p.segment for p in south.spc] == [0] * 20 and south.recalculated == []
    assert [line.split(":")[1].strip() for line in report.summary] == ["South", "South"]


def test_a_bare_period_gives_every_series_fresh_limits_and_values_repeat():
    report = build_trend_report(two_teams_with_a_step(), recalculate_at=["2026-01"])
    assert [[p.segment for p in t.spc] for t in report.services[0].teams] == [
        [0] * 12 + [1] * 8
    ] * 2
    assert report.summary == []
    # Two values for North: segments from 2025-07 and from 2026-01 (2025-07 to 2025-12 is
    # 130, 100, 120, 140, 110, 120: mean 120; 2025-01 to 2025-06 mean 120 too).
    report = build_trend_report(
        two_teams_with_a_step(), recalculate_at=["North=2025-07", "North=2026-01"]
    )
    assert [p.segment for p in report.services[0].teams[0].spc] == [0] * 6 + [1] * 6 + [2] * 8


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (
            "Nort=2026-01",
            "no team called 'Nort' has returns in the report (its teams: North, "
            "South). Give the team's name as its returns give it.",
        ),
        (
            "North=2026-13",
            "'2026-13' is not a period. Give a month such as 2026-04 or a "
            "4-week period such as 2026-P04 for every team, or TEAM=PERIOD for one team",
        ),
        ("April", "'April' is not a period."),
        ("=2026-01", "the team's name before '=' is blank."),
        ("North=2026-P04", "North's returns are by month, so give a month such as 2026-04."),
        (
            "2026-P04",
            "no team in the report has returns by 4-week period. Give a month such as 2026-04.",
        ),
    ],
)
def test_a_recalculation_that_names_no_team_or_no_period_is_an_error_in_plain_words(value, message):
    from workload_xl.core.recalculation import RecalculationError

    with pytest.raises(RecalculationError) as raised:
        build_trend_report(two_teams_with_a_step(), recalculate_at=[value])
    assert message in str(raised.value) and str(raised.value).startswith(repr(value))


# --- plain words ----------------------------------------------------------------------------


def test_no_summary_sentence_uses_the_statisticians_words():
    """Every pattern the tests above plant, said as a manager reads it: outside the limits,
    runs, trends, two-of-three, against the service, an incomplete return, a worker's gap."""
    summaries = [
        build_trend_report(one_worker_team([*BASELINE, *STEP], first_year=2025)).summary,
        build_trend_report(
            one_worker_team([*BASELINE, 115, 116, 117, 118, 119, 121, 122, 123])
        ).summary,
        build_trend_report(twelve_worker_team()).summary,
        build_trend_report(twelve_worker_team(), incomplete_below=0.01).summary,
        _above_service(5),
    ]
    text = " ".join(line for summary in summaries for line in summary).casefold()
    assert "unusually high for this team" in text and "close to the top" in text
    assert "rising for 8 months" in text and "higher than the service's" in text
    for word in ("sigma", "process limit", "special cause", "common cause", "trial limits"):
        assert word not in text


def test_the_service_sheet_has_a_row_per_experience_band():
    """Per band, the service's counted workers of that band: total points ÷ total FTE."""
    rows = [
        row("North", "Ann", "2026-01", 1.0, 100.0),
        replace(row("North", "Nia", "2026-01", 0.5, 40.0), band="Newly qualified (ASYE)"),
        replace(row("South", "Ola", "2026-01", 1.0, 90.0), band="newly qualified (asye)"),
        row("South", "Cy", "2026-01", 0.8, 96.0),
    ]
    (service,) = build_trend_report(rows).services
    assert service.bands == [
        ("Newly qualified (ASYE)", [pytest.approx((40 + 90) / 1.5)]),
        ("Social worker", [pytest.approx((100 + 96) / 1.8)]),
    ]
