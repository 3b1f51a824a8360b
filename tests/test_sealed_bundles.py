"""Sealed bundles: a laptop encrypts its bundle to HQ's age key; HQ opens and applies it as any
other bundle, the laptop cannot read back what it wrote, and a cut, changed or misaddressed
sealed file is refused with nothing written."""

from __future__ import annotations

import io
import secrets
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pyrage
import pytest

from dtlab.db.cases import get_case
from dtlab.errors import UsageError
from dtlab.services.cases import create_case
from dtlab.sync.bundle import Rejected, read_bundle
from dtlab.sync.exchange import export_file
from dtlab.sync.export import bundles
from dtlab.sync.keys import KeyProblem, identity_path, parse_key_file, recipient_line
from dtlab.sync.sealing import HEADER, is_sealed
from tests.helpers.sites import Sealing, refused

pytestmark = pytest.mark.functional


@pytest.fixture
def three(tmp_path: Path) -> Iterator[tuple[Sealing, Sealing, Sealing]]:
    hq, nairobi, lima = (Sealing(tmp_path, "HQ", "hq"), Sealing(tmp_path, "NBO", "amina"),
                         Sealing(tmp_path, "LIM", "diego"))
    hq.knows(nairobi, lima)
    nairobi.knows(hq)
    lima.knows(hq, nairobi)
    yield hq, nairobi, lima
    for site in (hq, nairobi, lima):
        site.store.close()


def test_hq_opens_and_applies_a_bundle_sealed_for_it(three: tuple[Sealing, Sealing, Sealing]) -> None:
    hq, nairobi, _lima = three
    ref = create_case(nairobi.store, {"title": "Mombasa port digital twin", "country": "KE"})
    sealed = nairobi.seal_for("HQ")
    raw = sealed.read_bytes()
    assert raw.startswith(HEADER) and is_sealed(sealed)
    assert not zipfile.is_zipfile(sealed)
    assert b"Mombasa" not in raw and b"manifest" not in raw
    summary = hq.take(sealed)
    assert summary.applied > 0 and summary.conflicts == 0
    with hq.store.read() as s:
        assert get_case(s, ref).title == "Mombasa port digital twin"
        history = {b.direction: b for b in bundles(s)}
    assert history["received"].sealed
    with nairobi.store.read() as s:
        assert [b.sealed for b in bundles(s)] == [True]
    assert hq.take(sealed).already  # a sealed bundle is idempotent like any other


def test_hq_seals_for_the_field_the_same_way(three: tuple[Sealing, Sealing, Sealing]) -> None:
    hq, nairobi, _lima = three
    ref = create_case(hq.store, {"title": "Kenya innovation hub", "country": "KE"})
    nairobi.take(hq.seal_for("NBO"))
    with nairobi.store.read() as s:
        assert get_case(s, ref).title == "Kenya innovation hub"


def test_the_laptop_cannot_read_back_what_it_sealed(three: tuple[Sealing, Sealing, Sealing]) -> None:
    _hq, nairobi, _lima = three
    create_case(nairobi.store, {"title": "Field case", "country": "KE"})
    sealed = nairobi.seal_for("HQ")
    with pytest.raises(pyrage.DecryptError):
        pyrage.decrypt(sealed.read_bytes(), [nairobi.identity])
    with pytest.raises(Rejected, match="encrypted for another site"):
        nairobi.take(sealed)


def test_a_bundle_sealed_for_another_site_is_refused(three: tuple[Sealing, Sealing, Sealing]) -> None:
    hq, nairobi, lima = three
    create_case(nairobi.store, {"title": "Field case", "country": "KE"})
    refused(lima, nairobi.seal_for("HQ"), "encrypted for another site")
    assert hq.take(nairobi.tmp / "NBO-1.sealed.dtlab").applied > 0  # the right site still opens it


