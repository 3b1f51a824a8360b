"""Named filters of the case list, kept per user in the data directory as JSON."""

from __future__ import annotations

import json
import os
import tempfile
from dataclasses import asdict, fields
from pathlib import Path

from dtlab import paths
from dtlab.db.listing import CaseFilter
from dtlab.i18n import _

FILE_NAME = "saved_filters.json"


def _file() -> Path:
    return paths.data_dir() / FILE_NAME


def load_all(path: Path | None = None) -> dict[str, CaseFilter]:
    """Every saved filter by name; a missing or unreadable file means none (and is left alone)."""
    path = path or _file()
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    known = {f.name for f in fields(CaseFilter)}
    out = {}
    for name, values in data.items() if isinstance(data, dict) else []:
        if isinstance(values, dict):
            out[str(name)] = CaseFilter(**{k: v for k, v in values.items() if k in known and isinstance(v, str)})
    return out


def save(name: str, flt: CaseFilter, path: Path | None = None) -> None:
    """Add or replace one filter; the file is written whole to a temporary name, then renamed."""
    name = name.strip()
    if not name:
        raise ValueError(_("a saved filter needs a name"))
    path = path or _file()
    everything = {k: asdict(v) for k, v in load_all(path).items()}
    everything[name] = {k: v for k, v in asdict(flt).items() if v}
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".filters-")
    with os.fdopen(fd, "w", encoding="utf-8") as out:
        json.dump(everything, out, ensure_ascii=False, indent=2)
    os.replace(tmp, path)
