"""The CAPA job-plan workbook: written, read back, bad inputs found, formulas equal capa's."""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path

import pytest
from openpyxl import Workbook, load_workbook
from openpyxl.utils import get_column_letter, range_boundaries

from tests.libreoffice import recalculate, require_soffice
from workload_xl.contracts import jobplan as jl
from workload_xl.core import capa
from workload_xl.core.findings import Refused
from workload_xl.files.jobplan_workbook import (
    JobPlan,
    build_jobplan_workbook,
    read_jobplan_workbook,
    write_jobplan_workbook,
)

SETTINGS = capa.CapaSettings(
    working_weeks_per_year=44,
    mean_core_appointments=7,
    transfer_rate=0.7,
    co_therapy_rate=0.1,
    hours_per_appointment=1.75,
    leave_in_working_weeks=(capa.ANNUAL_LEAVE, capa.OTHER_ABSENCE),
)
TEAM = (
    capa.Clinician(
        "Asha Patel",
        "Clinical psychologist",
        37.5,
        choice=7,
        core=14,
        specific=3,
        big_admin=5,
        team_meeting=2,
        supervision=1.5,
        cpd=2,
        management=1,
        travel=1,
        other=1,
    ),
    capa.Clinician(
        "Ben Okafor",
        "Mental health nurse",
        22.5,
        choice=3.5,
        core=10.5,
        big_admin=4,
        team_meeting=1.5,
        supervision=1,
        travel=2,
    ),
    capa.Clinician(
        "Cara Lewis",
        "Family therapist",
        30,
        choice=5.25,
        core=12,
        big_admin=5,
        team_meeting=2,
        supervision=1,
        cpd=3,
        other=1.75,
    ),
)
ABSENCES = (
    capa.Absence("Asha Patel", capa.ANNUAL_LEAVE, dt.date(2026, 4, 6), dt.date(2026, 4, 10)),
    capa.Absence("Ben Okafor", capa.MATERNITY_LEAVE, dt.date(2026, 5, 1), dt.date(2026, 10, 30)),
    capa.Absence("Cara Lewis", capa.LONG_TERM_SICKNESS, dt.date(2026, 6, 1), dt.date(2026, 6, 19)),
)
REFERRALS = 4.5


def write(path: Path, **changes) -> Path:
    given = (
        dict(settings=SETTINGS, clinicians=TEAM, absences=ABSENCES, referrals_per_week=REFERRALS)
        | changes
    )
    assert write_jobplan_workbook(path, **given) == []
    return path


def table_cells(path: Path, table_name: str) -> tuple[str, list[dict[str, str]]]:
    """(sheet, [{header: address}] per data row) of a table, found by name in the file."""
    wb = load_workbook(path)
    for ws in wb.worksheets:
        if table_name in ws.tables:
            min_col, min_row, max_col, max_row = range_boundaries(ws.tables[table_name].ref)
            headers = {
                ws.cell(min_row, c).value: get_column_letter(c) for c in range(min_col, max_col + 1)
            }
            rows = [
                {h: f"{letter}{r}" for h, letter in headers.items()}
                for r in range(min_row + 1, max_row + 1)
            ]
            return ws.title, rows
    raise AssertionError(f"no table {table_name}")


def named(wb, name: str):
    ((sheet, ref),) = list(wb.defined_names[name].destinations)
    return wb[sheet][ref.replace("$", "")]


# --- round trip -----------------------------------------------------------------------------


def test_a_written_job_plan_reads_back_field_for_field(tmp_path):
    plan, findings = read_jobplan_workbook(write(tmp_path / "plan.xlsx"))
    assert plan == JobPlan(SETTINGS, list(TEAM), list(ABSENCES), REFERRALS)
    for read, written in zip(plan.clinicians, TEAM, strict=True):
        for f in dataclasses.fields(capa.Clinician):
            assert getattr(read, f.name) == getattr(written, f.name), (written.name, f.name)
    # The reader says what capa says of the same inputs, and no more.
    expected = capa.check(SETTINGS, TEAM, ABSENCES)
    assert [(f.rule, f.field, f.message) for f in findings] == [
        (f.rule, f.field, f.message) for f in expected
    ]
    assert all(f.severity != "error" for f in findings)
    assert all(f.sheet and f.cell for f in findings)


