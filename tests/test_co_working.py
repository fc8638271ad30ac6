"""Co-worked cases: the scheme says how one counts for each worker, and a team counts it once.

Two workers co-work one 10-point case (Care proceedings, reference C-SHARED on Ann's sheet and
c-shared on Bob's: references are compared ignoring case), beside cases and activities of
their own, and a third worker works alone. Every figure below is worked out by hand from the
sheets the tests write:

| worker | FTE | rows | points | cases |
|---|---|---|---|---|
| Ann | 1.0 | C-SHARED 10, Child in need 5, Child protection plan 8, 2 duty days 4 | 27 | 3 |
| Bob | 0.5 | c-shared 10, Looked after child 7 | 17 | 2 |
| Cat | 1.0 | two Child in need 5 + 5, a training day 1.5 | 11.5 | 2 |

With co_working = "full" each keeps their own points: Ann 27, Bob 17 (34 per FTE), Cat 11.5.
With "share" the case's 10 points are shared, 5 each: Ann 22, Bob 12 (24 per FTE), Cat 11.5.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from openpyxl import load_workbook
from openpyxl.utils import range_boundaries

from tests.libreoffice import recalculate, require_soffice
from workload_xl.contracts import team as tl
from workload_xl.core import coworking
from workload_xl.core.schemes import SchemeError, SchemeRegistry, load_scheme
from workload_xl.core.team import build_team
from workload_xl.files.return_reader import read_team_return
from workload_xl.files.worker_template import WorkerSheetContent, write_worker_workbook
from workload_xl.services.build_team import build_team_files
from workload_xl.services.consolidate import consolidate_files
from workload_xl.services.report import trend_report
from workload_xl.services.validate import validate_files
from workload_xl.store.database import ReturnsStore

ROOT = Path(__file__).resolve().parents[1]
CSC = "childrens-social-care"
SHIPPED = ROOT / "schemes"


def worker(name: str, fte: float, lines: list[dict], **header) -> WorkerSheetContent:
    values = {
        "worker": name,
        "team": "Team A",
        "service": "Safeguarding and Support",
        "period": "2026-10",
        "fte": fte,
        "band": "Social worker",
        "manager": "Sam Okoro",
        "date_agreed": "2026-10-28",
    }
    values.update(header)
    return WorkerSheetContent(values, lines)


def case(ref: str, item: str, points: float) -> dict:
    return {"case_ref": ref, "case_name": f"Child {ref}", "item": item, "agreed_points": points}


def activity(item: str, quantity: float, points: float) -> dict:
    return {"item": item, "quantity": quantity, "agreed_points": points}


def team_of_three(court_points_on_bob: float = 10) -> list[WorkerSheetContent]:
    return [
        worker(
            "Ann",
            1.0,
            [
                case("C-SHARED", "Care proceedings", 10),
                case("A1", "Child in need", 5),
                case("A2", "Child protection plan", 8),
                activity("Duty day", 2, 4),
            ],
        ),
        worker(
            "Bob",
            0.5,
            [
                case("c-shared", "Care proceedings", court_points_on_bob),
                case("B1", "Looked after child", 7),
            ],
        ),
        worker(
            "Cat",
            1.0,
            [
                case("C1", "Child in need", 5),
                case("C2", "Child in need", 5),
                activity("Training day", 1, 1.5),
            ],
        ),
    ]


def registry_with(tmp_path: Path, rule: str | None) -> SchemeRegistry:
    """The shipped schemes, the children's scheme with `co_working = rule` (None: unset)."""
    folder = tmp_path / f"schemes-{rule}"
    shutil.copytree(SHIPPED, folder)
    path = folder / f"{CSC}.toml"
    text = path.read_text(encoding="utf-8")
    assert text.count('co_working = "full"\n') == 1
    setting = "" if rule is None else f'co_working = "{rule}"\n'
    path.write_text(text.replace('co_working = "full"\n', setting), encoding="utf-8")
    return SchemeRegistry.from_dir(folder)


def write_sheets(folder: Path, registry: SchemeRegistry, sheets) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for sheet in sheets:
        path = folder / f"{sheet.header['worker']}.xlsx"
        assert write_worker_workbook(path, registry.get(CSC), sheet, force=True) == []
    return folder


def build(folder: Path, registry: SchemeRegistry):
    run = validate_files([folder], registry)
    return build_team(run.sheets, registry, output="team.xlsx")


