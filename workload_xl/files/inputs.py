"""Turning what a user names on the command line into workbook paths (files edge).

A folder a manager or a performance team shares holds more than workbooks: the files macOS,
Windows, Office and this tool itself leave beside them. Those are skipped, each said once
(input-skipped, info), so they never stop a run as unreadable workbooks."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from fnmatch import fnmatch
from pathlib import Path

from workload_xl.core.findings import Finding
from workload_xl.core.rules import finding
from workload_xl.files.atomic import TEMP_PREFIX

WORKBOOK_SUFFIXES = (".xlsx", ".xlsm")

STRAY_FILES: tuple[tuple[str, str], ...] = (
    (
        "._*",
        "a file macOS makes beside each file it copies to a shared drive or a memory stick "
        "(AppleDouble): it holds the Mac's details of the workbook, not the workbook",
    ),
    (
        f"{TEMP_PREFIX}*",
        "a temporary file workload-xl was writing when it was stopped (a crash, a power cut): "
        "it can be deleted",
    ),
    ("~$*", "the lock file Excel keeps while the workbook is open; it goes when Excel closes it"),
    (".~lock.*#", "the lock file LibreOffice keeps while the workbook is open"),
    ("thumbs.db", "Windows' store of picture previews for the folder"),
    ("desktop.ini", "Windows' settings for how the folder looks"),
    (".ds_store", "macOS's settings for how the folder looks"),
)
"""The files skipped in an input folder (name patterns, letter case ignored), and what each
is, for the finding."""


@dataclass(frozen=True)
class Inputs:
    """The workbooks the inputs name, and a finding for each stray file skipped."""

    paths: list[Path]
    skipped: list[Finding] = field(default_factory=list)
    found_in: dict[Path, Path] = field(default_factory=dict)
    """The folder given that each workbook was found in by walking it; a workbook named on
    its own is not here (a command may pass over a wrong kind of workbook in a folder, and
    still refuse one named on its own)."""


def stray(name: str) -> str:
    """What a file of this name is, if it is one to skip in an input folder ("" if not)."""
    lowered = name.lower()
    return next((what for pattern, what in STRAY_FILES if fnmatch(lowered, pattern)), "")


def list_inputs(inputs: Iterable[Path]) -> Inputs:
    """Files as given, and the workbooks inside any folder given, stray files skipped.

    A folder with no workbooks in it stays in the list, so the reader reports it instead of a
    run that silently checks nothing. A file named on its own is read whatever its name.
    """
    paths: list[Path] = []
    skipped: list[Finding] = []
    found_in: dict[Path, Path] = {}
    named: set[Path] = set()
    for item in inputs:
        item = Path(item)
        found = []
        if item.is_dir():
            for path in sorted(item.rglob("*")):
                what = stray(path.name)
                if what and not path.is_dir():
                    skipped.append(_skipped(path, what))
                elif path.suffix.lower() in WORKBOOK_SUFFIXES:
                    found.append(path)
                    found_in.setdefault(path, item)
        paths.extend(found or [item])
        if not found:
            named.add(item)
    # A workbook named on its own as well as found in a folder stays one named on its own.
    return Inputs(paths, skipped, {p: f for p, f in found_in.items() if p not in named})


def expand_inputs(inputs: Iterable[Path]) -> list[Path]:
    """The workbook paths of `list_inputs`, for readers that do not report what they skip."""
    return list_inputs(inputs).paths


def names_in(folder: Path, paths: list[Path], shown: int = 3) -> str:
    """The first few of `paths` by their names inside `folder`, and how many more: how a
    finding that speaks for a folder's skipped workbooks names them."""
    names = [path.relative_to(folder).as_posix() for path in paths]
    more = f" and {len(names) - shown} more" if len(names) > shown else ""
    return ", ".join(names[:shown]) + more


def _skipped(path: Path, what: str) -> Finding:
    return finding(
        "input-skipped",
        f"{path} was skipped, not read as a workbook: it is {what}.",
        workbook=str(path),
    )
