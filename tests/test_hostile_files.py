"""Broken and hostile files given to `workload-xl validate`, end to end (files edge).

Workbooks arrive by email from dozens of people, so validation must survive anything: an empty
file, random bytes, a workbook cut short, a CSV renamed .xlsx, a password, an old .xls, XML
entity tricks, a zip bomb. Each gets exactly one finding naming the file and exit code 2, with
no traceback, in bounded memory, and the file is never modified. Every file is made here in
code; no binary fixture is committed.

The CLI runs in a child process through a small wrapper that reports the child's own peak
memory. Elapsed time is deliberately not asserted (no timed assertions in unit tests); the
subprocess timeout is only a safety net so a hang fails instead of blocking the suite.
"""

from __future__ import annotations

import hashlib
import os
import random
import re
import struct
import subprocess
import sys
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import IO

import msoffcrypto.format.ooxml
import pytest

from workload_xl.core.rules import FILE_LEVEL_RULES
from workload_xl.core.schemes import SchemeRegistry
from workload_xl.files.worker_template import write_worker_workbook
from workload_xl.services.validate import validate_files

from .bounded_cli import Run

SAFETY_TIMEOUT_SECONDS = 120
MEMORY_BOUND_BYTES = 400 * 1024 * 1024
BOMB_MEGABYTES = 300
MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"

CHILD = """
import os, runpy, sys
try:
    runpy.run_module("workload_xl", run_name="__main__", alter_sys=True)
finally:
    try:
        import resource
    except ImportError:  # Windows: no getrusage
        peak = -1
    else:
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        peak *= 1 if sys.platform == "darwin" else 1024  # Linux reports kilobytes
        try:  # Linux: ru_maxrss starts at the forking parent's size; VmHWM is this program's
            with open("/proc/self/status") as status:
                peak = next(int(l.split()[1]) * 1024 for l in status if l.startswith("VmHWM"))
        except (OSError, StopIteration, ValueError):
            pass
    with open(os.environ["WORKLOAD_XL_TEST_PEAK_RSS"], "w") as out:
        out.write(str(peak))
"""
"""`python -m workload_xl`, plus a note of the child's own peak RSS when it exits (even by
SystemExit). RUSAGE_CHILDREN in the test process would be the maximum over every child so far,
not this one's; and on Linux a child's own ru_maxrss starts at the size of the test process
that forked it, so there the peak is read from /proc (VmHWM)."""


# --- running the CLI -----------------------------------------------------------------------


Outcome = Run
"""What a run gave: the same record as the bounded runner's."""


def run_validate(args: list[Path], output_format: str, scratch: Path) -> Outcome:
    peak_file = scratch / f"peak-rss-{output_format}.txt"
    env = {**_child_env(), "WORKLOAD_XL_TEST_PEAK_RSS": str(peak_file)}
    done = subprocess.run(
        [sys.executable, "-c", CHILD, "validate", *map(str, args), "--format", output_format],
        capture_output=True,
        text=True,
        encoding="utf-8",
        env=env,
        timeout=SAFETY_TIMEOUT_SECONDS,
        check=False,
    )
    return Outcome(done.returncode, done.stdout, done.stderr, int(peak_file.read_text()))


def _child_env() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONIOENCODING"] = "utf-8"
    env["COLUMNS"] = "100"
    return env


def sha256(path: Path) -> str | None:
    """The file's digest, or None for something that is not a file (missing, a folder)."""
    if not path.is_file():
        return None
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(1024 * 1024):
            digest.update(chunk)
    return digest.hexdigest()


# --- making hostile files ------------------------------------------------------------------

Part = bytes | Callable[[IO[bytes]], None]
"""A zip part's new content: bytes, or a function that streams it into the open part."""


