"""The demo: the README's first command makes realistic workbooks and finds planted mistakes."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from workload_xl.cli import main
from workload_xl.core.period import FOUR_WEEKS, MONTH, typed_period
from workload_xl.demo import generate, period_end, run_demo
from workload_xl.services.returns import returns_for
from workload_xl.services.validate import validate_files

EXPECTED_RULE = {
    "agreed points far outside the scheme's range": "points-out-of-range",
    "the same case entered twice": "case-ref-duplicate",
    "FTE left blank": "fte-invalid",
    "an item typed instead of picked from the list": "item-unknown",
    "points typed as text": "number-as-text",
    "a misspelt period": "period-invalid",
    "total typed over": "total-mismatch",
    "note outside the table": "outside-table",
    "a case with no reference": "case-ref-missing",
    "a CSV file renamed .xlsx": "file-not-workbook",
}


def test_every_planted_mistake_is_found_in_its_file_and_nothing_else_is_wrong(tmp_path, registry):
    written, planted = generate(tmp_path, registry, months=2)
    assert len(written) == 4 * 12 * 2 + 1
    run = validate_files([tmp_path], registry)
    rules_by_file: dict[str, set[str]] = {}
    for f in run.report.findings:
        rules_by_file.setdefault(f.workbook, set()).add(f.rule)
    for mistake in planted:
        assert EXPECTED_RULE[mistake.what] in rules_by_file.get(str(mistake.path), set()), mistake
    planted_files = {str(m.path) for m in planted}
    unexpected = {
        (f.workbook, f.rule)
        for f in run.report.findings
        if f.workbook not in planted_files and f.rule != "points-adjusted"
    }
    assert unexpected == set()


def test_demo_workbooks_carry_caseloads_over_from_month_to_month(tmp_path, registry):
    generate(tmp_path, registry, months=2)
    run = validate_files([tmp_path / "safeguarding-north"], registry)
    by_worker: dict[str, list] = {}
    for m in sorted(run.measurements, key=lambda m: str(m.period)):
        by_worker.setdefault(m.worker, []).append(
            {line.case_ref for line in m.lines if line.kind == "case"}
        )
    kept = [len(a & b) / len(a) for a, b in by_worker.values() if a]
    assert sum(kept) / len(kept) > 0.6


def test_demo_prints_what_it_made_and_found_and_refuses_a_folder_it_did_not_make(tmp_path):
    lines: list[str] = []
    assert run_demo(tmp_path / "my demo", months=1, echo=lines.append) == 0
    text = "\n".join(lines)
    # The Try: lines quote with double quotes, which bash, cmd.exe and PowerShell all read.
    tries = lines[lines.index(next(line for line in lines if line.startswith("Try: "))) :]
    assert len(tries) == 5 and not any("'" in line for line in tries)
    folder = tmp_path / "my demo"
    workers = folder / "safeguarding-north" / "2026-10"
    assert tries[0] == f'Try: workload-xl validate "{workers}" --format json'
    assert f'"{folder / "camhs-jobplans.xlsx"}" --without "Mo Khan"' in tries[3]
    assert '--worker "Jo Example"' in tries[4] and '--service "First Response"' in tries[4]
    assert "Made 49 measurement workbooks" in text
    assert "points-out-of-range" in text and "file-not-workbook" in text
    assert "Wrote 4 team workbooks" in text
    assert "Safeguarding North, Safeguarding and Support, 2026-10" in text
    assert len(list((tmp_path / "my demo").glob("*/team-*.xlsx"))) == 4
    assert "Stored 3 returns" in text and "Fostering and Adoption: missing" in text
    assert "First Response East: late" in text
    assert (tmp_path / "my demo" / "trend-report.xlsx").is_file()
    assert "Core Partnership capacity is" in text and "maternity leave costs" in text
    # The CAMHS team: 91 Core hours = 26 sessions = 78 new a quarter, against 11 referrals a
    # week × 13 weeks × 0.68 = 97.24: 20% short (not the 7% that 11.25 weeks of demand gave).
    assert "Core Partnership capacity is 20% short of demand" in text
    assert (tmp_path / "my demo" / "camhs-jobplans.xlsx").is_file()
    assert "The transfer rate to Core has been above the 68% the plan assumes" in text
    assert (tmp_path / "my demo" / "camhs-plan-and-actual.xlsx").is_file()
    assert run_demo(tmp_path / "my demo", months=1, echo=lines.append) == 0  # its own: replaced
    other = tmp_path / "mine"
    other.mkdir()
    (other / "keep.txt").write_text("mine")
    assert run_demo(other, months=1, echo=lines.append) == 2
    assert (other / "keep.txt").read_text() == "mine"


def test_the_demo_team_sheets_show_every_kind_of_flag_within_seven_months(tmp_path, registry):
    """Seven months: the run_length a rise or fall takes (a newcomer building a caseload, a
    worker handing cases on before leave)."""
    from workload_xl.demo import build_demo_team_sheets

    generate(tmp_path, registry, months=7)
    built = build_demo_team_sheets(tmp_path, validate_files([tmp_path], registry), registry)
    assert len(built) == 4 * 7
    seen = {f.rule for _, build in built for f in build.findings}
    assert {
        "worker-outlier",
        "disparity-persistent",
        "case-co-worked",
        "team-spread-wide",
        "trend-rising",
        "trend-falling",
    } <= seen


@pytest.mark.parametrize("today", [dt.date(2026, 12, 2), dt.date(2026, 11, 5)])
def test_every_demo_return_was_sent_soon_after_its_period_and_never_after_the_demo_ran(
    tmp_path, today
):
    """Run on 2026-12-02 the demo had dated its 4-week (Leaving Care) returns 2026-12-27, so
    `returns` called every one of them not returned. Each return is sent on or a few days
    after its period ends (a month's due day the tracker's, a 4-week period's end the demo's
    calendar), and never after the day the demo runs: on that day every team has returned
    every period, but the one held back on purpose."""
    folder = tmp_path / "demo"
    assert run_demo(folder, months=2, echo=lambda _: None, today=today) == 0
    periods = {typed_period(p.stem.removeprefix("team-")) for p in folder.glob("*/team-*.xlsx")}
    assert {p.kind for p in periods} == {MONTH, FOUR_WEEKS}
    seen = []
    for period in sorted(periods):
        for status in returns_for(folder / "returns.sqlite", period, today).statuses:
            if (status.team, str(period)) == ("Fostering and Adoption", "2026-10"):
                assert status.status in {"missing", "not yet due"}
                continue
            assert status.status in {"on time", "late", "returned"}, (period, status)
            received = dt.date.fromisoformat(status.received)
            assert received <= today
            if today == dt.date(2026, 12, 2):  # late enough for every return to be sent
                assert 0 <= (received - period_end(period)).days <= 10, (period, status)
            seen.append(status.team)
    assert set(seen) == {
        "First Response East",
        "Safeguarding North",
        "Leaving Care",
        "Fostering and Adoption",
    }


def _command(line: str) -> list[str]:
    """The arguments after `workload-xl` in a printed line, read as bash, cmd.exe and
    PowerShell read them: double quotes around an argument with spaces, nothing escaped."""
    text = line[line.index("workload-xl ") + len("workload-xl ") :]
    return [quoted or plain for quoted, plain in re.findall(r'"([^"]*)"|(\S+)', text)]


def test_every_command_the_demo_prints_works_as_printed_where_it_ran(tmp_path, monkeypatch):
    """The Try: lines and the allocation line, run from the folder the demo was run in on a
    folder whose name holds a space: findings (exit 1) are fine, unreadable input (2) not."""
    monkeypatch.chdir(tmp_path)
    lines: list[str] = []
    assert run_demo(Path("my demo"), months=1, echo=lines.append) == 0
    commands = [_command(line) for line in lines if "workload-xl " in line]
    assert len(commands) == 6 and any(c[0] == "allocate" for c in commands)
    runner = CliRunner()
    for args in commands:
        result = runner.invoke(main, args)
        assert result.exit_code in (0, 1), (args, result.output)
