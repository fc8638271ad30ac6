"""Looks at a workbook file's bytes before any parser does (files edge).

Workbooks arrive by email from dozens of people. Before openpyxl sees one we make sure it is
an Office Open XML zip, not an old .xls, a password-protected file, a CSV renamed .xlsx, a zip
that expands to hundreds of megabytes, or XML with entity declarations. Each gets one plain
finding naming the file, in milliseconds and bounded memory, instead of a traceback.
"""

from __future__ import annotations

import codecs
import re
import struct
import zipfile
import zlib
from pathlib import Path
from typing import BinaryIO

from .findings import Finding
from .rules import finding

try:
    from lzma import LZMAError
except ImportError:  # a Python built without lzma: zipfile cannot unpack such parts at all
    LZMAError = zlib.error

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_MAGIC = b"PK\x03\x04"
ENCRYPTED_STREAM = "EncryptedPackage".encode("utf-16-le")

MAX_UNCOMPRESSED_BYTES = 64 * 1024 * 1024
"""A real measurement workbook is well under 1 MB unpacked; a team workbook of 60 sheets a few
MB. 64 MB leaves room for big teams and stops zip bombs before they cost memory."""
MAX_PARTS = 2000
MAX_CELLS = 5_000_000
"""Cells the sheets may declare (their `<dimension>`), checked before any sheet is parsed: a
team workbook of 60 workers holds about 50,000. The 64 MB cap bounds what a lying or missing
dimension can hide (a cell takes at least a dozen bytes of XML)."""
DIMENSION_BYTES = 4096
_DIMENSION = re.compile(
    rb'<(?:\w+:)?dimension\s+ref="([A-Za-z]{1,3})(\d{1,7})(?::([A-Za-z]{1,3})(\d{1,7}))?"'
)
CHUNK_BYTES = 64 * 1024
PROLOG_BYTES = 512
ZIP_ENCRYPTED_FLAG = 0x1
"""Bit 0 of a zip entry's flags: the entry is encrypted (`zip -e`, 7-Zip, WinZip AES)."""

UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")


def inspect_workbook_file(path: Path, label: str | None = None) -> list[Finding]:
    """Findings for a file no spreadsheet reader should be given; empty if it looks sound."""
    return inspect_and_read(path, label)[0]


def inspect_and_read(
    path: Path, label: str | None = None, keep: tuple[str, ...] = ()
) -> tuple[list[Finding], dict[str, bytes]]:
    """The guard's findings and, for a sound file, the parts named in `keep` (those present).

    A reader that needs a part the spreadsheet library cannot give (calamine has no defined
    names) takes it from here, so a thousand returns open each zip once less."""
    parts: dict[str, bytes] = {}
    return _inspect(path, label, keep, parts), parts


def _inspect(path: Path, label: str | None, keep: tuple[str, ...], parts: dict) -> list[Finding]:
    name = label or str(path)
    where = {"workbook": name}
    if not path.exists():
        return [
            finding("file-not-found", f"{name} does not exist. Check the name and folder.", **where)
        ]
    if path.is_dir():
        return [
            finding(
                "file-not-workbook",
                f"{name} is a folder with no workbooks (.xlsx, .xlsm) in it. "
                "Check the folder name.",
                **where,
            )
        ]
    try:
        with path.open("rb") as handle:
            head = handle.read(8)
            if head == OLE_MAGIC:
                body = handle.read(1024 * 1024)
                return [_ole_finding(name, body)]
    except OSError as exc:
        return [
            finding("file-not-found", f"{name} cannot be opened: {exc.strerror or exc}.", **where)
        ]
    if not head:
        return [
            finding(
                "file-not-workbook",
                f"{name} is empty (0 bytes). Save the workbook again from Excel and resend it.",
                **where,
            )
        ]
    if head[:4] != ZIP_MAGIC:
        return [
            finding(
                "file-not-workbook",
                f"{name} is not an Excel workbook{_looks_like(head)}."
                " Open it in Excel and save it as an Excel Workbook (.xlsx).",
                **where,
            )
        ]
    return _inspect_zip(path, name, keep, parts)


