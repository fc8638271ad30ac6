"""The returns tracker counts a return as received the day the team sent it: real team
workbooks, a year of them consolidated at once, each dated by its Team sheet's date signed,
its file's time (os.utime) or `consolidate --received`; `--today` shows the returns as they
stood that day; and teams of 4-week periods are named, with the reason, below a monthly
tracker. Every status below is worked out by hand from the days written here: a monthly
return is due by the 7th of the month after its period."""

from __future__ import annotations

import datetime as dt
import os
import shlex
from pathlib import Path

import pytest
from click.testing import CliRunner
from openpyxl import load_workbook

from workload_xl.cli import main
from workload_xl.contracts import team as tl
from workload_xl.core.period import FOUR_WEEKS, Period, previous_months
from workload_xl.files.team_workbook import write_team_workbook
from workload_xl.services.consolidate import consolidate_files
from workload_xl.services.returns import returns_for
from workload_xl.store.database import ReturnsStore

from .test_consolidate import team_sheet

SERVICE, SCHEME = "Safeguarding and Support", "childrens-social-care"
YEAR = previous_months(Period(2026, 10), 12)  # 2025-11 to 2026-10
CONSOLIDATED = dt.datetime(2026, 11, 20, 9, 0)  # the day the whole year was loaded


def team_return(
    folder: Path,
    team: str,
    period: Period,
    *,
    signed: object = None,
    saved: dt.date | None = None,
    bump: float = 0.0,
    service: str = SERVICE,
) -> Path:
    """A team workbook as build-team writes it; `signed` typed in its Date signed as a manager
    types it in Excel (a date, or text), `saved` the day its file was last saved."""
    scheme = "leaving-care" if period.kind == FOUR_WEEKS else SCHEME
    name = f"{team}-{period}" + (f"-{bump:g}" if bump else "")
    path = folder / f"{name.replace(' ', '-')}.xlsx"
    assert write_team_workbook(path, team_sheet(service, scheme, team, period, 0, bump)) == []
    if signed is not None:
        wb = load_workbook(path)
        wb[tl.TEAM_SHEET][tl.field_cell("date_signed")] = signed
        wb.save(path)
    if saved is not None:
        moment = dt.datetime.combine(saved, dt.time(10, 0)).timestamp()
        os.utime(path, (moment, moment))
    return path


def third_of_next_month(period: Period) -> dt.date:
    after = period.next()
    return dt.date(after.year, after.number, 3)


NORTH_SIGNED = {p: third_of_next_month(p) for p in YEAR}
NORTH_SIGNED[Period(2025, 12)] = dt.date(2026, 1, 7)  # on the due day: on time
NORTH_SIGNED[Period(2026, 3)] = dt.date(2026, 4, 9)  # two days after the due day: late
SOUTH_SAVED = {p: third_of_next_month(p) for p in YEAR}
SOUTH_SAVED[Period(2026, 5)] = dt.date(2026, 6, 8)  # a day after the due day: late
SOUTH_SAVED[Period(2026, 8)] = dt.date(2026, 9, 30)  # late


@pytest.fixture(scope="module")
def year_store(tmp_path_factory) -> Path:
    """A year of North's and South's returns consolidated at once on 2026-11-20. North's
    managers signed each team sheet (the date signed); South's left it blank, so each file's
    time says when it was sent. North's files were all saved on the day of consolidation, so
    a file's time cannot be what made North's statuses right."""
    folder = tmp_path_factory.mktemp("year")
    inbox = folder / "inbox"
    inbox.mkdir()
    for period in YEAR:
        team_return(inbox, "North", period, signed=NORTH_SIGNED[period], saved=CONSOLIDATED.date())
        team_return(inbox, "South", period, saved=SOUTH_SAVED[period])
    store = folder / "returns.sqlite"
    with ReturnsStore.open(store) as opened:
        opened.add_team(SERVICE, "North")
        opened.add_team(SERVICE, "South")
    run = consolidate_files([inbox], store, now=CONSOLIDATED, processes=1)
    assert run.exit_code == 0 and len(run.stored) == 24, run.report.findings
    return store


def test_a_year_loaded_at_once_is_judged_by_each_returns_own_day(year_store):
    late = {("North", "2026-03"), ("South", "2026-05"), ("South", "2026-08")}
    for period in YEAR:
        statuses = returns_for(year_store, str(period), "2026-11-20").statuses
        got = {s.team: (s.status, s.received, s.received_from) for s in statuses}
        expected = {
            "North": (
                "late" if ("North", str(period)) in late else "on time",
                NORTH_SIGNED[period].isoformat(),
                "date signed",
            ),
            "South": (
                "late" if ("South", str(period)) in late else "on time",
                SOUTH_SAVED[period].isoformat(),
                "file time",
            ),
        }
        assert got == expected, period


