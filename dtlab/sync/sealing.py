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
from dtlab.i18n import _, ngettext
from dtlab.sync.bundle import Rejected, replacing, too_large

HEADER = b"age-encryption.org/v1\n"
# The age header's bounds, checked before pyrage reads it: its parsing takes time quadratic in
# the number of stanzas and in a stanza's length (4,000 empty stanzas, 24 KB, take 2 s; a 256 KiB
# stanza 3 s), holding the interpreter. A header dtlab writes is one X25519 stanza and at most
# one "grease" stanza, under 400 bytes; the standard age tool writes one stanza per recipient.
HEADER_BYTES = 16 << 10
HEADER_STANZAS = 16
# What pyrage raises for a file it cannot decrypt: its own error for the header, OSError from
# the stream for a chunk that fails authentication, and the rest for anything else it meets.
DECRYPT_ERRORS = (pyrage.DecryptError, pyrage.IdentityError, OSError, ValueError, RuntimeError, EOFError)


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
        raise UsageError(_("not an age X25519 recipient: {key}").format(key=repr(recipient))) from None
    with replacing(out) as sealed:
        pyrage.encrypt_io(plain, sealed, [to])
    return out.stat().st_size


def check_header(sealed: IO[bytes], max_bytes: int = HEADER_BYTES, max_stanzas: int = HEADER_STANZAS) -> None:
    """Refuse an age header longer than `max_bytes` or with more than `max_stanzas` stanzas,
    reading only its first `max_bytes`: the header is text lines, the version line, then each
    stanza's `-> ` line and its body, up to the `--- ` line that carries its MAC."""
    head = sealed.read(max_bytes)
    sealed.seek(0)
    if not head.startswith(HEADER):
        raise Rejected(_("not an encrypted bundle (no age header)"))
    end = head.find(b"\n--- ")
    if end < 0 or head.find(b"\n", end + 1) < 0:
        if len(head) < max_bytes:
            raise Rejected(_("the encrypted bundle is truncated or damaged (its header has no end)"))
        raise Rejected(ngettext("the encrypted bundle's header is longer than {size} byte",
                                "the encrypted bundle's header is longer than {size} bytes",
                                max_bytes).format(size=f"{max_bytes:,}"))
    stanzas = head[:end].count(b"\n-> ")
    if stanzas > max_stanzas:
        raise Rejected(ngettext("the encrypted bundle's header has {n} stanza; at most {most} are read",
                                "the encrypted bundle's header has {n} stanzas; at most {most} are read",
                                stanzas).format(n=f"{stanzas:,}", most=max_stanzas))


def _damaged(error: object) -> str:
    return _("the encrypted bundle is truncated or damaged ({error})").format(error=error)


@contextlib.contextmanager
def unsealed(path: Path, identity: x25519.Identity, max_bytes: int) -> Iterator[IO[bytes]]:
    """The plain bundle inside a sealed one, in an anonymous temporary file (no name on disk, gone
    when the block ends). The ciphertext is checked against `max_bytes` first: age adds a few
    bytes per 64 KiB, so the plain text can be no larger."""
    size = path.stat().st_size
    if size > max_bytes:
        raise Rejected(too_large(size))
    with tempfile.TemporaryFile() as plain:
        try:
            with open(path, "rb") as sealed:
                check_header(sealed)
                pyrage.decrypt_io(sealed, plain, [identity])
        except pyrage.DecryptError as exc:
            if "no matching keys" in str(exc).lower():
                raise Rejected(_("the bundle is encrypted for another site: this site's key cannot open it")) from None
            raise Rejected(_damaged(exc)) from None
        except DECRYPT_ERRORS as exc:
            # age checks each 64 KiB chunk and the end of the stream: a cut or changed file fails here.
            message = exc.strerror if isinstance(exc, OSError) and exc.strerror else exc
            raise Rejected(_damaged(message)) from None
        except BaseException as exc:
            # A panic in pyrage's Rust code reaches Python as pyo3's PanicException, which derives
            # from BaseException; met while decrypting a file from outside, it refuses the file.
            if type(exc).__name__ != "PanicException":
                raise
            raise Rejected(_("the encrypted bundle is damaged (the age library could not read it)")) from None
        plain.seek(0)
        yield plain
