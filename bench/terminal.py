"""Programs run on a pseudo-terminal as a user starts them, timed to what the screen shows: the
case list, the dashboard (plain `dtlab`), and a hello-world Textual app as their baseline."""

from __future__ import annotations

import contextlib
import fcntl
import os
import pty
import re
import select
import signal
import struct
import sys
import termios
import time
from collections.abc import Callable, Iterator
from pathlib import Path

DTLAB = [sys.executable, "-m", "dtlab"]
ANSI = re.compile(rb"\x1b(\[[0-9;?<>=]*[ -/]*[@-~]|\][^\x07\x1b]*(\x07|\x1b\\)|[()][0-9A-Za-z]|[=>78])")
# The dashboard's first real figure: a stage's count of open cases beside its bar.
FIGURES = re.compile(rb"Interest +\S+ +[\d,]+")
# The monitoring panel's title once its read is in: the whole dashboard is on screen.
MONITORING = re.compile(rb"Monitoring: ")


@contextlib.contextmanager
def in_terminal(argv: list[str], env: Callable[[], dict[str, str]], rows: int = 24,
                cols: int = 80) -> Iterator[tuple[int, int]]:
    """A process on a pseudo-terminal of the given size; yields (pid, fd) and ends it after."""
    pid, fd = pty.fork()
    if pid == 0:  # the child: the terminal is its stdin, stdout and stderr
        fcntl.ioctl(sys.stdout.fileno(), termios.TIOCSWINSZ, struct.pack("HHHH", rows, cols, 0, 0))
        os.execvpe(argv[0], argv, env())
    try:
        yield pid, fd
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGTERM)
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline:
            done, _status = os.waitpid(pid, os.WNOHANG)
            if done:
                break
            drain(fd, 0.05)
        else:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
        os.close(fd)


def drain(fd: int, wait: float) -> bytes:
    ready, _, _ = select.select([fd], [], [], wait)
    if not ready:
        return b""
    try:
        return os.read(fd, 1 << 16)
    except OSError:
        return b""


def until_text(fd: int, pattern: re.Pattern[bytes], timeout: float = 120) -> float:
    """Seconds until the screen shows text matching `pattern` (escape sequences removed)."""
    started, seen = time.perf_counter(), b""
    while time.perf_counter() - started < timeout:
        seen += drain(fd, 0.01)
        if pattern.search(ANSI.sub(b"", seen[-200_000:])):
            return time.perf_counter() - started
    raise TimeoutError(f"nothing matching {pattern.pattern!r} within {timeout} s")


def peak_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    raise RuntimeError("no VmHWM in /proc (Linux only)")


HELLO = ("from textual.app import App\nfrom textual.widgets import Static\n"
         "class Hello(App):\n    def compose(self):\n        yield Static('hello world, ready')\n"
         "Hello().run()\n")
REF = re.compile(rb"GVA-\d{4}-\d{4}")


def started_list(db: str | Path, env: Callable[[], dict[str, str]]) -> tuple[float, int]:
    """Seconds from starting `dtlab tui --open cases` to case refs on screen, and its peak memory
    once the list is shown."""
    with in_terminal([*DTLAB, "--db", str(db), "tui", "--open", "cases"], env) as (pid, fd):
        seconds = until_text(fd, REF)
        end = time.monotonic() + 1.0  # let the first page settle before reading the memory
        while time.monotonic() < end:
            drain(fd, 0.05)
        return seconds, peak_kib(pid)


def started_hello(env: Callable[[], dict[str, str]]) -> float:
    with in_terminal([sys.executable, "-c", HELLO], env) as (_pid, fd):
        return until_text(fd, re.compile(rb"hello world, ready"))


def said_on_screen(lang: str) -> tuple[re.Pattern[bytes], re.Pattern[bytes]]:
    """FIGURES and MONITORING as the dashboard says them in `lang` (its catalogue's words)."""
    if lang == "en":
        return FIGURES, MONITORING
    from dtlab import i18n
    from dtlab.domain.stages import Stage
    from dtlab.present.labels import STAGE_SHORT

    i18n.use_language(lang)
    try:
        stage = re.escape(STAGE_SHORT[Stage.INTEREST].encode())
        monitoring = re.escape(i18n._("Monitoring: {overdue} · {off_track}").split("{")[0].encode())
    finally:
        i18n.use_language("en")
    return re.compile(stage + rb" +\S+ +[\d,]+"), re.compile(monitoring)


def started_dashboard(db: str | Path, env: Callable[[], dict[str, str]], lang: str = "en") -> tuple[float, int]:
    """Seconds from starting `dtlab --lang LANG` (the dashboard, as a user starts it) to its
    figures on screen, and the peak memory of the whole start: read once the monitoring panel,
    the last read, is on screen too."""
    figures, monitoring = said_on_screen(lang)
    with in_terminal([*DTLAB, "--lang", lang, "--db", str(db)], env) as (pid, fd):
        seconds = until_text(fd, figures)
        until_text(fd, monitoring, timeout=600)
        return seconds, peak_kib(pid)
