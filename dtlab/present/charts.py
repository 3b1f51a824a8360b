"""Small text charts for monitoring: an accreditation timeline and KPI targets against actuals.
Pure functions from plain data to Rich text, so they can be checked without a terminal."""

from __future__ import annotations

from datetime import date
from typing import Any

from rich.text import Text

from dtlab.i18n import _, ngettext
from dtlab.present.bidi import isolated
from dtlab.present.labels import PERIOD_STATE_WORDS, RAG_WORDS
from dtlab.present.local_values import date_text, number_text, percent_text
from dtlab.present.safe import cell, plain

# The styles and marks are by stored value (the words are labels.RAG_WORDS, PERIOD_STATE_WORDS).
RAG_STYLE = {"green": "green", "amber": "yellow", "red": "bold red",  # i18n: not shown (Rich styles)
             "no data": "bold red", "not yet rated": "dim"}  # i18n: not shown (Rich styles)
RAG_MARK = {"green": "●", "amber": "●", "red": "●", "no data": "○", "not yet rated": "–"}
STATE_STYLE = {"overdue": "bold red", "due soon": "yellow", "closed": "dim",  # i18n: not shown (Rich styles)
               "unscheduled": "dim", "lapsed": "bold red",  # i18n: not shown (Rich styles)
               "renewal due": "yellow", "current": "green"}


def cut(text: str) -> Text:
    """A table cell that ends in … when its column is too narrow, rather than stopping mid-word;
    the text is shown as data (`dtlab.present.safe`)."""
    return cell(text)


def rag_text(status: str) -> Text:
    """A KPI's status, its mark and its word, in its colour."""
    return plain(f"{RAG_MARK.get(status, '·')} {RAG_WORDS.get(status) or status}", style=RAG_STYLE.get(status, ""))


def period_bar(starts_on: date, ends_on: date, renewal_due_on: date, today: date, width: int) -> Text:
    """One period as a line: elapsed in solid, the rest thin, the renewal window shaded, and
    today marked where it falls."""
    width = max(width, 10)
    days = max((ends_on - starts_on).days, 1)

    def at(day: date) -> int:
        return min(width - 1, max(0, round((day - starts_on).days / days * (width - 1))))

    due, now = at(renewal_due_on), at(today)
    text = Text()
    for i in range(width):
        if today >= starts_on and i == now and today <= ends_on:
            text.append("▼", style="bold")
        elif today >= starts_on and i < now or today > ends_on:
            text.append("━", style="cyan")
        elif i >= due:
            text.append("┄", style="yellow")
        else:
            text.append("─", style="dim")
    return text


def timeline(periods: list[dict[str, Any]], launch_on: date | None, today: date, width: int) -> Text:
    """Every accreditation period of a centre on its own line, oldest first."""
    out = Text()
    if launch_on:
        launched = (_("Launched {date}") if launch_on <= today else _("Launch planned for {date}"))
        out.append(launched.format(date=isolated(date_text(launch_on))) + "\n", style="dim")
    if not periods:
        out.append(_("Not accredited yet: the accreditation date, recorded on the case's Operation tab, opens the "
                     "first period."), style="dim")
        return out
    bar_width = min(80, max(10, width - 33))
    for p in periods:
        out.append(_("Period {number}").format(number=p["number"]) + " ", style="bold")
        out.append(f"{date_text(p['starts_on'])} ")
        out.append_text(period_bar(p["starts_on"], p["ends_on"], p["renewal_due_on"], today, bar_width))
        out.append(f" {date_text(p['ends_on'])}\n")
        state = p["state"]
        out.append_text(plain(f"  {p['type_name']} · ", style="dim"))
        out.append_text(plain(PERIOD_STATE_WORDS.get(state) or state, style=STATE_STYLE.get(state, "")))
        due = isolated(date_text(p["renewal_due_on"]))
        if state == "current":
            out.append(" · " + _("renewal due from {date}").format(date=due), style="dim")
        if state in ("current", "renewal due"):
            days = p["days_left"]
            out.append(" · " + ngettext("{n} day left in the period", "{n} days left in the period", days)
                       .format(n=isolated(number_text(days))), style="dim")
        if state == "renewal due":
            out.append(" " + _("(due since {date})").format(date=due), style="dim")
        out.append("\n")
    out.append(_("━ elapsed  ▼ today  ┄ renewal window"), style="dim")
    return out


def kpi_chart(kpi: dict[str, Any], width: int) -> Text:
    """A KPI's years: the actual as a bar, the target marked ┆ on the same scale, the figures and
    the year's status."""
    unit = f" ({kpi['unit']})" if kpi["unit"] else ""
    baseline = _("not measured") if kpi["baseline"] is None else isolated(number_text(kpi["baseline"]))
    out = Text()
    out.append_text(plain(kpi["name"], style="bold"))
    # One dim span, as it has always been drawn: the unit (outside text, its escapes shown) and
    # the baseline's words (dtlab's own, its figure isolated in a right-to-left line).
    about = plain(unit)
    about.append(" · " + _("baseline {value}").format(value=baseline) + " · ")
    about.style = "dim"
    out.append_text(about)
    out.append_text(rag_text(kpi["status"]))
    years = kpi["years"]
    if not years:
        out.append("\n" + _("No yearly targets yet: e sets them."), style="dim")
        return out
    scale = max([y["target"] or 0 for y in years] + [y["actual"] or 0 for y in years] + [1])
    bar_width = max(8, width - 44)
    for y in years:
        out.append("\n" + _("Year {year}").format(year=y["year"]) + " ")
        if y["ends_on"]:
            out.append(_("to {date}").format(date=isolated(date_text(y["ends_on"]))) + " ", style="dim")
        else:
            out.append(_("(not dated)") + " ", style="dim")
        filled = 0 if y["actual"] is None else round(max(y["actual"], 0) / scale * bar_width)
        mark = None if y["target"] is None else min(bar_width - 1, round(y["target"] / scale * bar_width) - 1)
        style = RAG_STYLE.get(y["status"], "")
        for i in range(bar_width):
            if i == mark:
                out.append("┆", style="bold")
            elif i < filled:
                out.append("█", style=style)
            else:
                out.append(" ")
        actual = "—" if y["actual"] is None else number_text(y["actual"])
        target = "—" if y["target"] is None else number_text(y["target"])
        out.append(" " + isolated(f"{actual}/{target}"))
        if y["progress"] is not None:
            out.append(f" {isolated(percent_text(y['progress']))}", style="dim")
        out.append(" ")
        out.append_text(rag_text(y["status"]))
    return out
