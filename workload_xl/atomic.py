"""Safe writing of output files: whole or not at all, never over a file unasked (edge).

A manager's workbook half-written by a crash is worse than none, so every output is written to
a temporary file in the same folder and renamed into place, which is atomic on one filesystem.
"""

from __future__ import annotations

import contextlib
import gc
import os
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

from .findings import Finding
from .rules import finding


def write_atomically(
    path: Path, write: Callable[[Path], None], *, force: bool = False
) -> list[Finding]:
    """Call `write(temp_path)` then move the result to `path`; findings instead of exceptions.

    A writer that fails part-way (a full disk) can leave objects that fail again as they are
    cleaned up (openpyxl's zip file), which Python reports as "Exception ignored ... Traceback"
    on the console: the user has the finding, so that noise is silenced while this runs.
    """
    hook = sys.unraisablehook
    sys.unraisablehook = _ignore_unraisable
    try:
        problems = _write_atomically(Path(path), write, force)
        gc.collect()  # the failed writer's leftovers, finalised while the hook is quiet
    finally:
        sys.unraisablehook = hook
    return problems


def _ignore_unraisable(_unraisable) -> None:
    pass


def _write_atomically(path: Path, write: Callable[[Path], None], force: bool) -> list[Finding]:
    where = {"workbook": str(path)}
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
        handle, temp_name = tempfile.mkstemp(
            prefix=f".{path.stem}-", suffix=path.suffix, dir=folder
        )
        os.close(handle)
        os.chmod(temp_name, _ordinary_file_mode())
        write(Path(temp_name))
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
