"""First run: the database has no site yet, so ask for the site code once."""

from __future__ import annotations

from dataclasses import dataclass

from textual import on, work
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.markup import escape
from textual.message import Message
from textual.widgets import Header, Input, Static

from dtlab.db.store import Site
from dtlab.errors import describe_error
from dtlab.i18n import N_, _
from dtlab.present.safe import plain
from dtlab.screens.base import DtlabScreen
from dtlab.sync.own_keys import identity as own_identity
from dtlab.sync.own_keys import signing_key
from dtlab.widgets.footer import KeysFooter


class SiteSetupScreen(DtlabScreen[Site]):
    HELP_TITLE = N_("Site set-up")  # F1's name for it (it was called by its class, SiteSetup)

    @dataclass
    class SiteSaved(Message):
        site: Site

    def compose(self) -> ComposeResult:
        yield Header()
        with Vertical(id="site-dialog"):
            welcome = _("Welcome to dtlab")
            about = _("This database has no site yet. Give this installation a short site code: it starts every "
                      "case reference (GVA-2026-0001). Use 2 to 8 letters or digits, e.g. GVA for Geneva or NBO1 "
                      "for a Nairobi laptop. It cannot be changed later.")
            yield Static(f"[b]{escape(welcome)}[/b]\n\n{escape(about)}")  # Textual's markup, as it wraps
            yield Input(placeholder=_("site code, e.g. GVA"), id="site-code", max_length=8)
            yield Static("", id="site-error")
        yield KeysFooter()

    @on(Input.Submitted, "#site-code")
    def submit(self, event: Input.Submitted) -> None:
        self.save_site(event.value)

    @work(thread=True, exclusive=True, exit_on_error=False)
    def save_site(self, code: str) -> None:
        site, _created = self.store.init_site(code)
        signing_key(self.store)  # the site's signing key for sync bundles, made once for the site
        own_identity(self.store)  # and the key that opens the bundles sealed for it
        self.post_result(self.SiteSaved(site))

    def on_site_setup_screen_site_saved(self, message: SiteSaved) -> None:
        self.dismiss(message.site)

    def worker_failed(self, error: BaseException | None) -> None:
        self.query_one("#site-error", Static).update(plain(describe_error(error)))  # beside the code, to correct it
