"""The file guard's fast paths refuse and accept exactly as its full scans (files edge).

Most parts of a workbook are one small chunk holding nothing but the XML declaration and
tags, so the guard skips following their tokens (`_Tokens`) and, when they hold too few tags
to nest too deep, their depth. Each crafted part here is put in a real workbook and judged
twice, with the fast path and with it turned off (every chunk followed, as before the fast
path): the findings must be the same, and the ones that must be refused are. The quick bound
of a sheet's extent spots an odd cell with a pattern written for speed: it must match where
the pattern it replaced matched, on every short string of the pieces a cell tag is made of.
"""

from __future__ import annotations

import itertools
import random
import re
import zipfile
from pathlib import Path

import pytest

from workload_xl.core.schemes import SchemeRegistry
from workload_xl.files import file_guard
from workload_xl.files.file_guard import (
    CHUNK_BYTES,
    MAX_DEPTH,
    MAX_TOKEN_BYTES,
    _depth,
    _plain,
    _Tokens,
    inspect_workbook_file,
)
from workload_xl.files.worker_template import write_worker_workbook

from .test_hostile_files import understate_size

HEAD = b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
FILLER = b"x" * (CHUNK_BYTES + 100)  # text that pushes what follows past the first chunk
BIG_TEXT = b"y" * (MAX_TOKEN_BYTES + 10)


def _nested(levels: int) -> bytes:
    """A root and `levels` - 1 elements inside it, each in the one before."""
    return b"<root>" + b"<a>" * (levels - 1) + b"</a>" * (levels - 1) + b"</root>"


PARTS = {
    # name: (part bytes, refused?)
    "plain": (HEAD + b'<root a="1"><b/></root>', False),
    "no declaration": (b"<root><b/></root>", False),
    "doctype": (HEAD + b"<!DOCTYPE root><root/>", True),
    "entity": (HEAD + b'<!DOCTYPE r [<!ENTITY e "x">]><r>&e;</r>', True),
    "doctype after the first chunk": (
        HEAD + b"<root>" + FILLER + b"</root><!DOCTYPE root>",
        True,
    ),
    "doctype split across the first two chunks": (
        HEAD + b"<root>" + b"x" * (CHUNK_BYTES - len(HEAD) - 8) + b"</root><!DOCTYPE r>",
        True,
    ),
    "comment": (HEAD + b"<!-- a comment --><root/>", False),
    "doctype in a comment": (HEAD + b"<!-- <!DOCTYPE r> --><root/>", False),
    "cdata": (HEAD + b"<root><![CDATA[<!DOCTYPE r> <?x?>]]></root>", False),
    "cdata never closed": (HEAD + b"<root><![CDATA[ a </root>", True),
    "comment never closed": (HEAD + b"<root/><!-- a", True),
    "instruction in an attribute, closed": (HEAD + b'<root a="<?x?>"/>', False),
    "instruction in an attribute, never closed": (HEAD + b'<root a="<?x"/>', True),
    "declaration never closed": (b'<?xml version="1.0" <root/>', True),
    "terminator only before the opener": (b'<root>?></root><?x version="1"', True),
    "two instructions": (HEAD + b"<?mso-application progid?><root/>", False),
    "second instruction never closed": (HEAD + b"<root/><?x", True),
    "instruction after the first chunk, never closed": (
        HEAD + b"<root>" + FILLER + b"</root><?x",
        True,
    ),
    "nested to the limit": (HEAD + _nested(MAX_DEPTH), False),
    "nested too deep": (HEAD + _nested(MAX_DEPTH + 1), True),
    "nested too deep across two chunks": (  # the first chunk alone has too few tags
        HEAD + b"<root>" + b"<a>" * 60 + FILLER + b"<a>" * 60 + b"</a>" * 120 + b"</root>",
        True,
    ),
    "a long text after a plain first chunk": (HEAD + b"<root>" + BIG_TEXT + b"</root>", True),
}


