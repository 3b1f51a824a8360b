"""Monitoring an Acceleration Centre: accreditation periods and when re-accreditation falls due,
milestone dates (fixed or relative to an anchor) and whether they are overdue or due soon, and
the red/amber/green status of a KPI from its targets and actuals. Pure date arithmetic and rules;
nothing here is stored, everything is computed from what is.

The seed (000_5042ac4329675cb2.txt) gives the three-year accredited period, extendable after
evaluation and re-accreditation; the results-based-management terms (outputs, outcomes, KPIs
with baselines and targets per period) come from 002_6af3e17f35e71df1.txt.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date, timedelta
from enum import Enum
from typing import Any

from dtlab.i18n import N_

from .policy import ACCREDITATION_YEARS, RENEWAL_LEAD_MONTHS, check_lengths
from .said import Said, _, ngettext

# --- dates --------------------------------------------------------------------------------------


def add_months(day: date, months: int) -> date:
    """The same day of the month `months` later (or earlier); a day the target month lacks
    becomes its last day (31 January + 1 month = 28 or 29 February)."""
    index = day.year * 12 + (day.month - 1) + months
    year, month = divmod(index, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return date(year, month + 1, min(day.day, last))


def add_years(day: date, years: int) -> date:
    """The same day `years` later; 29 February becomes 1 March in a year without it, so that a
    period that began on a leap day still lasts its full length."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February in a common year
        return date(day.year + years, 3, 1)


# --- accreditation -------------------------------------------------------------------------------


@dataclass(frozen=True)
class AccreditationPeriod:
    number: int  # 1 for the first period, 2 after the first renewal, …
    starts_on: date
    ends_on: date
    renewal_due_on: date

    def state(self, today: date, renewed: bool = False) -> str:
        """This period's state: upcoming (not begun), current, renewal due, lapsed, or renewed
        (ended and followed by a renewal). A period already renewed owes no renewal."""
        if today < self.starts_on:
            return "upcoming"
        if today > self.ends_on:
            return "renewed" if renewed else "lapsed"
        due = today >= self.renewal_due_on and not renewed
        return "renewal due" if due else "current"  # i18n: not shown (a state: the front ends name it)

    def days_left(self, today: date) -> int:
        return (self.ends_on - today).days


def accreditation_state(period: AccreditationPeriod, today: date, renewed: bool = False,
                        previous: AccreditationPeriod | None = None) -> str:
    """The centre's accreditation on `today`, judged on its latest period. A renewal recorded
    before the period it renews ends opens the next period ahead: until that one starts, the
    centre is accredited by the previous period and nothing is due, so it is "current" (not
    "upcoming", which is left for a first period not yet begun)."""
    if today < period.starts_on and previous is not None and previous.starts_on <= today:
        return "current"
    return period.state(today, renewed)


def accreditation_period(starts_on: date, years: int = ACCREDITATION_YEARS,
                         renewal_lead_months: int = RENEWAL_LEAD_MONTHS, number: int = 1) -> AccreditationPeriod:
    check_lengths(years, renewal_lead_months)
    ends_on = add_years(starts_on, years) - timedelta(days=1)
    due = add_months(ends_on, -renewal_lead_months)
    return AccreditationPeriod(number, starts_on, ends_on, max(due, starts_on))


def next_period(period: AccreditationPeriod, years: int = ACCREDITATION_YEARS,
                renewal_lead_months: int = RENEWAL_LEAD_MONTHS) -> AccreditationPeriod:
    """The period a renewal starts: from the day after the current one ends."""
    return accreditation_period(period.ends_on + timedelta(days=1), years, renewal_lead_months, period.number + 1)


# --- the results chain ---------------------------------------------------------------------------

# The three levels of results in the action plan's glossary (second seed: 输出成果 outputs, 成果
# outcomes, 影响(力) impact), lowest first: an output contributes to an outcome, an outcome to an
# impact. KPIs may measure a result of any level and are rated alike (`kpi_status`).
RESULT_LEVELS = ("output", "outcome", "impact")
# The level a result of each level links up to (None: the top of the chain).
PARENT_LEVEL: dict[str, str | None] = {"output": "outcome", "outcome": "impact", "impact": None}
# The WSIS action lines (Geneva Plan of Action, C1-C11) a result may contribute to, as the
# action plan cites them ("WSIS行动方面：C2、C9、C6").
WSIS_LINES = tuple(f"C{n}" for n in range(1, 12))
SDG_NUMBERS = range(1, 18)


