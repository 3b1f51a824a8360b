"""Checks of received operations that read other records: a call and the requests that name it,
a result and the result it contributes to, and any insert of a record already held here.

Each is judged as a local write is, on the database as the bundle's earlier operations leave it
(`flush` writes them). Rules over several fields or records are judged on an operation as its
site made it (an insert, or the sender's own edit of a record with no write here it had not
seen): two sites' edits merged field by field may meet in a combination neither wrote, and
refusing that would stop every later bundle of both."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlmodel import Session

from dtlab.db.calls import held_call
from dtlab.db.models import SYNCED_BY_TABLE, Result
from dtlab.domain import monitoring
from dtlab.domain.calls import CallFacts, CallStatus, call_problems, call_ref_site, split_codes
from dtlab.i18n import _
from dtlab.sync.bundle import Rejected
from dtlab.sync.rejected import op_name

Flush = Callable[[], None]


def _day(value: Any) -> date | None:
    return date.fromisoformat(value) if isinstance(value, str) else value


def call(op: dict[str, Any], site_code: str | None) -> None:
    """A call is named under its origin's own code (GVA-C1), as a case is, and a new call's
    fields together pass what a local write's do (`calls.call_problems`: it opens before its
    deadline). Later edits are judged field by field (module docstring)."""
    changes = op["changes"]
    if op["op"] != "insert":
        return
    if "ref" in changes and call_ref_site(changes["ref"][1]) != site_code:
        raise Rejected(_("{operation}: call {ref} is not under its site's own code").format(
            operation=op_name(op), ref=changes["ref"][1]))
    values = {k: new for k, (_old, new) in changes.items()}
    problems = call_problems(CallFacts(
        title=values.get("title"), deadline=_day(values.get("deadline")), opens_on=_day(values.get("opens_on")),
        regions=split_codes(values.get("regions")), scope=values.get("scope"),
        status=values.get("status") or CallStatus.OPEN.value))
    if problems:
        raise Rejected(f"{op_name(op)}: calls " + "; ".join(f"{k}: {v}" for k, v in problems.items()))


def case_call(op: dict[str, Any], session: Session, flush: Flush) -> None:
    """A request names a call held here when it names it (a local link needs the call to exist,
    and the interest gate judges a late answer by the call's deadline)."""
    ref = op["changes"].get("call_ref", [None, None])[1]
    if ref is None:
        return
    flush()
    if held_call(session, ref) is None:
        raise Rejected(_("{operation}: the case names call {ref}, which is not held here").format(
            operation=op_name(op), ref=ref))


def result_links(op: dict[str, Any], session: Session, flush: Flush, judged: bool) -> None:
    """A result links up only to a result of its own case (always: a record never changes case),
    never to itself, one level up (`monitoring.parent_problem`: levels rise up the chain, so a
    judged link never closes a loop); a result that
    changes level keeps the results linked to it one level below; judged on the database as the
    bundle's earlier operations leave it, as `services.results.save_result` judges a local save.
    Levels and loops are judged on operations as their site made them (`judged`): a concurrent
    edit (a parent's level changed here) is merged, and the chain shows the link as broken."""
    name, changes = op_name(op), op["changes"]
    if changes.get("parent_id", [None, None])[1] == op["row_id"]:
        raise Rejected(_("{operation}: a result cannot contribute to itself").format(operation=name))
    flush()  # the parent, or the children, may be the bundle's own inserts
    results = Result.__table__  # type: ignore[attr-defined]
    held = None
    if op["op"] != "insert":
        held = session.execute(select(results.c.level, results.c.parent_id).where(
            results.c.id == op["row_id"])).first()
        if held is None:
            return  # not held here: the applier refuses an update of a record it does not hold
    level = changes["level"][1] if "level" in changes else held[0] if held else None
    parent_id = changes["parent_id"][1] if "parent_id" in changes else held[1] if held else None
    if parent_id is not None:
        parent = session.execute(select(results.c.level, results.c.case_id, results.c.deleted_at).where(
            results.c.id == parent_id)).first()
        if parent is None:
            raise Rejected(_("{operation}: it links up to a result {id} that is not held here").format(
                operation=name, id=parent_id))
        if parent[1] != op["case_id"]:
            raise Rejected(f"{name}: {monitoring.parent_problem(str(level), parent[0], same_case=False)}")
        problem = monitoring.parent_problem(str(level), parent[0])
        if parent[2] is not None and ("parent_id" in changes or op["op"] == "insert"):
            problem = problem or _("it links up to a result taken out of the plan")
        if problem and judged:
            raise Rejected(f"{name}: {problem}")
    if held is not None and "level" in changes and judged:
        below = session.execute(select(results.c.level).where(
            results.c.parent_id == op["row_id"], results.c.deleted_at.is_(None))).scalars()
        wrong = sorted({lv for lv in below if monitoring.PARENT_LEVEL.get(lv) != level})
        if wrong:
            raise Rejected(_("{operation}: it becomes an {level}, but results of level {levels} link up to it").format(
                operation=name, level=level, levels=", ".join(wrong)))


def insert_over_held(op: dict[str, Any], session: Session, flush: Flush) -> None:
    """An insert of a record held here already (two sites making the one record of something, under
    the id both derive) is merged like an edit; but it cannot pass one record off as another: it
    keeps the case the held record belongs to and the fields fixed when it was written, and a
    case's stage and status change only by the moves that make them."""
    if op["op"] != "insert":
        return
    model = SYNCED_BY_TABLE[op["table"]]
    table = model.__table__  # type: ignore[attr-defined]
    watched = [k for k in (model.CASE_KEY, *sorted(model.FIXED)) if k and k != "id"]
    if op["table"] == "cases":
        watched += ["stage", "status"]
    if not watched:
        return
    flush()
    held = session.execute(select(*(table.c[k] for k in watched)).where(table.c.id == op["row_id"])).first()
    if held is None:
        return
    for key, value in zip(watched, held, strict=True):
        if key not in op["changes"]:
            continue
        new = op["changes"][key][1]
        if isinstance(value, date):
            value = value.isoformat()
        if new != value:
            raise Rejected(_("{operation}: it inserts a {table} record held here already, with another {field} "
                             "({new}, held {held})").format(operation=op_name(op), table=op["table"], field=key,
                                                            new=repr(new), held=repr(value)))