def rewrite_zip(
    source: Path,
    target: Path,
    parts: dict[str, Part] | None = None,
    *,
    compression: int = zipfile.ZIP_DEFLATED,
) -> Path:
    """A copy of a workbook with some parts replaced or added, the rest copied as they are."""
    parts = dict(parts or {})
    with zipfile.ZipFile(source) as old, zipfile.ZipFile(target, "w", compression) as new:
        for info in old.infolist():
            _write_part(new, info.filename, parts.pop(info.filename, None) or old.read(info))
        for name, content in parts.items():
            _write_part(new, name, content)
    return target


def _write_part(archive: zipfile.ZipFile, name: str, content: Part) -> None:
    if isinstance(content, bytes):
        archive.writestr(name, content)
        return
    with archive.open(name, "w") as part:
        content(part)


def _random_text(size: int) -> bytes:
    """Letters deflate cannot shrink much: the compressed part spans many reads."""
    letters = random.Random(size).choices(b"abcdefghijklmnopqrstuvwxyz ", k=size)
    return bytes(letters)


def billion_laughs(root: str, body: str = "&lol9;") -> bytes:
    """The classic entity expansion: 10 levels of 10 references, a billion 'lol's unpacked."""
    entities = ['<!ENTITY lol "lol">']
    for level in range(1, 10):
        previous = "lol" if level == 1 else f"lol{level - 1}"
        entities.append(f'<!ENTITY lol{level} "{f"&{previous};" * 10}">')
    doctype = f"<!DOCTYPE {root} [\n  " + "\n  ".join(entities) + "\n]>"
    return (
        f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n{doctype}\n'
        f'<{root} xmlns="{MAIN_NS}">{body}</{root}>'
    ).encode()


def external_entity_workbook() -> bytes:
    """XXE: a sheet name that would be the contents of /etc/passwd if entities were resolved."""
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<!DOCTYPE workbook [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>\n'
        f'<workbook xmlns="{MAIN_NS}" xmlns:r="http://schemas.openxmlformats.org/'
        'officeDocument/2006/relationships"><sheets>'
        '<sheet name="&xxe;" sheetId="1" r:id="rId1"/></sheets></workbook>'
    ).encode()


