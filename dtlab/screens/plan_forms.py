"""The forms of the centre view: a result and its links, a KPI's actual or targets, a milestone,
marking a milestone done, re-planning. A save the data layer refuses reopens its form with what
was typed and the reason, so nothing typed is lost."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from functools import partial
from typing import TYPE_CHECKING, Any, TypeVar

from textual.message import Message

from dtlab.db.plans import MILESTONE_STATUSES
from dtlab.domain.fields import number_words
from dtlab.domain.monitoring import RESULT_LEVELS, Replanned
from dtlab.errors import Problems
from dtlab.i18n import _, ngettext
from dtlab.present.chain import linked_below
from dtlab.present.labels import MILESTONE_STATUS_WORDS, RESULT_LEVEL_CHOICES
from dtlab.present.safe import shown
from dtlab.screens.base import DtlabScreen
from dtlab.screens.forms import Fields, ask, said
from dtlab.screens.messages import Written
from dtlab.screens.replan_dialog import ReplanDialog
from dtlab.screens.result_form import ResultDialog, parent_options
from dtlab.services.cases import parse_date
from dtlab.services.meanwhile import RowChanged, Seen
from dtlab.services.plans import (
    add_kpi_to_plan,
    apply_replan,
    due_text,
    instantiate_plan,
    parse_due,
    parse_number,
    record_actual,
    remove_plan_item,
    save_milestone,
    update_kpi,
)
from dtlab.services.results import save_result
from dtlab.widgets.dialogs import ConfirmDialog, ReasonDialog, ValuesDialog

if TYPE_CHECKING:
    from dtlab.db.store import Store


T = TypeVar("T")


class Versions:
    """The versions of the records a dialog was filled from (`meanwhile.Seen`), by key. A save
    refused because its record changed meanwhile takes the record's new version as seen, so that
    the form, back with what was typed and who changed it, replaces it knowingly if saved again."""

    def __init__(self, versions: dict[str, int | None]):
        self._seen = {key: Seen(version) for key, version in versions.items()}

    def save(self, key: str, write: Callable[[Seen], T]) -> T:
        try:
            return write(self._seen.get(key, Seen(None)))
        except RowChanged as changed:
            self._seen[key] = Seen(changed.version)
            raise



def number_check(fields: Fields, *keys: str) -> Callable[[dict[str, str]], str | None]:
    """A form check: each of these fields empty or a number, as the data layer reads them; every
    one that is not, said at once, by its label."""
    labels = {name: label for name, label, _spec in fields}

    def check(values: dict[str, str]) -> str | None:
        problems = Problems()
        for key in keys:
            with problems.check():
                parse_number(values.get(key, ""), labels.get(key, key))
        return said(problems.found)

    return check


def counted(n: int, what: str) -> str:
    """"3 results", "1 KPI", "2 milestones": `what` is the item's kind."""
    if what == "result":
        return ngettext("{n} result", "{n} results", n).format(n=f"{n:,}")
    if what == "kpi":
        return ngettext("{n} KPI", "{n} KPIs", n).format(n=f"{n:,}")
    return ngettext("{n} milestone", "{n} milestones", n).format(n=f"{n:,}")


def make_plan(store: Store, ref: str) -> str:
    """Make the centre's plan from its type's template; what was made, in words."""
    made = instantiate_plan(store, ref)
    return _("Plan made from the template: {results}, {kpis}, {milestones}. Edit them as the centre needs.").format(
        results=counted(made["results"], "result"), kpis=counted(made["kpis"], "kpi"),
        milestones=counted(made["milestones"], "milestone"))


def _plain(value: float | None) -> str:
    return "" if value is None else number_words(value).replace(",", "")


