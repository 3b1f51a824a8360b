"""present/ as the catalogue the front ends take labels from: every label of its tables is in the
message catalogue with the context it is looked up with, each table answers in the language in use
while its keys (stored values) stay as they are, the sentences are whole messages, and what goes
to JSON stays English."""

from __future__ import annotations

import gettext
from datetime import date

import pytest

from dtlab import i18n
from dtlab.domain.stages import Stage
from dtlab.i18n import Translated, english
from dtlab.present import call_words, case_text, chain, charts, concept_text, conflicts, labels, words
from tests.helpers.catalogues import code_messages

pytestmark = pytest.mark.unit

MODULES = (labels, words, call_words, case_text, concept_text, charts, chain, conflicts)


def _tables() -> list[tuple[str, Translated[object]]]:
    found = []
    for module in MODULES:
        for name, value in vars(module).items():
            if isinstance(value, Translated):
                found.append((f"{module.__name__}.{name}", value))
    found += [(f"VALUE_WORDS[{field}]", table) for field, table in words.VALUE_WORDS.items()
              if isinstance(table, Translated)]
    return found


class Marked(gettext.NullTranslations):
    """A language whose every word is the English marked, its context named: what was looked up
    shows, and how."""

    def gettext(self, message: str) -> str:
        return f"«{message}»"

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        return f"«{singular if n == 1 else plural}»"

    def pgettext(self, context: str, message: str) -> str:
        return f"«{context}|{message}»"


@pytest.fixture
def marked(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(i18n, "_translations", Marked())


def test_every_label_is_extracted_with_its_context() -> None:
    """A table looked up with a context ("short") finds its entries only if they were extracted
    with it: `N_` marks none, labels.mark.pgettext does."""
    extracted = code_messages()
    missing = []
    for name, table in _tables():
        for key in table:
            if table is words.MILESTONE_VIEWS and key == "soon":
                continue  # said by ngettext, checked below
            message = table._labels[key]
            if (table._context, message) not in extracted:
                missing.append(f"{name}[{key!r}]: {table._context!r} {message!r}")
    assert not missing
    assert (None, ("Due within {n} day (overdue included)", "Due within {n} days (overdue included)")) in extracted
    assert (None, conflicts.TOMBSTONE_LABEL) in extracted
    assert (None, words.OVERTAKEN_HINT) in extracted


def test_tables_answer_in_the_language_in_use_and_keep_their_keys(marked: None) -> None:
    assert labels.STAGE_SHORT[Stage.ASSESSMENT] == "«short|Assessment»"
    assert labels.STAGE_TABS[Stage.ASSESSMENT] == "«short|Assess»"
    assert english(labels.STAGE_SHORT[Stage.ASSESSMENT]) == "Assessment"
    assert labels.RESULT_LEVEL_CHOICES["outcome"] == "«result level|Outcome»"
    assert words.FIELD_LABELS["outcome"] == "«Outcome»"
    assert words.form_label("human_resources") == "«short|Human res.»"
    assert words.form_label("needs") == "«Needs»"
    assert words.field_label("no_such_field") == "No such field"  # an id with no label: said as it is
    assert labels.as_choices(labels.CHANNEL_LABELS)[0] == ("letter", "«Letter of interest»")
    assert dict(labels.as_choices(call_words.CALL_STATUS_CHOICES)) == {
        "open": "«status|Open»", "closed": "«status|Closed»", "cancelled": "«status|Cancelled»"}
    assert words.MILESTONE_VIEWS["soon"] == f"«Due within {words.DUE_SOON_DAYS} days (overdue included)»"
    assert english(words.MILESTONE_VIEWS["soon"]) == f"Due within {words.DUE_SOON_DAYS} days (overdue included)"
    assert words.value_words("scope", "regional") == "«regional»"
    assert words.value_words("category", "host_institution") == "host institution"


def test_sentences_are_whole_messages(marked: None) -> None:
    """Each sentence is one message, its values put in: never a message glued to another."""
    moved = words.describe_move("advance", "operation", "renewal", "open")
    assert moved.startswith("«Advanced from ") and moved.endswith("»") and " to " in moved
    overridden = words.describe_move("decline", None, "assessment", "declined", overridden=True)
    assert overridden.startswith("««Declined at ") and overridden.endswith("» (gate overridden)»")
    assert words.describe_change("kpis", "delete") == "««KPI» removed»"
    assert call_words.deadline_words(date(2026, 3, 10), "open", date(2026, 3, 5)) == "«5 days left»"
    assert chain.linked_below(2, 1, done=False) == "««2 results link up to it» and «1 KPI measures it»»"
    assert words.attention_text({"kind": "more", "of": "kpi", "count": 3}) == (
        "«… and 3 more KPIs off track or unreported»")


def test_sentences_in_english_place_their_values() -> None:
    assert words.describe_move("advance", "implementation", "operation", "open", overridden=True) == (
        "Advanced from Set-up to Accredited operation (gate overridden)")
    assert words.describe_change("kpis", "delete") == "KPI removed"
    assert words.attention_text({"kind": "ending", "ends_on": date(2026, 5, 1), "days_left": 1}) == (
        "accreditation ends 2026-05-01 (1 day)")
    assert words.attention_text({"kind": "more", "of": "lapsed", "count": 1204}) == (
        "… and 1,204 more lapsed accreditations")
    assert chain.linked_below(2, 1, done=True) == "2 results that linked up to it and 1 KPI that measured it"
    assert chain.linked_below(0, 3, done=False) == "3 KPIs measure it"
    assert call_words.eoi_words(3, 1) == "3 on time, 1 late"
    assert words.waiting_for("ana") == "Waiting for ana to finish: your change is written as soon as it has."


def test_conflict_words_say_themselves_in_english_too(marked: None) -> None:
    """`dtlab conflicts --json` prints the record and the label, in English as all --json is."""
    row = {"id": 1, "table": "milestones", "field": "due_on"}
    assert conflicts.labelled(row) == {**row, "record": "«milestone»", "label": "«Due»"}
    assert {k: english(v) for k, v in conflicts.labelled(row).items()} == {**row, "record": "milestone", "label": "Due"}
    tomb = {"table": "no_such_table", "field": "deleted_at"}
    assert english(conflicts.labelled(tomb)["label"]) == "Deleted"
    assert conflicts.labelled(tomb)["record"] == "no_such_table"
    assert list(conflicts.labelled(row)) == ["id", "table", "record", "field", "label"]


def test_every_stored_value_a_history_line_names_is_said_in_words(marked: None) -> None:
    """A history entry's values ("Approval: pending → approved") in the reader's words, for every
    field whose values are ids (they were English outside the few kinds named at first)."""
    for field, value in (("approval", "approved"), ("matter", "renewal"), ("decision", "approved_with_conditions"),
                         ("scope", "national"), ("cost_capacity", "high"), ("status", "held"),
                         ("outcome", "upgraded"), ("renewal_outcome", "closed")):
        assert words.value_words(field, value).startswith("«"), (field, value)
