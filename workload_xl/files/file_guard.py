"""Looks at a workbook file's bytes before any parser does (files edge).

Workbooks arrive by email from dozens of people. Before openpyxl sees one we make sure it is
an Office Open XML zip, not an old .xls, a password-protected file, a CSV renamed .xlsx, a zip
that expands to hundreds of megabytes, or XML with entity declarations. Each gets one plain
finding naming the file, in milliseconds and bounded memory, instead of a traceback.
"""

from __future__ import annotations

import codecs
import contextlib
import os
import posixpath
import re
import stat
import struct
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from itertools import accumulate
from pathlib import Path
from typing import BinaryIO

from defusedxml import ElementTree

from workload_xl.contracts import grid
from workload_xl.core.cells import address, column_letter, column_number
from workload_xl.core.findings import Finding
from workload_xl.core.rules import finding
from workload_xl.files import file_kinds, windows
from workload_xl.files.file_kinds import OLE_MAGIC, ZIP_MAGIC, FileKind

try:
    from lzma import LZMAError
except ImportError:  # a Python built without lzma: zipfile cannot unpack such parts at all
    LZMAError = zlib.error


MAX_UNCOMPRESSED_BYTES = 64 * 1024 * 1024
"""A real measurement workbook is well under 1 MB unpacked; a team workbook of 60 sheets a few
MB. 64 MB leaves room for big teams and stops zip bombs before they cost memory."""
MAX_FILE_BYTES = 64 * 1024 * 1024
"""The file itself: a measurement or team workbook is a few hundred KB. Also the most any
command reads to hash a file."""
MAX_PARTS = 2000
MAX_CELLS = 5_000_000
"""Cells the sheets may declare (their `<dimension>`, which some readers reserve room for) and
may really span, in all: a team workbook of 60 workers holds about 50,000."""
_DIMENSION = re.compile(
    rb'<(?:\w+:)?dimension\s+ref="([A-Za-z]{1,3})(\d{1,7})(?::([A-Za-z]{1,3})(\d{1,7}))?"'
)
CHUNK_BYTES = 64 * 1024
"""How much of a part the guard inflates and judges at a time: far below MAX_TOKEN_BYTES, so
no token within one chunk can be too long."""
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
    try:
        status = path.stat()
    except OSError as exc:
        if windows.too_long(os.path.abspath(path)):  # Windows says "no such file" then
            return [finding("file-not-found", windows.too_long_message(name), **where)]
        if isinstance(exc, FileNotFoundError):
            said = f"{name} does not exist. Check the name and folder."
        else:
            said = f"{name} cannot be opened: {exc.strerror or exc}."
        return [finding("file-not-found", said, **where)]
    if stat.S_ISDIR(status.st_mode):
        return [
            finding(
                "file-not-workbook",
                f"{name} is a folder with no workbooks (.xlsx, .xlsm) in it. "
                "Check the folder name.",
                **where,
            )
        ]
    if not stat.S_ISREG(status.st_mode):
        return [_not_regular(name)]
    if status.st_size > MAX_FILE_BYTES:
        return [
            finding(
                "file-too-large",
                f"{name} is {status.st_size / 2**20:,.0f} MB, more than the "
                f"{MAX_FILE_BYTES // 2**20} MB a workload workbook can be. Check it is the "
                "right file.",
                **where,
            )
        ]
    try:
        with _open_regular(path) as handle:
            head = _read_head(handle)
    except _NotRegular:  # replaced by a pipe or device since it was looked at
        return [_not_regular(name)]
    except OSError as exc:
        return [
            finding("file-not-found", f"{name} cannot be opened: {exc.strerror or exc}.", **where)
        ]
    kind = file_kinds.kind_of(head)
    if kind is file_kinds.ZIP:
        return _inspect_zip(path, name, keep, parts, head)
    return [not_a_workbook(name, kind)]


def _read_head(handle: BinaryIO) -> bytes:
    """The bytes `file_kinds.kind_of` needs: the first few KB, an old Office file's first MB."""
    head = handle.read(file_kinds.HEAD_BYTES)
    if head.startswith(OLE_MAGIC):
        head += handle.read(file_kinds.OLE_HEAD_BYTES - len(head))
    return head


def file_kind(path: Path) -> FileKind:
    """What kind of file this is, from its bytes (a zip from the parts it lists), whatever its
    name says: for readers that take more than workbooks (the caseload report). A file that
    cannot be opened is `UNKNOWN`, a zip whose parts cannot be listed (damaged, or larger than
    any workbook) `UNLISTED_ZIP`: the guard then says what is wrong with it."""
    try:
        with _open_regular(path) as handle:
            head = _read_head(handle)
            if not head.startswith(ZIP_MAGIC):
                return file_kinds.kind_of(head)
            if os.fstat(handle.fileno()).st_size > MAX_FILE_BYTES:
                return file_kinds.UNLISTED_ZIP
            handle.seek(0)
            try:
                with zipfile.ZipFile(handle) as archive:
                    names = archive.namelist()
            except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, ValueError, OSError):
                return file_kinds.UNLISTED_ZIP
            return file_kinds.kind_of(head, names)
    except OSError:  # _NotRegular included
        return file_kinds.UNKNOWN


