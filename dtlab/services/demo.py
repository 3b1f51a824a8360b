"""Realistic, deterministic demo data: the same seed gives the same cases.

Cases are spread over every stage and status; each carries the records its passed gates needed,
and the transitions that got it there, so the demo obeys the same rules as real work. Rows are
written in bulk (with their change-log entries) rather than one ORM add per row."""

from __future__ import annotations

import multiprocessing
import queue
import random
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from typing import Any, NamedTuple

from sqlalchemy.engine import make_url
from sqlmodel import Session, col, select

from dtlab.db import dialects
from dtlab.db.cases import highest_ref_number
from dtlab.db.centres import accreditation_policy
from dtlab.db.changelog import PreparedRows, prepare_rows, write_prepared
from dtlab.db.models import (
    Accreditation,
    Assessment,
    Case,
    Centre,
    Country,
    Evaluation,
    EvaluationScore,
    Evidence,
    Goal,
    Kpi,
    KpiYear,
    Milestone,
    Note,
    Organisation,
    Result,
    RubricVersion,
    TemplateItem,
    Transition,
)
from dtlab.db.reference import centre_type_rules, current_rubric
from dtlab.db.store import Store
from dtlab.domain.clock import utc_now
from dtlab.domain.gates import RECOMMENDING, outside_membership
from dtlab.domain.guide import CentreTypeRule
from dtlab.domain.ids import CaseRef, derived_id, new_id
from dtlab.domain.monitoring import Anchor, accreditation_period, add_years, measured_results, template_plan
from dtlab.domain.recommend import TIERS
from dtlab.domain.rubric import Rubric, consolidate, score
from dtlab.domain.stages import STAGE_ORDER, Channel, MoveKind, RenewalOutcome, Stage, Status
from dtlab.services.demo_calls import answer_call, link_calls

BATCH = 5_000

ORG_FORMS = (
    "Ministry of ICT of {c}", "Ministry of Digital Economy of {c}", "National Telecommunication Authority of {c}",
    "{c} Digital Innovation Agency", "University of {city}", "{city} Institute of Technology",
    "{c} Chamber of Commerce", "{city} Innovation Hub", "National Research Council of {c}",
    "{city} Polytechnic", "{c} ICT Regulatory Commission", "{c} Startup Association",
)
CITY_WORDS = ("Capital", "Central", "Northern", "Southern", "Eastern", "Western")
TITLE_FORMS = (
    "{kind} acceleration centre in {c}", "{c}: {topic} for {sector}", "{topic} programme with {org}",
    "Regional {topic} hub ({c})", "{c} {topic} initiative", "Assessment of {kind} centre for {c}",
)
TOPICS = (
    "digital innovation", "AI readiness", "regulatory sandbox", "start-up incubation", "5G ecosystem",
    "open-source innovation", "digital skills", "smart agriculture", "fintech policy lab", "e-health innovation",
    "cybersecurity innovation", "digital entrepreneurship", "IoT testbed", "trend research",
)
SECTORS = ("SMEs", "universities", "youth", "women entrepreneurs", "rural communities", "government services")
KINDS = ("a technology", "a research and entrepreneurship", "a digital transformation", "an initiative")
FINDINGS = (
    "Strong political commitment; ecosystem fragmented between ministries.",
    "Academic partners ready; financing plan needs a second sponsor.",
    "Clear national digital strategy; few private-sector partners so far.",
    "Host institution runs incubation already; can scale with modest support.",
)
NOTES = (
    "Call with the focal point; documents promised by end of month.",
    "Minister's office confirmed interest in a regional scope.",
    "Sent the concept-design template and evaluation rubric.",
    "Site visit planned with the regional office.",
    "Budget figures received; checking against the cost model.",
)
EVALUATORS = ("A. Mensah", "L. Chen", "R. Okafor", "M. Haddad", "S. Ivanova", "J. Rivera", "K. Tanaka")
OWNERS = EVALUATORS + ("Host focal point", "Regional office", "Centre director")
EVIDENCE = (
    "Annual report to BDT, section 3", "Signed attendance lists and programme", "Minutes of the steering committee",
    "Published on the centre's website", "Partner confirmation letters on file", "Regional office site-visit report",
)
# How many cases end up at each stage, as weights (earlier stages are busier).
STAGE_WEIGHTS = (24, 18, 16, 10, 10, 15, 7)

