"""Turning what a user names on the command line into workbook paths (files edge)."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

WORKBOOK_SUFFIXES = (".xlsx", ".xlsm")


def expand_inputs(inputs: Iterable[Path]) -> list[Path]:
    """Files as given, and the workbooks inside any folder given (Excel's lock files skipped).

    A folder with no workbooks in it stays in the list, so the reader reports it instead of a
    run that silently checks nothing.
    """
    paths: list[Path] = []
    for item in inputs:
        item = Path(item)
        found = []
        if item.is_dir():
            found = [
                p
                for p in sorted(item.rglob("*"))
                if p.suffix.lower() in WORKBOOK_SUFFIXES and not p.name.startswith("~$")
            ]
        paths.extend(found or [item])
    return paths
