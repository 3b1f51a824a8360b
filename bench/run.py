"""`make bench`: the performance figures of DESIGN.md §8, each measured beside a baseline taken in
the same run, on demo databases made once by `dtlab demo` and cached.

    .venv/bin/python -m bench.run [--sizes 1k,100k,1M] [--runs 3] [--only NAME,...]

The databases live in the user's cache directory (…/dtlab/bench, or $DTLAB_BENCH_DIR): a 1M
database takes a long while to make the first time. Each figure is the median of several runs;
the table says figure, baseline, ratio, target and whether it is met. Timings are never tests.

PostgreSQL (`bench/postgresql.py`): figures of HQ's shared database beside SQLite's, on the server
$DTLAB_BENCH_POSTGRESQL names, else a throwaway local one (no PostgreSQL: skipped, said in a line)."""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from platformdirs import user_cache_dir

from bench.terminal import DTLAB, started_dashboard, started_hello, started_list

SIZES = {"1k": 1_000, "100k": 100_000, "1M": 1_000_000}
FIGURES = "startup,memory,dashboard,language,dashmem,open,search,export,import,incremental,demo,postgresql"


@dataclass
class Figure:
    name: str
    value: float
    baseline: float
    unit: str
    target: str  # the design's target, in words
    limit: float | None  # the ratio (or value, when `absolute`) the target allows
    absolute: bool = False  # the target is on the value itself, not the ratio
    note: str = ""

    @property
    def ratio(self) -> float:
        return self.value / self.baseline if self.baseline else float("inf")

    @property
    def met(self) -> str:
        if self.limit is None:
            return "—"
        return "yes" if (self.value if self.absolute else self.ratio) <= self.limit else "NO"


# --- the databases ---------------------------------------------------------------------------------


def bench_dir() -> Path:
    root = Path(os.environ.get("DTLAB_BENCH_DIR") or Path(user_cache_dir("dtlab")) / "bench")
    root.mkdir(parents=True, exist_ok=True)
    return root


def env() -> dict[str, str]:
    """The environment every dtlab process of the benchmark runs in: its own keys and config."""
    home = bench_dir() / "home"
    # Bytecode is read as an installed package's would be (see `compiled`), never skipped.
    base = {k: v for k, v in os.environ.items() if k not in ("COLUMNS", "LINES", "PYTHONDONTWRITEBYTECODE")}
    return {**base, "XDG_DATA_HOME": str(home / "data"), "XDG_CONFIG_HOME": str(home / "config"),
            "TERM": "xterm-256color"}


def dtlab(*args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*DTLAB, *args], env=env(), check=check, capture_output=True, text=True)


def demo_database(cases: int) -> Path:
    """The cached demo database of `cases` cases, made on first use (to a temporary name, so an
    interrupted run leaves nothing half made)."""
    path = bench_dir() / f"demo-{cases}.db"
    if path.exists():
        return path
    part = path.with_suffix(".db.part")
    for leftover in part.parent.glob(part.name + "*"):
        leftover.unlink()
    print(f"making the {cases:,}-case demo database once (cached in {path.parent})…", file=sys.stderr)
    dtlab("--db", str(part), "init", "--site", "GVA")
    dtlab("--db", str(part), "demo", "--cases", str(cases), "--seed", "7", "--today", "2026-11-01")
    part.rename(path)
    return path


def label(db: Path) -> str:
    cases = int(db.stem.removeprefix("demo-"))
    return next((name for name, n in SIZES.items() if n == cases), f"{cases:,}")


def median(samples: list[float]) -> float:
    return statistics.median(samples)


def runs_of(n: int, action: Callable[[], float]) -> list[float]:
    return [action() for _ in range(n)]


# --- export and import against a floor ---------------------------------------------------------


