"""Sealed bundles: a bundle encrypted to one receiving site in the age format (X25519), so that
only the receiver can open it. The bundle is signed first and encrypted outside, so the receiver
checks the same signature as for a plain bundle; the writer keeps no key that opens it, so a lost
laptop does not give away the bundles it carried. Any age tool opens one with the receiver's
identity file (`age -d -i <site>.age`)."""

from __future__ import annotations

import contextlib
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import IO

import pyrage
from pyrage import x25519

from dtlab.errors import UsageError
from dtlab.sync.bundle import Rejected, replacing

HEADER = b"age-encryption.org/v1\n"


def is_sealed(path: Path) -> bool:
    try:
        with open(path, "rb") as head:
            return head.read(len(HEADER)) == HEADER
    except OSError:
        return False  # reading the bundle proper reports why the file cannot be read


def seal(plain: IO[bytes], out: Path, recipient: str) -> int:
    """Encrypt the bundle in `plain` to `recipient` (an age1… key) into `out`; returns its size.
    A recipient that is no age key is a usage error: it is the export's setting that is wrong."""
    try:
        to = x25519.Recipient.from_str(recipient)
    except pyrage.RecipientError:
        raise UsageError(f"not an age X25519 recipient: {recipient!r}") from None
    with replacing(out) as sealed:
        pyrage.encrypt_io(plain, sealed, [to])
    return out.stat().st_size


@contextlib.contextmanager
def unsealed(path: Path, identity: x25519.Identity, max_bytes: int) -> Iterator[IO[bytes]]:
    """The plain bundle inside a sealed one, in an anonymous temporary file (no name on disk, gone
    when the block ends). The ciphertext is checked against `max_bytes` first: age adds a few
    bytes per 64 KiB, so the plain text can be no larger."""
    size = path.stat().st_size
    if size > max_bytes:
        raise Rejected(f"the file is too large ({size:,} bytes)")
    with tempfile.TemporaryFile() as plain:
        try:
            with open(path, "rb") as sealed:
                pyrage.decrypt_io(sealed, plain, [identity])
        except pyrage.DecryptError as exc:
            if "no matching keys" in str(exc).lower():
                raise Rejected("the bundle is encrypted for another site: this site's key cannot open it") from None
            raise Rejected(f"the encrypted bundle is truncated or damaged ({exc})") from None
        except OSError as exc:
            # age checks each 64 KiB chunk and the end of the stream: a cut or changed file fails here.
            raise Rejected(f"the encrypted bundle is truncated or damaged ({exc.strerror or exc})") from None
        plain.seek(0)
        yield plain
