"""Team sheets: every figure and flag checked against values computed here, independently.

Worker workbooks are generated, written to disk and read back; the team is built through the
same API the CLI uses. Expected numbers come from the inputs the test wrote, with the statistics
re-derived in the test, never from the code under test.
"""

from __future__ import annotations

import statistics

import pytest
from click.testing import CliRunner
from openpyxl import load_workbook

from workload_xl.cli import main
from workload_xl.contracts import team as tl
from workload_xl.core.fairness import coefficient_of_variation, robust_scores, run_direction
from workload_xl.core.period import Period
from workload_xl.core.returns import WorkerPeriod
from workload_xl.core.team import TeamSettings, build_team
from workload_xl.files.worker_template import (
    WorkerSheetContent,
    build_team_of_worker_sheets,
    write_worker_workbook,
)
from workload_xl.services.build_team import build_team_files
from workload_xl.services.validate import validate_files

CSC = "childrens-social-care"
POINTS = {
    "Child in need": 5,
    "Child protection plan": 8,
    "Looked after child": 7,
    "Duty day": 2,
    "Training day": 1.5,
}


def content(
    name,
    band="Social worker",
    fte=1.0,
    cases=10,
    duty=2,
    period="2026-10",
    service="Safeguarding and Support",
    team="Team A",
    refs=None,
    **header,
):
    """A worker with `cases` child-in-need cases (5 points each) and `duty` duty days."""
    refs = refs or [f"{name[:3].upper()}{i:03d}" for i in range(cases)]
    lines = [
        {
            "case_ref": r,
            "case_name": f"Child of {name} {i}",
            "item": "Child in need",
            "agreed_points": 5,
        }
        for i, r in enumerate(refs)
    ]
    if duty:
        lines.append({"item": "Duty day", "quantity": duty, "agreed_points": 2 * duty})
    values = {
        "worker": name,
        "team": team,
        "service": service,
        "period": period,
        "fte": fte,
        "band": band,
        "manager": "Sam Okoro",
        "date_agreed": "2026-10-28",
    }
    values.update(header)
    return WorkerSheetContent(values, lines)


def points_of(c: WorkerSheetContent) -> float:
    return sum(line["agreed_points"] for line in c.lines)


@pytest.fixture
def write(tmp_path, registry):
    def write_all(contents, scheme=CSC, folder="in"):
        target = tmp_path / folder
        target.mkdir(exist_ok=True)
        for c in contents:
            path = target / f"{c.header['worker'].replace(' ', '-')}.xlsx"
            assert write_worker_workbook(path, registry.get(scheme), c, force=True) == []
        return target

    return write_all


def team_of(folder, registry, **kwargs):
    run = validate_files([folder], registry)
    return build_team(run.sheets, registry, output="team.xlsx", **kwargs)


def by_worker(build):
    return {w.worker: w for w in build.team.workers}


def rules(build, rule):
    return [f for f in build.findings if f.rule == rule]


# --- the statistics, by hand --------------------------------------------------------------


def test_robust_scores_are_distances_from_the_median_in_scaled_mads():
    values = [10, 11, 12, 13, 40]
    median, mad = 12, 1  # deviations 2, 1, 0, 1, 28
    assert robust_scores(values) == pytest.approx([(v - median) / (1.4826 * mad) for v in values])


def test_robust_scores_fall_back_to_the_mean_deviation_when_most_values_tie():
    values = [10, 10, 10, 10, 20]
    mean_ad = (0 + 0 + 0 + 0 + 10) / 5
    assert robust_scores(values)[-1] == pytest.approx(10 / (1.2533 * mean_ad))
    assert robust_scores([7, 7, 7]) == [0, 0, 0]


def test_spread_is_the_sample_coefficient_of_variation():
    values = [80, 100, 120]
    assert coefficient_of_variation(values) == pytest.approx(statistics.stdev(values) / 100)
    assert coefficient_of_variation([5]) is None


def test_a_run_rises_or_falls_only_when_every_step_does():
    assert (run_direction([1, 2, 3]), run_direction([3, 2, 1]), run_direction([1, 3, 2])) == (
        1,
        -1,
        0,
    )


# --- figures --------------------------------------------------------------------------------


