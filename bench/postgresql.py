"""The PostgreSQL figures of `make bench` (`--only postgresql`, in the default set): HQ's shared
database measured beside SQLite, each figure's baseline being the same measure on the SQLite demo
database of the same size, taken in the same run (so the ratio is PostgreSQL / SQLite).

The server is the one `$DTLAB_BENCH_POSTGRESQL` names (postgresql+psycopg://user@host:port/db, a
role that may create databases), else a throwaway one started with `tools/pg_local.py` in the
bench directory's `pg/`, where its data stays between runs as the SQLite files do, and stopped at
the end of the run. Its demo database, `demo_<cases>`, is made once like theirs (to a temporary
name, renamed when done); every other database a run makes is dropped at its end."""

from __future__ import annotations

import contextlib
import glob
import importlib.util
import json
import os
import shutil
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from bench.run import (
    SIZES,
    Figure,
    bench_dir,
    blank_site,
    compiled,
    demo_database,
    dtlab,
    env,
    exchange_keys,
    median,
    search_latency,
    timed,
)
from bench.terminal import DTLAB, started_dashboard, started_hello, started_list

PG_LOCAL = Path(__file__).resolve().parent.parent / "tools" / "pg_local.py"
TEMPORARY = "dtlab_bench_"  # every database a run makes but the cached demo: dropped at its end
# Reads never wait (docs/hq-postgresql.md). A reader during an import still shares the machine
# with the import, its server process and the writer: on 2 cores it gets about half of one, and
# with the test suite running too, reads of up to 4.7× the idle time were seen (none waiting on a
# lock, pg_stat_activity said). A wait would last the import's apply phase, which holds the write
# lock for most of the import: tens of seconds even at 1k cases.
READER_SLACK = 5.0
# The largest demo whose full bundle the import figures import. The 100k demo's took 1,729 s on
# SQLite alone before the admission's gate and score checks were made cheaper (2026-12-07; a 1k
# bundle went from 12.5 s to 5.8 s), and PostgreSQL's import takes about twice SQLite's: with the
# import beside which the reader and writer run, a 100k bundle would still make the PostgreSQL
# part most of an hour on 2 cores. The SQLite figures import the 100k bundle (`--only import`).
IMPORT_CASES = 1_000


def postgresql_figures(sqlite_db: Path, work: Path, runs: int) -> list[Figure]:
    """The figures on PostgreSQL, beside `sqlite_db` (a cached SQLite demo database); none, said
    in one line, when there is no PostgreSQL to measure."""
    figures: list[Figure] = []
    with server() as found:
        if found is None:
            return figures
        import psycopg  # installed: `server` made sure

        url, own = found
        made: list[str] = []
        try:
            if own:  # what an interrupted run left on our own server: nobody else's
                for name in databases(url, TEMPORARY):
                    drop(url, name)
            measure(url, sqlite_db, work, runs, made, figures)
        # The figures measured so far, and the SQLite ones, are still reported after a failure.
        except subprocess.CalledProcessError as failure:
            said = (failure.stderr or failure.stdout or "").strip().splitlines()
            print(f"PostgreSQL figures stopped: {' '.join(map(str, failure.cmd))} failed: "
                  f"{said[-1] if said else f'exit {failure.returncode}'}", file=sys.stderr)
        except (psycopg.Error, TimeoutError) as failure:
            print(f"PostgreSQL figures stopped: {str(failure).strip()}", file=sys.stderr)
        finally:
            for name in made:
                drop(url, name)
    return figures


# --- the server and its databases ----------------------------------------------------------------


@contextlib.contextmanager
def server() -> Iterator[tuple[str, bool] | None]:
    """(the server's URL, whether this run started it), or None after saying why there is none."""
    if importlib.util.find_spec("psycopg") is None:
        print("PostgreSQL figures skipped: its driver is not installed (pip install 'dtlab[postgres]')",
              file=sys.stderr)
        yield None
        return
    given = os.environ.get("DTLAB_BENCH_POSTGRESQL")
    if given:
        yield given, False
        return
    if shutil.which("pg_config") is None and not glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"):
        print("PostgreSQL figures skipped: PostgreSQL is not installed (no pg_config); install it, or name "
              "a server in $DTLAB_BENCH_POSTGRESQL", file=sys.stderr)
        yield None
        return
    root = bench_dir() / "pg"
    left = root / "url"
    if (root / "data" / "postmaster.pid").exists() and left.exists() and answers(left.read_text().strip()):
        # A server an interrupted run left going: starting another on its data would fail.
        url = left.read_text().strip()
    else:
        started = subprocess.run([sys.executable, str(PG_LOCAL), "start", str(root)], capture_output=True, text=True)
        if started.returncode != 0:
            print(f"PostgreSQL figures skipped: {started.stderr.strip().splitlines()[-1]}", file=sys.stderr)
            yield None
            return
        url = started.stdout.strip()
    try:
        yield url, True
    finally:
        subprocess.run([sys.executable, str(PG_LOCAL), "stop", str(root)], check=False)


