"""The monitoring commands: milestones across the portfolio, a centre's KPIs, making and editing
a centre's plan, re-planning after an anchor moved, and the accreditation policy."""

from __future__ import annotations

import argparse
from datetime import date
from typing import Any

from rich.console import Console

from dtlab import errors
from dtlab.cli.output import Handler, out_console, print_json, say
from dtlab.cli.tables import Column, ljust, print_table, rjust
from dtlab.db.cases import get_case
from dtlab.db.queries import centre_types
from dtlab.db.store import Store
from dtlab.domain.fields import number_words
from dtlab.domain.monitoring import rag_rule
from dtlab.errors import Invalid, UsageError
from dtlab.i18n import N_, _, ngettext
from dtlab.present.chain import chain_lines, linked_below
from dtlab.present.charts import RAG_STYLE, STATE_STYLE
from dtlab.present.labels import PERIOD_STATE_WORDS, RAG_WORDS
from dtlab.present.safe import from_markup, plain, shown


def _today(args: argparse.Namespace) -> date:
    return date.fromisoformat(args.today) if getattr(args, "today", None) else date.today()


def _styled(text: str, styles: dict[str, str], key: str | None = None) -> str:
    style = styles.get(text if key is None else key)
    return f"[{style}]{shown(text)}[/]" if style else shown(text)


def _rag(status: str) -> str:
    """A KPI's or a year's rating in words, in its colour (styled by the rating, not the word)."""
    return _styled(RAG_WORDS.get(status, status), RAG_STYLE, status)


def _bold(title: str) -> str:
    return f"[bold]{title}[/]"


def print_plan(console: Console, store: Store, ref: str) -> None:
    """A centre's plan under `dtlab case show`: results, KPIs and milestones numbered as `dtlab
    case result|actual|milestone|remove` take them. Numbers stay with their items (they follow
    the order items were added), so a list read in chain or date order need not run 1, 2, 3."""
    from dtlab.db.plans import case_plan
    from dtlab.present.labels import MILESTONE_STATUS_WORDS, milestone_state_word

    with store.read() as session:
        plan = case_plan(session, get_case(session, ref), date.today())
    if not (plan["results"] or plan["kpis"] or plan["milestones"]):
        console.print(from_markup(_("{title}: none yet (dtlab case plan {ref} makes it from the template)").format(
            title=_bold(_("Monitoring plan")), ref=shown(ref))))
        return
    console.print(_("{title} (impact → outcomes → outputs)").format(title=_bold(_("Results"))))
    for line in chain_lines(plan["results"], plan["kpis"]):
        console.print(from_markup(line), highlight=False)
    console.print(_("{title} (dtlab kpis for the years)").format(title=_bold(_("KPIs"))))
    for k in plan["kpis"]:
        measured = _("baseline {baseline} · target {target}").format(
            baseline=number_words(k["baseline"], _("not measured")), target=number_words(k["target"], _("none")))
        console.print(from_markup(f"  {k['number']}. {shown(k['name'])}  {_rag(k['status'])}  [dim]{measured}[/]"),
                      highlight=False)
    console.print(_bold(_("Milestones")))
    for m in plan["milestones"]:
        state = milestone_state_word(m["state"], m["status"])
        how = "" if m["state"] == "closed" else f"{MILESTONE_STATUS_WORDS[m['status']]} · "
        console.print(from_markup(f"  {m['number']}. {shown(m['due_on'] or '—')}  "
                                  f"{_styled(state, STATE_STYLE, m['state'])}  {shown(m['title'])}  "
                                  f"[dim]{how}{shown(m['rule'])}[/]"), highlight=False)
    if plan["replan"]:
        moved = len(plan["replan"])
        # English keeps "dates" for one too: the line has always read so.
        said = ngettext("{n} milestone dates no longer follow their anchor:",
                        "{n} milestone dates no longer follow their anchor:", moved).format(n=moved)
        console.print(from_markup(f"[yellow]{said}[/] dtlab case replan {shown(ref)}"))  # i18n: not shown (a command)


