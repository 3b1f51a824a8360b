"""The centre selection guide as rules: which scopes and ownership models a centre type allows.

The guide itself is reference data (seeds/centre_types.toml); this module only reasons over it.
"""

from __future__ import annotations

from dataclasses import dataclass

SCOPES = ("global", "regional", "national")
OWNERSHIPS = ("itu", "country", "host_institution")
OWNERSHIP_LABELS = {
    "itu": "ITU ownership",
    "country": "country ownership",
    "host_institution": "an existing host institution",
}


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


def _either(words: tuple[str, ...]) -> str:
    return " or ".join(words)


def scope_problem(rule: CentreTypeRule, scope: str | None) -> str | None:
    """The guide's scope rule: "needs global or regional scope; this request is national"."""
    if scope and scope not in rule.scopes:
        return f"needs {_either(rule.scopes)} scope; this request is {scope}"
    return None


def ownership_problem(rule: CentreTypeRule, ownership: str | None) -> str | None:
    """The guide's ownership rule: "needs ITU ownership; this request proposes country ownership"."""
    if ownership and ownership not in rule.ownership:
        wanted = _either(tuple(OWNERSHIP_LABELS[o] for o in rule.ownership))
        return f"needs {wanted}; this request proposes {OWNERSHIP_LABELS[ownership]}"
    return None


def consistency_problems(rule: CentreTypeRule, scope: str | None, ownership: str | None) -> list[str]:
    """Why a request with this scope and ownership does not fit the type; empty when it fits."""
    found = (scope_problem(rule, scope), ownership_problem(rule, ownership))
    return [f"{rule.name} {problem}" for problem in found if problem]


def short_type_name(name: str) -> str:
    """A centre type's name without the words every one of them ends with, to fit narrow places."""
    return name.removesuffix(" Acceleration Centre")