def not_a_workbook(name: str, kind: FileKind) -> Finding:
    """The finding for a file whose bytes are not an Excel workbook's, naming what it is:
    the one message `validate`, `build-team`, `consolidate` and the caseload import give."""
    where = {"workbook": name}
    if kind is file_kinds.EMPTY:
        return finding(
            "file-not-workbook",
            f"{name} is empty (0 bytes). Save the workbook again from Excel and resend it.",
            **where,
        )
    if kind is file_kinds.ENCRYPTED:
        return finding(
            "file-encrypted",
            f"{name} is password-protected, so it cannot be read. "
            "Open it in Excel, remove the password (File > Info > Protect Workbook) "
            "and save it again.",
            **where,
        )
    if kind is file_kinds.OLD_EXCEL:
        return finding(
            "file-old-format",
            f"{name} is {kind.name}. Open it in Excel and save it as an Excel Workbook (.xlsx).",
            **where,
        )
    if kind is file_kinds.TEXT:
        renamed = " renamed .xlsx" if Path(name).suffix.lower() in (".xlsx", ".xlsm") else ""
        said = f"is not an Excel workbook (it looks like a text or CSV file{renamed})"
    elif kind is file_kinds.UNKNOWN:
        said = "is not an Excel workbook"
    else:
        said = f"is {kind.name}, not an Excel workbook"
    if kind.copy:
        fix = (
            "The tool reads the figures from the workbook itself, not from a printed, scanned "
            "or pasted copy: give it the Excel workbook (.xlsx) itself."
        )
    elif kind is file_kinds.ZIP:
        fix = "If the workbook is inside it, unzip it and give the workbook (.xlsx) itself."
    else:
        fix = "Open it in Excel and save it as an Excel Workbook (.xlsx)."
    return finding("file-not-workbook", f"{name} {said}. {fix}", **where)


def _not_regular(name: str) -> Finding:
    return finding(
        "file-not-workbook",
        f"{name} is not a file but a pipe, a device or a link to one, so it is not read. Put "
        "the workbook itself in its place.",
        workbook=name,
    )


def is_regular_file(path: Path) -> bool:
    """Whether the path (or what a link at it points to) is a regular file: the only thing
    any command opens, hashes or reads. Never blocks, even on a FIFO."""
    try:
        return stat.S_ISREG(Path(path).stat().st_mode)
    except OSError:
        return False


def report_file_problem(path: Path, rule: str, report: str) -> Finding | None:
    """Why an exported report (a caseload report, an activity export) cannot be opened at
    all, as `rule`: it is a pipe, a device or a link to one (never opened, which could hang),
    or it is not there; None when it is a file. `report` names it for the message ("the
    caseload report")."""
    name = str(path)
    if path.exists() and not path.is_dir() and not is_regular_file(path):
        return finding(
            rule,
            f"{name} is not a file but a pipe, a device or a link to one, so it is not read. "
            f"Export {report} again and give that file.",
            workbook=name,
        )
    if not path.is_file():
        return finding(
            rule,
            f"{name} does not exist. Check the name and folder of {report}.",
            workbook=name,
        )
    return None


def _inspect_zip(
    path: Path, name: str, keep: tuple[str, ...], parts: dict, head: bytes
) -> list[Finding]:
    where = {"workbook": name}
    damaged = finding(
        "file-corrupt",
        f"{name} is damaged (it may have been cut short when it "
        "was sent). Ask for the file to be sent again.",
        **where,
    )
    try:
        with _open_regular(path) as handle, zipfile.ZipFile(handle) as archive:
            infos = archive.infolist()
            problem = _check_directory(handle, infos, name, head)
            if problem is None:
                scan = _Scan()
                for info in infos:
                    problem = _scan_part(archive, handle, info, scan, name)
                    if problem is not None:
                        break
                else:
                    problem = _check_extents(archive, scan, name)
            if problem is not None:
                return [problem]
            names = {info.filename for info in infos}
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
        _Damaged,  # a part that inflates to more than its header says, or a lying header
    ):
        return [damaged]
    return []


class _Damaged(Exception):
    """A zip whose headers and data disagree: one `file-corrupt` finding."""


