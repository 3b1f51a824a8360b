"""Hostile bundles: each is refused with one reason and nothing written."""

from __future__ import annotations

import base64
import json
import os
import struct
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dtlab.errors import UsageError
from dtlab.services.cases import create_case
from dtlab.sync.bundle import MANIFEST, OPERATIONS, SIGNATURE, Limits, Rejected, canonical, read_bundle
from dtlab.sync.exchange import export_file
from dtlab.sync.keys import site_key
from dtlab.sync.trust import revoke
from tests.helpers.bundles import members
from tests.helpers.sites import Site, refused

pytestmark = pytest.mark.functional


@pytest.fixture
def pair(exported: tuple[Site, Site, Path]) -> tuple[Site, Site, Path]:
    return exported


def rewrite(path: Path, out: Path, parts: list[tuple[str, bytes]], **info: Any) -> Path:
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as z:
        for name, data in parts:
            zi = zipfile.ZipInfo(name)
            zi.compress_type = zipfile.ZIP_DEFLATED
            for key, value in info.get(name, {}).items():
                setattr(zi, key, value)
            z.writestr(zi, data)
    return out


def resign(field: Site, manifest: dict[str, Any], ops: bytes) -> list[tuple[str, bytes]]:
    """A bundle the field's own key signs: for tests of what the signature cannot vouch for."""
    import hashlib

    manifest = {**manifest, "members": {OPERATIONS: {"size": len(ops), "rows": ops.count(b"\n"),
                                                     "sha256": hashlib.sha256(ops).hexdigest()}}}
    raw = json.dumps(manifest).encode()
    return [(OPERATIONS, ops), (MANIFEST, raw), (SIGNATURE, base64.b64encode(field.key.sign(raw)))]


CASES: list[tuple[str, Callable[[dict[str, bytes]], list[tuple[str, bytes]]], str]] = [
    ("traversal", lambda m: [*m.items(), ("../evil", b"x")], "unsafe member name"),
    ("absolute", lambda m: [("/etc/passwd", b"x"), *m.items()], "unsafe member name"),
    ("unknown member", lambda m: [*m.items(), ("extra.txt", b"x")], "unknown member"),
    ("duplicate", lambda m: [*m.items(), (MANIFEST, m[MANIFEST])], "twice"),
    ("missing", lambda m: [(k, v) for k, v in m.items() if k != SIGNATURE], "missing"),
    ("directory", lambda m: [("d/", b""), *[(k, v) for k, v in m.items() if k != SIGNATURE]], "directory|unsafe"),
]


@pytest.mark.filterwarnings("ignore:Duplicate name")  # the duplicate is the attack
@pytest.mark.parametrize(("name", "mutate", "reason"), CASES, ids=[c[0] for c in CASES])
def test_structure(pair: tuple[Site, Site, Path], tmp_path: Path, name: str, mutate: Any, reason: str) -> None:
    hq, _field, path = pair
    refused(hq, rewrite(path, tmp_path / "bad.dtlab", mutate(members(path))), reason)


def test_a_link(pair: tuple[Site, Site, Path], tmp_path: Path) -> None:
    hq, _field, path = pair
    m = members(path)
    link = rewrite(path, tmp_path / "bad.dtlab", list(m.items()),
                   **{SIGNATURE: {"external_attr": (0o120777 << 16)}})
    refused(hq, link, "a link")


def test_a_zip_bomb_with_a_lying_header(pair: tuple[Site, Site, Path], tmp_path: Path) -> None:
    hq, field, path = pair
    manifest = {**json.loads(members(path)[MANIFEST]), "ranges": {}}  # no operations, as far as it says
    ops = b"0" * 50_000_000  # compresses about a thousand times
    bomb = rewrite(path, tmp_path / "bomb.dtlab", resign(field, manifest, ops))
    refused(hq, bomb, "zip bomb")
    # The header lies about the size: the stream is cut at the declared size.
    raw = bytearray(bomb.read_bytes())
    with zipfile.ZipFile(bomb) as z:
        info = z.getinfo(OPERATIONS)
    # Patch the central directory's uncompressed size of operations.ndjson to 100 bytes.
    pos = raw.find(b"PK\x01\x02")
    while pos != -1:
        name_len = struct.unpack("<H", raw[pos + 28:pos + 30])[0]
        if raw[pos + 46:pos + 46 + name_len] == OPERATIONS.encode():
            raw[pos + 24:pos + 28] = struct.pack("<I", 100)
        pos = raw.find(b"PK\x01\x02", pos + 4)
    liar = tmp_path / "liar.dtlab"
    liar.write_bytes(bytes(raw))
    assert info.file_size == len(ops)
    refused(hq, liar, "larger than it says|damaged|zip bomb|does not match")


