"""Settings: a TOML file in the config directory, then DTLAB_* environment variables, then flags.

Validation is strict: an unknown key or a wrong type is reported with the file, the key and what is
wrong, so a typo never silently falls back to a default."""

from __future__ import annotations

import getpass
import os
import re
import sys
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any

from dtlab import paths
from dtlab.domain.ids import check_site_code
from dtlab.errors import UsageError
from dtlab.i18n import LANGUAGES, _

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on 3.10 only
    import tomli as tomllib

# Every theme the command palette offers: Textual's own (textual.theme.BUILTIN_THEMES, named here
# so that reading the config does not load Textual; a test holds the two lists equal) and dtlab's.
THEMES = ("textual-dark", "textual-light", "dtlab-high-contrast", "ansi-dark", "ansi-light", "atom-one-dark",
          "atom-one-light", "catppuccin-frappe", "catppuccin-latte", "catppuccin-macchiato", "catppuccin-mocha",
          "dracula", "flexoki", "gruvbox", "monokai", "nord", "rose-pine", "rose-pine-dawn", "rose-pine-moon",
          "solarized-dark", "solarized-light", "tokyo-night")


class ConfigError(UsageError):
    """A config file or DTLAB_* variable that is wrong: the file, the key and what is wrong."""


@dataclass(frozen=True)
class Settings:
    user: str = ""
    database: str = ""
    hq_site: str = "HQ"
    theme: str = "textual-dark"
    language: str = ""  # empty: the environment's locale decides (i18n.choose_language)
    keymap: dict[str, str] = field(default_factory=dict)

    @property
    def actor(self) -> str:
        return self.user or _login_name()

    @property
    def database_target(self) -> str:
        return self.database or str(paths.default_database())


def _login_name() -> str:
    try:
        return getpass.getuser()
    except Exception:  # no login name in some containers
        return "unknown"


def _check(source: str, key: str, value: Any) -> Any:
    def bad(what: str) -> ConfigError:
        return ConfigError(_("{source}: key {key}: {problem}").format(source=source, key=repr(key), problem=what))

    if key == "keymap":
        if not isinstance(value, dict) or not all(
            isinstance(k, str) and isinstance(v, str) for k, v in value.items()
        ):
            raise bad(_("must be a table of binding id = \"keys\" strings"))
        return dict(value)
    if not isinstance(value, str):
        raise bad(_("must be a string, not {kind}").format(kind=type(value).__name__))
    if key == "hq_site":
        try:
            return check_site_code(value)
        except ValueError as exc:
            raise bad(str(exc)) from None
    if key == "theme" and value not in THEMES:
        raise bad(_("unknown theme {name} (known: {known})").format(name=repr(value), known=", ".join(THEMES)))
    if key == "language" and value not in LANGUAGES:
        raise bad(_("unknown language {name} (known: {known})").format(name=repr(value), known=", ".join(LANGUAGES)))
    return value


KEYS = tuple(f.name for f in fields(Settings))
ENV = {"user": "DTLAB_USER", "database": "DTLAB_DB", "hq_site": "DTLAB_HQ_SITE", "theme": "DTLAB_THEME",
       "language": "DTLAB_LANG"}


def load_settings(config_path: Path | None = None, environ: dict[str, str] | None = None) -> Settings:
    path = config_path or paths.config_file()
    env = os.environ if environ is None else environ
    values: dict[str, Any] = {}
    if path.exists():
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except tomllib.TOMLDecodeError as exc:
            raise ConfigError(_("{path}: not valid TOML: {error}").format(path=path, error=exc)) from None
        except (OSError, UnicodeDecodeError) as exc:
            raise ConfigError(_("{path}: cannot be read: {error}").format(path=path, error=exc)) from None
        for key, value in data.items():
            if key not in KEYS:
                raise ConfigError(_("{path}: unknown key {key} (known: {known})").format(
                    path=path, key=repr(key), known=", ".join(KEYS)))
            values[key] = _check(str(path), key, value)
    for key, var in ENV.items():
        if env.get(var):
            values[key] = _check(_("environment variable {name}").format(name=var), key, env[var])
    return replace(Settings(), **values)


_FIRST_TABLE = re.compile(r"^[ \t]*\[", re.MULTILINE)
# What the app keeps in the config file when it is chosen in the app (the palette's theme and
# language commands), to start with it next time.
REMEMBERED = ("theme", "language")


def remember(key: str, value: str, config_path: Path | None = None) -> Path:
    """Write `key = "value"` into the config file, so the theme or language chosen in the app is
    the one it starts with next time. Only that line changes (comments and other keys stay); a
    file without it gets it before its first table, where a top-level key must be. Written whole,
    then moved into place, so a crash leaves the old file."""
    assert key in REMEMBERED, key  # i18n: not shown (programmer error)
    path = config_path or paths.config_file()
    _check(str(path), key, value)
    text = path.read_text(encoding="utf-8") if path.exists() else ""
    line = f'{key} = "{value}"'
    table = _FIRST_TABLE.search(text)
    at = table.start() if table else len(text)
    head = text[:at]
    existing = re.compile(rf"^[ \t]*{key}[ \t]*=.*$", re.MULTILINE)
    if existing.search(head):
        text = existing.sub(line, head, count=1) + text[at:]
    else:
        text = head + ("" if not head or head.endswith("\n") else "\n") + line + "\n" + text[at:]
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(path.name + ".new")
    temporary.write_text(text, encoding="utf-8")
    os.replace(temporary, path)
    return path


def remember_theme(name: str, config_path: Path | None = None) -> Path:
    """The theme chosen in the app, kept for next time (`remember`)."""
    return remember("theme", name, config_path)
