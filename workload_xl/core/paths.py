"""Where the shipped schemes and templates live, installed or in a source checkout, and
file names made safe from what people type (core).

A wheel carries them inside the package (workload_xl/_data); an editable install or a plain
checkout reads the top-level schemes/ and templates/ folders, so editing a scheme there takes
effect at once.
"""

from __future__ import annotations

import os
import unicodedata
from pathlib import Path
from typing import NamedTuple

_PACKAGE = Path(__file__).resolve().parent.parent


def _data_dir(name: str) -> Path:
    installed = _PACKAGE / "_data" / name
    if installed.is_dir():
        return installed
    return _PACKAGE.parent / name


def schemes_dir() -> Path:
    """The schemes folder; WORKLOAD_XL_SCHEMES points elsewhere for a service's own schemes."""
    override = os.environ.get("WORKLOAD_XL_SCHEMES")
    return Path(override) if override else _data_dir("schemes")


def templates_dir() -> Path:
    return _data_dir("templates")


ACTIVITY_MAPPING = Path("capa") / "activity-export.toml"
"""How `capa actuals` reads an activity export, beside the schemes (schemes/capa/)."""


def activity_mapping_file() -> Path:
    """The activity mapping: the schemes folder's (WORKLOAD_XL_SCHEMES may name a service's
    own) when it has one, else the one that comes with the tool."""
    own = schemes_dir() / ACTIVITY_MAPPING
    return own if own.is_file() else _data_dir("schemes") / ACTIVITY_MAPPING


ADDIN_FILE = "workload.xlam"


def addin_file() -> Path:
    """workload.xlam, the Excel add-in `workload-xl addin install` copies: inside a wheel's
    _data, else the committed copy at the top of a checkout."""
    installed = _PACKAGE / "_data" / ADDIN_FILE
    return installed if installed.is_file() else _PACKAGE.parent / ADDIN_FILE


# --- file names made from what people type -------------------------------------------------

STEM_LIMIT = 100
"""The most characters of a file name before its extension: short enough that the name fits
in Windows' 260-character paths even inside a deep folder (OneDrive, a shared drive)."""
NAME_BYTES_LIMIT = 240
"""The most bytes of a whole file name in UTF-8: Linux and macOS allow 255."""

_FORBIDDEN = set('<>:"/\\|?*')
_RESERVED = {"CON", "PRN", "AUX", "NUL", "CONIN$", "CONOUT$"} | {
    f"{device}{n}" for device in ("COM", "LPT") for n in [*"123456789", "¹", "²", "³"]
}


class SafeName(NamedTuple):
    """A file name safe on Windows, macOS and Linux, and whether the text had to be cut."""

    name: str
    shortened: bool


def safe_file_name(
    text: str,
    *,
    tail: str = "",
    extension: str = "",
    fallback: str = "Untitled",
    limit: int = STEM_LIMIT,
) -> SafeName:
    """A file name made from `text` (a team's or a worker's name), then `tail` and
    `extension`, that every system accepts: characters Windows forbids (<>:"/\\|?*, control
    and other invisible characters) become "_", runs of spaces become one, leading and
    trailing dots and spaces go, a name Windows keeps for a device (CON, NUL, COM1, LPT1, ...)
    gets a "_" in front, and `text` is cut so that it and `tail` fit in `limit` characters
    (the tail, such as " 2026-10 team return", is always kept whole). Text with nothing left
    becomes `fallback`. `shortened` says the text was cut, so the caller can say so."""
    kept_tail = _replaced(tail)
    room = max(1, limit - _units(kept_tail))
    budget = max(1, NAME_BYTES_LIMIT - len((kept_tail + extension).encode("utf-8")))
    stem = _replaced(text).strip(" .") or _replaced(fallback).strip(" .") or "Untitled"
    cut = _cut(stem, room, budget)
    name = (cut + kept_tail).rstrip(" .") + extension
    if name.split(".", 1)[0].rstrip(" ").upper() in _RESERVED:
        name = "_" + name
    return SafeName(name, cut != stem)


def _replaced(text: str) -> str:
    """Forbidden and invisible characters as "_", any run of spaces as one space (a leading
    space is kept: a tail starts with one)."""
    chars = []
    for char in unicodedata.normalize("NFC", str(text)):
        category = unicodedata.category(char)
        if category[0] == "Z" or char in "\t\n\r":
            chars.append(" ")
        elif char in _FORBIDDEN or category[0] == "C":
            chars.append("_")
        else:
            chars.append(char)
    joined = "".join(chars)
    tidy = " ".join(joined.split())
    return " " + tidy if joined[:1] == " " and tidy else tidy


def _units(text: str) -> int:
    """Length as Windows counts it: UTF-16 code units (an emoji is two)."""
    return len(text.encode("utf-16-le", "surrogatepass")) // 2


def _cut(text: str, units: int, size: int) -> str:
    """`text` cut to at most `units` UTF-16 units and `size` UTF-8 bytes, never inside a
    character nor between a letter and its accent, with no dot or space at the end."""
    end = used_units = used_bytes = 0
    for char in text:
        used_units += _units(char)
        used_bytes += len(char.encode("utf-8"))
        if used_units > units or used_bytes > size:
            break
        end += 1
    if end == len(text):
        return text
    while end > 0 and unicodedata.category(text[end])[0] == "M":
        end -= 1  # the accent after the cut belongs to the letter before it: cut both
    return text[:end].rstrip(" .") or "_"
