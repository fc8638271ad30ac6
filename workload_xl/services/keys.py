"""key new, and the key behind --pseudonymise (service layer)."""

from __future__ import annotations

import contextlib
from dataclasses import dataclass, field
from pathlib import Path

from workload_xl.core.findings import Finding
from workload_xl.services.options import OptionError


@dataclass(frozen=True)
class KeyWritten:
    """A new key file, or what stopped it being written. `restricted` is whether Windows
    let the tool keep it to the signed-in account (None elsewhere: chmod 0600 does that)."""

    path: Path
    problems: list[Finding] = field(default_factory=list)
    restricted: bool | None = None

    @property
    def advice(self) -> str:
        """What to check when Windows did not restrict the file; "" otherwise."""
        if self.restricted is not False:
            return ""
        return (
            f"Windows did not let the tool keep {self.path} to your account alone, so the "
            "folder's permissions protect it. Check who can read it: in a Command Prompt, "
            f'icacls "{self.path}", or the file\'s Properties > Security. Keep it in a folder '
            "only you can open."
        )

    @property
    def exit_code(self) -> int:
        return 1 if self.problems else 0


def new_key_file(
    output: Path, *, force: bool = False, platform: str | None = None, run=None
) -> KeyWritten:
    """A new random key, written private to the owner from its first byte: mode 0600, and on
    Windows an access list for the owner alone, set on the empty temporary file before the
    key goes in (a rename keeps it). `platform` and `run` are for tests."""
    from workload_xl.core.pseudonyms import new_key
    from workload_xl.files import windows
    from workload_xl.files.atomic import write_atomically

    text = new_key() + "\n"
    restricted: list[bool | None] = []

    def write(temp: Path) -> None:
        extra = {"run": run} if run is not None else {}
        restricted.append(windows.restrict_to_owner(str(temp), platform=platform, **extra))
        temp.write_text(text, encoding="ascii")

    problems = write_atomically(output, write, force=force, private=True)
    if problems:
        return KeyWritten(output, problems)
    with contextlib.suppress(OSError):  # private from its first byte; again where chmod works
        output.chmod(0o600)
    return KeyWritten(output, restricted=restricted[0] if restricted else None)


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
