"""Which centre type fits a request, and what the centre will cost, each with its reasons in words.

From the selection guide (its rows are reference data, passed in as `CentreTypeRule`s): ownership
and scope are the guide's hard rules, the strategic goals say how well a type serves the request,
and the cost model says whether the host can carry it. The seed's precondition that cost depends
on "the chosen strategic goals, scope, ownership model and number of flagship initiatives" gives
the cost tier.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from dtlab.i18n import N_, Translated

from .guide import OWNERSHIP_LABELS, CentreTypeRule, ownership_problem, scope_problem, scope_word
from .said import Said, _, english, join, label, ngettext, verbatim

TIERS = ("low", "medium", "high")
# A cost tier inside the guide's sentences ("a high-cost model", "low cost").
TIER_WORDS: Translated[str] = Translated({"low": N_("low"), "medium": N_("medium"), "high": N_("high")})


def tier_word(tier: str) -> Said:
    return label(TIER_WORDS, tier) if tier in TIER_WORDS else verbatim(tier)


@dataclass(frozen=True)
class Request:
    goals: tuple[str, ...] = ()
    scope: str | None = None
    ownership: str | None = None
    cost_capacity: str | None = None  # the most the host can carry: low, medium or high
    resources_committed: bool | None = None  # None: not known yet


@dataclass(frozen=True)
class Verdict:
    type_id: str
    name: str
    fits: bool  # the guide's hard rules (ownership, scope) are met
    points: float  # for ranking: higher is a better fit
    reasons: tuple[str, ...]  # each a clause in words (a `Said`), the deciding ones first

    @property
    def summary(self) -> Said:
        reasons = join("; ", self.reasons)
        if self.fits:
            return _("{type}: fits; {reasons}").format(type=self.name, reasons=reasons)
        return _("{type}: does not fit; {reasons}").format(type=self.name, reasons=reasons)


def _goal_names(goals: Iterable[str], names: dict[str, str]) -> str:
    return ", ".join(names.get(g, g) for g in goals)


def judge(rule: CentreTypeRule, request: Request, goal_names: dict[str, str] | None = None) -> Verdict:
    names = goal_names or {}
    reasons: list[str] = []
    hard: list[str] = []  # the guide's rules broken, each said by the guide (always one here)
    points = 0.0
    penalty = 0.0
    if request.ownership:
        if request.ownership in rule.ownership:
            points += 3
            reasons.append(_("{ownership} as the guide asks").format(
                ownership=label(OWNERSHIP_LABELS, request.ownership)))
        else:
            hard.append(ownership_problem(rule, request.ownership) or "")
            penalty += 10
    if request.scope:
        if request.scope in rule.scopes:
            points += 3
            reasons.append(_("{scope} scope is allowed").format(scope=scope_word(request.scope)))
        else:
            hard.append(scope_problem(rule, request.scope) or "")
            # A centre's reach is what the request is for; ownership can still be negotiated.
            penalty += 20
    if request.goals:
        served = [g for g in request.goals if g in rule.goals]
        other = [g for g in request.goals if g not in rule.goals]
        # Share of the request this type serves, and of the type's purpose the request uses.
        points += 2 * len(served) / len(request.goals) + len(served) / max(len(rule.goals), 1)
        if served:
            reasons.append(_("serves {goals}").format(goals=_goal_names(served, names)))
        if other:
            reasons.append(_("not meant for {goals}").format(goals=_goal_names(other, names)))
    if request.cost_capacity in TIERS:
        if TIERS.index(rule.cost_tier) <= TIERS.index(request.cost_capacity):
            points += 1
        else:
            reasons.append(_("a {tier}-cost model, above the host's {capacity} capacity").format(
                tier=tier_word(rule.cost_tier), capacity=tier_word(request.cost_capacity)))
            points -= 1
    if request.resources_committed is False:
        reasons.append(_("no resources are committed yet"))
    # A broken hard rule ranks a type below every type that keeps the rules.
    return Verdict(rule.id, rule.name, not hard, round(points - penalty, 3), tuple(hard + reasons))


def recommend(rules: Sequence[CentreTypeRule], request: Request,
              goal_names: dict[str, str] | None = None) -> list[Verdict]:
    """Every type, best fit first; ties keep the guide's order."""
    verdicts = [judge(rule, request, goal_names) for rule in rules]
    order = {rule.id: i for i, rule in enumerate(rules)}
    return sorted(verdicts, key=lambda v: (-v.points, order[v.type_id]))


