"""Who could take a new case, and what a move would do: `workload-xl allocate` on a real team
workbook built from real worker sheets, with every figure worked out by hand.

The team (children's scheme: 100 reference points; Social worker and Senior practitioner 1.0,
Newly qualified (ASYE) 0.9, Advanced practitioner 0.8), a Child protection plan scoring 8 and a
Child in need 5:

| worker | band | FTE | cases | points | expected | load |
|---|---|---|---|---|---|---|
| Ann | Social worker | 1.0 | 10 CPP + 4 CIN | 100 | 100 | 100% |
| Bea | Social worker | 0.5 | 5 CPP + 2 CIN | 50 | 50 | 100% |
| Cal | Newly qualified (ASYE) | 1.0 | 7 CPP + 5 CIN | 81 | 90 | 90% |
| Dee | Senior practitioner | 1.0 | 10 CPP + 6 CIN | 110 | 100 | 110% |
| Eli | Advanced practitioner | 0.8 | 7 CPP | 56 | 100 × 0.8 × 0.8 = 64 | 87.5% |

The team's middle is the median load, 100%; its usual range is 88% to 112% (12 points).
"""

from __future__ import annotations

import datetime as dt
import shutil
import statistics
from pathlib import Path

import pytest

from workload_xl.core import allocation
from workload_xl.core.findings import Refused
from workload_xl.core.schemes import SchemeRegistry
from workload_xl.files.worker_template import WorkerSheetContent, write_worker_workbook
from workload_xl.services.allocate import allocate_file
from workload_xl.services.build_team import build_team_files

from .bounded_cli import run_cli
from .conftest import CSC

SHIPPED = Path(__file__).resolve().parent.parent / "schemes"


def sheet(name: str, band: str, fte: float, cpp: int, cin: int, extra=()) -> WorkerSheetContent:
    header = {
        "worker": name,
        "team": "North",
        "service": "First Response",
        "period": "2026-10",
        "fte": fte,
        "band": band,
        "manager": "Sam Okoro",
        "date_agreed": dt.date(2026, 10, 28),
    }
    lines = [
        {
            "case_ref": f"{name}-P{i}",
            "case_name": "Zebedee Quixote",
            "item": "Child protection plan",
            "agreed_points": 8,
        }
        for i in range(cpp)
    ]
    lines += [
        {
            "case_ref": f"{name}-N{i}",
            "case_name": "Zebedee Quixote",
            "item": "Child in need",
            "agreed_points": 5,
        }
        for i in range(cin)
    ]
    return WorkerSheetContent(header, lines + list(extra))


TEAM = (
    ("Ann", "Social worker", 1.0, 10, 4),
    ("Bea", "Social worker", 0.5, 5, 2),
    ("Cal", "Newly qualified (ASYE)", 1.0, 7, 5),
    ("Dee", "Senior practitioner", 1.0, 10, 6),
    ("Eli", "Advanced practitioner", 0.8, 7, 0),
)
LOADS = {"Ann": 1.0, "Bea": 1.0, "Cal": 0.9, "Dee": 1.1, "Eli": 0.875}


def build(folder: Path, registry: SchemeRegistry, contents) -> Path:
    workers = folder / "workers"
    workers.mkdir(parents=True)
    for content in contents:
        path = workers / f"{content.header['worker']}.xlsx"
        assert write_worker_workbook(path, registry.get(CSC), content) == []
    team = folder / "team.xlsx"
    run = build_team_files([workers], team, registry=registry)
    assert run.exit_code == 0, run.build.findings
    return team


@pytest.fixture(scope="module")
def team_file(tmp_path_factory, registry) -> Path:
    return build(tmp_path_factory.mktemp("allocate"), registry, [sheet(*w) for w in TEAM])


def cv(loads) -> float:
    """The coefficient of variation as the team sheet's TeamSpread: sample sd ÷ mean."""
    return statistics.stdev(loads) / statistics.fmean(loads)


# --- a new case -------------------------------------------------------------------------------


