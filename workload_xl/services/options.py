"""What a service says when a value it was given cannot be used (service layer).

The command line shows it as a wrong option (click's usage error, exit 2); the `param_hint`
names the option, or is None when the message names it itself.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from workload_xl.core.findings import Finding


class OptionError(ValueError):
    """A value given to a service (an option on the command line) that cannot be used."""

    def __init__(self, message: str, param_hint: str | None = None):
        super().__init__(message)
        self.param_hint = param_hint


def output_clashes(
    outputs: Iterable[Path], inputs: Iterable[tuple[str, Path | None]]
) -> list[Finding]:
    """Why an output may not be written: it is one of the inputs, given as (what it is,
    path); nothing when none clash. --force does not change it."""
    from workload_xl.files.atomic import output_clashes as clashes

    return clashes(outputs, [(what, p) for what, p in inputs if p is not None])