def test_the_store_keeps_each_returns_day_and_where_it_came_from(year_store):
    with ReturnsStore.open(year_store, read_only=True) as store:
        subs = {(s.team, s.period): s for s in store.submissions()}
    assert (subs["North", "2026-03"].received_on, subs["North", "2026-03"].received_from) == (
        "2026-04-09",
        "signed",
    )
    assert (subs["South", "2026-08"].received_on, subs["South", "2026-08"].received_from) == (
        "2026-09-30",
        "file",
    )
    # still stored on the day of consolidation, as before
    assert {s.ingested_at[:10] for s in subs.values()} == {"2026-11-20"}


def test_the_tracker_command_shows_the_day_and_how_it_is_known(year_store):
    done = CliRunner().invoke(
        main,
        ["returns", "--store", str(year_store), "--period", "2026-03", "--today", "2026-12-01"],
    )
    assert done.exit_code == 0, done.output
    rows = {
        line.split()[3]: line.split()[4:] for line in done.output.splitlines() if ".xlsx" in line
    }
    assert rows == {
        "North": ["late", "2026-04-09", "date", "signed", "North-2026-03.xlsx"],
        "South": ["on", "time", "2026-04-03", "file", "time", "South-2026-03.xlsx"],
    }
    assert "Known from" in done.output
    assert "2026-03: 1 late, 1 on time. Due by 2026-04-07." in done.output


def test_on_a_day_before_a_return_was_received_it_was_outstanding_not_late(year_store):
    """2026-05 is due by 2026-06-07. North signed 2026-06-03 (on time); South's file is
    dated 2026-06-08 (late). Up to 2026-06-07 South's had not arrived, and the due day had
    not passed: not yet due (never "late" before it came); from 2026-06-08 it is late."""

    def on(day: str) -> dict[str, tuple[str, str, str]]:
        statuses = returns_for(year_store, "2026-05", day).statuses
        return {s.team: (s.status, s.received, s.file_name) for s in statuses}

    assert on("2026-06-02") == {
        "North": ("not yet due", "", ""),
        "South": ("not yet due", "", ""),
    }
    assert on("2026-06-05") == {
        "North": ("on time", "2026-06-03", "North-2026-05.xlsx"),
        "South": ("not yet due", "", ""),
    }
    assert on("2026-06-07")["South"] == ("not yet due", "", "")
    assert on("2026-06-08")["South"] == ("late", "2026-06-08", "South-2026-05.xlsx")
    # 2026-08: South's file is dated 2026-09-30; on 2026-09-20 it was overdue, so missing
    statuses = returns_for(year_store, "2026-08", "2026-09-20").statuses
    assert {s.team: s.status for s in statuses} == {"North": "on time", "South": "missing"}


def test_consolidate_received_overrides_the_date_signed_and_the_files_time(tmp_path):
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    # signed 2026-11-03 and saved 2026-11-02: on time by either, but received on the 12th
    team_return(
        inbox, "North", Period(2026, 10), signed=dt.date(2026, 11, 3), saved=dt.date(2026, 11, 2)
    )
    store = tmp_path / "returns.sqlite"
    runner = CliRunner()
    assert (
        runner.invoke(
            main, ["teams", "add", "North", "--service", SERVICE, "--store", str(store)]
        ).exit_code
        == 0
    )
    done = runner.invoke(
        main, ["consolidate", str(inbox), "--store", str(store), "--received", "2026-11-12"]
    )
    assert done.exit_code == 0, done.output
    (status,) = returns_for(store, "2026-10", "2026-11-20").statuses
    assert (status.status, status.received, status.received_from) == (
        "late",
        "2026-11-12",
        "--received",
    )


@pytest.mark.parametrize(
    ("given", "said"),
    [
        ("2999-01-01", "is after today"),
        ("2026-13-01", "is not a date written YYYY-MM-DD"),
        ("12/11/2026", "is not a date written YYYY-MM-DD"),
    ],
)
def test_a_received_day_that_cannot_be_right_is_refused_before_anything_is_read(
    tmp_path, given, said
):
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    team_return(inbox, "North", Period(2026, 10))
    store = tmp_path / "returns.sqlite"
    done = CliRunner().invoke(
        main, ["consolidate", str(inbox), "--store", str(store), "--received", given]
    )
    assert done.exit_code == 2
    assert "--received" in done.output and said in " ".join(done.output.split())
    assert not store.exists()