def _row_chunk() -> bytes:
    row = (
        b'<row r="15"><c r="A15" t="inlineStr"><is><t>boom</t></is></c>'
        b'<c r="B15"><v>1</v></c></row>'
    )
    return row * (1024 * 1024 // len(row))


def stream_sheet_bomb(part: IO[bytes]) -> None:
    """~300 MB of rows written 1 MB at a time, so making the bomb costs the test little memory."""
    part.write(f'<?xml version="1.0" encoding="UTF-8"?>\n<worksheet xmlns="{MAIN_NS}">'.encode())
    part.write(b"<sheetData>")
    chunk = _row_chunk()
    for _ in range(BOMB_MEGABYTES):
        part.write(chunk)
    part.write(b"</sheetData></worksheet>")


def _central_directory(data: bytes | bytearray) -> list[tuple[int, str]]:
    """(offset, name) of each central-directory entry of a small zip held in memory."""
    end = data.rfind(b"PK\x05\x06")
    offset = struct.unpack_from("<I", data, end + 16)[0]
    entries = []
    while data[offset : offset + 4] == b"PK\x01\x02":
        name_len, extra_len, comment_len = struct.unpack_from("<HHH", data, offset + 28)
        name = bytes(data[offset + 46 : offset + 46 + name_len]).decode()
        entries.append((offset, name))
        offset += 46 + name_len + extra_len + comment_len
    return entries


def understate_size(path: Path, member: str, claimed: int) -> Path:
    """Make a part's headers claim `claimed` bytes unpacked, whatever the data really holds."""
    data = bytearray(path.read_bytes())
    for offset, name in _central_directory(data):
        if name == member:
            struct.pack_into("<I", data, offset + 24, claimed)
            local = struct.unpack_from("<I", data, offset + 42)[0]
            struct.pack_into("<I", data, local + 22, claimed)
    path.write_bytes(data)
    return path


def mark_every_part_encrypted(path: Path) -> Path:
    """Set the zip 'encrypted' flag on each entry, as `zip -e` or 7-Zip with a password do."""
    data = bytearray(path.read_bytes())
    for offset, _ in _central_directory(data):
        flags = struct.unpack_from("<H", data, offset + 8)[0]
        struct.pack_into("<H", data, offset + 8, flags | 0x1)
        local = struct.unpack_from("<I", data, offset + 42)[0]
        flags = struct.unpack_from("<H", data, local + 6)[0]
        struct.pack_into("<H", data, local + 6, flags | 0x1)
    path.write_bytes(data)
    return path


def damage_part(path: Path, member: str, start: int = 9, stop: int = 120) -> Path:
    """Flip the bits of some compressed bytes of one part, as a bad disk or transfer would."""
    data = bytearray(path.read_bytes())
    with zipfile.ZipFile(path) as archive:
        info = archive.getinfo(member)
    name_len, extra_len = struct.unpack_from("<HH", data, info.header_offset + 26)
    first = info.header_offset + 30 + name_len + extra_len
    for at in range(first + start, first + min(stop, info.compress_size)):
        data[at] ^= 0xFF
    path.write_bytes(data)
    return path


def encrypt_with_password(source: Path, target: Path) -> Path:
    with source.open("rb") as plain, target.open("wb") as locked:
        msoffcrypto.format.ooxml.OOXMLFile(plain).encrypt("Sup3r-secret", locked)
    return target


# --- the cases -----------------------------------------------------------------------------

Maker = Callable[[Path, Path], "tuple[Path, Path]"]
"""(scratch folder, a good workbook) -> (what to give `validate`, the file the finding names)."""


@dataclass(frozen=True)
class Hostile:
    id: str
    rule: str
    make: Maker
    says: str = ""
    """Words the finding's message must contain, so the user learns what is wrong."""


def _file(name: str, make: Callable[[Path, Path], Path]) -> Maker:
    def maker(folder: Path, good: Path) -> tuple[Path, Path]:
        path = make(folder / name, good)
        return path, path

    return maker


def _write(content: bytes) -> Callable[[Path, Path], Path]:
    def make(path: Path, _good: Path) -> Path:
        path.write_bytes(content)
        return path

    return make


def _truncated(path: Path, good: Path) -> Path:
    data = good.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    return path


def _not_a_workbook_zip(path: Path, _good: Path) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types/>')
        archive.writestr("_rels/.rels", '<?xml version="1.0"?><Relationships/>')
        archive.writestr("word/document.xml", '<?xml version="1.0"?><document/>')
    return path


def _too_many_parts(path: Path, good: Path) -> Path:
    extra: dict[str, Part] = {f"xl/media/part{i}.bin": b"x" for i in range(2001)}
    return rewrite_zip(good, path, extra)


def _huge_dimension(path: Path, good: Path) -> Path:
    """A sheet that declares every cell of a worksheet: refused before it is parsed."""
    with zipfile.ZipFile(good) as archive:
        sheet = archive.read(SHEET)
    sheet = re.sub(rb'<dimension ref="[^"]*"', b'<dimension ref="A1:XFD1048576"', sheet, count=1)
    return rewrite_zip(good, path, {SHEET: sheet})


def _folder_holding_a_folder(folder: Path, _good: Path) -> tuple[Path, Path]:
    inbox = folder / "inbox"
    (inbox / "book.xlsx").mkdir(parents=True)
    return inbox, inbox / "book.xlsx"


def _missing(folder: Path, _good: Path) -> tuple[Path, Path]:
    path = folder / "never-sent.xlsx"
    return path, path


WORKBOOK = "xl/workbook.xml"
SHEET = "xl/worksheets/sheet1.xml"
CSV = b"Case reference,Item,Points\r\nC-1001,Child protection plan,12\r\nC-1002,CIN,8\r\n"

CASES = [
    Hostile("empty file", "file-not-workbook", _file("empty.xlsx", _write(b"")), "empty"),
    Hostile(
        "random bytes",
        "file-not-workbook",
        _file("noise.xlsx", _write(random.Random(20261001).randbytes(64 * 1024))),
        "not an Excel workbook",
    ),
    Hostile("workbook cut in half", "file-corrupt", _file("cut.xlsx", _truncated), "damaged"),
    Hostile("csv renamed xlsx", "file-not-workbook", _file("cases.xlsx", _write(CSV)), "CSV"),
    Hostile(
        "password protected",
        "file-encrypted",
        _file("locked.xlsx", lambda path, good: encrypt_with_password(good, path)),
        "password",
    ),
    Hostile(
        "old xls",
        "file-old-format",
        _file("old.xlsx", _write(OLE_MAGIC + bytes(4096))),
        ".xls",
    ),
    Hostile(
        "zip that is not a workbook",
        "file-not-workbook",
        _file("report.xlsx", _not_a_workbook_zip),
        "not an Excel workbook",
    ),
    Hostile(
        "billion laughs in workbook xml",
        "file-unsafe",
        _file(
            "laughs.xlsx",
            lambda path, good: rewrite_zip(good, path, {WORKBOOK: billion_laughs("workbook")}),
        ),
        WORKBOOK,
    ),
    Hostile(
        "billion laughs in a worksheet",
        "file-unsafe",
        _file(
            "laughs-sheet.xlsx",
            lambda path, good: rewrite_zip(
                good, path, {SHEET: billion_laughs("worksheet", "<sheetData/>&lol9;")}
            ),
        ),
        SHEET,
    ),
    Hostile(
        "billion laughs in shared strings",
        "file-unsafe",
        _file(
            "laughs-strings.xlsx",
            lambda path, good: rewrite_zip(
                good,
                path,
                {"xl/sharedStrings.xml": billion_laughs("sst", "<si><t>&lol9;</t></si>")},
            ),
        ),
        "xl/sharedStrings.xml",
    ),
    Hostile(
        "external entity reading etc passwd",
        "file-unsafe",
        _file(
            "xxe.xlsx",
            lambda path, good: rewrite_zip(good, path, {WORKBOOK: external_entity_workbook()}),
        ),
        WORKBOOK,
    ),
    Hostile(
        "doctype hidden after a long comment",
        "file-unsafe",
        _file(
            "padded.xlsx",
            lambda path, good: rewrite_zip(
                good,
                path,
                {
                    WORKBOOK: billion_laughs("workbook").replace(
                        b"?>\n", b"?>\n<!--" + b" " * 16384 + b"-->", 1
                    )
                },
            ),
        ),
        WORKBOOK,
    ),
    Hostile(
        "doctype after a comment too random to compress",
        "file-unsafe",
        _file(
            "random-comment.xlsx",
            lambda path, good: rewrite_zip(
                good,
                path,
                {
                    WORKBOOK: billion_laughs("workbook").replace(
                        b"?>\n", b"?>\n<!--" + _random_text(200_000) + b"-->", 1
                    )
                },
            ),
        ),
        WORKBOOK,
    ),
    Hostile(
        "billion laughs in a part stored without compression",
        "file-unsafe",
        _file(
            "stored.xlsx",
            lambda path, good: rewrite_zip(
                good, path, {WORKBOOK: billion_laughs("workbook")}, compression=zipfile.ZIP_STORED
            ),
        ),
        WORKBOOK,
    ),
    Hostile(
        "doctype in a utf-16 part",
        "file-unsafe",
        _file(
            "utf16.xlsx",
            lambda path, good: rewrite_zip(
                good,
                path,
                {
                    WORKBOOK: billion_laughs("workbook")
                    .replace(b"UTF-8", b"UTF-16")
                    .decode()
                    .encode("utf-16")
                },
            ),
        ),
        WORKBOOK,
    ),
    Hostile(
        "sheet that unpacks to hundreds of MB",
        "file-too-large",
        _file("bomb.xlsx", lambda path, good: rewrite_zip(good, path, {SHEET: stream_sheet_bomb})),
        "MB",
    ),
    Hostile(
        "zip bomb whose headers understate its size",
        "file-corrupt",
        _file(
            "liar.xlsx",
            lambda path, good: understate_size(
                rewrite_zip(good, path, {SHEET: stream_sheet_bomb}), SHEET, 40_000
            ),
        ),
        "damaged",
    ),
    Hostile(
        "a sheet declaring 17 billion cells",
        "file-too-large",
        _file("cells.xlsx", _huge_dimension),
        "cells",
    ),
    Hostile(
        "more parts than a workbook has",
        "file-too-large",
        _file("parts.xlsx", _too_many_parts),
        "parts",
    ),
    Hostile(
        "zip protected by a password",
        "file-encrypted",
        _file(
            "zip-locked.xlsx",
            lambda path, good: mark_every_part_encrypted(rewrite_zip(good, path)),
        ),
        "password",
    ),
    Hostile(
        "damaged deflate data",
        "file-corrupt",
        _file(
            "bad-deflate.xlsx", lambda path, good: damage_part(rewrite_zip(good, path), WORKBOOK)
        ),
        "damaged",
    ),
    Hostile(
        "damaged lzma data",
        "file-corrupt",
        _file(
            "bad-lzma.xlsx",
            lambda path, good: damage_part(
                rewrite_zip(good, path, compression=zipfile.ZIP_LZMA), WORKBOOK
            ),
        ),
        "damaged",
    ),
    Hostile(
        "folder named like a workbook", "file-not-workbook", _folder_holding_a_folder, "folder"
    ),
    Hostile("missing file", "file-not-found", _missing, "does not exist"),
]
CASE_IDS = [case.id.replace(" ", "-") for case in CASES]


# --- fixtures ------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def good_workbook(tmp_path_factory: pytest.TempPathFactory) -> Path:
    scheme = SchemeRegistry.from_dir().get("childrens-social-care")
    path = tmp_path_factory.mktemp("good") / "worker.xlsx"
    assert write_worker_workbook(path, scheme) == []
    return path


@dataclass(frozen=True)
class Made:
    folder: Path
    given: Path
    named: Path
    sha_before: str | None


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory, good_workbook: Path):
    """Make each hostile file once and run `validate` on it once per format, then remember."""
    made: dict[str, Made] = {}
    outcomes: dict[tuple[str, str], Outcome] = {}

    def get(case: Hostile, output_format: str) -> tuple[Made, Outcome]:
        if case.id not in made:
            folder = tmp_path_factory.mktemp(case.id.replace(" ", "_")[:30])
            given, named = case.make(folder, good_workbook)
            made[case.id] = Made(folder, given, named, sha256(named))
        file = made[case.id]
        key = (case.id, output_format)
        if key not in outcomes:
            outcomes[key] = run_validate([file.given], output_format, file.folder)
        return file, outcomes[key]

    return get


