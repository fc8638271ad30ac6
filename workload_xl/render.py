"""Findings for people: a readable table for the terminal, JSON for programs (CLI edge)."""

from __future__ import annotations

from collections import Counter

from workload_xl.core.findings import SEVERITY_ORDER, Finding, Report, Severity
from workload_xl.core.rules import RULES
from workload_xl.core.values import yes_no

# json, shutil and textwrap are imported where they are used: a command that prints a table
# (`schemes`, `teams list`, `returns`) starts without them (tests/test_startup.py).


def report_json(report: Report) -> str:
    import json

    return json.dumps(report.to_dict(), indent=2, ensure_ascii=False)


def findings_text(findings: list[Finding], width: int | None = None) -> str:
    """One block per finding: where, then what is wrong and how to fix it, wrapped to fit."""
    width = _width(width)
    lines = []
    current = None
    for f in findings:
        if f.workbook != current:
            current = f.workbook
            lines.append("")
            lines.append(current or NO_FILE)
        lines.extend(_finding_lines(f, width))
    return "\n".join(lines).lstrip("\n")


NO_FILE = "(no file)"


def _width(width: int | None) -> int:
    import shutil

    return width or max(60, min(shutil.get_terminal_size((100, 24)).columns, 120))


def _finding_lines(f: Finding, width: int) -> list[str]:
    place = " ".join(p for p in (f"'{f.sheet}'" if f.sheet else "", f.cell) if p)
    head = f"  {f.severity.upper():<7} {place:<18} {f.rule}"
    import textwrap

    return [
        head.rstrip(),
        *textwrap.wrap(
            f.message,
            width - 10,
            initial_indent=" " * 10,
            subsequent_indent=" " * 10,
            break_on_hyphens=False,  # a path or a period (2026-09) stays whole
            break_long_words=False,
        ),
    ]


def counts_text(counts: dict[str, int]) -> str:
    """'2 error(s), 1 warning(s), 0 info': the same three counts everywhere they are said."""
    return f"{counts['error']} error(s), {counts['warning']} warning(s), {counts['info']} info"


def summary_line(report: Report) -> str:
    files = len(report.files)
    return f"{files} file{'s' if files != 1 else ''} checked: {counts_text(report.counts)}."


MIN_SEVERITIES = ("error", "warning", "info")
"""What `validate --min-severity` takes, most severe first: each shows its own findings and
the more severe ones."""


def validate_text(report: Report, min_severity: str = "warning", width: int | None = None) -> str:
    """validate's screen: a line per file with its counts, under it the findings at or above
    `min_severity`, and last the total, with how many findings were not shown and how to
    show them. A team's 8 errors are no longer lost among 27 info findings."""
    width = _width(width)
    shown_at = SEVERITY_ORDER[Severity(min_severity)]
    by_file: dict[str, list[Finding]] = {name: [] for name in report.files}
    for f in report.sorted():
        by_file.setdefault(f.workbook, []).append(f)
    lines = []
    hidden: Counter[str] = Counter()
    for name in sorted(by_file):
        found = by_file[name]
        lines.append(f"{name or NO_FILE}: {counts_text(Report(found).counts)}")
        for f in found:
            if SEVERITY_ORDER[f.severity] <= shown_at:
                lines.extend(_finding_lines(f, width))
            else:
                hidden[str(f.severity)] += 1
    total = summary_line(report)
    if hidden:
        parts = [f"{hidden[s]} {s} finding(s)" for s in MIN_SEVERITIES if hidden[s]]
        total += (
            f" Not shown: {' and '.join(parts)}; add --min-severity "
            f"{'info' if hidden['info'] else 'warning'} to see them."
        )
    return "\n".join([*lines, "", total]) if lines else total


OWN_RULES = ("team-", "history-")
"""The findings build-team lists in full: the team's own, and what its --history gave; the
worker sheets' are counted, their errors listed."""


