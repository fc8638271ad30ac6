"""`capa actuals`: an activity export of 6 clinicians × 12 months, in both shapes, against
their job plans, with every expected figure worked out by hand here from the job plans and
the counts the test wrote (never taken from the code's output)."""

from __future__ import annotations

import csv
import datetime as dt
import tracemalloc
import zipfile
from pathlib import Path

import pytest
from openpyxl import Workbook, load_workbook

from workload_xl.contracts import actuals as ac
from workload_xl.core import capa, spc
from workload_xl.core.capa.actuals import gap_words
from workload_xl.core.capa.exports import load_activity_mapping, tally_activity
from workload_xl.core.findings import Refused
from workload_xl.files.jobplan_workbook import write_jobplan_workbook
from workload_xl.services.actuals import capa_actuals

from .bounded_cli import run_cli
from .libreoffice import recalculate, require_soffice, results_that_differ

TODAY = dt.date(2026, 11, 30)
YEAR = 2025
MONTHS = [f"{YEAR}-{m:02d}" for m in range(1, 13)]

# name, weekly Choice hours, weekly Core hours. With the CAPA defaults (11.25 working weeks a
# quarter, 3.5-hour sessions of 2 appointments, 7.5 appointments a Core Partnership) a month's
# plan, a third of the quarter's, is by hand:
#   Choice = Choice hours × 11.25 ÷ 3 = 3.75 × Choice hours
#   new Core = Core hours ÷ 3.5 × 2 × 11.25 ÷ 7.5 ÷ 3 = Core hours ÷ 3.5 (a session each)
#   Core appointments = Core hours ÷ 3.5 × 2 × 11.25 ÷ 3 = 7.5 × sessions
PLANS = [
    ("Asha Rao", 4, 14),  # Choice 15, new Core 4, Core 30
    ("Tom Reed", 2, 7),  # 7.5, 2, 15
    ("Mo Khan", 8, 21),  # 30, 6, 45
    ("Lena Ortiz", 0, 28),  # 0, 8, 60
    ("Ravi Shah", 4, 3.5),  # 15, 1, 7.5
    ("Jess Lowe", 6, 10.5),  # 22.5, 3, 22.5
]
PLANNED = {
    "Asha Rao": (15, 4, 30),
    "Tom Reed": (7.5, 2, 15),
    "Mo Khan": (30, 6, 45),
    "Lena Ortiz": (0, 8, 60),
    "Ravi Shah": (15, 1, 7.5),
    "Jess Lowe": (22.5, 3, 22.5),
}
TEAM_PLANNED = (90, 24, 180)  # the sums of PLANNED's columns


def delivered(i: int, m: int) -> tuple[int, int, int]:
    """Clinician i's counts in month m (1-12): Choice round its plan, one up, none, one down
    by month; new Core its plan, one more for Asha Rao from October; Core appointments 2 more
    than its plan (rounded down) in the first half year, 2 fewer in the second."""
    base_choice = (15, 8, 30, 0, 15, 22)[i]
    choice = base_choice + (1, 0, -1)[(m - 1) % 3] if base_choice else 0
    new_core = (4, 2, 6, 8, 1, 3)[i] + (1 if i == 0 and m >= 10 else 0)
    core = (30, 15, 45, 60, 7, 22)[i] + (2 if m <= 6 else -2)
    return choice, new_core, core


def jobplan(
    path: Path,
    settings: capa.CapaSettings | None = None,
    only: str | None = None,
    absences: tuple[capa.Absence, ...] = (),
) -> Path:
    """The job plans of PLANS (or of the one clinician `only`), with `absences`."""
    team = [
        capa.Clinician(n, "Clinician", ch + co, choice=ch, core=co)
        for n, ch, co in PLANS
        if only in (None, n)
    ]
    assert (
        write_jobplan_workbook(path, settings or capa.CapaSettings(), team, list(absences), 20.0)
        == []
    )
    return path


def monthly_export(path: Path, months: range = range(1, 13)) -> Path:
    with path.open("w", newline="", encoding="utf-8") as handle:
        out = csv.writer(handle)
        out.writerow(["CAMHS activity by clinician"])
        out.writerow(["Run on 30/11/2026"])
        out.writerow([])
        out.writerow(["Practitioner", "Month", "Choice appts", "New Core", "Core appts"])
        for m in months:
            for i, (name, *_) in enumerate(PLANS):
                out.writerow([name, f"{YEAR}-{m:02d}", *delivered(i, m)])
    return path


def appointment_export(path: Path) -> Path:
    """One row per appointment, the same counts, and waits for Asha Rao's appointments: the
    first 10 Choice appointments of a month 28 days after referral, the rest 56; her first
    Core appointment of a month 35 days after Choice, the others 21. DNAs are counted in
    nothing."""
    wb = Workbook()
    ws = wb.active
    ws.append(["Clinic activity, all appointments"])
    ws.append(["Clinician", "Appointment date", "Appointment type", "Referral date", "Choice date"])
    for m in range(1, 13):
        for i, (name, *_) in enumerate(PLANS):
            choice, new_core, core = delivered(i, m)
            for j in range(choice):
                day = dt.date(YEAR, m, 1 + j % 28)
                wait = 28 if j < 10 else 56
                referral = day - dt.timedelta(days=wait) if i == 0 else None
                ws.append([name, day, "Choice", referral, None])
            for j in range(new_core):
                day = dt.date(YEAR, m, 1 + j % 28)
                wait = 35 if j == 0 else 21
                choice_day = day - dt.timedelta(days=wait) if i == 0 else None
                ws.append([name, day, "Core 1", None, choice_day])
            for j in range(core - new_core):
                ws.append([name, dt.date(YEAR, m, 2 + j % 27), "Core follow-up", None, None])
            ws.append([name, dt.date(YEAR, m, 3), "DNA", None, None])
    wb.save(path)
    return path


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    root = tmp_path_factory.mktemp("actuals")
    return {
        "root": root,
        "jobplan": jobplan(root / "jobplan.xlsx"),
        "monthly": monthly_export(root / "monthly.csv"),
        "appointments": appointment_export(root / "appointments.xlsx"),
    }


@pytest.fixture(scope="module")
def monthly_run(files):
    out = files["root"] / "plan-and-actual.xlsx"
    run = capa_actuals(files["monthly"], files["jobplan"], out, today=TODAY, force=True)
    assert run.exit_code == 0, run.findings
    return run


def asha(run, month: str):
    """Asha Rao's line for `month`."""
    return next(
        x for x in run.actuals.clinician_months if x.period == month and x.who == "Asha Rao"
    )


def figures(counts) -> tuple[float, float, float]:
    return (counts.choice, counts.new_core, counts.core)


# --- the plan -----------------------------------------------------------------------------


def test_a_months_plan_is_a_third_of_the_capa_quarter():
    asha = capa.Clinician("Asha Rao", choice=4, core=14)
    assert figures(capa.planned_per_month(asha)) == pytest.approx((15, 4, 30))
    # 11.5 working weeks a quarter (46 a year): Choice 4 × 11.5 ÷ 3, new Core 4 × 2 × 11.5 ÷
    # 7.5 ÷ 3, Core 4 × 2 × 11.5 ÷ 3.
    other = capa.CapaSettings(working_weeks_per_year=46)
    assert figures(capa.planned_per_month(asha, other)) == pytest.approx(
        (46 / 3, 92 / 22.5, 92 / 3)
    )


# --- per clinician and team, month and quarter --------------------------------------------


def test_each_clinicians_month_is_planned_against_delivered(monthly_run):
    pa = monthly_run.actuals
    assert pa.months == tuple(MONTHS)
    assert pa.clinicians == tuple(name for name, *_ in PLANS)
    assert len(pa.clinician_months) == 6 * 12
    line = next(x for x in pa.clinician_months if x.who == "Mo Khan" and x.period == "2025-03")
    # Mo Khan in March: Choice 30 - 1, new Core 6, Core 45 + 2; planned 30, 6, 45.
    assert figures(line.planned) == pytest.approx((30, 6, 45))
    assert figures(line.delivered) == (29, 6, 47)
    assert figures(line.gap) == pytest.approx((-1, 0, 2))
    assert line.words == (
        "Mo Khan: Choice appointments were 1 below plan, new Core Partnerships were on plan "
        "and Core appointments were 2 above plan in 2025-03."
    )


def test_the_teams_month_is_the_sum_of_its_clinicians(monthly_run):
    pa = monthly_run.actuals
    team = {x.period: x for x in pa.team_months}
    # Choice base 15+8+30+0+15+22 = 90, and five clinicians with Choice move by +1, 0, -1.
    assert figures(team["2025-01"].delivered) == (95, 24, 191)  # Core: 179 + 6 × 2
    assert figures(team["2025-02"].delivered) == (90, 24, 191)
    assert figures(team["2025-03"].delivered) == (85, 24, 191)
    assert figures(team["2025-10"].delivered) == (95, 25, 167)  # Asha's extra new Core; 179 - 12
    assert all(figures(x.planned) == pytest.approx(TEAM_PLANNED) for x in pa.team_months)
    assert figures(team["2025-10"].gap) == pytest.approx((5, 1, -13))
    assert team["2025-10"].transfer_rate == pytest.approx(25 / 95)
    assert team["2025-03"].words == (
        "The team: Choice appointments were 5 below plan, new Core Partnerships were on plan "
        "and Core appointments were 11 above plan in 2025-03."
    )


