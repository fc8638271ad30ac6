"""Every command's --format json, run on real files, loaded with json.loads and checked
against the schema docs/json-output.md documents (read from the page itself, so the page
and the output cannot drift apart: a field missing, an extra field or a wrong type fails)."""

from __future__ import annotations

import re
from pathlib import Path

import click
import pytest
from openpyxl import load_workbook

from workload_xl.cli import main
from workload_xl.core.schemes import SchemeRegistry
from workload_xl.demo import write_camhs_jobplan
from workload_xl.files.worker_template import write_worker_workbook

from .bounded_cli import run_cli
from .test_nothing_written import worker

DOC = Path(__file__).resolve().parents[1] / "docs" / "json-output.md"
CSC = "childrens-social-care"


def documented() -> tuple[dict[str, dict[str, str]], set[str]]:
    """Each section's table, field path to type: "validate" (the command's JSON) or
    "finding" (a shape), from headings such as ## `validate --format json` or ### `finding`;
    and which of them are commands."""
    found: dict[str, dict[str, str]] = {}
    commands = set()
    name = None
    for line in DOC.read_text(encoding="utf-8").splitlines():
        heading = re.match(r"#{2,3} `([^`]+)`", line)
        if heading:
            name = heading.group(1).removesuffix(" --format json")
            found[name] = {}
            if heading.group(1).endswith(" --format json"):
                commands.add(name)
        elif name and line.startswith("| `"):
            field, kind = (cell.strip() for cell in line.strip("|").split("|")[:2])
            found[name][field.strip("`")] = kind
    return found, commands


SCHEMAS, COMMANDS = documented()
SCALARS = {
    "string": lambda v: isinstance(v, str),
    "integer": lambda v: isinstance(v, int) and not isinstance(v, bool),
    "number": lambda v: isinstance(v, int | float) and not isinstance(v, bool),
    "boolean": lambda v: isinstance(v, bool),
    "null": lambda v: v is None,
    "any": lambda v: v is None or isinstance(v, str | int | float | bool),
}


def mismatches(value, kind: str, table: dict[str, str], path: str = "") -> list[str]:
    """Where `value` differs from the documented `kind` (empty when it conforms)."""
    said: list[str] = []
    for alternative in kind.split(" or "):
        found = _mismatches(value, alternative.strip(), table, path)
        if not found:
            return []
        said += found
    return said


def _mismatches(value, kind: str, table: dict[str, str], path: str) -> list[str]:
    where = path or "(top)"
    if kind in SCALARS:
        return [] if SCALARS[kind](value) else [f"{where}: {value!r} is not {kind}"]
    if kind.startswith(("list of ", "map of ")):
        whole, item = kind.split(" of ", 1)
        if not isinstance(value, list if whole == "list" else dict):
            return [f"{where}: {value!r} is not a {whole}"]
        items = value if whole == "list" else list(value.values())
        return [m for one in items for m in mismatches(one, item, table, f"{path}[]")]
    if kind in SCHEMAS:  # a shape: its own table
        return mismatches(value, "object", SCHEMAS[kind])
    assert kind == "object", f"docs/json-output.md: {kind!r} (at {where}) is no type"
    if not isinstance(value, dict):
        return [f"{where}: {value!r} is not an object"]
    children = {
        field[len(path) + 1 if path else 0 :]: field_kind
        for field, field_kind in table.items()
        if _parent(field) == path
    }
    said = [f"{where}: no documented field {k!r}" for k in value if k not in children]
    said += [f"{where}: the documented field {k!r} is missing" for k in children if k not in value]
    for key, field_kind in children.items():
        if key in value:
            said += mismatches(value[key], field_kind, table, f"{path}.{key}" if path else key)
    return said


def _parent(field: str) -> str:
    return field.rsplit(".", 1)[0] if "." in field else ""