def test_lines_depth_and_integers(pair: tuple[Site, Site, Path], tmp_path: Path) -> None:
    hq, field, path = pair
    manifest = json.loads(members(path)[MANIFEST])
    small = Limits(line_bytes=1000)
    long_line = rewrite(path, tmp_path / "long.dtlab", resign(field, manifest, b'"' + b"a" * 5000 + b'"\n'))
    with pytest.raises(Rejected, match="line longer"):
        read_bundle(long_line, small)
    deep = rewrite(path, tmp_path / "deep.dtlab", resign(field, manifest, b"[" * 100 + b"]" * 100 + b"\n"))
    refused(hq, deep, "nested too deeply")
    huge = rewrite(path, tmp_path / "huge.dtlab", resign(field, manifest, b"1" * 400 + b"\n"))
    refused(hq, huge, "integer too large")


def test_a_flipped_byte_and_an_edited_manifest(pair: tuple[Site, Site, Path], tmp_path: Path) -> None:
    hq, _field, path = pair
    m = members(path)
    ops = bytearray(m[OPERATIONS])
    ops[10] ^= 0x01
    flipped = rewrite(path, tmp_path / "flip.dtlab", [(OPERATIONS, bytes(ops)), (MANIFEST, m[MANIFEST]),
                                                      (SIGNATURE, m[SIGNATURE])])
    refused(hq, flipped, "does not match|not valid JSON|not an operation")
    manifest = json.loads(m[MANIFEST])
    manifest["release"] = 99
    edited = rewrite(path, tmp_path / "edit.dtlab", [(OPERATIONS, m[OPERATIONS]),
                                                     (MANIFEST, json.dumps(manifest).encode()),
                                                     (SIGNATURE, m[SIGNATURE])])
    refused(hq, edited, "signature does not match")


def test_keys_revoked_and_schema_newer(pair: tuple[Site, Site, Path], tmp_path: Path) -> None:
    hq, field, path = pair
    manifest = json.loads(members(path)[MANIFEST])
    manifest["schema_version"] = "9999"
    newer = rewrite(path, tmp_path / "new.dtlab", resign(field, manifest, members(path)[OPERATIONS]))
    refused(hq, newer, "newer than this dtlab")
    with hq.store.write() as s:
        revoke(s, field.key.id)
    refused(hq, path, "revoked")


def test_a_forked_site(pair: tuple[Site, Site, Path], tmp_path: Path) -> None:
    hq, field, path = pair
    hq.take(path)
    m = members(path)
    lines = m[OPERATIONS].splitlines(keepends=True)
    op = json.loads(lines[0])
    op["actor"] = "mallory"  # same origin and sequence, other content
    forged = canonical(op) + b"\n" + b"".join(lines[1:])
    manifest = json.loads(m[MANIFEST])
    manifest["bundle_id"] = "01a20000-0000-7000-8000-0000000b0b0b"  # another bundle
    refused(hq, rewrite(path, tmp_path / "fork.dtlab", resign(field, manifest, forged)), "forked")


def test_an_older_release_from_hq_is_refused_in_the_field(tmp_path: Path) -> None:
    hq, field = Site(tmp_path, "HQ", "hq"), Site(tmp_path, "NBO", "amina")
    field.trusts(hq)
    create_case(hq.store, {"title": "One", "country": "KE"})
    old = hq.export("NBO", full=True)
    create_case(hq.store, {"title": "Two", "country": "KE"})
    new = hq.export("NBO", full=True)
    field.take(new)
    refused(field, old, "older than release")
    hq.store.close()
    field.store.close()


@settings(max_examples=60, deadline=None)
@given(data=st.binary(max_size=2000))
def test_arbitrary_bytes_never_crash_the_reader(tmp_path_factory: pytest.TempPathFactory, data: bytes) -> None:
    path = tmp_path_factory.mktemp("fuzz") / "x.dtlab"
    path.write_bytes(data)
    with pytest.raises(Rejected):
        read_bundle(path)


