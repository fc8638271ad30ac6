"""A file given in place of a workbook or a caseload report is named for what its bytes say it
is (a PDF, a Word document, an image, an old .xls, a zip, text), the same way by `validate` and
`import-caseload`, with what to send instead: real files, made here byte by byte."""

from __future__ import annotations

import re
import shutil
import struct
import subprocess
import zipfile
import zlib
from pathlib import Path

import pytest
from openpyxl import Workbook

from workload_xl.files import file_kinds
from workload_xl.files.file_guard import file_kind

from .bounded_cli import run_cli
from .libreoffice import require_soffice, run_soffice


def write_pdf(path: Path) -> Path:
    """A minimal valid one-page PDF with the text 'Jo Example', its cross-reference table
    pointing at each object's byte offset, as the PDF format says."""
    stream = b"BT /F1 12 Tf 72 720 Td (Jo Example) Tj ET"
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n%s\nendstream" % (len(stream), stream),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    path.write_bytes(bytes(out))
    return path


def write_docx(path: Path) -> Path:
    """A minimal Word document: the parts Word itself needs to open one."""
    word = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(
            "[Content_Types].xml",
            '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats'
            '.org/package/2006/content-types"><Default Extension="rels" ContentType="application'
            '/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" '
            'ContentType="application/xml"/><Override PartName="/word/document.xml" '
            'ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.'
            'document.main+xml"/></Types>',
        )
        archive.writestr(
            "_rels/.rels",
            '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.'
            'openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http:'
            '//schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" '
            'Target="word/document.xml"/></Relationships>',
        )
        archive.writestr(
            "word/document.xml",
            f'<?xml version="1.0" encoding="UTF-8"?><w:document xmlns:w="{word}"><w:body><w:p>'
            "<w:r><w:t>Case ID, Case type</w:t></w:r></w:p></w:body></w:document>",
        )
    return path


def write_png(path: Path) -> Path:
    """A 1 x 1 white PNG: signature, IHDR, IDAT and IEND chunks with their CRCs."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    pixels = zlib.compress(b"\x00\xff\xff\xff")
    path.write_bytes(
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")
    )
    return path


def write_zip(path: Path) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("jo-example.txt", "The sheets are attached.")
    return path


def write_csv_text(path: Path) -> Path:
    path.write_text("Case ID,Case type\nC1,CIN\n", encoding="utf-8")
    return path


def test_the_hand_made_files_are_real_ones(tmp_path):
    """pdfinfo reads the PDF as one A4 page, zipfile and the PNG's CRCs hold."""
    if shutil.which("pdfinfo"):
        done = subprocess.run(
            ["pdfinfo", str(write_pdf(tmp_path / "a.pdf"))],
            capture_output=True,
            text=True,
            check=True,
            timeout=60,
        )
        assert re.search(r"^Pages:\s+1$", done.stdout, re.MULTILINE), done.stdout
        assert "595 x 842 pts (A4)" in done.stdout and not done.stderr  # no xref repaired
    with zipfile.ZipFile(write_docx(tmp_path / "a.docx")) as archive:
        assert archive.testzip() is None and "word/document.xml" in archive.namelist()
    png = write_png(tmp_path / "a.png").read_bytes()
    length = struct.unpack(">I", png[8:12])[0]
    assert (
        zlib.crc32(png[12 : 16 + length]) == struct.unpack(">I", png[16 + length : 20 + length])[0]
    )


KINDS = [
    # (what, how to make it, file name, the kind's words in the message)
    ("a PDF", write_pdf, "jo-example.pdf", "a PDF document"),
    ("a PDF named .xlsx", write_pdf, "jo-example.xlsx", "a PDF document"),
    ("a Word document", write_docx, "jo-example.docx", "a Word document (.docx)"),
    ("a Word document named .xlsx", write_docx, "jo-example.xlsx", "a Word document (.docx)"),
    ("a photo of the sheet", write_png, "jo-example.png", "an image (PNG)"),
    ("a zip of sheets", write_zip, "sheets.xlsx", "a zip archive"),
]
COPY_FIX = (
    "The tool reads the figures from the workbook itself, not from a printed, scanned or pasted "
    "copy: give it the Excel workbook (.xlsx) itself."
)


@pytest.mark.parametrize(
    ("make", "name", "kind"), [k[1:] for k in KINDS], ids=[k[0] for k in KINDS]
)
def test_validate_names_a_file_for_what_it_is(tmp_path, make, name, kind):
    path = make(tmp_path / name)
    run = run_cli("validate", path, "--format", "json", cwd=tmp_path)
    run.assert_no_traceback()
    assert run.returncode == 2
    [found] = run.json()["findings"]
    assert found["rule"] == "file-not-workbook"
    fix = (
        COPY_FIX
        if kind != "a zip archive"
        else ("If the workbook is inside it, unzip it and give the workbook (.xlsx) itself.")
    )
    assert found["message"] == f"{path} is {kind}, not an Excel workbook. {fix}"
    assert "text or CSV" not in found["message"]


def test_validate_still_calls_a_csv_renamed_xlsx_what_it_is(tmp_path):
    path = write_csv_text(tmp_path / "cases.xlsx")
    run = run_cli("validate", path, "--format", "json", cwd=tmp_path)
    assert run.returncode == 2
    [found] = run.json()["findings"]
    assert (found["rule"], found["message"]) == (
        "file-not-workbook",
        f"{path} is not an Excel workbook (it looks like a text or CSV file renamed .xlsx). "
        "Open it in Excel and save it as an Excel Workbook (.xlsx).",
    )


