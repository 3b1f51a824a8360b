"""Scoring a concept design against the evaluation rubric: the weighted total, the caps of
critical criteria, the classification, and the consolidation of several evaluators.

The rubric itself is reference data (seeds/rubric.toml); this module only computes over it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from statistics import mean
from typing import Any

from .fields import number_words
from .gates import CLASSIFICATION_LABELS, CLASSIFICATIONS
from .said import Said, _, label

MAX_SCORE = 4
LEVELS = tuple(range(MAX_SCORE + 1))

class RubricError(ValueError):
    pass


def _said(item: Mapping[str, Any], key: str, lang: str, default: Any = None) -> Any:
    """An item's `key` in `lang` (`name_fr`), else in English (`name_en`: required unless a
    `default` is given)."""
    found = item.get(f"{key}_{lang}")
    if found:
        return found
    return item[f"{key}_en"] if default is None else item.get(f"{key}_en", default)


@dataclass(frozen=True)
class Cap:
    below: int
    at_most: str
    why: str


@dataclass(frozen=True)
class Criterion:
    id: str
    name: str
    question: str
    weight: float
    levels: tuple[str, ...]  # what each score 0..4 means, in words
    caps: tuple[Cap, ...] = ()
    short: str = ""  # for tables; the name when not given

    @property
    def critical(self) -> bool:
        return bool(self.caps)


@dataclass(frozen=True)
class Rubric:
    version: int
    criteria: tuple[Criterion, ...]
    thresholds: tuple[tuple[str, float], ...]  # (classification, minimum percentage), best first
    spread: int  # scores this far apart on one criterion mean the evaluators disagree widely

    def criterion(self, criterion_id: str) -> Criterion:
        for c in self.criteria:
            if c.id == criterion_id:
                return c
        raise KeyError(criterion_id)

    @classmethod
    def from_doc(cls, doc: Mapping[str, Any], lang: str = "en") -> Rubric:
        """Read and check a rubric document (the parsed seeds/rubric.toml), its words in `lang`
        where it gives them (the storage reads it in the language in use)."""
        items = doc.get("criterion")
        if not isinstance(items, list) or not items:
            raise RubricError(_("no [[criterion]] entries"))
        criteria = []
        for item in items:
            cid = item["id"]
            levels = tuple(_said(item, "levels", lang))
            if len(levels) != len(LEVELS):
                raise RubricError(f"{cid}: " + _("needs {n} level descriptions (0 to {top}), has {has}").format(
                    n=len(LEVELS), top=MAX_SCORE, has=len(levels)))
            weight = float(item["weight"])
            if weight <= 0:
                raise RubricError(f"{cid}: " + _("the weight must be positive"))
            caps = []
            for cap in item.get("caps", []):
                if cap["at_most"] not in CLASSIFICATIONS:
                    raise RubricError(f"{cid}: " + _("cap at_most {value} is not one of {allowed}").format(
                        value=repr(cap["at_most"]), allowed=", ".join(CLASSIFICATIONS)))
                if not 0 < int(cap["below"]) <= MAX_SCORE:
                    raise RubricError(f"{cid}: " + _("cap below must be 1 to {top}").format(top=MAX_SCORE))
                caps.append(Cap(int(cap["below"]), cap["at_most"], _said(cap, "why", lang, "")))
            name = _said(item, "name", lang)
            criteria.append(Criterion(cid, name, _said(item, "question", lang, ""), weight, levels, tuple(caps),
                                      _said(item, "short", lang, "") or name))
        if len({c.id for c in criteria}) != len(criteria):
            raise RubricError(_("two criteria share an id"))
        raw = doc.get("thresholds", {})
        thresholds = []
        for name in CLASSIFICATIONS[:-1]:
            if name not in raw:
                raise RubricError(_("[thresholds] needs {name}").format(name=name))
            thresholds.append((name, float(raw[name])))
        if any(a[1] < b[1] for a, b in zip(thresholds, thresholds[1:], strict=False)):
            raise RubricError(_("[thresholds] must not rise from recommend to revise"))
        spread = int(doc.get("disagreement", {}).get("spread", 2))
        # `rubric_version` when the seed file's `version` has moved on without the rubric's meaning.
        return cls(int(doc.get("rubric_version", doc.get("version", 1))), tuple(criteria), tuple(thresholds), spread)


@dataclass(frozen=True)
class AppliedCap:
    criterion: str
    score: float
    cap: Cap

    def text(self, rubric: Rubric) -> Said:
        """The cap in words (a `Said`: the evaluations' JSON lists it in English)."""
        values = {"criterion": rubric.criterion(self.criterion).name, "score": number_words(self.score),
                  "below": self.cap.below, "classification": label(CLASSIFICATION_LABELS, self.cap.at_most).lower()}
        if self.cap.why:
            return _("{criterion} scored {score}, below {below}: {why}; at most “{classification}”").format(
                why=self.cap.why, **values)
        return _("{criterion} scored {score}, below {below}; at most “{classification}”").format(**values)


@dataclass(frozen=True)
class Result:
    percent: float | None  # None until every criterion is scored
    uncapped: str | None
    classification: str | None
    caps: tuple[AppliedCap, ...]
    missing: tuple[str, ...]  # criteria not scored yet

    @property
    def complete(self) -> bool:
        return not self.missing


def _worse(a: str, b: str) -> str:
    return a if CLASSIFICATIONS.index(a) >= CLASSIFICATIONS.index(b) else b


def check_scores(rubric: Rubric, scores: Mapping[str, Any], comments: Mapping[str, Any] = {}) -> None:  # noqa: B006
    """What an evaluator may write: scores and comments of this rubric's criteria only, each score a
    whole number from 0 to MAX_SCORE (or none). RubricError names the first problem."""
    known = [c.id for c in rubric.criteria]
    for cid in [*scores, *(c for c in comments if c not in scores)]:
        if cid not in known:
            raise RubricError(_("unknown criterion {criterion} (this rubric has: {known})").format(
                criterion=repr(cid), known=" ".join(known)))
    for cid, value in scores.items():
        if value is not None and not (isinstance(value, int) and not isinstance(value, bool)
                                      and 0 <= value <= MAX_SCORE):
            raise RubricError(f"{cid}: " + _("a score is a whole number from 0 to {top}").format(top=MAX_SCORE))


def score(rubric: Rubric, scores: Mapping[str, float | None],
          cap_scores: Mapping[str, float | None] | None = None) -> Result:
    """The weighted total (percent of the highest possible), the caps that apply and the
    classification. Caps compare `cap_scores` when given (a consolidation passes each
    criterion's lowest score), else the scores themselves."""
    for cid, value in scores.items():
        if value is not None and not 0 <= value <= MAX_SCORE:
            raise RubricError(f"{cid}: " + _("a score is 0 to {top}, not {value}").format(top=MAX_SCORE, value=value))
    missing = tuple(c.id for c in rubric.criteria if scores.get(c.id) is None)
    caps = []
    for c in rubric.criteria:
        value = (cap_scores if cap_scores is not None else scores).get(c.id)
        hit = [cap for cap in c.caps if value is not None and value < cap.below]
        if hit:  # the most severe of a criterion's caps is the one that applies
            worst = max(hit, key=lambda cap: CLASSIFICATIONS.index(cap.at_most))
            caps.append(AppliedCap(c.id, float(value or 0), worst))
    if missing:
        return Result(None, None, None, tuple(caps), missing)
    total_weight = sum(c.weight for c in rubric.criteria)
    percent = 100 * sum(c.weight * float(scores[c.id] or 0) for c in rubric.criteria) / (total_weight * MAX_SCORE)
    uncapped = next((name for name, least in rubric.thresholds if percent >= least), CLASSIFICATIONS[-1])
    classification = uncapped
    for applied in caps:
        classification = _worse(classification, applied.cap.at_most)
    return Result(round(percent, 1), uncapped, classification, tuple(caps), ())


@dataclass(frozen=True)
class CriterionView:
    criterion: str
    scores: tuple[int, ...]  # one per evaluator, in the evaluators' order; unscored left out
    mean: float | None
    spread: int
    disagree: bool


@dataclass(frozen=True)
class Consolidated:
    evaluators: tuple[str, ...]
    criteria: tuple[CriterionView, ...]
    result: Result | None  # None when no evaluation is submitted

    @property
    def disagreements(self) -> tuple[str, ...]:
        return tuple(v.criterion for v in self.criteria if v.disagree)


def consolidate(rubric: Rubric, submitted: Sequence[tuple[str, Mapping[str, int | None]]]) -> Consolidated:
    """Several evaluators' submitted scores as one: the mean per criterion gives the total; a
    critical criterion caps the verdict if any evaluator scored it below its threshold (one
    evaluator finding no committed resources is enough to withhold a recommendation); and a flag
    marks criteria where the evaluators' scores are `spread` or more apart."""
    views = []
    means: dict[str, float | None] = {}
    lowest: dict[str, float | None] = {}
    for c in rubric.criteria:
        given = tuple(int(v) for _who, scores in submitted if (v := scores.get(c.id)) is not None)
        spread = max(given) - min(given) if given else 0
        avg = round(mean(given), 2) if given else None
        means[c.id] = avg
        lowest[c.id] = min(given) if given else None
        views.append(CriterionView(c.id, given, avg, spread, len(given) > 1 and spread >= rubric.spread))
    result = score(rubric, means, lowest) if submitted else None
    return Consolidated(tuple(who for who, _s in submitted), tuple(views), result)