def test_every_worker_figure_and_team_figure_matches_the_inputs(write, registry):
    contents = [
        content("Ann", fte=1.0, cases=12),
        content("Bob", fte=0.8, cases=9),
        content("Cat", fte=0.6, cases=7, duty=1),
        content("Dan", fte=1.0, cases=13),
        content("Eve", "Senior practitioner", fte=1.0, cases=14),
    ]
    build = team_of(write(contents), registry)
    rows = by_worker(build)
    ppf = {c.header["worker"]: points_of(c) / c.header["fte"] for c in contents}
    for c in contents:
        name = c.header["worker"]
        row = rows[name]
        cases = sum(1 for line in c.lines if line.get("case_ref"))
        case_points = sum(line["agreed_points"] for line in c.lines if line.get("case_ref"))
        assert (row.fte, row.cases, row.case_points, row.total_points) == (
            c.header["fte"],
            cases,
            case_points,
            points_of(c),
        )
        assert row.activity_points == points_of(c) - case_points
        assert row.points_per_fte == pytest.approx(ppf[name])
        assert row.counted
    social = [ppf[n] for n in ("Ann", "Bob", "Cat", "Dan")]
    assert rows["Bob"].band_mean == pytest.approx(statistics.fmean(social))
    assert rows["Bob"].band_difference == pytest.approx(ppf["Bob"] - statistics.fmean(social))
    team = build.team
    assert team.mean_ppf == pytest.approx(statistics.fmean(ppf.values()))
    assert team.median_ppf == pytest.approx(statistics.median(ppf.values()))
    assert team.spread == pytest.approx(
        statistics.stdev(ppf.values()) / statistics.fmean(ppf.values())
    )
    assert team.total_points == sum(points_of(c) for c in contents)
    assert team.total_fte == pytest.approx(sum(c.header["fte"] for c in contents))
    assert (team.team, team.service, str(team.period)) == (
        "Team A",
        "Safeguarding and Support",
        "2026-10",
    )
    assert [w.band for w in team.workers] == ["Social worker"] * 4 + ["Senior practitioner"]


def test_a_sheet_with_errors_is_listed_marked_and_left_out_of_the_figures(write, registry):
    broken = content("Zed", cases=30)
    broken.lines[0]["agreed_points"] = 99  # far outside the range
    contents = [content("Ann"), content("Bob"), broken]
    build = team_of(write(contents), registry)
    zed = by_worker(build)["Zed"]
    assert not zed.counted and "errors" in zed.flags[0]
    assert build.team.workers[-1] is zed
    assert build.team.total_points == points_of(contents[0]) + points_of(contents[1])
    assert any(f.rule == "points-out-of-range" and "Zed" in f.workbook for f in build.findings)


# --- flags ----------------------------------------------------------------------------------


def test_a_worker_far_above_similar_colleagues_is_flagged_and_only_them(write, registry):
    loads = {"Ann": 12, "Bob": 13, "Cat": 12, "Dan": 14, "Eve": 13, "Fay": 24}
    contents = [content(n, cases=k) for n, k in loads.items()]
    build = team_of(write(contents), registry)
    ppf = [points_of(c) for c in contents]  # all full time
    median = statistics.median(ppf)
    mad = statistics.median(abs(v - median) for v in ppf)
    expected = {
        c.header["worker"]
        for c, v in zip(contents, ppf, strict=True)
        if abs(v - median) / (1.4826 * mad) > 2.0 and abs(v - median) >= 0.1 * median
    }
    assert expected == {"Fay"}
    flagged = rules(build, "worker-outlier")
    assert [f.value for f in flagged] == [pytest.approx(points_of(contents[-1]))]
    assert "well above" in flagged[0].message and "Fay" in flagged[0].message
    assert "capacity" not in flagged[0].message.lower()
    fay_row = [w.worker for w in build.team.workers].index("Fay")
    assert flagged[0].cell == tl.worker_cell(fay_row, "points_per_fte")


def test_a_tight_band_does_not_flag_small_differences(write, registry):
    contents = [
        content(n, cases=k) for n, k in {"Ann": 12, "Bob": 12, "Cat": 12, "Dan": 13}.items()
    ]
    assert rules(team_of(write(contents), registry), "worker-outlier") == []


