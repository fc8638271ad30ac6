"""LibreOffice headless as a real spreadsheet engine for tests: find it, recalculate workbooks.

Not a test module. `recalculate` converts a batch of .xlsx files in one soffice start (about
2 s each start) with a fresh profile that forces a full recalculation on load; without it,
LibreOffice keeps the cached values stored in the file (none, for files openpyxl wrote).
`require_soffice` skips a test when LibreOffice is absent, except in CI (CI=true), where the
test must run and so fails instead.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterable
from pathlib import Path

import pytest

CONVERT_TIMEOUT = 300  # seconds for one batch; a cold first start in CI can take a while

_MAC_SOFFICE = Path("/Applications/LibreOffice.app/Contents/MacOS/soffice")

# /org.openoffice.Office.Calc/Formula/Load OOXMLRecalcMode: 0 always, 1 never, 2 ask.
_RECALC_ALWAYS = """\
<?xml version="1.0" encoding="UTF-8"?>
<oor:items xmlns:oor="http://openoffice.org/2001/registry" \
xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
<item oor:path="/org.openoffice.Office.Calc/Formula/Load">\
<prop oor:name="OOXMLRecalcMode" oor:op="fuse"><value>0</value></prop></item>
</oor:items>
"""


def find_soffice() -> str | None:
    """The soffice executable, or None when LibreOffice is not installed."""
    for name in ("soffice", "libreoffice"):
        found = shutil.which(name)
        if found:
            return found
    return str(_MAC_SOFFICE) if _MAC_SOFFICE.is_file() else None


def in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() == "true"


def require_soffice() -> str:
    """soffice's path; skips the test when it is absent, but fails in CI, which must run it."""
    soffice = find_soffice()
    if soffice is None:
        message = (
            "LibreOffice (soffice) is not installed; install libreoffice-calc-nogui to run "
            "the LibreOffice recalculation tests"
        )
        if in_ci():
            pytest.fail(f"{message}. CI=true, so these tests must run, not be skipped.")
        pytest.skip(message)
    return soffice


def write_profile(folder: Path) -> Path:
    """A fresh LibreOffice user profile that recalculates .xlsx formulas on every load."""
    user = folder / "user"
    user.mkdir(parents=True, exist_ok=True)
    (user / "registrymodifications.xcu").write_text(_RECALC_ALWAYS, encoding="utf-8")
    return folder


def recalculate(paths: Iterable[Path], outdir: Path, *, soffice: str | None = None) -> list[Path]:
    """Open every workbook in LibreOffice, recalculate it and save it as .xlsx in `outdir`.

    One soffice start for the whole batch. Returns the converted files in the order given.
    Raises RuntimeError, with soffice's output, when a file was not converted.
    """
    sources = [Path(p).resolve() for p in paths]
    if not sources:
        return []
    outdir = Path(outdir).resolve()
    outdir.mkdir(parents=True, exist_ok=True)
    targets = [outdir / f"{source.stem}.xlsx" for source in sources]
    if len(set(targets)) != len(targets):
        raise ValueError("Two files in one batch have the same name; they would overwrite.")
    if any(target in sources for target in targets):
        raise ValueError("outdir holds the input files; LibreOffice would overwrite them.")
    soffice = soffice or find_soffice()
    if soffice is None:
        raise RuntimeError("LibreOffice (soffice) is not installed.")
    for target in targets:
        target.unlink(missing_ok=True)

    done = run_soffice(sources, outdir, "xlsx", soffice)
    missing = [str(target) for target in targets if not target.is_file()]
    if done.returncode != 0 or missing:
        raise RuntimeError(
            f"soffice exited {done.returncode}; not converted: {missing or 'none'}\n"
            f"command: {' '.join(done.args)}\nstdout: {done.stdout}\nstderr: {done.stderr}"
        )
    return targets


