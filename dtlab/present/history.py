"""A case's history in words: one heading per change, then what changed, as Rich markup lines
in which everything a user typed or a bundle carried is escaped and its control characters shown
(`dtlab.present.safe.shown`)."""

from __future__ import annotations

from typing import Any

from rich.cells import cell_len

from dtlab.domain.history import HistoryEntry
from dtlab.domain.monitoring import CENTRE_FOLLOWS_CASE
from dtlab.i18n import _
from dtlab.present.bidi import isolated
from dtlab.present.cells import clip
from dtlab.present.safe import shown
from dtlab.present.words import HIDDEN_FIELDS, MOVE_FIELDS, TABLE_NOUNS, describe_move, field_label, value_words


def history_lines(entries: list[HistoryEntry], newest_first: bool = True, width: int = 60) -> list[str]:
    """The history as Rich markup lines, in words: one heading per change, then what changed.

    Moves and overrides are highlighted; the stage and status changes a move makes on the case
    are folded into the move's own line."""
    lines: list[str] = []
    order = list(reversed(entries)) if newest_first else list(entries)
    for i, e in enumerate(order):
        neighbours = [order[j] for j in (i - 1, i + 1) if 0 <= j < len(order)]
        visible = {k: v for k, v in e.changes.items() if k not in HIDDEN_FIELDS}
        if (e.table == "cases" and e.op == "update"
                and any(n.table == "transitions" and n.at == e.at for n in neighbours)):
            # The move's own line says the stage and status; what else it cleared is still shown.
            visible = {k: v for k, v in visible.items() if k not in MOVE_FIELDS}
            if not visible:
                continue
        if e.table == "centres" and e.op == "update":
            # The centre follows its case's launch date, scope, goals, type and country
            # (`services.centres.keep_in_step`): the case's own entry of the same save says it.
            case_new = {k: v[1] for n in neighbours if n.table == "cases" and n.at == e.at
                        for k, v in n.changes.items()}
            followed = {field: case_new[case_field] for field, case_field in CENTRE_FOLLOWS_CASE.items()
                        if case_field in case_new}
            visible = {k: v for k, v in visible.items() if k not in followed or followed[k] != v[1]}
            if not visible:
                continue
        head = f"[dim]{e.at:%Y-%m-%d %H:%M} UTC · {shown(e.actor)} · {shown(e.origin)}#{e.seq}[/]"
        new = {k: v[1] for k, v in e.changes.items()}
        if e.table == "transitions":
            style = "bold red" if e.kind == "override" else "bold"  # i18n: not shown (a Rich style)
            sentence = describe_move(str(new.get("kind")), new.get("from_stage"), str(new.get("to_stage")),
                                     str(new.get("status")), overridden=e.kind == "override")
            lines.append(head)
            lines.append(f"  [{style}]{shown(sentence)}[/]")
            if new.get("reason"):
                lines.append("    " + _("reason: {reason}").format(reason=shown(str(new["reason"]))))
            not_met = _("not met:")
            for text in str(new.get("overridden") or "").splitlines():
                lines.append(f"    [red]{not_met}[/] {shown(text)}")
            continue
        if e.table == "notes":
            lines.append(head)
            lines.append("  [b]" + _("Note:") + f"[/] {shown(str(new.get('body')))}")
            continue
        if e.table == "evaluation_scores":
            # One block per evaluation and write, not one entry per criterion.
            if e.about:
                whose, _sep, criterion = e.about.partition("|")
            else:
                whose, criterion = _("an evaluation"), "?"
            previous = order[i - 1] if i else None
            if not (previous and previous.table == e.table and previous.at == e.at
                    and (previous.about or "").partition("|")[0] == whose):
                lines.append(head)
                lines.append("  [b]" + _("Scored {evaluation}").format(evaluation=isolated(shown(whose))) + "[/]")
            for key, (old, value) in visible.items():
                if key in ("criterion",) or (e.op == "insert" and value in (None, "")):
                    continue
                label = value_words("criterion", criterion).capitalize()
                if key != "score":
                    label = _("{criterion} (why)").format(criterion=label)
                if e.op == "insert":
                    lines.append(f"    {shown(label)}: {shown(_short(key, value, width))}")
                else:
                    before, after = _change(key, old, value, width)
                    lines.append(f"    {shown(label)}: {shown(before)} → {shown(after)}")
            continue
        lines.append(head)
        lines.append(f"  [b]{_what_happened(e)}[/]")
        if e.op == "insert":
            for key, (_old, value) in visible.items():
                if value not in (None, ""):
                    lines.append(f"    {shown(field_label(key))}: {shown(_short(key, value, width))}")
        elif e.op != "delete":
            for key, (old, value) in visible.items():
                before, after = _change(key, old, value, width)
                lines.append(f"    {shown(field_label(key))}: {shown(before)} → {shown(after)}")
    return lines


def _what_happened(e: HistoryEntry) -> str:
    """"Recorded the note", "Changed Trainers trained" (a title typed by a user), "Deleted the KPI":
    markup, its outside text escaped."""
    if e.about:
        title = isolated(shown(e.about))
        if e.op == "insert":
            return _("Recorded {title}").format(title=title)
        if e.op == "delete":
            return _("Deleted {title}").format(title=title)
        return _("Changed {title}").format(title=title)
    record = shown(TABLE_NOUNS.get(e.table) or e.table)
    if e.op == "insert":
        return _("Recorded the {record}").format(record=record)
    if e.op == "delete":
        return _("Deleted the {record}").format(record=record)
    return _("Changed the {record}").format(record=record)


def _short(name: str, value: Any, width: int) -> str:
    return clip(value_words(name, value).replace("\n", " ⏎ "), width)


def _change(name: str, old: Any, new: Any, width: int) -> tuple[str, str]:
    """A change's two values, each within `width`, cut where they differ: two long titles that
    differ at their end were both shown to the same "…", and the change could not be seen."""
    before = value_words(name, old).replace("\n", " ⏎ ")
    after = value_words(name, new).replace("\n", " ⏎ ")
    if cell_len(before) <= width and cell_len(after) <= width:
        return before, after
    same = 0
    for x, y in zip(before, after, strict=False):  # to the end of the shorter
        if x != y:
            break
        same += 1
    start = max(0, same - width // 4)  # a little of what comes before the difference

    def window(text: str) -> str:
        lead = "…" if start else ""
        return lead + clip(text[start:], width - len(lead))

    return window(before), window(after)