@settings(max_examples=40, deadline=None)
@given(lines=st.lists(st.recursive(st.none() | st.booleans() | st.integers() | st.text(max_size=20),
                                   lambda inner: st.lists(inner, max_size=3) | st.dictionaries(
                                       st.text(max_size=5), inner, max_size=3), max_leaves=10), max_size=5))
def test_arbitrary_json_lines_are_refused_cleanly(tmp_path_factory: pytest.TempPathFactory, lines: list[Any]) -> None:
    """Whatever JSON a signed bundle's lines hold, reading either accepts well-formed operations
    or refuses with a reason; it never fails otherwise."""
    tmp = tmp_path_factory.mktemp("json")
    key = site_key("fuzz-site")
    ops = b"".join(canonical(v) + b"\n" for v in lines)
    manifest = {"format": "dtlab-bundle", "format_version": 1, "capabilities": ["operations-v1"],
                "bundle_id": "01a20000-0000-7000-8000-00000000000b", "key_id": key.id, "schema_version": "0009",
                "app_version": "0", "created_at": "2026-11-02T10:00:00+00:00", "full": False,
                "origin": {"id": "01a20000-0000-7000-8000-00000000000a", "code": "NBO"}, "release": 1,
                "ranges": {}, "vector": {}}
    field = Site.__new__(Site)
    field.key = key
    path = rewrite(tmp / "x", tmp / "j.dtlab", resign(field, manifest, ops))
    try:
        bundle = read_bundle(path)
    except Rejected as exc:
        assert "manifest" not in str(exc)  # the manifest itself is well formed: a line was refused
        return
    assert len(bundle.operations) == len(lines)


def test_export_refuses_a_directory(pair: tuple[Site, Site, Path], tmp_path: Path) -> None:
    _hq, field, _path = pair
    with pytest.raises(UsageError, match="directory"):
        export_file(field.store, tmp_path, "HQ")


def test_overlapping_entries(pair: tuple[Site, Site, Path], tmp_path: Path) -> None:
    """Two directory entries pointing into the same bytes (the trick of overlapping-file zip
    bombs) are refused before anything is read."""
    hq, _field, path = pair
    raw = bytearray(path.read_bytes())
    offsets: dict[bytes, int] = {}
    pos = raw.find(b"PK\x01\x02")
    while pos != -1:
        name_len = struct.unpack("<H", raw[pos + 28:pos + 30])[0]
        offsets[bytes(raw[pos + 46:pos + 46 + name_len])] = pos
        pos = raw.find(b"PK\x01\x02", pos + 4)
    target = struct.unpack("<I", raw[offsets[MANIFEST.encode()] + 42:offsets[MANIFEST.encode()] + 46])[0]
    raw[offsets[SIGNATURE.encode()] + 42:offsets[SIGNATURE.encode()] + 46] = struct.pack("<I", target)
    overlapping = tmp_path / "overlap.dtlab"
    overlapping.write_bytes(bytes(raw))
    refused(hq, overlapping, "overlap")


SIGNED_LIES: list[tuple[str, Callable[[dict[str, Any]], None], str]] = [
    ("another site's operation", lambda op: op.update(origin="01a20000-0000-7000-8000-000000000000"),
     "operation of another site"),
    ("a bookkeeping column", lambda op: op["changes"].update(created_at=[None, "2000-01-01T00:00:00+00:00"]),
     "cannot be written"),
    ("a clock a century ahead", lambda op: op.update(hlc=op["hlc"] + ((100 * 365 * 86400 * 1000) << 16)),
     "more than a day ahead"),
    ("an unreadable time", lambda op: op.update(at="yesterday"), "does not fit"),
    ("a delete that is not one", lambda op: op.update(op="delete"), "only a delete"),
    ("a time with no zone", lambda op: op.update(at="2026-11-02T10:00:00"), "no time zone"),
    ("a time past the calendar's end", lambda op: op.update(at="0001-01-01T00:00:00+14:00"), "does not fit"),
    ("text that is not text", lambda op: op.update(actor="\ud800"), "not valid Unicode"),
    ("a name across two lines", lambda op: op.update(table="cases\nand more"), "unknown table"),
]