def test_quarters_sum_their_months_for_the_team_and_each_clinician(monthly_run):
    pa = monthly_run.actuals
    assert pa.quarters == ("2025-Q1", "2025-Q2", "2025-Q3", "2025-Q4")
    q4 = next(x for x in pa.team_quarters if x.period == "2025-Q4")
    # Q4: Choice 95 + 90 + 85, new Core 25 × 3, Core 167 × 3; the plan three months' worth.
    assert figures(q4.planned) == pytest.approx((270, 72, 540))
    assert figures(q4.delivered) == (270, 75, 501)
    assert q4.months == 3
    assert q4.words.startswith(
        "The team: Choice appointments were on plan, new Core "
        "Partnerships were 3 above plan and Core appointments were 39 "
        "below plan in 2025-Q4"
    )
    asha = next(x for x in pa.clinician_quarters if x.who == "Asha Rao" and x.period == "2025-Q1")
    assert figures(asha.planned) == pytest.approx((45, 12, 90))
    assert figures(asha.delivered) == (45, 12, 96)


def test_the_appointment_shape_gives_the_same_counts_and_the_waits(files):
    out = files["root"] / "from-appointments.xlsx"
    run = capa_actuals(files["appointments"], files["jobplan"], out, today=TODAY, force=True)
    assert run.exit_code == 0, run.findings
    assert run.export.shape == "one row per appointment"
    assert run.export.header_row == 2
    pa = run.actuals
    team = {x.period: x for x in pa.team_months}
    assert figures(team["2025-01"].delivered) == (95, 24, 191)
    assert figures(team["2025-10"].delivered) == (95, 25, 167)
    # Asha's Choice appointments: 16, 15, 14 by month; 10 waited 4 weeks, the rest 8.
    jan = pa.waits_in("choice", "2025-01")
    assert (jan.seen, jan.within_target, jan.target_weeks) == (16, 10, 6)
    assert jan.median_weeks == pytest.approx(4)  # the 8th and 9th of 16 are both 28 days
    mar = pa.waits_in("choice", "2025-03")
    assert (mar.seen, mar.within_target) == (14, 10)
    # Her first Core appointments: 4 a month (5 from October), the first 5 weeks after Choice.
    core = pa.waits_in("core", "2025-01")
    assert (core.seen, core.within_target, core.target_weeks) == (4, 3, 4)
    assert core.median_weeks == pytest.approx(3)
    assert not [f for f in run.findings if f.rule != "activity-title-rows"]


# --- the workbook -------------------------------------------------------------------------


def test_the_workbook_has_its_sheets_tables_and_four_native_charts(monthly_run):
    path = monthly_run.written
    wb = load_workbook(path)
    assert wb.sheetnames == list(ac.SHEETS)
    ws = wb[ac.TEAM_MONTHS_SHEET]
    assert [c.value for c in ws[ac.HEADER_ROW]] == list(ac.TEAM_MONTH_COLUMNS)
    assert ws["E5"].value == "=D5-C5"  # the gap is a native formula
    assert ws.cell(5 + 12, 1).value == ac.TOTAL_LABEL
    charts = [n for n in zipfile.ZipFile(path).namelist() if n.startswith("xl/charts/chart")]
    assert len(charts) == 4
    last = ws.cell(16, len(ac.TEAM_MONTH_COLUMNS)).coordinate
    assert ws.tables[ac.TEAM_MONTHS_TABLE].ref == f"A4:{last}"


def test_libreoffice_opens_it_and_the_totals_recalculate_to_pythons(monthly_run, tmp_path):
    soffice = require_soffice()
    (converted,) = recalculate([monthly_run.written], tmp_path / "lo", soffice=soffice)
    assert len([n for n in zipfile.ZipFile(converted).namelist() if "charts/chart" in n]) == 4
    team = load_workbook(converted, data_only=True)[ac.TEAM_MONTHS_SHEET]
    total = 5 + 12
    # Team totals for the year, by hand: Choice 4 × (95 + 90 + 85) = 1080 against 12 × 90;
    # new Core 24 × 9 + 25 × 3 = 291 against 288; Core 191 × 6 + 167 × 6 = 2148 against 2160.
    row = [team.cell(total, c).value for c in range(3, 12)]
    assert row == pytest.approx([1080, 1080, 0, 288, 291, 3, 2160, 2148, -12])
    assert team.cell(total, 12).value == pytest.approx(291 / 1080)
    quarters = load_workbook(converted, data_only=True)[ac.TEAM_QUARTERS_SHEET]
    q4 = [quarters.cell(8, c).value for c in range(3, 12)]
    assert quarters.cell(8, 1).value == "2025-Q4"
    assert q4 == pytest.approx([270, 270, 0, 72, 75, 3, 540, 501, -39])
    clinicians = load_workbook(converted, data_only=True)[ac.CLINICIAN_QUARTERS_SHEET]
    found = {
        (clinicians.cell(r, 1).value, clinicians.cell(r, 2).value): clinicians.cell(r, 8).value
        for r in range(5, 5 + 24)
    }
    assert found[("2025-Q4", "Asha Rao")] == 15  # new Core: 5 a month against 4
    # Every formula LibreOffice worked out equals the result Python saved with it.
    assert results_that_differ(monthly_run.written, converted) == []


def test_the_previous_workbook_carries_earlier_months_forward(files, tmp_path):
    first = tmp_path / "first.csv"
    second = tmp_path / "second.csv"
    monthly_export(first, range(1, 7))
    monthly_export(second, range(6, 13))  # June again: the newer count is used
    out = tmp_path / "plan.xlsx"
    run = capa_actuals(first, files["jobplan"], out, today=TODAY)
    assert run.actuals.months == tuple(MONTHS[:6])
    run = capa_actuals(second, files["jobplan"], out, previous=out, today=TODAY, force=True)
    assert run.exit_code == 0
    assert run.actuals.months == tuple(MONTHS)
    assert run.from_history == tuple(MONTHS[:5])
    assert [f.rule for f in run.findings if f.rule == "activity-month-replaced"] == [
        "activity-month-replaced"
    ]
    team = {x.period: x for x in run.actuals.team_months}
    assert figures(team["2025-01"].delivered) == (95, 24, 191)
    assert len(run.actuals.clinician_months) == 72


def test_a_month_with_no_activity_is_a_gap_not_a_zero(files, tmp_path):
    export = monthly_export(tmp_path / "gap.csv", range(1, 13))
    lines = export.read_text(encoding="utf-8").splitlines()
    export.write_text("\n".join(x for x in lines if ",2025-04," not in x) + "\n", "utf-8")
    run = capa_actuals(export, files["jobplan"], None, today=TODAY)
    april = next(x for x in run.actuals.team_months if x.period == "2025-04")
    assert (april.planned, april.delivered, april.months) == (None, None, 0)
    assert april.words == "The team: no activity in the export for 2025-04 (a gap, not a zero)."
    q2 = next(x for x in run.actuals.team_quarters if x.period == "2025-Q2")
    assert q2.months == 2 and figures(q2.planned) == pytest.approx((180, 48, 360))
    assert "(2 of its 3 months)" in q2.words


# --- signals ------------------------------------------------------------------------------


def series(values, plan, key="transfer_rate") -> capa.Series:
    labels = tuple(MONTHS[: len(values)])
    if key == "transfer_rate":
        return capa.Series(
            key,
            "The transfer rate to Core has",
            "the transfer rate",
            labels,
            tuple(values),
            (plan,) * len(values),
            plan_words=f"the {plan * 100:.0f}% the plan assumes",
            above="the plan's Core demand is too low",
            below="the plan's Core demand is too high",
        )
    return capa.Series(
        key,
        "New Core Partnerships have",
        "new Core Partnerships",
        labels,
        tuple(values),
        (plan,) * len(values),
    )


def test_a_rising_transfer_rate_is_flagged_after_7_months_above_the_plan():
    drift = [0.69, 0.67, 0.68, 0.66, 0.67, 0.72, 0.74, 0.76, 0.78, 0.80, 0.82, 0.84]
    signal = capa.against_plan(series(drift, 0.68))
    assert signal.sentence == (
        "The transfer rate to Core has been above the 68% the plan assumes for 7 months "
        "(2025-06 to 2025-12): the plan's Core demand is too low."
    )
    assert (signal.direction, signal.months, signal.why) == (1, 7, "shift")


