"""The documentation guards the contract: every rule, name, column and scheme key is documented.

Like datasette's documentation tests, these fail when code and docs drift apart: add a rule, a
defined name or a scheme key, and the matching document must say what it is.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from workload_xl.contracts import team as tl
from workload_xl.contracts import worker as layout
from workload_xl.core import schemes
from workload_xl.core.disparity import SignalSettings
from workload_xl.core.rules import RULES
from workload_xl.core.team import TeamSettings

DOCS = Path(__file__).resolve().parent.parent / "docs"
FINDINGS_MD = DOCS / "findings.md"
WORKBOOK_FORMAT_MD = DOCS / "workbook-format.md"

_HEADING = re.compile(r"^### (.+?)\s*$")


def _rule_sections() -> dict[str, list[str]]:
    """Each `### ` heading of findings.md with the lines that follow it, up to the next heading."""
    sections: dict[str, list[str]] = {}
    current: list[str] | None = None
    for line in FINDINGS_MD.read_text(encoding="utf-8").splitlines():
        if line.startswith("#"):
            heading = _HEADING.match(line)
            current = sections.setdefault(heading[1], []) if heading else None
        elif current is not None:
            current.append(line)
    return sections


def _severity_line(lines: list[str]) -> str:
    return next((line.strip() for line in lines if line.strip()), "")


def _workbook_format() -> str:
    return WORKBOOK_FORMAT_MD.read_text(encoding="utf-8")


def _in_code(text: str) -> str:
    """How a name, heading or formula appears in the document: as inline code."""
    return f"`{text}`"


def _team_part() -> str:
    """The part of workbook-format.md about the team workbook, up to the scheme files."""
    text = _workbook_format()
    start = text.find("\n## The team workbook\n")
    assert start >= 0, "docs/workbook-format.md has no '## The team workbook' part"
    end = text.find("\n## ", start + 1)
    return text[start : end if end >= 0 else len(text)]


def _section(text: str, heading: str) -> str:
    """From the heading line that contains `heading` down to the next heading of any level."""
    lines = text.splitlines()
    start = next(
        (i for i, line in enumerate(lines) if line.startswith("#") and heading in line), None
    )
    assert start is not None, f"no heading with {heading!r}"
    end = next((i for i in range(start + 1, len(lines)) if lines[i].startswith("#")), len(lines))
    return "\n".join(lines[start:end])


def _table_row(text: str, first_cell: str) -> str:
    """The Markdown table row whose first cell is `first_cell` in inline code."""
    prefix = f"| {_in_code(first_cell)} |"
    return next((line for line in text.splitlines() if line.startswith(prefix)), "")


# --- docs/findings.md ----------------------------------------------------------------------


@pytest.mark.parametrize("rule_id", sorted(RULES))
def test_every_rule_has_a_heading_in_findings_md(rule_id):
    assert rule_id in _rule_sections(), f"docs/findings.md has no '### {rule_id}' section"


@pytest.mark.parametrize("rule_id", sorted(RULES))
def test_every_rule_section_starts_with_the_rule_severity(rule_id):
    lines = _rule_sections().get(rule_id, [])
    expected = f"Severity: {RULES[rule_id].severity}"
    assert _severity_line(lines) == expected


def test_every_rule_section_describes_the_rule_and_its_fix():
    for rule_id, lines in _rule_sections().items():
        body = [line for line in lines if line.strip()][1:]
        assert body, f"'### {rule_id}' has a severity but no description"
        assert any(line.startswith("Fix:") for line in body), f"'### {rule_id}' has no Fix:"


def test_every_heading_in_findings_md_is_a_real_rule_id():
    unknown = sorted(set(_rule_sections()) - set(RULES))
    assert unknown == []


def test_no_rule_is_documented_twice_in_findings_md():
    headings = [
        line
        for line in FINDINGS_MD.read_text(encoding="utf-8").splitlines()
        if line.startswith("### ")
    ]
    assert len(headings) == len(set(headings))


def test_findings_md_names_every_field_of_a_finding():
    text = FINDINGS_MD.read_text(encoding="utf-8")
    for field in ("rule", "severity", "workbook", "sheet", "cell", "field", "value", "message"):
        assert _in_code(field) in text


def test_findings_md_shows_every_key_of_the_json_report():
    text = FINDINGS_MD.read_text(encoding="utf-8")
    for key in ("files", "counts", "findings", "error", "warning", "info"):
        assert f'"{key}"' in text


def test_findings_md_documents_build_team_and_its_extra_json_keys():
    text = FINDINGS_MD.read_text(encoding="utf-8")
    assert "## `workload-xl build-team`" in text
    for key in ("team", "written"):
        assert f'"{key}"' in text


PACKAGE = Path(__file__).resolve().parent.parent / "workload_xl"


def _rules_raised_in(*modules: str) -> list[str]:
    """Every catalogued rule id a module names: the rules it can raise."""
    quoted = re.compile(r'"([a-z]+(?:-[a-z]+)+)"')
    found = set()
    for module in modules:
        found |= set(quoted.findall((PACKAGE / module).read_text(encoding="utf-8")))
    return sorted(found & set(RULES))


TEAM_RULES = _rules_raised_in("core/team.py", "core/fairness.py", "files/team_reader.py")


def test_the_team_rules_are_found():
    assert "team-no-sheets" in TEAM_RULES
    assert "history-unreadable" in TEAM_RULES


def _team_rules_part() -> str:
    """findings.md from its 'Team sheets' part up to the next part that is not about teams."""
    text = FINDINGS_MD.read_text(encoding="utf-8")
    start = text.find("\n## Team sheets\n")
    assert start >= 0, "docs/findings.md has no '## Team sheets' part"
    end = text.find("\n## Caseload import\n", start)
    return text[start : end if end >= 0 else len(text)]


@pytest.mark.parametrize("rule_id", TEAM_RULES)
def test_every_team_rule_is_documented_with_its_severity_and_fix(rule_id):
    assert f"\n### {rule_id}\n" in _team_rules_part(), f"'### {rule_id}' is not with the team rules"
    lines = _rule_sections().get(rule_id)
    assert lines is not None, f"docs/findings.md has no '### {rule_id}' section"
    assert _severity_line(lines) == f"Severity: {RULES[rule_id].severity}"
    assert any(line.startswith("Fix:") for line in lines)


_SETTINGS = TeamSettings()
_SIGNALS = _SETTINGS.signals


@pytest.mark.parametrize(
    "phrase",
    [
        f"`outlier_margin`, default {_SIGNALS.outlier_margin:.2f}",
        f"at least {_SIGNALS.outlier_margin * 100:.0f} points of percentage",
        f"`disparity_margin`, default {_SIGNALS.disparity_margin:.2f}",
        f"in {_SIGNALS.disparity_periods} or more consecutive periods",
        f"`disparity_periods`, default {_SIGNALS.disparity_periods}",
        f"latest {_SIGNALS.run_length} periods (`run_length`, default {_SIGNALS.run_length})",
        f"up to {_SIGNALS.baseline} periods before them (at least {_SIGNALS.min_baseline}",
        f"default {_SETTINGS.spread_threshold}",
        f"At least {_SIGNALS.min_workers} counted workers",
        "expected points = reference points × band capacity factor × FTE",
    ],
)
def test_findings_md_states_the_fairness_settings_the_code_uses(phrase):
    """The statistics intro gives the same numbers core.disparity uses."""
    text = " ".join(FINDINGS_MD.read_text(encoding="utf-8").split()).replace("*", "")
    assert phrase in text


# --- docs/workbook-format.md ---------------------------------------------------------------


@pytest.mark.parametrize("spec", layout.HEADER_FIELDS, ids=lambda f: f.name)
def test_every_header_field_defined_name_is_documented(spec):
    text = _workbook_format()
    assert _in_code(spec.name) in text
    assert spec.label in text


@pytest.mark.parametrize("spec", layout.TOTAL_FIELDS, ids=lambda t: t.name)
def test_every_total_defined_name_and_its_exact_formula_are_documented(spec):
    text = _workbook_format()
    assert _in_code(spec.name) in text
    assert _in_code(layout.template_total_formula(spec)) in text


@pytest.mark.parametrize("column", layout.COLUMNS, ids=lambda c: c.key)
def test_every_column_header_of_the_table_is_documented(column):
    assert _in_code(column.header) in _workbook_format()


@pytest.mark.parametrize("column", [c for c in layout.COLUMNS if c.formula], ids=lambda c: c.key)
def test_every_calculated_column_formula_is_documented_exactly(column):
    assert _in_code(layout.template_row_formula(column)) in _workbook_format()


def test_the_table_name_and_sheet_names_are_documented():
    text = _workbook_format()
    for name in (
        layout.TABLE_NAME,
        layout.MEASUREMENT_SHEET,
        layout.SCHEME_SHEET,
        layout.SCHEME_ITEMS_TABLE,
        layout.SCHEME_BANDS_TABLE,
        layout.SCHEME_SERVICES_TABLE,
    ):
        assert _in_code(name) in text


@pytest.mark.parametrize(
    "name", [*layout.SCHEME_LOOKUP_NAMES, layout.BAND_LABELS_NAME, layout.SERVICE_NAMES_NAME]
)
def test_every_workbook_scoped_scheme_name_is_documented(name):
    assert _in_code(name) in _workbook_format()


@pytest.mark.parametrize("key", sorted(schemes._TOP_KEYS | schemes._ITEM_KEYS | schemes._BAND_KEYS))
def test_every_scheme_file_key_is_documented(key):
    assert _in_code(key) in _workbook_format()


@pytest.mark.parametrize("key", sorted(schemes._CASELOAD_KEYS | schemes._COLUMN_KEYS))
def test_every_caseload_key_of_a_scheme_file_is_documented(key):
    text = _workbook_format()
    assert _in_code(key) in text or f"[caseload.{key}]" in text


@pytest.mark.parametrize("value", [*schemes.KINDS, *schemes.UNITS, *schemes.PERIODS])
def test_every_allowed_kind_unit_and_period_is_documented(value):
    assert _in_code(value) in _workbook_format()


# --- docs/workbook-format.md: the team workbook ---------------------------------------------


@pytest.mark.parametrize("spec", tl.TEAM_HEADER + tl.TEAM_TOTALS, ids=lambda f: f.name)
def test_every_team_sheet_defined_name_and_label_is_documented(spec):
    row = _table_row(_team_part(), spec.name)
    assert row, f"no table row for `{spec.name}` in the team workbook part"
    assert f"| {spec.label} |" in row


@pytest.mark.parametrize("spec", [f for f in tl.TEAM_TOTALS if f.formula], ids=lambda f: f.name)
def test_every_native_team_total_formula_is_documented_exactly(spec):
    assert _in_code(spec.formula) in _table_row(_team_part(), spec.name)


@pytest.mark.parametrize("spec", [f for f in tl.TEAM_TOTALS if not f.formula], ids=lambda f: f.name)
def test_every_team_total_written_by_python_is_documented_as_a_value(spec):
    assert "value (Python)" in _table_row(_team_part(), spec.name)


@pytest.mark.parametrize("column", tl.TEAM_COLUMNS, ids=lambda c: c.key)
def test_every_team_workers_column_is_documented_with_its_number_format(column):
    row = _table_row(_section(_team_part(), _in_code(tl.TEAM_TABLE)), column.header)
    assert row, f"no table row for `{column.header}` in the team workbook part"
    number_format = (
        "General" if column.number_format == "General" else _in_code(column.number_format)
    )
    assert f"| {number_format} |" in row


def test_the_team_sheets_and_tables_are_documented():
    text = _team_part()
    for name in (
        tl.TEAM_SHEET,
        tl.CASES_SHEET,
        tl.HISTORY_SHEET,
        tl.ERRORS_SHEET,
        tl.TEAM_TABLE,
        tl.CASES_TABLE,
        tl.HISTORY_TABLE,
        tl.ERRORS_TABLE,
    ):
        assert _in_code(name) in text


@pytest.mark.parametrize(
    "heading",
    sorted(set(tl.CASES_COLUMNS) | set(tl.HISTORY_COLUMNS) | set(tl.ERRORS_COLUMNS)),
)
def test_every_cases_history_and_errors_heading_is_documented(heading):
    assert _in_code(heading) in _team_part()


@pytest.mark.parametrize(
    "key, default",
    [
        ("spread_threshold", TeamSettings().spread_threshold),
        ("flags", f"{SignalSettings().outlier_margin:.2f}"),
    ],
)
def test_the_fairness_keys_of_a_scheme_file_are_documented_with_their_defaults(key, default):
    row = _table_row(_workbook_format(), key)
    assert row, f"no row for `{key}` among the scheme file's keys"
    assert f"default {default}" in row
    assert "not yet used" not in row


def test_the_job_plan_workbook_is_documented_name_by_name():
    from workload_xl.contracts import jobplan as jl

    text = (DOCS / "workbook-format.md").read_text()
    part = text[text.index("## The CAPA job plan workbook") :]
    wanted = [
        jl.JOBPLANS_TABLE,
        jl.ABSENCES_TABLE,
        jl.SETTINGS_TABLE,
        jl.CLINICIAN_NAMES,
        jl.REFERRALS_NAME,
        jl.REFERRALS_TABLE,
        jl.SERIES_NAME,
        jl.SERIES_FORMULA,
        jl.DEMAND_NAME,
        jl.DEMAND_FORMULA,
        *jl.SHEETS,
    ]
    wanted += [t.name for _, t in jl.HOURS_TOTALS] + [t.formula for _, t in jl.HOURS_TOTALS]
    wanted += [c.header for c in jl.REFERRAL_COLUMNS]
    wanted += [c.formula for c in jl.REFERRAL_COLUMNS if c.formula]
    wanted += [c.header for c in jl.JOBPLAN_COLUMNS + jl.ABSENCE_COLUMNS]
    wanted += [c.formula for c in jl.JOBPLAN_COLUMNS if c.formula]
    wanted += [f.name for f in jl.SETTING_FIELDS]
    wanted += [t.name for row in jl.BALANCE_ROWS for t in (row.capacity, row.need, row.ratio)]
    wanted += [t.formula for row in jl.BALANCE_ROWS for t in (row.capacity, row.need, row.ratio)]
    wanted += [*jl.VERDICT_NAMES, *jl.WAITING_NAMES, *jl.WAITING_VERDICT_NAMES]
    wanted += [
        m.formula(s) for m in jl.WAITING_MEASURES for s in jl.WAITING_STREAMS if m.formula(s)
    ]
    missing = [w for w in wanted if f"`{w}`" not in part]
    assert missing == []


def test_the_sheets_the_add_in_writes_are_documented():
    from workload_xl.excel import entry

    text = (DOCS / "workbook-format.md").read_text()
    part = text[text.index("## Sheets the Excel add-in writes") :]
    wanted = [entry.ERRORS_SHEET, entry.HIGHLIGHTS_SHEET, entry.TEAM_SHEET, entry.UNKNOWN_FILL]
    wanted += [*entry.ERRORS_HEADINGS, *entry.HIGHLIGHTS_HEADINGS, *entry.FILLS.values()]
    assert [w for w in wanted if f"`{w}`" not in part and w not in part] == []
    assert f"row {entry.TEAM_TOP}" in part and f"row {entry.ERRORS_TOP}" in part


def test_the_allocation_sheet_is_documented_cell_by_cell_and_column_by_column():
    from workload_xl.contracts import allocation as al

    part = _section(_workbook_format(), "The Allocation sheet")
    assert _in_code(al.SHEET) in part and _in_code(al.STATUS_CELL) in part
    assert f"From row {al.INPUT_TOP}" in part and f"From row {al.OUTPUT_TOP}" in part
    for spec in al.INPUTS:
        assert _table_row(part, spec.label), f"the input {spec.label!r} is not documented"
    for column in al.SUGGESTION_COLUMNS + al.MOVE_COLUMNS:
        row = _table_row(part, column.heading)
        assert row, f"the column {column.heading!r} is not documented"
        shown = "General" if column.number_format == "General" else _in_code(column.number_format)
        assert f"| {shown} |" in row, row


def test_the_trend_report_part_of_workbook_format_md_matches_its_contract():
    from workload_xl.contracts import report as rc

    text = (Path(__file__).resolve().parent.parent / "docs" / "workbook-format.md").read_text(
        encoding="utf-8"
    )
    start = text.index("## The trend report workbook")
    part = " ".join(text[start : text.index("\n## ", start + 1)].split())
    assert f"`{rc.SUMMARY_SHEET}`" in part and f"`{rc.SPC_SHEET_PREFIX}<team>`" in part
    for block in rc.SERVICE_BLOCKS:
        assert f"| `{block.title}` |" in part and f"`{block.number_format}`" in part
    for column in rc.SPC_COLUMNS:
        assert f"`{column.heading}`" in part


def test_the_plan_and_actual_workbook_is_documented_sheet_by_sheet_and_column_by_column():
    from workload_xl.contracts import actuals as ac
    from workload_xl.core.capa.exports import CATEGORIES, COLUMN_KEYS

    part = " ".join(
        _workbook_format()[_workbook_format().index("## The Plan and actual") :].split()
    )
    wanted = [*ac.SHEETS, ac.TEAM_MONTHS_TABLE, ac.TEAM_QUARTERS_TABLE, ac.CLINICIAN_MONTHS_TABLE]
    wanted += [ac.CLINICIAN_QUARTERS_TABLE, ac.TOTAL_LABEL, *ac.SUMMARY_HEADINGS, *ac.CHART_TITLES]
    wanted += [*ac.CLINICIAN_MONTH_COLUMNS, *ac.TEAM_MONTH_COLUMNS, *ac.TEAM_QUARTER_COLUMNS]
    wanted += [*ac.CLINICIAN_QUARTER_COLUMNS, *COLUMN_KEYS, *CATEGORIES]
    assert [w for w in wanted if f"`{w}`" not in part] == []
