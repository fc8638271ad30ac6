"""`workload-xl capa balance` on a real job plan workbook: balance, what-if and leave."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from click.testing import CliRunner

from workload_xl.cli import main
from workload_xl.core import capa
from workload_xl.files.jobplan_workbook import write_jobplan_workbook

TEAM = [
    capa.Clinician(
        "Asha Rao",
        "Clinical psychologist",
        37.5,
        choice=6,
        core=14,
        specific=4,
        big_admin=5,
        team_meeting=2,
        supervision=2,
        cpd=2,
        travel=1.5,
        other=1,
    ),
    capa.Clinician(
        "Tom Reed",
        "Mental health nurse",
        37.5,
        choice=8,
        core=16,
        big_admin=6,
        team_meeting=2,
        supervision=2,
        cpd=1.5,
        travel=2,
    ),
    capa.Clinician(
        "Mo Khan",
        "Family therapist",
        22.5,
        choice=4,
        core=10,
        big_admin=4,
        team_meeting=2,
        supervision=1.5,
        cpd=1,
    ),
]
LEAVE = [capa.Absence("Tom Reed", "maternity leave", dt.date(2026, 2, 16), dt.date(2026, 8, 14))]


@pytest.fixture
def plan(tmp_path):
    path = tmp_path / "jobplan.xlsx"
    assert write_jobplan_workbook(path, capa.CapaSettings(), TEAM, LEAVE, 6.0) == []
    return path


def run(*args):
    return CliRunner().invoke(main, ["capa", "balance", *map(str, args)])


def test_balance_prints_the_same_sentences_as_the_maths(plan):
    result = run(plan)
    assert result.exit_code == 0, result.output
    for sentence in capa.balance(TEAM, 6.0).sentences:
        assert sentence in result.output


def test_without_a_clinician_shows_the_new_balance(plan):
    result = run(plan, "--without", "mo khan", "--format", "json")
    data = json.loads(result.output)
    expected = capa.balance(TEAM[:2], 6.0)
    assert data["balance_without"]["core"]["capacity"] == pytest.approx(expected.core.capacity)
    assert data["balance"]["core"]["capacity"] == pytest.approx(
        capa.balance(TEAM, 6.0).core.capacity
    )


def test_a_period_shows_the_capacity_lost_to_planned_leave(plan):
    start, end = dt.date(2026, 4, 1), dt.date(2026, 6, 30)
    lost = capa.capacity_lost(TEAM, LEAVE, start, end)
    result = run(plan, "--period", "2026-04-01:2026-06-30", "--format", "json")
    data = json.loads(result.output)["capacity_lost"]
    assert data["team_new_core"] == pytest.approx(lost.team_new_core)
    text = run(plan, "--period", "2026-04-01:2026-06-30").output
    assert "Tom Reed: 65 days away" in text


def test_other_referrals_change_the_need(plan):
    data = json.loads(run(plan, "--referrals", 3, "--format", "json").output)
    assert data["balance"]["choice"]["need"] == 3


def test_bad_arguments_and_files_are_messages_not_tracebacks(plan, tmp_path):
    assert run(plan, "--without", "Nobody").exit_code == 2
    assert run(plan, "--period", "April").exit_code == 2
    junk = tmp_path / "junk.xlsx"
    junk.write_text("not a workbook")
    result = run(junk)
    assert result.exit_code == 2 and "file-not-workbook" in result.output
    bad = tmp_path / "bad.xlsx"
    write_jobplan_workbook(
        bad, capa.CapaSettings(), [capa.Clinician("X", "Nurse", 37.5, choice=-3)], (), 5.0
    )
    result = run(bad)
    assert result.exit_code == 1 and "capa-hours-invalid" in result.output


def test_a_bad_job_plan_says_each_error_once_at_its_cell(tmp_path):
    """The reader and the maths check the same hours: each error is printed once, under the
    job plan's name and cell, never a second time under "(no file)"."""
    bad = tmp_path / "bad.xlsx"
    team = [
        capa.Clinician("Asha Rao", "Psychologist", 10, choice=2, core=18, big_admin=5),
        capa.Clinician("Tom Reed", "Nurse", 37.5, choice=-3, core=22),
    ]
    assert write_jobplan_workbook(bad, capa.CapaSettings(), team, (), 5.0) == []
    result = run(bad)
    assert result.exit_code == 1
    assert "(no file)" not in result.output
    assert result.output.count("Tom Reed's Choice hours are -3") == 1
    # Asha: 2 + 18 + 5 = 25 hours of activities against 10 contracted.
    assert result.output.count("25 hours of activities a week but 10 hours contracted") == 1
    assert result.output.count(str(bad)) == 1  # one heading: the file, its findings below