def figures(team) -> dict[str, tuple]:
    return {
        w.worker: (w.cases, w.case_points, w.total_points, w.points_per_fte, w.counted)
        for w in team.workers
    }


# --- 1. the scheme setting ----------------------------------------------------------------


def test_each_shipped_scheme_sets_co_working_to_full_and_says_why():
    for path in sorted(SHIPPED.glob("*.toml")):
        text = path.read_text(encoding="utf-8")
        assert 'co_working = "full"\n' in text, path.name
        before = text[: text.index('co_working = "full"')]
        assert before.rstrip().splitlines()[-1].startswith("#"), f"{path.name}: no comment"
        assert load_scheme(path).co_working == "full"


def test_co_working_is_full_when_a_scheme_does_not_say(tmp_path):
    assert registry_with(tmp_path, None).get(CSC).co_working == "full"
    assert registry_with(tmp_path, "share").get(CSC).co_working == "share"


@pytest.mark.parametrize(
    ("value", "shown"),
    [('"half"', "'half'"), ('"Share"', "'Share'"), ("0.5", "0.5"), ('["share"]', "['share']")],
)
def test_a_wrong_co_working_fails_at_load_naming_the_file_key_and_choices(tmp_path, value, shown):
    text = (SHIPPED / f"{CSC}.toml").read_text(encoding="utf-8")
    path = tmp_path / f"{CSC}.toml"
    path.write_text(text.replace('co_working = "full"', f"co_working = {value}"), "utf-8")
    with pytest.raises(SchemeError) as caught:
        load_scheme(path)
    message = str(caught.value)
    assert str(path) in message
    assert "co_working: must be " in message
    assert '"full" (each worker keeps the points their own sheet gives' in message
    assert '"share" (a co-worked case\'s points are shared equally' in message
    assert f"found {shown}" in message
    registry = SchemeRegistry.from_dir(tmp_path)  # one finding, never a traceback
    assert registry.get(CSC) is None
    assert [f.rule for f in registry.problems] == ["scheme-invalid"]


def test_with_full_each_worker_keeps_the_points_their_sheet_gives(tmp_path):
    registry = registry_with(tmp_path, "full")
    team = build(write_sheets(tmp_path / "in", registry, team_of_three()), registry).team
    assert team.co_working == "full"
    assert figures(team) == {
        "Ann": (3, 23.0, 27.0, 27.0, True),
        "Bob": (2, 17.0, 17.0, 34.0, True),
        "Cat": (2, 10.0, 11.5, 11.5, True),
    }


def test_with_share_the_two_holders_count_five_points_each_of_the_ten(tmp_path):
    registry = registry_with(tmp_path, "share")
    team = build(write_sheets(tmp_path / "in", registry, team_of_three()), registry).team
    assert team.co_working == "share"
    assert figures(team) == {
        "Ann": (3, pytest.approx(18.0), pytest.approx(22.0), pytest.approx(22.0), True),
        "Bob": (2, pytest.approx(12.0), pytest.approx(12.0), pytest.approx(24.0), True),
        "Cat": (2, 10.0, 11.5, 11.5, True),
    }
    rows = {w.worker: w for w in team.workers}
    assert "co-works case C-SHARED with Bob (5 of its 10 points counted here)" in rows["Ann"].flags
    assert "co-works case c-shared with Ann (5 of its 10 points counted here)" in rows["Bob"].flags
    assert not any("co-works" in flag for flag in rows["Cat"].flags)


def test_with_share_the_case_is_worth_the_most_any_holder_agreed(tmp_path):
    """Bob agreed 8 for his part (the item's minimum): the case is worth 10, 5 each."""
    registry = registry_with(tmp_path, "share")
    sheets = team_of_three(court_points_on_bob=8)
    team = build(write_sheets(tmp_path / "in", registry, sheets), registry).team
    got = figures(team)
    assert got["Ann"][2] == pytest.approx(22.0)
    assert got["Bob"][2] == pytest.approx(12.0)


def test_a_holder_whose_sheet_has_errors_takes_no_share(tmp_path):
    """Dan's sheet has an error (no FTE), so it is not in the team figures: Ann and Bob share
    the case between them, and Dan's row keeps the 10 points his sheet gives."""
    registry = registry_with(tmp_path, "share")
    dan = worker("Dan", None, [case("C-SHARED", "Care proceedings", 10)])
    sheets = [*team_of_three(), dan]
    team = build(write_sheets(tmp_path / "in", registry, sheets), registry).team
    got = figures(team)
    assert got["Ann"][2] == pytest.approx(22.0)
    assert got["Bob"][2] == pytest.approx(12.0)
    assert got["Dan"] == (1, 10.0, 10.0, None, False)