def _ole_finding(name: str, body: bytes) -> Finding:
    if ENCRYPTED_STREAM in body:
        return finding(
            "file-encrypted",
            f"{name} is password-protected, so it cannot be read. "
            "Open it in Excel, remove the password (File > Info > Protect Workbook) "
            "and save it again.",
            workbook=name,
        )
    return finding(
        "file-old-format",
        f"{name} is an old-style .xls workbook. Open it in Excel "
        "and save it as an Excel Workbook (.xlsx).",
        workbook=name,
    )


def _looks_like(head: bytes) -> str:
    text = head.lstrip(b"\xef\xbb\xbf")
    if text[:1].isascii() and all(32 <= b < 127 or b in (9, 10, 13) for b in text):
        return " (it looks like a text or CSV file renamed .xlsx)"
    return ""


def _inspect_zip(path: Path, name: str, keep: tuple[str, ...], parts: dict) -> list[Finding]:
    where = {"workbook": name}
    damaged = finding(
        "file-corrupt",
        f"{name} is damaged (it may have been cut short when it "
        "was sent). Ask for the file to be sent again.",
        **where,
    )
    try:
        with path.open("rb") as handle, zipfile.ZipFile(handle) as archive:
            infos = archive.infolist()
            if len(infos) > MAX_PARTS:
                return [
                    finding(
                        "file-too-large",
                        f"{name} has {len(infos)} parts inside; a "
                        f"workbook this tool reads has at most {MAX_PARTS}.",
                        **where,
                    )
                ]
            total = sum(info.file_size for info in infos)
            if total > MAX_UNCOMPRESSED_BYTES:
                return [
                    finding(
                        "file-too-large",
                        f"{name} unpacks to {total / 2**20:,.0f} MB, "
                        f"more than the {MAX_UNCOMPRESSED_BYTES // 2**20} MB a "
                        "measurement workbook can need. Check it is the right file.",
                        **where,
                    )
                ]
            names = {info.filename for info in infos}
            if "xl/workbook.xml" not in names:
                return [
                    finding(
                        "file-not-workbook",
                        f"{name} is a zip file or another Office document, not an Excel workbook.",
                        **where,
                    )
                ]
            if any(info.flag_bits & ZIP_ENCRYPTED_FLAG for info in infos):
                # zipfile raises RuntimeError when asked to open such an entry, which no
                # handler below expects; say what it is instead.
                return [
                    finding(
                        "file-encrypted",
                        f"{name} is a zip protected by a password, so it cannot be read. "
                        "Ask for a copy saved from Excel without a password.",
                        **where,
                    )
                ]
            cells = 0
            for info in infos:
                if info.filename.endswith((".xml", ".rels", ".vml")):
                    with _open_part(archive, handle, info) as part:
                        head = None
                        if info.filename.startswith("xl/worksheets/"):
                            head = part.read(DIMENSION_BYTES)
                            cells += _declared_cells(head)
                        declared = _has_xml_declaration(part, head)
                    if declared:
                        return [
                            finding(
                                "file-unsafe",
                                f"{name} contains an XML declaration "
                                f"(in {info.filename}) that Excel never writes; it is "
                                "not read, for safety. Ask for a copy saved from Excel.",
                                **where,
                            )
                        ]
            if cells > MAX_CELLS:
                return [
                    finding(
                        "file-too-large",
                        f"{name} declares {cells:,} cells in its sheets, more than the "
                        f"{MAX_CELLS:,} a workbook this tool reads can hold. Check it is the "
                        "right file.",
                        **where,
                    )
                ]
            for member in keep:
                if member in names:
                    parts[member] = archive.read(member)
    except (
        zipfile.BadZipFile,
        zipfile.LargeZipFile,
        EOFError,
        ValueError,
        OSError,
        NotImplementedError,
        zlib.error,  # a deflate stream with damaged bytes in the middle
        LZMAError,  # the same in a part compressed with LZMA, which zip allows
    ):
        return [damaged]
    return []


def _open_part(archive: zipfile.ZipFile, handle: BinaryIO, info: zipfile.ZipInfo):
    """A part to read the start of: deflated parts (all Excel writes) straight from the zip's
    bytes, others through zipfile."""
    if info.compress_type == zipfile.ZIP_DEFLATED:
        return _DeflatedHead(handle, info)
    return archive.open(info)