@pytest.mark.parametrize(("name", "lie", "reason"), SIGNED_LIES, ids=[c[0] for c in SIGNED_LIES])
def test_a_trusted_site_cannot_sign_its_way_past_the_schema(pair: tuple[Site, Site, Path], tmp_path: Path,
                                                            name: str, lie: Any, reason: str) -> None:
    hq, field, path = pair
    m = members(path)
    lines = m[OPERATIONS].splitlines(keepends=True)
    op = json.loads(lines[-1])
    lie(op)
    ops = b"".join(lines[:-1]) + json.dumps(op, sort_keys=True).encode() + b"\n"  # \\ud800 as JSON writes it
    manifest = json.loads(m[MANIFEST])
    if op["origin"] != manifest["origin"]["id"]:  # the site's own operation, and another site's first
        op.update(seq=1, row_id="01a20000-0000-7000-8000-00000000beef")
        ops = m[OPERATIONS] + json.dumps(op, sort_keys=True).encode() + b"\n"
        manifest["ranges"][op["origin"]] = [1, 1]
    refused(hq, rewrite(path, tmp_path / "lie.dtlab", resign(field, manifest, ops)), reason)


def test_an_untrusted_signer_is_refused_before_the_operations_are_read(pair: tuple[Site, Site, Path],
                                                                        tmp_path: Path) -> None:
    """The signer is checked as soon as the manifest is read: a stranger's bundle costs nothing,
    however large or broken its operations."""
    hq, _field, path = pair
    stranger = Site(tmp_path, "EVE", "eve")
    manifest = json.loads(members(path)[MANIFEST])
    manifest["origin"] = {"id": stranger.store.require_site().id, "code": "EVE"}
    manifest["key_id"] = stranger.key.id
    junk = b"".join(b"{not json " + os.urandom(16).hex().encode() + b"\n" for _ in range(1000))
    broken = rewrite(path, tmp_path / "eve.dtlab", resign(stranger, manifest, junk))
    refused(hq, broken, "unknown key")
    stranger.store.close()


def test_a_damaged_copy_is_refused_as_damaged_before_any_operation_is_taken(pair: tuple[Site, Site, Path],
                                                                            tmp_path: Path) -> None:
    """One operation edited in a signed bundle, without signing again: refused for not matching
    the manifest, not for whatever the edit makes the operation look like."""
    hq, _field, path = pair
    m = members(path)
    lines = m[OPERATIONS].splitlines(keepends=True)
    op = json.loads(lines[-1])
    op["at"] = "2026-11-02T10:00:00"  # no zone: would not fit the column either
    ops = b"".join(lines[:-1]) + canonical(op) + b"\n"
    damaged = rewrite(path, tmp_path / "damaged.dtlab",
                      [(OPERATIONS, ops), (MANIFEST, m[MANIFEST]), (SIGNATURE, m[SIGNATURE])])
    refused(hq, damaged, "does not match its size, row count or SHA-256")


def test_a_field_left_out_of_an_insert_keeps_its_default(pair: tuple[Site, Site, Path], tmp_path: Path) -> None:
    """A log written before a column existed has inserts without it: the column's default fills
    it, in the batched path as in a single insert."""
    from sqlalchemy import select

    from dtlab.db.models import Case

    hq, field, path = pair
    m = members(path)
    ops = []
    for line in m[OPERATIONS].splitlines():
        op = json.loads(line)
        if op["table"] == "cases" and op["op"] == "insert":
            op["changes"].pop("status", None)
            op["changes"].pop("stage", None)
        ops.append(canonical(op) + b"\n")
    hq.take(rewrite(path, tmp_path / "old.dtlab", resign(field, json.loads(m[MANIFEST]), b"".join(ops))))
    with hq.store.read() as s:
        (case,) = s.scalars(select(Case)).all()
        assert (case.stage, case.status) == ("interest", "open")