@pytest.mark.parametrize(
    ("rule", "words"),
    [
        (
            "full",
            'co_working = "full"): each keeps the points their own sheet gives; the team\'s '
            "total counts the case once, at 10 points",
        ),
        (
            "share",
            'co_working = "share"): each of the 2 workers counts 5 of its 10 points (the most '
            "any of them agreed), and the team's total counts the case once.",
        ),
    ],
)
def test_the_co_worked_finding_says_how_the_scheme_counts_the_case(tmp_path, rule, words):
    registry = registry_with(tmp_path, rule)
    built = build(write_sheets(tmp_path / "in", registry, team_of_three()), registry)
    (found,) = [f for f in built.findings if f.rule == "case-co-worked"]
    assert found.value == "C-SHARED"
    assert found.message.startswith("Case C-SHARED is on the sheets of Ann and Bob.")
    assert words in found.message


def test_three_holders_share_a_case_in_thirds_and_a_case_held_alone_is_untouched():
    lines = [
        ("Ann", "X1", "case", 9.0),
        ("bob", "x1", "case", 6.0),  # Bob, typed in lower case
        ("Cat", "X1", "case", 7.5),
        ("Cat", "", "case", 4.0),  # no reference: a case of its own
        ("Ann", "A1", "case", 5.0),
        ("Ann", "", "activity", 2.0),
        ("Dan", "X1", "case", 9.0),  # not counted: no share, no effect
    ]
    counted = {"ann", "bob", "cat"}
    shared = coworking.worker_counts(lines, counted, coworking.SHARE)
    assert shared["ann"] == coworking.WorkerCount(2, pytest.approx(3.0 + 5.0), 2.0)
    assert shared["bob"] == coworking.WorkerCount(1, pytest.approx(3.0), 0.0)
    assert shared["cat"] == coworking.WorkerCount(2, pytest.approx(3.0 + 4.0), 0.0)
    assert shared["dan"] == coworking.WorkerCount(1, 9.0, 0.0)
    full = coworking.worker_counts(lines, counted, coworking.FULL)
    assert full["bob"] == coworking.WorkerCount(1, 6.0, 0.0)
    assert full["cat"] == coworking.WorkerCount(2, 11.5, 0.0)


@pytest.mark.parametrize(
    ("rule", "expected"),
    [
        ("full", {"Ann": 27.0, "Bob": 17.0, "Cat": 11.5}),
        ("share", {"Ann": 22.0, "Bob": 12.0, "Cat": 11.5}),
    ],
)
def test_a_return_read_back_gives_each_worker_the_team_sheets_points(tmp_path, rule, expected):
    registry = registry_with(tmp_path, rule)
    folder = write_sheets(tmp_path / "in", registry, team_of_three())
    output = tmp_path / "team.xlsx"
    run = build_team_files([folder], output, registry=registry)
    assert run.written
    ret, found = read_team_return(output, registry)
    assert [f.rule for f in found] == []  # no return-total-mismatch: the rows agree
    assert ret.co_working == rule
    assert {w.worker: w.total_points for w in ret.workers} == pytest.approx(expected)
    assert {w.worker: w.cases for w in ret.workers} == {"Ann": 3, "Bob": 2, "Cat": 2}


# --- 2. a team's figures count each case once -------------------------------------------------

TEAM_FIGURES = {  # by hand: 7 case rows, one case on two of them; 55.5 points, less 10 once
    "TeamWorkerCount": 3,
    "TeamTotalFTE": 2.5,
    "TeamCaseCount": 6,
    "TeamTotalPoints": 45.5,
    "TeamPointsPerFTE": 18.2,
}
WITHOUT_BOB = {  # Bob marked "no" by the manager: Ann holds the case alone
    "TeamWorkerCount": 2,
    "TeamTotalFTE": 2.0,
    "TeamCaseCount": 5,
    "TeamTotalPoints": 38.5,
    "TeamPointsPerFTE": 19.25,
}
# Cases rows in the order written: (worker, reference, In team figures, Team share, Team points)
CASES_ROWS = [
    ("Ann", "C-SHARED", "yes", 0.5, 5.0),
    ("Ann", "A1", "yes", 1, 5),
    ("Ann", "A2", "yes", 1, 8),
    ("Ann", None, "yes", 1, 4),
    ("Bob", "c-shared", "yes", 0.5, 5.0),
    ("Bob", "B1", "yes", 1, 7),
    ("Cat", "C1", "yes", 1, 5),
    ("Cat", "C2", "yes", 1, 5),
    ("Cat", None, "yes", 1, 1.5),
    ("Dan", "C-SHARED", "no", 0, 0),  # not in the team figures: no share of anything
]