def json_commands() -> set[str]:
    """Every command with a --format option, from the command line itself."""
    found = set()

    def walk(group: click.Group, prefix: tuple[str, ...]) -> None:
        for name, command in group.commands.items():
            if isinstance(command, click.Group):
                walk(command, (*prefix, name))
            elif any(p.name == "output_format" for p in command.params):
                found.add(" ".join((*prefix, name)))

    walk(main, ())
    return found


def test_the_page_documents_every_command_with_json_output_and_only_those():
    assert (
        json_commands()
        == COMMANDS
        == {
            "validate",
            "build-team",
            "consolidate",
            "capa balance",
            "capa actuals",
            "allocate",
        }
    )
    assert all(SCHEMAS.values()), "a section of docs/json-output.md has no table"


def test_the_checker_catches_a_flag_list_given_as_its_python_text():
    """The bug the page guards against: build-team gave flags as "['above ...']"."""
    row = {
        "worker": "Ann",
        "band": "Social worker",
        "fte": 1.0,
        "cases": 2,
        "case_points": 10.0,
        "activity_points": 0.0,
        "total_points": 10.0,
        "points_per_fte": 10.0,
        "counted": True,
        "source": "ann.xlsx (Measurement)",
        "expected_points": None,
        "load": None,
        "flags": ["above similar colleagues (+2.4)"],
    }
    assert mismatches(row, "worker", {}) == []
    assert mismatches({**row, "flags": "['above similar colleagues (+2.4)']"}, "worker", {}) == [
        "flags: \"['above similar colleagues (+2.4)']\" is not a list"
    ]
    assert mismatches({**row, "fte": "1.0"}, "worker", {}) == [
        "fte: '1.0' is not number",
        "fte: '1.0' is not null",
    ]
    assert mismatches({**row, "extra": 1}, "worker", {}) == ["(top): no documented field 'extra'"]


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    """Three worker sheets for 2026-10, one with points out of range (an error, so its worker
    is not counted and is flagged); a fourth for 2026-09 elsewhere; the demo's job plan."""
    root = tmp_path_factory.mktemp("json")
    registry = SchemeRegistry.from_dir()
    (root / "in").mkdir()
    (root / "other").mkdir()
    for name in ("Ann Ash", "Bob Birch", "Cat Cedar"):
        content = worker(name)
        if name == "Cat Cedar":
            content.lines[0]["agreed_points"] = 40
        path = root / "in" / f"{name.split()[0].lower()}.xlsx"
        assert write_worker_workbook(path, registry.get(CSC), content) == []
    path = root / "other" / "dee.xlsx"
    assert write_worker_workbook(path, registry.get(CSC), worker("Dee Dogwood", "2026-09")) == []
    assert write_camhs_jobplan(root / "jobplan.xlsx") == []
    return root


def loaded(*args, cwd: Path) -> dict:
    run = run_cli(*args, "--format", "json", cwd=cwd)
    run.assert_bounded()
    return run.json()


def conforms(data: dict, command: str) -> None:
    assert mismatches(data, "object", SCHEMAS[command]) == []


def test_validate_json_is_as_documented(files):
    data = loaded("validate", files / "in", cwd=files)
    conforms(data, "validate")
    assert data["counts"] == {"error": 1, "warning": 0, "info": 0}
    (found,) = data["findings"]
    assert (found["rule"], found["value"]) == ("points-out-of-range", 40)


def test_build_team_json_is_as_documented_written_or_not(files):
    out = files / "team.xlsx"
    data = loaded("build-team", files / "in", "-o", out, cwd=files)
    conforms(data, "build-team")
    assert data["written"] == str(out)
    rows = {w["worker"]: w for w in data["team"]["workers"]}
    assert rows["Cat Cedar"]["counted"] is False and isinstance(rows["Cat Cedar"]["flags"], list)
    assert [rows[name]["cases"] for name in sorted(rows)] == [3, 3, 3]  # 3 case rows each
    assert rows["Ann Ash"]["total_points"] == 29  # 5 + 8 + 7 for cases, 6 + 3 for activities
    refused = loaded("build-team", files / "in", files / "other", "-o", files / "x.xlsx", cwd=files)
    conforms(refused, "build-team")
    assert (refused["team"], refused["written"]) == (None, None)