def test_manifest_numbers_and_ids_that_cannot_be_true(pair: tuple[Site, Site, Path], tmp_path: Path) -> None:
    hq, field, path = pair
    m = members(path)
    manifest = json.loads(m[MANIFEST])
    for name, lie, reason in [
        ("release", {"release": 2**63}, "release missing or out of range"),
        ("vector", {"vector": {manifest["origin"]["id"]: 2**63}}, "vector malformed"),
    ]:
        bad = rewrite(path, tmp_path / f"{name}.dtlab", resign(field, {**manifest, **lie}, m[OPERATIONS]))
        refused(hq, bad, reason)
    # A bundle that takes the id of one HQ itself wrote.
    sent = hq.export("NBO")
    with zipfile.ZipFile(sent) as z:
        own_id = json.loads(z.read(MANIFEST))["bundle_id"]
    bad = rewrite(path, tmp_path / "reused.dtlab", resign(field, {**manifest, "bundle_id": own_id}, m[OPERATIONS]))
    refused(hq, bad, "one this site wrote")


def test_a_trusted_site_cannot_write_under_another_sites_id(tmp_path: Path) -> None:
    """HQ knows Lima's id as LIM; Nairobi signs a bundle whose origin is Lima's id under its own
    code. Refused, and Lima's own bundles still go through."""
    hq, nairobi, lima = Site(tmp_path, "HQ", "hq"), Site(tmp_path, "NBO", "amina"), Site(tmp_path, "LIM", "diego")
    hq.trusts(nairobi, lima)
    create_case(lima.store, {"title": "Andes", "country": "PE"})
    hq.take(lima.export())
    create_case(nairobi.store, {"title": "Forged", "country": "KE"})
    path = nairobi.export()
    m = members(path)
    manifest = json.loads(m[MANIFEST])
    lima_id = lima.store.require_site().id
    ops = []
    for line in m[OPERATIONS].splitlines():
        op = json.loads(line)
        op["origin"] = lima_id
        op["seq"] += 100
        ops.append(canonical(op) + b"\n")
    low, high = manifest["ranges"].pop(manifest["origin"]["id"])
    manifest["ranges"][lima_id] = [low + 100, high + 100]
    forged = {**manifest, "origin": {"id": lima_id, "code": "NBO"}}
    refused(hq, rewrite(path, tmp_path / "forged.dtlab", resign(nairobi, forged, b"".join(ops))), "is site LIM's here")
    create_case(lima.store, {"title": "Andes, second", "country": "PE"})
    assert hq.take(lima.export()).applied > 0
    for site in (hq, nairobi, lima):
        site.store.close()


def test_a_record_before_the_one_it_points_to_is_refused(tmp_path: Path) -> None:
    """Records are written in the bundle's order: a note sent before its case is refused (its
    case does not exist yet), however the importer groups its writes."""
    from dtlab.services.cases import add_note

    hq, field = Site(tmp_path, "HQ", "hq"), Site(tmp_path, "NBO", "amina")
    hq.trusts(field)
    ref = create_case(field.store, {"title": "Field case", "country": "KE"})
    add_note(field.store, ref, "first call with the ministry")
    path = field.export()
    m = members(path)
    ops = [json.loads(line) for line in m[OPERATIONS].splitlines()]
    note = next(op for op in ops if op["table"] == "notes")
    case = next(n for n, op in enumerate(ops) if op["table"] == "cases" and op["op"] == "insert")
    ops.remove(note)
    ops.insert(case, note)
    first = min(op["seq"] for op in ops)
    for n, op in enumerate(ops):
        op["seq"] = first + n
    lines = b"".join(canonical(op) + b"\n" for op in ops)
    refused(hq, rewrite(path, tmp_path / "note-first.dtlab", resign(field, json.loads(m[MANIFEST]), lines)),
            "does not fit this database")
    hq.store.close()
    field.store.close()


def test_text_a_user_saved_travels_however_well_it_compresses(tmp_path: Path) -> None:
    """Three notes of a hundred thousand dashes compress 260 to 1: a bundle of them is still a
    bundle, not a bomb (only a member beyond Limits.freely_bytes is held to the ratio)."""
    from dtlab.services.cases import add_note

    hq, field = Site(tmp_path, "HQ", "hq"), Site(tmp_path, "NBO", "amina")
    hq.trusts(field)
    field.trusts(hq)
    ref = create_case(field.store, {"title": "Field case", "country": "KE"})
    for _ in range(3):
        add_note(field.store, ref, "-" * 100_000)
    summary = hq.take(field.export())
    assert summary.applied > 0
    add_note(hq.store, ref, "=" * 100_000)
    field.take(hq.export("NBO"))
    assert field.state() == hq.state()