def parent_problem(level: str, parent_level: str | None, same_case: bool = True) -> str | None:
    """Why a result of `level` cannot link up to a result of `parent_level` (None: no parent),
    or None when it can: only one level up, within one case's plan; never sideways or down."""
    if parent_level is None:
        return None
    if not same_case:
        return _("a result links up only to a result of the same centre's plan")
    wanted = PARENT_LEVEL.get(level)
    if wanted is None:
        return _("an impact is the top of the results chain: it links up to nothing")
    if parent_level != wanted:
        said = WRONG_PARENT.get((level, parent_level), N_("an {level} links up to an {wanted}, not to an {parent}"))
        return _(said).format(level=level, wanted=wanted, parent=parent_level)
    return None


# A result linked to one of the wrong level, each said whole (each language declines the levels).
WRONG_PARENT = {("output", "output"): N_("an output links up to an outcome, not to an output"),
                ("output", "impact"): N_("an output links up to an outcome, not to an impact"),
                ("outcome", "outcome"): N_("an outcome links up to an impact, not to an outcome"),
                ("outcome", "output"): N_("an outcome links up to an impact, not to an output")}


def wsis_codes(text: str) -> tuple[list[str], list[str]]:
    """The WSIS action lines in `text` ("C1 c7, C11"), in order and without repeats, and the
    items that are not one of C1-C11."""
    items = list(dict.fromkeys(text.replace(",", " ").upper().split()))
    return [i for i in items if i in WSIS_LINES], [i for i in items if i not in WSIS_LINES]


@dataclass(frozen=True)
class ChainItem:
    """A result in the chain's reading order: `depth` 0 for a result linked to nothing (shown at
    the top), one more for each link up; `broken` when its stored link leads nowhere it may (a
    parent removed, or changed level on another site), so it is shown unlinked and said so."""

    id: str
    depth: int
    broken: bool


def result_chain(results: list[tuple[str, str, str | None]]) -> list[ChainItem]:
    """The results (id, level, parent id) of one plan, in the given order within each level,
    read down the chain: each impact followed by its outcomes, each outcome by its outputs; then
    the outcomes linked to no impact with their outputs, then the outputs linked to nothing.
    Every result appears exactly once, after its parent."""
    level_of = {rid: level for rid, level, _parent in results}
    children: dict[str, list[str]] = {}
    tops: list[tuple[str, bool]] = []
    for rid, level, parent in results:
        linked = parent is not None and parent_problem(level, level_of.get(parent)) is None \
            and parent in level_of and parent != rid
        if linked:
            assert parent is not None
            children.setdefault(parent, []).append(rid)
        else:
            tops.append((rid, parent is not None))
    rank = {lv: n for n, lv in enumerate(reversed(RESULT_LEVELS))}
    tops.sort(key=lambda t: rank.get(level_of[t[0]], len(rank)))  # stable: the given order stays within a level
    out: list[ChainItem] = []

    def walk(rid: str, depth: int, broken: bool) -> None:
        out.append(ChainItem(rid, depth, broken))
        for child in children.get(rid, []):
            walk(child, depth + 1, False)

    for rid, broken in tops:
        walk(rid, 0, broken)
    return out


# --- milestones ----------------------------------------------------------------------------------


class MilestoneStatus(str, Enum):
    PLANNED = "planned"
    IN_PROGRESS = "in_progress"
    DONE = "done"
    MISSED = "missed"
    CANCELLED = "cancelled"

    @property
    def open(self) -> bool:
        return self in (MilestoneStatus.PLANNED, MilestoneStatus.IN_PROGRESS)


class Anchor(str, Enum):
    LAUNCH = "launch"
    ACCREDITATION = "accreditation"


# A due rule in words, by anchor (on it, after it, before it); the English is typed (`parse_rule`).
ANCHOR_WORDS: dict[Anchor, tuple[str, str, str]] = {
    Anchor.LAUNCH: (N_("on launch"), N_("{duration} after launch"), N_("{duration} before launch")),
    Anchor.ACCREDITATION: (N_("on the start of accreditation"), N_("{duration} after the start of accreditation"),
                           N_("{duration} before the start of accreditation")),
}


