"""A site's keys as its database records them: made once for the site, never a second one, and
a key that is not the recorded one refused (issue 17, point 5)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from dtlab.db.models import BundleRecord, Meta
from dtlab.db.store import Store
from dtlab.domain.clock import utc_now
from dtlab.launch import main
from dtlab.sync.keys import KeyProblem, identity_path, key_path
from dtlab.sync.own_keys import SEALING_RECORD, SIGNING_RECORD, identity, signing_key

pytestmark = pytest.mark.unit


def test_the_first_use_records_the_sites_keys_and_later_uses_check_them(store: Store) -> None:
    key, ident = signing_key(store), identity(store)
    with store.read() as s:
        assert s.get(Meta, SIGNING_RECORD).value == key.id  # type: ignore[union-attr]
        assert s.get(Meta, SEALING_RECORD).value == str(ident.to_public())  # type: ignore[union-attr]
    assert signing_key(store).id == key.id
    # Another key where the site's should be: refused, naming both.
    path = key_path(store.require_site().id)
    path.unlink()
    identity_path(store.require_site().id).unlink()
    with pytest.raises(KeyProblem, match="never makes a second key"):
        signing_key(store)
    assert not path.exists()
    with pytest.raises(KeyProblem, match="never makes a second key"):
        identity(store, create=False)
    from dtlab.sync.keys import site_key

    other = site_key(store.require_site().id)  # a key made outside dtlab's check
    with pytest.raises(KeyProblem, match=f"holds {other.id}, not site GVA's signing key \\({key.id}\\)"):
        signing_key(store)


def test_a_site_that_exchanged_bundles_before_keys_were_recorded_gets_no_new_key(store: Store) -> None:
    with store.write() as s:
        s.add(BundleRecord(id="b1", direction="sent", peer="HQ", at=utc_now(), operations=1))
    with pytest.raises(KeyProblem, match="has exchanged bundles"):
        signing_key(store)
    assert not key_path(store.require_site().id).exists()


def test_a_key_file_in_place_before_the_record_is_taken_as_the_sites(store: Store, tmp_path: Path) -> None:
    from dtlab.sync.keys import site_key

    made = site_key(store.require_site().id)  # as every dtlab before this one made it
    with store.write() as s:
        s.add(BundleRecord(id="b1", direction="sent", peer="HQ", at=utc_now(), operations=1))
    assert signing_key(store).id == made.id
    with store.read() as s:
        assert s.get(Meta, SIGNING_RECORD).value == made.id  # type: ignore[union-attr]


def test_keys_show_for_a_second_person_says_what_to_do(db_path: Path, capsys: pytest.CaptureFixture[str],
                                                       monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    assert main(["--db", str(db_path), "init", "--site", "HQ"]) == 0
    first_keys = key_path("x").parent
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "second-person"))
    capsys.readouterr()
    assert main(["--db", str(db_path), "keys", "show"]) == 2
    err = capsys.readouterr().err
    assert "signing key" in err and "is not in" in err and "DTLAB_KEY_DIR" in err and len(err.strip().splitlines()) == 1
    # The administrator deploys the site's keys; the second person names the directory.
    shared = tmp_path / "deployed"
    shutil.copytree(first_keys, shared)
    monkeypatch.setenv("DTLAB_KEY_DIR", str(shared))
    assert main(["--db", str(db_path), "keys", "show"]) == 0
    assert capsys.readouterr().out.startswith("dtlab-ed25519 ")


@pytest.mark.parametrize(("mode", "usable"), [(0o600, True), (0o640, True), (0o644, False), (0o660, False),
                                              (0o604, False)])
def test_a_deployed_key_may_be_read_by_a_group_and_by_nobody_else(store: Store, mode: int, usable: bool) -> None:
    key = signing_key(store)
    key_path(store.require_site().id).chmod(mode)
    if usable:
        assert signing_key(store).id == key.id
    else:
        with pytest.raises(KeyProblem, match=f"may be read or changed by others \\(mode {mode:o}\\)") as refused:
            signing_key(store)
        assert "not a signing key" not in str(refused.value)


def test_a_key_directory_one_may_not_enter_is_said_not_crashed_on(store: Store,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    signing_key(store)

    def forbidden(self: Path) -> bool:
        raise PermissionError(13, "Permission denied", str(self))

    monkeypatch.setattr(Path, "exists", forbidden)  # as for a member not yet logged in again to the group
    with pytest.raises(KeyProblem, match="you may not open the key directory .*next login"):
        signing_key(store)


def test_a_missing_key_directory_is_named_as_missing(store: Store, monkeypatch: pytest.MonkeyPatch,
                                                    tmp_path: Path) -> None:
    signing_key(store)
    monkeypatch.setenv("DTLAB_KEY_DIR", str(tmp_path / "nowhere"))
    with pytest.raises(KeyProblem, match=r"nowhere, which does not exist: set DTLAB_KEY_DIR") as refused:
        signing_key(store)
    assert f"the file {store.require_site().id}.ed25519" in str(refused.value)
