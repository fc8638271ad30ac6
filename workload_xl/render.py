"""Findings for people: a readable table for the terminal, JSON for programs (CLI edge)."""

from __future__ import annotations

import json
import shutil
import textwrap

from .findings import Finding, Report


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