class PlanForms(DtlabScreen[None]):
    """The centre screen's forms, apart. The centre screen provides `ref`, `data`, `today`, and
    `write` (runs a job in a worker and handles the message it returns: Written, or Retry),
    `_current` (the item under a table's cursor) and `active_tab`."""

    ref: str
    data: Any  # the centre screen's CentreData, once read
    today: Callable[[], date]

    def write(self, job: Callable[[], Message]) -> Any:
        raise NotImplementedError

    def _current(self, table_id: str, items: str) -> dict[str, Any] | None:
        raise NotImplementedError

    def active_tab(self) -> str:
        raise NotImplementedError

    def form(self, title: str, fields: Fields, save: Callable[[dict[str, str]], str], *,
             required: tuple[str, ...] = (), check: Callable[[dict[str, str]], str | None] | None = None,
             explanation: str = "", initial: dict[str, str] | None = None,
             missing_said_by_save: bool = False, dialog: Callable[..., ValuesDialog] = ValuesDialog) -> None:
        """Ask with a form that saves in the background (`forms.ask`); `save` says what it wrote."""
        ask(self.app, self.write, title, fields, lambda values: Written(save(values)), required=required,
            check=check, explanation=explanation, initial=initial, missing_said_by_save=missing_said_by_save,
            dialog=dialog)

    def edit_result(self, result: dict[str, Any] | None) -> None:
        store, ref = self.store, self.ref
        r = result or {"id": None, "level": "output", "title": "", "priority_id": None, "initiative_results": [],
                       "sdgs": [], "wsis": [], "cycle": None, "parent_id": None}
        parents = parent_options(self.data.plan["results"], r["id"])

        versions = Versions({"result": r.get("version")})

        def save(values: dict[str, str]) -> str:
            versions.save("result", lambda seen: save_result(
                store, ref, r["id"], values["level"], values["title"], values["priority"], values["initiatives"],
                cycle=r["cycle"] or "", sdgs=values["sdgs"], seen=seen if r["id"] else None,
                parent=values["parent"], wsis=values["wsis"]))
            return _("Result saved")

        self.form(
            _("Edit the result") if result else _("Add a result"),
            [("level", _("Level"), [(lv, RESULT_LEVEL_CHOICES[lv]) for lv in RESULT_LEVELS]),
             ("title", _("Result"), r["title"]),
             ("parent", _("Contributes to"), parents.get(r["level"], [])),
             ("priority", _("Priority"), list(self.data.priorities)),
             ("initiatives", _("Initiatives"), " ".join(r["initiative_results"])),
             ("sdgs", _("SDGs"), " ".join(str(n) for n in r["sdgs"])),
             ("wsis", _("WSIS lines"), " ".join(r.get("wsis", [])))],
            save, required=("level", "title"), missing_said_by_save=True,  # save_result says all at once
            explanation=_("[dim]Contributes to: an output's outcome, an outcome's impact. Initiatives: ARB4 or "
                          "AFR4.3 (cycle {cycle}). SDGs: 4 9 17. WSIS lines: C1 C7.[/]").format(
                cycle=shown(r["cycle"] or self.data.cycle)),
            initial={"level": r["level"], "priority": r["priority_id"] or "", "parent": r["parent_id"] or ""},
            dialog=partial(ResultDialog, parents=parents, objectives=self.data.objectives))

    def measured_results(self) -> list[tuple[str, str]]:
        """(id, "1. Impact: title") of every result of the plan, by the number it goes by: a KPI may
        measure any of them."""
        return [(r["id"], f"{r['number']}. {RESULT_LEVEL_CHOICES[r['level']]}: {r['title']}")
                for r in self.data.plan["results"]]

    def new_kpi(self) -> None:
        store, ref = self.store, self.ref

        def save(values: dict[str, str]) -> str:
            add_kpi_to_plan(store, ref, values["name"], values["unit"], result=values["result"])
            return _("KPI added: e sets its baseline and yearly targets")

        self.form(_("Add a KPI"), [("name", _("Indicator"), ""), ("unit", _("Unit"), ""),
                                   ("result", _("Measures"), self.measured_results())], save, required=("name",))

    def report_actual(self) -> None:
        k = self._current("kpi-table", "kpis")
        if k is None:
            return
        store, ref = self.store, self.ref
        years = k["years"] or [{"year": 1, "ends_on": None, "actual": None, "target": None}]
        today = self.today()
        # Offer the latest ended year still without an actual (the report most recently due),
        # else the latest ended year, else the first.
        ended = [y for y in years if y["ends_on"] is not None and y["ends_on"] < today]
        missing = [y for y in ended if y["actual"] is None]
        chosen = (missing[-1:] or ended[-1:] or years[:1])[0]

        def label(y: dict[str, Any]) -> str:
            said = (_("Year {year} to {ends}").format(year=y["year"], ends=y["ends_on"]) if y["ends_on"] else
                    _("Year {year}").format(year=y["year"]))
            if y["target"] is not None:
                said += " · " + _("target {value}").format(value=number_words(y["target"]))
            if y["actual"] is not None:
                said += " · " + _("reported {value}").format(value=number_words(y["actual"]))
            return said

        versions = Versions({str(y["year"]): y.get("version") for y in years})

        def save(values: dict[str, str]) -> str:
            versions.save(values["year"], lambda seen: record_actual(
                store, ref, k["id"], int(values["year"]), values["actual"], values["evidence"], self.today(), seen))
            return _("Actual recorded for {kpi}, year {year}").format(kpi=k["name"], year=values["year"])

        unit = _("In {unit}.").format(unit=shown(k["unit"])) + " " if k["unit"] else ""
        note = _("The evidence note says where the figure comes from; it is kept with the year and never edited.")
        fields: Fields = [("year", _("Year"), [(str(y["year"]), label(y)) for y in years]),
                          ("actual", _("Actual"), ""), ("evidence", _("Evidence"), "")]
        self.form(
            _("Report an actual: {kpi}").format(kpi=k["name"]), fields,
            save, required=("year", "actual"), check=number_check(fields, "actual"),
            explanation=f"[dim]{unit}{shown(note)}[/]",
            initial={"year": str(chosen["year"])})

    def action_edit_kpi(self) -> None:
        k = self._current("kpi-table", "kpis")
        if k is None:
            return
        store, ref = self.store, self.ref
        years = [y["year"] for y in k["years"]] or [1, 2, 3]
        offered = sorted(set(years) | {max(years) + 1})  # room for one more year
        targets = {y["year"]: y["target"] for y in k["years"]}

        versions = Versions({"kpi": k.get("version")})

        def save(values: dict[str, str]) -> str:
            versions.save("kpi", lambda seen: update_kpi(store, ref, k["id"], values["name"], values["unit"],
                                                         values["baseline"], {y: values[f"y{y}"] for y in offered},
                                                         seen, result=values["result"]))
            return _("KPI saved")

        fields: Fields = [("name", _("Indicator"), k["name"]), ("unit", _("Unit"), k["unit"] or ""),
                          ("result", _("Measures"), self.measured_results()),
                          ("baseline", _("Baseline"), _plain(k["baseline"])),
                          *[(f"y{y}", _("Year {year} target").format(year=y), _plain(targets.get(y))) for y in offered]]
        self.form(
            _("Edit the KPI"), fields,
            save, required=("name",), check=number_check(fields, "baseline", *[f"y{y}" for y in offered]),
            explanation=_("[dim]Years count from the first accreditation. An empty target clears it. A KPI "
                          "may measure a result of any level, an impact's included.[/]"),
            initial={"result": k["result_id"] or ""})

    def edit_milestone(self, milestone: dict[str, Any] | None) -> None:
        store, ref = self.store, self.ref
        m = milestone or {"id": None, "title": "", "anchor": None, "rule": "", "due_on": None, "owner": "",
                          "status": "planned", "evidence": [], "done_on": None}
        due = due_text(m)

        def check(values: dict[str, str]) -> str | None:
            problems = Problems()
            with problems.check():
                parse_due(values["due"])
            with problems.check():
                if values["done_on"]:
                    parse_date(values["done_on"], _("done on"))
            return said(problems.found)

        versions = Versions({"milestone": m.get("version")})

        def save(values: dict[str, str]) -> str:
            versions.save("milestone", lambda seen: save_milestone(
                store, ref, m["id"], values["title"], values["due"], values["owner"], values["status"],
                values["evidence"], self.today(), values["done_on"], seen=seen if m["id"] else None))
            return _("Milestone saved") if m["id"] else _("Milestone added")

        evidence = "\n".join(f"· {shown(e['body'], multiline=True)}" for e in m["evidence"])
        explanation = _("[dim]Due: a date (2027-03-31) or an offset: \"6 months after launch\", "
                        "\"12 months after accreditation\". Done on: empty means today.[/]")
        if evidence:
            explanation += "\n" + _("Evidence so far:") + "\n" + evidence
        self.form(
            _("Edit the milestone") if milestone else _("Add a milestone"),
            [("title", _("Milestone"), m["title"]), ("due", _("Due"), due), ("owner", _("Owner"), m["owner"] or ""),
             ("status", _("Status"), [(s, MILESTONE_STATUS_WORDS[s]) for s in MILESTONE_STATUSES]),
             ("done_on", _("Done on"), str(m["done_on"] or "")), ("evidence", _("New evidence"), "")],
            save, required=("title", "status"), check=check,
            explanation=explanation,
            initial={"status": m["status"]})

    def action_milestone_done(self) -> None:
        m = self._current("milestone-table", "milestones")
        if m is None:
            return
        store, ref = self.store, self.ref
        due = due_text(m)

        def done(evidence: str | None) -> None:
            if evidence is None:
                return

            def job() -> Written:
                # Written over the milestone as shown: refused if someone changed it meanwhile.
                save_milestone(store, ref, m["id"], m["title"], due, m["owner"] or "", "done", evidence, self.today(),
                               seen=Seen(m.get("version")))
                return Written(_("Done: {milestone}").format(milestone=m["title"]))

            self.write(job)

        self.app.push_screen(ReasonDialog(_("Mark done: {milestone}").format(milestone=m["title"]),
                                          _("Say what shows it is done (optional): a report, minutes, a link. "
                                            "Evidence is kept as written."),
                                          required=False, placeholder=_("evidence")), done)

    def action_remove(self) -> None:
        tab = self.active_tab()
        kind, table, items = {"results": ("result", "results-table", "results"), "kpis": ("kpi", "kpi-table", "kpis"),
                              "milestones": ("milestone", "milestone-table", "milestones")}[tab]
        item = self._current(table, items)
        if item is None:
            return
        name = item.get("title") or item.get("name")
        store, ref = self.store, self.ref
        kept = {"result": self.unlinked_by_removing(item["id"]),
                "kpi": _("Its reported years stay in the history."),
                "milestone": _("Its evidence stays in the history.")}[kind]

        def done(yes: bool | None) -> None:
            if not yes:
                return

            def job() -> Written:
                removed = remove_plan_item(store, ref, kind, item["id"])
                unlinked = linked_below(removed.results_unlinked, removed.kpis_unlinked, done=True)
                if unlinked:
                    return Written(_("Removed from the plan: {name}. Now linked to nothing: {unlinked}.").format(
                        name=removed.name, unlinked=unlinked))
                return Written(_("Removed from the plan: {name}").format(name=removed.name))

            self.write(job)

        # Numbered as the tab and the command line number it; a result says its level too.
        if kind == "result":
            level = RESULT_LEVEL_CHOICES.get(item["level"], item["level"]).lower()
            what = _("result {number} ({level})").format(number=item["number"], level=level)
        elif kind == "kpi":
            what = _("KPI {number}").format(number=item["number"])
        else:
            what = _("milestone {number}").format(number=item["number"])
        question = _('Remove {what}, "{name}", from the plan? {kept}').format(what=what, name=shown(str(name)),
                                                                              kept=kept)
        self.app.push_screen(ConfirmDialog(question, yes=_("Remove"), no=_("Keep it")), done)

    def unlinked_by_removing(self, result_id: str) -> str:
        """What the confirmation of a result's removal says of what hangs on it: the results that
        link up to it and the KPIs that measure it, counted, stay in the plan linked to nothing."""
        plan = self.data.plan
        results = sum(1 for r in plan["results"] if r["parent_id"] == result_id)
        kpis = sum(1 for k in plan["kpis"] if k["result_id"] == result_id)
        if not results + kpis:
            return _("Nothing links up to it and no KPI measures it.")
        return ngettext("{linked}: it stays in the plan, linked to nothing.",
                        "{linked}: they stay in the plan, linked to nothing.", results + kpis).format(
            linked=linked_below(results, kpis, done=False))

    def action_replan(self) -> None:
        if self.data is None:
            return
        if not self.data.plan["replan"]:
            # A key that does nothing says why, rather than nothing.
            self.notify(_("Nothing to re-plan: every milestone dated from launch or accreditation follows it."))
            return
        store, ref = self.store, self.ref
        changes = [Replanned(**r) for r in self.data.plan["replan"]]

        def done(accept: bool | None) -> None:
            if not accept:
                return

            def job() -> Written:
                n = apply_replan(store, ref, changes)
                return Written(ngettext("{n} milestone re-planned", "{n} milestones re-planned", n).format(
                    n=f"{n:,}"))

            self.write(job)

        self.app.push_screen(ReplanDialog(changes, saving=False), done)
