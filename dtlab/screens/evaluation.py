"""The evaluation form: score each criterion of the rubric from the keyboard, read what each level
means, and watch the total, the caps and the classification change as you go. A draft is saved
with ctrl+s and locked with ctrl+u; a submitted evaluation opens read-only and can be amended as a
new revision."""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial
from typing import ClassVar

from textual import events, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical, VerticalScroll
from textual.message import Message
from textual.widgets import Header, Static

from dtlab.db.evaluations import Draft, load_draft
from dtlab.domain.rubric import LEVELS, Criterion, score
from dtlab.i18n import N_, _, ngettext
from dtlab.present.concept_text import classification_words, verdict_markup
from dtlab.present.safe import from_markup, plain, shown
from dtlab.screens.base import DtlabScreen
from dtlab.services.evaluations import amend_evaluation, discard_draft, save_scores, submit_evaluation
from dtlab.widgets.dialogs import ConfirmDialog, ReasonDialog
from dtlab.widgets.footer import KeysFooter


class CriterionRow(Vertical, can_focus=True):
    """One criterion: its name, weight and the five levels with the chosen one marked; below,
    what the chosen level means (or, with `l`, what every level means) and the evaluator's why."""

    def __init__(self, criterion: Criterion, total_weight: float, value: int | None, comment: str | None):
        super().__init__(classes="criterion-row")
        self.criterion, self.total_weight = criterion, total_weight
        self.value, self.comment, self.expanded = value, comment, False

    def compose(self) -> ComposeResult:
        yield Static("", classes="criterion-head")
        yield Static("", classes="criterion-body")

    def on_mount(self) -> None:
        self.redraw()

    def redraw(self) -> None:
        c = self.criterion
        share = f"{100 * c.weight / self.total_weight:g}%"
        critical = " [red]{}[/]".format(_("critical")) if c.critical else ""
        boxes = "".join(f"[reverse b] {n} [/]" if n == self.value else f" [dim]{n}[/] " for n in LEVELS)
        self.query_one(".criterion-head", Static).update(
            from_markup(f"{boxes}  [b]{shown(c.name)}[/] [dim]{share}[/]{critical}"))
        if self.expanded:
            lines = [f"[b]{n} {shown(text)}[/]" if n == self.value else f"[dim]{n}[/] {shown(text)}"
                     for n, text in enumerate(c.levels)]
        elif self.value is None:
            lines = [f"[dim]{shown(c.question)}[/]"]
        else:
            lines = [f"[i]{shown(c.levels[self.value])}[/]"]
        if self.comment:
            lines.append(_("[dim]why:[/] {comment}").format(comment=shown(self.comment, multiline=True)))
        self.query_one(".criterion-body", Static).update(from_markup("\n".join(lines)))

    @property
    def shown(self) -> str:
        """The row's text as on screen."""
        return "\n".join(str(s.render()) for s in self.query(Static))


