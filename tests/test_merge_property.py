"""The merge decision (dtlab.domain.merge) on its own, without a database: writes made at
different sites without seeing each other, delivered to a site in every order, end in one value
and one winner; a write delivered twice changes nothing; no write is lost (the one not kept is in a
conflict record); a delete against an edit it had not seen is a conflict, decided the same way."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dtlab.domain.merge import TOMBSTONE, Clock, Conflict, Outcome, Write, merge, merge_field

pytestmark = pytest.mark.unit

EXAMPLES = settings(max_examples=2000, deadline=None)  # the merge takes microseconds: thousands are cheap
FEWER = settings(max_examples=500, deadline=None)
SITES = ("GVA", "HQ", "LIM", "NBO")
BASE = "before"  # the field's value when every site holds the record as it was made
MADE = Write((1, "HQ"), "insert", {"purpose": [None, BASE]})  # before every other write (clock 1)


@dataclass
class Replica:
    """One site's copy of a record: the field, the tombstone, every write held, the conflicts
    recorded (each with the clock of the write whose arrival recorded it)."""

    value: Any = BASE
    tombstone: Any = None
    held: list[Write] = field(default_factory=lambda: [MADE])
    conflicts: list[tuple[Conflict, Clock]] = field(default_factory=list)

    def receive(self, write: Write, past: frozenset[Clock]) -> Any:
        """Take `write`, whose site had seen the writes of `past` when it sent it."""
        known = [replace(w, seen=w.clock in past) for w in self.held]
        decided = merge({"purpose": self.value, TOMBSTONE: self.tombstone}, known, write)
        self.value = decided.values.get("purpose", self.value)
        self.tombstone = decided.tombstone
        self.conflicts += [(c, write.clock) for c in decided.conflicts]
        if all(w.clock != write.clock for w in self.held):
            self.held.append(write)
        return decided

    def state(self) -> tuple[Any, Any]:
        return self.value, self.tombstone


def winner(conflict: Conflict, incoming: Clock) -> Clock:
    """The clock of the write a conflict keeps for now."""
    return incoming if conflict.winner == "incoming" else conflict.against.clock


def edit(clock: Clock, value: str) -> Write:
    return Write(clock, "update", {"purpose": [BASE, value]})


def delete(clock: Clock) -> Write:
    return Write(clock, "delete", {TOMBSTONE: [None, f"2026-11-{clock[0] % 28 + 1:02d}T10:00:00+00:00"]})


clocks = st.tuples(st.integers(2, 40), st.sampled_from(SITES))


VALUES = ("Scale up", "Regional reach", "Policy first")  # never BASE: an edit changes the value


@st.composite
def concurrent(draw: st.DrawFn, least: int = 2, most: int = 4) -> list[Write]:
    """Writes made at different sites (one each), none seeing another: each saw only MADE. Two
    in three are edits, one in three deletes. (Few, plain draws: thousands of examples a second.)"""
    sites = draw(st.permutations(SITES))[:draw(st.integers(least, most))]
    writes = []
    for site in sites:
        clock, what = (draw(st.integers(2, 40)), site), draw(st.integers(0, 5))
        writes.append(edit(clock, VALUES[what % 3]) if what < 4 else delete(clock))
    return writes


def deliver(writes: list[Write]) -> Replica:
    site = Replica()
    for w in writes:
        site.receive(w, frozenset({MADE.clock}))
    return site


@EXAMPLES
@given(writes=concurrent(2, 2))
def test_two_concurrent_writes_in_either_order_end_alike_with_one_winner(writes: list[Write]) -> None:
    one, other = deliver(writes), deliver(writes[::-1])
    assert one.state() == other.state()
    assert [winner(*c) for c in one.conflicts] == [winner(*c) for c in other.conflicts]
    latest = max(writes, key=lambda w: w.clock)
    for conflict, incoming in one.conflicts + other.conflicts:
        assert winner(conflict, incoming) == latest.clock  # the later write, by clock then site id
    edits = [w for w in writes if w.op == "update"]
    if len(edits) == 1:  # a delete against an edit it had not seen: a conflict either way
        assert len(one.conflicts) == len(other.conflicts) == 1
        assert one.conflicts[0][0].field == TOMBSTONE
        assert one.tombstone == (None if latest.op == "update" else latest.tombstone)
    elif edits:  # two edits: a conflict unless they wrote the same value
        same = edits[0].changes["purpose"][1] == edits[1].changes["purpose"][1]
        assert len(one.conflicts) == len(other.conflicts) == (0 if same else 1)
    else:  # two deletes: nothing to decide, the later tombstone stays
        assert one.conflicts == other.conflicts == [] and one.tombstone == latest.tombstone


def shuffled(writes: list[Write], order: list[int]) -> list[Write]:
    return [writes[i] for i in order if i < len(writes)]


ORDERS = st.permutations(range(4))


@EXAMPLES
@given(writes=concurrent(2, 4), order=ORDERS)
def test_any_delivery_order_converges_and_loses_no_write(writes: list[Write], order: list[int]) -> None:
    first, second = deliver(writes), deliver(shuffled(writes, order))
    assert first.state() == second.state()
    edits = [w for w in writes if w.op == "update"]
    deletes = [w for w in writes if w.op == "delete"]
    last_edit = max(edits, key=lambda w: w.clock, default=None)
    last_delete = max(deletes, key=lambda w: w.clock, default=None)
    # The field holds its latest edit; the record is deleted when its latest delete is later.
    assert first.value == (last_edit.changes["purpose"][1] if last_edit else BASE)
    deleted = last_delete is not None and (last_edit is None or last_delete.clock > last_edit.clock)
    assert first.tombstone == (last_delete.tombstone if deleted else None)
    for site in (first, second):
        kept = {site.value} | {v for c, _ in site.conflicts if c.field == "purpose" for v in (c.local, c.incoming)}
        for w in edits:  # no edit lost: the value held, or one side of a conflict record
            assert w.changes["purpose"][1] in kept
        if edits and deletes:  # a delete against edits it had not seen is never silent
            assert any(c.field == TOMBSTONE for c, _ in site.conflicts)


@settings(max_examples=1000, deadline=None)
@given(writes=concurrent(1, 4), order=ORDERS, again=st.integers(0, 3))
def test_a_write_received_twice_changes_nothing_the_second_time(writes: list[Write], order: list[int],
                                                                again: int) -> None:
    site = deliver(shuffled(writes, order))
    before, conflicts = site.state(), len(site.conflicts)
    repeated = writes[again % len(writes)]
    decided = site.receive(repeated, frozenset({MADE.clock}))
    assert decided.values == {} and decided.conflicts == [] and decided.tombstone == before[1]
    assert site.state() == before and len(site.conflicts) == conflicts


@FEWER
@given(edit_clock=clocks, later=st.integers(1, 10), value=st.sampled_from(VALUES), deleter=st.sampled_from(SITES))
def test_a_delete_that_had_seen_the_edit_is_no_conflict(edit_clock: Clock, later: int, value: str,
                                                        deleter: str) -> None:
    """Causal order: the deleting site held the edit, so every site receives the edit first."""
    edited = edit(edit_clock, value)
    removed = delete((edit_clock[0] + later, deleter))
    site = Replica()
    site.receive(edited, frozenset({MADE.clock}))
    site.receive(removed, frozenset({MADE.clock, edited.clock}))
    assert site.conflicts == []
    assert site.state() == (value, removed.tombstone)


@FEWER
@given(writes=concurrent(1, 3), incoming=clocks, value=st.sampled_from(VALUES))
def test_append_only_records_never_conflict(writes: list[Write], incoming: Clock, value: str) -> None:
    known = [replace(w, seen=False) for w in [MADE, *writes]]
    decided = merge({"purpose": BASE, TOMBSTONE: None}, known, edit(incoming, value), append_only=True)
    assert decided.values == {} and decided.conflicts == [] and decided.tombstone is None


def test_the_outcomes_of_one_field() -> None:
    """Apply, skip (the value is there already), keep (a later write's value stays)."""
    local = edit((10, "NBO"), "Scale up")
    later, earlier = edit((12, "LIM"), "Policy first"), edit((8, "LIM"), "Policy first")
    assert merge_field("purpose", "Scale up", [MADE, local], later).outcome is Outcome.APPLY
    assert merge_field("purpose", "Scale up", [MADE, local], edit((12, "LIM"), "Scale up")).outcome is Outcome.SKIP
    assert merge_field("purpose", "Scale up", [MADE, local], earlier).outcome is Outcome.KEEP
    # The same clock value at two sites: the greater site id is the later write.
    assert merge_field("purpose", "Scale up", [MADE, local], edit((10, "ZZZ"), "x")).outcome is Outcome.APPLY
    assert merge_field("purpose", "Scale up", [MADE, local], edit((10, "ABC"), "x")).outcome is Outcome.KEEP
    # Seen by the sender: an edit on top of it, not a conflict.
    on_top = Write((12, "LIM"), "update", {"purpose": ["Scale up", "Policy first"]})
    assert merge_field("purpose", "Scale up", [MADE, local], on_top).conflict is None
    assert merge_field("purpose", "Scale up", [MADE, local], later).conflict is None  # whatever base it names
    unseen = replace(local, seen=False)
    conflict = merge_field("purpose", "Scale up", [MADE, unseen], later).conflict
    assert conflict is not None and (conflict.local, conflict.incoming, conflict.winner) == (
        "Scale up", "Policy first", "incoming") and conflict.against is unseen
