"""Points schemes load from data, and a wrong scheme fails at load time naming file and key."""

from __future__ import annotations

import pytest

from workload_xl.core.schemes import SchemeError, SchemeRegistry, load_scheme

GOOD = """
id = "tiny"
title = "Tiny scheme"
version = "1"
services = ["Tiny Service"]
period = "month"

[[bands]]
id = "nq"
label = "Newly qualified"
capacity_factor = 0.9

[[items]]
code = "CIN"
label = "Child in need"
kind = "case"
unit = "per case"
points = 5
min = 4
max = 8

[[items]]
code = "DUTY"
label = "Duty day"
kind = "activity"
unit = "per day"
points = 2

[caseload.case_types]
"Child in Need" = "CIN"
"""


def write(tmp_path, text, name="tiny.toml"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_the_shipped_schemes_cover_childrens_leaving_care_and_fostering(registry):
    assert set(registry.ids) >= {"childrens-social-care", "leaving-care", "fostering-adoption"}
    csc = registry.get("childrens-social-care")
    assert set(csc.services) == {"First Response", "Safeguarding and Support", "Children in Care"}
    labels = {i.label for i in csc.items}
    assert {
        "Child in need",
        "Child protection plan",
        "Looked after child",
        "Care proceedings",
        "Assessment in progress",
        "Duty day",
        "Court day",
        "Training day",
        "Project or working group",
        "Student supervision",
    } <= labels
    for scheme in registry:
        assert "agrees its own" in scheme.note, scheme.id
        assert scheme.bands, scheme.id
        assert {i.kind for i in scheme.items} == {"case", "activity"}


def test_a_good_scheme_loads_with_defaults_filled(tmp_path):
    scheme = load_scheme(write(tmp_path, GOOD))
    duty = scheme.item_by_code("DUTY")
    assert (duty.points, duty.min, duty.max, duty.unit) == (2, 2, 2, "per day")
    assert scheme.item_by_label("child IN need").code == "CIN"
    assert scheme.item_by_label("  child in need ") is None  # as the sheet's MATCH sees it
    assert scheme.find_item("  child IN  need ").code == "CIN"
    assert scheme.find_item("duty").code == "DUTY"
    assert list(scheme.caseload.case_types.values()) == ["CIN"]
    assert scheme.caseload.code_for("  child IN  need ") == "CIN"
    assert scheme.caseload.code_for("Child-in-Need.") == "CIN"  # punctuation ignored too
    assert scheme.caseload.code_for("Child in") is None


BAD = [
    ("missing title", ('title = "Tiny scheme"\n', ""), "title: is required"),
    ("typo in a key", ("points = 5\n", "pionts = 5\n"), "items[0].pionts: unknown key"),
    ("points not a number", ("points = 5\n", 'points = "five"\n'), "points: must be a number"),
    (
        "points outside min and max",
        ("points = 5\nmin = 4", "points = 9\nmin = 4"),
        "points: must lie between min (4) and max (8)",
    ),
    ("unknown kind", ('kind = "case"', 'kind = "cases"'), "kind: must be one of case, activity"),
    ("unknown unit", ('unit = "per day"', 'unit = "per fortnight"'), "unit: must be one of"),
    (
        "case scored per day",
        ('unit = "per case"', 'unit = "per day"'),
        "a case item is scored 'per case'",
    ),
    ("bad period", ('period = "month"', 'period = "weekly"'), "period: must be one of"),
    ("version as a number", ('version = "1"', "version = 1"), "version: must be text"),
    ("duplicate code", ('code = "DUTY"', 'code = "CIN"'), "duplicate code 'CIN'"),
    (
        "capacity factor zero",
        ("capacity_factor = 0.9", "capacity_factor = 0"),
        "bands[0].capacity_factor",
    ),
    (
        "caseload maps to nothing",
        ('"Child in Need" = "CIN"', '"Child in Need" = "CINN"'),
        "maps to 'CINN'",
    ),
    (
        "a report type with no letter or digit",
        ('"Child in Need" = "CIN"', '"Child in Need" = "CIN"\n" - " = "CIN"'),
        "caseload.case_types.' - ': has no letter or digit",
    ),
    ("not TOML", ("[[items]]", "[[items"), "not valid TOML"),
    (
        "the old robust threshold",
        ('period = "month"\n', 'period = "month"\noutlier_threshold = 2.0\n'),
        "outlier_threshold: is no longer used",
    ),
    (
        "a flag margin out of range",
        ('period = "month"\n', 'period = "month"\nflags = { outlier_margin = 3 }\n'),
        "flags.outlier_margin: must be a number from 0.05 to 2",
    ),
    (
        "a run length not whole",
        ('period = "month"\n', 'period = "month"\nflags = { run_length = 6.5 }\n'),
        "flags.run_length: must be a whole number from 5 to 12",
    ),
    (
        "a lasting margin above the outlier one",
        ('period = "month"\n', 'period = "month"\nflags = { disparity_margin = 0.5 }\n'),
        "flags.disparity_margin: must be no larger than outlier_margin",
    ),
    (
        "an unknown flag setting",
        ('period = "month"\n', 'period = "month"\nflags = { outlier_threshold = 2 }\n'),
        "flags.outlier_threshold: unknown key",
    ),
    ("flags not a table", ('period = "month"\n', 'period = "month"\nflags = 3\n'), "flags: must"),
]


@pytest.mark.parametrize(("change", "expected"), [b[1:] for b in BAD], ids=[b[0] for b in BAD])
def test_a_bad_scheme_fails_at_load_naming_the_file_and_key(tmp_path, change, expected):
    old, new = change
    assert old in GOOD
    path = write(tmp_path, GOOD.replace(old, new, 1))
    with pytest.raises(SchemeError) as caught:
        load_scheme(path)
    assert str(path) in str(caught.value)
    assert expected in str(caught.value)


def test_two_spellings_of_one_report_type_mapped_to_two_items_fail_at_load(tmp_path):
    """Case types are compared ignoring case, spaces and punctuation, so "CP-Plan" and "cp plan"
    are one type: mapped to two items, which one a report's "CP Plan" got would be chance."""
    second = '[[items]]\ncode = "CPP"\nlabel = "Child protection plan"\nkind = "case"\n'
    second += 'unit = "per case"\npoints = 6\n\n[caseload.case_types]'
    text = GOOD.replace("[caseload.case_types]", second).replace(
        '"Child in Need" = "CIN"', '"CP-Plan" = "CPP"\n"cp plan" = "CIN"'
    )
    with pytest.raises(SchemeError) as caught:
        load_scheme(write(tmp_path, text))
    assert "caseload.case_types.'cp plan': maps to 'CIN', but 'CP-Plan'" in str(caught.value)
    same = GOOD.replace(
        '"Child in Need" = "CIN"', '"Child in Need" = "CIN"\n"child-in-need" = "CIN"'
    )
    assert load_scheme(write(tmp_path, same)).caseload.code_for("CHILD IN NEED") == "CIN"


def test_a_scheme_file_must_be_named_after_its_id(tmp_path):
    with pytest.raises(SchemeError, match=r"named 'other\.toml'"):
        load_scheme(write(tmp_path, GOOD, name="other.toml"))


def test_a_folder_of_schemes_loads_as_a_registry(tmp_path):
    write(tmp_path, GOOD)
    registry = SchemeRegistry.from_dir(tmp_path)
    assert registry.ids == ["tiny"]
    assert registry.get("TINY").title == "Tiny scheme"
    assert registry.get("nope") is None