def test_an_empty_template_reads_as_defaults(tmp_path):
    path = tmp_path / "empty.xlsx"
    assert write_jobplan_workbook(path) == []
    assert read_jobplan_workbook(path) == (JobPlan(), [])


def test_an_existing_file_is_not_overwritten_unless_forced(tmp_path):
    path = write(tmp_path / "plan.xlsx")
    assert [f.rule for f in write_jobplan_workbook(path)] == ["output-exists"]
    assert write_jobplan_workbook(path, force=True) == []


def test_dates_typed_as_text_or_datetimes_are_read_as_dates(tmp_path):
    path = write(tmp_path / "plan.xlsx")
    sheet, rows = table_cells(path, jl.ABSENCES_TABLE)
    wb = load_workbook(path)
    ws = wb[sheet]
    ws[rows[0]["Start"]] = "06/04/2026"
    ws[rows[0]["End"]] = "2026-04-10"
    ws[rows[1]["Start"]] = dt.datetime(2026, 5, 1, 0, 0)
    wb.save(path)
    plan, findings = read_jobplan_workbook(path)
    assert plan.absences == list(ABSENCES)
    assert not [f for f in findings if f.rule == "capa-absence-dates-invalid"]


# --- bad inputs -----------------------------------------------------------------------------


def test_bad_inputs_are_findings_at_their_cells(tmp_path):
    team = list(TEAM)
    team[0] = dataclasses.replace(team[0], core=-2)
    team[1] = dataclasses.replace(team[1], contracted_hours="half time", choice="three")
    absences = list(ABSENCES)
    absences[2] = dataclasses.replace(absences[2], end=dt.date(2026, 5, 29))
    absences.append(
        capa.Absence("Cara Lewis", capa.OTHER_ABSENCE, "next week", dt.date(2026, 7, 3))
    )
    settings = dataclasses.replace(SETTINGS, transfer_rate=68)
    path = write(
        tmp_path / "bad.xlsx",
        settings=settings,
        clinicians=team,
        absences=absences,
        referrals_per_week="lots",
    )

    plan, findings = read_jobplan_workbook(path)
    assert plan is not None
    assert plan.clinicians[1].choice == "three"  # as typed: capa refuses it
    with pytest.raises(Refused):
        capa.balance(plan.clinicians, 4.5, plan.settings)

    jobs_sheet, jobs = table_cells(path, jl.JOBPLANS_TABLE)
    absence_sheet, absence_rows = table_cells(path, jl.ABSENCES_TABLE)
    settings_sheet, settings_rows = table_cells(path, jl.SETTINGS_TABLE)
    transfer = next(
        r["Value"]
        for r, spec in zip(settings_rows, jl.SETTING_FIELDS, strict=True)
        if spec.key == "transfer_rate"
    )
    wb = load_workbook(path)
    referrals_cell = named(wb, jl.REFERRALS_NAME)
    core = jl.ACTIVITY_HEADERS["core"]
    choice = jl.ACTIVITY_HEADERS["choice"]
    errors = {(f.sheet, f.cell, f.rule) for f in findings if f.severity == "error"}
    assert errors == {
        (settings_sheet, transfer, "capa-setting-invalid"),
        (jobs_sheet, jobs[0][core], "capa-hours-invalid"),
        (jobs_sheet, jobs[1]["Contracted hours"], "capa-hours-invalid"),
        (jobs_sheet, jobs[1][choice], "capa-hours-invalid"),
        (absence_sheet, absence_rows[2]["End"], "capa-absence-dates-invalid"),
        (absence_sheet, absence_rows[3]["Start"], "capa-absence-dates-invalid"),
        (referrals_cell.parent.title, referrals_cell.coordinate, "capa-referrals-invalid"),
    }
    assert all(f.workbook == str(path) for f in findings)


