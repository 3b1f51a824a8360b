"""Build dtlab's wheel, install it in a fresh virtual environment and use it as a person would.

An editable install (what `make run` and the tests use) sees every file of the work tree, so it
hides a package, a stylesheet or a seed file that the wheel leaves out. This installs the wheel
alone, from the pinned dependencies, in an empty environment, then runs the command-line contract
from it: --version, init, demo, cases --json, and the import of a signed bundle that another site
exported. Run by `make test` (and so by CI): `python tools/wheel_check.py`.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def step(what: str) -> None:
    print(f"wheel check: {what}", flush=True)


def run(cmd: list[str], env: dict[str, str], cwd: Path, stdout: Path | None = None) -> str:
    done = subprocess.run(cmd, env=env, cwd=cwd, capture_output=True, text=True, timeout=600)
    if done.returncode != 0:
        sys.exit(f"wheel check failed: {' '.join(cmd)} exited {done.returncode}\n{done.stdout}{done.stderr}")
    if stdout is not None:
        stdout.write_text(done.stdout, encoding="utf-8")
    return done.stdout


def _pip_can_target_another_python() -> bool:
    """pip installs into another interpreter's environment (`--python`) from version 22.3."""
    from importlib.metadata import version

    major, minor = (int(part) for part in version("pip").split(".")[:2])
    return (major, minor) >= (22, 3)


def main() -> int:
    with tempfile.TemporaryDirectory(prefix="dtlab-wheel-") as tmp:
        work = Path(tmp)
        step("building the wheel")
        # From a copy: setuptools reuses a build/ directory it finds, and a stale one would put
        # modules that no longer exist into the wheel.
        source = work / "src"
        shutil.copytree(ROOT, source, ignore=shutil.ignore_patterns(
            ".git", ".venv", "build", "dist", "*.egg-info", "__pycache__", ".*_cache", ".bench", ".hypothesis"))
        run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(work / "dist"), str(source)],
            dict(os.environ), source)
        wheels = list((work / "dist").glob("dtlab-*.whl"))
        if len(wheels) != 1:
            sys.exit(f"wheel check failed: expected one dtlab wheel, found {wheels}")
        step(f"installing {wheels[0].name} in a fresh environment")
        bindir = work / "env" / ("Scripts" if os.name == "nt" else "bin")
        python = str(bindir / "python")
        install = ["install", "--disable-pip-version-check", "-q", "--no-compile",
                   "-c", str(ROOT / "constraints.txt"), str(wheels[0])]
        if _pip_can_target_another_python():
            # An environment with nothing in it, not even pip: this pip installs into it. Seeding
            # pip into it and compiling every module took half of this check's time.
            venv.create(work / "env", with_pip=False)
            run([sys.executable, "-m", "pip", "--python", python, *install], dict(os.environ), work)
        else:
            venv.create(work / "env", with_pip=True)
            run([python, "-m", "pip", *install], dict(os.environ), work)

        # Nothing of the work tree on the path, and a home of its own.
        env = {k: v for k, v in os.environ.items() if not k.startswith(("DTLAB_", "PYTHON", "XDG_"))}
        env.update({"HOME": str(work / "home"), "XDG_CONFIG_HOME": str(work / "home/config"),
                    "XDG_DATA_HOME": str(work / "home/data"), "XDG_CACHE_HOME": str(work / "home/cache"),
                    "DTLAB_USER": "wheel-check"})
        dtlab = [str(bindir / "dtlab")]
        field, hq = ["--db", str(work / "field.db")], ["--db", str(work / "hq.db")]

        step("dtlab --version")
        version = run([*dtlab, "--version"], env, work).strip()
        if not version.startswith("dtlab "):
            sys.exit(f"wheel check failed: --version printed {version!r}")
        step("init, demo --cases 20, cases --json")
        run([*dtlab, *field, "init", "--site", "NBO"], env, work)
        run([*dtlab, *hq, "init", "--site", "HQ"], env, work)
        run([*dtlab, *field, "demo", "--cases", "20"], env, work)
        cases = json.loads(run([*dtlab, *field, "cases", "--json"], env, work))
        if len(cases) != 20 or not all(c["ref"].startswith("NBO-") for c in cases):
            sys.exit(f"wheel check failed: cases --json gave {len(cases)} cases")
        step("export from the field, import at HQ")
        run([*dtlab, *field, "keys", "show"], env, work, stdout=work / "nbo.pub")
        run([*dtlab, *hq, "keys", "trust", str(work / "nbo.pub"), "--site", "NBO"], env, work)
        run([*dtlab, *field, "export", str(work / "nbo.dtlab"), "--to", "HQ"], env, work)
        summary = json.loads(run([*dtlab, *hq, "import", str(work / "nbo.dtlab"), "--json"], env, work))
        if summary["applied"] <= 0 or summary["conflicts"] != 0:
            sys.exit(f"wheel check failed: import said {summary}")
        at_hq = json.loads(run([*dtlab, *hq, "cases", "--json"], env, work))
        if sorted(c["ref"] for c in at_hq) != sorted(c["ref"] for c in cases):
            sys.exit("wheel check failed: HQ does not hold the field's cases after the import")
        step(f"ok: {version} installs from its wheel; {summary['applied']:,} operations imported")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
