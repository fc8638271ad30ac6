"""A scheme folder's files read as untrusted data, as far as their TOML (core layer).

Only ordinary files are read (a named pipe or a device called `*.toml` is refused without
being opened for reading), at most `MAX_SCHEME_BYTES` of each, at most `MAX_SCHEME_FILES` of
them, with brackets nested at most `MAX_NESTING` deep (checked before the TOML parser, which
recurses on nesting, ever sees the text). What the TOML says is core.schemes' to check; the
tracker's light reading of each file's first lines (core.scheme_heads) reads through here too,
so both read a folder and its files the same way.
"""

from __future__ import annotations

import os
import re
import stat
import tomllib
from pathlib import Path
from typing import Any

from workload_xl.core.findings import Refused
from workload_xl.core.rules import finding

MAX_SCHEME_BYTES = 1_000_000
"""The largest scheme file read: a real scheme is a few KB."""
MAX_SCHEME_FILES = 200
"""The most `*.toml` files a scheme folder may hold: one per scheme."""
MAX_NESTING = 20
"""The deepest brackets ([ or {) may nest: a real scheme nests 2 deep."""


class SchemeError(ValueError):
    """A scheme file is wrong; the message names the file and the key.

    `source` is the file, `detail` what is wrong with it and `fix` (when it is not simply
    "correct the file") what to do, so a finding can name the file in its own field and say
    the rest in its message.
    """

    def __init__(self, source: str, detail: str = "", fix: str = ""):
        self.source, self.detail = (str(source), detail) if detail else ("", str(source))
        self.fix = fix
        text = f"{source}: {detail}" if detail else str(source)
        super().__init__(f"{text.rstrip('. ')}. {fix}" if fix else text)


def read_scheme_toml(path: Path) -> dict[str, Any]:
    """One scheme file's TOML, read as untrusted data; SchemeError names the file and what
    stops it being read."""
    return parse_toml(read_scheme_text(path), str(path))


def parse_toml(text: str, source: str) -> dict[str, Any]:
    """`text` parsed as TOML once its brackets are known to nest at most MAX_NESTING deep;
    SchemeError, naming `source`, when they nest deeper or the text is not TOML."""
    deep = _too_deep(text, MAX_NESTING)
    if deep:
        raise SchemeError(source, *_nesting_problem(deep))
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise SchemeError(source, f"not valid TOML: {exc}") from None
    except RecursionError:  # the pre-scan is cautious; this is its backstop
        raise SchemeError(source, *_nesting_problem(0)) from None


def read_scheme_text(path: Path) -> str:
    """The file's text, if it is an ordinary file of at most MAX_SCHEME_BYTES of UTF-8.

    Whatever the file is (a named pipe, a device, a link to either), nothing here can hang or
    read without end: the kind is checked before opening (following a link, so a link to an
    ordinary file is fine) and again on the open file, the open does not wait (O_NONBLOCK, so a
    pipe with no writer cannot block it), and at most one byte over the cap is read.
    """
    try:
        info = os.stat(path)
        if not stat.S_ISREG(info.st_mode):
            raise SchemeError(str(path), *_not_ordinary(info.st_mode))
        if info.st_size > MAX_SCHEME_BYTES:
            raise SchemeError(str(path), *_too_large(info.st_size))
        flags = os.O_RDONLY
        for name in ("O_NONBLOCK", "O_NOCTTY", "O_CLOEXEC", "O_BINARY"):
            flags |= getattr(os, name, 0)
        handle = os.open(path, flags)
        try:
            mode = os.fstat(handle).st_mode
            if not stat.S_ISREG(mode):  # replaced between the look and the open
                raise SchemeError(str(path), *_not_ordinary(mode))
            data = _read_at_most(handle, MAX_SCHEME_BYTES + 1)
        finally:
            os.close(handle)
    except OSError as exc:
        reason = exc.strerror or type(exc).__name__
        fix = "Check the file is there and that you may read it."
        raise SchemeError(str(path), f"the file cannot be read ({reason})", fix) from None
    if len(data) > MAX_SCHEME_BYTES:
        raise SchemeError(str(path), *_too_large(len(data)))
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise SchemeError(
            str(path),
            f"the file is not UTF-8 text (byte {exc.start + 1:,} is not)",
            "Save it as UTF-8 text.",
        ) from None


def _read_at_most(handle: int, limit: int) -> bytes:
    chunks: list[bytes] = []
    left = limit
    while left > 0:
        chunk = os.read(handle, min(left, 1 << 16))
        if not chunk:
            break
        chunks.append(chunk)
        left -= len(chunk)
    return b"".join(chunks)


def _kind(mode: int) -> str:
    if stat.S_ISREG(mode):
        return "a file"
    if stat.S_ISDIR(mode):
        return "a folder"
    if stat.S_ISFIFO(mode):
        return "a named pipe (FIFO)"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "not an ordinary file"