def _check_directory(
    handle: BinaryIO, infos: list[zipfile.ZipInfo], name: str, head: bytes
) -> Finding | None:
    """What the zip's directory alone shows: too many parts, a declared size too large, not a
    workbook, encrypted parts, a part named twice, or a local header naming another part."""
    where = {"workbook": name}
    if len(infos) > MAX_PARTS:
        return finding(
            "file-too-large",
            f"{name} has {len(infos)} parts inside; a workbook this tool reads has at most "
            f"{MAX_PARTS}.",
            **where,
        )
    total = sum(info.file_size for info in infos)
    if total > MAX_UNCOMPRESSED_BYTES:
        return _too_many_bytes(name, total)
    names = [info.filename for info in infos]
    if "xl/workbook.xml" not in names:
        return not_a_workbook(name, file_kinds.kind_of(head, names))
    if any(info.flag_bits & ZIP_ENCRYPTED_FLAG for info in infos):
        # zipfile raises RuntimeError when asked to open such an entry, which no handler
        # expects; say what it is instead.
        return finding(
            "file-encrypted",
            f"{name} is a zip protected by a password, so it cannot be read. "
            "Ask for a copy saved from Excel without a password.",
            **where,
        )
    odd = next((i for i in infos if i.compress_type not in _EXCEL_COMPRESSION), None)
    if odd is not None:
        # Excel stores or deflates every part; calamine reads nothing else, openpyxl does:
        # refused here, every command treats such a file the same way.
        return finding(
            "file-corrupt",
            f"{name} is damaged or was not saved by Excel: its part {odd.filename} is "
            f"compressed in a way Excel never uses (zip method {odd.compress_type}). Open it "
            "in Excel, save it again as an Excel Workbook (.xlsx) and send it again.",
            **where,
        )
    folded = [n.replace("\\", "/").casefold() for n in names]
    if len(set(folded)) != len(folded):
        twice = next(n for n in names if folded.count(n.replace("\\", "/").casefold()) > 1)
        return _unsafe(
            name,
            f"holds two parts named {twice} (readers would disagree on which one is the workbook)",
        )
    for info in infos:
        local = _local_name(handle, info)
        if local != info.filename.encode("utf-8") and local != info.orig_filename.encode(
            "cp437", errors="replace"
        ):
            return _unsafe(
                name,
                f"names the part {info.filename} differently in two places "
                "(its local header and the zip's directory)",
            )
    return None


_EXCEL_COMPRESSION = (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED)


def _local_name(handle: BinaryIO, info: zipfile.ZipInfo) -> bytes:
    handle.seek(info.header_offset)
    header = handle.read(_LOCAL_HEADER.size)
    if len(header) < _LOCAL_HEADER.size or header[:4] != ZIP_MAGIC:
        raise _Damaged(info.filename)
    return handle.read(_LOCAL_HEADER.unpack(header)[-2])


def _unsafe(name: str, what: str) -> Finding:
    return finding(
        "file-unsafe",
        f"{name} {what}, which Excel never writes; it is not read, for safety. Ask for a copy "
        "saved from Excel.",
        workbook=name,
    )


def _too_many_bytes(name: str, total: int) -> Finding:
    return finding(
        "file-too-large",
        f"{name} unpacks to {total / 2**20:,.0f} MB or more, more than the "
        f"{MAX_UNCOMPRESSED_BYTES // 2**20} MB a measurement workbook can need. Check it is "
        "the right file.",
        workbook=name,
    )


@dataclass
class _Scan:
    """What the guard learnt from inflating every part: bytes, each sheet's real extent (by
    part name) and declared cells, and each table's reference."""

    inflated: int = 0
    declared: int = 0
    estimated: bool = False  # some extent is a bound from the quick scan, not exact
    extents: dict[str, tuple[int, int]] = field(default_factory=dict)
    tables: dict[str, str] = field(default_factory=dict)