def test_a_duplicate_name_and_unknown_clinician_are_found_at_the_name(tmp_path):
    team = [*TEAM, dataclasses.replace(TEAM[0], profession="Locum")]
    absences = [
        *ABSENCES,
        capa.Absence("Dan Nobody", "sabbatical", dt.date(2026, 1, 5), dt.date(2026, 1, 9)),
    ]
    path = write(tmp_path / "dupes.xlsx", clinicians=team, absences=absences)
    _, findings = read_jobplan_workbook(path)
    jobs_sheet, jobs = table_cells(path, jl.JOBPLANS_TABLE)
    absence_sheet, rows = table_cells(path, jl.ABSENCES_TABLE)
    located = {(f.sheet, f.cell, f.rule) for f in findings}
    assert (jobs_sheet, jobs[3]["Clinician"], "capa-clinician-duplicate") in located
    assert (absence_sheet, rows[3]["Clinician"], "capa-absence-clinician-unknown") in located
    assert (absence_sheet, rows[3]["Kind"], "capa-absence-kind-unknown") in located
    assert not [
        f
        for f in findings
        if f.rule == "capa-clinician-duplicate" and f.cell != jobs[3]["Clinician"]
    ]


def test_files_that_are_not_job_plans_are_findings(tmp_path):
    plan, findings = read_jobplan_workbook(tmp_path / "missing.xlsx")
    assert plan is None and [f.rule for f in findings] == ["file-not-found"]

    other = tmp_path / "other.xlsx"
    Workbook().save(other)
    plan, findings = read_jobplan_workbook(other)
    assert plan is None and [f.rule for f in findings] == ["not-jobplan-workbook"]
    assert "job-plan" in findings[0].message

    text = tmp_path / "text.xlsx"
    text.write_text("Clinician,Choice\nA,3\n")
    plan, findings = read_jobplan_workbook(text)
    assert plan is None and [f.rule for f in findings] == ["file-not-workbook"]


# --- the workbook's make-up ----------------------------------------------------------------


def test_inputs_are_unlocked_and_calculations_locked():
    wb = build_jobplan_workbook(SETTINGS, TEAM, ABSENCES, REFERRALS, rows=10)
    ws = wb[jl.JOBPLAN_SHEET]
    assert all(sheet.protection.sheet for sheet in wb.worksheets)
    for index, column in enumerate(jl.JOBPLAN_COLUMNS, start=1):
        cell = ws.cell(jl.JOBPLANS_HEADER_ROW + 1, index)
        assert cell.protection.locked is not column.is_input, column.header
        if not column.is_input:
            assert cell.data_type == "f"
    assert named(wb, jl.REFERRALS_NAME).protection.locked is False
    for name in jl.TEAM_TOTAL_NAMES:
        cell = named(wb, name)
        assert cell.data_type == "f" and cell.protection.locked, name
    assert len(wb[jl.TEAM_PLAN_SHEET]._charts) == 2  # a week and a quarter kept apart
    formulas = [
        c.value for s in wb.worksheets for r in s.iter_rows() for c in r if c.data_type == "f"
    ]
    formulas += [d.attr_text for d in wb.defined_names.values()]
    assert formulas and not [f for f in formulas if "XLOOKUP" in str(f).upper()]


def test_every_setting_has_a_row_with_a_note_and_numeric_ones_a_name():
    wb = build_jobplan_workbook()
    ws = wb[jl.SETTINGS_SHEET]
    labels = {ws.cell(r, 1).value: ws.cell(r, 3).value for r in range(2, ws.max_row + 1)}
    for f in dataclasses.fields(capa.CapaSettings):
        spec = jl.SETTING_BY_KEY[f.name]
        assert labels.get(spec.label), f.name
        assert (spec.name in wb.defined_names) is spec.numeric


# --- LibreOffice: native formulas equal capa ------------------------------------------------