def team_text(build, output: str, written: bool) -> str:
    """The team at a glance, then what deserves attention; worker sheets' details by count."""
    lines = []
    team = build.team
    if team is not None:
        lines.append(
            f"{team.team or '(team not named)'}, {team.service}, {team.period} "
            f"(scheme {team.scheme_id} {team.scheme_version})"
        )
        headings = (
            "Worker",
            "Band",
            "FTE",
            "Cases",
            "Points",
            "Per FTE",
            "Expected",
            "Load",
            "Counted",
            "Flags",
        )
        rows = [
            (
                w.worker,
                w.band,
                _n(w.fte, 2),
                str(w.cases),
                _n(w.total_points),
                _n(w.points_per_fte),
                _n(w.expected_points),
                "" if w.load is None else f"{w.load:.0%}",
                yes_no(w.counted),
                "; ".join(w.flags),
            )
            for w in team.workers
        ]
        lines.append(plain_table(headings, rows))
        lines.append(
            f"Team: {team.case_count} cases and {_n(team.total_points)} points, each case "
            f"counted once; {_n(team.total_fte, 2)} FTE, "
            f"{_n(team.points_per_fte)} points per FTE; workers' mean "
            f"{_n(team.mean_ppf)}, median {_n(team.median_ppf)}; median load against expected "
            f"{'' if team.median_load is None else f'{team.median_load:.0%}'}, spread "
            f"{'' if team.spread is None else f'{team.spread:.0%}'}."
        )
    own = [f for f in build.findings if f.workbook == output or f.rule.startswith(OWN_RULES)]
    sheets = [f for f in build.findings if f not in own]
    if own:
        lines += ["", findings_text(Report(own).sorted())]
    if sheets:
        counts = Report(sheets).counts
        with_errors = len({(f.workbook, f.sheet) for f in sheets if f.severity == "error"})
        lines += [
            "",
            f"Worker sheets: {counts['error']} error(s) on {with_errors} sheet(s), "
            f"{counts['warning']} warning(s), {counts['info']} info"
            + (" (all listed on the Errors sheet)." if written else "."),
        ]
        errors = [f for f in sheets if f.severity == "error"]
        if errors:
            lines.append(findings_text(Report(errors).sorted()))
    lines.append("")
    if written:
        lines.append(f"Wrote {output}.")
    else:  # what stopped it, last, where a person looks after a long table
        stops = "output-" if team is not None else "team-"
        why = [f for f in own if f.rule.startswith(stops) and f.severity == "error"]
        lines.append(nothing_written(why, output))
    return "\n".join(lines).strip("\n")


def nothing_written(why: list[Finding], output: str, verb: str = "written") -> str:
    """The last line of a command that wrote nothing: the first reason, in a few words, and
    where it is said in full. The findings above keep every detail."""
    if not why:
        return f"Nothing {verb}: the findings above say why."
    first = why[0]
    if first.rule == "output-exists":
        return f"Nothing {verb}: {output} already exists; add --force to replace it."
    title = RULES[first.rule].title
    more = f", and {len(why) - 1} more problem(s)" if len(why) > 1 else ""
    return f"Nothing {verb}: {title[0].lower()}{title[1:]} ({first.rule}{more}, said above)."


SHOWN_INFO = ("return-skipped",)
"""The info findings consolidate prints: what it passed over in a folder, said once a folder
(the other info, a file stored already or superseded, the counts say)."""


def consolidation_text(run, files: int, store: str) -> str:
    """consolidate's screen: errors and warnings, the worker workbooks it skipped, the counts,
    and, when nothing was stored, why, last."""
    shown = [f for f in run.report.sorted() if f.severity != "info" or f.rule in SHOWN_INFO]
    lines = [findings_text(shown), ""] if shown else []
    lines.append(
        f"{files} file(s): {len(run.stored)} stored, {len(run.already)} already "
        f"in the store, {len(run.superseded)} earlier return(s) superseded, "
        f"{len(run.failed)} refused"
        + (f", {len(run.held)} held for a decision" if run.held else "")
        + (f", {len(run.skipped)} worker workbook(s) skipped" if run.skipped else "")
        + f". Store: {store}"
    )
    if run.held:
        lines.append(
            "Held returns were not stored. If the changes they make are meant, run "
            "the same command again with --accept-changes."
        )
    if not run.stored and not run.interrupted:
        lines.append(nothing_stored(run, files, store))
    return "\n".join(lines)


def nothing_stored(run, files: int, store: str) -> str:
    """Why a consolidation stored nothing, in one line."""
    if run.store_unusable:
        why = [f for f in run.report.sorted() if f.severity == "error"]
        return nothing_written(why, store, "stored")
    if not files:
        return "Nothing stored: no team workbooks were found in the inputs."
    if len(run.already) == files:
        return (
            f"Nothing stored: {'the file is' if files == 1 else f'all {files} files are'} in "
            "the store already, so the store is unchanged."
        )
    parts = [
        f"{n} {what}"
        for n, what in (
            (len(run.failed), "refused (the errors above say why)"),
            (len(run.held), "held for a decision (--accept-changes stores them)"),
            (len(run.already), "in the store already"),
            (
                len(run.skipped),
                "worker workbook(s) skipped (consolidate takes team workbooks: build-team "
                "makes them)",
            ),
        )
        if n
    ]
    return f"Nothing stored: {', '.join(parts)}."


def _n(value, places: int = 1, sign: bool = False) -> str:
    if value is None:
        return ""
    return f"{value:+.{places}f}" if sign else f"{value:.{places}f}"


def plain_table(headings: tuple[str, ...], rows: list[tuple]) -> str:
    widths = [max(len(str(x)) for x in column) for column in zip(headings, *rows, strict=False)]
    out = [
        "  ".join(h.ljust(w) for h, w in zip(headings, widths, strict=True)),
        "  ".join("-" * w for w in widths),
    ]
    out += ["  ".join(str(c).ljust(w) for c, w in zip(r, widths, strict=True)) for r in rows]
    return "\n".join(line.rstrip() for line in out)