def test_one_more_child_protection_plan_ranks_the_team_as_worked_out_by_hand(team_file, registry):
    run, problems = allocate_file(team_file, registry, item="Child protection plan")
    assert problems == []
    found = run.suggestion
    assert found.points_added == 8 and found.middle == pytest.approx(1.0)
    assert (found.usual_low, found.usual_high) == (pytest.approx(0.88), pytest.approx(1.12))
    rows = {c.worker: c for c in found.candidates}
    assert {w: rows[w].load_before for w in LOADS} == pytest.approx(LOADS)
    after = {"Ann": 1.08, "Bea": 58 / 50, "Cal": 89 / 90, "Dee": 1.18, "Eli": 64 / 64}
    assert {w: rows[w].load_after for w in after} == pytest.approx(after)
    assert {w: rows[w].points_after for w in after} == {
        "Ann": 108,
        "Bea": 58,
        "Cal": 89,
        "Dee": 118,
        "Eli": 64,
    }
    # Lowest load after first among those within 88%-112%; then the others.
    assert [(c.worker, c.rank, c.suggested) for c in found.candidates] == [
        ("Cal", 1, True),
        ("Eli", 2, True),
        ("Ann", 3, True),
        ("Bea", None, False),
        ("Dee", None, False),
    ]
    spread = cv([1.0, 1.0, 89 / 90, 1.1, 0.875])  # if Cal takes it
    assert rows["Cal"].spread_after == pytest.approx(spread)
    assert found.spread_before == pytest.approx(cv(list(LOADS.values())))
    assert rows["Bea"].reason.startswith("Part-time (0.5 FTE) and already at what the scheme")
    assert "116%" in rows["Bea"].reason and "up to 112%" in rows["Bea"].reason
    assert "118%" in rows["Dee"].reason and "over what the scheme expects" in rows["Dee"].reason
    assert "within the team's usual range" in rows["Cal"].reason


def test_a_quantity_of_two_leaves_only_the_worker_with_room(team_file, registry):
    run, _ = allocate_file(team_file, registry, item="child protection plan", quantity=2)
    rows = {c.worker: c for c in run.suggestion.candidates}
    after = {"Ann": 1.16, "Bea": 66 / 50, "Cal": 97 / 90, "Dee": 1.26, "Eli": 72 / 64}
    assert {w: rows[w].load_after for w in after} == pytest.approx(after)
    assert [c.worker for c in run.suggestion.suggested] == ["Cal"]  # Eli's 112.5% is above
    assert "flag them as well above colleagues" in rows["Bea"].reason  # 132%: 32 points over


def test_a_part_of_a_case_is_refused_and_a_part_of_a_day_is_not(team_file, registry):
    """A worker takes a case whole: 1.5 child protection plans is a mistyped quantity; 1.5
    duty days is a day and a half."""
    with pytest.raises(Refused) as refused:
        allocate_file(team_file, registry, item="child protection plan", quantity=1.5)
    [problem] = refused.value.findings
    assert problem.rule == "quantity-invalid"
    assert "1.5 is not a whole number of cases: Child protection plan is a case" in problem.message
    days, _ = allocate_file(team_file, registry, item="duty day", quantity=1.5)
    assert days.suggestion is not None and days.suggestion.quantity == 1.5


def test_the_command_prints_the_table_and_json_has_lists_and_numbers(team_file, tmp_path):
    text = run_cli("allocate", team_file, "--item", "Child protection plan", cwd=tmp_path)
    assert text.returncode == 0, text.output
    assert "usual range is 88% to 112%" in text.stdout
    assert "lowest load first: Cal (99%), Eli (100%), Ann (108%)" in text.stdout
    assert "Zebedee" not in text.output
    data = run_cli(
        "allocate", team_file, "--item", "Child protection plan", "--format", "json", cwd=tmp_path
    ).json()
    rows = data["allocation"]["candidates"]
    assert isinstance(rows, list) and [r["worker"] for r in rows][:3] == ["Cal", "Eli", "Ann"]
    assert rows[0]["load_after"] == pytest.approx(89 / 90) and rows[0]["rank"] == 1
    assert data["allocation"]["middle"] == 1.0 and data["findings"] == []


# --- moving a case ----------------------------------------------------------------------------


def test_a_move_changes_exactly_the_two_workers_and_the_spread_as_worked_out(team_file, registry):
    run, _ = allocate_file(team_file, registry, move="dee-p0", to="cal")
    move = run.move
    assert (move.giver, move.taker, move.case_ref, move.points_moved) == ("Dee", "Cal", "Dee-P0", 8)
    changed = {w.worker: w for w in move.workers if w.changed}
    assert set(changed) == {"Dee", "Cal"}
    assert (changed["Dee"].points_after, changed["Dee"].load_after) == (102, pytest.approx(1.02))
    assert (changed["Cal"].points_after, changed["Cal"].cases_after) == (89, 13)
    for w in move.workers:
        if w.worker not in changed:
            assert (w.points_before, w.load_before, w.cases_before) == (
                w.points_after,
                w.load_after,
                w.cases_after,
            )
    assert move.spread_before == pytest.approx(cv([1.0, 1.0, 0.9, 1.1, 0.875]))
    assert move.spread_after == pytest.approx(cv([1.0, 1.0, 89 / 90, 1.02, 0.875]))
    assert move.middle_after == pytest.approx(1.0)