def _scan_part(
    archive: zipfile.ZipFile, handle: BinaryIO, info: zipfile.ZipInfo, scan: _Scan, name: str
) -> Finding | None:
    """Inflate one part whole, counting what it really holds (never what its header claims):
    bytes, elements and, for XML, declarations, long tokens, a sheet's real extent, a
    table's reference and (for the parts readers load as trees) nesting depth.

    What a part is comes from its content, not its name: readers follow the workbook's
    relationships, so a sheet moved to `xl/data/sheet1.bin` is still read as a sheet. XML is
    any part whose first character is `<`; its root element says what it is, and a part
    whose root is hidden behind comments is scanned as every kind at once."""
    part_name = info.filename
    kind = ""  # decided by the first chunk
    tokens = extent = None
    size = elements = depth = deepest = 0
    carry = b""
    plain = False  # the part is one chunk the token checks cannot refuse (see _plain)
    counts_elements = True
    shallow = False  # nor the depth check: too few tags to nest MAX_DEPTH deep
    with _open_part(archive, handle, info) as part:
        while chunk := part.read(CHUNK_BYTES):
            size += len(chunk)
            if size > info.file_size:  # more than the header says: a lying zip
                raise _Damaged(part_name)
            if scan.inflated + size > MAX_UNCOMPRESSED_BYTES:
                return _too_many_bytes(name, scan.inflated + size)
            if not kind:
                kind = _kind(chunk)
                if kind == "utf-16":
                    return _unsafe(name, f"has a part in UTF-16 ({part_name})")
                extent = _Extent() if kind in ("worksheet", "?") else None
                counts_elements = _counts_elements(kind, info.file_size)
            if kind == "binary":
                continue
            if counts_elements:
                elements += chunk.count(b"<")
                if elements > _element_cap(kind):
                    return _too_many_elements(name, part_name, _element_cap(kind))
            if tokens is None and not plain:  # the first chunk decides
                # The whole part, as its header says: any more would be raised as damaged.
                plain = size == len(chunk) == info.file_size and _plain(chunk)
                shallow = plain and elements <= MAX_DEPTH
                tokens = None if plain else _Tokens()
            if tokens is not None and not tokens.feed(chunk):
                if tokens.declaration:
                    return _declaration(name, part_name)
                return _unsafe(
                    name,
                    f"holds one XML tag, comment or text over "
                    f"{MAX_TOKEN_BYTES // 2**20} MB long (in {part_name})",
                )
            if extent is not None:
                carry = extent.feed(carry + chunk)
            if not shallow and kind not in ("worksheet", "sst"):
                depth, deepest = _depth(chunk, depth, deepest)
                if deepest > MAX_DEPTH:
                    return _unsafe(
                        name, f"nests its XML more than {MAX_DEPTH} levels deep (in {part_name})"
                    )
            if kind in ("table", "?") and size == len(chunk):
                ref = _TABLE_REF.search(chunk)
                if ref is not None or kind == "table":
                    scan.tables[part_name] = ref[1].decode("ascii", "replace") if ref else ""
    if size != info.file_size:
        raise _Damaged(part_name)
    if tokens is not None and not tokens.feed(b"", end=True):
        if tokens.declaration:
            return _declaration(name, part_name)
        return _unsafe(
            name,
            f"holds an XML comment or section that is never closed, or one "
            f"over {MAX_TOKEN_BYTES // 2**20} MB long (in {part_name})",
        )
    if extent is not None:
        if carry:
            extent.feed(carry)
        if extent.escaped:
            return _unsafe(
                name, f"writes a cell's address with character references (in {part_name})"
            )
        scan.extents[part_name] = extent.span()
        scan.estimated |= extent.estimated
        scan.declared += extent.declared
    scan.inflated += size
    return None


_DECLARATION = re.compile(rb"\s*<\?xml[^>]{0,500}\?>\s*")
_ROOT = re.compile(rb"<(?:[A-Za-z_][\w.-]{0,30}:)?([A-Za-z_][\w.-]{0,60})")
_KINDS = {
    b"worksheet": "worksheet",
    b"chartsheet": "worksheet",
    b"dialogsheet": "worksheet",
    b"macrosheet": "worksheet",
    b"table": "table",
    b"sst": "sst",
    b"styleSheet": "styles",
}


def _plain(chunk: bytes) -> bool:
    """Whether a chunk, taken as a whole part, is one the token checks (`_Tokens`) cannot
    refuse, so they need not follow it: no `<!` at all (no declaration, comment or CDATA
    section), and at most one `<?`, closed by a `?>` after it (the XML declaration). A chunk
    is shorter than MAX_TOKEN_BYTES, so nothing in it is too long. Most parts of a workbook
    are one small chunk like this. (Its depth need not be followed either when it holds no
    more `<` than MAX_DEPTH: each opens one level at most.)"""
    if b"<!" in chunk:
        return False
    opener = chunk.find(b"<?")
    return opener < 0 or (chunk.find(b"?>", opener + 2) >= 0 and chunk.find(b"<?", opener + 2) < 0)


def _kind(head: bytes) -> str:
    """What a part is, from its first bytes: "binary" (not XML), "utf-16" (XML Excel never
    writes), the kind its root element names ("worksheet", "table", "sst", "styles"), "xml"
    for any other root, or "?" when the root is not the first thing after the declaration."""
    body = head[3:] if head.startswith(codecs.BOM_UTF8) else head
    if body[:2] in UTF16_BOMS:
        return "utf-16"
    if body.lstrip()[:1] != b"<":
        return "binary"
    if b"\x00" in body[:512]:  # UTF-16 or UTF-32 without a byte order mark
        return "utf-16"
    declaration = _DECLARATION.match(body)
    start = declaration.end() if declaration else len(body) - len(body.lstrip())
    root = _ROOT.match(body, start)
    if root is None:
        return "?"
    return _KINDS.get(root[1], "xml")


MAX_ELEMENTS = {"sst": 2_000_000, "styles": 500_000}
"""Tags a part may hold (`<` counted as inflated), by what it is. A team workbook's shared
strings hold a few thousand; Excel allows 64,000 cell formats. Millions of tiny entries cost
openpyxl minutes and gigabytes, so they are refused before any reader builds them."""
MAX_PART_ELEMENTS = 4_000_000
"""Tags any other part may hold: sheets are bounded by their cells, the rest is small."""
MAX_DEPTH = 100
"""XML nesting in the parts readers load whole (workbook, styles, relationships, tables,
drawings, charts): Excel's are under 20 deep; deep nesting makes tree readers recurse until
they fail."""


def _element_cap(kind: str) -> int:
    return MAX_ELEMENTS.get(kind, MAX_PART_ELEMENTS)