def floor_export(db: Path, out: Path) -> float:
    """The raw floor: sqlite3 + json + zipfile over the same change-log rows, no checks."""
    started = time.perf_counter()
    con = sqlite3.connect(db)
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=6) as z, \
            z.open("operations.ndjson", "w", force_zip64=True) as member:
        cursor = con.execute("SELECT origin, seq, hlc, actor, at, table_name, row_id, op, case_id, changes "
                             "FROM change_log ORDER BY id")
        keys = ("origin", "seq", "hlc", "actor", "at", "table", "row_id", "op", "case_id")
        while rows := cursor.fetchmany(5000):
            for row in rows:
                record = dict(zip(keys, row[:9], strict=True))
                record["changes"] = json.loads(row[9])
                member.write(json.dumps(record, sort_keys=True).encode() + b"\n")
    con.close()
    return time.perf_counter() - started


def floor_import(bundle: Path, db: Path) -> float:
    """A lower floor than `floor_import_schema`: read the same operations and insert them, a row
    per operation, into a bare table shaped like the change log (no indexes beyond (origin, seq),
    no records, no triggers), in one transaction. Reported for reference: the database it makes
    is not the one an import must make."""
    started = time.perf_counter()
    con = sqlite3.connect(db)
    con.execute("CREATE TABLE log (id INTEGER PRIMARY KEY, origin TEXT, seq INTEGER, hlc INTEGER, actor TEXT, "
                "at TEXT, table_name TEXT, row_id TEXT, op TEXT, case_id TEXT, changes TEXT, "
                "UNIQUE (origin, seq))")
    with zipfile.ZipFile(bundle) as z, z.open("operations.ndjson") as member:
        batch = []
        for line in member:
            op = json.loads(line)
            batch.append((op["origin"], op["seq"], op["hlc"], op["actor"], op["at"], op["table"], op["row_id"],
                          op["op"], op["case_id"], json.dumps(op["changes"])))
            if len(batch) == 5000:
                con.executemany("INSERT INTO log VALUES (NULL, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", batch)
                batch = []
        con.executemany("INSERT INTO log VALUES (NULL, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", batch)
    con.commit()
    con.close()
    return time.perf_counter() - started


def floor_import_schema(bundle: Path, db: Path) -> float:
    """The raw floor of producing the same database: read the operations with zipfile and json
    and write each one's log entry and its record into an empty dtlab database (the same tables,
    indexes and triggers) with plain sqlite3: no checks, no type conversion, no merging. Runs
    of one table and set of fields go in one executemany, in the bundle's order (parents first)."""
    started = time.perf_counter()
    con = sqlite3.connect(db)
    con.execute("PRAGMA foreign_keys = ON")
    (next_id,) = con.execute("SELECT coalesce(max(id), 0) + 1 FROM change_log").fetchone()

    def write(ops: list[dict[str, object]], first: int) -> None:
        con.executemany("INSERT INTO change_log (id, origin, seq, hlc, actor, at, table_name, row_id, op, case_id, "
                        "changes) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                        [(first + n, op["origin"], op["seq"], op["hlc"], op["actor"], op["at"], op["table"],
                          op["row_id"], op["op"], op["case_id"], json.dumps(op["changes"]))
                         for n, op in enumerate(ops)])
        run: list[tuple[object, ...]] = []
        for n, op in enumerate(ops):
            changes: dict[str, list[object]] = op["changes"]  # type: ignore[assignment]
            if op["op"] == "insert":
                run.append((op["row_id"], op["at"], op["at"], op["actor"], first + n,
                            *[new for _old, new in changes.values()]))
                after = ops[n + 1] if n + 1 < len(ops) else None
                if after is None or after["op"] != "insert" or after["table"] != op["table"] \
                        or after["changes"].keys() != changes.keys():  # type: ignore[attr-defined]
                    columns = ["id", "created_at", "updated_at", "updated_by", "change_id", *changes]
                    con.executemany(f"INSERT INTO {op['table']} ({', '.join(columns)}) "
                                    f"VALUES ({', '.join('?' * len(columns))})", run)
                    run = []
            else:
                sets = ", ".join(f"{k} = ?" for k in [*changes, "change_id"])
                con.execute(f"UPDATE {op['table']} SET {sets} WHERE id = ?",
                            [*[new for _old, new in changes.values()], first + n, op["row_id"]])

    with zipfile.ZipFile(bundle) as z, z.open("operations.ndjson") as member:
        batch: list[dict[str, object]] = []
        for line in member:
            batch.append(json.loads(line))
            if len(batch) == 5000:
                write(batch, next_id)
                next_id += len(batch)
                batch = []
        write(batch, next_id)
    con.commit()
    con.close()
    return time.perf_counter() - started


