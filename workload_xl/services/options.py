"""What a service says when a value it was given cannot be used (service layer).

The command line shows it as a wrong option (click's usage error, exit 2); the `param_hint`
names the option, or is None when the message names it itself.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from workload_xl.core.findings import Finding, Refused


class OptionError(ValueError):
    """A value given to a service (an option on the command line) that cannot be used."""

    def __init__(self, message: str, param_hint: str | None = None):
        super().__init__(message)
        self.param_hint = param_hint


def output_clashes(
    outputs: Iterable[Path], inputs: Iterable[tuple[str, Path | None]]
) -> list[Finding]:
    """Why an output may not be written: it is one of the inputs, given as (what it is,
    path); nothing when none clash. --force does not change it."""
    from workload_xl.files.atomic import output_clashes as clashes

    return clashes(outputs, [(what, p) for what, p in inputs if p is not None])


def refuse_clashes(problems: list[Finding]) -> None:
    """Raise Refused with the clashes found, before anything is read or written."""
    if problems:
        raise Refused(problems)


def files_named(inputs: Iterable[Path]) -> list[Path]:
    """The workbooks a command's inputs name (files, and the workbooks in folders), in the
    order each command reads them."""
    from workload_xl.files.inputs import expand_inputs

    return expand_inputs(list(inputs))


def team_output_clashes(
    output: Path, workbooks: Iterable[Path], history: Iterable[Path]
) -> list[Finding]:
    """build-team may not write its team sheet over a worker workbook or a history workbook
    it reads (both as `files_named` gives them)."""
    read = [("a workbook", p) for p in workbooks]
    read += [("a history workbook", p) for p in history]
    return output_clashes([output], read)


def store_output_clashes(store_path: Path, key_file: Path | None) -> list[Finding]:
    """consolidate may not write the store (or its journal) over the key file it reads."""
    from workload_xl.files.atomic import store_files

    return output_clashes(store_files(store_path), [("the key file", key_file)])


WORKBOOK = (".xlsx",)
"""What a workbook the tool writes is named: macro-free Excel (build-xlsm alone writes .xlsm
and .xlam)."""

FILE_SUFFIXES = frozenset(
    {".xlsx", ".xlsm", ".xlam", ".xls", ".xlsb", ".csv", ".txt", ".pdf", ".doc", ".docx"}
    | {".zip", ".json", ".sqlite", ".db"}
)
"""Endings that name a file, not a folder: an export folder named so is a slip."""


def misnamed_output(path: Path, what: str, suffixes: tuple[str, ...] = WORKBOOK) -> str | None:
    """Why `path` is the wrong name for `what` the command writes (an Excel file of one of
    `suffixes`), or None: a worker template written as out.csv would open as nonsense in
    whatever the name promises, and Excel refuses a workbook whose ending is not its kind."""
    if path.suffix.lower() in suffixes:
        return None
    if path.name and path.is_dir():  # an existing folder: a file in it, not the folder's name
        example = path / f"{_file_stem(what)}{suffixes[0]}"
        return f"{path} is a folder. Name the file to write in it, such as {example}."
    named = path if path.name else path / "output"  # "." or a drive: a file in it
    names = " or ".join(str(named.with_suffix(s)) for s in suffixes)
    kind = "an Excel workbook" if suffixes == WORKBOOK else "an Excel macro workbook"
    return f"{path}: {what} is {kind}; name it {names}."


def _file_stem(what: str) -> str:
    """A file name for `what` a command writes: "a trend report" as trend-report."""
    words = what.split()
    if words and words[0].lower() in ("a", "an", "the"):
        words = words[1:]
    return "-".join(word.lower() for word in words) or "output"


def misnamed_folder(path: Path, what: str) -> str | None:
    """Why `path` is the wrong name for the folder `what` writes into: a name ending as a
    file does (store-export.csv) that is not a folder already, or None."""
    if path.suffix.lower() not in FILE_SUFFIXES or path.is_dir():
        return None
    return (
        f"{path}: {what} writes a folder of files, not one {path.suffix} file; name a "
        f"folder, e.g. {path.with_suffix('')}."
    )