@pytest.mark.libreoffice
def test_native_formulas_equal_capa_after_libreoffice_recalculation(tmp_path):
    soffice = require_soffice()
    source = write(tmp_path / "plan.xlsx")
    (converted,) = recalculate([source], tmp_path / "recalculated", soffice=soffice)

    plan, _ = read_jobplan_workbook(converted)  # LibreOffice kept every input
    assert plan == JobPlan(SETTINGS, list(TEAM), list(ABSENCES), REFERRALS)

    wb = load_workbook(converted, data_only=True)
    sheet, rows = table_cells(converted, jl.JOBPLANS_TABLE)
    ws = wb[sheet]
    for row, clinician in zip(rows[: len(TEAM)], TEAM, strict=True):
        expected = {
            "Allocated hours": clinician.allocated_hours,
            "Unallocated hours": clinician.unallocated_hours,
            "Choice a week over the year": capa.choice_delivered_per_week(clinician, SETTINGS),
            "New Core a quarter": capa.new_core_per_quarter(
                capa.core_sessions_per_week(clinician, SETTINGS), SETTINGS
            ),
            "New Specific a quarter": capa.new_specific_per_quarter(
                capa.specific_sessions_per_week(clinician, SETTINGS), SETTINGS
            ),
        }
        native = {header: ws[row[header]].value for header in expected}
        assert native == pytest.approx(expected), clinician.name
    for row in rows[len(TEAM) :]:
        assert all(ws[row[c.header]].value in (None, "") for c in jl.JOBPLAN_COLUMNS)

    result = capa.balance(list(TEAM), REFERRALS, SETTINGS)
    expected_totals = {
        "TeamChoicePerWeek": capa.team_choice_per_week(TEAM, SETTINGS),
        "TeamNewCorePerQuarter": capa.team_new_core_per_quarter(TEAM, SETTINGS),
        "ChoiceNeededPerWeek": capa.choice_needed_per_week(REFERRALS),
        "CoreNeededPerQuarter": capa.core_needed_per_quarter(REFERRALS, SETTINGS),
        "ChoiceBalanceRatio": result.choice.ratio,
        "CoreBalanceRatio": result.core.ratio,
        "TeamNewSpecificPerQuarter": capa.team_new_specific_per_quarter(TEAM, SETTINGS),
        "SpecificNeededPerQuarter": capa.specific_needed_per_quarter(REFERRALS, SETTINGS),
        "SpecificBalanceRatio": result.specific.ratio,
    }
    assert set(expected_totals) == set(jl.TEAM_TOTAL_NAMES), "a total is left unchecked"
    hours = {
        "TeamContractedHours": sum(c.contracted_hours for c in TEAM),
        "TeamUnallocatedHours": sum(c.unallocated_hours for c in TEAM),
    }
    for key in capa.ACTIVITIES:
        hours[f"TeamHours{jl._camel(key)}"] = sum(getattr(c, key) for c in TEAM)
    assert {t.name for _, t in jl.HOURS_TOTALS} == set(hours), "an activity is left unchecked"
    assert {name: named(wb, name).value for name in hours} == pytest.approx(hours)
    assert {name: named(wb, name).value for name in expected_totals} == pytest.approx(
        expected_totals
    )
    assert result.choice.capacity == pytest.approx(expected_totals["TeamChoicePerWeek"])
    assert result.core.need == pytest.approx(expected_totals["CoreNeededPerQuarter"])


def test_the_team_plan_says_in_words_what_capa_says_for_short_surplus_balance_and_none(tmp_path):
    """One sentence a side, a native formula: after LibreOffice recalculates, each equals
    capa.balance's sentence for the same plan, whichever way the balance falls."""
    soffice = require_soffice()
    referrals = {"short": 9.0, "surplus": 2.0, "balanced": 3.3, "none": 0.0}
    sources = [
        write(tmp_path / f"{label}.xlsx", referrals_per_week=value)
        for label, value in referrals.items()
    ]
    sources.append(write(tmp_path / "blank.xlsx", referrals_per_week=None))
    recalculated = recalculate(sources, tmp_path / "recalculated", soffice=soffice)
    statuses = set()
    for path, value in zip(recalculated, referrals.values(), strict=False):
        wb = load_workbook(path, data_only=True)
        result = capa.balance(list(TEAM), value, SETTINGS)
        statuses |= {side.status for side in result.sides}
        assert named(wb, "ChoiceVerdict").value == result.choice.sentence, path.name
        assert named(wb, "CoreVerdict").value == result.core.sentence, path.name
        assert named(wb, "SpecificVerdict").value == result.specific.sentence, path.name
    assert statuses == set(capa.STATUSES)  # every kind of sentence was compared
    blank = load_workbook(recalculated[-1], data_only=True)
    assert named(blank, "CoreVerdict").value == (
        "Type the accepted referrals a week above, or a referral series on the Demand sheet."
    )
    assert set(jl.VERDICT_NAMES) == {"ChoiceVerdict", "CoreVerdict", "SpecificVerdict"}


