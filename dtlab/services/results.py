"""The results chain of a centre's plan, in its own transactions: outputs, outcomes and impacts,
each linked up to the result of the next level it contributes to (in the same plan), and to what
it serves: a thematic priority, regional initiatives or their expected results, SDGs and WSIS
action lines. Every link is checked against the reference data and the plan as held."""

from __future__ import annotations

import re

from sqlmodel import Session, col, select

from dtlab.db.models import Case, ExpectedResult, RegionalInitiative, Result, ThematicPriority
from dtlab.db.plans import default_cycle, live, plan_numbers
from dtlab.db.store import Store
from dtlab.domain.monitoring import PARENT_LEVEL, RESULT_LEVELS, SDG_NUMBERS, parent_problem, wsis_codes
from dtlab.domain.said import either
from dtlab.errors import Invalid, NotFound, Problems
from dtlab.i18n import N_, Translated, _, ngettext
from dtlab.services.meanwhile import Seen, check_version
from dtlab.services.plans import _next_position, _plan_case

# A link to one expected result of a regional initiative ("AFR4.3"), or to a whole initiative
# ("ARB4"): the Arab States' initiatives have no numbered results in the action plan, so a
# centre there could otherwise never link to its own region's work.
INITIATIVE_RESULT = re.compile(r"^([A-Z]{3}\d+)(?:\.(\d+))?$")


def _initiative_results(session: Session, text: str, cycle: str) -> str | None:
    """The links as stored, once every code is an initiative of the cycle or one of its expected
    results; all the codes that are not, said at once, each for what is wrong with it."""
    codes = text.replace(",", " ").upper().split()
    initiatives = set(session.scalars(select(RegionalInitiative.code).where(RegionalInitiative.cycle == cycle)))
    wrong = []
    for code in dict.fromkeys(codes):
        match = INITIATIVE_RESULT.match(code)
        if not match:
            wrong.append(_("{code} is not of the form ARB4 (an initiative) or AFR4.3 (one of its results)").format(
                code=repr(code)))
        elif match[1] not in initiatives:
            wrong.append(_("there is no initiative {initiative} in the {cycle} cycle").format(
                initiative=match[1], cycle=cycle))
        elif match[2] is not None and session.get(ExpectedResult, (cycle, match[1], int(match[2]))) is None:
            wrong.append(_("{initiative} has no expected result {number} in the {cycle} cycle").format(
                initiative=match[1], number=match[2], cycle=cycle))
    if wrong:  # each on its own line in a form, on one line on the command line
        said = tuple(_("initiative results") + f": {w}" for w in wrong)
        raise Invalid("; ".join(said), said)
    return " ".join(dict.fromkeys(codes)) or None


def _sdgs(text: str) -> str | None:
    numbers = text.replace(",", " ").split()
    wrong = [n for n in dict.fromkeys(numbers) if not n.isdigit() or int(n) not in SDG_NUMBERS]
    if wrong:
        listed = ", ".join(repr(n) for n in wrong)
        raise Invalid(_("SDGs") + ": " + ngettext("{codes} is not a Sustainable Development Goal (1 to 17)",
                                                  "{codes} are not Sustainable Development Goals (1 to 17)",
                                                  len(wrong)).format(codes=listed))
    return " ".join(dict.fromkeys(str(int(n)) for n in numbers)) or None


def _wsis(text: str) -> str | None:
    lines, wrong = wsis_codes(text)
    if wrong:
        listed = ", ".join(repr(w) for w in wrong)
        raise Invalid(_("WSIS action lines") + ": " + ngettext("{codes} is not a WSIS action line (C1 to C11)",
                                                               "{codes} are not WSIS action lines (C1 to C11)",
                                                               len(wrong)).format(codes=listed))
    return " ".join(lines) or None


def _parent(session: Session, case: Case, level: str, parent_id: str | None) -> str | None:
    """The result one level up that this one contributes to: a result of the same plan, held,
    of the level just above (an output's outcome, an outcome's impact)."""
    if not parent_id:
        return None
    parent = session.get(Result, parent_id)
    if parent is None or parent.deleted_at is not None or parent.case_id != case.id:
        raise Invalid(_("contributes to") + ": " + _("{ref} has no such result to link up to (only its own plan's "
                                                     "results)").format(ref=case.ref))
    problem = parent_problem(level, parent.level)
    if problem:
        raise Invalid(_("contributes to") + f": {problem}")
    return parent.id


def _same_title(title: str) -> str:
    return " ".join(title.split()).casefold()