def test_bands_with_fewer_than_three_workers_are_not_compared(write, registry):
    contents = [
        content("Ann", cases=5),
        content("Bob", cases=25),
        content("Cat", "Senior practitioner"),
    ]
    build = team_of(write(contents), registry)
    assert rules(build, "worker-outlier") == []
    assert {f.value for f in rules(build, "band-too-small")} == {
        "Social worker",
        "Senior practitioner",
    }


def test_wide_spread_is_flagged_from_the_coefficient_of_variation(write, registry):
    wide = [content("Ann", cases=6), content("Bob", cases=12), content("Cat", cases=20)]
    values = [points_of(c) for c in wide]
    cv = statistics.stdev(values) / statistics.fmean(values)
    assert cv > 0.25
    (found,) = rules(team_of(write(wide, folder="wide"), registry), "team-spread-wide")
    assert found.value == pytest.approx(cv, abs=1e-4) and found.cell == tl.field_cell("spread")
    narrow = [content("Ann", cases=12), content("Bob", cases=12), content("Cat", cases=13)]
    assert rules(team_of(write(narrow, folder="narrow"), registry), "team-spread-wide") == []


def test_a_case_on_two_workers_sheets_is_made_visible_once(write, registry):
    contents = [
        content("Ann", refs=["C1", "C2"]),
        content("Bob", refs=["C2", "C3"]),
        content("Cat", refs=["C4", "C5"]),
    ]
    build = team_of(write(contents), registry)
    (found,) = rules(build, "case-co-worked")
    assert found.value == "C2" and found.severity == "info"
    rows = by_worker(build)
    assert any("C2" in flag and "Bob" in flag for flag in rows["Ann"].flags)
    assert any("C2" in flag and "Ann" in flag for flag in rows["Bob"].flags)
    assert not rows["Cat"].flags
    shared = [c for c in build.team.cases if c.case_ref == "C2"]
    assert sorted(c.also_allocated_to for c in shared) == [("Ann",), ("Bob",)]


def test_two_sheets_for_one_worker_count_once(write, registry, tmp_path):
    folder = write([content("Ann"), content("Bob"), content("Cat")])
    second = content("Ann", cases=20)
    second.header["worker"] = "ann"  # the same person, typed differently
    write_worker_workbook(folder / "ann-again.xlsx", registry.get(CSC), second)
    build = team_of(folder, registry)
    (found,) = rules(build, "worker-duplicate")
    assert found.severity == "error"
    assert sum(1 for w in build.team.workers if w.worker.casefold() == "ann") == 2
    assert sum(1 for w in build.team.counted if w.worker.casefold() == "ann") == 1


# --- what may not be put together ----------------------------------------------------------


def test_sheets_from_two_schemes_are_refused(write, registry):
    folder = write([content("Ann"), content("Bob")])
    leaving = content("Lee", service="Leaving Care", period="2026-P10", band="Personal adviser")
    leaving.lines = [
        {"case_ref": "L1", "item": "Former relevant child (18-21)", "agreed_points": 4}
    ]
    write([leaving], scheme="leaving-care")
    build = team_of(folder, registry)
    assert build.team is None
    assert [f.rule for f in build.findings if f.rule.startswith("team-")] == ["team-mixed-schemes"]


def test_sheets_from_two_services_are_refused(write, registry):
    build = team_of(write([content("Ann"), content("Bob", service="First Response")]), registry)
    assert build.team is None and rules(build, "team-mixed-services")


def test_sheets_for_two_periods_are_refused_unless_one_is_picked(write, registry):
    folder = write([content("Ann"), content("Bob"), content("Cat", period="2026-09")])
    refused = team_of(folder, registry)
    assert refused.team is None and rules(refused, "team-mixed-periods")
    picked = team_of(folder, registry, period="Oct 2026")
    assert [w.worker for w in picked.team.workers] == ["Ann", "Bob"]
    (left_out,) = rules(picked, "sheet-other-period")
    assert left_out.value == "2026-09" and "Cat" in left_out.workbook


def test_sheets_naming_different_teams_are_built_with_a_warning(write, registry):
    build = team_of(
        write([content("Ann"), content("Bob"), content("Cat", team="Team B")]), registry
    )
    assert build.team.team == "Team A"
    (found,) = rules(build, "team-mixed-teams")
    assert found.severity == "warning"


