"""Realistic, deterministic demo data: the same seed gives the same cases.

Cases are spread over every stage and status; each carries the records its passed gates needed,
and the transitions that got it there, so the demo obeys the same rules as real work. Rows are
written in bulk (with their change-log entries) rather than one ORM add per row."""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from typing import Any

from sqlmodel import Session, col, select

from ..domain.guide import CentreTypeRule
from ..domain.ids import CaseRef, new_id, parse_ref
from ..domain.stages import STAGE_ORDER, Channel, MoveKind, RenewalOutcome, Stage, Status
from .changelog import bulk_insert
from .models import Assessment, Case, Country, Evaluation, Goal, Kpi, Note, Organisation, Transition
from .reference import centre_type_rules
from .store import Store

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
KPI_NAMES = (
    ("Start-ups supported", "count"), ("People trained", "people"), ("Policy sandboxes run", "count"),
    ("Partners engaged", "organisations"), ("Investment mobilised", "USD k"), ("Research outputs", "papers"),
)
# How many cases end up at each stage, as weights (earlier stages are busier).
STAGE_WEIGHTS = (24, 18, 16, 10, 10, 15, 7)


@dataclass
class DemoReport:
    cases: int
    organisations: int
    records: int
    seconds: float


def _at(day: date, rng: random.Random) -> datetime:
    return datetime(day.year, day.month, day.day, rng.randint(7, 18), rng.randint(0, 59), tzinfo=timezone.utc)


class _Builder:
    def __init__(self, rng: random.Random, site_code: str, today: date, countries: list[Country],
                 goals: list[str], types: dict[str, CentreTypeRule]):
        self.rng, self.site, self.today = rng, site_code, today
        self.countries, self.goals, self.types = countries, goals, types
        self.numbers: dict[int, int] = {}
        self.orgs: list[dict[str, Any]] = []
        self.orgs_by_country: dict[str, list[dict[str, Any]]] = {}
        self.rows: dict[type, list[dict[str, Any]]] = {}

    def add(self, model: type, **row: Any) -> dict[str, Any]:
        row.setdefault("id", new_id())
        self.rows.setdefault(model, []).append(row)
        return row

    def organisation(self, country: Country) -> dict[str, Any]:
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
        org = self.add(Organisation, name=name, country=country.code, category=category)
        existing.append(org)
        self.orgs.append(org)
        return org

    def case(self) -> None:
        rng = self.rng
        country = rng.choice(self.countries)
        org = self.organisation(country)
        final = rng.choices(STAGE_ORDER, weights=STAGE_WEIGHTS)[0]
        # Each stage a case passed took 20-200 days; the history ends before today.
        durations = [rng.randint(20, 200) for _ in range(final.position + 1)]
        received = self.today - timedelta(days=sum(durations) + rng.randint(0, 60))
        year = received.year
        self.numbers[year] = self.numbers.get(year, 0) + 1
        ref = str(CaseRef(self.site, year, self.numbers[year]))
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
            id=case_id, ref=ref, title=title[0].upper() + title[1:], applicant_id=org["id"], country=country.code,
            region=country.region, channel=rng.choice([c.value for c in Channel]), received_on=received,
            goals=",".join(goals), scope=scope, ownership=rule.ownership[0], proposed_type=type_id,
            assignee=rng.choice(EVALUATORS), stage=Stage.INTEREST.value, status=Status.OPEN.value,
            purpose=f"Build capacity for {rng.choice(TOPICS)} in {country.name_en}.",
            created_at=_at(received, rng),
        )
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
        case["updated_at"] = max(case["created_at"], case["stage_since"])
        self.add(Case, **case)

    def _satisfy(self, stage: Stage, case: dict[str, Any], day: date, partial: bool = False) -> None:
        """Record what the stage's gate needs, dated `day` (only some of it when `partial`)."""
        rng = self.rng
        when = _at(day, rng)
        if stage is Stage.ASSESSMENT:
            self.add(Assessment, case_id=case["id"], needs="National innovation capacity; skills gaps.",
                     stakeholders="Ministry, two universities, national start-up association.",
                     human_resources=f"{rng.randint(2, 12)} staff seconded by the host",
                     financial_resources=None if partial else f"USD {rng.randint(2, 40) * 25}k over three years",
                     findings=None if partial else rng.choice(FINDINGS), assessed_on=day,
                     assessor=rng.choice(EVALUATORS), created_at=when)
        elif stage is Stage.CONCEPT_DESIGN:
            case["flagships"] = "\n".join(rng.sample(TOPICS, k=rng.randint(1, 3)))
            verdicts = ["recommend", "recommend_with_conditions"] if not partial else ["revise"]
            for evaluator in rng.sample(EVALUATORS, k=rng.randint(1, 3)):
                self.add(Evaluation, case_id=case["id"], evaluator=evaluator, classification=rng.choice(verdicts),
                         submitted_at=when, created_at=when)
        elif stage is Stage.AGREEMENT:
            case["signatories"] = "BDT Director; host minister"
            if not partial:
                case["agreement_ref"] = f"BDT/JS/{day.year}/{rng.randint(1, 999):03d}"
                case["signed_on"] = day
        elif stage is Stage.IMPLEMENTATION:
            if not partial:
                case["launch_on"] = day
            for name, unit in rng.sample(KPI_NAMES, k=rng.randint(2, 4)):
                baseline = float(rng.randint(0, 20))
                self.add(Kpi, case_id=case["id"], name=name, unit=unit, baseline=baseline,
                         target=baseline + rng.randint(10, 200), created_at=when)
        elif stage is Stage.OPERATION:
            case["accredited_on"] = case.get("launch_on") or day
            if not partial:
                case["period_evaluated_on"] = day
                case["period_evaluation"] = "End-of-period evaluation: objectives largely met."
        elif stage is Stage.RENEWAL and not partial:
            case["renewal_outcome"] = rng.choice([o.value for o in RenewalOutcome])


def _flush(session: Session, builder: _Builder) -> int:
    written = 0
    # Parents first: foreign keys are checked as rows arrive.
    for model in (Organisation, Case, Assessment, Evaluation, Kpi, Transition, Note):
        rows = builder.rows.pop(model, [])
        written += bulk_insert(session, model, rows)
    return written


def generate(store: Store, cases: int, seed: int, today: date | None = None,
             progress: Callable[[int, int], None] | None = None) -> DemoReport:
    """Add `cases` demo cases. Refs continue after this site's existing refs.

    Each batch of cases is its own transaction: a large load keeps the write-ahead log small and
    other processes are not locked out for the whole run; every batch is complete in itself."""
    started = time.perf_counter()
    site = store.require_site()
    rng = random.Random(seed)
    today = today or date.today()
    with store.read() as session:
        countries = list(session.scalars(select(Country).order_by(Country.code)))
        goals = list(session.scalars(select(Goal.id).order_by(col(Goal.position))))
        types = centre_type_rules(session)
    builder = _Builder(rng, site.code, today, countries, goals, types)
    records = 0
    done = 0
    while done < cases:
        size = min(BATCH, cases - done)
        with store.write() as session:
            if done == 0:
                mine = select(Case.ref).where(col(Case.ref).startswith(f"{site.code}-"))
                for ref in session.scalars(mine):
                    parsed = parse_ref(ref)
                    builder.numbers[parsed.year] = max(builder.numbers.get(parsed.year, 0), parsed.number)
            for _ in range(size):
                builder.case()
            records += _flush(session, builder)
        done += size
        if progress:
            progress(done, cases)
    return DemoReport(cases, len(builder.orgs), records, time.perf_counter() - started)
