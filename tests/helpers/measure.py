"""Time and memory of one refusal, measured in a process of its own: for the bounded-work
budgets of the bundle reader (the only timings the suite asserts)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

# Run in the child: open the file as the importer would, with a fresh age identity for a sealed
# one (the header is refused before any key is tried), and report the refusal, the seconds it
# took and tracemalloc's peak.
CHILD = """
import json, sys, time, tracemalloc
from pathlib import Path
from pyrage import x25519
from dtlab.sync.bundle import Limits, Rejected, read_bundle
from dtlab.sync.sealing import unsealed
path, sealed = Path(sys.argv[1]), sys.argv[2] == "sealed"
identity = x25519.Identity.generate()
tracemalloc.start()
started = time.perf_counter()
try:
    if sealed:
        with unsealed(path, identity, Limits().file_bytes) as plain:
            read_bundle(plain)
    else:
        read_bundle(path)
    message = None
except Rejected as exc:
    message = str(exc)
seconds = time.perf_counter() - started
print(json.dumps({"message": message, "seconds": seconds, "peak": tracemalloc.get_traced_memory()[1]}))
"""


def refusal(path: Path, sealed: bool = False) -> dict[str, object]:
    """{"message": the refusal (None if the file was taken), "seconds", "peak": bytes}."""
    done = subprocess.run([sys.executable, "-c", CHILD, str(path), "sealed" if sealed else "plain"],
                          capture_output=True, text=True, timeout=600, check=True)
    return dict(json.loads(done.stdout))
