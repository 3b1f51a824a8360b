"""A plan's results chain in words, as the command line prints it: each impact, its outcomes
indented under it, their outputs under them, each with what it serves and the KPIs that measure
it (rated like any other, whatever the level). Outside text goes through `shown`."""

from __future__ import annotations

from typing import Any

from dtlab.i18n import _, ngettext
from dtlab.present.bidi import isolated
from dtlab.present.charts import RAG_STYLE
from dtlab.present.labels import RAG_WORDS, RESULT_LEVEL_CHOICES
from dtlab.present.local_values import count_text
from dtlab.present.safe import shown


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
        parts = [ngettext("{n} result that linked up to it", "{n} results that linked up to it", results),
                 ngettext("{n} KPI that measured it", "{n} KPIs that measured it", kpis)]
    else:
        parts = [ngettext("{n} result links up to it", "{n} results link up to it", results),
                 ngettext("{n} KPI measures it", "{n} KPIs measure it", kpis)]
    said = [part.format(n=count_text(n)) for part, n in zip(parts, (results, kpis), strict=True) if n]
    if len(said) == 2:
        return _("{results} and {kpis}").format(results=said[0], kpis=said[1])
    return said[0] if said else ""


def chain_lines(results: list[dict[str, Any]], kpis: list[dict[str, Any]], numbered: bool = True) -> list[str]:
    """Rich markup lines: `N. Level  title` indented two spaces a level down the chain (N: the
    number the result goes by, `db.plans.plan_numbers`), then its links and KPIs, dimmed; a
    result whose link up leads nowhere it may is said so."""
    measures: dict[str, list[dict[str, Any]]] = {}
    for k in kpis:
        if k.get("result_id"):
            measures.setdefault(k["result_id"], []).append(k)
    lines = []
    kpi = _("KPI")
    for r in results:
        pad = "  " * (r["depth"] + 1)
        mark = f"{r['number']}. " if numbered else ""
        tree = "└ " if r["depth"] else ""
        level = RESULT_LEVEL_CHOICES.get(r["level"]) or shown(r["level"])
        lines.append(f"{pad}{tree}{mark}[b]{level}[/b]  {isolated(shown(r['title']))}")
        inner = pad + ("  " if r["depth"] else "") + "   "
        links = result_links(r)
        if links:
            serves = _("serves {links}").format(links=isolated(shown(", ".join(links))))
            lines.append(f"{inner}[dim]{serves}[/]")
        if r.get("broken"):
            broken = _("its link up leads to no result one level up (removed, or changed on another site): "
                       "link it again")
            lines.append(f"{inner}[yellow]{broken}[/]")
        for k in measures.get(r["id"], []):
            style = RAG_STYLE.get(k["status"], "")
            words = shown(RAG_WORDS.get(k["status"]) or k["status"])
            status = f"[{style}]{words}[/]" if style else words
            lines.append(f"{inner}[dim]{kpi}[/] {isolated(shown(k['name']))}  {status}")
    return lines
