"""Sync (F5): write a bundle for another site, import one, see the bundles sent and received,
decide the conflicts imports set aside, and the keys this site trusts."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal
from textual.markup import escape
from textual.message import Message
from textual.widgets import DataTable, Header, ProgressBar, Static, TabbedContent, TabPane

from dtlab.errors import DtlabError, UsageError, describe_error
from dtlab.i18n import N_, Translated, _, ngettext
from dtlab.paths import bundles_dir
from dtlab.present.cells import clip
from dtlab.present.charts import cut
from dtlab.present.conflicts import labelled
from dtlab.present.errors import as_sentence, error_line
from dtlab.present.safe import from_markup, plain, shown
from dtlab.present.words import value_words
from dtlab.screens.base import DtlabScreen
from dtlab.sync.conflicts import conflict_rows, decided_by_move, reason_words, resolution_words, resolve_conflict
from dtlab.sync.exchange import STAGES, export_file, export_site, export_target, import_file
from dtlab.sync.export import bundles
from dtlab.sync.keys import KeyProblem, recipient_line
from dtlab.sync.own_keys import identity as own_identity
from dtlab.sync.own_keys import signing_key
from dtlab.sync.trust import recipients, trusted_keys
from dtlab.widgets.dialogs import ConfirmDialog, ValuesDialog
from dtlab.widgets.footer import KeysFooter
from dtlab.widgets.tabs import show_tab


@dataclass
class Loaded:
    site: str
    key_lines: str
    bundles: list[Any]
    conflicts: list[Any]
    keys: list[Any]
    recipients: dict[str, str]  # site code → the age key its bundles are sealed to



def _short(recipient: str | None) -> str:
    """An age key is 62 characters; its start and end tell keys apart at a glance."""
    return "—" if recipient is None else f"{recipient[:10]}…{recipient[-6:]}"


# A case's stage is decided by a move: keeping the stage before sends the case back one stage.
MOVED_HINT = N_("Enter decides: move the case back to the stage held before, or leave it where the "
                "incoming move took it; any other move is made on the case as usual.")
# The tables' columns, by id.
BUNDLE_COLUMNS = Translated({"when": N_("When"), "bundle": N_("Bundle"), "encrypted": N_("Encrypted"),
                             "operations": N_("Operations"), "applied": N_("Applied"), "conflicts": N_("Conflicts"),
                             "file": N_("File")})
CONFLICT_COLUMNS = Translated({"case": N_("Case"), "field": N_("Field"), "local": N_("This site"),
                               "incoming": N_("Incoming"), "now": N_("For now")})


def dim(text: str) -> str:
    """Words of dtlab's own, dimmed, as markup (a translation is never read as markup)."""
    return f"[dim]{shown(text)}[/]"


def _value(c: dict[str, Any], side: str) -> str:
    """One side of a conflict (`base`, `local`, `incoming`) as a reader says its field's values:
    a stage's name, not its id (present.words.value_words)."""
    return value_words(c["field"], c[side])


