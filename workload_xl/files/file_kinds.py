"""What kind of file a file's first bytes say it is, whatever its name: the one detector the
workbook guard and the caseload reader share (files edge).

People send what they have: a PDF printed from the sheet, a photo of it, a Word document with
the table pasted in, an old .xls, a zip of the lot. Named for what it is ("a PDF document"),
the file gets a message that says what to send instead; called "not an Excel workbook (it
looks like a text file)" it does not. Pure on bytes, so every kind is tested without files.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

HEAD_BYTES = 4096
"""How much of a file the detector needs: signatures are in the first bytes, and an ODF
file's `mimetype` part, stored first, within the first hundred."""
OLE_HEAD_BYTES = 1024 * 1024
"""An old Office (OLE) file's stream names sit in its directory, usually in the first sectors;
the guard reads this much of one anyway (to see a password-protected workbook)."""


@dataclass(frozen=True)
class FileKind:
    """One kind of file. `name` is how a sentence says it ("is a PDF document"); `copy` marks
    a printed, scanned or pasted copy (the figures are not in it as cells, so the fix is to
    send the workbook or report itself); `table` a table in a format other programs open and
    can save as .xlsx or CSV."""

    id: str
    name: str
    copy: bool = False
    table: bool = False


EMPTY = FileKind("empty", "an empty file (0 bytes)")
WORKBOOK = FileKind("workbook", "an Excel workbook", table=True)
OLD_EXCEL = FileKind("old-excel", "an old .xls workbook (Excel 97-2003)", table=True)
ENCRYPTED = FileKind("encrypted", "a password-protected Office file")
OLD_WORD = FileKind("old-word", "a Word document (Word 97-2003, .doc)", copy=True)
OLD_POWERPOINT = FileKind("old-powerpoint", "a PowerPoint presentation (.ppt)", copy=True)
WORD = FileKind("word", "a Word document (.docx)", copy=True)
POWERPOINT = FileKind("powerpoint", "a PowerPoint presentation (.pptx)", copy=True)
ODS = FileKind("ods", "an OpenDocument spreadsheet (.ods)", table=True)
ODT = FileKind("odt", "an OpenDocument text document (.odt)", copy=True)
ZIP = FileKind("zip", "a zip archive")
UNLISTED_ZIP = FileKind("unlisted-zip", "a zip archive whose parts cannot be listed")
"""Damaged, or too large to list: the workbook guard then says which."""
PDF = FileKind("pdf", "a PDF document", copy=True)
RTF = FileKind("rtf", "a rich-text (RTF) document", copy=True)
HTML = FileKind("html", "a web page (HTML)", table=True)
XML_SPREADSHEET = FileKind("xml-spreadsheet", "an Excel 2003 XML spreadsheet", table=True)
TEXT = FileKind("text", "a text or CSV file", table=True)
UNKNOWN = FileKind("unknown", "a file of a kind this tool does not know")

IMAGES = {
    "png": FileKind("image", "an image (PNG)", copy=True),
    "jpeg": FileKind("image", "an image (JPEG)", copy=True),
    "gif": FileKind("image", "an image (GIF)", copy=True),
    "tiff": FileKind("image", "an image (TIFF)", copy=True),
    "webp": FileKind("image", "an image (WebP)", copy=True),
    "heic": FileKind("image", "an image (HEIC, as phones take photos)", copy=True),
}

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_MAGIC = b"PK\x03\x04"

_SIGNATURES: tuple[tuple[bytes, FileKind], ...] = (
    (b"%PDF-", PDF),
    (b"\x89PNG\r\n\x1a\n", IMAGES["png"]),
    (b"\xff\xd8\xff", IMAGES["jpeg"]),
    (b"GIF87a", IMAGES["gif"]),
    (b"GIF89a", IMAGES["gif"]),
    (b"II*\x00", IMAGES["tiff"]),
    (b"MM\x00*", IMAGES["tiff"]),
    (b"{\\rtf", RTF),
)
"""Leading bytes and the kind they open (as the file formats define them)."""
_HEIC_BRANDS = (b"heic", b"heix", b"hevc", b"mif1", b"msf1")
_OLE_STREAMS: tuple[tuple[str, FileKind], ...] = (
    ("EncryptedPackage", ENCRYPTED),  # an .xlsx (or .docx) saved with a password
    ("WordDocument", OLD_WORD),
    ("PowerPoint Document", OLD_POWERPOINT),
    ("Workbook", OLD_EXCEL),
    ("Book", OLD_EXCEL),  # Excel 5 and 95
)
"""Stream names in an old Office file's directory (UTF-16), first match wins."""
_ODF = {
    b"application/vnd.oasis.opendocument.spreadsheet": ODS,
    b"application/vnd.oasis.opendocument.text": ODT,
}
_ZIP_FOLDERS: tuple[tuple[str, FileKind], ...] = (
    ("xl/workbook.xml", WORKBOOK),
    ("word/", WORD),
    ("ppt/", POWERPOINT),
)
"""A part (or a folder of parts) that says what an Office Open XML zip holds."""
_UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")


def kind_of(head: bytes, names: Collection[str] | None = None) -> FileKind:
    """The kind of file that starts with `head` (at least HEAD_BYTES of it, or all of a
    shorter file; an old Office file's first OLE_HEAD_BYTES to name its kind). For a zip,
    `names` are the parts its directory lists; without them a zip is only "a zip archive"."""
    if not head:
        return EMPTY
    if head.startswith(OLE_MAGIC):
        return next(
            (kind for stream, kind in _OLE_STREAMS if stream.encode("utf-16-le") in head),
            OLD_EXCEL,  # what an old Office file sent as a workbook most likely is
        )
    if head.startswith(ZIP_MAGIC):
        return _zip_kind(head, names)
    kind = next((kind for magic, kind in _SIGNATURES if head.startswith(magic)), None)
    if kind is not None:
        return kind
    if head[4:8] == b"ftyp" and head[8:12] in _HEIC_BRANDS:
        return IMAGES["heic"]
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return IMAGES["webp"]
    if head.startswith(_UTF16_BOMS):
        return TEXT
    if not _is_text(head):
        return UNKNOWN
    start = head.lstrip(b"\xef\xbb\xbf \t\r\n")[:1024].lower()
    if start.startswith((b"<!doctype html", b"<html")):
        return HTML
    if start.startswith(b"<?xml") and b'progid="excel.sheet"' in start:
        return XML_SPREADSHEET
    return TEXT


def _zip_kind(head: bytes, names: Collection[str] | None) -> FileKind:
    # An ODF file stores its `mimetype` part first and uncompressed: its text is in the head.
    local = head[:200]
    for mimetype, kind in _ODF.items():
        if b"mimetype" + mimetype in local:
            return kind
    if names is None:
        return ZIP
    folded = [name.replace("\\", "/").casefold() for name in names]
    for part, kind in _ZIP_FOLDERS:
        if any(name == part or (part.endswith("/") and name.startswith(part)) for name in folded):
            return kind
    return ZIP


def _is_text(head: bytes) -> bool:
    """Text in any encoding a CSV comes in (UTF-8, Windows-1252, Latin-1): no NUL and no
    control character but tab, line breaks and form feed."""
    if b"\x00" in head:
        return False
    controls = sum(1 for byte in head if byte < 32 and byte not in (9, 10, 12, 13))
    return controls == 0
