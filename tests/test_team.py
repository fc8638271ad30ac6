"""Team sheets: every figure and flag checked against values computed here, independently.

Worker workbooks are generated, written to disk and read back; the team is built through the
same API the CLI uses. Expected numbers come from the inputs the test wrote, with the statistics
re-derived in the test, never from the code under test.
"""

from __future__ import annotations

import dataclasses
import statistics
from pathlib import Path

import pytest
from click.testing import CliRunner
from openpyxl import load_workbook

from workload_xl.cli import main
from workload_xl.contracts import team as tl
from workload_xl.core.disparity import SignalSettings
from workload_xl.core.fairness import coefficient_of_variation
from workload_xl.core.period import Period
from workload_xl.core.returns import WorkerPeriod
from workload_xl.core.schemes import SchemeRegistry
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


def test_spread_is_the_sample_coefficient_of_variation():
    values = [80, 100, 120]
    assert coefficient_of_variation(values) == pytest.approx(statistics.stdev(values) / 100)
    assert coefficient_of_variation([5]) is None


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
    # the scheme: 100 points for a full-time worker, bands Social worker and Senior
    # practitioner both at capacity factor 1.0, so expected = 100 × FTE
    expected = {c.header["worker"]: 100 * c.header["fte"] for c in contents}
    load = {name: points_of(c) / expected[name] for name, c in zip(ppf, contents, strict=True)}
    for name, row in rows.items():
        assert row.expected_points == pytest.approx(expected[name])
        assert row.load == pytest.approx(load[name])
    assert rows["Bob"].load == pytest.approx((9 * 5 + 4) / 80)
    team = build.team
    assert team.mean_ppf == pytest.approx(statistics.fmean(ppf.values()))
    assert team.median_ppf == pytest.approx(statistics.median(ppf.values()))
    assert team.median_load == pytest.approx(statistics.median(load.values()))
    assert team.spread == pytest.approx(
        statistics.stdev(load.values()) / statistics.fmean(load.values())
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
    # full-time social workers: expected 100 points, so a load is points / 100
    load = {c.header["worker"]: points_of(c) / 100 for c in contents}
    middle = statistics.median(load.values())
    assert middle == pytest.approx(0.69)  # 13 cases × 5 + 2 duty days × 2
    expected = {name for name, v in load.items() if abs(v - middle) >= 0.30}
    assert expected == {"Fay"}
    flagged = rules(build, "worker-outlier")
    assert [f.value for f in flagged] == [pytest.approx(1.24)]
    assert "well above" in flagged[0].message and "Fay" in flagged[0].message
    assert "124%" in flagged[0].message and "69%" in flagged[0].message
    assert "+55 points" in flagged[0].message
    fay_row = [w.worker for w in build.team.workers].index("Fay")
    assert flagged[0].cell == tl.worker_cell(fay_row, "load")
    assert by_worker(build)["Fay"].flags == ["load 124%, well above the team's 69%"]


def test_a_protected_newly_qualified_caseload_reads_as_expected_and_is_not_flagged(write, registry):
    """The scheme expects 90% of a newly qualified worker (capacity factor 0.9): 90 points
    against colleagues' 100 is a load of 100%, as theirs is, so nobody is flagged."""
    full = [content(n, cases=18, duty=5) for n in ("Ann", "Bob", "Cat", "Dan")]  # 100 points
    asye = content("Nia", "Newly qualified (ASYE)", cases=16, duty=5)  # 90 points
    assert [points_of(c) for c in full] == [100] * 4 and points_of(asye) == 90
    build = team_of(write([*full, asye]), registry)
    nia = by_worker(build)["Nia"]
    assert nia.expected_points == pytest.approx(90) and nia.load == pytest.approx(1.0)
    assert nia.flags == [] and build.team.median_load == pytest.approx(1.0)
    flags = {"worker-outlier", "disparity-persistent", "team-spread-wide", "band-too-small"}
    assert [f for f in build.findings if f.rule in flags] == []


def test_a_worker_25_percent_above_for_three_periods_is_a_lasting_disparity(write, registry):
    """+25% is inside the single-period margin (30 points) but past the lasting one (12):
    three periods running of it are flagged, with each period's load and the team's."""
    folder = write([*(content(n, cases=18, duty=5) for n in "ABCD"), content("Eve", cases=24)])
    assert points_of(content("Eve", cases=24)) == 124
    normal = {n: [100, 100] for n in "ABCD"}
    history = _history({**normal, "Eve": [125, 126]}, Period(2026, 10))
    build = team_of(folder, registry, history=history)
    assert rules(build, "worker-outlier") == []
    (found,) = rules(build, "disparity-persistent")
    assert found.value == 3 and "since 2026-08" in found.message
    assert "125%, 126%, 124%" in found.message and "100%, 100%, 100%" in found.message
    assert by_worker(build)["Eve"].flags == ["above colleagues 3 periods running"]
    missing = [r for r in history if r.period != Period(2026, 8)]  # 2026-08 had no return
    earlier = {n: [100] for n in "ABCD"}
    history_gap = [*missing, *_history({**earlier, "Eve": [125]}, Period(2026, 8))]
    assert rules(team_of(folder, registry, history=history_gap), "disparity-persistent") == []


def test_a_tight_band_does_not_flag_small_differences(write, registry):
    contents = [
        content(n, cases=k) for n, k in {"Ann": 12, "Bob": 12, "Cat": 12, "Dan": 13}.items()
    ]
    assert rules(team_of(write(contents), registry), "worker-outlier") == []


def _without_reference(tmp_path) -> SchemeRegistry:
    """The children's scheme with no reference level: nothing to expect, so each worker is
    compared with the median of their band."""
    source = SchemeRegistry.from_dir().get(CSC).source
    text = Path(source).read_text(encoding="utf-8").replace("reference_points = 100\n", "")
    folder = tmp_path / "schemes"
    folder.mkdir()
    (folder / f"{CSC}.toml").write_text(text, encoding="utf-8")
    found = SchemeRegistry.from_dir(folder)
    assert found.get(CSC).reference_points is None
    return found


def test_without_a_reference_level_bands_are_compared_within_and_small_ones_not(write, tmp_path):
    plain = _without_reference(tmp_path)
    contents = [
        content("Ann", cases=12),
        content("Bob", cases=13),
        content("Cat", cases=24),
        content("Dan", "Senior practitioner", cases=5),
        content("Eve", "Senior practitioner", cases=30),
    ]
    build = team_of(write(contents, folder="plain"), plain)
    rows = by_worker(build)
    social = statistics.median([64, 69, 124])  # 12, 13 and 24 cases × 5 + 4 duty points
    assert rows["Cat"].load == pytest.approx(124 / social) and rows["Ann"].expected_points is None
    assert rows["Dan"].load is None  # two seniors: too few for a band median
    (found,) = rules(build, "worker-outlier")
    assert "Cat" in found.message and "median of the band 'Social worker'" in found.message
    assert {f.value for f in rules(build, "band-too-small")} == {"Senior practitioner"}


def test_with_a_reference_level_every_band_is_one_comparison_group(write, registry):
    contents = [
        content("Ann", cases=5),
        content("Bob", cases=25),
        content("Cat", "Senior practitioner"),
    ]
    build = team_of(write(contents), registry)
    # loads 29%, 129%, 54%: the middle is 54%; Bob is 75 points above it, Ann 25 below
    assert build.team.median_load == pytest.approx(0.54)
    assert [f.value for f in rules(build, "worker-outlier")] == [1.29]
    assert rules(build, "band-too-small") == []


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


def test_a_worker_rising_seven_periods_running_is_shown(write, registry):
    """The trend rule on a worker's own series, once it is run_length (7) periods long."""
    folder = _flag_team(write, registry, heavy_cases=13)
    ann_now = points_of(content("Ann", cases=12))  # 64
    rising = [ann_now - 6 * step for step in (6, 5, 4, 3, 2, 1)]  # 28, 34, ... 58
    flat = {"Bob": [69] * 6, "Cat": [64] * 6, "Dan": [74] * 6, "Fay": [69] * 6}
    build = team_of(folder, registry, history=_history({"Ann": rising, **flat}, Period(2026, 10)))
    (found,) = [f for f in rules(build, "trend-rising") if "Ann" in f.message]
    assert found.value == pytest.approx(ann_now) and "risen 6 times running" in found.message
    assert "28.0 → 34.0 → 40.0 → 46.0 → 52.0 → 58.0 → 64.0" in found.message
    short = _history({"Ann": rising[1:], **{k: v[1:] for k, v in flat.items()}}, Period(2026, 10))
    assert rules(team_of(folder, registry, history=short), "trend-rising") == []


def _steady_team(write, points):
    """Four full-time social workers on `points` each (cases of 5 plus 2 duty days of 2)."""
    return write([content(n, cases=(points - 4) // 5) for n in ("Ann", "Bob", "Cat", "Dan")])


def test_a_team_above_its_usual_level_for_seven_periods_is_a_rise(write, registry):
    """The shift rule: the latest 7 periods all above the mean of the (up to 12) before."""
    folder = _steady_team(write, 104)
    names = ("Ann", "Bob", "Cat", "Dan")
    before = [96, 100, 98, 102, 97, 99]  # mean 98.67
    after = [101, 103, 100, 104, 102, 101]  # and this period's 104: 7 above
    history = _history({n: before + after for n in names}, Period(2026, 10))
    build = team_of(folder, registry, history=history)
    (found,) = rules(build, "trend-rising")
    assert found.cell == tl.field_cell("points_per_fte") and found.value == pytest.approx(104)
    assert "above their usual level (98.7" in found.message
    assert "for 7 periods running (2026-04 to 2026-10)" in found.message
    dip = _history({n: [*before, *after[:3], 98, *after[4:]] for n in names}, Period(2026, 10))
    assert rules(team_of(folder, registry, history=dip), "trend-rising") == []
    missing = [r for r in history if r.period != Period(2026, 6)]  # no return that month
    assert rules(team_of(folder, registry, history=missing), "trend-rising") == []
    short_baseline = [r for r in history if r.period >= Period(2025, 12)]  # 4 before the run
    assert rules(team_of(folder, registry, history=short_baseline), "trend-rising") == []


def test_settings_come_from_the_scheme(registry, tmp_path):
    settings = TeamSettings.for_scheme(registry.get(CSC))
    assert settings.signals == SignalSettings() and settings.scheme is registry.get(CSC)
    assert TeamSettings.for_scheme(registry.get("leaving-care")).spread_threshold == 0.25
    source = registry.get(CSC).source
    text = Path(source).read_text(encoding="utf-8")
    folder = tmp_path / "schemes"
    folder.mkdir()
    (folder / f"{CSC}.toml").write_text(
        text + "\n[flags]\noutlier_margin = 0.4\nrun_length = 6\n", encoding="utf-8"
    )
    changed = TeamSettings.for_scheme(SchemeRegistry.from_dir(folder).get(CSC)).signals
    assert changed == dataclasses.replace(SignalSettings(), outlier_margin=0.4, run_length=6)


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
    assert not out.exists() and result.output.splitlines()[-1] == (
        "Nothing written: the worker sheets are for different periods "
        "(team-mixed-periods, said above)."
    )
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


def test_build_team_json_gives_each_workers_flags_as_a_list_and_the_new_measures(
    write, registry, tmp_path
):
    import json

    loads = {"Ann": 12, "Bob": 13, "Cat": 12, "Dan": 14, "Fay": 24}
    folder = write([content(n, cases=k) for n, k in loads.items()])
    out = tmp_path / "team.xlsx"
    result = CliRunner().invoke(
        main, ["build-team", str(folder), "-o", str(out), "--format", "json"]
    )
    assert result.exit_code == 0, result.output
    team = json.loads(result.output)["team"]
    fay = next(w for w in team["workers"] if w["worker"] == "Fay")
    assert fay["flags"] == ["load 124%, well above the team's 69%"]
    assert (fay["expected_points"], fay["load"]) == (100.0, 1.24)
    assert team["median_load_against_expected"] == 0.69
