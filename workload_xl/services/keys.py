"""key new, and the key behind --pseudonymise (service layer)."""

from __future__ import annotations

import contextlib
from dataclasses import dataclass, field
from pathlib import Path

from workload_xl.core.findings import Finding
from workload_xl.services.options import OptionError


@dataclass(frozen=True)
class KeyWritten:
    """A new key file, or what stopped it being written."""

    path: Path
    problems: list[Finding] = field(default_factory=list)

    @property
    def exit_code(self) -> int:
        return 1 if self.problems else 0


def new_key_file(output: Path, *, force: bool = False) -> KeyWritten:
    """A new random key, written private to the owner from its first byte."""
    from workload_xl.core.pseudonyms import new_key
    from workload_xl.files.atomic import write_atomically

    text = new_key() + "\n"
    problems = write_atomically(
        output, lambda temp: temp.write_text(text, encoding="ascii"), force=force, private=True
    )
    if problems:
        return KeyWritten(output, problems)
    with contextlib.suppress(OSError):  # private from its first byte; again where chmod works
        output.chmod(0o600)
    return KeyWritten(output)


def load_pseudonymiser(key_file: Path | None):
    """The pseudonymiser keyed by the key file, or None without one. Raises OptionError
    (for --pseudonymise) when the key file cannot be used."""
    if key_file is None:
        return None
    from workload_xl.core.pseudonyms import KeyFileError, Pseudonymiser, load_key

    try:
        return Pseudonymiser(load_key(key_file))
    except KeyFileError as problem:
        raise OptionError(str(problem), "--pseudonymise") from None