def _counts_elements(kind: str, declared_size: int) -> bool:
    """Whether the guard must count a part's tags. A sheet's or shared strings' count is used
    only against its cap, and each tag takes a `<` byte: a part whose header declares no more
    bytes than the cap cannot hold too many (more bytes than declared is refused as damaged),
    so the count (a pass over the 200 KB of a team's Cases sheet) is skipped. Any other part's
    count also says whether its depth must be followed (`shallow`), so it is always counted."""
    return kind not in ("worksheet", "sst") or declared_size > _element_cap(kind)


def _too_many_elements(name: str, part_name: str, cap: int) -> Finding:
    return finding(
        "file-too-large",
        f"{name} holds more than {cap:,} entries in {part_name}, far more than a workload "
        "workbook can need. Check it is the right file, or copy its sheets into a new workbook "
        "in Excel and send that.",
        workbook=name,
    )


def _declaration(name: str, part_name: str) -> Finding:
    return _unsafe(name, f"contains an XML declaration (in {part_name})")


MAX_TOKEN_BYTES = 1024 * 1024
"""The longest tag, comment, processing instruction or CDATA section (and the longest run
without a tag) a part may hold. Excel's longest is a cell's text, 32,767 characters (under
200 KB as XML); the expat parser behind openpyxl re-reads an unfinished token each time it is
fed more, so a 60 MB one costs it hours."""
MAX_SPECIALS = 10_000
"""Comments, processing instructions and CDATA sections a part may hold (Excel writes only
the XML declaration)."""
_SPECIAL = re.compile(rb"<!--|<!\[CDATA\[|<\?|<!")
"""Openers, longest first: `<!` alone is a declaration (DOCTYPE, ENTITY)."""
_SPECIAL_START = re.compile(rb"<[!?]")
_SPECIAL_END = {b"<!--": b"-->", b"<![CDATA[": b"]]>", b"<?": b"?>"}
_LONGEST_OPENER = len(b"<![CDATA[")


class _Tokens:
    """Whether a part holds a declaration (`<!DOCTYPE`, `<!ENTITY`: any `<!` outside a
    comment or CDATA section) and whether every token (tag, comment, processing instruction,
    CDATA section, and every stretch between two tags) is shorter than MAX_TOKEN_BYTES, fed
    chunk by chunk.

    A tag cannot hold `<`, so a long tag is a long stretch without one: two searches a chunk.
    Comments, instructions and CDATA may hold `<` (and a DOCTYPE's text), so they are
    followed from opener to terminator, but only in a chunk that has an opener or is inside
    one (Excel writes none but the XML declaration): no amount of comment hides a DOCTYPE
    after it. Linear: each byte is searched a fixed number of times, and everything before
    `seen` is never judged again."""

    def __init__(self) -> None:
        self.offset = 0  # bytes fed so far
        self.last_lt = 0  # where the latest `<` was
        self.tail = b""  # the end of the previous chunk, for an opener or terminator split
        self.seen = 0  # everything before this position has been judged
        self.inside: bytes | None = None  # the terminator being looked for
        self.start = 0  # where the open comment, instruction or section began
        self.specials = 0
        self.declaration = False

    def feed(self, chunk: bytes, end: bool = False) -> bool:
        """False when the part is refused: `declaration` says whether for a declaration; at
        the `end` (an empty chunk) also for a comment or section never closed."""
        first = chunk.find(b"<")
        if first < 0:
            if self.offset + len(chunk) - self.last_lt > MAX_TOKEN_BYTES:
                return False
        else:
            if self.offset + first - self.last_lt > MAX_TOKEN_BYTES:
                return False
            self.last_lt = self.offset + chunk.rfind(b"<")
        data, base = self.tail + chunk, self.offset - len(self.tail)
        special = self.inside is not None or (
            (b"!" in data or b"?" in data)  # one memchr each: most chunks hold neither
            and _SPECIAL_START.search(data)
        )
        if special and not self._specials(data, base, end):
            return False
        self.offset += len(chunk)
        self.tail = data[-2 * _LONGEST_OPENER :]
        return self.inside is None if end else True

    def _specials(self, data: bytes, base: int, end: bool) -> bool:
        """Follow comments, instructions and sections through `data`, which starts at
        absolute position `base`."""
        position = max(0, self.seen - base)
        while True:
            if self.inside is not None:
                close = data.find(self.inside, position)
                if close < 0:
                    return base + len(data) - self.start <= MAX_TOKEN_BYTES
                if base + close - self.start > MAX_TOKEN_BYTES:
                    return False
                position, self.inside = close + len(self.inside), None
                self.seen = base + position
                continue
            if data.find(b"!", position) < 0 and data.find(b"?", position) < 0:
                return True  # no opener can follow (one memchr each, where the rest is tags)
            opener = _SPECIAL.search(data, position)
            if opener is None:
                return True
            if opener[0] == b"<!":
                if len(data) - opener.start() < _LONGEST_OPENER and not end:
                    return True  # perhaps a comment's opener, split: judged with what follows
                self.declaration = True
                return False
            self.specials += 1
            if self.specials > MAX_SPECIALS:
                return False
            self.inside, self.start = _SPECIAL_END[opener[0]], base + opener.start()
            position = opener.end()
            self.seen = base + position


