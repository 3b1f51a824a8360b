"""The commands about the installation itself: its site code and keys, demo data, the reference
data loaded from seeds/, and the monitoring templates."""

from __future__ import annotations

import argparse

from dtlab import errors
from dtlab.cli.output import Handler, out_console, print_json, say
from dtlab.db.reference import centre_type_rules
from dtlab.db.store import Store
from dtlab.errors import UsageError
from dtlab.present.safe import from_markup, shown


def _init(args: argparse.Namespace, store: Store) -> int:
    site, created = store.init_site(args.site)
    from dtlab.sync.own_keys import identity, signing_key

    key = signing_key(store)  # the site's signing key, made once for the site, readable by its owner only
    identity(store)  # and the key that opens the bundles sealed for it
    say(f"site {site.code} {'created' if created else 'already set'} ({store.label}); signing key {key.id}")
    return errors.OK


def _demo(args: argparse.Namespace, store: Store) -> int:
    from datetime import date

    from dtlab.services.demo import generate

    today = date.fromisoformat(args.today) if args.today else None
    console = out_console(stderr=True)
    with console.status("making demo data…") as status:
        def progress(done: int, total: int) -> None:
            status.update(f"making demo data… {done:,}/{total:,} cases")

        report = generate(store, cases=args.cases, seed=args.seed, today=today, progress=progress)
    say(f"{report.cases:,} cases, {report.organisations:,} organisations, {report.records:,} records "
          f"in {report.seconds:.1f} s ({store.label})")
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
        width = max(len(key) for key in summary)
        for key, value in summary.items():
            # A breakdown (per region, per kind) as "AFR 44, AMS 35", not as a Python dict.
            shown = ", ".join(f"{k} {v}" for k, v in value.items()) if isinstance(value, dict) else value
            say(f"{key.replace('_', ' '):<{width}}  {shown}")
    return errors.OK


def _templates(args: argparse.Namespace, store: Store) -> int:
    from dtlab.db.queries import monitoring_templates
    from dtlab.domain.monitoring import Anchor, DueRule

    with store.read() as session:
        templates = monitoring_templates(session, args.centre_type, "en" if args.json else None)  # JSON: English
        known = list(centre_type_rules(session))
    if args.centre_type and not templates:
        raise UsageError(f"unknown centre type {args.centre_type!r} (known: {', '.join(known)})")
    if args.json:
        print_json(templates)
        return errors.OK
    console = out_console(highlight=False, soft_wrap=True)
    for t in templates:
        console.print(from_markup(f"[bold]{shown(t['name'])}[/] ({shown(t['centre_type'])})"))
        console.print("  Results, each linked up to the result it contributes to")
        for r in t["results"]:
            up = f", contributes to {r['contributes_to']}" if r["contributes_to"] else ""
            console.print(from_markup(f"    {r['position']}. {shown(r['level']):<8} {shown(r['title'])}  "
                                      f"[dim](task {shown(r['task'])}{up})[/]"))
        console.print("  KPIs, with targets for years 1, 2, 3")
        for k in t["kpis"]:
            targets = ", ".join(f"{v:g}" for v in k["targets"])
            console.print(from_markup(f"    {shown(k['name'])}: {targets} {shown(k['unit'])}  "
                                      f"[dim](task {shown(k['task'])})[/]"))
        console.print("  Milestones")
        for m in t["milestones"]:
            when = DueRule(anchor=Anchor(m["anchor"]), months=m["months"]).words
            console.print(from_markup(f"    {shown(m['title'])}: {shown(when)}  [dim](task {shown(m['task'])})[/]"))
    return errors.OK


# The commands this module answers, by name (cli.run dispatches on them).
COMMANDS: dict[str, Handler] = {"init": _init, "demo": _demo, "reference": _reference, "templates": _templates}