def timed(*args: str) -> float:
    started = time.perf_counter()
    dtlab(*args)
    return time.perf_counter() - started


def blank_site(path: Path, code: str) -> Path:
    """An initialised database of its own site that trusts the demo site GVA."""
    for leftover in path.parent.glob(path.name + "*"):
        leftover.unlink()
    dtlab("--db", str(path), "init", "--site", code)
    return path


def exchange_keys(source: str | Path, target: str | Path, work: Path) -> None:
    (work / "source.pub").write_text(dtlab("--db", str(source), "keys", "show").stdout)
    (work / "target.pub").write_text(dtlab("--db", str(target), "keys", "show").stdout)
    dtlab("--db", str(target), "keys", "trust", str(work / "source.pub"), "--site", "GVA")
    code = dtlab("--db", str(target), "keys", "show").stdout.split()[2]
    dtlab("--db", str(source), "keys", "trust", str(work / "target.pub"), "--site", code, check=False)


# --- in process: keystrokes and the incremental export ------------------------------------------


def search_latency(db: str | Path, keystrokes: str = "hubregion") -> tuple[list[float], float]:
    """Per keystroke in the case list's search box: ms until the list shows the new filter's
    rows. The baseline is the data layer alone answering the same searches."""
    import asyncio

    os.environ.update({k: v for k, v in env().items() if k.startswith("XDG_")})
    from textual.widgets import Input

    from dtlab.app import make_app
    from dtlab.config import Settings
    from dtlab.db.cases import list_cases
    from dtlab.db.listing import CaseFilter
    from dtlab.db.store import Store
    from dtlab.screens.case_list import PAGE, CaseListScreen

    samples: list[float] = []

    async def drive() -> None:
        app = make_app(str(db), Settings(user="bench"), start="cases")
        async with app.run_test(size=(120, 40)) as pilot:
            for _ in range(600):
                await pilot.pause(0.05)
                screen = app.screen
                if isinstance(screen, CaseListScreen) and screen.shown_generation == screen.generation > 0:
                    break
            await pilot.press("slash")
            search = screen.query_one("#search", Input)
            for _round in range(2):
                for key in keystrokes:
                    # The keystroke as the search box takes it: its value changes, the list reloads.
                    before = screen.generation
                    started = time.perf_counter()
                    search.insert_text_at_cursor(key)
                    while screen.generation == before or screen.shown_generation != screen.generation:
                        await asyncio.sleep(0.0005)
                    samples.append((time.perf_counter() - started) * 1000)
                    await pilot.pause()
                search.value = ""
                await pilot.pause(0.5)

    asyncio.run(drive())
    store = Store.open(str(db), "bench")
    floor = []
    with store.read() as s:
        for n in range(1, len(keystrokes) + 1):
            started = time.perf_counter()
            list_cases(s, CaseFilter(search=keystrokes[:n]), limit=PAGE)  # what the list reads before showing
            floor.append((time.perf_counter() - started) * 1000)
    store.close()
    return samples, median(floor)


