"""The bundle file: a zip with `manifest.json`, its Ed25519 signature `manifest.sig` (base64 of
the signature over the manifest's exact bytes) and the operations as `operations.ndjson`.

Writing goes to a temporary name beside the target and is renamed when complete. Reading treats
the file as hostile: only the allow-listed members, each once, no directories or links, no
absolute or `..` names, no overlapping entries; every member is streamed with hard limits (its
declared size, the compression ratio, line length, JSON depth, integer size), checked against the
manifest's size, row count and SHA-256, and every operation checked for shape. Any failure is a
`Rejected` with one line that says why. See docs/bundle-format.md."""

from __future__ import annotations

import base64
import contextlib
import hashlib
import json
import os
import stat
import struct
import tempfile
import zipfile
import zlib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from dtlab.i18n import _, ngettext

# The manifest's form and the refusal live in their own modules; their names stay importable from
# here, where every caller has always found them.
from dtlab.sync.manifest import CAPABILITIES as CAPABILITIES
from dtlab.sync.manifest import FORMAT as FORMAT
from dtlab.sync.manifest import FORMAT_VERSION as FORMAT_VERSION
from dtlab.sync.manifest import KEY_ID_RE as KEY_ID_RE
from dtlab.sync.manifest import OPERATIONS, UUID_RE
from dtlab.sync.manifest import check_manifest as check_manifest
from dtlab.sync.rejected import Rejected as Rejected
from dtlab.sync.rejected import printable as printable
from dtlab.sync.rejected import quoted
from dtlab.sync.zipdir import central_directory

MANIFEST, SIGNATURE = "manifest.json", "manifest.sig"
MEMBERS = (MANIFEST, SIGNATURE, OPERATIONS)
OP_FIELDS = {"origin", "seq", "hlc", "actor", "at", "table", "row_id", "op", "case_id", "changes"}
OPS = ("insert", "update", "delete")
# Operations a pre-checked bundle keeps in memory for the apply (a field laptop's bundle: a few
# megabytes); beyond, the member is read again rather than held (HQ's full bundles: millions).
KEPT_OPERATIONS = 10_000
OP_TYPES = (("origin", str), ("seq", int), ("hlc", int), ("actor", str), ("at", str), ("table", str),
            ("row_id", str), ("op", str), ("changes", dict))
CONTAINERS = (dict, list)
# What reading a damaged or hostile zip can raise from zipfile and zlib: at the reader's
# boundary (opening the archive, reading a member) each becomes a refusal. Raised anywhere
# else, they are bugs, and stay exceptions.
READ_ERRORS = (zipfile.BadZipFile, zipfile.LargeZipFile, zlib.error, NotImplementedError, UnicodeDecodeError,
               EOFError, OSError, struct.error, ValueError, RuntimeError)


@dataclass(frozen=True)
class Limits:
    file_bytes: int = 4 << 30
    manifest_bytes: int = 1 << 20
    member_bytes: int = 8 << 30  # uncompressed, per member
    ratio: int = 200  # uncompressed / compressed, beyond which a large member is a bomb
    # Up to this size a member may expand any amount: what a user saves can compress far better
    # than 200 to 1 (a note of 100,000 dashes does 260 to 1), and would never export. The work
    # stays bounded: at most this much, or 200 times the file.
    freely_bytes: int = 16 << 20
    line_bytes: int = 1 << 20
    depth: int = 16
    int_digits: int = 19  # fits a signed 64-bit integer
    operations: int = 50_000_000
    entries: int = 64  # in the central directory, checked from the end record before it is read
    directory_bytes: int = 64 << 10  # the central directory's size, likewise


@dataclass
class Bundle:
    manifest: dict[str, Any]
    manifest_bytes: bytes
    signature: bytes
    operations: list[dict[str, Any]] = field(default_factory=list)


# --- writing -------------------------------------------------------------------------------------


def canonical(data: Any) -> bytes:
    return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


@contextlib.contextmanager
def replacing(path: Path) -> Iterator[IO[bytes]]:
    """A file written beside `path` under a temporary name and renamed onto it once complete,
    so that a reader never sees half a bundle."""
    fd, temp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=path.parent)
    try:
        with os.fdopen(fd, "w+b") as out:
            yield out
        os.replace(temp, path)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise


