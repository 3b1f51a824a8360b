"""The results-chain commands: a centre's chain (`dtlab results`), adding or editing one of its
results (`dtlab case result`), and the reference data a result links to (`dtlab reference
priorities|products|sdgs|wsis`)."""

from __future__ import annotations

import argparse
from datetime import date
from typing import Any

from dtlab import errors
from dtlab.cli.monitoring import _plan_item, number_of
from dtlab.cli.output import Handler, out_console, print_json, say
from dtlab.cli.tables import Column, print_table
from dtlab.db.cases import get_case
from dtlab.db.store import Store
from dtlab.errors import UsageError
from dtlab.i18n import N_, _, ngettext
from dtlab.present.chain import chain_lines
from dtlab.present.safe import from_markup, plain, shown


def _results(args: argparse.Namespace, store: Store) -> int:
    from dtlab.db.plans import case_plan

    with store.read() as session:
        plan = case_plan(session, get_case(session, args.centre), date.today())
    measured: dict[str, list[dict[str, Any]]] = {}
    for k in plan["kpis"]:
        measured.setdefault(k["result_id"] or "", []).append({"id": k["id"], "name": k["name"], "status": k["status"]})
    if args.json:
        print_json({"ref": plan["ref"], "results": [
            {**{key: r[key] for key in ("id", "number", "level", "title", "depth", "parent_id", "broken", "priority_id",
                                         "priority_group", "cycle", "initiative_results", "sdgs", "wsis")},
             "kpis": measured.get(r["id"], [])} for r in plan["results"]]})
        return errors.OK
    console = out_console(highlight=False, soft_wrap=True)
    if not plan["results"]:
        console.print(plain(_("{ref} has no results yet (dtlab case result {ref} --title … adds one)").format(
            ref=plan["ref"])))
        return errors.OK
    console.print(from_markup(_("{ref} results chain: impact → outcomes → outputs").format(
        ref=f"[bold]{shown(plan['ref'])}[/]")))
    for line in chain_lines(plan["results"], plan["kpis"]):
        console.print(from_markup(line))
    return errors.OK


def _number_to_id(store: Store, ref: str, number: int | None, today: date) -> str | None:
    """A result's id from its number in `dtlab case show`; 0 is none (""), None is not given."""
    if number is None:
        return None
    return "" if number == 0 else str(_plan_item(store, ref, "result", number, today)["id"])


def _case_result(args: argparse.Namespace, store: Store) -> int:
    """Add a result (no number) or edit the one with this number; what is not given stays."""
    from dtlab.services.results import save_result

    today = date.today()
    if args.number is None:
        if not args.title:
            raise UsageError(_("a new result needs --title"))
        current: dict[str, Any] = {"id": None, "level": "output", "title": "", "priority_id": "",
                                   "initiative_results": [], "cycle": "", "sdgs": [], "wsis": [], "parent_id": ""}
    else:
        current = _plan_item(store, args.ref, "result", args.number, today)
    parent = _number_to_id(store, args.ref, args.parent, today)
    value = {
        "level": args.level or current["level"], "title": args.title if args.title is not None else current["title"],
        "priority": args.priority if args.priority is not None else current["priority_id"] or "",
        "initiatives": args.initiatives if args.initiatives is not None else " ".join(current["initiative_results"]),
        "cycle": args.cycle if args.cycle is not None else current["cycle"] or "",
        "sdgs": args.sdgs if args.sdgs is not None else " ".join(str(n) for n in current["sdgs"]),
        "wsis": args.wsis if args.wsis is not None else " ".join(current["wsis"]),
        "parent": parent if parent is not None else current["parent_id"] or "",
    }
    saved = save_result(store, args.ref, current["id"], value["level"], value["title"], value["priority"],
                        value["initiatives"], value["cycle"], value["sdgs"], parent=value["parent"], wsis=value["wsis"])
    # Said with its number, which stays its own whatever is added or removed after it.
    # The level by its id, as --level takes it.
    words = {"ref": args.ref.upper(), "number": args.number or number_of(store, args.ref, "result", saved),
             "level": value["level"], "title": value["title"].strip()}
    say((_("{ref}: result {number} ({level}) saved: {title}") if args.number else
         _("{ref}: result {number} ({level}) added: {title}")).format(**words))
    return errors.OK


def reference_topic(args: argparse.Namespace, store: Store) -> int:
    """`dtlab reference TOPIC`: one part of the results framework's reference data, listed."""
    from dtlab.db import framework

    with store.read() as session:
        data: list[dict[str, Any]] = {
            "priorities": framework.priority_areas, "products": framework.products, "sdgs": framework.sdgs,
            "wsis": framework.wsis_lines}[args.topic](session)
    if args.json:
        print_json(data)
        return errors.OK
    console = out_console(highlight=False, soft_wrap=True)
    if args.topic in ("sdgs", "wsis"):
        # Each language in a column of its own; where the names come from, on a line of its own.
        sdgs = args.topic == "sdgs"
        # At a terminal the names share what the number leaves, three to two: were the table cut
        # evenly, the number's narrow column would go first.
        names = max(20, console.width - 6)
        print_table([Column(N_("SDG") if sdgs else N_("line"), min_width=4, text=False),
                     Column(N_("name"), max_width=names * 3 // 5),
                     Column(N_("name in Chinese"), max_width=names * 2 // 5 - 1)],
                    [[str(item["number"] if sdgs else item["code"]), framework.said(item, "name"), item["name_zh"]]
                     for item in data])
        console.print(plain(_("Note: these names are not from the source documents; they are the United Nations' "
                              "names of the Sustainable Development Goals.") if sdgs else
                            _("Note: these names are not from the source documents; they are the WSIS action lines "
                              "of the Geneva Plan of Action (2003)."), style="dim"))
    elif args.topic == "products":
        group = None
        for p in data:
            if p["group"] != group:
                group = p["group"]
                console.print(from_markup(f"[bold]{shown(group)}[/]"))
            where = "[dim]" + shown(p["priority"] or _("area level")) + "[/]"
            console.print(from_markup(f"  {p['number']:>2}. {shown(framework.said(p, 'title'))}  {where}"))
    else:
        for area in data:
            console.print(from_markup(f"[bold]{shown(framework.said(area, 'title'))}[/] ({shown(area['id'] or '—')})"))
            if area["objective_en"]:
                label = _("Objective:")
                console.print(from_markup(f"  [dim]{label}[/] {shown(framework.said(area, 'objective'))}"))
            if area["impact_en"]:
                label = _("Impact:")
                console.print(from_markup(f"  [dim]{label}[/] {shown(framework.said(area, 'impact'))}"))
            for o in area["outcomes"]:
                label = _("Outcome {number}:").format(number=o["number"])
                console.print(from_markup(f"  [dim]{label}[/] {shown(framework.said(o, 'title'))}"))
            for p in area["priorities"]:
                console.print(from_markup(f"  · {shown(p['id'])}  [dim]{shown(framework.said(p, 'title'))}[/]"))
            if area["products"]:
                products = ngettext("{n} product: dtlab reference products", "{n} products: dtlab reference products",
                                    area["products"]).format(n=area["products"])
                console.print(from_markup(f"  [dim]{products}[/]"))
    return errors.OK


# The commands this module answers, by name (cli.run dispatches on them).
COMMANDS: dict[str, Handler] = {"results": _results}
CASE_COMMANDS: dict[str, Handler] = {"result": _case_result}