def test_a_row_with_hours_and_no_name_is_an_error_at_its_name_cell_and_stops_the_balance(
    tmp_path,
):
    team = [*TEAM, capa.Clinician("", "Nurse", 37.5, choice=10, core=20)]
    path = write(tmp_path / "nameless.xlsx", clinicians=team)
    plan, findings = read_jobplan_workbook(path)
    jobs_sheet, jobs = table_cells(path, jl.JOBPLANS_TABLE)
    assert [(f.rule, f.sheet, f.cell) for f in findings if f.severity == "error"] == [
        ("capa-clinician-missing", jobs_sheet, jobs[3]["Clinician"])
    ]
    with pytest.raises(Refused) as raised:
        capa.balance(plan.clinicians, REFERRALS, plan.settings)
    assert [f.rule for f in raised.value.findings] == ["capa-clinician-missing"]


def test_a_lost_column_or_settings_row_is_named_and_defaults_are_said(tmp_path):
    path = write(tmp_path / "edited.xlsx")
    wb = load_workbook(path)
    jobs_sheet, jobs = table_cells(path, jl.JOBPLANS_TABLE)
    settings_sheet, settings_rows = table_cells(path, jl.SETTINGS_TABLE)
    profession = jobs[0]["Profession"].rstrip("0123456789")
    heading_row = int(jobs[0]["Profession"][len(profession) :]) - 1
    wb[jobs_sheet][f"{profession}{heading_row}"] = "Job title"  # a heading typed over
    tolerance = next(
        r
        for r, spec in zip(settings_rows, jl.SETTING_FIELDS, strict=True)
        if spec.key == "balance_tolerance"
    )
    wb[settings_sheet][tolerance["Setting"]] = None  # the row's label deleted
    wb.save(path)

    plan, findings = read_jobplan_workbook(path)
    rules = {(f.rule, f.field) for f in findings}
    assert ("jobplan-column-missing", "profession") in rules
    missing = next(f for f in findings if f.rule == "capa-setting-missing")
    assert missing.severity == "warning" and "0.1" in missing.message
    assert plan.settings.balance_tolerance == capa.CapaSettings().balance_tolerance


SERIES = (
    capa.ReferralCount(dt.date(2026, 9, 1), dt.date(2026, 9, 30), 19),
    capa.ReferralCount(dt.date(2026, 10, 1), dt.date(2026, 10, 31), 24),
    capa.ReferralCount(dt.date(2026, 11, 2), dt.date(2026, 11, 8), 6),
)


def test_a_referral_series_is_the_demand_when_no_referrals_a_week_are_typed(tmp_path):
    soffice = require_soffice()
    source = write(tmp_path / "series.xlsx", referrals_per_week=None, referral_series=SERIES)
    typed = write(tmp_path / "typed.xlsx", referral_series=SERIES)  # typed referrals win
    converted, converted_typed = recalculate([source, typed], tmp_path / "out", soffice=soffice)

    plan, findings = read_jobplan_workbook(converted)
    assert [f for f in findings if f.severity == "error"] == []
    assert plan.referral_series == list(SERIES) and plan.referrals_per_week is None
    demand = capa.demand_per_week(SERIES)
    assert plan.demand_per_week == pytest.approx(demand)

    wb = load_workbook(converted, data_only=True)
    assert named(wb, jl.SERIES_NAME).value == pytest.approx(demand)
    assert named(wb, jl.DEMAND_NAME).value == pytest.approx(demand)
    result = capa.balance(list(TEAM), demand, SETTINGS)
    assert named(wb, "ChoiceNeededPerWeek").value == pytest.approx(demand)
    assert named(wb, "CoreVerdict").value == result.core.sentence
    other = load_workbook(converted_typed, data_only=True)
    assert named(other, jl.DEMAND_NAME).value == pytest.approx(REFERRALS)


def test_bad_series_rows_are_findings_at_their_cells(tmp_path):
    series = [*SERIES, capa.ReferralCount(dt.date(2026, 10, 20), dt.date(2026, 10, 26), "six")]
    path = write(tmp_path / "bad-series.xlsx", referrals_per_week=None, referral_series=series)
    plan, findings = read_jobplan_workbook(path)
    sheet, rows = table_cells(path, jl.REFERRALS_TABLE)
    located = {(f.sheet, f.cell) for f in findings if f.rule == "capa-referrals-invalid"}
    assert located == {(sheet, rows[3]["Accepted referrals"]), (sheet, rows[3]["Start"])}
    with pytest.raises(Refused):
        plan.demand_per_week  # noqa: B018


# --- the Team plan recalculated equals what `capa balance` prints ---------------------------

