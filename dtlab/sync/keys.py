"""A site's two keys and the lines that carry their public halves between sites.

Each site has an Ed25519 key that signs its bundles and an age (X25519) identity that opens the
bundles other sites seal for it. Both private keys live in the key directory (`paths.key_dir`:
the user's data directory, or a directory an administrator deploys for every staff member of a
site), one file each per site id, readable by their owner (and, when deployed, a group) only.
Which key is the site's is recorded in its database (`own_keys`). The public halves travel as
lines of text,

    dtlab-ed25519 <base64 key> <site code>
    dtlab-age <age1… recipient> <site code>

which `dtlab keys show` prints and `dtlab keys trust FILE --site CODE` reads."""

from __future__ import annotations

import base64
import hashlib
import os
from dataclasses import dataclass
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from pyrage import IdentityError, RecipientError, x25519

from dtlab import paths
from dtlab.errors import UsageError
from dtlab.i18n import N_, _

PREFIX = "dtlab-ed25519"
AGE_PREFIX = "dtlab-age"


class KeyProblem(UsageError, ValueError):
    """A key file or key line that cannot be used: a usage error (exit 2) wherever it is met."""


def key_path(site_id: str) -> Path:
    return paths.key_dir() / f"{site_id}.ed25519"


def identity_path(site_id: str) -> Path:
    return paths.key_dir() / f"{site_id}.age"


NO_ACCESS = N_("ask the administrator of this site's keys for access (being added to their group counts from "
               "your next login)")


@dataclass(frozen=True)
class KeyWords:
    """What is said of one kind of private key, each sentence whole so that a translator words
    the key with it (marked with N_; said with `_` where raised). The placeholders: {path} the
    key file, {mode} its permissions, {ask} `NO_ACCESS`; in `own_keys`, {site} the site's code,
    {file} the key file's name, {where} the directory it is not in, {todo} what to do, {key} and
    {recorded} short key ids, {guide} where the guide is."""

    missing: str
    open_to_others: str
    unreadable: str
    not_installed: str  # a site that has exchanged bundles, its key nowhere
    not_here: str  # the key the database records, not in this key directory
    another: str  # a key file holding another key than the recorded one


SIGNING = KeyWords(
    missing=N_("no signing key for this site at {path}"),
    open_to_others=N_("{path}: the signing key may be read or changed by others (mode {mode}); run chmod 600 on it "
                      "(or 640 in a key directory shared by a group)"),
    unreadable=N_("{path}: you may not read the signing key: {ask}"),
    not_installed=N_("site {site} has exchanged bundles, but its signing key (the file {file}) is not in {where}: "
                     "{todo}"),
    not_here=N_("site {site}'s signing key ({key}, the file {file}) is not in {where}: {todo}"),
    another=N_("{path} holds {key}, not site {site}'s signing key ({recorded}) that its database records: install "
               "the site's keys ({guide})"),
)
DECRYPTION = KeyWords(
    missing=N_("no decryption key for this site at {path}"),
    open_to_others=N_("{path}: the decryption key may be read or changed by others (mode {mode}); run chmod 600 on "
                      "it (or 640 in a key directory shared by a group)"),
    unreadable=N_("{path}: you may not read the decryption key: {ask}"),
    not_installed=N_("site {site} has exchanged bundles, but its decryption key (the file {file}) is not in "
                     "{where}: {todo}"),
    not_here=N_("site {site}'s decryption key ({key}, the file {file}) is not in {where}: {todo}"),
    another=N_("{path} holds {key}, not site {site}'s decryption key ({recorded}) that its database records: "
               "install the site's keys ({guide})"),
)


def present(path: Path) -> bool:
    """Whether a key file is there: a key directory one may not enter is said, not crashed on."""
    try:
        return path.exists()
    except PermissionError:
        raise KeyProblem(_("you may not open the key directory {path}: {ask}").format(
            path=path.parent, ask=_(NO_ACCESS))) from None


def _read_private(path: Path, words: KeyWords) -> bytes:
    try:
        mode = path.stat().st_mode & 0o777
        # Read by a group is how a deployed key directory serves a site's staff; anything more
        # (others, or a group that may write) lets someone who should not sign, open or swap it.
        if mode & 0o037:
            raise KeyProblem(_(words.open_to_others).format(path=path, mode=f"{mode:o}"))
        return path.read_bytes()
    except PermissionError:
        raise KeyProblem(_(words.unreadable).format(path=path, ask=_(NO_ACCESS))) from None