def test_a_move_off_an_outlier_takes_its_flag_away(tmp_path, registry):
    team = [sheet(*w) for w in TEAM[:4]] + [sheet("Fay", "Social worker", 1.0, 17, 0)]  # 136%
    path = build(tmp_path, registry, team)
    run, _ = allocate_file(path, registry, move="Fay-P0", to="Cal")
    # Before: the middle is 100% and Fay's 136% is 36 points above it (flagged at 30).
    assert [(f.rule, f.worker) for f in run.move.flags_before] == [("worker-outlier", "Fay")]
    # After: Fay 128/100, Cal 89/90; the middle stays 100%, and 28 points is not flagged.
    assert [(f.rule, f.worker) for f in run.move.flags_gone] == [("worker-outlier", "Fay")]
    assert run.move.flags_after == () and run.move.flags_new == ()
    assert "Flags the team sheet would no longer show: Fay: worker outlier." in " ".join(
        run.sentences()
    )


def registry_sharing(tmp_path: Path, rule: str) -> SchemeRegistry:
    folder = tmp_path / f"schemes-{rule}"
    shutil.copytree(SHIPPED, folder)
    path = folder / f"{CSC}.toml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace('co_working = "full"', f'co_working = "{rule}"'), "utf-8")
    return SchemeRegistry.from_dir(folder)


SHARED = {
    "case_ref": "SHARED-1",
    "case_name": "Zed",
    "item": "Child protection plan",
    "agreed_points": 8,
}


@pytest.mark.parametrize(
    ("rule", "to", "expected"),
    [
        # share: Ann and Cal count 4 each of the 8; moved to Bea, Bea and Cal share it
        ("share", "Bea", {"Ann": (100, 96), "Bea": (90, 94), "Cal": (78, 78)}),
        # full: each holder keeps their own 8; Bea's row gets Ann's 8
        ("full", "Bea", {"Ann": (104, 96), "Bea": (90, 98), "Cal": (82, 82)}),
        # share, to the co-worker: Cal is its only holder and counts her own 8 in full
        ("share", "Cal", {"Ann": (100, 96), "Bea": (90, 90), "Cal": (78, 82)}),
        # full, to the co-worker: Cal keeps her own 8, Ann loses hers
        ("full", "Cal", {"Ann": (104, 96), "Bea": (90, 90), "Cal": (82, 82)}),
    ],
)
def test_a_co_worked_case_moves_as_the_scheme_counts_it(tmp_path, rule, to, expected):
    registry = registry_sharing(tmp_path, rule)
    path = build(
        tmp_path,
        registry,
        [
            sheet("Ann", "Social worker", 1.0, 12, 0, [SHARED]),
            sheet("Bea", "Social worker", 1.0, 10, 2),
            sheet("Cal", "Newly qualified (ASYE)", 1.0, 3, 10, [SHARED]),
        ],
    )
    run, _ = allocate_file(path, registry, move="SHARED-1", to=to, from_worker="Ann")
    figures = {w.worker: (w.points_before, w.points_after) for w in run.move.workers}
    assert figures == expected
    assert "co-worked" in run.move.how_it_counts and f'"{rule}"' in run.move.how_it_counts


def test_a_co_worked_case_needs_from_unless_it_goes_to_a_holder(tmp_path, registry):
    path = build(
        tmp_path,
        registry,
        [
            sheet("Ann", "Social worker", 1.0, 12, 0, [SHARED]),
            sheet("Bea", "Social worker", 1.0, 10, 2),
            sheet("Cal", "Newly qualified (ASYE)", 1.0, 3, 10, [SHARED]),
        ],
    )
    with pytest.raises(Refused) as refused:
        allocate_file(path, registry, move="SHARED-1", to="Bea")
    (problem,) = refused.value.findings
    assert problem.rule == "allocation-move-invalid"
    assert "co-worked by Ann and Cal" in problem.message and "--from" in problem.message
    run, _ = allocate_file(path, registry, move="SHARED-1", to="Cal")  # Ann's part, clearly
    assert run.move.giver == "Ann"


@pytest.mark.parametrize("typed", ["CPP", "cpp", "child-protection  plan", "CP plan", "C.P. Plan"])
def test_an_item_may_be_named_by_its_code_loosely_or_by_a_caseload_case_type(
    team_file, registry, typed
):
    """What a manager types for the meeting: the item's code ("CPP"), its label with other
    spacing or punctuation, or a case type the scheme's caseload import maps to it ("CP plan"
    is [caseload.case_types]' "cp plan" = "CPP") all mean Child protection plan."""
    run, problems = allocate_file(team_file, registry, item=typed)
    assert not problems and run.suggestion.item_label == "Child protection plan"