# --- every hostile file --------------------------------------------------------------------


@pytest.mark.parametrize("case", CASES, ids=CASE_IDS)
def test_a_hostile_file_exits_with_code_2_in_either_format(case: Hostile, hostile) -> None:
    for output_format in ("text", "json"):
        _made, outcome = hostile(case, output_format)
        assert outcome.returncode == 2, (output_format, outcome.stdout, outcome.stderr)


@pytest.mark.parametrize("case", CASES, ids=CASE_IDS)
def test_a_hostile_file_gets_exactly_one_finding_with_the_right_rule(
    case: Hostile, hostile
) -> None:
    made, outcome = hostile(case, "json")
    report = outcome.json()
    assert [(f["rule"], f["severity"]) for f in report["findings"]] == [(case.rule, "error")]
    assert report["files"] == [str(made.named)]


@pytest.mark.parametrize("case", CASES, ids=CASE_IDS)
def test_the_finding_names_the_file_and_says_what_is_wrong(case: Hostile, hostile) -> None:
    made, outcome = hostile(case, "json")
    (only,) = outcome.json()["findings"]
    assert only["workbook"] == str(made.named)
    assert str(made.named) in only["message"]
    assert case.says in only["message"]


@pytest.mark.parametrize("case", CASES, ids=CASE_IDS)
def test_the_text_report_shows_the_file_and_the_rule(case: Hostile, hostile) -> None:
    made, outcome = hostile(case, "text")
    assert str(made.named) in outcome.stdout
    assert case.rule in outcome.stdout
    assert "1 file checked: 1 error(s)" in outcome.stdout


