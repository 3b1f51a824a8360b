"""The rules an incoming operation on an evaluation or its scores must satisfy (`Admission`
asks them): a submitted evaluation is locked for a sender that had seen it submitted; a score is
of a criterion of its rubric; the classification and percentage are what the scores give, never
the bundle's word; an evaluation without a rubric is a verdict from before rubrics, in its legacy
form only."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import select
from sqlmodel import Session, col

from dtlab.db.evaluations import evaluation_draft
from dtlab.db.models import SYNCED_BY_TABLE, ChangeLog, Evaluation
from dtlab.db.reference import SeedError, rubric_version
from dtlab.domain.rubric import score
from dtlab.i18n import _
from dtlab.sync.bundle import Rejected
from dtlab.sync.rejected import op_name
from dtlab.sync.vector import not_seen_by


class EvaluationChecks:
    """One bundle's evaluation rules, with what they have read so far."""

    def __init__(self, session: Session, sender: str, sender_knows: dict[str, int], logged_before: int,
                 flush: Callable[[], None]):
        self.session, self.sender, self.sender_knows, self.flush = session, sender, sender_knows, flush
        self.logged_before = logged_before
        self.submitted_before: dict[str, tuple[str, int] | None] = {}  # evaluation: its submission held before
        self.criteria: dict[str, frozenset[str]] = {}  # rubric: its criteria
        self.submitted_new: list[tuple[dict[str, Any], str]] = []  # evaluations the bundle brings submitted
        self.submissions: dict[str, tuple[str, int] | None] = {}  # evaluation: its latest submission
        # Evaluations the bundle brings that this database did not hold before it, with their
        # rubric: their scores are new, and need only their criterion checked (no write held
        # here can have locked them), so a full bundle's scores do not each stop the batch.
        self.new_in_bundle: dict[str, str | None] = {}

    def check(self, op: dict[str, Any]) -> None:
        if op["table"] == "evaluations":
            self._verdict_before_rubrics(op)
            if op["row_id"] in self.new_in_bundle and "rubric_id" in op["changes"]:
                self.new_in_bundle[op["row_id"]] = op["changes"]["rubric_id"][1]
        self._evaluation(op)
        if op["table"] == "evaluations" and op["row_id"] in self.submissions and (
                op["changes"].get("submitted_at") or [None, None])[1] is not None:
            self.submissions[op["row_id"]] = (op["origin"], op["seq"])

    def finish(self) -> None:
        """Once every operation is in: each evaluation the bundle brings submitted is whole."""
        for op, evaluation_id in self.submitted_new:
            self._submitted_whole(op, evaluation_id)

    def _verdict_before_rubrics(self, op: dict[str, Any]) -> None:
        """An evaluation without a rubric is a verdict recorded before rubrics existed (schema
        0005, before any bundle): its classification was the evaluator's word, not a total's, so
        it is kept as given, shown as such and never counted in the consolidation or a gate. It
        has the legacy form: no percentage, no scores (`_new_score`), no amendment. A bundle can
        thus forge nothing with one that a rubric evaluation could not claim by its scores."""
        name, changes = op_name(op), op["changes"]
        if op["op"] == "insert":
            if changes.get("rubric_id", [None, None])[1] is not None:
                return
            if changes.get("supersedes", [None, None])[1] is not None or changes.get("revision", [None, 1])[1] != 1:
                raise Rejected(_("{operation}: an evaluation without a rubric is a verdict from before rubrics; only "
                                 "rubric evaluations are amended").format(operation=name))
        else:
            self.flush()
            held = self.session.execute(select(col(Evaluation.rubric_id)).where(
                col(Evaluation.id) == op["row_id"])).first()
            if held is None or held[0] is not None:
                return
        if changes.get("percent", [None, None])[1] is not None:
            raise Rejected(_("{operation}: an evaluation without a rubric is a verdict from before rubrics; it has "
                             "no percentage").format(operation=name))

    def _evaluation(self, op: dict[str, Any]) -> None:
        """A submitted evaluation is locked: a sender that had seen it submitted (its vector says)
        cannot change it or its scores; one that had not made a concurrent edit, which the merge
        reports. A submission needs every criterion scored, as `submit_evaluation` asks."""
        changes = op["changes"]
        if op["table"] == "evaluations":
            evaluation_id = op["row_id"]
        elif op["op"] == "insert":
            evaluation_id = changes.get("evaluation_id", [None, None])[1]
        else:
            scores = _scores()
            evaluation_id = self.session.scalar(select(scores.c.evaluation_id).where(scores.c.id == op["row_id"]))
        if evaluation_id is None:
            return
        if op["table"] == "evaluation_scores" and op["op"] == "insert" and evaluation_id in self.new_in_bundle:
            self._check_criterion(op, evaluation_id, self.new_in_bundle[evaluation_id])
            return
        if op["table"] == "evaluations" and op["op"] == "insert":
            if not self._held_before(evaluation_id):
                self.new_in_bundle[evaluation_id] = changes.get("rubric_id", [None, None])[1]
            if (changes.get("submitted_at") or [None, None])[1] is not None and op["origin"] == self.sender:
                self.flush()
                if self.session.scalar(select(col(Evaluation.id)).where(col(Evaluation.id) == evaluation_id)) is None:
                    self.submitted_new.append((op, evaluation_id))
            return
        self.flush()
        if op["table"] == "evaluation_scores" and op["op"] == "insert" and self.session.scalar(
                select(_scores().c.id).where(_scores().c.id == op["row_id"])) is None:
            # A score not held yet is no edit of the evaluation: a site may write a submitted
            # evaluation and then its scores, in one transaction (`dtlab demo` does). A score's id
            # is its evaluation's and criterion's, so an insert of one held is an edit, checked.
            self._new_score(op, evaluation_id)
            return
        row = self.session.execute(select(col(Evaluation.submitted_at), col(Evaluation.rubric_id)).where(
            col(Evaluation.id) == evaluation_id)).first()
        if row is None:
            return
        if row[0] is None:
            if op["table"] == "evaluations" and ("classification" in changes or "percent" in changes):
                self._derived(op, evaluation_id)
            return
        if op["origin"] != self.sender:
            return  # relayed: admitted where it first arrived, against its own site's vector
        submission = self._submission(evaluation_id)
        if submission is not None and submission[1] <= self.sender_knows.get(submission[0], 0):
            raise Rejected(_("{operation}: it changes evaluation {id}, submitted and locked, which its site had seen "
                             "submitted").format(operation=op_name(op), id=evaluation_id))

    def _held_before(self, evaluation_id: str) -> bool:
        """Whether this database held the evaluation before the bundle (its log says so)."""
        return self.session.scalar(select(col(ChangeLog.id)).where(
            col(ChangeLog.table_name) == "evaluations", col(ChangeLog.row_id) == evaluation_id,
            col(ChangeLog.id) <= self.logged_before).limit(1)) is not None

    def _check_criterion(self, op: dict[str, Any], evaluation_id: str, rubric_id: str | None) -> None:
        criterion = op["changes"].get("criterion", [None, None])[1]
        if rubric_id is None or criterion not in self._criteria(rubric_id):
            raise Rejected(_("{operation}: {criterion} is not a criterion of evaluation {id}'s rubric").format(
                operation=op_name(op), criterion=repr(criterion), id=evaluation_id))

    def _new_score(self, op: dict[str, Any], evaluation_id: str) -> None:
        """A new score is of a criterion its evaluation's rubric has, and never of an evaluation
        submitted here before the bundle, in a submission the sender had seen (a submission the
        bundle brings may come before its scores, as `dtlab demo` writes them)."""
        name = op_name(op)
        row = self.session.execute(select(col(Evaluation.rubric_id)).where(col(Evaluation.id) == evaluation_id)).first()
        if row is None:
            return  # not held: the applier refuses a score of no evaluation
        self._check_criterion(op, evaluation_id, row[0])
        if op["origin"] != self.sender:
            return
        if evaluation_id not in self.submitted_before:
            self.submitted_before[evaluation_id] = next(
                ((origin, seq) for origin, seq, changes in self.session.execute(
                    select(col(ChangeLog.origin), col(ChangeLog.seq), col(ChangeLog.changes)).where(
                        col(ChangeLog.table_name) == "evaluations", col(ChangeLog.row_id) == evaluation_id,
                        col(ChangeLog.id) <= self.logged_before).order_by(col(ChangeLog.id).desc()))
                 if (changes.get("submitted_at") or [None, None])[1] is not None), None)
        submission = self.submitted_before[evaluation_id]
        if submission is not None and submission[1] <= self.sender_knows.get(submission[0], 0):
            raise Rejected(_("{operation}: it scores evaluation {id}, submitted and locked, which its site had seen "
                             "submitted").format(operation=name, id=evaluation_id))

    def _criteria(self, rubric_id: str) -> frozenset[str]:
        if rubric_id not in self.criteria:
            try:
                self.criteria[rubric_id] = frozenset(c.id for c in rubric_version(self.session, rubric_id).criteria)
            except (SeedError, ValueError):
                self.criteria[rubric_id] = frozenset()
        return self.criteria[rubric_id]

    def _submission(self, evaluation_id: str) -> tuple[str, int] | None:
        """The latest write that submitted the evaluation (its origin and number): read from the
        log once per bundle, then kept as the bundle's own submissions are checked (`check`), so
        thousands of edits of one evaluation do not each read every earlier one."""
        if evaluation_id not in self.submissions:
            entries = self.session.execute(
                select(col(ChangeLog.origin), col(ChangeLog.seq), col(ChangeLog.changes)).where(
                    col(ChangeLog.table_name) == "evaluations", col(ChangeLog.row_id) == evaluation_id).order_by(
                    col(ChangeLog.id).desc()))
            self.submissions[evaluation_id] = next(((origin, seq) for origin, seq, changes in entries
                                                    if (changes.get("submitted_at") or [None, None])[1] is not None),
                                                   None)
        return self.submissions[evaluation_id]

    def _derived(self, op: dict[str, Any], evaluation_id: str) -> None:
        """An evaluation's classification and percentage are what its scores give, set when it is
        submitted (`submit_evaluation`), never taken from a bundle: a submission that says
        otherwise than the scores held here is refused, and so is one with criteria unscored. When
        a score held here is a write the sender had not seen (a concurrent edit), the scores are
        not the ones the sender judged, and only the merge's conflict can say which is right."""
        name, changes = op_name(op), op["changes"]
        if (changes.get("submitted_at") or [None, None])[1] is None:
            raise Rejected(_("{operation}: an evaluation's classification and percentage are set by its submission "
                             "only").format(operation=name))
        row = self.session.get(Evaluation, evaluation_id)
        if row is None or row.rubric_id is None:
            return
        try:
            draft = evaluation_draft(self.session, row)
            result = score(draft.rubric, draft.scores)
        except (SeedError, ValueError) as exc:
            raise Rejected(_("{operation}: evaluation {id} cannot be scored ({error})").format(
                operation=name, id=evaluation_id, error=exc)) from None
        finally:
            forget_reads(self.session)
        claimed = (changes.get("classification", [None, None])[1], changes.get("percent", [None, None])[1])
        if claimed == (result.classification, result.percent):
            return
        scores = _scores()
        score_ids = select(scores.c.id).where(scores.c.evaluation_id == evaluation_id)
        concurrent = self.session.scalar(select(col(ChangeLog.id)).where(
            col(ChangeLog.table_name) == "evaluation_scores", col(ChangeLog.row_id).in_(score_ids),
            not_seen_by(self.sender_knows)).limit(1))
        if concurrent is None:
            raise Rejected(_("{operation}: evaluation {id} is submitted as {claimed} ({claimed_percent}%), its scores "
                             "give {scored} ({scored_percent}%)").format(
                operation=name, id=evaluation_id, claimed=claimed[0], claimed_percent=claimed[1],
                scored=result.classification, scored_percent=result.percent))

    def _submitted_whole(self, op: dict[str, Any], evaluation_id: str) -> None:
        """An evaluation the sender inserts already submitted (`dtlab demo` writes them so, its
        scores after it) has, once the bundle is in, every criterion scored, and the classification
        and percentage its scores give: a submission's, never taken from the bundle."""
        name = op_name(op)
        row = self.session.get(Evaluation, evaluation_id)
        if row is None or row.rubric_id is None or row.submitted_at is None:
            return
        try:
            draft = evaluation_draft(self.session, row)
            if any(value is None for value in draft.scores.values()):
                raise Rejected(_("{operation}: evaluation {id} is submitted with criteria unscored").format(
                    operation=name, id=evaluation_id))
            result = score(draft.rubric, draft.scores)
        except (SeedError, ValueError) as exc:
            raise Rejected(_("{operation}: evaluation {id} cannot be scored ({error})").format(
                operation=name, id=evaluation_id, error=exc)) from None
        finally:
            forget_reads(self.session)
        claimed = (row.classification, row.percent)
        if claimed != (result.classification, result.percent):
            raise Rejected(_("{operation}: evaluation {id} is submitted as {claimed} ({claimed_percent}%), its scores "
                             "give {scored} ({scored_percent}%)").format(
                operation=name, id=evaluation_id, claimed=claimed[0], claimed_percent=claimed[1],
                scored=result.classification, scored_percent=result.percent))




def _scores() -> Any:
    return SYNCED_BY_TABLE["evaluation_scores"].__table__  # type: ignore[attr-defined]


def forget_reads(session: Session) -> None:
    """Let go of the records an admission check read (the applier writes past the ORM, and a
    record held would hide its write), keeping every change made through the session (a
    conflict the applier closed)."""
    session.flush()
    session.expire_all()
