"""The commands about the installation itself: its site code and keys, demo data, the reference
data loaded from seeds/, and the monitoring templates."""

from __future__ import annotations

import argparse

from rich.cells import cell_len

from dtlab import errors
from dtlab.cli.output import Handler, out_console, print_json, say
from dtlab.cli.tables import ljust
from dtlab.db.reference import centre_type_rules
from dtlab.db.store import Store
from dtlab.errors import UsageError
from dtlab.i18n import N_, Translated, _
from dtlab.present.safe import from_markup, shown

# What `dtlab reference` counts, by the keys of its JSON (db.queries.reference_summary).
SUMMARY_LABELS = Translated({
    "goals": N_("goals"), "centre_types": N_("centre types"), "membership_categories": N_("membership categories"),
    "regions": N_("regions"), "member_states": N_("member states"),
    "member_states_by_region": N_("member states by region"),
    "thematic_priorities": N_("thematic priorities"), "regional_initiatives": N_("regional initiatives"),
    "expected_results": N_("expected results"), "priority_result_links": N_("priority result links"),
    "priority_area_outcomes": N_("priority area outcomes"), "products": N_("products"), "sdgs": N_("sdgs"),
    "wsis_action_lines": N_("wsis action lines"), "monitoring_template_items": N_("monitoring template items"),
})


def _init(args: argparse.Namespace, store: Store) -> int:
    site, created = store.init_site(args.site)
    from dtlab.sync.own_keys import identity, signing_key

    key = signing_key(store)  # the site's signing key, made once for the site, readable by its owner only
    identity(store)  # and the key that opens the bundles sealed for it
    say((_("site {code} created ({database}); signing key {key}") if created else
         _("site {code} already set ({database}); signing key {key}")).format(code=site.code, database=store.label,
                                                                            key=key.id))
    return errors.OK


def _demo(args: argparse.Namespace, store: Store) -> int:
    from datetime import date

    from dtlab.services.demo import generate

    today = date.fromisoformat(args.today) if args.today else None
    console = out_console(stderr=True)
    with console.status(_("making demo data…")) as status:
        def progress(done: int, total: int) -> None:
            status.update(_("making demo data… {done}/{total} cases").format(done=f"{done:,}", total=f"{total:,}"))

        report = generate(store, cases=args.cases, seed=args.seed, today=today, progress=progress)
    say(_("{cases} cases, {organisations} organisations, {records} records in {seconds} s ({database})").format(
        cases=f"{report.cases:,}", organisations=f"{report.organisations:,}", records=f"{report.records:,}",
        seconds=f"{report.seconds:.1f}", database=store.label))
    return errors.OK


def _reference(args: argparse.Namespace, store: Store) -> int:
    from dtlab.db.queries import reference_summary

    if args.topic:
        from dtlab.cli.results import reference_topic

        return reference_topic(args, store)

    with store.read() as session:
        summary = reference_summary(session)
    if args.json:
        print_json(summary)
    else:
        labels = {key: SUMMARY_LABELS.get(key) or key.replace("_", " ") for key in summary}
        width = max(cell_len(label) for label in labels.values())
        for key, value in summary.items():
            # A breakdown (per region, per kind: ids) as "AFR 44, AMS 35", not as a Python dict.
            shown = ", ".join(f"{k} {v}" for k, v in value.items()) if isinstance(value, dict) else value
            say(f"{ljust(labels[key], width)}  {shown}")
    return errors.OK


def _templates(args: argparse.Namespace, store: Store) -> int:
    from dtlab.db.queries import monitoring_templates
    from dtlab.domain.monitoring import Anchor, DueRule

    with store.read() as session:
        templates = monitoring_templates(session, args.centre_type, "en" if args.json else None)  # JSON: English
        known = list(centre_type_rules(session))
    if args.centre_type and not templates:
        raise UsageError(_("unknown centre type {type} (known: {known})").format(type=repr(args.centre_type),
                                                                                known=", ".join(known)))
    if args.json:
        print_json(templates)
        return errors.OK
    console = out_console(highlight=False, soft_wrap=True)
    for t in templates:
        console.print(from_markup(f"[bold]{shown(t['name'])}[/] ({shown(t['centre_type'])})"))
        console.print("  " + _("Results, each linked up to the result it contributes to"))
        for r in t["results"]:
            task = (_("(task {task}, contributes to {number})").format(task=shown(r["task"]),
                                                                        number=r["contributes_to"])
                    if r["contributes_to"] else _("(task {task})").format(task=shown(r["task"])))
            # The level by its id (as --level takes it), padded as a column.
            console.print(from_markup(f"    {r['position']}. {shown(r['level']):<8} {shown(r['title'])}  "
                                      f"[dim]{task}[/]"))
        console.print("  " + _("KPIs, with targets for years 1, 2, 3"))
        for k in t["kpis"]:
            targets = ", ".join(f"{v:g}" for v in k["targets"])
            task = _("(task {task})").format(task=shown(k["task"]))
            console.print(from_markup(f"    {shown(k['name'])}: {targets} {shown(k['unit'])}  [dim]{task}[/]"))
        console.print("  " + _("Milestones"))
        for m in t["milestones"]:
            when = DueRule(anchor=Anchor(m["anchor"]), months=m["months"]).words
            task = _("(task {task})").format(task=shown(m["task"]))
            console.print(from_markup(f"    {shown(m['title'])}: {shown(when)}  [dim]{task}[/]"))
    return errors.OK


# The commands this module answers, by name (cli.run dispatches on them).
COMMANDS: dict[str, Handler] = {"init": _init, "demo": _demo, "reference": _reference, "templates": _templates}
