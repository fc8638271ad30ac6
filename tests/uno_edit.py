"""Edits a workbook in LibreOffice through its UNO API, as a user would in Calc (not a test).

Run by the system Python, which has Debian's python3-uno (the project's venv need not import
uno): `python3 tests/uno_edit.py SOFFICE PROFILE SOURCE TARGET ACTIONS_JSON`. It starts SOFFICE
headless with the profile folder PROFILE (tests/libreoffice.py makes one that recalculates on
load), opens SOURCE, applies the actions in order, recalculates
and saves TARGET as .xlsx. tests/libreoffice.py's `edit_in_libreoffice` calls it. Actions:

    ["copy_sheet", sheet, new_name, position]   Calc's Sheet > Duplicate Sheet / Move or Copy
    ["insert_rows", sheet, row, count]          Sheet > Insert Rows Above, before `row` (1-based)
    ["set", sheet, "C17", value]                typing a number or text into a cell
    ["set_formula", sheet, "E17", "=..."]       typing a formula (in Excel's English form)
    ["unprotect", sheet]                        Tools > Protect Sheet off (no password)
"""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import uno  # also makes the com.sun.star modules importable
from com.sun.star.beans import PropertyValue

START_TIMEOUT = 120  # seconds for soffice to accept a connection


def prop(name: str, value) -> PropertyValue:
    found = PropertyValue()
    found.Name, found.Value = name, value
    return found


def connect(pipe: str):
    local = uno.getComponentContext()
    resolver = local.ServiceManager.createInstanceWithContext(
        "com.sun.star.bridge.UnoUrlResolver", local
    )
    deadline = time.monotonic() + START_TIMEOUT
    while True:
        try:
            return resolver.resolve(f"uno:pipe,name={pipe};urp;StarOffice.ComponentContext")
        except Exception:  # soffice not listening yet
            if time.monotonic() > deadline:
                raise
            time.sleep(0.25)


def api_formula(formula: str) -> str:
    """Excel's English formula as UNO's setFormula reads it: arguments apart by ";", not ","
    (commas inside quoted text stay)."""
    parts = formula.split('"')
    return '"'.join(p if i % 2 else p.replace(",", ";") for i, p in enumerate(parts))


def apply(doc, action: list) -> None:
    kind, sheet, *rest = action
    sheets = doc.Sheets
    if kind == "copy_sheet":
        new_name, position = rest
        sheets.copyByName(sheet, new_name, position)
    elif kind == "insert_rows":
        row, count = rest
        sheets.getByName(sheet).Rows.insertByIndex(row - 1, count)
    elif kind == "set":
        ref, value = rest
        cell = sheets.getByName(sheet).getCellRangeByName(ref)
        if isinstance(value, str):
            cell.setString(value)
        else:
            cell.setValue(value)
    elif kind == "set_formula":
        ref, formula = rest
        sheets.getByName(sheet).getCellRangeByName(ref).setFormula(api_formula(formula))
    elif kind == "unprotect":
        sheets.getByName(sheet).unprotect("")
    else:
        raise ValueError(f"unknown action {kind}")


def main(soffice: str, profile: str, source: str, target: str, actions: str) -> None:
    pipe = f"workload_xl_{os.getpid()}"
    process = subprocess.Popen(
        [
            soffice,
            f"-env:UserInstallation={Path(profile).resolve().as_uri()}",
            "--headless",
            "--invisible",
            "--norestore",
            f"--accept=pipe,name={pipe};urp;",
        ],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        context = connect(pipe)
        desktop = context.ServiceManager.createInstanceWithContext(
            "com.sun.star.frame.Desktop", context
        )
        url = Path(source).resolve().as_uri()
        doc = desktop.loadComponentFromURL(url, "_blank", 0, (prop("Hidden", True),))
        for action in json.loads(actions):
            apply(doc, action)
        doc.calculateAll()
        out = Path(target).resolve().as_uri()
        doc.storeToURL(out, (prop("FilterName", "Calc Office Open XML"),))
        doc.close(True)
        with contextlib.suppress(Exception):  # the bridge closes as soffice quits
            desktop.terminate()
        process.wait(timeout=60)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()


if __name__ == "__main__":
    main(*sys.argv[1:6])
