"""The layers in docs/architecture.md, enforced: each package imports only what lies below it.

Read from the source with `ast`, so a violation fails here with the file and line, not later
as an import cycle or a CLI that quietly loads the VBA compiler.
"""

from __future__ import annotations

import ast
import sys
from dataclasses import dataclass
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "workload_xl"

# What each layer may import from the project (besides itself) and from outside it. "cli"
# is the top level: cli.py, render.py, __main__.py, __init__.py.
PROJECT_BELOW = {
    # The core and the contracts are the pure part, together: a contract decodes cells into
    # core records, and a core check (validation, the roll-up) reads its contract to point
    # each finding at the cell to fix. Module by module the graph stays acyclic (below).
    "core": {"contracts"},
    "contracts": {"core"},
    "files": {"core", "contracts"},
    "store": {"core", "contracts", "files"},
    "services": {"core", "contracts", "files", "store"},
    "excel": {"core", "contracts", "files", "services"},
    "addin": {"core", "contracts", "files", "excel"},
    "cli": {"core", "services", "cli", "demo"},
    # The narrated tour fabricates realistic input files (planted mistakes and all) with the
    # file writers, then runs the same services a user's commands run.
    "demo": {"core", "contracts", "files", "store", "services", "cli"},
}
THIRD_PARTY = {
    "core": set(),
    "contracts": set(),
    "files": {"openpyxl", "python_calamine", "pandas", "defusedxml"},
    "store": {"xlsxwriter"},  # the export workbook, streamed
    "services": set(),
    "excel": {"xlwings"},
    "addin": {"openpyxl", "xlwings", "ms_cfb", "ms_ovba"},
    "cli": {"click"},
    "demo": set(),
}
# The one import allowed to reach the add-in builder: inside the command that builds it.
LAZY_ADDIN = {"services"}


@dataclass(frozen=True)
class Import:
    file: str
    line: int
    module: str  # absolute, dotted
    names: tuple[str, ...]
    top_level: bool  # run at import time: not inside a function nor for type checkers only


def _layer(path: Path) -> str:
    parts = path.relative_to(PACKAGE).parts
    if parts == ("demo.py",):
        return "demo"
    return parts[0] if len(parts) > 1 else "cli"


def _imports(path: Path) -> list[Import]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    package = ".".join(("workload_xl", *path.relative_to(PACKAGE).parts[:-1]))
    found: list[Import] = []

    def visit(node: ast.AST, top: bool) -> None:
        for child in ast.iter_child_nodes(node):
            # Imports in a function, or under `if TYPE_CHECKING:`, are not run at import time.
            inner = top and not isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef)
            if isinstance(child, ast.If) and ast.unparse(child.test) == "TYPE_CHECKING":
                inner = False
            if isinstance(child, ast.Import):
                for alias in child.names:
                    found.append(Import(str(path), child.lineno, alias.name, (), top))
            elif isinstance(child, ast.ImportFrom):
                module = child.module or ""
                if child.level:
                    base = package.split(".")[: len(package.split(".")) - child.level + 1]
                    module = ".".join([*base, module] if module else base)
                names = tuple(a.name for a in child.names)
                found.append(Import(str(path), child.lineno, module, names, top))
            visit(child, inner)

    visit(tree, True)
    return found


def _all_imports() -> list[tuple[str, Import]]:
    return [
        (_layer(path), imp)
        for path in sorted(PACKAGE.rglob("*.py"))
        if "_data" not in path.parts
        for imp in _imports(path)
    ]


def _project_layer(module: str) -> str | None:
    parts = module.split(".")
    if parts[0] != "workload_xl":
        return None
    if len(parts) == 1:
        return "cli"
    if parts[1] == "demo":
        return "demo"
    return parts[1] if (PACKAGE / parts[1]).is_dir() else "cli"


def _where(imp: Import) -> str:
    return f"{Path(imp.file).relative_to(PACKAGE.parent)}:{imp.line} imports {imp.module}"


def _module_of(path: Path) -> str:
    parts = path.relative_to(PACKAGE).with_suffix("").parts
    return ".".join(("workload_xl", *(parts[:-1] if parts[-1] == "__init__" else parts)))


def test_the_pure_part_has_no_import_cycle():
    """Core and contracts may use each other, module by module, but never round in a circle:
    a cycle there would mean a record and its codec each need the other to be defined."""
    graph: dict[str, set[str]] = {}
    modules = {
        _module_of(p): p for p in PACKAGE.rglob("*.py") if _layer(p) in ("core", "contracts")
    }
    for module, path in modules.items():
        graph[module] = set()
        for imp in _imports(path):
            if not imp.top_level:
                continue
            targets = [imp.module] + [f"{imp.module}.{n}" for n in imp.names]
            graph[module] |= {t for t in targets if t in modules and t != module}
    state: dict[str, int] = {}

    def visit(module: str, trail: list[str]) -> list[str] | None:
        state[module] = 1
        for target in sorted(graph[module]):
            if state.get(target) == 1:
                return [*trail, module, target]
            if target not in state and (cycle := visit(target, [*trail, module])):
                return cycle
        state[module] = 2
        return None

    for module in sorted(graph):
        if module not in state:
            cycle = visit(module, [])
            assert cycle is None, " -> ".join(cycle)