@dataclass(frozen=True)
class DueRule:
    """A fixed date, or an offset in months and days from an anchor ("six months after launch")."""

    fixed: date | None = None
    anchor: Anchor | None = None
    months: int = 0
    days: int = 0

    def __post_init__(self) -> None:
        if (self.fixed is None) == (self.anchor is None):
            raise ValueError("a due date is either fixed or relative to an anchor, "  # i18n: not shown (a bug)
                             "not both or neither")

    def due(self, anchors: dict[Anchor, date | None]) -> date | None:
        """The due date, or None while the anchor's date is not known."""
        if self.fixed is not None:
            return self.fixed
        assert self.anchor is not None
        start = anchors.get(self.anchor)
        return None if start is None else add_months(start, self.months) + timedelta(days=self.days)

    @property
    def words(self) -> Said:
        """The rule in words; their English is the rule as typed (`parse_rule` reads it back)."""
        if self.fixed is not None:
            return _("on {date}").format(date=self.fixed.isoformat())
        assert self.anchor is not None
        on, after, before = ANCHOR_WORDS[self.anchor]
        months, days = abs(self.months), abs(self.days)
        if not months and not days:
            return _(on)
        month_words = ngettext("{n} month", "{n} months", months).format(n=months)
        day_words = ngettext("{n} day", "{n} days", days).format(n=days)
        duration = (_("{months} and {days}").format(months=month_words, days=day_words) if months and days
                    else month_words if months else day_words)
        earlier = self.months < 0 or (self.months == 0 and self.days < 0)
        return _(before if earlier else after).format(duration=duration)


_ANCHOR_NAMES = {"launch": Anchor.LAUNCH, "accreditation": Anchor.ACCREDITATION,
                 "start of accreditation": Anchor.ACCREDITATION, "the start of accreditation": Anchor.ACCREDITATION}
_OFFSET = re.compile(
    r"^(?:(?P<months>[+-]?\d+)\s*(?:months?|m)\b)?\s*(?:and\s+)?(?:(?P<days>[+-]?\d+)\s*(?:days?|d)\b)?\s*"
    r"(?:(?P<direction>after|before)\s+)?(?P<anchor>[a-z ]+?)$")


def parse_rule(text: str) -> DueRule:
    """A relative due rule as people write it, and as `DueRule.words` says it: "6 months after
    launch", "1 month and 5 days after the start of accreditation", "2 months before launch",
    "on launch", or short: "6m launch", "-30 days accreditation". ValueError if it is not one."""
    words = " ".join(text.lower().split())
    if words.startswith("on "):
        anchor = _ANCHOR_NAMES.get(words[3:])
        if anchor is None:
            raise ValueError(_("unknown anchor in {text}").format(text=repr(text)))
        return DueRule(anchor=anchor)
    match = _OFFSET.match(words)
    if not match or (match["months"] is None and match["days"] is None):
        raise ValueError(_("not an offset from an anchor: {text}").format(text=repr(text)))
    anchor = _ANCHOR_NAMES.get(match["anchor"].strip())
    if anchor is None:
        raise ValueError(_("unknown anchor in {text}").format(text=repr(text)))
    sign = -1 if match["direction"] == "before" else 1
    return DueRule(anchor=anchor, months=sign * int(match["months"] or 0), days=sign * int(match["days"] or 0))


DUE_SOON_DAYS = 30
# Accreditations ending within this many months need attention (the dashboard counts them).
ENDING_SOON_MONTHS = 6

# A centre's fields that follow its case's (centre field → case field): nothing names a centre
# apart from its case, so a rename or a new type of the case is the centre's too.
CENTRE_FOLLOWS_CASE = {"name": "title", "centre_type": "proposed_type", "scope": "scope", "goals": "goals",
                       "launch_on": "launch_on", "country": "country"}


def due_state(due: date | None, status: MilestoneStatus, today: date, soon_days: int = DUE_SOON_DAYS) -> str:
    """overdue, due soon, scheduled, unscheduled (anchor not known yet), or closed (done, missed
    or cancelled): computed each time, never stored."""
    if not status.open:
        return "closed"
    if due is None:
        return "unscheduled"
    if due < today:
        return "overdue"
    if (due - today).days <= soon_days:
        return "due soon"  # i18n: not shown (a state, the front ends name it)
    return "scheduled"


