"""Hybrid logical clock: wall time in milliseconds with a logical counter, packed in one integer.

Ordering by the integer orders events causally across sites as long as every site ticks on send
and on receive; ties between sites are broken by the site id, outside this module.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import datetime, timezone

COUNTER_BITS = 16
COUNTER_MASK = (1 << COUNTER_BITS) - 1


def pack(physical_ms: int, counter: int) -> int:
    return (physical_ms << COUNTER_BITS) | counter


def unpack(hlc: int) -> tuple[int, int]:
    return hlc >> COUNTER_BITS, hlc & COUNTER_MASK


def _advance(physical: int, counter: int) -> int:
    if counter > COUNTER_MASK:
        # The counter is exhausted within one millisecond: borrow the next millisecond rather
        # than wrapping, so the clock stays monotonic.
        return pack(physical + 1, 0)
    return pack(physical, counter)


def tick(last: int, now_ms: int) -> int:
    """The clock value for a local event, given the last value seen and the wall clock."""
    last_ms, last_counter = unpack(last)
    if now_ms > last_ms:
        return pack(now_ms, 0)
    return _advance(last_ms, last_counter + 1)


def receive(last: int, remote: int, now_ms: int) -> int:
    """The clock value after seeing a remote event stamped ``remote``."""
    last_ms, last_c = unpack(last)
    remote_ms, remote_c = unpack(remote)
    physical = max(last_ms, remote_ms, now_ms)
    if physical == last_ms == remote_ms:
        counter = max(last_c, remote_c) + 1
    elif physical == last_ms:
        counter = last_c + 1
    elif physical == remote_ms:
        counter = remote_c + 1
    else:
        counter = 0
    return _advance(physical, counter)


def wall_ms() -> int:
    return time.time_ns() // 1_000_000


Now = Callable[[], datetime]


def utc_now() -> datetime:
    """Aware UTC to the second: the form stored in the database."""
    return datetime.now(timezone.utc).replace(microsecond=0)
