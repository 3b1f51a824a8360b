"""Bounded work before a refusal: a zip's central directory and an age header are measured
before they are parsed, so a file built to cost time or memory is refused for almost nothing.

Each refusal runs in a process of its own under tracemalloc (tests/helpers/measure.py). The
budgets are generous, to hold on two loaded cores: on an idle machine each refusal below takes
under 15 ms and 50 KB, where before it took 400-525 MB and a minute (the million-entry directory),
or seconds to minutes (age headers, quadratic in pyrage's parsing)."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from dtlab.sync.sealing import HEADER, HEADER_BYTES, HEADER_STANZAS
from tests.helpers.measure import refusal
from tests.helpers.zips import wide_directory

pytestmark = pytest.mark.functional

SECONDS = 0.5
PEAK = 1 << 20  # bytes, of Python allocations during the refusal

MAC = b"--- 3ZGAyR9b0ObDb39zfN1LzGwx8Kg8oQ8WTJ2HClXGjzY\n" + b"\x00" * 200


def within_budget(path: Path, reason: str, sealed: bool = False) -> None:
    found = refusal(path, sealed)
    assert found["message"] is not None and re.search(reason, str(found["message"])), found
    assert float(str(found["seconds"])) < SECONDS, found
    assert int(str(found["peak"])) < PEAK, found


@pytest.mark.parametrize("entries", [1_000_000, 65_000, 65], ids=["a million, zip64", "65,000", "65"])
def test_a_wide_central_directory_is_refused_from_its_end_record(tmp_path: Path, entries: int) -> None:
    path = tmp_path / "wide.dtlab"
    path.write_bytes(wide_directory(entries))
    within_budget(path, f"{entries:,} members")


def test_a_large_central_directory_is_refused_before_it_is_read(tmp_path: Path) -> None:
    """Few entries, each with a long name: the directory's size is refused, not read."""
    from tests.helpers.zips import Entry, build

    path = tmp_path / "long-names.dtlab"
    path.write_bytes(build([Entry(b"n" * 60_000 + bytes([65 + n]), b"x") for n in range(3)]))
    within_budget(path, "a central directory of")


def test_the_command_line_refuses_a_million_entries_with_exit_4(tmp_path: Path) -> None:
    from dtlab.db.store import Store
    from tests.helpers.database import fresh_database

    db = fresh_database(tmp_path / "hq.db")
    store = Store.open(db, "hq")
    store.init_site("HQ")
    store.close()
    path = tmp_path / "wide.dtlab"
    path.write_bytes(wide_directory(1_000_000))
    assert path.stat().st_size > 45_000_000
    done = subprocess.run([sys.executable, "-m", "dtlab", "--db", str(db), "import", str(path)],
                          capture_output=True, text=True, env={**os.environ}, timeout=300)
    assert done.returncode == 4
    assert done.stderr.strip() == "dtlab: bundle rejected: not a bundle: 1,000,000 members; a bundle has 3"


AGE_HEADERS = {
    "a megabyte-long stanza line": HEADER + b"-> X25519 " + b"A" * (1 << 20) + b"\n\n" + MAC,
    "a megabyte of stanza body": HEADER + b"-> X25519 abc\n" + (b"A" * 64 + b"\n") * (1 << 14) + b"\n" + MAC,
    "a hundred thousand stanzas": HEADER + b"-> a\n\n" * 100_000 + MAC,
    "a header with no end": HEADER + b"-> a\n" + b"A" * (1 << 20),
}


@pytest.mark.parametrize("name", list(AGE_HEADERS))
def test_a_long_age_header_is_refused_before_pyrage_reads_it(tmp_path: Path, name: str) -> None:
    path = tmp_path / "sealed.dtlab"
    path.write_bytes(AGE_HEADERS[name])
    within_budget(path, f"header is longer than {HEADER_BYTES:,} bytes", sealed=True)


def test_too_many_stanzas_are_refused_before_pyrage_reads_them(tmp_path: Path) -> None:
    path = tmp_path / "sealed.dtlab"
    path.write_bytes(HEADER + b"-> a\n\n" * (HEADER_STANZAS + 1) + MAC)
    within_budget(path, f"has {HEADER_STANZAS + 1} stanzas", sealed=True)


def test_the_largest_header_within_the_bounds_is_cheap_for_pyrage(tmp_path: Path) -> None:
    """A header at the bounds (16 stanzas, 16 KiB) goes to pyrage, which refuses it quickly:
    the bounds are what keeps its quadratic parsing small."""
    body = (b"A" * 64 + b"\n") * 240
    data = HEADER + b"-> X25519 abc\n" + body + b"\n" + b"-> a\n\n" * (HEADER_STANZAS - 1) + MAC
    assert HEADER_BYTES - 1000 < len(data) - len(MAC) + 60 < HEADER_BYTES
    path = tmp_path / "sealed.dtlab"
    path.write_bytes(data)
    within_budget(path, "cannot open it|truncated or damaged", sealed=True)


def test_the_documented_limits_are_the_readers() -> None:
    """docs/bundle-format.md states the bounds ("Limits"); each number there is the code's."""
    from dtlab.sync.bundle import Limits
    from dtlab.sync.manifest import TEXT_MAX
    from dtlab.sync.zipdir import MAX_VERSION

    docs = (Path(__file__).parent.parent / "docs" / "bundle-format.md").read_text()
    limits = docs[docs.index("## Limits"):docs.index("## Reading")]
    sizes = {1 << 10: "KiB", 1 << 20: "MiB", 1 << 30: "GiB"}

    def size(n: int) -> str:
        unit = max(u for u in sizes if n % u == 0)
        return f"{n // unit} {sizes[unit]}"

    got = Limits()
    stated = [size(got.file_bytes), f"at most {got.entries} entries and {size(got.directory_bytes)}",
              f"`manifest.json` | {size(got.manifest_bytes)}", f"{size(got.member_bytes)} uncompressed",
              f"{got.ratio} times", f"at most {size(got.line_bytes)}", f"at most {got.operations:,}",
              f"nesting {got.depth} levels", f"integers {got.int_digits} digits",
              f"first {size(HEADER_BYTES)}", f"at most {HEADER_STANZAS} stanzas",
              f"at most {MAX_VERSION // 10}.{MAX_VERSION % 10}", f"at most {TEXT_MAX} printable"]
    assert [s for s in stated if s not in limits] == []
