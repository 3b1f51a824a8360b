"""Text that tries to act when it is shown: markup that would style, link or crash, terminal
escapes that would clear the screen, set the title or write the clipboard, NUL, C1 and bidi
overrides; and a portfolio that carries it everywhere a user can read it, for the tests that
show it through every screen and command."""

from __future__ import annotations

import base64
import hashlib
import json
import zipfile
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from dtlab.db.reference import current_rubric
from dtlab.domain.stages import Stage
from dtlab.present.safe import UNSAFE, visible
from dtlab.services.cases import add_note, create_case, update_case
from dtlab.services.evaluations import save_scores, start_evaluation, submit_evaluation
from dtlab.services.plans import add_kpi_to_plan, save_milestone
from dtlab.sync.bundle import MANIFEST, OPERATIONS, SIGNATURE
from tests.helpers.cases import design_case, walk_to
from tests.helpers.sites import Site

CLICK = "[@click=app.screenshot('/tmp/pwn')]details[/]"
PIECES = ["[/]", CLICK, "[b]", "\x1b]52;c;ZXZpbA==\x07", "\x1b[2J", "\x1b]0;title\x07", "\x00", "\u202e",
          "\u2066", "\x9b", "\x7f", ":warning:"]
HOSTILE = "Hub " + " ".join(PIECES)
# What a reader sees of it where it is one line: every control and bidi character as its escape.
SEEN = visible(HOSTILE)


def leaks(text: str) -> set[str]:
    """The characters of `text` a terminal would act on (line breaks and tabs are output's own)."""
    return {c for c in text if c in UNSAFE and c not in "\n\t"}


def flat(text: str) -> str:
    """Rendered output with its wrapping and padding undone, to look for a phrase in it."""
    return "".join(text.split())


@dataclass
class World:
    hq: Site
    field: Site
    case: str  # at HQ: hostile title, applicant, notes, a conflict over its title
    design: str  # at concept design, with an evaluation by a hostile evaluator
    centre: str  # a centre with a hostile KPI and milestone

    def close(self) -> None:
        self.hq.store.close()
        self.field.store.close()


def hostile_world(tmp: Path) -> World:
    hq, field = Site(tmp, "HQ", "hq"), Site(tmp, "NBO", "amina")
    hq.trusts(field)
    field.trusts(hq)
    ref = create_case(hq.store, {"title": "Shared", "country": "KE", "applicant": HOSTILE})
    add_note(hq.store, ref, HOSTILE + "\nsecond line")
    field.take(hq.export("NBO"))
    update_case(hq.store, ref, {"title": HOSTILE})
    update_case(field.store, ref, {"title": HOSTILE + " (field)"})
    hq.take(field.export())  # a conflict over the title, both sides hostile

    design = design_case(hq.store)
    update_case(hq.store, design, {"title": HOSTILE})
    with hq.store.read() as s:
        _rubric_id, rubric = current_rubric(s)
    evaluation = start_evaluation(hq.store, design, "Eve " + HOSTILE)
    save_scores(hq.store, evaluation, {c.id: 3 for c in rubric.criteria},
                {rubric.criteria[0].id: HOSTILE}, HOSTILE)
    submit_evaluation(hq.store, evaluation)

    centre = create_case(hq.store, {"title": HOSTILE, "country": "PE"})
    walk_to(hq.store, centre, Stage.IMPLEMENTATION)
    update_case(hq.store, centre, {"launch_on": "2025-01-15", "accredited_on": "2025-03-01"})
    add_kpi_to_plan(hq.store, centre, HOSTILE, "u" + PIECES[3], 0, 40)
    save_milestone(hq.store, centre, None, HOSTILE, "2026-01-01", "Owner " + PIECES[1], "planned", HOSTILE,
                   date(2025, 6, 1))
    return World(hq, field, ref, design, centre)


def unknown_key_bundle(site: Site, out: Path, key_id: str) -> Path:
    """A bundle of `site`'s, its manifest naming the signing key `key_id` (which no site trusts),
    signed again: the receiver refuses it as "unknown key <key_id>", quoting the text."""
    with zipfile.ZipFile(site.export()) as z:
        parts = {i.filename: z.read(i) for i in z.infolist()}
    manifest = json.loads(parts[MANIFEST])
    manifest["key_id"] = key_id
    ops = parts[OPERATIONS]
    manifest["members"] = {OPERATIONS: {"size": len(ops), "rows": ops.count(b"\n"),
                                        "sha256": hashlib.sha256(ops).hexdigest()}}
    raw = json.dumps(manifest).encode()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as z:
        z.writestr(OPERATIONS, ops)
        z.writestr(MANIFEST, raw)
        z.writestr(SIGNATURE, base64.b64encode(site.key.sign(raw)))
    return out