def test_balance_uses_the_referral_series_when_no_referrals_a_week_are_typed(tmp_path):
    path = tmp_path / "series.xlsx"
    series = [
        capa.ReferralCount(dt.date(2026, 9, 1), dt.date(2026, 9, 30), 26),
        capa.ReferralCount(dt.date(2026, 10, 1), dt.date(2026, 10, 31), 27),
    ]
    assert (
        write_jobplan_workbook(path, capa.CapaSettings(), TEAM, LEAVE, None, referral_series=series)
        == []
    )
    result = run(path)
    assert result.exit_code == 0, result.output
    demand = capa.demand_per_week(series)
    assert f"{demand:.3g} accepted referrals a week (from the referral series" in result.output
    for sentence in capa.balance(TEAM, demand).sentences:
        assert sentence in result.output
    data = json.loads(run(path, "--format", "json").output)
    assert data["referrals_per_week"] == pytest.approx(demand)


def test_balance_prints_the_waiting_lists_against_their_targets(tmp_path):
    path = tmp_path / "waiting.xlsx"
    given = dict(choice_waiting=25, core_waiting=30)
    assert write_jobplan_workbook(path, capa.CapaSettings(), TEAM, LEAVE, 6.0, **given) == []
    result = run(path)
    assert result.exit_code == 0, result.output
    # Choice: 18 hours deliver 18 × 45/52 = 15.58 a week against 6; target 6 × 6 ÷ 4 = 9;
    # (25 − 9) ÷ (15.58 − 6) = 1.67 weeks.
    assert (
        "The Choice waiting list has 25 waiting, above its target of about 9. At present "
        "capacity it reaches the target in about 2 weeks." in result.output
    )
    # Core: 40 hours = 11.43 sessions = 34.29 a quarter = 2.637 a week, against 6 × 0.68 =
    # 4.08: 55% above. Target 4.08 × 4 ÷ 4 = 4.08; 4.08 + (30 − 4.08) ÷ 13 = 6.07 a week.
    assert (
        "The Core Partnership waiting list has 30 waiting, above its target of about 4. It "
        "grows: demand is 55% above capacity. To reach the target in 13 weeks needs about 6 "
        "new Core Partnerships a week, about 3 more than now." in result.output
    )
    data = json.loads(run(path, "--format", "json").output)["waiting_lists"]
    assert data["core"]["relief_capacity"] == pytest.approx(4.08 + 25.92 / 13)
    assert data["core"]["load"] == pytest.approx(4.08 / (40 / 3.5 * 3 / 13))
    assert data["choice"]["weeks_at_present"] == pytest.approx(16 / (18 * 45 / 52 - 6))
    without = run(path, "--without", "Tom Reed").output.split("Without Tom Reed:")[1]
    # Without Tom's 8 Choice hours: 10 × 45/52 = 8.65 a week; (25 − 9) ÷ 2.65 = 6.03 weeks.
    assert "it reaches the target in about 6 weeks" in without


# --- periods --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("period", "said"),
    [
        (
            "2026-06-30:2026-04-01",
            "'2026-06-30:2026-04-01' ends on 01 April 2026, before it starts on 30 June 2026: "
            "give the first day first, e.g. 2026-04-01:2026-06-30.",
        ),
        (
            "April",
            "'April' is not a period: give its first and last day joined by a colon, e.g. "
            "2026-04-01:2026-06-30.",
        ),
        ("2026-04-01:", "'2026-04-01:' is not a period"),
        ("2026-04-01:2026-06-30:2026-09-30", "is not a period"),
        (
            "2026-13-01:2026-06-30",
            "'2026-13-01' in '2026-13-01:2026-06-30' is not a date: type dates as "
            "year-month-day (or day/month/year), e.g. 2026-04-01:2026-06-30.",
        ),
    ],
)
def test_a_reversed_or_malformed_period_is_refused_in_plain_words(plan, period, said):
    result = run(plan, "--period", period)
    assert result.exit_code == 2
    assert isinstance(result.exception, SystemExit)
    message = " ".join(result.output.split())
    assert "Invalid value for --period" in message and said in message
    assert "Traceback" not in message and "isoformat" not in message
    assert "Capacity lost" not in result.output  # no figures, zeros or otherwise


