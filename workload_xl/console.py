"""The command line's output streams on any console, pipe or file (CLI edge).

A Windows console, pipe or redirected file often takes a code page (cp1252, cp850) that
cannot show every character a team's name or a finding holds ("Łódź North", "→"). Python's
default there is to raise UnicodeEncodeError part-way through a command that has already
done its work. So a stream that would raise is switched to replace what it cannot show
(a "?"), and JSON is escaped instead (\\u0141), which keeps it valid and loses nothing.
"""

from __future__ import annotations

import codecs
import contextlib
import sys
from typing import TextIO


def tolerant_streams() -> None:
    """Standard output and error replace the characters their encoding cannot show, instead
    of raising; a stream already told what to do with them (surrogateescape, replace) is
    left as it is."""
    for stream in (sys.stdout, sys.stderr):
        if stream is not None and getattr(stream, "errors", None) == "strict":
            reconfigure = getattr(stream, "reconfigure", None)
            if reconfigure is not None:
                with contextlib.suppress(ValueError, OSError):  # closed or unusual: leave it
                    reconfigure(errors="replace")


def json_for(text: str, stream: TextIO | None = None) -> str:
    """JSON text with every character `stream` (standard output by default) cannot encode
    written as a \\u escape (a surrogate pair beyond the first plane), so a program reading
    it gets the very same strings. Outside strings JSON is ASCII, so only strings change."""
    stream = stream if stream is not None else sys.stdout
    encoding = getattr(stream, "encoding", None) or "utf-8"
    try:
        encoder = codecs.getincrementalencoder(encoding)()
    except LookupError:
        encoder = codecs.getincrementalencoder("ascii")()
    try:
        encoder.encode(text, final=True)
        return text
    except UnicodeEncodeError:
        pass
    return "".join(_escaped(char, encoding) for char in text)


def _escaped(char: str, encoding: str) -> str:
    if char.isascii():
        return char
    try:
        char.encode(encoding)
        return char
    except (UnicodeEncodeError, LookupError):
        pass
    code = ord(char)
    if code < 0x10000:
        return f"\\u{code:04x}"
    code -= 0x10000
    return f"\\u{0xD800 + (code >> 10):04x}\\u{0xDC00 + (code & 0x3FF):04x}"