def with_dan() -> list[WorkerSheetContent]:
    """The three, and Dan, whose sheet (no FTE) is not counted, holding the case too."""
    return [*team_of_three(), worker("Dan", None, [case("C-SHARED", "Care proceedings", 10)])]


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> dict[str, tuple[Path, SchemeRegistry, object]]:
    """The team workbook under each rule: rule -> (workbook, registry, build-team's run)."""
    made = {}
    for rule in ("full", "share"):
        tmp = tmp_path_factory.mktemp(f"co-working-{rule}")
        registry = registry_with(tmp, rule)
        folder = write_sheets(tmp / "in", registry, with_dan())
        output = tmp / f"team-{rule}.xlsx"
        run = build_team_files([folder], output, registry=registry)
        assert run.written, run.build.findings
        made[rule] = (output, registry, run)
    return made


@pytest.fixture(scope="module")
def recalculated(built, tmp_path_factory) -> dict[str, Path]:
    """LibreOffice's recalculation of each, of a copy with Bob marked "no", and of the blank
    template; one batch."""
    soffice = require_soffice()
    folder = tmp_path_factory.mktemp("co-working-edited")
    edited = folder / "team-full-without-bob.xlsx"
    wb = load_workbook(built["full"][0])
    ws = wb[tl.TEAM_SHEET]
    _, headers, records = team_table(ws)
    (bob,) = [r for r in records if r["Worker"] == "Bob"]
    ws.cell(bob["_row"], headers["In team figures"]).value = "no"
    wb.save(edited)
    sources = [built["full"][0], built["share"][0], edited, ROOT / "templates" / "team.xlsx"]
    converted = recalculate(sources, tmp_path_factory.mktemp("co-working-out"), soffice=soffice)
    return dict(zip(("full", "share", "without-bob", "blank"), converted, strict=True))


def team_table(ws) -> tuple[int, dict[str, int], list[dict]]:
    min_col, min_row, max_col, max_row = range_boundaries(ws.tables[tl.TEAM_TABLE].ref)
    headers = {ws.cell(min_row, c).value: c for c in range(min_col, max_col + 1)}
    records = [
        {"_row": r, **{h: ws.cell(r, c).value for h, c in headers.items()}}
        for r in range(min_row + 1, max_row + 1)
    ]
    return min_row, headers, records


def cases_table(path: Path) -> list[dict]:
    ws = load_workbook(path, data_only=True)[tl.CASES_SHEET]
    min_col, min_row, max_col, max_row = range_boundaries(ws.tables[tl.CASES_TABLE].ref)
    headers = [ws.cell(min_row, c).value for c in range(min_col, max_col + 1)]
    return [
        dict(zip(headers, (ws.cell(r, c).value for c in range(min_col, max_col + 1)), strict=True))
        for r in range(min_row + 1, max_row + 1)
    ]


def totals(path: Path) -> dict[str, object]:
    ws = load_workbook(path, data_only=True)[tl.TEAM_SHEET]
    found = {}
    for name in TEAM_FIGURES:
        ((_, ref),) = list(ws.defined_names[name].destinations)
        found[name] = ws[ref.replace("$", "")].value
    return found


@pytest.mark.parametrize("rule", ["full", "share"])
def test_build_team_counts_the_co_worked_case_once_in_the_teams_figures(built, rule):
    team = built[rule][2].build.team
    assert (team.case_count, team.total_points) == (6, pytest.approx(45.5))
    assert (team.total_fte, team.points_per_fte) == (2.5, pytest.approx(18.2))
    workers_sum = sum(w.total_points for w in team.counted)
    assert workers_sum == pytest.approx({"full": 55.5, "share": 45.5}[rule])
    assert sum(w.cases for w in team.counted) == 7  # on each holder's caseload