def test_a_period_typed_the_uk_way_is_read(plan):
    data = json.loads(run(plan, "--period", "01/04/2026:30/06/2026", "--format", "json").output)
    assert (data["capacity_lost"]["start"], data["capacity_lost"]["end"]) == (
        "2026-04-01",
        "2026-06-30",
    )


def test_a_costed_period_says_annual_leave_is_inside_the_working_weeks(tmp_path):
    path = tmp_path / "leave.xlsx"
    # Asha's annual leave, Monday 11 to Friday 15 May 2026: 5 weekdays, no capacity lost.
    leave = [
        *LEAVE,
        capa.Absence("Asha Rao", "annual leave", dt.date(2026, 5, 11), dt.date(2026, 5, 15)),
    ]
    assert write_jobplan_workbook(path, capa.CapaSettings(), TEAM, leave, 6.0) == []
    result = run(path, "--period", "2026-04-01:2026-06-30")
    assert result.exit_code == 0, result.output
    assert (
        "Annual leave is already inside the 45 working weeks a year, so it is not counted "
        "twice: the 5 days of it in this period cost no more capacity." in result.output
    )
    assert "Asha Rao:" not in result.output  # annual leave alone costs nothing to list
    data = json.loads(run(path, "--period", "2026-04-01:2026-06-30", "--format", "json").output)
    assert "not counted twice" in data["capacity_lost"]["note"]


def test_leaving_out_the_clinician_who_is_away_says_why_nothing_is_lost(plan):
    result = run(plan, "--without", "Tom Reed", "--period", "2026-04-01:2026-06-30")
    assert result.exit_code == 0, result.output
    assert "Team: 0.0 Choice slots" in result.output
    assert (
        "Tom Reed is left out (--without), so their absences in the period are not counted"
        in result.output
    )
    data = json.loads(
        run(
            plan, "--without", "Tom Reed", "--period", "2026-04-01:2026-06-30", "--format", "json"
        ).output
    )
    assert data["left_out_away"] == ["Tom Reed"]


def test_the_readme_capa_example_shows_a_real_cost_for_the_demo_team(tmp_path, monkeypatch):
    """The README's example, run as written on the demo's job plan, prints what it shows."""
    import shlex
    from pathlib import Path

    from workload_xl.demo import write_camhs_jobplan

    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
    block = readme.split("$ workload-xl capa balance ", 1)[1].split("```", 1)[0]
    command, *shown = block.splitlines()
    args = shlex.split(command)
    monkeypatch.chdir(tmp_path)
    (tmp_path / args[0]).parent.mkdir(parents=True, exist_ok=True)
    assert write_camhs_jobplan(tmp_path / args[0]) == []
    result = CliRunner().invoke(main, ["capa", "balance", *args])
    assert result.exit_code == 0, result.output
    printed = result.output.splitlines()
    shown = [line for line in shown if line.strip() and line != "..."]
    assert shown and [line for line in shown if line not in printed] == []
    # By hand: Tom away all 65 weekdays of the quarter, 11.25 working weeks, 2 Choice slots a
    # week = 22.5; Ravi 10 weekdays = 2 × 45/52 = 1.73 weeks; hours 37.5 × (11.25 + 1.73).
    assert "Tom Reed: 65 days away, 22.5 Choice slots" in result.output
    assert f"{37.5 * (11.25 + 2 * 45 / 52):.1f} hours." in result.output
    assert "Team: 0.0" not in result.output


# --- --without a name the job plans do not have ---------------------------------------------


@pytest.fixture
def demo_plan(tmp_path):
    """The demo's job plan workbook (`workload-xl demo` writes camhs-jobplans.xlsx)."""
    from workload_xl.demo import write_camhs_jobplan

    path = tmp_path / "camhs-jobplans.xlsx"
    assert write_camhs_jobplan(path) == []
    return path