@pytest.mark.parametrize("case", CASES, ids=CASE_IDS)
def test_no_traceback_reaches_the_user(case: Hostile, hostile) -> None:
    for output_format in ("text", "json"):
        _made, outcome = hostile(case, output_format)
        assert "Traceback" not in outcome.stdout
        assert "Traceback" not in outcome.stderr


@pytest.mark.parametrize("case", CASES, ids=CASE_IDS)
def test_validation_never_modifies_the_file_it_reads(case: Hostile, hostile) -> None:
    for output_format in ("text", "json"):
        made, _outcome = hostile(case, output_format)
        assert sha256(made.named) == made.sha_before


@pytest.mark.parametrize("case", CASES, ids=CASE_IDS)
def test_validation_stays_in_bounded_memory(case: Hostile, hostile) -> None:
    for output_format in ("text", "json"):
        _made, outcome = hostile(case, output_format)
        if outcome.peak_rss < 0:
            pytest.skip("this platform cannot report a process's peak memory")
        assert 0 < outcome.peak_rss < MEMORY_BOUND_BYTES, f"{outcome.peak_rss / 2**20:.0f} MB"


def test_the_contents_of_etc_passwd_never_reach_the_output(hostile) -> None:
    (case,) = [c for c in CASES if "etc passwd" in c.id]
    for output_format in ("text", "json"):
        _made, outcome = hostile(case, output_format)
        assert "root:" not in outcome.stdout + outcome.stderr


