"""What an incoming operation must satisfy before it is applied: the same rules as a local write.

A bundle from a trusted site is still input: the laptop may be stolen, compromised or buggy, and
what headquarters applies it relays to every site. So each operation passes, besides the schema
(`verify.check_against_schema`):

- the rule of every field it writes (`domain.records`, the table the domain's rules make), with
  reference data (countries, centre types, goals, the rubric) as this database holds it;
- its times bounded like its clock (no more than a day ahead);
- the case it names is the case its record belongs to, and a record never moves to another case;
- a case's ref in the form the domain gives (`domain.ids`), under its origin's own site code;
- a change of a case's stage or status arrives with the move that makes it (a transition the path
  allows, `stages.plan_move`; an advance meets the gate, or overrides it with a reason, or was made
  while this site changed what the gate reads, and is kept with a conflict to decide);
- a result's link up the chain: to a result of its own case, one level up (`_result_links`);
- the rules of evaluations and their scores (`sync.evaluation_checks`): a submitted evaluation is
  locked for a sender that had seen it submitted, and its verdict is what its scores give;
- a conflict decision is the origin's own.

Any failure is a `Rejected` (exit 4) naming the operation; the import's transaction then writes
nothing. Derived fields (an evaluation's classification and percentage) are recomputed here from
the scores held once the bundle is applied, never taken from it."""

from __future__ import annotations

import dataclasses
from collections import defaultdict, deque
from collections.abc import Callable, Collection
from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from typing import Any

from sqlalchemy import func, select
from sqlmodel import Session, col

from dtlab.db.board import setting_id
from dtlab.db.cases import GATE_READS, case_facts
from dtlab.db.columns import shape
from dtlab.db.models import (
    SYNCED_BY_TABLE,
    Case,
    CentreType,
    ChangeLog,
    Conflict,
    Country,
    Goal,
    MembershipCategory,
    RubricVersion,
    SiteName,
    ThematicPriority,
)
from dtlab.domain import board, gates, records
from dtlab.domain.fields import FieldError
from dtlab.domain.ids import MAX_CASE_NUMBER, parse_ref
from dtlab.domain.stages import MoveKind, MoveRefused, RenewalOutcome, Stage, Status, entry_overrides, plan_move
from dtlab.i18n import _, ngettext
from dtlab.sync import board_checks, link_checks
from dtlab.sync.bundle import Rejected
from dtlab.sync.conflicts import gate_reason
from dtlab.sync.evaluation_checks import EvaluationChecks, forget_reads
from dtlab.sync.rejected import op_name
from dtlab.sync.vector import acknowledged, not_seen_by

_REFERENCE: dict[str, Any] = {
    "country": Country.code, "centre_type": CentreType.id, "category": MembershipCategory.id, "goal": Goal.id,
    "priority": ThematicPriority.id, "rubric": RubricVersion.id,
}
# The records a local service sets aside (a tombstone): an evaluation draft (`discard_draft`, and a
# draft for another type), and a plan's results, KPIs with their years, and milestones
# (`remove_plan_item`). No site deletes anything else (a case, a score, a centre's record), so
# no bundle does either.
# An operation's actor is a person's login or configured name (`config.actor`), bounded like a
# name a person types, so a bundle cannot log and relay an actor of any size.
ACTOR_CHARS = 200
# Each advance judged against its gate reads the case's facts, work that grows with the case's
# records; a bundle could bring thousands of records and thousands of round trips of one case,
# and the work would grow with their product (an attacker's review: 8,000 operations, 89 s under
# HQ's write lock). A person advances a case a handful of times between two exchanges: this many
# judged advances of one case in one bundle bound the work to a multiple of the bundle.
JUDGED_ADVANCES = 100
DELETABLE = frozenset({"evaluations", "results", "kpis", "kpi_years", "milestones"})
# Moves that end or reopen a case need a reason, as `services.cases.move_case` asks of a person.
# The moves a person must give a reason for (services.cases asks for it the same way): ending or
# reopening a case, and entering the path past its start.
_NEED_REASON = frozenset({MoveKind.WITHDRAW, MoveKind.DECLINE, MoveKind.CLOSE, MoveKind.REOPEN, MoveKind.ENTER})


