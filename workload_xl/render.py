"""Findings for people: a readable table for the terminal, JSON for programs (CLI edge)."""

from __future__ import annotations

import json
import shutil
import textwrap

from workload_xl.core.findings import Finding, Report
from workload_xl.core.values import yes_no


def report_json(report: Report) -> str:
    return json.dumps(report.to_dict(), indent=2, ensure_ascii=False)


def findings_text(findings: list[Finding], width: int | None = None) -> str:
    """One block per finding: where, then what is wrong and how to fix it, wrapped to fit."""
    width = width or max(60, min(shutil.get_terminal_size((100, 24)).columns, 120))
    lines = []
    current = None
    for f in findings:
        if f.workbook != current:
            current = f.workbook
            lines.append("")
            lines.append(current or "(no file)")
        place = " ".join(p for p in (f"'{f.sheet}'" if f.sheet else "", f.cell) if p)
        head = f"  {f.severity.upper():<7} {place:<18} {f.rule}"
        lines.append(head.rstrip())
        lines.extend(
            textwrap.wrap(
                f.message, width - 10, initial_indent=" " * 10, subsequent_indent=" " * 10
            )
        )
    return "\n".join(lines).lstrip("\n")


def summary_line(report: Report) -> str:
    c = report.counts
    files = len(report.files)
    return (
        f"{files} file{'s' if files != 1 else ''} checked: {c['error']} error(s), "
        f"{c['warning']} warning(s), {c['info']} info."
    )


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
    own = [f for f in build.findings if f.workbook == output or f.rule.startswith("team-")]
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
    lines.append(f"Wrote {output}." if written else "No team workbook was written.")
    return "\n".join(lines).strip("\n")


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