MEMBERSHIP_REASON = "A regional partner of the lab; taken on with the BDT Director's approval."


@dataclass
class DemoReport:
    cases: int
    organisations: int
    records: int
    seconds: float


class Place(NamedTuple):
    code: str
    name_en: str
    region: str


@dataclass(frozen=True)
class _Plan:
    """Everything the row builder needs, picklable so it can run in another process."""

    seed: int
    cases: int
    site_code: str
    today: date
    countries: list[Place]
    goals: list[str]
    types: dict[str, CentreTypeRule]
    driver: str  # rows are prepared for this database's driver (the URL's "dialect+driver")
    rubric_id: str
    rubric_doc: dict[str, Any]  # the rubric as loaded, rebuilt by the builder (a dict pickles simply)
    templates: dict[str, list[dict[str, Any]]]  # monitoring-plan template items per centre type
    policy: tuple[int, int]  # accreditation years, renewal lead months


# Parents first: foreign keys are checked as rows arrive. Cases are prepared by the writer, which
# numbers them inside its transaction.
BEFORE_CASES = (Organisation,)
AFTER_CASES = (Assessment, Evaluation, EvaluationScore, Result, Kpi, KpiYear, Transition, Note, Centre, Accreditation,
               Milestone, Evidence)


@dataclass
class _Batch:
    done: int  # cases made so far
    organisations: int  # organisations made so far
    before: list[PreparedRows]
    cases: list[dict[str, Any]]
    after: list[PreparedRows]


def _at(day: date, rng: random.Random) -> datetime:
    """A working hour of `day`; never later than now, so that what the demo says happened today
    does not sort after what the user does next."""
    when = datetime(day.year, day.month, day.day, rng.randint(7, 18), rng.randint(0, 59), tzinfo=timezone.utc)
    return min(when, utc_now())  # the same precision as the change log's clock


