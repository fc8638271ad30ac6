"""`teams remove` and `teams rename` keep the store's history, on a real store of real team
workbooks: a removed team's returns stay in the store, the reports and the tracker of the
periods it returned; a renamed team's returns carry its new name, so its trend runs on
unbroken, and a return that still names the old team joins the new name."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from click.testing import CliRunner

from workload_xl.cli import main
from workload_xl.core.period import Period
from workload_xl.services.consolidate import consolidate_files
from workload_xl.services.report import trend_report
from workload_xl.services.returns import returns_for
from workload_xl.store.database import ReturnsStore

from .test_store_protection import contents, write_return

SERVICE = "Safeguarding and Support"
SEPTEMBER, OCTOBER, NOVEMBER = Period(2026, 9), Period(2026, 10), Period(2026, 11)


def run(*args):
    return CliRunner().invoke(main, [str(a) for a in args])


def said(result) -> str:
    return " ".join(result.output.split())


def consolidated(store: Path, path: Path, day: dt.date) -> None:
    """`path` consolidated at 9 a.m. on `day`, as if received then."""
    moment = dt.datetime.combine(day, dt.time(9))
    done = consolidate_files([path], store, now=moment)
    assert len(done.stored) == 1, done.report.findings


@pytest.fixture
def store(tmp_path) -> Path:
    """North and South listed; North returned September and October, South September; each
    on the 3rd of the month after (on time)."""
    path = tmp_path / "returns.sqlite"
    with ReturnsStore.open(path) as opened:
        opened.add_team(SERVICE, "North")
        opened.add_team(SERVICE, "South")
    for team, period, index in (
        ("North", SEPTEMBER, 0),
        ("North", OCTOBER, 1),
        ("South", SEPTEMBER, 2),
    ):
        book = write_return(
            tmp_path / f"{team}-{period}.xlsx", team=team, period=period, index=index
        )
        due = period.next()
        consolidated(path, book, dt.date(due.year, due.number, 3))
    return path


def statuses(store: Path, period: Period, today=dt.date(2026, 12, 20)) -> list[tuple[str, str]]:
    return [(s.team, s.status) for s in returns_for(store, period, today).statuses]


def team_series(store: Path, tmp_path: Path) -> dict[str, list[str]]:
    """Each team of the trend report, with the periods it has a return for."""
    run = trend_report(store, tmp_path / "report.xlsx", force=True)
    (service,) = run.report.services
    return {
        team.team: [
            p for p, v in zip(service.periods, team.total_points, strict=True) if v is not None
        ]
        for team in service.teams
    }


def test_a_renamed_team_keeps_its_returns_under_the_new_name(store, tmp_path):
    result = run(
        "teams", "rename", "north", "North and West", "--service", SERVICE, "--store", store
    )
    assert result.exit_code == 0, result.output
    assert (
        "Renamed: North is now North and West (Safeguarding and Support); 2 stored return(s) "
        "carried over. Returns that still name North will be stored under North and West."
    ) in said(result)
    # The tracker: the new name, with the old name's returns, and no "North" left behind.
    assert statuses(store, OCTOBER) == [("North and West", "on time"), ("South", "missing")]
    assert statuses(store, SEPTEMBER) == [("North and West", "on time"), ("South", "on time")]
    # The trend report: one series, September and October, under the new name.
    assert team_series(store, tmp_path) == {
        "North and West": ["2026-09", "2026-10"],
        "South": ["2026-09"],
    }
    listed = run("teams", "list", "--store", store)
    assert listed.exit_code == 0
    text = listed.output
    assert "No longer listed (their returns stay in the store):" in text
    assert "renamed North and West" in text
    # A return that still names North (November's, from last month's sheet) joins the new name.
    late = write_return(tmp_path / "North-2026-11.xlsx", team="North", period=NOVEMBER, index=3)
    consolidated(store, late, dt.date(2026, 12, 4))
    assert statuses(store, NOVEMBER) == [("North and West", "on time"), ("South", "missing")]


def test_a_correction_under_the_old_name_supersedes_the_renamed_return(store, tmp_path):
    with ReturnsStore.open(store) as opened:
        team, carried = opened.rename_team(SERVICE, "North", "North and West")
    assert (team.name, carried) == ("North", 2)
    fixed = write_return(tmp_path / "North-2026-10-v2.xlsx", team="North", period=OCTOBER, index=4)
    done = consolidate_files([fixed], store, now=dt.datetime(2026, 11, 5, 9))
    assert len(done.stored) == 1 and len(done.superseded) == 1, done.report.findings
    with ReturnsStore.open(store, read_only=True) as opened:
        current = [(s.team, s.period) for s in opened.submissions(current_only=True)]
        every = opened.submissions()
    assert sorted(current) == [
        ("North and West", "2026-09"),
        ("North and West", "2026-10"),
        ("South", "2026-09"),
    ]
    assert len(every) == 4  # the superseded October return stays in the store


@pytest.mark.parametrize(
    ("new_name", "why"),
    [
        ("South", "South is on the list already"),
        ("south", "south is on the list already"),
    ],
)
def test_a_team_cannot_take_another_teams_name(store, new_name, why):
    before = contents(store)
    result = run("teams", "rename", "North", new_name, "--service", SERVICE, "--store", store)
    assert result.exit_code == 2
    assert f"Invalid value for NEW_NAME: {why}: a team cannot take another team's name" in said(
        result
    )
    assert contents(store) == before


def test_a_name_with_returns_in_the_store_is_not_taken_either(store, tmp_path):
    with ReturnsStore.open(store) as opened:
        opened.remove_team(SERVICE, "South")
    before = contents(store)
    result = run("teams", "rename", "North", "South", "--service", SERVICE, "--store", store)
    assert result.exit_code == 2 and "South was on the list before" in said(result)
    assert contents(store) == before


def test_renaming_a_team_that_is_not_listed_names_the_listed_ones(store):
    result = run("teams", "rename", "East", "West", "--service", SERVICE, "--store", store)
    assert result.exit_code == 2
    assert (
        "Invalid value for NAME: No team 'East' is listed for 'Safeguarding and Support' (its "
        "listed teams: North, South)" in (said(result))
    )


@pytest.mark.parametrize(
    ("new_name", "why"), [("North", "North is the team's name already"), (" ", "is blank")]
)
def test_a_new_name_that_cannot_be_given_is_said_of_new_name(store, new_name, why):
    """The usage error names the argument to fix: NEW_NAME, not NAME, the team found."""
    result = run("teams", "rename", "North", new_name, "--service", SERVICE, "--store", store)
    assert result.exit_code == 2 and "Invalid value for NEW_NAME:" in said(result)
    assert why in said(result)


def test_a_removed_team_keeps_its_returns_and_is_shown_for_the_periods_it_returned(store, tmp_path):
    removed_on = dt.datetime(2026, 11, 20, 12, tzinfo=dt.UTC)
    with ReturnsStore.open(store) as opened:
        assert opened.remove_team(SERVICE, "south", now=removed_on).name == "South"
        assert [t.name for t in opened.teams()] == ["North"]
    # September, which South returned: shown as it was then.
    assert statuses(store, SEPTEMBER) == [("North", "on time"), ("South", "on time")]
    # October was due on 7 November, before South left: it was missing then, and still is.
    assert statuses(store, OCTOBER) == [("North", "on time"), ("South", "missing")]
    # November is due on 7 December, after South left: no return is expected from it.
    assert statuses(store, NOVEMBER) == [("North", "missing")]
    # The trend report keeps South's September.
    assert team_series(store, tmp_path)["South"] == ["2026-09"]
    # Listed again: expected again, its history as it was.
    again = run("teams", "add", "South", "--service", SERVICE, "--store", store)
    assert again.exit_code == 0 and "Added: South" in again.output
    assert statuses(store, NOVEMBER) == [("North", "missing"), ("South", "missing")]


def test_teams_remove_says_what_it_did_and_refuses_a_team_not_listed(store):
    result = run("teams", "remove", "South", "--service", SERVICE, "--store", store)
    assert result.exit_code == 0, result.output
    assert "Removed: South (Safeguarding and Support). Its returns stay in the store" in said(
        result
    )
    again = run("teams", "remove", "South", "--service", SERVICE, "--store", store)
    assert (
        again.exit_code == 2
        and "South (Safeguarding and Support) was taken off the list on" in (said(again))
    )
    other = run("teams", "remove", "North", "--service", "Leaving Care", "--store", store)
    assert other.exit_code == 2
    assert "No team 'North' is listed for 'Leaving Care' (its listed teams: none)" in said(other)
    with ReturnsStore.open(store, read_only=True) as opened:
        assert len(opened.submissions()) == 3  # every return kept


def test_a_renamed_name_cannot_be_listed_again_for_another_team(store):
    assert (
        run("teams", "rename", "North", "Central", "--service", SERVICE, "--store", store).exit_code
        == 0
    )
    result = run("teams", "add", "North", "--service", SERVICE, "--store", store)
    assert result.exit_code == 2
    assert "North (Safeguarding and Support) was renamed Central on" in said(result)


def test_remove_and_rename_never_make_a_store(tmp_path):
    missing = tmp_path / "none.sqlite"
    for args in (("remove", "North"), ("rename", "North", "South")):
        result = run("teams", *args, "--service", SERVICE, "--store", missing)
        assert result.exit_code == 2 and "There is no returns store" in said(result)
    assert not missing.exists()