PLANS = {
    # Choice comes down within 13 weeks; Core's load is just above 1 (2.31 against 2.29).
    "comes-down": dict(referrals_per_week=3.3, choice_waiting=30, core_waiting=12),
    # Choice comes down, but only in about 34 weeks: more capacity is needed for 13.
    "slowly": dict(referrals_per_week=6.0, choice_waiting=40, core_waiting=1),
    "growing": dict(referrals_per_week=9.0, choice_waiting=40, core_waiting=2),
    "within-target": dict(referrals_per_week=2.0, choice_waiting=1, core_waiting=0),
    "not-recorded": dict(referrals_per_week=4.5),
    "from-series": dict(referrals_per_week=None, referral_series=SERIES, choice_waiting=15),
}


def printed(path: Path) -> dict:
    """What `workload-xl capa balance --format json` prints for the job plan."""
    import json

    from click.testing import CliRunner

    from workload_xl.cli import main

    result = CliRunner().invoke(main, ["capa", "balance", str(path), "--format", "json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def same(native, python, where: str) -> None:
    """A recalculated cell against capa's figure: numbers to rounding, text exactly, an empty
    cell for a figure capa has not got."""
    if python is None:
        assert native in (None, ""), where
    elif isinstance(python, str):
        assert native == python, where
    else:
        assert native == pytest.approx(python, rel=1e-9, abs=1e-9), where


@pytest.mark.libreoffice
def test_the_recalculated_team_plan_equals_every_figure_capa_balance_prints(tmp_path):
    soffice = require_soffice()
    sources = [write(tmp_path / f"{label}.xlsx", **given) for label, given in PLANS.items()]
    recalculated = recalculate(sources, tmp_path / "recalculated", soffice=soffice)
    compared: set[str] = set()
    statuses, grows = set(), set()
    for source, path in zip(sources, recalculated, strict=True):
        data = printed(source)
        wb = load_workbook(path, data_only=True)
        same(named(wb, jl.DEMAND_NAME).value, data["referrals_per_week"], source.name)
        for row in jl.BALANCE_ROWS:
            side = data["balance"][row.key]
            statuses.add(side["status"])
            for total, key in (
                (row.capacity, "capacity"),
                (row.need, "need"),
                (row.ratio, "ratio"),
                (row.verdict, "sentence"),
            ):
                same(named(wb, total.name).value, side[key], f"{source.name} {total.name}")
                compared.add(total.name)
        for stream in jl.WAITING_STREAMS:
            waiting = data["waiting_lists"][stream.key]
            grows.add(waiting["grows"])
            for measure in jl.WAITING_MEASURES:
                name = stream.name(measure.measure)
                expected = waiting[measure.key]
                if measure.key == "weeks_at_present" and expected is None:
                    expected = jl.NEVER_TEXT if waiting["waiting"] is not None else None
                same(named(wb, name).value, expected, f"{source.name} {name}")
                compared.add(name)
            verdict = named(wb, stream.verdict_name).value
            same(verdict, waiting["sentence"], f"{source.name} {stream.verdict_name}")
            compared.add(stream.verdict_name)
    wanted = set(jl.TEAM_TOTAL_NAMES) | set(jl.VERDICT_NAMES)
    wanted |= set(jl.WAITING_NAMES) | set(jl.WAITING_VERDICT_NAMES)
    assert compared == wanted, "a figure on the Team plan is left unchecked"
    assert statuses == set(capa.STATUSES) and grows == {True, False}


def test_the_numbers_waiting_read_back_and_a_bad_one_is_a_finding_at_its_cell(tmp_path):
    plan, findings = read_jobplan_workbook(write(tmp_path / "w.xlsx", choice_waiting=30))
    assert (plan.choice_waiting, plan.core_waiting) == (30, None)
    assert findings == read_jobplan_workbook(write(tmp_path / "none.xlsx"))[1]
    path = write(tmp_path / "bad.xlsx", core_waiting="about forty")
    plan, findings = read_jobplan_workbook(path)
    cell = named(load_workbook(path), "CoreWaiting")
    assert [(f.rule, f.sheet, f.cell, f.severity) for f in findings if f.severity == "error"] == [
        ("capa-waiting-invalid", cell.parent.title, cell.coordinate, "error")
    ]
    with pytest.raises(Refused):
        capa.waiting_lists(plan.clinicians, REFERRALS, plan.choice_waiting, plan.core_waiting)
