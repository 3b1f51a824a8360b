"""The centre selection guide as rules: which scopes and ownership models a centre type allows.

The guide itself is reference data (seeds/centre_types.toml); this module only reasons over it.
"""

from __future__ import annotations

from dataclasses import dataclass

from dtlab.i18n import N_, Translated

from .said import Said, _, either, label, verbatim

SCOPES = ("global", "regional", "national")
OWNERSHIPS = ("itu", "country", "host_institution")
# The guide's words for an ownership model inside its sentences ("needs ITU ownership").
OWNERSHIP_LABELS: Translated[str] = Translated({
    "itu": N_("ITU ownership"),
    "country": N_("country ownership"),
    "host_institution": N_("an existing host institution"),
})
# A scope inside the guide's sentences ("needs global or regional scope").
SCOPE_WORDS: Translated[str] = Translated({"global": N_("global"), "regional": N_("regional"),
                                           "national": N_("national")})


@dataclass(frozen=True)
class CentreTypeRule:
    id: str
    name: str
    ownership: tuple[str, ...]
    scopes: tuple[str, ...]
    goals: tuple[str, ...]
    cost_tier: str
    # Cells of the guide's table whose marks were lost in the source and are inferred (the seed
    # says which, and why): a recommendation resting on them says so.
    inferred: tuple[str, ...] = ()
    inference_note: str = ""


def scope_word(scope: str) -> Said:
    """A scope as the guide's sentences say it (a value it does not know, as it is)."""
    return label(SCOPE_WORDS, scope) if scope in SCOPE_WORDS else verbatim(scope)


def scope_problem(rule: CentreTypeRule, scope: str | None) -> Said | None:
    """The guide's scope rule: "needs global or regional scope; this request is national"."""
    if scope and scope not in rule.scopes:
        return _("needs {scopes} scope; this request is {scope}").format(
            scopes=either([scope_word(s) for s in rule.scopes]), scope=scope_word(scope))
    return None


def ownership_problem(rule: CentreTypeRule, ownership: str | None) -> Said | None:
    """The guide's ownership rule: "needs ITU ownership; this request proposes country ownership"."""
    if ownership and ownership not in rule.ownership:
        wanted = either([label(OWNERSHIP_LABELS, o) for o in rule.ownership])
        return _("needs {wanted}; this request proposes {ownership}").format(
            wanted=wanted, ownership=label(OWNERSHIP_LABELS, ownership))
    return None


def consistency_problems(rule: CentreTypeRule, scope: str | None, ownership: str | None) -> list[str]:
    """Why a request with this scope and ownership does not fit the type; empty when it fits. Each
    a `Said`: the concept design's gate quotes them, and an override stores that in English."""
    found = (scope_problem(rule, scope), ownership_problem(rule, ownership))
    # Translators: a centre type's name, then why a request does not fit it ("needs global scope; …").
    return [_("{type} {problem}").format(type=rule.name, problem=problem) for problem in found if problem]
