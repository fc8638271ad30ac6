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

from workload_xl.core import coworking
from workload_xl.core.schemes import SchemeError, SchemeRegistry, load_scheme
from workload_xl.core.team import build_team
from workload_xl.files.return_reader import read_team_return
from workload_xl.files.worker_template import WorkerSheetContent, write_worker_workbook
from workload_xl.services.build_team import build_team_files
from workload_xl.services.validate import validate_files

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
