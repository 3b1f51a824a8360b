"""The six languages' catalogues: no word a user reads bypasses them, each is complete and keeps the
English's placeholders, each compiled .mo is its .po, and the language is chosen as documented
(--lang, DTLAB_LANG, the config file, the locale, English)."""

from __future__ import annotations

import pytest

from dtlab import i18n
from dtlab.config import ConfigError, load_settings
from dtlab.i18n import LANGUAGES, choose_language, locale_language, use_language
from tests.helpers.catalogues import (
    TRANSLATED,
    catalogue_messages,
    code_messages,
    compiled,
    problems,
    read_catalogue,
)
from tests.helpers.words_in_code import bypasses

pytestmark = pytest.mark.unit


def test_no_word_a_user_reads_bypasses_the_catalogue() -> None:
    left = [str(b) for b in bypasses()]
    assert not left, f"{len(left)} English literals outside _(), N_(), ngettext(), pgettext():\n" + "\n".join(left)


@pytest.fixture(scope="module")
def in_code() -> set:  # type: ignore[type-arg]
    return code_messages()


@pytest.mark.parametrize("code", TRANSLATED)
def test_catalogue_has_every_word_of_the_code_and_no_other(code: str, in_code: set) -> None:  # type: ignore[type-arg]
    catalogue = catalogue_messages(read_catalogue(code))
    missing, stale = in_code - catalogue, catalogue - in_code
    assert not missing, (f"{code}: {len(missing)} words of the code not in the catalogue (make messages): "
                         f"{sorted(map(str, missing))[:20]}")
    assert not stale, (f"{code}: {len(stale)} entries the code no longer has (make messages): "
                       f"{sorted(map(str, stale))[:20]}")


@pytest.mark.parametrize("code", TRANSLATED)
def test_catalogue_is_complete_and_keeps_the_placeholders(code: str) -> None:
    wrong = list(problems(read_catalogue(code)))
    assert not wrong, f"{len(wrong)} problems:\n" + "\n".join(wrong[:50])


@pytest.mark.parametrize("code", TRANSLATED)
def test_compiled_catalogue_is_its_po(code: str) -> None:
    mo = i18n.LOCALE_DIR / code / "LC_MESSAGES" / "dtlab.mo"
    assert mo.read_bytes() == compiled(code), f"{mo} is not its .po compiled: run make messages"


@pytest.mark.parametrize("code", TRANSLATED)
def test_each_language_answers_in_its_own_words(code: str) -> None:
    try:
        use_language(code)
        assert i18n.language() == code
        assert i18n._("Save") != "Save"
        assert i18n.ngettext("{n} case", "{n} cases", 3) != "{n} cases"
    finally:
        use_language("en")
    assert i18n._("Save") == "Save"


def test_unknown_language_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown language 'de'"):
        use_language("de")


@pytest.mark.parametrize(("environ", "expected"), [
    ({"LANG": "zh_CN.UTF-8"}, "zh"),
    ({"LANG": "fr_FR.UTF-8", "LC_ALL": "es_ES.UTF-8"}, "es"),
    ({"LC_MESSAGES": "ru_RU.UTF-8", "LANG": "en_GB.UTF-8"}, "ru"),
    ({"LANGUAGE": "de:ar", "LANG": "de_DE.UTF-8"}, "ar"),
    ({"LANG": "de_DE.UTF-8"}, None),
    ({"LANG": "C.UTF-8"}, None),
    ({"LC_ALL": "POSIX", "LANG": "fr_FR"}, None),
    ({}, None),
])
def test_the_locale_names_the_language(environ: dict[str, str], expected: str | None) -> None:
    assert locale_language(environ) == expected


def test_flag_then_config_then_locale_then_english() -> None:
    env = {"LANG": "ru_RU.UTF-8"}
    assert choose_language("zh", "fr", env) == "zh"
    assert choose_language(None, "fr", env) == "fr"
    assert choose_language(None, "", env) == "ru"
    assert choose_language(None, "", {}) == "en"


def test_config_and_environment_take_only_the_six(tmp_path) -> None:  # type: ignore[no-untyped-def]
    config = tmp_path / "config.toml"
    config.write_text('language = "fr"\n', encoding="utf-8")
    assert load_settings(config, {}).language == "fr"
    assert load_settings(config, {"DTLAB_LANG": "ar"}).language == "ar"
    config.write_text('language = "de"\n', encoding="utf-8")
    with pytest.raises(ConfigError, match="unknown language 'de'"):
        load_settings(config, {})
    assert set(LANGUAGES) == {"ar", "en", "es", "fr", "ru", "zh"}


def test_lang_option_refuses_a_language_dtlab_does_not_speak(capsys: pytest.CaptureFixture[str]) -> None:
    from dtlab.cli.parser import build_parser

    with pytest.raises(SystemExit) as done:
        build_parser().parse_args(["--lang", "de", "cases"])
    assert done.value.code == 2
    assert "--lang" in capsys.readouterr().err
    assert build_parser().parse_args(["--lang", "zh", "cases"]).lang == "zh"