def test_the_zip_bomb_really_unpacks_to_hundreds_of_megabytes(hostile) -> None:
    """Guards the test itself: a bomb that shrank would make the memory test prove nothing."""
    (case,) = [c for c in CASES if c.rule == "file-too-large" and "MB" in c.says]
    made, _outcome = hostile(case, "json")
    with zipfile.ZipFile(made.named) as archive:
        assert archive.getinfo(SHEET).file_size > 250 * 2**20
    assert made.named.stat().st_size < 16 * 2**20


# --- a hostile file among good ones --------------------------------------------------------

MIXED_IDS = {
    "workbook cut in half",
    "password protected",
    "old xls",
    "billion laughs in workbook xml",
}
MIXED = [case for case in CASES if case.id in MIXED_IDS]


@pytest.mark.parametrize("case", MIXED, ids=[c.id.replace(" ", "-") for c in MIXED])
def test_a_hostile_file_does_not_stop_the_good_workbook_beside_it_being_validated(
    case: Hostile, good_workbook: Path, tmp_path: Path
) -> None:
    good = tmp_path / "good.xlsx"
    good.write_bytes(good_workbook.read_bytes())
    bad, named = case.make(tmp_path, good_workbook)
    before = {good: sha256(good), named: sha256(named)}

    outcome = run_validate([bad, good], "json", tmp_path)

    assert outcome.returncode == 2, outcome.stderr
    assert "Traceback" not in outcome.stdout + outcome.stderr
    report = outcome.json()
    assert report["files"] == [str(named), str(good)]
    by_file: dict[str, list[dict]] = {}
    for f in report["findings"]:
        by_file.setdefault(f["workbook"], []).append(f)
    assert [f["rule"] for f in by_file[str(named)]] == [case.rule]
    good_rules = {f["rule"] for f in by_file[str(good)]}
    assert "header-missing" in good_rules  # the blank template really was read and checked
    assert not good_rules & FILE_LEVEL_RULES
    assert {path: sha256(path) for path in before} == before


