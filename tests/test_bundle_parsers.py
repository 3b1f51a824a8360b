"""Hostile zip structure and JSON: whatever the file's bytes, reading it ends in a `Rejected`
with one printable line (exit 4), never in another exception, and a name can hide nothing."""

from __future__ import annotations

import json
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest

from dtlab.services.cases import create_case
from dtlab.sync.bundle import MANIFEST, OPERATIONS, SIGNATURE
from tests.helpers.sites import Sealing, Site, refused
from tests.helpers.zips import Entry, build

pytestmark = pytest.mark.functional


@pytest.fixture
def pair(exported: tuple[Site, Site, Path]) -> tuple[Site, Site, Path]:
    return exported


def entries(path: Path) -> list[Entry]:
    with zipfile.ZipFile(path) as z:
        return [Entry(i.filename.encode(), z.read(i)) for i in z.infolist()]


def changed(which: str, **fields: object) -> Callable[[list[Entry]], list[Entry]]:
    def change(found: list[Entry]) -> list[Entry]:
        for e in found:
            if e.name == which.encode():
                for key, value in fields.items():
                    setattr(e, key, value)
        return found
    return change


def _flip_deflate(e: Entry) -> bytes:
    body = bytearray(e.stored())
    body[len(body) // 2] ^= 0x10
    return bytes(body)


def corrupt(which: str) -> Callable[[list[Entry]], list[Entry]]:
    def change(found: list[Entry]) -> list[Entry]:
        for e in found:
            if e.name == which.encode():
                e.compressed = _flip_deflate(e)
        return found
    return change


def junk_stream(which: str) -> Callable[[list[Entry]], list[Entry]]:
    """A deflate stream that is not one (an invalid block type)."""
    return changed(which, compressed=b"\xff\xff\xff\xff" * 8)


STRUCTURE: list[tuple[str, Callable[[list[Entry]], list[Entry]], str]] = [
    ("an empty member name", lambda m: [*m, Entry(b"", b"x")], "member name"),
    ("an empty name instead of one", changed(SIGNATURE, name=b""), "member name"),
    ("an unsupported compression method", changed(MANIFEST, method=99), "compression method"),
    ("bzip2, which bundles do not use", changed(MANIFEST, method=12), "compression method"),
    ("a 'needs version 9.9' entry", changed(MANIFEST, version_needed=99), "version"),
    ("the patched-data flag", changed(OPERATIONS, flags=0x20), "flag"),
    ("strong encryption", changed(OPERATIONS, flags=0x41), "encrypted|flag"),
    ("a non-UTF-8 name under the UTF-8 flag", changed(SIGNATURE, name=b"manifest\xff.sig", flags=0x800),
     "member name"),
    ("a corrupt deflate stream in the manifest", junk_stream(MANIFEST), "damaged"),
    ("a flipped bit in the compressed manifest", corrupt(MANIFEST), "damaged|larger than it says"),
    ("a corrupt deflate stream in the signature", junk_stream(SIGNATURE), "damaged"),
    ("a flipped bit in the compressed operations", corrupt(OPERATIONS), "damaged|does not match"),
    ("a NUL hiding '..'", changed(MANIFEST, name=b"manifest.json\x00/../../evil"), "member name"),
    ("a NUL after a good name", changed(SIGNATURE, name=b"manifest.sig\x00"), "member name"),
    ("a newline in a name", lambda m: [*m, Entry(b"x\n\x1b[2Kbundle applied", b"x")], "member name"),
    ("a DEL in a name", lambda m: [*m, Entry(b"x\x7f", b"x")], "member name"),
    ("a bidi override in a name", lambda m: [*m, Entry("x\u202e".encode(), b"x", flags=0x800)], "member name"),
    ("a backslash traversal", lambda m: [*m, Entry(b"..\\evil", b"x")], "member name"),
]


@pytest.mark.parametrize(("name", "mutate", "reason"), STRUCTURE, ids=[c[0] for c in STRUCTURE])
def test_a_hostile_structure_is_refused(pair: tuple[Site, Site, Path], tmp_path: Path, name: str,
                                        mutate: Callable[[list[Entry]], list[Entry]], reason: str) -> None:
    hq, _field, path = pair
    bad = tmp_path / "bad.dtlab"
    bad.write_bytes(build(mutate(entries(path))))
    refused(hq, bad, reason)


def test_the_rebuilt_bundle_itself_is_taken(pair: tuple[Site, Site, Path], tmp_path: Path) -> None:
    """The byte-by-byte builder makes a bundle the reader takes, so each refusal above is for the
    one thing changed."""
    hq, _field, path = pair
    same = tmp_path / "same.dtlab"
    same.write_bytes(build(entries(path)))
    assert hq.take(same).applied > 0


def test_a_refusal_is_one_printable_line(pair: tuple[Site, Site, Path], tmp_path: Path) -> None:
    from dtlab.sync.bundle import Rejected

    hq, _field, path = pair
    bad = tmp_path / "bad.dtlab"
    bad.write_bytes(build([*entries(path), Entry(b"\x1b]52;c;aGk=\x07\x9b\xc2\x9b", b"x")]))
    with pytest.raises(Rejected) as caught:
        hq.take(bad)
    message = str(caught.value)
    assert message.isprintable(), message


DUPLICATES = [
    ("a key twice in the manifest", MANIFEST),
    ("a key twice in an operation", OPERATIONS),
]


@pytest.mark.parametrize(("name", "where"), DUPLICATES, ids=[d[0] for d in DUPLICATES])
def test_duplicate_keys_are_refused(pair: tuple[Site, Site, Path], tmp_path: Path, name: str, where: str) -> None:
    from tests.helpers.bundles import resigned

    hq, field, path = pair
    m = {e.name.decode(): e.data for e in entries(path)}
    manifest, ops = m[MANIFEST], m[OPERATIONS]
    if where == MANIFEST:
        text = manifest.decode()
        # The same release twice: a reader that keeps the last sees 99, one that keeps the first 1.
        manifest_text = text.replace('"release": ', '"release": 99, "release": ', 1)
        parts = resigned(field.key, manifest_text.encode(), ops)
    else:
        lines = ops.splitlines(keepends=True)
        first = lines[0].decode()
        lines[0] = first.replace('"actor":', '"actor":"mallory","actor":', 1).encode()
        parts = resigned(field.key, json.loads(manifest), b"".join(lines))
    bad = tmp_path / "dup.dtlab"
    bad.write_bytes(build([Entry(n.encode(), d) for n, d in parts]))
    refused(hq, bad, "twice|duplicate")


SEALED = [c for c in STRUCTURE if c[0] in ("an unsupported compression method", "the patched-data flag",
                                           "a corrupt deflate stream in the manifest", "a NUL hiding '..'",
                                           "a flipped bit in the compressed operations")]


@pytest.mark.parametrize(("name", "mutate", "reason"), SEALED, ids=[c[0] for c in SEALED])
def test_a_hostile_zip_sealed_for_hq_is_refused_the_same(tmp_path: Path, name: str,
                                                         mutate: Callable[[list[Entry]], list[Entry]],
                                                         reason: str) -> None:
    """Anyone can seal a file for HQ with its public age key: the zip inside meets the same
    reader."""
    import pyrage

    hq, field = Sealing(tmp_path, "HQ", "hq"), Sealing(tmp_path, "NBO", "amina")
    hq.knows(field)
    create_case(field.store, {"title": "Field case", "country": "KE"})
    plain = build(mutate(entries(field.export())))
    bad = tmp_path / "sealed.dtlab"
    bad.write_bytes(pyrage.encrypt(plain, [hq.identity.to_public()]))
    refused(hq, bad, reason)
    hq.store.close()
    field.store.close()


CLI_SAMPLE = [c for c in STRUCTURE if c[0] in ("an empty member name", "a 'needs version 9.9' entry",
                                               "a non-UTF-8 name under the UTF-8 flag", "a newline in a name")]


@pytest.mark.parametrize(("name", "mutate", "reason"), CLI_SAMPLE, ids=[c[0] for c in CLI_SAMPLE])
def test_the_command_line_says_one_printable_line_and_exits_4(pair: tuple[Site, Site, Path], tmp_path: Path,
                                                              name: str, mutate: Callable[[list[Entry]], list[Entry]],
                                                              reason: str) -> None:
    import os
    import re
    import subprocess
    import sys

    hq, _field, path = pair
    before = hq.state()
    bad = tmp_path / "bad.dtlab"
    bad.write_bytes(build(mutate(entries(path))))
    done = subprocess.run([sys.executable, "-m", "dtlab", "--db", str(tmp_path / "HQ.db"), "import", str(bad)],
                          capture_output=True, text=True, env={**os.environ}, timeout=120)
    assert done.returncode == 4, done.stderr
    (line,) = done.stderr.splitlines()
    assert line.isprintable() and re.search(reason, line), line
    assert hq.state() == before
