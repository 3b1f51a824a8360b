"""The command line's grammar: every command, option and argument type. Importing it loads no
database code, so `--help` and `--version` stay fast."""

from __future__ import annotations

import argparse
from typing import NoReturn

from dtlab import __version__, errors
from dtlab.cli import board_args
from dtlab.domain.fields import FieldError, finite, parse_date
from dtlab.domain.guide import OWNERSHIPS, SCOPES
from dtlab.domain.ids import REGIONS
from dtlab.domain.monitoring import RESULT_LEVELS, MilestoneStatus
from dtlab.domain.recommend import TIERS
from dtlab.domain.stages import Channel, Stage, Status
from dtlab.i18n import LANGUAGES

# The domain's own ids (importing it loads no database code, so --help stays fast).
STAGES = tuple(s.value for s in Stage)
STATUSES = tuple(s.value for s in Status)
CHANNELS = tuple(c.value for c in Channel)
REFERENCE_TOPICS = ("priorities", "products", "sdgs", "wsis")


# A usage error is argparse's own sentence, in English: it is said while the command line is read,
# before --lang (or the config) has chosen the language. So are the argument types' complaints
# below, which argparse puts into that sentence ("argument --cases: '-1' must not be negative").
class Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        # One line, as every other error: the usage is one `--help` away.
        self.exit(errors.USAGE, f"{self.prog}: {message} (see {self.prog} --help)\n")


def _date_arg(text: str) -> str:
    try:
        parse_date(text)
    except FieldError as exc:  # "date: '…' is not a date …": argparse names the option itself
        raise argparse.ArgumentTypeError(str(exc).partition(": ")[2]) from None
    return text


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None  # i18n: not shown (argparse)
    if value < 0:
        raise argparse.ArgumentTypeError(f"{text!r} must not be negative")  # i18n: not shown (argparse's, English)
    return value