class _Builder:
    def __init__(self, plan: _Plan):
        self.rng, self.site, self.today = random.Random(plan.seed), plan.site_code, plan.today
        self.countries, self.goals, self.types = plan.countries, plan.goals, plan.types
        self.rubric_id, self.rubric = plan.rubric_id, Rubric.from_doc(plan.rubric_doc)
        self.templates, self.policy = plan.templates, plan.policy
        self.orgs: list[dict[str, Any]] = []
        self.categories: dict[str, str] = {}  # organisation id: its membership category
        self.orgs_by_country: dict[str, list[dict[str, Any]]] = {}
        self.rows: dict[type, list[dict[str, Any]]] = {}

    def add(self, model: type, **row: Any) -> dict[str, Any]:
        row.setdefault("id", new_id())
        self.rows.setdefault(model, []).append(row)
        return row

    def take(self) -> dict[type, list[dict[str, Any]]]:
        rows, self.rows = self.rows, {}
        return rows

    def organisation(self, country: Place, first_seen: date) -> dict[str, Any]:
        existing = self.orgs_by_country.setdefault(country.code, [])
        if existing and self.rng.random() < 0.6:
            return self.rng.choice(existing)
        form = self.rng.choice(ORG_FORMS)
        name = form.format(c=country.name_en, city=f"{self.rng.choice(CITY_WORDS)} {country.name_en}")
        for org in existing:
            if org["name"] == name:
                return org
        category = "academia" if ("University" in name or "Institute" in name or "Polytechnic" in name) else (
            "member_state" if ("Ministry" in name or "Authority" in name or "Commission" in name) else
            self.rng.choice(("sector_member", "associate", "other")))
        org = self.add(Organisation, name=name, country=country.code, category=category,
                       created_at=_at(first_seen, self.rng))
        self.categories[org["id"]] = category
        existing.append(org)
        self.orgs.append(org)
        return org

    def _evaluations(self, case_id: str, when: datetime, partial: bool) -> None:
        """One to three evaluators. A design that passed is recommended by its evaluators together;
        one still in progress has a draft, or verdicts held back by uncommitted resources."""
        rng, criteria = self.rng, [c.id for c in self.rubric.criteria]
        evaluators = rng.sample(EVALUATORS, k=rng.randint(1, 3))
        for _attempt in range(5):
            sheets = [{c: rng.choice((2, 3, 3, 4, 4)) for c in criteria} for _ in evaluators]
            if partial:
                for sheet in sheets:
                    sheet["resources"] = rng.choice((0, 1))
            merged = consolidate(self.rubric, list(zip(evaluators, sheets, strict=True))).result
            if partial or (merged and merged.classification in RECOMMENDING):
                break
        else:
            sheets = [dict.fromkeys(criteria, 3) for _ in evaluators]
        draft_one = partial and rng.random() < 0.5
        for i, (evaluator, sheet) in enumerate(zip(evaluators, sheets, strict=True)):
            draft = draft_one and i == len(evaluators) - 1
            if draft:  # half-filled: the evaluator is still at it
                sheet = {c: v for c, v in sheet.items() if rng.random() < 0.6}
            result = score(self.rubric, sheet)
            evaluation = self.add(
                Evaluation, case_id=case_id, evaluator=evaluator, rubric_id=self.rubric_id, revision=1,
                classification=None if draft else result.classification,
                percent=None if draft else result.percent, submitted_at=None if draft else when, created_at=when)
            for criterion, value in sheet.items():
                self.add(EvaluationScore, case_id=case_id, evaluation_id=evaluation["id"], criterion=criterion,
                         score=value, created_at=when)

    def _centre(self, case: dict[str, Any]) -> None:
        """The centre a case at set-up or beyond has become, with its accreditation period."""
        when = case["stage_since"]
        centre = self.add(Centre, case_id=case["id"], name=case["title"], centre_type=case["proposed_type"],
                          host_id=case["applicant_id"], country=case["country"], scope=case["scope"],
                          goals=case["goals"], launch_on=case.get("launch_on"), created_at=when)
        if Stage(case["stage"]).position >= Stage.OPERATION.position and case.get("launch_on"):
            case.setdefault("accredited_on", case["launch_on"])
        if case.get("accredited_on"):
            period = accreditation_period(case["accredited_on"], *self.policy)
            self.add(Accreditation, case_id=case["id"], centre_id=centre["id"], number=1,
                     centre_type=case["proposed_type"], starts_on=period.starts_on, ends_on=period.ends_on,
                     renewal_due_on=period.renewal_due_on, created_at=when)
        # Most centres have their plan; a few just set up are still to make theirs.
        if case["stage"] != Stage.IMPLEMENTATION.value or self.rng.random() < 0.7:
            self._plan(case, when)

    def _plan(self, case: dict[str, Any], when: datetime) -> None:
        """The centre's plan from its type's template, with what has happened since: actuals for
        the years that ended (mostly on track, some short, some never reported), milestones done,
        missed or still open past their date."""
        rng, case_id = self.rng, case["id"]
        anchors = {Anchor.LAUNCH: case.get("launch_on"), Anchor.ACCREDITATION: case.get("accredited_on")}
        planned = template_plan(self.templates.get(case["proposed_type"], []), anchors, self.policy[0])
        made: dict[int, str] = {}  # a template position → the result made from it, linked up as the template says
        for r in planned.results:
            row = self.add(Result, case_id=case_id, level=r.level, title=r.title, position=r.position, task=r.task,
                           parent_id=made.get(r.parent) if r.parent is not None else None, created_at=when)
            made[r.position] = row["id"]
        by_task = {task: made[position] for task, position in measured_results(planned.results).items()}
        start = case.get("accredited_on")
        for k in planned.kpis:
            baseline = float(rng.randint(0, int(k.targets[0] // 4))) if k.targets else 0.0
            kpi = self.add(Kpi, case_id=case_id, name=k.name, unit=k.unit, baseline=baseline,
                           target=k.targets[-1] if k.targets else None, result_id=by_task.get(k.task),
                           position=k.position, task=k.task, created_at=when)
            for year, target in enumerate(k.targets, start=1):
                next_year = add_years(start, year) if start is not None else None
                actual: float | None = None
                reported: date | None = None
                if next_year is not None and next_year <= self.today:
                    share = rng.choices((1.1, 0.95, 0.75, 0.4, None), weights=(35, 30, 15, 10, 10))[0]
                    if share is not None:
                        actual = float(round(baseline + (target - baseline) * share))
                        reported = min(next_year + timedelta(days=rng.randint(5, 60)), self.today)
                row = self.add(KpiYear, id=derived_id("kpi-year", kpi["id"], year), case_id=case_id,
                               kpi_id=kpi["id"], year=year, target=target,
                               actual=actual, reported_on=reported, created_at=when)
                if reported is not None and rng.random() < 0.6:
                    self.add(Evidence, case_id=case_id, kpi_year_id=row["id"], created_at=_at(reported, rng),
                             body=rng.choice(EVIDENCE))
        for m in planned.milestones:
            due = m.due_on
            status, done_on = "planned", None
            if due is not None and due <= self.today:
                status = rng.choices(("done", "missed", "planned", "in_progress"), weights=(70, 5, 10, 15))[0]
                if status == "done":
                    done_on = min(due + timedelta(days=rng.randint(-20, 40)), self.today)
            elif due is not None and (due - self.today).days < 90 and rng.random() < 0.5:
                status = "in_progress"
            assert m.rule.anchor is not None
            row = self.add(Milestone, case_id=case_id, title=m.title, owner=rng.choice(OWNERS), status=status,
                           due_on=due, anchor=m.rule.anchor.value, months=m.rule.months, days=m.rule.days,
                           done_on=done_on, position=m.position, task=m.task, created_at=when)
            if done_on is not None and rng.random() < 0.7:
                self.add(Evidence, case_id=case_id, milestone_id=row["id"], created_at=_at(done_on, rng),
                         body=rng.choice(EVIDENCE))

    def case(self) -> None:
        rng = self.rng
        country = rng.choice(self.countries)
        final = rng.choices(STAGE_ORDER, weights=STAGE_WEIGHTS)[0]
        # Each stage a case passed took 20-200 days; the history ends before today.
        durations = [rng.randint(20, 200) for _ in range(final.position + 1)]
        if final.position >= Stage.OPERATION.position:
            # An accredited centre operates for up to its whole period before the renewal evaluation.
            # Past it, the renewal evaluation began four to six months before the end.
            period_days = 365 * self.policy[0]
            durations[Stage.OPERATION.position] = (rng.randint(60, period_days - 30) if final is Stage.OPERATION
                                                   else rng.randint(period_days - 180, period_days - 120))
        if final is Stage.RENEWAL:
            durations[-1] = rng.randint(10, 100)  # renewal evaluations mostly finish before the period ends
        received = self.today - timedelta(days=sum(durations) + rng.randint(0, 60))
        org = self.organisation(country, received)
        type_id = rng.choice(list(self.types))
        rule = self.types[type_id]
        scope = rng.choice(rule.scopes)
        goals = sorted(rng.sample(rule.goals, k=rng.randint(1, len(rule.goals))), key=self.goals.index)
        title = rng.choice(TITLE_FORMS).format(
            kind=KINDS[list(self.types).index(type_id)], c=country.name_en, topic=rng.choice(TOPICS),
            sector=rng.choice(SECTORS), org=org["name"])
        case_id = new_id()
        stage_since = received
        case = dict(
            id=case_id, ref=None, title=title[0].upper() + title[1:], applicant_id=org["id"], country=country.code,
            region=country.region, channel=rng.choice([c.value for c in Channel]), received_on=received,
            goals=",".join(goals), scope=scope, ownership=rule.ownership[0], proposed_type=type_id,
            cost_capacity=rng.choice(TIERS[TIERS.index(rule.cost_tier):]),
            assignee=rng.choice(EVALUATORS), stage=Stage.INTEREST.value, status=Status.OPEN.value,
            purpose=f"Build capacity for {rng.choice(TOPICS)} in {country.name_en}.",
            created_at=_at(received, rng),
        )
        answer_call(case)
        day = received
        for stage, spent in zip(STAGE_ORDER[: final.position], durations, strict=False):
            day = day + timedelta(days=spent)
            self._satisfy(stage, case, day)
            self.add(Transition, case_id=case_id, kind=MoveKind.ADVANCE.value, from_stage=stage.value,
                     to_stage=STAGE_ORDER[stage.position + 1].value, status=Status.OPEN.value, at=_at(day, rng),
                     created_at=_at(day, rng))
            stage_since = day
        case["stage"] = final.value
        case["stage_since"] = _at(stage_since, rng)
        # Some cases carry part of their current stage's work already.
        if rng.random() < 0.5 and final is not Stage.RENEWAL:
            self._satisfy(final, case, self.today - timedelta(days=rng.randint(0, 10)), partial=True)
        roll = rng.random()
        if roll < 0.08:
            ending = rng.choice([MoveKind.WITHDRAW, MoveKind.DECLINE, MoveKind.CLOSE])
            status = {MoveKind.WITHDRAW: Status.WITHDRAWN, MoveKind.DECLINE: Status.DECLINED,
                      MoveKind.CLOSE: Status.CLOSED}[ending]
            reason = rng.choice(("Applicant withdrew the request", "Resources could not be committed",
                                 "Merged into a regional centre", "No response after three reminders"))
            case["status"], case["status_reason"] = status.value, reason
            self.add(Transition, case_id=case_id, kind=ending.value, from_stage=final.value, to_stage=final.value,
                     status=status.value, reason=reason, at=_at(self.today - timedelta(days=rng.randint(1, 30)), rng),
                     created_at=_at(self.today - timedelta(days=1), rng))
        for _ in range(rng.choice((0, 0, 1, 1, 2, 3))):
            note_day = received + timedelta(days=rng.randint(0, max(1, (self.today - received).days)))
            self.add(Note, case_id=case_id, body=rng.choice(NOTES), created_at=_at(min(note_day, self.today), rng))
        if final.position >= Stage.IMPLEMENTATION.position:
            self._centre(case)
        case["updated_at"] = max(case["created_at"], case["stage_since"])
        self.add(Case, **case)

    def _satisfy(self, stage: Stage, case: dict[str, Any], day: date, partial: bool = False) -> None:
        """Record what the stage's gate needs, dated `day` (only some of it when `partial`)."""
        rng = self.rng
        when = _at(day, rng)
        if stage is Stage.ASSESSMENT:
            if not partial and outside_membership(self.categories.get(case["applicant_id"])):
                # Its gate asks why an applicant outside ITU membership is taken on (no draw from
                # the random stream: the rest of the demo stays as it was).
                case["membership_reason"] = MEMBERSHIP_REASON
            self.add(Assessment, case_id=case["id"], needs="National innovation capacity; skills gaps.",
                     stakeholders="Ministry, two universities, national start-up association.",
                     human_resources=f"{rng.randint(2, 12)} staff seconded by the host",
                     financial_resources=None if partial else f"USD {rng.randint(2, 40) * 25}k over three years",
                     findings=None if partial else rng.choice(FINDINGS), assessed_on=day,
                     assessor=rng.choice(EVALUATORS), created_at=when)
        elif stage is Stage.CONCEPT_DESIGN:
            case["flagships"] = "\n".join(rng.sample(TOPICS, k=rng.randint(1, 3)))
            self._evaluations(case["id"], when, partial)
        elif stage is Stage.AGREEMENT:
            case["signatories"] = "BDT Director; host minister"
            if not partial:
                case["agreement_ref"] = f"BDT/JS/{day.year}/{rng.randint(1, 999):03d}"
                case["signed_on"] = day
        elif stage is Stage.IMPLEMENTATION and not partial:
            case["launch_on"] = day  # the monitoring plan is made with the centre, once its dates are known
        elif stage is Stage.OPERATION:
            case["accredited_on"] = case.get("launch_on") or day
            if not partial:
                case["period_evaluated_on"] = day
                case["period_evaluation"] = "End-of-period evaluation: objectives largely met."
        elif stage is Stage.RENEWAL and not partial:
            case["renewal_outcome"] = rng.choice([o.value for o in RenewalOutcome])


def _batches(plan: _Plan) -> Iterator[_Batch]:
    builder = _Builder(plan)
    dialect = make_url(f"{plan.driver}://").get_dialect()()
    done = 0
    while done < plan.cases:
        size = min(BATCH, plan.cases - done)
        for _ in range(size):
            builder.case()
        done += size
        rows = builder.take()
        yield _Batch(done, len(builder.orgs),
                     [prepare_rows(model, rows.get(model, []), dialect) for model in BEFORE_CASES],
                     rows.get(Case, []),
                     [prepare_rows(model, rows.get(model, []), dialect) for model in AFTER_CASES])


def _number_cases(session: Session, site_code: str, cases: list[dict[str, Any]]) -> None:
    """Give each case the next free ref of its year, in the order the cases were made."""
    numbers: dict[int, int] = {}
    for case in cases:
        year = case["received_on"].year
        if year not in numbers:
            numbers[year] = highest_ref_number(session, site_code, year)
        numbers[year] += 1
        case["ref"] = str(CaseRef(site_code, year, numbers[year]))


def _produce(plan: _Plan, out: Any) -> None:
    """The body of the builder process: batches onto the queue, then None (or the error's text)."""
    try:
        for item in _batches(plan):
            out.put(item)
        out.put(None)
    except BaseException as exc:  # reported by the writer as one line
        out.put(f"{type(exc).__name__}: {exc}")


def _from_process(plan: _Plan) -> Iterator[_Batch]:
    """Batches made by a second process, so building rows overlaps with writing them."""
    ctx = multiprocessing.get_context("spawn")
    out = ctx.Queue(maxsize=2)
    worker = ctx.Process(target=_produce, args=(plan, out), name="dtlab-demo-rows", daemon=True)
    worker.start()
    try:
        while True:
            try:
                item = out.get(timeout=1)
            except queue.Empty:
                if not worker.is_alive():
                    raise RuntimeError("the demo row builder stopped unexpectedly") from None
                continue
            if item is None:
                return
            if isinstance(item, str):
                raise RuntimeError(f"the demo row builder failed: {item}")
            yield item
    finally:
        if worker.is_alive():
            worker.terminate()
        worker.join(5)


# Below this many cases a second process costs more to start than it saves.
PARALLEL_FROM = 4 * BATCH


def generate(store: Store, cases: int, seed: int, today: date | None = None,
             progress: Callable[[int, int], None] | None = None) -> DemoReport:
    """Add `cases` demo cases. Refs continue after this site's existing refs.

    Each batch of cases is its own transaction: a large load keeps the write-ahead log small and
    other processes are not locked out for the whole run; every batch is complete in itself.
    Large loads build and prepare rows in a second process while this one writes."""
    started = time.perf_counter()
    site = store.require_site()
    with store.read() as session:
        countries = [Place(c.code, c.name_en, c.region)
                     for c in session.scalars(select(Country).order_by(col(Country.code)))]
        goals = list(session.scalars(select(Goal.id).order_by(col(Goal.position))))
        types = centre_type_rules(session)
        rubric_id, _rubric = current_rubric(session)
        rubric_doc = session.get(RubricVersion, rubric_id).body  # type: ignore[union-attr]
        templates: dict[str, list[dict[str, Any]]] = {}
        for item in session.scalars(select(TemplateItem).order_by(col(TemplateItem.position))):
            templates.setdefault(item.centre_type, []).append(item.model_dump())
        policy = accreditation_policy(session)
    today = today or date.today()
    plan = _Plan(seed, cases, site.code, today, countries, goals, types, store.engine.url.drivername,
                 rubric_id, rubric_doc, templates, policy)
    batches = _from_process(plan) if cases >= PARALLEL_FROM else _batches(plan)
    records = made_orgs = 0
    for batch in batches:
        made_orgs = batch.organisations
        with store.write() as session:
            dialects.of(session).for_bulk_work(session)
            for table_rows in batch.before:
                records += write_prepared(session, table_rows)
            _number_cases(session, site.code, batch.cases)
            link_calls(session, site.code, batch.cases, today)
            records += write_prepared(session, prepare_rows(Case, batch.cases, session.connection().dialect))
            for table_rows in batch.after:
                records += write_prepared(session, table_rows)
        if progress:
            progress(batch.done, cases)
    return DemoReport(cases, made_orgs, records, time.perf_counter() - started)