def milestones(args: argparse.Namespace, store: Store) -> int:
    from dtlab.db.plans import portfolio_milestones
    from dtlab.present.labels import MILESTONE_STATUS_WORDS, milestone_state_word

    with store.read() as session:
        rows = portfolio_milestones(session, _today(args), overdue=args.overdue, due_within=args.due_within)
    if args.json:
        print_json(rows)
        return errors.OK
    columns = [Column(N_("due"), min_width=10, text=False), Column(N_("state"), min_width=9),
               Column(N_("ref"), min_width=max((len(r["ref"]) for r in rows), default=3)),
               Column(N_("milestone"), min_width=12, ratio=3), Column(N_("owner"), ratio=1), Column(N_("status"))]
    overdue = sum(1 for r in rows if r["state"] == "overdue")
    n = len(rows)
    if args.overdue:
        summary = ngettext("{n} overdue milestone", "{n} overdue milestones", n)
    elif overdue:
        summary = ngettext("{n} open milestone, {overdue} overdue", "{n} open milestones, {overdue} overdue", n)
    else:
        summary = ngettext("{n} open milestone", "{n} open milestones", n)
    print_table(columns, [[str(r["due_on"] or "—"),
                           from_markup(_styled(milestone_state_word(r["state"], r["status"]), STATE_STYLE, r["state"])),
                           r["ref"], r["title"], r["owner"] or "—", MILESTONE_STATUS_WORDS[r["status"]]] for r in rows],
                summary.format(n=f"{n:,}", overdue=overdue), args.format)
    return errors.OK


def kpis(args: argparse.Namespace, store: Store) -> int:
    from dtlab.db.plans import kpi_report

    with store.read() as session:
        report = kpi_report(session, args.centre, _today(args))
    if args.json:
        print_json(report)
        return errors.OK
    console = out_console(highlight=False, soft_wrap=True)
    if not report["kpis"]:
        console.print(plain(_("{ref} has no KPIs yet (dtlab case plan {ref} makes them from its type's template)")
                            .format(ref=report["ref"])))
        return errors.OK
    start = report["first_accredited_on"]
    ref = _bold(shown(report["ref"]))
    console.print(from_markup(
        _("{ref} KPIs; reporting years count from the first accreditation on {day}").format(ref=ref, day=start)
        if start else _("{ref} KPIs; reporting years count from the first accreditation (not yet)").format(ref=ref)))
    for k in report["kpis"]:
        unit = f" {k['unit']}" if k["unit"] else ""
        baseline = _("not measured") if k["baseline"] is None else number_words(k["baseline"])
        measured = _("baseline {baseline}").format(baseline=f"{baseline}{shown(unit)}")
        console.print(from_markup(f"\n{k['number']}. {shown(k['name'])}  {_rag(k['status'])}  [dim]{measured}[/]"))
        for y in k["years"]:
            actual = "—" if y["actual"] is None else number_words(y["actual"])
            target = "—" if y["target"] is None else number_words(y["target"])
            share = "" if y["progress"] is None else f" ({y['progress']:.0%})"
            ends = _("to {day}").format(day=y["ends_on"]) if y["ends_on"] else ""
            # Columns of a kind across the years: widths in terminal cells (a Chinese word takes two).
            year = _("year {year} {ends} target {target}  actual {actual}").format(
                year=y["year"], ends=ljust(ends, 13), target=rjust(target, 8), actual=rjust(actual, 8))
            console.print(from_markup(f"  {year}{share}  {_rag(y['status'])}"))
            evidence = _("evidence:")
            for e in y["evidence"]:
                console.print(from_markup(f"      [dim]{evidence}[/] {shown(e['body'])}"))
    console.print(from_markup(f"\n[dim]{shown(rag_rule())}[/]"))  # (the report's is English, for JSON)
    return errors.OK