def test_a_steady_series_round_its_plan_is_not_flagged():
    steady = [0.69, 0.67, 0.70, 0.66, 0.69, 0.68, 0.70, 0.67, 0.69, 0.66, 0.70, 0.67]
    assert capa.against_plan(series(steady, 0.68)) is None
    counts = [24, 23, 25, 24, 26, 22, 25, 23, 24, 25, 23, 25]
    assert capa.against_plan(series(counts, 24, "new_core")) is None


def test_a_sudden_fall_below_plan_is_flagged_with_how_long_it_has_lasted():
    # 8 months round 24, then 4 far below: mean 243/12 = 20.25, mean moving range 22/11 = 2,
    # so the lower limit is 20.25 - 2.66 × 2 = 14.93 and the last four lie below it.
    values = [24, 25, 24, 23, 24, 25, 24, 25, 12, 13, 12, 12]
    signal = capa.against_plan(series(values, 24, "new_core"))
    assert signal.sentence == (
        "New Core Partnerships have been below plan for 4 months (2025-09 to 2025-12)."
    )
    assert signal.why == "special cause"


def test_six_months_all_off_a_plan_outside_the_usual_range_are_flagged():
    values = [0.70, 0.72, 0.74, 0.76, 0.78, 0.80]  # limits 0.75 ± 2.66 × 0.02: 0.68 below
    signal = capa.against_plan(series(values, 0.68))
    assert (signal.months, signal.why) == (6, "outside usual range")


def test_a_gap_breaks_the_run_and_the_signal_counts_only_the_months_after_it():
    drift = [0.69, 0.67, 0.75, 0.76, None, 0.72, 0.74, 0.76, 0.78, 0.80, 0.82, 0.84]
    signal = capa.against_plan(series(drift, 0.68))
    assert (signal.months, signal.why) == (7, "shift")
    drift[7] = None  # no run of 7: the last four are unusually high, but 19% off plan
    assert capa.against_plan(series(drift, 0.68)) is None  # (0.10+0.12+0.14+0.16)/4 ÷ 0.68
    drift[8:] = [0.88, 0.90, 0.92, 0.94]  # (0.20+0.22+0.24+0.26)/4 ÷ 0.68 = 34%: said
    signal = capa.against_plan(series(drift, 0.68))
    assert (signal.first, signal.months, signal.why) == ("2025-09", 4, "special cause")


def test_an_unusual_month_a_tenth_but_not_three_tenths_off_plan_is_no_signal():
    """Limits drawn from a year or less of months mark a month unusual by chance too often
    (bench_actuals_signals): a special cause is said only three tenths off plan. 12 months round
    24, then one at 20 (17% under): below the lower limit, no signal; one at 12 (50%): said."""
    values = [24, 24, 25, 24, 24, 24, 25, 24, 24, 24, 24, 20]
    point = spc.xmr(values, tuple(MONTHS[:12]))[-1]
    assert point.variation == spc.LOW  # mean 286/12 = 23.8, moving range 8/11: limit 21.9
    assert capa.against_plan(series(values, 24, "new_core")) is None
    values[-1] = 12
    assert capa.against_plan(series(values, 24, "new_core")).why == "special cause"


def test_the_workbook_and_the_run_carry_the_signals(files, tmp_path):
    """Choice on plan, new Core above plan from June: Mo Khan takes on 3 more a month, 27
    against the team's 24 (an eighth over, past the tenth that matters)."""
    export = tmp_path / "drift.csv"
    with export.open("w", newline="") as handle:
        out = csv.writer(handle)
        out.writerow(["Clinician", "Month", "Choice appointments", "New Core Partnerships"])
        for m in range(1, 13):
            for i, (name, *_) in enumerate(PLANS):
                choice = delivered(i, m)[0]
                extra = 3 if i == 2 and m >= 6 else 0  # Mo Khan takes on three more a month
                out.writerow([name, f"{YEAR}-{m:02d}", choice, (4, 2, 6, 8, 1, 3)[i] + extra])
    out_path = tmp_path / "drift.xlsx"
    run = capa_actuals(export, files["jobplan"], out_path, today=TODAY)
    said = run.signals.sentences
    assert "New Core Partnerships have been above plan for 7 months (2025-06 to 2025-12)." in said
    summary = [c.value for c in load_workbook(out_path)[ac.SUMMARY_SHEET]["A"]]
    assert (
        "New Core Partnerships have been above plan for 7 months (2025-06 to 2025-12)." in summary
    )


# --- hostile input ------------------------------------------------------------------------


WHOLE_EXPORT = ("activity-clinician-missing", "activity-signals-held")
"""Findings about the export as a whole (a clinician it leaves out), not about a row."""


def findings_of(run) -> list[tuple[str, str, str]]:
    """The row findings (and any other not about the export as a whole)."""
    return [
        (f.rule, f.cell, str(f.value))
        for f in run.findings
        if f.severity != "info" and f.rule not in WHOLE_EXPORT
    ]


def test_bad_rows_are_findings_at_their_row_and_column(files, tmp_path):
    export = tmp_path / "bad.csv"
    export.write_text(
        "Clinician,Month,Choice appointments,New Core Partnerships,Core appointments\n"
        "Asha Rao,2025-01,15,4,30\n"
        "Zoe Nobody,2025-01,3,1,2\n"
        "Asha Rao,2031-02,1,1,1\n"
        "Asha Rao,1999-12,1,1,1\n"
        "Asha Rao,Smarch,1,1,1\n"
        "Asha Rao,2025-02,-2,two,2.5\n"
        "zoe nobody,2025-02,1,1,1\n",
        encoding="utf-8",
    )
    run = capa_actuals(export, files["jobplan"], None, today=TODAY)
    assert run.exit_code == 0
    assert sorted(findings_of(run)) == sorted(
        [
            ("activity-clinician-unknown", "A3", "Zoe Nobody"),
            ("activity-date-invalid", "B4", "2031-02"),
            ("activity-date-invalid", "B5", "1999-12"),
            ("activity-date-invalid", "B6", "Smarch"),
            ("activity-count-invalid", "C7", "-2"),
            ("activity-count-invalid", "D7", "two"),
            ("activity-count-invalid", "E7", "2.5"),
        ]
    )
    unknown = next(f for f in run.findings if f.rule == "activity-clinician-unknown")
    assert "(and 1 more rows)" in unknown.message and "bad.csv" in unknown.message
    feb = next(
        x for x in run.actuals.clinician_months if x.period == "2025-02" and x.who == "Asha Rao"
    )
    # every count of the row was bad: each figure a gap, never 0
    assert (feb.delivered.choice, feb.delivered.new_core, feb.delivered.core) == (None,) * 3


def test_an_export_saved_as_excels_unicode_text_is_read(files, tmp_path):
    """UTF-16 with its byte order mark, tab separated, as Excel's "Unicode Text" save writes
    it: Asha Rao's 2 Choice appointments in February are counted."""
    export = tmp_path / "appointments.txt"
    export.write_text(
        "Clinician\tDate\tType\r\nAsha Rao\t03/02/2025\tChoice\r\nAsha Rao\t06/02/2025\tChoice\r\n",
        encoding="utf-16",
    )
    run = capa_actuals(export, files["jobplan"], None, today=TODAY)
    assert asha(run, "2025-02").delivered.choice == 2


def test_unmapped_types_and_bad_appointment_dates_are_findings(files, tmp_path):
    export = tmp_path / "appointments.csv"
    export.write_text(
        "Clinician;Date;Type;Referral date\n"
        "Asha Rao;03/02/2025;Choice;01/01/2025\n"
        "Asha Rao;04/02/2025;Telephone triage;\n"
        "Asha Rao;05/02/2025;telephone  TRIAGE;\n"
        "Asha Rao;31/02/2025;Choice;\n"
        "Asha Rao;06/02/2025;Choice;07/02/2025\n",
        encoding="cp1252",
    )
    run = capa_actuals(export, files["jobplan"], None, today=TODAY)
    assert sorted(findings_of(run)) == [
        ("activity-date-invalid", "B5", "31/02/2025"),
        ("activity-date-invalid", "D6", "2025-02-07"),
        ("activity-type-unmapped", "C3", "Telephone triage"),
    ]
    feb = asha(run, "2025-02")
    assert feb.delivered.choice == 2  # rows 2 and 6; row 6's wait is not counted
    assert run.actuals.waits_in("choice", "2025-02").seen == 1


@pytest.mark.parametrize(
    ("content", "rule"),
    [
        (b"", "activity-empty"),
        (b"\n\n \n", "activity-empty"),
        (b"Name,Age,Postcode\nAnn,12,AB1\n", "activity-column-missing"),
        (b"Clinician,Month,Choice appointments\n", "activity-empty"),
    ],
)
def test_an_empty_or_wrong_export_is_one_finding(files, tmp_path, content, rule):
    export = tmp_path / "export.csv"
    export.write_bytes(content)
    run = capa_actuals(export, files["jobplan"], tmp_path / "out.xlsx", today=TODAY)
    assert run.exit_code == 1
    assert [f.rule for f in run.findings if f.severity == "error"] == [rule]
    assert not (tmp_path / "out.xlsx").exists()