def answers(url: str) -> bool:
    import psycopg

    try:
        with psycopg.connect(conninfo(url), connect_timeout=5):
            return True
    except psycopg.Error:
        return False


def conninfo(url: str) -> str:
    """The URL as psycopg takes it: SQLAlchemy's without the driver's name."""
    from sqlalchemy.engine import make_url

    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


def at(url: str, name: str) -> str:
    """The URL of database `name` on the server of `url`, as dtlab takes it."""
    from sqlalchemy.engine import make_url

    return make_url(url).set(database=name).render_as_string(hide_password=False)


def admin(url: str, statement: str, name: str, other: str | None = None) -> None:
    """A statement about databases, its {} filled with the quoted names (outside a transaction:
    CREATE and DROP DATABASE refuse to run in one)."""
    import psycopg
    from psycopg import sql

    names = [sql.Identifier(n) for n in (name, other) if n is not None]
    with psycopg.connect(conninfo(url), autocommit=True) as con:
        con.execute(sql.SQL(statement).format(*names))


def databases(url: str, prefix: str) -> list[str]:
    import psycopg

    with psycopg.connect(conninfo(url), autocommit=True) as con:
        rows = con.execute("SELECT datname FROM pg_database WHERE starts_with(datname, %s)", (prefix,)).fetchall()
    return [row[0] for row in rows]


def drop(url: str, name: str) -> None:
    admin(url, "DROP DATABASE IF EXISTS {} WITH (FORCE)", name)


def temporary(url: str, what: str, made: list[str], template: str | None = None) -> str:
    """A new database for this run only (a copy of `template`, or empty), dropped at its end."""
    name = f"{TEMPORARY}{os.getpid()}_{what}"
    drop(url, name)
    made.append(name)
    admin(url, "CREATE DATABASE {} TEMPLATE {}" if template else "CREATE DATABASE {}", name, template)
    return at(url, name)


def site(url: str, what: str, code: str, made: list[str]) -> str:
    """A new database of its own site, at this dtlab's schema (a shared database is upgraded only
    explicitly), as `blank_site` makes one on SQLite."""
    db = temporary(url, what, made)
    dtlab("--db", db, "db", "upgrade")
    dtlab("--db", db, "init", "--site", code)
    return db


def demo_on(url: str, cases: int) -> str:
    """The name of the cached demo database of `cases` cases on the server, made on first use
    with the same arguments as the SQLite one, under a temporary name so that an interrupted run
    leaves nothing half made (the next run drops it and starts again)."""
    name = f"demo_{cases}"
    if name in databases(url, name):
        # Made by an older dtlab, perhaps: a shared database is never upgraded by a client that
        # opens it (SQLite's are), so upgraded here as its administrator would; else a no-op.
        dtlab("--db", at(url, name), "db", "upgrade")
        return name
    part = f"{name}_part"
    drop(url, part)
    print(f"making the {cases:,}-case demo database on PostgreSQL once (cached as {name})…", file=sys.stderr)
    admin(url, "CREATE DATABASE {}", part)
    dtlab("--db", at(url, part), "db", "upgrade")
    dtlab("--db", at(url, part), "init", "--site", "GVA")
    dtlab("--db", at(url, part), "demo", "--cases", str(cases), "--seed", "7", "--today", "2026-11-01")
    admin(url, "ALTER DATABASE {} RENAME TO {}", part, name)
    return name


# --- the figures -------------------------------------------------------------------------------------