def policy(args: argparse.Namespace, store: Store) -> int:
    from dtlab.db.centres import accreditation_policy
    from dtlab.services.centres import set_policy

    if args.accreditation_years is None and args.renewal_lead_months is None:
        with store.read() as session:
            years, lead = accreditation_policy(session)
    else:
        years, lead = set_policy(store, args.accreditation_years, args.renewal_lead_months)
    if args.json:
        print_json({"accreditation_years": years, "renewal_lead_months": lead})
    else:
        print(_("accreditation periods last {years}; re-accreditation falls due {months} before the end (periods "
                "already opened keep their dates)").format(
            years=ngettext("{n} year", "{n} years", years).format(n=f"{years:,}"),
            months=ngettext("{n} month", "{n} months", lead).format(n=f"{lead:,}")))
    return errors.OK


def case_plan(args: argparse.Namespace, store: Store) -> int:
    from dtlab.services.plans import instantiate_plan

    made = instantiate_plan(store, args.ref)
    say(_("{ref}: monitoring plan made from the template: {results} results, {kpis} KPIs, {milestones} milestones")
        .format(ref=args.ref.upper(), results=made["results"], kpis=made["kpis"], milestones=made["milestones"]))
    return errors.OK


def case_actual(args: argparse.Namespace, store: Store) -> int:
    from dtlab.services.plans import record_actual

    done = record_actual(store, args.ref, args.kpi, args.year, args.value, args.evidence or "", _today(args))
    words = {"ref": args.ref.upper(), "kpi": done["kpi"], "year": done["year"]}
    if done["actual"] is None:
        say(_("{ref}: {kpi}, year {year}: actual cleared").format(**words))
    else:
        say(_("{ref}: {kpi}, year {year}: actual {actual}").format(actual=number_words(done["actual"]), **words))
    return errors.OK


# The plan's parts as `case show` numbers them (`db.plans.plan_numbers`), by the word `case remove` takes.
PLAN_PARTS = {"result": "results", "kpi": "kpis", "milestone": "milestones"}
# A number that names no item of the plan: with the numbers it has, and without any.
NO_SUCH_ITEM = {
    "result": (N_("{ref} has no result {number}: its results are numbered {numbers} (dtlab case show {ref})"),
               N_("{ref} has no result {number}: it has no results (dtlab case show {ref})")),
    "kpi": (N_("{ref} has no KPI {number}: its KPIs are numbered {numbers} (dtlab case show {ref})"),
            N_("{ref} has no KPI {number}: it has no KPIs (dtlab case show {ref})")),
    "milestone": (N_("{ref} has no milestone {number}: its milestones are numbered {numbers} (dtlab case show {ref})"),
                  N_("{ref} has no milestone {number}: it has no milestones (dtlab case show {ref})")),
}
# An item taken out of the plan.
TAKEN_OUT = {
    "result": N_("{ref}: result {number} taken out of the plan: {name} (its history stays)"),
    "kpi": N_("{ref}: KPI {number} taken out of the plan: {name} (its history stays)"),
    "milestone": N_("{ref}: milestone {number} taken out of the plan: {name} (its history stays)"),
}


def _plan_item(store: Store, ref: str, kind: str, number: int, today: date) -> dict[str, Any]:
    """The plan's result, KPI or milestone numbered `number` in `case show`."""
    from dtlab.db.plans import case_plan as read_plan

    with store.read() as session:
        items = read_plan(session, get_case(session, ref), today)[PLAN_PARTS[kind]]
    found = next((item for item in items if item["number"] == number), None)
    if found is None:
        numbers = sorted(item["number"] for item in items)
        some, none = NO_SUCH_ITEM[kind]
        raise Invalid(_(some if numbers else none).format(ref=ref.upper(), number=number,
                                                          numbers=number_ranges(numbers)))
    return dict(found)


def number_ranges(numbers: list[int]) -> str:
    """1, 3-5, 8: numbers in order, runs shortened."""
    runs: list[list[int]] = []
    for n in numbers:
        if runs and n == runs[-1][-1] + 1:
            runs[-1].append(n)
        else:
            runs.append([n])
    return ", ".join(str(r[0]) if len(r) == 1 else f"{r[0]}-{r[-1]}" for r in runs)


