"""The command line in every language: `--json` prints the same bytes whatever `--lang` says (a
script reads it), and the text output in Chinese has no English sentence left but what the data
holds (titles, names, the seeds' English), refs, ids and the commands it tells you to type."""

from __future__ import annotations

import json
import re
from datetime import date, timedelta
from typing import Any

import pytest

from dtlab.db.store import Store
from dtlab.i18n import _, use_language
from dtlab.launch import main
from dtlab.services import board
from dtlab.services.demo import generate

pytestmark = pytest.mark.functional

TODAY = date(2026, 11, 1)
LANGUAGES = ("en", "zh", "ar", "fr")


class Demo:
    """A demo database with Board records, and the refs and ids the commands below name."""

    def __init__(self, store: Store, capsys: pytest.CaptureFixture[str]):
        self.db = store.engine.url.render_as_string(hide_password=False)
        self.capsys = capsys
        generate(store, cases=60, seed=3, today=TODAY)
        cases = self.json("cases")
        self.centre = next(c["ref"] for c in self.json("centres", "--today", TODAY.isoformat())
                           if self.json("kpis", c["ref"])["kpis"])
        self.evaluated = next(c["ref"] for c in cases if self.json("evaluations", c["ref"])["evaluations"])
        self.call = self.json("calls", "list")[0]["ref"]
        self.member = board.nominate(store, "Amina Diallo", "1", country="SN", title="Minister of ICT")
        board.nominate(store, "Ken Mori", "2", institution="Open Tech Alliance")
        self.meeting = board.new_meeting(store, "Board, first session", date.today() + timedelta(days=9),
                                         agenda="Renewals")
        self.item = board.put_to_board(store, self.centre, meeting=self.meeting[:13])

    def __call__(self, *args: str, lang: str = "en") -> tuple[int, str, str]:
        code = main(["--db", self.db, "--lang", lang, *args])
        out, err = self.capsys.readouterr()
        return code, out, err

    def json(self, *args: str, lang: str = "en") -> Any:
        code, out, err = self(*args, "--json", lang=lang)
        assert code == 0, err
        return json.loads(out)

    def commands(self) -> list[tuple[str, ...]]:
        """Commands that print a table, a record or a report, each with --json and without."""
        day = ("--today", TODAY.isoformat())
        return [
            ("cases",), ("case", "show", self.centre), ("case", "history", self.centre),
            ("case", "show", self.evaluated), ("evaluations", self.evaluated),
            ("kpis", self.centre, *day), ("results", self.centre), ("milestones", *day), ("centres", *day),
            ("calls", "list", *day), ("calls", "show", self.call, *day), ("calls", "history", self.call),
            ("board", "members", *day), ("board", "member", self.member[:13]), ("board", "meetings"),
            ("board", "meeting", "show", self.meeting[:13]), ("board", "items"), ("board", "policy"),
            ("recommend", "--goals", "trends,policy", "--scope", "national", "--ownership", "country"),
            ("templates",), ("reference",), ("reference", "priorities"), ("reference", "sdgs"), ("policy",),
            ("keys", "list"), ("conflicts",),
        ]


@pytest.fixture
def demo(store: Store, capsys: pytest.CaptureFixture[str]) -> Demo:
    return Demo(store, capsys)


def test_json_is_the_same_bytes_in_every_language(demo: Demo) -> None:
    for command in demo.commands():
        printed = {}
        for lang in LANGUAGES:
            code, out, err = demo(*command, "--json", lang=lang)
            assert code == 0 and out and not err, (command, lang, err)
            printed[lang] = out
        assert all(out == printed["en"] for out in printed.values()), command


def test_an_error_of_a_json_command_is_one_line_and_its_json_stays_out_of_stdout(demo: Demo) -> None:
    code, out, err = demo("case", "show", "GVA-1999-0001", "--json", lang="zh")
    assert code == 2 and out == "" and len(err.strip().splitlines()) == 1


