"""MS-OVBA compression ([MS-OVBA] 2.4.1), for a VBA project's module and dir streams (add-in).

Written here, not taken from ms-ovba-compression 1.0.1 (which ms-ovba uses), because that one
computes a copy token's maximum length as `0xFFFF << (bits + 3)` instead of the spec's
`(0xFFFF >> bits) + 3`: a match longer than a token can hold (more than 18 bytes late in a
4096-byte chunk, a run of indentation say) spills into the token's offset bits, and the text
decompresses wrong. Excel would read xlwings.bas as garbage. It is also slow (every earlier
position is tried for every byte), about 40 s for xlwings.bas.

Here the container, chunk and token layout are the spec's, and every match is capped at what
its token can hold. Only the search differs: earlier positions are found through their first
three bytes, nearest first, and the longest match wins. Any valid token sequence decompresses
to the same text, so this changes speed and size, never meaning; the tests decompress every
stream with two independent decompressors and check the spec's own examples.
"""

from __future__ import annotations

CHUNK = 4096  # uncompressed bytes per chunk
MIN_MATCH = 3  # a copy token is worth it from three bytes
CANDIDATES = 64  # earlier positions tried per byte: enough for VBA text, and bounded


def compress(data: bytes) -> bytes:
    """A CompressedContainer: the signature byte, then one chunk per 4096 bytes of `data`."""
    out = bytearray(b"\x01")
    for start in range(0, len(data), CHUNK):
        out += _chunk(data[start : start + CHUNK])
    return bytes(out)


def _chunk(chunk: bytes) -> bytes:
    body = bytearray()
    seen: dict[bytes, list[int]] = {}
    position, end = 0, len(chunk)
    while position < end:
        flag_at = len(body)
        body.append(0)
        flags = 0
        for bit in range(8):
            if position >= end:
                break
            offset, length = _longest_match(chunk, position, seen)
            if length:
                bits = max(4, (position - 1).bit_length())  # ceil(log2(position)), at least 4
                token = ((offset - 1) << (16 - bits)) | (length - MIN_MATCH)
                body += token.to_bytes(2, "little")
                flags |= 1 << bit
            else:
                body.append(chunk[position])
                length = 1
            for p in range(position, position + length):
                seen.setdefault(chunk[p : p + MIN_MATCH], []).append(p)
            position += length
        body[flag_at] = flags
    if len(body) <= CHUNK:
        # Header: compressed flag, signature 0b011, then the chunk's size (with header) - 3.
        return (0xB000 | (len(body) + 2 - 3)).to_bytes(2, "little") + bytes(body)
    if end < CHUNK:
        raise ValueError("A short chunk that does not compress cannot be stored raw")
    return (0x3000 | 0x0FFF).to_bytes(2, "little") + chunk  # a raw chunk: 4096 bytes as is


def _longest_match(chunk: bytes, position: int, seen: dict[bytes, list[int]]) -> tuple[int, int]:
    """(offset, length) of the longest earlier match at `position` a token can hold, the
    nearest among equals; (0, 0) when there is none of three bytes or more."""
    end = len(chunk)
    if position + MIN_MATCH > end:
        return 0, 0
    candidates = seen.get(chunk[position : position + MIN_MATCH])
    if not candidates:
        return 0, 0
    bits = max(4, (position - 1).bit_length())
    limit = min((0xFFFF >> bits) + MIN_MATCH, end - position)
    best_length, best_start = 0, 0
    for start in reversed(candidates[-CANDIDATES:]):
        if best_length and chunk[start + best_length] != chunk[position + best_length]:
            continue  # cannot be longer than the best so far
        length = MIN_MATCH
        while length < limit and chunk[start + length] == chunk[position + length]:
            length += 1
        if length > best_length:
            best_length, best_start = length, start
            if length == limit:
                break
    return position - best_start, best_length