def number_of(store: Store, ref: str, kind: str, item_id: str) -> int:
    """The number an item of the plan goes by, to say it as it is added: the next command names it so."""
    from dtlab.db.models import Kpi, Milestone, Result
    from dtlab.db.plans import plan_numbers

    with store.read() as session:
        case = get_case(session, ref)
        models: dict[str, type[Result] | type[Kpi] | type[Milestone]] = {
            "result": Result, "kpi": Kpi, "milestone": Milestone}
        return plan_numbers(session, models[kind], case.id)[item_id]


def case_milestone(args: argparse.Namespace, store: Store) -> int:
    """Add a milestone (no number) or edit the one with this number in the plan's order."""
    from dtlab.services.plans import due_text, save_milestone

    today = _today(args)
    if args.number is None:
        if not args.title:
            raise UsageError(_("a new milestone needs --title"))
        current: dict[str, Any] = {"id": None, "title": "", "due": "", "owner": "", "status": "planned"}
    else:
        m = _plan_item(store, args.ref, "milestone", args.number, today)
        due = due_text(m)
        current = {"id": m["id"], "title": m["title"], "due": due, "owner": m["owner"] or "", "status": m["status"]}
    for key in ("title", "due", "owner", "status"):
        value = getattr(args, key)
        if value is not None:
            current[key] = value
    saved = save_milestone(store, args.ref, current["id"], current["title"], current["due"], current["owner"],
                           current["status"], args.evidence or "", today, args.done_on or "")
    words = {"ref": args.ref.upper(), "number": args.number or number_of(store, args.ref, "milestone", saved),
             "title": current["title"]}
    say((_("{ref}: milestone {number} saved: {title}") if args.number else
         _("{ref}: milestone {number} added: {title}")).format(**words))
    return errors.OK


def case_replan(args: argparse.Namespace, store: Store) -> int:
    from dtlab.db.plans import replan_preview
    from dtlab.services.plans import apply_replan

    with store.read() as session:
        preview = replan_preview(session, get_case(session, args.ref))
    if not preview:
        say(_("{ref}: every relative milestone already follows its anchor").format(ref=args.ref.upper()))
        return errors.OK
    for r in preview:
        undated = _("no date")
        say(f"  {r.title}: {r.old or undated} → {r.new or undated}")
    if not args.yes:
        print(_("nothing written: run again with --yes to accept these dates"))
        return errors.OK
    apply_replan(store, args.ref, preview)
    say(ngettext("{ref}: {n} milestone re-planned", "{ref}: {n} milestones re-planned", len(preview)).format(
        ref=args.ref.upper(), n=f"{len(preview):,}"))
    return errors.OK


def _centres(args: argparse.Namespace, store: Store) -> int:
    from datetime import date

    from dtlab.db.centres import list_centres

    today = date.fromisoformat(args.today) if args.today else date.today()
    with store.read() as session:
        centres = list_centres(session, today)
        type_names = dict(centre_types(session, short=True))  # in the language in use
    if args.json:
        print_json(centres)
        return errors.OK
    columns = [Column(N_("ref"), min_width=max((len(c["ref"]) for c in centres), default=3)),
               Column(N_("centre"), min_width=10, max_width=15), Column(N_("type"), min_width=10, max_width=12),
               Column(N_("ends"), min_width=10, text=False), Column(N_("renewal due"), min_width=11, text=False),
               Column(N_("accreditation"), min_width=14)]
    rows = []
    for c in centres:
        p = c["period"]
        state = c["accreditation"]
        rows.append([c["ref"], c["name"], type_names.get(c["centre_type"] or "", "—"), p["ends_on"] if p else "",
                     p["renewal_due_on"] if p else "",
                     plain(PERIOD_STATE_WORDS.get(state, state), style="bold red" if c["lapsed"] else "")])
    lapsed = sum(1 for c in centres if c["lapsed"])
    summary = (ngettext("{n} centre, {lapsed} lapsed", "{n} centres, {lapsed} lapsed", len(centres)) if lapsed else
               ngettext("{n} centre", "{n} centres", len(centres)))
    print_table(columns, rows, summary.format(n=len(centres), lapsed=lapsed), args.format)
    return errors.OK


