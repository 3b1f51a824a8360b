"""One case: a tab per accelerator stage with its fields and live gate checklist, the moves along
the path, and the case's history and notes."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical, VerticalScroll
from textual.message import Message
from textual.widgets import Header, Input, Select, Static, TabbedContent, Tabs, TextArea

from dtlab.db.cases import case_detail, get_case
from dtlab.db.history import case_history
from dtlab.db.plans import PLAN_STAGES, case_plan
from dtlab.db.queries import form_choices
from dtlab.domain.fields import FieldError, parse_number
from dtlab.domain.gates import outside_membership
from dtlab.domain.monitoring import Anchor, Replanned
from dtlab.domain.stages import STAGE_ORDER, Stage, Status
from dtlab.errors import Invalid, NotFound
from dtlab.i18n import N_, Translated, _, ngettext
from dtlab.present.concept_text import classification_words
from dtlab.present.labels import STAGE_LABELS, STAGE_TABS, STATUS_LABELS, membership_choices
from dtlab.present.safe import from_markup, shown
from dtlab.screens.case_board import CaseBoard, board_markup
from dtlab.screens.case_moves import MOVE_ACTIONS, CaseMoves, Loaded
from dtlab.screens.case_tabs import (
    STAGE_FIELDS,
    CaseTabs,
    StagePane,
    centre_markup,
    checklist_markup,
    evaluations_markup,
    history_markup,
    kpis_markup,
    saved_message,
)
from dtlab.screens.messages import Written
from dtlab.screens.plan_forms import make_plan
from dtlab.screens.replan_dialog import ReplanDialog, plan_markup, replan_question
from dtlab.services.cases import add_note, parse_date, update_case
from dtlab.services.evaluations import start_evaluation
from dtlab.services.plans import add_kpi_to_plan, update_and_replan
from dtlab.widgets.dialogs import ReasonDialog, ValuesDialog
from dtlab.widgets.fields import FieldForm
from dtlab.widgets.footer import KeysFooter

if TYPE_CHECKING:
    from dtlab.db.store import Store

# An evaluation's state (db.concept), as the evaluation picker says it.
EVALUATION_STATES = Translated({"draft": N_("draft"), "submitted": N_("submitted")})


def current_day() -> date:
    """The day accreditation periods are judged on (tests fix it)."""
    return date.today()


def read_case(store: Store, ref: str, with_choices: bool = True) -> Loaded:
    """All the case screen shows of a case, in one transaction (NotFound when there is none)."""
    with store.read() as session:
        detail = case_detail(session, ref, current_day())
        history = case_history(session, ref)
        choices = form_choices(session) if with_choices else None
        plan = case_plan(session, get_case(session, ref), current_day()) if detail.get("centre") else None
    return Loaded(detail, history, choices, plan)


class CaseScreen(CaseMoves, CaseBoard):
    """A case. Letters act when no field has focus (Escape leaves a field)."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+s", "save", N_("Save"), id="case.save", tooltip=N_("Save the fields of this tab")),
        Binding("a", "advance", N_("Advance"), id="case.advance",
                tooltip=N_("Move to the next stage if its gate is met")),
        Binding("o", "override", N_("Override"), id="case.override",
                tooltip=N_("Advance although the gate is not met, with a written reason")),
        Binding("b", "back", N_("Back"), id="case.back", tooltip=N_("Send the case back one stage"), show=False),
        Binding("n", "note", N_("Note"), id="case.note", tooltip=N_("Add a note to the case")),
        Binding("w", "withdraw", N_("Withdraw"), id="case.withdraw", tooltip=N_("The applicant withdrew"),
                show=False),
        Binding("x", "decline", N_("Decline"), id="case.decline", tooltip=N_("Decline the request"), show=False),
        Binding("c", "close_case", N_("Close"), id="case.close", tooltip=N_("Close the case"), show=False),
        Binding("r", "reopen", N_("Reopen"), id="case.reopen", tooltip=N_("Reopen an ended case")),
        Binding("e", "evaluate", N_("Evaluate"), id="case.evaluate",
                tooltip=N_("Score the concept design against the rubric, or read an evaluation"), show=False),
        Binding("v", "review", N_("Review"), id="case.review",
                tooltip=N_("The evaluators side by side and the recommended centre type, with reasons"), show=False),
        Binding("k", "add_kpi", N_("KPI"), id="case.kpi", tooltip=N_("Add a KPI to the monitoring plan"), show=False),
        Binding("m", "centre", N_("Centre"), id="case.centre",
                tooltip=N_("The centre: accreditation timeline, results, KPIs, milestones")),
        Binding("p", "make_plan", N_("Make plan"), id="case.plan",
                tooltip=N_("Make the monitoring plan from the centre type's template")),
        Binding("h", "show_tab('history')", N_("History"), id="case.history", tooltip=N_("The case's history"),
                show=False),
        Binding("t", "put_to_board", N_("To Board"), id="case.board",
                tooltip=N_("Put the case to the Digital Innovation Board (a renewal, an upgrade, an accreditation, "
                           "a closure)"), show=False),
        Binding("escape", "leave", N_("Leave"), id="case.leave",
                tooltip=N_("Leave a text field; from outside fields, return to the previous screen")),
    ]

    @dataclass
    class CaseRead(Message):
        """The case was read (again)."""

        loaded: Loaded

    @dataclass
    class CaseGone(Message):
        """There is no such case (any more): `text` says so."""

        text: str

    @dataclass
    class EvaluationOpened(Message):
        """The evaluation to show: the one picked, or one just started."""

        evaluation_id: str

    @dataclass
    class ReplanAsked(Message):
        """A save held back until the user says what the milestones it moves should do."""

        changes: dict[str, str]
        preview: list[Replanned]
        based_on: dict[str, str]  # the changed fields' values as the user saw them

    def __init__(self, ref: str, loaded: Loaded | None = None):
        """`loaded`: the case read already (`DtlabApp.open_case`), shown as the screen is
        mounted; otherwise it is read then."""
        super().__init__()
        self.ref = ref
        self.preloaded = loaded
        self.loaded: Loaded | None = None
        self.forms: dict[Stage, FieldForm] = {}
        # Kept once the tabs are built: check_action asks which tab is in front for every
        # binding on every refresh, and searching the screen each time made keys feel slow.
        self.tabbed: TabbedContent | None = None
        self.shown_stage: Stage | None = None

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(from_markup(_("Loading {ref}…").format(ref=shown(self.ref))), id="case-summary")
        # The tabs are laid out while the case is read (the read runs in a thread); only the
        # stage in front is filled, once it is in.
        with Vertical(id="case-body"):
            yield CaseTabs()
        yield KeysFooter()

    def before_relabel(self) -> None:
        # Composed anew: the tabs and forms are built again from the case as read (a stage's
        # fields then take back what was typed in them: FieldForm.load).
        if self.loaded is not None:
            self.preloaded, self.loaded = self.loaded, None
        self.forms, self.tabbed, self.shown_stage = {}, None, None

    async def on_mount(self) -> None:
        if self.preloaded is None:
            self.load()
            return
        # Filled before the first frame: the screen is laid out and its footer's keys drawn once.
        loaded, self.preloaded = self.preloaded, None
        await self.show(loaded)

    # --- reading ---------------------------------------------------------------------------------

    @work(thread=True, exclusive=True, exit_on_error=False, group="case-load")
    def load(self) -> None:
        try:
            loaded = read_case(self.store, self.ref, with_choices=self.loaded is None)
        except NotFound as gone:
            self.post_result(self.CaseGone(str(gone)))
            return
        self.post_result(self.CaseRead(loaded))

    async def on_case_screen_case_read(self, message: CaseRead) -> None:
        await self.show(message.loaded)

    def on_case_screen_case_gone(self, message: CaseGone) -> None:
        self.notify(message.text, severity="error")
        self.dismiss_screen()

    def on_case_screen_evaluation_opened(self, message: EvaluationOpened) -> None:
        from dtlab.screens.evaluation import EvaluationScreen

        def back(_wrote: bool | None) -> None:
            self.load()

        self.dtlab.open_screen(EvaluationScreen(message.evaluation_id), back)

    def on_case_screen_replan_asked(self, message: ReplanAsked) -> None:
        self.ask_replan(message)

    def on_written(self, message: Written) -> None:
        if message.text:
            self.notify(message.text)
        self.load()

    def worker_failed(self, error: BaseException | None) -> None:
        self.handle_write_error(error)

    async def show(self, loaded: Loaded) -> None:
        first = self.loaded is None
        if loaded.choices is None and self.loaded is not None:
            loaded.choices = self.loaded.choices
        self.loaded = loaded
        detail = loaded.detail
        self.ref = detail["ref"]
        if first:
            await self.build(loaded)
        self.fill()

    def fill(self) -> None:
        assert self.loaded is not None and self.tabbed is not None  # built before it is filled
        tabbed = self.tabbed
        detail = self.loaded.detail
        current = Stage(detail["stage"])
        status = detail["status"]
        status_text = "" if status == "open" else f" · [b red]{shown(STATUS_LABELS[Status(status)].upper())}[/]"
        outside = " (" + _("not an ITU member") + ")" if outside_membership(detail["category"]) else ""
        applicant = detail["applicant"] or _("no applicant yet")
        summary = (f"[b]{shown(detail['ref'])}[/b] {shown(detail['title'])}\n"
                   f"[dim]{STAGE_LABELS[current]}{status_text} · {shown(detail['country'])} "
                   f"({shown(detail['region'])})"
                   f" · {shown(applicant)}{outside}[/]")
        # Two lines, each cut with … at the edge (app.tcss): a long title wrapped and pushed the
        # stage, country and applicant out of the header.
        self.query_one("#case-summary", Static).update(from_markup(summary))
        for stage in self.forms:
            if self.query_one(f"#pane-{stage.value}", StagePane).built:
                self.fill_stage(stage)
            tab = tabbed.get_tab(f"tab-{stage.value}")
            tab.label = ("▶ " if stage is current else "") + STAGE_TABS[stage]
        self.query_one("#history-text", Static).update(from_markup(history_markup(self.loaded.history)))
        notes = detail["notes"]
        # A note keeps its line breaks: it is the one multi-line text here.
        self.query_one("#notes-text", Static).update(from_markup(
            "\n".join(f"[dim]{n['at']:%Y-%m-%d %H:%M} UTC · {shown(n['author'])}[/]\n"
                      f"{shown(n['body'], multiline=True)}\n"
                      for n in reversed(notes)) or _("No notes yet. Press n to add one.")))
        self.refresh_bindings()  # the moves on offer follow the case's stage and status
        if current is not self.shown_stage:
            # Opening the case, or a move: show the stage the case is now at.
            tabbed.active = f"tab-{current.value}"
            tabbed.query_one(Tabs).focus()
            self.shown_stage = current

    def fill_stage(self, stage: Stage) -> None:
        """One stage's tab, once built: its fields, whether they can be edited, what the stage
        adds (evaluations, the plan, the centre) and its gate."""
        assert self.loaded is not None
        detail, plan = self.loaded.detail, self.loaded.plan
        current = Stage(detail["stage"])
        form = self.forms[stage]
        form.load(self.loaded.values)
        ahead = stage.position > current.position
        form.set_read_only(ahead)
        self.query_one(f"#title-{stage.value}", Static).update(
            f"[b]{STAGE_LABELS[stage]}[/b]" + (" [dim](" + _("not reached yet: read-only") + ")[/]" if ahead else ""))
        active = stage is current and detail["status"] == "open"
        self.query_one(f"#gate-{stage.value}", Static).update(
            from_markup(checklist_markup(detail["checklists"][stage.value], active)))
        extra = self.query_one(f"#extra-{stage.value}", Static)
        if stage is Stage.CONCEPT_DESIGN:
            extra.update(from_markup(evaluations_markup(detail)))
        elif stage is Stage.IMPLEMENTATION:
            extra.update(from_markup(kpis_markup(detail) if plan is None else plan_markup(plan)))
        elif stage in (Stage.OPERATION, Stage.RENEWAL):
            extra.update(from_markup(centre_markup(detail) + board_markup(detail)
                                     + ("\n" + plan_markup(plan) if plan is not None else "")))

    async def build(self, loaded: Loaded) -> None:
        choices = loaded.choices
        assert choices is not None
        options = {"categories": membership_choices(choices.categories),
                   "centre_types": choices.centre_types,
                   "countries": choices.countries, "organisations": choices.organisations, "calls": choices.calls}
        self.forms = {stage: FieldForm(STAGE_FIELDS[stage], options, id=f"form-{stage.value}")
                      for stage in STAGE_ORDER}
        for stage, form in self.forms.items():
            self.query_one(f"#pane-{stage.value}", StagePane).form = form
        self.tabbed = self.query_one(TabbedContent)
        current = Stage(loaded.detail["stage"])
        await self.query_one(f"#pane-{current.value}", StagePane).build()

    # --- writing ---------------------------------------------------------------------------------

    def action_save(self) -> None:
        form = self.active_form()
        if form is None or self.loaded is None:
            return
        changes = form.changes()
        if not changes:
            self.notify(_("Nothing to save."))
            return
        form.show_errors({})
        store, ref = self.store, self.ref
        anchors = {Anchor.LAUNCH: "launch_on", Anchor.ACCREDITATION: "accredited_on"}
        moved = {anchor: changes[name] for anchor, name in anchors.items() if name in changes}
        if moved and self.loaded.plan and self.loaded.plan["milestones"]:
            self.save_with_replan(changes, moved)
            return

        based_on = {name: form.loaded.get(name, "") for name in changes}  # what the user saw

        def job() -> Written:
            return Written(saved_message(update_case(store, ref, changes, based_on)))

        self.write(job)

    def save_with_replan(self, changes: dict[str, str], moved: dict[Anchor, str]) -> None:
        """A launch or accreditation date is changing under a plan: read which milestone dates
        would follow (in the background), then ask before re-planning them."""
        store, ref = self.store, self.ref
        form = self.active_form()
        based_on = {name: form.loaded.get(name, "") for name in changes} if form else {}

        def job() -> Message:
            try:
                dates = {anchor: parse_date(text, "date") if text else None for anchor, text in moved.items()}
            except Invalid:  # the field's own error says why
                return Written(saved_message(update_case(store, ref, changes, based_on)))
            preview = replan_question(store, ref, dates)
            if not preview:
                return Written(saved_message(update_case(store, ref, changes, based_on)))
            return self.ReplanAsked(changes, preview, based_on)

        self.write(job)

    def ask_replan(self, pending: ReplanAsked) -> None:
        store, ref = self.store, self.ref

        def done(accept: bool | None) -> None:
            if accept is None:
                return  # back to the form, nothing saved

            def job() -> Written:
                changed, n = update_and_replan(store, ref, pending.changes, pending.preview if accept else [],
                                               pending.based_on)
                replanned = ngettext("{n} milestone re-planned", "{n} milestones re-planned", n).format(n=f"{n:,}")
                return Written(saved_message(changed) + (f"; {replanned}" if n else ""))

            self.write(job)

        self.app.push_screen(ReplanDialog(pending.preview), done)

    def action_note(self) -> None:
        store, ref = self.store, self.ref

        def done(text: str | None) -> None:
            if not text:
                return

            def job() -> Written:
                add_note(store, ref, text)
                return Written(_("Note added"))

            self.write(job)

        self.app.push_screen(ReasonDialog(_("Add a note"), _("Notes are kept as written; they are never edited."),
                                          placeholder=_("note")), done)

    def action_review(self) -> None:
        from dtlab.screens.concept_review import ConceptReviewScreen

        if self.loaded is not None:
            self.app.push_screen(ConceptReviewScreen(self.loaded.detail))

    def action_evaluate(self) -> None:
        """Open an evaluation: the one picked, or a new one (an evaluator's draft is continued)."""
        store = self.store
        existing = self.loaded.detail["evaluations"] if self.loaded else []
        fields: list[tuple[str, str, list[tuple[str, str]] | str]] = []
        if existing:
            options = [(e["id"], _("{evaluator} · rev {revision} · {state}").format(
                evaluator=e["evaluator"], revision=e["revision"], state=EVALUATION_STATES.get(e["state"], e["state"]))
                        + (f" · {classification_words(e['classification'])}" if e["classification"] else ""))
                       for e in reversed(existing)]
            fields.append(("open", _("Open"), options))
        fields.append(("evaluator", _("New, by") if existing else _("Evaluator"), store.actor))

        def done(values: dict[str, str] | None) -> None:
            if values:
                self.open_evaluation(values.get("open") or None, values["evaluator"])

        self.app.push_screen(ValuesDialog(
            _("Evaluate the concept design"), fields, ok=_("Open"),
            check=lambda v: None if v.get("open") or v["evaluator"] else _("Pick an evaluation or name the evaluator")),
            done)

    @work(thread=True, exclusive=True, exit_on_error=False, group="case-evaluation")
    def open_evaluation(self, evaluation_id: str | None, evaluator: str) -> None:
        # An evaluator who has submitted sees that evaluation (and can amend it) rather than a refusal.
        opened = evaluation_id or start_evaluation(self.store, self.ref, evaluator, or_submitted=True)
        self.post_result(self.EvaluationOpened(opened))

    def action_add_kpi(self) -> None:
        store, ref = self.store, self.ref

        def numbers(values: dict[str, str]) -> str | None:
            for key in ("baseline", "target"):
                try:
                    parse_number(values[key], key)  # the field rule: empty, or a finite number
                except FieldError:
                    return (_("The baseline must be a number (e.g. 40 or 12.5).") if key == "baseline" else
                            _("The target must be a number (e.g. 40 or 12.5)."))
            return None

        def done(values: dict[str, str] | None) -> None:
            if not values:
                return
            baseline = parse_number(values["baseline"], "baseline")
            target = parse_number(values["target"], "target")

            def job() -> Written:
                add_kpi_to_plan(store, ref, values["name"], values["unit"], baseline, target)
                return Written(_("KPI added"))

            self.write(job)

        self.app.push_screen(ValuesDialog(_("Add a KPI"), [
            ("name", _("Indicator"), ""), ("unit", _("Unit"), ""), ("baseline", _("Baseline"), ""),
            ("target", _("Target"), "")], required=("name",), check=numbers), done)

    def action_centre(self) -> None:
        from dtlab.screens.centre import CentreScreen

        def back(_result: None) -> None:
            self.load()  # the plan's summary on the stage tabs follows what was done there

        self.dtlab.open_screen(CentreScreen(self.ref), back)

    def action_make_plan(self) -> None:
        store, ref = self.store, self.ref

        self.write(lambda: Written(make_plan(store, ref)))

    def action_show_tab(self, tab: str) -> None:
        self.query_one(TabbedContent).active = f"tab-{tab}"
        if tab in ("history", "notes"):
            # So that PageDown and the arrows scroll the log straight away.
            self.query_one(f"#tab-{tab} VerticalScroll", VerticalScroll).focus()

    def action_leave(self) -> None:
        focused = self.focused
        if isinstance(focused, (Input, TextArea, Select, VerticalScroll)):
            # The first Escape leaves the field (or the history being read), so the letter keys act
            # again; the next leaves the case.
            self.query_one(TabbedContent).query_one(Tabs).focus()
            return
        self.dtlab.leave_screens([self], self.dismiss_screen)

    @property
    def identity(self) -> tuple[str, str]:
        """The case this screen shows: it is opened once (DtlabApp.open_screen)."""
        return self.identity_of(self.ref)

    @staticmethod
    def identity_of(ref: str) -> tuple[str, str]:
        return ("case", ref.upper())

    def unsaved_what(self) -> str:
        return f"{self.ref} ({', '.join(STAGE_TABS[s] for s in self.unsaved())})"

    def dismiss_screen(self) -> None:
        if len(self.app.screen_stack) > 1:
            self.app.pop_screen()

    @on(TabbedContent.TabActivated)
    async def tab_changed(self, event: TabbedContent.TabActivated) -> None:
        panes = event.pane.query(StagePane)
        if panes and self.loaded is not None and await panes.first().build():
            self.fill_stage(panes.first().stage)
        self.refresh_bindings()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Offer only the moves that make sense for the case as it stands."""
        if self.loaded is None:
            return action == "leave" or None  # the rest waits for the case to load
        if action in MOVE_ACTIONS:
            # The footer shows a move only where the path allows it; the moves kept out of the
            # footer (b, w, x, c, o) stay live, and pressed where they cannot apply, say why.
            return self.move_allowed(MOVE_ACTIONS[action]) if action in ("advance", "reopen") else True
        if action in ("evaluate", "review"):
            return self.active_stage() is Stage.CONCEPT_DESIGN
        if action == "add_kpi":
            return self.active_stage() is Stage.IMPLEMENTATION
        plan = self.loaded.plan
        plan_tab = self.active_stage() in PLAN_STAGES
        if action == "centre":
            return plan is not None and plan_tab
        if action == "make_plan":
            return plan is not None and plan_tab and plan["editable"] and not plan["from_template"]
        if action == "save":
            return self.active_form() is not None
        return True
