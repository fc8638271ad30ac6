"""The kind of period each service's scheme measures, read from the first lines of the scheme
files (core layer): what `returns` needs of the schemes, without loading and checking every
scheme whole (core.schemes), which cost a sixth of its start-up.

A scheme's `services` and `period` are top-level keys, and TOML puts every top-level key
before the first table header (`[[bands]]`, `[[items]]`, ...), so the text before that header
says them as the whole file does. The folder and each file are read through core.scheme_files,
as the full loader reads them (a folder it refuses is refused here, a file it cannot read is
left out here too). Anything the light reading cannot vouch for answers None, "load the folder
whole": first lines that do not parse on their own (a header inside a string), a service in
two files (which one counts would turn on both files being sound), services or a period the
full loader would refuse. What it does not see is the rest of each file: a file wrong only
below its first lines is left out by the full loader but read here, which is why
services.returns loads the folder whole whenever that could change what it shows.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

from workload_xl.core.paths import schemes_dir
from workload_xl.core.period import FOUR_WEEKS, MONTH
from workload_xl.core.scheme_files import (
    SchemeError,
    parse_toml,
    read_scheme_text,
    scheme_folder_files,
)

_TABLE_HEADER = re.compile(r"^[ \t]*\[", re.M)


def period_kinds(folder: Path | None = None) -> dict[str, str] | None:
    """{service, folded: the kind of period of its scheme} as the first lines of the folder's
    scheme files (the shipped ones, or WORKLOAD_XL_SCHEMES's, as SchemeRegistry.from_dir finds
    them) declare it; None when those lines are unusual, so only the full loader can say.
    Raises Refused, as the full loader does, when the folder itself cannot be used."""
    from_environment = folder is None and bool(os.environ.get("WORKLOAD_XL_SCHEMES"))
    folder = folder or schemes_dir()
    kinds: dict[str, str] = {}
    declared_by: dict[str, Path] = {}
    for path in scheme_folder_files(folder, from_environment=from_environment):
        try:
            text = read_scheme_text(path)
        except SchemeError:
            continue  # the full loader leaves this file out, for the same reason
        header = _TABLE_HEADER.search(text)
        try:
            head = parse_toml(text[: header.start()] if header else text, str(path))
        except SchemeError:
            return None
        declared = _services_and_period(head)
        if declared is None:
            return None
        services, period = declared
        for service in services:
            key = service.casefold()
            if declared_by.setdefault(key, path) != path:
                return None
            kinds[key] = period
    return kinds


def _services_and_period(head: dict[str, Any]) -> tuple[tuple[str, ...], str] | None:
    """The services and the period as the full loader reads them (each text stripped; one
    service may be written as text, not a list), or None where it would refuse them."""
    services, period = head.get("services"), head.get("period")
    if isinstance(services, str):
        services = [services]
    if not isinstance(services, list) or not services:
        return None
    if not all(isinstance(service, str) and service for service in services):
        return None
    if not isinstance(period, str) or period.strip() not in (MONTH, FOUR_WEEKS):
        return None
    return tuple(service.strip() for service in services), period.strip()