def run_soffice(
    sources: Iterable[Path], outdir: Path, to: str, soffice: str
) -> subprocess.CompletedProcess:
    """One soffice start converting every source to format `to` (xlsx, pdf) in `outdir`, with
    a fresh profile that recalculates on load; the profile is removed afterwards."""
    profile = Path(tempfile.mkdtemp(prefix="lo-profile-"))
    try:
        write_profile(profile)
        command = [
            soffice,
            f"-env:UserInstallation={profile.as_uri()}",
            "--headless",
            "--norestore",
            "--convert-to",
            to,
            "--outdir",
            str(outdir),
            *map(str, sources),
        ]
        return subprocess.run(
            command,
            capture_output=True,
            text=True,
            timeout=CONVERT_TIMEOUT,
            check=False,
            stdin=subprocess.DEVNULL,
        )
    finally:
        shutil.rmtree(profile, ignore_errors=True)


SYSTEM_PYTHON = "/usr/bin/python3"
"""The Python with Debian's python3-uno (LibreOffice's UNO bridge); the venv has no uno."""

_UNO_SCRIPT = Path(__file__).with_name("uno_edit.py")


def require_uno() -> str:
    """The system Python that imports uno; skips without it (and without LibreOffice), but
    fails in CI, which installs python3-uno (.ci/run)."""
    require_soffice()
    python = shutil.which("python3", path="/usr/bin") or SYSTEM_PYTHON
    found = subprocess.run(
        [python, "-c", "import uno"], capture_output=True, timeout=60, check=False
    )
    if found.returncode != 0:
        message = "python3-uno is not installed; install it to run the LibreOffice edit tests"
        if in_ci():
            pytest.fail(f"{message}. CI=true, so these tests must run, not be skipped.")
        pytest.skip(message)
    return python


def edit_in_libreoffice(source: Path, target: Path, actions: list[list]) -> Path:
    """Open `source` in LibreOffice, make the edits a user would (tests/uno_edit.py lists
    them: copy a sheet, insert rows, type into cells), recalculate and save `target` (.xlsx).
    Raises RuntimeError, with the script's output, when nothing was saved."""
    python = require_uno()
    soffice = find_soffice()
    target = Path(target)
    target.unlink(missing_ok=True)
    profile = Path(tempfile.mkdtemp(prefix="lo-uno-"))
    try:
        write_profile(profile)
        command = [python, str(_UNO_SCRIPT), soffice, str(profile), str(source), str(target)]
        done = subprocess.run(
            [*command, json.dumps(actions)],
            capture_output=True,
            text=True,
            timeout=CONVERT_TIMEOUT,
            check=False,
            stdin=subprocess.DEVNULL,
        )
    finally:
        shutil.rmtree(profile, ignore_errors=True)
    if done.returncode != 0 or not target.is_file():
        raise RuntimeError(
            f"uno_edit.py exited {done.returncode}\nstdout: {done.stdout}\nstderr: {done.stderr}"
        )
    return target


def results_that_differ(written: Path, recalculated: Path) -> list[tuple]:
    """Every formula cell whose result Python saved in `written` differs from what LibreOffice
    worked out in `recalculated` (its converted copy): (sheet, cell, Python's, LibreOffice's).
    Blank and None are the same (an empty result), numbers compared to pytest's tolerance."""
    import pytest
    from openpyxl import load_workbook

    saved = load_workbook(written, data_only=True)
    fresh = load_workbook(recalculated, data_only=True)
    differ = []
    for ws in load_workbook(written).worksheets:
        for cells in ws.iter_rows():
            for cell in cells:
                if isinstance(cell.value, str) and cell.value.startswith("="):
                    mine = saved[ws.title][cell.coordinate].value
                    theirs = fresh[ws.title][cell.coordinate].value
                    if mine != pytest.approx(theirs) and not (
                        mine in ("", None) and theirs in ("", None)
                    ):
                        differ.append((ws.title, cell.coordinate, mine, theirs))
    return differ
