"""docs/architecture.md stays true: every module in the package is named in its table, in its
folder's rows, and every module the table names exists."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "workload_xl"
DOC = ROOT / "docs" / "architecture.md"


def _table() -> dict[str, set[str]]:
    """{folder: modules} from the doc's module table ('core/capa' rows included)."""
    named: dict[str, set[str]] = {}
    for line in DOC.read_text(encoding="utf-8").splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) != 3 or not cells[1].startswith("`"):
            continue
        named.setdefault(cells[0], set()).update(re.findall(r"`([a-z_]+)`", cells[1]))
    return named


def _modules() -> dict[str, set[str]]:
    found: dict[str, set[str]] = {}
    for path in PACKAGE.rglob("*.py"):
        if path.name == "__init__.py" or "_data" in path.parts:
            continue
        folder = path.parent.relative_to(PACKAGE).as_posix()
        found.setdefault("top" if folder == "." else folder, set()).add(path.stem)
    return found


def test_every_module_is_in_the_architecture_table_under_its_folder():
    named, actual = _table(), _modules()
    missing = {f: sorted(m - named.get(f, set())) for f, m in actual.items()}
    assert not {f: m for f, m in missing.items() if m}, missing


def test_every_module_the_table_names_exists():
    named, actual = _table(), _modules()
    stale = {f: sorted(m - actual.get(f, set())) for f, m in named.items()}
    assert not {f: m for f, m in stale.items() if m}, stale


def test_the_table_is_read():
    """The parser must find the table: a doc whose table it cannot read fails here."""
    assert "findings" in _table()["core"] and "grid" in _table()["contracts"]
