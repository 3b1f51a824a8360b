"""The concept-design readings in words, as Rich markup lines: the evaluators side by side and the
centre-type recommendation. Shared by the command line and the screens, from the JSON forms of
db.concept, so both say the same thing."""

from __future__ import annotations

from typing import Any

from rich.cells import cell_len
from rich.console import Group
from rich.padding import Padding

from dtlab.domain.gates import CLASSIFICATION_LABELS
from dtlab.domain.guide import OWNERSHIP_LABELS
from dtlab.i18n import N_, Translated, _, ngettext
from dtlab.present.bidi import isolated
from dtlab.present.cells import clip, ljust, rjust
from dtlab.present.local_values import count_text, number_text
from dtlab.present.safe import from_markup, shown
from dtlab.present.words import VALUE_WORDS


def _num(value: float | None) -> str:
    return "·" if value is None else number_text(value)


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
        return [_("No evaluations yet.")]
    lines: list[str] = []
    current = [e for e in evaluations if e["counts"]]
    c = data.get("consolidated")
    if c:
        who = [e["evaluator"] for e in current]
        width = max(7, column_width if column_width is not None else max(cell_len(w) for w in who))
        cols = [clip(w, width) for w in who]
        criterion, mean = ljust(_("Criterion"), name_width), rjust(_("mean"), 7)
        lines.append(f"[b]{criterion}[/] " + " ".join(f"[b]{shown(rjust(x, width))}[/]" for x in cols)
                     + f" [b]{mean}[/]")
        for row in c["criteria"]:
            scores = [e["scores"].get(row["criterion"], {}).get("score") for e in current]
            spread = _("⚠ spread {spread}").format(spread=row["spread"])
            flag = f" [yellow]{spread}[/]" if row["disagree"] else ""
            label = row["name"] if cell_len(row["name"]) <= name_width else row.get("short") or row["name"]
            name = ljust(clip(label, name_width), name_width)
            lines.append(f"{shown(name)} " + " ".join(_num(s).rjust(width) for s in scores)
                         + f" {_num(row['mean']):>7}{flag}")
        totals = [e["percent"] for e in current]
        total = ljust(_("Total %"), name_width)
        lines.append(f"{total} " + " ".join(_num(t).rjust(width) for t in totals)
                     + f" {_num(c['percent']):>7}")
        lines.append("")
        lines.append(ngettext("Consolidated: {verdict} ({n} evaluator: {names})",
                              "Consolidated: {verdict} ({n} evaluators: {names})", len(who))
                     .format(verdict=verdict_markup(c["classification"]), n=count_text(len(who)),
                             names=isolated(shown(", ".join(who)))))
        capped = _("capped:")
        for cap in c["caps"]:
            lines.append(f"  [red]{capped}[/] {shown(cap)}")
        if c["disagreements"]:
            names = {r["criterion"]: r["name"] for r in c["criteria"]}
            disagree = _("evaluators disagree widely on:")
            lines.append(f"  [yellow]{disagree}[/] " + shown(", ".join(names[d] for d in c["disagreements"])))
    else:
        lines.append(_("No submitted evaluation counts yet: the gate needs at least one."))
    if c:
        comments = [(e["evaluator"], row, e["scores"].get(row["criterion"], {}).get("comment"))
                    for row in c["criteria"] for e in current]
        comments = [x for x in comments if x[2]]
        if comments:
            lines.append("")
            lines.append("[b]" + _("Why") + "[/b]")
            for who, row, text in comments:
                lines.append(f"  {shown(row.get('short') or row['name'])}, {shown(who)}: {shown(text)}")
    others = [e for e in evaluations if not e["counts"]]
    if others:
        lines.append("")
        lines.append("[b]" + _("Not consolidated") + "[/b]")
        for e in others:
            state = shown(STANDING_WORDS.get(e["standing"]) or e["standing"])
            scored = sum(1 for v in e["scores"].values() if v.get("score") is not None)
            said = dict(evaluator=isolated(shown(e["evaluator"])), revision=shown(e["revision"]), state=state,
                        scored=scored, criteria=len(e["scores"]))
            if e["classification"]:
                line = _("{evaluator} rev {revision}: {state}; {scored}/{criteria} scored; {verdict}").format(
                    verdict=verdict_markup(e["classification"]), **said)
            else:
                line = _("{evaluator} rev {revision}: {state}; {scored}/{criteria} scored").format(**said)
            lines.append(f"· {line}")
    return lines


STANDING_WORDS: Translated[str] = Translated({
    "draft": N_("draft"),
    "amended": N_("amended by a later revision"),
    "before upgrade": N_("judged the type before the upgrade"),
    "other rubric": N_("scored on another rubric version"),
    "no rubric": N_("a verdict recorded before rubrics"),
})


def _request_words(r: dict[str, Any]) -> str:
    """What the request asks, shortly: its goals, scope, ownership and cost capacity."""
    goals = ", ".join(r["goals"]) or _("no goals yet")
    scope = r["scope"]
    scope_words = (_("{scope} scope").format(scope=VALUE_WORDS["scope"].get(scope) or scope) if scope
                   else _("no scope"))
    ownership = r["ownership"]
    parts = [goals, scope_words,
             OWNERSHIP_LABELS[ownership] if ownership in OWNERSHIP_LABELS else _("ownership not yet chosen")]
    capacity = r.get("cost_capacity")
    if capacity:
        words = VALUE_WORDS["cost_capacity"].get(capacity) or capacity
        parts.append(_("{capacity} cost capacity").format(capacity=words))
    return " · ".join(parts)


def recommendation_text(data: dict[str, Any]) -> list[str]:
    r = data["request"]
    request = _("For: {request}").format(request=shown(_request_words(r)))
    lines = [f"[dim]{request}[/]"]
    fits, unfit, best = _("fits"), _("does not fit"), _("← best fit")
    for i, v in enumerate(data["ranking"], 1):
        mark = f"[green]{fits}[/]" if v["fits"] else f"[red]{unfit}[/]"
        best_mark = f" [b]{best}[/]" if data["best"] and v["type"] == data["best"] else ""
        lines.append(f"{i}. [b]{shown(v['name'])}[/]: {mark}{best_mark}")
        for reason in v["reasons"]:
            lines.append(f"   · {shown(reason)}")
    if not (r["scope"] and r["ownership"]):
        lines.append("[yellow]" + _("No best fit until the request's scope and ownership are set.") + "[/]")
    elif data["best"] is None:
        lines.append("[yellow]" + _("No type fits the request as it stands; change its scope or ownership, or "
                                    "record a reason for the type chosen.") + "[/]")
    cost = data["cost"]
    tier = cost["tier"]
    tier_words = shown(VALUE_WORDS["cost_capacity"].get(tier) or tier) if tier else _("not yet known")
    lines.append(ngettext("Cost tier: {tier} ({n} point)", "Cost tier: {tier} ({n} points)", cost["points"])
                 .format(tier=f"[b]{tier_words}[/]", n=count_text(cost["points"])))
    for driver in cost["drivers"]:
        lines.append(f"   · {shown(driver)}")
    note = _("Note:")
    for text in data.get("notes", []):  # what the tier and the best fit rest on (the guide's own words)
        lines.append(f"[yellow]{note}[/] {shown(text)}")
    return lines


def renderable(lines: list[str]) -> Group:
    """The lines as one Rich renderable whose wrapped lines keep their indent."""
    parts = []
    for line in lines:
        indent = len(line) - len(line.lstrip(" "))
        parts.append(Padding(from_markup(line.lstrip(" ")), (0, 0, 0, indent)))
    return Group(*parts)
