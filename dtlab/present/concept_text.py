"""The concept-design readings in words, as Rich markup lines: the evaluators side by side and the
centre-type recommendation. Shared by the command line and the screens, from the JSON forms of
db.concept, so both say the same thing."""

from __future__ import annotations

from typing import Any

from rich.console import Group
from rich.padding import Padding

from dtlab.domain.fields import number_words
from dtlab.domain.gates import CLASSIFICATION_LABELS
from dtlab.domain.guide import OWNERSHIP_LABELS
from dtlab.present.safe import from_markup, shown
from dtlab.present.words import plural


def _num(value: float | None) -> str:
    return number_words(value, missing="·")


def classification_words(classification: str | None) -> str:
    return CLASSIFICATION_LABELS.get(classification or "", "—")


def verdict_markup(classification: str | None) -> str:
    words = shown(classification_words(classification))
    if classification in ("recommend", "recommend_with_conditions"):
        return f"[green]{words}[/]"
    if classification in ("revise", "decline"):
        return f"[red]{words}[/]"
    return words


def evaluations_text(data: dict[str, Any], name_width: int = 26, column_width: int | None = None) -> list[str]:
    """Each evaluator's scores in a column beside the mean, disagreements flagged; then totals.
    An evaluator's column is `column_width` wide (at least 7), or as wide as the longest name;
    a name longer than its column ends in …."""
    evaluations = data["evaluations"]
    if not evaluations:
        return ["No evaluations yet."]
    lines: list[str] = []
    current = [e for e in evaluations if e["counts"]]
    c = data.get("consolidated")
    if c:
        who = [e["evaluator"] for e in current]
        width = max(7, column_width if column_width is not None else max(len(w) for w in who))
        cols = [w if len(w) <= width else w[:width - 1] + "…" for w in who]
        lines.append(f"[b]{'Criterion'.ljust(name_width)}[/] "
                     + " ".join(f"[b]{shown(x.rjust(width))}[/]" for x in cols) + " [b]   mean[/]")
        for row in c["criteria"]:
            scores = [e["scores"].get(row["criterion"], {}).get("score") for e in current]
            flag = f" [yellow]⚠ spread {row['spread']}[/]" if row["disagree"] else ""
            label = row["name"] if len(row["name"]) <= name_width else row.get("short") or row["name"]
            name = label if len(label) <= name_width else label[: name_width - 1] + "…"
            lines.append(f"{shown(name.ljust(name_width))} " + " ".join(_num(s).rjust(width) for s in scores)
                         + f" {_num(row['mean']):>7}{flag}")
        totals = [e["percent"] for e in current]
        lines.append(f"{'Total %'.ljust(name_width)} " + " ".join(_num(t).rjust(width) for t in totals)
                     + f" {_num(c['percent']):>7}")
        lines.append("")
        lines.append(f"Consolidated: {verdict_markup(c['classification'])}"
                     f" ({len(who)} evaluator{'s' if len(who) != 1 else ''}: {shown(', '.join(who))})")
        for cap in c["caps"]:
            lines.append(f"  [red]capped:[/] {shown(cap)}")
        if c["disagreements"]:
            names = {r["criterion"]: r["name"] for r in c["criteria"]}
            lines.append("  [yellow]evaluators disagree widely on:[/] "
                         + shown(", ".join(names[d] for d in c["disagreements"])))
    else:
        lines.append("No submitted evaluation counts yet: the gate needs at least one.")
    if c:
        comments = [(e["evaluator"], row, e["scores"].get(row["criterion"], {}).get("comment"))
                    for row in c["criteria"] for e in current]
        comments = [x for x in comments if x[2]]
        if comments:
            lines.append("")
            lines.append("[b]Why[/b]")
            for who, row, text in comments:
                lines.append(f"  {shown(row.get('short') or row['name'])}, {shown(who)}: {shown(text)}")
    others = [e for e in evaluations if not e["counts"]]
    if others:
        lines.append("")
        lines.append("[b]Not consolidated[/b]")
        for e in others:
            state = shown(STANDING_WORDS.get(e["standing"], e["standing"]))
            scored = sum(1 for v in e["scores"].values() if v.get("score") is not None)
            verdict = f"; {verdict_markup(e['classification'])}" if e["classification"] else ""
            lines.append(f"· {shown(e['evaluator'])} rev {shown(e['revision'])}: {state}; {scored}/{len(e['scores'])} "
                         f"scored{verdict}")
    return lines


STANDING_WORDS = {
    "draft": "draft",
    "amended": "amended by a later revision",
    "before upgrade": "judged the type before the upgrade",
    "other rubric": "scored on another rubric version",
    "no rubric": "a verdict recorded before rubrics",
}


def recommendation_text(data: dict[str, Any]) -> list[str]:
    r = data["request"]
    goals = ", ".join(r["goals"]) or "no goals yet"
    ownership = OWNERSHIP_LABELS.get(r["ownership"] or "", "ownership not yet chosen")
    parts = [goals, f"{r['scope'] or 'no'} scope", ownership]
    if r.get("cost_capacity"):
        parts.append(f"{r['cost_capacity']} cost capacity")
    lines = [f"[dim]For: {shown(' · '.join(parts))}[/]"]
    for i, v in enumerate(data["ranking"], 1):
        mark = "[green]fits[/]" if v["fits"] else "[red]does not fit[/]"
        best = " [b]← best fit[/]" if data["best"] and v["type"] == data["best"] else ""
        lines.append(f"{i}. [b]{shown(v['name'])}[/]: {mark}{best}")
        for reason in v["reasons"]:
            lines.append(f"   · {shown(reason)}")
    if not (r["scope"] and r["ownership"]):
        lines.append("[yellow]No best fit until the request's scope and ownership are set.[/]")
    elif data["best"] is None:
        lines.append("[yellow]No type fits the request as it stands; change its scope or ownership, or record "
                     "a reason for the type chosen.[/]")
    cost = data["cost"]
    lines.append(f"Cost tier: [b]{shown(cost['tier'] or 'not yet known')}[/] ({plural(cost['points'], 'point')})")
    for driver in cost["drivers"]:
        lines.append(f"   · {shown(driver)}")
    for note in data.get("notes", []):  # what the tier and the best fit rest on (the guide's own words)
        lines.append(f"[yellow]Note:[/] {shown(note)}")
    return lines


def renderable(lines: list[str]) -> Group:
    """The lines as one Rich renderable whose wrapped lines keep their indent."""
    parts = []
    for line in lines:
        indent = len(line) - len(line.lstrip(" "))
        parts.append(Padding(from_markup(line.lstrip(" ")), (0, 0, 0, indent)))
    return Group(*parts)