@pytest.mark.parametrize("rule", ["full", "share"])
def test_the_team_workbooks_totals_are_native_formulas_over_the_cases_rows(built, rule):
    ws = load_workbook(built[rule][0])[tl.TEAM_SHEET]
    for spec in tl.TEAM_TOTALS:
        if spec.key in ("cases", "total_points"):
            ((_, ref),) = list(ws.defined_names[spec.name].destinations)
            assert ws[ref.replace("$", "")].value == spec.formula
            assert spec.formula.startswith("=") and tl.CASES_TABLE in spec.formula


@pytest.mark.libreoffice
@pytest.mark.parametrize("rule", ["full", "share"])
def test_libreoffice_counts_the_co_worked_case_once_as_python_does(built, recalculated, rule):
    assert totals(recalculated[rule]) == pytest.approx(TEAM_FIGURES)
    rows = cases_table(recalculated[rule])
    got = [
        (r["Worker"], r["Case reference"], r["In team figures"], r["Team share"], r["Team points"])
        for r in rows
    ]
    assert got == [pytest.approx(row) for row in CASES_ROWS]
    team = built[rule][2].build.team
    assert (team.case_count, team.total_points) == (6, pytest.approx(45.5))


@pytest.mark.libreoffice
def test_libreoffice_totals_follow_when_the_manager_takes_a_holder_out(recalculated):
    assert totals(recalculated["without-bob"]) == pytest.approx(WITHOUT_BOB)
    rows = {(r["Worker"], r["Case reference"]): r for r in cases_table(recalculated["without-bob"])}
    assert rows[("Ann", "C-SHARED")]["Team share"] == 1
    assert rows[("Ann", "C-SHARED")]["Team points"] == 10
    assert rows[("Bob", "c-shared")]["In team figures"] == "no"


@pytest.mark.libreoffice
def test_the_blank_team_template_recalculates_to_no_cases_and_no_points(recalculated):
    found = totals(recalculated["blank"])
    assert (found["TeamCaseCount"], found["TeamTotalPoints"]) == (0, 0)
    assert found["TeamPointsPerFTE"] in ("", None)


@pytest.mark.parametrize("rule", ["full", "share"])
@pytest.mark.parametrize("which", ["as written", "recalculated"])
def test_a_return_read_back_counts_the_case_once_as_its_team_sheet(built, request, rule, which):
    """As written (no cached results), and as LibreOffice saved it: its calculated Cases
    columns then hold results, which the reader never takes for entries."""
    path, registry, _ = built[rule]
    if which == "recalculated":
        path = request.getfixturevalue("recalculated")[rule]
    ret, found = read_team_return(path, registry)
    assert [f.rule for f in found] == []
    count = ret.team_count()
    assert (count.cases, count.points) == (6, pytest.approx(45.5))
    points = {w.worker: w.total_points for w in ret.workers}
    assert points == pytest.approx(
        {
            "full": {"Ann": 27, "Bob": 17, "Cat": 11.5, "Dan": 10},
            "share": {"Ann": 22, "Bob": 12, "Cat": 11.5, "Dan": 10},
        }[rule]
    )


@pytest.mark.parametrize("rule", ["full", "share"])
def test_consolidated_the_store_gives_the_team_sheets_figures(built, tmp_path, rule):
    path, registry, _ = built[rule]
    store_path = tmp_path / "returns.sqlite"
    run = consolidate_files([path], store_path, registry=registry, processes=1)
    assert run.exit_code == 0, run.report.findings
    with ReturnsStore.open(store_path) as store:
        (team,) = store.team_periods()
        workers = {w.worker: (w.cases, w.total_points) for w in store.worker_periods()}
    assert (team.team, team.period, team.workers, team.fte) == ("Team A", "2026-10", 3, 2.5)
    assert (team.cases, team.total_points) == (6, pytest.approx(45.5))
    assert team.points_per_fte == pytest.approx(18.2)
    expected = {
        "full": {"Ann": (3, 27), "Bob": (2, 17), "Cat": (2, 11.5), "Dan": (1, 10)},
        "share": {"Ann": (3, 22), "Bob": (2, 12), "Cat": (2, 11.5), "Dan": (1, 10)},
    }[rule]
    assert workers == {k: (n, pytest.approx(p)) for k, (n, p) in expected.items()}
    # the trend report made from this store counts the case once too, under either rule
    report = trend_report(store_path, tmp_path / "trends.xlsx").report
    (trend,) = report.services[0].teams
    assert trend.total_points == [pytest.approx(45.5)]
    assert trend.points_per_fte == [pytest.approx(18.2)]
    assert report.services[0].service_mean == [pytest.approx(18.2)]