class EvaluationScreen(DtlabScreen[bool]):
    """Dismisses with True when something was written (the case then reads itself again)."""

    @dataclass
    class DraftRead(Message):
        draft: Draft

    @dataclass
    class DraftSaved(Message):
        """The scores were kept as a draft."""

    @dataclass
    class Submitted(Message):
        """The evaluation was submitted and locked with this classification."""

        classification: str

    @dataclass
    class Amended(Message):
        """A new revision of the submitted evaluation was opened as a draft."""

        evaluation_id: str

    HELP_TITLE = N_("Evaluation")
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+s", "save", N_("Save draft"), id="evaluation.save", tooltip=N_("Keep the scores as a draft")),
        Binding("ctrl+u", "submit", N_("Submit"), id="evaluation.submit",
                tooltip=N_("Lock the evaluation; every criterion must be scored")),
        Binding("0", "score(0)", N_("Score 0-4"), id="evaluation.score0", tooltip=N_("Score the criterion 0")),
        Binding("1", "score(1)", show=False, id="evaluation.score1", tooltip=N_("Score the criterion 1")),
        Binding("2", "score(2)", show=False, id="evaluation.score2", tooltip=N_("Score the criterion 2")),
        Binding("3", "score(3)", show=False, id="evaluation.score3", tooltip=N_("Score the criterion 3")),
        Binding("4", "score(4)", show=False, id="evaluation.score4", tooltip=N_("Score the criterion 4")),
        Binding("down,j", "move(1)", N_("Next"), id="evaluation.next", tooltip=N_("Next criterion"), show=False),
        Binding("up,k", "move(-1)", N_("Previous"), id="evaluation.previous", tooltip=N_("Previous criterion"),
                show=False),
        Binding("l", "levels", N_("Levels"), id="evaluation.levels",
                tooltip=N_("Show what every level of the criterion means")),
        Binding("w", "why", N_("Why"), id="evaluation.why", tooltip=N_("Comment on the criterion's score")),
        Binding("m", "comment", N_("Comment"), id="evaluation.comment", tooltip=N_("An overall comment"),
                show=False),
        Binding("a", "amend", N_("Amend"), id="evaluation.amend",
                tooltip=N_("Start a new revision of this submitted evaluation")),
        Binding("escape", "leave", N_("Leave"), id="evaluation.leave",
                tooltip=N_("Back to the case (asks if unsaved)")),
    ]

    def __init__(self, evaluation_id: str):
        super().__init__()
        self.evaluation_id = evaluation_id
        self.draft: Draft | None = None
        self.scores: dict[str, int | None] = {}
        self.comments: dict[str, str | None] = {}
        self.comment: str | None = None
        self.dirty = False
        self.wrote = False
        self.current = 0  # the criterion the digit keys score
        self.last_scored: int | None = None
        self.fresh_amendment = False  # opened by `a` and not yet saved: discarded if left untouched

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(_("Loading the evaluation…"), id="evaluation-head")
        yield VerticalScroll(id="criteria", can_focus=False)
        yield Static("", id="evaluation-total")
        yield KeysFooter()

    def on_mount(self) -> None:
        self.load()

    @work(thread=True, exclusive=True, exit_on_error=False, group="evaluation-load")
    def load(self) -> None:
        with self.store.read() as session:
            self.post_result(self.DraftRead(load_draft(session, self.evaluation_id)))

    async def on_evaluation_screen_draft_read(self, message: DraftRead) -> None:
        await self.show(message.draft)

    async def show(self, draft: Draft) -> None:
        self.draft, self.evaluation_id = draft, draft.id
        self.scores, self.comments, self.comment = dict(draft.scores), dict(draft.comments), draft.comment
        self.dirty = False
        state = _("[b red]submitted: read-only[/] (a amends it)") if draft.submitted else _("draft")
        head = _("[b]{ref}[/b] · concept design evaluation by [b]{evaluator}[/b]").format(
            ref=shown(draft.ref), evaluator=shown(draft.evaluator))
        version = _("revision {revision} · rubric version {version} ·").format(
            revision=shown(draft.revision), version=shown(draft.rubric.version))
        self.query_one("#evaluation-head", Static).update(from_markup(f"{head}\n[dim]{version}[/] {state}"))
        box = self.query_one("#criteria", VerticalScroll)
        await box.remove_children()
        total_weight = sum(c.weight for c in draft.rubric.criteria)
        rows = [CriterionRow(c, total_weight, self.scores.get(c.id), self.comments.get(c.id))
                for c in draft.rubric.criteria]
        await box.mount(*rows)
        first_open = next((r for r in rows if r.value is None), rows[0])
        self.current = rows.index(first_open)
        first_open.focus(scroll_visible=False)
        # Scrolled to once the rows are laid out: scrolling on focus, before their heights are
        # known, stopped at a different place from run to run.
        self.call_after_refresh(first_open.scroll_visible, animate=False)
        self.show_total()
        self.refresh_bindings()

    def show_total(self) -> None:
        if self.draft is None:
            return
        result = score(self.draft.rubric, self.scores)
        scored = sum(1 for v in self.scores.values() if v is not None)
        if result.complete:
            head = _("Total [b]{percent}%[/] → {verdict}").format(percent=f"{result.percent:g}",
                                                                  verdict=verdict_markup(result.classification))
        else:
            head = ngettext("{scored} of {n} criterion scored", "{scored} of {n} criteria scored",
                            len(self.scores)).format(scored=scored, n=len(self.scores))
        unsaved = "  [yellow]· {}[/]".format(_("unsaved")) if self.dirty else ""
        lines = [head + unsaved]
        lines += [_("[red]capped:[/] {why}").format(why=shown(a.text(self.draft.rubric))) for a in result.caps]
        if self.comment:
            lines.append(_("[dim]comment:[/] {comment}").format(comment=shown(self.comment, multiline=True)))
        self.query_one("#evaluation-total", Static).update(from_markup("\n".join(lines)))

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        locked = self.draft is None or self.draft.submitted
        if action in ("save", "submit", "why", "comment"):
            return not locked
        if action == "amend":
            return self.draft is not None and self.draft.submitted
        return True

    # --- scoring ------------------------------------------------------------------------------------

    def row(self) -> CriterionRow | None:
        # Tracked here, not read from the focus: focusing is applied after the keys already
        # queued, so a quick "3 3 3" would otherwise score one criterion three times.
        rows = list(self.query(CriterionRow))
        return rows[self.current] if 0 <= self.current < len(rows) else None

    def on_descendant_focus(self, event: events.DescendantFocus) -> None:
        rows = list(self.query(CriterionRow))
        if isinstance(event.widget, CriterionRow) and event.widget in rows:
            self.current = rows.index(event.widget)

    def action_score(self, value: int) -> None:
        row = self.row()
        if row is None or self.draft is None:
            return
        if self.draft.submitted:
            self.notify(_("This evaluation is submitted and locked; a amends it as a new revision."),
                        severity="warning")
            return
        self.last_scored = self.current
        row.value = value
        self.scores[row.criterion.id] = value
        self.dirty = True
        row.redraw()
        self.show_total()
        self.action_move(1)

    def action_move(self, step: int) -> None:
        rows = list(self.query(CriterionRow))
        if not rows:
            return
        self.current = max(0, min(len(rows) - 1, self.current + step))
        target = rows[self.current]
        target.focus()
        target.scroll_visible()

    def action_levels(self) -> None:
        row = self.row()
        if row is not None:
            row.expanded = not row.expanded
            row.redraw()

    def action_why(self) -> None:
        row = self.row()
        if row is None:
            return
        if row.value is None and self.last_scored == self.current - 1:
            # Scoring moved on to the next criterion: the comment is about the score just given.
            row = list(self.query(CriterionRow))[self.last_scored]

        def done(text: str | None) -> None:
            if text is not None and row is not None:
                row.comment = text or None
                self.comments[row.criterion.id] = row.comment
                self.dirty = True
                row.redraw()
                self.show_total()

        self.app.push_screen(ReasonDialog(_("Why this score: {criterion}").format(criterion=row.criterion.name),
                                          plain(row.criterion.question), required=False, placeholder=_("comment")),
                             done)

    def action_comment(self) -> None:
        def done(text: str | None) -> None:
            if text is not None:
                self.comment = text or None
                self.dirty = True
                self.show_total()

        self.app.push_screen(ReasonDialog(_("Overall comment"), _("Shown with the evaluation and kept with it."),
                                          required=False, placeholder=_("comment")), done)

    # --- writing ------------------------------------------------------------------------------------

    def action_save(self) -> None:
        self.write(submit=False)

    def action_submit(self) -> None:
        assert self.draft is not None
        result = score(self.draft.rubric, self.scores)
        if not result.complete:
            names = ", ".join(self.draft.rubric.criterion(c).name for c in result.missing)
            self.notify(_("Score every criterion first; not yet: {criteria}").format(criteria=names),
                        severity="warning", timeout=8)
            return

        def done(yes: bool | None) -> None:
            if yes:
                self.write(submit=True)

        question = _("Submit this evaluation as {verdict} ({percent}%)?\n"
                     "Once submitted it is locked; a change is then a new revision.").format(
            verdict=verdict_markup(result.classification), percent=f"{result.percent:g}")
        self.app.push_screen(ConfirmDialog(question, yes=_("Submit"), no=_("Keep editing")), done)

    @work(thread=True, exclusive=True, exit_on_error=False, group="evaluation-write")
    def write(self, submit: bool) -> None:
        save_scores(self.store, self.evaluation_id, self.scores, self.comments, self.comment or "")
        if submit:
            self.post_result(self.Submitted(submit_evaluation(self.store, self.evaluation_id)))
        else:
            self.post_result(self.DraftSaved())

    def on_evaluation_screen_draft_saved(self, _message: DraftSaved) -> None:
        self.wrote, self.dirty, self.fresh_amendment = True, False, False
        self.notify(_("Draft saved"))
        self.show_total()

    def on_evaluation_screen_submitted(self, message: Submitted) -> None:
        self.wrote, self.dirty, self.fresh_amendment = True, False, False
        self.notify(_("Submitted: {classification}").format(
            classification=classification_words(message.classification)))
        self.dismiss(True)

    def action_amend(self) -> None:
        self.amend()

    @work(thread=True, exclusive=True, exit_on_error=False, group="evaluation-amend")
    def amend(self) -> None:
        self.post_result(self.Amended(amend_evaluation(self.store, self.evaluation_id)))

    def on_evaluation_screen_amended(self, message: Amended) -> None:
        self.wrote, self.fresh_amendment = True, True
        self.evaluation_id = message.evaluation_id
        self.notify(_("A new revision is open as a draft; the submitted one stays as it was."))
        self.load()

    def has_unsaved_work(self) -> bool:
        return self.dirty

    def action_leave(self) -> None:
        if not self.dirty:
            if self.fresh_amendment:
                # Amended, then left without a change: the copy is not work to keep.
                self.app.run_worker(partial(discard_draft, self.store, self.evaluation_id),
                                    thread=True, exit_on_error=False)
            self.dismiss(self.wrote)
            return

        self.dtlab.leave_screens([self], lambda: self.dismiss(self.wrote))

    @property
    def identity(self) -> tuple[str, str]:
        return ("evaluation", self.evaluation_id)

    def unsaved_what(self) -> str:
        return _("the scores of this evaluation")
