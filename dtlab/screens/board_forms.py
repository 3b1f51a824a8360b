"""The Board screen's forms, apart: a nomination, the Director's approval or refusal, the end of a
term, a meeting planned or held, the Board's decision, the policy. A save the use case refuses
reopens its form with what was typed and the reason, so nothing typed is lost."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

from textual.message import Message

from dtlab.domain.board import BOARD_POLICY, DECISION_LABELS, SETTING_WORDS, TRACK_SHORT, Approval, Decision, Track
from dtlab.errors import Invalid, NotFound
from dtlab.screens.base import DtlabScreen
from dtlab.screens.messages import Written
from dtlab.screens.plan_forms import Fields, Retry, field_named, said
from dtlab.services import board as services
from dtlab.widgets.dialogs import ConfirmDialog, ValuesDialog

DECISION_CHOICES = [(d.value, DECISION_LABELS[d].capitalize()) for d in Decision]


@dataclass
class BoardData:
    members: list[dict[str, Any]]
    meetings: list[dict[str, Any]]
    items: list[dict[str, Any]]
    policy: bool
    histories: dict[str, list[Any]]  # member id: its history entries


def current_day() -> date:
    """The day the Board screen judges terms on and its forms offer for today (tests fix it)."""
    return date.today()


class BoardForms(DtlabScreen[None]):
    """The Board screen's forms. The screen provides `data`, `write` (runs a job in a worker and
    handles the message it returns: Written, or Retry), `_current` and `active_tab`."""

    data: BoardData | None

    def write(self, job: Callable[[], Message]) -> Any:
        raise NotImplementedError

    def _current(self, table_id: str, rows: str) -> dict[str, Any] | None:
        raise NotImplementedError

    def active_tab(self) -> str:
        raise NotImplementedError

    def form(self, title: str, fields: Fields, save: Callable[[dict[str, str]], str], *,
             required: tuple[str, ...] = (), explanation: str = "", initial: dict[str, str] | None = None,
             typed: dict[str, str] | None = None, error: str = "", focus: str | None = None) -> None:
        """Ask with a ValuesDialog and save in the background; refused, the form comes back as typed,
        with the reasons and the cursor in the first field they name."""
        prefilled, chosen = fields, dict(initial or {})
        if typed is not None:
            prefilled = [(n, label, spec if isinstance(spec, list) else typed.get(n, spec))
                         for n, label, spec in fields]
            chosen |= {n: typed[n] for n, _label, spec in fields if isinstance(spec, list) and n in typed}

        def done(values: dict[str, str] | None) -> None:
            if values is None:
                return

            def job() -> Written | Retry:
                try:
                    return Written(save(values))
                except (Invalid, NotFound) as exc:
                    problems = exc.problems if isinstance(exc, Invalid) and exc.problems else (str(exc),)
                    named = [n for n in (field_named(p, fields) for p in problems) if n]
                    return Retry(lambda: self.form(title, fields, save, required=required, explanation=explanation,
                                                   initial=initial, typed=values, error=said(problems) or "",
                                                   focus=named[0] if named else None))

            self.write(job)

        self.app.push_screen(ValuesDialog(title, prefilled, required=required, explanation=explanation,
                                          initial=chosen, error=error, focus=focus), done)

    def action_nominate(self) -> None:
        store = self.store

        def save(v: dict[str, str]) -> str:
            services.nominate(store, v["name"], v["track"], title=v["title"], country=v["country"],
                              institution=v["institution"], nominated_on=v["nominated_on"])
            return (f"{v['name']} nominated by BDT: serving" if v["track"] == Track.EXPERT.value
                    else f"{v['name']} nominated: awaiting the BDT Director's approval")

        self.form("Nominate a Board member", [
            ("name", "Name", ""), ("track", "Track", [(t.value, TRACK_SHORT[t]) for t in Track]),
            ("title", "Title", ""), ("country", "Country", ""), ("institution", "Institution", ""),
            ("nominated_on", "Nominated on", current_day().isoformat())], save, required=("name", "track"),
            explanation="[dim]Track 1: officials nominated by their country (ISO code) or institution, approved "
                        "by the BDT Director. Track 2: experts and partners nominated by BDT (the decision).[/]")

    def _pending(self) -> dict[str, Any] | None:
        m = self._current("members-table", "members")
        if m is None or self.active_tab() != "members":
            return None
        if m["track"] == Track.EXPERT.value:
            self.notify(f"{m['name']} is track 2: nominated by BDT, which is the decision; no approval to record.")
            return None
        if m["approval"] != Approval.PENDING.value:
            self.notify(f"{m['name']}'s nomination was {m['approval']} on {m['approval_on']} already.")
            return None
        return m

    def action_approve(self) -> None:
        m = self._pending()
        if m is None:
            return
        store = self.store

        def save(v: dict[str, str]) -> str:
            done = services.approve(store, m["id"], v["approval_on"], v["term_start"], v["term_end"])
            return f"{done.name}: approved by the BDT Director; serving from {done.term_start}"

        today = current_day().isoformat()
        self.form(f"Approve: {m['name']}", [("approval_on", "Approved on", today), ("term_start", "Term starts", today),
                                            ("term_end", "Term ends", "")], save, required=("approval_on",),
                  explanation="[dim]The BDT Director's approval of a track-1 nomination. Term ends: the first day "
                              "no longer served (empty: open).[/]")

    def action_decline(self) -> None:
        m = self._pending()
        if m is None:
            return
        store = self.store

        def save(v: dict[str, str]) -> str:
            return f"{services.decline(store, m['id'], v['approval_on']).name}: nomination declined"

        self.form(f"Decline: {m['name']}", [("approval_on", "Declined on", current_day().isoformat())], save,
                  required=("approval_on",))

    def action_end_term(self) -> None:
        m = self._current("members-table", "members")
        if m is None or self.active_tab() != "members":
            return
        store = self.store

        def save(v: dict[str, str]) -> str:
            return f"{services.end_term(store, m['id'], v['term_end']).name}: term ends on {v['term_end']}"

        self.form(f"End the term: {m['name']}", [("term_end", "Term ends", current_day().isoformat())], save,
                  required=("term_end",), explanation="[dim]From that day the member no longer serves.[/]")

    def action_new_meeting(self) -> None:
        store = self.store

        def save(v: dict[str, str]) -> str:
            services.new_meeting(store, v["title"], v["meets_on"], v["place"], v["agenda"])
            return f"Meeting planned: {v['title']}"

        self.form("Plan a Board meeting", [("title", "Title", ""), ("meets_on", "Date", ""), ("place", "Place", ""),
                                           ("agenda", "Agenda", "")], save, required=("title", "meets_on"),
                  explanation="[dim]Date: YYYY-MM-DD. Cases are put on its agenda from the case (t).[/]")

    def action_held(self) -> None:
        mt = self._current("meetings-table", "meetings")
        if mt is None or self.active_tab() != "meetings":
            return
        store = self.store

        def save(v: dict[str, str]) -> str:
            return f"{services.meeting_held(store, mt['id'], v['minutes']).title}: held"

        self.form(f"Held: {mt['title']}", [("minutes", "Minutes ref", mt["minutes_ref"] or "")], save)

    def action_decide(self) -> None:
        if self.data is None:
            return
        tab = self.active_tab()
        if tab == "items":
            item = self._current("items-table", "items")
            choices = [item] if item is not None and item["decision"] is None else []
        elif tab == "meetings":
            mt = self._current("meetings-table", "meetings")
            choices = [i for i in self.data.items if mt is not None and i["meeting_id"] == mt["id"]
                       and i["decision"] is None]
        else:
            choices = [i for i in self.data.items if i["decision"] is None]
        if not choices:
            self.notify("No matter awaiting the Board here: a case is put to the Board from the case (t).")
            return
        store = self.store

        def save(v: dict[str, str]) -> str:
            done = services.record_decision(store, v["item"], v["decision"], v["reference"], v["decided_on"], v["note"])
            return f"The Board's decision recorded: {DECISION_LABELS[Decision(done.decision or '')]}"

        self.form("Record the Board's decision", [
            ("item", "Matter", [(i["id"], f"{i['ref']} {i['matter']}") for i in choices]),
            ("decision", "Decision", DECISION_CHOICES), ("reference", "Reference", ""),
            ("decided_on", "Decided on", current_day().isoformat()), ("note", "Conditions", "")],
            save, required=("item", "decision", "reference", "decided_on"),
            initial={"item": choices[0]["id"]},
            explanation="[dim]Reference: the decision's or the minutes' number. Conditions: of an approval with "
                        "conditions, or the advice given.[/]")

    def action_policy(self) -> None:
        if self.data is None:
            return
        turn_on = not self.data.policy
        store = self.store

        def job() -> Written:
            services.set_board_policy(store, turn_on)
            return Written(f"Policy on: {SETTING_WORDS[BOARD_POLICY]}" if turn_on
                           else "Policy off: no Board decision is required")

        def done(yes: bool | None) -> None:
            if yes:
                self.write(job)

        question = ("Require a Board decision before a renewal or upgrade leaves its stage? The lab's policy: "
                    "it travels to every site with the next bundles." if turn_on else
                    "Stop requiring a Board decision before a renewal or upgrade leaves its stage?")
        self.app.push_screen(ConfirmDialog(question, yes="Turn on" if turn_on else "Turn off", no="Keep as is"), done)