def write_zip(target: IO[bytes], lines: Iterable[bytes], manifest: Callable[[], dict[str, Any]], sign: Any) -> None:
    """Write the bundle into an open file: the operations' NDJSON `lines`, then the manifest
    (asked for once the lines are written, so it can describe them) with its members added and
    signed by `sign(bytes) -> bytes`."""
    hasher, size, rows = hashlib.sha256(), 0, 0
    with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=6) as archive:
        with archive.open(OPERATIONS, "w", force_zip64=True) as out:
            for line in lines:
                hasher.update(line)
                size += len(line)
                rows += 1
                out.write(line)
        described = {**manifest(), "members": {OPERATIONS: {"size": size, "rows": rows,
                                                            "sha256": hasher.hexdigest()}}}
        manifest_bytes = json.dumps(described, sort_keys=True, indent=1, ensure_ascii=False).encode() + b"\n"
        archive.writestr(MANIFEST, manifest_bytes)
        archive.writestr(SIGNATURE, base64.b64encode(sign(manifest_bytes)) + b"\n")


def write_bundle(path: Path, lines: Iterable[bytes], manifest: Callable[[], dict[str, Any]], sign: Any) -> int:
    """Write the bundle atomically; returns its size."""
    path = Path(path)
    with replacing(path) as out:
        write_zip(out, lines, manifest, sign)
    return path.stat().st_size


# --- reading -------------------------------------------------------------------------------------


def _open_archive(source: IO[bytes], size: int, limits: Limits) -> zipfile.ZipFile:
    """The zip, once its end record and central directory have been read by hand within the
    limits (zipfile would read a directory of a million entries into memory before the entry
    count could be looked at), and each entry's raw name, method, version and flags checked."""
    try:
        raw = central_directory(source, size, limits.entries, limits.directory_bytes)
    except ValueError as exc:
        raise Rejected(_("not a bundle: {problem}").format(problem=exc)) from None
    except OSError as exc:
        raise Rejected(_("cannot read the bundle: {error}").format(error=exc.strerror or exc)) from None
    try:
        archive = zipfile.ZipFile(source)
    except READ_ERRORS as exc:
        raise Rejected(_("not a bundle (a damaged zip: {error})").format(error=exc)) from None
    # The names zipfile will use are the ones checked on the raw bytes (it would cut one at a NUL).
    if [info.filename for info in archive.infolist()] != [entry.name for entry in raw]:
        archive.close()
        raise Rejected(_("not a bundle: its member names do not read the same twice"))
    return archive