@pytest.mark.parametrize(
    ("head", "kind"),
    [
        (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n", "a PDF document"),
        (
            b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + "WordDocument".encode("utf-16-le"),
            "a Word document",
        ),
    ],
)
def test_a_pdf_or_word_file_renamed_is_named_for_what_it_is(files, tmp_path, head, kind):
    export = tmp_path / "activity.csv"
    export.write_bytes(head + b"\x00" * 600)
    run = capa_actuals(export, files["jobplan"], None, today=TODAY)
    assert run.exit_code == 2
    (found,) = run.findings
    assert found.rule == "activity-wrong-kind"
    assert kind in found.message and "activity.csv" in found.message


def test_a_missing_export_is_a_finding(files, tmp_path):
    run = capa_actuals(tmp_path / "nothing.csv", files["jobplan"], None, today=TODAY)
    assert (run.exit_code, [f.rule for f in run.findings]) == (2, ["activity-unreadable"])


def test_a_previous_workbook_that_is_not_one_is_a_finding(files, tmp_path):
    other = tmp_path / "other.xlsx"
    Workbook().save(other)
    run = capa_actuals(files["monthly"], files["jobplan"], None, previous=other, today=TODAY)
    assert run.exit_code == 2
    assert [f.rule for f in run.findings if f.severity == "error"] == [
        "activity-previous-unreadable"
    ]


def test_a_bad_mapping_file_is_refused_with_its_key(files, tmp_path):
    mapping = tmp_path / "mapping.toml"
    mapping.write_text('[columns]\nclinician = ["Clinician"]\n[appointment_types]\nDNA = "skip"\n')
    with pytest.raises(Refused) as refused:
        capa_actuals(files["monthly"], files["jobplan"], None, mapping=mapping, today=TODAY)
    (found,) = refused.value.findings
    assert found.rule == "activity-mapping-invalid" and "'DNA'" in found.message


def test_a_million_rows_are_streamed(files, tmp_path):
    """A year of a large service's appointments: counted through the bounded reader (its time
    and memory limits), every row."""
    export = tmp_path / "million.csv"
    with export.open("w", encoding="utf-8", newline="") as handle:
        handle.write("Clinician,Appointment date,Appointment type\n")
        for k in range(1_000_000):
            name = PLANS[k % 6][0]
            handle.write(f"{name},2025-{1 + k % 12:02d}-{1 + k % 28:02d},Choice\n")
    run = capa_actuals(export, files["jobplan"], None, today=TODAY)
    assert run.exit_code == 0, run.findings
    assert run.export.rows_read == 1_000_000
    # each clinician has rows in 2 of the 12 months (k % 6 and k % 12): the others are gaps
    assert sum(x.delivered.choice or 0 for x in run.actuals.clinician_months) == 1_000_000


def test_counting_keeps_only_the_counts_in_memory():
    """200,000 rows held as lists would take tens of MB; counting them as they pass keeps a
    few kilobytes (generous: 5 MB)."""
    mapping = load_activity_mapping()
    names = [name for name, *_ in PLANS]

    def rows():
        yield ["Clinician", "Appointment date", "Appointment type"]
        for k in range(200_000):
            yield [names[k % 6], f"2025-{1 + k % 12:02d}-{1 + k % 28:02d}", "Core follow-up"]

    tracemalloc.start()
    try:
        export = tally_activity(rows(), mapping, names, source="x.csv", today=TODAY)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert export.rows_read == 200_000
    assert peak < 5 * 1024 * 1024


# --- the command --------------------------------------------------------------------------


def test_the_command_prints_the_gaps_and_signals_and_writes_the_workbook(files, tmp_path):
    out = tmp_path / "plan-and-actual.xlsx"
    run = run_cli(
        "capa",
        "actuals",
        files["monthly"],
        "--jobplan",
        files["jobplan"],
        "-o",
        out,
        cwd=tmp_path,
    )
    run.assert_bounded()
    assert run.returncode == 0, run.output
    assert "6 clinicians, 12 months (2025-01 to 2025-12)." in run.stdout
    assert (
        "The team: Choice appointments were on plan, new Core Partnerships were 3 above plan "
        "and Core appointments were 39 below plan in 2025-Q4." in run.stdout
    )
    assert f"Wrote {out}." in run.stdout
    again = run_cli(
        "capa",
        "actuals",
        files["monthly"],
        "--jobplan",
        files["jobplan"],
        "-o",
        out,
        cwd=tmp_path,
    )
    assert again.returncode == 2 and "output-exists" in again.output
    # the analysis is printed, then, last, why nothing was written, as build-team ends
    assert again.stdout.strip().splitlines()[-1] == (
        f"Nothing written: {out} already exists; add --force to replace it."
    )
    assert f"Wrote {out}." not in again.stdout


def test_the_output_may_not_overwrite_the_export(files, tmp_path):
    bad = run_cli(
        "capa",
        "actuals",
        files["appointments"],
        "--jobplan",
        files["jobplan"],
        "-o",
        files["appointments"],
        "--force",
        cwd=tmp_path,
    )
    bad.assert_bounded()
    assert bad.returncode == 2 and "output-is-input" in bad.output


def test_the_demos_rising_transfer_rate_is_flagged(tmp_path):
    from workload_xl.demo import write_camhs_activity, write_camhs_jobplan

    assert write_camhs_jobplan(tmp_path / "jobplans.xlsx") == []
    export = write_camhs_activity(tmp_path / "activity.csv")
    run = capa_actuals(export, tmp_path / "jobplans.xlsx", None, today=TODAY)
    assert [f.rule for f in run.findings] == ["activity-title-rows"]
    # Choice is the plan of those at work, rounded, give or take one: 33.75 less Tom Reed's
    # 7.5 is 26.25 (April, 26; May, 26 - 1); June loses Ravi Shah's 10 of 22 weekdays too,
    # 26.25 - 7.5 x 10/22 = 22.84 (23 + 1); July 26; August has Tom away 10 of 21 weekdays,
    # 33.75 - 7.5 x 10/21 = 30.18 (30 - 1); September 34. New Core Partnerships are 76% to
    # 80% of them, rounded: 26 x .76 = 19.76, 25 x .77 = 19.25, 24 x .78 = 18.72, 26 x .79 =
    # 20.54, 29 x .8 = 23.2, 34 x .8 = 27.2.
    rates = [x.transfer_rate for x in run.actuals.team_months]
    assert rates == pytest.approx([20 / 26, 19 / 25, 19 / 24, 21 / 26, 23 / 29, 27 / 34])
    (signal, *_) = run.signals.signals
    assert signal.sentence == (
        "The transfer rate to Core has been above the 68% the plan assumes for 6 months "
        "(2026-04 to 2026-09): the plan's Core demand is too low."
    )


def test_every_sheet_prints_with_its_name_and_each_chart_on_a_page(monthly_run, tmp_path):
    from .pdf_pages import pages, print_to_pdf, whole_text

    (pdf,) = print_to_pdf([monthly_run.written], tmp_path / "pdf")
    printed = pages(pdf)
    assert set(printed) == set(ac.SHEETS)
    assert len(printed[ac.CHARTS_SHEET]) == 4
    assert len(printed[ac.SUMMARY_SHEET]) == 1
    summary = whole_text(printed[ac.SUMMARY_SHEET])
    for sentence in monthly_run.actuals.summary:
        assert sentence in summary  # wrapped whole, not cut at the page's edge


def test_an_excel_export_with_a_far_cell_is_refused_at_that_cell(files, tmp_path):
    from .test_bounded_reading import with_far_cell

    wb = Workbook()
    wb.active.title = "Activity"
    wb.active.append(["Clinician", "Month", "Choice appointments"])
    wb.active.append(["Asha Rao", "2025-01", 15])
    wb.save(tmp_path / "plain.xlsx")
    export = with_far_cell(tmp_path / "plain.xlsx", tmp_path / "far.xlsx", "Activity", "XFD1048576")
    run = capa_actuals(export, files["jobplan"], tmp_path / "out.xlsx", today=TODAY)
    assert run.exit_code == 2
    assert [(f.rule, f.cell) for f in run.findings] == [("sheet-too-large", "XFD1048576")]
    assert not (tmp_path / "out.xlsx").exists()


@pytest.mark.skipif(not hasattr(__import__("os"), "mkfifo"), reason="FIFOs are POSIX")
def test_an_export_that_is_a_pipe_is_refused_without_reading(files, tmp_path):
    import os

    export = tmp_path / "activity.csv"
    os.mkfifo(export)
    run = capa_actuals(export, files["jobplan"], None, today=TODAY)
    assert run.exit_code == 2
    assert [f.rule for f in run.findings] == ["activity-unreadable"]
    assert "not a file but a pipe" in run.findings[0].message


def test_months_carried_forward_keep_the_plan_then_in_force(files, tmp_path):
    """Asha Rao's Choice hours go from 4 to 6 in July: January to June keep 15 a month, July
    on is planned at 6 × 11.25 ÷ 3 = 22.5."""
    out = tmp_path / "plan.xlsx"
    first = capa_actuals(
        monthly_export(tmp_path / "h1.csv", range(1, 7)), files["jobplan"], out, today=TODAY
    )
    assert first.exit_code == 0
    changed = jobplan(tmp_path / "changed.xlsx")
    team = [
        capa.Clinician(
            n,
            "Clinician",
            6 + co if n == "Asha Rao" else ch + co,
            choice=6 if n == "Asha Rao" else ch,
            core=co,
        )
        for n, ch, co in PLANS
    ]
    assert write_jobplan_workbook(changed, capa.CapaSettings(), team, [], 20.0, force=True) == []
    second = monthly_export(tmp_path / "h2.csv", range(7, 13))
    run = capa_actuals(second, changed, out, previous=out, force=True, today=TODAY)
    asha = {x.period: x for x in run.actuals.clinician_months if x.who == "Asha Rao"}
    assert asha["2025-06"].planned.choice == pytest.approx(15)
    assert asha["2025-07"].planned.choice == pytest.approx(22.5)
    q3 = next(x for x in run.actuals.team_quarters if x.period == "2025-Q3")
    assert q3.planned.choice == pytest.approx(3 * (90 + 7.5))


def test_a_growing_wait_for_core_is_flagged_against_its_target(files, tmp_path):
    """Asha Rao's first Core appointments wait 3 weeks after Choice for five months, then 8
    weeks for seven: the median is above the 4-week target for 7 months in a row."""
    export = tmp_path / "waits.csv"
    with export.open("w", newline="") as handle:
        out = csv.writer(handle)
        out.writerow(["Clinician", "Appointment date", "Appointment type", "Choice date"])
        for m in range(1, 13):
            for j in range(4):
                day = dt.date(YEAR, m, 10 + j)
                wait = 21 if m <= 5 else 56
                out.writerow(["Asha Rao", day, "Core first", day - dt.timedelta(days=wait)])
    run = capa_actuals(export, jobplan(tmp_path / "asha.xlsx", only="Asha Rao"), None, today=TODAY)
    assert run.actuals.waits_in("core", "2025-06").median_weeks == pytest.approx(8)
    assert run.actuals.waits_in("core", "2025-06").within_target == 0
    said = run.signals.sentences
    assert (
        "No new Core Partnership started within the 4-week target in 2025-06 to 2025-12; the "
        "median wait was 8.0 weeks in 2025-12." in said
    )


def test_a_services_own_mapping_file_beside_its_schemes_is_used(files, tmp_path, monkeypatch):
    folder = tmp_path / "schemes"
    (folder / "capa").mkdir(parents=True)
    (folder / "capa" / "activity-export.toml").write_text(
        '[columns]\nclinician = ["Seen by whom"]\ndate = ["When"]\nappointment_type = ["What"]\n'
        '[appointment_types]\n"CH" = "choice"\n',
        encoding="utf-8",
    )
    monkeypatch.setenv("WORKLOAD_XL_SCHEMES", str(folder))
    export = tmp_path / "own.csv"
    export.write_text("Seen by whom,When,What\nAsha Rao,2025-03-04,C.H.\n", encoding="utf-8")
    run = capa_actuals(export, files["jobplan"], None, today=TODAY)
    assert asha(run, "2025-03").delivered.choice == 1


def test_the_demos_clinicians_have_no_appointments_while_away(tmp_path):
    """Tom Reed is on maternity leave 2026-02-16 to 2026-08-14 and Ravi Shah off sick 1 to 12
    June: no row of theirs falls in those days, and Tom is back from 17 August (the 15th is
    a Saturday)."""
    from workload_xl.demo import write_camhs_activity

    export = write_camhs_activity(tmp_path / "activity.csv")
    with export.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.reader(handle))[2:]
    days = {}
    for name, day, *_ in rows:
        days.setdefault(name, []).append(dt.date.fromisoformat(day))
    assert min(days["Tom Reed"]) == dt.date(2026, 8, 17)
    assert not [d for d in days["Ravi Shah"] if dt.date(2026, 6, 1) <= d <= dt.date(2026, 6, 12)]
    assert [d for d in days["Ravi Shah"] if d.month == 6]  # the rest of June he works
    assert all(d.weekday() < 5 for ds in days.values() for d in ds)