def incremental_export(db: Path, work: Path) -> tuple[float, float]:
    """ms to write the bundle for a site that holds everything but 10 changes, in process; the
    baseline is the floor's way of reading and zipping those 10 rows."""
    os.environ.update({k: v for k, v in env().items() if k.startswith("XDG_")})
    from dtlab.db.cases import list_cases
    from dtlab.db.listing import CaseFilter
    from dtlab.db.store import Store
    from dtlab.services.cases import update_case
    from dtlab.sync.exchange import export_file
    from dtlab.sync.vector import vector

    copy = work / "incremental.db"
    shutil.copy(db, copy)
    store = Store.open(str(copy), "bench")
    with store.write() as s:  # a peer that holds the whole log as it is now
        from dtlab.db.models import PeerVector

        for origin, seq in vector(s).items():
            s.merge(PeerVector(peer="PEER", origin=origin, seq=seq))
    with store.read() as s:
        refs = [r["ref"] for r in list_cases(s, CaseFilter(), limit=10)]
    for n, ref in enumerate(refs):
        update_case(store, ref, {"purpose": f"benchmark change {n}"})
    samples = []
    for n in range(5):
        started = time.perf_counter()
        _manifest, count, _size = export_file(store, work / f"incremental-{n}.dtlab", "PEER")
        samples.append((time.perf_counter() - started) * 1000)
        if count != 10:
            raise RuntimeError(f"the incremental bundle holds {count} operations, not 10")
    store.close()
    con = sqlite3.connect(copy)
    floors = []
    for n in range(5):
        started = time.perf_counter()
        rows = con.execute("SELECT * FROM change_log ORDER BY id DESC LIMIT 10").fetchall()
        with zipfile.ZipFile(work / f"floor-{n}.zip", "w", compression=zipfile.ZIP_DEFLATED) as z:
            z.writestr("operations.ndjson", "".join(json.dumps(list(r)) + "\n" for r in rows))
        floors.append((time.perf_counter() - started) * 1000)
    con.close()
    return median(samples), median(floors)


# --- demo throughput -----------------------------------------------------------------------------


def demo_throughput(work: Path, cases: int = 10_000) -> tuple[float, float, int]:
    """Seconds for `dtlab demo` to write `cases` cases with their records, against sqlite3
    copying the same rows into an empty database of the same schema (tables, indexes, triggers)."""
    db = blank_site(work / "throughput.db", "GVA")
    started = time.perf_counter()
    out = dtlab("--db", str(db), "demo", "--cases", str(cases), "--seed", "7", "--today", "2026-11-01").stdout
    seconds = time.perf_counter() - started
    records = int(re.search(r"([\d,]+) records", out).group(1).replace(",", ""))  # type: ignore[union-attr]
    target = blank_site(work / "throughput-copy.db", "GVA")
    con = sqlite3.connect(target)
    con.execute("ATTACH ? AS src", (str(db),))
    tables = [r[0] for r in con.execute("SELECT name FROM src.sqlite_master WHERE type = 'table' AND name NOT LIKE "
                                        "'sqlite_%' AND name NOT LIKE '%fts%' AND name != 'alembic_version' "
                                        "AND name != 'meta'")]
    con.execute("PRAGMA foreign_keys = OFF")
    started = time.perf_counter()
    for table in ["change_log", *[t for t in tables if t != "change_log"]]:
        con.execute(f"INSERT OR IGNORE INTO main.{table} SELECT * FROM src.{table}")
    con.commit()
    floor = time.perf_counter() - started
    con.close()
    return seconds, floor, records


# --- the run -----------------------------------------------------------------------------------------


