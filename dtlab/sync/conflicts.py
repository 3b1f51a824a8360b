"""Conflicts: two writes to one field made at different sites without seeing each other. The
merge (dtlab.domain.merge) keeps the later one for now, the same at every site, and a conflict
record keeps both for someone to decide. A decision is an ordinary logged change plus a record of
its own, so both travel: the decision closes the same conflict at the other sites when it arrives."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlmodel import Session, col

from dtlab.db.columns import from_json, shape
from dtlab.db.models import SYNCED_BY_TABLE, Case, ChangeLog, Conflict, Decision, Meta
from dtlab.db.sites import site_names
from dtlab.db.store import Store
from dtlab.domain import merge
from dtlab.domain.clock import utc_now
from dtlab.domain.stages import MoveKind, MoveRefused, Stage, Status, plan_move
from dtlab.errors import Invalid, NotFound, Refused
from dtlab.i18n import N_, Translated, _
from dtlab.services.cases import apply_move

RESOLUTIONS = ("keep", "take", "edit")
# How a conflict was decided, as stored (a decision's `resolution` travels in bundles, a conflict's
# stays here): English, the same at every site; said in the reader's language by `resolution_words`.
RESOLVED = {"keep": "kept", "take": "took incoming", "edit": "edited"}  # i18n: not shown (stored values)
RESOLVED_WORDS = Translated({"kept": N_("kept"), "took incoming": N_("took incoming"), "edited": N_("edited")})
# A conflict closed by a decision that arrived from another site, as stored (`_close`).
DECIDED_AT = N_("decided at {site} by {actor}: {resolution}")
_DECIDED_AT = re.compile(r"decided at (?P<site>\S+) by (?P<actor>.*): (?P<resolution>[^:]*)")
# Why an advance made past a gate is a conflict (`sync.admit`), as stored: English, read back in
# the reader's language by `reason_words`.
GATE_REASON = N_("advanced past a gate that an edit here, not seen there, leaves unmet: {unmet}")


def gate_reason(unmet: str) -> str:
    """The stored reason of a conflict over an advance past a gate an unseen edit unmet."""
    return GATE_REASON.format(unmet=unmet)


def reason_words(reason: str | None) -> str | None:
    """A conflict's stored reason (`conflict_rows`' "reason") in the language in use."""
    head = GATE_REASON.partition("{unmet}")[0]
    if reason is not None and reason.startswith(head):
        return _(GATE_REASON).format(unmet=reason[len(head):])
    return reason


def resolution_words(resolution: str | None) -> str | None:
    """How a conflict was decided (its stored `resolution`) in the language in use."""
    if resolution is None or resolution in RESOLVED_WORDS:
        return None if resolution is None else RESOLVED_WORDS[resolution]
    decided = _DECIDED_AT.fullmatch(resolution)
    if decided is None:
        return resolution
    how = decided["resolution"]
    return _(DECIDED_AT).format(site=decided["site"], actor=decided["actor"],
                                resolution=RESOLVED_WORDS.get(how, how))


def conflict_record(op: dict[str, Any], found: merge.Conflict, bundle_id: str) -> Conflict:
    """The record of a conflict an incoming operation `op` ran into, against the log entry held
    here (`found.against.tag`)."""
    local = found.against.tag
    # No decision can already cover this conflict: every site's log holds a decision after the
    # writes it saw, and bundles carry the log in order, so the writes always arrive first.
    return Conflict(table_name=op["table"], row_id=op["row_id"], case_id=op["case_id"], field=found.field,
                    base=found.base, local=found.local, incoming=found.incoming, winner=found.winner,
                    local_actor=local.actor if local else None, local_at=local.at if local else None,
                    local_origin=local.origin if local else None, local_seq=local.seq if local else None,
                    incoming_actor=op["actor"], incoming_at=datetime.fromisoformat(op["at"]),
                    incoming_origin=op["origin"], incoming_seq=op["seq"], bundle_id=bundle_id,
                    created_at=utc_now())


def open_conflicts(session: Session) -> list[Conflict]:
    return list(session.scalars(select(Conflict).where(col(Conflict.resolved_at).is_(None))
                                .order_by(col(Conflict.id))))


def open_conflict_count(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(Conflict)
                          .where(col(Conflict.resolved_at).is_(None))) or 0


def conflict_rows(session: Session) -> list[dict[str, Any]]:
    """The open conflicts with what people read them by: the case's ref and title, both values,
    who and when at which site, and which is kept for now. The record and the field are named by
    their ids (`table`, `field`); the front ends put them in words (dtlab.present.conflicts)."""
    refs: dict[str, tuple[str, str]] = {}
    conflicts = open_conflicts(session)
    names = site_names(session)
    case_ids = {c.case_id for c in conflicts if c.case_id}
    if case_ids:
        refs = {i: (r, t) for i, r, t in session.execute(
            select(col(Case.id), col(Case.ref), col(Case.title)).where(col(Case.id).in_(case_ids)))}
    return [{"id": c.id, "table": c.table_name, "row_id": c.row_id,
             "ref": refs.get(c.case_id or "", ("", ""))[0] or None,
             "title": refs.get(c.case_id or "", ("", ""))[1] or None, "field": c.field, "base": c.base,
             "local": c.local, "incoming": c.incoming, "winner": c.winner, "local_actor": c.local_actor,
             "local_at": c.local_at, "incoming_actor": c.incoming_actor, "incoming_at": c.incoming_at,
             "incoming_site": names.get(c.incoming_origin), "local_site": names.get(c.local_origin or ""),
             "reason": c.reason}
            for c in conflicts]


def _close(conflict: Conflict, decision: Decision) -> bool:
    """Close the conflict if the decision had seen both of its writes. A conflict recorded
    before its local side was kept (before migration 0010) is left for someone here to decide."""
    if conflict.resolved_at is not None or conflict.local_origin is None:
        return False
    seen = set(decision.seen.split())
    sides = {f"{conflict.incoming_origin}:{conflict.incoming_seq}", f"{conflict.local_origin}:{conflict.local_seq}"}
    if not sides <= seen:
        return False
    conflict.resolved_at = utc_now()
    # Stored in English, as every stored word is; `resolution_words` says it.
    conflict.resolution = DECIDED_AT.format(site=decision.site, actor=decision.updated_by,
                                            resolution=decision.resolution)
    return True


def close_decided(session: Session, decision: Decision) -> int:
    """Close the open conflicts here that a decision settles; how many it closed."""
    closed = 0
    for conflict in session.scalars(select(Conflict).where(
            col(Conflict.table_name) == decision.table_name, col(Conflict.row_id) == decision.row_id,
            col(Conflict.field) == decision.field, col(Conflict.resolved_at).is_(None))):
        closed += _close(conflict, decision)
    return closed


def _writes_to(session: Session, table: str, row_id: str, field: str) -> list[str]:
    """Every write this site holds to one field of a row, as "origin:seq" (for a delete
    conflict, every update and delete of the row)."""
    entries = session.scalars(select(ChangeLog).where(col(ChangeLog.table_name) == table,
                                                      col(ChangeLog.row_id) == row_id))
    return [f"{e.origin}:{e.seq}" for e in entries
            if (e.op in ("update", "delete") if field == merge.TOMBSTONE else field in e.changes)]


# A case's stage and status change by a move on the path, never by a value alone: every site
# refuses a stage change that comes without the transition that makes it.
MOVED_FIELDS = ("stage", "status")


def decided_by_move(table: str, field: str) -> bool:
    """Whether a conflict on this field is decided by moving the case (not by a value)."""
    return table == "cases" and field in MOVED_FIELDS


def _move_to(session: Session, case: Case, conflict: Conflict, chosen: Any) -> None:
    """Decide a conflict on a case's stage or status by the move that gets there: the stage the
    case left, by sending it back one stage. Any other value is reached by moving the case as
    usual, once this conflict is closed by taking what it holds."""
    if getattr(case, conflict.field) == chosen:
        return
    if conflict.field == "stage" and case.status == Status.OPEN.value:
        try:
            back = plan_move(MoveKind.BACK, Stage(case.stage), Status(case.status))
        except MoveRefused:
            back = None
        if back is not None and back.to_stage.value == chosen:
            # The move's reason is a record that travels: written in English, as stored words are.
            reason = f"conflict #{conflict.id} decided: back to {chosen}"  # i18n: not shown (a stored reason)
            apply_move(session, case, MoveKind.BACK, reason)
            return
    moved = (_("a case's stage changes by a move on its path: take what it holds now to close conflict #{id}, then "
               "move {ref} (advance, back, end or reopen) with your reason") if conflict.field == "stage" else
             _("a case's status changes by a move on its path: take what it holds now to close conflict #{id}, then "
               "move {ref} (advance, back, end or reopen) with your reason"))
    raise Refused(moved.format(id=conflict.id, ref=case.ref))


def resolve_conflict(store: Store, conflict_id: int, how: str, value: Any = None) -> Conflict:
    """Decide a conflict for good: keep the value this site had, take the incoming one, or write
    another. The value is an ordinary logged change, and the decision a record of its own, so both
    travel: the decision closes the same conflict at the other sites when it arrives."""
    if how not in RESOLUTIONS:
        raise Invalid(_("resolve with one of {choices}").format(choices=", ".join(RESOLUTIONS)))
    with store.write() as session:
        conflict = session.get(Conflict, conflict_id)
        if conflict is None:
            raise NotFound(_("no conflict #{id}").format(id=conflict_id))
        if conflict.resolved_at is not None:
            raise Refused(_("conflict #{id} was resolved on {date} ({resolution})").format(
                id=conflict_id, date=f"{conflict.resolved_at:%Y-%m-%d}",
                resolution=resolution_words(conflict.resolution)))
        model = SYNCED_BY_TABLE[conflict.table_name]
        row = session.get(model, conflict.row_id)
        if row is None:
            raise Refused(_("the {table} record of conflict #{id} is gone").format(
                table=conflict.table_name, id=conflict_id))
        if how == "edit" and (value is None or not str(value).strip()):
            raise Invalid(_("write the value to keep, or keep or take one of the two"))
        chosen = {"keep": conflict.local, "take": conflict.incoming, "edit": value}[how]
        if conflict.field == merge.TOMBSTONE:
            # A delete against an edit: each side holds its tombstone (or none); choose one.
            if how == "edit":
                raise Invalid(_("a delete against an edit is decided by keeping or taking, not by a value"))
            row.deleted_at = from_json(shape(model).kinds["deleted_at"], chosen)
        elif isinstance(row, Case) and decided_by_move(conflict.table_name, conflict.field):
            _move_to(session, row, conflict, from_json(shape(model).kinds[conflict.field], chosen))
        else:
            setattr(row, conflict.field, from_json(shape(model).kinds[conflict.field], chosen))
        resolution = RESOLVED[how]
        code = session.get(Meta, "site_code")
        decision = Decision(case_id=conflict.case_id, table_name=conflict.table_name, row_id=conflict.row_id,
                            field=conflict.field, resolution=resolution, site=code.value if code else "?",
                            seen=" ".join(_writes_to(session, conflict.table_name, conflict.row_id,
                                                     conflict.field)))
        session.add(decision)
        session.flush()
        close_decided(session, decision)  # any other conflict here over the same writes
        conflict.resolved_at = conflict.resolved_at or utc_now()
        conflict.resolution = resolution
        session.flush()
        return conflict