def test_the_demos_waits_for_core_are_said_as_what_happened(tmp_path):
    """The demo's first Core appointments wait 21 + 3k days after Choice (k the month, 0 in
    April), or a week more for every second one: in July (k = 3) 30 and 37 days, in
    September 36 and 43, all over the 4 weeks (28 days); September's 27 (14 at 36 days, 13
    at 43) have the 14th, 36 days, for their median: 5.1 weeks. June's 27 and 34 days have
    some within the target."""
    from workload_xl.demo import write_camhs_activity, write_camhs_jobplan

    assert write_camhs_jobplan(tmp_path / "jobplans.xlsx") == []
    export = write_camhs_activity(tmp_path / "activity.csv")
    run = capa_actuals(export, tmp_path / "jobplans.xlsx", None, today=TODAY)
    assert run.actuals.waits_in("core", "2026-09").median_weeks == pytest.approx(36 / 7)
    waits = [s for s in run.signals.signals if s.measure == "core_wait"]
    assert [(s.first, s.last, s.months, s.why) for s in waits] == [
        ("2026-07", "2026-09", 3, "over target")
    ]
    assert waits[0].sentence == (
        "No new Core Partnership started within the 4-week target in 2026-07 to 2026-09; the "
        "median wait was 5.1 weeks in 2026-09."
    )
    # A share that reached 0% (or 100%) has no "close to the bottom of the usual range".
    assert not [p for p in run.signals.patterns if "share seen within" in p]


def _waits_actuals(rows):
    """A PlanAndActual of one clinician's months with these (month, seen, within, median
    weeks) waits for Core, target 4 weeks."""
    from workload_xl.core.capa.actuals import ClinicianMonth, Counts, Waits, plan_and_actual

    counts = Counts(10, 5, 30)
    return plan_and_actual(
        [ClinicianMonth(m, "Asha Rao", counts, counts) for m, *_ in rows],
        plan_rates={m: 0.68 for m, *_ in rows},
        waits=[Waits(m, "core", 4, seen, within, median) for m, seen, within, median in rows],
    )


def test_waits_over_target_for_three_months_are_a_signal_and_two_are_not():
    from workload_xl.core.capa.signals import actuals_signals

    rows = [
        ("2026-01", 10, 8, 3.0),
        ("2026-02", 10, 6, 3.5),
        ("2026-03", 10, 4, 4.5),  # 40% within: over
        ("2026-04", 10, 5, 4.2),  # half within, median over: over
        ("2026-05", 8, 2, 6.25),  # 25% within
    ]
    (signal,) = [s for s in actuals_signals(_waits_actuals(rows), 0.68).signals]
    assert (signal.measure, signal.first, signal.last, signal.months) == (
        "core_wait",
        "2026-03",
        "2026-05",
        3,
    )
    assert signal.sentence == (
        "Half or fewer of the new Core Partnerships started within the 4-week target in "
        "2026-03 to 2026-05 (25% in 2026-05); the median wait was 6.2 weeks in 2026-05."
    )
    two = [*rows[:2], ("2026-03", 10, 7, 3.5), *rows[3:]]
    assert not actuals_signals(_waits_actuals(two), 0.68).signals
    back = [*rows, ("2026-06", 10, 6, 3.8)]  # the latest month back within: no signal
    assert not actuals_signals(_waits_actuals(back), 0.68).signals


def _team_rate(choice, new_core):
    from workload_xl.core.capa.signals import Series

    labels = tuple(f"2026-{m:02d}" for m in range(4, 4 + len(choice)))
    rates = tuple(n / c for n, c in zip(new_core, choice, strict=True))
    return Series("transfer_rate", "The rate has", "the rate", labels, rates, (0.68,) * len(labels))


def test_the_demos_transfer_rate_signal_survives_any_one_appointment_more_or_less():
    """The demo's team months (26, 25, 24, 26, 29, 34 Choice with 20, 19, 19, 21, 23, 27 new
    Core Partnerships: 76% to 80% against 68%), each count one up or one down in turn."""
    from workload_xl.core.capa.signals import against_plan

    choice, new_core = [26, 25, 24, 26, 29, 34], [20, 19, 19, 21, 23, 27]
    assert against_plan(_team_rate(choice, new_core)).why == "outside usual range"
    for month in range(6):
        for counts in (choice, new_core):
            for step in (-1, 1):
                counts[month] += step
                assert against_plan(_team_rate(choice, new_core)) is not None, (month, step)
                counts[month] -= step