def test_each_layer_imports_only_the_layers_below_it():
    wrong = []
    for layer, imp in _all_imports():
        target = _project_layer(imp.module)
        if target is None or target == layer:
            continue
        if target == "addin" and layer in LAZY_ADDIN and not imp.top_level:
            continue
        if target not in PROJECT_BELOW[layer]:
            wrong.append(f"{_where(imp)} ({layer} may not import {target})")
    assert not wrong, "\n".join(wrong)


def test_the_core_and_contracts_use_only_the_standard_library():
    wrong = []
    stdlib = sys.stdlib_module_names
    for layer, imp in _all_imports():
        root = imp.module.split(".")[0]
        if root in ("workload_xl", "__future__") or root in stdlib:
            continue
        if root not in THIRD_PARTY[layer]:
            wrong.append(f"{_where(imp)} ({layer} may not import {root})")
    assert not wrong, "\n".join(wrong)


def test_no_module_imports_a_private_name_of_another():
    wrong = [
        f"{_where(imp)}: {name}"
        for _, imp in _all_imports()
        if imp.module.startswith("workload_xl")
        for name in imp.names
        if name.startswith("_") and not name.startswith("__")
    ]
    assert not wrong, "\n".join(wrong)


def test_nothing_but_the_build_command_imports_the_addin_builder():
    wrong = [
        _where(imp)
        for layer, imp in _all_imports()
        if _project_layer(imp.module) == "addin"
        and layer != "addin"
        and (layer not in LAZY_ADDIN or imp.top_level)
    ]
    assert not wrong, "\n".join(wrong)


def test_the_benchmarks_use_only_public_names():
    wrong = []
    for path in sorted((PACKAGE.parent / "benchmarks").glob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("workload_xl"):
                wrong += [
                    f"{path.name}:{node.lineno}: {a.name}"
                    for a in node.names
                    if a.name.startswith("_")
                ]
    assert not wrong, "\n".join(wrong)


def test_the_layer_check_sees_a_violation():
    """The check itself must be able to fail: a core module importing openpyxl is caught."""
    sample = PACKAGE / "core" / "findings.py"
    imports = _imports(sample)
    assert any(imp.module == "__future__" for imp in imports)
    fake = Import(str(sample), 1, "openpyxl", (), True)
    assert fake.module.split(".")[0] not in THIRD_PARTY["core"]
    assert _project_layer("workload_xl.files.atomic") == "files"
    assert "files" not in PROJECT_BELOW["core"]


# Private attributes of other objects that the code reads, each with the reason no public
# name does the job. Anything else (a pool's `_processes`, a future's `_state`) fails here.
PRIVATE_ATTRIBUTES_ALLOWED = {
    ("files/style.py", "_initialise_columns"): "openpyxl names a new table's columns only so",
    ("files/style.py", "_style"): "openpyxl's own way to give a cell another's look (its "
    "worksheet copy does so), without hashing every style object into the workbook again",
    ("files/worker_reader.py", "_cells"): "openpyxl's only view of the cells a file holds, "
    "without creating the empty ones of a sheet formatted down to row 1,048,576",
    ("store/database.py", "_create"): "the store's own class method, called from its module",
    ("files/printing.py", "_alignments"): "a cell's wrapping looked up by its alignment's number "
    "once, not through a style proxy built for every cell",
    ("files/printing.py", "_style"): "the same: a cell's alignment number",
    **{
        ("files/sheet_writer.py", name): "openpyxl's ExcelWriter.write_worksheet and "
        "WorksheetWriter.write_row as openpyxl 3.1 has them (pinned below 3.2), but for a plain "
        "cell's XML; tests/test_sheet_writer.py compares the bytes with openpyxl's writer"
        for name in (
            "_drawing",
            "_charts",
            "_images",
            "_rels",
            "_value",
            "_file",
            "_comment",
            "_comments",
        )
    },
}


def test_no_private_attribute_of_another_object_is_read():
    used = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if not (isinstance(node, ast.Attribute) and node.attr.startswith("_")):
                continue
            if node.attr.startswith("__"):
                continue
            if isinstance(node.value, ast.Name) and node.value.id in ("self", "cls"):
                continue
            where = (path.relative_to(PACKAGE).as_posix(), node.attr)
            used.setdefault(where, node.lineno)
    unexplained = [
        f"workload_xl/{f}:{line}: .{a}"
        for (f, a), line in used.items()
        if (f, a) not in PRIVATE_ATTRIBUTES_ALLOWED
    ]
    assert not unexplained, "\n".join(unexplained)
    stale = sorted(set(PRIVATE_ATTRIBUTES_ALLOWED) - set(used))
    assert not stale, f"no longer used, drop from the list: {stale}"
