"""The documentation guards the contract: every rule, name, column and scheme key is documented.

Like datasette's documentation tests, these fail when code and docs drift apart: add a rule, a
defined name or a scheme key, and the matching document must say what it is.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from workload_xl import layout, schemes
from workload_xl.rules import RULES

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
        line for line in FINDINGS_MD.read_text(encoding="utf-8").splitlines()
        if line.startswith("### ")
    ]  # fmt: skip
    assert len(headings) == len(set(headings))


def test_findings_md_names_every_field_of_a_finding():
    text = FINDINGS_MD.read_text(encoding="utf-8")
    for field in ("rule", "severity", "workbook", "sheet", "cell", "field", "value", "message"):
        assert _in_code(field) in text


def test_findings_md_shows_every_key_of_the_json_report():
    text = FINDINGS_MD.read_text(encoding="utf-8")
    for key in ("files", "counts", "findings", "error", "warning", "info"):
        assert f'"{key}"' in text


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
    assert _in_code(spec.formula) in text


@pytest.mark.parametrize("column", layout.COLUMNS, ids=lambda c: c.key)
def test_every_column_header_of_the_table_is_documented(column):
    assert _in_code(column.header) in _workbook_format()


@pytest.mark.parametrize(
    "column", [c for c in layout.COLUMNS if c.formula], ids=lambda c: c.key
)  # fmt: skip
def test_every_calculated_column_formula_is_documented_exactly(column):
    assert _in_code(column.formula) in _workbook_format()


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
)  # fmt: skip
def test_every_workbook_scoped_scheme_name_is_documented(name):
    assert _in_code(name) in _workbook_format()


@pytest.mark.parametrize(
    "key", sorted(schemes._TOP_KEYS | schemes._ITEM_KEYS | schemes._BAND_KEYS)
)  # fmt: skip
def test_every_scheme_file_key_is_documented(key):
    assert _in_code(key) in _workbook_format()


@pytest.mark.parametrize("key", sorted(schemes._CASELOAD_KEYS | schemes._COLUMN_KEYS))
def test_every_caseload_key_of_a_scheme_file_is_documented(key):
    text = _workbook_format()
    assert _in_code(key) in text or f"[caseload.{key}]" in text


@pytest.mark.parametrize("value", [*schemes.KINDS, *schemes.UNITS, *schemes.PERIODS])
def test_every_allowed_kind_unit_and_period_is_documented(value):
    assert _in_code(value) in _workbook_format()