@pytest.mark.parametrize("keep", [10, 30, 200, 0.5, -1, -17])
def test_a_truncated_sealed_bundle_is_refused(three: tuple[Sealing, Sealing, Sealing], tmp_path: Path,
                                              keep: float) -> None:
    hq, nairobi, _lima = three
    for n in range(60):  # text that does not compress, so the bundle spans several age chunks
        create_case(nairobi.store, {"title": f"Field case {n}", "country": "KE",
                                    "purpose": secrets.token_urlsafe(1500)})
    raw = nairobi.seal_for("HQ").read_bytes()
    assert len(raw) > 70_000  # more than one age chunk, so a cut can fall between chunks
    cut = tmp_path / "cut.dtlab"
    cut.write_bytes(raw[:int(len(raw) * keep) if isinstance(keep, float) else keep])
    refused(hq, cut, "truncated or damaged|not a bundle")


def test_a_changed_byte_in_a_sealed_bundle_is_refused(three: tuple[Sealing, Sealing, Sealing],
                                                      tmp_path: Path) -> None:
    hq, nairobi, _lima = three
    create_case(nairobi.store, {"title": "Field case", "country": "KE"})
    raw = bytearray(nairobi.seal_for("HQ").read_bytes())
    raw[-40] ^= 0x01
    changed = tmp_path / "changed.dtlab"
    changed.write_bytes(bytes(raw))
    refused(hq, changed, "truncated or damaged")


def test_sealing_does_not_replace_the_signature(three: tuple[Sealing, Sealing, Sealing], tmp_path: Path) -> None:
    """A stranger who knows HQ's public age key can seal a file for HQ; the bundle inside
    must still be signed by a key HQ trusts."""
    hq, _nairobi, _lima = three
    (tmp_path / "elsewhere").mkdir()
    stranger = Sealing(tmp_path / "elsewhere", "NBO", "mallory")  # claims to be Nairobi, with its own key
    stranger.knows(hq)
    create_case(stranger.store, {"title": "Forged", "country": "KE"})
    refused(hq, stranger.seal_for("HQ"), "unknown key")
    stranger.store.close()


def test_sealing_needs_the_receivers_key(three: tuple[Sealing, Sealing, Sealing], tmp_path: Path) -> None:
    _hq, nairobi, _lima = three
    out = tmp_path / "x.dtlab"
    with pytest.raises(UsageError, match="no encryption key for site LIM"):
        export_file(nairobi.store, out, "LIM", sealed=True)
    assert not out.exists()
    with nairobi.store.read() as s:
        assert bundles(s) == []


def test_any_age_tool_opens_it_with_the_receivers_identity_file(three: tuple[Sealing, Sealing, Sealing]) -> None:
    hq, nairobi, _lima = three
    create_case(nairobi.store, {"title": "Field case", "country": "KE"})
    sealed = nairobi.seal_for("HQ")
    identity = pyrage.x25519.Identity.from_str(identity_path(hq.store.require_site().id).read_text().strip())
    plain = pyrage.decrypt(sealed.read_bytes(), [identity])
    bundle = read_bundle(io.BytesIO(plain))
    assert bundle.manifest["origin"]["code"] == "NBO" and bundle.operations


def test_the_key_file_carries_both_lines(three: tuple[Sealing, Sealing, Sealing]) -> None:
    _hq, nairobi, _lima = three
    text = f"{nairobi.key.line('NBO')}\n# Nairobi laptop\n\n{recipient_line(nairobi.identity, 'NBO')}\n"
    given = parse_key_file(text)
    assert given.signing == nairobi.key.public
    assert given.recipient == str(nairobi.identity.to_public())
    assert given.site == "NBO"
    with pytest.raises(KeyProblem, match="different sites"):
        parse_key_file(f"{nairobi.key.line('NBO')}\n{recipient_line(nairobi.identity, 'LIM')}")
    with pytest.raises(KeyProblem, match="age X25519 recipient"):
        parse_key_file("dtlab-age age1notakey NBO")
    with pytest.raises(KeyProblem, match="no key"):
        parse_key_file("# nothing here\n")
