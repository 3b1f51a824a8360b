"""The command line in scripts and pipes: whole values away from a terminal, CSV and TSV, a reader
that stops early, and text output that says what `--json` says."""

from __future__ import annotations

import csv
import io
import os
import subprocess
import sys
from pathlib import Path

import pytest

from dtlab.launch import main
from dtlab.services.cases import add_note, update_case
from tests.helpers.cases import planned_centre
from tests.helpers.database import fresh_database

pytestmark = pytest.mark.functional

LONG = ("A regional innovation and digital transformation acceleration centre for small island "
        "developing states, with partners in academia, government and the private sector")
TRICKY = 'Hub, "north"\tsite\n=HYPERLINK("http://x")'


class Cli:
    def __init__(self, capsys: pytest.CaptureFixture[str], db: Path):
        self.capsys, self.db = capsys, db

    def __call__(self, *args: str) -> str:
        code = main(["--db", str(self.db), *args])
        out, err = self.capsys.readouterr()
        assert code == 0, err
        return out


@pytest.fixture
def cli(capsys: pytest.CaptureFixture[str], db_path: Path, monkeypatch: pytest.MonkeyPatch) -> Cli:
    monkeypatch.setenv("COLUMNS", "40")  # a narrow window must not shape what a file receives
    run = Cli(capsys, fresh_database(db_path))
    run("init", "--site", "GVA")
    return run


def test_a_table_written_to_a_file_keeps_every_column_and_whole_values(cli: Cli) -> None:
    ref = cli("case", "new", "--title", LONG, "--country", "FJ", "--applicant", "University of the South Pacific",
              "--type", "technology").strip()
    out = cli("cases")
    header, row, summary = out.splitlines()
    assert header.split() == ["ref", "cc", "stage", "status", "title", "centre", "type", "applicant"]
    assert row.startswith(ref) and LONG in row and row.endswith("University of the South Pacific")
    assert "…" not in out and summary == "1 case"
    assert all(line == line.rstrip() for line in out.splitlines())


def test_csv_and_tsv_give_the_rows_as_the_database_holds_them(cli: Cli) -> None:
    ref = cli("case", "new", "--title", TRICKY, "--country", "KE", "--applicant", "-5 Labs").strip()
    rows = list(csv.reader(io.StringIO(cli("cases", "--format", "csv"))))
    assert rows[0] == ["ref", "cc", "stage", "status", "title", "centre type", "applicant"]
    # Everything but the formula guard is the value itself; a spreadsheet sees text, not a formula.
    assert rows[1] == [ref, "KE", "interest", "open", TRICKY, "", "'-5 Labs"]
    tsv = cli("cases", "--format", "tsv").splitlines()
    assert len(tsv) == 2 and tsv[0].split("\t")[4] == "title"
    assert tsv[1].split("\t")[4] == 'Hub, "north"\\tsite\\n=HYPERLINK("http://x")'


def test_csv_escapes_what_a_terminal_would_act_on(cli: Cli) -> None:
    cli("case", "new", "--title", "Hub \x1b]52;c;ZXZpbA==\x07 \u202e", "--country", "KE")
    out = cli("cases", "--format", "csv")
    assert "\x1b" not in out and "\x07" not in out and "\u202e" not in out
    assert "\\x1b]52;c;ZXZpbA==\\x07 \\u202e" in out


def test_json_and_format_do_not_go_together(capsys: pytest.CaptureFixture[str], db_path: Path) -> None:
    assert main(["--db", str(fresh_database(db_path)), "cases", "--json", "--format", "csv"]) == 2
    assert "not allowed with argument --json" in capsys.readouterr().err


def test_milestones_and_centres_take_the_formats(cli: Cli, store_at: object) -> None:
    assert store_at is not None
    rows = list(csv.DictReader(io.StringIO(cli("milestones", "--format", "csv", "--today", "2025-01-01"))))
    assert rows and rows[0]["state"] in {"Overdue", "Due soon", "Scheduled", "Unscheduled"}
    assert {"due", "ref", "milestone", "owner", "status"} <= set(rows[0])
    centres = cli("centres", "--format", "tsv").splitlines()
    assert centres[0].split("\t") == ["ref", "centre", "type", "ends", "renewal due", "accreditation"]
    assert len(centres) == 2


@pytest.fixture
def store_at(cli: Cli) -> object:
    """A planned centre in the cli's database."""
    from dtlab.db.store import Store

    store = Store.open(str(cli.db), "tester")
    try:
        return planned_centre(store)
    finally:
        store.close()


def test_case_show_says_in_text_what_json_holds(cli: Cli) -> None:
    from dtlab.db.store import Store

    store = Store.open(str(cli.db), "tester")
    try:
        ref = planned_centre(store)
        update_case(store, ref, {"purpose": "Grow the national start-up scene", "contact": "Amina Njoroge",
                                 "contact_email": "amina@example.org", "assessed_on": "2025-05-02",
                                 "findings": "Strong host", "agreement_ref": "BDT/JS/2024/7",
                                 "signed_on": "2024-11-20"})
        add_note(store, ref, "first note")
        add_note(store, ref, "second note")
    finally:
        store.close()
    out = " ".join(cli("case", "show", ref).split())
    for expected in ("Purpose Grow the national start-up scene", "Contact Amina Njoroge",
                     "Contact email amina@example.org", "Preliminary assessment", "Assessed on 2025-05-02",
                     "Findings Strong host", "Agreement ref BDT/JS/2024/7", "Signed on 2024-11-20",
                     "Launch date 2025-01-15", "Accredited on 2025-03-01", "Evaluations",
                     "L. Chen (revision 1) · submitted"):
        assert expected in out, expected
    history = cli("case", "history", ref)
    assert history.index("second note") < history.index("first note")  # newest first, as in the app


def test_reference_prints_words_not_a_python_dict(cli: Cli) -> None:
    out = cli("reference")
    assert "{" not in out and "'" not in out
    assert "member states by region" in out and "AFR 44" in out


def test_help_says_where_the_database_comes_from_and_how_countries_are_given(cli: Cli) -> None:
    assert main(["--help"]) == 0
    top = " ".join(cli.capsys.readouterr().out.split())
    assert "$DTLAB_DB, else the config file's `database`" in top
    assert main(["case", "new", "--help"]) == 0
    assert "English name" in " ".join(cli.capsys.readouterr().out.split())


COMMANDS = [("cases",), ("cases", "--json"), ("cases", "--format", "csv"), ("centres",), ("milestones",),
            ("templates",), ("reference",), ("case", "show", "REF"), ("case", "history", "REF"), ("kpis", "REF")]


@pytest.fixture(scope="module")
def centre_db(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    from dtlab.db.store import Store

    db = fresh_database(tmp_path_factory.mktemp("pipe") / "pipe.db")
    store = Store.open(str(db), "tester")
    try:
        store.init_site("GVA")
        return db, planned_centre(store)
    finally:
        store.close()


@pytest.mark.parametrize("args", COMMANDS, ids=" ".join)
def test_a_reader_that_stops_early_ends_the_command_quietly(centre_db: tuple[Path, str], args: tuple[str, ...]) -> None:
    db, ref = centre_db
    argv = [a.replace("REF", ref) for a in args]
    # The reading end is closed before the command writes: its first write meets a closed pipe.
    proc = subprocess.Popen([sys.executable, "-m", "dtlab", "--db", str(db), *argv], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, env={**os.environ, "COLUMNS": "200"})
    assert proc.stdout is not None and proc.stderr is not None
    proc.stdout.close()
    err = proc.stderr.read()
    assert proc.wait(timeout=120) == 141
    assert err == b""