@pytest.mark.parametrize("given", ["2026-13-01", "1 Oct 2026", "12/11/2026", ""])
def test_a_today_that_is_no_date_is_a_usage_error_naming_the_option(tmp_path, given):
    """`returns --today` says which option is wrong and what to write, in the words of
    `consolidate --received`, not Python's own ("month must be in 1..12")."""
    store = tmp_path / "returns.sqlite"
    added = CliRunner().invoke(
        main, ["teams", "add", "North", "--service", "First Response", "--store", str(store)]
    )
    assert added.exit_code == 0, added.output
    done = CliRunner().invoke(
        main, ["returns", "--store", str(store), "--period", "2026-10", "--today", given]
    )
    said = " ".join(done.output.split())
    if not given:  # an empty --today is no --today: today
        assert done.exit_code == 0, said
        return
    assert done.exit_code == 2, said
    assert f"Invalid value for --today: '{given}' is not a date written YYYY-MM-DD" in said
    assert "month must be" not in said and "isoformat" not in said


@pytest.mark.parametrize(
    ("signed", "why"),
    [
        ("tbc", "is 'tbc', which is not a date"),
        (dt.date(2026, 12, 25), "is 2026-12-25, after the day the return was consolidated"),
        (dt.date(2026, 9, 30), "is 2026-09-30, before the period 2026-10 began"),
    ],
)
def test_a_date_signed_that_cannot_be_right_is_said_and_the_files_time_used(tmp_path, signed, why):
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    path = team_return(inbox, "North", Period(2026, 10), signed=signed, saved=dt.date(2026, 11, 9))
    store = tmp_path / "returns.sqlite"
    with ReturnsStore.open(store) as opened:
        opened.add_team(SERVICE, "North")
    run = consolidate_files([path], store, now=CONSOLIDATED, processes=1)
    assert run.stored == [str(path)]
    (said,) = [f for f in run.report.findings if f.rule == "return-date-signed-unused"]
    assert (said.workbook, said.sheet, said.cell, said.severity.value) == (
        str(path),
        "Team",
        "B10",
        "warning",
    )
    assert why in said.message and "cell B10 on the 'Team' sheet" in said.message
    (status,) = returns_for(store, "2026-10", "2026-11-20").statuses
    # the file's time, 2026-11-09, after the due day 2026-11-07
    assert (status.status, status.received, status.received_from) == (
        "late",
        "2026-11-09",
        "file time",
    )


def test_a_revision_sent_later_does_not_make_the_team_late(tmp_path):
    """North sent 2026-10 signed on 2026-11-03 (on time), and a revision signed on
    2026-11-15: the revision counts in every report, but the team returned on time."""
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    first = team_return(inbox, "North", Period(2026, 10), signed=dt.date(2026, 11, 3))
    second = team_return(inbox, "North", Period(2026, 10), signed=dt.date(2026, 11, 15), bump=2)
    store = tmp_path / "returns.sqlite"
    with ReturnsStore.open(store) as opened:
        opened.add_team(SERVICE, "North")
    for path in (first, second):
        assert consolidate_files([path], store, now=CONSOLIDATED, processes=1).exit_code == 0

    def on(day: str) -> tuple[str, str, str]:
        (status,) = returns_for(store, "2026-10", day).statuses
        return status.status, status.received, status.file_name

    assert on("2026-11-20") == ("on time", "2026-11-03", second.name)
    assert on("2026-11-10") == ("on time", "2026-11-03", first.name)  # before the revision


@pytest.fixture(scope="module")
def two_kinds_store(tmp_path_factory) -> Path:
    """North and South return months; LC North returns 4-week periods (2026-P10 saved
    2026-10-20, 2026-P11 saved 2026-11-15); LC South is listed but has sent nothing yet."""
    folder = tmp_path_factory.mktemp("kinds")
    inbox = folder / "inbox"
    inbox.mkdir()
    for team in ("North", "South"):
        team_return(inbox, team, Period(2026, 10), saved=dt.date(2026, 11, 4))
    for number, saved in ((10, dt.date(2026, 10, 20)), (11, dt.date(2026, 11, 15))):
        team_return(
            inbox,
            "LC North",
            Period(2026, number, FOUR_WEEKS),
            saved=saved,
            service="Leaving Care",
        )
    store = folder / "returns.sqlite"
    with ReturnsStore.open(store) as opened:
        for service, team in (
            (SERVICE, "North"),
            (SERVICE, "South"),
            ("Leaving Care", "LC North"),
            ("Leaving Care", "LC South"),
        ):
            opened.add_team(service, team)
    run = consolidate_files([inbox], store, now=CONSOLIDATED, processes=1)
    assert run.exit_code == 0 and len(run.stored) == 4, run.report.findings
    return store