# --- cost tier -------------------------------------------------------------------------------------

OWNERSHIP_POINTS = {"itu": 4, "country": 2, "host_institution": 0}
SCOPE_POINTS = {"global": 2, "regional": 1, "national": 0}
TIER_FLOORS = (("high", 5), ("medium", 2))  # points from which a tier starts; below: low


def _count_points(n: int) -> int:
    return 0 if n <= 1 else 1 if n <= 3 else 2


@dataclass(frozen=True)
class CostEstimate:
    tier: str | None  # None until ownership and scope are known
    points: int
    drivers: tuple[str, ...]  # what set the tier, with the points each adds (each a `Said`)

    @property
    def summary(self) -> Said:
        drivers = join("; ", self.drivers)
        if self.tier is None:
            return _("cost tier: not yet known ({drivers})").format(drivers=drivers)
        # The English says "points" even for one (its output is fixed); a language says it as it must.
        return ngettext("{tier} cost ({n} points: {drivers})", "{tier} cost ({n} points: {drivers})",
                        self.points).format(tier=tier_word(self.tier), n=self.points, drivers=drivers)


def cost_tier(goals: Sequence[str], scope: str | None, ownership: str | None, flagships: int) -> CostEstimate:
    """Points for each driver of the seed's precondition; 5 or more is high, 2 to 4 medium,
    less low. An ITU-owned centre is the guide's high-cost model, one inside an existing
    institution its low-cost model; reach, breadth and flagships add to either."""
    drivers: list[str] = []
    points = 0
    if ownership:
        p = OWNERSHIP_POINTS[ownership]
        points += p
        drivers.append(verbatim("{ownership} +{points}").format(ownership=label(OWNERSHIP_LABELS, ownership), points=p))
    if scope:
        p = SCOPE_POINTS[scope]
        points += p
        drivers.append(_("{scope} scope +{points}").format(scope=scope_word(scope), points=p))
    p = _count_points(len(goals))
    points += p
    drivers.append(ngettext("{n} strategic goal +{points}", "{n} strategic goals +{points}", len(goals)).format(
        n=len(goals), points=p))
    p = _count_points(flagships)
    points += p
    drivers.append(ngettext("{n} flagship initiative +{points}", "{n} flagship initiatives +{points}",
                            flagships).format(n=flagships, points=p))
    if not ownership or not scope:
        needs = (_("needs ownership and scope") if not ownership and not scope
                 else _("needs ownership") if not ownership else _("needs scope"))
        return CostEstimate(None, points, tuple([needs, *drivers]))
    tier = next((name for name, floor in TIER_FLOORS if points >= floor), "low")
    return CostEstimate(tier, points, tuple(drivers))


def against_model(estimate: CostEstimate, rule: CentreTypeRule) -> str | None:
    """The cost tier said against the guide's cost model of a type, when the two differ (the
    guide calls the Initiative centre its low-cost model; a request's drivers may score high):
    "Initiative …: the guide's low-cost model; this request's drivers score high: 4 flagship
    initiatives +2, …". None when they agree, or the tier is not yet known. A `Said`, as every
    sentence of the guide's here: the recommendation's JSON gives its English."""
    if estimate.tier is None or estimate.tier == rule.cost_tier:
        return None
    weighing = [d for d in estimate.drivers if not english(d).endswith("+0")]
    return _("{type}: the guide's {model}-cost model; this request's drivers score {tier}: {drivers}").format(
        type=rule.name, model=tier_word(rule.cost_tier), tier=tier_word(estimate.tier), drivers=join("; ", weighing))


def inferred_note(rule: CentreTypeRule) -> str | None:
    """Said where a recommendation of `rule` rests on cells of the guide that were inferred."""
    if not rule.inferred:
        return None
    cells = ", ".join(rule.inferred)
    if rule.inference_note:
        return _("{type}: its {cells} in the guide are inferred, the source's marks being lost ({note})").format(
            type=rule.name, cells=cells, note=rule.inference_note)
    return _("{type}: its {cells} in the guide are inferred, the source's marks being lost").format(
        type=rule.name, cells=cells)