@dataclass(frozen=True)
class Replanned:
    key: str
    title: str
    old: date | None
    new: date | None


def replan(milestones: list[tuple[str, str, DueRule, MilestoneStatus, date | None]],
           anchors: dict[Anchor, date | None]) -> list[Replanned]:
    """What re-planning on these anchors would change: the open relative milestones (key, title,
    rule, status, stored due date) whose stored date is not the one their rule now gives, old
    and new, for the user to accept before anything is written. Fixed dates and closed
    milestones stay."""
    out = []
    for key, title, rule, status, stored in milestones:
        if rule.fixed is not None or not status.open:
            continue
        new = rule.due(anchors)
        if new != stored:
            out.append(Replanned(key, title, stored, new))
    return out


# --- KPIs: red, amber, green ---------------------------------------------------------------------


def reporting_year_ends(first_start: date | None, year: int) -> date | None:
    """The last day of a KPI's reporting year `year` (1 = the first twelve months from the start
    of the centre's first accreditation); None before the centre is accredited."""
    if first_start is None:
        return None
    return add_years(first_start, year) - timedelta(days=1)


def reporting_year_starts(first_start: date, year: int) -> date:
    """The first day of reporting year `year` (the day after the previous year ends)."""
    return add_years(first_start, year - 1)


# How a KPI is rated (said by `rag_rule()`; --json runs in English).
# The shares are values, so that no "%" is in the message (a catalogue reads "% o" as a format).
_RAG_WORDS = N_(
    "Progress for a reporting year is how far the actual has moved from the baseline towards that year's target: "
    "(actual - baseline) / (target - baseline), which also works for KPIs that should go down. Green: {green} of "
    "the way or more. Amber: {amber} to {green}. Red: less than {amber}. A year still running is judged on its "
    "pace: against the level due by today, which rises evenly through the year from the previous year's target (or "
    "the baseline) to this year's, so a figure reported early is not red for being short of a whole year's target. "
    "No data: the year has ended and no actual was reported (shown, never counted as green). A year that has not "
    "ended and has no actual is not rated yet. A baseline not yet measured counts as zero. The KPI's status is that "
    "of its latest rated year.")
_RAG_SHARES = {"green": "90\u00a0%", "amber": "60\u00a0%"}


def rag_rule() -> str:
    return _(_RAG_WORDS).format(**_RAG_SHARES)


GREEN_FROM, AMBER_FROM = 0.9, 0.6


class Rag(str, Enum):
    GREEN = "green"
    AMBER = "amber"
    RED = "red"
    NO_DATA = "no data"  # i18n: not shown (a stored and JSON value; the front ends name it)
    NOT_YET = "not yet rated"  # i18n: not shown (a stored and JSON value; the front ends name it)


def progress(baseline: float, target: float, actual: float) -> float:
    if target == baseline:  # a level to hold: held or not
        return 1.0 if actual == target else 0.0
    return (actual - baseline) / (target - baseline)


def rag(baseline: float, target: float, actual: float | None, period_ended: bool, due: float | None = None) -> Rag:
    """The rating of one period; `due` is the level due by today in a period still running (its
    target when None)."""
    if actual is None:
        return Rag.NO_DATA if period_ended else Rag.NOT_YET
    share = progress(baseline, target if due is None else due, actual)
    if share >= GREEN_FROM:
        return Rag.GREEN
    if share >= AMBER_FROM:
        return Rag.AMBER
    return Rag.RED


def level_due(start_level: float, target: float, starts_on: date, ends_on: date, today: date) -> float:
    """The level a KPI should have reached by `today` in a period from `starts_on` to `ends_on`:
    rising evenly from `start_level` (the previous period's target, or the baseline) to `target`,
    counting today as elapsed; the target itself once the period has ended."""
    if today >= ends_on:
        return target
    length = (ends_on - starts_on).days + 1
    elapsed = min(max((today - starts_on).days + 1, 1), length)
    return start_level + (target - start_level) * elapsed / length