def test_a_steady_gap_too_small_to_matter_is_no_signal():
    """Seven months one new Core Partnership over a plan of 26 (4%, under the tenth that
    matters) is no shift; three over (11.5%) is."""
    from workload_xl.core.capa.signals import Series, against_plan

    labels = tuple(f"2026-{m:02d}" for m in range(1, 8))

    def series(values):
        return Series("new_core", "New Core Partnerships have", "n", labels, values, (26.0,) * 7)

    assert against_plan(series((27.0,) * 7)) is None
    assert against_plan(series((27.0, 27.0, 27.0, 28.0, 27.0, 27.0, 27.0))) is None
    shift = against_plan(series((29.0, 29.0, 29.0, 30.0, 29.0, 29.0, 29.0)))
    assert (shift.why, shift.months, shift.direction) == ("shift", 7, 1)
    # The review's case: +1, +1, +1, +3 on 26 after two months under plan.
    assert against_plan(series((25.0, 24.0, 27.0, 27.0, 27.0, 27.0, 29.0))) is None


def test_team_by_month_prints_at_full_size_in_blocks_with_whole_words(monthly_run, tmp_path):
    """24 columns print as four blocks of at most 8 (each with Month and Quarter) rather than
    shrunk to one page; twelve months of three-line sentences need two pages down, so at
    most 8 pages. Every heading word prints whole: no "appointmen ts"."""
    from .pdf_pages import pages, print_to_pdf

    (pdf,) = print_to_pdf([monthly_run.written], tmp_path / "pdf")
    printed = pages(pdf)[ac.TEAM_MONTHS_SHEET]
    assert 4 <= len(printed) <= 8
    words = {w for text in printed for w in text.split()}
    for heading in ac.TEAM_MONTH_COLUMNS:
        for word in heading.split():
            assert word in words, (heading, word)
    assert not words & {"appointmen", "ts", "Partnership", "s"}
    assert all("Month" in text.split() for text in printed)  # the title columns repeat


def test_counts_show_whole_and_planned_lines_are_dashed_in_every_chart(monthly_run):
    """Delivered counts are whole ("0"); a plan of 33.75 keeps its decimal ("0.0") and one of
    24 shows whole. In every chart the planned line is dashed and the other solid."""
    import re

    from openpyxl.utils import column_index_from_string

    ws = load_workbook(monthly_run.written)[ac.TEAM_MONTHS_SHEET]
    columns = ac.TEAM_MONTH_COLUMNS
    row = ac.HEADER_ROW + 1
    fmt = {h: ws.cell(row, columns.index(h) + 1).number_format for h in columns}
    assert fmt["Choice delivered"] == fmt["Core appointments delivered"] == "0"
    assert fmt["New Core Partnerships planned"] == "0"  # 24 a month: TEAM_PLANNED
    assert fmt["Choice planned"] == "0"  # 90
    ws = load_workbook(monthly_run.written)[ac.CLINICIAN_MONTHS_SHEET]
    tom = next(r for r in range(5, 80) if ws.cell(r, 3).value == "Tom Reed")
    assert ws.cell(tom, 4).value == 7.5 and ws.cell(tom, 4).number_format == "0.0"
    assert ws.cell(tom, 5).number_format == "0"
    with zipfile.ZipFile(monthly_run.written) as package:
        charts = sorted(
            n for n in package.namelist() if re.fullmatch(r"xl/charts/chart\d+\.xml", n)
        )
        assert len(charts) == 4
        for name in charts:
            xml = package.read(name).decode()
            lines = []
            for series in re.findall(r"<ser>(.*?)</ser>", xml, re.S):
                (ref,) = re.findall(r"<tx><strRef><f>'Team by month'!([A-Z]+)4</f>", series)
                dash = re.findall(r'<a:prstDash val="(\w+)"', series)[0]  # the line's own
                heading = columns[column_index_from_string(ref) - 1]
                lines.append((heading.endswith("planned"), dash))
            assert sorted(lines) == [(False, "solid"), (True, "dash")], name


# --- review of issue 18: leave, gaps, missing clinicians and months -----------------------


def export_rows(path: Path, rows: list[tuple]) -> Path:
    """A monthly export of exactly `rows` (clinician, month, Choice, new Core, Core)."""
    with path.open("w", newline="", encoding="utf-8") as handle:
        out = csv.writer(handle)
        out.writerow(["Clinician", "Month", "Choice appointments", "New Core", "Core appts"])
        out.writerows(rows)
    return path


def every_clinician(months: range, leave_out: tuple[tuple[str, int], ...] = ()) -> list[tuple]:
    """Each clinician's delivered() counts for `months`, but (name, month) in `leave_out`."""
    return [
        (name, f"{YEAR}-{m:02d}", *delivered(i, m))
        for m in months
        for i, (name, *_) in enumerate(PLANS)
        if (name, m) not in leave_out
    ]


def line_of(lines, period: str, who: str = "Team"):
    return next(x for x in lines if x.period == period and x.who == who)


def test_the_monthly_plan_leaves_out_leave_the_working_weeks_do_not_cover(tmp_path):
    """Tom Reed on maternity leave for March and April 2025 (21 and 22 weekdays) is planned
    at 0 and has no rows then, which is not missing; Ravi Shah off sick 2-13 June 2025 (10
    of June's 21 weekdays) is planned at 11/21 of his month; Asha Rao's annual leave in May
    costs nothing, the 45 working weeks already allow for it."""
    away = (
        capa.Absence("Tom Reed", capa.MATERNITY_LEAVE, dt.date(2025, 3, 1), dt.date(2025, 4, 30)),
        capa.Absence(
            "Ravi Shah", capa.LONG_TERM_SICKNESS, dt.date(2025, 6, 2), dt.date(2025, 6, 13)
        ),
        capa.Absence("Asha Rao", capa.ANNUAL_LEAVE, dt.date(2025, 5, 1), dt.date(2025, 5, 31)),
    )
    plan = jobplan(tmp_path / "leave.xlsx", absences=away)
    export = export_rows(
        tmp_path / "leave.csv",
        every_clinician(range(3, 7), leave_out=(("Tom Reed", 3), ("Tom Reed", 4))),
    )
    run = capa_actuals(export, plan, None, today=TODAY)
    assert run.exit_code == 0, run.findings
    assert not [f for f in run.findings if f.rule == "activity-clinician-missing"]
    pa = run.actuals
    tom = line_of(pa.clinician_months, "2025-03", "Tom Reed")
    assert figures(tom.planned) == (0, 0, 0) and figures(tom.delivered) == (0, 0, 0)
    assert "the plan allows for 21 working days of maternity leave (of the month's 21)" in (
        tom.words
    )
    assert figures(line_of(pa.clinician_months, "2025-04", "Tom Reed").planned) == (0, 0, 0)
    assert figures(line_of(pa.clinician_months, "2025-05", "Tom Reed").planned) == (7.5, 2, 15)
    ravi = line_of(pa.clinician_months, "2025-06", "Ravi Shah")
    assert figures(ravi.planned) == pytest.approx((15 * 11 / 21, 11 / 21, 7.5 * 11 / 21))
    assert "10 working days of long-term sickness (of the month's 21)" in ravi.words
    asha_may = line_of(pa.clinician_months, "2025-05", "Asha Rao")
    assert figures(asha_may.planned) == (15, 4, 30) and "allows" not in asha_may.words
    march = pa.team_month("2025-03")
    assert figures(march.planned) == (90 - 7.5, 24 - 2, 180 - 15)
    assert "the plan allows for the leave of Tom Reed" in march.words
    # the team's March delivered: delivered(i, 3) summed without Tom Reed
    assert figures(march.delivered) == (
        14 + 29 + 0 + 14 + 21,
        4 + 6 + 8 + 1 + 3,
        32 + 47 + 62 + 9 + 24,
    )


def test_a_blank_or_rejected_count_is_a_gap_and_the_teams_month_is_not_compared(tmp_path):
    """activity-count-invalid and activity-count-blank leave that figure a gap (None), never
    0; the team's figure for the month is incomplete and said so, its others compared."""
    rows = every_clinician(range(4, 6), leave_out=(("Asha Rao", 5), ("Tom Reed", 5)))
    rows += [("Asha Rao", "2025-05", -3, 5, 39), ("Tom Reed", "2025-05", "", 6, "x")]
    run = capa_actuals(
        export_rows(tmp_path / "m.csv", rows), jobplan(tmp_path / "j.xlsx"), None, today=TODAY
    )
    assert run.exit_code == 0
    said = {(f.rule, f.cell) for f in run.findings}
    # rows 2-7 April, 8-11 May's other four, 12 Asha Rao's May, 13 Tom Reed's
    assert ("activity-count-invalid", "C12") in said  # Asha Rao's -3
    assert ("activity-count-blank", "C13") in said  # Tom Reed's blank Choice
    assert ("activity-count-invalid", "E13") in said  # Tom Reed's 'x'
    blank = next(f for f in run.findings if f.rule == "activity-count-blank")
    assert "is blank" in blank.message and "incomplete" in blank.message
    pa = run.actuals
    asha_may = line_of(pa.clinician_months, "2025-05", "Asha Rao")
    assert (asha_may.delivered.choice, asha_may.delivered.new_core) == (None, 5)
    assert asha_may.gap.choice is None and asha_may.gap.new_core == 5 - 4
    tom_may = line_of(pa.clinician_months, "2025-05", "Tom Reed")
    assert (tom_may.delivered.choice, tom_may.delivered.new_core, tom_may.delivered.core) == (
        None,
        6,
        None,
    )
    may = pa.team_month("2025-05")
    assert may.delivered.choice is None and may.delivered.core is None
    # new Core: delivered(i, 5) for Mo, Lena, Ravi, Jess (6, 8, 1, 3) with Asha's 5, Tom's 6
    assert may.delivered.new_core == 6 + 8 + 1 + 3 + 5 + 6
    assert may.words.startswith(
        "The team: Choice appointments are not compared, the figure being incomplete (no "
        "figure for Asha Rao, Tom Reed in 2025-05), new Core Partnerships were 5 above plan"
    )
    assert "0.0" not in may.words and "34 below" not in may.words
    assert line_of(pa.team_quarters, "2025-Q2").delivered.choice is None
    april = pa.team_month("2025-04")
    assert figures(april.delivered)[0] == 16 + 9 + 31 + 0 + 16 + 23  # every count given