def _case_kpi(args: argparse.Namespace, store: Store) -> int:
    """Add a KPI (no KPI named), or edit the one named: its name, unit, baseline, the end-of-plan
    target (the last year's) and any year's target."""
    from dtlab.services.plans import add_kpi_to_plan, update_kpi

    years: dict[int, str] = {}
    for item in args.year_target:
        year, sep, value = item.partition("=")
        if not sep or not year.strip().isdigit():
            raise UsageError(_("--year-target {item} is not YEAR=VALUE (e.g. 2=40)").format(item=repr(item)))
        years[int(year)] = value.strip()
    if args.kpi is None:
        if not args.name:
            raise UsageError(_("a new KPI needs --name (or name the KPI to edit: its number or a part of its name)"))
        if years:
            raise UsageError(_("--year-target edits a KPI's years: add the KPI first, with --target for its last "
                               "year"))
        measures = None if not args.result else str(_plan_item(store, args.ref, "result", args.result,
                                                                 _today(args))["id"])
        added = add_kpi_to_plan(store, args.ref, args.name, args.unit or "", args.baseline, args.target,
                                result=measures)
        say(_("{ref}: KPI {number} added: {name}").format(ref=args.ref.upper(),
                                                          number=number_of(store, args.ref, "kpi", added),
                                                          name=args.name.strip()))
        return errors.OK
    from dtlab.db.plans import case_plan as read_plan
    from dtlab.services.plans import find_kpi

    with store.read() as session:
        case = get_case(session, args.ref)
        kpi_id = find_kpi(session, case, args.kpi).id
        kpi = next(k for k in read_plan(session, case, _today(args))["kpis"] if k["id"] == kpi_id)
    if args.target is not None:
        last = max([y["year"] for y in kpi["years"] if y["target"] is not None], default=len(kpi["years"]) or 1)
        years.setdefault(last, repr(float(args.target)))  # exact: parse_number reads it back
    baseline = kpi["baseline"] if args.baseline is None else args.baseline
    result = None if args.result is None else "" if args.result == 0 else str(
        _plan_item(store, args.ref, "result", args.result, _today(args))["id"])
    update_kpi(store, args.ref, kpi_id, args.name if args.name is not None else kpi["name"],
               args.unit if args.unit is not None else kpi["unit"] or "",
               "" if baseline is None else repr(float(baseline)), years, result=result)
    say(_("{ref}: KPI saved: {name}").format(ref=args.ref.upper(), name=args.name or kpi["name"]))
    return errors.OK


def _case_remove(args: argparse.Namespace, store: Store) -> int:
    from dtlab.services.plans import remove_plan_item

    item = _plan_item(store, args.ref, args.kind, args.number, _today(args))
    removed = remove_plan_item(store, args.ref, args.kind, item["id"])
    unlinked = linked_below(removed.results_unlinked, removed.kpis_unlinked, done=True)
    said = [_(TAKEN_OUT[args.kind]).format(ref=args.ref.upper(), number=args.number, name=removed.name)]
    if unlinked:
        said.append(ngettext("{unlinked} is now linked to nothing", "{unlinked} are now linked to nothing",
                             removed.results_unlinked + removed.kpis_unlinked).format(unlinked=unlinked))
    say("; ".join(said))
    return errors.OK


# The commands this module answers, by name (cli.run dispatches on them).
COMMANDS: dict[str, Handler] = {"centres": _centres, "milestones": milestones, "kpis": kpis, "policy": policy}
CASE_COMMANDS: dict[str, Handler] = {
    "kpi": _case_kpi, "remove": _case_remove, "plan": case_plan, "actual": case_actual, "milestone": case_milestone,
    "replan": case_replan,
}
