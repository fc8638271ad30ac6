"""Where the shipped schemes and templates live, installed or in a source checkout (edge).

A wheel carries them inside the package (workload_xl/_data); an editable install or a plain
checkout reads the top-level schemes/ and templates/ folders, so editing a scheme there takes
effect at once.
"""

from __future__ import annotations

import os
from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent


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