_TAG_TOKEN = re.compile(rb"</|/>|<[!?]|<")
_DEPTH_STEP = {b"<": 1, b"</": -1, b"/>": -1, b"<!": 0, b"<?": 0}


def _depth(chunk: bytes, depth: int, deepest: int) -> tuple[int, int]:
    """The nesting depth after this chunk and the deepest so far, from its tag tokens (one
    regex pass and a running sum, both in C). A token split across chunks shifts the count by
    one at most."""
    steps = list(accumulate(map(_DEPTH_STEP.__getitem__, _TAG_TOKEN.findall(chunk)), initial=depth))
    return steps[-1], max(deepest, max(steps))


_TABLE_REF = re.compile(rb"<(?:\w{1,30}:)?table\b[^>]{0,2000}?\bref\s*=\s*[\"']([^\"']{1,40})")

_ROW_REF = re.compile(rb"<(?:\w{1,30}:)?row\b[^>]{0,1000}?\br\s*=\s*[\"']\s*(\d{1,12})")
_CELL_REF = re.compile(
    rb"<(?:\w{1,30}:)?c\b[^>]{0,1000}?\br\s*=\s*[\"']\s*\$?([A-Za-z]{1,6})\$?(\d{1,12})"
)
_ROW_TAG = re.compile(rb"<(?:\w{1,30}:)?row[\s/>]")
_CELL_TAG = re.compile(rb"<(?:\w{1,30}:)?c[\s/>]")


class _Extent:
    """The real extent of a worksheet (rows and columns from A1), from the cells it holds,
    whatever its `<dimension>` says: what a reader that builds a dense range will allocate.

    Fed chunks of the sheet's XML; each call returns the bytes after the last `<` to prepend
    to the next chunk, so no tag is split. Linear: each byte is searched a fixed number of
    times, in C. For a chunk whose every cell is written `<c r="A1"` (as Excel, openpyxl,
    xlsxwriter and LibreOffice write them) the longest row number and column name bound the
    extent from a few literal searches; only a chunk whose bound could pass the cap, or
    written any other way, has its addresses read one by one. A cell or row without an `r`
    attribute takes the next place, so each one counts as one more column or row on top of
    the largest address seen (an overestimate only for files Excel never writes)."""

    def __init__(self, exact: bool = False) -> None:
        self.rows = 0
        self.columns = 0
        self.unaddressed_rows = 0
        self.unaddressed_cells = 0
        self.declared = 0  # the cells its <dimension> claims, which some readers reserve
        self.exact = exact  # read every address, never the quick bound
        self.estimated = False  # some chunk was bounded, not read address by address
        self.escaped = False  # an address written with character references (&#88;...)

    def feed(self, data: bytes) -> bytes:
        cut = data.rfind(b"<")
        if cut < 0 or len(data) - cut > 4096:
            cut = len(data)
        body, rest = data[:cut], data[cut:]
        if b"dimension" in body:
            self.declared = max(self.declared, _declared_cells(body))
        bound = None if self.exact else _quick_bound(body)
        if bound is not None:
            self.rows, self.columns = max(self.rows, bound[0]), max(self.columns, bound[1])
            self.estimated = True
        else:
            self._exact(body)
        return rest

    def _exact(self, body: bytes) -> None:
        if b"&" in body and _ESCAPED_ADDRESS.search(body):
            self.escaped = True
        rows = _ROW_REF.findall(body)
        cells = _CELL_REF.findall(body)
        if rows:
            self.rows = max(self.rows, max(map(int, set(rows))))
        if cells:
            letters, numbers = zip(*cells, strict=True)
            self.rows = max(self.rows, max(map(int, set(numbers))))
            self.columns = max(self.columns, max(map(_column, set(letters))))
        self.unaddressed_rows += max(0, len(_ROW_TAG.findall(body)) - len(rows))
        self.unaddressed_cells += max(0, len(_CELL_TAG.findall(body)) - len(cells))

    def span(self) -> tuple[int, int]:
        return self.rows + self.unaddressed_rows, self.columns + self.unaddressed_cells


_SHAPE = bytes.maketrans(
    b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789",
    b"A" * 26 + b"a" * 26 + b"0" * 10,
)
"""Every capital to A, small letter to a and digit to 0, so one literal search asks "is
there an address with three letters", "with five digits" or "in small letters". `<c r="`
becomes `<a a="`."""
_MOST_COLUMNS = {1: 26, 2: 26 + 26**2, 3: 26 + 26**2 + 26**3}


