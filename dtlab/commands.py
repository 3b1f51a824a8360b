"""What each command does. Kept apart from `cli` so parsing `--help` or `--version` imports no
database code."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from rich.console import Console
from rich.table import Table
from sqlalchemy.exc import OperationalError

from . import errors, monitoring_commands, sync_commands
from .cli import Failure, _print_json
from .config import Settings
from .db.cases import (
    CaseFilter,
    GateRefused,
    Invalid,
    NotFound,
    add_note,
    case_detail,
    create_case,
    list_cases,
    move_case,
    update_case,
)
from .db.concept_text import evaluations_text, recommendation_text, renderable
from .db.evaluations import case_evaluations_json
from .db.history import case_history, history_lines
from .db.reference import centre_type_rules
from .db.store import NoSite, Store, StoreError
from .domain.stages import MoveKind, Stage
from .domain.words import describe_move, short_type_name


@contextmanager
def _store(args: argparse.Namespace, settings: Settings) -> Iterator[Store]:
    target = args.db or settings.database_target
    try:
        store = Store.open(target, settings.actor)
    except StoreError as exc:
        raise Failure(str(exc), errors.USAGE) from None
    try:
        yield store
    except NoSite as exc:
        raise Failure(str(exc), errors.USAGE) from None
    except NotFound as exc:
        raise Failure(str(exc), errors.USAGE) from None
    except Invalid as exc:
        raise Failure(str(exc), errors.REFUSED) from None
    except StoreError as exc:
        raise Failure(str(exc), errors.REFUSED) from None
    except OperationalError as exc:  # read-only file, full disk, a lock held too long
        raise Failure(f"{store.label}: {errors.describe_error(exc)}", errors.USAGE) from None
    finally:
        store.close()


def run(args: argparse.Namespace, settings: Settings) -> int:
    handler: Callable[[argparse.Namespace, Store], int]
    handler = (CASE_COMMANDS[args.case_command] if args.command == "case" else
               KEYS_COMMANDS[args.keys_command] if args.command == "keys" else COMMANDS[args.command])
    args.settings = settings  # read once; the sync commands need the HQ site from it
    with _store(args, settings) as store:
        return handler(args, store)


def _init(args: argparse.Namespace, store: Store) -> int:
    try:
        site, created = store.init_site(args.site)
    except ValueError as exc:
        raise Failure(str(exc), errors.USAGE) from None
    from .sync.keys import KeyProblem, site_identity, site_key

    try:
        key = site_key(site.id)  # the site's signing key, made once, readable by its owner only
        site_identity(site.id)  # and the key that opens the bundles sealed for it
    except KeyProblem as exc:
        raise Failure(str(exc), errors.USAGE) from None
    print(f"site {site.code} {'created' if created else 'already set'} ({store.label}); signing key {key.id}")
    return errors.OK


def _demo(args: argparse.Namespace, store: Store) -> int:
    from datetime import date

    from .db.demo import generate

    today = date.fromisoformat(args.today) if args.today else None
    console = Console(stderr=True)
    with console.status("making demo data…") as status:
        def progress(done: int, total: int) -> None:
            status.update(f"making demo data… {done:,}/{total:,} cases")

        report = generate(store, cases=args.cases, seed=args.seed, today=today, progress=progress)
    print(f"{report.cases:,} cases, {report.organisations:,} organisations, {report.records:,} records "
          f"in {report.seconds:.1f} s ({store.label})")
    return errors.OK


def _cases(args: argparse.Namespace, store: Store) -> int:
    if args.centre_type:
        with store.read() as session:
            known = list(centre_type_rules(session))
        if args.centre_type not in known:
            raise Failure(f"unknown centre type {args.centre_type!r} (known: {', '.join(known)})", errors.USAGE)
    flt = CaseFilter(stage=args.stage, region=args.region, status=args.status, centre_type=args.centre_type,
                     search=args.search)
    with store.read() as session:
        rows = list_cases(session, flt, limit=args.limit)
    for row in rows:
        del row["position"]  # paging bookkeeping, not part of the case
    if args.json:
        _print_json(rows)
        return errors.OK
    console = Console()
    table = Table(box=None, header_style="bold")
    table.add_column("ref", no_wrap=True, min_width=max((len(r["ref"]) for r in rows), default=3))
    table.add_column("cc", no_wrap=True, min_width=2)
    table.add_column("stage", no_wrap=True, min_width=14)
    table.add_column("status", no_wrap=True, min_width=9)
    table.add_column("title", no_wrap=True, overflow="ellipsis", ratio=2)
    wide = console.width >= 120
    if wide:
        table.add_column("centre type", no_wrap=True, overflow="ellipsis")
        table.add_column("applicant", no_wrap=True, overflow="ellipsis", ratio=1)
    for r in rows:
        cells = [r["ref"], r["country"] or "", r["stage"], r["status"], r["title"]]
        if wide:
            cells += [r["centre_type"] or "", r["applicant"] or ""]
        table.add_row(*cells)
    console.print(table)
    console.print(f"{len(rows):,} case{'s' if len(rows) != 1 else ''}", style="dim")
    return errors.OK


def _reference(args: argparse.Namespace, store: Store) -> int:
    from .db.queries import reference_summary

    with store.read() as session:
        summary = reference_summary(session)
    if args.json:
        _print_json(summary)
    else:
        for key, value in summary.items():
            print(f"{key:>24}  {value}")
    return errors.OK


def _centres(args: argparse.Namespace, store: Store) -> int:
    from datetime import date

    from .db.centres import list_centres

    today = date.fromisoformat(args.today) if args.today else date.today()
    with store.read() as session:
        centres = list_centres(session, today)
        type_names = {t: short_type_name(rule.name) for t, rule in centre_type_rules(session).items()}
    if args.json:
        _print_json(centres)
        return errors.OK
    console = Console(highlight=False)
    table = Table(box=None, header_style="bold", padding=(0, 1), pad_edge=False, collapse_padding=True)
    table.add_column("ref", no_wrap=True, min_width=max((len(c["ref"]) for c in centres), default=3))
    table.add_column("centre", no_wrap=True, overflow="ellipsis", min_width=10, max_width=15)
    table.add_column("type", no_wrap=True, overflow="ellipsis", min_width=10, max_width=12)
    for column, width in (("ends", 10), ("renewal due", 11), ("accreditation", 14)):
        table.add_column(column, no_wrap=True, min_width=width)
    for c in centres:
        p = c["period"]
        state = c["accreditation"]
        table.add_row(c["ref"], c["name"], type_names.get(c["centre_type"] or "", "—"),
                      str(p["ends_on"]) if p else "", str(p["renewal_due_on"]) if p else "",
                      f"[bold red]{state}[/]" if c["lapsed"] else state)
    console.print(table)
    lapsed = sum(1 for c in centres if c["lapsed"])
    console.print(f"{len(centres)} centre{'s' if len(centres) != 1 else ''}" + (f", {lapsed} lapsed" if lapsed else ""))
    return errors.OK


def _templates(args: argparse.Namespace, store: Store) -> int:
    from .db.queries import monitoring_templates
    from .domain.monitoring import Anchor, DueRule

    with store.read() as session:
        templates = monitoring_templates(session, args.centre_type)
        known = list(centre_type_rules(session))
    if args.centre_type and not templates:
        raise Failure(f"unknown centre type {args.centre_type!r} (known: {', '.join(known)})", errors.USAGE)
    if args.json:
        _print_json(templates)
        return errors.OK
    console = Console(highlight=False, soft_wrap=True)
    for t in templates:
        console.print(f"[bold]{t['name']}[/] ({t['centre_type']})")
        console.print("  Results")
        for r in t["results"]:
            console.print(f"    {r['level']:<8} {r['title']}  [dim](task {r['task']})[/]")
        console.print("  KPIs, with targets for years 1, 2, 3")
        for k in t["kpis"]:
            targets = ", ".join(f"{v:g}" for v in k["targets"])
            console.print(f"    {k['name']}: {targets} {k['unit']}  [dim](task {k['task']})[/]")
        console.print("  Milestones")
        for m in t["milestones"]:
            when = DueRule(anchor=Anchor(m["anchor"]), months=m["months"]).words
            console.print(f"    {m['title']}: {when}  [dim](task {m['task']})[/]")
    return errors.OK


def _case_new(args: argparse.Namespace, store: Store) -> int:
    if args.stage != "interest" and not (args.reason or "").strip():
        raise Failure(f"entering at {args.stage} needs --reason (e.g. an existing partner centre)", errors.USAGE)
    if args.stage == "interest" and args.reason:
        raise Failure("--reason goes with --stage: a case entering at a later stage", errors.USAGE)
    fields = {
        "title": args.title, "country": args.country, "applicant": args.applicant, "category": args.category,
        "contact": args.contact, "contact_email": args.contact_email,
        "channel": args.channel, "received_on": args.received, "purpose": args.purpose, "goals": args.goals,
        "scope": args.scope, "ownership": args.ownership, "proposed_type": args.proposed_type,
    }
    ref = create_case(store, {k: v for k, v in fields.items() if v is not None}, Stage(args.stage), args.reason)
    if args.json:
        _print_json({"ref": ref})
    else:
        print(ref)
    return errors.OK


def _case_show(args: argparse.Namespace, store: Store) -> int:
    with store.read() as session:
        data = case_detail(session, args.ref)
    if args.json:
        _print_json(data)
        return errors.OK
    console = Console()
    console.print(f"[bold]{data['ref']}[/]  {data['title']}")
    rows = [("stage", Stage(data["stage"]).label), ("status", data["status"]), ("applicant", data["applicant"]),
            ("country", f"{data['country']} ({data['region']})"), ("channel", data["channel"]),
            ("received", data["received_on"]), ("goals", ", ".join(data["goals"])), ("scope", data["scope"]),
            ("ownership", data["ownership"]), ("centre type", data["centre_type"]),
            ("assignee", data["assignee"])]
    table = Table(box=None, show_header=False)
    table.add_column(style="dim")
    table.add_column()
    for key, value in rows:
        table.add_row(key, "" if value is None else str(value))
    console.print(table)
    console.print(f"[bold]Gate to leave {Stage(data['stage']).label}[/]")
    for c in data["gate"]:
        mark = "[green]✓[/]" if c["met"] else "[red]✗[/]"
        console.print(f"  {mark} {c['text']}", highlight=False)
    for note in data["notes"]:
        console.print(f"[dim]{note['at']:%Y-%m-%d %H:%M} UTC {note['author']}:[/] {note['body']}", highlight=False)
    if data.get("centre"):
        monitoring_commands.print_plan(console, store, data["ref"])
    return errors.OK


def _case_history(args: argparse.Namespace, store: Store) -> int:
    with store.read() as session:
        entries = case_history(session, args.ref)
    if args.json:
        _print_json([e.as_json() for e in entries])
        return errors.OK
    console = Console(highlight=False, soft_wrap=True)
    for line in history_lines(entries, newest_first=False, width=200):
        console.print(line)
    return errors.OK


def _case_set(args: argparse.Namespace, store: Store) -> int:
    fields = {}
    for item in args.assignments:
        key, sep, value = item.partition("=")
        if not sep or not key:
            raise Failure(f"{item!r} is not FIELD=VALUE", errors.USAGE)
        fields[key.strip()] = value
    changed = update_case(store, args.ref, fields)
    print(f"{args.ref.upper()}: " + (", ".join(sorted(changed)) + " updated" if changed else "nothing changed"))
    return errors.OK


def _move(kind: MoveKind) -> Callable[[argparse.Namespace, Store], int]:
    def handler(args: argparse.Namespace, store: Store) -> int:
        override = getattr(args, "override", None)
        reason = override if override is not None else getattr(args, "reason", None)
        try:
            result = move_case(store, args.ref, kind, reason=reason, override=override is not None)
        except GateRefused as refused:
            print(f"dtlab: {refused.ref} cannot leave {refused.stage.label}; not yet met:", file=sys.stderr)
            for c in refused.unmet:
                print(f"  ✗ {c.text}", file=sys.stderr)
            print("  (meet these, or advance with --override REASON)", file=sys.stderr)
            return errors.REFUSED
        sentence = describe_move(result.kind.value, result.from_stage.value, result.to_stage.value,
                                 result.status.value, overridden=bool(result.overridden))
        print(f"{result.ref}: {sentence}")
        for text in result.overridden:
            print(f"  overridden: {text}")
        return errors.OK

    return handler


def _case_note(args: argparse.Namespace, store: Store) -> int:
    add_note(store, args.ref, args.text)
    print(f"{args.ref.upper()}: note added")
    return errors.OK


def _pairs(items: list[str], what: str) -> dict[str, str]:
    out = {}
    for item in items:
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            raise Failure(f"{what}: {item!r} is not CRITERION=VALUE", errors.USAGE)
        out[key.strip()] = value
    return out


def _case_evaluate(args: argparse.Namespace, store: Store) -> int:
    from .db.evaluations import amend_evaluation, load_draft, save_scores, start_evaluation, submit_evaluation
    from .db.reference import current_rubric
    from .domain.rubric import CLASSIFICATION_LABELS, score

    scores: dict[str, int | None] = {}
    for key, value in _pairs(args.score, "--score").items():
        try:
            scores[key] = int(value) if value.strip() else None
        except ValueError:
            raise Failure(f"--score {key}: {value!r} is not a whole number from 0 to 4", errors.USAGE) from None
    evaluator = (args.evaluator or store.actor).strip()
    with store.read() as session:
        _rubric_id, rubric = current_rubric(session)
    # Checked before anything is written, so that a typo leaves no empty draft behind.
    for key in {**scores, **_pairs(args.why, "--why")}:
        if key not in {c.id for c in rubric.criteria}:
            known = " ".join(c.id for c in rubric.criteria)
            raise Failure(f"unknown criterion {key!r} (this rubric has: {known})", errors.USAGE)
    for key, given in scores.items():
        if given is not None and not 0 <= given <= 4:
            raise Failure(f"--score {key}: a score is a whole number from 0 to 4", errors.USAGE)
    if args.amend:
        with store.read() as session:
            data = case_evaluations_json(session, args.ref)
        mine = [e for e in data["evaluations"] if e["evaluator"] == evaluator and e["state"] == "submitted"]
        if not mine:
            raise Failure(f"{args.ref.upper()}: {evaluator} has no submitted evaluation to amend", errors.REFUSED)
        evaluation_id = amend_evaluation(store, mine[-1]["id"])
    else:
        evaluation_id = start_evaluation(store, args.ref, evaluator)
    save_scores(store, evaluation_id, scores, _pairs(args.why, "--why"), args.comment)
    with store.read() as session:
        draft = load_draft(session, evaluation_id)
    result = score(draft.rubric, draft.scores)
    head = f"{draft.ref}: {draft.evaluator}'s evaluation, revision {draft.revision}"
    if args.submit:
        classification = submit_evaluation(store, evaluation_id)
        print(f"{head}: submitted, {result.percent:g}% → {CLASSIFICATION_LABELS[classification]}")
    else:
        scored = sum(1 for v in draft.scores.values() if v is not None)
        total = ""
        if result.complete:
            total = f", {result.percent:g}% → {CLASSIFICATION_LABELS[result.classification or '']}"
        print(f"{head}: draft, {scored} of {len(draft.scores)} criteria scored{total}")
        if result.missing:
            print(f"  not scored yet: {', '.join(result.missing)}")
    for applied in result.caps:
        print(f"  capped: {applied.text(draft.rubric)}")
    return errors.OK


def _evaluations(args: argparse.Namespace, store: Store) -> int:
    with store.read() as session:
        data = case_evaluations_json(session, args.ref)
    if args.json:
        _print_json(data)
        return errors.OK
    Console(highlight=False).print(renderable(evaluations_text(data)))
    return errors.OK


def _recommend(args: argparse.Namespace, store: Store) -> int:
    from .db.cases import check_goals
    from .db.concept import Recommendation, goal_names, recommendation_json
    from .db.reference import centre_type_rules
    from .domain.recommend import Request, cost_tier, recommend

    with store.read() as session:
        try:
            goals = tuple((check_goals(session, args.goals) or "").split(","))
        except Invalid as exc:
            raise Failure(str(exc), errors.USAGE) from None
        rules = list(centre_type_rules(session).values())
        names = goal_names(session)
    request = Request(goals, args.scope, args.ownership, args.cost_capacity)
    rec = Recommendation(request, recommend(rules, request, names), cost_tier(goals, args.scope, args.ownership,
                                                                              args.flagships))
    data = recommendation_json(rec)
    if args.json:
        _print_json(data)
        return errors.OK
    Console(highlight=False).print(renderable(recommendation_text(data)))
    return errors.OK


def _case_kpi(args: argparse.Namespace, store: Store) -> int:
    from .db.plans import add_kpi_to_plan

    add_kpi_to_plan(store, args.ref, args.name, args.unit or "", args.baseline, args.target)
    print(f"{args.ref.upper()}: KPI added")
    return errors.OK


COMMANDS: dict[str, Callable[[argparse.Namespace, Store], int]] = {
    "init": _init, "demo": _demo, "cases": _cases, "reference": _reference, "recommend": _recommend,
    "templates": _templates, "evaluations": _evaluations, "centres": _centres,
    "milestones": monitoring_commands.milestones, "kpis": monitoring_commands.kpis,
    "policy": monitoring_commands.policy,
    "export": sync_commands.export, "import": sync_commands.import_, "conflicts": sync_commands.conflicts,
}
KEYS_COMMANDS: dict[str, Callable[[argparse.Namespace, Store], int]] = {
    "show": sync_commands.keys_show, "trust": sync_commands.keys_trust, "revoke": sync_commands.keys_revoke,
    "list": sync_commands.keys_list,
}
CASE_COMMANDS: dict[str, Callable[[argparse.Namespace, Store], int]] = {
    "new": _case_new, "show": _case_show, "history": _case_history, "set": _case_set,
    "advance": _move(MoveKind.ADVANCE), "back": _move(MoveKind.BACK), "withdraw": _move(MoveKind.WITHDRAW),
    "decline": _move(MoveKind.DECLINE), "close": _move(MoveKind.CLOSE), "reopen": _move(MoveKind.REOPEN),
    "note": _case_note, "evaluate": _case_evaluate, "kpi": _case_kpi,
    "plan": monitoring_commands.case_plan, "actual": monitoring_commands.case_actual,
    "milestone": monitoring_commands.case_milestone, "replan": monitoring_commands.case_replan,
}