def _write_private(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    # Created with owner-only permissions from the start, never widened then narrowed.
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as out:
        out.write(data)


def key_id(public: bytes) -> str:
    """A short, stable name for a public key: the first 16 hex digits of its SHA-256."""
    return hashlib.sha256(public).hexdigest()[:16]


def raw_public(key: Ed25519PublicKey) -> bytes:
    return key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


@dataclass(frozen=True)
class SiteKey:
    private: Ed25519PrivateKey

    @property
    def public(self) -> bytes:
        return raw_public(self.private.public_key())

    @property
    def id(self) -> str:
        return key_id(self.public)

    def sign(self, data: bytes) -> bytes:
        return self.private.sign(data)

    def line(self, site_code: str) -> str:
        return f"{PREFIX} {base64.b64encode(self.public).decode()} {site_code}"


def site_key(site_id: str, create: bool = True) -> SiteKey:
    """This site's signing key, made on first use with owner-only permissions."""
    path = key_path(site_id)
    if present(path):
        data = _read_private(path, SIGNING)  # its own refusals, not "not a signing key"
        try:
            loaded = serialization.load_pem_private_key(data, password=None)
        except ValueError as exc:
            raise KeyProblem(_("{path}: not a signing key ({error})").format(path=path, error=exc)) from None
        if not isinstance(loaded, Ed25519PrivateKey):
            raise KeyProblem(_("{path}: not an Ed25519 key").format(path=path))
        return SiteKey(loaded)
    if not create:
        raise KeyProblem(_(SIGNING.missing).format(path=path))
    key = Ed25519PrivateKey.generate()
    _write_private(path, key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    return SiteKey(key)


def site_identity(site_id: str, create: bool = True) -> x25519.Identity:
    """This site's age identity, which opens the bundles sealed for it; made on first use."""
    path = identity_path(site_id)
    if present(path):
        data = _read_private(path, DECRYPTION)
        try:
            return x25519.Identity.from_str(data.decode("ascii").strip())
        except (IdentityError, UnicodeDecodeError) as exc:
            raise KeyProblem(_("{path}: not an age identity ({error})").format(path=path, error=exc)) from None
    if not create:
        raise KeyProblem(_(DECRYPTION.missing).format(path=path))
    identity = x25519.Identity.generate()
    _write_private(path, f"{identity}\n".encode("ascii"))
    return identity


def recipient_line(identity: x25519.Identity, site_code: str) -> str:
    return f"{AGE_PREFIX} {identity.to_public()} {site_code}"


@dataclass(frozen=True)
class PublicKeys:
    """What a key file handed over by another site carries."""

    signing: bytes | None
    recipient: str | None
    site: str | None


def parse_key_file(text: str) -> PublicKeys:
    """The `dtlab-ed25519` and `dtlab-age` lines of a file that `dtlab keys show` wrote; blank
    lines and lines starting with # are ignored, anything else is refused."""
    signing: bytes | None = None
    recipient: str | None = None
    sites: set[str] = set()
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith(AGE_PREFIX + " "):
            parts = line.split()
            if len(parts) not in (2, 3):
                raise KeyProblem(_("not a dtlab-age line (expected \"{line}\")").format(
                    line=f"{AGE_PREFIX} <age1…> [SITE]"))
            try:
                x25519.Recipient.from_str(parts[1])
            except RecipientError:
                raise KeyProblem(_("the dtlab-age line does not hold an age X25519 recipient (age1…)")) from None
            recipient, site = parts[1], parts[2] if len(parts) == 3 else None
        else:
            signing, site = parse_line(line)
        if site:
            sites.add(site.upper())
    if signing is None and recipient is None:
        raise KeyProblem(_("no key in the file (expected a \"{line}\" line, as dtlab keys show prints)").format(
            line=f"{PREFIX} …"))
    if len(sites) > 1:
        raise KeyProblem(_("the lines name different sites: {sites}").format(sites=", ".join(sorted(sites))))
    return PublicKeys(signing, recipient, next(iter(sites), None))


def parse_line(text: str) -> tuple[bytes, str | None]:
    """The public key (and the site code, if given) of a `dtlab-ed25519 …` line."""
    parts = text.strip().split()
    if len(parts) not in (2, 3) or parts[0] != PREFIX:
        raise KeyProblem(_("not a dtlab public key line (expected \"{line}\")").format(line=f"{PREFIX} <key> [SITE]"))
    try:
        public = base64.b64decode(parts[1], validate=True)
    except ValueError:
        raise KeyProblem(_("the public key is not valid base64")) from None
    if len(public) != 32:
        raise KeyProblem(_("an Ed25519 public key is 32 bytes"))
    return public, parts[2] if len(parts) == 3 else None


def verify(public: bytes, signature: bytes, data: bytes) -> bool:
    try:
        Ed25519PublicKey.from_public_bytes(public).verify(signature, data)
    except (InvalidSignature, ValueError):
        return False
    return True
