"""A plan's results chain in words, as the command line prints it: each impact, its outcomes
indented under it, their outputs under them, each with what it serves and the KPIs that measure
it (rated like any other, whatever the level). Outside text goes through `shown`."""

from __future__ import annotations

from typing import Any

from dtlab.present.charts import RAG_STYLE
from dtlab.present.labels import RESULT_LEVEL_CHOICES
from dtlab.present.safe import shown
from dtlab.present.words import plural


def result_links(r: dict[str, Any]) -> list[str]:
    """What a result serves, shortly: its priority, initiatives, SDGs and WSIS lines."""
    links = [str(r["priority_id"]).replace("_", " ")] if r["priority_id"] else []
    links += list(r["initiative_results"])
    links += [f"SDG {n}" for n in r["sdgs"]] + [f"WSIS {c}" for c in r.get("wsis", [])]
    return links


def linked_below(results: int, kpis: int, done: bool) -> str:
    """What removing a result unlinks, before ("2 results link up to it and 1 KPI measures it")
    or after (done: "2 results that linked up to it and 1 KPI that measured it"); "" for none."""
    if done:
        parts = [f"{plural(results, 'result')} that linked up to it", f"{plural(kpis, 'KPI')} that measured it"]
    else:
        parts = [f"{plural(results, 'result')} link{'s' if results == 1 else ''} up to it",
                 f"{plural(kpis, 'KPI')} measure{'s' if kpis == 1 else ''} it"]
    return " and ".join(part for part, n in zip(parts, (results, kpis), strict=True) if n)


def chain_lines(results: list[dict[str, Any]], kpis: list[dict[str, Any]], numbered: bool = True) -> list[str]:
    """Rich markup lines: `N. Level  title` indented two spaces a level down the chain (N: the
    number the result goes by, `db.plans.plan_numbers`), then its links and KPIs, dimmed; a
    result whose link up leads nowhere it may is said so."""
    measures: dict[str, list[dict[str, Any]]] = {}
    for k in kpis:
        if k.get("result_id"):
            measures.setdefault(k["result_id"], []).append(k)
    lines = []
    for r in results:
        pad = "  " * (r["depth"] + 1)
        mark = f"{r['number']}. " if numbered else ""
        tree = "└ " if r["depth"] else ""
        lines.append(f"{pad}{tree}{mark}[b]{RESULT_LEVEL_CHOICES.get(r['level'], shown(r['level']))}[/b]  "
                     f"{shown(r['title'])}")
        inner = pad + ("  " if r["depth"] else "") + "   "
        links = result_links(r)
        if links:
            lines.append(f"{inner}[dim]serves {shown(', '.join(links))}[/]")
        if r.get("broken"):
            lines.append(f"{inner}[yellow]its link up leads to no result one level up (removed, or changed "
                         "on another site): link it again[/]")
        for k in measures.get(r["id"], []):
            style = RAG_STYLE.get(k["status"], "")
            status = f"[{style}]{shown(k['status'])}[/]" if style else shown(k["status"])
            lines.append(f"{inner}[dim]KPI[/] {shown(k['name'])}  {status}")
    return lines