def _balance(path, *args):
    from .bounded_cli import run_cli

    return run_cli("capa", "balance", path.name, *args, cwd=path.parent)


def test_a_misspelt_clinician_is_quoted_as_typed_with_the_closest_name(demo_plan):
    result = _balance(demo_plan, "--without", "Mo Kahn")
    assert result.returncode == 2, result.output
    text = " ".join(result.output.split())
    assert (
        "Invalid value for --without: camhs-jobplans.xlsx has no job plan for 'Mo Kahn'. "
        "Did you mean 'Mo Khan'? Its 'Job plans' sheet has job plans for: Asha Rao, Tom Reed, "
        "Mo Khan, Lena Ortiz, Ravi Shah, Jess Lowe. Give --without a name as the Clinician "
        "column there spells it"
    ) in text
    assert "mo kahn" not in text
    result.assert_no_traceback()


def test_a_name_like_none_of_them_lists_the_clinicians_the_job_plans_have(demo_plan):
    from workload_xl.demo import camhs_team

    result = _balance(demo_plan, "--without", "Zed Nobody", "--without", "tom reed")
    assert result.returncode == 2, result.output
    text = " ".join(result.output.split())
    assert "has no job plan for 'Zed Nobody'." in text and "Did you mean" not in text
    assert f"job plans for: {', '.join(c.name for c in camhs_team())}." in text


def test_without_takes_a_name_in_any_case_and_spacing_and_prints_the_plans_spelling(demo_plan):
    result = _balance(demo_plan, "--without", "mo  KHAN", "--period", "2026-04-01:2026-06-30")
    assert result.returncode == 0, result.output
    assert "Without Mo Khan:" in result.output
    assert "Capacity lost to planned absences (without Mo Khan)" in result.output


# --- a job plan the user edited: errors stop the balance, blanks are said -------------------


def _edit(path, sheet: str, who: str, changes: dict):
    """Type `changes` ({heading: value}) into `who`'s row of `sheet`, as a user would in
    Excel, and save; the addresses of the cells changed, by heading."""
    import openpyxl

    wb = openpyxl.load_workbook(path)
    ws = wb[sheet]
    header = 4  # the tables' heading row as the writer lays them out
    columns = {ws.cell(header, c).value: c for c in range(1, ws.max_column + 1)}
    row = next(r for r in range(header + 1, ws.max_row + 1) if ws.cell(r, 1).value == who)
    cells = {}
    for heading, value in changes.items():
        cell = ws.cell(row, columns[heading])
        cell.value = value
        cells[heading] = cell.coordinate
    wb.save(path)
    return cells


@pytest.mark.parametrize(
    ("sheet", "who", "changes", "rule"),
    [
        # said at the contract's cell: it is the sum that does not fit
        (
            "Job plans",
            "Asha Rao",
            {"Core Partnership": 40, "Contracted hours": 37.5},
            "capa-hours-over-contract",
        ),
        ("Job plans", "Tom Reed", {"Clinician": "Asha Rao"}, "capa-clinician-duplicate"),
        ("Absences", "Asha Rao", {"End": dt.datetime(2026, 4, 26)}, "capa-absence-dates-invalid"),
        ("Job plans", "Mo Khan", {"Core Partnership": -5}, "capa-hours-invalid"),
    ],
)
def test_every_error_on_the_job_plan_stops_the_balance_with_exit_1(
    demo_plan, sheet, who, changes, rule
):
    """As the help says (1: the job plan has errors) and as negative hours always did: no
    balance is printed from a job plan with an error, and the output says why."""
    cell = _edit(demo_plan, sheet, who, changes)[list(changes)[-1]]
    result = _balance(demo_plan)
    assert result.returncode == 1, result.output
    text = " ".join(result.output.split())
    assert f"ERROR '{sheet}' {cell} {rule}" in text
    assert (
        "No balance is worked out: the job plan has 1 error (above). Fix it and run again."
    ) in text
    assert "accepted referrals a week" not in text and "capacity is" not in text
    result.assert_no_traceback()
    data = _balance(demo_plan, "--format", "json")
    assert data.returncode == 1, data.output
    said = data.json()  # the findings on standard output, as a JSON document with no balance
    assert said["balance"] is None and said["referrals_per_week"] is None
    errors = [
        (f["rule"], f["sheet"], f["cell"]) for f in said["findings"] if f["severity"] == "error"
    ]
    assert errors == [(rule, sheet, cell)]
    data.assert_no_traceback()


