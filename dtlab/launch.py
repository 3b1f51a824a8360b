"""The program's entry point (`dtlab`, `python -m dtlab`): parse the command line, then open the
terminal UI (no command, or `tui`) or run the command. It stands above both front ends so that
neither imports the other, and the command path never loads Textual.

Every failure is one line on stderr and the exit code its error carries (`dtlab.errors`);
`--debug` shows tracebacks of unexpected ones."""

from __future__ import annotations

import argparse
import gc
import os
import sys
from collections.abc import Sequence

from dtlab import errors
from dtlab.cli.parser import build_parser
from dtlab.i18n import _


def main(argv: Sequence[str] | None = None) -> int:
    try:
        args = build_parser().parse_args(argv)
    except SystemExit as done:  # --help, --version, or a usage error already printed
        return done.code if isinstance(done.code, int) else errors.USAGE
    try:
        return _dispatch(args)
    except errors.DtlabError as failure:
        from dtlab.present.errors import error_line
        from dtlab.present.safe import visible

        # The message may quote a bundle's text (a key id, a site code): shown, never acted on.
        print(f"dtlab: {visible(error_line(failure))}", file=sys.stderr)
        return errors.exit_code(failure)
    except BrokenPipeError:
        _stop_writing_stdout()
        return errors.PIPE_CLOSED
    except KeyboardInterrupt:
        print("dtlab: " + _("interrupted"), file=sys.stderr)
        return 130
    except Exception as exc:  # the last resort: one line, never a traceback unless asked
        if args.debug:
            raise
        from dtlab.present.safe import visible

        line = _("unexpected error: {kind}: {message} (run with --debug for details)").format(
            kind=type(exc).__name__, message=visible(errors.describe_error(exc)))
        print(f"dtlab: {line}", file=sys.stderr)
        return errors.UNEXPECTED


def _stop_writing_stdout() -> None:
    """Point stdout at the null device: the interpreter flushes stdout on its way out, and a
    flush into the closed pipe would print "Exception ignored … BrokenPipeError"."""
    try:
        null = os.open(os.devnull, os.O_WRONLY)
        os.dup2(null, sys.stdout.fileno())
    except (OSError, ValueError):  # stdout is not a file (a test's capture): nothing to flush
        pass


def _dispatch(args: argparse.Namespace) -> int:
    from dtlab.config import load_settings
    from dtlab.i18n import LANGUAGES, choose_language, use_language

    # The language of a broken config file's error: --lang, DTLAB_LANG or the locale's, as far as
    # they go without the file; then the settings' choice once the file is read.
    variable = os.environ.get("DTLAB_LANG", "")
    use_language(choose_language(args.lang, variable if variable in LANGUAGES else None))
    settings = load_settings()
    use_language(choose_language(args.lang, settings.language))
    if args.db is not None and not args.db.strip():
        raise errors.UsageError(_("--db needs a database path or URL"))
    if args.command in (None, "tui"):
        # Without the command modules (and the SQLAlchemy they import): the terminal UI can draw
        # the case list before they would have loaded. And without collecting garbage until the
        # first screen is drawn (`DtlabApp.started`): start-up makes many objects and frees few,
        # so collections then find nothing and cost a tenth of the start.
        gc.disable()
        from dtlab.app import run_app

        return run_app(args.db or settings.database_target, settings, getattr(args, "open", "dashboard"))
    from dtlab.cli.run import run

    return run(args, settings)