def delimited_export(path: Path, rows: list[tuple], delimiter: str) -> Path:
    """A monthly export of exactly `rows`, separated by `delimiter` (";" as Excel saves CSV
    where the comma is the decimal mark)."""
    with path.open("w", newline="", encoding="utf-8") as handle:
        out = csv.writer(handle, delimiter=delimiter)
        out.writerow(["Clinician", "Month", "Choice appointments", "New Core", "Core appts"])
        out.writerows(rows)
    return path


def with_choice(counts: dict[str, str]) -> list[tuple]:
    """April 2025 for every clinician, their Choice count the text in `counts`."""
    return [(r[0], r[1], counts.get(r[0], r[2]), *r[3:]) for r in every_clinician(range(4, 5))]


def choice_read(run) -> dict[str, float | None]:
    return {x.who: x.delivered.choice for x in run.actuals.clinician_months}


def test_a_semicolon_files_comma_is_a_decimal_comma_so_3_5_is_refused_not_35(tmp_path):
    """In a semicolon-separated file (Excel's CSV where the comma is the decimal mark) '3,5'
    is 3.5: not a whole count, refused at its cell (before, it was read as 35). '3,0' is 3;
    '1,234' is 1.234 and '1,000' and '1.000' could be 1 or 1000: refused, never guessed."""
    counts = {
        "Jess Lowe": "3,5",
        "Asha Rao": "3,0",
        "Mo Khan": "1,234",
        "Tom Reed": " 12 ",
        "Lena Ortiz": "1,000",
        "Ravi Shah": "1.000",
    }
    export = delimited_export(tmp_path / "monthly semi.csv", with_choice(counts), ";")
    run = capa_actuals(export, jobplan(tmp_path / "j.xlsx"), None, today=TODAY)
    assert run.exit_code == 0
    assert choice_read(run) == {
        "Asha Rao": 3,
        "Tom Reed": 12,
        "Mo Khan": None,
        "Lena Ortiz": None,
        "Ravi Shah": None,
        "Jess Lowe": None,
    }
    bad = {f.value: f for f in run.findings if f.rule == "activity-count-invalid"}
    assert set(bad) == {"3,5", "1,234", "1,000", "1.000"}
    # rows 2-7: Asha Rao, Tom Reed, Mo Khan, Lena Ortiz, Ravi Shah, Jess Lowe
    jess = bad["3,5"]
    assert (jess.cell, jess.workbook, jess.severity) == ("C7", str(export), "warning")
    assert jess.message.startswith(
        "Row 7 of monthly semi.csv, column 'Choice appointments' (C7): '3,5' is not a whole "
        "number of Choice appointments: in this semicolon-separated file a comma is a "
        "decimal comma, so it reads as 3.5"
    )
    assert "If it means 1234, write 1234" in bad["1,234"].message
    assert "could be 1 (a decimal comma) or 1000" in bad["1,000"].message
    assert "could be 1 (a decimal point) or 1000" in bad["1.000"].message
    assert "not compared" in run.actuals.team_month("2025-04").words


def test_a_comma_files_comma_only_separates_thousands_so_1_5_is_refused_not_15(tmp_path):
    """In a comma-separated file a comma in a count may only group digits in threes: '1,234'
    and '1,000' are read (as before), '1,5' and '12,0' are refused (before, 15 and 120), as
    are '3.5' and '1.234'; '3.0' and ' 12 ' are 3 and 12."""
    counts = {
        "Asha Rao": "1,5",
        "Tom Reed": "12,0",
        "Mo Khan": "1,234",
        "Lena Ortiz": "3.5",
        "Ravi Shah": "3.0",
        "Jess Lowe": " 12 ",
    }
    export = delimited_export(tmp_path / "monthly comma.csv", with_choice(counts), ",")
    plan = jobplan(tmp_path / "j.xlsx")
    run = capa_actuals(export, plan, None, today=TODAY)
    assert choice_read(run) == {
        "Asha Rao": None,
        "Tom Reed": None,
        "Mo Khan": 1234,
        "Lena Ortiz": None,
        "Ravi Shah": 3,
        "Jess Lowe": 12,
    }
    bad = {f.value: f for f in run.findings if f.rule == "activity-count-invalid"}
    assert set(bad) == {"1,5", "12,0", "3.5"}
    assert bad["1,5"].cell == "C2" and bad["1,5"].message.startswith(
        "Row 2 of monthly comma.csv, column 'Choice appointments' (C2): '1,5' is not a whole "
        "number of Choice appointments: a comma in a count may only separate thousands "
        "(1,234)"
    )
    assert "if it means 15, write 15" in bad["1,5"].message
    assert "If it means 12, write 12; if it means 120, write 120." in bad["12,0"].message
    again = delimited_export(tmp_path / "b.csv", with_choice({"Mo Khan": "1.234"}), ",")
    (dot,) = [
        f
        for f in capa_actuals(again, plan, None, today=TODAY).findings
        if f.rule == "activity-count-invalid"
    ]
    assert dot.value == "1.234" and "not a whole number of Choice appointments" in dot.message


def test_a_job_plan_clinician_with_no_rows_is_a_warning_and_a_gap(tmp_path):
    """activity-clinician-missing: Mo Khan has no rows in 2025-02, Jess Lowe none at all;
    their months are gaps, the team's months incomplete, and with Jess Lowe missing from
    every month the signals are held back (activity-signals-held)."""
    rows = every_clinician(
        range(1, 3), leave_out=(("Mo Khan", 2), ("Jess Lowe", 1), ("Jess Lowe", 2))
    )
    run = capa_actuals(
        export_rows(tmp_path / "x.csv", rows), jobplan(tmp_path / "j.xlsx"), None, today=TODAY
    )
    missing = {f.value: f for f in run.findings if f.rule == "activity-clinician-missing"}
    assert set(missing) == {"Mo Khan", "Jess Lowe"}
    assert "in 2025-02" in missing["Mo Khan"].message
    assert "in any month" in missing["Jess Lowe"].message
    assert all(f.severity == "warning" for f in missing.values())
    pa = run.actuals
    mo = line_of(pa.clinician_months, "2025-02", "Mo Khan")
    assert mo.delivered.missing == ("choice", "new_core", "core") and mo.gap.choice is None
    assert figures(line_of(pa.clinician_months, "2025-01", "Mo Khan").delivered) == (31, 6, 47)
    feb = pa.team_month("2025-02")
    assert feb.delivered.missing == ("choice", "new_core", "core")
    assert "no figure for Mo Khan, Jess Lowe in 2025-02" in feb.words
    held = next(f for f in run.findings if f.rule == "activity-signals-held")
    assert "Jess Lowe has no rows in the export" in held.message
    assert run.held == held.message and run.signals.signals == ()
    assert run.to_dict()["signals_held"] == held.message


def test_names_match_ignoring_accents_and_an_unknown_one_gets_did_you_mean(tmp_path):
    """'Léna  ORTIZ' is Lena Ortiz; 'Ravi Shaw' is nobody's, with "Did you mean 'Ravi
    Shah'?", and leaves Ravi Shah with no rows, so the signals are held back."""
    rows = every_clinician(range(1, 3))
    rows = [
        (
            "Léna  ORTIZ" if r[0] == "Lena Ortiz" else "Ravi Shaw" if r[0] == "Ravi Shah" else r[0],
            *r[1:],
        )
        for r in rows
    ]
    rows.append(("Zeb Quill", "2025-01", 1, 1, 1))
    out = tmp_path / "a.xlsx"
    run = capa_actuals(
        export_rows(tmp_path / "a.csv", rows), jobplan(tmp_path / "j.xlsx"), out, today=TODAY
    )
    pa = run.actuals
    assert figures(line_of(pa.clinician_months, "2025-01", "Lena Ortiz").delivered) == (0, 8, 62)
    unknown = {f.value: f.message for f in run.findings if f.rule == "activity-clinician-unknown"}
    assert "Did you mean 'Ravi Shah'?" in unknown["Ravi Shaw"]
    assert "Did you mean" not in unknown["Zeb Quill"]
    assert "Ravi Shah has no rows in the export (the export names 'Ravi Shaw'" in run.held
    assert run.signals.signals == ()
    summary = load_workbook(out)[ac.SUMMARY_SHEET]
    texts = [c.value for c in summary["A"] if c.value]
    assert run.held in texts