def compiled() -> None:
    """Compile dtlab's modules, as installing a package does: an editable checkout would otherwise
    start by compiling whatever changed since the last run, and the hello world's Textual is
    compiled already."""
    import compileall

    compileall.compile_dir(Path(__file__).resolve().parent.parent / "dtlab", quiet=1)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="bench.run", description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1k,100k,1M", help="which databases (1k, 100k, 1M)")
    parser.add_argument("--runs", type=int, default=3, help="runs per figure; the median is reported")
    parser.add_argument("--only", default="", help=FIGURES)
    args = parser.parse_args(argv)
    sizes = [s for s in args.sizes.split(",") if s]
    only = set(filter(None, args.only.split(","))) or set(FIGURES.split(","))
    dbs = {size: demo_database(SIZES[size]) for size in sizes}
    big = dbs.get("100k") or dbs[sizes[-1]]
    figures: list[Figure] = []
    with tempfile.TemporaryDirectory(prefix="dtlab-bench-") as tmp:
        work = Path(tmp)
        if "startup" in only:
            compiled()
            # Alternated, so a machine that slows down during the run slows both alike.
            hellos, starts, small_starts = [], [], []
            for _ in range(args.runs):
                hellos.append(started_hello(env))
                starts.append(started_list(big, env)[0])
                if "1k" in dbs and dbs["1k"] != big:
                    small_starts.append(started_list(dbs["1k"], env)[0])
            figures.append(Figure(f"start to case list ({label(big)} cases)", median(starts), median(hellos), "s",
                                  "≤ 2× hello world", 2.0))
            if small_starts:
                figures.append(Figure("start to case list (1k cases)", median(small_starts), median(hellos), "s",
                                      "— (the same screen, less data)", None))
        if "dashboard" in only:
            # `dtlab` as a user types it: the dashboard, to its first figures, beside hello world.
            for size in [z for z in ("100k", "1M") if z in dbs]:
                hellos, dashes = [], []
                for _ in range(args.runs):
                    hellos.append(started_hello(env))
                    dashes.append(started_dashboard(dbs[size], env)[0])
                figures.append(Figure(f"dtlab to dashboard figures ({size} cases)", median(dashes), median(hellos),
                                      "s", "≤ 2× hello world" if size == "100k" else "≤ 2.5× hello world",
                                      2.0 if size == "100k" else 2.5))
        if "language" in only:
            # The same start in Chinese beside English: the catalogue, Babel's locale data and
            # the wide characters must not slow the first screen.
            size = "100k" if "100k" in dbs else sizes[-1]
            english, chinese = [], []
            for _ in range(args.runs):
                english.append(started_dashboard(dbs[size], env, "en")[0])
                chinese.append(started_dashboard(dbs[size], env, "zh")[0])
            figures.append(Figure(f"dtlab --lang zh to dashboard figures ({size} cases)", median(chinese),
                                  median(english), "s", "≤ 1.1× --lang en", 1.1,
                                  note="baseline: the same start with --lang en"))
        if "dashmem" in only and len(dbs) > 1:
            small, large = dbs[sizes[0]], dbs[sizes[-1]]
            low = median([started_dashboard(small, env)[1] for _ in range(args.runs)])
            high = median([started_dashboard(large, env)[1] for _ in range(args.runs)])
            figures.append(Figure(f"peak memory, dtlab to full dashboard ({label(large)} vs {label(small)})",
                                  high / 1024, low / 1024, "MiB", "≤ 1.3×", 1.3))
        if "open" in only:
            opened, bare = case_opens(big)
            figures.append(Figure(f"open a case from the list, median ({label(big)} cases)", median(opened),
                                  median(bare), "ms", "≤ 150 ms", 150, absolute=True,
                                  note=f"{len(opened)} opens, in the app; baseline: a bare screen pushed"))
        if "memory" in only and len(dbs) > 1:
            small, large = dbs[sizes[0]], dbs[sizes[-1]]
            low = median([started_list(small, env)[1] for _ in range(args.runs)])
            high = median([started_list(large, env)[1] for _ in range(args.runs)])
            figures.append(Figure(f"peak memory, list open ({label(large)} vs {label(small)} cases)",
                                  high / 1024, low / 1024, "MiB", "≤ 1.3×", 1.3))
        if "search" in only:
            samples, floor = search_latency(big)
            ordered = sorted(samples)
            figures.append(Figure("search keystroke to list, median", median(samples), floor, "ms",
                                  "≤ 50 ms", 50, absolute=True))
            figures.append(Figure("search keystroke to list, p95", ordered[int(len(ordered) * 0.95) - 1], floor,
                                  "ms", "—", None))
        if {"export", "import"} & only:
            source = work / "source.db"  # a copy: the cached database stays as it was made
            shutil.copy(big, source)
            full = work / "full.dtlab"
            target = blank_site(work / "hq.db", "HQ")
            exchange_keys(source, target, work)
            export_runs, floor_runs = [], []
            for n in range(args.runs):
                full.unlink(missing_ok=True)
                export_runs.append(timed("--db", str(source), "export", "--to", "HQ", "--full", str(full)))
                floor_runs.append(floor_export(source, work / f"floor-{n}.zip"))
            if "export" in only:
                figures.append(Figure(f"full export ({label(big)} cases)", median(export_runs), median(floor_runs), "s",
                                      "≤ 2× raw floor", 2.0))
            if "import" in only:
                import_runs, schema_floor_runs, log_floor_runs = [], [], []
                blank = work / "hq-blank.db"
                sqlite3.connect(target).execute("PRAGMA wal_checkpoint(TRUNCATE)").close()
                shutil.copy(target, blank)
                for n in range(args.runs):
                    shutil.copy(blank, target)
                    for suffix in ("-wal", "-shm"):
                        Path(str(target) + suffix).unlink(missing_ok=True)
                    import_runs.append(timed("--db", str(target), "import", str(full)))
                    floor_db = work / f"floor-import-{n}.db"
                    shutil.copy(blank, floor_db)
                    schema_floor_runs.append(floor_import_schema(full, floor_db))
                    floor_db.unlink()
                    log_floor_runs.append(floor_import(full, floor_db))
                    floor_db.unlink()
                figures.append(Figure(f"full import ({label(big)} cases)", median(import_runs),
                                      median(schema_floor_runs), "s", "≤ 3× raw floor (same schema)", 3.0))
                figures.append(Figure(f"full import ({label(big)} cases), log-only floor", median(import_runs),
                                      median(log_floor_runs), "s", "— (a bare table: not the same database)", None))
        if "incremental" in only:
            value, floor = incremental_export(big, work)
            figures.append(Figure("incremental export, 10 changes", value, floor, "ms", "≤ 50 ms", 50,
                                  absolute=True))
        if "demo" in only:
            seconds, floor, records = demo_throughput(work)
            figures.append(Figure("dtlab demo, 10k cases", seconds, floor, "s", "—", None,
                                  note=f"{records:,} records: {records / seconds:,.0f} per second"))
        if "postgresql" in only:
            from bench.postgresql import postgresql_figures  # it imports this module: not at the top

            figures += postgresql_figures(big, work, args.runs)
    report(figures)
    return 0


