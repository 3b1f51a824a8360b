"""What `--json` prints: JSON only, dates as ISO text, non-ASCII kept as it is."""

from __future__ import annotations

import argparse
import json
from collections.abc import Callable
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from dtlab.db.store import Store

# A command's handler: the parsed arguments and the open store in, the exit code out.
Handler = Callable[[argparse.Namespace, "Store"], int]


def _json_default(value: Any) -> Any:
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    raise TypeError(f"cannot serialise {type(value).__name__}")


def print_json(data: Any) -> None:
    print(json.dumps(data, ensure_ascii=False, indent=2, default=_json_default))
