"""Random damage to a valid bundle, plain and sealed: a flipped bit, a cut, bytes inserted or
taken out, anywhere in the file. Reading it either gives exactly the bundle that was written
(the damage fell on bytes that carry nothing, such as a timestamp) or a `Rejected`; never any
other exception. A sample goes through the command line: exit 4 and one printable line."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dtlab.services.cases import create_case
from dtlab.sync.bundle import Bundle, Limits, Rejected, read_bundle
from dtlab.sync.exchange import import_file
from dtlab.sync.keys import verify
from dtlab.sync.sealing import unsealed
from tests.helpers.sites import Sealing

pytestmark = pytest.mark.functional

FIXTURE = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


@pytest.fixture
def sites(tmp_path: Path) -> Iterator[tuple[Sealing, Sealing]]:
    hq, field = Sealing(tmp_path, "HQ", "hq"), Sealing(tmp_path, "NBO", "amina")
    hq.knows(field)
    field.knows(hq)
    for n in range(3):
        create_case(field.store, {"title": f"Field case {n}", "country": "KE"})
    yield hq, field
    hq.store.close()
    field.store.close()


@st.composite
def damage(draw: st.DrawFn, size: int) -> tuple[str, int, Any]:
    # Half the time near either end, where the zip's headers, directory and end record are.
    near_end = st.integers(max(0, size - 300), size - 1)
    where = draw(st.integers(0, size - 1) | near_end | st.integers(0, min(size - 1, 300)))
    kind = draw(st.sampled_from(["flip", "cut", "insert", "delete"]))
    if kind == "flip":
        return kind, where, draw(st.integers(0, 7))
    if kind == "insert":
        return kind, where, draw(st.binary(min_size=1, max_size=8))
    return kind, where, draw(st.integers(1, 16))


def damaged(raw: bytes, how: tuple[str, int, Any]) -> bytes:
    kind, at, arg = how
    data = bytearray(raw)
    if kind == "flip":
        data[at] ^= 1 << arg
    elif kind == "cut":
        del data[at:]
    elif kind == "insert":
        data[at:at] = arg
    else:
        del data[at:at + arg]
    return bytes(data)


def signed_by(field: Sealing) -> Any:
    def check(_manifest: dict[str, Any], manifest_bytes: bytes, signature: bytes) -> None:
        if not verify(field.key.public, signature, manifest_bytes):
            raise Rejected("the signature does not match the manifest")
    return check


def same(bundle: Bundle, original: Bundle) -> None:
    assert bundle.manifest_bytes == original.manifest_bytes
    assert bundle.operations == original.operations


def read_back_or_refused(read: Callable[[], Any], original: Any, hq: Any, bad: Path) -> None:
    """The damaged file reads back as the bundle written, or is refused with one printable line;
    importing it likewise (a dry run: what is refused writes nothing anyway)."""
    try:
        bundle = read()
    except Rejected as exc:
        assert str(exc).isprintable()
    else:
        same(bundle, original)
    try:
        import_file(hq.store, bad, "HQ", dry_run=True)
    except Rejected as exc:
        assert str(exc).isprintable()


@FIXTURE
@given(data=st.data())
def test_a_damaged_plain_bundle_reads_the_same_or_is_refused(sites: tuple[Sealing, Sealing], data: st.DataObject,
                                                             tmp_path_factory: pytest.TempPathFactory) -> None:
    hq, field = sites
    path = field.tmp / "NBO-fuzz.dtlab"
    if not path.exists():
        from dtlab.sync.exchange import export_file

        export_file(field.store, path, "HQ")
    raw = path.read_bytes()
    original = read_bundle(path)
    bad = tmp_path_factory.mktemp("fuzz") / "bad.dtlab"
    bad.write_bytes(damaged(raw, data.draw(damage(len(raw)))))
    read_back_or_refused(lambda: read_bundle(bad, signed=signed_by(field)), original, hq, bad)


@FIXTURE
@given(data=st.data())
def test_a_damaged_sealed_bundle_reads_the_same_or_is_refused(sites: tuple[Sealing, Sealing], data: st.DataObject,
                                                              tmp_path_factory: pytest.TempPathFactory) -> None:
    hq, field = sites
    path = field.tmp / "NBO-fuzz.sealed.dtlab"
    if not path.exists():
        from dtlab.sync.exchange import export_file

        export_file(field.store, path, "HQ", sealed=True)
    raw = path.read_bytes()
    with unsealed(path, hq.identity, Limits().file_bytes) as plain:
        original = read_bundle(io.BytesIO(plain.read()))
    bad = tmp_path_factory.mktemp("fuzz") / "bad.dtlab"
    bad.write_bytes(damaged(raw, data.draw(damage(len(raw)))))
    def read() -> Any:
        with unsealed(bad, hq.identity, Limits().file_bytes) as plain:
            return read_bundle(plain, signed=signed_by(field))

    read_back_or_refused(read, original, hq, bad)


SAMPLE = [("flip", -30, 3), ("flip", 40, 0), ("cut", -10, 0), ("insert", 100, b"\x00\x1b[2K"),
          ("delete", 60, 4)]


@pytest.mark.parametrize("sealed", [False, True], ids=["plain", "sealed"])
def test_the_command_line_refuses_damage_with_exit_4(sites: tuple[Sealing, Sealing], tmp_path: Path,
                                                     sealed: bool) -> None:
    """The same damage through `dtlab import`: exit 4, one printable line on stderr, nothing
    written (HQ's change log has as many rows after as before)."""
    import sqlite3

    from dtlab.sync.exchange import export_file

    hq, field = sites
    path = tmp_path / "good.dtlab"
    export_file(field.store, path, "HQ", sealed=sealed)
    raw = path.read_bytes()
    db = tmp_path / "HQ.db"  # where `Sealing` made it
    hq.store.close()

    def rows() -> int:
        with sqlite3.connect(db) as con:
            return int(con.execute("SELECT count(*) FROM change_log").fetchone()[0])

    before = rows()
    for kind, at, arg in SAMPLE:
        bad = tmp_path / "bad.dtlab"
        bad.write_bytes(damaged(raw, (kind, at % len(raw), arg)))
        done = subprocess.run([sys.executable, "-m", "dtlab", "--db", str(db), "import", str(bad)],
                              capture_output=True, text=True, env={**os.environ}, timeout=120)
        assert done.returncode == 4, (kind, at, done.stderr)
        (line,) = done.stderr.splitlines()
        assert line.startswith("dtlab: ") and line.isprintable()
    assert rows() == before