def test_the_summary_names_three_suggested_and_counts_the_rest_and_close_figures_differ():
    """Seven suggested: the sentence names the three lowest and says four more are marked (the
    table marks every one). A load of 112.2% against a range up to 111.7% reads so, never
    "112%, above ... up to 112%"; two of a day reads "Duty day × 2"."""
    candidates = tuple(
        allocation.Candidate(
            worker=f"W{i}",
            band="Social worker",
            fte=1.0,
            counted=True,
            expected_points=100,
            points_before=90,
            points_after=98,
            load_before=0.9,
            load_after=0.9 + i / 100,
            spread_after=0.1,
            suggested=True,
            rank=i,
            reason="",
        )
        for i in range(1, 8)
    )
    suggestion = allocation.Suggestion(
        team="North",
        period="2026-09",
        item_code="CPP",
        item_label="Child protection plan",
        quantity=1,
        item_points=8,
        item_unit="per case",
        points_added=8,
        middle=1.0,
        usual_low=0.88,
        usual_high=1.12,
        margin=0.12,
        outlier_margin=0.3,
        spread_before=0.1,
        candidates=candidates,
        flags_before=(),
    )
    said = suggestion.sentences()[-1]
    assert said == (
        "Suggested (not above that range after it), lowest load first: W1 (91%), W2 (92%), "
        "W3 (93%); and 4 more marked in the table."
    )
    assert allocation._pc_apart(1.122, 1.117) == ("112.2%", "111.7%")
    assert allocation._pc_apart(1.16, 1.117) == ("116%", "112%")
    assert allocation._quantity_of(2, "Duty day") == "Duty day × 2"


# --- bad input: a finding and an exit code, never a traceback ----------------------------------


@pytest.mark.parametrize(
    ("args", "rule", "words"),
    [
        (
            ("--item", "Child protection plans"),
            "allocation-item-unknown",
            "Did you mean 'Child protection plan'?",
        ),
        (
            ("--item", "Zebra crossing"),
            "allocation-item-unknown",
            "The scheme's case items are 'Child in need'",
        ),
        (("--move", "Dee-P0", "--to", "Cali"), "allocation-worker-unknown", "Did you mean 'Cal'?"),
        (
            ("--move", "Dee-P0", "--to", "Zoe Quist"),
            "allocation-worker-unknown",
            "Its workers are Cal, Ann, Bea, Dee, Eli.",
        ),
        (("--move", "Dee-P99", "--to", "Cal"), "allocation-case-unknown", "Did you mean Dee-P9?"),
        (("--move", "Dee-P0", "--to", "Dee"), "allocation-move-invalid", "Dee's already"),
    ],
)
def test_an_unknown_item_worker_or_case_is_a_finding_and_exit_2(
    team_file, tmp_path, args, rule, words
):
    run = run_cli("allocate", team_file, *args, cwd=tmp_path)
    assert run.returncode == 2, run.output
    assert rule in run.stderr and words in " ".join(run.stderr.split())
    assert "Traceback" not in run.output


def test_a_worker_sheet_is_not_a_team_workbook(tmp_path, registry):
    path = tmp_path / "Ann.xlsx"
    assert write_worker_workbook(path, registry.get(CSC), sheet(*TEAM[0])) == []
    run = run_cli("allocate", path, "--item", "Child protection plan", cwd=tmp_path)
    assert run.returncode == 2 and "return-invalid" in run.stderr
    assert "worker's measurement workbook, not a team workbook" in " ".join(run.stderr.split())
    assert "Traceback" not in run.output


def test_the_command_needs_an_item_or_a_move_with_a_worker(team_file, tmp_path):
    neither = run_cli("allocate", team_file, cwd=tmp_path)
    assert neither.returncode == 2 and "give --item" in neither.stderr
    half = run_cli("allocate", team_file, "--move", "Dee-P0", cwd=tmp_path)
    assert half.returncode == 2 and "--move needs --to" in half.stderr
    both = run_cli(
        "allocate",
        team_file,
        "--item",
        "Child in need",
        "--move",
        "Dee-P0",
        "--to",
        "Cal",
        cwd=tmp_path,
    )
    assert both.returncode == 2 and "not both" in both.stderr
    missing = run_cli(
        "allocate", tmp_path / "nowhere.xlsx", "--item", "Child in need", cwd=tmp_path
    )
    assert missing.returncode == 2 and "file-not-found" in missing.stderr
    assert "Traceback" not in neither.output + half.output + missing.output