def _quick_bound(body: bytes) -> tuple[int, int] | None:
    """(rows, columns) no cell in this chunk goes beyond, when every cell in it is written
    `<c r="A1"` and the bound is within the cap; None when its addresses must be read.
    Compiled literal searches, which here run faster than `bytes.find`."""
    if _PREFIXED_CELL.search(body):
        return None
    if _SMALL_CELL.search(body) is None:
        return 999, 26  # every cell `<c r="A1"` to `<c r="Z999"`, as most sheets are
    if _ODD_CELL.search(body):
        return None
    shape = body.translate(_SHAPE)
    if _WIDE_OR_LONG.search(shape) is None:
        return 999, 26  # every address in one letter and at most three digits, as most are
    two_letters = _LETTERS[2].search(shape) is not None
    if not two_letters and _ONE_LETTER_FOUR_DIGITS not in shape:
        return 999, 26
    letters = 1
    if two_letters:
        letters = 0 if _LETTERS[4].search(shape) else 3 if _LETTERS[3].search(shape) else 2
    digits = 3  # an address with at least N digits: `<a a="`, letters and N zeros in the shape
    if _DIGITS[4].search(shape):
        digits = next((n for n in (4, 5, 6, 7) if not _DIGITS[n + 1].search(shape)), 0)
    if not letters or not digits:
        return None
    rows, columns = 10**digits - 1, _MOST_COLUMNS[letters]
    return (rows, columns) if rows * columns <= MAX_SHEET_CELLS else None


_ODD_CELL = re.compile(rb'<c(?! r="[A-Z])[ >/\t\r\n]')
"""A cell with no attributes, any white space but one space after its name, or whose first
attribute is not its address in capitals. (Written as a look-ahead then a class, which the
regex engine runs faster than the same as two branches.)"""
_SMALL_CELL = re.compile(rb'<c(?! r="[A-Z][0-9]{1,3}")[ >/\t\r\n]')
"""A cell not written `<c r="` one capital, one to three digits and `"`: found nowhere, the
chunk is bounded by Z999 in one pass, without the shape (`_SHAPE`) and its searches, which
cost twice as much on a team's Cases sheet. Anything else is judged as before."""
_PREFIXED_CELL = re.compile(rb":c[\s>/]")
_ESCAPED_ADDRESS = re.compile(
    rb"<(?:\w{1,30}:)?(?:c|row)\b[^>]{0,1000}?\br\s*=\s*[\"'][^\"'>]{0,40}&"
)
_LETTERS = {n: re.compile(b'<a a="' + b"A" * n) for n in (2, 3, 4)}
_ONE_LETTER_FOUR_DIGITS = b'<a a="A0000'
"""`_DIGITS[4]` where no address has two letters: one literal search instead of a pattern."""
_WIDE_OR_LONG = re.compile(b' a="A(?:A|0000)')
"""Where `_LETTERS[2]` or `_ONE_LETTER_FOUR_DIGITS` could match (each holds this), in one pass
of the shape instead of two: found nowhere, neither is, and the chunk is bounded at once."""
_DIGITS = {n: re.compile(b'<a a="A{1,3}' + b"0" * n) for n in range(4, 9)}
"""A cell address with at least N digits: only in a cell's own `r` (every cell of the chunk is
written `<c r="A1"`), so a case reference such as "C100404" in a cell's text does not make
the chunk's addresses be read one by one."""


MAX_SHEET_CELLS = grid.MAX_SHEET_CELLS
"""The cells one sheet may span, and one table's reference (contracts.grid says why)."""
MAX_TABLE_CELLS = grid.MAX_TABLE_CELLS


def _check_extents(archive: zipfile.ZipFile, scan: _Scan, name: str) -> Finding | None:
    """A sheet whose real extent, or a table whose reference, spans more cells than any
    reader should build: a finding at the far cell, naming the sheet."""
    if scan.declared > MAX_CELLS:
        return finding(
            "file-too-large",
            f"{name} declares {scan.declared:,} cells in its sheets, more than the "
            f"{MAX_CELLS:,} a workbook this tool reads can hold. Check it is the right file.",
            workbook=name,
        )
    if scan.estimated and sum(r * c for r, c in scan.extents.values()) > MAX_CELLS:
        # Many small sheets each bounded loosely: read their addresses one by one instead.
        for part_name in scan.extents:
            extent = _Extent(exact=True)
            extent.feed(archive.read(part_name) + b"<")
            scan.extents[part_name] = extent.span()
    total = 0
    for part_name, (rows, columns) in scan.extents.items():
        cells = rows * columns
        total += cells
        if cells > MAX_SHEET_CELLS:
            sheet = _sheet_names(archive).get(part_name, part_name)
            corner = address(rows, columns)
            return finding(
                "sheet-too-large",
                f"{name}: the sheet '{sheet}' has something in row {rows:,} or column "
                f"{column_letter(columns)}, so it spans {cells:,} cells to {corner} (a workload "
                f"workbook needs far fewer than {MAX_SHEET_CELLS:,}). In Excel, press Ctrl+End on "
                "that sheet to go to the last cell, delete the rows and columns after your data, "
                "save and send the file again.",
                workbook=name,
                sheet=sheet,
                cell=corner,
            )
    if total > MAX_CELLS:
        return finding(
            "file-too-large",
            f"{name} spans {total:,} cells in its sheets, more than the {MAX_CELLS:,} a "
            "workbook this tool reads can hold. Check it is the right file.",
            workbook=name,
        )
    for part_name, ref in scan.tables.items():
        bounds = _bounds(ref)
        if bounds is None:
            return _unsafe(
                name, f"gives a table a range that is not an A1 reference (in {part_name})"
            )
        (top, left), (bottom, right) = bounds
        cells = (bottom - top + 1) * (right - left + 1)
        if cells > MAX_TABLE_CELLS:
            table, sheet = _table_place(archive, part_name)
            return finding(
                "table-too-large",
                f"{name}: the table {table} on the sheet '{sheet}' covers {ref} ({cells:,} "
                f"cells), far more than its rows need. In Excel, click in the table, choose "
                "Table Design > Resize Table and end it at the last row you use, then save and "
                "send the file again.",
                workbook=name,
                sheet=sheet,
                cell=address(bottom, right),
            )
    return None


