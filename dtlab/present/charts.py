"""Small text charts for monitoring: an accreditation timeline and KPI targets against actuals.
Pure functions from plain data to Rich text, so they can be checked without a terminal."""

from __future__ import annotations

from datetime import date
from typing import Any

from rich.text import Text

from dtlab.domain.fields import number_words
from dtlab.present.safe import cell, plain

RAG_STYLE = {"green": "green", "amber": "yellow", "red": "bold red", "no data": "bold red", "not yet rated": "dim"}
RAG_MARK = {"green": "●", "amber": "●", "red": "●", "no data": "○", "not yet rated": "–"}
STATE_STYLE = {"overdue": "bold red", "due soon": "yellow", "closed": "dim", "unscheduled": "dim",
               "lapsed": "bold red", "renewal due": "yellow", "current": "green"}


def cut(text: str) -> Text:
    """A table cell that ends in … when its column is too narrow, rather than stopping mid-word;
    the text is shown as data (`dtlab.present.safe`)."""
    return cell(text)


def rag_text(status: str) -> Text:
    return plain(f"{RAG_MARK.get(status, '·')} {status}", style=RAG_STYLE.get(status, ""))


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
        out.append(f"Launched {launch_on}\n" if launch_on <= today else f"Launch planned for {launch_on}\n",
                   style="dim")
    if not periods:
        out.append("Not accredited yet: the accreditation date, recorded on the case's Operation tab, opens the "
                   "first period.", style="dim")
        return out
    bar_width = min(80, max(10, width - 33))
    for p in periods:
        out.append(f"Period {p['number']} ", style="bold")
        out.append(f"{p['starts_on']} ")
        out.append_text(period_bar(p["starts_on"], p["ends_on"], p["renewal_due_on"], today, bar_width))
        out.append(f" {p['ends_on']}\n")
        state = p["state"]
        out.append_text(plain(f"  {p['type_name']} · ", style="dim"))
        out.append_text(plain(state, style=STATE_STYLE.get(state, "")))
        if state == "current":
            out.append(f" · renewal due from {p['renewal_due_on']}", style="dim")
        if state in ("current", "renewal due"):
            out.append(f" · {p['days_left']} days left in the period", style="dim")
        if state == "renewal due":
            out.append(f" (due since {p['renewal_due_on']})", style="dim")
        out.append("\n")
    out.append("━ elapsed  ▼ today  ┄ renewal window", style="dim")
    return out


def kpi_chart(kpi: dict[str, Any], width: int) -> Text:
    """A KPI's years: the actual as a bar, the target marked ┆ on the same scale, the figures and
    the year's status."""
    unit = f" ({kpi['unit']})" if kpi["unit"] else ""
    baseline = "not measured" if kpi["baseline"] is None else number_words(kpi["baseline"])
    out = Text()
    out.append_text(plain(kpi["name"], style="bold"))
    out.append_text(plain(f"{unit} · baseline {baseline} · ", style="dim"))
    out.append_text(rag_text(kpi["status"]))
    years = kpi["years"]
    if not years:
        out.append("\nNo yearly targets yet: e sets them.", style="dim")
        return out
    scale = max([y["target"] or 0 for y in years] + [y["actual"] or 0 for y in years] + [1])
    bar_width = max(8, width - 44)
    for y in years:
        out.append(f"\nYear {y['year']} ")
        out.append(f"to {y['ends_on']} " if y["ends_on"] else "(not dated) ", style="dim")
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
        actual = "—" if y["actual"] is None else number_words(y["actual"])
        target = "—" if y["target"] is None else number_words(y["target"])
        out.append(f" {actual}/{target}")
        if y["progress"] is not None:
            out.append(f" {y['progress']:.0%}", style="dim")
        out.append(" ")
        out.append_text(rag_text(y["status"]))
    return out