# What may stay in Latin letters in a Chinese line: commands to type and their options, refs and ids,
# upper-case codes and placeholders (KPI, BDT, FILE), dates, times and numbers.
COMMAND = re.compile(r"dtlab(?: (?:[a-z][a-z-]*|--?[a-z][a-z-]*|[A-Z][A-Z0-9_.|-]*|[A-Z]{2,}-[0-9-]+))+")
OPTION = re.compile(r"--[a-z][a-z-]*(?:[ =|](?:[A-Z][A-Z0-9_.|=-]*|--[a-z-]+))*")
ENGLISH = re.compile(r"[A-Za-z]{2,}(?:['’][a-z]+)?[ \u00a0]+[A-Za-z]{2,}")


def _strings(data: Any) -> list[str]:
    """Every text a JSON document holds: the data, which is shown as the user typed it."""
    if isinstance(data, str):
        return [data]
    if isinstance(data, dict):
        return [s for key, value in data.items() for s in [key, *_strings(value)]]
    if isinstance(data, list):
        return [s for value in data for s in _strings(value)]
    return []


def _left_english(text: str, data: re.Pattern[str]) -> list[str]:
    text = COMMAND.sub(" ", OPTION.sub(" ", data.sub(" ", text)))
    return [line for line in text.splitlines() if ENGLISH.search(line)]


def test_text_in_chinese_has_no_english_sentence_left(demo: Demo, monkeypatch: pytest.MonkeyPatch) -> None:
    use_language("zh")
    said = _("{n} open conflict")
    use_language("en")
    if said == "{n} open conflict":
        pytest.skip("the zh catalogue does not hold the command line's words yet (the translators' parts are "
                    "merged into it after the branches)")
    commands = demo.commands()
    # The data of every command, each value a whole: longest first, so that a title is taken out
    # before a word of it is, and never from inside a word ("at" in "status").
    values = sorted({s for command in commands for s in _strings(demo.json(*command)) if len(s) > 1},
                    key=len, reverse=True)
    data = re.compile(r"(?<![A-Za-z])(?:" + "|".join(map(re.escape, values)) + r")(?![A-Za-z])")
    monkeypatch.setenv("COLUMNS", "1000")  # a value on one line, not folded where 80 columns end
    left = {}
    for command in commands:
        code, out, err = demo(*command, lang="zh")
        assert code == 0, (command, err)
        if english := _left_english(out + err, data):
            left[" ".join(command)] = english
    assert not left, json.dumps(left, ensure_ascii=False, indent=1)



def test_a_broken_config_is_reported_in_the_language_asked_for(monkeypatch: pytest.MonkeyPatch,
                                                                 capsys: pytest.CaptureFixture[str]) -> None:
    """The config file names a language too, but a file that cannot be read names none: its error
    is said in the language of --lang (else DTLAB_LANG, else the locale's)."""
    from dtlab import config, i18n
    from dtlab.errors import UsageError

    spoken = []

    def broken(*_args: object) -> config.Settings:
        spoken.append(i18n.language())
        raise config.ConfigError("config.toml: not valid TOML")

    monkeypatch.setattr(config, "load_settings", broken)
    assert main(["--lang", "fr", "cases"]) == UsageError.code
    monkeypatch.setenv("DTLAB_LANG", "ru")
    assert main(["cases"]) == UsageError.code
    monkeypatch.setenv("DTLAB_LANG", "xx")  # not a language: the locale's (C here: none), then English
    assert main(["cases"]) == UsageError.code
    assert spoken == ["fr", "ru", "en"]
    assert capsys.readouterr().err.count("dtlab: config.toml: not valid TOML") == 3


def test_json_is_the_same_bytes_from_one_process_to_the_next(demo: Demo) -> None:
    """A record's fields in one order in every run: each process loads a row's attributes in an
    order of its own, and a record dumped in that order differed between `--lang zh` and en."""
    import subprocess
    import sys

    printed = set()
    for lang in ("en", "zh", "ar"):
        done = subprocess.run([sys.executable, "-m", "dtlab", "--db", demo.db, "--lang", lang, "case", "show",
                               demo.evaluated, "--json"], capture_output=True, text=True, timeout=120)
        assert done.returncode == 0, done.stderr
        printed.add(done.stdout)
    assert len(printed) == 1