def even_targets(baseline: float | None, target: float, years: int) -> tuple[float, ...]:
    """Yearly targets rising evenly from the baseline (zero when not measured) to `target` in the
    last of `years` years: what a KPI given only an end-of-plan target is rated against. Whole
    numbers stay whole (a count of 1,000 over three years: 333, 667, 1,000)."""
    base = 0.0 if baseline is None else baseline
    whole = float(base).is_integer() and float(target).is_integer()
    out = []
    for year in range(1, years + 1):
        value = base + (target - base) * year / years
        out.append(float(round(value)) if whole else round(value, 2))
    out[-1] = float(target)
    return tuple(out)


@dataclass(frozen=True)
class PeriodResult:
    period: str
    ends_on: date
    target: float
    actual: float | None
    progress: float | None  # of the whole period's target
    status: Rag
    due: float | None = None  # the level due by today, while the period runs


Period = tuple[str, date, date, float, "float | None"]  # label, starts on, ends on, target, actual


def kpi_status(baseline: float | None, periods: list[Period], today: date) -> tuple[Rag, list[PeriodResult]]:
    """Each reporting period (label, start, end, target, actual) rated, a running one on its
    pace; the KPI's status is the latest rated period's, or "not yet rated" when none is."""
    results = []
    base = 0.0 if baseline is None else baseline
    start_level = base
    for label, starts_on, ends_on, target, actual in sorted(periods, key=lambda p: p[2]):
        ended = ends_on < today
        due = None if ended else level_due(start_level, target, starts_on, ends_on, today)
        status = rag(base, target, actual, ended, due)
        share = None if actual is None else round(progress(base, target, actual), 3)
        results.append(PeriodResult(label, ends_on, target, actual, share, status, due))
        start_level = target
    rated = [r for r in results if r.status is not Rag.NOT_YET]
    return (rated[-1].status if rated else Rag.NOT_YET), results


# --- a plan from a template ----------------------------------------------------------------------


@dataclass(frozen=True)
class PlannedResult:
    level: str
    title: str
    position: int
    task: int
    parent: int | None = None  # the position of the template's result it contributes to


@dataclass(frozen=True)
class PlannedKpi:
    name: str
    unit: str | None
    targets: tuple[float, ...]  # year 1, 2, … of the first period
    position: int
    task: int


@dataclass(frozen=True)
class PlannedMilestone:
    title: str
    rule: DueRule
    due_on: date | None
    position: int
    task: int


@dataclass(frozen=True)
class TemplatePlan:
    results: list[PlannedResult]
    kpis: list[PlannedKpi]
    milestones: list[PlannedMilestone]


def template_plan(items: list[dict[str, Any]], anchors: dict[Anchor, date | None], years: int) -> TemplatePlan:
    """A centre's plan from its type's template items (kind, title_en, level, unit, targets,
    anchor, months, position, task, parent): results linked up the chain as the template links
    them, yearly targets cut to the period's years, milestones dated from the anchors known so
    far. The one reading of a template, for real centres and the demo."""
    ordered = sorted(items, key=lambda i: (i["kind"], i["position"]))
    return TemplatePlan(
        [PlannedResult(i["level"] or "output", i["title_en"], i["position"], i["task"], i.get("parent"))
         for i in ordered if i["kind"] == "result"],
        [PlannedKpi(i["title_en"], i["unit"], tuple(float(t) for t in (i["targets"] or [])[:years]), i["position"],
                    i["task"]) for i in ordered if i["kind"] == "kpi"],
        [PlannedMilestone(i["title_en"], rule, rule.due(anchors), i["position"], i["task"])
         for i in ordered if i["kind"] == "milestone"
         for rule in [DueRule(anchor=Anchor(i["anchor"] or "launch"), months=i["months"] or 0)]],
    )


def measured_results(results: list[PlannedResult]) -> dict[int, int]:
    """For each task, the position of the planned result its KPIs measure: the first result of
    the task at the lowest level (a KPI of a template counts what a centre delivers, so it
    measures the output serving its task rather than the impact the output leads to)."""
    out: dict[int, tuple[int, int]] = {}
    for r in results:
        rank = RESULT_LEVELS.index(r.level) if r.level in RESULT_LEVELS else len(RESULT_LEVELS)
        if r.task not in out or rank < out[r.task][0]:
            out[r.task] = (rank, r.position)
    return {task: position for task, (_rank, position) in out.items()}
