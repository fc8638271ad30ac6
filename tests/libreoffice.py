"""LibreOffice headless as a real spreadsheet engine for tests: find it, recalculate workbooks.

Not a test module. `recalculate` converts a batch of .xlsx files in one soffice start (about
2 s each start) with a fresh profile that forces a full recalculation on load; without it,
LibreOffice keeps the cached values stored in the file (none, for files openpyxl wrote).
`require_soffice` skips a test when LibreOffice is absent, except in CI (CI=true), where the
test must run and so fails instead.
"""

from __future__ import annotations

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