def test_one_workbook_with_a_tab_per_worker_is_read_like_separate_files(write, registry, tmp_path):
    contents = [content("Ann", cases=11), content("Bob", cases=14), content("Cat", cases=9)]
    separate = team_of(write(contents), registry)
    book = tmp_path / "tabs.xlsx"
    build_team_of_worker_sheets(registry.get(CSC), contents).save(book)
    tabs = team_of(book, registry)
    assert [(w.worker, w.total_points, w.points_per_fte) for w in tabs.team.workers] == [
        (w.worker, w.total_points, w.points_per_fte) for w in separate.team.workers
    ]
    assert {w.source.rsplit("/", 1)[-1] for w in tabs.team.workers} == {
        "tabs.xlsx (Ann)",
        "tabs.xlsx (Bob)",
        "tabs.xlsx (Cat)",
    }


# --- over time ------------------------------------------------------------------------------


def _history(worker_values: dict[str, list[float]], end: Period) -> list[WorkerPeriod]:
    """Earlier periods, oldest first, ending the period before `end`."""
    rows = []
    length = len(next(iter(worker_values.values())))
    periods = []
    period = end
    for _ in range(length):
        period = period.previous()
        periods.insert(0, period)
    for name, values in worker_values.items():
        for period, value in zip(periods, values, strict=True):
            rows.append(
                WorkerPeriod(
                    name,
                    "Social worker",
                    1.0,
                    0,
                    value,
                    True,
                    period=period,
                    shown_points_per_fte=value,
                )
            )
    return rows


def _flag_team(write, registry, heavy_cases=24):
    loads = {"Ann": 12, "Bob": 13, "Cat": 12, "Dan": 14, "Fay": heavy_cases}
    return write([content(n, cases=k) for n, k in loads.items()])


def test_the_same_worker_flagged_three_periods_running_is_a_persistent_disparity(write, registry):
    folder = _flag_team(write, registry)
    normal = {"Ann": [70, 70], "Bob": [75, 74], "Cat": [70, 71], "Dan": [80, 78]}
    history = _history({**normal, "Fay": [130, 128]}, Period(2026, 10))
    build = team_of(folder, registry, history=history)
    (found,) = rules(build, "disparity-persistent")
    assert found.value == 3 and "2026-08" in found.message
    gap = _history({**normal, "Fay": [130, 74]}, Period(2026, 10))  # not flagged last month
    assert rules(team_of(folder, registry, history=gap), "disparity-persistent") == []


def test_a_steady_rise_over_four_periods_is_shown(write, registry):
    folder = _flag_team(write, registry, heavy_cases=13)
    ann_now = points_of(content("Ann", cases=12))
    history = _history(
        {
            "Ann": [ann_now - 15, ann_now - 10, ann_now - 5],
            "Bob": [69, 75, 70],
            "Cat": [70, 70, 70],
            "Dan": [80, 79, 81],
            "Fay": [75, 75, 75],
        },
        Period(2026, 10),
    )
    build = team_of(folder, registry, history=history)
    (found,) = rules(build, "trend-rising")
    assert "Ann" in found.message and found.value == pytest.approx(ann_now)
    assert "risen 3 times running" in found.message
    assert {h.period for h in build.team.history} == {Period(2026, m) for m in (7, 8, 9, 10)}


def test_settings_come_from_the_scheme(registry):
    settings = TeamSettings.for_scheme(registry.get(CSC))
    assert settings.outlier_threshold == registry.get(CSC).outlier_threshold
    assert TeamSettings.for_scheme(registry.get("leaving-care")).spread_threshold == 0.25


# --- files and the command line ------------------------------------------------------------


