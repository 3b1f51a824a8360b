"""A site's Ed25519 signing key and the lines that carry public keys between sites.

The private key lives in the user's data directory, one file per site id, readable by its owner
only. A public key travels as one line of text, `dtlab-ed25519 <base64 key> <site code>`, which
`dtlab keys show` prints and `dtlab keys trust FILE --site CODE` reads."""

from __future__ import annotations

import base64
import hashlib
import os
from dataclasses import dataclass
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from .. import paths

PREFIX = "dtlab-ed25519"


class KeyProblem(ValueError):
    """A key file or key line that cannot be used."""


def key_path(site_id: str) -> Path:
    return paths.data_dir() / "keys" / f"{site_id}.ed25519"


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
    """This site's key, made on first use with owner-only permissions."""
    path = key_path(site_id)
    if path.exists():
        mode = path.stat().st_mode & 0o777
        if mode & 0o077:
            raise KeyProblem(f"{path}: the signing key is readable by others (mode {mode:o}); run chmod 600 on it")
        try:
            loaded = serialization.load_pem_private_key(path.read_bytes(), password=None)
        except ValueError as exc:
            raise KeyProblem(f"{path}: not a signing key ({exc})") from None
        if not isinstance(loaded, Ed25519PrivateKey):
            raise KeyProblem(f"{path}: not an Ed25519 key")
        return SiteKey(loaded)
    if not create:
        raise KeyProblem(f"no signing key for this site at {path}")
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    key = Ed25519PrivateKey.generate()
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                            serialization.NoEncryption())
    # Created with owner-only permissions from the start, never widened then narrowed.
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as out:
        out.write(pem)
    return SiteKey(key)


def parse_line(text: str) -> tuple[bytes, str | None]:
    """The public key (and the site code, if given) of a `dtlab-ed25519 …` line."""
    parts = text.strip().split()
    if len(parts) not in (2, 3) or parts[0] != PREFIX:
        raise KeyProblem(f"not a dtlab public key line (expected \"{PREFIX} <key> [SITE]\")")
    try:
        public = base64.b64decode(parts[1], validate=True)
    except ValueError:
        raise KeyProblem("the public key is not valid base64") from None
    if len(public) != 32:
        raise KeyProblem("an Ed25519 public key is 32 bytes")
    return public, parts[2] if len(parts) == 3 else None


def verify(public: bytes, signature: bytes, data: bytes) -> bool:
    try:
        Ed25519PublicKey.from_public_bytes(public).verify(signature, data)
    except (InvalidSignature, ValueError):
        return False
    return True