# --- in-process: many damaged copies -------------------------------------------------------


def test_no_damaged_copy_of_a_workbook_makes_validation_raise(
    good_workbook: Path, tmp_path: Path
) -> None:
    """Seeded random damage (bytes changed, bytes cut out, the zip directory hit): each copy
    gives findings naming it, never an exception; those the guard catches give exactly one."""
    registry = SchemeRegistry.from_dir()
    original = good_workbook.read_bytes()
    rng = random.Random(1802)
    path = tmp_path / "damaged.xlsx"
    for attempt in range(300):
        data = bytearray(original)
        how = attempt % 3
        if how == 0:
            for _ in range(rng.randint(1, 8)):
                data[rng.randrange(len(data))] = rng.randrange(256)
        elif how == 1:
            at = rng.randrange(len(data))
            del data[at : at + rng.randint(1, 64)]
        else:
            directory = data.rfind(b"PK\x01\x02")
            data[rng.randrange(directory, len(data))] = rng.randrange(256)
        path.write_bytes(data)

        run = validate_files([path], registry)

        assert all(f.workbook == str(path) for f in run.report.findings), attempt
        file_level = [f for f in run.report.findings if f.rule in FILE_LEVEL_RULES]
        if file_level:
            assert len(run.report.findings) == 1, (attempt, run.report.findings)
            assert run.exit_code == 2
        assert path.read_bytes() == data


# --- known gap, kept visible ---------------------------------------------------------------


def test_a_folder_given_in_place_of_a_workbook_gets_a_finding(tmp_path: Path) -> None:
    folder = tmp_path / "book.xlsx"
    folder.mkdir()
    outcome = run_validate([folder], "json", tmp_path)
    assert outcome.returncode == 2
    assert [f["rule"] for f in outcome.json()["findings"]] == ["file-not-workbook"]


def test_the_guard_reads_a_parts_start_as_zipfile_inflates_it(good_workbook, tmp_path):
    """The guard inflates the start of each part itself (for speed); what it reads must be
    what zipfile gives, whatever the size asked for, across its raw reads of 4 KB."""
    from workload_xl.files.file_guard import _DeflatedHead

    notes = b"<notes>" + _random_text(50_000) + b"</notes>"
    big = rewrite_zip(good_workbook, tmp_path / "big.xlsx", {"xl/notes.xml": notes})
    sizes = random.Random(7)
    with big.open("rb") as handle, zipfile.ZipFile(handle) as archive:
        for info in archive.infolist():
            whole = archive.read(info)
            for size in (1, 512, 4096, 10_000, len(whole) + 1):
                assert _DeflatedHead(handle, info).read(size) == whole[:size], info.filename
            part, got = _DeflatedHead(handle, info), b""
            while chunk := part.read(sizes.randint(1, 9000)):
                got += chunk
            assert got == whole, info.filename


def test_text_that_looks_like_an_address_does_not_make_the_guard_read_every_address():
    """The quick bound of a sheet's extent reads the longest address written `<c r="...`:
    a case reference "C100404" in a cell's text is not an address (rows up to 999 here, 26
    columns), where it used to send the chunk to the address-by-address reading; a cell
    really at C1004 bounds the rows by 9,999; one at C100404 could pass the 2,000,000-cell cap
    by that bound (999,999 rows of 26 columns), so its addresses are read one by one (no
    quick bound)."""
    from workload_xl.files.file_guard import _quick_bound

    text = b'<row r="15"><c r="A15" t="inlineStr"><is><t>C100404</t></is></c></row>'
    assert _quick_bound(text) == (999, 26)
    four = b'<row r="1004"><c r="C1004"><v>1</v></c></row>'
    assert _quick_bound(four) == (9_999, 26)
    far = b'<row r="100404"><c r="C100404"><v>1</v></c></row>'
    assert _quick_bound(far) is None