def measure(url: str, sqlite_db: Path, work: Path, runs: int, made: list[str], figures: list[Figure]) -> None:
    size = cases(sqlite_db)
    demo_name = demo_on(url, size)
    demo = at(url, demo_name)
    # CREATE DATABASE … TEMPLATE needs the template to itself: copied before anything connects.
    # The export writes to its database (what was sent; the key exchange), so it gets the copy.
    source = temporary(url, "source", made, template=demo_name)
    # Each opened once before the timings: a SQLite database made by an older dtlab is upgraded
    # when first opened (minutes at 100k), which a timed start would otherwise take.
    for db in (str(sqlite_db), demo):
        dtlab("--db", db, "cases", "--limit", "1")
    figures += starts(demo, sqlite_db, runs)
    figures += searches(demo, sqlite_db)
    figures.append(export(url, source, sqlite_db, work, runs, made))
    # The export leaves the SQLite bundle for the import, unless that is one of more cases than
    # IMPORT_CASES: then a smaller demo's bundle.
    bundle, sender, imported = work / "pg-full.dtlab", work / "pg-sqlite-source.db", size
    if size > IMPORT_CASES:
        bundle, sender, imported = work / "pg-import.dtlab", work / "pg-sqlite-sender.db", IMPORT_CASES
        shutil.copy(demo_database(imported), sender)
        dtlab("--db", str(sender), "export", "--to", "HQ", "--full", str(bundle))
    figure = full_import(url, bundle, sender, imported, work, runs, made)
    if imported < size:
        figure.note += f", not the {named(size)} one: see IMPORT_CASES in bench/postgresql.py"
    figures.append(figure)
    # Reads and writes during an import, on an HQ with a case of its own to edit.
    hq = site(url, "waits", "HQ", made)
    exchange_keys(sender, hq, work)
    figures += waits(hq, bundle, named(imported), runs)


def starts(demo: str, sqlite_db: Path, runs: int) -> list[Figure]:
    """dtlab started on a terminal, to the case list and to the dashboard, on each database."""
    compiled()
    figures = []
    for name, started in (("start to case list", started_list), ("dtlab to dashboard figures", started_dashboard)):
        # Alternated, so a machine that slows down during the run slows all three alike.
        hellos, lite, pg = [], [], []
        for _ in range(runs):
            hellos.append(started_hello(env))
            lite.append(started(sqlite_db, env)[0])
            pg.append(started(demo, env)[0])
        figures.append(Figure(f"PostgreSQL: {name} ({named(cases(sqlite_db))} cases)", median(pg), median(lite),
                              "s", "—", None, note=f"baseline: SQLite, same run; a hello-world Textual app took "
                              f"{median(hellos):.2f} s: {median(pg) / median(hellos):.2f}× it"))
    return figures


def searches(demo: str, sqlite_db: Path) -> list[Figure]:
    samples, floor = search_latency(demo)
    lite, _lite_floor = search_latency(sqlite_db)
    return [Figure("PostgreSQL: search keystroke to list, median", median(samples), median(lite), "ms", "≤ 50 ms",
                   50, absolute=True,
                   note=f"{len(samples)} keystrokes each; the data layer alone on PostgreSQL: {floor:.1f} ms"),
            Figure("PostgreSQL: search keystroke to list, p95", p95(samples), p95(lite), "ms", "—", None)]


def export(url: str, source: str, sqlite_db: Path, work: Path, runs: int, made: list[str]) -> Figure:
    """Each database's copy exports everything to an HQ it has exchanged keys with; the SQLite
    bundle, pg-full.dtlab, is left for the import."""
    lite_source = work / "pg-sqlite-source.db"
    shutil.copy(sqlite_db, lite_source)
    exchange_keys(lite_source, blank_site(work / "pg-sqlite-hq.db", "HQ"), work)
    exchange_keys(source, site(url, "export_hq", "HQ", made), work)
    full, pg_full = work / "pg-full.dtlab", work / "pg-full-postgresql.dtlab"
    heavy = runs if cases(sqlite_db) < 100_000 else 1  # a minute or more each at 100k
    lite_runs, pg_runs = [], []
    for _ in range(heavy):
        full.unlink(missing_ok=True)
        pg_full.unlink(missing_ok=True)
        lite_runs.append(timed("--db", str(lite_source), "export", "--to", "HQ", "--full", str(full)))
        pg_runs.append(timed("--db", source, "export", "--to", "HQ", "--full", str(pg_full)))
    return Figure(f"PostgreSQL: full export ({named(cases(sqlite_db))} cases)", median(pg_runs), median(lite_runs),
                  "s", "—", None, note=said_runs(heavy, runs))