# --- the add-in: Try an allocation, through xlwings' remote engine -----------------------------


def test_try_an_allocation_writes_the_allocation_sheet_and_nothing_else(team_file, tmp_path):
    from openpyxl import load_workbook

    from workload_xl.contracts import allocation as layout
    from workload_xl.excel import entry

    from . import xlwings_remote as remote

    def press(path: Path) -> list[dict]:
        book = remote.book(path)
        entry.try_allocation(book)
        return book.json()["actions"]

    sheets = load_workbook(team_file).sheetnames
    first = press(team_file)
    assert [a["args"][1] for a in first if a["func"] == "addSheet"] == [layout.SHEET]
    assert {a.get("sheet_position") for a in first if a.get("sheet_position") is not None} == {
        len(sheets)
    }
    ready = remote.apply(team_file, first, tmp_path / "ready.xlsx")
    wb = load_workbook(ready)
    form = wb[layout.SHEET]
    assert [form.cell(layout.INPUT_TOP + i, 1).value for i in range(5)] == [
        "Item",
        "Quantity",
        "Move case",
        "From worker",
        "To worker",
    ]
    assert form["A1"].value.endswith(
        "Try an allocation: type an item of the scheme in B4 (and a "
        "quantity in B5), or a case reference in B6 and a worker in B8, then press again."
    )
    form[f"B{layout.INPUT_TOP}"] = "Child protection plan"
    wb.save(ready)

    actions = press(ready)
    assert {a["sheet_position"] for a in actions if a.get("sheet_position") is not None} == {
        len(sheets)
    }
    written = remote.values_written(actions, len(sheets))
    top = layout.OUTPUT_TOP
    heading = next(r for r in range(top, top + 10) if written.get(f"A{r}") == "Rank")
    assert [written[f"B{heading + i}"] for i in range(1, 6)] == ["Cal", "Eli", "Ann", "Bea", "Dee"]
    assert written[f"I{heading + 1}"] == pytest.approx(89 / 90)  # Load after
    assert [written[f"K{heading + i}"] for i in range(1, 6)] == [True, True, True, False, False]
    assert "would stay within the usual range: Cal, Eli, Ann." in written["A1"]
    done = remote.apply(
        ready, [a for a in actions if a["func"] != "setNumberFormat"], tmp_path / "d.xlsx"
    )
    before, after = load_workbook(team_file), load_workbook(done)
    for name in sheets:  # every sheet of the team workbook is as it was
        assert [[c.value for c in r] for r in before[name].iter_rows()] == [
            [c.value for c in r] for r in after[name].iter_rows()
        ]


def test_try_an_allocation_says_what_is_wrong_in_its_status_line(team_file, tmp_path, make_sheet):
    from openpyxl import load_workbook

    from workload_xl.contracts import allocation as layout
    from workload_xl.excel import entry

    from . import xlwings_remote as remote

    book = remote.book(make_sheet().path)  # a worker's workbook
    entry.try_allocation(book)
    assert "not a team workbook" in str(book.json()["actions"])
    ready = remote.apply(team_file, _press(entry.try_allocation, team_file), tmp_path / "r.xlsx")
    wb = load_workbook(ready)
    wb[layout.SHEET][f"B{layout.INPUT_TOP}"] = "Child protection plans"
    wb.save(ready)
    actions = _press(entry.try_allocation, ready)
    status = remote.values_written(actions, len(wb.sheetnames) - 1)["A1"]
    assert "Did you mean 'Child protection plan'?" in status
    assert f"cell B{layout.INPUT_TOP} of the Allocation sheet" in status


def _press(button, path: Path) -> list[dict]:
    from . import xlwings_remote as remote

    book = remote.book(path)
    button(book)
    return book.json()["actions"]


def test_wl_load_after_matches_the_commands_figure(team_file, registry):
    import asyncio

    import xlwings as xw
    from xlwings import server

    from workload_xl.excel import udfs

    run, _ = allocate_file(team_file, registry, item="Child protection plan")
    eli = next(c for c in run.suggestion.candidates if c.worker == "Eli")
    data = {
        "func_name": "wl_load_after",
        "args": [
            [[56]],
            [[0.8]],
            [["Advanced practitioner"]],
            [[CSC]],
            [["child protection plan"]],
            [[1]],
        ],
        "version": xw.__version__,
        "client": "Office.js",
        "runtime": "1.4",
        "culture_info_name": "en-GB",
        "caller_address": "Sheet1!Z1",
    }
    (got,) = asyncio.run(server.custom_functions_call(data, udfs))
    assert got == [pytest.approx(eli.load_after)] and eli.load_after == pytest.approx(1.0)
