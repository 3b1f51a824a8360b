"""The sync engine's and the storage's words go through the catalogue, and what they store or send
does not: a refusal is said in the reader's language, while a conflict's reason and resolution,
a decision that travels, and the name a write gives the lock stay English wherever they are kept,
and are worded when read. A pseudo-language (every message marked ⟦…⟧) stands for any other."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest
from sqlmodel import select

from dtlab.db.dialects import LockWaitedTooLong, holder_words
from dtlab.db.models import Conflict, Decision
from dtlab.domain.stages import MoveKind
from dtlab.errors import BundleRejected, NotFound, Refused
from dtlab.services.cases import create_case, move_case, update_case
from dtlab.sync.conflicts import conflict_rows, reason_words, resolution_words, resolve_conflict
from dtlab.sync.manifest import check_manifest
from tests.helpers.pseudo_language import bracket, speak
from tests.helpers.sites import Site, hq_with_laptops

pytestmark = [pytest.mark.functional]

READY = {"applicant": "Kenya ICT Authority", "channel": "letter", "received_on": "2026-01-05"}


@pytest.fixture
def pseudo(monkeypatch: pytest.MonkeyPatch) -> None:
    speak(monkeypatch, bracket)


@pytest.fixture
def sites(tmp_path: Path) -> Iterator[tuple[Site, ...]]:
    with hq_with_laptops(tmp_path, "sqlite", ("NBO", "amina"), ("ADD", "abebe")) as three:
        yield three


def test_a_refusal_is_said_in_the_language_in_use(pseudo: None) -> None:
    with pytest.raises(BundleRejected) as refused:
        check_manifest({"format": "dtlab-bundle", "format_version": 99})
    assert str(refused.value) == "⟦bundle format version 99; this dtlab reads 1⟧"


def test_english_refusals_read_as_they_did() -> None:
    with pytest.raises(BundleRejected, match=r"^manifest: created_at 'yesterday' is not a time with its zone$"):
        check_manifest({"format": "dtlab-bundle", "format_version": 1, "capabilities": ["operations-v1"],
                        "bundle_id": "0" * 8 + "-0000-0000-0000-" + "0" * 12, "key_id": "0" * 16,
                        "schema_version": "0001", "app_version": "1", "created_at": "yesterday", "origin": {},
                        "release": 1, "full": False, "ranges": {}, "vector": {}, "members": {}})


def test_a_gate_conflict_keeps_its_reason_and_resolution_in_english(sites: tuple[Site, Site, Site],
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    hq, field, other = sites
    ref = create_case(hq.store, {"title": "Hub", "country": "KE", **READY})
    field.take(hq.export("NBO"))
    other.take(hq.export("ADD"))
    hq.take(field.export())
    update_case(hq.store, ref, {"channel": ""})
    move_case(field.store, ref, MoveKind.ADVANCE)
    bundle = field.export()
    speak(monkeypatch, bracket)  # HQ's staff read another language
    assert hq.take(bundle).conflicts == 1
    with hq.store.read() as s:
        (row,) = conflict_rows(s)
    reason = row["reason"]
    assert reason.startswith("advanced past a gate that an edit here, not seen there, leaves unmet: ")
    assert reason_words(reason) == f"⟦advanced past a gate that an edit here, not seen there, leaves unmet: " \
                                   f"{reason.partition('leaves unmet: ')[2]}⟧"
    resolve_conflict(hq.store, row["id"], "take")
    with hq.store.read() as s:
        conflict = s.get(Conflict, row["id"])
        decision = s.scalars(select(Decision)).one()
    assert conflict is not None and (conflict.resolution, decision.resolution) == ("took incoming", "took incoming")
    assert resolution_words(conflict.resolution) == "⟦took incoming⟧"
    with pytest.raises(Refused, match="⟦took incoming⟧"):  # refused again: said in the language in use
        resolve_conflict(hq.store, row["id"], "keep")


def test_a_decision_from_another_site_is_worded_when_read(pseudo: None) -> None:
    assert resolution_words("decided at HQ by hq: edited") == "⟦decided at HQ by hq: ⟦edited⟧⟧"
    assert resolution_words("kept") == "⟦kept⟧"
    assert resolution_words("something else") == "something else"
    assert resolution_words(None) is None
    assert reason_words("a reason from before") == "a reason from before"


def test_english_resolutions_read_as_stored() -> None:
    assert resolution_words("decided at HQ by hq: edited") == "decided at HQ by hq: edited"
    assert reason_words("advanced past a gate that an edit here, not seen there, leaves unmet: x") == (
        "advanced past a gate that an edit here, not seen there, leaves unmet: x")


def test_the_lock_holder_names_itself_in_english_and_is_worded_when_read(pseudo: None) -> None:
    assert holder_words("an import by amina") == "⟦an import by amina⟧"
    assert holder_words("a save by bob", datetime(2026, 1, 5, 10, 42)) == "⟦⟦a save by bob⟧ (since 10:42 UTC)⟧"
    assert holder_words("something else by x") == "something else by x"
    assert str(LockWaitedTooLong("x", 300.0)).startswith("⟦the database is busy: x held it for more than 300 s")


def test_english_lock_holders_read_as_they_did() -> None:
    since = datetime(2026, 1, 5, 9, 5)
    assert holder_words("an import by importer", since) == "an import by importer (since 09:05 UTC)"


def test_storage_refusals_are_translated(sites: tuple[Site, Site, Site], pseudo: None) -> None:
    from dtlab.db.cases import get_case

    hq, _field, _other = sites
    with hq.store.read() as s, pytest.raises(NotFound, match=r"^⟦no case HQ-2026-0099⟧$"):
        get_case(s, "HQ-2026-0099")
