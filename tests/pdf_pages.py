"""Print a workbook the way a user would, with LibreOffice headless, and read the pages back
with poppler (pdfinfo, pdftotext). Not a test module.

Every sheet the tool writes has the sheet's name at the left of its footer
(workload_xl.files.printing), so the pages of one PDF can be told apart by sheet: `pages` maps
each sheet name to the text of its pages, in order. `whole_text` collapses a page's white
space so that a cell's wrapped lines read as the one text they are (pdftotext keeps a cell's
lines together): a flag cut off at a column edge does not appear whole.

`require_poppler` skips when poppler-utils is absent, except in CI (CI=true), which must run
these tests and so fails instead.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import tempfile
from collections.abc import Iterable
from pathlib import Path

import pytest

from tests.libreoffice import in_ci, require_soffice, write_profile

CONVERT_TIMEOUT = 300
_FOOTER = re.compile(r"^\s*(?P<sheet>\S.*?)\s{2,}.*Page \d+ of \d+\s*$")


def require_poppler() -> None:
    if shutil.which("pdftotext") and shutil.which("pdfinfo"):
        return
    message = "poppler-utils (pdftotext, pdfinfo) is not installed; install it to run print tests"
    if in_ci():
        pytest.fail(f"{message}. CI=true, so these tests must run, not be skipped.")
    pytest.skip(message)


def print_to_pdf(paths: Iterable[Path], outdir: Path) -> list[Path]:
    """Each workbook printed to PDF by LibreOffice (one soffice start for the batch), in the
    order given. Raises RuntimeError with soffice's output when a file was not printed."""
    soffice = require_soffice()
    require_poppler()
    sources = [Path(p).resolve() for p in paths]
    outdir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as profile:
        done = subprocess.run(
            [
                soffice,
                f"-env:UserInstallation={write_profile(Path(profile)).as_uri()}",
                "--headless",
                "--norestore",
                "--convert-to",
                "pdf",
                "--outdir",
                str(outdir),
                *map(str, sources),
            ],
            capture_output=True,
            text=True,
            timeout=CONVERT_TIMEOUT,
        )
    printed = [outdir / f"{source.stem}.pdf" for source in sources]
    missing = [p for p in printed if not p.is_file()]
    if missing:
        raise RuntimeError(f"soffice did not print {missing}: {done.stdout}\n{done.stderr}")
    return printed


def page_count(pdf: Path) -> int:
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True)
    return int(re.search(r"^Pages:\s+(\d+)", info.stdout, re.MULTILINE).group(1))


def _page(pdf: Path, number: int, *, layout: bool) -> str:
    args = ["pdftotext", "-f", str(number), "-l", str(number)]
    args += ["-layout"] if layout else []
    return subprocess.run([*args, str(pdf), "-"], capture_output=True, text=True, check=True).stdout


def footer_sheet(layout_text: str) -> str | None:
    """The sheet name the page's footer gives, or None for a page without the footer."""
    for line in reversed(layout_text.splitlines()):
        found = _FOOTER.match(line)
        if found:
            return found.group("sheet").strip()
    return None


def pages(pdf: Path) -> dict[str, list[str]]:
    """Each sheet's pages' text (reading order, white space as printed), keyed by the sheet
    name in the footer; pages without a footer are kept under ''."""
    by_sheet: dict[str, list[str]] = {}
    for number in range(1, page_count(pdf) + 1):
        sheet = footer_sheet(_page(pdf, number, layout=True)) or ""
        by_sheet.setdefault(sheet, []).append(_page(pdf, number, layout=False))
    return by_sheet


def whole_text(page_texts: Iterable[str]) -> str:
    """The pages' text with all white space collapsed to single spaces."""
    return " ".join(" ".join(page_texts).split())