CASELOAD_KINDS = [
    ("a PDF", write_pdf, "caseload.pdf", "a PDF document"),
    ("a PDF named .csv", write_pdf, "caseload.csv", "a PDF document"),
    ("a Word document", write_docx, "caseload.docx", "a Word document (.docx)"),
    ("a Word document named .xlsx", write_docx, "caseload.xlsx", "a Word document (.docx)"),
    ("an image", write_png, "caseload.png", "an image (PNG)"),
    ("a zip that is no workbook", write_zip, "caseload.zip", "a zip archive"),
]


@pytest.mark.parametrize(
    ("make", "name", "kind"), [k[1:] for k in CASELOAD_KINDS], ids=[k[0] for k in CASELOAD_KINDS]
)
def test_import_caseload_names_a_file_that_is_no_report_for_what_it_is(tmp_path, make, name, kind):
    path = make(tmp_path / name)
    out = tmp_path / "jo.xlsx"
    run = run_cli(
        "import-caseload",
        path,
        "--worker",
        "Jo",
        "--scheme",
        "childrens-social-care",
        "-o",
        out,
        cwd=tmp_path,
    )
    run.assert_no_traceback()
    assert run.returncode == 2
    text = " ".join(run.output.split())
    rule = "caseload-wrong-kind"
    assert f"ERROR {rule}" in text
    assert (
        f"{name} is {kind}, not a caseload report: export the report from the case system as "
        "CSV or Excel (.xlsx) and import that." in text
    )
    assert "no case reference column" not in text and not out.exists()


def test_a_real_old_xls_is_named_by_validate_and_by_the_caseload_import(tmp_path):
    """An .xls saved by LibreOffice (Excel 97-2003): file-old-format for both commands."""
    soffice = require_soffice()
    book = Workbook()
    book.active.append(["Case ID", "Case type"])
    book.active.append(["C1", "CIN"])
    book.save(tmp_path / "caseload.xlsx")
    made = tmp_path / "xls"
    done = run_soffice([tmp_path / "caseload.xlsx"], made, "xls", soffice)
    xls = made / "caseload.xls"
    assert xls.is_file(), done.stdout + done.stderr
    assert file_kind(xls) is file_kinds.OLD_EXCEL
    run = run_cli("validate", xls, "--format", "json", cwd=tmp_path)
    assert run.returncode == 2
    [found] = run.json()["findings"]
    assert (found["rule"], found["message"]) == (
        "file-old-format",
        f"{xls} is an old .xls workbook (Excel 97-2003). Open it in Excel and save it as an "
        "Excel Workbook (.xlsx).",
    )
    out = tmp_path / "jo.xlsx"
    run = run_cli(
        "import-caseload",
        xls,
        "--worker",
        "Jo",
        "--scheme",
        "childrens-social-care",
        "-o",
        out,
        cwd=tmp_path,
    )
    assert run.returncode == 2
    assert "file-old-format" in run.output and "an old .xls workbook (Excel 97-2003)" in run.output


def test_the_detector_names_each_kind_from_its_first_bytes():
    ole = file_kinds.OLE_MAGIC + bytes(504)
    assert file_kinds.kind_of(b"") is file_kinds.EMPTY
    assert file_kinds.kind_of(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n") is file_kinds.PDF
    assert file_kinds.kind_of(b"\xff\xd8\xff\xe0\x00\x10JFIF\x00").name == "an image (JPEG)"
    assert file_kinds.kind_of(b"GIF89a\x01\x00\x01\x00").name == "an image (GIF)"
    assert file_kinds.kind_of(b"\x00\x00\x00\x18ftypheic\x00\x00").name.startswith("an image")
    assert file_kinds.kind_of(ole + "Workbook".encode("utf-16-le")) is file_kinds.OLD_EXCEL
    assert file_kinds.kind_of(ole + "WordDocument".encode("utf-16-le")) is file_kinds.OLD_WORD
    assert file_kinds.kind_of(ole + "EncryptedPackage".encode("utf-16-le")) is file_kinds.ENCRYPTED
    assert file_kinds.kind_of(ole) is file_kinds.OLD_EXCEL  # as the guard always took one
    zip_head = file_kinds.ZIP_MAGIC + bytes(26)
    assert file_kinds.kind_of(zip_head, ["[Content_Types].xml", "xl/workbook.xml"]) is (
        file_kinds.WORKBOOK
    )
    assert file_kinds.kind_of(zip_head, ["word/document.xml"]) is file_kinds.WORD
    assert file_kinds.kind_of(zip_head, ["ppt/presentation.xml"]) is file_kinds.POWERPOINT
    assert file_kinds.kind_of(zip_head, ["notes.txt"]) is file_kinds.ZIP
    ods = b"PK\x03\x04" + bytes(26) + b"mimetypeapplication/vnd.oasis.opendocument.spreadsheet"
    assert file_kinds.kind_of(ods) is file_kinds.ODS
    assert file_kinds.kind_of(b"\xef\xbb\xbfCase ID,Case type\r\nC1,Zo\xc3\xab\r\n") is (
        file_kinds.TEXT
    )
    assert file_kinds.kind_of(b"Case ID;Child name\r\nC1;Zo\xeb\r\n") is file_kinds.TEXT  # cp1252
    assert file_kinds.kind_of(b"  <!DOCTYPE html><table>") is file_kinds.HTML
    assert file_kinds.kind_of(b"{\\rtf1\\ansi Case ID") is file_kinds.RTF
    assert file_kinds.kind_of(b"\x00\x01garbage") is file_kinds.UNKNOWN