class SyncScreen(DtlabScreen[None]):
    HELP_TITLE = N_("Sync")
    HELP_EXTRA = (("enter", N_("Conflicts: decide the highlighted conflict")),)
    # "Keys": the sites' cryptographic keys (the tab), not the keyboard's.
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("1", "tab('bundles')", N_("Bundles"), id="sync.tab_bundles", show=False),
        Binding("2", "tab('conflicts')", N_("Conflicts"), id="sync.tab_conflicts", show=False),
        Binding("3", "tab('keys')", N_("Keys"), id="sync.tab_keys", show=False),
        Binding("e", "export", N_("Export"), id="sync.export", tooltip=N_("Write a bundle for another site")),
        Binding("i", "import", N_("Import"), id="sync.import", tooltip=N_("Check a bundle, then apply it")),
        Binding("ctrl+r", "reload", N_("Reload"), id="sync.reload", tooltip=N_("Read the sync history again"),
                show=False),
        Binding("escape", "home", N_("Home"), id="sync.home", tooltip=N_("Back to the dashboard (also f2)")),
    ]

    @dataclass
    class SyncRead(Message):
        loaded: Loaded

    @dataclass
    class JobDone(Message):
        """An export, import or decision finished; `text` says what it did."""

        text: str

    def __init__(self) -> None:
        super().__init__()
        self.loaded: Loaded | None = None

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(_("Reading…"), id="sync-summary")
        with Horizontal(id="sync-progress"):
            yield Static("", id="sync-stage")
            yield ProgressBar(id="sync-bar", show_eta=False)
        with TabbedContent(id="sync-tabs"):
            with TabPane("1 " + _("Bundles"), id="pane-bundles"):
                yield DataTable(id="bundle-table", cursor_type="row", zebra_stripes=True)
                yield Static("", id="bundle-detail")
            with TabPane("2 " + _("Conflicts"), id="pane-conflicts"):
                yield DataTable(id="conflict-table", cursor_type="row", zebra_stripes=True)
                yield Static("", id="conflict-detail")
            with TabPane("3 " + _("Keys"), id="pane-keys"):
                yield Static("", id="key-line")
                yield DataTable(id="key-table", cursor_type="row", zebra_stripes=True)
        yield KeysFooter()

    def on_mount(self) -> None:
        self.query_one("#key-table", DataTable).add_columns(_("Site"), _("Signing key"), _("Added"), _("State"),
                                                           _("Encrypt to"))

    def on_screen_resume(self) -> None:
        self.load()
        self.action_tab(self.query_one(TabbedContent).active.removeprefix("pane-"))

    def action_tab(self, tab: str) -> None:
        """Show a tab with its table focused, so the arrows and Enter work at once."""
        table = {"bundles": "#bundle-table", "conflicts": "#conflict-table", "keys": "#key-table"}[tab]
        show_tab(self.query_one(TabbedContent), f"pane-{tab}", self.query_one(table))

    def on_resize(self) -> None:
        if self.loaded is not None:
            self.show(self.loaded)

    def action_reload(self) -> None:
        self.load()

    def action_home(self) -> None:
        self.dtlab.action_go("dashboard")

    @work(thread=True, exclusive=True, exit_on_error=False, group="sync-load")
    def load(self) -> None:
        store = self.store
        site = store.require_site()
        try:
            lines = f"{signing_key(store).line(site.code)}\n{recipient_line(own_identity(store), site.code)}"
        except KeyProblem as exc:
            lines = _("no usable key: {problem}").format(problem=exc)
        with store.read() as session:
            sealing = {code: r.recipient for code, r in recipients(session).items()}
            self.post_result(self.SyncRead(Loaded(site.code, lines, bundles(session),
                                                  [labelled(c) for c in conflict_rows(session)],
                                                  trusted_keys(session), sealing)))

    @work(thread=True, exclusive=True, exit_on_error=False, group="sync-write")
    def run_job(self, job: Any) -> None:
        """Run `job(progress)` off the screen; `progress(stage, done, total)` moves the bar."""
        def progress(stage: str, done: int, total: int) -> None:
            self.app.call_from_thread(self.show_progress, stage, done, total)

        self.post_result(self.JobDone(str(job(progress))))

    def show_progress(self, stage: str, done: int = 0, total: int = 0) -> None:
        self.query_one("#sync-progress").display = True
        self.query_one("#sync-stage", Static).update(STAGES.get(stage, stage).capitalize())
        self.query_one("#sync-bar", ProgressBar).update(total=total or None, progress=done)

    def on_sync_screen_sync_read(self, message: SyncRead) -> None:
        self.show(message.loaded)

    def on_sync_screen_job_done(self, message: JobDone) -> None:
        self.query_one("#sync-progress").display = False
        self.notify(message.text, timeout=8)
        self.load()

    def worker_failed(self, error: BaseException | None) -> None:
        self.query_one("#sync-progress").display = False
        known = isinstance(error, DtlabError)
        self.notify(as_sentence(error_line(error)) if known else describe_error(error), severity="error", timeout=12)

    def show(self, loaded: Loaded) -> None:
        self.loaded = loaded
        n = len(loaded.conflicts)
        last = next((b for b in loaded.bundles), None)
        nb = len(loaded.bundles)
        if last is None:
            sent = ngettext("{n} bundle", "{n} bundles", nb).format(n=f"{nb:,}")
        elif last.direction == "sent":
            sent = ngettext("{n} bundle, the last sent {day}", "{n} bundles, the last sent {day}", nb).format(
                n=f"{nb:,}", day=f"{last.at:%Y-%m-%d}")
        else:
            sent = ngettext("{n} bundle, the last received {day}", "{n} bundles, the last received {day}", nb).format(
                n=f"{nb:,}", day=f"{last.at:%Y-%m-%d}")
        conflicts_said = (
            "[b red]{}[/]".format(shown(ngettext("{n} open conflict", "{n} open conflicts", n).format(n=f"{n:,}")))
            if n else shown(_("no open conflicts")))
        this_site = _("This site: {site}").format(site=loaded.site)
        keys_said = _("1 2 3 tabs · e export a bundle · i import one · Enter decides a conflict")
        self.query_one("#sync-summary", Static).update(from_markup(
            f"[b]{shown(this_site)}[/b] · {shown(sent)} · {conflicts_said}\n{dim(keys_said)}"))
        table = self.query_one("#bundle-table", DataTable)
        bundle_row = table.cursor_row
        table.clear(columns=True)
        # Every column on screen at 80 columns: the day without its year, and the file's name in
        # what the others leave, cut with … (the detail below gives the year, the whole path and
        # how many operations were skipped).
        fixed = (("when", 11), ("bundle", 9), ("encrypted", 9), ("operations", 10), ("applied", 7), ("conflicts", 9))
        rest = self.size.width - sum(w for _column, w in fixed) - 2 * (len(fixed) + 1) - 2
        for column, width in (*fixed, ("file", max(8, rest))):
            table.add_column(BUNDLE_COLUMNS[column], width=width)
        yes, no = _("yes"), _("no")
        for b in loaded.bundles:
            peer = (_("for {site}") if b.direction == "sent" else _("from {site}")).format(site=b.peer)
            table.add_row(f"{b.at:%m-%d %H:%M}", cut(peer), yes if b.sealed else no, f"{b.operations:,}",
                          f"{b.applied:,}" if b.direction == "received" else "—",
                          str(b.conflicts) if b.direction == "received" else "—", cut(Path(b.file or "").name))
        if loaded.bundles:
            table.move_cursor(row=min(bundle_row, len(loaded.bundles) - 1))
        self.show_bundle()
        conflicts = self.query_one("#conflict-table", DataTable)
        row = conflicts.cursor_row
        conflicts.clear(columns=True)
        # Fixed widths: a long value is cut with … (the detail below shows it whole), so the
        # column that says which side is kept stays on screen at 80 columns; the two values share
        # whatever a wider screen has beyond that.
        # The number and the ref as wide as the longest held (a ref is cut only past 15).
        id_width = max([1, *(len(str(c["id"])) for c in loaded.conflicts)])
        ref_width = min(15, max([4, *(len(c["ref"] or "") for c in loaded.conflicts)]))
        share = max(10, (self.size.width - (id_width + ref_width + 12 + 9) - 2 * 6 - 2) // 2)
        conflicts.add_column("#", width=id_width)
        for column, width in (("case", ref_width), ("field", 12), ("local", share), ("incoming", share), ("now", 9)):
            conflicts.add_column(CONFLICT_COLUMNS[column], width=width)
        incoming, here = _("incoming"), _("this site")
        for c in loaded.conflicts:
            conflicts.add_row(str(c["id"]), cut(c["ref"] or f"{c['row_id'][:8]}…"), cut(c["label"]),
                              cut(_value(c, 'local')), cut(_value(c, 'incoming')),
                              incoming if c["winner"] == "incoming" else here, key=str(c["id"]))
        if loaded.conflicts:
            conflicts.move_cursor(row=min(row, len(loaded.conflicts) - 1))
        self.show_conflict()
        public = _("This site's public keys. Give both lines to the sites it exchanges bundles with; saved in a "
                   "file, each site loads them with dtlab keys trust FILE --site {site}").format(site=loaded.site)
        none_trusted = _("No trusted sites yet: this site accepts no bundle until it trusts one's keys.")
        self.query_one("#key-line", Static).update(from_markup(
            f"{shown(public)}\n[b]{shown(loaded.key_lines, multiline=True)}[/b]\n"
            + ("" if loaded.keys or loaded.recipients else f"\n{dim(none_trusted)}\n")))
        keys = self.query_one("#key-table", DataTable)
        keys.clear()
        trusted = _("trusted")
        for k in loaded.keys:
            revoked = _("revoked {day}").format(day=f"{k.revoked_at:%Y-%m-%d}") if k.revoked_at else ""
            keys.add_row(plain(k.site_code), cut(k.key_id), f"{k.added_at:%Y-%m-%d}",
                         Text(revoked, style="red") if k.revoked_at else trusted,
                         plain(_short(loaded.recipients.get(k.site_code))))
        for code in sorted(set(loaded.recipients) - {k.site_code for k in loaded.keys}):
            keys.add_row(plain(code), "—", "", _("not trusted"), plain(_short(loaded.recipients[code])))
        tab = "2 " + _("Conflicts")
        self.query_one(TabbedContent).get_tab("pane-conflicts").label = f"{tab} ({n})" if n else tab

    def _conflict(self) -> Any | None:
        table = self.query_one("#conflict-table", DataTable)
        if self.loaded is None or not table.row_count:
            return None
        key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
        return next((c for c in self.loaded.conflicts if str(c["id"]) == key), None)

    @on(DataTable.RowHighlighted, "#conflict-table")
    def show_conflict(self) -> None:
        c = self._conflict()
        detail = self.query_one("#conflict-detail", Static)
        if c is None:
            detail.update("[dim]{}[/]".format(escape(_("No open conflicts. Fields edited on two sites, each without "
                                                       "seeing the other, come here after an import."))))
            return
        local_who = f"{c['local_actor'] or '?'}" + (f", {c['local_at']:%Y-%m-%d %H:%M}" if c["local_at"] else "")
        where = f"{c['ref']} {c['title']}" if c["ref"] else c["row_id"]
        kept = "[b green]✓ {}[/] ".format(shown(_("kept for now")))
        here = self.loaded.site if self.loaded else None
        mine = c["local_site"] in (None, here)
        local_label = _("This site's edit") if mine else _("The edit held here, from {site}").format(
            site=c["local_site"])
        if c.get("reason"):
            # The stage before a move past a gate: the edit named is the one that unmet the gate.
            local_label, local_who = _("Here before the move"), _("its gate unmet by {who}").format(who=local_who)
        incoming_who = (_("{actor} at {site}").format(actor=c["incoming_actor"], site=c["incoming_site"])
                        if c["incoming_site"] else c["incoming_actor"])
        whose = _("the {record}'s {field}").format(record=c["record"], field=c["label"].lower())
        before = _("Before both edits: {value}").format(value=_value(c, "base"))
        local_edit = _("{edit} ({who}):").format(edit=local_label, who=local_who)
        incoming_edit = _("Incoming edit ({who}, {when}):").format(who=incoming_who,
                                                                   when=f"{c['incoming_at']:%Y-%m-%d %H:%M}")
        hint = (_(MOVED_HINT) if decided_by_move(c["table"], c["field"]) else
                _("Enter decides: keep the value held here, take the incoming one, or write another."))
        detail.update(from_markup("\n".join([
            f"[b]{shown(where)}[/b] · {shown(whose)}",
            *([_("[b]Why:[/b] {reason}").format(reason=shown(reason_words(c["reason"])))] if c.get("reason") else []),
            shown(before),
            f"{shown(local_edit)} {kept if c['winner'] == 'local' else ''}{shown(_value(c, 'local'))}",
            f"{shown(incoming_edit)} {kept if c['winner'] == 'incoming' else ''}{shown(_value(c, 'incoming'))}",
            dim(hint)])))

    @on(DataTable.RowHighlighted, "#bundle-table")
    def show_bundle(self) -> None:
        detail = self.query_one("#bundle-detail", Static)
        table = self.query_one("#bundle-table", DataTable)
        if self.loaded is None or not self.loaded.bundles:
            none_yet = _("No bundles yet: e writes one for another site, i imports one.")
            detail.update(f"[dim]{escape(none_yet)}[/]")
            return
        b = self.loaded.bundles[min(table.cursor_row, len(self.loaded.bundles) - 1)]
        how = (_("Written for {site} on {when}, release {release}, {sealed}") if b.direction == "sent" else
               _("Received from {site} on {when}, release {release}, {sealed}"))
        what = how.format(site=b.peer, when=f"{b.at:%Y-%m-%d %H:%M}", release=b.release,
                          sealed=_("encrypted") if b.sealed else _("not encrypted"))
        if b.direction == "received":
            what += "; " + ngettext("{n} of its operations was held already", "{n} of its operations were held already",
                                    b.skipped).format(n=f"{b.skipped:,}")
        file = _("File: {file}").format(file=b.file or "—")
        bundle_id = _("Bundle id {id}").format(id=b.id)
        detail.update(from_markup(f"{shown(what)}\n{shown(file)}\n{dim(bundle_id)}"))

    @on(DataTable.RowSelected, "#conflict-table")
    def decide(self) -> None:
        c = self._conflict()
        if c is None:
            return
        store = self.store

        def done(values: dict[str, str] | None) -> None:
            if values is None:
                return
            how, value = values["how"], values.get("value", "")

            def job(_progress: Any) -> str:
                done = resolve_conflict(store, c["id"], how, value if how == "edit" else None)
                return _("Conflict #{id}: {resolution}. The decision travels with the next bundle.").format(
                    id=done.id, resolution=resolution_words(done.resolution))

            self.run_job(job)

        def check(values: dict[str, str]) -> str | None:
            if values["how"] == "edit" and not values["value"].strip():
                return _("Write the value to keep in Other value, or choose to keep or take.")
            return None

        title = (_("Decide conflict #{id}: {field} of {ref}") if c["ref"] else
                 _("Decide conflict #{id}: {field}")).format(id=c["id"], field=c["label"], ref=c["ref"])
        if decided_by_move(c["table"], c["field"]):
            self.app.push_screen(ValuesDialog(title, [("how", _("Decision"), [
                ("keep", _("Move it back: {stage}").format(stage=clip(_value(c, "local"), 38))),
                ("take", _("Leave it at: {stage}").format(stage=clip(_value(c, "incoming"), 38)))])],
                required=("how",), ok=_("Decide"), explanation=dim(_(MOVED_HINT)), initial={"how": "take"}), done)
            return
        keep = _("Keep this site's: {value}").format(value=clip(_value(c, "local"), 34))
        take = _("Take incoming: {value}").format(value=clip(_value(c, "incoming"), 36))
        self.app.push_screen(ValuesDialog(
            title,
            [("how", _("Decision"), [("keep", keep), ("take", take), ("edit", _("Write another value"))]),
             ("value", _("Other value"), "")],
            required=("how",), ok=_("Decide"), check=check,
            explanation=dim(_("Other value is used only with Write another value.")),
            initial={"how": "keep" if c["winner"] == "local" else "take"}), done)

    def action_export(self) -> None:
        if self.loaded is None:
            return
        store, hq = self.store, self.dtlab.settings.hq_site
        here = self.loaded.site
        to = hq if hq != here else ""
        known = self.loaded.recipients

        def default_name(site: str) -> str:
            # The minute in the name: a second bundle on the same day never replaces the first.
            return f"{here}-to-{site}-{datetime.now():%Y-%m-%d-%H%M}.dtlab".lower()

        def target(values: dict[str, str]) -> Path:
            site = values["to"].strip().upper()
            return in_bundles(values["file"].strip() or default_name(site))

        def done(values: dict[str, str] | None) -> None:
            if values is None:
                return
            site = values["to"].strip().upper()
            path = target(values)
            sealed = values["seal"] == "yes"

            def write(replace: bool) -> None:
                def job(progress: Any) -> str:
                    manifest, count, size = export_file(
                        store, path, site, full=values["full"] == "yes", sealed=sealed, hq_site=hq, replace=replace,
                        progress=lambda done, total: progress("writing", done, total))
                    said = (_("Wrote {path}: {operations} for {site}, {size} bytes, encrypted to {site}'s key")
                            if sealed else _("Wrote {path}: {operations} for {site}, {size} bytes"))
                    operations = ngettext("{n} operation", "{n} operations", count).format(n=f"{count:,}")
                    return said.format(path=path, operations=operations, site=site,
                                       size=f"{size:,}")

                self.show_progress("writing")
                self.run_job(job)

            if not path.exists():
                write(replace=False)
                return

            def confirmed(yes: bool | None) -> None:
                if yes:
                    write(replace=True)
                else:
                    self.notify(_("Nothing written: the file is kept as it was."), timeout=6)

            # The rule is export_file's (an existing file is written over only when asked to):
            # here, asked in words.
            self.app.push_screen(ConfirmDialog(
                _("{path} exists already. Write the new bundle over it? A bundle in it that was not yet delivered "
                  "would be lost.").format(path=shown(str(path))),
                yes=_("Write over it"), no=_("Keep the file"), safe=True), confirmed)

        def check(values: dict[str, str]) -> str | None:
            # The command line's rules, said as sentences; an existing file is asked about after.
            try:
                site = export_site(here, values["to"])
                if target(values).parent == bundles_dir():
                    bundles_dir().mkdir(parents=True, exist_ok=True)
                export_target(target(values), replace=True)
            except UsageError as exc:
                return f"{str(exc)[:1].upper()}{str(exc)[1:]}."
            if values["seal"] == "yes" and site not in known:
                return _("No encryption key for {site} yet: trust its key file (dtlab keys trust FILE --site "
                         "{site}), or write the bundle unencrypted.").format(site=site)
            return None

        where = _("File: left empty, {name} in {folder}; a name without a folder goes there too.").format(
            name=default_name(to or "SITE"), folder=bundles_dir())
        self.app.push_screen(ValuesDialog(
            _("Write a bundle"), [("to", _("For site"), to), ("file", _("File"), ""),
                                  ("full", _("Everything"), [("no", _("No: what the site has not received")),
                                                             ("yes", _("Yes: every operation"))]),
                                  ("seal", _("Encrypt"), [("yes", _("Yes: only that site can open the file")),
                                                          ("no", _("No: a plain signed zip"))])],
            required=("to", "seal"), ok=_("Write"), check=check, explanation=dim(where),
            initial={"full": "no", "seal": "yes" if to in known or (not to and known) else "no"}), done)

    def action_import(self) -> None:
        store, hq = self.store, self.dtlab.settings.hq_site

        def done(values: dict[str, str] | None) -> None:
            if values is None:
                return
            path = in_bundles(values["file"].strip())

            def job(progress: Any) -> str:
                summary = import_file(store, path, hq, progress=progress)
                if summary.already:
                    return _("{file} was imported before: nothing changed").format(file=path.name)
                said = (_("{file} from {site}: applied {applied}, skipped {skipped}, {conflicts}, {closed} decided at "
                          "another site") if summary.closed else
                        _("{file} from {site}: applied {applied}, skipped {skipped}, {conflicts}"))
                conflicts = ngettext("{n} conflict", "{n} conflicts", summary.conflicts).format(
                    n=f"{summary.conflicts:,}")
                return said.format(file=path.name, site=summary.origin, applied=f"{summary.applied:,}",
                                   skipped=f"{summary.skipped:,}", conflicts=conflicts, closed=summary.closed)

            self.show_progress("checking")
            self.run_job(job)

        def check(values: dict[str, str]) -> str | None:
            path = in_bundles(values["file"].strip())
            if not path.is_file():
                return _("There is no file {path}.").format(path=path)
            return None

        checked = _("Every operation is checked (signature, trust, sizes, sequence) as it is applied, in one "
                    "transaction: a rejected bundle changes nothing. A name without a folder is looked for in "
                    "{folder}.").format(folder=bundles_dir())
        self.app.push_screen(ValuesDialog(
            _("Import a bundle"), [("file", _("File"), "")], required=("file",), ok=_("Import"), check=check,
            explanation=dim(checked)), done)


def in_bundles(name: str) -> Path:
    """A file named in a dialog: as typed when it says where it is (absolute, ~, ./ or ../),
    else under the bundles folder (paths.bundles_dir)."""
    path = Path(name).expanduser()
    if path.is_absolute() or name.startswith(("./", "../")):
        return path.absolute()
    return bundles_dir() / path