def _not_ordinary(mode: int) -> tuple[str, str]:
    return (
        f"the file is {_kind(mode)}, not an ordinary file, so it was not read",
        "A scheme is a text file: remove this one from the scheme folder.",
    )


def _too_large(size: int) -> tuple[str, str]:
    return (
        f"the file is larger than {MAX_SCHEME_BYTES // 1_000_000} MB ({size:,} bytes or "
        "more), so it was not read; a real scheme is a few KB",
        "Remove it from the scheme folder: it is not a points scheme.",
    )


def _nesting_problem(line: int) -> tuple[str, str]:
    where = f" by line {line:,}" if line else ""
    return (
        f"the file has brackets [ or {{ nested more than {MAX_NESTING} deep{where}, so it "
        "was not read; a real scheme nests them 2 deep",
        "Look for a bracket that is never closed; or, if the file is not a points scheme, "
        "remove it from the scheme folder.",
    )


_SPECIAL = re.compile(r"[\[\]{}\"'#]")
_BASIC_END = re.compile(r'\\.|"|\n', re.S)
_MULTI_BASIC_END = re.compile(r'\\.|"""', re.S)


def _too_deep(text: str, limit: int) -> int:
    """The line at which brackets outside strings and comments first nest deeper than
    `limit`, or 0: one linear pass, so the TOML parser (which recurses once per level) is
    only ever given text it can parse without running out of stack."""
    depth = position = 0
    while match := _SPECIAL.search(text, position):
        char, at = match.group(), match.start()
        if char in "[{":
            depth += 1
            if depth > limit:
                return text.count("\n", 0, at) + 1
            position = at + 1
        elif char in "]}":
            depth = max(0, depth - 1)
            position = at + 1
        elif char == "#":
            end = text.find("\n", at)
            position = len(text) if end < 0 else end + 1
        else:
            position = _string_end(text, at, char)
    return 0


def _string_end(text: str, at: int, quote: str) -> int:
    """Where the string opening at `at` ends (an unterminated one ends at its line's end:
    the parser reports it)."""
    triple = quote * 3
    if text.startswith(triple, at):
        if quote == '"':
            match = _MULTI_BASIC_END.search(text, at + 3)
            while match and match.group() != triple:
                match = _MULTI_BASIC_END.search(text, match.end())
            end = match.end() if match else len(text)
        else:
            found = text.find(triple, at + 3)
            end = len(text) if found < 0 else found + 3
        for _ in range(2):  # a closing delimiter may follow up to two quotes of the text
            if text.startswith(quote, end):
                end += 1
        return end
    if quote == '"':
        match = _BASIC_END.search(text, at + 1)
        while match and match.group().startswith("\\"):
            match = _BASIC_END.search(text, match.end())
        return match.end() if match else len(text)
    found = text.find("'", at + 1)
    newline = text.find("\n", at + 1)
    ends = [i for i in (found, newline) if i >= 0]
    return min(ends) + 1 if ends else len(text)


def scheme_folder_files(folder: Path, *, from_environment: bool = False) -> list[Path]:
    """The `*.toml` files of a scheme folder, sorted; Refused, with the one
    `scheme-folder-unusable` finding, when the folder cannot be used. Hidden files (an
    editor's lock files) are left out, as a glob would."""

    def unusable(problem: str, fix: str) -> Refused:
        setting = (
            (
                "It is the folder WORKLOAD_XL_SCHEMES names: set that to the folder that "
                "holds your scheme .toml files, or unset it to use the schemes that come "
                "with the tool."
            )
            if from_environment
            else ""
        )
        message = " ".join(part for part in (problem, fix, setting) if part)
        return Refused(finding("scheme-folder-unusable", message, workbook=str(folder)))

    try:
        info = os.stat(folder)
    except FileNotFoundError:
        raise unusable("The points scheme folder does not exist.", "Check its name.") from None
    except OSError as exc:
        raise unusable(
            f"The points scheme folder cannot be read ({exc.strerror or exc}).",
            "Check it is there and that you may read it.",
        ) from None
    if not stat.S_ISDIR(info.st_mode):
        raise unusable(f"The points scheme folder is {_kind(info.st_mode)}, not a folder.", "")
    names: list[str] = []
    try:
        with os.scandir(folder) as entries:
            for entry in entries:
                if entry.name.endswith(".toml") and not entry.name.startswith("."):
                    names.append(entry.name)
                    if len(names) > MAX_SCHEME_FILES:
                        raise unusable(
                            f"The points scheme folder holds more than {MAX_SCHEME_FILES} .toml "
                            "files, so none was read: a scheme folder holds one file per "
                            "scheme.",
                            "Keep only the scheme files in it, or use another folder.",
                        )
    except OSError as exc:
        raise unusable(
            f"The points scheme folder cannot be read ({exc.strerror or exc}).",
            "Check that you may read it.",
        ) from None
    return [folder / name for name in sorted(names)]
