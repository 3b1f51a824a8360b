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
from textual.message import Message
from textual.widgets import DataTable, Header, ProgressBar, Static, TabbedContent, TabPane

from dtlab.errors import DtlabError, UsageError, describe_error
from dtlab.paths import bundles_dir
from dtlab.present.charts import cut
from dtlab.present.conflicts import labelled
from dtlab.present.errors import as_sentence, error_line
from dtlab.present.safe import from_markup, plain, shown
from dtlab.present.words import plural, value_words
from dtlab.screens.base import DtlabScreen
from dtlab.sync.conflicts import conflict_rows, decided_by_move, resolve_conflict
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


def _clip(text: str, width: int) -> str:
    return text if len(text) <= width else text[:width - 1] + "…"


# A case's stage is decided by a move: keeping the stage before sends the case back one stage.
MOVED_HINT = ("Enter decides: move the case back to the stage held before, or leave it where the "
              "incoming move took it; any other move is made on the case as usual.")


def _value(c: dict[str, Any], side: str) -> str:
    """One side of a conflict (`base`, `local`, `incoming`) as a reader says its field's values:
    a stage's name, not its id (present.words.value_words)."""
    return value_words(c["field"], c[side])


class SyncScreen(DtlabScreen[None]):
    HELP_TITLE = "Sync"
    HELP_EXTRA = (("enter", "Conflicts: decide the highlighted conflict"),)
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("1", "tab('bundles')", "Bundles", id="sync.tab_bundles", show=False),
        Binding("2", "tab('conflicts')", "Conflicts", id="sync.tab_conflicts", show=False),
        Binding("3", "tab('keys')", "Keys", id="sync.tab_keys", show=False),
        Binding("e", "export", "Export", id="sync.export", tooltip="Write a bundle for another site"),
        Binding("i", "import", "Import", id="sync.import", tooltip="Check a bundle, then apply it"),
        Binding("ctrl+r", "reload", "Reload", id="sync.reload", tooltip="Read the sync history again", show=False),
        Binding("escape", "home", "Home", id="sync.home", tooltip="Back to the dashboard (also f2)"),
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
        yield Static("Reading…", id="sync-summary")
        with Horizontal(id="sync-progress"):
            yield Static("", id="sync-stage")
            yield ProgressBar(id="sync-bar", show_eta=False)
        with TabbedContent(id="sync-tabs"):
            with TabPane("1 Bundles", id="pane-bundles"):
                yield DataTable(id="bundle-table", cursor_type="row", zebra_stripes=True)
                yield Static("", id="bundle-detail")
            with TabPane("2 Conflicts", id="pane-conflicts"):
                yield DataTable(id="conflict-table", cursor_type="row", zebra_stripes=True)
                yield Static("", id="conflict-detail")
            with TabPane("3 Keys", id="pane-keys"):
                yield Static("", id="key-line")
                yield DataTable(id="key-table", cursor_type="row", zebra_stripes=True)
        yield KeysFooter()

    def on_mount(self) -> None:
        self.query_one("#key-table", DataTable).add_columns("Site", "Signing key", "Added", "State", "Encrypt to")

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
            lines = f"no usable key: {exc}"
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
        self.query_one("#sync-summary", Static).update(from_markup(
            f"[b]This site: {shown(loaded.site)}[/b] · {plural(len(loaded.bundles), 'bundle')}"
            + (f", the last {shown(last.direction)} {last.at:%Y-%m-%d}" if last else "")
            + (f" · [b red]{plural(n, 'open conflict')}[/]" if n else " · no open conflicts")
            + "\n[dim]1 2 3 tabs · e export a bundle · i import one · Enter decides a conflict[/]"))
        table = self.query_one("#bundle-table", DataTable)
        bundle_row = table.cursor_row
        table.clear(columns=True)
        # Every column on screen at 80 columns: the day without its year, and the file's name in
        # what the others leave, cut with … (the detail below gives the year, the whole path and
        # how many operations were skipped).
        fixed = (("When", 11), ("Bundle", 9), ("Encrypted", 9), ("Operations", 10), ("Applied", 7), ("Conflicts", 9))
        rest = self.size.width - sum(w for _label, w in fixed) - 2 * (len(fixed) + 1) - 2
        for label, width in (*fixed, ("File", max(8, rest))):
            table.add_column(label, width=width)
        for b in loaded.bundles:
            table.add_row(f"{b.at:%m-%d %H:%M}", cut(f"{'for' if b.direction == 'sent' else 'from'} {b.peer}"),
                          "yes" if b.sealed else "no", f"{b.operations:,}",
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
        for label, width in (("#", id_width), ("Case", ref_width), ("Field", 12), ("This site", share),
                             ("Incoming", share), ("For now", 9)):
            conflicts.add_column(label, width=width)
        for c in loaded.conflicts:
            conflicts.add_row(str(c["id"]), cut(c["ref"] or f"{c['row_id'][:8]}…"), cut(c["label"]),
                              cut(_value(c, 'local')), cut(_value(c, 'incoming')),
                              "incoming" if c["winner"] == "incoming" else "this site", key=str(c["id"]))
        if loaded.conflicts:
            conflicts.move_cursor(row=min(row, len(loaded.conflicts) - 1))
        self.show_conflict()
        self.query_one("#key-line", Static).update(from_markup(
            "This site's public keys. Give both lines to the sites it exchanges bundles with; saved in "
            f"a file, each site loads them with dtlab keys trust FILE --site {shown(loaded.site)}\n"
            f"[b]{shown(loaded.key_lines, multiline=True)}[/b]\n"
            + ("" if loaded.keys or loaded.recipients else
               "\n[dim]No trusted sites yet: this site accepts no bundle until it trusts one's keys.[/]\n")))
        keys = self.query_one("#key-table", DataTable)
        keys.clear()
        for k in loaded.keys:
            keys.add_row(plain(k.site_code), cut(k.key_id), f"{k.added_at:%Y-%m-%d}",
                         Text(f"revoked {k.revoked_at:%Y-%m-%d}", style="red") if k.revoked_at else "trusted",
                         plain(_short(loaded.recipients.get(k.site_code))))
        for code in sorted(set(loaded.recipients) - {k.site_code for k in loaded.keys}):
            keys.add_row(plain(code), "—", "", "not trusted", plain(_short(loaded.recipients[code])))
        self.query_one(TabbedContent).get_tab("pane-conflicts").label = (
            f"2 Conflicts ({n})" if n else "2 Conflicts")

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
            detail.update("[dim]No open conflicts. Fields edited on two sites, each without seeing the other, "
                          "come here after an import.[/]")
            return
        local_who = f"{c['local_actor'] or '?'}" + (f", {c['local_at']:%Y-%m-%d %H:%M}" if c["local_at"] else "")
        where = f"{c['ref']} {c['title']}" if c["ref"] else c["row_id"]
        kept = "[b green]✓ kept for now[/] "
        here = self.loaded.site if self.loaded else None
        mine = c["local_site"] in (None, here)
        local_label = "This site's edit" if mine else f"The edit held here, from {shown(c['local_site'])}"
        if c.get("reason"):
            # The stage before a move past a gate: the edit named is the one that unmet the gate.
            local_label, local_who = "Here before the move", f"its gate unmet by {local_who}"
        incoming_who = shown(c["incoming_actor"]) + (f" at {shown(c['incoming_site'])}" if c["incoming_site"] else "")
        detail.update(from_markup("\n".join([
            f"[b]{shown(where)}[/b] · the {shown(c['record'])}'s {shown(c['label'].lower())}",
            *([f"[b]Why:[/b] {shown(c['reason'])}"] if c.get("reason") else []),
            f"Before both edits: {shown(_value(c, 'base'))}",
            f"{local_label} ({shown(local_who)}): {kept if c['winner'] == 'local' else ''}"
            f"{shown(_value(c, 'local'))}",
            f"Incoming edit ({incoming_who}, {c['incoming_at']:%Y-%m-%d %H:%M}): "
            f"{kept if c['winner'] == 'incoming' else ''}{shown(_value(c, 'incoming'))}",
            "[dim]" + (MOVED_HINT if decided_by_move(c["table"], c["field"]) else
                       "Enter decides: keep the value held here, take the incoming one, or write another.") + "[/]"])))

    @on(DataTable.RowHighlighted, "#bundle-table")
    def show_bundle(self) -> None:
        detail = self.query_one("#bundle-detail", Static)
        table = self.query_one("#bundle-table", DataTable)
        if self.loaded is None or not self.loaded.bundles:
            detail.update("[dim]No bundles yet: e writes one for another site, i imports one.[/]")
            return
        b = self.loaded.bundles[min(table.cursor_row, len(self.loaded.bundles) - 1)]
        how = "Written for" if b.direction == "sent" else "Received from"
        what = (f"{how} {shown(b.peer)} on {b.at:%Y-%m-%d %H:%M}, "
                f"release {shown(b.release)}, {'encrypted' if b.sealed else 'not encrypted'}"
                + (f"; {b.skipped:,} of its operations were held already" if b.direction == "received" else ""))
        detail.update(from_markup(f"{what}\nFile: {shown(b.file or '—')}\n[dim]Bundle id {shown(b.id)}[/]"))

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
                return f"Conflict #{done.id}: {done.resolution}. The decision travels with the next bundle."

            self.run_job(job)

        def check(values: dict[str, str]) -> str | None:
            if values["how"] == "edit" and not values["value"].strip():
                return "Write the value to keep in Other value, or choose to keep or take."
            return None

        title = f"Decide conflict #{c['id']}: {c['label']}" + (f" of {c['ref']}" if c["ref"] else "")
        if decided_by_move(c["table"], c["field"]):
            self.app.push_screen(ValuesDialog(title, [("how", "Decision", [
                ("keep", f"Move it back: {_clip(_value(c, 'local'), 38)}"),
                ("take", f"Leave it at: {_clip(_value(c, 'incoming'), 38)}")])], required=("how",), ok="Decide",
                explanation=f"[dim]{MOVED_HINT}[/]", initial={"how": "take"}), done)
            return
        self.app.push_screen(ValuesDialog(
            title,
            [("how", "Decision", [("keep", f"Keep this site's: {_clip(_value(c, 'local'), 34)}"),
                                  ("take", f"Take incoming: {_clip(_value(c, 'incoming'), 36)}"),
                                  ("edit", "Write another value")]),
             ("value", "Other value", "")],
            required=("how",), ok="Decide", check=check,
            explanation="[dim]Other value is used only with Write another value.[/]",
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
                    return (f"Wrote {path}: {plural(count, 'operation')} for {site}, {size:,} bytes"
                            + (f", encrypted to {site}'s key" if sealed else ""))

                self.show_progress("writing")
                self.run_job(job)

            if not path.exists():
                write(replace=False)
                return

            def confirmed(yes: bool | None) -> None:
                if yes:
                    write(replace=True)
                else:
                    self.notify("Nothing written: the file is kept as it was.", timeout=6)

            # The rule is export_file's (an existing file is written over only when asked to):
            # here, asked in words.
            self.app.push_screen(ConfirmDialog(
                f"{shown(str(path))} exists already. Write the new bundle over it? "
                "A bundle in it that was not yet delivered would be lost.",
                yes="Write over it", no="Keep the file", safe=True), confirmed)

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
                return (f"No encryption key for {site} yet: trust its key file (dtlab keys trust FILE --site "
                        f"{site}), or write the bundle unencrypted.")
            return None

        self.app.push_screen(ValuesDialog(
            "Write a bundle", [("to", "For site", to), ("file", "File", ""),
                               ("full", "Everything", [("no", "No: what the site has not received"),
                                                       ("yes", "Yes: every operation")]),
                               ("seal", "Encrypt", [("yes", "Yes: only that site can open the file"),
                                                    ("no", "No: a plain signed zip")])],
            required=("to", "seal"), ok="Write", check=check,
            explanation=f"[dim]File: left empty, {shown(default_name(to or 'SITE'))} in {shown(str(bundles_dir()))}; "
                        "a name without a folder goes there too.[/]",
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
                    return f"{path.name} was imported before: nothing changed"
                return (f"{path.name} from {summary.origin}: applied {summary.applied:,}, skipped "
                        f"{summary.skipped:,}, {plural(summary.conflicts, 'conflict')}"
                        + (f", {summary.closed} decided at another site" if summary.closed else ""))

            self.show_progress("checking")
            self.run_job(job)

        def check(values: dict[str, str]) -> str | None:
            path = in_bundles(values["file"].strip())
            if not path.is_file():
                return f"There is no file {path}."
            return None

        self.app.push_screen(ValuesDialog(
            "Import a bundle", [("file", "File", "")], required=("file",), ok="Import", check=check,
            explanation="[dim]Every operation is checked (signature, trust, sizes, sequence) as it is applied, in "
                        f"one transaction: a rejected bundle changes nothing. A name without a folder is "
                        f"looked for in {shown(str(bundles_dir()))}.[/]"), done)


def in_bundles(name: str) -> Path:
    """A file named in a dialog: as typed when it says where it is (absolute, ~, ./ or ../),
    else under the bundles folder (paths.bundles_dir)."""
    path = Path(name).expanduser()
    if path.is_absolute() or name.startswith(("./", "../")):
        return path.absolute()
    return bundles_dir() / path