_A1 = re.compile(r"^\$?([A-Za-z]{1,6})\$?(\d{1,12})$")


def _bounds(ref: str) -> tuple[tuple[int, int], tuple[int, int]] | None:
    """((top, left), (bottom, right)) of an A1 reference, 1-based; None if it is not one."""
    ends = []
    for piece in ref.split(":")[:2]:
        match = _A1.match(piece.strip())
        if match is None:
            return None
        ends.append((int(match[2]), column_number(match[1])))
    if len(ends) == 1:
        ends.append(ends[0])
    (r1, c1), (r2, c2) = ends
    return (min(r1, r2), min(c1, c2)), (max(r1, r2), max(c1, c2))


def _sheet_names(archive: zipfile.ZipFile) -> dict[str, str]:
    """Each worksheet part's sheet name (for messages only; the parts are known to be sound
    and small by now)."""
    try:
        rels = _relationships(archive, "xl/_rels/workbook.xml.rels", "xl/")
        root = ElementTree.fromstring(archive.read("xl/workbook.xml"))
    except Exception:  # a message without the sheet's name is still a message
        return {}
    found = {}
    for element in root.iter():
        if element.tag.rsplit("}", 1)[-1] == "sheet":
            rid = next((v for k, v in element.attrib.items() if k.rsplit("}", 1)[-1] == "id"), "")
            if rid in rels:
                found[rels[rid]] = element.get("name", "")
    return found


def _table_place(archive: zipfile.ZipFile, table_part: str) -> tuple[str, str]:
    """(table name, sheet name) of a table part, for the message."""
    table = table_part
    with contextlib.suppress(Exception):
        root = ElementTree.fromstring(archive.read(table_part))
        table = root.get("displayName") or root.get("name") or table_part
    sheets = _sheet_names(archive)
    for sheet_part, sheet in sheets.items():
        folder, _, base = sheet_part.rpartition("/")
        with contextlib.suppress(Exception):
            rels = _relationships(archive, f"{folder}/_rels/{base}.rels", folder + "/")
            if table_part in rels.values():
                return table, sheet
    return table, "?"


def _relationships(archive: zipfile.ZipFile, rels_part: str, base: str) -> dict[str, str]:
    """Relationship id -> part name (targets resolved against `base`)."""
    root = ElementTree.fromstring(archive.read(rels_part))
    found = {}
    for element in root:
        target = element.get("Target", "")
        if target.startswith("/"):
            resolved = target.lstrip("/")
        else:
            resolved = posixpath.normpath(posixpath.join(base, target))
        found[element.get("Id", "")] = resolved
    return found


@contextlib.contextmanager
def _open_regular(path: Path) -> Iterator[BinaryIO]:
    """The file opened for reading only if it is a regular file: a FIFO, a device or a socket
    (or a link to one) is refused without blocking (O_NONBLOCK where there is one) and
    without reading it."""
    flags = os.O_RDONLY | getattr(os, "O_BINARY", 0) | getattr(os, "O_NONBLOCK", 0)
    fd = os.open(path, flags)
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise _NotRegular(path)
        handle = os.fdopen(fd, "rb")
    except BaseException:
        os.close(fd)
        raise
    with handle:
        yield handle


class _NotRegular(OSError):
    """A path that is not a regular file."""


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
_RAW_CHUNK = 64 * 1024


def _declared_cells(head: bytes) -> int:
    """The cells a worksheet's `<dimension ref>` spans."""
    match = _DIMENSION.search(head)
    if match is None or match[3] is None:
        return 1 if match else 0
    rows = abs(int(match[4]) - int(match[2])) + 1
    columns = abs(_column(match[3]) - _column(match[1])) + 1
    return rows * columns


def _column(letters: bytes) -> int:
    """The column number of letters as the guard scans them, in bytes (core.cells does it)."""
    return column_number(letters.decode("ascii"))