def full_import(url: str, bundle: Path, sender: Path, cases: int, work: Path, runs: int, made: list[str]) -> Figure:
    """The full bundle of a SQLite demo of `cases` cases (as `--only import` makes it) into a new
    HQ of each kind that trusts its sender, the same bundle for both."""
    heavy = runs if cases < 100_000 else 1  # minutes each at 100k: one run there
    lite_runs, pg_runs = [], []
    for n in range(heavy):
        hq = blank_site(work / "pg-sqlite-import.db", "HQ")
        exchange_keys(sender, hq, work)
        lite_runs.append(timed("--db", str(hq), "import", str(bundle)))
        pg_hq = site(url, f"import_{n}", "HQ", made)
        exchange_keys(sender, pg_hq, work)
        pg_runs.append(timed("--db", pg_hq, "import", str(bundle)))
        drop(url, made.pop())  # now, not at the end: a large one is gigabytes
    return Figure(f"PostgreSQL: full import ({named(cases)} cases)", median(pg_runs), median(lite_runs), "s", "—",
                  None, note=f"{said_runs(heavy, runs)}; the bundle: the SQLite {named(cases)} demo's full export")


def waits(hq: str, bundle: Path, size: str, runs: int) -> list[Figure]:
    """How long a reader and a writer take while `hq` imports `bundle`, each run over and over
    until the import ends, against the same command with no import running. Reads take a
    snapshot and no lock; every write takes the one write lock, which the import holds while
    it applies."""
    ref = json.loads(dtlab("--db", hq, "case", "new", "--title", "Benchmark writer", "--country", "KE",
                           "--json").stdout)["ref"]
    count, gave_up = [0], []

    def reader() -> float:
        return timed("--db", hq, "cases", "--limit", "5")

    def writer(during: bool = False) -> float:
        count[0] += 1  # a new value each time: setting the same one again may write nothing
        started = time.perf_counter()
        done = dtlab("--db", hq, "case", "set", ref, f"purpose=benchmark write {count[0]}", check=not during)
        if done.returncode != 0:  # a write that waited as long as writes wait gives up: a result, said
            gave_up.append(done.stderr.strip().splitlines()[-1] if done.stderr.strip() else f"exit {done.returncode}")
        return time.perf_counter() - started

    idle = max(runs, 3)  # a command of about a second: cheap, and a single sample is noisy
    reader_idle = median([reader() for _ in range(idle)])
    writer_idle = median([writer() for _ in range(idle)])
    ended = threading.Event()

    def again(command: Callable[[], float]) -> list[float]:
        samples: list[float] = []
        while not ended.is_set():
            samples.append(command())
        return samples

    started = time.perf_counter()
    importing = subprocess.Popen([*DTLAB, "--db", hq, "import", str(bundle)], env=env(), stdout=subprocess.DEVNULL,
                                 stderr=subprocess.PIPE, text=True)
    try:
        with ThreadPoolExecutor(2) as pool:
            reads, writes = pool.submit(again, reader), pool.submit(again, lambda: writer(during=True))
            try:
                _out, said = importing.communicate()
                seconds = time.perf_counter() - started
            finally:  # (interrupted too: the loops end, or leaving the pool would wait for them forever)
                ended.set()
            read_samples, write_samples = reads.result(), writes.result()  # raises what a sample raised
    finally:
        if importing.poll() is None:
            importing.kill()
            importing.wait()
    if importing.returncode != 0:
        raise subprocess.CalledProcessError(importing.returncode, importing.args, stderr=said)
    how = f"during an import of the {size} bundle ({seconds:.0f} s with them beside it); idle: median of {idle}"
    return [Figure("PostgreSQL: a reader during an import, longest", max(read_samples), reader_idle, "s",
                   f"≤ {READER_SLACK:g}× idle (reads never wait)", READER_SLACK,
                   note=f"`dtlab cases --limit 5`, {len(read_samples)} runs {how}"),
            Figure("PostgreSQL: a reader during an import, median", median(read_samples), reader_idle, "s", "—", None),
            Figure("PostgreSQL: a writer during an import, longest", max(write_samples), writer_idle, "s",
                   "— (writes queue: one write lock)", None,
                   note=f"`dtlab case set` on HQ's own case, {len(write_samples)} runs {how}"
                   + (f"; {len(gave_up)} gave up: {gave_up[-1]}" if gave_up else "")),
            Figure("PostgreSQL: a writer during an import, median", median(write_samples), writer_idle, "s", "—",
                   None)]


def p95(samples: list[float]) -> float:
    ordered = sorted(samples)
    return ordered[max(int(len(ordered) * 0.95) - 1, 0)]


def said_runs(done: int, asked: int) -> str:
    return f"{done} run{'s' if done > 1 else ''}" + (" (fewer than --runs: minutes each)" if done < asked else "")


def cases(sqlite_db: Path) -> int:
    return int(sqlite_db.stem.removeprefix("demo-"))


def named(count: int) -> str:
    """A number of cases as `--sizes` names it (1k, 100k)."""
    return next((name for name, n in SIZES.items() if n == count), f"{count:,}")