@pytest.fixture(scope="module")
def workbook(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("fast-path")
    path = folder / "sheet.xlsx"
    assert write_worker_workbook(path, SchemeRegistry.from_dir().get("childrens-social-care")) == []
    return path


def _with_part(workbook: Path, target: Path, name: str, content: bytes) -> Path:
    """The workbook with one part replaced (the theme, which is a plain XML part, so its
    depth is followed) or added."""
    with zipfile.ZipFile(workbook) as old, zipfile.ZipFile(target, "w", 8) as new:
        for info in old.infolist():
            new.writestr(info.filename, content if info.filename == name else old.read(info))
        if name not in old.namelist():
            new.writestr(name, content)
    return target


def _judged(path: Path) -> list[tuple[str, str]]:
    return [(f.rule, f.message) for f in inspect_workbook_file(path)]


@pytest.mark.parametrize("case", list(PARTS))
@pytest.mark.parametrize("part", ["xl/theme/theme1.xml", "xl/worksheets/sheet1.xml"])
def test_a_crafted_part_is_judged_the_same_with_and_without_the_fast_path(
    case, part, workbook, tmp_path, monkeypatch
):
    content, refused = PARTS[case]
    if part.endswith("sheet1.xml"):  # a sheet: its root must say so to be scanned as one
        content = content.replace(b"<root", b"<worksheet").replace(b"</root>", b"</worksheet>")
    path = _with_part(workbook, tmp_path / "crafted.xlsx", part, content)
    fast = _judged(path)
    monkeypatch.setattr(file_guard, "_plain", lambda chunk: False)
    full = _judged(path)
    assert fast == full, case
    nests = b"<a><a>" in content and part.endswith("sheet1.xml")  # a sheet's depth is not read
    assert bool(fast) == (refused and not nests), (case, fast)
    assert all(rule in ("file-unsafe", "file-too-large") for rule, _ in fast), fast


@pytest.mark.parametrize("claimed", [10, CHUNK_BYTES])  # at once; after a whole plain chunk
def test_a_plain_part_that_inflates_to_more_than_its_header_says_is_damaged(
    claimed, workbook, tmp_path, monkeypatch
):
    """The fast path takes a part's first chunk as the whole part only when its header says
    so; one that goes on past what its header claims is damaged either way."""
    content = HEAD + b"<root>" + b"<b/>" * (CHUNK_BYTES // 3) + b"</root>"
    path = understate_size(
        _with_part(workbook, tmp_path / "long.xlsx", "xl/theme/theme1.xml", content),
        "xl/theme/theme1.xml",
        claimed,
    )
    fast = _judged(path)
    monkeypatch.setattr(file_guard, "_plain", lambda chunk: False)
    assert fast == _judged(path) and [rule for rule, _ in fast] == ["file-corrupt"]


def test_the_good_workbook_passes_and_its_small_parts_take_the_fast_path(workbook, monkeypatch):
    taken = []
    plain = file_guard._plain
    monkeypatch.setattr(file_guard, "_plain", lambda chunk: taken.append(plain(chunk)) or taken[-1])
    assert inspect_workbook_file(workbook) == []
    assert taken and all(taken), "every part of a workbook the tool writes is plain"


@pytest.mark.parametrize("case", list(PARTS))
def test_a_plain_chunk_is_one_the_full_token_scan_accepts(case):
    """Wherever `_plain` says yes, `_Tokens` says yes on the same bytes taken as a whole
    part, and a chunk with no more `<` than MAX_DEPTH nests no deeper than that."""
    content = PARTS[case][0][:CHUNK_BYTES]
    if not _plain(content):
        return
    tokens = _Tokens()
    assert tokens.feed(content) and tokens.feed(b"", end=True), case
    if content.count(b"<") <= MAX_DEPTH:
        assert _depth(content, 0, 0)[1] <= MAX_DEPTH, case


def test_plain_means_no_bang_and_at_most_one_closed_instruction():
    assert _plain(HEAD + b"<root/>")
    assert _plain(b"<root/>")
    assert not _plain(HEAD + b"<!-- c --><root/>")
    assert not _plain(HEAD + b"<root/><?x?>")  # a second instruction
    assert not _plain(b'<?xml version="1.0"<root/>')  # never closed
    assert not _plain(b"<?>")  # `?>` must come after the opener's two characters


def test_the_odd_cell_pattern_matches_where_the_two_branch_pattern_did():
    two_branches = re.compile(rb'<c(?:[>/\t\r\n]| (?!r="[A-Z]))')
    pieces = [b"<c", b" ", b"r", b'="', b"A", b"a", b">", b"/", b"\t", b"\r", b"\n", b"\x0c", b"1"]
    tried = 0
    for length in range(1, 6):
        for combination in itertools.product(pieces, repeat=length):
            text = b"".join(combination)
            tried += 1
            found = file_guard._ODD_CELL.search(text)
            assert bool(found) == bool(two_branches.search(text)), text
    assert tried > 300_000


def test_the_one_pass_bound_gives_what_the_two_searches_give():
    """`_quick_bound` bounds a chunk at once where `_SMALL_CELL` finds no cell, or
    `_WIDE_OR_LONG` is nowhere in its shape; elsewhere it goes on as before. On every short
    string of the pieces an address is made of (cells and other one-letter tags, capitals,
    small letters, digits, spaces), and on the real sheet with such strings put in, the bound
    is the one the two searches alone give, or Z999 where every cell's address, read one by
    one, is within it (a `<v t="AA"` is no cell, which the shape's searches cannot tell)."""
    pieces = [b'<c r="', b'<v t="', b"A", b"Z", b"a", b"1", b"000", b'"', b" "]
    always = re.compile(b"")  # as if the one pass found something: the two searches decide

    def both(text: bytes) -> tuple:
        fast = file_guard._quick_bound(text)
        before = file_guard._WIDE_OR_LONG, file_guard._SMALL_CELL
        file_guard._WIDE_OR_LONG = file_guard._SMALL_CELL = always
        try:
            slow = file_guard._quick_bound(text)
        finally:
            file_guard._WIDE_OR_LONG, file_guard._SMALL_CELL = before
        if fast != slow and fast == (999, 26):
            exact = file_guard._Extent(exact=True)
            exact.feed(text + b"<")
            rows, columns = exact.span()
            if rows <= 999 and columns <= 26:
                return slow, slow
        return fast, slow

    tried = 0
    for length in range(1, 7):
        for combination in itertools.product(pieces, repeat=length):
            fast, slow = both(b"".join(combination))
            tried += 1
            assert fast == slow, combination
    assert tried > 500_000
    sheet = HEAD + b"<worksheet><sheetData>" + b'<row r="1"><c r="B2"><v>1</v></c></row>' * 50
    chosen = random.Random(5)
    for _ in range(3000):
        at = chosen.randrange(len(sheet))
        text = sheet[:at] + b"".join(chosen.choices(pieces, k=chosen.randint(1, 8))) + sheet[at:]
        fast, slow = both(text)
        assert fast == slow, text


def test_a_sheet_or_shared_strings_declaring_no_more_bytes_than_tags_allowed_is_not_counted():
    for kind in ("worksheet", "sst"):
        cap = file_guard._element_cap(kind)
        assert not file_guard._counts_elements(kind, cap)
        assert file_guard._counts_elements(kind, cap + 1)
    for kind in ("xml", "styles", "table", "?"):  # their count also decides the depth check
        assert file_guard._counts_elements(kind, 10)


@pytest.mark.parametrize("tags", [990, 1010])
def test_a_sheet_with_too_many_tags_is_refused_as_when_every_part_is_counted(
    tags, workbook, tmp_path, monkeypatch
):
    monkeypatch.setattr(file_guard, "MAX_PART_ELEMENTS", 1000)
    content = HEAD + b"<worksheet><sheetData>" + b"<row/>" * tags + b"</sheetData></worksheet>"
    assert content.count(b"<") == tags + 5
    path = _with_part(workbook, tmp_path / "tags.xlsx", "xl/worksheets/sheet1.xml", content)
    judged = _judged(path)
    monkeypatch.setattr(file_guard, "_counts_elements", lambda kind, size: True)
    assert judged == _judged(path)
    assert [rule for rule, _ in judged] == (["file-too-large"] if tags + 5 > 1000 else [])


@pytest.mark.parametrize("case", list(PARTS))
def test_a_crafted_sheet_is_judged_the_same_when_its_tags_are_counted(
    case, workbook, tmp_path, monkeypatch
):
    content = PARTS[case][0].replace(b"<root", b"<worksheet").replace(b"</root>", b"</worksheet>")
    path = _with_part(workbook, tmp_path / "crafted.xlsx", "xl/worksheets/sheet1.xml", content)
    judged = _judged(path)
    monkeypatch.setattr(file_guard, "_counts_elements", lambda kind, size: True)
    assert judged == _judged(path), case


@pytest.mark.parametrize(
    ("cells", "bound"),
    [
        (b'<c r="A1"><v>1</v></c><c r="Z999" t="s"><v>2</v></c>', (999, 26)),
        (b'<c r="A1000"><v>1</v></c>', (9999, 26)),
        (b'<c r="AB7"><v>1</v></c>', (999, 26 + 26**2)),
        (b'<c r="A1"/><c  r="B2"/>', None),  # two spaces: every address is read
        (b'<x:c r="A1"/>', None),
    ],
)
def test_a_chunk_of_small_addresses_is_bounded_by_z999_and_no_other(cells, bound):
    """The one search for a cell beyond `<c r="Z999"` bounds a chunk of small addresses at
    once, and sends a longer, wider or oddly written address on to the searches before it."""
    body = b'<sheetData><row r="1" spans="1:7">' + cells + b"</row>"
    assert file_guard._quick_bound(body) == bound