def test_one_month_of_rows_is_said_as_one_month(tmp_path):
    export = export_rows(tmp_path / "one.csv", every_clinician(range(4, 5)))
    plan = jobplan(tmp_path / "j.xlsx")
    cli = run_cli("capa", "actuals", export, "--jobplan", plan, cwd=tmp_path)
    assert cli.returncode in (0, 1), cli.output
    assert "6 clinicians, 1 month (2025-04)." in cli.stdout


def test_a_month_with_no_rows_inside_the_range_is_a_warning(tmp_path):
    """activity-month-missing: 2025-03 between 2025-02 and 2025-04 has no rows."""
    rows = every_clinician(range(2, 5), leave_out=tuple((n, 3) for n, *_ in PLANS))
    export = export_rows(tmp_path / "gap.csv", rows)
    plan = jobplan(tmp_path / "j.xlsx")
    run = capa_actuals(export, plan, None, today=TODAY)
    gap = [f for f in run.findings if f.rule == "activity-month-missing"]
    assert [(f.value, f.severity) for f in gap] == [("2025-03", "warning")]
    assert gap[0].message.startswith(
        "2025-03 has no rows in the export: check the export covers it."
    )
    cli = run_cli("capa", "actuals", export, "--jobplan", plan, cwd=tmp_path)
    assert cli.returncode == 0, cli.output
    assert "6 clinicians, 2 months with rows (2025-02 to 2025-04; 2025-03 has none)." in cli.stdout


def test_a_replaced_month_is_a_warning_naming_who_loses_figures(tmp_path):
    """activity-month-replaced is a warning, naming the clinicians who had figures in the
    previous workbook's month and have none in the new export's."""
    plan = jobplan(tmp_path / "j.xlsx")
    first = tmp_path / "first.xlsx"
    capa_actuals(
        export_rows(tmp_path / "a.csv", every_clinician(range(1, 4))), plan, first, today=TODAY
    )
    later = export_rows(
        tmp_path / "b.csv", every_clinician(range(3, 5), leave_out=(("Mo Khan", 3),))
    )
    run = capa_actuals(later, plan, None, previous=first, today=TODAY)
    replaced = next(f for f in run.findings if f.rule == "activity-month-replaced")
    assert replaced.severity == "warning"
    assert "in 2025-03, Mo Khan had figures there and has none in the export" in replaced.message
    assert run.actuals.months == ("2025-01", "2025-02", "2025-03", "2025-04")


def test_common_clinical_system_headings_are_in_the_mapping(tmp_path):
    mapping = load_activity_mapping()
    for key, heading in (
        ("appointment_type", "Appt Type"),
        ("appointment_type", "Appointment Type"),
        ("appointment_type", "Contact Type"),
        ("appointment_type", "Activity Type"),
        ("date", "Appt Date"),
        ("clinician", "Clinician Name"),
        ("clinician", "Staff Name"),
        ("clinician", "HCP"),
    ):
        assert heading.casefold() in {h.casefold() for h in mapping.columns[key]}, heading
    export = tmp_path / "appt.csv"
    export.write_text("HCP,Appt Date,Appt Type\nAsha Rao,2025-03-04,Choice\n", encoding="utf-8")
    plan = jobplan(tmp_path / "j.xlsx", only="Asha Rao")
    run = capa_actuals(export, plan, None, today=TODAY)
    assert run.exit_code == 0 and asha(run, "2025-03").delivered.choice == 1


def test_the_output_is_checked_before_anything_is_read(files, tmp_path):
    """A missing output folder is output-unwritable before the export is read (here it does
    not exist, and is not said); an output not named .xlsx is a usage error."""
    run = run_cli(
        "capa",
        "actuals",
        tmp_path / "absent.csv",
        "--jobplan",
        files["jobplan"],
        "-o",
        tmp_path / "no such dir" / "p.xlsx",
        cwd=tmp_path,
    )
    assert run.returncode == 2
    assert "no such dir does not exist" in " ".join(run.stderr.split())
    assert "absent.csv" not in run.output and "clinicians," not in run.stdout
    wrong = run_cli(
        "capa",
        "actuals",
        files["monthly"],
        "--jobplan",
        files["jobplan"],
        "-o",
        tmp_path / "p.csv",
        cwd=tmp_path,
    )
    assert wrong.returncode == 2 and ".xlsx" in wrong.stderr


def test_a_blank_clinician_or_date_is_said_as_blank(files, tmp_path):
    export = tmp_path / "blanks.csv"
    export.write_text(
        "Clinician,Appointment date,Appointment type\n"
        "Asha Rao,2025-03-04,Choice\n"
        ",2025-03-05,Choice\n"
        "Asha Rao,,Choice\n",
        encoding="utf-8",
    )
    run = capa_actuals(export, files["jobplan"], None, today=TODAY)
    who = next(f for f in run.findings if f.rule == "activity-clinician-unknown")
    assert "Row 3 of blanks.csv has no clinician" in who.message
    assert "who has no job plan" not in who.message
    day = next(f for f in run.findings if f.rule == "activity-date-invalid")
    assert "Row 4 of blanks.csv: the appointment date is blank." in day.message
    assert "(blank)" not in day.message


def test_a_closed_standard_output_exits_141_quietly(files, tmp_path):
    """`workload-xl ... | head`: the reader stops, the command exits 141 (as a shell says a
    closed pipe) with nothing on standard error, for capa actuals as for any command; the
    workbook is written whole before anything is printed."""
    out = tmp_path / "piped.xlsx"
    run = run_cli(
        "capa",
        "actuals",
        files["monthly"],
        "--jobplan",
        files["jobplan"],
        "-o",
        out,
        cwd=tmp_path,
        stdout_closed=True,
    )
    assert (run.returncode, run.stderr) == (141, "")
    assert load_workbook(out).sheetnames == list(ac.SHEETS)
    other = run_cli("schemes", "show", "childrens-social-care", cwd=tmp_path, stdout_closed=True)
    assert (other.returncode, other.stderr) == (141, "")


def test_a_month_with_every_figure_incomplete_for_one_reason_is_one_sentence():
    """Mo Khan with no rows in 2026-05: the team's three figures are gaps for the same
    reason, said once."""
    planned = capa.Counts(10, 2, 20)
    words = gap_words(
        "Team",
        "2026-05",
        planned,
        capa.Counts(None, None, None),
        why={k: "no figure for Mo Khan in 2026-05" for k in ("choice", "new_core", "core")},
    )
    assert words == (
        "The team: the figures for 2026-05 are incomplete (no figure for Mo Khan in "
        "2026-05), so they are not compared."
    )


def test_a_workbook_with_gaps_recalculates_to_pythons_in_libreoffice(tmp_path):
    """Gaps are blank cells (never 0) and every formula over them LibreOffice works out
    equals the result Python saved: Mo Khan has no rows in 2025-02 and Asha Rao's Choice
    count there is 'x'."""
    soffice = require_soffice()
    rows = every_clinician(range(1, 3), leave_out=(("Mo Khan", 2), ("Asha Rao", 2)))
    rows.append(("Asha Rao", "2025-02", "x", 4, 32))
    out = tmp_path / "gaps.xlsx"
    run = capa_actuals(
        export_rows(tmp_path / "gaps.csv", rows), jobplan(tmp_path / "j.xlsx"), out, today=TODAY
    )
    assert run.written == out
    months = load_workbook(out)[ac.CLINICIAN_MONTHS_SHEET]
    heading = [c.value for c in months[ac.HEADER_ROW]]
    by_who = {(r[0], r[2]): r for r in months.iter_rows(min_row=5, values_only=True) if r[2]}
    asha_feb = by_who[("2025-02", "Asha Rao")]
    assert asha_feb[heading.index("Choice planned")] == 15
    assert asha_feb[heading.index("Choice delivered")] is None  # a gap, not 0
    assert asha_feb[heading.index("Choice gap")] is None
    assert asha_feb[heading.index("New Core Partnerships delivered")] == 4
    assert by_who[("2025-02", "Mo Khan")][heading.index("Core appointments delivered")] is None
    (converted,) = recalculate([out], tmp_path / "lo", soffice=soffice)
    assert results_that_differ(out, converted) == []
    fresh = load_workbook(converted, data_only=True)
    team = fresh[ac.TEAM_MONTHS_SHEET]
    # January complete: Choice delivered(i, 1) = 16 + 9 + 31 + 0 + 16 + 23
    assert team.cell(5, 4).value == 95 and team.cell(6, 4).value in (None, "")