class _DeflatedHead:
    """The first bytes of a deflated part, inflated from the zip's own bytes with zlib.

    zipfile's `open` costs about 20 microseconds a part (a reader object, a CRC, a buffer),
    a third of the guard's time on a thousand returns of 21 parts each; this reads only as
    much compressed data as the bytes asked for need. Nothing is trusted: the local header's
    signature is checked, and damaged data raises zlib.error like zipfile would."""

    def __init__(self, handle: BinaryIO, info: zipfile.ZipInfo):
        handle.seek(info.header_offset)
        header = handle.read(_LOCAL_HEADER.size)
        if len(header) < _LOCAL_HEADER.size or header[:4] != ZIP_MAGIC:
            raise zipfile.BadZipFile(f"bad local header for {info.filename}")
        name_length, extra_length = _LOCAL_HEADER.unpack(header)[-2:]
        self._handle = handle
        self._position = info.header_offset + _LOCAL_HEADER.size + name_length + extra_length
        self._left = info.compress_size
        self._inflate = zlib.decompressobj(-zlib.MAX_WBITS)

    def read(self, size: int) -> bytes:
        out: list[bytes] = []
        while size > 0 and not self._inflate.eof:
            raw = self._inflate.unconsumed_tail or self._next_raw()
            data = self._inflate.decompress(raw, size)
            if not data and not raw:
                break
            out.append(data)
            size -= len(data)
        return b"".join(out)

    def _next_raw(self) -> bytes:
        if self._left <= 0:
            return b""
        self._handle.seek(self._position)
        raw = self._handle.read(min(self._left, _RAW_CHUNK))
        self._position += len(raw)
        self._left = self._left - len(raw) if raw else 0
        return raw

    def __enter__(self) -> _DeflatedHead:
        return self

    def __exit__(self, *exc) -> None:
        pass


_LOCAL_HEADER = struct.Struct("<4s5H3L2H")
"""A zip local file header: signature, versions, flags, method, time, date, CRC, sizes, and
the lengths of the name and extra field that come before the data."""
_RAW_CHUNK = 4096


def _declared_cells(head: bytes) -> int:
    """The cells a worksheet's `<dimension ref>` spans, from its first few KB only."""
    match = _DIMENSION.search(head)
    if match is None or match[3] is None:
        return 1 if match else 0
    rows = abs(int(match[4]) - int(match[2])) + 1
    columns = abs(_column(match[3]) - _column(match[1])) + 1
    return rows * columns


def _column(letters: bytes) -> int:
    number = 0
    for ch in letters.upper():
        number = number * 26 + ch - 64
    return number


def _has_xml_declaration(part, head: bytes | None = None) -> bool:
    """Whether a part's prolog holds a declaration (`<!DOCTYPE`, `<!ENTITY`, any `<!` that is
    not a comment) before its root element.

    XML allows declarations only in the prolog, so the scan stops at the root element: for
    the parts Excel writes that is within the first hundred bytes, which keeps this guard cheap
    on a thousand returns. Comments and processing instructions of any length are skipped
    properly, so a long comment cannot hide a DOCTYPE after it; a UTF-16 part (by its byte
    order mark) is decoded first. Excel never writes a declaration.
    """
    if head is None:
        head = part.read(PROLOG_BYTES)  # Excel's prolog is one short line: inflate no more
    encoding = "utf-16" if head[:2] in UTF16_BOMS else "latin-1"
    decoder = codecs.getincrementaldecoder(encoding)(errors="replace")
    text, position = decoder.decode(head), 0
    ends = {"<!--": "-->", "<?": "?>"}
    while True:
        start = text.find("<", position)
        if start >= 0 and len(text) - start >= 4:
            opener = next((o for o in ends if text.startswith(o, start)), None)
            if opener is None:
                return text.startswith("<!", start)
            end = text.find(ends[opener], start + len(opener))
            if end >= 0:
                position = end + len(ends[opener])
                continue
        chunk = part.read(CHUNK_BYTES)
        if not chunk:
            return False
        text += decoder.decode(chunk)