def test_the_cases_sheets_calculated_columns_are_documented_exactly():
    text = (ROOT / "docs" / "workbook-format.md").read_text(encoding="utf-8")
    part = text[text.index("### The Cases sheet: `TeamCases`") : text.index("### Co-worked cases")]
    for heading, formula, number_format in tl.CASES_CALCULATED:
        row = next(line for line in part.splitlines() if line.startswith(f"| `{heading}` |"))
        assert f"`{formula}`" in row, heading
        assert (number_format if number_format == "General" else f"`{number_format}`") in row


def test_a_team_counts_a_case_once_whoever_holds_it():
    """By hand: X1 on three counted rows (9, 6, 7.5) is one case of 9 points; a case row with
    no reference is a case of its own; Dan is not counted and adds nothing."""
    lines = [
        ("Ann", "X1", "case", 9.0),
        ("bob", "x1", "case", 6.0),
        ("Cat", "X1", "case", 7.5),
        ("Cat", "", "case", 4.0),
        ("Ann", "A1", "case", 5.0),
        ("Ann", "", "activity", 2.0),
        ("Dan", "X1", "case", 20.0),
        ("Dan", "D1", "case", 5.0),
    ]
    count = coworking.team_count(lines, {"ann", "bob", "cat"})
    assert count == coworking.TeamCount(3, pytest.approx(9.0 + 4.0 + 5.0 + 2.0))


# --- 3. the Cases sheet shows every worker on a case ------------------------------------------

ALSO = {  # by hand: each holder's row names the other two; Dan's sheet is not counted
    ("Ann", "C-SHARED"): "Bob, Dan (not in team figures)",
    ("Bob", "c-shared"): "Ann, Dan (not in team figures)",
    ("Dan", "C-SHARED"): "Ann, Bob",
}


@pytest.mark.parametrize("rule", ["full", "share"])
def test_each_holders_row_on_the_cases_sheet_names_every_other_worker_on_the_case(built, rule):
    rows = cases_table(built[rule][0])
    also = {(r["Worker"], r["Case reference"]): r["Also allocated to"] for r in rows}
    assert {key: value for key, value in also.items() if value} == ALSO
    assert len(rows) == 10  # every row of every sheet, Dan's too


@pytest.mark.libreoffice
def test_the_cases_sheets_holders_survive_libreoffice(recalculated):
    rows = cases_table(recalculated["share"])
    also = {(r["Worker"], r["Case reference"]): r["Also allocated to"] for r in rows}
    assert {key: value for key, value in also.items() if value} == ALSO


def test_the_flags_name_every_other_holder_once(built):
    team = built["full"][2].build.team
    rows = {w.worker: w for w in team.workers}
    notes = {name: [f for f in w.flags if f.startswith("co-works")] for name, w in rows.items()}
    assert notes == {
        "Ann": ["co-works case C-SHARED with Bob, Dan (not in team figures)"],
        "Bob": ["co-works case c-shared with Ann, Dan (not in team figures)"],
        "Cat": [],
        "Dan": ["co-works case C-SHARED with Ann, Bob"],
    }
    (found,) = [f for f in built["full"][2].build.findings if f.rule == "case-co-worked"]
    assert found.message.startswith(
        "Case C-SHARED is on the sheets of Ann, Bob and Dan (not in team figures)."
    )


def test_the_co_working_note_goes_on_the_counted_row_of_a_worker_with_an_extra_sheet(tmp_path):
    registry = registry_with(tmp_path, "full")
    folder = write_sheets(tmp_path / "in", registry, team_of_three())
    extra = worker("Ann", 1.0, [case("Z9", "Child in need", 5)])
    assert write_worker_workbook(folder / "Ann_extra.xlsx", registry.get(CSC), extra) == []
    team = build(folder, registry).team
    anns = [w for w in team.workers if w.worker == "Ann"]
    assert [w.counted for w in anns] == [True, False]
    assert "co-works case C-SHARED with Bob" in anns[0].flags
    assert not any("co-works" in f for f in anns[1].flags)
