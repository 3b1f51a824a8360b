"""The manifest's form, checked before anything shows, stores or looks up what it says: a bundle
signed by a trusted key is still refused when a field is not of the form the schema gives (a
`bundle_id` of `[/]` used to be stored, and the sync screen then failed each time it opened).
And an operation's ids are ids."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dtlab.sync.bundle import MANIFEST, OPERATIONS, Rejected, canonical, read_bundle
from dtlab.sync.manifest import check_manifest
from tests.helpers.bundles import members, resigned
from tests.helpers.sites import Site, refused
from tests.helpers.zips import Entry, build

pytestmark = pytest.mark.functional


@pytest.fixture
def pair(exported: tuple[Site, Site, Path]) -> tuple[Site, Site, Path]:
    return exported


def signed(field: Site, tmp_path: Path, manifest: dict[str, Any] | bytes, ops: bytes) -> Path:
    out = tmp_path / "signed.dtlab"
    out.write_bytes(build([Entry(n.encode(), d) for n, d in resigned(field.key, manifest, ops)]))
    return out


SITE = "01a20000-0000-7000-8000-00000000000a"
LIES: list[tuple[str, Any, str]] = [
    ("bundle_id markup", {"bundle_id": "[/]"}, "bundle_id '\\[/\\]' is not a UUID"),
    ("bundle_id upper case", {"bundle_id": "01A20000-0000-7000-8000-00000000000A"}, "not a UUID"),
    ("bundle_id braces", {"bundle_id": "{01a20000-0000-7000-8000-00000000000a}"}, "not a UUID"),
    ("bundle_id with a newline", {"bundle_id": "01a20000-0000-7000-8000-00000000000a\n"}, "not a UUID"),
    ("bundle_id 200 KB", {"bundle_id": os.urandom(100_000).hex()}, "not a UUID"),
    ("bundle_id a number", {"bundle_id": 7}, "not a UUID"),
    ("key_id markup", {"key_id": "[@click=app.screenshot('/x')]details[/]"}, "not 16 hex digits"),
    ("key_id upper case", {"key_id": "ABCDEF0123456789"}, "not 16 hex digits"),
    ("key_id escape", {"key_id": "\x1b]0;title\x07"}, "not 16 hex digits"),
    ("origin code lower", {"origin": {"id": SITE, "code": "nbo"}}, "origin"),
    ("origin code newline", {"origin": {"id": SITE, "code": "NBO\n"}}, "origin"),
    ("origin id not an id", {"origin": {"id": "[/]", "code": "NBO"}}, "origin"),
    ("origin with more", {"origin": {"id": SITE, "code": "NBO", "x": 1}}, "origin"),
    ("a site id not an id", {"sites": {"[/]": "NBO"}}, "sites malformed"),
    ("a site code not one", {"sites": {SITE: "N[/]"}}, "sites malformed"),
    ("a range's origin not an id", {"ranges": {"x": [1, 1]}}, "ranges malformed"),
    ("a vector's origin not an id", {"vector": {"x": 1}}, "vector malformed"),
    ("capabilities a list in a list", {"capabilities": [["operations-v1"]]}, "capabilities malformed"),
    ("capabilities a dict", {"capabilities": {"operations-v1": 1}}, "capabilities malformed"),
    ("capabilities unknown", {"capabilities": ["operations-v1", "teleport"]}, "not understood"),
    ("schema not a revision", {"schema_version": "0010; drop"}, "schema revision"),
    ("created_at not a time", {"created_at": "yesterday"}, "created_at"),
    ("created_at without zone", {"created_at": "2026-11-02T10:00:00"}, "created_at"),
    ("app_version control", {"app_version": "1.0\x1b[2K"}, "app_version"),
    ("full not a bool", {"full": "yes"}, "full"),
    ("to markup", {"to": "[/]"}, "not a site code"),
    ("to a list", {"to": ["HQ"]}, "not a site code"),
    ("format_version true", {"format_version": True}, "format version"),
    ("an unknown field", {"extra": 1}, "unknown field"),
]


@pytest.mark.parametrize(("name", "lie", "reason"), LIES, ids=[c[0] for c in LIES])
def test_a_signed_manifest_out_of_form_is_refused(pair: tuple[Site, Site, Path], tmp_path: Path, name: str,
                                                  lie: dict[str, Any], reason: str) -> None:
    hq, field, path = pair
    m = members(path)
    manifest = {**json.loads(m[MANIFEST]), **lie}
    with pytest.raises(Rejected) as caught:
        hq.take(signed(field, tmp_path, manifest, m[OPERATIONS]))
    assert str(caught.value).isprintable() and len(str(caught.value)) < 200
    refused(hq, signed(field, tmp_path, manifest, m[OPERATIONS]), reason)


@pytest.mark.parametrize("name", ["full", "members", "key_id"])
def test_a_missing_field_is_refused(pair: tuple[Site, Site, Path], tmp_path: Path, name: str) -> None:
    hq, field, path = pair
    m = members(path)
    manifest = json.loads(m[MANIFEST])
    del manifest[name]
    raw = json.dumps(manifest).encode()  # members as they were: `resigned` would add them again
    refused(hq, signed(field, tmp_path, raw, m[OPERATIONS]), f"{name} missing")


def test_members_out_of_form_are_refused(pair: tuple[Site, Site, Path], tmp_path: Path) -> None:
    hq, field, path = pair
    m = members(path)
    manifest = json.loads(m[MANIFEST])
    described = manifest["members"][OPERATIONS]
    for listed in ({OPERATIONS: {**described, "sha256": described["sha256"].upper()}},
                   {OPERATIONS: described, "other": described},
                   {OPERATIONS: {**described, "rows": True}},
                   {OPERATIONS: {**described, "note": "x"}}):
        raw = json.dumps({**manifest, "members": listed}).encode()
        refused(hq, signed(field, tmp_path, raw, m[OPERATIONS]), "members malformed")


@pytest.mark.parametrize("name", ["origin", "row_id", "case_id"])
def test_an_operation_whose_ids_are_not_ids_is_refused(pair: tuple[Site, Site, Path], tmp_path: Path,
                                                       name: str) -> None:
    hq, field, path = pair
    m = members(path)
    lines = m[OPERATIONS].splitlines(keepends=True)
    op = json.loads(lines[-1])
    op[name] = "[/]"
    ops = b"".join(lines[:-1]) + canonical(op) + b"\n"
    refused(hq, signed(field, tmp_path, json.loads(m[MANIFEST]), ops), f"{name} '\\[/\\]' is not an id")


def test_a_stored_bundle_id_is_always_a_uuid(pair: tuple[Site, Site, Path]) -> None:
    """What the history shows and looks bundles up by came through the check."""
    from dtlab.sync.export import bundles

    hq, _field, path = pair
    hq.take(path)
    with hq.store.read() as s:
        (record,) = bundles(s)
    check_manifest({**read_bundle(path).manifest, "bundle_id": record.id})


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(value=st.text(max_size=40) | st.integers() | st.none() | st.lists(st.text(max_size=3), max_size=2))
def test_only_the_canonical_form_passes(pair: tuple[Site, Site, Path], value: Any) -> None:
    """Whatever a bundle_id or key_id is, the check refuses it with a printable line, or it is of
    the form (and then the same text a UUID or a key id prints)."""
    import uuid

    _hq, _field, path = pair
    manifest = read_bundle(path).manifest
    for name in ("bundle_id", "key_id"):
        try:
            check_manifest({**manifest, name: value})
        except Rejected as exc:
            assert str(exc).isprintable()
        else:
            assert isinstance(value, str)
            if name == "bundle_id":
                assert str(uuid.UUID(value)) == value
            else:
                assert int(value, 16) >= 0 and value == value.lower() and len(value) == 16
