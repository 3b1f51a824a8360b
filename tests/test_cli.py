"""The command-line contract: each command's success and failure, exit codes, one-line errors."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from dtlab import __version__
from dtlab.db import dialects
from dtlab.launch import main
from tests.helpers.database import fresh_database

# The commands on a laptop's SQLite file and on HQ's PostgreSQL database alike: each test that
# takes a database (`run`, `site`, `fresh_target`) runs on both.
pytestmark = [pytest.mark.functional, pytest.mark.both_databases]


class Run:
    def __init__(self, capsys: pytest.CaptureFixture[str], db: str):
        self.capsys, self.db = capsys, db

    def __call__(self, *args: str) -> tuple[int, str, str]:
        code = main(["--db", str(self.db), *args])
        out, err = self.capsys.readouterr()
        return code, out, err

    def json(self, *args: str) -> object:
        code, out, err = self(*args, "--json")
        assert code == 0, err
        return json.loads(out)


@pytest.fixture
def run(capsys: pytest.CaptureFixture[str], fresh_target: str) -> Run:
    return Run(capsys, fresh_target)


@pytest.fixture
def site(run: Run) -> Run:
    assert run("init", "--site", "GVA")[0] == 0
    return run


CRITERIA = ("national_fit", "goal_fit", "resources", "stakeholders", "building_blocks", "sustainability",
            "flagships")


def one_line(err: str) -> str:
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert "Traceback" not in err
    return lines[0]


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--version"]) == 0
    assert capsys.readouterr().out.strip() == f"dtlab {__version__}"


def test_init_is_idempotent_and_never_changes_the_code(run: Run) -> None:
    code, out, _ = run("init", "--site", "gva")
    assert code == 0 and out.startswith(f"site GVA created ({run.db}); signing key ")
    code, again, _ = run("init", "--site", "GVA")
    assert code == 0 and again.split()[-1] == out.split()[-1]  # the same key, not a new one
    code, _out, err = run("init", "--site", "NBO")
    assert code == 3 and "already belongs to site GVA" in one_line(err)
    code, _out, err = run("init", "--site", "x")
    assert code == 2 and "2 to 8 letters" in one_line(err)


def test_writing_without_a_site_says_to_run_init(run: Run) -> None:
    code, _out, err = run("case", "new", "--title", "T", "--country", "KE")
    assert code == 2 and "dtlab init --site CODE" in one_line(err)
    assert f"{run.db} has no site code yet" in err  # which database: perhaps not the one meant


def test_the_done_when_walk(site: Run) -> None:
    code, out, _err = site("case", "new", "--title", "Innovation hub", "--country", "KE")
    ref = out.strip()
    assert code == 0 and ref.startswith("GVA-")
    code, _out, err = site("case", "advance", ref)
    assert code == 3
    assert "an applicant organisation is recorded" in err and "--override" in err
    code, out, _err = site("case", "set", ref, "applicant=Kenya ICT Authority", "channel=letter",
                           "received_on=2026-03-01")
    assert code == 0 and "applicant" in out
    assert site("case", "advance", ref)[0] == 0
    history = site.json("case", "history", ref)
    assert isinstance(history, list)
    fields = {k for h in history for k in h["changes"]}
    assert {"applicant", "channel", "received_on", "stage"} <= fields
    assert all(h["actor"] == "tester" and h["at"] for h in history)
    assert any(h["kind"] == "transition" and h["changes"]["to_stage"]["new"] == "assessment" for h in history)
    code, out, _err = site("case", "history", ref)
    assert "Advanced from Expression of interest to Preliminary assessment" in out
    assert "Applicant: — → Kenya ICT Authority" in out


def test_case_new_json_and_show(site: Run) -> None:
    created = site.json("case", "new", "--title", "Hub", "--country", "cl", "--applicant", "Universidad",
                        "--channel", "eoi", "--received", "2026-01-10", "--goals", "policy,trends",
                        "--scope", "national", "--ownership", "country", "--type", "digital_transformation")
    assert isinstance(created, dict)
    shown = site.json("case", "show", created["ref"])
    assert isinstance(shown, dict)
    assert shown["region"] == "AMS" and shown["goals"] == ["trends", "policy"]
    assert shown["centre_type"] == "digital_transformation"
    assert [g["met"] for g in shown["gate"]] == [True, True, True, True]
    code, out, _err = site("case", "show", created["ref"])
    assert code == 0 and "✓ an applicant organisation is recorded" in out


@pytest.mark.parametrize(("args", "code", "message"), [
    (("case", "show", "GVA-2026-0999"), 2, "no case GVA-2026-0999"),
    (("case", "show", "banana"), 2, "is not a case reference"),
    (("case", "new", "--title", "T", "--country", "ZZ"), 3, "country: 'ZZ' is neither"),
    (("case", "new", "--title", "T", "--country", "KE", "--received", "2026-02-30"), 2, "is not a date"),
    (("cases", "--stage", "launch"), 2, "invalid choice: 'launch'"),
    (("case", "new", "--country", "KE"), 2, "the following arguments are required: --title"),
    (("case", "set", "GVA-2026-0001", "colour=red"), 3, "unknown field 'colour'"),
    (("case", "set", "GVA-2026-0001", "nonsense"), 2, "is not FIELD=VALUE"),
    (("case", "withdraw", "GVA-2026-0001"), 2, "--reason"),
    (("case", "advance", "GVA-2026-0001", "--override", " "), 3, "override needs a written reason"),
    (("case", "back", "GVA-2026-0001"), 3, "no stage to send it back to"),
    (("case", "note", "GVA-2026-0001", " "), 3, "write something"),
    (("case", "advance", "GVA-2026-0001", "--override", ""), 3, "override needs a written reason"),
    (("case", "kpi", "GVA-2026-0001", "--name", "K", "--target", "nan"), 2, "is not a finite number"),
    (("case", "new", "--title", "T", "--country", "KE", "--stage", "operation"), 2, "needs --reason"),
    (("case", "new", "--title", "T", "--country", "KE", "--stage", "operation", "--reason", "partner"), 3,
     "entering at Accredited operation skips that: enter as an override, with its reason (--override"),
    (("case", "new", "--title", "T", "--country", "KE", "--stage", "assessment", "--reason", "r", "--override"), 2,
     "--override goes with a --stage past concept_design"),
    (("case", "new", "--title", "T", "--country", "KE", "--reason", "why"), 2, "--reason goes with --stage"),
    (("cases", "--type", "spaceport"), 2, "unknown centre type 'spaceport'"),
    (("--db", "", "cases"), 2, "--db needs a database path or URL"),
    (("keys", "revoke", "k0ffee"), 2, "no trusted key k0ffee"),
    (("conflicts", "resolve", "99", "--keep"), 2, "no conflict #99"),
    (("export", "out.dtlab", "--to", "GVA"), 2, "this site is GVA"),
])
def test_errors_are_one_line_with_the_right_code(site: Run, args: tuple[str, ...], code: int, message: str) -> None:
    assert site("case", "new", "--title", "T", "--country", "KE", "--received", "2026-01-01")[0] == 0
    got, _out, err = site(*args)
    assert got == code
    assert message in one_line(err)


def test_moves_and_notes(site: Run) -> None:
    ref = site("case", "new", "--title", "T", "--country", "KE")[1].strip()
    assert site("case", "advance", ref, "--override", "fast track")[0] == 0
    assert site("case", "back", ref, "--reason", "missing letter")[0] == 0
    assert site("case", "withdraw", ref, "--reason", "no reply")[0] == 0
    code, _out, err = site("case", "advance", ref)
    assert code == 3 and "reopen it first" in err
    assert site("case", "reopen", ref, "--reason", "replied")[0] == 0
    assert site("case", "note", ref, "called the ministry")[0] == 0
    shown = site.json("case", "show", ref)
    assert isinstance(shown, dict)
    assert shown["status"] == "open" and shown["notes"][0]["body"] == "called the ministry"
    kinds = [h["changes"].get("kind", {}).get("new") for h in site.json("case", "history", ref)  # type: ignore[union-attr]
             if h["table"] == "transitions"]
    assert kinds == ["advance", "back", "withdraw", "reopen"]


def test_evaluate_and_kpi_meet_their_gates(site: Run) -> None:
    ref = site("case", "new", "--title", "T", "--country", "KE", "--stage", "concept_design",
               "--reason", "assessment done offline")[1].strip()
    site("case", "set", ref, "proposed_type=initiative", "scope=national", "ownership=host_institution")
    all_three = [arg for c in CRITERIA for arg in ("--score", f"{c}=3")]
    code, out, _ = site("case", "evaluate", ref, "--score", "national_fit=4", "--score", "resources=1")
    assert code == 0 and "draft, 2 of 7 criteria scored" in out and "not scored yet: goal_fit" in out
    assert "capped: Committed human and financial resources scored 1, below 2" in out
    code, out, _ = site("case", "evaluate", ref, *all_three, "--score", "resources=1", "--submit")
    assert code == 0 and "submitted, 65% → Revise and resubmit" in out
    assert site("case", "advance", ref)[0] == 3
    # A submitted evaluation is changed only by amending it.
    code, _out, err = site("case", "evaluate", ref, "--score", "resources=4")
    assert code == 3 and "amend it" in err
    assert site("case", "evaluate", ref, *all_three, "--evaluator", "L. Chen", "--submit")[0] == 0
    data = site.json("evaluations", ref)
    assert isinstance(data, dict)
    consolidated = data["consolidated"]
    # The mean (70 %) would recommend with conditions, but one evaluator found no resources committed.
    assert consolidated["classification"] == "revise" and consolidated["percent"] == 70.0
    assert consolidated["disagreements"] == ["resources"]
    assert data["recommendation"]["best"] == "initiative"
    assert site("case", "advance", ref)[0] == 3
    code, out, _ = site("case", "evaluate", ref, "--amend", "--score", "resources=3", "--submit")
    assert code == 0 and "revision 2: submitted, 75% → Recommend" in out
    assert site.json("evaluations", ref)["consolidated"]["classification"] == "recommend"  # type: ignore[index]
    assert site("case", "advance", ref)[0] == 0
    site("case", "set", ref, "agreement_ref=JS-1", "signed_on=2026-04-01")
    assert site("case", "advance", ref)[0] == 0
    site("case", "set", ref, "launch_on=2026-06-01")
    assert site("case", "kpi", ref, "--name", "People trained", "--baseline", "0", "--target", "500")[0] == 0
    assert site("case", "advance", ref)[0] == 0


def test_an_amendment_is_a_new_revision_and_the_old_one_stays(site: Run) -> None:
    ref = site("case", "new", "--title", "T", "--country", "KE", "--stage", "concept_design",
               "--reason", "assessment done offline")[1].strip()
    all_three = [arg for c in CRITERIA for arg in ("--score", f"{c}=3")]
    site("case", "evaluate", ref, *all_three, "--submit")
    code, out, _ = site("case", "evaluate", ref, "--amend", "--score", "flagships=4", "--submit")
    assert code == 0 and "revision 2: submitted, 77.5% → Recommend" in out
    data = site.json("evaluations", ref)
    assert isinstance(data, dict)
    revisions = [(e["revision"], e["state"], e["counts"]) for e in data["evaluations"]]
    assert revisions == [(1, "submitted", False), (2, "submitted", True)]
    assert data["evaluations"][0]["scores"]["flagships"]["score"] == 3  # the first stays as it was
    code, out, _ = site("evaluations", ref)
    assert "amended by a later revision" in out and "Recommend" in out


def test_a_bad_score_is_refused_before_anything_is_written(site: Run) -> None:
    ref = site("case", "new", "--title", "T", "--country", "KE", "--stage", "concept_design",
               "--reason", "assessment done offline")[1].strip()
    code, _out, err = site("case", "evaluate", ref, "--score", "resources=5")
    assert code == 2 and "a score is a whole number from 0 to 4" in err
    code, _out, err = site("case", "evaluate", ref, "--score", "colour=3")
    assert code == 2 and "unknown criterion 'colour'" in err
    assert site.json("evaluations", ref)["evaluations"] == []  # type: ignore[index]


def test_centres_lists_each_centre_with_its_accreditation(site: Run) -> None:
    ref = site("case", "new", "--title", "Partner hub", "--country", "KE", "--stage", "operation",
               "--reason", "an existing partner centre", "--override", "--type", "initiative")[1].strip()
    site("case", "set", ref, "accredited_on=2024-03-01")
    data = site.json("centres", "--today", "2026-09-01")
    assert isinstance(data, list)
    (centre,) = data
    assert centre["ref"] == ref and centre["accreditation"] == "renewal due"
    assert centre["period"]["ends_on"] == "2027-02-28" and centre["period"]["renewal_due_on"] == "2026-08-28"
    code, out, _ = site("centres", "--today", "2027-03-01")
    assert code == 0 and "lapsed" in out and "1 centre, 1 lapsed" in out


def test_templates_show_each_types_monitoring_plan(site: Run) -> None:
    data = site.json("templates")
    assert isinstance(data, list) and [t["centre_type"] for t in data] == [
        "technology", "research_entrepreneurship", "digital_transformation", "initiative"]
    code, out, _ = site("templates", "initiative")
    assert code == 0 and "Flagship initiative launched: 2 months after launch" in out
    assert "People reached by the flagship initiative: 200, 500, 1000 people" in out
    # Its chain: each result numbered, and linked up to the one it contributes to.
    assert "3. output   Flagship initiative run with the host institution's partners  (task 6, contributes to 2)" in out
    assert [r["contributes_to"] for r in data[-1]["results"]] == [None, 1, 2]
    code, _out, err = site("templates", "spaceport")
    assert code == 2 and "unknown centre type 'spaceport'" in err


def test_recommend_ranks_the_types_with_reasons(site: Run) -> None:
    data = site.json("recommend", "--goals", "ecosystem", "--scope", "national", "--ownership", "host_institution",
                     "--flagships", "1")
    assert isinstance(data, dict)
    assert data["best"] == "initiative" and data["ranking"][0]["type"] == "initiative"
    assert data["cost"]["tier"] == "low"
    code, out, _ = site("recommend", "--goals", "trends,open_tech", "--scope", "national", "--ownership", "itu")
    assert code == 0
    assert "Technology Acceleration Centre: does not fit" in out
    assert "needs global or regional scope; this request is national" in out
    code, _out, err = site("recommend", "--goals", "nonsense", "--scope", "national", "--ownership", "itu")
    assert code == 2 and "nonsense" in err


def test_cases_list_and_filters(site: Run) -> None:
    site("case", "new", "--title", "Sandbox in Kenya", "--country", "KE")
    site("case", "new", "--title", "Lab in France", "--country", "FR")
    rows = site.json("cases")
    assert isinstance(rows, list) and len(rows) == 2
    required = {"ref", "title", "country", "region", "stage", "status", "centre_type", "updated_at"}
    assert all(required <= set(r) for r in rows)
    assert [r["country"] for r in site.json("cases", "--region", "eur")] == ["FR"]  # type: ignore[union-attr]
    assert [r["title"] for r in site.json("cases", "--search", "sandbox")] == ["Sandbox in Kenya"]  # type: ignore[union-attr]
    code, out, _err = site("cases")
    assert code == 0 and "Lab in France" in out and "2 cases" in out


def test_demo_is_deterministic(run: Run, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    def demo(db: Path) -> list[tuple[str, str, str, str]]:
        other = Run(capsys, fresh_database(db))
        assert other("init", "--site", "GVA")[0] == 0
        assert other("demo", "--cases", "60", "--seed", "7", "--today", "2026-11-01")[0] == 0
        rows = other.json("cases")
        assert isinstance(rows, list)
        return [(r["ref"], r["title"], r["country"], r["stage"]) for r in rows]

    first, second = demo(tmp_path / "a.db"), demo(tmp_path / "b.db")
    assert len(first) == 60 and first == second
    assert len({stage for _r, _t, _c, stage in first}) == 7


def test_reference_summary(site: Run) -> None:
    summary = site.json("reference")
    assert isinstance(summary, dict)
    assert (summary["goals"], summary["centre_types"], summary["regional_initiatives"]) == (5, 4, 28)


def test_bad_config_file_is_one_line(site: Run, isolated_dirs: Path) -> None:
    from dtlab import paths

    paths.config_file().parent.mkdir(parents=True, exist_ok=True)
    paths.config_file().write_text('theme = "pink"\n', encoding="utf-8")
    code, _out, err = site("cases")
    assert code == 2 and "config.toml: key 'theme': unknown theme 'pink'" in one_line(err)


def test_damaged_database_file(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    bad = tmp_path / "bad.db"
    bad.write_bytes(b"garbage" * 1000)
    code = main(["--db", str(bad), "cases"])
    assert code == 2 and "not a dtlab database or is damaged" in one_line(capsys.readouterr().err)


def test_python_dash_m_and_console_script(db_path: Path) -> None:
    fresh_database(db_path)
    done = subprocess.run([sys.executable, "-m", "dtlab", "--db", str(db_path), "init", "--site", "GVA"],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    bad = subprocess.run([sys.executable, "-m", "dtlab", "--db", str(db_path), "case", "show", "GVA-2026-0001"],
                         capture_output=True, text=True, timeout=60)
    assert bad.returncode == 2 and bad.stderr.strip() == "dtlab: no case GVA-2026-0001"


def test_a_centres_plan_from_the_command_line(site: Run) -> None:
    ref = site("case", "new", "--title", "Partner hub", "--country", "KE", "--stage", "operation",
               "--reason", "an existing partner centre", "--override", "--type", "initiative")[1].strip()
    site("case", "set", ref, "accredited_on=2024-03-01", "launch_on=2024-01-10")
    code, out, _ = site("case", "plan", ref)
    assert code == 0 and "3 results, 2 KPIs, 2 milestones" in out
    code, _out, err = site("case", "plan", ref)
    assert code == 3 and "already has a monitoring plan" in err

    code, out, _ = site("case", "actual", ref, "1", "1", "180", "--evidence", "Annual report",
                        "--today", "2025-03-10")
    assert code == 0 and "year 1: actual 180" in out
    report = site.json("kpis", ref, "--today", "2025-06-01")
    assert isinstance(report, dict)
    first = report["kpis"][0]["years"][0]
    assert (first["actual"], first["status"], first["evidence"][0]["body"]) == (180, "green", "Annual report")
    code, _out, err = site("case", "actual", ref, "1", "1", "lots")
    assert code == 3 and "not a number" in err

    overdue = site.json("milestones", "--overdue", "--today", "2025-06-01")
    assert isinstance(overdue, list) and overdue and all(m["state"] == "overdue" for m in overdue)
    code, out, _ = site("case", "milestone", ref, "1", "--status", "done", "--done-on", "2024-04-02",
                        "--evidence", "Launch event report", "--today", "2025-06-01")
    assert code == 0
    assert len(site.json("milestones", "--overdue", "--today", "2025-06-01")) == len(overdue) - 1  # type: ignore[arg-type]
    code, out, _ = site("case", "show", ref)
    assert "1. 2024-03-10  Done" in out
    # One dated from the accreditation saves back unchanged.
    code, out, err = site("case", "milestone", ref, "2", "--owner", "M. Haddad", "--today", "2025-06-01")
    assert code == 0, err
    assert "Planned · 12 months after the start of accreditation" in " ".join(site("case", "show", ref)[1].split())

    # A corrected accreditation date re-plans the open milestones that follow it, only when asked to.
    site("case", "set", ref, "accredited_on=2024-04-01")
    code, out, _ = site("case", "replan", ref)
    assert code == 0 and "2025-03-01 → 2025-04-01" in out and "nothing written" in out
    code, out, _ = site("case", "replan", ref, "--yes")
    assert code == 0 and "re-planned" in out
    code, out, _ = site("case", "replan", ref)
    assert "already follows its anchor" in out


def test_the_accreditation_policy(site: Run) -> None:
    assert site.json("policy") == {"accreditation_years": 3, "renewal_lead_months": 6}
    code, out, _ = site("policy", "--accreditation-years", "4")
    assert code == 0 and "last 4 years" in out
    code, _out, err = site("policy", "--renewal-lead-months", "48")
    assert code == 2 and "within the period" in err


def test_keys_export_import_and_conflicts(run: Run, tmp_path: Path) -> None:
    hq, field = tmp_path / "hq.db", tmp_path / "field.db"

    def at(db: Path, *args: str) -> tuple[int, str, str]:
        code = main(["--db", str(db), *args])
        out, err = run.capsys.readouterr()
        return code, out, err

    fresh_database(hq), fresh_database(field)
    assert at(hq, "init", "--site", "HQ")[0] == 0
    code, out, _ = at(field, "init", "--site", "NBO")
    assert code == 0 and "signing key" in out
    (tmp_path / "hq.key").write_text(at(hq, "keys", "show")[1])
    (tmp_path / "nbo.key").write_text(at(field, "keys", "show")[1])
    code, _out, err = at(hq, "keys", "trust", str(tmp_path / "nbo.key"), "--site", "LIM")
    assert code == 2 and "holds the keys of site NBO, not LIM" in err
    lines = (tmp_path / "nbo.key").read_text().splitlines()
    assert [line.split()[0] for line in lines] == ["dtlab-ed25519", "dtlab-age"]
    assert all(line.endswith(" NBO") for line in lines)
    code, out, _ = at(hq, "keys", "trust", str(tmp_path / "nbo.key"), "--site", "NBO")
    assert code == 0 and "trusted for site NBO" in out and "can be encrypted to it" in out
    assert at(field, "keys", "trust", str(tmp_path / "hq.key"), "--site", "HQ")[0] == 0
    ref = at(field, "case", "new", "--title", "Field hub", "--country", "KE")[1].strip()
    bundle = tmp_path / "nbo.dtlab"
    code, out, _ = at(field, "export", str(bundle))
    assert code == 0 and "for HQ" in out and bundle.exists()
    dry = json.loads(at(hq, "import", str(bundle), "--dry-run", "--json")[1])
    assert dry["dry_run"] and dry["applied"] > 0 and at(hq, "cases", "--json")[1].strip() == "[]"
    summary = json.loads(at(hq, "import", str(bundle), "--json")[1])
    assert summary["applied"] == dry["applied"] and summary["conflicts"] == 0
    assert json.loads(at(hq, "cases", "--json")[1])[0]["ref"] == ref
    code, out, _ = at(hq, "import", str(bundle))
    assert code == 0 and "already imported" in out
    # A rejected bundle: exit 4, one line, nothing written.
    bad = tmp_path / "bad.dtlab"
    bad.write_bytes(b"not a zip")
    code, _out, err = at(hq, "import", str(bad))
    assert code == 4 and err.startswith("dtlab: bundle rejected: not a bundle") and err.count("\n") == 1
    code, out, _ = at(hq, "conflicts")
    assert code == 0 and "0 open conflicts" in out
    # Encrypted to HQ: HQ opens it; the laptop that wrote it cannot.
    ref2 = at(field, "case", "new", "--title", "Sealed hub", "--country", "KE")[1].strip()
    sealed = tmp_path / "nbo-sealed.dtlab"
    code, out, _ = at(field, "export", str(sealed), "--encrypt")
    assert code == 0 and "encrypted to HQ's key" in out
    code, _out, err = at(field, "import", str(sealed))
    assert code == 4 and "encrypted for another site" in err
    code, _out, err = at(hq, "export", str(tmp_path / "to-lim.dtlab"), "--to", "LIM", "--encrypt")
    assert code == 2 and "no encryption key for site LIM" in err
    summary = json.loads(at(hq, "import", str(sealed), "--json")[1])
    assert summary["applied"] > 0 and ref2 in at(hq, "cases")[1]
    keys = json.loads(at(hq, "keys", "list", "--json")[1])
    assert [k["site"] for k in keys["signing_keys"]] == ["NBO"]
    assert keys["encryption_keys"]["NBO"].startswith("age1")
    assert at(hq, "keys", "revoke", keys["signing_keys"][0]["key_id"])[0] == 0
    code, _out, err = at(hq, "import", str(bundle))
    assert code == 4 and "revoked" in err


def test_export_writes_over_an_existing_file_only_with_replace(site: Run, tmp_path: Path) -> None:
    """A bundle not yet delivered is not lost to a second export under the same name."""
    import zipfile

    out = tmp_path / "for-hq.dtlab"
    out.write_bytes(b"an earlier bundle")
    code, _out, err = site("export", str(out))
    assert code == 2 and f"{out} exists" in one_line(err) and "--replace" in err
    assert out.read_bytes() == b"an earlier bundle"
    code, printed, _err = site("export", str(out), "--replace")
    assert code == 0 and printed.startswith(f"{out}: ") and zipfile.is_zipfile(out)
    code, _out, err = site("export", str(tmp_path))
    assert code == 2 and "is a directory" in one_line(err)
    code, _out, err = site("export", str(tmp_path / "no-such-folder" / "b.dtlab"))
    assert code == 2 and "does not exist" in one_line(err)


def test_a_killed_import_leaves_the_database_as_it_was(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                      monkeypatch: pytest.MonkeyPatch, fresh_target: str) -> None:
    """SIGKILL in the middle of an import: nothing of it is written, and it then succeeds."""
    import os
    import pty
    import select
    import signal
    import time

    import sqlalchemy as sa

    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    env = dict(os.environ)
    dtlab = [sys.executable, "-m", "dtlab"]

    def call(*args: str) -> str:
        """A command run here: only the import to be killed needs a process of its own."""
        code = main(list(args))
        out, err = capsys.readouterr()
        assert code == 0, err
        return out

    hq, field = fresh_target, str(fresh_database(tmp_path / "field.db"))
    call("--db", hq, "init", "--site", "HQ")
    call("--db", field, "init", "--site", "NBO")
    (tmp_path / "nbo.key").write_text(call("--db", field, "keys", "show"))
    call("--db", hq, "keys", "trust", str(tmp_path / "nbo.key"), "--site", "NBO")
    call("--db", field, "demo", "--cases", "1500")
    bundle = str(tmp_path / "nbo.dtlab")
    call("--db", field, "export", bundle)

    def counts() -> tuple[int, int]:
        engine = sa.create_engine(dialects.database_url(hq))
        with engine.connect() as db:
            found = (db.exec_driver_sql("SELECT count(*) FROM change_log").scalar_one(),
                     db.exec_driver_sql("SELECT count(*) FROM cases").scalar_one())
        engine.dispose()
        return found

    before = counts()
    # The import's progress bar (on a terminal) says when it is applying: killed then, it is
    # mid-way for sure, whatever the speed of the machine.
    leader, follower = pty.openpty()
    proc = subprocess.Popen([*dtlab, "--db", hq, "import", bundle], env=env, stdout=subprocess.DEVNULL,
                            stderr=follower)
    os.close(follower)
    seen, deadline = b"", time.monotonic() + 60
    while b"applying" not in seen and time.monotonic() < deadline:
        ready, _, _ = select.select([leader], [], [], 0.05)
        if ready:
            seen += os.read(leader, 4096)
    assert b"applying" in seen and proc.poll() is None, "the import was not seen applying"
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    os.close(leader)
    assert counts() == before
    out = call("--db", hq, "import", bundle)
    assert "applied" in out and counts()[1] == 1500