# A result of the same level and title already in the plan, by level.
ALREADY_HAS: Translated[str] = Translated({
    "output": N_("{ref} already has the output {title} (result {number}): edit that one"),
    "outcome": N_("{ref} already has the outcome {title} (result {number}): edit that one"),
    "impact": N_("{ref} already has the impact {title} (result {number}): edit that one"),
})
def _not_twice(session: Session, case: Case, found: Result | None, level: str, title: str) -> None:
    """A result the plan already has, of the same level and title (whatever the case or spacing),
    is refused: two of them could not be told apart in the chain, nor KPIs linked to the right
    one. A result already so (two sites added it at once) may still be edited as it is."""
    if found is not None and found.level == level and _same_title(found.title) == _same_title(title):
        return
    numbers = plan_numbers(session, Result, case.id)
    for other in session.scalars(select(Result).where(Result.case_id == case.id, Result.level == level, live(Result))
                                 .order_by(col(Result.position), col(Result.id))):
        if (found is None or other.id != found.id) and _same_title(other.title) == _same_title(title):
            raise Invalid("title: " + ALREADY_HAS[level].format(ref=case.ref, title=repr(other.title),
                                                                number=numbers[other.id]))


def _children_fit(session: Session, row: Result, level: str) -> None:
    """A result that changes level keeps the results linked up to it only if they still sit one
    level below: an outcome with outputs cannot become an impact while they point to it."""
    children = list(session.scalars(select(Result).where(Result.parent_id == row.id, live(Result))))
    wrong = [c for c in children if PARENT_LEVEL.get(c.level) != level]
    if wrong:
        names = "; ".join(f"{c.level} {c.title!r}" for c in wrong[:3]) + ("; …" if len(wrong) > 3 else "")
        raise Invalid("level: " + _linked_below(level, len(wrong)).format(n=len(wrong), results=names))


def _linked_below(level: str, n: int) -> str:
    """Why a result with `n` results linked up to it cannot take `level`: the level below it would need."""
    if level == "output":
        return ngettext("{n} result links up to this one ({results}); as an output it would take none: relink them "
                        "first",
                        "{n} results link up to this one ({results}); as an output it would take none: relink them "
                        "first", n)
    if level == "outcome":
        return ngettext("{n} result links up to this one ({results}); as an outcome it would take outputs: relink "
                        "them first",
                        "{n} results link up to this one ({results}); as an outcome it would take outputs: relink "
                        "them first", n)
    return ngettext("{n} result links up to this one ({results}); as an impact it would take outcomes: relink them "
                    "first",
                    "{n} results link up to this one ({results}); as an impact it would take outcomes: relink them "
                    "first", n)


def save_result(store: Store, ref: str, result_id: str | None, level: str, title: str, priority: str = "",
                initiative_results: str = "", cycle: str = "", sdgs: str = "", seen: Seen | None = None,
                parent: str | None = "", wsis: str = "") -> str:
    """Create (no id) or edit an output, outcome or impact: the result one level up it
    contributes to (`parent`: its id; empty: none; None: as it is), and its links, each checked
    against the reference data of its plan cycle. `seen` as for `plans.record_actual`."""
    with store.write() as session:
        case = _plan_case(session, ref)
        found: Result | None = None
        if result_id is not None:
            found = session.get(Result, result_id)
            if found is None or found.case_id != case.id or found.deleted_at is not None:
                raise NotFound(_("{ref} has no result {result}").format(ref=case.ref, result=result_id))
            check_version(session, _("this result"), found.change_id, seen)
        problems = Problems()
        with problems.check():
            if level not in RESULT_LEVELS:
                raise Invalid("level: " + either(RESULT_LEVELS))  # the levels as typed
        with problems.check():
            if not title.strip():
                raise Invalid("title: " + _("name the result"))
            if level in RESULT_LEVELS:
                _not_twice(session, case, found, level, title)
        priority_id = priority.strip() or None
        with problems.check():
            if priority_id is not None and session.get(ThematicPriority, priority_id) is None:
                raise Invalid(_("thematic priority") + ": " + _("no priority {priority} (see dtlab reference "
                                                                "priorities)").format(priority=repr(priority_id)))
        cycle = cycle.strip() or default_cycle(session)
        with problems.check():
            links = _initiative_results(session, initiative_results, cycle)
        with problems.check():
            sdg_list = _sdgs(sdgs)
        with problems.check():
            wsis_list = _wsis(wsis)
        parent_id = found.parent_id if found is not None and parent is None else parent
        if level in RESULT_LEVELS:
            with problems.check():
                parent_id = _parent(session, case, level, parent_id)
            if found is not None:
                with problems.check():
                    _children_fit(session, found, level)
        problems.raise_any()
        if found is None:
            row = Result(case_id=case.id, level=level, title=title.strip(),
                         position=_next_position(session, Result, case.id))
            session.add(row)
        else:
            row = found
        row.level, row.title, row.priority_id = level, title.strip(), priority_id
        row.initiative_results, row.cycle = links, cycle if links else None
        row.sdgs, row.wsis, row.parent_id = sdg_list, wsis_list, parent_id
        session.flush()
        return row.id


def parent_choices(results: list[dict[str, object]], level: str, own_id: str | None = None) -> list[tuple[str, str]]:
    """(id, "Outcome: title") of the plan's results a result of `level` may link up to."""
    wanted = PARENT_LEVEL.get(level)
    return [(str(r["id"]), f"{str(r['level']).capitalize()}: {r['title']}") for r in results
            if r["level"] == wanted and r["id"] != own_id]

