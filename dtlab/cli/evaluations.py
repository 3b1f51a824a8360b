"""The concept-design commands: scoring an evaluation, the evaluators side by side, and the
centre-type recommendation."""

from __future__ import annotations

import argparse

from dtlab import errors
from dtlab.cli.output import Handler, out_console, print_json, say
from dtlab.db.evaluations import case_evaluations_json
from dtlab.db.reference import centre_type_rules
from dtlab.db.store import Store
from dtlab.errors import Invalid, Refused, UsageError
from dtlab.i18n import _, ngettext
from dtlab.present.concept_text import evaluations_text, recommendation_text, renderable


def _pairs(items: list[str], what: str) -> dict[str, str]:
    out = {}
    for item in items:
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            raise UsageError(_("{option}: {item} is not CRITERION=VALUE").format(option=what, item=repr(item)))
        out[key.strip()] = value
    return out


def _case_evaluate(args: argparse.Namespace, store: Store) -> int:
    from dtlab.db.evaluations import load_draft
    from dtlab.db.reference import current_rubric
    from dtlab.domain.rubric import RubricError, check_scores, score
    from dtlab.present.words import CLASSIFICATION_LABELS
    from dtlab.services.evaluations import amend_evaluation, save_scores, start_evaluation, submit_evaluation

    scores: dict[str, int | None] = {}
    for key, value in _pairs(args.score, "--score").items():
        try:
            scores[key] = int(value) if value.strip() else None
        except ValueError:
            raise UsageError(_("--score {criterion}: {value} is not a whole number from 0 to 4").format(
                criterion=key, value=repr(value))) from None
    evaluator = (args.evaluator or store.actor).strip()
    with store.read() as session:
        _rubric_id, rubric = current_rubric(session)
    # Checked before anything is written, so that a typo leaves no empty draft behind; on the
    # command line a wrong criterion or score is a wrong argument (exit 2).
    try:
        check_scores(rubric, scores, _pairs(args.why, "--why"))
    except RubricError as error:
        raise UsageError(str(error)) from None
    if args.amend:
        with store.read() as session:
            data = case_evaluations_json(session, args.ref)
        mine = [e for e in data["evaluations"] if e["evaluator"] == evaluator and e["state"] == "submitted"]
        if not mine:
            raise Refused(_("{ref}: {evaluator} has no submitted evaluation to amend").format(
                ref=args.ref.upper(), evaluator=evaluator))
        evaluation_id = amend_evaluation(store, mine[-1]["id"])
    else:
        evaluation_id = start_evaluation(store, args.ref, evaluator)
    save_scores(store, evaluation_id, scores, _pairs(args.why, "--why"), args.comment)
    with store.read() as session:
        draft = load_draft(session, evaluation_id)
    result = score(draft.rubric, draft.scores)
    words = {"ref": draft.ref, "evaluator": draft.evaluator, "revision": draft.revision,
             "percent": "" if result.percent is None else f"{result.percent:g}",
             "scored": sum(1 for v in draft.scores.values() if v is not None), "total": len(draft.scores)}
    if args.submit:
        classification = submit_evaluation(store, evaluation_id)
        say(_("{ref}: {evaluator}'s evaluation, revision {revision}: submitted, {percent}% → {classification}")
            .format(classification=CLASSIFICATION_LABELS[classification], **words))
    else:
        if result.complete:
            say(ngettext("{ref}: {evaluator}'s evaluation, revision {revision}: draft, {scored} of {total} "
                         "criterion scored, {percent}% → {classification}",
                         "{ref}: {evaluator}'s evaluation, revision {revision}: draft, {scored} of {total} "
                         "criteria scored, {percent}% → {classification}", len(draft.scores))
                .format(classification=CLASSIFICATION_LABELS[result.classification or ""], **words))
        else:
            say(ngettext("{ref}: {evaluator}'s evaluation, revision {revision}: draft, {scored} of {total} "
                         "criterion scored",
                         "{ref}: {evaluator}'s evaluation, revision {revision}: draft, {scored} of {total} "
                         "criteria scored", len(draft.scores)).format(**words))
        if result.missing:
            say("  " + _("not scored yet: {criteria}").format(criteria=", ".join(result.missing)))
    for applied in result.caps:
        say("  " + _("capped: {cap}").format(cap=applied.text(draft.rubric)))
    return errors.OK


def _evaluations(args: argparse.Namespace, store: Store) -> int:
    with store.read() as session:
        data = case_evaluations_json(session, args.ref)
    if args.json:
        print_json(data)
        return errors.OK
    out_console(highlight=False).print(renderable(evaluations_text(data)))
    return errors.OK


def _recommend(args: argparse.Namespace, store: Store) -> int:
    from dtlab.db.concept import Recommendation, goal_names, recommendation_json
    from dtlab.domain.recommend import Request, cost_tier, recommend
    from dtlab.services.cases import check_goals

    with store.read() as session:
        try:
            goals = tuple((check_goals(session, args.goals) or "").split(","))
        except Invalid as exc:
            raise UsageError(str(exc)) from None
        rules = centre_type_rules(session)
        names = goal_names(session)
    request = Request(goals, args.scope, args.ownership, args.cost_capacity)
    rec = Recommendation(request, recommend(list(rules.values()), request, names),
                         cost_tier(goals, args.scope, args.ownership, args.flagships), rules)
    data = recommendation_json(rec)
    if args.json:
        print_json(data)
        return errors.OK
    out_console(highlight=False).print(renderable(recommendation_text(data)))
    return errors.OK


# The commands this module answers, by name (cli.run dispatches on them).
COMMANDS: dict[str, Handler] = {"evaluations": _evaluations, "recommend": _recommend}
CASE_COMMANDS: dict[str, Handler] = {"evaluate": _case_evaluate}
