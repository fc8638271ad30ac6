"""The live-Excel edge: buttons and user-defined functions through xlwings.

Nothing here holds workload logic: each entry point reads a whole range through xlwings, calls
the same core the command line uses, and writes whole ranges back. `buttons` lists the
buttons as data, for the ribbon, the VBA that calls them and the tests.
"""

from __future__ import annotations

import functools

from workload_xl.core.schemes import SchemeRegistry


@functools.lru_cache(maxsize=1)
def registry() -> SchemeRegistry:
    """The schemes, loaded once for the Python process Excel keeps running: buttons and
    functions share it, so a recalculation of a thousand cells reads no scheme file."""
    return SchemeRegistry.from_dir()