class Reference:
    """`records.Context` from this database: reference ids read once per kind, per bundle."""

    def __init__(self, session: Session):
        self.session = session
        self.now = datetime.now(timezone.utc)
        self.today: date = self.now.date()
        self._known: dict[str, frozenset[str]] = {"table": frozenset(SYNCED_BY_TABLE)}

    def known(self, kind: str) -> Collection[str]:
        if kind not in self._known:
            self._known[kind] = frozenset(self.session.scalars(select(_REFERENCE[kind])))
        return self._known[kind]


@dataclass
class _Move:
    """A change of a case's stage or status, or a transition record, waiting for its pair."""

    case_id: str
    to_stage: str
    status: str
    name: str
    from_stage: str | None = None  # a case's: the stage it left, as the sender had it
    matched: bool = field(default=False)


class Admission:
    """The checks of one bundle's operations, in the order they are applied. `flush` writes what
    the applier holds back, for the checks that read the database as the operations left it."""

    def __init__(self, session: Session, manifest: dict[str, Any], flush: Callable[[], None]):
        self.session, self.flush = session, flush
        self.ctx = Reference(session)
        self.sender_knows: dict[str, int] = manifest["vector"]
        self.sender = manifest["origin"]["id"]
        self.bundle_id = manifest["bundle_id"]
        # Who each origin is: the signer's own code, and the codes its (signed) manifest gives.
        self.codes = {n.id: n.code for n in session.scalars(select(SiteName))}
        self.codes.update(manifest.get("sites") or {})
        self.codes[manifest["origin"]["id"]] = manifest["origin"]["code"]
        self._vector_holds(manifest["origin"]["code"])
        self.moves: list[_Move] = []  # case changes of stage or status
        self.transitions: list[_Move] = []
        self.deferred: list[tuple[dict[str, Any], Stage]] = []  # advances of cases not held yet
        self.judged: dict[str, int] = {}  # case: advances judged against their gate in this bundle
        self.unseen_cases: dict[str, bool] = {}  # case: whether it held a write the sender had not seen
        # Advances the sender made with the gate met on its facts, unmet here by a write it had
        # not seen: kept, each with the conflict that asks someone here to decide (`_judge`).
        self.gate_conflicts: list[Conflict] = []
        self.logged_before = session.scalar(select(func.max(col(ChangeLog.id)))) or 0
        # case: the stage its path is at, as the bundle's moves take it along (None: a case the
        # bundle brings, on no stage yet), from the stage held here when the bundle first moves it
        self.path_at: dict[str, str | None] = {}
        self.evaluations = EvaluationChecks(session, self.sender, self.sender_knows, self.logged_before, flush)

    def _vector_holds(self, peer: str) -> None:
        """The sender's vector (what it says it has seen) decides whether its edits are concurrent
        (gates, the evaluation lock, derived fields), so it may never go back on what the sender
        acknowledged in an earlier bundle: a site's log only grows, and a vector that forgets
        operations it held would pass its edits off as made without seeing them."""
        for origin, seq in sorted(acknowledged(self.session, peer).items()):
            if self.sender_knows.get(origin, 0) < seq:
                who = self.codes.get(origin, origin)
                raise Rejected(_("manifest: its vector goes back on what {peer} acknowledged ({site}'s operations "
                                 "up to {seq}, now {now})").format(peer=peer, site=who, seq=seq,
                                                                   now=self.sender_knows.get(origin, 0)))

    def check(self, op: dict[str, Any]) -> None:
        name = op_name(op)
        table, changes = op["table"], op["changes"]
        if len(op["actor"]) > ACTOR_CHARS:
            raise Rejected(ngettext("{operation}: its actor is longer than {n} character",
                                    "{operation}: its actor is longer than {n} characters",
                                    ACTOR_CHARS).format(operation=name, n=ACTOR_CHARS))
        try:
            records.moment(op["at"], self.ctx)
            self._fields(op)
        except FieldError as error:
            raise Rejected(f"{name}: {table} {error}") from None
        if "deleted_at" in changes and table not in DELETABLE:
            raise Rejected(_("{operation}: no site deletes {table} records").format(operation=name, table=table))
        if changes.get("deleted_at", [None, None])[0] is not None and changes["deleted_at"][1] is None:
            raise Rejected(_("{operation}: no site brings back a {table} record it took out").format(
                operation=name, table=table))
        self._case_key(op)
        link_checks.insert_over_held(op, self.session, self.flush)
        if table == "cases":
            self._case(op)
            link_checks.case_call(op, self.session, self.flush)
        elif table == "transitions":
            self._transition(op)
        elif table == "decisions" and changes.get("site", [None, None])[1] != self.codes.get(op["origin"]):
            raise Rejected(_("{operation}: a conflict decision can only be the deciding site's own").format(
                operation=name))
        elif table == "calls":
            link_checks.call(op, self.codes.get(op["origin"]))
        if table in ("evaluations", "evaluation_scores"):
            self.evaluations.check(op)
        if table in board_checks.TABLES:
            board_checks.check(op, self.session, self.flush, self._made_on_what_is_held(op))
        if table == "results" and {"parent_id", "level"} & changes.keys():
            link_checks.result_links(op, self.session, self.flush, self._judged_here(op))

    def _fields(self, op: dict[str, Any]) -> None:
        table, changes = op["table"], op["changes"]
        if op["op"] == "insert":
            defaults = shape(SYNCED_BY_TABLE[table]).defaults
            for required in records.REQUIRED[table] - defaults.keys():
                if changes.get(required, [None, None])[1] is None:
                    raise FieldError(_("{field}: is required").format(field=required))
        for field_name, (old, new) in changes.items():
            records.check_value(table, field_name, new, self.ctx)
            if isinstance(old, float):  # a base is only compared, but it is logged and relayed
                records.number()(old, self.ctx)

    def _case_key(self, op: dict[str, Any]) -> None:
        """The case an operation names is the one its record belongs to; a record stays with it."""
        model = SYNCED_BY_TABLE[op["table"]]
        key, changes = model.CASE_KEY, op["changes"]
        if key is None:
            expected = None
        elif key == "id":
            expected = op["row_id"]
        elif op["op"] == "insert":
            expected = changes.get(key, [None, None])[1]
        else:
            if key in changes:
                raise Rejected(_("{operation}: a {table} record cannot move to another case").format(
                    operation=op_name(op), table=op["table"]))
            self.flush()  # the record may be one of the bundle's inserts not written yet
            table = model.__table__  # type: ignore[attr-defined]
            expected = self.session.execute(select(table.c[key]).where(table.c.id == op["row_id"])).scalar()
            if expected is None:
                return  # not held here: the applier refuses an update of a record it does not hold
        if op["case_id"] != expected:
            raise Rejected(_("{operation}: it names case {case}, not the case its record belongs to").format(
                operation=op_name(op), case=op["case_id"]))

    def _case(self, op: dict[str, Any]) -> None:
        name, changes = op_name(op), op["changes"]
        # (An update naming the ref never gets here: check_against_schema refuses FIXED fields.)
        if op["op"] == "insert" and "ref" in changes:
            self._ref(op, changes["ref"][1])
        if op["op"] == "insert":
            stage = changes.get("stage", [None, Stage.INTEREST.value])[1]
            status = changes.get("status", [None, Status.OPEN.value])[1]
            if (stage, status) != (Stage.INTEREST.value, Status.OPEN.value):
                self.moves.append(_Move(op["row_id"], stage, status, name))
            self.path_at.setdefault(op["row_id"], None)
            return
        if "stage" in changes or "status" in changes:
            self.flush()
            held = self.session.execute(select(col(Case.stage), col(Case.status)).where(
                col(Case.id) == op["row_id"])).first()
            if held is not None:
                self.path_at.setdefault(op["row_id"], held[0])
                if "stage" in changes and changes["stage"][0] != held[0] and self._judged_here(op):
                    raise Rejected(_("{operation}: it moves the case from {stage}, but the case is at {held} "
                                     "here").format(operation=name, stage=changes["stage"][0], held=held[0]))
            stage = changes["stage"][1] if "stage" in changes else (held[0] if held else None)
            status = changes["status"][1] if "status" in changes else (held[1] if held else None)
            self.moves.append(_Move(op["row_id"], str(stage), str(status), name,
                                    changes["stage"][0] if "stage" in changes else None))

    def _ref(self, op: dict[str, Any], ref: str) -> None:
        """A new case's ref: SITE-YEAR-NNNN as `CaseRef` writes it, under the origin's own code
        (no site can take another's numbers), a year dtlab's calendar holds and not after next
        year, a number up to `MAX_CASE_NUMBER`."""
        name = op_name(op)
        try:
            parsed = parse_ref(ref)
        except ValueError:
            raise Rejected(_("{operation}: {ref} is not a case ref").format(operation=name, ref=repr(ref))) from None
        if str(parsed) != ref:
            raise Rejected(_("{operation}: {ref} is not a case ref as dtlab writes it ({written})").format(
                operation=name, ref=repr(ref), written=parsed))
        if parsed.site != self.codes.get(op["origin"]):
            raise Rejected(_("{operation}: case ref {ref} is not under its site's own code").format(
                operation=name, ref=ref))
        if not records.EARLIEST.year <= parsed.year <= self.ctx.today.year + 1:
            raise Rejected(_("{operation}: case ref {ref} has an implausible year").format(operation=name, ref=ref))
        if not 1 <= parsed.number <= MAX_CASE_NUMBER:
            raise Rejected(_("{operation}: case ref {ref} has a number beyond {most}").format(
                operation=name, ref=ref, most=MAX_CASE_NUMBER))

    def _transition(self, op: dict[str, Any]) -> None:
        """A move as the path allows it (`plan_move`), with a reason where one is needed, and an
        advance that meets its gate unless it says what it overrode and why."""
        name = op_name(op)
        values = {k: new for k, (_old, new) in op["changes"].items()}
        kind, to_stage, status = MoveKind(values["kind"]), Stage(values["to_stage"]), Status(values["status"])
        reason = (values.get("reason") or "").strip()
        if kind is MoveKind.ENTER:
            if values.get("from_stage") is not None or status is not Status.OPEN:
                raise Rejected(_("{operation}: a case enters the path open, from nowhere").format(operation=name))
            if entry_overrides(to_stage) and not values.get("overridden"):
                raise Rejected(_("{operation}: an entry at {stage} skips the concept design's evaluation without "
                                 "saying it overrides it").format(operation=name, stage=to_stage.value))
        else:
            if values.get("from_stage") is None:
                raise Rejected(_("{operation}: a move needs the stage it leaves").format(operation=name))
            before = Stage(values["from_stage"])
            # The status before the move: a reopened case was ended, every other move starts open.
            was = Status.CLOSED if kind is MoveKind.REOPEN else Status.OPEN
            plans = []
            for outcome in (None, *RenewalOutcome):
                try:
                    plans.append(plan_move(kind, before, was, outcome))
                except MoveRefused:
                    continue
            if not any((p.to_stage, p.status) == (to_stage, status) for p in plans):
                raise Rejected(_("{operation}: the path has no {kind} move from {before} to {stage} "
                                 "({status})").format(operation=name, kind=kind.value, before=before.value,
                                                      stage=to_stage.value, status=status.value))
        if (kind in _NEED_REASON or values.get("overridden")) and not reason:
            if kind is MoveKind.ENTER:
                needs = _("{operation}: an entry past the first stage needs a reason")
            elif values.get("overridden"):
                needs = _("{operation}: an override of the gate needs a reason")
            else:
                needs = _("{operation}: a {kind} move needs a reason")
            raise Rejected(needs.format(operation=name, kind=kind.value))
        self._from_where_it_is(op, values)
        if kind is MoveKind.ADVANCE and not values.get("overridden") and op["origin"] == self.sender:
            self._gate(op, Stage(values["from_stage"]))
        self.transitions.append(_Move(op["case_id"], to_stage.value, status.value, name, values.get("from_stage")))

    def _made_on_what_is_held(self, op: dict[str, Any]) -> bool:
        """Whether a record of no case was written by the sender on the record as held here: its
        own operation of a record with no write here the sender had not seen."""
        if op["origin"] != self.sender:
            return False
        if op["case_id"] is not None:
            return self._judged_here(op)
        return self.session.scalar(select(col(ChangeLog.id)).where(
            col(ChangeLog.table_name) == op["table"], col(ChangeLog.row_id) == op["row_id"],
            col(ChangeLog.id) <= self.logged_before, not_seen_by(self.sender_knows)).limit(1)) is None

    def _judged_here(self, op: dict[str, Any]) -> bool:
        """Whether the case's stage here is the one the sender saw: its own operation (a relayed
        one was admitted where it first arrived), of a case with no write here it had not seen
        (otherwise the moves are concurrent, and the merge reports them)."""
        return op["origin"] == self.sender and not self._unseen(op["case_id"])

    def _from_where_it_is(self, op: dict[str, Any], values: dict[str, Any]) -> None:
        """A move leaves the stage the case is at here, at that point of the bundle: the stage
        held when the bundle first moves it, then each move's. A case the bundle brings starts on
        the path with its entry, or at interest, where a case is created."""
        case_id = op["case_id"]
        if case_id not in self.path_at:
            self.flush()
            held = self.session.scalar(select(col(Case.stage)).where(col(Case.id) == case_id))
            if held is None:
                return  # not held yet: judged with its case (`finish`)
            self.path_at[case_id] = held
        at = self.path_at[case_id]
        self.path_at[case_id] = values["to_stage"]
        if values["kind"] == MoveKind.ENTER.value:
            return  # an entry into a case on the path already has no change to pair with (`finish`)
        expected = Stage.INTEREST.value if at is None else at
        if values["from_stage"] != expected and self._judged_here(op):
            raise Rejected(_("{operation}: the move leaves {stage}, but the case is at {held} here").format(
                operation=op_name(op), stage=values["from_stage"], held=expected))

    def _gate(self, op: dict[str, Any], before: Stage) -> None:
        """An advance that overrides nothing meets its gate, judged on the case's facts as this
        database holds them when the move arrives (the bundle's earlier operations merged in).
        That holds even when a write here is one the sender had not seen: every site that takes
        the move afterwards, HQ's relay included, judges it on these same facts (a bundle carries
        the log in order), so a move admitted here on the sender's word alone would be refused
        by them, and HQ's log, append-only, would break every later bundle. A concurrent edit
        that unmeets the gate thus refuses the advance; the sender can override it with a reason.
        A move of a case not held yet (records written before their case) is judged once the
        bundle is in. The case as held may already be past the move: a site may write a case at
        its stage and then the moves that brought it there, in one transaction (`dtlab demo`
        does). The gate is then judged on the case's facts as held, at the stage the move
        leaves; that each stage change has its move, from the stage it left, `finish` checks."""
        judged = self.judged[op["case_id"]] = self.judged.get(op["case_id"], 0) + 1
        if judged > JUDGED_ADVANCES:
            raise Rejected(ngettext("{operation}: more than {n} advance of one case in one bundle",
                                    "{operation}: more than {n} advances of one case in one bundle",
                                    JUDGED_ADVANCES).format(operation=op_name(op), n=JUDGED_ADVANCES))
        self.flush()
        case = self.session.get(Case, op["case_id"])
        if case is None:
            self.deferred.append((op, before))
        else:
            self._judge(op, case, before)
        forget_reads(self.session)

    def _unseen(self, case_id: str) -> bool:
        """Whether this database held, before the bundle, a write to the case the sender had not
        seen. The bundle's own operations are the sender's (its vector covers what it sends), so
        the answer is read once per case per bundle, not once per move."""
        if case_id not in self.unseen_cases:
            self.unseen_cases[case_id] = self.session.scalar(select(col(ChangeLog.id)).where(
                col(ChangeLog.case_id) == case_id, col(ChangeLog.id) <= self.logged_before,
                not_seen_by(self.sender_knows)).limit(1)) is not None
        return self.unseen_cases[case_id]

    def _judge(self, op: dict[str, Any], case: Case, before: Stage) -> None:
        unmet = gates.unmet(dataclasses.replace(case_facts(self.session, case, gate=before), stage=before))
        if not unmet:
            return
        unmet_text = "; ".join(c.text for c in unmet)
        cause = self._unseen_gate_write(case.id)
        if cause is None and before is Stage.RENEWAL:
            cause = self._unseen_policy_write()
        if cause is None:
            raise Rejected(_("{operation}: {ref} advances past an unmet gate with no override: {unmet}").format(
                operation=op_name(op), ref=case.ref, unmet=unmet_text))
        to_stage = op["changes"]["to_stage"][1]
        self.gate_conflicts.append(Conflict(
            table_name="cases", row_id=case.id, case_id=case.id, field="stage", base=before.value,
            local=before.value, incoming=to_stage, winner="incoming", local_actor=cause.actor, local_at=cause.at,
            local_origin=cause.origin, local_seq=cause.seq, incoming_actor=op["actor"],
            incoming_at=datetime.fromisoformat(op["at"]), incoming_origin=op["origin"], incoming_seq=op["seq"],
            bundle_id=self.bundle_id, created_at=datetime.now(timezone.utc),
            reason=gate_reason(unmet_text)))

    def _unseen_gate_write(self, case_id: str) -> ChangeLog | None:
        """The latest write held here before the bundle, that the sender had not seen, to what
        the case's gate reads (`GATE_READS`): what can have unmet a gate the sender saw met.
        Without one, the sender's facts were these and its advance is judged on them."""
        entries = self.session.scalars(select(ChangeLog).where(
            col(ChangeLog.case_id) == case_id, col(ChangeLog.id) <= self.logged_before,
            col(ChangeLog.table_name).in_(list(GATE_READS)),
            not_seen_by(self.sender_knows)).order_by(col(ChangeLog.id).desc()))
        for entry in entries:
            fields = GATE_READS[entry.table_name]
            if fields is None or entry.op == "insert" or fields & entry.changes.keys():
                return entry
        return None

    def _unseen_policy_write(self) -> ChangeLog | None:
        """The latest write of the Board policy held here before the bundle that the sender had
        not seen: a setting of no case, which the renewal's gate reads (a site that advanced a
        renewal before it heard that the lab now asks for the Board's decision)."""
        return self.session.scalars(select(ChangeLog).where(
            col(ChangeLog.table_name) == "settings", col(ChangeLog.row_id) == setting_id(board.BOARD_POLICY),
            col(ChangeLog.id) <= self.logged_before, not_seen_by(self.sender_knows))
            .order_by(col(ChangeLog.id).desc()).limit(1)).first()

    def finish(self) -> None:
        """Once every operation is in: each change of a case's stage or status came with its move."""
        # Each move takes the first transition not yet taken that makes it: found through two
        # indexes, each a queue that drops the taken from its front, so a bundle of thousands of
        # moves is paired in time linear in them.
        by_move: dict[tuple[str, ...], deque[_Move]] = defaultdict(deque)
        by_move_from: dict[tuple[str, ...], deque[_Move]] = defaultdict(deque)
        for t in self.transitions:
            by_move[(t.case_id, t.to_stage, t.status)].append(t)
            by_move_from[(t.case_id, t.to_stage, t.status, str(t.from_stage))].append(t)
        for move in self.moves:
            key = (move.case_id, move.to_stage, move.status)
            queue = by_move[key] if move.from_stage is None else by_move_from[key + (move.from_stage,)]
            while queue and queue[0].matched:
                queue.popleft()
            if not queue:
                raise Rejected(_("{operation}: the case moves to {stage} ({status}) without a transition that "
                                 "makes the move").format(operation=move.name, stage=move.to_stage,
                                                          status=move.status))
            queue.popleft().matched = True
        self.flush()
        for op, before in self.deferred:
            case = self.session.get(Case, op["case_id"])
            if case is not None:
                self._judge(op, case, before)
        forget_reads(self.session)
        self.evaluations.finish()
