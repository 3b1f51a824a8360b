"""A throwaway PostgreSQL server on this machine, for the test suite, CI and trying HQ.

    python tools/pg_local.py start DIR [--port N]   # prints the server's URL (also in DIR/url)
    python tools/pg_local.py createdb DIR NAME      # a new, empty database; prints its URL
    python tools/pg_local.py stop DIR

The cluster lives in DIR (made if missing), listens on 127.0.0.1 only and trusts local
connections: it is for tests and trials, never for data anyone keeps (it runs without fsync).
PostgreSQL refuses to run as root, so when this runs as root the server runs as the `postgres`
user (Debian's package makes it), and DIR is handed to that user. The programs are found with
`pg_config --bindir`, or in Debian's /usr/lib/postgresql/<version>/bin.

Only the standard library: CI calls this before anything is installed."""

from __future__ import annotations

import argparse
import glob
import os
import pwd
import shutil
import socket
import subprocess
import sys
from pathlib import Path

SERVER_USER = "postgres"  # who runs the server when we are root
SUPERUSER = "postgres"  # the cluster's superuser role


class Failed(RuntimeError):
    pass


def bindir() -> Path:
    try:
        found = subprocess.run(["pg_config", "--bindir"], capture_output=True, text=True, check=True).stdout.strip()
        if (Path(found) / "pg_ctl").exists():
            return Path(found)
    except (OSError, subprocess.CalledProcessError):
        pass
    versions = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"), key=lambda p: int(p.split("/")[4]))
    if versions:
        return Path(versions[-1]).parent
    raise Failed("PostgreSQL's programs were not found (pg_config --bindir, /usr/lib/postgresql/*/bin): "
                 "install PostgreSQL (Debian: apt install postgresql)")


def as_server_user(command: list[str]) -> list[str]:
    if os.geteuid() != 0:
        return command
    try:
        pwd.getpwnam(SERVER_USER)
    except KeyError:
        raise Failed(f"running as root, and there is no '{SERVER_USER}' user to run PostgreSQL as "
                     "(it refuses to run as root)") from None
    runuser = shutil.which("runuser")
    if runuser:
        return [runuser, "-u", SERVER_USER, "--", *command]
    return ["su", SERVER_USER, "-s", "/bin/sh", "-c", " ".join(f"'{c}'" for c in command)]


def run(command: list[str], what: str) -> None:
    done = subprocess.run(as_server_user(command), capture_output=True, text=True)
    if done.returncode != 0:
        raise Failed(f"{what} failed: {(done.stderr or done.stdout).strip()[-2000:]}")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start(root: Path, port: int | None) -> str:
    root = root.resolve()
    root.mkdir(parents=True, exist_ok=True)
    data = root / "data"
    if os.geteuid() == 0:
        user = pwd.getpwnam(SERVER_USER)
        for path in (root, *[p for p in root.rglob("*")]):
            os.chown(path, user.pw_uid, user.pw_gid)
    programs = bindir()
    if not (data / "PG_VERSION").exists():
        # A UTF-8 character type, so that searching ignores the case of every letter ("É" finds
        # "é"), as a real HQ server's should (docs/hq-postgresql.md); C.UTF-8 is on every glibc.
        run([str(programs / "initdb"), "-D", str(data), "-U", SUPERUSER, "-A", "trust", "-E", "UTF8",
             "--locale=C.UTF-8", "--no-sync"], "initdb")
    port = port or free_port()
    options = (f"-p {port} -k {root} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off "
               "-c full_page_writes=off -c max_connections=200")
    run([str(programs / "pg_ctl"), "-D", str(data), "-l", str(root / "server.log"), "-w", "-t", "60",
         "-o", options, "start"], f"starting PostgreSQL (its log: {root / 'server.log'})")
    url = f"postgresql+psycopg://{SUPERUSER}@127.0.0.1:{port}/postgres"
    (root / "url").write_text(url + "\n")
    return url


def createdb(root: Path, name: str) -> str:
    """A new, empty database NAME on the server started in `root` (one there before is dropped:
    this server holds nothing anyone keeps). Returns its URL."""
    url = (root.resolve() / "url").read_text().strip()
    port = url.rsplit(":", 1)[1].split("/")[0]
    where = ["-h", "127.0.0.1", "-p", port, "-U", SUPERUSER]
    programs = bindir()
    for command, what in (([str(programs / "dropdb"), *where, "--if-exists", "--force", name], "dropdb"),
                          ([str(programs / "createdb"), *where, name], "createdb")):
        done = subprocess.run(command, capture_output=True, text=True)
        if done.returncode != 0:
            raise Failed(f"{what} {name} failed: {(done.stderr or done.stdout).strip()}")
    return url.rsplit("/", 1)[0] + "/" + name


def stop(root: Path) -> None:
    data = root.resolve() / "data"
    if (data / "postmaster.pid").exists():
        run([str(bindir() / "pg_ctl"), "-D", str(data), "-m", "fast", "-w", "stop"], "stopping PostgreSQL")


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="pg_local", description=__doc__.split("\n\n")[0])
    parser.add_argument("action", choices=["start", "createdb", "stop"])
    parser.add_argument("dir", type=Path)
    parser.add_argument("name", nargs="?", help="the database createdb makes")
    parser.add_argument("--port", type=int)
    args = parser.parse_args(argv)
    try:
        if args.action == "start":
            print(start(args.dir, args.port))
        elif args.action == "createdb":
            if not args.name:
                parser.error("createdb needs the database's NAME")
            print(createdb(args.dir, args.name))
        else:
            stop(args.dir)
    except Failed as failure:
        print(f"pg_local: {failure}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