def test_a_monthly_tracker_says_why_the_4_week_teams_are_not_listed(two_kinds_store):
    done = CliRunner().invoke(
        main,
        [
            "returns",
            "--store",
            str(two_kinds_store),
            "--period",
            "2026-10",
            "--today",
            "2026-11-20",
        ],
    )
    assert done.exit_code == 0, done.output
    text = " ".join(done.output.split())
    assert "LC North" not in done.output.split("\n\n")[0]  # not in the table
    assert (
        "Leaving Care: its teams LC North, LC South return 4-week periods, not months, so they "
        "are not listed for 2026-10. A 4-week period's dates follow its service's own "
        "calendar, which the store does not know, so it cannot say which 4-week periods fall "
        "in 2026-10. Their latest return is for 2026-P11: see it with --period 2026-P11."
    ) in text
    assert "2026-10: 2 on time. Due by 2026-11-07." in text


def test_a_4_week_tracker_lists_them_and_says_why_the_monthly_teams_are_not(two_kinds_store):
    run = returns_for(two_kinds_store, "2026-P11", "2026-11-20")
    assert [(s.team, s.status, s.received) for s in run.statuses] == [
        ("LC North", "returned", "2026-11-15"),
        ("LC South", "not returned", ""),
    ]
    assert run.notes == (
        "Safeguarding and Support: its teams North, South return months, not 4-week periods, "
        "so they are not listed for 2026-P11. A 4-week period's dates follow its service's own "
        "calendar, which the store does not know, so it cannot say which months 2026-P11 falls "
        "in. Their latest return is for 2026-10: see it with --period 2026-10.",
    )


def test_a_listed_4_week_team_with_no_returns_yet_is_named_not_missing(two_kinds_store):
    """On 2026-10-10 nothing had arrived: LC South's scheme (leaving-care) says 4-week
    periods, and LC North's return for 2026-P10 came on 2026-10-20, so neither is missing
    from 2026-09's monthly tracker; the note says none of theirs had arrived."""
    run = returns_for(two_kinds_store, "2026-09", "2026-10-10")
    assert [(s.team, s.status) for s in run.statuses] == [
        ("North", "missing"),
        ("South", "missing"),
    ]
    (note,) = run.notes
    assert note.startswith("Leaving Care: its teams LC North, LC South return 4-week periods")
    assert note.endswith(
        "No return of theirs had arrived by 2026-10-10: ask for one of their periods with "
        "--period (for example --period 2026-P07)."
    )


def test_returns_from_unlisted_teams_say_how_to_list_them_with_a_command_that_works(tmp_path):
    """A store filled by consolidate alone lists no team, so `returns` cannot say who is
    missing: it says so, and the `teams add` it shows (for a team name with a space, in a
    store folder with one) lists the team when run as printed."""
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    for team in ("North East", "South"):
        team_return(inbox, team, Period(2026, 10), saved=dt.date(2026, 11, 3))
    folder = tmp_path / "perf team"
    folder.mkdir()
    store = folder / "returns.sqlite"
    stored = CliRunner().invoke(main, ["consolidate", str(inbox), "--store", str(store)])
    assert stored.exit_code == 0, stored.output
    first = CliRunner().invoke(
        main, ["returns", "--store", str(store), "--period", "2026-10", "--today", "2026-11-20"]
    )
    said = " ".join(first.output.split())
    assert "No team is on the list of teams returns are expected from" in said
    command = said.split("for example: ", 1)[1]
    assert command == (
        f'workload-xl teams add "North East" --service "{SERVICE}" --store "{store}"'
    )
    listed = CliRunner().invoke(main, shlex.split(command)[1:])
    assert listed.exit_code == 0, listed.output
    second = CliRunner().invoke(
        main, ["returns", "--store", str(store), "--period", "2026-10", "--today", "2026-11-20"]
    )
    said = " ".join(second.output.split())
    assert "1 team sent returns but is not on the list" in said and '"South"' in said
    assert "North East" in said and "on time" in said
    CliRunner().invoke(main, ["teams", "add", "South", "--service", SERVICE, "--store", str(store)])
    third = CliRunner().invoke(
        main, ["returns", "--store", str(store), "--period", "2026-10", "--today", "2026-11-20"]
    )
    assert "not on the list" not in third.output
