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
from dtlab.present.chain import linked_below
from dtlab.present.labels import MILESTONE_STATUS_WORDS, RESULT_LEVEL_CHOICES
from dtlab.present.safe import shown
from dtlab.present.words import plural
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


def make_plan(store: Store, ref: str) -> str:
    """Make the centre's plan from its type's template; what was made, in words."""
    made = instantiate_plan(store, ref)
    return (f"Plan made from the template: {plural(made['results'], 'result')}, {plural(made['kpis'], 'KPI')}, "
            f"{plural(made['milestones'], 'milestone')}. Edit them as the centre needs.")


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
            return "Result saved"

        self.form(
            "Edit the result" if result else "Add a result",
            [("level", "Level", [(lv, RESULT_LEVEL_CHOICES[lv]) for lv in RESULT_LEVELS]),
             ("title", "Result", r["title"]),
             ("parent", "Contributes to", parents.get(r["level"], [])),
             ("priority", "Priority", list(self.data.priorities)),
             ("initiatives", "Initiatives", " ".join(r["initiative_results"])),
             ("sdgs", "SDGs", " ".join(str(n) for n in r["sdgs"])),
             ("wsis", "WSIS lines", " ".join(r.get("wsis", [])))],
            save, required=("level", "title"), missing_said_by_save=True,  # save_result says all at once
            explanation="[dim]Contributes to: an output's outcome, an outcome's impact. Initiatives: ARB4 or "
                        f"AFR4.3 (cycle {shown(r['cycle'] or self.data.cycle)}). SDGs: 4 9 17. "
                        "WSIS lines: C1 C7.[/]",
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
            return "KPI added: e sets its baseline and yearly targets"

        self.form("Add a KPI", [("name", "Indicator", ""), ("unit", "Unit", ""),
                                ("result", "Measures", self.measured_results())], save, required=("name",))

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
            target = "" if y["target"] is None else f" · target {number_words(y['target'])}"
            actual = "" if y["actual"] is None else f" · reported {number_words(y['actual'])}"
            ends = f" to {y['ends_on']}" if y["ends_on"] else ""
            return f"Year {y['year']}{ends}{target}{actual}"

        versions = Versions({str(y["year"]): y.get("version") for y in years})

        def save(values: dict[str, str]) -> str:
            versions.save(values["year"], lambda seen: record_actual(
                store, ref, k["id"], int(values["year"]), values["actual"], values["evidence"], self.today(), seen))
            return f"Actual recorded for {k['name']}, year {values['year']}"

        unit = f"In {shown(k['unit'])}. " if k["unit"] else ""
        fields: Fields = [("year", "Year", [(str(y["year"]), label(y)) for y in years]), ("actual", "Actual", ""),
                          ("evidence", "Evidence", "")]
        self.form(
            f"Report an actual: {k['name']}", fields,
            save, required=("year", "actual"), check=number_check(fields, "actual"),
            explanation=f"[dim]{unit}The evidence note says where the figure comes from; it is kept with the "
                        "year and never edited.[/]",
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
            return "KPI saved"

        fields: Fields = [("name", "Indicator", k["name"]), ("unit", "Unit", k["unit"] or ""),
                          ("result", "Measures", self.measured_results()),
                          ("baseline", "Baseline", _plain(k["baseline"])),
                          *[(f"y{y}", f"Year {y} target", _plain(targets.get(y))) for y in offered]]
        self.form(
            "Edit the KPI", fields,
            save, required=("name",), check=number_check(fields, "baseline", *[f"y{y}" for y in offered]),
            explanation="[dim]Years count from the first accreditation. An empty target clears it. A KPI "
                        "may measure a result of any level, an impact's included.[/]",
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
                    parse_date(values["done_on"], "done on")
            return said(problems.found)

        versions = Versions({"milestone": m.get("version")})

        def save(values: dict[str, str]) -> str:
            versions.save("milestone", lambda seen: save_milestone(
                store, ref, m["id"], values["title"], values["due"], values["owner"], values["status"],
                values["evidence"], self.today(), values["done_on"], seen=seen if m["id"] else None))
            return "Milestone saved" if m["id"] else "Milestone added"

        evidence = "\n".join(f"· {shown(e['body'], multiline=True)}" for e in m["evidence"])
        self.form(
            "Edit the milestone" if milestone else "Add a milestone",
            [("title", "Milestone", m["title"]), ("due", "Due", due), ("owner", "Owner", m["owner"] or ""),
             ("status", "Status", [(s, MILESTONE_STATUS_WORDS[s]) for s in MILESTONE_STATUSES]),
             ("done_on", "Done on", str(m["done_on"] or "")), ("evidence", "New evidence", "")],
            save, required=("title", "status"), check=check,
            explanation="[dim]Due: a date (2027-03-31) or an offset: \"6 months after launch\", "
                        "\"12 months after accreditation\". Done on: empty means today.[/]"
                        + (f"\nEvidence so far:\n{evidence}" if evidence else ""),
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
                return Written(f"Done: {m['title']}")

            self.write(job)

        self.app.push_screen(ReasonDialog(f"Mark done: {m['title']}", "Say what shows it is done (optional): "
                                          "a report, minutes, a link. Evidence is kept as written.",
                                          required=False, placeholder="evidence"), done)

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
                "kpi": "Its reported years stay in the history.",
                "milestone": "Its evidence stays in the history."}[kind]

        def done(yes: bool | None) -> None:
            if not yes:
                return

            def job() -> Written:
                removed = remove_plan_item(store, ref, kind, item["id"])
                unlinked = linked_below(removed.results_unlinked, removed.kpis_unlinked, done=True)
                return Written(f"Removed from the plan: {removed.name}"
                               + (f". Now linked to nothing: {unlinked}." if unlinked else ""))

            self.write(job)

        # Numbered as the tab and the command line number it; a result says its level too.
        what = f"{'KPI' if kind == 'kpi' else kind} {item['number']}" + (f" ({item['level']})" if kind == "result"
                                                                         else "")
        self.app.push_screen(ConfirmDialog(f"Remove {what}, \"{shown(str(name))}\", from the plan? {kept}",
                                           yes="Remove", no="Keep it"), done)

    def unlinked_by_removing(self, result_id: str) -> str:
        """What the confirmation of a result's removal says of what hangs on it: the results that
        link up to it and the KPIs that measure it, counted, stay in the plan linked to nothing."""
        plan = self.data.plan
        results = sum(1 for r in plan["results"] if r["parent_id"] == result_id)
        kpis = sum(1 for k in plan["kpis"] if k["result_id"] == result_id)
        if not results + kpis:
            return "Nothing links up to it and no KPI measures it."
        return (f"{linked_below(results, kpis, done=False)}: {'it stays' if results + kpis == 1 else 'they stay'} "
                "in the plan, linked to nothing.")

    def action_replan(self) -> None:
        if self.data is None:
            return
        if not self.data.plan["replan"]:
            # A key that does nothing says why, rather than nothing.
            self.notify("Nothing to re-plan: every milestone dated from launch or accreditation follows it.")
            return
        store, ref = self.store, self.ref
        changes = [Replanned(**r) for r in self.data.plan["replan"]]

        def done(accept: bool | None) -> None:
            if not accept:
                return

            def job() -> Written:
                return Written(f"{plural(apply_replan(store, ref, changes), 'milestone')} re-planned")

            self.write(job)

        self.app.push_screen(ReplanDialog(changes, saving=False), done)