def test_the_written_team_workbook_holds_the_figures_flags_and_every_finding(
    write, registry, tmp_path
):
    loads = {"Ann": 12, "Bob": 13, "Cat": 12, "Dan": 14, "Fay": 24}
    folder = write([content(n, cases=k) for n, k in loads.items()])
    out = tmp_path / "team.xlsx"
    run = build_team_files([folder], out, registry=registry)
    assert run.written and run.exit_code == 0
    wb = load_workbook(out)
    ws = wb[tl.TEAM_SHEET]
    table = ws.tables[tl.TEAM_TABLE]
    grid = [[c.value for c in row] for row in ws[table.ref]]
    headings, records = grid[0], [dict(zip(grid[0], r, strict=True)) for r in grid[1:]]
    assert headings == [c.header for c in tl.TEAM_COLUMNS]
    built = {w.worker: w for w in run.build.team.workers}
    for record in records:
        w = built[record["Worker"]]
        assert record["Total points"] == w.total_points
        assert record["Points per FTE"] == pytest.approx(w.points_per_fte, abs=0.01)
        assert record["In team figures"] == "yes"
    outlier = next(f for f in run.build.findings if f.rule == "worker-outlier")
    cell = ws[outlier.cell]
    assert cell.fill.fgColor.rgb.endswith("F8CBAD") and "worker-outlier" in cell.comment.text
    errors = wb[tl.ERRORS_SHEET]
    listed = [row[1] for row in errors.iter_rows(min_row=2, values_only=True)]
    assert sorted(listed) == sorted(f.rule for f in run.build.findings)
    for name in ("TeamTotalPoints", "TeamPointsPerFTE"):
        _, ref = next(ws.defined_names[name].destinations)
        assert str(ws[ref.replace("$", "")].value).startswith("=")


def test_history_is_carried_forward_from_last_periods_team_workbook(write, registry, tmp_path):
    outs = []
    for month in (8, 9, 10):
        folder = write(
            [
                content(n, period=f"2026-{month:02d}", cases=10 + month - 8 + i)
                for i, n in enumerate(("Ann", "Bob", "Cat"))
            ],
            folder=f"m{month}",
        )
        out = tmp_path / f"team-{month}.xlsx"
        history = [outs[-1]] if outs else []
        run = build_team_files([folder], out, registry=registry, history=history)
        assert run.written, run.build.findings
        outs.append(out)
    periods = {h.period for h in run.build.team.history}
    assert periods == {Period(2026, 8), Period(2026, 9), Period(2026, 10)}
    hist = load_workbook(outs[-1])[tl.HISTORY_SHEET]
    assert {row[0] for row in hist.iter_rows(min_row=2, values_only=True)} == {
        "2026-08",
        "2026-09",
        "2026-10",
    }


def test_an_unusable_history_file_is_a_warning_and_the_build_goes_on(write, registry, tmp_path):
    folder = write([content("Ann"), content("Bob"), content("Cat")])
    junk = tmp_path / "old.xlsx"
    junk.write_text("not a workbook")
    run = build_team_files([folder], tmp_path / "t.xlsx", registry=registry, history=[junk])
    assert run.written
    assert [f.rule for f in run.build.findings if f.rule.startswith("history")] == [
        "history-unreadable"
    ]


def test_build_team_on_the_command_line(write, registry, tmp_path):
    folder = write([content("Ann"), content("Bob"), content("Cat", period="2026-09")])
    out = tmp_path / "team.xlsx"
    result = CliRunner().invoke(main, ["build-team", str(folder), "-o", str(out)])
    assert result.exit_code == 1 and "team-mixed-periods" in result.output
    assert not out.exists() and "No team workbook was written" in result.output
    result = CliRunner().invoke(
        main, ["build-team", str(folder), "-o", str(out), "--period", "2026-10"]
    )
    assert result.exit_code == 0, result.output
    assert "Ann" in result.output and "Wrote" in result.output and out.exists()
    again = CliRunner().invoke(
        main, ["build-team", str(folder), "-o", str(out), "--period", "2026-10"]
    )
    assert again.exit_code == 1 and "output-exists" in again.output


def test_an_extra_sheets_rows_stay_off_the_cases_sheet(write, registry):
    folder = write([content("Ann", cases=3), content("Bob"), content("Cat")])
    extra = content("Ann", cases=9, refs=[f"X{i}" for i in range(9)])
    write_worker_workbook(folder / "ann-again.xlsx", registry.get(CSC), extra)
    build = team_of(folder, registry)
    ann = [c.case_ref for c in build.team.cases if c.worker == "Ann" and c.kind == "case"]
    assert ann == ["ANN000", "ANN001", "ANN002"]