def _finite(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None  # i18n: not shown (argparse's)
    try:
        return finite(value, text)
    except FieldError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a finite number") from None  # i18n: not shown (argparse)


def _table_output(s: argparse.ArgumentParser) -> None:
    """--json or --format, for a command that prints a table."""
    how = s.add_mutually_exclusive_group()
    how.add_argument("--json", action="store_true")
    how.add_argument("--format", choices=("table", "csv", "tsv"), default="table",
                     help="table (the default; whole values when not printed to a terminal), csv or tsv")


def _call_fields(s: argparse.ArgumentParser, new: bool) -> None:
    s.add_argument("--title", required=new)
    s.add_argument("--deadline", required=new, type=_date_arg, metavar="YYYY-MM-DD",
                   help="the last day an expression of interest is on time")
    s.add_argument("--opens", dest="opens_on", type=_date_arg, metavar="YYYY-MM-DD")
    s.add_argument("--regions", metavar="R1,R2", help=f"the ITU regions it is open to ({', '.join(REGIONS)})")
    s.add_argument("--scope", choices=SCOPES, help="the scope of the centres it is for")
    s.add_argument("--types", dest="centre_types", metavar="T1,T2", help="the centre types it is for")
    s.add_argument("--announcement", metavar="TEXT", help="where and how the call was published")


def _calls_parser(sub: argparse._SubParsersAction) -> None:
    calls = sub.add_parser("calls", help="calls for expressions of interest and the requests answering them")
    csub = calls.add_subparsers(dest="calls_command", metavar="ACTION", parser_class=Parser)
    s = csub.add_parser("list", help="every call: deadline, days left, expressions of interest on time and late "
                                     "(the default)")
    s.add_argument("--today", type=_date_arg, metavar="YYYY-MM-DD", help="the day to count days left from")
    _table_output(s)
    s = csub.add_parser("show", help="a call and its expressions of interest, with their stage and status")
    s.add_argument("call", metavar="CALL", help="the call's ref, e.g. ITU-2023 or GVA-C1")
    s.add_argument("--today", type=_date_arg, metavar="YYYY-MM-DD", help="the day to count days left from")
    _table_output(s)
    s = csub.add_parser("new", help="open a call; prints its ref")
    _call_fields(s, new=True)
    s.add_argument("--json", action="store_true")
    s = csub.add_parser("edit", help="change a call's fields")
    s.add_argument("call", metavar="CALL")
    _call_fields(s, new=False)
    s = csub.add_parser("close", help="close a call: its selection is done")
    s.add_argument("call", metavar="CALL")
    s = csub.add_parser("cancel", help="cancel a call")
    s.add_argument("call", metavar="CALL")
    s = csub.add_parser("reopen", help="open a closed or cancelled call again")
    s.add_argument("call", metavar="CALL")
    s = csub.add_parser("history", help="who changed a call, when, and what")
    s.add_argument("call", metavar="CALL")
    s.add_argument("--json", action="store_true")
    s = csub.add_parser("link", help="record that a request answers the call (a late one with --late-reason)")
    s.add_argument("call", metavar="CALL")
    s.add_argument("ref", metavar="REF", help="the case's ref")
    s.add_argument("--late-reason", metavar="TEXT", help="why an expression of interest after the deadline is taken")


def build_parser() -> Parser:
    p = Parser(prog="dtlab", description="The case desk of ITU's Digital Transformation Lab.")
    p.add_argument("--version", action="version", version=f"dtlab {__version__}")
    p.add_argument("--db", metavar="PATH|URL",
                   help="database file or URL (default: $DTLAB_DB, else the config file's `database`, "
                        "else dtlab.db in the user's data directory)")
    p.add_argument("--debug", action="store_true", help="show tracebacks of unexpected errors")
    p.add_argument("--lang", choices=tuple(LANGUAGES), metavar="LANG",
                   help=f"the language to speak: {', '.join(LANGUAGES)} (default: $DTLAB_LANG, else the config "
                        "file's `language`, else the locale's, else en); --json output is the same in every one")
    sub = p.add_subparsers(dest="command", metavar="COMMAND", parser_class=Parser)

    s = sub.add_parser("tui", help="open the terminal UI (the default)")
    s.add_argument("--open", choices=("dashboard", "cases", "milestones", "sync", "calls", "board"),
                   default="dashboard", help="the screen to start on (default: the dashboard)")

    s = sub.add_parser("init", help="give a new database its site code")
    s.add_argument("--site", required=True, metavar="CODE", help="2-8 letters/digits, e.g. GVA")

    s = sub.add_parser("demo", help="fill the database with realistic, deterministic demo data")
    s.add_argument("--cases", type=_positive, default=500, metavar="N")
    s.add_argument("--seed", type=int, default=1, metavar="S")
    s.add_argument("--today", type=_date_arg, metavar="YYYY-MM-DD",
                   help="the date demo histories lead up to (default: today)")

    s = sub.add_parser("cases", help="list cases")
    s.add_argument("--stage", choices=STAGES)
    s.add_argument("--region", choices=REGIONS, type=str.upper)
    s.add_argument("--status", choices=STATUSES)
    s.add_argument("--type", dest="centre_type", metavar="CENTRE_TYPE")
    s.add_argument("--search", metavar="TEXT", help="part of a ref, title, applicant or country")
    s.add_argument("--limit", type=_positive, metavar="N")
    _table_output(s)

    s = sub.add_parser("db", help="the database's schema: its state, and upgrading a shared database")
    dsub = s.add_subparsers(dest="db_command", metavar="ACTION", required=True, parser_class=Parser)
    dsub.add_parser("status", help="the schema the database is at, and the one this dtlab writes")
    dsub.add_parser("upgrade", help="migrate the database to this dtlab's schema (a shared PostgreSQL "
                                    "database is upgraded only so; take a pg_dump first)")
    g = dsub.add_parser("grant", help="give a PostgreSQL role what HQ staff need through dtlab, and no more "
                                      "(no DELETE, no TRUNCATE, the change log append-only); run as the owner")
    g.add_argument("role", help="the role staff log in with (or a group role granted to each of them)")

    s = sub.add_parser("reference", help="summarise the reference data loaded from seeds/, or list one part of it",
                       description="Without TOPIC, counts what is loaded. priorities: the thematic priority areas "
                                   "with their objective, outcomes and priorities; products: every product (output) "
                                   "of the areas; sdgs; wsis: the WSIS action lines.")
    s.add_argument("topic", nargs="?", choices=REFERENCE_TOPICS, metavar="TOPIC",
                   help=f"one of {', '.join(REFERENCE_TOPICS)}")
    s.add_argument("--json", action="store_true")

    _calls_parser(sub)

    s = sub.add_parser("centres", help="the centres, each with its accreditation period and whether it lapsed")
    s.add_argument("--today", type=_date_arg, metavar="YYYY-MM-DD", help="the day to judge the periods on")
    _table_output(s)

    s = sub.add_parser("milestones", help="open milestones of every centre, soonest first")
    s.add_argument("--overdue", action="store_true", help="only those past their due date")
    s.add_argument("--due-within", type=_positive, metavar="DAYS", help="only those due within DAYS (overdue included)")
    s.add_argument("--today", type=_date_arg, metavar="YYYY-MM-DD", help="the day to judge due dates on")
    _table_output(s)

    s = sub.add_parser("results", help="a centre's results chain: impacts, their outcomes, their outputs, with links")
    s.add_argument("centre", metavar="CENTRE", help="the centre's case ref")
    s.add_argument("--json", action="store_true")

    s = sub.add_parser("kpis", help="a centre's KPIs: targets and actuals per year, red/amber/green")
    s.add_argument("centre", metavar="CENTRE", help="the centre's case ref")
    s.add_argument("--today", type=_date_arg, metavar="YYYY-MM-DD", help="the day to judge the years on")
    s.add_argument("--json", action="store_true")

    s = sub.add_parser("policy", help="show or set how long accreditation periods last and when renewal falls due")
    s.add_argument("--accreditation-years", type=_positive, metavar="N")
    s.add_argument("--renewal-lead-months", type=int, metavar="M", help="months before the end (0 or more)")
    s.add_argument("--json", action="store_true")

    keys = sub.add_parser("keys", help="this site's keys and the keys of the sites it exchanges bundles with")
    ksub = keys.add_subparsers(dest="keys_command", metavar="KEYS_COMMAND", required=True)
    s = ksub.add_parser("show", help="print this site's public key lines, to give to the sites it exchanges "
                                            "bundles with (keys show > SITE.pub)")
    s.add_argument("--json", action="store_true")
    s = ksub.add_parser("trust", help="accept bundles signed by the key in FILE, for one site, and seal bundles "
                                      "for it to the encryption key in FILE")
    s.add_argument("file", metavar="FILE", help="a file holding the lines `dtlab keys show` printed there")
    s.add_argument("--site", required=True, metavar="CODE")
    s = ksub.add_parser("revoke", help="refuse bundles signed by a key from now on")
    s.add_argument("key_id", metavar="KEY_ID")
    s = ksub.add_parser("list", help="the trusted keys and the sites bundles can be encrypted to")
    s.add_argument("--json", action="store_true")

    s = sub.add_parser("export", help="write a signed sync bundle of what the other site has not yet received")
    s.add_argument("out", metavar="OUT", help="the bundle file to write (e.g. nbo-2026-11-23.dtlab)")
    s.add_argument("--to", metavar="SITE", help="the receiving site (default: the HQ site of the config)")
    s.add_argument("--full", action="store_true", help="everything, not only what the site has not acknowledged")
    s.add_argument("--encrypt", action="store_true",
                   help="encrypt the bundle to the receiving site's key, so that only it can open the file "
                        "(not even this laptop)")
    s.add_argument("--replace", action="store_true",
                   help="write over an existing file (without it, an existing OUT is refused: a bundle not yet "
                        "delivered would be lost)")

    s = sub.add_parser("import", help="check a sync bundle completely, then apply it in one transaction")
    s.add_argument("file", metavar="IN")
    s.add_argument("--dry-run", action="store_true", help="check and count, write nothing")
    s.add_argument("--json", action="store_true")

    s = sub.add_parser("conflicts", help="fields edited on two sites, with both values and the provisional winner; "
                                        "`conflicts resolve ID --keep|--take|--value V` decides one")
    s.add_argument("action", nargs="?", choices=("resolve",), help="decide a conflict")
    s.add_argument("conflict_id", nargs="?", type=_positive, metavar="ID")
    s.add_argument("--json", action="store_true")
    how = s.add_mutually_exclusive_group()
    how.add_argument("--keep", action="store_true", help="keep the value this site had")
    how.add_argument("--take", action="store_true", help="take the incoming value")
    how.add_argument("--value", metavar="V", help="write another value")

    s = sub.add_parser("templates", help="the monitoring-plan template of each centre type (or of one)")
    s.add_argument("centre_type", nargs="?", metavar="CENTRE_TYPE")
    s.add_argument("--json", action="store_true")

    s = sub.add_parser("recommend", help="rank the centre types for a request, with the reasons and the cost tier")
    s.add_argument("--goals", required=True, metavar="G1,G2", help="strategic goal ids, e.g. trends,policy")
    s.add_argument("--scope", required=True, choices=SCOPES)
    s.add_argument("--ownership", required=True, choices=OWNERSHIPS)
    s.add_argument("--cost-capacity", choices=TIERS,
                   help="the most the host can carry")
    s.add_argument("--flagships", type=_positive, default=0, metavar="N", help="number of flagship initiatives")
    s.add_argument("--json", action="store_true")

    board_args.add(sub, Parser, _date_arg, _table_output)

    s = sub.add_parser("evaluations", help="a case's evaluations, the evaluators side by side, and the "
                                           "centre-type recommendation")
    s.add_argument("ref")
    s.add_argument("--json", action="store_true")

    case = sub.add_parser("case", help="create, show, edit and move one case")
    csub = case.add_subparsers(dest="case_command", metavar="ACTION", required=True, parser_class=Parser)

    s = csub.add_parser("new", help="record a new request; prints its ref")
    s.add_argument("--title", required=True)
    s.add_argument("--country", required=True, metavar="COUNTRY",
                   help="ISO 3166-1 alpha-2 code (KE) or English name (Kenya)")
    s.add_argument("--applicant", metavar="NAME")
    s.add_argument("--category", metavar="ID", help="membership category of the applicant")
    s.add_argument("--contact", metavar="NAME", help="the applicant's contact person")
    s.add_argument("--contact-email", metavar="EMAIL")
    s.add_argument("--channel", choices=CHANNELS)
    s.add_argument("--received", type=_date_arg, metavar="YYYY-MM-DD")
    s.add_argument("--purpose")
    s.add_argument("--goals", metavar="G1,G2")
    s.add_argument("--scope", choices=SCOPES)
    s.add_argument("--ownership", choices=OWNERSHIPS)
    s.add_argument("--type", dest="proposed_type", metavar="CENTRE_TYPE")
    s.add_argument("--call", dest="call_ref", metavar="CALL",
                   help="the call for expressions of interest it answers (its ref, e.g. ITU-2023)")
    s.add_argument("--late-reason", metavar="TEXT",
                   help="why a request received after its call's deadline is taken all the same")
    s.add_argument("--stage", choices=STAGES, default="interest",
                   help="enter the path at a later stage (e.g. an existing partner centre)")
    s.add_argument("--reason", help="why the case enters at a later stage")
    s.add_argument("--override", action="store_true",
                   help="enter past concept design: skips the evaluation a partner centre passes (with --reason)")
    s.add_argument("--json", action="store_true")

    s = csub.add_parser("show", help="show a case, its gate and notes")
    s.add_argument("ref")
    s.add_argument("--json", action="store_true")
    s = csub.add_parser("history", help="the field-level change log")
    s.add_argument("ref")
    s.add_argument("--json", action="store_true")

    s = csub.add_parser("set", help="set fields: FIELD=VALUE ... (an empty value clears)")
    s.add_argument("ref")
    s.add_argument("assignments", nargs="+", metavar="FIELD=VALUE")

    s = csub.add_parser("advance", help="move to the next stage; exit 3 with the unmet conditions")
    s.add_argument("ref")
    s.add_argument("--override", metavar="REASON", help="advance despite the gate, with a written reason")

    s = csub.add_parser("back", help="send the case back one stage")
    s.add_argument("ref")
    s.add_argument("--reason")
    for name in ("withdraw", "decline", "close", "reopen"):
        s = csub.add_parser(name, help=f"{name} the case, with a reason")
        s.add_argument("ref")
        s.add_argument("--reason", required=True)

    s = csub.add_parser("note", help="add a note (notes are never edited)")
    s.add_argument("ref")
    s.add_argument("text")

    s = csub.add_parser("evaluate", help="score the concept design against the rubric (a draft until --submit)",
                        description="Starts the evaluator's draft (or continues it), records the scores and "
                                    "comments given, and with --submit locks it. `dtlab evaluations REF` shows "
                                    "the criteria and their levels.")
    s.add_argument("ref")
    s.add_argument("--evaluator", help="default: you")
    s.add_argument("--score", action="append", default=[], metavar="CRITERION=0..4",
                   help="repeat for each criterion")
    s.add_argument("--why", action="append", default=[], metavar="CRITERION=TEXT",
                   help="a comment on one criterion; repeatable")
    s.add_argument("--comment", help="an overall comment")
    s.add_argument("--amend", action="store_true",
                   help="start a new revision of the evaluator's submitted evaluation")
    s.add_argument("--submit", action="store_true", help="lock the evaluation; every criterion must be scored")

    s = csub.add_parser("kpi", help="add a KPI to the monitoring plan, or edit the one named KPI",
                        description="Without KPI, adds one (--name needed); its --target is the end-of-plan "
                                    "target, and the years of the accreditation period get targets rising evenly "
                                    "to it from the baseline. With KPI (its number in `dtlab case show`, or a part "
                                    "of its name), changes what is given.")
    s.add_argument("ref")
    s.add_argument("kpi", nargs="?", metavar="KPI", help="the KPI to edit")
    s.add_argument("--name")
    s.add_argument("--unit")
    s.add_argument("--baseline", type=_finite)
    s.add_argument("--target", type=_finite, help="the end-of-plan target (the last year's)")
    s.add_argument("--year-target", action="append", default=[], metavar="YEAR=VALUE",
                   help="one reporting year's target (an empty VALUE clears it); repeatable")
    s.add_argument("--result", type=_positive, metavar="N",
                   help="the result it measures, by its number in `dtlab case show` (of any level); 0: none")
    s.add_argument("--today", type=_date_arg, metavar="YYYY-MM-DD", help=argparse.SUPPRESS)

    s = csub.add_parser("result", help="add a result to the plan's results chain, or edit the one numbered N",
                        description="Without N, adds a result (--title needed; --level output by default). An "
                                    "output links up to an outcome, an outcome to an impact (--parent: the "
                                    "result's number in `dtlab case show`; 0 unlinks). Links: --priority (dtlab "
                                    "reference priorities), --initiatives (ARB4, AFR4.3), --sdgs (4 9 17), --wsis "
                                    "(C1 C7); an empty value clears one.")
    s.add_argument("ref")
    s.add_argument("number", nargs="?", type=_positive, metavar="N", help="the result to edit")
    s.add_argument("--level", choices=RESULT_LEVELS)
    s.add_argument("--title")
    s.add_argument("--parent", type=_positive, metavar="N", help="the result one level up it contributes to")
    s.add_argument("--priority", metavar="ID", help="a thematic priority")
    s.add_argument("--initiatives", metavar="CODES", help="regional initiatives or their results: ARB4 AFR4.3")
    s.add_argument("--cycle", metavar="CYCLE", help="the plan cycle of the initiatives (default: the latest)")
    s.add_argument("--sdgs", metavar="NUMBERS", help="Sustainable Development Goals: 4 9 17")
    s.add_argument("--wsis", metavar="LINES", help="WSIS action lines: C1 C7")

    s = csub.add_parser("remove", help="take a result, KPI or milestone out of the plan (its history stays)")
    s.add_argument("ref")
    s.add_argument("kind", choices=("result", "kpi", "milestone"))
    s.add_argument("number", type=_positive, metavar="N", help="its number in `dtlab case show`")
    s.add_argument("--today", type=_date_arg, metavar="YYYY-MM-DD", help=argparse.SUPPRESS)

    s = csub.add_parser("plan", help="make the centre's monitoring plan from its type's template")
    s.add_argument("ref")

    s = csub.add_parser("actual", help="report a KPI's actual for a reporting year")
    s.add_argument("ref")
    s.add_argument("kpi", metavar="KPI", help="its number in `dtlab case show`, or a part of its name")
    s.add_argument("year", type=_positive, metavar="YEAR", help="reporting year, 1 = the first from accreditation")
    s.add_argument("value", metavar="VALUE", help="the actual (an empty string clears it)")
    s.add_argument("--evidence", metavar="TEXT", help="where the figure comes from")
    s.add_argument("--today", type=_date_arg, metavar="YYYY-MM-DD", help=argparse.SUPPRESS)

    s = csub.add_parser("milestone", help="add a milestone, or edit the one numbered N in `dtlab case show`")
    s.add_argument("ref")
    s.add_argument("number", nargs="?", type=_positive, metavar="N")
    s.add_argument("--title")
    s.add_argument("--due", metavar="WHEN", help='a date, or an offset such as "6 months after launch"')
    s.add_argument("--owner")
    s.add_argument("--status", choices=tuple(s.value for s in MilestoneStatus))
    s.add_argument("--done-on", type=_date_arg, metavar="YYYY-MM-DD", help="when it was done (default: today)")
    s.add_argument("--evidence", metavar="TEXT", help="add an evidence note")
    s.add_argument("--today", type=_date_arg, metavar="YYYY-MM-DD", help=argparse.SUPPRESS)

    s = csub.add_parser("replan", help="show the dates of milestones whose anchor moved; --yes accepts them")
    s.add_argument("ref")
    s.add_argument("--yes", action="store_true", help="write the re-planned dates")
    return p