def case_opens(db: Path, opens: int = 15) -> tuple[list[float], list[float]]:
    """Each open of a case from the list, in ms, measured in the app (`bench.case_open`), and
    each push of a bare screen in the same app: Textual's own floor for showing a screen."""
    done = subprocess.run([sys.executable, "-m", "bench.case_open", str(db), str(opens)], env=env(), check=True,
                          capture_output=True, text=True, cwd=Path(__file__).resolve().parent.parent)
    measured = json.loads(done.stdout)
    return measured["opens"], measured["floor"]


def report(figures: list[Figure]) -> None:
    from rich.console import Console
    from rich.table import Table

    table = Table(title="dtlab benchmark (medians)")
    for column in ("figure", "value", "baseline", "ratio", "target", "met"):
        table.add_column(column, justify="right" if column in ("value", "baseline", "ratio") else "left")
    for f in figures:
        table.add_row(f.name, f"{f.value:,.2f} {f.unit}", f"{f.baseline:,.2f} {f.unit}", f"{f.ratio:.2f}×",
                      f.target, f.met)
    Console(width=max(120, shutil.get_terminal_size().columns)).print(table)
    for f in figures:
        if f.note:
            print(f"{f.name}: {f.note}")


if __name__ == "__main__":
    sys.exit(main())
