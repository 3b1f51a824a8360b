"""The zip's end record and central directory, read by hand before `zipfile` sees the file.

`zipfile` reads the whole central directory into memory, one object per entry, before anything
can look at the entry count: a 51 MB file listing a million entries costs half a gigabyte to
refuse. It also truncates names at a NUL (so `manifest.json\\0/../x` passes a name check as
`manifest.json`), and raises whatever its parsing meets. So the reader first reads the end of
central directory record itself (and the zip64 locator and record, when there is one), refuses
an entry count or a directory size beyond its limits, then walks the directory's entries on
their raw bytes: their names, compression methods, versions and flags. Only a directory that
passes is handed to `zipfile`. Every refusal is a `ValueError` with the reason, which the
bundle reader turns into its own refusal."""

from __future__ import annotations

import struct
from dataclasses import dataclass
from typing import IO

from dtlab.i18n import _, ngettext

END = struct.Struct("<4s4H2LH")  # end of central directory record, 22 bytes
LOCATOR = struct.Struct("<4sLQL")  # zip64 end of central directory locator, 20 bytes
END64 = struct.Struct("<4sQ2H2L2Q2Q")  # zip64 end of central directory record, 56 bytes
CENTRAL = struct.Struct("<4s6H3L5H2L")  # a central directory entry before its name, 46 bytes

STORED, DEFLATED = 0, 8
METHODS = (STORED, DEFLATED)  # what dtlab writes; zipfile would also try bzip2 and lzma
MAX_VERSION = 45  # 4.5, zip64: the most a deflated member written by zipfile needs
ENCRYPTED, DESCRIPTOR, UTF8 = 0x1, 0x8, 0x800
# Deflate's speed options (bits 1 and 2), a trailing data descriptor, UTF-8 names, and
# encryption (refused with its own reason by the reader). Anything else (patched data, strong
# encryption, a masked directory, bits the format reserves) is not a bundle's.
FLAGS = ENCRYPTED | 0x2 | 0x4 | DESCRIPTOR | UTF8


@dataclass(frozen=True)
class Directory:
    entries: int
    size: int
    offset: int


@dataclass(frozen=True)
class RawEntry:
    name: str
    method: int
    version: int
    flags: int


def _read_at(f: IO[bytes], offset: int, size: int) -> bytes:
    f.seek(offset)
    data = f.read(size)
    if len(data) != size:
        raise ValueError(_("the zip is cut short"))
    return data


def end_record(f: IO[bytes], file_size: int) -> Directory:
    """Where the central directory is and how many entries it lists, from the end record (and
    the zip64 record it points to), checked to describe exactly the bytes before it: no
    comment, nothing appended after the zip nor prepended before it."""
    if file_size < END.size:
        raise ValueError(_("not a zip file"))
    end_at = file_size - END.size
    sig, disk, cd_disk, on_disk, entries, size, offset, comment = END.unpack(_read_at(f, end_at, END.size))
    if sig != b"PK\x05\x06":
        # A zip comment or bytes appended after the zip also end up here: dtlab writes neither.
        raise ValueError(_("not a zip file (or one with a comment or data after its end)"))
    if comment:
        raise ValueError(_("a zip with a comment"))
    if 0xFFFF not in (entries, on_disk) and 0xFFFFFFFF not in (size, offset):
        if disk or cd_disk or on_disk != entries:
            raise ValueError(_("a zip split across disks"))
        directory, ends = Directory(entries, size, offset), end_at
    else:
        directory, ends = _zip64(f, end_at)
    if directory.offset + directory.size != ends:
        raise ValueError(_("the zip's central directory is not where its end record says"))
    return directory


def _zip64(f: IO[bytes], end_at: int) -> tuple[Directory, int]:
    at = end_at - LOCATOR.size
    if at < 0:
        raise ValueError(_("a zip64 end record without its locator"))
    sig, disk, record_at, disks = LOCATOR.unpack(_read_at(f, at, LOCATOR.size))
    if sig != b"PK\x06\x07" or disk or disks != 1:
        raise ValueError(_("a zip64 end record without its locator"))
    if record_at + END64.size != at:  # no extensible data sector: zipfile writes none
        raise ValueError(_("the zip64 end record is not where its locator says"))
    (sig, record_size, _made, _needs, disk, cd_disk, on_disk, entries, size,
     offset) = END64.unpack(_read_at(f, record_at, END64.size))
    if sig != b"PK\x06\x06" or record_size != END64.size - 12:
        raise ValueError(_("a damaged zip64 end record"))
    if disk or cd_disk or on_disk != entries:
        raise ValueError(_("a zip split across disks"))
    return Directory(entries, size, offset), record_at


def _name(raw: bytes, flags: int) -> str:
    if not raw:
        raise ValueError(_("an empty member name"))
    try:
        # As zipfile decodes it: UTF-8 under the UTF-8 flag, else the DOS code page.
        name = raw.decode("utf-8") if flags & UTF8 else raw.decode("cp437")
    except UnicodeDecodeError:
        raise ValueError(_("member name {name} is not the UTF-8 it says").format(name=repr(raw))) from None
    if not name.isprintable():  # NUL, control characters, DEL, bidi overrides, separators
        raise ValueError(_("member name {name} holds a control character").format(name=repr(name)))
    return name


def central_directory(f: IO[bytes], file_size: int, max_entries: int, max_bytes: int) -> list[RawEntry]:
    """The central directory's entries, refused before any is parsed if there are more than
    `max_entries` of them or the directory is over `max_bytes`, then refused at the first entry
    whose name, compression method, needed version or flags dtlab would not write."""
    directory = end_record(f, file_size)
    if directory.entries > max_entries:
        raise ValueError(ngettext("{n} member; a bundle has 3", "{n} members; a bundle has 3",
                                  directory.entries).format(n=f"{directory.entries:,}"))
    if directory.size > max_bytes:
        raise ValueError(ngettext("a central directory of {size} byte", "a central directory of {size} bytes",
                                  directory.size).format(size=f"{directory.size:,}"))
    data = _read_at(f, directory.offset, directory.size)
    found, at = [], 0
    for _entry in range(directory.entries):
        if at + CENTRAL.size > len(data):
            raise ValueError(_("the zip's central directory is cut short"))
        (sig, _made, version, flags, method, _time, _date, _crc, _csize, _usize, name_len, extra_len,
         comment_len, _disk, _internal, _external, _offset) = CENTRAL.unpack_from(data, at)
        if sig != b"PK\x01\x02":
            raise ValueError(_("a damaged central directory entry"))
        raw = data[at + CENTRAL.size: at + CENTRAL.size + name_len]
        at += CENTRAL.size + name_len + extra_len + comment_len
        if at > len(data):
            raise ValueError(_("the zip's central directory is cut short"))
        name = _name(raw, flags)
        if method not in METHODS:
            raise ValueError(_("member {name} uses compression method {method}; a bundle is deflated").format(
                name=repr(name), method=method))
        if version > MAX_VERSION:
            raise ValueError(_("member {name} needs zip version {version}").format(
                name=repr(name), version=f"{version // 10}.{version % 10}"))
        if flags & ~FLAGS:
            raise ValueError(_("member {name} has zip flags {flags} a bundle does not use").format(
                name=repr(name), flags=f"{flags:#06x}"))
        found.append(RawEntry(name, method, version, flags))
    if at != len(data):
        raise ValueError(_("the zip's central directory holds more than its entries"))
    return found