def test_consolidate_json_is_as_documented(files):
    out = files / "team-c.xlsx"
    assert run_cli("build-team", files / "in", "-o", out, cwd=files).returncode == 1  # Cat's error
    store = files / "returns.sqlite"
    first = loaded("consolidate", out, "--store", store, cwd=files)
    conforms(first, "consolidate")
    assert (first["stored"], first["already"]) == ([str(out)], [])
    again = loaded("consolidate", out, "--store", store, cwd=files)
    conforms(again, "consolidate")
    assert (again["stored"], again["already"]) == ([], [str(out)])


def test_capa_balance_json_is_as_documented_with_and_without_a_what_if(files):
    plan = files / "jobplan.xlsx"
    full = loaded(
        "capa",
        "balance",
        plan,
        "--without",
        "Tom Reed",
        "--period",
        "2026-04-01:2026-06-30",
        cwd=files,
    )
    conforms(full, "capa balance")
    assert full["without"] == ["Tom Reed"] and full["capacity_lost"]["losses"]
    assert sorted(full["waiting_lists"]) == ["choice", "core"]
    plain = loaded("capa", "balance", plan, cwd=files)
    conforms(plain, "capa balance")
    assert (plain["balance_without"], plain["capacity_lost"]) == (None, None)
    assert plain["waiting_lists_without"] == {}


def test_capa_actuals_json_is_as_documented_worked_out_or_not(files, tmp_path):
    export = tmp_path / "activity.csv"
    export.write_text(
        "Clinician,Appointment date,Appointment type,Referral date\n"
        "Asha Rao,2026-04-07,Choice,2026-03-03\n"
        "Asha Rao,2026-05-12,Core first,\n"
        "Nobody Known,2026-05-12,Choice,\n",
        encoding="utf-8",
    )
    plan = files / "jobplan.xlsx"
    data = loaded(
        "capa", "actuals", export, "--jobplan", plan, "-o", tmp_path / "pa.xlsx", cwd=files
    )
    conforms(data, "capa actuals")
    assert data["months"] == ["2026-04", "2026-05"] and data["written"]
    assert data["waits"][0]["seen"] == 1 and data["waits"][0]["median_weeks"] == 5
    # the job plan's other clinicians have no rows: each said, and the signals held back
    assert {f["rule"] for f in data["findings"]} == {
        "activity-clinician-unknown",
        "activity-clinician-missing",
        "activity-signals-held",
    }
    assert data["signals"] == [] and "held back" in data["signals_held"]
    empty = tmp_path / "empty.csv"
    empty.write_bytes(b"")
    nothing = loaded("capa", "actuals", empty, "--jobplan", plan, cwd=files)
    conforms(nothing, "capa actuals")
    assert nothing["months"] == [] and nothing["export"]["shape"] is None


def test_allocate_json_is_as_documented_for_an_item_and_for_a_move(files):
    team = files / "team-a.xlsx"
    assert run_cli("build-team", files / "in", "-o", team, cwd=files).returncode == 1
    item = loaded("allocate", team, "--item", "Child protection plan", cwd=files)
    conforms(item, "allocate")
    assert item["move"] is None and item["allocation"]["points_added"] == 8
    rows = {c["worker"]: c for c in item["allocation"]["candidates"]}
    assert rows["Ann Ash"]["points_after"] == rows["Ann Ash"]["points_before"] + 8 == 37
    cases = load_workbook(team, read_only=True)["Cases"]
    case = next(r[1] for r in cases.iter_rows(min_row=2, values_only=True) if r[0] == "Ann Ash")
    move = loaded("allocate", team, "--move", case, "--to", "Bob Birch", cwd=files)
    conforms(move, "allocate")
    assert move["allocation"] is None and move["move"]["taker"] == "Bob Birch"
    workers = move["move"]["workers"]
    changed = [w["worker"] for w in workers if w["points_after"] != w["points_before"]]
    assert changed == ["Ann Ash", "Bob Birch"]