def test_a_blank_activity_cell_beside_unallocated_hours_is_a_warning_at_that_cell(demo_plan):
    """Asha Rao's Core Partnership hours cleared: the balance is worked out with them as 0,
    and a warning at the blank cell (not the contract's) says so and what to type."""
    cell = _edit(demo_plan, "Job plans", "Asha Rao", {"Core Partnership": None})
    assert cell == {"Core Partnership": "E5"}
    result = _balance(demo_plan)
    assert result.returncode == 0, result.output
    text = " ".join(result.output.split())
    assert (
        "WARNING 'Job plans' E5 capa-hours-blank Asha Rao's Core Partnership hours are blank, "
        "so they are counted as 0 hours, and 18 hours of the 37.5 hours contracted a week are "
        "in no activity. Type the weekly hours of Core Partnership, or 0 if none are meant."
    ) in text
    assert "Core Partnership capacity is 36% short of demand" in text
    data = json.loads(_balance(demo_plan, "--format", "json").output)
    assert [(f["rule"], f["severity"], f["cell"]) for f in data["findings"]] == [
        ("capa-hours-unallocated", "info", "C5"),
        ("capa-hours-blank", "warning", "E5"),
    ]
    _edit(demo_plan, "Job plans", "Asha Rao", {"Core Partnership": 0})  # 0 typed: as meant
    # Mo Khan's 0 Specific hours cleared: his other hours fill his 22.5, so blank is none
    _edit(demo_plan, "Job plans", "Mo Khan", {"Specific Partnership": None})
    result = _balance(demo_plan)
    assert result.returncode == 0, result.output
    assert "capa-hours-blank" not in result.output and "WARNING" not in result.output


def test_a_blank_contract_says_it_is_blank_at_its_cell_and_what_to_type(demo_plan):
    cell = _edit(demo_plan, "Job plans", "Tom Reed", {"Contracted hours": None})
    result = _balance(demo_plan)
    assert result.returncode == 1, result.output
    text = " ".join(result.output.split())
    assert (
        f"ERROR 'Job plans' {cell['Contracted hours']} capa-hours-invalid Tom Reed's contracted "
        "hours are blank; type the weekly hours of the contract, more than 0 (37.5 full time)."
    ) in text
    assert "None" not in text


@pytest.mark.parametrize("given", ["-3", "nan", "inf"])
def test_referrals_that_are_no_count_are_the_options_mistake_not_the_job_plans(demo_plan, given):
    """Said of --referrals, as a usage error (exit 2), never as an error in the workbook."""
    result = _balance(demo_plan, "--referrals", given)
    assert result.returncode == 2, result.output
    text = " ".join(result.output.split())
    assert f"Invalid value for --referrals: {given} is not a number of accepted referrals" in text
    assert "the job plan has" not in text and "camhs-jobplans.xlsx" not in text
    result.assert_no_traceback()
    assert _balance(demo_plan, "--referrals", "0").returncode == 0


def test_the_activity_export_given_as_the_job_plan_is_told_where_it_goes(demo_plan):
    """`capa actuals JOBPLANS.xlsx --jobplan EXPORT.csv`: the files swapped. The guard's
    "save it as .xlsx" alone would have the export saved as a workbook."""
    from .bounded_cli import run_cli

    export = demo_plan.parent / "camhs-activity.csv"
    export.write_text("Clinician,Month,Choice appointments\nMo Khan,2026-07,3\n", "utf-8")
    for args in (
        ("capa", "actuals", demo_plan.name, "--jobplan", export.name, "-o", "out.xlsx"),
        ("capa", "balance", export.name),
    ):
        result = run_cli(*args, cwd=demo_plan.parent)
        text = " ".join(result.output.split())
        assert result.returncode == 2 and "file-not-workbook" in text, text
        assert (
            "If it is the activity export, it goes first: workload-xl capa actuals EXPORT.csv "
            "--jobplan JOBPLANS.xlsx" in text
        )
    assert not (demo_plan.parent / "out.xlsx").exists()
