"""Zip files built byte by byte, for the tests of the bundle reader: every field of the local
header and the central directory can be set to what an attacker would put there, which
`zipfile` itself refuses to write."""

from __future__ import annotations

import struct
import zlib
from dataclasses import dataclass


@dataclass
class Entry:
    name: bytes
    data: bytes
    method: int = 8  # deflate
    version_needed: int = 20
    flags: int = 0
    compressed: bytes | None = None  # the stored bytes, if not `data` compressed by `method`
    external_attr: int = 0

    def stored(self) -> bytes:
        if self.compressed is not None:
            return self.compressed
        if self.method == 8:
            packer = zlib.compressobj(6, zlib.DEFLATED, -15)
            return packer.compress(self.data) + packer.flush()
        return self.data


def build(entries: list[Entry], comment: bytes = b"", count: int | None = None) -> bytes:
    """A zip of `entries`, in order; `count` overrides the entry count the end record states."""
    out, central = bytearray(), bytearray()
    for e in entries:
        body, crc = e.stored(), zlib.crc32(e.data)
        offset = len(out)
        out += struct.pack("<4s5H3L2H", b"PK\x03\x04", e.version_needed, e.flags, e.method, 0, 0x21,
                           crc, len(body), len(e.data), len(e.name), 0) + e.name + body
        central += struct.pack("<4s6H3L5H2L", b"PK\x01\x02", 20, e.version_needed, e.flags, e.method, 0, 0x21,
                               crc, len(body), len(e.data), len(e.name), 0, 0, 0, 0, e.external_attr,
                               offset) + e.name
    n = len(entries) if count is None else count
    end = struct.pack("<4s4H2LH", b"PK\x05\x06", 0, 0, n & 0xFFFF, n & 0xFFFF, len(central), len(out),
                      len(comment)) + comment
    return bytes(out + central + end)


def wide_directory(entries: int) -> bytes:
    """A zip whose central directory lists `entries` one-byte stored members (about 50 bytes
    each: a million make a 51 MB file), with a zip64 end record when the count needs one. Only
    the first member has a local header: a reader that refuses the count reads no further."""
    local = struct.pack("<4s5H3L2H", b"PK\x03\x04", 20, 0, 0, 0, 0x21, zlib.crc32(b"x"), 1, 1, 1, 0) + b"a" + b"x"
    one = struct.pack("<4s6H3L5H2L", b"PK\x01\x02", 20, 20, 0, 0, 0, 0x21, zlib.crc32(b"x"), 1, 1, 1, 0, 0, 0,
                      0, 0, 0) + b"a"
    central = one * entries
    offset, size = len(local), len(central)
    if entries < 0xFFFF:
        end = struct.pack("<4s4H2LH", b"PK\x05\x06", 0, 0, entries, entries, size, offset, 0)
        return local + central + end
    record_at = offset + size
    record = struct.pack("<4sQ2H2L2Q2Q", b"PK\x06\x06", 44, 45, 45, 0, 0, entries, entries, size, offset)
    locator = struct.pack("<4sLQL", b"PK\x06\x07", 0, record_at, 1)
    end = struct.pack("<4s4H2LH", b"PK\x05\x06", 0, 0, 0xFFFF, 0xFFFF, 0xFFFFFFFF, 0xFFFFFFFF, 0)
    return local + central + record + locator + end