def _check_entries(archive: zipfile.ZipFile, limits: Limits) -> dict[str, zipfile.ZipInfo]:
    infos = archive.infolist()
    seen: dict[str, zipfile.ZipInfo] = {}
    spans: list[tuple[int, int, str]] = []
    for info in infos:
        name = info.filename
        if name.startswith(("/", "\\")) or ".." in name.replace("\\", "/").split("/") or ":" in name:
            raise Rejected(_("unsafe member name {name}").format(name=repr(name)))
        if info.is_dir():
            raise Rejected(_("a directory in the bundle: {name}").format(name=repr(name)))
        mode = info.external_attr >> 16
        if mode and stat.S_ISLNK(mode):
            raise Rejected(_("a link in the bundle: {name}").format(name=repr(name)))
        if name not in MEMBERS:
            raise Rejected(_("unknown member {name}").format(name=repr(name)))
        if name in seen:
            raise Rejected(_("member {name} appears twice").format(name=repr(name)))
        if info.flag_bits & 0x1:
            raise Rejected(_("member {name} is encrypted by zip").format(name=repr(name)))
        if info.file_size > limits.member_bytes:
            raise Rejected(ngettext("member {name} is too large ({size} byte)",
                                    "member {name} is too large ({size} bytes)",
                                    info.file_size).format(name=repr(name), size=f"{info.file_size:,}"))
        if (info.file_size > limits.freely_bytes and info.compress_size
                and info.file_size / info.compress_size > limits.ratio):
            raise Rejected(_("member {name} expands {ratio}×: a zip bomb").format(
                name=repr(name), ratio=info.file_size // info.compress_size))
        seen[name] = info
        spans.append((info.header_offset, info.header_offset + 30 + len(info.filename) + info.compress_size, name))
    spans.sort()
    for (_start, end, name), (start, _end, other) in zip(spans, spans[1:], strict=False):
        if start < end:
            raise Rejected(_("members {name} and {other} overlap").format(name=repr(name), other=repr(other)))
    for name in MEMBERS:
        if name not in seen:
            raise Rejected(_("member {name} is missing").format(name=repr(name)))
    return seen


def _read_member(archive: zipfile.ZipFile, info: zipfile.ZipInfo, cap: int) -> Iterable[bytes]:
    """The member's bytes in chunks, never more than its declared size (nor `cap`), whatever
    its compressed stream would expand to."""
    budget = min(info.file_size, cap)
    read = 0
    try:
        with archive.open(info) as member:
            while True:
                chunk = member.read(min(1 << 16, budget - read + 1))
                if not chunk:
                    break
                read += len(chunk)
                if read > budget:
                    raise Rejected(_("member {name} is larger than it says").format(name=repr(info.filename)))
                yield chunk
    except READ_ERRORS as exc:
        # A corrupt deflate stream, a CRC that does not match, a local header that differs from
        # the directory: whatever zipfile or zlib raise while this member is read.
        raise Rejected(_("member {name} is damaged ({error})").format(
            name=repr(info.filename), error=f"{type(exc).__name__}: {exc}")) from None


def too_large(size: int) -> str:
    """The refusal of a file over the size a bundle may have."""
    return ngettext("the file is too large ({size} byte)", "the file is too large ({size} bytes)", size).format(
        size=f"{size:,}")


def _too_long(limit: int) -> str:
    return ngettext("a line longer than {size} byte", "a line longer than {size} bytes", limit).format(
        size=f"{limit:,}")


def _not_as_declared() -> str:
    return _("{member} does not match its size, row count or SHA-256 in the manifest").format(member=OPERATIONS)


def _depth(value: Any, limit: int, depth: int = 0) -> None:
    if depth > limit:
        raise Rejected(_("JSON nested too deeply"))
    if isinstance(value, dict):
        for item in value.values():
            _depth(item, limit, depth + 1)
    elif isinstance(value, list):
        for item in value:
            _depth(item, limit, depth + 1)


class _Decoder:
    """JSON with the reader's limits: integers that fit 64 bits, no NaN or Infinity, no key
    twice in an object (readers that keep the first and readers that keep the last would see
    two different signed manifests), bounded nesting, and text that is Unicode (a `\\ud800`
    escape decodes to a lone surrogate, which no database can keep). One per stream: building a
    decoder costs as much as a short line."""

    def __init__(self, limits: Limits):
        self.limits, self.what = limits, ""
        self.decoder = json.JSONDecoder(parse_int=self._int, parse_constant=self._constant,
                                        object_pairs_hook=self._object)

    def _object(self, pairs: list[tuple[str, Any]]) -> dict[str, Any]:
        value = dict(pairs)
        if len(value) != len(pairs):
            seen: set[str] = set()
            twice = next(k for k, _v in pairs if k in seen or seen.add(k))  # type: ignore[func-returns-value]
            raise Rejected(_("{where}: the key {key} twice in one object").format(where=self.what, key=repr(twice)))
        return value

    def _int(self, text: str) -> int:
        if len(text.lstrip("-")) > self.limits.int_digits:
            raise Rejected(_("{where}: an integer too large").format(where=self.what))
        return int(text)

    def _constant(self, name: str) -> Any:
        raise Rejected(_("{where}: {name} is not JSON").format(where=self.what, name=name))

    def loads(self, data: bytes, what: str) -> Any:
        self.what = what
        try:
            value = self.decoder.decode(data.decode("utf-8"))
        except RecursionError:
            raise Rejected(_("{where}: JSON nested too deeply").format(where=what)) from None
        except (ValueError, UnicodeDecodeError) as exc:
            raise Rejected(_("{where}: not valid JSON ({error})").format(where=what, error=exc)) from None
        # Nesting is never deeper than the brackets in the text: most lines need no walk at all.
        if data.count(b"[") + data.count(b"{") > self.limits.depth:
            _depth(value, self.limits.depth)
        if b"\\u" in data and not _unicode(value):
            raise Rejected(_("{where}: text that is not valid Unicode (a lone surrogate)").format(where=what))
        return value


def _unicode(value: Any) -> bool:
    if isinstance(value, str):
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            return False
        return True
    if isinstance(value, dict):
        return all(_unicode(k) and _unicode(v) for k, v in value.items())
    if isinstance(value, list):
        return all(_unicode(v) for v in value)
    return True


def check_shape(op: Any, line: int) -> dict[str, Any]:
    """An operation's shape; what it may touch is checked against the schema by the importer."""
    if type(op) is not dict or op.keys() != OP_FIELDS:
        raise Rejected(_("operation on line {line}: not an operation (fields {fields})").format(
            line=line, fields=sorted(op) if isinstance(op, dict) else type(op)))
    for name, kind in OP_TYPES:
        if type(op[name]) is not kind:  # JSON gives exact types: a bool is not taken for an int
            raise Rejected(_("operation on line {line}: {field} must be a {type}").format(
                line=line, field=name, type=kind.__name__))
    if op["case_id"] is not None and type(op["case_id"]) is not str:
        raise Rejected(_("operation on line {line}: case_id must be a string or null").format(line=line))
    if op["op"] not in OPS or not 0 < op["seq"] < 2**63:
        raise Rejected(_("operation on line {line}: bad op or seq").format(line=line))
    for name in ("origin", "row_id", "case_id"):
        # Site and record ids are UUIDs (dtlab.domain.ids), in their canonical text.
        if op[name] is not None and not UUID_RE.fullmatch(op[name]):
            raise Rejected(_("operation on line {line}: {field} {value} is not an id").format(
                line=line, field=name, value=quoted(op[name])))
    for name, pair in op["changes"].items():
        if type(pair) is not list or len(pair) != 2 or type(pair[0]) in CONTAINERS or type(pair[1]) in CONTAINERS:
            raise Rejected(_("operation on line {line}: change of {field} must be [old, new] with plain "
                             "values").format(line=line, field=repr(name)))
    return op


class BundleReader:
    """An open bundle whose structure, manifest and signature have been checked; its operations
    are read as a stream (`operations()`), each checked for shape, and the member is checked
    against the manifest's size, row count and SHA-256 when the stream ends. A bundle of
    millions of operations is never held in memory."""

    def __init__(self, archive: zipfile.ZipFile, infos: dict[str, zipfile.ZipInfo], limits: Limits,
                 manifest: dict[str, Any], manifest_bytes: bytes, signature: bytes):
        self.archive, self.infos, self.limits = archive, infos, limits
        self.manifest, self.manifest_bytes, self.signature = manifest, manifest_bytes, signature
        self._checked = False  # the member matched its digest, and each line its shape and `check`
        self._kept: list[dict[str, Any]] | None = None

    @property
    def declared_rows(self) -> int:
        return int(self.manifest["members"][OPERATIONS]["rows"])

    def precheck(self, check: Callable[[dict[str, Any]], None],
                 progress: Callable[[int, int], None] | None = None) -> None:
        """Read every operation once, before the importer takes the write lock (which a large
        bundle would otherwise hold while a bad line is still unread): the member against its
        size, count and SHA-256, each line's shape, and `check(op)` (the rules that need no
        database). A bundle of up to `KEPT_OPERATIONS` is kept for the apply, so a field
        bundle is parsed once; a larger one is read again."""
        # The bytes are the signed ones before any line is taken for what it says: a damaged
        # copy of a trusted site's bundle is refused as damaged, not for what its damage looks like.
        self.check_digest()
        kept: list[dict[str, Any]] = []
        total = self.declared_rows
        keep = total <= KEPT_OPERATIONS
        for done, op in enumerate(self.operations(), start=1):
            check(op)
            if keep:
                kept.append(op)
            if progress is not None and (done % 2000 == 0 or done == total):
                progress(done, total)
        self._checked = True
        self._kept = kept if keep else None

    def check_digest(self) -> None:
        """Read the operations member through once for its size, line count and SHA-256 against
        the manifest, without parsing a line (once: a pre-checked bundle has been)."""
        if self._checked:
            return
        declared = self.manifest["members"][OPERATIONS]
        hasher, total, lines = hashlib.sha256(), 0, 0
        for chunk in _read_member(self.archive, self.infos[OPERATIONS], self.limits.member_bytes):
            hasher.update(chunk)
            total += len(chunk)
            lines += chunk.count(b"\n")
        if total != declared["size"] or lines != declared["rows"] or hasher.hexdigest() != declared["sha256"]:
            raise Rejected(_not_as_declared())

    def operations(self) -> Iterator[dict[str, Any]]:
        """Each operation in order. Raises `Rejected` at the first bad line, and after the last
        one if the member does not match the manifest: a caller applying them as they come does
        so in a transaction it rolls back on `Rejected`."""
        if self._kept is not None:
            yield from self._kept
            return
        limits, declared = self.limits, self.manifest["members"][OPERATIONS]
        hasher, total, count = hashlib.sha256(), 0, 0
        decoder = _Decoder(limits)
        pending = b""
        for chunk in _read_member(self.archive, self.infos[OPERATIONS], limits.member_bytes):
            hasher.update(chunk)
            total += len(chunk)
            pending += chunk
            *lines, pending = pending.split(b"\n")
            if len(pending) > limits.line_bytes:
                raise Rejected(_too_long(limits.line_bytes))
            for line in lines:
                if len(line) > limits.line_bytes:
                    raise Rejected(_too_long(limits.line_bytes))
                count += 1
                if count > limits.operations or count > declared["rows"]:
                    raise Rejected(_("more operations than the manifest declares"))
                yield check_shape(decoder.loads(line, _("line {n}").format(n=count)), count)
        if pending:
            raise Rejected(_("{member} does not end with a newline").format(member=OPERATIONS))
        if total != declared["size"] or count != declared["rows"] or hasher.hexdigest() != declared["sha256"]:
            raise Rejected(_not_as_declared())


@contextlib.contextmanager
def open_bundle(source: Path | IO[bytes], limits: Limits = Limits(),
                signed: Callable[[dict[str, Any], bytes, bytes], None] | None = None) -> Iterator[BundleReader]:
    """Open a bundle from a path or an open file (a sealed bundle's plain text) and check its
    structure, members, manifest and signature. `signed(manifest, bytes, signature)` may refuse
    the bundle there, before any operation is read: the importer checks the signer against its
    trusted keys."""
    if isinstance(source, (str, os.PathLike)):
        source = Path(source)
        try:
            size = source.stat().st_size
        except OSError as exc:
            raise Rejected(_("cannot read {file}: {error}").format(file=source, error=exc.strerror)) from None
    else:
        size = source.seek(0, os.SEEK_END)
        source.seek(0)
    if size > limits.file_bytes:
        raise Rejected(too_large(size))
    with contextlib.ExitStack() as stack:
        if isinstance(source, Path):
            try:
                source = stack.enter_context(open(source, "rb"))
            except OSError as exc:
                raise Rejected(_("cannot read {file}: {error}").format(file=source, error=exc.strerror)) from None
        archive = stack.enter_context(_open_archive(source, size, limits))
        infos = _check_entries(archive, limits)
        manifest_bytes = b"".join(_read_member(archive, infos[MANIFEST], limits.manifest_bytes))
        manifest = _Decoder(limits).loads(manifest_bytes, MANIFEST)
        check_manifest(manifest)
        raw_signature = b"".join(_read_member(archive, infos[SIGNATURE], 1024)).strip()
        try:
            signature = base64.b64decode(raw_signature, validate=True)
        except ValueError:
            raise Rejected(_("{member} is not base64").format(member=SIGNATURE)) from None
        if signed is not None:
            signed(manifest, manifest_bytes, signature)
        yield BundleReader(archive, infos, limits, manifest, manifest_bytes, signature)


def read_bundle(source: Path | IO[bytes], limits: Limits = Limits(),
                signed: Callable[[dict[str, Any], bytes, bytes], None] | None = None) -> Bundle:
    """The whole bundle, checked, in memory: for inspecting small bundles and for tests. The
    importer streams with `open_bundle` instead."""
    with open_bundle(source, limits, signed) as reader:
        return Bundle(reader.manifest, reader.manifest_bytes, reader.signature, list(reader.operations()))
