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
import time
from collections.abc import Callable, Iterable
from pathlib import Path

from workload_xl.core.findings import Finding
from workload_xl.core.rules import finding
from workload_xl.files import windows

RENAME_PAUSES = (0.05, 0.1, 0.15, 0.2, 0.25, 0.25)
"""Seconds waited between tries when the output cannot be replaced (about 1 s in all): on
Windows, antivirus or a sync client (OneDrive) opening a file for a moment blocks a rename."""

HELD_MESSAGE = (
    "{path} cannot be replaced: another program has it open, and still had it after a "
    "second of retrying. That is usually Excel (close the workbook there), antivirus checking "
    "the file (wait a moment), or a sync client such as OneDrive or Dropbox uploading it (wait "
    "until it has synced, or pause syncing). Then run the command again. Nothing was changed."
)

TEMP_PREFIX = ".~wl-"
"""How the temporary files outputs are written to begin (then the output's name): input
folders skip them (files.inputs), and on Windows they are hidden while they exist."""


def write_atomically(
    path: Path,
    write: Callable[[Path], None],
    *,
    force: bool = False,
    private: bool = False,
    platform: str | None = None,
) -> list[Finding]:
    """Call `write(temp_path)` then move the result to `path`; findings instead of exceptions.

    A writer that fails part-way (a full disk) can leave objects that fail again as they are
    cleaned up (openpyxl's zip file), which Python reports as "Exception ignored ... Traceback"
    on the console: the user has the finding, so that noise is silenced while this runs.
    `private` keeps the file readable by its owner alone from its first byte (a key file):
    the temporary file is made with mode 0600 and keeps it. A rename another program blocks
    for a moment is tried again for about a second. `platform` (this machine's by default)
    says whose rules a path too long for Windows follows.
    """
    hook = sys.unraisablehook
    sys.unraisablehook = _ignore_unraisable
    try:
        problems = _write_atomically(Path(path), write, force, private, platform)
        if problems:
            # a failed writer's leftovers, finalised while the hook is quiet; a write that
            # succeeded leaves none, and collecting after every write cost the demo 9% of its
            # time (issue 17)
            gc.collect()
    finally:
        sys.unraisablehook = hook
    return problems


def _ignore_unraisable(_unraisable) -> None:
    pass


def _write_atomically(
    path: Path,
    write: Callable[[Path], None],
    force: bool,
    private: bool = False,
    platform: str | None = None,
) -> list[Finding]:
    where = {"workbook": str(path)}
    try:
        there = path.is_symlink() or path.exists()
        odd = path.is_symlink() or (there and not stat.S_ISREG(path.stat().st_mode))
    except OSError as exc:  # a name too long, a share gone: said as writing would say it
        return [finding("output-unwritable", _why_unwritable(path, exc, False, platform), **where)]
    if odd:
        # --force replaces a file, never a device, a pipe, a folder or what a link points at
        return [
            finding(
                "output-unwritable",
                f"{path} is not a file (it is a folder, a link, a device or a pipe), so nothing "
                "is written over it, --force or not. Choose another name for the output.",
                **where,
            )
        ]
    if there and not force:
        return [
            finding(
                "output-exists",
                f"{path} exists already. Choose another name, or add --force to replace it.",
                **where,
            )
        ]
    missing = missing_folder(path)
    if missing is not None:
        return [missing]
    folder = path.parent if str(path.parent) else Path(".")
    temp_name = ""
    renaming = False
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
        renaming = True
        _replace(temp_name, path)
        temp_name = ""
    except OSError as exc:
        why = _why_unwritable(path, exc, renaming, platform)
        return [finding("output-unwritable", why, **where)]
    finally:
        if temp_name:
            with contextlib.suppress(OSError):
                os.unlink(temp_name)
    return []


def missing_folder(path: Path, what: str = "") -> Finding | None:
    """The finding for an output whose folder does not exist (`what` names the output in the
    message), or None: said by the writer, and by a command that checks it before reading
    anything."""
    folder = path.parent if str(path.parent) else Path(".")
    if folder.is_dir():
        return None
    place = f"another place for {what}" if what else "another place"
    return finding(
        "output-unwritable",
        f"The folder {folder} does not exist. Create it first or choose {place}.",
        workbook=str(path),
    )


def _replace(temp_name: str, path: Path) -> None:
    """os.replace, tried again over about a second while another program holds the file."""
    for pause in RENAME_PAUSES:
        try:
            os.replace(temp_name, path)
            return
        except PermissionError:
            time.sleep(pause)
    os.replace(temp_name, path)  # the last try: its error is the finding


def _why_unwritable(path: Path, exc: OSError, renaming: bool, platform: str | None) -> str:
    """What stopped the output being written, and what to do, in a sentence or two."""
    temp = os.path.join(os.path.abspath(path.parent), f"{TEMP_PREFIX}{path.stem}-12345678")
    if windows.too_long(temp + path.suffix, platform=platform):
        return windows.too_long_message(str(path))
    if isinstance(exc, PermissionError) and renaming:
        return HELD_MESSAGE.format(path=path)
    if isinstance(exc, PermissionError):
        return (
            f"{path} cannot be written: you may not make files in its folder. Choose another "
            "folder, or ask for permission to write there."
        )
    return (
        f"{path} cannot be written: {exc.strerror or exc}. "
        "Check the disk has space and the folder is writable."
    )


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


class _Place:
    """A path as `same_file` compares it, each part worked out once: a consolidation compares
    four store files with a thousand inputs, and a realpath or a stat each time was a
    millisecond a file in the parent."""

    def __init__(self, path: Path) -> None:
        self.path = path
        try:
            found = os.stat(path)
            self.identity: tuple[int, int] | None = (found.st_dev, found.st_ino)
        except (OSError, ValueError):
            self.identity = None
        self._place: str | None = None

    def place(self) -> str:
        if self._place is None:
            self._place = _place(self.path)
        return self._place

    def same(self, other: _Place) -> bool:
        """same_file(self.path, other.path), from what was found once."""
        if self.identity is not None and other.identity is not None:
            return self.identity == other.identity  # os.path.samestat
        return self.place() == other.place()


def store_files(store: Path) -> list[Path]:
    """A returns store and the files SQLite keeps beside it while it is in use."""
    store = Path(store)
    return [store] + [store.with_name(store.name + end) for end in ("-wal", "-shm", "-journal")]


def output_clashes(outputs: Iterable[Path], inputs: Iterable[tuple[str, Path]]) -> list[Finding]:
    """A finding for every output that is one of the command's inputs (`(what it is, path)`):
    writing it would destroy what the command reads, so it is refused, --force or not."""
    inputs = [(what, Path(source), _Place(Path(source))) for what, source in inputs]
    problems = []
    for output in outputs:
        here = _Place(Path(output))
        for what, source, there in inputs:
            if here.same(there):
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
