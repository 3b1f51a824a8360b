"""Switching language in the running app: the palette's "Language" commands. The catalogue then
answers in the new language, the screens on the current stack are drawn again at once (what was
typed is kept: widgets/relabel.py), every other screen as soon as it is shown, and the choice is
kept in the config file for the next start."""

from __future__ import annotations

from dataclasses import replace
from functools import partial
from typing import Any

from textual.app import App
from textual.command import DiscoveryHit, Hit, Hits, Provider

from dtlab.i18n import LANGUAGES, _, language, use_language
from dtlab.widgets.relabel import Relabels


def language_name(code: str) -> str:
    """A language as its own speakers write it, and in the language in use when that differs:
    "中文 · Chinese" to an English reader, "English" to an English reader."""
    from babel import Locale

    native = LANGUAGES[code]
    here = Locale.parse(code).get_display_name(language()) or native
    here = here[:1].upper() + here[1:]
    return native if here == native else f"{native} · {here}"


async def switch_language(app: App[Any], code: str) -> None:
    """Speak `code` from now on, in every screen, and start in it next time."""
    if code == language():
        return
    use_language(code)
    for screen in app.screen_stack:
        if isinstance(screen, Relabels):
            await screen.relabel()
    settings = getattr(app, "settings", None)
    kept = ""
    if settings is not None:
        from dtlab.config import ConfigError, remember

        try:
            path = remember("language", code)
        except (OSError, ConfigError) as exc:
            kept = _("Not kept for next time: {reason}").format(reason=str(exc))
        else:
            app.settings = replace(settings, language=code)  # type: ignore[attr-defined]
            kept = _("Kept for next time in {path}").format(path=str(path))
    app.notify(_("Language: {language}. {kept}").format(language=LANGUAGES[code], kept=kept), timeout=4)


class LanguageCommands(Provider):
    """One command per language in the palette, found by "language" in the language in use, by
    the language's own name or by its name in the language in use."""

    def _commands(self) -> list[tuple[str, str, Any]]:
        word = _("Language")
        return [(f"{word}: {language_name(code)}", _("Speak this language in every screen, from now on"),
                 partial(self._choose, code)) for code in LANGUAGES if code != language()]

    def _choose(self, code: str) -> None:
        self.app.run_worker(switch_language(self.app, code), group="language", exclusive=True)

    async def discover(self) -> Hits:
        for name, help_text, callback in self._commands():
            yield DiscoveryHit(name, callback, help=help_text)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for name, help_text, callback in self._commands():
            score = matcher.match(name)
            if score > 0:
                yield Hit(score, matcher.highlight(name), callback, help=help_text)
