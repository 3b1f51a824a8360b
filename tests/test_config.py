"""Settings: file, environment, validation with the file, the key and what is wrong."""

from __future__ import annotations

from pathlib import Path

import pytest

from dtlab import paths
from dtlab.config import ConfigError, load_settings

pytestmark = pytest.mark.unit


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_defaults_without_a_file(tmp_path: Path) -> None:
    settings = load_settings(tmp_path / "missing.toml", environ={})
    assert settings.hq_site == "HQ"
    assert settings.database_target == str(paths.default_database())


def test_file_values_and_environment_override(tmp_path: Path) -> None:
    path = write(tmp_path, 'user = "amina"\ndatabase = "/tmp/x.db"\nhq_site = "gva"\ntheme = "nord"\n'
                           '[keymap]\n"cases.search" = "ctrl+f"\n')
    settings = load_settings(path, environ={"DTLAB_DB": "/tmp/other.db"})
    assert settings.actor == "amina"
    assert settings.hq_site == "GVA"
    assert settings.database_target == "/tmp/other.db"
    assert settings.keymap == {"cases.search": "ctrl+f"}


@pytest.mark.parametrize(("text", "message"), [
    ('colour = "red"\n', "unknown key 'colour'"),
    ("user = 3\n", "key 'user': must be a string, not int"),
    ('theme = "pink"\n', "key 'theme': unknown theme 'pink'"),
    ('hq_site = "h q"\n', "key 'hq_site': site code"),
    ('keymap = "x"\n', "key 'keymap': must be a table"),
    ("user = \n", "not valid TOML"),
])
def test_bad_config_names_file_key_and_problem(tmp_path: Path, text: str, message: str) -> None:
    path = write(tmp_path, text)
    with pytest.raises(ConfigError) as info:
        load_settings(path, environ={})
    assert str(path) in str(info.value)
    assert message in str(info.value)


def test_paths_follow_xdg(isolated_dirs: Path) -> None:
    assert str(paths.config_file()).startswith(str(isolated_dirs))
    assert str(paths.default_database()).startswith(str(isolated_dirs))
