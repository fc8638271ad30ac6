"""Worker and manager names replaced by keyed pseudonyms, for reports shared beyond a service.

A report sent outside the service needs to show that *a* worker carries a persistent load,
not who. A keyed hash (HMAC-SHA256) gives each person the same pseudonym every month, so
trends and persistent disparities still show, while nobody without the key can go from a
pseudonym back to a name by trying names: the performance team holds the key, as a file made
by `workload-xl key new`. Names are compared as people write them (letter case and spacing
ignored), so "Jo Smith" and "jo  smith" are one person.

Pseudonyms look like "W-3F9A2C71"; a name that already is one is left alone, so pseudonymising
a store that holds pseudonyms changes nothing.
"""

from __future__ import annotations

import dataclasses
import os
import re
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

from workload_xl.core.values import clean_text

if TYPE_CHECKING:  # `key new` makes a key without the returns' modules
    from workload_xl.core.returns import TeamReturn

KEY_BYTES = 32
MAX_KEY_FILE_BYTES = 4096
"""A key file is 65 bytes; anything much bigger (or a device, a folder) is not one."""
FINGERPRINT_LABEL = b"\x00workload-xl key fingerprint 1"
"""What a key's fingerprint is the HMAC of: a text no name can be, so a fingerprint is never a
pseudonym, and it tells keys apart without telling anything of the key."""
PATTERN = re.compile(r"^W-[0-9A-F]{8}$")

T = TypeVar("T")


class KeyFileError(ValueError):
    """The key file cannot be used; the message says why and what to do."""


def new_key() -> str:
    """A fresh key as hex text: 32 random bytes from the operating system (os.urandom, what
    secrets.token_hex reads, without the secrets module's start-up)."""
    return os.urandom(KEY_BYTES).hex()


def load_key(path: Path) -> bytes:
    """The key in a key file. Only a small regular file is read, and at most a few KB of it,
    so a folder, a device such as /dev/zero or a huge file is a plain message."""
    path = Path(path)
    not_key = (
        f"{path} is not a workload-xl key file (64 hexadecimal characters). Give the "
        "file `workload-xl key new` made."
    )
    try:
        if not path.exists():
            raise FileNotFoundError(path)
        if not path.is_file():
            kind = "a folder" if path.is_dir() else "a device or other special file"
            raise KeyFileError(
                f"{path} is {kind}, not a key file. Give the file `workload-xl key new` made."
            )
        with path.open("rb") as handle:
            data = handle.read(MAX_KEY_FILE_BYTES + 1)
        if len(data) > MAX_KEY_FILE_BYTES:
            raise KeyFileError(not_key)
        key = bytes.fromhex(data.decode("ascii").strip())
    except KeyFileError:
        raise
    except FileNotFoundError:
        raise KeyFileError(
            f"There is no key file at {path}. Make one with `workload-xl key new "
            "-o FILE` and keep it safe: it is what links pseudonyms to people."
        ) from None
    except PermissionError:
        raise KeyFileError(
            f"{path} cannot be read: permission denied. Run the command as the "
            "person who keeps the key, or check the file's permissions."
        ) from None
    except (UnicodeDecodeError, ValueError):
        raise KeyFileError(not_key) from None
    except OSError as exc:
        raise KeyFileError(
            f"{path} cannot be read ({exc.strerror or exc}). Give the file "
            "`workload-xl key new` made."
        ) from None
    if len(key) < 16:
        raise KeyFileError(
            f"The key in {path} is too short ({len(key)} bytes; at least 16). "
            "Make a new one with `workload-xl key new`."
        )
    return key


def _keyed_hash(key: bytes, data: bytes) -> str:
    """HMAC-SHA256 of `data` as hex. hashlib and hmac are imported here, on the first name
    pseudonymised: `key new` needs neither, and starts without them."""
    import hashlib
    import hmac

    return hmac.new(key, data, hashlib.sha256).hexdigest()


@dataclasses.dataclass(frozen=True)
class Pseudonymiser:
    key: bytes

    @property
    def fingerprint(self) -> str:
        """What the store records of the key: HMAC of a fixed label, never the key itself."""
        return _keyed_hash(self.key, FINGERPRINT_LABEL)[:16]

    def name(self, person: str) -> str:
        text = clean_text(person)
        if not text or PATTERN.match(text):
            return text
        return "W-" + _keyed_hash(self.key, text.casefold().encode("utf-8"))[:8].upper()

    def team_return(self, ret: TeamReturn) -> TeamReturn:
        """The return with every person's name replaced: workers, their rows, the manager."""
        from workload_xl.core.returns import ReturnLine

        workers = [dataclasses.replace(w, worker=self.name(w.worker)) for w in ret.workers]
        names = {line.worker: self.name(line.worker) for line in ret.lines}
        lines = [ReturnLine(names[line.worker], *line[1:]) for line in ret.lines]
        return dataclasses.replace(
            ret, workers=workers, lines=lines, manager=self.name(ret.manager)
        )

    def rows(self, rows: Iterable[T]) -> list[T]:
        """Records with a `worker` field (the store's worker periods), renamed."""
        return [dataclasses.replace(row, worker=self.name(row.worker)) for row in rows]  # type: ignore[type-var]
