"""The Board screen's forms, apart: a nomination, the Director's approval or refusal, the end of a
term, a meeting planned or held, the Board's decision, the policy. A save the use case refuses
reopens its form with what was typed and the reason, so nothing typed is lost."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

from textual.message import Message

from dtlab.domain.board import (
    BOARD_POLICY,
    DECISION_LABELS,
    MATTER_LABELS,
    SETTING_WORDS,
    TRACK_SHORT,
    Approval,
    Decision,
    Matter,
    Track,
)
from dtlab.errors import Invalid
from dtlab.i18n import N_, Translated, _, pgettext
from dtlab.screens.base import DtlabScreen
from dtlab.screens.forms import Fields, ask
from dtlab.screens.messages import Written
from dtlab.services import board as services
from dtlab.widgets.dialogs import ConfirmDialog

# A nomination the Director has decided already, said whole (no participle glued to a sentence).
DECIDED_ALREADY = Translated({Approval.APPROVED.value: N_("{name}'s nomination was approved on {day} already."),
                              Approval.DECLINED.value: N_("{name}'s nomination was declined on {day} already.")})
NO_TERM = Translated({Approval.PENDING.value: N_("{name} has no term to end: the nomination is pending."),
                      Approval.DECLINED.value: N_("{name} has no term to end: the nomination is declined.")})


def decision_choices() -> list[tuple[str, str]]:
    """The decisions a form offers, in the language in use."""
    return [(d.value, DECISION_LABELS[d].capitalize()) for d in Decision]


@dataclass
class Saved(Written):
    """A form saved: `row` is the id of the record it wrote, for the screen to keep the cursor on."""

    row: str = ""


# What a form's save returns: what was written, or that and the id of the record written.
Done = str | tuple[str, str]


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

    def action_tab(self, tab: str) -> None:
        raise NotImplementedError

    def form(self, title: str, fields: Fields, save: Callable[[dict[str, str]], Done], *,
             required: tuple[str, ...] = (), explanation: str = "", initial: dict[str, str] | None = None,
             focus: str | None = None) -> None:
        """Ask with a form that saves in the background (`forms.ask`); `save` says what it wrote
        and, with it, the id of the record written, for the cursor."""
        def saved(values: dict[str, str]) -> Saved:
            done = save(values)
            return Saved(done, "") if isinstance(done, str) else Saved(*done)

        ask(self.app, self.write, title, fields, saved, required=required, explanation=explanation, initial=initial,
            focus=focus)

    def action_nominate(self) -> None:
        self.action_tab("members")  # where the nomination will be
        store = self.store

        def save(v: dict[str, str]) -> Done:
            member = services.nominate(store, v["name"], v["track"], title=v["title"], country=v["country"],
                                       institution=v["institution"], nominated_on=v["nominated_on"])
            said = (_("{name} nominated by BDT: serving") if v["track"] == Track.EXPERT.value
                    else _("{name} nominated: awaiting the BDT Director's approval"))
            return said.format(name=v["name"]), member

        self.form(_("Nominate a Board member"), [
            ("name", _("Name"), ""), ("track", _("Track"), [(t.value, TRACK_SHORT[t]) for t in Track]),
            ("title", pgettext("person", "Title"), ""), ("country", _("Country"), ""),
            ("institution", _("Institution"), ""),
            ("nominated_on", _("Nominated on"), current_day().isoformat())], save, required=("name", "track"),
            explanation="[dim]" + _("Track 1: officials nominated by their country (ISO code or name) or institution, "
                                    "approved by the BDT Director. Track 2: experts and partners nominated by BDT (the "
                                    "decision).") + "[/]")

    def _pending(self) -> dict[str, Any] | None:
        """The highlighted nomination awaiting the Director; for any other member, why not (a key
        that does nothing would leave the user guessing)."""
        m = self._current("members-table", "members")
        if m is None or self.active_tab() != "members":
            self.notify(_("No member highlighted: n records a nomination."), severity="warning")
            return None
        if m["track"] == Track.EXPERT.value:
            self.notify(_("{name} is track 2: nominated by BDT, which is the decision; no approval to "
                          "record.").format(name=m["name"]), severity="warning")
            return None
        if m["approval"] != Approval.PENDING.value:
            self.notify(DECIDED_ALREADY[m["approval"]].format(name=m["name"], day=m["approval_on"]),
                        severity="warning")
            return None
        return m

    def action_approve(self) -> None:
        m = self._pending()
        if m is None:
            return
        store = self.store

        def save(v: dict[str, str]) -> Done:
            done = services.approve(store, m["id"], v["approval_on"], v["term_start"], v["term_end"])
            return _("{name}: approved by the BDT Director; serving from {day}").format(
                name=done.name, day=done.term_start), m["id"]

        today = current_day().isoformat()
        self.form(_("Approve: {name}").format(name=m["name"]), [
            ("approval_on", _("Approved on"), today), ("term_start", _("Term starts"), today),
            ("term_end", _("Term ends"), "")], save, required=("approval_on",),
            explanation="[dim]" + _("The BDT Director's approval of a track-1 nomination. Term ends: the first day "
                                    "no longer served (empty: open).") + "[/]")

    def action_decline(self) -> None:
        m = self._pending()
        if m is None:
            return
        store = self.store

        def save(v: dict[str, str]) -> Done:
            name = services.decline(store, m["id"], v["approval_on"]).name
            return _("{name}: nomination declined").format(name=name), m["id"]

        self.form(_("Decline: {name}").format(name=m["name"]),
                  [("approval_on", _("Declined on"), current_day().isoformat())], save, required=("approval_on",))

    def action_end_term(self) -> None:
        m = self._current("members-table", "members")
        if m is None or self.active_tab() != "members":
            return
        if m["approval"] != Approval.APPROVED.value:
            self.notify(NO_TERM[m["approval"]].format(name=m["name"]), severity="warning")
            return
        store = self.store

        def save(v: dict[str, str]) -> Done:
            name = services.end_term(store, m["id"], v["term_end"]).name
            return _("{name}: term ends on {day}").format(name=name, day=v["term_end"]), m["id"]

        self.form(_("End the term: {name}").format(name=m["name"]),
                  [("term_end", _("Term ends"), current_day().isoformat())], save, required=("term_end",),
                  explanation="[dim]" + _("From that day the member no longer serves. Recorded by mistake? End the "
                                          "term on its first day: no day served.") + "[/]")

    def action_new_meeting(self) -> None:
        self.action_tab("meetings")  # where the meeting will be
        store = self.store

        def save(v: dict[str, str]) -> Done:
            meeting = services.new_meeting(store, v["title"], v["meets_on"], v["place"], v["agenda"])
            said = (_("Meeting planned: {title} (a past day: h records it held)")
                    if v["meets_on"].strip() < current_day().isoformat() else _("Meeting planned: {title}"))
            return said.format(title=v["title"]), meeting

        self.form(_("Plan a Board meeting"), [("title", _("Title"), ""), ("meets_on", _("Date"), ""),
                                              ("place", _("Place"), ""), ("agenda", _("Agenda"), "")], save,
                  required=("title", "meets_on"),
                  explanation="[dim]" + _("Date: YYYY-MM-DD. Cases are put on its agenda from the case (t).") + "[/]")

    def _meeting(self) -> dict[str, Any] | None:
        mt = self._current("meetings-table", "meetings")
        if mt is None or self.active_tab() != "meetings":
            self.notify(_("No meeting highlighted: m plans one."), severity="warning")
        return mt

    def action_edit_meeting(self) -> None:
        mt = self._meeting()
        if mt is None:
            return
        store = self.store

        def save(v: dict[str, str]) -> Done:
            done = services.edit_meeting(store, mt["id"], meets_on=v["meets_on"], title=v["title"], place=v["place"],
                                         agenda=v["agenda"])
            return _("Meeting changed: {title} on {day}").format(title=done.title, day=done.meets_on), mt["id"]

        self.form(_("Change the meeting: {title}").format(title=mt["title"]), [
            ("title", _("Title"), mt["title"]), ("meets_on", _("Date"), mt["meets_on"].isoformat()),
            ("place", _("Place"), mt["place"] or ""), ("agenda", _("Agenda"), mt["agenda"] or "")], save,
            required=("title", "meets_on"),
            explanation="[dim]" + _("A planned meeting moved to another day, or a held one's date corrected.") + "[/]")

    def action_held(self) -> None:
        mt = self._meeting()
        if mt is None:
            return
        if mt["status"] == "held":
            said = (_("{title} is recorded held already (minutes {ref}).") if mt["minutes_ref"]
                    else _("{title} is recorded held already."))
            self.notify(said.format(title=mt["title"], ref=mt["minutes_ref"]))
            return
        store = self.store

        def save(v: dict[str, str]) -> Done:
            return _("{title}: held").format(title=services.meeting_held(store, mt["id"], v["minutes"]).title), mt["id"]

        self.form(_("Held: {title}").format(title=mt["title"]),
                  [("minutes", _("Minutes ref"), mt["minutes_ref"] or "")], save)

    def action_move_item(self) -> None:
        item = self._current("items-table", "items")
        if self.data is None or item is None or self.active_tab() != "items":
            self.notify(_("No matter highlighted: a case is put to the Board from the case (t)."), severity="warning")
            return
        if item["decision"] is not None:
            self.notify(_("The Board decided this matter already: it stays with the meeting that decided it."),
                        severity="warning")
            return
        store = self.store
        planned = [("", _("no meeting yet"))] + [(m["id"], f"{m['meets_on']} {m['title']}")
                                                 for m in self.data.meetings if m["status"] == "planned"]
        matter = MATTER_LABELS[Matter(item["matter"])]

        def save(v: dict[str, str]) -> Done:
            services.move_item(store, item["id"], v["meeting"])
            return _("{ref} {matter}: moved").format(ref=item["ref"], matter=matter), item["id"]

        self.form(_("Move: {ref} {matter}").format(ref=item["ref"], matter=matter),
                  [("meeting", _("Meeting"), planned)], save, initial={"meeting": item["meeting_id"] or ""},
                  focus="meeting", explanation="[dim]" + _("To another planned meeting, or to none yet.") + "[/]")

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
            self.notify(_("No matter awaiting the Board here: a case is put to the Board from the case (t)."),
                        severity="warning")
            return
        store = self.store

        def save(v: dict[str, str]) -> Done:
            try:
                done = services.record_decision(store, v["item"], v["decision"], v["reference"], v["decided_on"],
                                                v["note"])
            except services.BeforeMeeting as early:  # the keys that are the way out
                # The decision dated before the meeting is the last problem (the use case puts it
                # there): its way out is on this screen, said after it. Not found by its words,
                # which are the language's.
                *others, before = early.problems
                problems = (*others, _("{problem} (Matters tab: v moves it; Meetings tab: e changes the "
                                       "date)").format(problem=before))
                raise Invalid("; ".join(problems), problems) from None
            decision = DECISION_LABELS[done.decision]
            if done.held:
                said = _("The Board's decision recorded: {decision}; {meeting} recorded held").format(
                    decision=decision, meeting=done.held)
            else:
                said = _("The Board's decision recorded: {decision}").format(decision=decision)
            return said, done.id

        self.form(_("Record the Board's decision"), [
            ("item", _("Matter"), [(i["id"], f"{i['ref']} {MATTER_LABELS[Matter(i['matter'])]}") for i in choices]),
            ("decision", _("Decision"), decision_choices()), ("reference", _("Reference"), ""),
            ("decided_on", _("Decided on"), current_day().isoformat()), ("note", _("Conditions"), "")],
            save, required=("item", "decision", "reference", "decided_on"),
            initial={"item": choices[0]["id"]},
            explanation="[dim]" + _("Reference: the decision's or the minutes' number. Conditions: of an approval "
                                    "with conditions, or the advice given. The meeting it was put to is recorded "
                                    "held.") + "[/]")

    def action_policy(self) -> None:
        if self.data is None:
            return
        turn_on = not self.data.policy
        store = self.store

        def job() -> Written:
            services.set_board_policy(store, turn_on)
            return Written(_("Policy on: {setting}").format(setting=SETTING_WORDS[BOARD_POLICY]) if turn_on
                           else _("Policy off: no Board decision is required"))

        def done(yes: bool | None) -> None:
            if yes:
                self.write(job)

        question = (_("Require a Board decision before a renewal or upgrade leaves its stage? The lab's policy: "
                      "it travels to every site with the next bundles.") if turn_on else
                    _("Stop requiring a Board decision before a renewal or upgrade leaves its stage?"))
        self.app.push_screen(ConfirmDialog(question, yes=_("Turn on") if turn_on else _("Turn off"),
                                           no=_("Keep as is")), done)
