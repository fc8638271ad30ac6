"""Safe writing of output files: whole or not at all, never over a file unasked (files edge).

A manager's workbook half-written by a crash is worse than none, so every output is written to
a temporary file in the same folder and renamed into place, which is atomic on one filesystem.
"""

from __future__ import annotations

import contextlib
import gc
import os
import stat
import sys
import tempfile
from collections.abc import Callable, Iterable
from pathlib import Path

from workload_xl.core.findings import Finding
from workload_xl.core.rules import finding
from workload_xl.files import windows

TEMP_PREFIX = ".~wl-"
"""How the temporary files outputs are written to begin (then the output's name): input
folders skip them (files.inputs), and on Windows they are hidden while they exist."""


def write_atomically(
    path: Path, write: Callable[[Path], None], *, force: bool = False, private: bool = False
) -> list[Finding]:
    """Call `write(temp_path)` then move the result to `path`; findings instead of exceptions.

    A writer that fails part-way (a full disk) can leave objects that fail again as they are
    cleaned up (openpyxl's zip file), which Python reports as "Exception ignored ... Traceback"
    on the console: the user has the finding, so that noise is silenced while this runs.
    `private` keeps the file readable by its owner alone from its first byte (a key file):
    the temporary file is made with mode 0600 and keeps it.
    """
    hook = sys.unraisablehook
    sys.unraisablehook = _ignore_unraisable
    try:
        problems = _write_atomically(Path(path), write, force, private)
        gc.collect()  # the failed writer's leftovers, finalised while the hook is quiet
    finally:
        sys.unraisablehook = hook
    return problems


def _ignore_unraisable(_unraisable) -> None:
    pass


def _write_atomically(
    path: Path, write: Callable[[Path], None], force: bool, private: bool = False
) -> list[Finding]:
    where = {"workbook": str(path)}
    if path.is_symlink() or (path.exists() and not stat.S_ISREG(path.stat().st_mode)):
        # --force replaces a file, never a device, a pipe, a folder or what a link points at
        return [
            finding(
                "output-unwritable",
                f"{path} is not a file (it is a folder, a link, a device or a pipe), so nothing "
                "is written over it, --force or not. Choose another name for the output.",
                **where,
            )
        ]
    if path.exists() and not force:
        return [
            finding(
                "output-exists",
                f"{path} exists already. Choose another name, or add --force to replace it.",
                **where,
            )
        ]
    folder = path.parent if str(path.parent) else Path(".")
    if not folder.is_dir():
        return [
            finding(
                "output-unwritable",
                f"The folder {folder} does not exist. Create it first or choose another place.",
                **where,
            )
        ]
    temp_name = ""
    try:
        # mkstemp opens with O_CREAT | O_EXCL and mode 0600: private from the first byte
        handle, temp_name = tempfile.mkstemp(
            prefix=f"{TEMP_PREFIX}{path.stem}-", suffix=path.suffix, dir=folder
        )
        os.close(handle)
        os.chmod(temp_name, 0o600 if private else _ordinary_file_mode())
        windows.hide(temp_name)  # Windows: not in a manager's folder view while it is written
        write(Path(temp_name))
        windows.hide(temp_name, False)  # a rename keeps attributes: the output is not hidden
        os.replace(temp_name, path)
        temp_name = ""
    except PermissionError:
        return [
            finding(
                "output-unwritable",
                f"{path} cannot be written: permission denied. "
                "Close the file if it is open in Excel, or choose another folder.",
                **where,
            )
        ]
    except OSError as exc:
        return [
            finding(
                "output-unwritable",
                f"{path} cannot be written: {exc.strerror or exc}. "
                "Check the disk has space and the folder is writable.",
                **where,
            )
        ]
    finally:
        if temp_name:
            with contextlib.suppress(OSError):
                os.unlink(temp_name)
    return []


def _ordinary_file_mode() -> int:
    """The permissions a plainly created file gets: mkstemp's private 0600 would hide a
    workbook from colleagues on a shared drive."""
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask


# --- an output never over an input ----------------------------------------------------------


def same_file(a: Path, b: Path) -> bool:
    """Whether two paths name one file: the same file on disk (a link, another spelling, a
    different letter case on a case-insensitive disk), or, where one does not exist yet, the
    same place once links are followed (letter case ignored on Windows)."""
    try:
        return os.path.samefile(a, b)
    except (OSError, ValueError):
        return _place(a) == _place(b)


def _place(path: Path) -> str:
    return os.path.normcase(os.path.realpath(path))


def store_files(store: Path) -> list[Path]:
    """A returns store and the files SQLite keeps beside it while it is in use."""
    store = Path(store)
    return [store] + [store.with_name(store.name + end) for end in ("-wal", "-shm", "-journal")]


def output_clashes(outputs: Iterable[Path], inputs: Iterable[tuple[str, Path]]) -> list[Finding]:
    """A finding for every output that is one of the command's inputs (`(what it is, path)`):
    writing it would destroy what the command reads, so it is refused, --force or not."""
    inputs = list(inputs)
    problems = []
    for output in outputs:
        for what, source in inputs:
            if same_file(Path(output), Path(source)):
                problems.append(
                    finding(
                        "output-is-input",
                        f"{output} is {what} this command reads ({source}), so writing the output "
                        "there would destroy it; --force does not change that. "
                        "Nothing was written. "
                        "Give the output another name.",
                        workbook=str(output),
                    )
                )
                break
    return problems
